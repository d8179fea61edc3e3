/**
 * What an administrator needs to know about the data (issue 15): the imports with their batch
 * facts and quarantine, a batch's quarantined rows with the reason for each, and the data's
 * coverage: which calendar years the holiday schedule covers, which months hold case data.
 *
 * Access is imports.write, not audit.read: a quarantined row is the source row as uploaded,
 * and a mapped file's row still holds the columns the petitioner's pseudonym was made from
 * (name, id number). That is the uploader's data to fix and import again; the inspector's
 * audit.read is about who did what, not the petitions themselves (domain/roles.ts).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FileReport } from '../analytics/import/importer.js';
import { provisionalDeadlineCounts } from '../analytics/provisional-deadlines.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { Principal } from '../domain/roles.js';
import { chinaCalendar, loadChinaCalendar, provisionalYear, type ChinaCalendar, type YearStatus as YearKnown } from '../rules/calendar.js';
import { chinaDateOf } from '../rules/plain-date.js';
import type { Api } from './api.js';
import type { Auditor } from './audit.js';
import { HttpError } from './http-error.js';
import { confineRegion, regionNode } from './scope.js';

export interface AdminRouteDeps {
  store: AnalyticsStore;
  audit: Auditor;
  now: () => Date;
}

const batchParams = z.object({ batchId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, 'an import batch id such as IMP-20250301-1a2b3c4d') }).strict();
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();
const quarantineQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(200),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  })
  .strict();

const utc = (column: string) => `strftime(timezone('UTC', ${column}), '%Y-%m-%dT%H:%M:%SZ')`;

const batchRow = z.object({
  batch_id: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  files: z.string(),
  mapping: z.string().nullable(),
  read: z.number(),
  imported: z.number(),
  quarantined: z.number(),
  duplicate: z.number(),
  events_read: z.number(),
  events_imported: z.number(),
  events_quarantined: z.number(),
  events_duplicate: z.number(),
  actor: z.string().nullable(),
});
const kindCount = z.object({ batch_id: z.string(), kind: z.string(), rows: z.number() });
const reasonCount = z.object({ batch_id: z.string(), reason: z.string(), rows: z.number() });

/** The reasons listed per batch in the imports list; a batch's rows route gives every one. */
const REASONS_PER_BATCH = 5;

const BATCH_COLUMNS = `batch_id, ${utc('started_at')} AS started_at, ${utc('finished_at')} AS finished_at, files::VARCHAR AS files, mapping,
  read::DOUBLE AS read, imported::DOUBLE AS imported, quarantined::DOUBLE AS quarantined, duplicate::DOUBLE AS duplicate,
  events_read::DOUBLE AS events_read, events_imported::DOUBLE AS events_imported, events_quarantined::DOUBLE AS events_quarantined,
  events_duplicate::DOUBLE AS events_duplicate, actor`;

/** The imports, newest first, each with its counts and its quarantine by kind and by reason. */
export async function importBatches(store: AnalyticsStore, limit: number) {
  const batches = await store.all(batchRow, `SELECT ${BATCH_COLUMNS} FROM import_batches ORDER BY started_at DESC, batch_id LIMIT $limit::INTEGER`, { limit });
  if (!batches.length) return [];
  // JSON text, because the driver binds no list parameter (as analytics/audit-log.ts does).
  const ids = JSON.stringify(batches.map((b) => b.batch_id));
  const ofBatches = 'FROM import_quarantine WHERE list_contains($ids::JSON::VARCHAR[], batch_id)';
  const kinds = await store.all(kindCount, `SELECT batch_id, kind, count(*)::INTEGER AS rows ${ofBatches} GROUP BY batch_id, kind`, { ids });
  const reasons = await store.all(
    reasonCount,
    `SELECT batch_id, reason, rows FROM (
       SELECT *, row_number() OVER (PARTITION BY batch_id ORDER BY rows DESC, reason) AS n
         FROM (SELECT batch_id, reason, count(*)::INTEGER AS rows ${ofBatches} GROUP BY batch_id, reason))
      WHERE n <= ${REASONS_PER_BATCH} ORDER BY batch_id, rows DESC, reason`,
    { ids },
  );
  return batches.map((b) => {
    const byKind = Object.fromEntries(kinds.filter((k) => k.batch_id === b.batch_id).map((k) => [k.kind, k.rows]));
    return {
      batchId: b.batch_id,
      startedAt: b.started_at,
      finishedAt: b.finished_at,
      files: JSON.parse(b.files) as FileReport[],
      mapping: b.mapping,
      actor: b.actor,
      cases: { read: b.read, imported: b.imported, quarantined: b.quarantined, duplicate: b.duplicate },
      events: { read: b.events_read, imported: b.events_imported, quarantined: b.events_quarantined, duplicate: b.events_duplicate },
      quarantine: {
        total: Object.values(byKind).reduce((a, n) => a + n, 0),
        byKind,
        topReasons: reasons.filter((r) => r.batch_id === b.batch_id).map(({ reason, rows }) => ({ reason, rows })),
      },
    };
  });
}
export type ImportBatch = Awaited<ReturnType<typeof importBatches>>[number];

