/**
 * Case work (信访事项办理): the work queue of the user's cases (its jurisdiction's, or its
 * organ's) by stage, due within N days, overdue, and found by case code, petitioner pseudonym,
 * field or organ, every filter in the URL; registering a case for clerks; and, with `case=` in
 * the URL, the case's own page with its deadlines, timeline and action forms.
 */
import type { CaseSummary } from '../../../analytics/case-log.js';
import { can, channelName, placeName, useApp } from '../context.js';
import { formatCount, formatTime } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { linkHandler, navigate, setParams, useLocation } from '../router.js';
import { useLoad } from '../use-load.js';
import { Panel } from '../ui/panel.js';
import { STAGES, stepName } from '../ui/case-names.js';
import { caseApi, type QueueFilter } from './cases/api.js';
import { CasePage } from './cases/case-page.js';
import { IntakeForm } from './cases/intake.js';
import './cases.css';

const LIMIT = 50;

function filterOf(params: URLSearchParams): QueueFilter {
  const stage = (Object.keys(STAGES) as CaseSummary['stage'][]).find((s) => s === params.get('stage'));
  const due = Number(params.get('due'));
  const overdue = params.get('overdue') === 'true';
  return {
    ...(stage ? { stage } : {}),
    ...(overdue ? { overdue: true } : Number.isInteger(due) && due > 0 && due <= 90 ? { dueWithin: due } : {}),
    ...(params.get('q') ? { q: params.get('q')! } : {}),
    ...(params.get('field') ? { field: params.get('field')! } : {}),
    ...(params.get('organ') ? { organ: params.get('organ')! } : {}),
    ...(params.get('leader') === 'me' ? { leader: 'me' } : {}),
  };
}

function QueueFilters({ filter }: { filter: QueueFilter }) {
  const state = useApp();
  const search = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    setParams({ q: String(form.get('q') ?? '').trim() || null, field: String(form.get('field') ?? '').trim() || null });
  };
  const view = filter.overdue ? 'overdue' : filter.dueWithin ? 'due' : 'all';
  const views: [string, string][] = [['all', t('全部', 'All')], ['due', t('近期到期', 'Due soon')], ['overdue', t('已逾期', 'Overdue')]];
  return html`<div class="controls queue-filters">
    <div role="group" aria-label=${t('视图', 'View')} class="segmented">
      ${views.map(([id, label]) => html`<button type="button" id=${`queue-${id}`} class=${view === id ? '' : 'secondary'} aria-pressed=${view === id}
        onClick=${() => setParams({ overdue: id === 'overdue' ? 'true' : null, due: id === 'due' ? String(filter.dueWithin ?? 7) : null })}>${label}</button>`)}
    </div>
    ${state.session.role.id === 'leader'
      ? html`<label class="check"><input type="checkbox" id="queue-mine" checked=${filter.leader === 'me'} onChange=${(e: Event) => setParams({ leader: (e.target as HTMLInputElement).checked ? 'me' : null })} /> ${t('我包案的', 'Cases I own (包案)')}</label>`
      : null}
    ${view === 'due' ? html`<label>${t('天内', 'within days')} <input id="queue-due-days" type="number" min="1" max="90" value=${filter.dueWithin} onChange=${(e: Event) => setParams({ due: (e.target as HTMLInputElement).value })} /></label>` : null}
    <label>${t('阶段', 'Stage')} <select id="case-stage" value=${filter.stage ?? ''} onChange=${(e: Event) => setParams({ stage: (e.target as HTMLSelectElement).value || null })}>
      <option value="">${t('全部', 'all')}</option>
      ${Object.entries(STAGES).map(([id, names]) => html`<option value=${id}>${t(...names)}</option>`)}
    </select></label>
    <label>${t('机关', 'Organ')} <select id="queue-organ" value=${filter.organ ?? ''} onChange=${(e: Event) => setParams({ organ: (e.target as HTMLSelectElement).value || null })}>
      <option value="">${t('全部', 'all')}</option>
      ${state.reference.organs.map((o) => html`<option value=${o.code}>${o.nameZh}</option>`)}
    </select></label>
    <form class="inline" id="queue-search" role="search" onSubmit=${search}>
      <label>${t('编号或化名', 'Case code or pseudonym')} <input name="q" id="queue-q" value=${filter.q ?? ''} maxlength="40" /></label>
      <label>${t('领域', 'Field')} <input name="field" id="queue-field" value=${filter.field ?? ''} maxlength="40" /></label>
      <button type="submit">${t('查找', 'Search')}</button>
    </form>
  </div>`;
}

