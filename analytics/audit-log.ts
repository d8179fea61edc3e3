/**
 * The audit log in DuckDB: every login and failed login, user or role change, read of personal
 * data and business decision, as one row each. Rows are only appended; this module has no
 * statement that updates or deletes one, and neither has anything else. Each row carries the
 * hash of the one before (prev_hash) and its own hash over prev_hash and its fields, so
 * changing, removing or inserting a row breaks the chain that verifyAuditChain recomputes.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { addDays, parsePlainDate, startOfChinaDay } from '../rules/plain-date.js';
import type { AnalyticsStore } from './store.js';

export const AUDIT_OUTCOMES = ['ok', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** What happened; the log adds seq, prev_hash and hash. */
export interface AuditEntry {
  at: Date | string;
  /** Null for a failed login that names no known user. */
  userId?: string | null;
  username?: string | null;
  role?: string | null;
  /** The user's jurisdiction node or organ: `region:110105`, `organ:BJ-JW`. */
  scope?: string | null;
  /** `login`, `login_failed`, `user.create`, `case.read`, `identity.reveal`, … */
  action: string;
  /** `GET /api/v1/cases/:caseId`: the route's pattern, so ids stay in objectIds. */
  route?: string | null;
  objectIds?: readonly string[];
  /** Names of the personal fields read (name, idNumber), never their values. */
  personalFields?: readonly string[];
  outcome: AuditOutcome;
  /** The HTTP status answered. */
  status?: number | null;
  client?: string | null;
  /** The reason the user gave. */
  reason?: string | null;
  detail?: Record<string, unknown> | null;
}

