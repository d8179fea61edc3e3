import { recordFeedback, recordFeedbackDue, recordFeedbackOverdue, recordRecommendationEvent, recordRecommendationIssued, type RecommendationEvent } from '../analytics/recommendation-log.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { RecommendationFeedback, RecommendationIssue } from '../domain/recommendation.js';
import { chinaCalendar } from '../rules/calendar.js';
import { caseRules } from '../rules/case-rules.js';
import { clockFor } from '../rules/compose.js';
import { clockDeadline, type Deadline } from '../rules/deadline.js';
import type { PlainDate } from '../rules/plain-date.js';

/** What a recommendation's workflow needs of its rules, fixed on the day of issue and kept in its history. */
export interface RecommendationPlan {
  packs: string[];
  deadline: Deadline;
  reminders: { daysBefore: number; to: string }[];
  /** The rule that sets the clock, to cite in the supervision record. */
  cite: string;
}

/**
 * The feedback clock from the packs in force on the day of issue: a local activity, like a
 * case's deadlines, so a later pack or calendar never changes how a recommendation replays.
 */
export const recommendationPlanning = {
  async planRecommendation(request: { jurisdiction: string; issuedDate: PlainDate }): Promise<RecommendationPlan> {
    const rules = caseRules(request.jurisdiction, request.issuedDate);
    const clock = clockFor(rules, 'recommendationFeedback');
    return {
      packs: rules.packs.map((p) => `${p.id}@${p.version}`),
      deadline: clockDeadline(clock, request.issuedDate, chinaCalendar()),
      reminders: clock.rule.reminders ?? [],
      cite: `${clock.from.titleZh} ${clock.rule.source.article ?? ''} [${clock.from.pack}]`.replace('  ', ' '),
    };
  },
};

export type RecommendationPlanning = typeof recommendationPlanning;

/** The recommendation workflow's writes: the only place its steps reach DuckDB. */
export function createRecommendationActivities(store: AnalyticsStore) {
  return {
    async recordRecommendationIssued(rec: RecommendationIssue, feedbackDue: string, issued: RecommendationEvent): Promise<void> {
      await recordRecommendationIssued(store, rec, feedbackDue, 'workflow', issued);
    },
    async recordRecommendationEvent(event: RecommendationEvent): Promise<void> {
      await recordRecommendationEvent(store, event);
    },
    /** A provisional feedback deadline held, or computed again: the row's due date follows. */
    async recordRecommendationDeadline(event: RecommendationEvent & { dueDate: string }): Promise<void> {
      await recordFeedbackDue(store, event);
    },
    async recordFeedbackOverdue(overdueDate: string, event: RecommendationEvent): Promise<void> {
      await recordFeedbackOverdue(store, overdueDate, event);
    },
    async recordRecommendationFeedback(feedback: RecommendationFeedback, event: RecommendationEvent): Promise<void> {
      await recordFeedback(store, feedback, event);
    },
  };
}

export type RecommendationActivities = ReturnType<typeof createRecommendationActivities>;
