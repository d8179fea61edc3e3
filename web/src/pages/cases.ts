/**
 * Cases (信访事项) of the user's jurisdiction or organ: a list filtered by stage and by overdue,
 * in the URL, with the owed step that is late and by how many days; registering a case for
 * clerks; routing for those who act on cases, offered only where a live workflow takes it
 * (generated and imported cases have none). The full case work pages build on this.
 */
import { useState } from 'preact/hooks';
import type { CaseSummary } from '../../../analytics/case-log.js';
import { api } from '../api.js';
import { can, channelName, placeName, regionChoices, useApp } from '../context.js';
import { formatCount, formatTime } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { setParams, useLocation } from '../router.js';
import { useLoad } from '../use-load.js';
import { Panel, refusalText } from '../ui/panel.js';
import { STAGES, stepName } from '../ui/case-names.js';

function RouteControl({ c, done }: { c: CaseSummary; done: () => void }) {
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    const organ = new FormData(event.target as HTMLFormElement).get('toOrgan');
    try {
      await api.route(c.case_id, String(organ ?? ''));
      done();
    } catch (error) {
      setMessage(`${t('未转送', 'Not routed')}: ${refusalText(error as Error)}`);
    }
  };
  if (!open) return html`<button type="button" data-route=${c.case_id} onClick=${() => setOpen(true)}>${t('转送', 'Route')}</button>`;
  return html`<form class="inline" onSubmit=${submit}>
    <label>${t('转送机关', 'To organ')} <input name="toOrgan" required maxlength="80" /></label>
    <button type="submit">${t('转送', 'Route')}</button>
    <output class="error" role="alert">${message}</output>
  </form>`;
}

function Intake({ registered }: { registered: () => void }) {
  const state = useApp();
  const [message, setMessage] = useState('');
  const own = state.session.regionCode ?? '';
  const districts = regionChoices(state).filter((c) => state.reference.places.find((p) => p.code === c.code)?.level === 'district');
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    try {
      const { caseId } = await api.register({
        channel: form.get('channel'),
        regionCode: form.get('regionCode'),
        ...(own.length > 6 ? { streetCode: own } : {}),
        collectiveSize: Number(form.get('collectiveSize') || 1),
        ...(form.get('field') ? { field: form.get('field') } : {}),
        ...(form.get('summary') ? { summary: form.get('summary') } : {}),
      });
      setMessage(t(`已登记 ${caseId}`, `Registered ${caseId}`));
      // The workflow records the case through an activity; give it a moment to land.
      setTimeout(registered, 800);
    } catch (error) {
      setMessage(`${t('未登记', 'Not registered')}: ${refusalText(error as Error)}`);
    }
  };
  const choices = districts.length ? districts : [{ code: own.slice(0, 6), name: placeName(state, own.slice(0, 6)) }];
  return html`<section class="card" id="intake-card" aria-labelledby="intake-title">
    <h2 id="intake-title">${t('登记信访事项', 'Register a case')}</h2>
    <form id="intake" onSubmit=${submit}>
      <label>${t('渠道', 'Channel')} <select name="channel" id="channel">${Object.keys(state.reference.channels).map((code) => html`<option value=${code}>${channelName(state, code)}</option>`)}</select></label>
      <label>${t('区域', 'Region')} <select name="regionCode" id="intake-region">${choices.map((c) => html`<option value=${c.code}>${c.name}</option>`)}</select></label>
      <label>${t('领域', 'Field')} <input name="field" placeholder="劳动社保" maxlength="40" /></label>
      <label>${t('集体访人数', 'People')} <input name="collectiveSize" type="number" min="1" value="1" /></label>
      <label class="wide">${t('内容', 'Summary')} <input name="summary" maxlength="2000" /></label>
      <button type="submit">${t('登记', 'Register')}</button>
      <output id="intake-result" role="status">${message}</output>
    </form>
  </section>`;
}

