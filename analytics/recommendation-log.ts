/**
 * Recommendations (三项建议) in DuckDB: the row the metrics read (one per recommendation, with
 * the China date of each step) and the events of its workflow. Every write is idempotent, so
 * a retried activity changes nothing the first attempt wrote: rows are inserted with
 * ON CONFLICT DO NOTHING and a step's date is set only while it is still null.
 */
import { z } from 'zod';
import type { RecommendationFeedback, RecommendationIssue } from '../domain/recommendation.js';
import type { CaseOrigin } from './case-log.js';
import type { AnalyticsStore } from './store.js';

export interface RecommendationEvent {
  recommendationId: string;
  type: 'issued' | 'reminder' | 'feedback_overdue' | 'feedback';
  /** Distinguishes repeated events of a type (reminders). */
  key?: string;
  occurredAt: string;
  /** The organ that owes the feedback. */
  organ: string;
  actor?: string;
  dueDate?: string;
  rule?: string;
  detail?: Record<string, string | number | boolean | null>;
}

const INSERT_EVENT = `
  INSERT INTO recommendation_events (event_id, recommendation_id, event_type, occurred_at, organ, actor, due_date, rule, detail)
  VALUES ($1, $2, $3, $4::TIMESTAMPTZ, $5, $6, $7::DATE, $8, $9::JSON)
  ON CONFLICT DO NOTHING`;

const eventParams = (e: RecommendationEvent) => [
  `${e.recommendationId}/${e.type}${e.key ? `/${e.key}` : ''}`,
  e.recommendationId,
  e.type,
  e.occurredAt,
  e.organ,
  e.actor ?? null,
  e.dueDate ?? null,
  e.rule ?? null,
  e.detail ? JSON.stringify(e.detail) : null,
];

export async function recordRecommendationEvent(store: AnalyticsStore, event: RecommendationEvent): Promise<void> {
  await store.run(INSERT_EVENT, eventParams(event));
}

/** The recommendation with its feedback due date, and its `issued` event, in one transaction. */
export async function recordRecommendationIssued(
  store: AnalyticsStore,
  rec: RecommendationIssue,
  feedbackDue: string | null,
  origin: CaseOrigin,
  issued: RecommendationEvent,
): Promise<void> {
  await store.transaction(async (conn) => {
    await conn.run(
      `INSERT INTO recommendations (recommendation_id, jurisdiction, region_code, issued_by, to_organ, kind, issued_date,
                                    feedback_due, case_id, summary, origin)
       VALUES ($1, $2, $3, $4, $5, $6, $7::DATE, $8::DATE, $9, $10, $11)
       ON CONFLICT DO NOTHING`,
      [
        rec.recommendationId,
        rec.jurisdiction,
        rec.regionCode,
        rec.issuedBy,
        rec.toOrgan,
        rec.kind,
        rec.issuedDate,
        feedbackDue,
        rec.caseId ?? null,
        rec.summary ?? null,
        origin,
      ],
    );
    await conn.run(INSERT_EVENT, eventParams(issued));
  });
}

/** The breach of the feedback clock: its date on the row and the supervision record. */
export async function recordFeedbackOverdue(store: AnalyticsStore, overdueDate: string, event: RecommendationEvent): Promise<void> {
  await store.transaction(async (conn) => {
    await conn.run(
      `UPDATE recommendations SET feedback_overdue_date = $2::DATE
        WHERE recommendation_id = $1 AND feedback_overdue_date IS NULL`,
      [event.recommendationId, overdueDate],
    );
    await conn.run(INSERT_EVENT, eventParams(event));
  });
}

/** The organ's written feedback, once: a row that already has feedback keeps it. */
export async function recordFeedback(store: AnalyticsStore, feedback: RecommendationFeedback, event: RecommendationEvent): Promise<void> {
  await store.transaction(async (conn) => {
    await conn.run(
      `UPDATE recommendations SET feedback_date = $2::DATE, adopted = $3, feedback_by = $4, feedback_note = $5
        WHERE recommendation_id = $1 AND feedback_date IS NULL`,
      [event.recommendationId, feedback.date, feedback.adopted, feedback.actor, feedback.note ?? null],
    );
    await conn.run(INSERT_EVENT, eventParams(event));
  });
}

