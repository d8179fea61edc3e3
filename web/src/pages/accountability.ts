/**
 * Accountability (责任追究, DOMAIN §6): the findings that propose a case (missed duties,
 * supervision records of overdue case steps, and recommendations whose feedback is late), for
 * the deciding organ to open a case from or decline with a reason; the cases of the
 * jurisdiction's organs with their ladder step and its article, rectification deadline and
 * status; and the chosen case with its record, attribution and the actions the user may take.
 * Region, status, the chosen case and the chosen finding are in the URL (region, status, case,
 * finding).
 */
import { useState } from 'preact/hooks';
import { can, placeName, useApp } from '../context.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { setParams, useLocation } from '../router.js';
import { useLoad } from '../use-load.js';
import { Panel } from '../ui/panel.js';
import { ScopeBar, useScope } from '../ui/scope-bar.js';
import { accountabilityList, findings, type AccountabilityListRow, type AnyFinding, type FindingsAnswer } from './accountability/api.js';
import { CaseDetail } from './accountability/detail.js';
import { CaseFindingsTable, FindingDecision, FindingsTable, RecommendationFindingsTable } from './accountability/findings.js';
import { whenText } from './duties/names.js';
import './duties.css';
import './accountability.css';

type ListStatus = 'open' | 'closed';
/** The cases shown when the URL names no status: those still under way. */
const DEFAULT_STATUS: ListStatus = 'open';
/** Every source's open findings, and how many there are in all. */
const pendingOf = (d: FindingsAnswer) => ({
  listed: d.findings.length + d.caseFindings.length + d.recommendationFindings.length,
  total: d.total + d.caseTotal + d.recommendationTotal,
});
const findingOf = (d: FindingsAnswer, ref: string): AnyFinding | undefined =>
  d.findings.find((f) => f.ref === ref) ?? d.caseFindings.find((f) => f.ref === ref) ?? d.recommendationFindings.find((f) => f.ref === ref);
const statusParam = (params: URLSearchParams): ListStatus | null => {
  const asked = params.get('status');
  if (asked === 'all') return null;
  return asked === 'closed' ? 'closed' : DEFAULT_STATUS;
};

function CaseTable({ cases, selected }: { cases: AccountabilityListRow[]; selected: string | null }) {
  return html`<div class="scroll"><table id="accountability-table" data-count=${cases.length}>
    <caption class="sr-only">${t('责任追究案件：处理档次及依据、整改期限与状态', 'Accountability cases: step and article, rectification deadline and status')}</caption>
    <thead><tr><th scope="col">${t('案件', 'Case')}</th><th scope="col">${t('被追责单位', 'Organ')}</th><th scope="col">${t('追责情形', 'Ground')}</th>
      <th scope="col">${t('当前处理 · 依据', 'Step · article')}</th><th scope="col">${t('整改期限', 'Rectify by')}</th><th scope="col">${t('状态', 'Status')}</th>
      <th scope="col"><span class="sr-only">${t('查看', 'View')}</span></th></tr></thead>
    <tbody>${cases.map((c) => html`<tr key=${c.case_id} data-case=${c.case_id} data-status=${c.status} data-step=${c.step ?? ''} class=${c.case_id === selected ? 'current' : undefined}>
      <td>${c.case_id}<br /><small>${whenText(c.opened_at)}</small></td>
      <td>${c.organ_name ?? c.organ}</td>
      <td><small>${c.ground_rule ?? c.ground}</small></td>
      <td>${c.step_rule ?? c.step ?? t('待决定', 'awaiting decision')}</td>
      <td>${c.rectify_by ?? '—'}</td>
      <td>${c.status === 'open' ? t('在办', 'open') : `${t('已结案', 'closed')}${c.closed_reason ? `（${c.closed_reason === 'rectified' ? t('整改到位', 'rectified') : t('决定结案', 'by decision')}）` : ''}`}</td>
      <td><button type="button" class="link" data-view=${c.case_id} aria-pressed=${c.case_id === selected} aria-label=${t(`查看案件 ${c.case_id}`, `View case ${c.case_id}`)}
        onClick=${() => setParams({ case: c.case_id })}>${t('查看', 'View')}</button></td>
    </tr>`)}</tbody>
  </table></div>`;
}

