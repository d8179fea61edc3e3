import { addDays, lastDayOfMonth, parsePlainDate, type PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import { TIME_GRAINS, type DimensionId, type MeasureId } from './catalog.js';
import { queryMetrics, type DimensionValues, type MetricRequest, type MetricRow, type QueryOptions } from './query.js';

/**
 * Time comparison: year on year (同比), period on period (环比) and year to date (累计).
 * The earlier period is evaluated as it stood the same distance before the as-of date, so
 * both sides are equally mature: a reply rate of last January as of today would flatter it
 * against this January's, whose late replies are still coming in.
 */
export type ComparisonMode = 'yoy' | 'pop';

export interface Compared {
  measure: MeasureId;
  dims: DimensionValues;
  current: MetricRow;
  previous: MetricRow | null;
  /** current − previous (for rates: in rate units, 0.02 = two percentage points). */
  change: number | null;
  /** change / previous, for counts and sums. */
  relative: number | null;
}

export interface Period {
  from: PlainDate;
  to: PlainDate;
  asOf: PlainDate;
}

/** The same dates a year earlier (29 February becomes 28 February). */
export function yearBefore(date: PlainDate): PlainDate {
  const y = Number(date.slice(0, 4)) - 1;
  const md = date.slice(5);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return parsePlainDate(`${y}-${md === '02-29' && !leap ? '02-28' : md}`);
}

const monthsBetween = (a: string, b: string) => (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));
const shiftMonths = (date: PlainDate, months: number): PlainDate => {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const ym = `${y + Math.floor(m / 12)}-${String((((m % 12) + 12) % 12) + 1).padStart(2, '0')}`;
  return parsePlainDate(`${ym}-${date.slice(8)}`);
};

/**
 * The period before: whole months (a month, a quarter, a year) step back by as many months;
 * any other span steps back by its length in days.
 */
export function previousPeriod(period: Period, mode: ComparisonMode): Period {
  if (mode === 'yoy') return { from: yearBefore(period.from), to: yearBefore(period.to), asOf: yearBefore(period.asOf) };
  const wholeMonths = period.from.endsWith('-01') && period.to === lastDayOfMonth(period.to);
  if (wholeMonths) {
    const months = monthsBetween(period.from.slice(0, 7), period.to.slice(0, 7)) + 1;
    const from = shiftMonths(period.from, -months);
    const to = lastDayOfMonth(shiftMonths(parsePlainDate(`${period.to.slice(0, 7)}-01`), -months));
    const back = Math.round((Date.parse(period.from) - Date.parse(from)) / 86_400_000);
    return { from, to, asOf: addDays(period.asOf, -back) };
  }
  const days = Math.round((Date.parse(period.to) - Date.parse(period.from)) / 86_400_000) + 1;
  return { from: addDays(period.from, -days), to: addDays(period.to, -days), asOf: addDays(period.asOf, -days) };
}

/** 1 January of the as-of date's year to the as-of date. */
export function yearToDate(asOf: PlainDate): Period {
  return { from: parsePlainDate(`${asOf.slice(0, 4)}-01-01`), to: asOf, asOf };
}

export async function compareMetrics(store: AnalyticsStore, request: MetricRequest, mode: ComparisonMode, query: QueryOptions = {}): Promise<Compared[]> {
  const before = previousPeriod(request, mode);
  const [current, previous] = await Promise.all([queryMetrics(store, request, query), queryMetrics(store, { ...request, ...before }, query)]);
  const isGrain = (d: string) => (TIME_GRAINS as readonly string[]).includes(d);
  const key = (r: MetricRow) => JSON.stringify([r.measure, ...Object.entries(r.dims).filter(([d]) => !isGrain(d))]);
  // A time grain inside the period pairs each bucket with the one at the same position before.
  const grain = (request.by ?? []).find((d: DimensionId) => isGrain(d));
  const earlier = new Map<string, MetricRow[]>();
  for (const r of previous) earlier.set(key(r), [...(earlier.get(key(r)) ?? []), r]);
  const position = new Map<string, number>();
  return current.map((r) => {
    const k = key(r);
    const i = position.get(k) ?? 0;
    position.set(k, i + 1);
    const p = (grain ? earlier.get(k)?.[i] : earlier.get(k)?.[0]) ?? null;
    const change = p && r.value !== null && p.value !== null ? r.value - p.value : null;
    const relative = change !== null && r.denominator === undefined && p!.value ? change / p!.value! : null;
    return { measure: r.measure, dims: r.dims, current: r, previous: p, change, relative };
  });
}

/** The "three declines" (三个下降, 004): total volume, collective petitions and first petitions, year on year. */
export const THREE_DECLINES = ['cases', 'collective_cases', 'first_petitions'] as const satisfies readonly MeasureId[];

export interface ThreeDeclines {
  period: Period;
  previous: Period;
  items: { measure: MeasureId; current: number; previous: number; change: number; relative: number | null; declined: boolean }[];
  /** All three fell. */
  achieved: boolean;
}

export async function threeDeclines(store: AnalyticsStore, period: Period, region?: string, query: QueryOptions = {}): Promise<ThreeDeclines> {
  const rows = await compareMetrics(store, { measures: THREE_DECLINES, ...period, ...(region ? { region } : {}) }, 'yoy', query);
  const items = THREE_DECLINES.map((id) => {
    const row = rows.find((r) => r.measure === id)!;
    const current = row.current.value ?? 0;
    const previous = row.previous?.value ?? 0;
    return { measure: id, current, previous, change: current - previous, relative: previous ? (current - previous) / previous : null, declined: current < previous };
  });
  return { period, previous: previousPeriod(period, 'yoy'), items, achieved: items.every((i) => i.declined) };
}
