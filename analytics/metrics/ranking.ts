import { z } from 'zod';
import type { PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import { measure, type DimensionId, type MeasureId } from './catalog.js';
import { queryMetrics, type MetricRow, type QueryOptions } from './query.js';

/**
 * Fair rankings of districts, streets or organs on one measure (DOMAIN §7; issue 6):
 * - a rate is ranked only with at least `minVolume` cases in its denominator, so a district
 *   with three cases, all satisfied, does not top the satisfaction table; the others are
 *   listed, unranked, with the reason;
 * - every rate carries its counts and a 95% Wilson interval, and ties on the point rate are
 *   broken by the interval's pessimistic end (more evidence of a good rate ranks higher);
 * - units fall into volume tiers (small, medium, large: thirds of the ranked units by
 *   volume), each ranked within its tier as well as overall, so a small district is compared
 *   with its peers;
 * - a count is also given per 10,000 residents where the region's population is known.
 */
export type RankBy = Extract<DimensionId, 'district' | 'street' | 'organ'>;

export interface RankingRequest {
  measure: MeasureId;
  by: RankBy;
  from: PlainDate;
  to: PlainDate;
  asOf: PlainDate;
  region?: string;
  /** Minimum denominator (rates) or count before a unit is ranked. Default 30 for rates, 0 for counts. */
  minVolume?: number;
}

export type Tier = 'small' | 'medium' | 'large';

export interface RankedUnit {
  unit: string;
  name: string | null;
  value: number | null;
  numerator?: number;
  denominator?: number;
  interval?: [number, number];
  /** Volume the eligibility and tiers look at: the denominator of a rate, the count itself otherwise. */
  volume: number;
  perTenThousand?: number;
  rank: number | null;
  tier: Tier | null;
  rankInTier: number | null;
  /** Why a unit is not ranked. */
  unranked?: string;
}

export interface Ranking {
  request: RankingRequest & { minVolume: number };
  better: 'higher' | 'lower' | 'neither';
  units: RankedUnit[];
}

const nameRow = z.object({ code: z.string(), name: z.string().nullable(), population10k: z.number().nullable() });

export async function rank(store: AnalyticsStore, request: RankingRequest, query: QueryOptions = {}): Promise<Ranking> {
  const m = measure(request.measure);
  const minVolume = request.minVolume ?? (m.kind === 'rate' ? 30 : 0);
  const rows = await queryMetrics(store, {
    measures: [request.measure],
    from: request.from,
    to: request.to,
    asOf: request.asOf,
    by: [request.by],
    ...(request.region ? { region: request.region } : {}),
  }, query);
  const names = new Map(
    (
      await store.all(
        nameRow,
        request.by === 'organ'
          ? 'SELECT code, name_zh AS name, NULL::DOUBLE AS population10k FROM organs'
          : 'SELECT code, name_zh AS name, population10k FROM regions',
      )
    ).map((r) => [r.code, r]),
  );
  const units = rows
    .filter((r): r is MetricRow & { dims: Record<RankBy, string> } => r.dims[request.by] != null)
    .map((r): RankedUnit => {
      const code = r.dims[request.by];
      const known = names.get(code);
      const volume = r.denominator ?? r.value ?? 0;
      const unit: RankedUnit = {
        unit: code,
        name: known?.name ?? null,
        value: r.value,
        volume,
        rank: null,
        tier: null,
        rankInTier: null,
        ...(r.denominator !== undefined ? { numerator: r.numerator!, denominator: r.denominator, interval: r.interval! } : {}),
        ...(m.kind !== 'rate' && known?.population10k ? { perTenThousand: (r.value ?? 0) / known.population10k } : {}),
      };
      if (r.value === null) unit.unranked = 'nothing to rate in the period';
      else if (volume < minVolume) unit.unranked = `fewer than ${minVolume} ${m.kind === 'rate' ? 'cases in the denominator' : 'cases'} (${volume})`;
      return unit;
    });

  // Best first; for "neither", largest first (a ranking of volume, e.g. most-complained organs).
  const sign = m.better === 'lower' ? 1 : -1;
  const order = (a: RankedUnit, b: RankedUnit) =>
    sign * ((a.value ?? 0) - (b.value ?? 0)) ||
    (a.interval && b.interval ? (m.better === 'lower' ? a.interval[1] - b.interval[1] : b.interval[0] - a.interval[0]) : 0) ||
    b.volume - a.volume ||
    a.unit.localeCompare(b.unit);
  const eligible = units.filter((u) => !u.unranked).sort(order);
  eligible.forEach((u, i) => (u.rank = i === 0 || order(eligible[i - 1]!, u) !== 0 ? i + 1 : eligible[i - 1]!.rank));

  const byVolume = [...eligible].sort((a, b) => a.volume - b.volume);
  const tierOf = new Map<RankedUnit, Tier>();
  byVolume.forEach((u, i) => tierOf.set(u, (['small', 'medium', 'large'] as const)[Math.min(2, Math.floor((3 * i) / byVolume.length))]!));
  for (const tier of ['small', 'medium', 'large'] as const) {
    eligible.filter((u) => tierOf.get(u) === tier).forEach((u, i) => ((u.tier = tier), (u.rankInTier = i + 1)));
  }
  const unranked = units.filter((u) => u.unranked).sort((a, b) => b.volume - a.volume || a.unit.localeCompare(b.unit));
  return { request: { ...request, minVolume }, better: m.better, units: [...eligible, ...unranked] };
}
