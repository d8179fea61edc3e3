/**
 * The forms of every action the case workflow takes at the stage the case stands in. Each
 * sends the workflow's update and shows its verdict: the step recorded and where the case now
 * stands, or the refusal with the rule's reason in the user's language. The browser checks
 * only what a form cannot do without (a required field); the rules are the workflow's.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { CaseState } from '../../../../workflows/case-actions.js';
import { placeName, useApp } from '../../context.js';
import { chinaToday } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { refusalText } from '../../ui/panel.js';
import { caseApi, type ActionBodies, type ActionName } from './api.js';
import { optional, strip, text } from './form-data.js';
import { OrganPicker } from './organ-picker.js';


export const ACTION_TITLES: Record<ActionName, readonly [string, string]> = {
  route: ['转送、交办或上报', 'Route: forward, assign or report'],
  accept: ['受理或不予受理', 'Accept or decline'],
  extend: ['延长办理期限', 'Extend the handling deadline'],
  reply: ['出具处理意见（答复）', 'Reply with the handling opinion'],
  reportAssignedResult: ['报送交办结果', 'Report the assigned result'],
  requestReview: ['登记复查请求', 'Record a review request'],
  giveReviewOpinion: ['出具复查意见', 'Give the review opinion'],
  requestReReview: ['登记复核请求', 'Record a re-review request'],
  startHearing: ['听证开始', 'A hearing starts'],
  endHearing: ['听证结束', 'The hearing ends'],
  giveReReviewOpinion: ['出具复核意见', 'Give the re-review opinion'],
  assignLeader: ['领导包案', 'Name the leader who owns the case'],
};

function ActionForm<A extends ActionName>({ caseId, action, body, done, children }: {
  caseId: string;
  action: A;
  body: (form: FormData) => ActionBodies[A];
  done: (state: CaseState, action: ActionName) => void;
  children?: ComponentChildren;
}) {
  const [busy, setBusy] = useState(false);
  const [verdict, setVerdict] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const state = await caseApi.act(caseId, action, body(new FormData(event.target as HTMLFormElement)));
      setVerdict(null);
      done(state, action);
    } catch (error) {
      setVerdict({ ok: false, text: refusalText(error as Error) });
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="action card-inner" id=${`act-${action}`} data-action=${action} onSubmit=${submit}>
    <fieldset>
      <legend>${t(ACTION_TITLES[action][0], ACTION_TITLES[action][1])}</legend>
      <div class="form-grid">${children}</div>
      <div class="actions">
        <button type="submit" disabled=${busy}>${busy ? t('提交中…', 'Sending…') : t('提交', 'Submit')}</button>
        <output class=${verdict?.ok === false ? 'error action-verdict' : 'ok action-verdict'} role=${verdict?.ok === false ? 'alert' : 'status'} data-ok=${verdict ? String(verdict.ok) : undefined}>${verdict?.text ?? ''}</output>
      </div>
    </fieldset>
  </form>`;
}

const field = (id: string, label: string, input: ComponentChildren) => html`<label for=${id}>${label}</label>${input}`;

function Opinion({ caseId, action, done }: { caseId: string; action: 'giveReviewOpinion' | 'giveReReviewOpinion'; done: (s: CaseState, action: ActionName) => void }) {
  const id = `${action}-outcome`;
  return html`<${ActionForm} caseId=${caseId} action=${action} done=${done}
      body=${(f: FormData) => strip({ outcome: text(f, 'outcome') as 'upheld' | 'changed', summary: optional(f, 'summary') })}>
    ${field(id, t('结论', 'Outcome'), html`<select id=${id} name="outcome"><option value="upheld">${t('维持原处理意见', 'upheld')}</option><option value="changed">${t('变更原处理意见', 'changed')}</option></select>`)}
    ${field(`${action}-summary`, t('意见摘要', 'Summary'), html`<textarea id=${`${action}-summary`} name="summary" maxlength="2000" rows="2"></textarea>`)}
  <//>`;
}

/** The forms the case's stage allows; none for a closed case or one without a live workflow. */
export function CaseActions({ state, done }: { state: CaseState; done: (s: CaseState, action: ActionName) => void }) {
  const app = useApp();
  const id = state.caseId;
  const forms: ComponentChildren[] = [];
  const extension = state.plan?.clocks.handle?.extension ?? null;
  switch (state.stage) {
    case 'awaiting_route':
      forms.push(html`<${ActionForm} caseId=${id} action="route" done=${done}
          body=${(f: FormData) => strip({
            mode: text(f, 'mode') as 'forward' | 'assign' | 'report',
            toOrgan: text(f, 'toOrgan'),
            toKind: text(f, 'toKind') as ActionBodies['route']['toKind'],
            resultDue: optional(f, 'resultDue'),
          })}>
        ${field('route-mode', t('方式', 'Mode'), html`<select id="route-mode" name="mode"><option value="forward">${t('转送', 'forward (转送)')}</option><option value="assign">${t('交办', 'assign (交办)')}</option><option value="report">${t('上报', 'report upward (上报)')}</option></select>`)}
        <${OrganPicker} id="route-organ" name="toOrgan" label=${t('接收机关', 'To organ')} />
        ${field('route-kind', t('机关类别', 'Kind of organ'), html`<select id="route-kind" name="toKind">
          <option value="competent">${t('有权处理的机关', 'competent organ')}</option><option value="political-legal">${t('政法机关', 'political-legal organs')}</option>
          <option value="discipline-inspection">${t('纪检监察机关', 'discipline inspection')}</option><option value="party-government">${t('党委政府', 'party committee and government')}</option></select>`)}
        ${field('route-due', t('交办结果报送期限', 'Result due (assign)'), html`<input id="route-due" name="resultDue" type="date" min=${chinaToday()} />`)}
      <//>`);
      break;
    case 'awaiting_notice':
    case 'awaiting_acceptance':
      forms.push(html`<${ActionForm} caseId=${id} action="accept" done=${done}
          body=${(f: FormData) => strip({ accepted: text(f, 'accepted') === 'yes', reason: optional(f, 'reason') })}>
        ${field('accept-decision', t('决定', 'Decision'), html`<select id="accept-decision" name="accepted"><option value="yes">${t('受理', 'accept')}</option><option value="no">${t('不予受理', 'decline')}</option></select>`)}
        ${field('accept-reason', t('不予受理的理由和应向何处反映', 'Why not, and where to go instead'), html`<textarea id="accept-reason" name="reason" maxlength="500" rows="2"></textarea>`)}
      <//>`);
      break;
    case 'handling':
      forms.push(html`<${ActionForm} caseId=${id} action="reply" done=${done}
          body=${(f: FormData) => strip({ outcome: text(f, 'outcome') as ActionBodies['reply']['outcome'], summary: optional(f, 'summary') })}>
        ${field('reply-outcome', t('处理意见', 'Outcome'), html`<select id="reply-outcome" name="outcome"><option value="supported">${t('支持', 'supported')}</option><option value="partly_supported">${t('部分支持', 'partly supported')}</option><option value="not_supported">${t('不支持', 'not supported')}</option></select>`)}
        ${field('reply-summary', t('意见摘要', 'Summary'), html`<textarea id="reply-summary" name="summary" maxlength="2000" rows="2"></textarea>`)}
      <//>`);
      forms.push(html`<${ActionForm} caseId=${id} action="extend" done=${done}
          body=${(f: FormData) => ({ days: Number(text(f, 'days')), reason: text(f, 'reason'), approvedBy: text(f, 'approvedBy') })}>
        ${extension ? html`<p class="note span" id="extend-rule">${t(`至多延长 ${extension.maxDays} 日、${extension.times} 次；${extension.requires}`, `At most ${extension.maxDays} days, ${extension.times} time(s); ${extension.requires}`)}</p>` : null}
        ${field('extend-days', t('延长天数', 'Days'), html`<input id="extend-days" name="days" type="number" min="1" required />`)}
        ${field('extend-reason', t('延期理由（告知信访人）', 'Reason (told to the petitioner)'), html`<textarea id="extend-reason" name="reason" maxlength="500" rows="2" required></textarea>`)}
        ${field('extend-approver', t('批准的负责人', 'Approved by'), html`<input id="extend-approver" name="approvedBy" maxlength="80" required />`)}
      <//>`);
      break;
    case 'review_window':
      forms.push(html`<${ActionForm} caseId=${id} action="requestReview" done=${done} body=${(f: FormData) => ({ toOrgan: text(f, 'toOrgan') })}>
        <${OrganPicker} id="review-organ" name="toOrgan" label=${t('复查机关（上一级）', 'Reviewing organ (one level up)')} />
      <//>`);
      break;
    case 'in_review':
      forms.push(html`<${Opinion} caseId=${id} action="giveReviewOpinion" done=${done} />`);
      break;
    case 're_review_window':
      forms.push(html`<${ActionForm} caseId=${id} action="requestReReview" done=${done} body=${(f: FormData) => ({ toOrgan: text(f, 'toOrgan') })}>
        <${OrganPicker} id="re-review-organ" name="toOrgan" label=${t('复核机关（复查机关的上一级）', 'Re-reviewing organ (above the reviewer)')} />
      <//>`);
      break;
    case 'in_re_review': {
      const hearing = state.reReview?.hearings.find((h) => !h.to);
      const action = hearing ? 'endHearing' : 'startHearing';
      forms.push(html`<${ActionForm} caseId=${id} action=${action} done=${done} body=${(f: FormData) => ({ date: text(f, 'date') })}>
        ${field('hearing-date', hearing ? t(`结束日期（${hearing.from} 开始）`, `End date (began ${hearing.from})`) : t('开始日期', 'Start date'), html`<input id="hearing-date" name="date" type="date" required max=${chinaToday()} />`)}
      <//>`);
      forms.push(html`<${Opinion} caseId=${id} action="giveReReviewOpinion" done=${done} />`);
      break;
    }
    case 'closed':
      break;
  }
  if (state.deadlines['assigned'] && !state.assignedReported && state.stage !== 'closed') {
    forms.push(html`<${ActionForm} caseId=${id} action="reportAssignedResult" done=${done} body=${() => ({})}>
      <p class="span">${t(`交办结果应于 ${state.deadlines['assigned']?.due} 前报送。`, `The result is due by ${state.deadlines['assigned']?.due}.`)}</p>
    <//>`);
  }
  if (state.stage !== 'closed') {
    forms.push(html`<${ActionForm} caseId=${id} action="assignLeader" done=${done} body=${(f: FormData) => ({ leader: text(f, 'leader') })}>
      ${field('leader-pick', state.leader ? t(`包案领导（现为 ${state.leader.name}）`, `Owning leader (now ${state.leader.name})`) : t('包案领导', 'Owning leader'), html`<select id="leader-pick" name="leader" required>
        <option value="">${t('请选择领导', 'Choose a leader')}</option>
        ${app.reference.leaders.map((l) => html`<option value=${l.username}>${l.displayName} · ${placeName(app, l.regionCode)}</option>`)}
      </select>`)}
    <//>`);
  }
  if (!forms.length) return null;
  return html`<section class="card" id="case-actions" aria-labelledby="case-actions-title">
    <h3 id="case-actions-title">${t('办理', 'Actions')}</h3>
    ${forms}
  </section>`;
}
