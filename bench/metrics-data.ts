/**
 * The data of the metrics bench (bench/metrics.ts): N generated cases as Parquet, and a DuckDB
 * database in the project's schema whose `case_facts` holds their facts. Both are cached
 * under the per-user cache directory, so a second run of the same scale only times queries.
 *
 * Why not the importer at every scale: `xinfang import` of 10M cases took 704 s and about
 * 8 GB, nearly all of it maintaining the primary-key indexes of `cases` and `case_events`,
 * which no measure reads (they read `case_facts`). 50M would not fit this 24 GiB machine.
 * So `case_facts` is filled straight from the Parquet files by the migrated database's own
 * view `case_facts_source`, run over views named `cases` and `case_events` that read the
 * files: the derivation is the migration's, read back from the database, never a copy. At
 * the verification scale the real importer loads the same files too and the two
 * `case_facts` must be equal row for row.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { generateToParquet } from '../analytics/generator/generate.js';
import { importFiles } from '../analytics/import/importer.js';
import { petitionerKeys } from '../analytics/import/pseudonym.js';
import { expandPaths } from '../analytics/import/run.js';
import { CASE_COLUMNS, EVENT_COLUMNS, parquetProjection } from '../analytics/import/sql.js';
import { rebuildRollups } from '../analytics/metrics/rollups.js';
import { recordOrgans, recordRegions } from '../analytics/region-log.js';
import { AnalyticsStore } from '../analytics/store.js';
import { BEIJING_ORGANS } from '../domain/organs.js';
import { beijingRegions } from '../domain/region-hierarchy.js';
import type { PlainDate } from '../rules/plain-date.js';

const root = new URL('../', import.meta.url).pathname;

/** `$XINFANG_CACHE/metrics-bench` (default ~/.cache/xinfang/metrics-bench): the project's cache, not /tmp, which other benches clean. */
export function benchCache(): string {
  if (process.env.BENCH_CACHE) return process.env.BENCH_CACHE;
  const base = process.env.XINFANG_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'xinfang');
  return join(base, 'metrics-bench');
}

/**
 * A short hash of what the generator's output depends on: the project modules it imports,
 * followed through their relative imports, and the data files (not modules) in their
 * directories (the region lists, the policy packs, the holiday calendar). Files it does not
 * reach, which other work changes all the time, leave the cached data alone.
 */
function generatorVersion(): string {
  const modules = new Set<string>();
  const follow = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) follow(join(dirname(file), `${m[1]}.ts`));
  };
  follow(join(root, 'analytics/generator/generate.ts'));
  const dirs = [...new Set([...modules].map((m) => relative(root, dirname(m))))].sort();
  const hash = createHash('sha256');
  for (const file of [...modules].sort()) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  const data = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? data(join(dir, e.name)) : e.name.endsWith('.ts') ? [] : [join(dir, e.name)],
    );
  for (const dir of dirs.filter((d) => !d.startsWith('analytics'))) for (const file of data(dir).sort()) hash.update(file).update('\0').update(readFileSync(join(root, file))).update('\0');
  return hash.digest('hex').slice(0, 10);
}

export interface DataOptions {
  cases: number;
  seed: number;
  from: PlainDate;
  to: PlainDate;
  /** Also import the files with the real importer and require equal case_facts. */
  verifyWithImporter: boolean;
  log: (line: string) => void;
  /** Called between phases so the caller can read and reset the peak memory of each. */
  phase: (name: 'generate' | 'load' | 'verify') => void;
}

export interface ParquetInfo {
  dir: string;
  reused: boolean;
  cases: number;
  events: number;
  generateMs: number;
  bytes: number;
  years: number[];
}

export interface BenchDatabase {
  path: string;
  reused: boolean;
  key: string;
  parquet: ParquetInfo;
  load: {
    method: string;
    ms: number;
    perYearMs: Record<string, number>;
    /** Rebuilding the measures' rollups after the load (absent in caches from before they existed). */
    rollupsMs?: number;
    /** The real importer on the same files gave the same case_facts (null: not checked at this scale). */
    verifiedWithImporter: null | { importMs: number; rows: number; onlyDirect: number; onlyImporter: number };
  };
  caseFactsRows: number;
  records: RecordsLoad;
  bytes: number;
}