export interface AuditRecord {
  seq: number;
  /** ISO UTC with milliseconds. */
  at: string;
  userId: string | null;
  username: string | null;
  role: string | null;
  scope: string | null;
  action: string;
  route: string | null;
  objectIds: string[];
  personalFields: string[];
  outcome: AuditOutcome;
  status: number | null;
  client: string | null;
  reason: string | null;
  /** Whatever JSON was stored: a tampered row must still be readable to be shown. */
  detail: unknown;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * A row as read back. The time comes as epoch milliseconds and the detail as JSON text, so
 * what is hashed never depends on how DuckDB formats a timestamp or a JSON value.
 */
const auditRow = z.object({
  seq: z.number(),
  at_ms: z.number(),
  user_id: z.string().nullable(),
  username: z.string().nullable(),
  role: z.string().nullable(),
  scope: z.string().nullable(),
  action: z.string(),
  route: z.string().nullable(),
  object_ids: z.array(z.string()),
  personal_fields: z.array(z.string()),
  outcome: z.enum(AUDIT_OUTCOMES),
  status: z.number().nullable(),
  client: z.string().nullable(),
  reason: z.string().nullable(),
  detail: z.string().nullable(),
  prev_hash: z.string(),
  hash: z.string(),
});
type AuditRow = z.infer<typeof auditRow>;

const COLUMNS = `seq::DOUBLE AS seq, epoch_ms(occurred_at)::DOUBLE AS at_ms, user_id, username, role, scope, action, route,
  object_ids, personal_fields, outcome, status, client, reason, detail::VARCHAR AS detail, prev_hash, hash`;

/** JSON with object keys sorted, so equal values always serialise to the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash of a row: over the previous hash and every field but its own hash, in a fixed order. */
function hashOf(prevHash: string, r: Omit<AuditRecord, 'prevHash' | 'hash'>): string {
  const fields = [r.seq, r.at, r.userId, r.username, r.role, r.scope, r.action, r.route, r.objectIds, r.personalFields, r.outcome, r.status, r.client, r.reason, r.detail];
  return createHash('sha256').update(prevHash).update(canonicalJson(fields)).digest('hex');
}

function toRecord(r: AuditRow): AuditRecord {
  return {
    seq: r.seq,
    at: new Date(r.at_ms).toISOString(),
    userId: r.user_id,
    username: r.username,
    role: r.role,
    scope: r.scope,
    action: r.action,
    route: r.route,
    objectIds: r.object_ids,
    personalFields: r.personal_fields,
    outcome: r.outcome,
    status: r.status,
    client: r.client,
    reason: r.reason,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

const lastRow = z.object({ seq: z.number(), hash: z.string() });

/**
 * Reads the last row and inserts the next in one transaction. appendAudit's queue keeps two
 * appends from reading the same last row; were they to, the primary key on seq would let only
 * one commit, so the chain still could not fork.
 */
async function appendIn(conn: DuckDBConnection, entry: AuditEntry): Promise<AuditRecord> {
  // The INTEGER column would round it, and the stored row would no longer match its hash.
  if (entry.status != null && !Number.isInteger(entry.status)) throw new RangeError(`audit status must be a whole number, not ${entry.status}`);
  // max(seq) rather than ORDER BY seq DESC LIMIT 1, which sorts the whole log: a fifth of the time at 500,000 rows.
  const last = (await conn.runAndReadAll(`SELECT seq::DOUBLE AS seq, hash FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)`)).getRowObjectsJson();
  const previous = last.length ? lastRow.parse(last[0]) : { seq: 0, hash: GENESIS_HASH };
  const fields = {
    seq: previous.seq + 1,
    // Milliseconds are what a Date holds; finer digits in a string would not survive the hash.
    at: new Date(entry.at).toISOString(),
    userId: entry.userId ?? null,
    username: entry.username ?? null,
    role: entry.role ?? null,
    scope: entry.scope ?? null,
    action: entry.action,
    route: entry.route ?? null,
    objectIds: [...(entry.objectIds ?? [])],
    personalFields: [...(entry.personalFields ?? [])],
    outcome: entry.outcome,
    status: entry.status ?? null,
    client: entry.client ?? null,
    reason: entry.reason ?? null,
    // Through JSON once, so what is hashed is what reading the row back gives (no undefined, Dates as strings).
    detail: entry.detail == null ? null : (JSON.parse(JSON.stringify(entry.detail)) as unknown),
  };
  const record: AuditRecord = { ...fields, prevHash: previous.hash, hash: hashOf(previous.hash, fields) };
  await conn.run(
    `INSERT INTO audit_log (seq, occurred_at, user_id, username, role, scope, action, route, object_ids, personal_fields,
                            outcome, status, client, reason, detail, prev_hash, hash)
     VALUES ($1, $2::TIMESTAMPTZ, $3, $4, $5, $6, $7, $8, $9::JSON::VARCHAR[], $10::JSON::VARCHAR[], $11, $12, $13, $14, $15::JSON, $16, $17)`,
    [
      record.seq,
      record.at,
      record.userId,
      record.username,
      record.role,
      record.scope,
      record.action,
      record.route,
      // JSON text, because an empty list parameter has no element type DuckDB could bind.
      JSON.stringify(record.objectIds),
      JSON.stringify(record.personalFields),
      record.outcome,
      record.status,
      record.client,
      record.reason,
      record.detail === null ? null : canonicalJson(record.detail),
      record.prevHash,
      record.hash,
    ],
  );
  return record;
}

/** Appends one row, after every append already queued on this store (each reads the chain's head). */
export function appendAudit(store: AnalyticsStore, entry: AuditEntry): Promise<AuditRecord> {
  return store.serially('audit', () => store.transaction((conn) => appendIn(conn, entry)));
}

export const AUDIT_QUERY_MAX = 5000;

// No entry is older than the system or later than its calendars: a bound outside them is a slip (9999-12-31).
const EARLIEST = Date.parse('2000-01-01T00:00:00+08:00');
const LATEST = Date.parse('2101-01-01T00:00:00+08:00');

/** An instant, or a China date: its first moment for `from`, the first moment of the next day for `to`. */
const instant = (bound: 'from' | 'to') =>
  z.string().transform((text, ctx) => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
      try {
        const day = parsePlainDate(text);
        return startOfChinaDay(bound === 'from' ? day : addDays(day, 1));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }
    if (z.iso.datetime({ offset: true }).safeParse(text).success) return new Date(text);
    ctx.addIssue({ code: 'custom', message: `must be a China date (2025-03-01) or an ISO time with its offset (2025-03-01T08:00:00+08:00), not "${text}"` });
    return z.NEVER;
  }).refine((d) => d.getTime() >= EARLIEST && d.getTime() <= LATEST, { message: 'lies outside the years 2000..2100' });

/**
 * What queryAudit filters by, as the API's query string and the CLI's options give it. Unknown
 * names are refused: a misspelt filter would otherwise return every row.
 */
export const auditFilter = z
  .object({
    /** A user id or a username. */
    user: z.string().min(1).max(100).optional(),
    /** An action (`login`), or a family of them (`case` or `case.` for case.read, case.route, …). */
    action: z.string().min(1).max(100).optional(),
    /** A row naming this object among its object ids. */
    object: z.string().min(1).max(200).optional(),
    from: instant('from').optional(),
    /** Exclusive; a date includes its whole China day. */
    to: instant('to').optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    limit: z.coerce.number().int().min(1).max(AUDIT_QUERY_MAX).default(200),
  })
  .strict();
export type AuditFilter = z.input<typeof auditFilter>;

/** Rows matching every filter given, newest first. Throws a ZodError for a filter it refuses. */
export async function queryAudit(store: AnalyticsStore, filter: AuditFilter): Promise<AuditRecord[]> {
  const f = auditFilter.parse(filter);
  const family = f.action === undefined ? null : f.action.endsWith('.') ? f.action : `${f.action}.`;
  const rows = await store.all(
    auditRow,
    `SELECT ${COLUMNS} FROM audit_log
      WHERE ($1::VARCHAR IS NULL OR user_id = $1 OR username = $1)
        AND ($2::VARCHAR IS NULL OR action = $2 OR starts_with(action, $3))
        AND ($4::VARCHAR IS NULL OR list_contains(object_ids, $4))
        AND ($5::TIMESTAMPTZ IS NULL OR occurred_at >= $5::TIMESTAMPTZ)
        AND ($6::TIMESTAMPTZ IS NULL OR occurred_at < $6::TIMESTAMPTZ)
        AND ($7::VARCHAR IS NULL OR outcome = $7)
      ORDER BY seq DESC
      LIMIT $8::INTEGER`,
    [f.user ?? null, f.action ?? null, family, f.object ?? null, f.from?.toISOString() ?? null, f.to?.toISOString() ?? null, f.outcome ?? null, f.limit],
  );
  return rows.map(toRecord);
}

export type AuditVerification = { ok: true; rows: number; lastHash: string } | { ok: false; rows: number; brokenAt: number; problem: string };

const VERIFY_PAGE = 10_000;
const strayRow = z.object({ seq: z.number().nullable() });

/**
 * Recomputes the chain in seq order, a window of seqs at a time so a log of millions of rows
 * is never held whole, and reports the first row where it breaks. `rows` counts the rows found
 * intact before it. Removing rows from the end leaves an intact, shorter chain: record lastHash
 * elsewhere to prove that none were.
 */
export async function verifyAuditChain(store: AnalyticsStore): Promise<AuditVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    // A range of seqs, not `seq > last LIMIT n`: DuckDB prunes a range by its zone maps but sorts the rest of the table for a LIMIT.
    const page = await store.all(auditRow, `SELECT ${COLUMNS} FROM audit_log WHERE seq >= $1::BIGINT AND seq < $1::BIGINT + $2::BIGINT ORDER BY seq`, [
      expectedSeq,
      VERIFY_PAGE,
    ]);
    for (const row of page) {
      const rows = expectedSeq - 1;
      if (row.seq !== expectedSeq) return { ok: false, rows, brokenAt: expectedSeq, problem: missing(expectedSeq, row.seq) };
      if (row.prev_hash !== prevHash) {
        const before = row.seq === 1 ? 'the genesis hash' : `the hash of row ${row.seq - 1}`;
        return { ok: false, rows, brokenAt: row.seq, problem: `row ${row.seq}'s prev_hash is not ${before}: a row before it was changed, removed or inserted` };
      }
      if (hashOf(prevHash, toRecord(row)) !== row.hash) {
        return { ok: false, rows, brokenAt: row.seq, problem: `row ${row.seq}'s hash does not match its contents: the row was changed` };
      }
      prevHash = row.hash;
      expectedSeq += 1;
    }
    if (page.length < VERIFY_PAGE) break;
  }
  // A short window is the end of the log, or a gap that reaches past it; and rows numbered
  // below 1 lie outside every window.
  const [stray] = await store.all(strayRow, 'SELECT min(seq)::DOUBLE AS seq FROM audit_log WHERE seq < 1 OR seq >= $1::BIGINT', [expectedSeq]);
  const rows = expectedSeq - 1;
  if (!stray || stray.seq === null) return { ok: true, rows, lastHash: prevHash };
  if (stray.seq < 1) return { ok: false, rows, brokenAt: stray.seq, problem: `row ${stray.seq} lies outside the chain, which is numbered from 1` };
  return { ok: false, rows, brokenAt: expectedSeq, problem: missing(expectedSeq, stray.seq) };
}

const missing = (expected: number, found: number) =>
  `row ${expected} is missing: ${expected === 1 ? 'the log starts at' : `row ${expected - 1} is followed by`} row ${found}`;
