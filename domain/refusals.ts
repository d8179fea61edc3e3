/**
 * Why a case, recommendation, duty or accountability workflow (or a duty record) refuses an action, as data: each refusal a code with its parameters and
 * its text in Chinese and English. The workflow throws the code and its parameters (and the
 * English text, for logs and API clients); the dashboard shows the text in the user's language
 * from the same table, so the rule's reason reads the same wherever it is shown.
 */

import type { CaseStage, PressableStep } from '../workflows/case-actions.js';
import { STAGE_NAMES } from './case-stages.js';

type Text<P> = { zh: (p: P) => string; en: (p: P) => string };
const text = <P>(zh: (p: P) => string, en: (p: P) => string): Text<P> => ({ zh, en });

const stageZh = (stage: string) => STAGE_NAMES[stage as CaseStage]?.zh ?? stage;

/** The steps a press (催办) is against, by name. */
export const PRESS_STEP_NAMES: Record<PressableStep, { zh: string; en: string }> = {
  route: { zh: '转送交办', en: 'routing' },
  notify: { zh: '告知是否受理', en: 'notice of acceptance' },
  assigned: { zh: '报送交办结果', en: 'reporting the assigned result' },
  handle: { zh: '办理答复', en: 'handling and reply' },
  review: { zh: '复查', en: 'review' },
  reReview: { zh: '复核', en: 're-review' },
};
const stepsIn = (steps: string[], lang: 'zh' | 'en') => steps.map((s) => PRESS_STEP_NAMES[s as PressableStep]?.[lang] ?? s).join(lang === 'zh' ? '、' : ', ');

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
  nothingOverdue: text<Record<never, never>>(
    () => '本事项没有超过办理期限的环节，暂不能催办',
    () => 'no step of this case is past its deadline: nothing to press yet',
  ),
  alreadyPressedToday: text<{ steps: string[]; date: string }>(
    (p) => `${p.date} 已就“${stepsIn(p.steps, 'zh')}”催办过，每个超期环节每天只能催办一次`,
    (p) => `${stepsIn(p.steps, 'en')} already pressed on ${p.date}: each overdue step can be pressed once a day`,
  ),
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

const EVIDENCE_KIND_ZH: Record<string, string> = {
  meeting: '会议',
  report: '报告',
  inspection: '督查',
  letter: '阅批来信',
  research: '调查研究',
  notice: '通报',
  reception: '接待来访',
};
/** Evidence kinds travel as one comma-joined parameter (a refusal's parameters are scalars). */
const kindsZh = (kinds: string) => kinds.split(',').map((k) => EVIDENCE_KIND_ZH[k] ?? k).join('或');
const kindsEn = (kinds: string) => kinds.split(',').join(' or ');

/** Evidence of a duty (责任落实, DOMAIN §5): a period's evidence, and the records of as-needed duties. */
export const DUTY_REFUSALS = {
  periodClosed: text<{ label: string; status: string }>(
    (p) => `履行期 ${p.label} 已结束（${p.status === 'met' ? '已履行' : p.status === 'missed' ? '未履行' : p.status}）`,
    (p) => `the period ${p.label} is closed (${p.status})`,
  ),
  evidenceKind: text<{ cite: string; accepted: string; kind: string }>(
    (p) => `${p.cite} 以${kindsZh(p.accepted)}为履行证据，不接受${kindsZh(p.kind)}`,
    (p) => `${p.cite} is met by ${kindsEn(p.accepted)}, not ${p.kind}`,
  ),
  evidenceOutsidePeriod: text<{ date: string; start: string; end: string }>(
    (p) => `证据日期 ${p.date} 不在本期 ${p.start} 至 ${p.end} 之内，或晚于今日`,
    (p) => `evidence dated ${p.date} is outside the period ${p.start}..${p.end} or in the future`,
  ),
  evidenceNeedsReference: text<Record<never, never>>(
    () => '证据须写明文号（会议纪要、文件或报告编号）',
    () => 'evidence needs its reference (minutes, document or report number)',
  ),
  evidenceNeedsDays: text<{ minDays: number; period: string }>(
    (p) => `本职责按天数计算（每${p.period === 'year' ? '年' : p.period === 'quarter' ? '季度' : p.period === 'half-year' ? '半年' : p.period}至少 ${p.minDays} 天）：须写明天数`,
    (p) => `this duty counts days (at least ${p.minDays} a ${p.period}): give days`,
  ),
  dutyNotOwed: text<{ cite: string; organ: string; level: string }>(
    (p) => `${p.cite} 不适用于机关 ${p.organ}（${p.level}）`,
    (p) => `${p.cite} does not bind organ ${p.organ} (level ${p.level})`,
  ),
  lateEvidenceKept: text<{ label: string; status: string }>(
    (p) => `${p.label} 履行期已按“${p.status === 'met' ? '已履行' : p.status === 'missed' ? '未履行' : p.status}”结束；该证据作为逾期证据保存，不改变认定`,
    (p) => `the ${p.label} period closed as ${p.status}; the evidence is kept as late evidence and does not change the finding`,
  ),
  recordKept: text<{ reference: string; date: string }>(
    (p) => `${p.date} 的记录 ${p.reference} 已经保存，不重复计数`,
    (p) => `the record ${p.reference} of ${p.date} is kept already; it is not counted twice`,
  ),
};

