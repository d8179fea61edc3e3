import { addDays, lastDayOfMonth, parsePlainDate, startOfChinaDay, type PlainDate } from '../../rules/plain-date.js';
import { listAlerts, type AlertRow } from '../early-warning/alerts.js';
import type { AnalyticsStore } from '../store.js';
import type { Figure } from './annual.js';
import type { DimensionId, MeasureId } from './catalog.js';
import { compareMetrics, type Compared } from './compare.js';
import { describe, MetricsError, queryMetrics, resolveRegion, type MetricRow, type QueryOptions } from './query.js';

/**
 * The dataset of the quarterly analysis of the petition situation (季度信访形势分析) a petition
 * office owes its party committee and government (Xianning measures art. 7: 定期向本级党委、政府
 * 提交信访情况分析报告; DOMAIN §5): the quarter against the quarter before (环比) and the same
 * quarter a year before (同比), the fields and places that are emerging, collective and repeat
 * petitions, and the early-warning alerts raised in the quarter. Every part is a `Figure` with
 * the request that made it, as the annual dataset's are, so each number can be re-run.
 *
 * A quarter that has not ended by the as-of date is analysed as far as it goes: its figures run
 * to the as-of date, and compareMetrics evaluates the periods compared with it as they stood
 * the same distance into them, so the comparison is of equal spans. `complete` says which.
 */

/**
 * "Emerging" (新增突出), for a field or a place: in the quarter it had at least
 * EMERGING_MIN_INCREASE more cases than in the same quarter a year before, and at least
 * EMERGING_MIN_GROWTH more in relative terms (a field or place with no case then passes this
 * on the increase alone), and more cases than in the quarter before. The year-on-year test
 * carries the weight because petition volume is seasonal (the first quarter holds the Spring
 * Festival); the rise against the quarter before keeps out what was already high then and is
 * falling. Those that pass are listed by their increase on a year before, most first, at most
 * EMERGING_LIMIT of them. When either comparison period has no case at all in the region (the
 * data begins later), nothing is judged emerging: every field would pass as new.
 */
export const EMERGING_MIN_INCREASE = 5;
export const EMERGING_MIN_GROWTH = 0.2;
export const EMERGING_LIMIT = 5;

/** listAlerts answers at most this many; a quarter with more has its alerts listed but not counted. */
export const QUARTER_ALERTS_MAX = 1000;

/** A quarter's figures against the quarter before (pop, 环比) and the same quarter a year before (yoy, 同比). */
export interface Comparisons {
  pop: Compared[];
  yoy: Compared[];
}

/** A field or place that is emerging (see EMERGING_MIN_INCREASE), with both comparisons of its cases. */
export interface Emerging {
  /** The field's name, or the district's or street's code. */
  key: string;
  pop: Compared;
  yoy: Compared;
  /** Cases more than in each comparison period (a period without its row had none). */
  increase: { pop: number; yoy: number };
}

/** An alert raised in the quarter, with its status at the end of the as-of date (a later decision is not yet one). */
export interface QuarterAlert {
  alert: AlertRow;
  status: AlertRow['status'];
}

export interface QuarterWarnings {
  title: string;
  /**
   * What listAlerts was asked: the region and everything under it, a first alarmed week in the
   * quarter, first recorded before the end of the as-of date. The alert rows keep their latest
   * week, run length and severity, which later scans may still raise.
   */
  filter: { region: string; raisedFrom: PlainDate; raisedTo: PlainDate; seenBefore: string; limit: number };
  alerts: QuarterAlert[];
  /** More alerts than `limit`: those listed are not all of them. */
  truncated: boolean;
}

