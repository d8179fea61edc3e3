import { listValue } from '@duckdb/node-api';
import { z } from 'zod';
import type { AnalyticsStore } from './store.js';

export interface DutyEvent {
  organ: string;
  dutyId: string;
  period: { label: string; start: string; end: string };
  type: 'period_opened' | 'evidence' | 'reminder' | 'met' | 'missed' | 'late_evidence';
  /** Distinguishes repeated events of a type (evidence items, reminders). */
  key: string;
  occurredAt: string;
  actor?: string;
  workflowId?: string;
  rule?: string;
  detail?: Record<string, string | number | boolean | null>;
}

// Idempotent: an event already present is left as it is, so a retried activity writes once.
const INSERT = `
  INSERT INTO duty_events (event_id, organ, duty_id, period_label, period_start, period_end, event_type,
                           occurred_at, actor, workflow_id, rule, detail)
  VALUES ($1, $2, $3, $4, $5::DATE, $6::DATE, $7, $8::TIMESTAMPTZ, $9, $10, $11, $12::JSON)
  ON CONFLICT DO NOTHING`;

export async function recordDutyEvent(store: AnalyticsStore, e: DutyEvent): Promise<void> {
  await store.run(INSERT, [
    `${e.organ}/${e.dutyId}/${e.period.label}/${e.type}/${e.key}`,
    e.organ,
    e.dutyId,
    e.period.label,
    e.period.start,
    e.period.end,
    e.type,
    e.occurredAt,
    e.actor ?? null,
    e.workflowId ?? null,
    e.rule ?? null,
    e.detail ? JSON.stringify(e.detail) : null,
  ]);
}

const eventRow = z.object({ event_type: z.string(), period_label: z.string(), actor: z.string().nullable(), workflow_id: z.string().nullable() });

export async function dutyEventsOf(store: AnalyticsStore, organ: string, dutyId: string) {
  return store.all(
    eventRow,
    `SELECT event_type, period_label, actor, workflow_id FROM duty_events
      WHERE organ = $1 AND duty_id = $2 ORDER BY occurred_at, recorded_at, event_id`,
    [organ, dutyId],
  );
}

/** The workflow that holds a period open, from the period's opening record. */
export async function periodWorkflowId(store: AnalyticsStore, organ: string, dutyId: string, label: string): Promise<string | null> {
  const [row] = await store.all(
    z.object({ workflow_id: z.string() }),
    `SELECT workflow_id FROM duty_events
      WHERE organ = $1 AND duty_id = $2 AND period_label = $3 AND event_type = 'period_opened'`,
    [organ, dutyId, label],
  );
  return row?.workflow_id ?? null;
}

/** One item of evidence as the period's events keep it; `late` when recorded after the period closed. */
export const evidenceItem = z.object({
  kind: z.string().nullable(),
  date: z.string().nullable(),
  reference: z.string().nullable(),
  actor: z.string().nullable(),
  late: z.boolean(),
});
export type EvidenceItem = z.infer<typeof evidenceItem>;
/** A period's evidence items, oldest first (empty when there is none). */
export const evidenceItems = evidenceItem.array().nullable().transform((items) => items ?? []);

/** The aggregate collecting a period's evidence items, for a query grouped by period. */
export const EVIDENCE_ITEMS = `list({'kind': detail->>'$.kind', 'date': detail->>'$.date', 'reference': detail->>'$.reference', 'actor': actor,
                                   'late': event_type = 'late_evidence'} ORDER BY occurred_at, recorded_at, event_id)
                              FILTER (WHERE event_type IN ('evidence', 'late_evidence'))`;

/** A period's standing: open (still due), met, late (missed, then evidenced after the close) or missed. */
export const DUTY_STATUSES = ['open', 'met', 'late', 'missed'] as const;
export type DutyStatus = (typeof DUTY_STATUSES)[number];

const calendarRow = z.object({
  organ: z.string(),
  duty_id: z.string(),
  period_label: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  status: z.enum(DUTY_STATUSES),
  evidence: z.number(),
  /** What was recorded, in the period and (late) after it closed. */
  evidence_items: evidenceItems,
  workflow_id: z.string().nullable(),
  /** The article imposing the duty, as the period's workflow cited it from the pack in force. */
  rule: z.string().nullable(),
});
export type DutyCalendarRow = z.infer<typeof calendarRow>;

/**
 * Each duty period of the organs given that overlaps a year: open, met, late (missed, then
 * evidenced after the close) or missed.
 */
