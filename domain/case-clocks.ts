/**
 * The clocks of petition work by step, and the supervision (督办) record a case writes when one
 * runs out: one vocabulary for the workflows' clocks, the case log and the pages.
 */
import type { CaseStep } from '../rules/pack.js';
import type { CaseEventType } from './case.js';

/**
 * A step with a clock: one whose days a pack sets (CASE_STEPS), or the result of an assignment
 * (交办), whose due date the assigning office decides when it assigns.
 */
export type ClockStep = CaseStep | 'assigned';

/**
 * The supervision record a case writes when a step's clock runs out, or null for a clock no
 * organ owes within the case: the petitioner's own windows (their end makes the last opinion
 * final) and the feedback on a recommendation, which its own workflow records
 * (feedback_overdue). Keyed by every step, so a clock added to the packs is decided here.
 */
export const SUPERVISION_RECORDS = {
  route: 'route_overdue',
  notify: 'notify_overdue',
  assigned: 'assigned_overdue',
  handle: 'handle_overdue',
  reviewRequest: null,
  review: 'review_overdue',
  reReviewRequest: null,
  reReview: 're_review_overdue',
  recommendationFeedback: null,
} as const satisfies Record<ClockStep, CaseEventType | null>;

/** A clock an organ owes within a case: its breach is a supervision record, and the petitioner may press (催办) it. */
export type OwedStep = { [S in ClockStep]: (typeof SUPERVISION_RECORDS)[S] extends null ? never : S }[ClockStep];

/** The owed steps in the order of a case. */
export const OWED_STEPS = ['route', 'notify', 'assigned', 'handle', 'review', 'reReview'] as const satisfies readonly OwedStep[];
// A step given a supervision record must be listed here too.
const everyOwedStep: Exclude<OwedStep, (typeof OWED_STEPS)[number]> extends never ? true : never = true;
void everyOwedStep;
