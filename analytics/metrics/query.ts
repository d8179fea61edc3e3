import { dateValue, listValue, type DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { addDays, type PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import {
  measure,
  SOURCES,
  TIME_GRAINS,
  type DimensionId,
  type Measure,
  type MeasureId,
  type Source,
  type TimeGrain,
} from './catalog.js';

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

function dimensionExpr(source: Source, dimension: DimensionId, basis: string, measureId: string): string {
  if (isTimeGrain(dimension)) return timeExpr(dimension, basis);
  const column = source.columns[dimension];
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

  if (region) {
    if (region.level === 'street') {
      if (!source.region.street) throw new MetricsError(`measure ${first.id} is not recorded by street; ask for district ${region.districts[0] ?? ''}`);
      params.regionStreet = region.code;
      where.push(`${source.region.street} = $regionStreet`);
    } else {
      params.regionDistricts = listValue(region.level === 'city' ? [region.code, ...region.districts] : region.districts);
      where.push(`list_contains($regionDistricts::VARCHAR[], ${source.region.district})`);
    }
  }
  Object.entries(request.filters ?? {}).forEach(([dimension, values], i) => {
    const expr = dimensionExpr(source, dimension as DimensionId, first.basis, first.id);
    params[`f${i}`] = listValue([...(values ?? [])]);
    where.push(`list_contains($f${i}::VARCHAR[], ${expr})`);
  });

  const select = dims.map((d, i) => `${dimensionExpr(source, d, first.basis, first.id)} AS d${i}`);
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

export async function queryMetrics(store: AnalyticsStore, request: MetricRequest): Promise<MetricRow[]> {
  if (request.to < request.from) throw new MetricsError(`the period ends (${request.to}) before it begins (${request.from})`);
  const by = request.by ?? [];
  if (new Set(by).size !== by.length) throw new MetricsError('a dimension appears twice in "by"');
  if (by.filter(isTimeGrain).length > 1) throw new MetricsError('at most one time grain (day, week, month, quarter, year) at a time');
  const region = request.region ? await resolveRegion(store, request.region) : null;

  const groups = new Map<string, Measure[]>();
  for (const id of new Set(request.measures)) {
    const m = measure(id);
    const key = `${m.source}|${m.basis}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const compiled = [...groups.values()].map((group) => compileMetricQuery(group, request, region));
  const results = await Promise.all(compiled.map((c) => store.all(resultRow, c.sql, c.params)));

  const rows: MetricRow[] = [];
  compiled.forEach((c, g) => {
    for (const r of results[g]!) {
      const dims: DimensionValues = {};
      c.dims.forEach((d, i) => (dims[d] = (r[`d${i}`] as string | null) ?? null));
      c.measures.forEach((m, i) => {
        if (m.kind === 'rate') {
          const numerator = Number(r[`m${i}_num`]);
          const denominator = Number(r[`m${i}_den`]);
          rows.push({ measure: m.id as MeasureId, dims, value: denominator ? numerator / denominator : null, numerator, denominator, interval: wilson(numerator, denominator) });
        } else {
          rows.push({ measure: m.id as MeasureId, dims, value: Number(r[`m${i}_val`]) });
        }
      });
    }
  });
  return fillTime(rows, request);
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
  if (!grain) return rows;
  const last = request.asOf < request.to ? request.asOf : request.to;
  if (last < request.from) return rows;
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
  const order = new Map(request.measures.map((id, i) => [id, i]));
  return filled.sort(
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
