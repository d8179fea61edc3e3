/**
 * Why a case or recommendation workflow refuses an action, as data: each refusal a code with its parameters and
 * its text in Chinese and English. The workflow throws the code and its parameters (and the
 * English text, for logs and API clients); the dashboard shows the text in the user's language
 * from the same table, so the rule's reason reads the same wherever it is shown.
 */

import type { CaseStage } from '../workflows/case-actions.js';
import { STAGE_NAMES } from './case-stages.js';

type Text<P> = { zh: (p: P) => string; en: (p: P) => string };
const text = <P>(zh: (p: P) => string, en: (p: P) => string): Text<P> => ({ zh, en });

const stageZh = (stage: string) => STAGE_NAMES[stage as CaseStage]?.zh ?? stage;

export const CASE_REFUSALS = {
  closed: text<{ caseId: string; closeReason: string }>(
    (p) => `信访事项 ${p.caseId} 已办结（${p.closeReason}）`,
    (p) => `case ${p.caseId} is closed (${p.closeReason})`,
  ),
  wrongStage: text<{ stage: string }>((p) => `信访事项处于“${stageZh(p.stage)}”阶段，不能进行此项操作`, (p) => `not allowed while the case is ${p.stage}`),
  routeNoOrgan: text<Record<never, never>>(() => '转送交办须写明接收机关', () => 'route: the organ to route to is empty'),
  litigationToPoliticalLegal: text<{ cite: string }>(
    (p) => `涉法涉诉信访事项应导入政法机关处理（${p.cite}）`,
    (p) => `a litigation-related case goes to the political-legal organs (${p.cite})`,
  ),
  accusationToDiscipline: text<{ cite: string }>(
    (p) => `检举控告类事项应转纪检监察机关处理（${p.cite}）`,
    (p) => `an accusation goes to discipline inspection (${p.cite})`,
  ),
  assignNeedsResultDue: text<Record<never, never>>(
    () => '交办须写明办理结果的报送期限',
    () => '交办 (assign) needs the date by which the result is reported (resultDue)',
  ),
  resultDueNotAfterToday: text<{ resultDue: string }>((p) => `报送期限 ${p.resultDue} 须晚于今日`, (p) => `resultDue ${p.resultDue} must be after today`),
  resultDueOnlyForAssign: text<Record<never, never>>(() => '只有交办才设报送期限', () => 'resultDue goes only with mode "assign"'),
  refusalNeedsReason: text<Record<never, never>>(
    () => '不予受理须写明理由，并告知信访人向何处反映',
    () => 'a refusal needs the reason and where the petitioner should go',
  ),
  notExtendable: text<Record<never, never>>(() => '本事项的办理期限不得延长', () => 'the handling deadline of this case cannot be extended'),
  alreadyExtended: text<{ times: number }>(
    (p) => `办理期限只能延长 ${p.times} 次，本事项已经延长`,
    (p) => `the handling deadline may be extended ${p.times} time(s); it already was`,
  ),
  extensionDays: text<{ maxDays: number; days: number; requires: string }>(
    (p) => `延长期限为 1 至 ${p.maxDays} 日，不能是 ${p.days} 日（${p.requires}）`,
    (p) => `an extension is 1 to ${p.maxDays} days, not ${p.days} (${p.requires})`,
  ),
  extensionNeedsApproval: text<{ requires: string }>(
    (p) => `延期须写明理由和批准的负责人（${p.requires}）`,
    (p) => `an extension needs its reason and the approving head (${p.requires})`,
  ),
  extensionAfterDeadline: text<Record<never, never>>(
    () => '办理期限已过；延期须在期限届满前提出',
    () => 'the handling deadline has passed; an extension must come before it',
  ),
  notAssigned: text<Record<never, never>>(() => '本事项不是限期交办的事项', () => 'this case was not assigned with a result deadline'),
  assignedAlreadyReported: text<Record<never, never>>(() => '办理结果已经报送', () => 'the result was already reported'),
  noReplyToRate: text<Record<never, never>>(() => '尚未答复，无从评价', () => 'there is no reply to rate yet'),
  alreadyRated: text<Record<never, never>>(() => '答复已经评价过', () => 'the reply was already rated'),
  reviewWindowClosed: text<{ due: string }>((p) => `请求复查的期限已于 ${p.due} 届满`, (p) => `the review window closed on ${p.due}`),
  reviewNoOrgan: text<Record<never, never>>(() => '复查由上一级机关办理：须写明复查机关', () => 'a review goes to the organ one level up: toOrgan is empty'),
  reReviewWindowClosed: text<{ due: string }>((p) => `请求复核的期限已于 ${p.due} 届满`, (p) => `the re-review window closed on ${p.due}`),
  reReviewNoOrgan: text<Record<never, never>>(
    () => '复核由复查机关的上一级机关办理：须写明复核机关',
    () => 'a re-review goes to the organ above the reviewer: toOrgan is empty',
  ),
  hearingNotSuspending: text<Record<never, never>>(() => '本期限计入听证时间，不能中止', () => 'hearing time counts in this clock; no pause'),
  hearingUnderWay: text<Record<never, never>>(() => '听证正在进行', () => 'a hearing is already under way'),
  reReviewClockPending: text<Record<never, never>>(() => '复核期限尚在计算，请稍后再试', () => 'the re-review clock is still being planned; try again in a moment'),
  reReviewDeadlinePassed: text<Record<never, never>>(() => '复核期限已过', () => 'the re-review deadline has passed'),
  hearingStartDate: text<{ after: string }>(
    (p) => `听证日期须晚于 ${p.after}，且不晚于今日`,
    (p) => `the hearing date must be after ${p.after} and not after today`,
  ),
  noHearing: text<Record<never, never>>(() => '没有正在进行的听证', () => 'no hearing is under way'),
  hearingEndDate: text<{ from: string }>(
    (p) => `听证结束日期须在 ${p.from} 与今日之间`,
    (p) => `the hearing end must be between ${p.from} and today`,
  ),
  endHearingFirst: text<Record<never, never>>(() => '请先结束听证', () => 'end the hearing first'),
  alreadyOwned: text<{ leaderName: string }>((p) => `本事项已由 ${p.leaderName} 包案`, (p) => `${p.leaderName} already owns this case`),
};

