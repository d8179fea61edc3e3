/**
 * PostgreSQL side of the metrics bench (bench/metrics.ts): what a government IT department
 * would otherwise run the same measures on. A cluster of Debian's PostgreSQL 15 of its own,
 * on loopback, in the bench cache; the same case_facts rows as the DuckDB database; and the
 * SQL the metrics layer generates, translated mechanically to PostgreSQL's dialect
 * (toPostgres), checked to give the same rows as DuckDB and then timed through psql.
 *
 * psql, not a driver: the `pg` package is not among the project's dependencies, and the
 * timing that matters (the server's) is what psql's \timing reports for each statement.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBDateValue, DuckDBListValue, type DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { MEASURES } from '../analytics/metrics/catalog.js';
import type { AnalyticsStore, SqlParams } from '../analytics/store.js';
import { freePort } from '../test/support/ports.js';
import { benchCache } from './metrics-data.js';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const isRoot = process.getuid?.() === 0;

/**
 * Why PostgreSQL cannot run here, or null when it can. As root a missing server is installed
 * with apt-get (as `npm test` does for its tools); otherwise the bench skips PostgreSQL.
 */
export function postgresMissing(log: (line: string) => void): string | null {
  const have = () => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(PG_BIN, b))) && spawnSync('psql', ['--version']).status === 0;
  if (have()) return null;
  if (isRoot && !process.env.PG_BIN) {
    log('PostgreSQL 15 not found: installing Debian package postgresql-15 with apt-get');
    const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql-15'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (install.status === 0 && have()) return null;
  }
  return `PostgreSQL 15 server binaries not found in ${PG_BIN} (or psql not on PATH): run \`apt-get install postgresql-15\` as root, or set PG_BIN; the PostgreSQL comparison is skipped`;
}

/** The server's settings: a modest dedicated-server tuning, stated in the results. */
export const PG_SETTINGS: Record<string, string> = {
  shared_buffers: process.env.PG_SHARED_BUFFERS ?? '4GB',
  work_mem: '64MB',
  maintenance_work_mem: '1GB',
  effective_cache_size: '12GB',
  max_parallel_workers_per_gather: '2',
  // A bulk load into a table created in the same transaction writes no WAL.
  wal_level: 'minimal',
  max_wal_senders: '0',
  max_wal_size: '8GB',
  jit: process.env.PG_JIT ?? 'on',
  random_page_cost: '1.1',
};

/** A PostgreSQL cluster of the bench's own on 127.0.0.1; stop() is also called on exit and on signals. */
export class PgCluster {
  private stopped = false;
  private constructor(
    readonly dataDir: string,
    readonly port: number,
    readonly version: string,
  ) {}

  /** As root the server runs as the `postgres` user (it refuses root), from a directory that user can reach. */
  static dir(): string {
    return isRoot ? '/var/cache/xinfang/metrics-bench/pg15' : join(benchCache(), 'pg15');
  }

