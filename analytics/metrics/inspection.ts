import { z } from 'zod';
import type { PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import { figureMakers, type Figure } from './annual.js';
import type { DimensionId } from './catalog.js';
import type { Compared } from './compare.js';
import { MetricsError, queryMetrics, resolveRegion, type MetricRow, type QueryOptions, type RegionScope } from './query.js';

/**
 * The dataset of an inspection brief (巡视巡察信访情况简报; issue 16): the petition picture of one
 * region, or of one organ of the registry, over any period, for an inspection team. Every part
 * is a figure with the metrics request that made it, as the annual dataset's are, so a re-run
 * as of the same date gives the same figures and each can be traced and re-run on its own.
 *
 * An organ's brief reads its region's rows (the organ's entry in the `organs` registry) filtered
 * to the organ, by its code and its name: cases and recommendations name an organ as routing or
 * the import typed it, duties and accountability by code. Confining it to the organ's region
 * keeps the brief inside the jurisdiction that may ask for it (server/report-routes.ts).
 *
 * Cases open and overdue on the as-of date are not a part: the catalog counts events in a
 * period, not a stock on a day, and the case list (analytics/case-log.ts listCases) judges
 * overdue on a day against the event log as it stands now, so a brief as of a past date could
 * not be re-run to the same figure. The supervision records (督办) of the period stand for them.
 */
export type InspectionGrain = 'week' | 'month';

/** Up to a quarter's length (13 weeks and a part) the brief goes week by week, beyond it month by month. */
export const WEEKLY_UP_TO_DAYS = 92;

export const periodDays = (from: PlainDate, to: PlainDate) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;

export function inspectionGrain(from: PlainDate, to: PlainDate): InspectionGrain {
  return periodDays(from, to) <= WEEKLY_UP_TO_DAYS ? 'week' : 'month';
}

export interface InspectionOrgan {
  code: string;
  nameZh: string;
  /** The district or city it belongs to (organs.region_code). */
  regionCode: string;
}

export interface InspectionDataset {
  region: { code: string; level: RegionScope['level'] };
  /** The organ of an organ's brief; null for a region's. */
  organ: InspectionOrgan | null;
  from: PlainDate;
  to: PlainDate;
  asOf: PlainDate;
  grain: InspectionGrain;
  /** Volume against the same period a year before, and its course week by week or month by month. */
  volume: {
    totals: Figure<Compared[]>;
    byPeriod: Figure<MetricRow[]>;
  };
  distribution: {
    byField: Figure<MetricRow[]>;
    byChannel: Figure<MetricRow[]>;
    /** A city's districts or a district's streets, with their on-time completion and satisfaction; null for a street or an organ. */
    byArea: Figure<MetricRow[]> | null;
    /** The organs handling most of a region's cases, most first; null for an organ's brief. */
    organs: Figure<MetricRow[]> | null;
  };
  /** On-time completion, ratings and review requests; presses (催办); supervision records (督办). */
  handling: {
    quality: Figure<Compared[]>;
    presses: Figure<Compared[]>;
    supervision: Figure<Compared[]>;
  };
  /** Periodic duties met on time, by duty; accountability cases and the steps imposed. */
  responsibility: {
    duties: Figure<MetricRow[]>;
    accountability: Figure<Compared[]>;
    accountabilityByStep: Figure<MetricRow[]>;
  };
  /** Recommendations (三项建议) issued in the region, or addressed to the organ, and their feedback. */
  recommendations: {
    totals: Figure<Compared[]>;
    byKind: Figure<MetricRow[]>;
  };
}

export interface InspectionOptions {
  from: PlainDate;
  to: PlainDate;
  asOf: PlainDate;
  /** A region's brief: a node of the hierarchy. */
  region?: string;
  /** An organ's brief: a code of the organ registry; its region is the organ's. */
  organ?: string;
  topOrgans?: number;
}

const TOTALS = ['cases', 'persons', 'collective_cases', 'first_petitions'] as const;
// Registration (登记) is the petition office's clock, not the handling organ's.
const REGION_QUALITY = ['timely_acceptance_rate', 'on_time_completion_rate', 'participation_rate', 'satisfaction_rate', 'review_rate'] as const;
const ORGAN_QUALITY = ['on_time_completion_rate', 'participation_rate', 'satisfaction_rate', 'review_rate'] as const;
const REGION_SUPERVISION = ['registration_supervised', 'handling_supervised', 'assigned_supervised', 'review_supervised'] as const;
// The supervision records against the handling organ: a late registration is the office's, a late review the organ above's.
const ORGAN_SUPERVISION = ['handling_supervised', 'assigned_supervised'] as const;
const RECOMMENDATIONS = ['recommendations_issued', 'recommendation_adoption_rate', 'recommendation_feedback_overdue'] as const;

const organRow = z.object({ code: z.string(), name_zh: z.string(), region_code: z.string() });

/** An organ of the registry by its code; null when the registry has none. */
export async function registeredOrgan(store: AnalyticsStore, code: string): Promise<InspectionOrgan | null> {
  const [row] = await store.all(organRow, 'SELECT code, name_zh, region_code FROM organs WHERE code = $code', { code });
  return row ? { code: row.code, nameZh: row.name_zh, regionCode: row.region_code } : null;
}

export async function inspectionDataset(store: AnalyticsStore, options: InspectionOptions, query: QueryOptions = {}): Promise<InspectionDataset> {
  const organ = options.organ === undefined ? null : await registeredOrgan(store, options.organ);
  if (options.organ !== undefined && !organ) throw new MetricsError(`unknown organ code "${options.organ}" (not in the organ registry)`);
  if (organ && options.region !== undefined && options.region !== organ.regionCode) {
    throw new MetricsError(`organ ${organ.code} belongs to region ${organ.regionCode}, not ${options.region}: give the organ alone`);
  }
  const regionCode = organ?.regionCode ?? options.region;
  if (regionCode === undefined) throw new MetricsError('an inspection brief is of a region or of an organ: give one');
  if (options.to < options.from) throw new MetricsError(`the period ends (${options.to}) before it begins (${options.from})`);
  const region = await resolveRegion(store, regionCode);
  const grain = inspectionGrain(options.from, options.to);

  const base = {
    from: options.from,
    to: options.to,
    asOf: options.asOf,
    region: region.code,
    ...(organ ? { filters: { organ: [...new Set([organ.code, organ.nameZh])] } } : {}),
  };
  const { request, figure, compared, rows } = figureMakers(store, region, base, query);
  const area: DimensionId | null = organ || region.level === 'street' ? null : region.level === 'city' ? 'district' : 'street';
  const organsReq = request(['cases'], ['organ']);

  const [totals, byPeriod, byField, byChannel, byArea, organs] = await Promise.all([
    compared(organ ? 'Cases the organ handled, year on year' : 'Petition volume, year on year', TOTALS),
    rows(grain === 'week' ? 'Cases by week' : 'Cases by month', ['cases'], [grain]),
    rows('Cases by field', ['cases'], ['field']),
    rows('Cases by channel', ['cases'], ['channel']),
    area ? rows(area === 'district' ? 'Cases and rates by district' : 'Cases and rates by street or township', ['cases', 'on_time_completion_rate', 'satisfaction_rate'], [area]) : null,
    organ
      ? null
      : figure('Organs handling most cases, most first', organsReq, () =>
          queryMetrics(store, organsReq, query).then((found) =>
            found
              .filter((r) => r.dims.organ != null)
              .sort((a, b) => (b.value ?? 0) - (a.value ?? 0) || String(a.dims.organ).localeCompare(String(b.dims.organ)))
              .slice(0, options.topOrgans ?? 10),
          ),
        ),
  ]);
  const [quality, presses, supervision, duties, accountability, accountabilityByStep, recTotals, recByKind] = await Promise.all([
    compared('On-time completion, ratings and review requests, year on year', organ ? ORGAN_QUALITY : REGION_QUALITY),
    compared('Presses (催办) by petitioners, year on year', ['presses']),
    compared('Supervision (督办) of missed deadlines, year on year', organ ? ORGAN_SUPERVISION : REGION_SUPERVISION),
    rows('Periodic duties met on time, by duty', ['duties_on_time_rate'], ['duty']),
    compared('Accountability cases, year on year', ['accountability_cases', 'accountability_steps']),
    rows('Accountability steps by ladder step', ['accountability_steps'], ['ladder_step']),
    compared(organ ? 'Recommendations addressed to the organ and its feedback, year on year' : 'Recommendations issued and their feedback, year on year', RECOMMENDATIONS),
    rows('Recommendations by kind', ['recommendations_issued', 'recommendation_adoption_rate'], ['recommendation_kind']),
  ]);
  return {
    region: { code: region.code, level: region.level },
    organ,
    from: options.from,
    to: options.to,
    asOf: options.asOf,
    grain,
    volume: { totals, byPeriod },
    distribution: { byField, byChannel, byArea, organs },
    handling: { quality, presses, supervision },
    responsibility: { duties, accountability, accountabilityByStep },
    recommendations: { totals: recTotals, byKind: recByKind },
  };
}
