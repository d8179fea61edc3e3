import { listValue, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { CASE_EVENT_TYPES, caseEventId, type CaseEvent, type CaseIntake } from '../domain/case.js';
import { OWED_STEPS, type OwedStep } from '../domain/case-clocks.js';
import { chinaDateOf } from '../rules/plain-date.js';
import type { CaseStage } from '../workflows/case-actions.js';
import { refreshCaseFacts } from './facts.js';
import type { AnalyticsStore } from './store.js';

export type CaseOrigin = 'workflow' | 'demo' | 'import';

type Cell = string | number | null;
interface Column<Row> {
  name: string;
  /** SQL type the text or number is cast to on insert. */
  type: 'VARCHAR' | 'INTEGER' | 'BOOLEAN' | 'DATE' | 'TIMESTAMPTZ' | 'JSON';
  value: (row: Row) => Cell;
}
interface TableWriter<Row> {
  table: string;
  columns: Column<Row>[];
}

// Each table's columns are declared once and serve both the single-row insert (a workflow
// activity) and the bulk path (Appender into a staging table, then one INSERT ... SELECT).
// Both inserts are idempotent: a row whose key is present is left as it is, so an activity
// retried after a lost acknowledgement never writes twice.
const caseWriter: TableWriter<{ intake: CaseIntake; origin: CaseOrigin }> = {
  table: 'cases',
  columns: [
    { name: 'case_id', type: 'VARCHAR', value: (r) => r.intake.caseId },
    { name: 'received_at', type: 'TIMESTAMPTZ', value: (r) => r.intake.receivedAt },
    { name: 'received_date', type: 'DATE', value: (r) => chinaDateOf(new Date(r.intake.receivedAt)) },
    { name: 'channel', type: 'VARCHAR', value: (r) => r.intake.channel },
    { name: 'region_code', type: 'VARCHAR', value: (r) => r.intake.regionCode },
    { name: 'field', type: 'VARCHAR', value: (r) => r.intake.field ?? null },
    { name: 'collective_size', type: 'INTEGER', value: (r) => r.intake.collectiveSize },
    { name: 'summary', type: 'VARCHAR', value: (r) => r.intake.summary ?? null },
    { name: 'origin', type: 'VARCHAR', value: (r) => r.origin },
    { name: 'jurisdiction', type: 'VARCHAR', value: (r) => r.intake.jurisdiction },
    { name: 'street_code', type: 'VARCHAR', value: (r) => r.intake.streetCode ?? null },
    { name: 'petition_class', type: 'VARCHAR', value: (r) => r.intake.petitionClass ?? null },
    { name: 'petitioner_id', type: 'VARCHAR', value: (r) => r.intake.petitionerId ?? null },
    { name: 'repeat_petition', type: 'BOOLEAN', value: (r) => flag(r.intake.repeatPetition) },
    { name: 'skip_level', type: 'BOOLEAN', value: (r) => flag(r.intake.skipLevel) },
    { name: 'organ_code', type: 'VARCHAR', value: (r) => r.intake.organCode ?? null },
  ],
};

function flag(value: boolean | undefined): string | null {
  return value === undefined ? null : String(value);
}

const eventWriter: TableWriter<CaseEvent> = {
  table: 'case_events',
  columns: [
    { name: 'event_id', type: 'VARCHAR', value: (e) => caseEventId(e) },
    { name: 'case_id', type: 'VARCHAR', value: (e) => e.caseId },
    { name: 'event_type', type: 'VARCHAR', value: (e) => e.type },
    { name: 'occurred_at', type: 'TIMESTAMPTZ', value: (e) => e.occurredAt },
    { name: 'actor', type: 'VARCHAR', value: (e) => e.actor ?? null },
    { name: 'due_date', type: 'DATE', value: (e) => e.dueDate ?? null },
    { name: 'detail', type: 'JSON', value: (e) => (e.detail ? JSON.stringify(e.detail) : null) },
  ],
};

function insertOne<Row>(writer: TableWriter<Row>, conn: DuckDBConnection, row: Row): Promise<unknown> {
  const names = writer.columns.map((c) => c.name).join(', ');
  const values = writer.columns.map((c, i) => `$${i + 1}::${c.type}`).join(', ');
  return conn.run(
    `INSERT INTO ${writer.table} (${names}) VALUES (${values}) ON CONFLICT DO NOTHING`,
    writer.columns.map((c) => c.value(row)),
  );
}

/** Bulk insert: `fill` stages every row through the Appender, then one statement inserts them. */
async function insertMany<Row>(
  writer: TableWriter<Row>,
  conn: DuckDBConnection,
  fill: (stage: (row: Row) => void) => void,
): Promise<void> {
  const staging = `staging_${writer.table}`;
  const stagedTypes = writer.columns.map((c) => `${c.name} ${c.type === 'INTEGER' ? 'INTEGER' : 'VARCHAR'}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${staging} (${stagedTypes.join(', ')})`);
  const appender = await conn.createAppender(staging, 'main', 'temp');
  fill((row) => appendRow(appender, writer, row));
  appender.closeSync();
  const names = writer.columns.map((c) => c.name).join(', ');
  const casts = writer.columns.map((c) => `${c.name}::${c.type}`).join(', ');
  await conn.run(`INSERT INTO ${writer.table} (${names}) SELECT ${casts} FROM temp.main.${staging} ON CONFLICT DO NOTHING`);
  await conn.run(`DROP TABLE temp.main.${staging}`);
}

function appendRow<Row>(appender: DuckDBAppender, writer: TableWriter<Row>, row: Row): void {
  for (const column of writer.columns) {
    const cell = column.value(row);
    if (cell === null) appender.appendNull();
    else if (typeof cell === 'number') appender.appendInteger(cell);
    else appender.appendVarchar(cell);
  }
  appender.endRow();
}

/** Records a case at receipt together with its `received` event, in one transaction. */
export async function recordIntake(
  store: AnalyticsStore,
  intake: CaseIntake,
  received: CaseEvent,
  origin: CaseOrigin,
): Promise<void> {
  await store.transaction(async (conn) => {
    await insertOne(caseWriter, conn, { intake, origin });
    await insertOne(eventWriter, conn, received);
    await refreshCaseFacts(conn, { caseId: intake.caseId });
  });
}

export async function recordEvent(store: AnalyticsStore, event: CaseEvent): Promise<void> {
  await store.transaction(async (conn) => {
    await insertOne(eventWriter, conn, event);
    await refreshCaseFacts(conn, { caseId: event.caseId, pressed: event.type === 'pressed' });
  });
}

/** Records many cases with their events in one transaction (demo data, imports). */
export async function recordHistory(
  store: AnalyticsStore,
  history: Iterable<{ intake: CaseIntake; events: CaseEvent[] }>,
  origin: CaseOrigin,
): Promise<number> {
  const events: CaseEvent[] = [];
  let count = 0;
  await store.transaction(async (conn) => {
    await insertMany(caseWriter, conn, (stage) => {
      for (const { intake, events: caseEvents } of history) {
        stage({ intake, origin });
        events.push(...caseEvents);
        count++;
      }
    });
    await insertMany(eventWriter, conn, (stage) => events.forEach(stage));
    await refreshCaseFacts(conn, 'transaction');
  });
  return count;
}

const eventRow = z.object({
  event_type: z.enum(CASE_EVENT_TYPES),
  occurred_at: z.string(),
  due_date: z.string().nullable(),
  actor: z.string().nullable(),
  /** What the step decided (the organ routed to, a reason, an outcome), as the workflow recorded it. */
  detail: z
    .string()
    .nullable()
    .transform((d) => (d === null ? null : (JSON.parse(d) as NonNullable<CaseEvent['detail']>))),
});
export type CaseEventRow = z.infer<typeof eventRow>;

export async function eventsOfCase(store: AnalyticsStore, caseId: string): Promise<CaseEventRow[]> {
  return store.all(
    eventRow,
    `SELECT event_type, strftime(timezone('UTC', occurred_at), '%Y-%m-%dT%H:%M:%SZ') AS occurred_at,
            due_date::VARCHAR AS due_date, actor, detail
       FROM case_events WHERE case_id = $caseId
      -- Steps taken in the same instant keep the order they were recorded in.
      ORDER BY occurred_at, recorded_at, event_id`,
    { caseId },
  );
}

/** Where a case can stand, as its events imply it (the workflow's stages, workflows/case-actions.ts). */
export const CASE_STAGES = [
  'awaiting_route',
  'awaiting_notice',
  'awaiting_acceptance',
  'handling',
  'review_window',
  'in_review',
  're_review_window',
  'in_re_review',
  'closed',
] as const satisfies readonly CaseStage[];
// A stage added to the workflow must be derived here too, or a list filter would miss it.
const everyStage: Exclude<CaseStage, (typeof CASE_STAGES)[number]> extends never ? true : never = true;
void everyStage;

/** The clocks an organ owes within a case (domain/case-clocks.ts); the petitioner's own windows are not owed. */
export const OVERDUE_STEPS = OWED_STEPS;
export type OverdueStep = OwedStep;

const caseListRow = z.object({
  case_id: z.string(),
  received_at: z.string(),
  channel: z.string(),
  region_code: z.string(),
  field: z.string().nullable(),
  origin: z.enum(['workflow', 'demo', 'import']),
  route_due: z.string().nullable(),
  routed: z.boolean(),
  route_overdue: z.boolean(),
  stage: z.enum(CASE_STAGES),
  petitioner_id: z.string().nullable(),
  presses: z.number(),
  next_step: z.enum(OVERDUE_STEPS).nullable(),
  next_due: z.string().nullable(),
  days_late: z.number().nullable(),
  total: z.number(),
});

export interface CaseSummary {
  case_id: string;
  received_at: string;
  channel: string;
  region_code: string;
  field: string | null;
  origin: CaseOrigin;
  /** The first clock's due date as recorded at receipt (the route clock, or notify for an organ's own intake). */
  route_due: string | null;
  routed: boolean;
  route_overdue: boolean;
  stage: CaseStage;
  /** A live workflow takes the case's actions: only a workflow's case, and only until it closes. */
  actionable: boolean;
  /** The petitioner's pseudonym (never the identity), when the case names one. */
  petitioner_id: string | null;
  /** How many times the petitioner pressed (催办) a late step of the case. */
  presses: number;
  /** The owed step whose deadline has passed undone, the longest late when several have. */
  overdue: { step: OverdueStep; due: string; daysLate: number } | null;
  /** The owed step due next when none is late: what the queue's "due within N days" sorts by. */
  due: { step: OverdueStep; due: string; daysLeft: number } | null;
}

type RegionScope = { region: string; level: 'city' | 'district' | 'street' };
/**
 * Whose cases a list may show: a region node and its subtree (a street matches on the case's
 * street), or the cases assigned to an organ (by its code or its name as routing recorded it),
 * optionally narrowed to a region's.
 */
export type CaseScope = RegionScope | { organs: string[]; within?: RegionScope };

export interface CaseListOptions {
  limit: number;
  /** The China date the overdue clocks are judged on. */
  today: string;
  origin?: CaseOrigin;
  scope?: CaseScope;
  /** Only the cases overdue (true) or not overdue (false) on `today`. */
  overdue?: boolean;
  stage?: CaseStage;
  /** Only the cases whose next owed deadline falls within this many days from `today` (not late). */
  dueWithin?: number;
  /** A case code or petitioner pseudonym, or part of one (case-insensitive). */
  search?: string;
  field?: string;
  /** An organ's code: the cases it holds or was routed. */
  organ?: string;
  /** A leader's user name: the cases the leader owns now (包案; the latest naming counts). */
  leader?: string;
}

function regionCondition(scope: RegionScope, params: Record<string, DuckDBValue>): string | null {
  // The city holds every case of the store's jurisdiction.
  if (scope.level === 'city') return null;
  params.region = scope.region;
  return scope.level === 'street' ? 'c.street_code = $region' : 'c.region_code = $region';
}

/**
 * Overdue, defined once: a case is overdue on `$today` (a China date) when one step it owes
 * has a due date before `$today`, that step is under way and not done, and the case is not
 * closed. The due dates are those the event log stores:
 *   route / notify  the `received` event's due date (notify when an organ, not a petition
 *                   office, took the case in), or the `route_overdue` / `notify_overdue` event's;
 *   notify          also the `routed` event's: the receiving organ's notice of acceptance of a
 *                   routed case (a case routed before that clock ran stores none);
 *   handle          an `extended` event's (the extended deadline) or `handle_overdue`'s;
 *   assigned        `assigned_overdue`'s (交办 result report);
 *   review          `review_overdue`'s;
 *   reReview        a `hearing_ended` event's (the deadline moved by the hearing) or
 *                   `re_review_overdue`'s, and not while a hearing is under way;
 * and for every clock a `reminder` event's (detail.step), which the workflow writes before it,
 * and a provisional deadline's (`deadline_provisional`, `deadline_recomputed`: detail.step).
 * The date stored last for a clock is its deadline: an extension or a hearing moves it later, a
 * provisional deadline computed again once its year's schedule is published either way.
 * A step is done by `routed`, `notified` (a routed case's notice: `accepted`, or
 * `not_accepted`, which closes it), `replied`, `assigned_reported`, `review_opinion`,
 * `re_review_opinion`. A live workflow writes `<step>_overdue` the instant its clock breaches,
 * so its cases are complete; a generated or imported case whose clock runs past the data's end
 * counts only where a due date was stored (route and notify always, handle once extended).
 */
const CASE_LIST = (where: string) => `
WITH events AS (
  SELECT case_id, event_type, due_date, detail, occurred_at,
         CASE event_type
           WHEN 'received' THEN CASE WHEN (detail->>'$.receivedBy') = 'organ' THEN 'notify' ELSE 'route' END
           WHEN 'route_overdue' THEN 'route'
           WHEN 'routed' THEN CASE WHEN due_date IS NOT NULL THEN 'notify' END
           WHEN 'notify_overdue' THEN 'notify'
           WHEN 'extended' THEN 'handle'
           WHEN 'handle_overdue' THEN 'handle'
           WHEN 'assigned_overdue' THEN 'assigned'
           WHEN 'review_overdue' THEN 'review'
           WHEN 'hearing_ended' THEN 'reReview'
           WHEN 're_review_overdue' THEN 'reReview'
           WHEN 'reminder' THEN detail->>'$.step'
           WHEN 'deadline_provisional' THEN detail->>'$.step'
           WHEN 'deadline_recomputed' THEN detail->>'$.step'
         END AS clock
    FROM case_events
),
facts AS (
  SELECT c.case_id, c.received_at, c.channel, c.region_code, c.field, c.origin, c.petitioner_id,
         (max(e.due_date) FILTER (WHERE e.event_type = 'received'))::VARCHAR AS route_due,
         coalesce(bool_or(e.event_type = 'route_overdue'), false) AS route_overdue,
         coalesce(bool_or(e.event_type = 'received' AND (e.detail->>'$.receivedBy') = 'organ'), false) AS by_organ,
         coalesce(bool_or(e.event_type = 'routed'), false) AS routed,
         coalesce(bool_or(e.event_type = 'routed' AND (e.detail->>'$.toKind') IN ('political-legal', 'discipline-inspection')), false) AS routed_out,
         coalesce(bool_or(e.event_type = 'notified'), false) AS notified,
         coalesce(bool_or(e.event_type = 'accepted'), false) AS accepted,
         coalesce(bool_or(e.event_type = 'not_accepted'), false) AS not_accepted,
         coalesce(bool_or(e.event_type = 'replied'), false) AS replied,
         coalesce(bool_or(e.event_type = 'assigned_reported'), false) AS assigned_reported,
         coalesce(bool_or(e.event_type = 'review_requested'), false) AS review_requested,
         coalesce(bool_or(e.event_type = 'review_opinion'), false) AS review_opinion,
         coalesce(bool_or(e.event_type = 're_review_requested'), false) AS re_review_requested,
         coalesce(bool_or(e.event_type = 're_review_opinion'), false) AS re_review_opinion,
         count(*) FILTER (WHERE e.event_type = 'hearing_started') > count(*) FILTER (WHERE e.event_type = 'hearing_ended') AS in_hearing,
         coalesce(bool_or(e.event_type = 'closed'), false) AS closed,
         (count(*) FILTER (WHERE e.event_type = 'pressed'))::INTEGER AS presses,
         arg_max(e.due_date, e.occurred_at) FILTER (WHERE e.clock = 'route') AS route_clock,
         arg_max(e.due_date, e.occurred_at) FILTER (WHERE e.clock = 'notify') AS notify_clock,
         arg_max(e.due_date, e.occurred_at) FILTER (WHERE e.clock = 'handle') AS handle_clock,
         arg_max(e.due_date, e.occurred_at) FILTER (WHERE e.clock = 'assigned') AS assigned_clock,
         arg_max(e.due_date, e.occurred_at) FILTER (WHERE e.clock = 'review') AS review_clock,
         arg_max(e.due_date, e.occurred_at) FILTER (WHERE e.clock = 'reReview') AS re_review_clock
    FROM cases c LEFT JOIN events e USING (case_id)
   WHERE ${where}
   GROUP BY c.case_id, c.received_at, c.channel, c.region_code, c.field, c.origin, c.petitioner_id
),
staged AS (
  SELECT *,
         -- As the workflow moves its stage; a closing step closes the case before its 'closed' event is written.
         CASE WHEN closed OR re_review_opinion OR not_accepted OR routed_out THEN 'closed'
              WHEN re_review_requested THEN 'in_re_review'
              WHEN review_opinion THEN 're_review_window'
              WHEN review_requested THEN 'in_review'
              WHEN replied THEN 'review_window'
              WHEN accepted THEN 'handling'
              WHEN routed THEN 'awaiting_acceptance'
              WHEN by_organ THEN 'awaiting_notice'
              ELSE 'awaiting_route' END AS stage
    FROM facts
),
owed AS (
  -- Each step under way and not done, with its deadline (past or not).
  SELECT *,
         CASE WHEN stage <> 'closed' AND NOT by_organ AND NOT routed THEN route_clock END AS owed_route,
         CASE WHEN stage <> 'closed' AND ((by_organ AND NOT notified) OR (routed AND NOT accepted)) THEN notify_clock END AS owed_notify,
         CASE WHEN stage <> 'closed' AND accepted AND NOT replied THEN handle_clock END AS owed_handle,
         CASE WHEN stage <> 'closed' AND NOT assigned_reported THEN assigned_clock END AS owed_assigned,
         CASE WHEN stage <> 'closed' AND review_requested AND NOT review_opinion THEN review_clock END AS owed_review,
         CASE WHEN stage <> 'closed' AND re_review_requested AND NOT re_review_opinion AND NOT in_hearing THEN re_review_clock END AS owed_re_review
    FROM staged
),
listed AS (
  -- The earliest owed deadline: late when before today (the longest late of the late steps), else the next one due.
  SELECT *, least(owed_route, owed_notify, owed_handle, owed_assigned, owed_review, owed_re_review) AS next_due FROM owed
)
SELECT case_id, strftime(timezone('UTC', received_at), '%Y-%m-%dT%H:%M:%SZ') AS received_at, channel, region_code, field, origin, petitioner_id,
       route_due, routed, route_overdue, stage, presses,
       CASE next_due WHEN owed_route THEN 'route' WHEN owed_notify THEN 'notify' WHEN owed_handle THEN 'handle'
                     WHEN owed_assigned THEN 'assigned' WHEN owed_review THEN 'review' WHEN owed_re_review THEN 'reReview' END AS next_step,
       next_due::VARCHAR AS next_due,
       ($today::DATE - next_due)::INTEGER AS days_late,
       count(*) OVER ()::INTEGER AS total
  FROM listed
 WHERE ($overdue::BOOLEAN IS NULL OR coalesce(next_due < $today::DATE, false) = $overdue::BOOLEAN)
   AND ($stage::VARCHAR IS NULL OR stage = $stage::VARCHAR)
   AND ($dueWithin::INTEGER IS NULL OR next_due BETWEEN $today::DATE AND $today::DATE + $dueWithin::INTEGER)
 -- An overdue list shows the longest late first, a due-soon list the soonest due; any other the most recently received.
 ORDER BY CASE WHEN $overdue::BOOLEAN OR $dueWithin::INTEGER IS NOT NULL THEN next_due END NULLS LAST, received_at DESC, case_id
 LIMIT $limit`;

/**
 * The cases within `scope` that pass the filters, with the state their events imply, and how
 * many pass in all (the list itself stops at `limit`).
 */
export async function listCases(store: AnalyticsStore, options: CaseListOptions): Promise<{ cases: CaseSummary[]; total: number }> {
  const scope = options.scope;
  const where = ['($origin::VARCHAR IS NULL OR c.origin = $origin::VARCHAR)'];
  const params: Record<string, DuckDBValue> = {
    limit: options.limit,
    today: options.today,
    origin: options.origin ?? null,
    overdue: options.overdue ?? null,
    stage: options.stage ?? null,
    dueWithin: options.dueWithin ?? null,
  };
  if (options.search) {
    params.search = `%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(c.case_id ILIKE $search ESCAPE '\\' OR c.petitioner_id ILIKE $search ESCAPE '\\')`);
  }
  if (options.field) {
    params.field = options.field;
    where.push('c.field = $field');
  }
  if (options.organ) {
    params.organ = options.organ;
    where.push(`(c.organ_code = $organ OR c.case_id IN (
      SELECT case_id FROM case_events WHERE event_type IN ('routed', 'accepted') AND ((detail->>'$.toOrgan') = $organ OR (detail->>'$.organ') = $organ)))`);
  }
  if (scope && 'organs' in scope) {
    params.organs = listValue(scope.organs);
    where.push(`(list_contains($organs::VARCHAR[], c.organ_code) OR c.case_id IN (
      SELECT case_id FROM case_events WHERE event_type IN ('routed', 'accepted')
         AND (list_contains($organs::VARCHAR[], detail->>'$.toOrgan') OR list_contains($organs::VARCHAR[], detail->>'$.organ'))))`);
    const within = scope.within && regionCondition(scope.within, params);
    if (within) where.push(within);
  } else if (scope) {
    const within = regionCondition(scope, params);
    if (within) where.push(within);
  }
  if (options.leader) {
    params.leader = options.leader;
    where.push(`c.case_id IN (
      SELECT case_id FROM case_events WHERE event_type = 'leader_assigned'
      QUALIFY row_number() OVER (PARTITION BY case_id ORDER BY occurred_at DESC, recorded_at DESC) = 1 AND (detail->>'$.leader') = $leader)`);
  }
  const rows = await store.all(caseListRow, CASE_LIST(where.join(' AND ')), params);
  return {
    total: rows[0]?.total ?? 0,
    cases: rows.map(({ next_step, next_due, days_late, total: _total, ...row }) => {
      const owed = next_step && next_due && days_late !== null ? { step: next_step, due: next_due, late: days_late } : null;
      return {
        ...row,
        actionable: row.origin === 'workflow' && row.stage !== 'closed',
        overdue: owed && owed.late > 0 ? { step: owed.step, due: owed.due, daysLate: owed.late } : null,
        due: owed && owed.late <= 0 ? { step: owed.step, due: owed.due, daysLeft: -owed.late } : null,
      };
    }),
  };
}

const caseWhereRow = z.object({ region_code: z.string(), street_code: z.string().nullable(), organ_code: z.string().nullable(), petitioner_id: z.string().nullable() });

/** Where a case lies and who holds it, to decide who may see it; null when DuckDB has no row yet. */
export async function caseWhereabouts(store: AnalyticsStore, caseId: string) {
  const [row] = await store.all(caseWhereRow, 'SELECT region_code, street_code, organ_code, petitioner_id FROM cases WHERE case_id = $caseId', { caseId });
  return row ?? null;
}

export async function countCases(store: AnalyticsStore): Promise<number> {
  const [row] = await store.all(z.object({ n: z.number() }), 'SELECT count(*)::INTEGER AS n FROM cases');
  return row?.n ?? 0;
}
