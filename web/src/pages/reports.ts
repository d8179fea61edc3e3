/**
 * Reports (报告): the annual report (2022 Regulations art. 41) of the chosen region and year,
 * generated as Word, PDF or HTML by the server (kept, listed, downloadable again unchanged),
 * and the dataset behind it, every figure with the request that made it.
 */
import { useState } from 'preact/hooks';
import type { ReportKind } from '../../../analytics/reports/document.js';
import type { ReportFormat } from '../../../analytics/reports/report-store.js';
import type { ListedReport } from '../../../server/report-routes.js';
import { api, query, request } from '../api.js';
import { placeName, useApp } from '../context.js';
import { formatTime } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { useLoad } from '../use-load.js';
import { optional, strip, text } from './cases/form-data.js';
import { organName, OrganPicker } from './cases/organ-picker.js';
import { BatchPanel } from './reports/batch.js';
import { Panel, refusalText } from '../ui/panel.js';
import { ScopeBar, useScope, type Scope } from '../ui/scope-bar.js';

const FORMATS: [ReportFormat, string][] = [['docx', 'Word (.docx)'], ['pdf', 'PDF'], ['html', 'HTML']];

/** The reports the server writes (analytics/reports/kinds.ts), each with its legal basis. */
const KINDS: { id: ReportKind; zh: string; en: string; basisZh: string; basisEn: string }[] = [
  { id: 'annual', zh: '年度工作报告', en: 'Annual report', basisZh: '《信访工作条例》第四十一条', basisEn: '2022 Regulations art. 41' },
  { id: 'quarterly', zh: '季度形势分析', en: 'Quarterly analysis', basisZh: '定期分析研判信访形势', basisEn: 'the regular situation analysis' },
  { id: 'assessment', zh: '年度考核和通报', en: 'Assessment and notice', basisZh: '信访工作责任制考核', basisEn: 'the responsibility system assessment' },
  { id: 'inspection', zh: '巡视巡察简报', en: 'Inspection brief', basisZh: '供巡视巡察参考，任意期间', basisEn: 'for an inspection team, any period' },
];

/** What a stored report is, from its kind and parameters: "2025 年第 3 季度形势分析". */
function reportTitle(r: Pick<ListedReport, 'kind' | 'parameters'>, organ: (code: string) => string): string {
  const p = r.parameters;
  switch (r.kind) {
    case 'annual':
      return t(`${p.year} 年度工作报告`, `Annual report ${p.year}`);
    case 'quarterly':
      return t(`${p.year} 年第 ${p.quarter} 季度形势分析`, `Quarterly analysis ${p.year} Q${p.quarter}`);
    case 'assessment':
      return t(`${p.year} 年度考核和通报`, `Assessment and notice ${p.year}`);
    case 'inspection':
      return `${t('巡视巡察简报', 'Inspection brief')} ${p.from} – ${p.to}${p.organ ? ` · ${organ(String(p.organ))}` : ''}`;
    default:
      return r.kind;
  }
}

function Generate({ scope, made }: { scope: Scope; made: () => void }) {
  const [kind, setKind] = useState<ReportKind>('annual');
  const [busy, setBusy] = useState(false);
  const [verdict, setVerdict] = useState<{ ok: boolean; text: string; href?: string } | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const period =
      kind === 'inspection'
        ? { from: text(form, 'from'), to: text(form, 'to'), organ: optional(form, 'organ') }
        : { year: scope.year, quarter: kind === 'quarterly' ? Number(text(form, 'quarter')) : undefined };
    setBusy(true);
    setVerdict(null);
    try {
      const report = await request<ListedReport & { figures: number }>('/reports', 'POST', strip({ kind, region: scope.region, format: text(form, 'format'), ...period }));
      setVerdict({ ok: true, text: t(`已生成第 ${report.version} 版，含 ${report.figures} 个数字。`, `Version ${report.version} generated, with ${report.figures} figures.`), href: report.download });
      made();
    } catch (error) {
      setVerdict({ ok: false, text: `${t('未生成', 'Not generated')}: ${refusalText(error as Error)}` });
    } finally {
      setBusy(false);
    }
  };
  const chosen = KINDS.find((k) => k.id === kind)!;
  return html`<section class="card" id="report-generate" aria-labelledby="report-generate-title">
    <h2 id="report-generate-title">${t('生成报告', 'Generate a report')}</h2>
    <form class="inline" onSubmit=${submit}>
      <label>${t('报告', 'Report')} <select id="report-kind" name="kind" value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value as ReportKind)}>
        ${KINDS.map((k) => html`<option value=${k.id}>${t(k.zh, k.en)}</option>`)}
      </select></label>
      ${kind === 'quarterly'
        ? html`<label>${t('季度', 'Quarter')} <select id="report-quarter" name="quarter">${[1, 2, 3, 4].map((q) => html`<option value=${q}>${t(`第 ${q} 季度`, `Q${q}`)}</option>`)}</select></label>`
        : null}
      ${kind === 'inspection'
        ? html`<label>${t('自', 'From')} <input id="report-from" name="from" type="date" required value=${`${scope.year}-01-01`} /></label>
          <label>${t('至', 'To')} <input id="report-to" name="to" type="date" required value=${`${scope.year}-12-31`} /></label>
          <span class="field"><${OrganPicker} id="report-organ" name="organ" label=${t('机关（不选则为本区域）', 'Organ (none: the region)')} optional /></span>`
        : null}
      <label>${t('格式', 'Format')} <select id="report-format" name="format">
        ${FORMATS.map(([id, label]) => html`<option value=${id}>${label}</option>`)}
      </select></label>
      <button type="submit" id="report-submit" disabled=${busy}>${busy ? t('生成中…', 'Generating…') : t('生成', 'Generate')}</button>
      <output id="report-verdict" class=${verdict?.ok === false ? 'error' : ''} role=${verdict?.ok === false ? 'alert' : 'status'} aria-busy=${busy}>
        ${busy ? t('正在按截至今日的数据生成，PDF 与 Word 需数秒。', 'Generating from the data as of today; PDF and Word take a few seconds.') : verdict?.text ?? ''}
        ${verdict?.href ? html` <a id="report-new" href=${verdict.href}>${t('下载', 'Download')}</a>` : null}
      </output>
    </form>
    <p class="note">${t(`${chosen.zh}：${chosen.basisZh}。`, `${chosen.en}: ${chosen.basisEn}.`)} ${t('版式依 GB/T 9704-2012：A4，版心 22 行×28 字，标题宋体二号，正文仿宋三号；附录列出每个数字的口径、筛选条件、统计日期和截至日期。', 'Laid out after GB/T 9704-2012: A4, 22 lines × 28 characters, title in a song face at 二号, body in fangsong at 三号; the appendix lists every figure with its definition, filters, date basis and as-of date.')}</p>
  </section>`;
}

