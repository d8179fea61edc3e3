/**
 * The petitioner's own page of a case, in plain language: where it stands, who holds it, each
 * deadline with what happens when it passes, the reply and the options after it. Built from the
 * workflow's state and the event log, naming organs only: no officer, no approver, no leader,
 * no internal note and no other petitioner's data appear (the actors the log records are never read).
 */
import type { CaseEventRow } from '../../analytics/case-log.js';
import { CHANNELS } from '../../domain/case.js';
import { STAGE_NAMES } from '../../domain/case-stages.js';
import { PRESS_STEP_NAMES } from '../../domain/refusals.js';
import { RATING_LEVELS, type CaseState, type CloseReason, type PressableStep, type RatingLevel } from '../../workflows/case-actions.js';
import type { ListedAttachment } from './attachments.js';
import { html, type Html } from './html.js';
import { OPEN_PREFIX, say, type Lang } from './layout.js';

export interface CaseView {
  state: CaseState;
  events: CaseEventRow[];
  /** Organ codes to names, so a code the office typed reads as the organ. */
  organNames: Map<string, string>;
  placeName: string;
  representatives: string[];
  attachments: ListedAttachment[];
  /** What the last action did, or why the workflow refused it, in the page's language. */
  verdict?: { ok: boolean; text: string };
  /** The signed pass the page's forms carry. */
  pass: string;
}

export const RATING_NAMES: Record<RatingLevel, { zh: string; en: string }> = {
  satisfied: { zh: '满意', en: 'Satisfied' },
  basically_satisfied: { zh: '基本满意', en: 'Basically satisfied' },
  dissatisfied: { zh: '不满意', en: 'Dissatisfied' },
};

const OUTCOMES: Record<string, { zh: string; en: string }> = {
  supported: { zh: '支持', en: 'supported' },
  partly_supported: { zh: '部分支持', en: 'partly supported' },
  not_supported: { zh: '不支持', en: 'not supported' },
  upheld: { zh: '维持原意见', en: 'the earlier opinion upheld' },
  changed: { zh: '变更原意见', en: 'the earlier opinion changed' },
};

const CLOSED: Record<CloseReason, { zh: string; en: string }> = {
  routed_out: {
    zh: '本事项依法属于政法机关或纪检监察机关处理，已导入相应机关，请向该机关了解办理情况。',
    en: 'By law this matter belongs to the political-legal organs or discipline inspection; it was sent there, which you may ask about its handling.',
  },
  not_accepted: { zh: '本事项不予受理，理由和应向何处反映见上。', en: 'The matter was not accepted; the reason and where to go instead are above.' },
  reply_final: { zh: '复查申请期限届满未请求复查，答复意见为最终意见，事项已办结。', en: 'No review was requested in time: the reply is final and the case is closed.' },
  review_final: { zh: '复核申请期限届满未请求复核，复查意见为最终意见，事项已办结。', en: 'No re-review was requested in time: the review opinion is final and the case is closed.' },
  concluded: { zh: '复核意见为终结意见，事项已终结；同一事项再次提出的，不再受理。', en: 'The re-review opinion concludes the matter; the same claim brought again is not taken.' },
};

