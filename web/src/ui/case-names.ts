/** The names of a case's stages, the steps it owes and the events of its log, in the page's language. */
import type { CaseSummary } from '../../../analytics/case-log.js';
import type { CaseEventType } from '../../../domain/case.js';
import { STAGE_NAMES } from '../../../domain/case-stages.js';
import { t } from '../i18n.js';

export const STAGES = Object.fromEntries(Object.entries(STAGE_NAMES).map(([stage, name]) => [stage, [name.zh, name.en]])) as Record<CaseSummary['stage'], [string, string]>;
const STEPS: Record<string, [string, string]> = {
  route: ['转送', 'routing'], notify: ['告知', 'notice'], handle: ['办理', 'handling'], assigned: ['交办结果', 'assigned result'], review: ['复查', 'review'], reReview: ['复核', 're-review'],
  reviewRequest: ['请求复查', 'review request'], reReviewRequest: ['请求复核', 're-review request'],
};

export const stepName = (step: string): string => t(...(STEPS[step] ?? [step, step]));

export const EVENTS: Record<CaseEventType, [string, string]> = {
  received: ['登记', 'registered'],
  routed: ['转送交办', 'routed'],
  route_overdue: ['转送逾期（督办）', 'routing overdue (supervised)'],
  notified: ['书面告知', 'notice given'],
  notify_overdue: ['告知逾期（督办）', 'notice overdue (supervised)'],
  accepted: ['受理', 'accepted'],
  not_accepted: ['不予受理', 'not accepted'],
  extended: ['延期', 'extended'],
  replied: ['答复', 'replied'],
  handle_overdue: ['办理逾期（督办）', 'handling overdue (supervised)'],
  assigned_reported: ['报送交办结果', 'assigned result reported'],
  assigned_overdue: ['交办结果逾期（督办）', 'assigned result overdue (supervised)'],
  rated: ['评价', 'rated'],
  pressed: ['催办', 'pressed by the petitioner'],
  review_requested: ['请求复查', 'review requested'],
  review_opinion: ['复查意见', 'review opinion'],
  review_overdue: ['复查逾期（督办）', 'review overdue (supervised)'],
  re_review_requested: ['请求复核', 're-review requested'],
  hearing_started: ['听证开始', 'hearing started'],
  hearing_ended: ['听证结束', 'hearing ended'],
  re_review_opinion: ['复核意见', 're-review opinion'],
  re_review_overdue: ['复核逾期（督办）', 're-review overdue (supervised)'],
  closed: ['办结', 'closed'],
  reminder: ['到期提醒', 'reminder'],
  leader_assigned: ['领导包案', 'leader owns the case'],
  deadline_provisional: ['期限暂定（该年放假安排未公布）', 'deadline provisional (the year’s holiday schedule is unpublished)'],
  deadline_recomputed: ['期限重新计算', 'deadline computed again'],
};
export const eventName = (type: CaseEventType): string => t(...EVENTS[type]);
