import { listValue, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { caseEventId, type CaseEvent, type CaseIntake } from '../domain/case.js';
import { chinaDateOf } from '../rules/plain-date.js';
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
    await refreshCaseFacts(conn, { caseId: event.caseId });
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
  event_type: z.string(),
  occurred_at: z.string(),
  due_date: z.string().nullable(),
  actor: z.string().nullable(),
});
export type CaseEventRow = z.infer<typeof eventRow>;

export async function eventsOfCase(store: AnalyticsStore, caseId: string): Promise<CaseEventRow[]> {
  return store.all(
    eventRow,
    `SELECT event_type, strftime(timezone('UTC', occurred_at), '%Y-%m-%dT%H:%M:%SZ') AS occurred_at,
            due_date::VARCHAR AS due_date, actor
       FROM case_events WHERE case_id = $caseId
      -- Steps taken in the same instant keep the order they were recorded in.
      ORDER BY occurred_at, recorded_at, event_id`,
    { caseId },
  );
}

const caseSummaryRow = z.object({
  case_id: z.string(),
  received_at: z.string(),
  channel: z.string(),
  region_code: z.string(),
  field: z.string().nullable(),
  origin: z.string(),
  route_due: z.string().nullable(),
  routed: z.boolean(),
  route_overdue: z.boolean(),
});
export type CaseSummary = z.infer<typeof caseSummaryRow>;

/**
 * Whose cases a list may show: a region node and its subtree (a street matches on the case's
 * street), or the cases assigned to an organ (by its code or its name as routing recorded it).
 */
export type CaseScope = { region: string; level: 'city' | 'district' | 'street' } | { organs: string[] };

/** Most recently received cases with the state their events imply, within `scope`. */
export async function recentCases(store: AnalyticsStore, options: { limit: number; origin?: CaseOrigin; scope?: CaseScope }): Promise<CaseSummary[]> {
  const scope = options.scope;
  const where = ['($origin::VARCHAR IS NULL OR c.origin = $origin::VARCHAR)'];
  const params: Record<string, DuckDBValue> = { limit: options.limit, origin: options.origin ?? null };
  if (scope && 'organs' in scope) {
    params.organs = listValue(scope.organs);
    where.push(`(list_contains($organs::VARCHAR[], c.organ_code) OR c.case_id IN (
      SELECT case_id FROM case_events WHERE event_type IN ('routed', 'accepted')
         AND (list_contains($organs::VARCHAR[], detail->>'$.toOrgan') OR list_contains($organs::VARCHAR[], detail->>'$.organ'))))`);
  } else if (scope && scope.level !== 'city') {
    params.region = scope.region;
    where.push(scope.level === 'street' ? 'c.street_code = $region' : 'c.region_code = $region');
  }
  return store.all(
    caseSummaryRow,
    `SELECT c.case_id, strftime(timezone('UTC', c.received_at), '%Y-%m-%dT%H:%M:%SZ') AS received_at, c.channel,
            c.region_code, c.field, c.origin,
            (max(e.due_date) FILTER (WHERE e.event_type = 'received'))::VARCHAR AS route_due,
            coalesce(bool_or(e.event_type = 'routed'), false) AS routed,
            coalesce(bool_or(e.event_type = 'route_overdue'), false) AS route_overdue
       FROM cases c LEFT JOIN case_events e USING (case_id)
      WHERE ${where.join(' AND ')}
      GROUP BY c.case_id, c.received_at, c.channel, c.region_code, c.field, c.origin
      ORDER BY c.received_at DESC, c.case_id
      LIMIT $limit`,
    params,
  );
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