function Deadline({ c }: { c: CaseSummary }) {
  if (c.overdue) return html`<span class="late">${t(`${stepName(c.overdue.step)}逾期 ${c.overdue.daysLate} 天`, `${stepName(c.overdue.step)} ${c.overdue.daysLate} days late`)}</span><br /><small>${t('应于', 'due')} ${c.overdue.due}</small>`;
  if (c.due) return html`<span class=${c.due.daysLeft <= 2 ? 'soon' : ''}>${stepName(c.due.step)} ${c.due.due}</span><br /><small>${c.due.daysLeft === 0 ? t('今日到期', 'due today') : t(`还有 ${c.due.daysLeft} 天`, `${c.due.daysLeft} days left`)}</small>`;
  return html`—`;
}

function Queue() {
  const state = useApp();
  const { params } = useLocation();
  const filter = filterOf(params);
  const key = JSON.stringify(filter);
  // The answer carries the filter it answers: while a new one loads the old rows stay (dimmed), and must not pass for the new.
  const loaded = useLoad(() => caseApi.queue(LIMIT, filter).then((d) => ({ ...d, key })), [key]);
  const empty = (d: { cases: CaseSummary[] }) =>
    d.cases.length ? null
    : filter.overdue ? t('没有逾期的信访事项。', 'No overdue cases.')
    : filter.dueWithin ? t(`${filter.dueWithin} 天内没有到期的信访事项。`, `Nothing falls due within ${filter.dueWithin} days.`)
    : filter.leader ? t('您没有包案的信访事项。', 'You own no case.')
    : Object.keys(filter).length ? t('没有符合条件的信访事项。', 'No case matches.')
    : t('您的辖区内暂无信访事项。', 'No cases in your jurisdiction yet.');
  const scope = state.session.organCode ? t('本机关承办的事项', "your organ's cases") : t('本辖区的事项', "your jurisdiction's cases");
  return html`<div class="page" id="cases-page">
    ${can(state, 'cases.register') ? html`<${IntakeForm} registered=${(caseId: string) => navigate('cases', { case: caseId })} />` : null}
    <${Panel} id="queue" title=${`${t('工作台', 'Work queue')} · ${scope}`} loaded=${loaded} tools=${html`<${QueueFilters} filter=${filter} />`} wide empty=${empty}
        note=${t('时间均为北京时间。期限以各环节规则计算，点开事项可见依据。', 'Times are China time. Each deadline follows its step’s rule; open a case to see how.')}>
      ${(d: { cases: CaseSummary[]; total: number; key: string }) => html`<p class="count">${t(`共 ${formatCount(d.total)} 件，显示 ${d.cases.length} 件`, `${formatCount(d.total)} in all, ${d.cases.length} shown`)}</p>
        <div class="scroll"><table id="cases-table" data-filter=${d.key}>
          <thead><tr><th scope="col">${t('编号', 'Case')}</th><th scope="col">${t('收到', 'Received')}</th><th scope="col">${t('渠道', 'Channel')}</th><th scope="col">${t('区域', 'Region')}</th>
            <th scope="col">${t('领域', 'Field')}</th><th scope="col">${t('阶段', 'Stage')}</th><th scope="col">${t('期限', 'Deadline')}</th><th scope="col">${t('化名', 'Pseudonym')}</th><th scope="col">${t('来源', 'Source')}</th></tr></thead>
          <tbody>${d.cases.map((c) => html`<tr data-case=${c.case_id} data-stage=${c.stage} data-origin=${c.origin} data-overdue=${c.overdue ? c.overdue.step : ''}>
            <td><a href=${`/cases?case=${encodeURIComponent(c.case_id)}`} onClick=${linkHandler('cases', { case: c.case_id })}>${c.case_id}</a></td>
            <td>${formatTime(c.received_at)}</td><td>${channelName(state, c.channel)}</td><td>${placeName(state, c.region_code)}</td><td>${c.field ?? '—'}</td>
            <td>${t(...STAGES[c.stage])}</td><td><${Deadline} c=${c} />${c.presses ? html`<br /><span class="late" data-presses=${c.presses}>${t(`信访人催办 ${c.presses} 次`, `pressed ${c.presses}×`)}</span>` : null}</td><td><code>${c.petitioner_id ?? '—'}</code></td>
            <td>${c.origin === 'workflow' ? t('在办流程', 'live workflow') : c.origin === 'demo' ? t('演示数据', 'demo data') : t('导入数据', 'imported')}</td>
          </tr>`)}</tbody>
        </table></div>`}
    <//>
  </div>`;
}

export default function Cases() {
  const { params } = useLocation();
  const caseId = params.get('case');
  return caseId ? html`<${CasePage} key=${caseId} caseId=${caseId} />` : html`<${Queue} />`;
}
