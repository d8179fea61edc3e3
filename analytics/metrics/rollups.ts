import { createHash } from 'node:crypto';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { MEASURES, SOURCES, type DimensionId, type Measure } from './catalog.js';

/**
 * Pre-aggregations of the case measures (Cube's "rollups"): each measure's numerator,
 * denominator or value summed per date basis, month and a few dimensions. A dashboard query
 * over 10 million cases then reads some thousand rollup rows instead of every case.
 *
 * They hold the figures as the log stood when they were built, which equal the figures "as
 * of" a date only where nothing after that date could change them. So each (basis, month)
 * keeps its horizon, the latest date its measures read (a reply, a rating, a breach ...) of
 * any case in it, and a query uses a month's rollup rows only when the month lies whole inside
 * its period, its horizon is on or before the as-of date, and no case in it changed since;
 * every other day is read from `case_facts` (analytics/metrics/query.ts). A report on last
 * year re-run today, or as it stood last March, gives the figures it always gave.
 *
 * A write marks the (basis, month) pairs its cases touched as dirty, in its own transaction
 * (`markRollupsDirty`, a few rows); `refreshRollups` rebuilds the dirty months from
 * `case_facts`: at the end of a bulk write, when the store opens, and every few minutes by a
 * Temporal schedule (workflows/rollups.ts). Maintaining the sums on every event instead (a
 * MERGE per rollup) cost several times the event's own write. A catalog whose measures
 * changed rebuilds them all.
 */
export interface Rollup {
  id: string;
  /** Dimensions of the `cases` source it keeps; a query may group or filter by these alone. */
  dims: readonly DimensionId[];
}

/** Smallest first: a query takes the first rollup that has every dimension it needs. */
export const ROLLUPS: readonly Rollup[] = [
  { id: 'region', dims: ['district', 'street'] },
  { id: 'field', dims: ['district', 'field'] },
  { id: 'channel_class', dims: ['district', 'channel', 'petition_class'] },
  { id: 'organ', dims: ['district', 'organ'] },
  { id: 'flags', dims: ['district', 'collective', 'repeat_petition', 'skip_level', 'route_mode'] },
];

const CASES = SOURCES.cases;
const CASE_MEASURES: readonly Measure[] = MEASURES.filter((m) => m.source === 'cases');
const BASES = [...new Set(CASE_MEASURES.map((m) => m.basis))];
/** A date after every step: `x <= $asOf` then means "x happened", which is what a rollup keeps. */
const FOREVER = "DATE '9999-12-31'";

export const rollupTable = (rollup: Rollup) => `rollup_${rollup.id}`;
/** The value columns of a measure in every rollup. */
export function measureColumns(m: Measure): { num?: string; den?: string; val?: string } {
  return m.kind === 'rate' ? { num: `${m.id}__num`, den: `${m.id}__den` } : { val: `${m.id}__val` };
}

function dimExpr(dim: DimensionId): string {
  const column = CASES.columns[dim as keyof typeof CASES.columns];
  if (!column) throw new Error(`rollups: the cases source has no dimension ${dim}`);
  return `CAST(${column} AS VARCHAR)`;
}

/**
 * What the rows of `relation` add to a rollup: per basis, the month of the basis and the
 * rollup's dimensions. `only(basis)` may restrict a basis's rows further (the months refreshed).
 */