const recommendationRow = z.object({
  recommendation_id: z.string(),
  jurisdiction: z.string(),
  region_code: z.string(),
  issued_by: z.string(),
  to_organ: z.string(),
  kind: z.string(),
  issued_date: z.string(),
  feedback_due: z.string().nullable(),
  feedback_date: z.string().nullable(),
  adopted: z.boolean().nullable(),
  feedback_overdue_date: z.string().nullable(),
  feedback_by: z.string().nullable(),
  feedback_note: z.string().nullable(),
  case_id: z.string().nullable(),
  summary: z.string().nullable(),
  origin: z.string(),
});
export type RecommendationRow = z.infer<typeof recommendationRow>;

const COLUMNS = `recommendation_id, jurisdiction, region_code, issued_by, to_organ, kind, issued_date::VARCHAR AS issued_date,
  feedback_due::VARCHAR AS feedback_due, feedback_date::VARCHAR AS feedback_date, adopted,
  feedback_overdue_date::VARCHAR AS feedback_overdue_date, feedback_by, feedback_note, case_id, summary, origin`;

export async function getRecommendation(store: AnalyticsStore, id: string): Promise<RecommendationRow | null> {
  const [row] = await store.all(recommendationRow, `SELECT ${COLUMNS} FROM recommendations WHERE recommendation_id = $1`, [id]);
  return row ?? null;
}

const totalsRow = z.object({ issued: z.number(), feedback: z.number(), adopted: z.number(), overdue: z.number(), awaiting: z.number() });

/**
 * The recommendations issued in a year by the offices of a region (a district; a city with its
 * districts, through the region hierarchy; null: all), newest first, with the year's totals.
 */
export async function listRecommendations(store: AnalyticsStore, filter: { region: string | null; year: number; limit: number }) {
  const where = `($1::VARCHAR IS NULL OR region_code = $1 OR region_code IN (SELECT code FROM regions WHERE parent_code = $1))
                 AND year(issued_date) = $2::INTEGER`;
  const params = [filter.region, filter.year];
  const [totals] = await store.all(
    totalsRow,
    `SELECT count(*)::INTEGER AS issued,
            count(feedback_date)::INTEGER AS feedback,
            count(*) FILTER (WHERE adopted)::INTEGER AS adopted,
            count(feedback_overdue_date)::INTEGER AS overdue,
            count(*) FILTER (WHERE feedback_date IS NULL)::INTEGER AS awaiting
       FROM recommendations WHERE ${where}`,
    params,
  );
  const rows = await store.all(
    recommendationRow,
    `SELECT ${COLUMNS} FROM recommendations WHERE ${where}
      ORDER BY issued_date DESC, recommendation_id LIMIT $3::INTEGER`,
    [...params, filter.limit],
  );
  return { totals: totals!, recommendations: rows };
}

const eventRow = z.object({
  event_type: z.string(),
  occurred_at: z.string(),
  organ: z.string(),
  actor: z.string().nullable(),
  due_date: z.string().nullable(),
  rule: z.string().nullable(),
  detail: z.string().nullable(),
});

export async function recommendationEventsOf(store: AnalyticsStore, id: string) {
  const rows = await store.all(
    eventRow,
    `SELECT event_type, occurred_at::VARCHAR AS occurred_at, organ, actor, due_date::VARCHAR AS due_date, rule, detail::VARCHAR AS detail
       FROM recommendation_events WHERE recommendation_id = $1 ORDER BY occurred_at, recorded_at, event_id`,
    [id],
  );
  return rows.map(({ detail, ...e }) => ({ ...e, detail: detail === null ? null : (JSON.parse(detail) as unknown) }));
}
