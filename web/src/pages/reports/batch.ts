/**
 * One kind of report for the city and every district at once (a report batch,
 * workflows/report-batch.ts): started here, followed item by item until every report is made
 * or some failed, a retry of the failed ones (those made are not made again), and the recent
 * batches, scheduled or started by a user. Only a city-level user sees it: a batch covers
 * every district, and the server refuses it to anyone else.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ReportFormat } from '../../../../analytics/reports/report-store.js';
import type { BatchAnswer, ListedBatch } from '../../../../server/report-batch-routes.js';
import type { BatchItem, BatchKind, ReportBatchProgress } from '../../../../workflows/report-batch.js';
import { request } from '../../api.js';
import { cityCode, divisionWord, placeName, useApp } from '../../context.js';
import { formatTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { useLoad } from '../../use-load.js';
import { Panel, refusalText } from '../../ui/panel.js';
import './batch.css';

const POLL_MS = 1500;

/** The kinds a batch makes (workflows/report-batch.ts BATCH_KINDS), and what each covers. */
const KINDS: { id: BatchKind; zh: string; en: string; covers: 'city-and-districts' | 'city' }[] = [
  { id: 'annual', zh: '年度工作报告', en: 'Annual report', covers: 'city-and-districts' },
  { id: 'quarterly', zh: '季度形势分析', en: 'Quarterly analysis', covers: 'city-and-districts' },
  { id: 'assessment', zh: '年度考核和通报', en: 'Assessment and notice', covers: 'city' },
];
const everyDivision = (word: ReturnType<typeof divisionWord>) => t(`全市及各${word.zh}`, `the city and every ${word.en}`);
const FORMATS: [ReportFormat, string][] = [['docx', 'Word'], ['pdf', 'PDF'], ['html', 'HTML']];

const kindName = (kind: string) => {
  const k = KINDS.find((x) => x.id === kind);
  return k ? t(k.zh, k.en) : kind;
};
const periodName = (p: { year?: number; quarter?: number | null }) =>
  p.quarter ? t(`${p.year} 年第 ${p.quarter} 季度`, `${p.year} Q${p.quarter}`) : t(`${p.year} 年`, String(p.year));

function statusText(status: BatchItem['status']): string {
  switch (status) {
    case 'pending':
      return t('等待', 'Waiting');
    case 'running':
      return t('生成中', 'Generating');
    case 'done':
      return t('已生成', 'Done');
    case 'failed':
      return t('失败', 'Failed');
  }
}

function phaseText(p: Pick<ReportBatchProgress, 'phase' | 'retryUntil'>): string {
  switch (p.phase) {
    case 'planning':
      return t('正在确定范围', 'Planning');
    case 'running':
      return t('生成中', 'Generating');
    case 'awaiting-retry':
      return t(`有失败项，可重试（至 ${p.retryUntil ? formatTime(p.retryUntil) : ''}）`, `Some failed; a retry is possible until ${p.retryUntil ? formatTime(p.retryUntil) : ''}`);
    case 'closed':
      return t('已结束', 'Closed');
  }
}

function Progress({ progress, retry, busy }: { progress: ReportBatchProgress; retry: () => void; busy: boolean }) {
  const state = useApp();
  const finished = progress.done + progress.failed;
  return html`<div id="batch-progress" data-phase=${progress.phase}>
    <p>
      <progress id="batch-bar" max=${Math.max(progress.total, 1)} value=${finished} aria-label=${t('批量生成进度', 'batch progress')}></progress>
      <span id="batch-counts" role="status">
        ${t(
          `${kindName(progress.kind)} · ${periodName(progress)} · 截至 ${progress.asOf}：共 ${progress.total} 份，已生成 ${progress.done}，失败 ${progress.failed}，生成中 ${progress.running}，等待 ${progress.pending}。${phaseText(progress)}`,
          `${kindName(progress.kind)} · ${periodName(progress)} · as of ${progress.asOf}: ${progress.total} reports, ${progress.done} done, ${progress.failed} failed, ${progress.running} generating, ${progress.pending} waiting. ${phaseText(progress)}`,
        )}
      </span>
      ${progress.failed > 0 && progress.phase !== 'closed'
        ? html` <button type="button" id="batch-retry" disabled=${busy} onClick=${retry}>${t(`重试失败的 ${progress.failed} 份`, `Retry the ${progress.failed} failed`)}</button>`
        : null}
    </p>
    <div class="scroll"><table id="batch-items">
      <thead><tr><th scope="col">${t('区域', 'Region')}</th><th scope="col">${t('格式', 'Format')}</th><th scope="col">${t('状态', 'Status')}</th>
        <th scope="col" class="num">${t('尝试次数', 'Attempts')}</th><th scope="col">${t('报告', 'Report')}</th></tr></thead>
      <tbody>${progress.items.map((i) => html`<tr data-region=${i.region} data-format=${i.format} data-status=${i.status}>
        <td>${placeName(state, i.region)}</td><td>${i.format}</td>
        <td class=${i.status === 'failed' ? 'bad' : i.status === 'done' ? 'good' : ''}>${statusText(i.status)}</td>
        <td class="num">${i.attempts}</td>
        <td>${i.reportId ? html`<a href=${`/api/v1/reports/${i.reportId}/download`}>${t(`下载（第 ${i.version ?? 1} 版）`, `Download (version ${i.version ?? 1})`)}</a>` : i.error ? html`<span class="error">${i.error}</span>` : ''}</td>
      </tr>`)}</tbody>
    </table></div>
  </div>`;
}