/** Each clock in the petitioner's words: who owes what by the date, and what its passing means. */
const STEPS: Record<string, { zh: (due: string) => string; en: (due: string) => string; passes: { zh: string; en: string } }> = {
  route: {
    zh: (d) => `信访工作机构应在 ${d} 前登记并转送、交办有权处理的机关，或告知您向何处反映`,
    en: (d) => `The petition office registers and forwards or assigns the matter to the competent organ, or tells you where to go, by ${d}`,
    passes: { zh: '逾期未办的，记录为超期并督办；您可以催办。', en: 'If it is late, the delay is recorded for supervision and you may press.' },
  },
  notify: {
    zh: (d) => `收到事项的机关应在 ${d} 前书面告知您是否受理`,
    en: (d) => `The organ that received the matter tells you in writing whether it is accepted, by ${d}`,
    passes: { zh: '逾期未告知的，记录为超期并督办；您可以催办。', en: 'If it is late, the delay is recorded for supervision and you may press.' },
  },
  assigned: {
    zh: (d) => `被交办的机关应在 ${d} 前报送办理结果`,
    en: (d) => `The organ the matter was assigned to reports its result by ${d}`,
    passes: { zh: '逾期未报的，记录为超期并督办；您可以催办。', en: 'If it is late, the delay is recorded for supervision and you may press.' },
  },
  handle: {
    zh: (d) => `办理机关应在 ${d} 前办结并出具书面答复意见`,
    en: (d) => `The handling organ concludes and replies to you in writing by ${d}`,
    passes: { zh: '逾期未答复的，记录为超期并督办；您可以催办。', en: 'If it is late, the delay is recorded for supervision and you may press.' },
  },
  reviewRequest: {
    zh: (d) => `对答复意见不服的，您可以在 ${d} 前向上一级机关请求复查`,
    en: (d) => `If you disagree with the reply, you may ask the organ one level up for a review by ${d}`,
    passes: { zh: '期限届满未请求复查的，答复意见即为最终意见。', en: 'After that, without a request, the reply is final.' },
  },
  review: {
    zh: (d) => `复查机关应在 ${d} 前提出复查意见`,
    en: (d) => `The reviewing organ gives its opinion by ${d}`,
    passes: { zh: '逾期未提出的，记录为超期并督办；您可以催办。', en: 'If it is late, the delay is recorded for supervision and you may press.' },
  },
  reReviewRequest: {
    zh: (d) => `对复查意见不服的，您可以在 ${d} 前向复查机关的上一级机关请求复核`,
    en: (d) => `If you disagree with the review opinion, you may ask the organ above the reviewer for a re-review by ${d}`,
    passes: { zh: '期限届满未请求复核的，复查意见即为最终意见。', en: 'After that, without a request, the review opinion is final.' },
  },
  reReview: {
    zh: (d) => `复核机关应在 ${d} 前提出复核意见（听证时间不计入）`,
    en: (d) => `The re-reviewing organ gives its opinion by ${d} (hearing days do not count)`,
    passes: { zh: '逾期未提出的，记录为超期并督办；您可以催办。复核意见为终结意见。', en: 'If it is late, the delay is recorded and you may press. The re-review opinion is final.' },
  },
};

const dateOf = (iso: string) => iso.slice(0, 10);

export function renderCase(lang: Lang, view: CaseView): Html {
  const t = say(lang);
  const { state } = view;
  const name = (n: { zh: string; en: string } | undefined, fallback: string) => (n ? n[lang] : fallback);
  const organ = (code: string | undefined) => (code ? (view.organNames.get(code) ?? code) : '');
  const received = view.events.find((e) => e.event_type === 'received');
  const shownSteps = Object.entries(state.deadlines).filter(([step]) => STEPS[step]);

  const facts = html`<dl class="facts">
    <dt>${t('信访事项编号', 'Case code')}</dt><dd class="code">${state.caseId}</dd>
    <dt>${t('当前状态', 'Where it stands')}</dt><dd><strong>${name(STAGE_NAMES[state.stage], state.stage)}</strong></dd>
    <dt>${t('提交时间', 'Received')}</dt><dd>${received ? dateOf(received.occurred_at) : '—'} · ${t(CHANNELS.online, 'online')}</dd>
    <dt>${t('事项发生地', 'Place')}</dt><dd>${view.placeName}</dd>
    ${state.stage !== 'closed' ? html`<dt>${t('目前负责的机关', 'Organ that owes the next step')}</dt><dd>${organ(state.responsibleOrgan)}</dd>` : ''}
    ${view.representatives.length ? html`<dt>${t('代表', 'Representatives')}</dt><dd>${view.representatives.join(t('、', ', '))}</dd>` : ''}
    ${view.attachments.length
      ? html`<dt>${t('附件', 'Attachments')}</dt><dd><ul class="plain">${view.attachments.map(
          (a) => html`<li><form method="post" action="${OPEN_PREFIX}/case/attachment" class="inline">${passField(view, lang)}<input type="hidden" name="seq" value="${a.seq}"><button type="submit" class="link" aria-label="${t(`下载 ${a.fileName}`, `Download ${a.fileName}`)}">${a.fileName}</button></form> (${Math.ceil(a.sizeBytes / 1024)} KB)</li>`,
        )}</ul></dd>`
      : ''}
  </dl>`;

  const closed = state.stage === 'closed' && state.closeReason ? html`<p class="final" role="status">${CLOSED[state.closeReason][lang]}</p>` : '';

  const deadlines = html`<section aria-labelledby="deadlines-h"><h2 id="deadlines-h">${t('办理期限', 'Deadlines')}</h2>
    ${shownSteps.length
      ? html`<ul class="steps">${shownSteps.map(([step, d]) => {
          if (!d) return '';
          const s = STEPS[step]!;
          const late = state.overdue.some((o) => o === step);
          return html`<li class="${late ? 'late' : ''}">
            <p>${s[lang](d.due)}${late ? html` <strong class="badge">${t('已超期', 'past its deadline')}</strong>` : ''}</p>
            <p class="small">${s.passes[lang]}${d.rule?.article ? html` ${t('依据', 'Rule')}: ${d.rule.article}${d.extensionDays ? t(`（含延长 ${d.extensionDays} 日）`, ` (with ${d.extensionDays} days' extension)`) : ''}` : ''}</p>
          </li>`;
        })}</ul>`
      : html`<p>${t('期限正在计算，请稍后刷新。', 'The deadlines are being computed; look again in a moment.')}</p>`}
  </section>`;

  const timeline = html`<section aria-labelledby="timeline-h"><h2 id="timeline-h">${t('办理经过', 'What has happened')}</h2>
    <ol class="timeline">${view.events.map((e) => eventLine(lang, e, organ)).filter((l) => l !== null).map((l) => html`<li><time>${l!.date}</time> ${l!.text}</li>`)}</ol>
  </section>`;

  const verdict = view.verdict ? html`<p class="${view.verdict.ok ? 'notice ok' : 'notice refused'}" role="${view.verdict.ok ? 'status' : 'alert'}" id="verdict">${view.verdict.text}</p>` : '';
  // Reached by POST, the page is refreshed by posting its pass again (a reload would ask to resend the last action).
  const refresh = html`<form method="post" action="${OPEN_PREFIX}/case" class="inline refresh">${passField(view, lang)}<button type="submit" class="link" id="refresh">${t('刷新办理情况', 'Refresh')}</button></form>`;
  return html`${verdict}${facts}${refresh}${closed}${deadlines}${timeline}${ratingSection(lang, view)}${pressSection(lang, view)}`;
}

