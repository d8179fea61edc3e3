/**
 * What the calendar covers and who holds a provisional deadline (暂定): a due date counted from
 * the statutory holidays alone, because its year's holiday schedule is not published yet
 * (rules/calendar.ts). The workflows record each such deadline and each one computed again in
 * its place (`deadline_provisional`, `deadline_recomputed`); the latest word on a step's
 * deadline says whether it is provisional now. Served by /api/health, the data coverage and
 * `xinfang calendar`.
 */
import { z } from 'zod';
import { chinaCalendar } from '../rules/calendar.js';
import { DUE_PROVISIONAL } from './recommendation-log.js';
import type { AnalyticsStore } from './store.js';

// The event that ends a step's clock: a provisional deadline of a step already taken is held by nobody.
const STEP_DONE: Record<string, string> = {
  route: 'routed',
  // The notice comes with the acceptance, of a case taken in directly or routed; a refusal closes the case.
  notify: 'accepted',
  handle: 'replied',
  assigned: 'assigned_reported',
  review: 'review_opinion',
  reReview: 're_review_opinion',
  reviewRequest: 'review_requested',
  reReviewRequest: 're_review_requested',
};

const CASES = `
WITH notes AS (
  SELECT case_id, detail->>'$.step' AS step,
         arg_max(event_type = 'deadline_provisional' OR coalesce((detail->>'$.provisional')::BOOLEAN, false), (occurred_at, recorded_at)) AS provisional
    FROM case_events WHERE event_type IN ('deadline_provisional', 'deadline_recomputed')
   GROUP BY ALL
)
SELECT count(DISTINCT n.case_id)::INTEGER AS n FROM notes n
 WHERE n.provisional
   AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = n.case_id
                     AND (e.event_type = 'closed' OR e.event_type = json_extract_string($done::JSON, '$.' || n.step)))`;

const RECOMMENDATIONS = `SELECT count(*)::INTEGER AS n FROM recommendations r WHERE r.feedback_date IS NULL AND ${DUE_PROVISIONAL}`;

// An accountability case's latest word on its rectification deadline: a step imposed or a decided
// date replaces it, closing ends it; a provisional one, or one computed again still provisional, holds.
const ACCOUNTABILITY = `
SELECT count(*) FILTER (WHERE provisional)::INTEGER AS n FROM (
  SELECT case_id,
         arg_max(event_type = 'deadline_provisional' OR (event_type = 'deadline_recomputed' AND coalesce((detail->>'$.provisional')::BOOLEAN, false)),
                 (occurred_at, recorded_at)) AS provisional
    FROM accountability_events WHERE event_type IN ('step_imposed', 'deadline_set', 'deadline_provisional', 'deadline_recomputed', 'closed')
   GROUP BY case_id)`;

const count = z.object({ n: z.number() });

/**
 * Open cases with a step whose deadline is provisional, recommendations awaiting feedback by a
 * provisional date, and open accountability cases whose rectification deadline is provisional.
 */
export async function provisionalDeadlineCounts(store: AnalyticsStore): Promise<{ cases: number; recommendations: number; accountability: number }> {
  const [cases] = await store.all(count, CASES, { done: JSON.stringify(STEP_DONE) });
  const [recommendations] = await store.all(count, RECOMMENDATIONS);
  const [accountability] = await store.all(count, ACCOUNTABILITY);
  return { cases: cases?.n ?? 0, recommendations: recommendations?.n ?? 0, accountability: accountability?.n ?? 0 };
}

/** The calendar's years (published up to `lastYear`, then the provisional ones) and who holds provisional dates. */
export async function calendarStatus(store: AnalyticsStore) {
  const calendar = chinaCalendar();
  return {
    published: { firstYear: calendar.firstYear, lastYear: calendar.lastYear },
    provisionalYears: [...calendar.provisionalYears],
    provisionalDeadlines: await provisionalDeadlineCounts(store),
  };
}
export type CalendarStatus = Awaited<ReturnType<typeof calendarStatus>>;