function Recent({ generation, follow }: { generation: number; follow: (id: string) => void }) {
  const loaded = useLoad(() => request<{ batches: ListedBatch[] }>('/reports/batches'), [generation]);
  return html`<${Panel} id="batches-recent" title=${t('最近的批量生成', 'Recent batches')} loaded=${loaded}
      empty=${(d: { batches: ListedBatch[] }) => (d.batches.length ? null : t('尚无批量生成，定时任务和手动启动的都会列在这里。', 'No batch yet; scheduled and started ones are listed here.'))}>
    ${(d: { batches: ListedBatch[] }) => html`<div class="scroll"><table id="batches-table">
      <thead><tr><th scope="col">${t('开始', 'Started')}</th><th scope="col">${t('报告', 'Report')}</th><th scope="col">${t('启动方式', 'Started by')}</th>
        <th scope="col">${t('状态', 'Status')}</th><th scope="col"></th></tr></thead>
      <tbody>${d.batches.map((b) => html`<tr data-batch=${b.batchId}>
        <td>${formatTime(b.startedAt)}</td>
        <td>${kindName(b.kind)} · ${periodName(b.parameters)} · ${t(`截至 ${b.asOf}`, `as of ${b.asOf}`)} · ${b.formats.join(', ')}</td>
        <td>${b.origin === 'schedule' ? t('定时任务', 'Schedule') : b.requestedBy}</td>
        <td>${b.closedAt
          ? t(`已结束：${b.done ?? 0}/${b.items} 份已生成，失败 ${b.failed ?? 0}`, `Closed: ${b.done ?? 0}/${b.items} done, ${b.failed ?? 0} failed`)
          : b.progress
            ? `${phaseText(b.progress)} · ${b.progress.done + b.progress.failed}/${b.progress.total}`
            : t('进行中', 'Open')}</td>
        <td><button type="button" class="secondary" onClick=${() => follow(b.batchId)}>${t('查看', 'Show')}</button></td>
      </tr>`)}</tbody>
    </table></div>`}
  <//>`;
}