const sizeOf = (path: string): number =>
  statSync(path).isDirectory() ? readdirSync(path).reduce((a, e) => a + sizeOf(join(path, e)), 0) : statSync(path).size;

const yearsIn = (dir: string) =>
  readdirSync(join(dir, 'cases'))
    .map((d) => /^year=(\d{4})$/.exec(d)?.[1])
    .filter((y): y is string => !!y)
    .map(Number)
    .sort();

/**
 * Runs `work` holding a lock file beside `path`, so two processes (this bench, or another that
 * builds its data with this module) never build the same cache entry at once: the second
 * waits, then finds it built. A lock whose process is gone is taken over.
 */
async function withLock<T>(path: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  for (let waited = 0; ; ) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      process.kill(owner, 0); // signal 0 only asks whether the process exists
      alive = true;
    } catch {
      // gone
    }
    if (!alive) {
      rmSync(lock, { force: true });
      continue;
    }
    if (waited % 300 === 0) log(`waiting for process ${owner}, which is building ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    waited += 5;
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** The Parquet files of `options`, generated once and kept (the generator is deterministic for a seed). */
async function parquetFor(options: DataOptions): Promise<ParquetInfo> {
  const key = `${options.cases}-s${options.seed}-${options.from}-${options.to}-g${generatorVersion()}`;
  const dir = join(benchCache(), 'parquet', key);
  const marker = join(dir, 'bench-complete.json');
  const info = z.object({ cases: z.number(), events: z.number(), generateMs: z.number(), bytes: z.number() });
  return withLock(dir, options.log, async () => {
    if (existsSync(marker)) {
      const done = info.parse(JSON.parse(readFileSync(marker, 'utf8')));
      options.log(`reusing cached Parquet ${dir} (${done.cases} cases, ${done.events} events, generated in ${done.generateMs} ms)`);
      return { dir, reused: true, ...done, years: yearsIn(dir) };
    }
    const building = `${dir}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    options.log(`generating ${options.cases} cases over ${options.from}..${options.to} (seed ${options.seed}) into ${building}`);
    options.phase('generate');
    const summary = await generateToParquet(building, { cases: options.cases, from: options.from, to: options.to, seed: options.seed });
    const done = { cases: summary.cases, events: summary.events, generateMs: summary.ms, bytes: sizeOf(building) };
    writeFileSync(join(building, 'bench-complete.json'), `${JSON.stringify(done, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
    options.log(`generated ${done.cases} cases, ${done.events} events in ${done.generateMs} ms (${(done.bytes / 2 ** 20).toFixed(0)} MiB Parquet)`);
    return { dir, reused: false, ...done, years: yearsIn(dir) };
  });
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const count = z.object({ n: z.coerce.number() });

/**
 * Views named like the log's tables over one year's files, typed as the importer types a
 * native Parquet file: its projection (parquetProjection, shared) and then the casts of
 * insertCasesSql / insertEventsSql (analytics/import/sql.ts). Only the columns
 * case_facts_source reads; the importer check at the verification scale holds them to it.
 */
function logViews(dir: string, year: number): string[] {
  const files = (kind: string) => sqlString(join(dir, kind, `year=${year}`, '*.parquet'));
  const present = (columns: readonly { name: string }[]) => new Set(columns.map((c) => c.name));
  return [
    `CREATE OR REPLACE VIEW cases AS
       SELECT case_id, CAST(received_at AS TIMESTAMPTZ) AS received_at,
              CAST(timezone('Asia/Shanghai', CAST(received_at AS TIMESTAMPTZ)) AS DATE) AS received_date,
              channel, region_code, field, COALESCE(TRY_CAST(collective_size AS INTEGER), 1) AS collective_size,
              COALESCE(jurisdiction, 'beijing') AS jurisdiction, street_code, petition_class, petitioner_id,
              TRY_CAST(repeat_petition AS BOOLEAN) AS repeat_petition, TRY_CAST(skip_level AS BOOLEAN) AS skip_level, organ_code
         FROM (SELECT ${parquetProjection(CASE_COLUMNS, present(CASE_COLUMNS))} FROM read_parquet(${files('cases')}))`,
    `CREATE OR REPLACE VIEW case_events AS
       SELECT case_id, event_type, CAST(occurred_at AS TIMESTAMPTZ) AS occurred_at, CAST(detail AS JSON) AS detail
         FROM (SELECT ${parquetProjection(EVENT_COLUMNS, present(EVENT_COLUMNS))} FROM read_parquet(${files('events')}))`,
  ];
}

/** The text of the migrated database's view case_facts_source: the one derivation of the facts. */
async function caseFactsView(store: AnalyticsStore): Promise<string> {
  const [view] = await store.all(
    z.object({ sql: z.string() }),
    "SELECT sql FROM duckdb_views() WHERE view_name = 'case_facts_source' AND database_name = current_database() AND schema_name = 'main'",
  );
  if (!view) throw new Error('the migrated database has no view case_facts_source (analytics/migrations/005_case_facts.sql)');
  return view.sql;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 10);

/** Fills case_facts of a freshly migrated store from the Parquet files, one year at a time. */
async function loadDirect(store: AnalyticsStore, parquet: ParquetInfo, view: string, log: (line: string) => void): Promise<Record<string, number>> {
  // A scratch in-memory database holds the views, so the bench database's own `cases` and
  // `case_events` (empty here) are never shadowed, and the view's text runs verbatim there.
  const db = (await store.all(z.object({ db: z.string() }), 'SELECT current_database() AS db'))[0]!.db;
  await store.run("ATTACH ':memory:' AS bench_parquet");
  try {
    await store.transaction(async (conn) => {
      await conn.run('USE bench_parquet');
      for (const sql of logViews(parquet.dir, parquet.years[0]!)) await conn.run(sql);
      // Beside the log the view reads the bench database's jurisdiction_zones (empty: the generated
      // cases are Beijing's, counted in China's zone) and its macro local_day (migration 024).
      await conn.run(`SET search_path = 'bench_parquet.main,"${db.replaceAll('"', '""')}".main'`);
      await conn.run(view);
    });
    // One year at a time bounds the aggregation's memory to a seventh of the log: the generator
    // writes a case's events in the same batch, and so the same year=YYYY directory, as the case.
    const perYear: Record<string, number> = {};
    for (const year of parquet.years) {
      const started = Date.now();
      await store.transaction(async (conn) => {
        await conn.run('USE bench_parquet');
        for (const sql of logViews(parquet.dir, year)) await conn.run(sql);
      });
      await store.run('INSERT INTO case_facts SELECT * FROM bench_parquet.main.case_facts_source');
      perYear[year] = Date.now() - started;
      log(`  case_facts ${year}: ${perYear[year]} ms`);
    }
    return perYear;
  } finally {
    await store.run('DETACH bench_parquet');
  }
}

