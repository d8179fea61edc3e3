/**
 * One accountability case: its organ, ground, the step now imposed with its article, the
 * rectification deadline, honours eligibility, the attribution of responsibility and its
 * record (every decision with who, when, the step and the article); and the ladder's actions
 * the user's permissions allow in the case's stage, each answered with the workflow's verdict.
 */
import { useState } from 'preact/hooks';
import { can, useApp } from '../../context.js';
import { chinaToday } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { useLoad } from '../../use-load.js';
import { Panel, refusalText } from '../../ui/panel.js';
import { actorName, whenText } from '../duties/names.js';
import { act, accountabilityCase, type AccountabilityDetail, type ActionName } from './api.js';
import { closedName, eventName, groundText, responsibilityName, roleName, stageName, stepText } from './names.js';

const OPENING_POLL_MS = 250;

/**
 * The case, once its first step is imposed and recorded: a case just opened is read again until
 * it is (`waited`), and the list, read from the same records, is then worth reading again.
 */
async function settledCase(id: string): Promise<{ d: AccountabilityDetail; waited: boolean }> {
  for (let i = 0; ; i++) {
    const d = await accountabilityCase(id);
    if ((d.stage !== 'opening' && d.history.some((h) => h.event_type === 'step_imposed')) || i >= 40) return { d, waited: i > 0 };
    await new Promise((r) => setTimeout(r, OPENING_POLL_MS));
  }
}

const tomorrow = () => {
  const d = new Date(`${chinaToday()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};

interface ActionSpec {
  action: ActionName;
  title: string;
  field: 'reason' | 'evidence' | 'rectifyBy';
  fieldLabel: string;
  button: string;
  done: (after: string) => string;
}

/** One action's form: its one field, the request, and the verdict (success, or the refusal with its reason). */
function ActionForm({ caseId, spec, acted }: { caseId: string; spec: ActionSpec; acted: (verdict: string) => void }) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const id = `${spec.action}-${spec.field}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefused(null);
    try {
      // Sent as typed (trimmed): whether it is enough is the server's and the workflow's rule, and their refusal is shown.
      const state = await act(caseId, spec.action, { [spec.field]: value.trim() });
      setValue('');
      acted(spec.done(stepText(state.plan, state.step)));
    } catch (error) {
      setRefused(`${t('未执行', 'Not done')}: ${refusalText(error as Error)}`);
    } finally {
      setBusy(false);
    }
  };
  const input =
    spec.field === 'rectifyBy'
      ? html`<input id=${id} type="date" min=${tomorrow()} aria-required="true" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} />`
      : html`<textarea id=${id} rows="2" maxlength=${spec.field === 'evidence' ? 2000 : 1000} aria-required="true" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLTextAreaElement).value)}></textarea>`;
  return html`<form class="acc-action" data-action=${spec.action} aria-busy=${busy} aria-labelledby=${`${spec.action}-title`} onSubmit=${submit}>
    <h4 id=${`${spec.action}-title`}>${spec.title}</h4>
    <label for=${id} class="wide"><span>${spec.fieldLabel} <span aria-hidden="true">*</span></span>${input}</label>
    <button type="submit" disabled=${busy}>${busy ? t('提交中…', 'Sending…') : spec.button}</button>
    ${refused ? html`<p role="alert" class="error">${refused}</p>` : null}
  </form>`;
}

/** The actions open to this user in this stage: the deciding organ's, and the organ's rectification. */
function actionsFor(d: AccountabilityDetail, decide: boolean, rectify: boolean): ActionSpec[] {
  const reason = t('理由', 'Reason');
  const specs: ActionSpec[] = [];
  if (d.stage === 'closed') return specs;
  const step = d.plan.ladder.steps[d.step];
  if (decide && d.stage === 'awaiting_deadline') {
    specs.push({ action: 'setRectificationDeadline', title: t('设定整改期限', 'Set the rectification deadline'), field: 'rectifyBy', fieldLabel: t('整改期限（今天之后）', 'Rectify by (after today)'), button: t('设定', 'Set'), done: (s) => t(`已设定整改期限：${s}`, `Deadline set: ${s}`) });
  }
  if (rectify && d.stage === 'rectifying') {
    specs.push({ action: 'submitRectification', title: t('提交整改', 'Submit the rectification'), field: 'evidence', fieldLabel: t('整改材料（报告、纪要、文件）', 'Evidence (report, minutes, documents)'), button: t('提交', 'Submit'), done: () => t('整改已提交，待决定', 'Rectification submitted, awaiting decision') });
  }
  if (decide && d.stage === 'submitted') {
    specs.push({ action: 'acceptRectification', title: t('认可整改并结案', 'Accept the rectification (closes the case)'), field: 'reason', fieldLabel: reason, button: t('认可', 'Accept'), done: () => t('整改已认可，案件结案', 'Rectification accepted: the case is closed') });
    specs.push({ action: 'rejectRectification', title: t('不予认可整改', 'Reject the rectification'), field: 'reason', fieldLabel: reason, button: t('不予认可', 'Reject'), done: () => t('整改不予认可，继续整改', 'Rectification rejected: rectifying goes on') });
  }
  if (decide && step?.escalatesTo) {
    specs.push({ action: 'escalate', title: t(`升级至${stepText(d.plan, step.escalatesTo)}`, `Escalate to ${stepText(d.plan, step.escalatesTo)}`), field: 'reason', fieldLabel: reason, button: t('升级', 'Escalate'), done: (s) => t(`已升级：${s}`, `Escalated: ${s}`) });
  }
  if (decide) {
    specs.push({ action: 'closeAccountability', title: t('决定结案', 'Close by decision'), field: 'reason', fieldLabel: reason, button: t('结案', 'Close'), done: () => t('案件已结案', 'The case is closed') });
  }
  return specs;
}