export interface QuarterlyDataset {
  region: { code: string; level: string };
  year: number;
  quarter: number;
  asOf: PlainDate;
  period: { from: PlainDate; to: PlainDate };
  /** False when the quarter has not ended by the as-of date. */
  complete: boolean;
  /** 一、总体情况: volume, handling and satisfaction, the three months, the channels. */
  overall: {
    totals: Figure<Comparisons>;
    quality: Figure<Comparisons>;
    byMonth: Figure<MetricRow[]>;
    byChannel: Figure<MetricRow[]>;
  };
  /** 二、突出问题和新情况: cases by field and by district (street for a district), and those emerging. */
  emerging: {
    /** Both comparison periods have cases in the region: without them nothing is judged emerging. */
    comparable: boolean;
    byField: Figure<Comparisons>;
    fields: Emerging[];
    /** Null data for a street, which has no smaller places. */
    byArea: Figure<Comparisons>;
    areas: Emerging[];
  };
  /** 三、集体访和重复访. */
  collective: {
    /** Petitioners (人次) of collective and other cases: the row `collective: 'true'` is the collective visits'. */
    persons: Figure<Comparisons>;
    byField: Figure<Comparisons>;
    byArea: Figure<Comparisons>;
  };
  repeat: {
    /** Cases by whether they repeat a petitioner's earlier matter: the row `repeat_petition: 'true'` counts repeat petitions. */
    cases: Figure<Comparisons>;
    byField: Figure<Comparisons>;
    byArea: Figure<Comparisons>;
  };
  /** 四、预警. */
  warnings: QuarterWarnings;
}

const TOTALS = ['cases', 'persons', 'collective_cases', 'first_petitions'] as const;
const QUALITY = ['timely_acceptance_rate', 'on_time_completion_rate', 'participation_rate', 'satisfaction_rate', 'repeat_rate', 'skip_level_rate'] as const;

export function quarterPeriod(year: number, quarter: number): { from: PlainDate; to: PlainDate } {
  const first = String(quarter * 3 - 2).padStart(2, '0');
  const last = String(quarter * 3).padStart(2, '0');
  return { from: parsePlainDate(`${year}-${first}-01`), to: lastDayOfMonth(parsePlainDate(`${year}-${last}-01`)) };
}

/** The emerging keys of `dimension` among the cases of `compared` (see EMERGING_MIN_INCREASE). */
export function emergingOf(compared: Comparisons | null, dimension: DimensionId): Emerging[] {
  if (!compared) return [];
  const key = (c: Compared) => c.dims[dimension];
  const found: Emerging[] = [];
  for (const yoy of compared.yoy) {
    const k = key(yoy);
    if (yoy.measure !== 'cases' || k == null) continue;
    const pop = compared.pop.find((c) => c.measure === 'cases' && key(c) === k);
    if (!pop) continue;
    const current = yoy.current.value ?? 0;
    const increase = { pop: current - (pop.previous?.value ?? 0), yoy: current - (yoy.previous?.value ?? 0) };
    const grew = yoy.previous?.value ? increase.yoy / yoy.previous.value >= EMERGING_MIN_GROWTH : true;
    if (increase.yoy >= EMERGING_MIN_INCREASE && grew && increase.pop > 0) found.push({ key: k, pop, yoy, increase });
  }
  return found.sort((a, b) => b.increase.yoy - a.increase.yoy || b.increase.pop - a.increase.pop || a.key.localeCompare(b.key)).slice(0, EMERGING_LIMIT);
}