const ACCOUNTABILITY_STAGE_ZH: Record<string, string> = {
  opening: '立案中',
  awaiting_deadline: '待定整改期限',
  rectifying: '整改中',
  submitted: '整改已提交',
  at_top: '待决定',
  closed: '已结案',
};

/** The ladder of an accountability case (追责, DOMAIN §6); a step travels as its id (English) and its Chinese name. */
export const ACCOUNTABILITY_REFUSALS = {
  deadlineNotAwaited: text<{ step: string; stepZh: string; hasDeadline: boolean }>(
    (p) => `“${p.stepZh}”${p.hasDeadline ? '已设定整改期限' : '不设整改期限'}`,
    (p) => `the ${p.step} step ${p.hasDeadline ? 'already has its deadline' : 'has no rectification deadline'}`,
  ),
  rectifyByNotAfterToday: text<{ rectifyBy: string }>((p) => `整改期限 ${p.rectifyBy} 须晚于今日`, (p) => `rectifyBy ${p.rectifyBy} must be after today`),
  nothingToRectify: text<{ stage: string }>(
    (p) => `案件处于“${ACCOUNTABILITY_STAGE_ZH[p.stage] ?? p.stage}”，没有待整改的事项`,
    (p) => `nothing to rectify while the case is ${p.stage}`,
  ),
  rectificationNeedsEvidence: text<Record<never, never>>(
    () => '提交整改须附证据（报告、纪要、文件）',
    () => 'rectification needs its evidence (report, minutes, documents)',
  ),
  noRectificationSubmitted: text<Record<never, never>>(() => '尚未提交整改', () => 'no rectification has been submitted'),
  accountabilityClosed: text<Record<never, never>>(() => '案件已结案', () => 'the case is closed'),
  topOfLadder: text<{ step: string; stepZh: string }>((p) => `“${p.stepZh}”已是最高一档处理`, (p) => `${p.step} is the top of the ladder`),
  escalationNeedsReason: text<Record<never, never>>(() => '升级须写明理由', () => 'an escalation needs its reason'),
  alreadyClosed: text<Record<never, never>>(() => '案件已经结案', () => 'the case is already closed'),
  closingNeedsReason: text<Record<never, never>>(() => '结案须写明理由', () => 'closing needs its reason'),
  // Measures imposed together with the first step (rules/ladder.ts).
  measureNotForGround: text<{ step: string; stepZh: string; ground: string; groundZh: string; allowed: string[]; allowedZh: string[] }>(
    (p) => `“${p.groundZh}”不适用“${p.stepZh}”（可采取：${p.allowedZh.join('、')}）`,
    (p) => `the ground ${p.ground} does not lead to ${p.step} (it leads to ${p.allowed.join(', ')})`,
  ),
  measureRepeated: text<{ step: string; stepZh: string }>((p) => `“${p.stepZh}”重复列出`, (p) => `${p.step} is named twice`),
  measuresNotCombinable: text<{ steps: string[]; stepsZh: string[] }>(
    (p) => `${p.stepsZh.map((s) => `“${s}”`).join('与')}不能合并使用：现行规定没有允许合并使用这些方式的条款`,
    (p) => `${p.steps.join(' and ')} cannot be imposed together: no rule in force lets these measures be combined`,
  ),
};

const REFUSALS = { ...CASE_REFUSALS, ...RECOMMENDATION_REFUSALS, ...DUTY_REFUSALS, ...ACCOUNTABILITY_REFUSALS };

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
