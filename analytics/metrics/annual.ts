import { parsePlainDate, type PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import { measure, SOURCES, type DimensionId, type MeasureId } from './catalog.js';
import { compareMetrics, threeDeclines, type Compared, type ThreeDeclines } from './compare.js';
import { describe, queryMetrics, resolveRegion, type MetricRequest, type MetricRow, type QueryOptions } from './query.js';

/**
 * The dataset of the annual report a petition office owes (2022 Regulations art. 41;
 * DOMAIN §8), for any region and year: every part, each figure with the request that made it,
 * so a number in the report can be traced to its measure, its period, its as-of date and
 * the SQL the catalog generates for it, and re-run to the same result.
 */
export interface Figure<T> {
  title: string;
  /** What made the figure: re-run it with `xinfang metrics` or POST /api/metrics. */
  request: Omit<MetricRequest, 'measures'> & { measures: readonly MeasureId[] };
  measures: ReturnType<typeof describe>[];
  /** Null, with `unavailable` saying why, when the region is a street and a measure is not kept by street. */
  data: T | null;
  unavailable?: string;
}

export interface AnnualDataset {
  region: { code: string; level: string };
  year: number;
  asOf: PlainDate;
  /** 1. Statistics of cases, the fields they concern and the organs complained about most. */
  statistics: {
    totals: Figure<Compared[]>;
    threeDeclines: Figure<ThreeDeclines>;
    quality: Figure<Compared[]>;
    byMonth: Figure<MetricRow[]>;
    byChannel: Figure<MetricRow[]>;
    byClass: Figure<MetricRow[]>;
    byField: Figure<MetricRow[]>;
    byArea: Figure<MetricRow[]>;
    mostComplainedOrgans: Figure<MetricRow[]>;
  };
  /** 2. The office's forwarding, assigning and supervising. */
  officeWork: {
    routing: Figure<Compared[]>;
    supervision: Figure<Compared[]>;
    supervisionByOrgan: Figure<MetricRow[]>;
  };
  /** 3. Recommendations to improve work, improve policy and pursue accountability, and their adoption. */
  recommendations: {
    totals: Figure<Compared[]>;
    byKind: Figure<MetricRow[]>;
  };
  /** 4. Anything else that should be reported: screened disputes, duties, accountability. */
  other: {
    disputes: Figure<Compared[]>;
    duties: Figure<MetricRow[]>;
    accountability: Figure<Compared[]>;
    accountabilityByStep: Figure<MetricRow[]>;
  };
}

const TOTALS = ['cases', 'persons', 'collective_cases', 'first_petitions'] as const;
const QUALITY = [
  'timely_acceptance_rate',
  'on_time_completion_rate',
  'participation_rate',
  'satisfaction_rate',
  'repeat_rate',
  'skip_level_rate',
  'review_rate',
  'review_changed_share',
  're_review_rate',
  're_review_changed_share',
] as const;
const ROUTING = ['forwarded', 'assigned', 'reported_up', 'not_accepted'] as const;
const SUPERVISION = ['registration_supervised', 'handling_supervised', 'assigned_supervised', 'review_supervised'] as const;

/**
 * How a dataset makes its figures over one period and region: each with the request that made
 * it, compared with a year before or as rows. Recommendations, duties and accountability belong
 * to districts and organs, not streets: a street's figure of those says so (data null) instead of
 * the report failing whole.
 */
export function figureMakers(
  store: AnalyticsStore,
  region: Awaited<ReturnType<typeof resolveRegion>>,
  base: Omit<MetricRequest, 'measures' | 'by'>,
  query: QueryOptions,
) {
  const request = (measures: readonly MeasureId[], by?: DimensionId[]) => ({ ...base, measures, ...(by ? { by } : {}) });
  const notByStreet = (measures: readonly MeasureId[]) =>
    region.level === 'street' ? measures.filter((id) => !SOURCES[measure(id).source].region.street) : [];
  const figure = async <T>(title: string, req: Figure<T>['request'], data: () => Promise<T>): Promise<Figure<T>> => {
    const missing = notByStreet(req.measures);
    const head = { title, request: req, measures: req.measures.map(describe) };
    if (missing.length) return { ...head, data: null, unavailable: `${missing.join(', ')}: not recorded by street; see district ${region.districts[0] ?? ''}` };
    return { ...head, data: await data() };
  };
  const compared = (title: string, measures: readonly MeasureId[]) => {
    const req = request(measures);
    return figure(title, req, () => compareMetrics(store, req, 'yoy', query));
  };
  const rows = (title: string, measures: readonly MeasureId[], by: DimensionId[]) => {
    const req = request(measures, by);
    return figure(title, req, () => queryMetrics(store, req, query));
  };
  return { request, figure, compared, rows };
}

export async function annualDataset(
  store: AnalyticsStore,
  options: { year: number; region: string; asOf: PlainDate; topOrgans?: number },
  query: QueryOptions = {},
): Promise<AnnualDataset> {
  const region = await resolveRegion(store, options.region);
  const base = {
    from: parsePlainDate(`${options.year}-01-01`),
    to: parsePlainDate(`${options.year}-12-31`),
    asOf: options.asOf,
    region: options.region,
  };
  const { request, figure, compared, rows } = figureMakers(store, region, base, query);
  const area: DimensionId = region.level === 'city' ? 'district' : 'street';

  const [totals, declines, quality, byMonth, byChannel, byClass, byField, byArea, organs] = await Promise.all([
    compared('Petition volume, year on year', TOTALS),
    figure('The three declines (三个下降)', request(['cases', 'collective_cases', 'first_petitions']), () => threeDeclines(store, base, base.region, query)),
    compared('Timeliness, satisfaction and review, year on year', QUALITY),
    rows('Cases by month', ['cases'], ['month']),
    rows('Cases by channel', ['cases', 'persons'], ['channel']),
    rows('Cases by class', ['cases'], ['petition_class']),
    rows('Cases by field', ['cases'], ['field']),
    rows(area === 'district' ? 'Cases and rates by district' : 'Cases by street or township', ['cases', 'on_time_completion_rate', 'satisfaction_rate'], [area]),
    figure(
      'Organs complained about most (投诉较多的机关、单位): cases by handling organ, most first',
      request(['cases'], ['organ']),
      () => queryMetrics(store, request(['cases'], ['organ']), query).then((rows) =>
        rows
          .filter((r) => r.dims.organ != null)
          .sort((a, b) => (b.value ?? 0) - (a.value ?? 0) || String(a.dims.organ).localeCompare(String(b.dims.organ)))
          .slice(0, options.topOrgans ?? 10),
      ),
    ),
  ]);
  const [routing, supervision, supervisionByOrgan, recTotals, recByKind, disputes, duties, accountability, accountabilityByStep] =
    await Promise.all([
      compared('Forwarding, assigning and reporting, year on year', ROUTING),
      compared('Supervision (督办) of missed deadlines, year on year', SUPERVISION),
      rows('Supervision records by organ', ['handling_supervised'], ['organ']),
      compared('Recommendations issued and adopted, year on year', ['recommendations_issued', 'recommendation_adoption_rate', 'recommendation_feedback_overdue']),
      rows('Recommendations by kind', ['recommendations_issued', 'recommendation_adoption_rate'], ['recommendation_kind']),
      compared('Screened disputes and their resolution, year on year', ['disputes_screened', 'dispute_resolution_rate']),
      rows('Periodic duties met on time, by duty', ['duties_on_time_rate'], ['duty']),
      compared('Accountability cases, year on year', ['accountability_cases', 'accountability_steps']),
      rows('Accountability steps by ladder step', ['accountability_steps'], ['ladder_step']),
    ]);
  return {
    region: { code: region.code, level: region.level },
    year: options.year,
    asOf: options.asOf,
    statistics: { totals, threeDeclines: declines, quality, byMonth, byChannel, byClass, byField, byArea, mostComplainedOrgans: organs },
    officeWork: { routing, supervision, supervisionByOrgan },
    recommendations: { totals: recTotals, byKind: recByKind },
    other: { disputes, duties, accountability, accountabilityByStep },
  };
}
