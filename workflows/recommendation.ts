/**
 * One recommendation (三项建议: improve work, improve policy, pursue accountability) from a
 * petition office to an organ, and the organ's written feedback on whether it adopted it
 * (2022 Regulations art. 40; 2005 art. 36):
 *
 *   issued ─ feedback clock (the pack's recommendationFeedback, reminders as the pack says)
 *          ─ feedback (once) │ clock runs out: feedback_overdue, the supervision record against the organ
 *
 * After a breach the organ still owes the feedback: it is taken late and the breach stands.
 */
import { allHandlersFinished, condition, defineQuery, defineUpdate, patched, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { RecommendationEvent } from '../analytics/recommendation-log.js';
import type { RecommendationFeedback, RecommendationIssue } from '../domain/recommendation.js';
import type { Deadline } from '../rules/deadline.js';
import { chinaDateOf, parsePlainDate } from '../rules/plain-date.js';
import { PROVISIONAL_CALENDAR_PATCH, recomputedBecause, runClock, sameDeadline, type Clock } from './case-clock.js';
import type { RecommendationActivities, RecommendationPlanning } from './recommendation-activities.js';
import { refusalIn } from '../domain/refusals.js';
import { refuseFor } from './refuse.js';
import { DUE_DATE_PLANNING, RECORDING } from './retry-policies.js';

export const RECOMMENDATION_WORKFLOW_ID_PREFIX = 'recommendation/';

export interface RecommendationState {
  recommendation: RecommendationIssue;
  /** 'issuing' until the recommendation is on record in DuckDB. */
  stage: 'issuing' | 'awaiting_feedback' | 'feedback_given';
  /** Packs in force on the day of issue. */
  packs: string[];
  /** The feedback deadline with its explanation; null until planned. */
  deadline: Deadline | null;
  /** China date the feedback clock ran out, if it did (the supervision record's date). */
  overdueDate: string | null;
  feedback: (RecommendationFeedback & { recordedAt: string; late: boolean }) | null;
}

export const recommendationStateQuery = defineQuery<RecommendationState>('recommendationState');
export const recordFeedbackUpdate = defineUpdate<RecommendationState, [RecommendationFeedback]>('recordFeedback');

/** Why a second feedback is refused: the first one stands (also said once the workflow has ended). */
export function feedbackGiven(state: RecommendationState): string | null {
  const f = state.feedback;
  if (!f) return null;
  return refusalIn({ code: 'feedbackGiven', params: givenParams(state.recommendation.recommendationId, f) }, 'en');
}
const givenParams = (recommendationId: string, f: NonNullable<RecommendationState['feedback']>) => ({ recommendationId, adopted: f.adopted, date: f.date, actor: f.actor });

const { planRecommendation } = proxyLocalActivities<RecommendationPlanning>(DUE_DATE_PLANNING);
const { recordRecommendationIssued, recordRecommendationEvent, recordFeedbackOverdue, recordRecommendationFeedback, recordRecommendationDeadline } =
  proxyActivities<RecommendationActivities>(RECORDING);

export async function recommendationWorkflow(input: RecommendationIssue): Promise<RecommendationState> {
  const issuedDate = parsePlainDate(input.issuedDate);
  const state: RecommendationState = {
    recommendation: input,
    stage: 'issuing',
    packs: [],
    deadline: null,
    overdueDate: null,
    feedback: null,
  };
  const event = (type: RecommendationEvent['type'], rest: Partial<RecommendationEvent> = {}): RecommendationEvent => ({
    recommendationId: input.recommendationId,
    type,
    occurredAt: new Date().toISOString(),
    organ: input.toOrgan,
    ...rest,
  });
  setHandler(recommendationStateQuery, () => state);

  // Feedback may arrive while the recommendation is being recorded; its record follows the issue.
  let issued = false;
  setHandler(
    recordFeedbackUpdate,
    async (feedback) => {
      state.feedback = { ...feedback, recordedAt: new Date().toISOString(), late: state.overdueDate !== null };
      state.stage = 'feedback_given';
      await condition(() => issued);
      await recordRecommendationFeedback(
        feedback,
        event('feedback', {
          actor: feedback.actor,
          ...(state.deadline ? { dueDate: state.deadline.due } : {}),
          detail: { adopted: feedback.adopted, date: feedback.date, note: feedback.note ?? null, late: state.feedback.late },
        }),
      );
      return state;
    },
    {
      validator: (feedback) => {
        const given = state.feedback;
        if (given) refuseFor('feedbackGiven', givenParams(state.recommendation.recommendationId, given));
        if (!feedback.actor.trim()) refuseFor('feedbackNoActor', {});
        const date = parsePlainDate(feedback.date);
        if (date < issuedDate) refuseFor('feedbackBeforeIssue', { date, issued: issuedDate });
        const today = chinaDateOf(new Date());
        if (date > today) refuseFor('feedbackAfterToday', { date, today });
        if (!feedback.adopted && !feedback.note?.trim()) refuseFor('notAdoptedNeedsReason', {});
      },
    },
  );

  const plan = await planRecommendation({ jurisdiction: input.jurisdiction, issuedDate });
  state.packs = plan.packs;
  state.deadline = plan.deadline;
  await recordRecommendationIssued(
    input,
    plan.deadline.due,
    event('issued', { actor: input.issuedBy, dueDate: plan.deadline.due, rule: plan.cite, detail: { kind: input.kind, packs: plan.packs.join(' ') } }),
  );
  issued = true;
  // Awaiting feedback once the recommendation is on record, so a reader who sees the stage finds the row.
  if (state.stage === 'issuing') state.stage = 'awaiting_feedback';

  // A provisional feedback deadline (暂定) is on record, and so is each one computed again in its place.
  let deadlineNotes = 0;
  const noteDeadline = async (held: Deadline | null, next: Deadline) => {
    if (!patched(PROVISIONAL_CALENDAR_PATCH)) return;
    deadlineNotes += 1;
    const detail: RecommendationEvent['detail'] = held
      ? { oldDue: held.due, newDue: next.due, provisional: next.provisional === true, reason: recomputedBecause(held, next) }
      : { years: (next.provisionalYears ?? []).join(',') };
    await recordRecommendationDeadline({
      ...event(held ? 'deadline_recomputed' : 'deadline_provisional', { key: String(deadlineNotes), rule: plan.cite, detail }),
      dueDate: next.due,
    });
  };
  if (plan.deadline.provisional) await noteDeadline(null, plan.deadline);

  const clock: Clock = { step: 'recommendationFeedback', deadline: plan.deadline, version: 0, paused: false, reminders: plan.reminders };
  await runClock(clock, {
    done: () => state.feedback !== null,
    remind: (c, reminder) =>
      recordRecommendationEvent(
        event('reminder', {
          key: `${c.deadline.due}:${reminder.daysBefore}`,
          dueDate: c.deadline.due,
          detail: { daysBefore: reminder.daysBefore, to: reminder.to },
        }),
      ),
    breach: async (c) => {
      const overdueDate = chinaDateOf(new Date(c.deadline.breachAt));
      state.overdueDate = overdueDate;
      await recordFeedbackOverdue(
        overdueDate,
        event('feedback_overdue', {
          occurredAt: c.deadline.breachAt,
          dueDate: c.deadline.due,
          rule: plan.cite,
          detail: { organ: input.toOrgan, kind: input.kind, issuedBy: input.issuedBy },
        }),
      );
    },
    // The same plan asked again: the packs of the day of issue, the calendar in force now.
    recheck: async (c) => {
      const again = (await planRecommendation({ jurisdiction: input.jurisdiction, issuedDate })).deadline;
      if (sameDeadline(c.deadline, again)) return;
      const held = c.deadline;
      c.deadline = again;
      c.version++;
      state.deadline = again;
      await noteDeadline(held, again);
    },
  });
  await condition(allHandlersFinished);
  return state;
}
