/**
 * The analysts' read-only SQL console (issue 14). Confinement is in the data layer, not in
 * trust of the SQL: each statement runs on a connection of its own in which TEMP views, named
 * like the tables they stand for, hold only the caller's jurisdiction and none of a
 * petitioner's identity; the statement may name nothing else (analytics/sql-guard.ts checks
 * DuckDB's parse of it), and an unqualified name finds the temp view before the table.
 *
 * Then a time limit (the connection is interrupted) and a row limit (rows are read until one
 * more than the limit has come, then the result is dropped with the connection).
 */
import {
  DuckDBDecimalType,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  doubleFromDecimalValue,
  type DuckDBConnection,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';
import { z } from 'zod';
import { deploymentZone, useZone } from './jurisdiction-zones.js';
import { checkStatement, offeredFunctions, readParse, SqlRefused, type GuardCatalog } from './sql-guard.js';
import type { AnalyticsStore } from './store.js';

export const DEFAULT_ROW_LIMIT = 1000;
export const MAX_ROW_LIMIT = 10_000;
export const MAX_SQL_LENGTH = 10_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

export type ConsoleErrorCode = 'sql_refused' | 'invalid_sql' | 'statement_timeout';

/** A statement the console refused or DuckDB could not run, with DuckDB's message where it has one. */
export class SqlConsoleError extends Error {
  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A SQL string literal: the only way a value enters the views' definitions (DDL takes no parameters). */
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

interface ViewContext {
  /** `"catalog".main.table`: qualified by the database, so it is the table and never the temp view of the same name. */
  table: (name: string) => string;
  /** `IN (...)` of the region codes of the jurisdiction. */
  within: string;
}

interface ConsoleView {
  name: string;
  description: string;
  sql: (c: ViewContext) => string;
}

// Columns are listed, never *, so a column a later migration adds (an identity) is not offered by accident.
const caseVisible = (alias: string, c: ViewContext) => `(${alias}.region_code ${c.within} OR ${alias}.street_code ${c.within})`;

/**
 * What the console offers. Left out everywhere: petitioner_id (the pseudonym links one
 * person's cases, which analysts, "figures, never a person", do not follow), the case summary
 * and the free text of events (a reply's summary, a rating's comment: they can name people),
 * and the actors of events. petitioner_identities, users, sessions and the audit log are not
 * offered at all.
 */
export const CONSOLE_VIEWS: readonly ConsoleView[] = [
  {
    name: 'cases',
    description: 'Cases received in your jurisdiction (district or street): the facts fixed at receipt',
    sql: (c) => `SELECT c.case_id, c.jurisdiction, c.received_at, c.received_date, c.channel, c.region_code, c.street_code, c.field, c.petition_class,
                        c.collective_size, c.repeat_petition, c.skip_level, c.organ_code, c.origin
                   FROM ${c.table('cases')} c WHERE ${caseVisible('c', c)}`,
  },
  {
    name: 'case_events',
    description: "The event log of those cases, with the structured fields of each event's detail",
    sql: (c) => `SELECT e.event_id, e.case_id, e.event_type, e.occurred_at, e.due_date, e.recorded_at,
                        e.detail->>'mode' AS mode, e.detail->>'toOrgan' AS to_organ, e.detail->>'toKind' AS to_kind, e.detail->>'organ' AS organ,
                        e.detail->>'outcome' AS outcome, TRY_CAST(e.detail->>'accepted' AS BOOLEAN) AS accepted,
                        TRY_CAST(e.detail->>'satisfied' AS BOOLEAN) AS satisfied, e.detail->>'level' AS rating_level, TRY_CAST(e.detail->>'late' AS BOOLEAN) AS late,
                        TRY_CAST(e.detail->>'days' AS INTEGER) AS days, CASE WHEN e.event_type = 'closed' THEN e.detail->>'reason' END AS closed_reason
                   FROM ${c.table('case_events')} e
                  WHERE e.case_id IN (SELECT c.case_id FROM ${c.table('cases')} c WHERE ${caseVisible('c', c)})`,
  },
  {
    name: 'case_facts',
    description: 'One row per case with the China date of each step: what the metrics count',
    sql: (c) => `SELECT f.case_id, f.jurisdiction, f.received_date, f.channel, f.region_code, f.street_code, f.field, f.petition_class, f.collective_size,
                        f.repeat_petition, f.skip_level, f.organ, f.registered_date, f.route_mode, f.routed_to_kind, f.register_overdue_date,
                        f.accepted_date, f.not_accepted_date, f.extended_date, f.replied_date, f.reply_outcome, f.handle_overdue_date,
                        f.assigned_overdue_date, f.assigned_reported_date, f.rated_date, f.satisfied, f.rating_level, f.review_requested_date,
                        f.review_opinion_date, f.review_changed, f.review_overdue_date, f.re_review_requested_date, f.re_review_opinion_date,
                        f.re_review_changed, f.re_review_overdue_date, f.closed_date, f.closed_reason
                   FROM ${c.table('case_facts')} f WHERE ${caseVisible('f', c)}`,
  },
  {
    name: 'alerts',
    description: 'Early-warning alerts of your region and the regions under it (as GET /api/v1/early-warning/alerts shows them)',
    sql: (c) => `SELECT a.alert_id, a.kind, a.method, a.level, a.region_code, a.field, a.channel, a.petition_class, a.subject, a.first_period, a.period,
                        a.run_length, a.observed, a.expected, a.upperbound, a.p_value, a.severity, a.base_severity, a.sensitive_period, a.detail,
                        a.status, a.decided_by, a.decided_at, a.decision_reason, a.scan_id, a.last_scan_id, a.first_seen, a.last_seen
                   FROM ${c.table('alerts')} a WHERE a.region_code ${c.within}`,
  },
  {
    name: 'regions',
    description: 'Your node of the region hierarchy and everything under it',
    sql: (c) => `SELECT r.code, r.parent_code, r.level, r.name_zh, r.name_en, r.population10k, r.jurisdiction FROM ${c.table('regions')} r WHERE r.code ${c.within}`,
  },
  {
    name: 'organs',
    description: 'The organs of the registry that belong to your region or one under it',
    sql: (c) => `SELECT o.code, o.name_zh, o.level, o.region_code, o.jurisdiction FROM ${c.table('organs')} o WHERE o.region_code ${c.within}`,
  },
];

const nameRow = z.object({ name: z.string() });
const codeRow = z.object({ code: z.string() });
const functionRow = z.object({ name: z.string(), kind: z.string(), macro: z.string().nullable() });

async function rows<T>(conn: DuckDBConnection, row: z.ZodType<T>, sql: string, params: Record<string, string> = {}): Promise<T[]> {
  return (await conn.runAndReadAll(sql, params)).getRowObjectsJson().map((r) => row.parse(r));
}

/**
 * The codes a region-scoped user reads: the node and everything under it, at most two levels
 * down; the rule of server/scope.ts regionContains, as a list.
 */
async function jurisdictionCodes(conn: DuckDBConnection, table: (name: string) => string, region: string): Promise<string[]> {
  const found = await rows(
    conn,
    codeRow,
    `SELECT r.code FROM ${table('regions')} r LEFT JOIN ${table('regions')} p ON p.code = r.parent_code
      WHERE r.code = $region OR r.parent_code = $region OR p.parent_code = $region`,
    { region },
  );
  return [...new Set([region, ...found.map((r) => r.code)])];
}

/**
 * Sets the connection up for a caller of `region`: its views, a search path of them alone, and
 * what the guard lets a statement name. Exported for the tests of the search path by itself.
 */
export async function prepareConsoleSession(conn: DuckDBConnection, region: string): Promise<GuardCatalog> {
  // The deployment's zone for casts and date_trunc, as the analysts read dates; on this connection only.
  await useZone(conn, await deploymentZone(conn));
  const [db] = await rows(conn, nameRow, 'SELECT current_database() AS name');
  const table = (name: string) => `${ident(db!.name)}.main.${ident(name)}`;
  const codes = await jurisdictionCodes(conn, table, region);
  const context: ViewContext = { table, within: `IN (${codes.map(literal).join(', ')})` };
  for (const view of CONSOLE_VIEWS) await conn.run(`CREATE TEMP VIEW ${ident(view.name)} AS ${view.sql(context)}`);
  // The second wall, should the guard ever misjudge DuckDB's scoping (a recursive CTE's anchor
  // binds its own name to the table of that name): on this connection an unqualified name finds
  // the temp views and nothing of the database. The views name their tables in full.
  await conn.run(`SET search_path = 'temp'`);
  const functions = await rows(conn, functionRow, 'SELECT function_name AS name, function_type AS kind, macro_definition AS macro FROM duckdb_functions()');
  const types = await rows(conn, nameRow, 'SELECT DISTINCT lower(type_name) AS name FROM duckdb_types()');
  return { views: new Set(CONSOLE_VIEWS.map((v) => v.name)), functions: offeredFunctions(functions), types: new Set(types.map((t) => t.name)) };
}

/**
 * JSON-safe values: BIGINT and HUGEINT as numbers while they are exact, else as text; DECIMAL
 * as a number up to 15 digits; dates and times as DuckDB writes them (timestamps with time
 * zone in UTC, `2025-01-10 02:00:00+00`); the rest as @duckdb/node-api's JSON conversion.
 */
const toJson: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (value === null) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (type.typeId === DuckDBTypeId.DECIMAL && type instanceof DuckDBDecimalType && type.width <= 15) return doubleFromDecimalValue(value);
  return JsonDuckDBValueConverter(value, type, converter);
};

export interface ConsoleColumn {
  name: string;
  type: string;
}

export interface ConsoleAnswer {
  region: string;
  columns: ConsoleColumn[];
  rows: Json[][];
  /** More rows than rowLimit came: the rest were not read. */
  truncated: boolean;
  rowLimit: number;
  elapsedMs: number;
  /** The console's views the statement read. */
  views: string[];
}

export interface ConsoleRequest {
  sql: string;
  /** The caller's node of the region hierarchy. */
  region: string;
  rowLimit?: number;
  timeoutMs?: number;
}

/** DuckDB's message without its "Binder Error: " kind: the kind is the API's code, and the message the caller's to read. */
const cleanMessage = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/^[A-Za-z ]+ Error: /, '').trim();

