/**
 * One recommendation: what was recommended to whom, the feedback deadline with how it was
 * reached (the rule, its article and days, the calendar's roll-forward), what happened since
 * (issue, reminders, the breach's supervision record, the feedback), and, for the addressed
 * organ's officer while feedback is owed, the form to give it.
 */
import { useState } from 'preact/hooks';
import { can, useApp } from '../../context.js';
import { chinaToday, formatTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { useLoad } from '../../use-load.js';
import { Missing, Panel, refusalText } from '../../ui/panel.js';
import { ProvisionalMark } from '../../ui/provisional.js';
import { recommendation, recordFeedback, type RecommendationDetail, type RecommendationState } from './api.js';
import { adoptionText, eventName, kindName } from './names.js';

function FeedbackForm({ id, answered }: { id: string; answered: (state: RecommendationState) => void }) {
  const [adopted, setAdopted] = useState<'yes' | 'no'>('yes');
  const [note, setNote] = useState('');
  const [date, setDate] = useState(chinaToday());
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefusal('');
    try {
      // Sent as chosen: whether a reason is owed is the workflow's rule (2005 art. 36), and its refusal is shown.
      answered(await recordFeedback(id, { adopted: adopted === 'yes', ...(date ? { date } : {}), ...(note.trim() ? { note: note.trim() } : {}) }));
    } catch (error) {
      setRefusal(`${t('反馈未记录', 'Feedback not recorded')}: ${refusalText(error as Error)}`);
    } finally {
      setBusy(false);
    }
  };
  return html`<form id="feedback-form" class="rec-form" aria-busy=${busy} aria-labelledby="feedback-title" onSubmit=${submit}>
    <h3 id="feedback-title">${t('书面反馈采纳情况', 'Written feedback on adoption')}</h3>
    <fieldset>
      <legend>${t('是否采纳', 'Adopted?')} <span aria-hidden="true">*</span></legend>
      <label class="check" for="feedback-adopted-yes"><input type="radio" id="feedback-adopted-yes" name="adopted" value="yes" checked=${adopted === 'yes'} onChange=${() => setAdopted('yes')} /> ${t('采纳', 'adopted')}</label>
      <label class="check" for="feedback-adopted-no"><input type="radio" id="feedback-adopted-no" name="adopted" value="no" checked=${adopted === 'no'} onChange=${() => setAdopted('no')} /> ${t('不采纳', 'not adopted')}</label>
    </fieldset>
    <label class="wide" for="feedback-note">${adopted === 'no' ? t('不采纳的理由（必填）', 'Why not (required)') : t('反馈内容（可选）', 'What the feedback says (optional)')}</label>
    <input id="feedback-note" name="note" maxlength="2000" autocomplete="off" aria-required=${adopted === 'no'} value=${note} onInput=${(e: Event) => setNote((e.target as HTMLInputElement).value)} />
    <label for="feedback-date">${t('反馈日期', 'Date of the feedback')}</label>
    <input id="feedback-date" name="date" type="date" max=${chinaToday()} value=${date} onInput=${(e: Event) => setDate((e.target as HTMLInputElement).value)} />
    <button type="submit" id="feedback-submit" disabled=${busy}>${busy ? t('提交中…', 'Sending…') : t('记录反馈', 'Record the feedback')}</button>
    <p class="error" role="alert" id="feedback-refusal">${refusal}</p>
  </form>`;
}

function Deadline({ d }: { d: RecommendationDetail }) {
  const deadline = d.state?.deadline ?? null;
  const due = deadline?.due ?? d.record?.feedback_due ?? null;
  const clock = d.clock;
  return html`<div class="rec-deadline" id="rec-deadline" data-due=${due ?? ''}>
    <h3>${t('反馈期限', 'Feedback deadline')}</h3>
    ${due
      ? html`<p class="verdict" id="rec-due" data-provisional=${deadline?.provisional ? 'true' : 'false'}>${t(`${due} 前书面反馈`, `Written feedback by ${due}`)}${deadline?.provisional ? html`<${ProvisionalMark} years=${deadline.provisionalYears} />` : null}${deadline?.rolledForward ? html` <small>${t(`（${deadline.rawDue} 为休息日，顺延）`, `(${deadline.rawDue} is a rest day: moved forward)`)}</small>` : null}</p>`
      : html`<${Missing}>${t('期限尚未计算：工作流正在按签发日的规则计算（日历缺该年度时等待补齐）。', 'Not yet planned: the workflow is computing it from the rules of the day of issue (waiting if the calendar lacks the year).')}<//>`}
    ${clock
      ? html`<p id="rec-rule">${t('依据', 'Rule')}: ${clock.titleZh} ${clock.article ?? t('（无条款）', '(no article)')} · ${t(`${clock.days} 日`, `${clock.days} days`)} (${clock.basis === 'calendar' ? t('自然日', 'calendar days') : t('工作日', 'working days')}) · ${clock.pack}@${clock.version}
          ${clock.note ? html`<br /><small class="why">${clock.note}</small>` : null}</p>`
      : null}
    ${deadline
      ? html`<details><summary>${t('期限如何算出', 'How the deadline was reached')}</summary><ol class="explanation" lang="en">${deadline.explanation.map((line) => html`<li>${line}</li>`)}</ol></details>`
      : d.record?.feedback_due
        ? html`<p class="note">${t('该记录随数据导入，无工作流的计算过程。', 'This record was imported: no workflow computed it here.')}</p>`
        : null}
  </div>`;
}

function Events({ events }: { events: RecommendationDetail['events'] }) {
  if (!events.length) return html`<${Missing}>${t('没有记录的经过（导入的记录不带经过）。', 'No history on record (imported records carry none).')}<//>`;
  const detailText = (detail: unknown) =>
    detail && typeof detail === 'object'
      ? Object.entries(detail as Record<string, unknown>)
          .filter(([, v]) => v !== null && v !== '')
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join('; ')
      : '';
  return html`<table id="rec-events">
    <caption class="sr-only">${t('建议的经过', 'The recommendation’s history')}</caption>
    <thead><tr><th scope="col">${t('时间', 'When')}</th><th scope="col">${t('事项', 'What')}</th><th scope="col">${t('人员', 'Who')}</th><th scope="col">${t('期限 · 依据', 'Due · rule')}</th><th scope="col">${t('详情', 'Detail')}</th></tr></thead>
    <tbody>${events.map(
      (e) => html`<tr data-event=${e.event_type}>
        <td class="name">${formatTime(e.occurred_at)}</td><td>${eventName(e.event_type)}</td><td>${e.actor ?? '—'}</td>
        <td>${e.due_date ?? ''}${e.rule ? html`<br /><small>${e.rule}</small>` : null}</td><td><small>${detailText(e.detail)}</small></td>
      </tr>`,
    )}</tbody>
  </table>`;
}