/** Imports the same files with the real importer into a scratch database and compares case_facts. */
async function verifyWithImporter(store: AnalyticsStore, parquet: ParquetInfo, scratch: string, log: (line: string) => void) {
  rmSync(scratch, { force: true });
  rmSync(`${scratch}.wal`, { force: true });
  const other = await AnalyticsStore.open(scratch);
  const started = Date.now();
  try {
    const report = await importFiles(other, {
      sources: expandPaths([join(parquet.dir, 'cases'), join(parquet.dir, 'events')]).map((path) => ({ path })),
      hierarchy: beijingRegions(),
      keys: petitionerKeys(Buffer.alloc(32, 1)),
    });
    if (report.cases.imported !== parquet.cases) throw new Error(`importer took ${report.cases.imported} of ${parquet.cases} cases: ${JSON.stringify(report.reasons)}`);
  } finally {
    other.close();
  }
  const importMs = Date.now() - started;
  await store.run(`ATTACH ${sqlString(scratch)} AS bench_imported (READ_ONLY)`);
  try {
    const diff = async (a: string, b: string) =>
      (await store.all(count, `SELECT count(*) AS n FROM (SELECT * FROM ${a}.main.case_facts EXCEPT ALL SELECT * FROM ${b}.main.case_facts)`))[0]!.n;
    const db = `"${(await store.all(z.object({ d: z.string() }), 'SELECT current_database() AS d'))[0]!.d}"`;
    const result = {
      importMs,
      rows: (await store.all(count, 'SELECT count(*) AS n FROM bench_imported.main.case_facts'))[0]!.n,
      onlyDirect: await diff(db, 'bench_imported'),
      onlyImporter: await diff('bench_imported', db),
    };
    log(`importer check: ${result.rows} rows in ${importMs} ms; rows only in the direct load ${result.onlyDirect}, only in the importer's ${result.onlyImporter}`);
    if (result.onlyDirect || result.onlyImporter) throw new Error(`the direct load's case_facts differ from the importer's: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await store.run('DETACH bench_imported');
    rmSync(scratch, { force: true });
    rmSync(`${scratch}.wal`, { force: true });
  }
}

/** The offices' records the generator writes beside the cases, when it does. */
const RECORD_KINDS = ['recommendations', 'disputes'] as const;

export interface RecordsLoad {
  /** Rows in each table after loading, or why they stay empty. */
  rows?: Record<(typeof RECORD_KINDS)[number], number>;
  method?: string;
  why?: string;
}

/**
 * Recommendations and screened disputes (small: thousands of rows) through the project's own
 * importer, when the generator wrote them and the tables are still empty. An importer that
 * does not take them yet leaves them empty, and the results say so.
 */
async function loadRecords(store: AnalyticsStore, parquet: ParquetInfo, log: (line: string) => void): Promise<RecordsLoad> {
  const dirs = RECORD_KINDS.map((k) => join(parquet.dir, k)).filter((d) => existsSync(d));
  if (!dirs.length) return { why: 'the generator wrote no recommendations or disputes' };
  const rows = async () => {
    const out = { recommendations: 0, disputes: 0 };
    for (const k of RECORD_KINDS) out[k] = (await store.all(count, `SELECT count(*) AS n FROM ${k}`))[0]!.n;
    return out;
  };
  try {
    const before = await rows();
    if (before.recommendations || before.disputes) return { rows: before, method: 'importer (xinfang import)' };
    const started = Date.now();
    await importFiles(store, { sources: expandPaths(dirs).map((path) => ({ path })), hierarchy: beijingRegions(), keys: petitionerKeys(Buffer.alloc(32, 1)) });
    const after = await rows();
    log(`imported ${after.recommendations} recommendations and ${after.disputes} disputes in ${Date.now() - started} ms`);
    return { rows: after, method: 'importer (xinfang import)' };
  } catch (error) {
    const why = `not loaded: ${(error as Error).message.split('\n')[0]}`;
    log(`recommendations and disputes ${why}`);
    return { why };
  }
}

const meta = z.object({
  key: z.string(),
  /** Hash of case_facts_source's text when the facts were loaded. */
  view: z.string(),
  load: z.object({
    method: z.string(),
    ms: z.number(),
    perYearMs: z.record(z.string(), z.number()),
    rollupsMs: z.number().optional(),
    verifiedWithImporter: z.object({ importMs: z.number(), rows: z.number(), onlyDirect: z.number(), onlyImporter: z.number() }).nullable(),
  }),
  caseFactsRows: z.number(),
});

/** The bench database of a scale: from the cache when its key matches, else generated and loaded. */
export async function benchDatabase(options: DataOptions): Promise<BenchDatabase> {
  const parquet = await parquetFor(options);
  // Named by the data alone: a migration that leaves the facts alone (most do) keeps the
  // database, and opening it applies that migration. One that changes the derivation, or
  // rebuilds case_facts from the (here empty) log, is caught below and the facts reloaded.
  const dir = join(benchCache(), 'duckdb');
  mkdirSync(dir, { recursive: true });
  const name = relative(join(benchCache(), 'parquet'), parquet.dir);
  const path = join(dir, `${name}.duckdb`);
  const metaPath = `${path}.json`;
  return withLock(path, options.log, async () => {
    if (existsSync(path) && existsSync(metaPath)) {
      const m = meta.parse(JSON.parse(readFileSync(metaPath, 'utf8')));
      const store = await AnalyticsStore.open(path);
      let now: { view: string; rows: number };
      let records: RecordsLoad = {};
      try {
        now = { view: sha(await caseFactsView(store)), rows: (await store.all(count, 'SELECT count(*) AS n FROM case_facts'))[0]!.n };
        if (now.view === m.view && now.rows === m.caseFactsRows) records = await loadRecords(store, parquet, options.log);
      } finally {
        store.close();
      }
      if (now.view === m.view && now.rows === m.caseFactsRows && (!options.verifyWithImporter || m.load.verifiedWithImporter)) {
        options.log(`reusing cached DuckDB database ${path} (${m.caseFactsRows} case_facts rows, loaded in ${m.load.ms} ms)`);
        return { path, reused: true, key: m.key, parquet, load: m.load, caseFactsRows: m.caseFactsRows, records, bytes: sizeOf(path) };
      }
      options.log(`cached ${path} is stale (case_facts_source changed, case_facts has ${now.rows} rows, or the importer check is wanted): rebuilding it`);
    }
    const building = `${path}.building-${process.pid}`;
    rmSync(building, { force: true });
    rmSync(`${building}.wal`, { force: true });
    const store = await AnalyticsStore.open(building);
    let result: z.infer<typeof meta>;
    let records: RecordsLoad;
    try {
      await store.transaction(async (conn) => {
        await recordRegions(conn, beijingRegions());
        await recordOrgans(conn, 'beijing', BEIJING_ORGANS);
      });
      options.phase('load');
      options.log(`loading case_facts from ${parquet.dir} into ${building}`);
      const view = await caseFactsView(store);
      const started = Date.now();
      const perYearMs = await loadDirect(store, parquet, view, options.log);
      // The store built the measures' rollups when it opened, from no facts; facts loaded
      // behind refreshCaseFacts' back need them rebuilt.
      const rollupsStarted = Date.now();
      await store.transaction(rebuildRollups);
      const rollupsMs = Date.now() - rollupsStarted;
      options.log(`  rollups of the measures rebuilt: ${rollupsMs} ms`);
      await store.run('CHECKPOINT');
      const ms = Date.now() - started;
      const rows = (await store.all(count, 'SELECT count(*) AS n FROM case_facts'))[0]!.n;
      if (rows !== parquet.cases) throw new Error(`case_facts has ${rows} rows for ${parquet.cases} generated cases`);
      options.log(`loaded ${rows} case_facts rows in ${ms} ms`);
      records = await loadRecords(store, parquet, options.log);
      let verified = null;
      if (options.verifyWithImporter) {
        options.phase('verify');
        verified = await verifyWithImporter(store, parquet, join(dir, `import-check-${process.pid}.duckdb`), options.log);
      }
      result = {
        // The PostgreSQL copy is named after this: the same data and the same derivation.
        key: `${name}-v${sha(view)}`,
        view: '',
        load: {
          method:
            'direct: case_facts_source (read from the migrated database) over views cases/case_events on the Parquet files, one INSERT per year; ' +
            'cases and case_events stay empty',
          ms,
          perYearMs,
          rollupsMs,
          verifiedWithImporter: verified,
        },
        caseFactsRows: rows,
      };
    } finally {
      store.close();
    }
    rmSync(`${path}.wal`, { force: true });
    renameSync(building, path);
    // Closing checkpoints; a WAL left behind would still hold data, so it moves with the file.
    if (existsSync(`${building}.wal`)) renameSync(`${building}.wal`, `${path}.wal`);
    // DuckDB gives a view's text as written until the file is reopened, and normalised after;
    // the reuse check reads it from a reopened file, so the recorded hash is taken the same way.
    const reopened = await AnalyticsStore.open(path);
    try {
      result.view = sha(await caseFactsView(reopened));
    } finally {
      reopened.close();
    }
    writeFileSync(metaPath, `${JSON.stringify(result, null, 2)}\n`);
    return { path, reused: false, key: result.key, parquet, load: result.load, caseFactsRows: result.caseFactsRows, records, bytes: sizeOf(path) };
  });
}