function Facts({ d }: { d: AccountabilityDetail }) {
  const app = useApp();
  return html`<dl class="method acc-facts" data-case=${d.caseId} data-stage=${d.stage} data-step=${d.step}>
    <dt>${t('被追责单位', 'Organ')}</dt><dd id="acc-organ">${app.reference.organs.find((o) => o.code === d.organ)?.nameZh ?? d.organ}</dd>
    <dt>${t('追责情形', 'Ground')}</dt><dd id="acc-ground">${groundText(d.plan, d.ground)}</dd>
    <dt>${t('当前处理', 'Step imposed')}</dt><dd id="acc-step" data-step=${d.step}>${stepText(d.plan, d.step)} <small>${d.plan.ladder.steps[d.step]?.cite ?? d.plan.cite}</small></dd>
    <dt>${t('阶段', 'Stage')}</dt><dd id="acc-stage" data-stage=${d.stage}>${stageName(d.stage)}${d.closeReason ? `（${closedName(d.closeReason)}）` : ''}</dd>
    <dt>${t('整改期限', 'Rectify by')}</dt><dd id="acc-deadline">${d.deadline ? html`${d.deadline.due}${d.deadline.rule ? html` <small>${d.deadline.rule.pack ?? ''} ${d.deadline.rule.article ?? ''}</small>` : null}` : t('无（本档未设或尚待决定）', 'none (the step has none, or it awaits the decision)')}</dd>
    <dt>${t('综合性荣誉', 'Comprehensive honours')}</dt><dd>${d.honoursIneligibleYear ? t(`${d.honoursIneligibleYear} 年度不得参评`, `ineligible for ${d.honoursIneligibleYear}`) : t('未受影响', 'not affected')}</dd>
  </dl>`;
}

function Attribution({ d }: { d: AccountabilityDetail }) {
  return html`<div class="scroll"><table id="acc-attribution">
    <caption>${t('责任认定', 'Attribution of responsibility')}</caption>
    <thead><tr><th scope="col">${t('人员', 'Person')}</th><th scope="col">${t('角色', 'Role')}</th><th scope="col">${t('责任', 'Responsibility')}</th><th scope="col">${t('依据', 'Why')}</th></tr></thead>
    <tbody>${d.attribution.map((a, i) => html`<tr key=${i} data-responsibility=${a.responsibility}><td>${a.person}</td><td>${roleName(a.role)}</td><td>${responsibilityName(a.responsibility)}</td><td><small>${a.cite ? `${a.dissented ? t('有记录在案的反对意见：', 'objection on record: ') : ''}${a.cite}` : a.why}</small></td></tr>`)}</tbody>
  </table></div>`;
}

function History({ d }: { d: AccountabilityDetail }) {
  return html`<div class="scroll"><table id="acc-history" data-count=${d.history.length}>
    <caption>${t('处理记录', 'Record')}</caption>
    <thead><tr><th scope="col">${t('时间', 'When')}</th><th scope="col">${t('事项', 'What')}</th><th scope="col">${t('档次', 'Step')}</th><th scope="col">${t('依据', 'Article')}</th><th scope="col">${t('决定人', 'By')}</th><th scope="col">${t('理由 · 说明', 'Reason · detail')}</th></tr></thead>
    <tbody>${d.history.map((h, i) => {
      const why = [h.detail.reason, h.detail.evidence, h.detail.finding ? `${t('来源', 'finding')} ${h.detail.finding}` : null, h.due_date ? `${t('整改期限', 'rectify by')} ${h.due_date}` : null].filter((x) => x !== null && x !== undefined && x !== '');
      return html`<tr key=${i} data-event=${h.event_type} data-step=${h.ladder_step ?? ''}>
        <td><small>${whenText(h.occurred_at)}</small></td><td>${eventName(h.event_type)}</td><td>${h.ladder_step ? stepText(d.plan, h.ladder_step) : ''}</td>
        <td><small>${h.rule ?? ''}</small></td><td>${actorName(h.actor)}</td><td>${why.join(t('；', '; '))}</td></tr>`;
    })}</tbody>
  </table></div>`;
}

export function CaseDetail({ id, acted }: { id: string; acted: () => void }) {
  const state = useApp();
  const loaded = useLoad(async () => {
    const { d, waited } = await settledCase(id);
    if (waited) acted();
    return d;
  }, [id]);
  const decide = can(state, 'accountability.decide');
  const rectify = can(state, 'accountability.rectify');
  // Said above the forms, which the new stage replaces.
  const [done, setDone] = useState<string | null>(null);
  return html`<${Panel} id="accountability-detail" title=${`${t('责任追究案件', 'Accountability case')} ${id}`} loaded=${loaded} wide>
    ${(d: AccountabilityDetail) => {
      const specs = actionsFor(d, decide, rectify);
      return html`<div class="acc-detail">
        <${Facts} d=${d} />
        <${Attribution} d=${d} />
        <${History} d=${d} />
        ${done ? html`<output id="acc-verdict" role="status" class="ok-line">${done}</output>` : null}
        ${specs.length
          ? html`<section id="acc-actions" aria-labelledby="acc-actions-title"><h3 id="acc-actions-title">${t('处理', 'Actions')}</h3>
              <div class="acc-action-grid">${specs.map((s) => html`<${ActionForm} key=${`${d.caseId}-${s.action}-${d.step}-${d.stage}`} caseId=${d.caseId} spec=${s} acted=${(verdict: string) => {
                setDone(verdict);
                loaded.reload();
                acted();
              }} />`)}</div></section>`
          : null}
      </div>`;
    }}
  <//>`;
}