export default function Accountability() {
  const state = useApp();
  const scope = useScope();
  const { params } = useLocation();
  const status = statusParam(params);
  const selectedCase = params.get('case');
  const selectedFinding = params.get('finding');
  // An organ's user has no region to narrow by: its own organ's records are the list.
  const region = state.session.organCode ? undefined : scope.region;
  const found = useLoad(() => findings({ ...(region ? { region } : {}) }), [region]);
  const listed = useLoad(() => accountabilityList({ ...(region ? { region } : {}), ...(status ? { status } : {}), limit: 200 }), [region, status]);
  const mayDecide = can(state, 'accountability.decide');
  const [said, setSaid] = useState<string | null>(null);
  const place = region ? placeName(state, region) : `${t('机关', 'organ')} ${state.session.organCode ?? ''}`;
  const finding = selectedFinding && found.data ? findingOf(found.data, selectedFinding) : undefined;
  const pending = found.data ? pendingOf(found.data).total : null;

  const opened = (caseId: string) => {
    setSaid(t(`已立案：${caseId}`, `Opened: ${caseId}`));
    setParams({ finding: null, case: caseId });
    found.reload();
    listed.reload();
  };
  const declined = (text: string) => {
    setSaid(text);
    setParams({ finding: null });
    found.reload();
  };
  const tools = html`<div class="controls"><label for="acc-status">${t('状态', 'Status')}
    <select id="acc-status" value=${status ?? 'all'} onChange=${(e: Event) => {
      const value = (e.target as HTMLSelectElement).value;
      setParams({ status: value === DEFAULT_STATUS ? null : value });
    }}>
      <option value="open">${t('在办', 'open')}</option><option value="closed">${t('已结案', 'closed')}</option><option value="all">${t('全部', 'all')}</option>
    </select></label></div>`;

  return html`<div class="page" id="accountability">
    ${state.session.organCode ? null : html`<${ScopeBar} withYear=${false} note=${t('区域选定其下各机关的认定与案件。', 'The region chooses the findings and cases of the organs under it.')} />`}
    ${said ? html`<output id="accountability-said" role="status" class="card ok-line">${said}</output>` : null}
    <${Panel} id="findings" title=${`${t('可启动追责的认定', 'Findings that propose a case')} · ${place}${pending === null ? '' : t(` · ${pending} 项`, ` · ${pending}`)}`} loaded=${found} wide
        empty=${(d: FindingsAnswer) =>
          pendingOf(d).listed
            ? null
            : t('没有待处理的认定：未履行的定期职责、督办逾期记录和建议反馈逾期记录均已立案或不予立案。', 'No finding awaits a decision: every missed duty, overdue case step under supervision and late feedback on a recommendation has been opened as a case or declined.')}
        note=${mayDecide ? t('立案或不予立案（须写明理由）后，认定不再列出。', 'Once opened as a case or declined (with the reason), a finding is no longer listed.') : t('立案与不予立案由有决定权的机关作出。', 'Opening or declining is for the deciding organ.')}>
      ${(d: FindingsAnswer) => html`${d.findings.length ? html`<${FindingsTable} data=${d} selected=${selectedFinding} mayDecide=${mayDecide} />` : html`<p class="note" id="duty-findings-none">${t('没有待处理的未履行职责。', 'No missed duty awaits a decision.')}</p>`}
        <${CaseFindingsTable} data=${d} selected=${selectedFinding} mayDecide=${mayDecide} />
        <${RecommendationFindingsTable} data=${d} selected=${selectedFinding} mayDecide=${mayDecide} />`}
    <//>
    ${mayDecide && finding && found.data ? html`<${FindingDecision} key=${finding.ref} finding=${finding} data=${found.data} opened=${opened} declined=${declined} />` : null}
    <${Panel} id="accountability-list" title=${`${t('责任追究案件', 'Accountability cases')} · ${place}${listed.data ? t(` · ${listed.data.total} 件`, ` · ${listed.data.total}`) : ''}`} loaded=${listed} wide tools=${tools}
        empty=${(d: { cases: AccountabilityListRow[] }) => (d.cases.length ? null : t(`没有${status === 'closed' ? '已结案的' : status === 'open' ? '在办的' : ''}责任追究案件。`, `No ${status ?? ''} accountability case.`))}>
      ${(d: { cases: AccountabilityListRow[] }) => html`<${CaseTable} cases=${d.cases} selected=${selectedCase} />`}
    <//>
    ${selectedCase
      ? html`<${CaseDetail} key=${selectedCase} id=${selectedCase} acted=${listed.reload} />`
      : html`<p class="note">${t('选择案件的“查看”，查看处理记录、责任认定与可执行的处理。', 'Choose “View” on a case for its record, attribution and the actions open to you.')}</p>`}
  </div>`;
}