function Batches({ year, made }: { year: number; made: () => void }) {
  const word = divisionWord(useApp());
  const [kind, setKind] = useState<BatchKind>('annual');
  const [quarter, setQuarter] = useState('1');
  const [formats, setFormats] = useState<ReadonlySet<ReportFormat>>(new Set(['docx']));
  const [progress, setProgress] = useState<ReportBatchProgress | null>(null);
  const [line, setLine] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);
  // Only the batch followed last is polled; leaving the page stops it.
  const followed = useRef<string | null>(null);
  useEffect(() => () => void (followed.current = null), []);

  const follow = async (batchId: string) => {
    followed.current = batchId;
    setLine(null);
    try {
      for (;;) {
        const answer = await request<BatchAnswer>(`/reports/batches/${encodeURIComponent(batchId)}`);
        if (followed.current !== batchId) return;
        setProgress(answer.progress);
        if (!answer.progress) {
          setLine({ ok: false, text: t('该批次已不在工作流服务中，仅有记录：见下表。', 'The workflow service no longer holds this batch; its record is in the table below.') });
          break;
        }
        if (answer.progress.phase === 'closed' || answer.progress.phase === 'awaiting-retry') break;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      setGeneration((n) => n + 1);
      made();
    } catch (error) {
      if (followed.current === batchId) setLine({ ok: false, text: `${t('无法读取进度', 'Could not read the progress')}: ${refusalText(error as Error)}` });
    }
  };

  const start = async (event: Event) => {
    event.preventDefault();
    if (formats.size === 0) return setLine({ ok: false, text: t('请至少选择一种格式', 'Choose at least one format') });
    setBusy(true);
    setLine(null);
    try {
      const body = { kind, year, ...(kind === 'quarterly' ? { quarter: Number(quarter) } : {}), formats: FORMATS.map(([f]) => f).filter((f) => formats.has(f)) };
      const started = await request<{ batchId: string }>('/reports/batches', 'POST', body);
      setGeneration((n) => n + 1);
      void follow(started.batchId);
    } catch (error) {
      setLine({ ok: false, text: `${t('未启动', 'Not started')}: ${refusalText(error as Error)}` });
    } finally {
      setBusy(false);
    }
  };

  const retry = async () => {
    if (!progress) return;
    setBusy(true);
    try {
      const { retried } = await request<{ retried: number }>(`/reports/batches/${encodeURIComponent(progress.batchId)}/retry`, 'POST');
      setLine({ ok: true, text: t(`已重新生成 ${retried} 份失败的报告`, `Retrying ${retried} failed reports`) });
      void follow(progress.batchId);
    } catch (error) {
      setLine({ ok: false, text: `${t('未重试', 'Not retried')}: ${refusalText(error as Error)}` });
    } finally {
      setBusy(false);
    }
  };

  const toggle = (format: ReportFormat) => setFormats((before) => {
    const next = new Set(before);
    if (!next.delete(format)) next.add(format);
    return next;
  });

  return html`<section class="card wide" id="report-batch" aria-labelledby="report-batch-title">
    <h2 id="report-batch-title">${t(`为${everyDivision(word)}批量生成`, `Generate for ${everyDivision(word)}`)}</h2>
    <form class="inline" onSubmit=${start}>
      <label>${t('报告', 'Report')} <select id="batch-kind" value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value as BatchKind)}>
        ${KINDS.map((k) => {
          const covers = k.covers === 'city' ? t('全市一份', 'one, of the city') : everyDivision(word);
          return html`<option value=${k.id}>${t(`${k.zh}（${covers}）`, `${k.en} (${covers})`)}</option>`;
        })}
      </select></label>
      ${kind === 'quarterly'
        ? html`<label>${t('季度', 'Quarter')} <select id="batch-quarter" value=${quarter} onChange=${(e: Event) => setQuarter((e.target as HTMLSelectElement).value)}>
            ${['1', '2', '3', '4'].map((q) => html`<option value=${q}>${t(`第 ${q} 季度`, `Q${q}`)}</option>`)}
          </select></label>`
        : null}
      <fieldset class="formats"><legend>${t('格式', 'Formats')}</legend>
        ${FORMATS.map(([f, label]) => html`<label class="check"><input type="checkbox" name="batch-format" value=${f} checked=${formats.has(f)} onChange=${() => toggle(f)} /> ${label}</label>`)}
      </fieldset>
      <button type="submit" id="batch-submit" disabled=${busy}>${t(`生成 ${year} 年`, `Generate for ${year}`)}</button>
    </form>
    ${line ? html`<p id="batch-line" class=${line.ok ? 'note' : 'error'} role=${line.ok ? 'status' : 'alert'}>${line.text}</p>` : null}
    ${progress ? html`<${Progress} progress=${progress} retry=${() => void retry()} busy=${busy} />` : null}
    <p class="note">${t(
      '每份报告单独生成并保存；失败的一份（如本机缺少打印 PDF 所需的 Chromium）在自动重试后标为失败，可在一周内重试，已生成的不会重复生成。年度报告每年 1 月 5 日、季度分析每季度结束后的 10 日、年度考核每年 1 月 31 日按计划自动生成。',
      'Each report is generated and stored on its own; one that fails (for instance for want of the Chromium that prints PDFs) is marked failed after its automatic retries and can be retried for a week, without generating those done again. The annual reports are generated on schedule every 5 January, the quarterly analyses on the 10th after each quarter, the assessment every 31 January.',
    )}</p>
  </section>
  <${Recent} generation=${generation} follow=${(id: string) => void follow(id)} />`;
}

/** The batch panel and the recent batches, for a city-level user only. */
export function BatchPanel({ year, made }: { year: number; made: () => void }) {
  const state = useApp();
  const city = cityCode(state);
  return city && state.session.regionCode === city ? html`<${Batches} year=${year} made=${made} />` : null;
}