export async function dutyCalendar(store: AnalyticsStore, organs: string[], year: number): Promise<DutyCalendarRow[]> {
  return store.all(
    calendarRow,
    `SELECT organ, duty_id, period_label, period_start::VARCHAR AS period_start, period_end::VARCHAR AS period_end,
            CASE WHEN bool_or(event_type = 'met') THEN 'met'
                 WHEN bool_or(event_type = 'missed') AND bool_or(event_type = 'late_evidence') THEN 'late'
                 WHEN bool_or(event_type = 'missed') THEN 'missed'
                 ELSE 'open' END AS status,
            count(*) FILTER (WHERE event_type = 'evidence')::INTEGER AS evidence,
            ${EVIDENCE_ITEMS} AS evidence_items,
            max(workflow_id) AS workflow_id,
            -- Late evidence is recorded outside the workflow, without the cite: any other event has it.
            max(rule) AS rule
       FROM duty_events
      WHERE list_contains($1::VARCHAR[], organ)
        AND period_start <= make_date($2::INTEGER, 12, 31) AND period_end >= make_date($2::INTEGER, 1, 1)
      GROUP BY organ, duty_id, period_label, period_start, period_end
      ORDER BY organ, duty_id, period_start`,
    [listValue(organs), year],
  );
}

/**
 * The forms a leader's reception takes (Beijing 2017 art. 12; 2022 Regulations art. 18): 在岗接访
 * at the post, 重点约访 by appointment, 带案下访 going down to the grassroots (migration 025).
 */
export const RECEPTION_MODES = ['at_post' /* 接访 */, 'appointment' /* 约访 */, 'going_down' /* 下访 */] as const;
export type ReceptionMode = (typeof RECEPTION_MODES)[number];

/** One record of a duty owed as needed (a reception day, an annotated letter, ...): see migration 015. */
export interface DutyRecord {
  organ: string;
  dutyId: string;
  kind: string;
  date: string;
  reference: string;
  /** A reception's form, when recorded. */
  mode?: ReceptionMode;
  participants?: string[];
  rule: string;
  actor: string;
  recordedAt: string;
}

/**
 * Keeps a record; false when the same record (organ, duty, kind, date, reference) is kept
 * already, so a resubmitted form does not count a reception day twice.
 */
export async function recordDutyRecord(store: AnalyticsStore, r: DutyRecord): Promise<boolean> {
  const inserted = await store.all(
    z.object({ record_id: z.string() }),
    `INSERT INTO duty_records (record_id, organ, duty_id, kind, record_date, reference, reception_mode, participants, rule, actor, recorded_at)
     VALUES ($id, $organ, $dutyId, $kind, $date::DATE, $reference, $mode, $participants, $rule, $actor, $recordedAt::TIMESTAMPTZ)
     ON CONFLICT DO NOTHING RETURNING record_id`,
    {
      id: `${r.organ}/${r.dutyId}/${r.kind}/${r.date}/${r.reference}`,
      organ: r.organ,
      dutyId: r.dutyId,
      kind: r.kind,
      date: r.date,
      reference: r.reference,
      mode: r.mode ?? null,
      participants: r.participants?.join('、') ?? null,
      rule: r.rule,
      actor: r.actor,
      recordedAt: r.recordedAt,
    },
  );
  return inserted.length > 0;
}

const recordRow = z.object({
  organ: z.string(),
  duty_id: z.string(),
  kind: z.string(),
  date: z.string(),
  reference: z.string(),
  mode: z.enum(RECEPTION_MODES).nullable(),
  participants: z.string().nullable(),
  rule: z.string(),
  actor: z.string(),
  recorded_at: z.string(),
});
export type DutyRecordRow = z.infer<typeof recordRow>;

/** The records of the organs given dated in a year, newest first. */
export async function dutyRecords(store: AnalyticsStore, organs: string[], year: number): Promise<DutyRecordRow[]> {
  return store.all(
    recordRow,
    `SELECT organ, duty_id, kind, record_date::VARCHAR AS date, reference, reception_mode AS mode, participants, rule, actor,
            strftime(timezone('UTC', recorded_at), '%Y-%m-%dT%H:%M:%SZ') AS recorded_at
       FROM duty_records
      WHERE list_contains($1::VARCHAR[], organ) AND year(record_date) = $2::INTEGER
      ORDER BY record_date DESC, recorded_at DESC, record_id`,
    [listValue(organs), year],
  );
}