function eventLine(lang: Lang, e: CaseEventRow, organ: (code: string | undefined) => string): { date: string; text: string } | null {
  const t = say(lang);
  const d = e.detail ?? {};
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  const late = d['late'] === true ? t('（超期）', ' (late)') : '';
  const outcome = (k: string) => OUTCOMES[str(k) ?? '']?.[lang] ?? str(k) ?? '';
  const said = (k: string) => (str(k) ? t(`：${str(k)}`, `: ${str(k)}`) : '');
  const date = dateOf(e.occurred_at);
  switch (e.event_type) {
    case 'received':
      return { date, text: t('收到您的网上信访，已登记', 'Your online petition was received and registered') };
    case 'routed': {
      const mode = str('mode');
      const verb = mode === 'assign' ? t('交办', 'assigned to') : mode === 'report' ? t('上报', 'reported up to') : t('转送', 'forwarded to');
      return { date, text: `${verb} ${organ(str('toOrgan'))}${late}` };
    }
    case 'accepted':
      return { date, text: t(`${organ(str('organ'))} 已受理`, `Accepted by ${organ(str('organ'))}`) };
    case 'not_accepted':
      return { date, text: t(`不予受理${said('reason')}`, `Not accepted${said('reason')}`) };
    case 'extended':
      return { date, text: t(`办理期限延长 ${d['days']} 日，至 ${e.due_date ?? ''}${said('reason')}`, `Handling deadline extended by ${d['days']} days to ${e.due_date ?? ''}${said('reason')}`) };
    case 'replied':
      return { date, text: t(`出具书面答复意见：${outcome('outcome')}${late}${said('summary')}`, `Written reply: ${outcome('outcome')}${late}${said('summary')}`) };
    case 'rated': {
      const level = RATING_LEVELS.find((l) => l === str('level'));
      const shown = level ? RATING_NAMES[level][lang] : d['satisfied'] === true ? t('满意', 'Satisfied') : t('不满意', 'Dissatisfied');
      return { date, text: t(`您评价答复：${shown}`, `You rated the reply: ${shown}`) };
    }
    case 'pressed': {
      const step = PRESS_STEP_NAMES[str('step') as PressableStep]?.[lang] ?? str('step') ?? '';
      return { date, text: t(`您就“${step}”催办 ${organ(str('organ'))}`, `You pressed ${organ(str('organ'))} on ${step}`) };
    }
    case 'review_requested':
      return { date, text: t(`请求复查，复查机关：${organ(str('toOrgan'))}`, `Review requested from ${organ(str('toOrgan'))}`) };
    case 'review_opinion':
      return { date, text: t(`复查意见：${outcome('outcome')}${late}${said('summary')}`, `Review opinion: ${outcome('outcome')}${late}${said('summary')}`) };
    case 're_review_requested':
      return { date, text: t(`请求复核，复核机关：${organ(str('toOrgan'))}`, `Re-review requested from ${organ(str('toOrgan'))}`) };
    case 'hearing_started':
      return { date, text: t('复核听证开始（听证时间不计入复核期限）', 'A re-review hearing began (its days do not count)') };
    case 'hearing_ended':
      return { date, text: t(`听证结束，复核期限至 ${e.due_date ?? ''}`, `The hearing ended; the re-review is due ${e.due_date ?? ''}`) };
    case 're_review_opinion':
      return { date, text: t(`复核意见：${outcome('outcome')}${late}${said('summary')}`, `Re-review opinion: ${outcome('outcome')}${late}${said('summary')}`) };
    case 'route_overdue':
    case 'notify_overdue':
    case 'handle_overdue':
    case 'assigned_overdue':
    case 'review_overdue':
    case 're_review_overdue':
      return { date, text: t('该环节已超过期限，已记录督办', 'This step passed its deadline; it is recorded for supervision') };
    case 'closed':
      return { date, text: t('事项办结', 'The case closed') };
    // Reminders, the offices' notices, an assigned result's report and 领导包案 are the offices' own business.
    default:
      return null;
  }
}