  static async start(log: (line: string) => void): Promise<PgCluster> {
    const dataDir = PgCluster.dir();
    const asServer = (cmd: string, args: string[]) => (isRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' }));
    const check = (what: string, r: ReturnType<typeof spawnSync>) => {
      if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${String(r.stderr).trim() || String(r.stdout).trim()}`);
      return String(r.stdout);
    };
    mkdirSync(dataDir, { recursive: true });
    if (isRoot) {
      check('chown', spawnSync('chown', ['postgres:postgres', dataDir, join(dataDir, '..')]));
      chmodSync(dataDir, 0o700);
    }
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      log(`initdb ${dataDir}`);
      check('initdb', asServer(join(PG_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale']));
    }
    // A server left running by an earlier run of this bench that was killed: ours, so stopped.
    if (asServer(join(PG_BIN, 'pg_ctl'), ['status', '-D', dataDir]).status === 0) {
      log('stopping a PostgreSQL server left running by an earlier bench run');
      check('pg_ctl stop', asServer(join(PG_BIN, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w']));
    }
    const port = await freePort();
    const options = [`-p ${port}`, '-c listen_addresses=127.0.0.1', "-c unix_socket_directories=''", ...Object.entries(PG_SETTINGS).map(([k, v]) => `-c ${k}=${v}`)];
    const logFile = join(dataDir, '..', 'postgres.log');
    check('pg_ctl start', asServer(join(PG_BIN, 'pg_ctl'), ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '300', '-o', options.join(' ')]));
    const version = check('postgres --version', spawnSync(join(PG_BIN, 'postgres'), ['--version'], { encoding: 'utf8' })).trim();
    const cluster = new PgCluster(dataDir, port, version);
    const stop = () => cluster.stop();
    process.once('exit', stop);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        stop();
        process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
      });
    }
    log(`PostgreSQL (${version}) on 127.0.0.1:${port}, data ${dataDir}, log ${logFile}`);
    return cluster;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const args = ['stop', '-D', this.dataDir, '-m', 'fast', '-w'];
    const r = isRoot ? spawnSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), ...args]) : spawnSync(join(PG_BIN, 'pg_ctl'), args);
    if (r.status !== 0) console.error(`[bench] pg_ctl stop failed: ${String(r.stderr)}`);
  }

  /** Runs a psql script (stops at the first error) and returns what it printed: unaligned, no headers, fields split by \x1f. */
  psql(database: string, script: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        'psql',
        ['-X', '-q', '-A', '-t', '-F', FIELD, '-P', `null=${NULL}`, '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-d', database, '-f', '-'],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', (code) => {
        const stderr = Buffer.concat(err).toString('utf8');
        if (code !== 0) reject(new Error(`psql (${database}) exited ${code}: ${stderr.slice(0, 4000)}`));
        else resolve(Buffer.concat(out).toString('utf8'));
      });
      child.stdin.end(script);
    });
  }
}

const FIELD = '\x1f';
const NULL = '\x1eNULL';

// ── the dialect ─────────────────────────────────────────────────────────────────────────

/** Replaces each call `name(arg, …)` by make(args), the arguments rewritten first; quotes and nested parentheses respected. */
function rewriteCalls(sql: string, name: string, make: (args: string[]) => string): string {
  const call = new RegExp(`\\b${name}\\s*\\(`, 'gi');
  let out = '';
  let at = 0;
  for (;;) {
    call.lastIndex = at;
    const m = call.exec(sql);
    if (!m) return out + sql.slice(at);
    const args: string[] = [];
    let depth = 0;
    let j = m.index + m[0].length;
    let start = j;
    for (; j < sql.length; j++) {
      const c = sql[j];
      if (c === "'") {
        do j = sql.indexOf("'", j + 1) + 1;
        while (sql[j] === "'");
        j--;
        if (j < 0) throw new Error(`unterminated string in ${sql.slice(m.index, m.index + 80)}`);
      } else if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) {
        args.push(sql.slice(start, j));
        start = j + 1;
      }
    }
    if (j >= sql.length) throw new Error(`unbalanced parentheses after ${sql.slice(m.index, m.index + 80)}`);
    args.push(sql.slice(start, j));
    out += sql.slice(at, m.index) + make(args.map((a) => rewriteCalls(a.trim(), name, make)));
    at = j + 1;
  }
}

/** PostgreSQL 15 wants a name for every subquery in FROM (16 does not): `FROM (…) WHERE` gets `AS bench_sub1`. */
function aliasSubqueries(sql: string): string {
  let out = '';
  let at = 0;
  let n = 0;
  const open = /\bFROM\s*\(/gi;
  for (let m = open.exec(sql); m; m = open.exec(sql)) {
    let depth = 0;
    let j = m.index + m[0].length;
    for (; j < sql.length; j++) {
      if (sql[j] === "'") j = sql.indexOf("'", j + 1);
      else if (sql[j] === '(') depth++;
      else if (sql[j] === ')' && depth-- === 0) break;
    }
    if (/^\s*(WHERE|GROUP|ORDER|LIMIT|\)|;|$)/i.test(sql.slice(j + 1))) {
      out += `${sql.slice(at, j + 1)} AS bench_sub${++n}`;
      at = j + 1;
    }
  }
  return out + sql.slice(at);
}

const STRFTIME: Record<string, string> = { '%Y': 'YYYY', '%m': 'MM', '%d': 'DD' };
const PG_TYPES: Record<string, string> = {
  DATE: 'date',
  VARCHAR: 'varchar',
  'VARCHAR[]': 'varchar[]',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  DOUBLE: 'double precision',
  BOOLEAN: 'boolean',
  TIMESTAMPTZ: 'timestamptz',
};

export interface PgStatement {
  sql: string;
  /** PostgreSQL types of $1, $2, … for PREPARE. */
  types: string[];
  /** Literals for EXECUTE, in the same order. */
  values: string[];
}

/**
 * DuckDB SQL of the metrics layer in PostgreSQL's dialect, mechanically; what it maps:
 *   $name (named parameters)            → $1, $2, … by first use, one number per name; types from
 *                                         the statement's own casts ($x::DATE → date), else from the
 *                                         bound value (DATE value → date, list → varchar[], text → text)
 *   list_contains($x::VARCHAR[], e)     → (e) = ANY($n::VARCHAR[])
 *   strftime(e, '%Y-%m-%d')             → to_char(e, 'YYYY-MM-DD')        (%Y %m %d)
 *   year(e), quarter(e)                 → extract(year|quarter FROM e)::int
 *   ::DOUBLE, AS DOUBLE                 → double precision
 *   any_value(e)                        → min(e)   (any_value arrives in PostgreSQL 16; any value will do)
 *   make_timestamp(epoch_us(e) + n)     → to_timestamp((extract(epoch FROM e) * 1e6 + n) / 1e6) AT TIME ZONE 'UTC'
 *   FROM (subquery) without a name      → FROM (subquery) AS bench_subN   (PostgreSQL 15 requires one)
 * The same in both and left alone: count(*) FILTER (WHERE …), coalesce, CAST, BETWEEN, ->>,
 * date_trunc, ||, ::VARCHAR. Anything else DuckDB-only stays as it is and PostgreSQL refuses
 * it, which stops the bench.
 */
export function toPostgres(sql: string, params: SqlParams): PgStatement {
  let pg = rewriteCalls(sql, 'list_contains', ([list, expr]) => `(${expr}) = ANY(${list})`);
  pg = rewriteCalls(pg, 'strftime', ([expr, format]) => `to_char(${expr}, ${format!.replace(/%[Ymd]/g, (f) => STRFTIME[f]!)})`);
  pg = rewriteCalls(pg, 'year', ([expr]) => `extract(year FROM ${expr})::int`);
  pg = rewriteCalls(pg, 'quarter', ([expr]) => `extract(quarter FROM ${expr})::int`);
  pg = rewriteCalls(pg, 'any_value', ([expr]) => `min(${expr})`);
  pg = rewriteCalls(pg, 'make_timestamp', ([arg]) => {
    const m = /^epoch_us\(([\s\S]*)\)\s*\+\s*(\d+)$/.exec(arg!);
    if (!m) throw new Error(`toPostgres: make_timestamp(${arg}) is not make_timestamp(epoch_us(e) + n)`);
    return `(to_timestamp((extract(epoch FROM ${m[1]}) * 1000000 + ${m[2]}) / 1000000.0) AT TIME ZONE 'UTC')`;
  });
  pg = pg.replace(/::DOUBLE\b/gi, '::double precision').replace(/\bAS DOUBLE\b/gi, 'AS double precision');
  pg = aliasSubqueries(pg);

  const names: string[] = [];
  pg = pg.replace(/\$([A-Za-z_]\w*|\d+)/g, (_, name: string) => {
    let i = names.indexOf(name);
    if (i < 0) i = names.push(name) - 1;
    return `$${i + 1}`;
  });
  const value = (name: string): DuckDBValue => {
    if (Array.isArray(params)) return params[Number(name) - 1] as DuckDBValue;
    if (!/^\d+$/.test(name) && Object.hasOwn(params, name)) return params[name] as DuckDBValue;
    throw new Error(`toPostgres: no value for $${name}`);
  };
  const types = names.map((name) => {
    const cast = new RegExp(`\\$${name}::([A-Za-z]+(?:\\[\\])?)`, 'i').exec(sql)?.[1]?.toUpperCase();
    if (cast && !PG_TYPES[cast]) throw new Error(`toPostgres: no PostgreSQL type for $${name}::${cast}`);
    return cast ? PG_TYPES[cast]! : pgTypeOf(value(name));
  });
  return { sql: pg, types, values: names.map((name) => pgLiteral(value(name))) };
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The type of a bound value the statement does not cast: DuckDB binds it with its own type. */
function pgTypeOf(v: DuckDBValue): string {
  if (v instanceof DuckDBDateValue) return 'date';
  if (v instanceof DuckDBListValue) return 'varchar[]';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return 'bigint';
  if (typeof v === 'number') return 'double precision';
  return 'text';
}

function pgLiteral(v: DuckDBValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof DuckDBDateValue) return quote(v.toString()); // YYYY-MM-DD
  if (v instanceof DuckDBListValue) {
    const items = v.items.map((item) => {
      if (typeof item !== 'string') throw new Error(`toPostgres: list item ${String(item)} is not text`);
      return `"${item.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    });
    return quote(`{${items.join(',')}}`);
  }
  throw new Error(`toPostgres: no literal for ${String(v)}`);
}

// ── data ────────────────────────────────────────────────────────────────────────────────

const DUCK_TO_PG: Record<string, string> = {
  VARCHAR: 'text',
  DATE: 'date',
  BOOLEAN: 'boolean',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  DOUBLE: 'double precision',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  TIMESTAMP: 'timestamp',
  JSON: 'jsonb',
};

/** The tables the measures read; the small ones (empty in this bench but for regions and organs) come along so every statement runs. */
export const PG_TABLES = ['regions', 'organs', 'case_facts', 'duty_events', 'accountability_events', 'recommendations', 'disputes'];

/**
 * Indexes a database administrator tuning these dashboards would add: a btree on every date
 * basis of a case measure (read from the catalog, so each statement's date range can use
 * one; the review-stage basis is an expression), and on the region columns the region
 * filters and roll-ups use.
 */
export const PG_INDEXES: Record<string, string> = Object.fromEntries([
  ...[...new Set(MEASURES.filter((m) => m.source === 'cases').map((m) => m.basis))].map((basis) => [
    `bench_cf_${basis.replace(/\W+/g, '_').replace(/_+$/, '')}`,
    /^\w+$/.test(basis) ? `case_facts (${basis})` : `case_facts ((${basis}))`,
  ]),
  ['bench_cf_region_code', 'case_facts (region_code)'],
  ['bench_cf_street_code', 'case_facts (street_code)'],
  ['bench_regions_code', 'regions (code)'],
]);

const columnRow = z.object({ column_name: z.string(), data_type: z.string() });
const tableRow = z.object({ table_name: z.string() });

export interface PgLoad {
  database: string;
  reused: boolean;
  ms: number;
  rows: number;
  csvBytes: number;
}

/** One table of the DuckDB database into PostgreSQL: its columns' types mapped, its rows through CSV. */
async function copyTable(cluster: PgCluster, store: AnalyticsStore, database: string, table: string, work: string): Promise<number> {
  const columns = await store.all(
    columnRow,
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_catalog = current_database() AND table_name = $table ORDER BY ordinal_position",
    { table },
  );
  const ddl = columns.map((c) => {
    const type = DUCK_TO_PG[c.data_type];
    if (!type) throw new Error(`no PostgreSQL type for ${table}.${c.column_name} ${c.data_type}`);
    return `"${c.column_name}" ${type}`;
  });
  mkdirSync(work, { recursive: true });
  const csv = join(work, `${table}.csv`);
  // The table's own order, so PostgreSQL's heap is in the same (received-year) order as DuckDB's.
  await store.run(`COPY (SELECT * FROM ${table}) TO '${csv.replaceAll("'", "''")}' (FORMAT csv, HEADER false)`);
  const bytes = statSync(csv).size;
  try {
    await cluster.psql(database, `BEGIN;\nDROP TABLE IF EXISTS ${table};\nCREATE TABLE ${table} (${ddl.join(', ')});\n\\copy ${table} FROM '${csv}' WITH (FORMAT csv, FREEZE)\nCOMMIT;\n`);
  } finally {
    rmSync(csv, { force: true });
  }
  return bytes;
}

/**
 * The same rows as the DuckDB database, in a database named for its cache key: case_facts is
 * loaded once and kept; the small tables are copied afresh every run, so they follow the
 * schema (a migration may add one the measures read).
 */
export async function loadPostgres(cluster: PgCluster, store: AnalyticsStore, key: string, work: string, log: (line: string) => void): Promise<PgLoad> {
  const database = `xb_${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  const expected = (await store.all(z.object({ n: z.coerce.number() }), 'SELECT count(*) AS n FROM case_facts'))[0]!.n;
  const present = new Set((await store.all(tableRow, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()")).map((t) => t.table_name));
  const small = PG_TABLES.filter((t) => t !== 'case_facts' && present.has(t));
  const exists = (await cluster.psql('postgres', `SELECT 1 FROM pg_database WHERE datname = ${quote(database)};`)).trim() === '1';
  if (exists) {
    const meta = (await cluster.psql(database, "SELECT rows, load_ms, csv_bytes FROM bench_meta WHERE to_regclass('bench_meta') IS NOT NULL;").catch(() => '')).trim();
    const [rows, ms, bytes] = meta.split(FIELD).map(Number);
    if (rows === expected) {
      for (const table of small) await copyTable(cluster, store, database, table, work);
      await cluster.psql(database, `ANALYZE ${small.join(', ')};`);
      log(`reusing PostgreSQL database ${database} (${rows} case_facts rows, loaded in ${ms} ms; ${small.join(', ')} copied afresh)`);
      return { database, reused: true, ms: ms!, rows: rows!, csvBytes: bytes! };
    }
    await cluster.psql('postgres', `DROP DATABASE ${database};`);
  }
  await cluster.psql('postgres', `CREATE DATABASE ${database};`);
  const started = Date.now();
  let csvBytes = 0;
  for (const table of ['case_facts', ...small]) {
    const t = Date.now();
    csvBytes += await copyTable(cluster, store, database, table, work);
    if (table === 'case_facts') log(`  case_facts to PostgreSQL: ${Date.now() - t} ms`);
  }
  await cluster.psql(database, 'VACUUM ANALYZE;');
  const ms = Date.now() - started;
  await cluster.psql(database, `CREATE TABLE bench_meta AS SELECT ${expected}::bigint AS rows, ${ms}::bigint AS load_ms, ${csvBytes}::bigint AS csv_bytes, now() AS loaded_at;`);
  log(`loaded ${expected} case_facts rows into PostgreSQL database ${database} in ${ms} ms (${(csvBytes / 2 ** 20).toFixed(0)} MiB CSV)`);
  return { database, reused: false, ms, rows: expected, csvBytes };
}

export async function dropIndexes(cluster: PgCluster, database: string): Promise<void> {
  // Every index the bench ever made (bench_…), including those of an earlier index set.
  await cluster.psql(database, "SELECT format('DROP INDEX %I', indexname) FROM pg_indexes WHERE indexname LIKE 'bench\\_%' \\gexec\n");
}

/** Builds the indexes and analyzes; returns the build time. */
export async function createIndexes(cluster: PgCluster, database: string): Promise<number> {
  const started = Date.now();
  await cluster.psql(database, `${Object.entries(PG_INDEXES).map(([name, on]) => `CREATE INDEX IF NOT EXISTS ${name} ON ${on};`).join('\n')}\nANALYZE;`);
  return Date.now() - started;
}

export async function pgSizes(cluster: PgCluster, database: string) {
  const out = await cluster.psql(
    database,
    "SELECT pg_database_size(current_database()), pg_table_size('case_facts'), pg_indexes_size('case_facts');",
  );
  const [databaseBytes, caseFactsBytes, caseFactsIndexBytes] = out.trim().split(FIELD).map(Number);
  return { databaseBytes: databaseBytes!, caseFactsBytes: caseFactsBytes!, caseFactsIndexBytes: caseFactsIndexBytes! };
}

// ── running and timing ──────────────────────────────────────────────────────────────────

export type Row = Record<string, unknown>;

/** Rows in a form both engines agree on: values in column order, numbers as numbers, sorted. */
export function canonical(rows: unknown[][]): string[] {
  const value = (v: unknown) => {
    if (v === null || v === undefined) return '∅';
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(v) ? Number(v) : NaN;
    return Number.isNaN(n) ? String(v) : String(Math.round(n * 1e9) / 1e9);
  };
  return rows.map((r) => JSON.stringify(r.map(value))).sort();
}

export interface PgRun {
  /** Rows of each statement, from the warm-up execution. */
  rows: unknown[][][];
  /** Per timed run, per statement, milliseconds (psql's \timing: the round trip on loopback). */
  runs: number[][];
}

/**
 * Prepares every statement, executes each once to read its rows (and warm up), then runs them
 * all `runs` times, each statement's time from \timing. Custom plans every time, as a driver
 * sending unnamed statements gets.
 */
export async function runOnPostgres(cluster: PgCluster, database: string, statements: PgStatement[], runs: number): Promise<PgRun> {
  const lines = ['SET plan_cache_mode = force_custom_plan;'];
  statements.forEach((s, i) => lines.push(`PREPARE s${i}${s.types.length ? ` (${s.types.join(', ')})` : ''} AS ${s.sql};`));
  const exec = (s: PgStatement, i: number) => `EXECUTE s${i}${s.values.length ? `(${s.values.join(', ')})` : ''}`;
  statements.forEach((s, i) => lines.push(`\\echo @@rows ${i}`, `${exec(s, i)};`));
  lines.push('\\timing on');
  for (let r = 0; r < runs; r++) {
    lines.push(`\\echo @@run ${r}`);
    statements.forEach((s, i) => lines.push(`${exec(s, i)} \\g /dev/null`));
  }
  const out = await cluster.psql(database, `${lines.join('\n')}\n`);
  const rows: unknown[][][] = statements.map(() => []);
  const times: number[][] = [];
  let section: 'rows' | 'run' | null = null;
  let current = -1;
  for (const line of out.split('\n')) {
    const marker = /^@@(rows|run) (\d+)$/.exec(line);
    if (marker) {
      section = marker[1] as 'rows' | 'run';
      current = Number(marker[2]);
      if (section === 'run') times[current] = [];
      continue;
    }
    if (section === 'rows' && line !== '') rows[current]!.push(line.split(FIELD).map((v) => (v === NULL ? null : v)));
    const time = /^Time: ([\d.]+) ms/.exec(line);
    if (section === 'run' && time) times[current]!.push(Number(time[1]));
  }
  if (times.length !== runs || times.some((t) => t.length !== statements.length)) {
    throw new Error(`could not read psql's timings (${times.map((t) => t.length).join(',')} of ${statements.length} per run):\n${out.slice(0, 2000)}`);
  }
  return { rows, runs: times };
}