const quarantineRow = z.object({
  file: z.string(),
  line: z.number(),
  kind: z.string(),
  reason: z.string(),
  region_code: z.string().nullable(),
  street_code: z.string().nullable(),
  raw: z.string().nullable(),
});
const counted = z.object({ n: z.number() });

/**
 * A row is within `region` when the region or street it names lies in the subtree; the city's
 * users see every row. A row that names no known place (an event row, a mapped file's own
 * columns, a code the hierarchy lacks, which may be why it was quarantined) can be placed
 * nowhere below the city, so only the city sees it.
 */
const WITHIN = `(SELECT code FROM regions WHERE code = $region
                 UNION ALL SELECT code FROM regions WHERE parent_code = $region
                 UNION ALL SELECT r.code FROM regions r JOIN regions p ON p.code = r.parent_code WHERE p.parent_code = $region)`;

async function quarantineOf(store: AnalyticsStore, p: Principal, batchId: string, limit: number, offset: number) {
  const [batch] = await store.all(z.object({ batch_id: z.string() }), 'SELECT batch_id FROM import_batches WHERE batch_id = $batchId', { batchId });
  if (!batch) throw new HttpError(404, `no import batch ${batchId}`);
  const region = await confineRegion(store, p, undefined);
  const city = (await regionNode(store, region))?.level === 'city';
  const rowsOf = `SELECT file, line::DOUBLE AS line, kind, reason, raw->>'$.region_code' AS region_code, raw->>'$.street_code' AS street_code, raw::VARCHAR AS raw
                    FROM import_quarantine WHERE batch_id = $batchId`;
  const visible = city ? rowsOf : `SELECT * FROM (${rowsOf}) WHERE region_code IN ${WITHIN} OR street_code IN ${WITHIN}`;
  const params: Record<string, string> = city ? { batchId } : { batchId, region };
  const [all] = await store.all(counted, 'SELECT count(*)::INTEGER AS n FROM import_quarantine WHERE batch_id = $batchId', { batchId });
  const [shown] = await store.all(counted, `SELECT count(*)::INTEGER AS n FROM (${visible})`, params);
  const rows = await store.all(quarantineRow, `${visible} ORDER BY file, line LIMIT $limit::INTEGER OFFSET $offset::INTEGER`, { ...params, limit, offset });
  const total = shown?.n ?? 0;
  return {
    batchId,
    region,
    /** The batch's quarantined rows within the caller's jurisdiction, and those withheld as outside it. */
    total,
    withheld: (all?.n ?? 0) - total,
    offset,
    rows: rows.map((r) => ({ file: r.file, line: r.line, kind: r.kind, reason: r.reason, regionCode: r.region_code, streetCode: r.street_code, raw: r.raw === null ? null : (JSON.parse(r.raw) as unknown) })),
  };
}
export type BatchQuarantine = Awaited<ReturnType<typeof quarantineOf>>;

// The override file as far as the coverage says it: its source and which years it gives, with
// how many public holidays each lists. rules/calendar.ts validates it fully when it loads it.
const overrideSummary = z.object({
  source: z.string(),
  years: z.record(z.string(), z.object({ holidays: z.record(z.string(), z.unknown()) }).loose()),
}).loose();

let packaged: ChinaCalendar | undefined;

export type YearStatus = YearKnown | 'missing';

/**
 * The holiday schedule's years as the calendar knows them (rules/calendar.ts): published, by
 * the package or the operator's override file; provisional (暂定), the years after the last
 * published one, counted from the statutory holidays alone until their schedule is added; or
 * missing, when a date in them is an error. With how many cases and recommendations hold a
 * provisional due date now.
 */
async function calendarCoverage(store: AnalyticsStore, years: number[]) {
  packaged ??= loadChinaCalendar();
  const path = process.env.XINFANG_CALENDAR_OVERRIDES;
  let override: z.infer<typeof overrideSummary> | null = null;
  if (path) {
    try {
      override = overrideSummary.parse(JSON.parse(readFileSync(path, 'utf8')));
    } catch {
      // A missing or unreadable file is one the calendar does not use either (chinaCalendar).
    }
  }
  const effective = chinaCalendar();
  const statusOf = (year: number): { year: number; status: YearStatus; source: 'package' | 'override' | 'statutory' | null; holidays: number | null } => {
    const status = effective.statusOf(year);
    const fromOverride = override?.years[String(year)];
    if (status === 'published' && fromOverride) return { year, status, source: 'override', holidays: Object.keys(fromOverride.holidays).length };
    if (status === 'published') return { year, status, source: 'package', holidays: null };
    if (status === 'provisional') return { year, status, source: 'statutory', holidays: Object.keys(provisionalYear(year).holidays).length };
    return { year, status: 'missing', source: null, holidays: null };
  };
  return {
    firstYear: effective.firstYear,
    lastYear: effective.lastYear,
    provisionalYears: [...effective.provisionalYears],
    package: { name: 'chinese-days', firstYear: packaged.firstYear, lastYear: packaged.lastYear },
    override: override ? { source: override.source, years: Object.keys(override.years).map(Number).sort((a, b) => a - b) } : null,
    years: years.map(statusOf),
    provisionalDeadlines: await provisionalDeadlineCounts(store),
  };
}

