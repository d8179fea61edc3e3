/** The names of a case's stages and of the steps it owes, in the page's language. */
import type { CaseSummary } from '../../../analytics/case-log.js';
import { t } from '../i18n.js';

export const STAGES: Record<CaseSummary['stage'], [string, string]> = {
  awaiting_route: ['待转送', 'awaiting routing'],
  awaiting_notice: ['待告知', 'awaiting notice'],
  awaiting_acceptance: ['待受理', 'awaiting acceptance'],
  handling: ['办理中', 'being handled'],
  review_window: ['复查申请期', 'review window'],
  in_review: ['复查中', 'in review'],
  re_review_window: ['复核申请期', 're-review window'],
  in_re_review: ['复核中', 'in re-review'],
  closed: ['已办结', 'closed'],
};
const STEPS: Record<string, [string, string]> = {
  route: ['转送', 'routing'], notify: ['告知', 'notice'], handle: ['办理', 'handling'], assigned: ['交办结果', 'assigned result'], review: ['复查', 'review'], reReview: ['复核', 're-review'],
};

export const stepName = (step: string): string => t(...(STEPS[step] ?? [step, step]));
