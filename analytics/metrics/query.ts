import { dateValue, listValue, type DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { addDays, lastDayOfMonth, type PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import {
  measure,
  sourceDimensionName,
  SOURCES,
  TIME_GRAINS,
  type DimensionId,
  type Measure,
  type MeasureId,
  type Source,
  type SourceDimensionId,
  type TimeGrain,
} from './catalog.js';
import { measureColumns, ROLLUPS, rollupTable, type Rollup } from './rollups.js';
import { declaredSourceDimensions } from './source-dimensions.js';

/**
 * Evaluates catalog measures: one SQL statement per (source, date basis), every value bound.
 * A request names measures and dimensions by id; a period of basis dates; the as-of date;
 * a region at any level of the hierarchy (a district's figures include its streets, the
 * city's its districts); and filters on dimension values.
 */
export interface MetricRequest {
  measures: readonly MeasureId[];
  /** First and last basis date, inclusive. */
  from: PlainDate;
  to: PlainDate;
  /** Evaluate as the log stood at the end of this China date. */
  asOf: PlainDate;
  by?: readonly DimensionId[];
  region?: string;
  filters?: Partial<Record<DimensionId, readonly string[]>>;
}

export type DimensionValues = Partial<Record<DimensionId, string | null>>;

export interface MetricRow {
  measure: MeasureId;
  dims: DimensionValues;
  /** The count, the sum, or the rate (null when its denominator is 0). */
  value: number | null;
  /** For a rate: numerator and denominator, and a 95% Wilson score interval. */
  numerator?: number;
  denominator?: number;
  interval?: [number, number];
}

/** A request the catalog cannot answer, with what is wrong. */
export class MetricsError extends Error {}

const isTimeGrain = (d: DimensionId): d is TimeGrain => (TIME_GRAINS as readonly string[]).includes(d);

function timeExpr(grain: TimeGrain, basis: string): string {
  switch (grain) {
    case 'day':
      return `strftime(${basis}, '%Y-%m-%d')`;
    case 'week':
      return `strftime(date_trunc('week', ${basis}), '%Y-%m-%d')`;
    case 'month':
      return `strftime(${basis}, '%Y-%m')`;
    case 'quarter':
      return `year(${basis})::VARCHAR || '-Q' || quarter(${basis})::VARCHAR`;
    case 'year':
      return `year(${basis})::VARCHAR`;
  }
}

function dimensionExpr(source: Source, dimension: DimensionId, basis: string, measureId: string, params: CompiledQuery['params']): string {
  if (isTimeGrain(dimension)) return timeExpr(dimension, basis);
  const name = sourceDimensionName(dimension);
  if (name !== null) {
    if (!source.caseId) throw new MetricsError(`measure ${measureId} cannot be broken down or filtered by ${dimension} (its rows are ${source.id}, not cases)`);
    // The parameter is named for the dimension (checked letters, digits and _) so a breakdown and a filter by it share one.
    params[`src_${name}`] = name;
    return `(SELECT sd.value FROM case_source_dimensions sd WHERE sd.case_id = ${source.relation}.${source.caseId} AND sd.dimension = $src_${name})`;
  }
  const column = source.columns[dimension as Exclude<DimensionId, TimeGrain | SourceDimensionId>];
  if (!column) throw new MetricsError(`measure ${measureId} cannot be broken down or filtered by ${dimension} (its rows are ${source.id})`);
  return `CAST(${column} AS VARCHAR)`;
}

export interface RegionScope {
  code: string;
  level: 'city' | 'district' | 'street';
  /** Districts whose rows belong to the region (the district itself, or the city's districts). */
  districts: string[];
}

const regionRow = z.object({ code: z.string(), level: z.enum(['city', 'district', 'street']), parent_code: z.string().nullable() });

export async function resolveRegion(store: AnalyticsStore, code: string): Promise<RegionScope> {
  const [region] = await store.all(regionRow, 'SELECT code, level, parent_code FROM regions WHERE code = $code', { code });
  if (!region) throw new MetricsError(`unknown region code "${code}" (not in the regions table)`);
  if (region.level === 'street') return { code, level: 'street', districts: region.parent_code ? [region.parent_code] : [] };
  if (region.level === 'district') return { code, level: 'district', districts: [code] };
  const children = await store.all(regionRow, "SELECT code, level, parent_code FROM regions WHERE parent_code = $code AND level = 'district'", { code });
  return { code, level: 'city', districts: children.map((c) => c.code) };
}

export interface CompiledQuery {
  sql: string;
  params: Record<string, DuckDBValue>;
  measures: Measure[];
  dims: DimensionId[];
}

const sqlDate = (date: PlainDate) => dateValue({ year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) });

/**
 * The SQL for measures that share a source and date basis (exported for benchmarks that run it
 * elsewhere). One statement per basis, not one for all: the basis range lets DuckDB skip row
 * groups, and a single statement with a FILTER per basis measured 2.5 times slower here.
 */
export function compileMetricQuery(group: Measure[], request: MetricRequest, region: RegionScope | null): CompiledQuery {
  const first = group[0]!;
  const source = SOURCES[first.source];
  const dims = [...(request.by ?? [])];
  if (group.some((m) => m.source !== first.source || m.basis !== first.basis)) {
    throw new MetricsError('one statement answers measures of one source and date basis');
  }
  // Dates are bound as DATE values: a fragment compares `replied_date <= $asOf`, and text there
  // would make DuckDB compare every row as text, twenty times slower.
  const params: CompiledQuery['params'] = { from: sqlDate(request.from), to: sqlDate(request.to), asOf: sqlDate(request.asOf) };
  const where = [`${first.basis} BETWEEN $from AND $to`, `${first.basis} <= $asOf`];

  if (region?.level === 'street' && !source.region.street) {
    throw new MetricsError(`measure ${first.id} is not recorded by street; ask for district ${region.districts[0] ?? ''}`);
  }
  scope(request, region, source.region, (d) => dimensionExpr(source, d, first.basis, first.id, params), params, where);

  const select = dims.map((d, i) => `${dimensionExpr(source, d, first.basis, first.id, params)} AS d${i}`);
  group.forEach((m, i) => {
    const population = `(${m.population})`;
    if (m.kind === 'rate') {
      select.push(`count(*) FILTER (WHERE ${population})::DOUBLE AS m${i}_den`);
      select.push(`count(*) FILTER (WHERE ${population} AND (${m.numerator}))::DOUBLE AS m${i}_num`);
    } else if (m.kind === 'sum') {
      select.push(`coalesce(sum(${m.value}) FILTER (WHERE ${population}), 0)::DOUBLE AS m${i}_val`);
    } else {
      select.push(`count(*) FILTER (WHERE ${population})::DOUBLE AS m${i}_val`);
    }
  });
  const groupBy = dims.length ? `GROUP BY ${dims.map((_, i) => i + 1).join(', ')}` : '';
  const sql = `SELECT ${select.join(', ')} FROM ${source.relation} WHERE ${where.join(' AND ')} ${groupBy}`;
  return { sql, params, measures: group, dims };
}

/**
 * The region and the filters of a request, as bound conditions on `columns` (where the region
 * is) and `expr` (how a dimension is written), added to `params` and `where`.
 */
function scope(
  request: MetricRequest,
  region: RegionScope | null,
  columns: { district: string; street?: string },
  expr: (dimension: DimensionId) => string,
  params: CompiledQuery['params'],
  where: string[],
): void {
  if (region?.level === 'street') {
    params.regionStreet = region.code;
    where.push(`${columns.street} = $regionStreet`);
  } else if (region) {
    params.regionDistricts = listValue(region.level === 'city' ? [region.code, ...region.districts] : region.districts);
    where.push(`list_contains($regionDistricts::VARCHAR[], ${columns.district})`);
  }
  Object.entries(request.filters ?? {}).forEach(([dimension, values], i) => {
    params[`f${i}`] = listValue([...(values ?? [])]);
    where.push(`list_contains($f${i}::VARCHAR[], ${expr(dimension as DimensionId)})`);
  });
}

/** Wilson score interval (95%): honest about small denominators, never outside [0, 1]. */
export function wilson(successes: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const resultRow = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));