/** "2025-12" → "2026-01". */
const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

const monthRow = z.object({ month: z.string(), origin: z.string(), cases: z.number() });

/** Cases per month received within `region`, by origin (workflow, demo, import). */
async function caseMonths(store: AnalyticsStore, region: string) {
  const node = await regionNode(store, region);
  const where = node?.level === 'city' ? '' : node?.level === 'street' ? 'WHERE street_code = $region' : 'WHERE region_code = $region';
  const rows = await store.all(
    monthRow,
    `SELECT strftime(received_date, '%Y-%m') AS month, origin, count(*)::INTEGER AS cases FROM cases ${where} GROUP BY ALL ORDER BY month, origin`,
    where ? { region } : {},
  );
  const months = new Map<string, { month: string; cases: number; byOrigin: Record<string, number> }>();
  for (const r of rows) {
    const m = months.get(r.month) ?? { month: r.month, cases: 0, byOrigin: {} };
    m.cases += r.cases;
    m.byOrigin[r.origin] = r.cases;
    months.set(r.month, m);
  }
  const list = [...months.values()];
  // Months between the first and the last with no case at all: a gap in the data, not a quiet month.
  const gaps: string[] = [];
  const last = list.at(-1)?.month ?? '';
  for (let month = list[0]?.month; month && month < last; month = nextMonth(month)) if (!months.has(month)) gaps.push(month);
  const years = [...new Set(list.map((m) => Number(m.month.slice(0, 4))))].map((year) => {
    const of = list.filter((m) => m.month.startsWith(`${year}-`));
    return { year, months: of.length, cases: of.reduce((a, m) => a + m.cases, 0) };
  });
  return { region, months: list, years, gaps };
}

export async function dataCoverage(store: AnalyticsStore, p: Principal, today: string) {
  const region = await confineRegion(store, p, undefined);
  const cases = await caseMonths(store, region);
  const thisYear = Number(today.slice(0, 4));
  // The years a deadline can fall in: those of the data, this one, and the next (a clock started today reaches into it).
  const first = Math.min(thisYear, ...cases.years.map((y) => y.year));
  const years = Array.from({ length: thisYear + 1 - first + 1 }, (_, i) => first + i);
  const [imports] = await store.all(
    z.object({ batches: z.number(), quarantined: z.number(), last: z.string().nullable() }),
    `SELECT count(*)::INTEGER AS batches, (SELECT count(*)::INTEGER FROM import_quarantine) AS quarantined, ${utc('max(finished_at)')} AS last FROM import_batches`,
  );
  return { asOf: today, calendar: await calendarCoverage(store, years), cases, imports: imports ?? { batches: 0, quarantined: 0, last: null } };
}
export type DataCoverage = Awaited<ReturnType<typeof dataCoverage>>;

export function adminRoutes(api: Api, deps: AdminRouteDeps): void {
  const { store, audit, now } = deps;

  api.add({ method: 'get', path: '/imports', summary: 'The imports, newest first, with their counts and their quarantine by kind and reason', access: 'imports.write', scope: 'region', query: listQuery }, async ({ query }) => ({
    imports: await importBatches(store, query.limit),
  }));

  api.add(
    {
      method: 'get',
      path: '/imports/:batchId/quarantine',
      summary: "An import's quarantined rows with the reason for each (the rows of your jurisdiction; the count of the others)",
      access: 'imports.write',
      scope: 'region',
      params: batchParams,
      query: quarantineQuery,
    },
    async ({ req, params, query, principal }) => {
      const answer = await quarantineOf(store, principal, params.batchId, query.limit, query.offset);
      // The rows are source data as uploaded, a petitioner's identifying columns among them.
      await audit.record(req, principal, { action: 'import.quarantine_read', outcome: 'ok', status: 200, objectIds: [params.batchId], detail: { rows: answer.rows.length, offset: query.offset } });
      return answer;
    },
  );

  api.add(
    {
      method: 'get',
      path: '/data/coverage',
      summary: "The data's coverage: the holiday calendar's years (published, provisional or missing), the months of case data in your jurisdiction, the imports",
      access: 'imports.write',
      scope: 'region',
    },
    ({ principal }) => dataCoverage(store, principal, chinaDateOf(now())),
  );
}