function Stored({ scope, generation }: { scope: Scope; generation: number }) {
  const state = useApp();
  const loaded = useLoad(() => request<{ reports: ListedReport[] }>(`/reports?${query({ region: scope.region })}`), [scope.region, generation]);
  return html`<${Panel} id="reports-stored" title=${`${t('已生成的报告', 'Reports generated')} · ${placeName(state, scope.region)}`} loaded=${loaded} wide
      empty=${(d: { reports: ListedReport[] }) => (d.reports.length ? null : t('本区域尚未生成报告。', 'No report generated for this region yet.'))}>
    ${(d: { reports: ListedReport[] }) => html`<div class="scroll"><table id="reports-table">
      <thead><tr><th scope="col">${t('报告', 'Report')}</th><th scope="col">${t('区域', 'Region')}</th><th scope="col">${t('截至', 'As of')}</th><th scope="col">${t('格式', 'Format')}</th>
        <th scope="col">${t('版本', 'Version')}</th><th scope="col">${t('生成人', 'Asked by')}</th><th scope="col">${t('生成时间', 'Generated')}</th><th scope="col">${t('下载', 'Download')}</th></tr></thead>
      <tbody>${d.reports.map((r) => html`<tr data-report=${r.id}>
        <td>${reportTitle(r, (code) => organName(state, code))}</td><td>${placeName(state, r.regionCode)}</td><td>${r.asOf}</td><td>${r.format}</td>
        <td>${r.version}</td><td>${r.requestedBy}</td><td>${formatTime(r.createdAt)}</td>
        <td><a href=${r.download} download=${r.filename}>${r.filename}</a> <small>(${Math.max(1, Math.round(r.size / 1024))} KB)</small></td>
      </tr>`)}</tbody>
    </table></div>`}
  <//>`;
}

export default function Reports() {
  const state = useApp();
  const scope = useScope();
  const [generation, setGeneration] = useState(0);
  const loaded = useLoad(() => api.annualData({ year: scope.year, region: scope.region }), [scope.year, scope.region]);
  const href = `/api/v1/reports/annual-data?${query({ year: scope.year, region: scope.region })}`;
  return html`<div class="page" id="reports-page">
    <${ScopeBar} />
    <${Generate} scope=${scope} made=${() => setGeneration((n) => n + 1)} />
    <${BatchPanel} year=${scope.year} made=${() => setGeneration((n) => n + 1)} />
    <${Stored} scope=${scope} generation=${generation} />
    <${Panel} id="annual-data" title=${`${t('年度工作报告数据', 'Annual report dataset')} · ${placeName(state, scope.region)} · ${scope.year}`} loaded=${loaded} wide
        note=${t('依据《信访工作条例》第四十一条的四部分内容；每个数字附生成它的请求。', 'The four parts of art. 41 of the 2022 Regulations; every figure comes with the request that made it.')}>
      ${(data: unknown) => html`<p><a id="annual-download" href=${href} download=${`annual-data-${scope.region}-${scope.year}.json`}>${t('下载数据集（JSON）', 'Download the dataset (JSON)')}</a></p>
        <details><summary>${t('查看数据集', 'Show the dataset')}</summary><pre class="scroll">${JSON.stringify(data, null, 2)}</pre></details>`}
    <//>
  </div>`;
}