async function serialize(conn: DuckDBConnection, sql: string): Promise<string> {
  const [row] = await rows(conn, z.object({ json: z.string() }), 'SELECT json_serialize_sql($sql::VARCHAR) AS json', { sql });
  return row!.json;
}

export async function runConsole(store: AnalyticsStore, request: ConsoleRequest): Promise<ConsoleAnswer> {
  const rowLimit = request.rowLimit ?? DEFAULT_ROW_LIMIT;
  const timeoutMs = request.timeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  return store.session(async (conn) => {
    const catalog = await prepareConsoleSession(conn, request.region);
    let views: string[];
    try {
      ({ views } = checkStatement(readParse(await serialize(conn, request.sql)), catalog));
    } catch (error) {
      if (error instanceof SqlRefused) throw new SqlConsoleError(error.invalid ? 'invalid_sql' : 'sql_refused', error.message);
      throw error;
    }

    // What runs is the text the guard read: no wrapper around it, so none to escape from, and
    // ORDER BY keeps its order. The limit is in reading: one row past it says "truncated".
    const started = performance.now();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      conn.interrupt();
    }, timeoutMs);
    try {
      const result = await conn.stream(request.sql);
      const read: Json[][] = [];
      while (read.length <= rowLimit) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        read.push(...chunk.convertRows(toJson));
      }
      const columns = result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() }));
      return {
        region: request.region,
        columns,
        rows: read.slice(0, rowLimit),
        truncated: read.length > rowLimit,
        rowLimit,
        elapsedMs: Math.round(performance.now() - started),
        views,
      };
    } catch (error) {
      if (timedOut) throw new SqlConsoleError('statement_timeout', `the statement ran longer than ${timeoutMs} ms and was stopped; narrow it (a WHERE, fewer joins) or aggregate first`);
      throw new SqlConsoleError('invalid_sql', cleanMessage(error));
    } finally {
      clearTimeout(timer);
    }
  });
}

export interface ConsoleViewDescription {
  name: string;
  description: string;
  columns: ConsoleColumn[];
}

/** The views as a caller of `region` sees them, with their columns as DuckDB types them. */
export async function consoleViews(store: AnalyticsStore, region: string): Promise<ConsoleViewDescription[]> {
  return store.session(async (conn) => {
    await prepareConsoleSession(conn, region);
    const described: ConsoleViewDescription[] = [];
    for (const view of CONSOLE_VIEWS) {
      const result = await conn.run(`SELECT * FROM ${ident(view.name)} LIMIT 0`);
      described.push({ name: view.name, description: view.description, columns: result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() })) });
    }
    return described;
  });
}