export async function quarterlyDataset(
  store: AnalyticsStore,
  options: { year: number; quarter: number; region: string; asOf: PlainDate },
  query: QueryOptions = {},
): Promise<QuarterlyDataset> {
  const region = await resolveRegion(store, options.region);
  const period = quarterPeriod(options.year, options.quarter);
  if (options.asOf < period.from) {
    throw new MetricsError(`${options.year} Q${options.quarter} begins on ${period.from}, after the as-of date ${options.asOf}: there is nothing of it to analyse yet`);
  }
  const base = { ...period, asOf: options.asOf, region: options.region };
  const request = (measures: readonly MeasureId[], by?: DimensionId[]) => ({ ...base, measures, ...(by ? { by } : {}) });
  const head = (title: string, req: Figure<unknown>['request']) => ({ title, request: req, measures: req.measures.map(describe) });
  const compared = async (title: string, measures: readonly MeasureId[], by?: DimensionId[]): Promise<Figure<Comparisons>> => {
    const req = request(measures, by);
    const [pop, yoy] = await Promise.all([compareMetrics(store, req, 'pop', query), compareMetrics(store, req, 'yoy', query)]);
    return { ...head(title, req), data: { pop, yoy } };
  };
  const rows = async (title: string, measures: readonly MeasureId[], by: DimensionId[]): Promise<Figure<MetricRow[]>> => {
    const req = request(measures, by);
    return { ...head(title, req), data: await queryMetrics(store, req, query) };
  };
  // A city's places are its districts, a district's its streets; a street has none smaller.
  const area: DimensionId | null = region.level === 'city' ? 'district' : region.level === 'district' ? 'street' : null;
  const byArea = (title: string, measures: readonly MeasureId[], by: DimensionId[] = []): Promise<Figure<Comparisons>> =>
    area
      ? compared(title, measures, [...by, area])
      : Promise.resolve({ ...head(title, request(measures, [...by, 'street'])), data: null, unavailable: `${options.region} is a street: it has no smaller places to compare` });

  const [totals, quality, byMonth, byChannel, byField, areas] = await Promise.all([
    compared('Petition volume against the quarter before and the same quarter a year before', TOTALS),
    compared('Timeliness, satisfaction, repeat and skip-level petitions, against both periods', QUALITY),
    rows('Cases and first petitions by month of the quarter', ['cases', 'first_petitions'], ['month']),
    rows('Cases by channel', ['cases'], ['channel']),
    compared('Cases by field, against both periods', ['cases'], ['field']),
    byArea(area === 'street' ? 'Cases by street or township, against both periods' : 'Cases by district, against both periods', ['cases']),
  ]);
  const [persons, collectiveByField, collectiveByArea, repeatCases, repeatByField, repeatByArea] = await Promise.all([
    compared('Petitioners of collective and other cases, against both periods', ['persons'], ['collective']),
    compared('Collective petitions by field, against both periods', ['collective_cases'], ['field']),
    byArea('Collective petitions by place, against both periods', ['collective_cases']),
    compared('Repeat and other petitions, against both periods', ['cases'], ['repeat_petition']),
    compared('Repeat petitions by field, against both periods', ['cases'], ['repeat_petition', 'field']),
    byArea('Repeat petitions by place, against both periods', ['cases'], ['repeat_petition']),
  ]);

  const filter = {
    region: options.region,
    raisedFrom: period.from,
    raisedTo: period.to,
    seenBefore: startOfChinaDay(addDays(options.asOf, 1)).toISOString(),
    limit: QUARTER_ALERTS_MAX,
  };
  const seenBefore = new Date(filter.seenBefore);
  const cases = (mode: keyof Comparisons) => totals.data?.[mode].find((c) => c.measure === 'cases')?.previous?.value ?? 0;
  const comparable = cases('pop') > 0 && cases('yoy') > 0;
  const listed = await listAlerts(store, { ...filter, seenBefore, limit: filter.limit + 1 });
  const alerts = listed.slice(0, filter.limit).map((alert) => ({
    alert,
    status: alert.decided_at !== null && new Date(alert.decided_at) < seenBefore ? alert.status : ('open' as const),
  }));

  return {
    region: { code: region.code, level: region.level },
    year: options.year,
    quarter: options.quarter,
    asOf: options.asOf,
    period,
    complete: options.asOf >= period.to,
    overall: { totals, quality, byMonth, byChannel },
    emerging: {
      comparable,
      byField,
      fields: comparable ? emergingOf(byField.data, 'field') : [],
      byArea: areas,
      areas: comparable && area ? emergingOf(areas.data, area) : [],
    },
    collective: { persons, byField: collectiveByField, byArea: collectiveByArea },
    repeat: { cases: repeatCases, byField: repeatByField, byArea: repeatByArea },
    warnings: { title: 'Early-warning alerts first raised in the quarter', filter, alerts, truncated: listed.length > filter.limit },
  };
}
