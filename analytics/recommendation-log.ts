/**
 * Recommendations (三项建议) in DuckDB: the row the metrics read (one per recommendation, with
 * the China date of each step) and the events of its workflow. Every write is idempotent, so
 * a retried activity changes nothing the first attempt wrote: rows are inserted with
 * ON CONFLICT DO NOTHING and a step's date is set only while it is still null.
 */
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import type { RecommendationFeedback, RecommendationIssue } from '../domain/recommendation.js';
import type { CaseOrigin } from './case-log.js';
import type { AnalyticsStore } from './store.js';

export interface RecommendationEvent {
  recommendationId: string;
  /** deadline_provisional / deadline_recomputed: the feedback clock held provisionally (暂定), and computed again. */
  type: 'issued' | 'reminder' | 'feedback_overdue' | 'feedback' | 'deadline_provisional' | 'deadline_recomputed';
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

/** A provisional feedback deadline, or the one computed again in its place: its date on the row and the event. */
export async function recordFeedbackDue(store: AnalyticsStore, event: RecommendationEvent & { dueDate: string }): Promise<void> {
  await store.transaction(async (conn) => {
    await conn.run('UPDATE recommendations SET feedback_due = $2::DATE WHERE recommendation_id = $1', [event.recommendationId, event.dueDate]);
    await conn.run(INSERT_EVENT, eventParams(event));
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

export const RECOMMENDATION_STATUSES = ['awaiting', 'overdue', 'answered'] as const;
export type RecommendationStatus = (typeof RECOMMENDATION_STATUSES)[number];

// A recommendation without feedback is overdue once its clock's breach is on record, or once its
// due date has passed (an imported row's breach is recorded only as of the day it was made).
const STATUS = `CASE WHEN r.feedback_date IS NOT NULL THEN 'answered'
                     WHEN r.feedback_overdue_date IS NOT NULL OR r.feedback_due < $today::DATE THEN 'overdue'
                     ELSE 'awaiting' END`;

/**
 * Whether recommendation `r`'s feedback due date is provisional: the latest word its workflow
 * recorded on the deadline is `deadline_provisional`, or a `deadline_recomputed` still provisional.
 */
export const DUE_PROVISIONAL = `coalesce((SELECT arg_max(e.event_type = 'deadline_provisional' OR (e.detail->>'$.provisional')::BOOLEAN, (e.occurred_at, e.recorded_at))
    FROM recommendation_events e WHERE e.recommendation_id = r.recommendation_id AND e.event_type IN ('deadline_provisional', 'deadline_recomputed')), false)`;

const listRow = recommendationRow.extend({
  status: z.enum(RECOMMENDATION_STATUSES),
  /** The rule the workflow cited when it set the clock; null for a row imported without its events. */
  rule: z.string().nullable(),
  /** The feedback due date is provisional (暂定): its year's holiday schedule was not published when it was computed. */
  due_provisional: z.boolean(),
});

export interface RecommendationFilter {
  /** The issuing offices' region: a district; a city with its districts, through the region hierarchy; null: all. */
  region: string | null;
  /** Only those addressed to one of these names of an organ (an organ's own list). */
  organs?: readonly string[];
  year: number;
  kind?: string;
  status?: RecommendationStatus;
  /** China date the status is read on. */
  today: string;
  limit: number;
}

/**
 * The recommendations issued in a year, newest first, each with its status, and the year's
 * totals (of every kind and status: the filters narrow the rows only).
 */
export async function listRecommendations(store: AnalyticsStore, filter: RecommendationFilter) {
  const params: Record<string, DuckDBValue> = { region: filter.region, year: filter.year };
  const where = [
    `($region::VARCHAR IS NULL OR r.region_code = $region OR r.region_code IN (SELECT code FROM regions WHERE parent_code = $region))`,
    'year(r.issued_date) = $year::INTEGER',
  ];
  if (filter.organs) {
    params.organs = listValue([...filter.organs]);
    where.push('list_contains($organs::VARCHAR[], r.to_organ)');
  }
  const [totals] = await store.all(
    totalsRow,
    `SELECT count(*)::INTEGER AS issued,
            count(feedback_date)::INTEGER AS feedback,
            count(*) FILTER (WHERE adopted)::INTEGER AS adopted,
            count(feedback_overdue_date)::INTEGER AS overdue,
            count(*) FILTER (WHERE feedback_date IS NULL)::INTEGER AS awaiting
       FROM recommendations r WHERE ${where.join(' AND ')}`,
    params,
  );
  const rows = await store.all(
    listRow,
    `SELECT ${COLUMNS}, ${STATUS} AS status,
            (SELECT max(e.rule) FROM recommendation_events e WHERE e.recommendation_id = r.recommendation_id AND e.event_type = 'issued') AS rule,
            ${DUE_PROVISIONAL} AS due_provisional
       FROM recommendations r
      WHERE ${where.join(' AND ')} AND ($kind::VARCHAR IS NULL OR r.kind = $kind) AND ($status::VARCHAR IS NULL OR ${STATUS} = $status)
      ORDER BY r.issued_date DESC, r.recommendation_id LIMIT $limit::INTEGER`,
    { ...params, today: filter.today, kind: filter.kind ?? null, status: filter.status ?? null, limit: filter.limit },
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

const organRow = z.object({ code: z.string(), name_zh: z.string(), level: z.string(), region_code: z.string() });
export type AddresseeOrgan = z.infer<typeof organRow>;

/**
 * The registry's organs of a region (a city with its districts', a district with its streets'),
 * those its offices address recommendations to. A street's leadership belongs to its district
 * (organs.region_code) and is its district's to address, not the city's.
 */
export async function organsOfRegion(store: AnalyticsStore, region: string): Promise<AddresseeOrgan[]> {
  return store.all(
    organRow,
    `SELECT code, name_zh, level, region_code FROM organs
      WHERE region_code = $region OR (street_code IS NULL AND region_code IN (SELECT code FROM regions WHERE parent_code = $region))
      ORDER BY region_code, code`,
    { region },
  );
}