export interface QueryOptions {
  /** false: read `case_facts` alone, never the rollups (tests and the bench compare the two). */
  rollups?: boolean;
}

export async function queryMetrics(store: AnalyticsStore, request: MetricRequest, options: QueryOptions = {}): Promise<MetricRow[]> {
  if (request.to < request.from) throw new MetricsError(`the period ends (${request.to}) before it begins (${request.from})`);
  const by = request.by ?? [];
  if (new Set(by).size !== by.length) throw new MetricsError('a dimension appears twice in "by"');
  if (by.filter(isTimeGrain).length > 1) throw new MetricsError('at most one time grain (day, week, month, quarter, year) at a time');
  await checkSourceDimensions(store, [...by, ...(Object.keys(request.filters ?? {}) as DimensionId[])], request.region ?? null);
  const region = request.region ? await resolveRegion(store, request.region) : null;

  const groups = new Map<string, Measure[]>();
  for (const id of new Set(request.measures)) {
    const m = measure(id);
    const key = `${m.source}|${m.basis}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const rollup = options.rollups === false ? undefined : rollupFor(request, region);
  const rolled = rollup ? [...groups.values()].filter((g) => g[0]!.source === 'cases').map((g) => g[0]!.basis) : [];
  const splits = rolled.length ? await splitByHorizon(store, rolled, request) : new Map<string, Split>();
  const plans = await Promise.all(
    [...groups.values()].map(async (group) => {
      const split = group[0]!.source === 'cases' ? splits.get(group[0]!.basis) : undefined;
      const statements = rollup && split ? statementsFor(group, request, region, rollup, split) : [compileMetricQuery(group, request, region)];
      return { group, results: await Promise.all(statements.map((c) => store.all(resultRow, c.sql, c.params))) };
    }),
  );

  const rows: MetricRow[] = [];
  for (const { group, results } of plans) {
    for (const r of sumByDims(results, by.length)) {
      const dims: DimensionValues = {};
      by.forEach((d, i) => (dims[d] = (r[`d${i}`] as string | null) ?? null));
      group.forEach((m, i) => {
        if (m.kind === 'rate') {
          const numerator = Number(r[`m${i}_num`] ?? 0);
          const denominator = Number(r[`m${i}_den`] ?? 0);
          rows.push({ measure: m.id as MeasureId, dims, value: denominator ? numerator / denominator : null, numerator, denominator, interval: wilson(numerator, denominator) });
        } else {
          rows.push({ measure: m.id as MeasureId, dims, value: Number(r[`m${i}_val`] ?? 0) });
        }
      });
    }
  }
  return fillTime(rows, request);
}

/**
 * Refuses a source dimension no import has declared, naming those that are: within a region,
 * those its cases carry, as the catalog lists them (source-dimensions.ts).
 */
async function checkSourceDimensions(store: AnalyticsStore, used: readonly DimensionId[], region: string | null): Promise<void> {
  const names = used.map(sourceDimensionName).filter((n): n is string => n !== null);
  if (!names.length) return;
  const declared = (await declaredSourceDimensions(store, region)).map((d) => d.name);
  const unknown = names.find((n) => !declared.includes(n));
  if (unknown !== undefined) {
    const where = region === null ? '' : ` for the cases of region ${region}`;
    throw new MetricsError(
      `unknown source dimension "src:${unknown}"; ${declared.length ? `declared by imports${where}: ${declared.map((d) => `src:${d}`).join(', ')}` : `no import has declared any${where} (mapping "dimensions")`}`,
    );
  }
}

type ResultRow = z.infer<typeof resultRow>;

/** Rows of the statements that answered one group (rollup months and days read raw), added up per combination of dimensions. */
function sumByDims(results: ResultRow[][], dims: number): ResultRow[] {
  if (results.length === 1) return results[0]!;
  const sums = new Map<string, ResultRow>();
  for (const row of results.flat()) {
    const key = JSON.stringify(Array.from({ length: dims }, (_, i) => row[`d${i}`]));
    const sum = sums.get(key);
    if (!sum) sums.set(key, { ...row });
    else for (const [column, value] of Object.entries(row)) if (/^m\d+_/.test(column)) sum[column] = Number(sum[column] ?? 0) + Number(value ?? 0);
  }
  return [...sums.values()];
}

/**
 * The statements that answer a group of case measures when a rollup keeps every dimension the
 * request needs: its rows for the months it can answer exactly (analytics/metrics/rollups.ts),
 * and `case_facts` for the days outside them.
 */
function statementsFor(group: Measure[], request: MetricRequest, region: RegionScope | null, rollup: Rollup, split: Split): CompiledQuery[] {
  const statements = split.raw.map((days) => compileMetricQuery(group, { ...request, ...days }, region));
  if (split.months.length) statements.push(compileRollupQuery(group, request, region, rollup, split.months));
  // Nothing in the period at all: the raw statement still gives the zero row a total needs.
  return statements.length ? statements : [compileMetricQuery(group, request, region)];
}

const ROLLUP_GRAINS: readonly TimeGrain[] = ['month', 'quarter', 'year'];

/** The smallest rollup that keeps every dimension the request groups or filters by, if any. */
function rollupFor(request: MetricRequest, region: RegionScope | null): Rollup | undefined {
  const used = [...(request.by ?? []), ...(Object.keys(request.filters ?? {}) as DimensionId[])];
  if (used.some((d) => isTimeGrain(d) && !ROLLUP_GRAINS.includes(d))) return undefined;
  const needed = new Set(used.filter((d) => !isTimeGrain(d)));
  if (region?.level === 'street') needed.add('street');
  return ROLLUPS.find((r) => [...needed].every((d) => r.dims.includes(d)));
}

const monthRow = z.object({ basis: z.string(), month: z.string(), last_basis: z.string().nullable(), horizon: z.string().nullable(), dirty: z.boolean() });
interface Split {
  months: PlainDate[];
  raw: { from: PlainDate; to: PlainDate }[];
}

/**
 * Which months of the period a rollup answers exactly: those inside the period, rebuilt since
 * any of their cases changed, whose every date the measures read is on or before the as-of
 * date (their horizon). The other days, as ranges, are read raw. A month with neither rollup
 * rows nor a change has no rows for the basis and needs neither.
 */
async function splitByHorizon(store: AnalyticsStore, bases: string[], request: MetricRequest): Promise<Map<string, Split>> {
  const rows = await store.all(
    monthRow,
    `SELECT basis, CAST(month AS VARCHAR) AS month, CAST(max(last_basis) AS VARCHAR) AS last_basis, CAST(max(horizon) AS VARCHAR) AS horizon, bool_or(dirty) AS dirty
       FROM (SELECT basis, month, last_basis, horizon, false AS dirty FROM rollup_horizon
              WHERE list_contains($bases::VARCHAR[], basis) AND month BETWEEN $fromMonth AND $to
             UNION ALL
             SELECT basis, month, NULL, NULL, true FROM rollup_dirty
              WHERE list_contains($bases::VARCHAR[], basis) AND month BETWEEN $fromMonth AND $to)
      GROUP BY basis, month ORDER BY basis, month`,
    { bases: listValue(bases), fromMonth: sqlDate(`${request.from.slice(0, 7)}-01` as PlainDate), to: sqlDate(request.to) },
  );
  const splits = new Map<string, Split>(bases.map((b) => [b, { months: [], raw: [] }]));
  for (const row of rows) {
    const { months, raw } = splits.get(row.basis)!;
    const start = row.month as PlainDate;
    const end = lastDayOfMonth(start);
    const whole = start >= request.from && (end <= request.to || (row.last_basis !== null && row.last_basis <= request.to));
    if (!row.dirty && whole && row.horizon !== null && row.horizon <= request.asOf) {
      months.push(start);
      continue;
    }
    const days = { from: start < request.from ? request.from : start, to: end > request.to ? request.to : end };
    const last = raw[raw.length - 1];
    if (last && addDays(last.to, 1) === days.from) last.to = days.to;
    else raw.push(days);
  }
  return splits;
}

function compileRollupQuery(group: Measure[], request: MetricRequest, region: RegionScope | null, rollup: Rollup, months: PlainDate[]): CompiledQuery {
  const dims = [...(request.by ?? [])];
  const column = (d: DimensionId) => (isTimeGrain(d) ? timeExpr(d, 'month') : d);
  const params: CompiledQuery['params'] = { basis: group[0]!.basis, months: listValue(months.map(sqlDate)) };
  const where = ['basis = $basis', 'list_contains($months::DATE[], month)'];
  // A rollup names its dimension columns by the dimensions' ids (rollups.ts).
  scope(request, region, { district: 'district', street: 'street' }, column, params, where);
  const select = dims.map((d, i) => `${column(d)} AS d${i}`);
  group.forEach((m, i) => {
    const cols = measureColumns(m);
    if (m.kind === 'rate') select.push(`coalesce(sum(${cols.den}), 0)::DOUBLE AS m${i}_den`, `coalesce(sum(${cols.num}), 0)::DOUBLE AS m${i}_num`);
    else select.push(`coalesce(sum(${cols.val}), 0)::DOUBLE AS m${i}_val`);
  });
  const groupBy = dims.length ? `GROUP BY ${dims.map((_, i) => i + 1).join(', ')}` : '';
  return { sql: `SELECT ${select.join(', ')} FROM ${rollupTable(rollup)} WHERE ${where.join(' AND ')} ${groupBy}`, params, measures: group, dims };
}

/** Labels of every period of a grain from `from` to `to` (both inclusive), as the SQL writes them. */
export function timeLabels(grain: TimeGrain, from: PlainDate, to: PlainDate): string[] {
  const labels: string[] = [];
  let day = from;
  while (day <= to) {
    const label = timeLabel(grain, day);
    if (labels[labels.length - 1] !== label) labels.push(label);
    day = addDays(day, 1);
  }
  return labels;
}

function timeLabel(grain: TimeGrain, day: PlainDate): string {
  const y = day.slice(0, 4);
  const m = Number(day.slice(5, 7));
  switch (grain) {
    case 'day':
      return day;
    case 'week': {
      const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
      return addDays(day, -weekday);
    }
    case 'month':
      return day.slice(0, 7);
    case 'quarter':
      return `${y}-Q${Math.ceil(m / 3)}`;
    case 'year':
      return y;
  }
}

/**
 * A period with nothing in it is a zero, not a missing row: a chart of months shows every month.
 * Filled per combination of the other dimensions that has any row; rates get a null value.
 */
function fillTime(rows: MetricRow[], request: MetricRequest): MetricRow[] {
  const grain = (request.by ?? []).find(isTimeGrain);
  const last = request.asOf < request.to ? request.asOf : request.to;
  if (!grain || last < request.from) return ordered(rows, request);
  const labels = timeLabels(grain, request.from, last);
  const keyOf = (r: MetricRow) =>
    JSON.stringify([r.measure, ...(request.by ?? []).filter((d) => d !== grain).map((d) => r.dims[d] ?? null)]);
  const seen = new Map<string, MetricRow>();
  const have = new Set(rows.map((r) => `${keyOf(r)}|${r.dims[grain]}`));
  for (const r of rows) if (!seen.has(keyOf(r))) seen.set(keyOf(r), r);
  // Measures with no row at all still get their zeros, when nothing else splits them.
  if ((request.by ?? []).length === 1) {
    for (const id of request.measures) {
      const blank: MetricRow = { measure: id, dims: {}, value: 0 };
      if (!seen.has(keyOf(blank))) seen.set(keyOf(blank), blank);
    }
  }
  const filled = [...rows];
  for (const [key, example] of seen) {
    for (const label of labels) {
      if (have.has(`${key}|${label}`)) continue;
      const m = measure(example.measure);
      const dims = { ...example.dims, [grain]: label };
      filled.push(
        m.kind === 'rate'
          ? { measure: example.measure, dims, value: null, numerator: 0, denominator: 0, interval: [0, 1] }
          : { measure: example.measure, dims, value: 0 },
      );
    }
  }
  return ordered(filled, request);
}

/** In the request's order of measures, then by each dimension: the same answer, however it was computed. */
function ordered(rows: MetricRow[], request: MetricRequest): MetricRow[] {
  const order = new Map(request.measures.map((id, i) => [id, i]));
  return rows.sort(
    (a, b) =>
      order.get(a.measure)! - order.get(b.measure)! ||
      (request.by ?? []).reduce((c, d) => c || String(a.dims[d] ?? '').localeCompare(String(b.dims[d] ?? '')), 0),
  );
}

/** The catalog entry a result refers to, for labels and explanations beside the number. */
export function describe(id: MeasureId) {
  const m = measure(id);
  return {
    id: m.id,
    labelZh: m.labelZh,
    labelEn: m.labelEn,
    description: m.description,
    kind: m.kind,
    basis: m.basisLabel,
    better: m.better,
    basedOn: m.basedOn,
  };
}