function Facts({ d }: { d: RecommendationDetail }) {
  const r = d.record;
  const issue = d.state?.recommendation;
  const feedback = d.state?.feedback ?? null;
  const adopted = r?.adopted ?? feedback?.adopted ?? null;
  const note = r?.feedback_note ?? feedback?.note ?? null;
  return html`<dl class="method rec-facts" data-stage=${d.state?.stage ?? 'record'} data-adopted=${adopted === null ? undefined : String(adopted)}>
    <dt>${t('类型', 'Kind')}</dt><dd>${kindName(r?.kind ?? issue?.kind ?? '')}</dd>
    <dt>${t('致送机关', 'To organ')}</dt><dd id="rec-organ">${r?.to_organ ?? issue?.toOrgan}</dd>
    <dt>${t('签发', 'Issued')}</dt><dd>${r?.issued_date ?? issue?.issuedDate} · ${r?.issued_by ?? issue?.issuedBy}</dd>
    ${r?.case_id ?? issue?.caseId ? html`<dt>${t('所涉信访事项', 'Case')}</dt><dd>${r?.case_id ?? issue?.caseId}</dd>` : null}
    ${r?.summary ?? issue?.summary ? html`<dt>${t('建议内容', 'Summary')}</dt><dd>${r?.summary ?? issue?.summary}</dd>` : null}
    <dt>${t('采纳情况', 'Adoption')}</dt><dd id="rec-adoption">${adoptionText({ adopted, feedback_note: note })}${
      r?.feedback_date ? t(`（${r.feedback_date}，${r.feedback_by ?? ''}）`, ` (${r.feedback_date}, ${r.feedback_by ?? ''})`) : ''
    }</dd>
    ${r?.feedback_overdue_date ? html`<dt>${t('逾期', 'Overdue')}</dt><dd class="late">${t(`${r.feedback_overdue_date} 起逾期，已记入督办`, `overdue from ${r.feedback_overdue_date}; on the supervision record`)}</dd>` : null}
  </dl>`;
}

export function RecommendationView({ id, changed }: { id: string; changed: () => void }) {
  const state = useApp();
  const loaded = useLoad(() => recommendation(id), [id]);
  const [verdict, setVerdict] = useState('');
  const answered = (s: RecommendationState) => {
    setVerdict(s.feedback ? t(`已记录反馈：${s.feedback.adopted ? '采纳' : '不采纳'}，${s.feedback.date}${s.feedback.late ? '（逾期）' : ''}`, `Feedback recorded: ${s.feedback.adopted ? 'adopted' : 'not adopted'}, ${s.feedback.date}${s.feedback.late ? ' (late)' : ''}`) : '');
    loaded.reload();
    changed();
  };
  const owed = (d: RecommendationDetail) => d.state?.stage === 'awaiting_feedback' && !d.state.feedback;
  return html`<${Panel} id="rec-detail" title=${`${t('建议', 'Recommendation')} ${id}`} loaded=${loaded} wide>
    ${(d: RecommendationDetail) => html`<div class="rec-detail" data-rec=${id}>
      <div class="split">
        <div><h3>${t('概况', 'Summary')}</h3><${Facts} d=${d} /></div>
        <${Deadline} d=${d} />
      </div>
      <h3>${t('经过', 'History')}</h3>
      <${Events} events=${d.events} />
      ${verdict ? html`<p class="verdict good" role="status" id="feedback-verdict">${verdict}</p>` : null}
      ${can(state, 'recommendations.feedback') && owed(d) ? html`<${FeedbackForm} key=${id} id=${id} answered=${answered} />` : null}
    </div>`}
  <//>`;
}