const passField = (view: CaseView, lang: Lang) => html`<input type="hidden" name="pass" value="${view.pass}"><input type="hidden" name="lang" value="${lang}">`;

function ratingSection(lang: Lang, view: CaseView): Html {
  const t = say(lang);
  const { state } = view;
  if (!state.reply) {
    return html`<section aria-labelledby="rate-h"><h2 id="rate-h">${t('评价', 'Rating')}</h2><p>${t('收到书面答复后，您可以在此评价。', 'Once the written reply is given you can rate it here.')}</p></section>`;
  }
  if (state.rating) {
    return html`<section aria-labelledby="rate-h"><h2 id="rate-h">${t('评价', 'Rating')}</h2><p>${t('您的评价：', 'Your rating: ')}<strong>${RATING_NAMES[state.rating.level]?.[lang] ?? state.rating.level}</strong></p></section>`;
  }
  return html`<section aria-labelledby="rate-h"><h2 id="rate-h">${t('评价答复', 'Rate the reply')}</h2>
    <form method="post" action="${OPEN_PREFIX}/case/rate" class="stack">
      ${passField(view, lang)}
      <fieldset><legend>${t('您对答复意见是否满意？', 'Are you satisfied with the reply?')}</legend>
        ${RATING_LEVELS.map((level) => html`<label class="choice"><input type="radio" name="level" value="${level}" required> ${RATING_NAMES[level][lang]}</label>`)}
      </fieldset>
      <label for="rate-comment">${t('意见（可不填，500 字以内）', 'Comment (optional, up to 500 characters)')}</label>
      <textarea id="rate-comment" name="comment" rows="3" maxlength="500"></textarea>
      <button type="submit">${t('提交评价', 'Submit rating')}</button>
    </form></section>`;
}

function pressSection(lang: Lang, view: CaseView): Html {
  const t = say(lang);
  if (view.state.stage === 'closed') return html``;
  return html`<section aria-labelledby="press-h"><h2 id="press-h">${t('催办', 'Press the case')}</h2>
    <p id="press-hint">${t(
      '某个环节超过期限仍未办理的，您可以催办；催办记入该环节负责机关的督办记录，每个超期环节每天可催办一次。',
      'When a step is past its deadline and not done you may press: the press is recorded against the organ that owes it, once a day per late step.',
    )}</p>
    <form method="post" action="${OPEN_PREFIX}/case/press" class="stack">
      ${passField(view, lang)}
      <label for="press-note">${t('补充说明（可不填，500 字以内）', 'Note (optional, up to 500 characters)')}</label>
      <textarea id="press-note" name="note" rows="2" maxlength="500" aria-describedby="press-hint"></textarea>
      <button type="submit">${t('催办', 'Press')}</button>
    </form></section>`;
}