export default function Cases() {
  const state = useApp();
  const { params } = useLocation();
  const overdue = params.get('overdue') === 'true';
  const stage = (Object.keys(STAGES) as CaseSummary['stage'][]).find((s) => s === params.get('stage'));
  const loaded = useLoad(() => api.cases({ limit: 50, ...(overdue ? { overdue: true } : {}), ...(stage ? { stage } : {}) }), [overdue, stage]);
  const clock = state.reference.clocks.route;
  const tools = html`<div class="controls">
    <label>${t('阶段', 'Stage')} <select id="case-stage" value=${stage ?? ''} onChange=${(e: Event) => setParams({ stage: (e.target as HTMLSelectElement).value })}>
      <option value="">${t('全部', 'all')}</option>
      ${Object.entries(STAGES).map(([id, names]) => html`<option value=${id}>${t(...names)}</option>`)}
    </select></label>
    <label class="check"><input type="checkbox" id="case-overdue" checked=${overdue} onChange=${(e: Event) => setParams({ overdue: (e.target as HTMLInputElement).checked ? 'true' : null })} /> ${t('仅逾期', 'overdue only')}</label>
  </div>`;
  return html`<div class="page" id="cases-page">
    ${can(state, 'cases.register') ? html`<${Intake} registered=${loaded.reload} />` : null}
    <${Panel} id="recent" title=${t('信访事项', 'Cases')} loaded=${loaded} tools=${tools} wide
        empty=${(d: { cases: CaseSummary[] }) => (d.cases.length ? null : overdue ? t('没有逾期的信访事项。', 'No overdue cases.') : t('您的辖区内暂无信访事项。', 'No cases in your jurisdiction yet.'))}
        note=${clock ? t(`${clock.labelZh}：${clock.days} 个${clock.basis === 'working' ? '工作日' : '日'}（${clock.titleZh} ${clock.article ?? ''}）。时间均为北京时间。`, `${clock.labelEn}: ${clock.days} ${clock.basis} days (${clock.titleZh} ${clock.article ?? ''}). Times are China time.`) : null}>
      ${(d: { cases: CaseSummary[]; total: number }) => html`<p class="count">${t(`共 ${formatCount(d.total)} 件，显示 ${d.cases.length} 件`, `${formatCount(d.total)} in all, ${d.cases.length} shown`)}</p>
        <div class="scroll"><table id="cases-table">
          <thead><tr><th scope="col">${t('编号', 'Case')}</th><th scope="col">${t('收到', 'Received')}</th><th scope="col">${t('渠道', 'Channel')}</th><th scope="col">${t('区域', 'Region')}</th>
            <th scope="col">${t('阶段', 'Stage')}</th><th scope="col">${t('逾期', 'Overdue')}</th><th scope="col">${t('来源', 'Source')}</th><th scope="col">${t('操作', 'Action')}</th></tr></thead>
          <tbody>${d.cases.map((c) => html`<tr data-case=${c.case_id} data-stage=${c.stage} data-origin=${c.origin} data-overdue=${c.overdue ? c.overdue.step : ''}>
            <td>${c.case_id}</td><td>${formatTime(c.received_at)}</td><td>${channelName(state, c.channel)}</td><td>${placeName(state, c.region_code)}</td>
            <td>${t(...STAGES[c.stage])}</td>
            <td>${c.overdue ? html`<span class="late">${t(`${stepName(c.overdue.step)}逾期 ${c.overdue.daysLate} 天`, `${stepName(c.overdue.step)} ${c.overdue.daysLate} days late`)}</span><br /><small>${t('应于', 'due')} ${c.overdue.due}</small>` : '—'}</td>
            <td>${c.origin === 'workflow' ? t('在办流程', 'live workflow') : c.origin === 'demo' ? t('演示数据', 'demo data') : t('导入数据', 'imported')}</td>
            <td>${c.actionable && c.stage === 'awaiting_route' && can(state, 'cases.act') ? html`<${RouteControl} c=${c} done=${loaded.reload} />` : null}</td>
          </tr>`)}</tbody>
        </table></div>`}
    <//>
  </div>`;
}