function contribution(relation: string, rollup: Rollup, only: (basis: string) => string = () => 'true'): string {
  return BASES.map((basis) => {
    const select = [`${quote(basis)} AS basis`, `${monthOf(basis)} AS month`, ...rollup.dims.map((d) => `${dimExpr(d)} AS ${d}`)];
    for (const m of CASE_MEASURES.filter((x) => x.basis === basis)) {
      const population = `(${m.population.replaceAll('$asOf', FOREVER)})`;
      const cols = measureColumns(m);
      if (m.kind === 'rate') {
        select.push(`count(*) FILTER (WHERE ${population})::DOUBLE AS ${cols.den}`);
        select.push(`count(*) FILTER (WHERE ${population} AND (${m.numerator!.replaceAll('$asOf', FOREVER)}))::DOUBLE AS ${cols.num}`);
      } else if (m.kind === 'sum') {
        select.push(`coalesce(sum(${m.value}) FILTER (WHERE ${population}), 0)::DOUBLE AS ${cols.val}`);
      } else {
        select.push(`count(*) FILTER (WHERE ${population})::DOUBLE AS ${cols.val}`);
      }
    }
    return `SELECT ${select.join(', ')} FROM ${relation} WHERE ${basis} IS NOT NULL AND ${only(basis)} GROUP BY ALL`;
  }).join('\nUNION ALL BY NAME\n');
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const monthOf = (basis: string) => `CAST(date_trunc('month', ${basis}) AS DATE)`;

/**
 * The dates a basis's measures read: a case's contribution to them as of a day equals its
 * contribution now once every one of these dates (that it has) is on or before that day.
 */
function datesRead(basis: string, dateColumns: readonly string[]): string[] {
  const text = [basis, ...CASE_MEASURES.filter((m) => m.basis === basis).flatMap((m) => [m.population, m.numerator ?? '', m.value ?? ''])].join(' ');
  return dateColumns.filter((column) => new RegExp(`\\b${column}\\b`).test(text));
}

/** Per basis and month: the latest basis date, and the latest date its measures read of any case in it. */
function horizons(relation: string, dateColumns: readonly string[], only: (basis: string) => string = () => 'true'): string {
  return BASES.map((basis) => {
    const read = datesRead(basis, dateColumns);
    const latest = read.length > 1 ? `greatest(${read.join(', ')})` : basis;
    return `SELECT ${quote(basis)} AS basis, ${monthOf(basis)} AS month, max(${basis}) AS last_basis, max(${latest}) AS horizon
              FROM ${relation} WHERE ${basis} IS NOT NULL AND ${only(basis)} GROUP BY ALL`;
  }).join('\nUNION ALL\n');
}

// Read once: every store of a process has run the same migrations, so case_facts has the same columns.
let factDates: string[] | undefined;
async function dateColumnsOfFacts(conn: DuckDBConnection): Promise<string[]> {
  factDates ??= (
    await conn.runAndReadAll(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'case_facts' AND data_type = 'DATE' ORDER BY ordinal_position",
    )
  )
    .getRows()
    .map(([name]) => String(name));
  return factDates;
}

/** Everything a rollup's rows depend on: its SQL, derived from the catalog and the facts' columns. */
async function definition(conn: DuckDBConnection): Promise<string> {
  const text = [...ROLLUPS.map((r) => `${rollupTable(r)}: ${contribution('case_facts', r)}`), horizons('case_facts', await dateColumnsOfFacts(conn))].join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Drops and rebuilds every rollup and the horizons from `case_facts` (inside a transaction). */
export async function rebuildRollups(conn: DuckDBConnection): Promise<void> {
  const dates = await dateColumnsOfFacts(conn);
  for (const rollup of ROLLUPS) {
    await conn.run(`CREATE OR REPLACE TABLE ${rollupTable(rollup)} AS ${contribution('case_facts', rollup)} LIMIT 0`);
  }
  await conn.run(`CREATE OR REPLACE TABLE rollup_horizon AS ${horizons('case_facts', dates)} LIMIT 0`);
  await conn.run('DELETE FROM rollup_dirty');
  await markRollupsDirty(conn, '(SELECT * FROM case_facts)');
  await refreshRollups(conn);
  await conn.run('DELETE FROM rollup_state');
  await conn.run('INSERT INTO rollup_state (definition) VALUES ($definition)', { definition: await definition(conn) });
}

/**
 * Builds the rollups if they are missing or were built from another definition, else
 * refreshes their dirty months (inside the caller's transaction).
 */
export async function ensureRollups(conn: DuckDBConnection): Promise<void> {
  const current = (await conn.runAndReadAll('SELECT definition FROM rollup_state')).getRows()[0]?.[0];
  if (current !== (await definition(conn))) await rebuildRollups(conn);
  else await refreshRollups(conn);
}

/**
 * Marks the (basis, month) pairs of the `case_facts` rows in `relation` as dirty. Writers call
 * it with a changed case's rows before and after the change, so a month it left is rebuilt too.
 */
export async function markRollupsDirty(conn: DuckDBConnection, relation: string, params: Record<string, DuckDBValue> = {}): Promise<void> {
  const touched = BASES.map((basis) => `SELECT ${quote(basis)} AS basis, ${monthOf(basis)} AS month FROM rows WHERE ${basis} IS NOT NULL`);
  await conn.run(
    `INSERT INTO rollup_dirty WITH rows AS MATERIALIZED ${relation}
     SELECT DISTINCT t.basis, t.month FROM (${touched.join(' UNION ALL ')}) t ANTI JOIN rollup_dirty d ON d.basis = t.basis AND d.month = t.month`,
    params,
  );
}

/** Rebuilds the dirty months of every rollup from `case_facts` (inside the caller's transaction); returns how many (basis, month) pairs. */
export async function refreshRollups(conn: DuckDBConnection): Promise<number> {
  await conn.run('CREATE OR REPLACE TEMP TABLE rollup_refresh AS SELECT DISTINCT basis, month FROM rollup_dirty');
  const pairs = Number((await conn.runAndReadAll('SELECT count(*) FROM temp.main.rollup_refresh')).getRows()[0]![0]);
  if (pairs > 0) {
    for (const table of [...ROLLUPS.map(rollupTable), 'rollup_horizon']) {
      await conn.run(`DELETE FROM ${table} USING temp.main.rollup_refresh r WHERE ${table}.basis = r.basis AND ${table}.month = r.month`);
    }
    // The basis range lets DuckDB skip row groups outside the refreshed months.
    const only = (basis: string) => {
      const months = `(SELECT month FROM temp.main.rollup_refresh WHERE basis = ${quote(basis)})`;
      return `${basis} BETWEEN (SELECT min(month) FROM ${months}) AND (SELECT max(month) + INTERVAL 1 MONTH FROM ${months}) AND ${monthOf(basis)} IN ${months}`;
    };
    for (const rollup of ROLLUPS) await conn.run(`INSERT INTO ${rollupTable(rollup)} BY NAME ${contribution('case_facts', rollup, only)}`);
    await conn.run(`INSERT INTO rollup_horizon BY NAME ${horizons('case_facts', await dateColumnsOfFacts(conn), only)}`);
    await conn.run('DELETE FROM rollup_dirty USING temp.main.rollup_refresh r WHERE rollup_dirty.basis = r.basis AND rollup_dirty.month = r.month');
  }
  await conn.run('DROP TABLE temp.main.rollup_refresh');
  return pairs;
}