/** The organ's feedback on a recommendation (三项建议). */
export const RECOMMENDATION_REFUSALS = {
  feedbackGiven: text<{ recommendationId: string; adopted: boolean; date: string; actor: string }>(
    (p) => `建议 ${p.recommendationId} 的反馈已经记录（${p.adopted ? '采纳' : '未采纳'}，${p.date}，${p.actor}）；反馈只记录一次`,
    (p) => `the organ's feedback on ${p.recommendationId} was already recorded: ${p.adopted ? 'adopted' : 'not adopted'}, dated ${p.date}, by ${p.actor}; feedback is given once`,
  ),
  feedbackNoActor: text<Record<never, never>>(() => '反馈须写明记录人', () => 'feedback needs the actor who records it'),
  feedbackBeforeIssue: text<{ date: string; issued: string }>(
    (p) => `反馈日期 ${p.date} 早于建议提出日期 ${p.issued}`,
    (p) => `the feedback is dated ${p.date}, before the recommendation was issued on ${p.issued}`,
  ),
  feedbackAfterToday: text<{ date: string; today: string }>(
    (p) => `反馈日期 ${p.date} 晚于今日（${p.today}）`,
    (p) => `the feedback is dated ${p.date}, after today (${p.today})`,
  ),
  notAdoptedNeedsReason: text<Record<never, never>>(
    () => '未采纳建议的，应当说明理由（《信访条例》(2005) 第三十六条）',
    () => 'feedback that does not adopt the recommendation gives the reason (信访条例(2005) 第三十六条: 未采纳的应当说明理由)',
  ),
};

const REFUSALS = { ...CASE_REFUSALS, ...RECOMMENDATION_REFUSALS };

/** The failure type a coded refusal travels as from a workflow; the API reads its details back (server/workflow-routes.ts). */
export const REFUSAL_FAILURE = 'Refused';

export type RefusalCode = keyof typeof REFUSALS;
type ParamsOf<C extends RefusalCode> = Parameters<(typeof REFUSALS)[C]['en']>[0];

/** A refusal as the workflow sends it and the API passes it on. */
export interface Refusal<C extends RefusalCode = RefusalCode> {
  code: C;
  params: ParamsOf<C>;
}

export const isRefusalCode = (code: string): code is RefusalCode => Object.hasOwn(REFUSALS, code);

/** The refusal's text in a language. */
export function refusalIn(refusal: Refusal, lang: 'zh' | 'en'): string {
  const entry = REFUSALS[refusal.code] as Text<unknown>;
  return entry[lang](refusal.params);
}

/** A refusal as the API sends it: with its text in both languages, so no client needs the table. */
export interface WireRefusal extends Refusal {
  zh: string;
  en: string;
}
export const toWire = (refusal: Refusal): WireRefusal => ({ ...refusal, zh: refusalIn(refusal, 'zh'), en: refusalIn(refusal, 'en') });
