import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { PlainDate } from '../../rules/plain-date.js';
import { mulberry32 } from '../generator/generate.js';
import { isMeasureId, measure, type MeasureId } from '../metrics/catalog.js';
import { describe, MetricsError, queryMetrics, resolveRegion } from '../metrics/query.js';
import type { AnalyticsStore } from '../store.js';

/**
 * The petition index (信访指数, 004 §4(6)3; DOMAIN §9), built by the steps of the OECD/JRC
 * Handbook on Constructing Composite Indicators (2008): chosen indicators with a direction,
 * imputation of missing values, normalisation, weights, aggregation, and an uncertainty
 * analysis that re-computes the ranking under other normalisations, aggregations and weights
 * and reports each region's rank interval. The method is data (method.json) and travels with
 * every result, so the index is never shown as a bare score.
 */
const NORMALISATIONS = ['min-max', 'z-score', 'rank'] as const;
const AGGREGATIONS = ['arithmetic', 'geometric'] as const;
type Normalisation = (typeof NORMALISATIONS)[number];
type Aggregation = (typeof AGGREGATIONS)[number];

const methodSchema = z
  .object({
    $comment: z.string().optional(),
    id: z.string(),
    titleZh: z.string(),
    titleEn: z.string(),
    orientation: z.string(),
    unit: z.literal('district'),
    indicators: z
      .array(
        z
          .object({
            measure: z.string().refine(isMeasureId, { error: (i) => `unknown measure "${String(i.input)}"` }),
            perTenThousand: z.boolean().default(false),
            // pressure: more of it means more petition pressure; relief: less.
            direction: z.enum(['pressure', 'relief']),
            weight: z.number().positive(),
            why: z.string(),
          })
          .strict()
          .refine((i) => !i.perTenThousand || !isMeasureId(i.measure) || measure(i.measure).kind !== 'rate', {
            error: 'perTenThousand applies to counts and sums, not rates',
          }),
      )
      .min(2),
    normalisation: z.enum(NORMALISATIONS),
    aggregation: z.enum(AGGREGATIONS),
    missing: z.literal('mean'),
    uncertainty: z
      .object({
        runs: z.number().int().min(10).max(100_000),
        seed: z.number().int(),
        normalisations: z.array(z.enum(NORMALISATIONS)).min(1),
        aggregations: z.array(z.enum(AGGREGATIONS)).min(1),
        weightJitter: z.number().min(0).max(0.95),
        rankInterval: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
      })
      .strict(),
  })
  .strict();

export type IndexMethod = z.infer<typeof methodSchema>;

export function loadIndexMethod(path: string | URL = new URL('./method.json', import.meta.url)): IndexMethod {
  const parsed = methodSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${String(path)}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export interface IndexedRegion {
  unit: string;
  name: string | null;
  index: number;
  rank: number;
  /** Ranks at the uncertainty analysis' chosen quantiles (1 = most pressure). */
  rankInterval: [number, number];
  medianRank: number;
  indicators: { measure: MeasureId; raw: number | null; imputed: boolean; normalised: number }[];
}

export interface PetitionIndex {
  method: IndexMethod;
  indicators: (ReturnType<typeof describe> & { perTenThousand: boolean; direction: string; weight: number; why: string })[];
  year: number;
  region: string;
  asOf: PlainDate;
  units: IndexedRegion[];
}

/** Per-column normalisation of a units × indicators matrix, oriented so higher = more pressure. */
export function normalise(matrix: number[][], how: Normalisation): number[][] {
  const columns = matrix[0]?.length ?? 0;
  const out = matrix.map((row) => row.slice());
  for (let j = 0; j < columns; j++) {
    const col = matrix.map((row) => row[j]!);
    let f: (x: number) => number;
    if (how === 'min-max') {
      const min = Math.min(...col);
      const max = Math.max(...col);
      f = (x) => (max === min ? 0.5 : (x - min) / (max - min));
    } else if (how === 'z-score') {
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, col.length - 1));
      f = (x) => (sd === 0 ? 0 : (x - mean) / sd);
    } else {
      // Fractional rank with ties averaged, in (0, 1].
      const sorted = [...col].sort((a, b) => a - b);
      f = (x) => (sorted.indexOf(x) + sorted.lastIndexOf(x) + 2) / 2 / col.length;
    }
    matrix.forEach((_, i) => (out[i]![j] = f(matrix[i]![j]!)));
  }
  return out;
}

/**
 * Weighted aggregation. The geometric mean needs positive values, so (as the Handbook does)
 * it works on the indicators rescaled min-max to [1, 100] whatever the normalisation: a low
 * score on one indicator is then only partly made up by a high one on another.
 */
export function aggregate(normalised: number[][], weights: number[], how: Aggregation): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (how === 'arithmetic') return normalised.map((row) => row.reduce((s, x, j) => s + (weights[j]! * x) / total, 0));
  const scaled = normalise(normalised, 'min-max').map((row) => row.map((x) => 1 + 99 * x));
  return scaled.map((row) => Math.exp(row.reduce((s, x, j) => s + (weights[j]! * Math.log(x)) / total, 0)));
}

/** 1 for the highest score; equal scores share a rank. */
export function ranks(scores: number[]): number[] {
  return scores.map((s) => 1 + scores.filter((t) => t > s + 1e-12).length);
}

function quantile(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.ceil(h)] ?? sorted[lo]!) - sorted[lo]!);
}

const regionRow = z.object({ code: z.string(), name: z.string().nullable(), population10k: z.number().nullable() });

export async function petitionIndex(
  store: AnalyticsStore,
  options: { year: number; region: string; asOf: PlainDate; method?: IndexMethod },
): Promise<PetitionIndex> {
  const method = options.method ?? loadIndexMethod();
  const scope = await resolveRegion(store, options.region);
  if (scope.level !== 'city') throw new MetricsError(`the petition index compares the districts of a city; ${options.region} is a ${scope.level}`);
  const ids = method.indicators.map((i) => i.measure as MeasureId);
  const rows = await queryMetrics(store, {
    measures: ids,
    from: `${options.year}-01-01` as PlainDate,
    to: `${options.year}-12-31` as PlainDate,
    asOf: options.asOf,
    by: ['district'],
    region: options.region,
  });
  const districts = await store.all(
    regionRow,
    "SELECT code, name_zh AS name, population10k FROM regions WHERE parent_code = $city AND level = 'district' ORDER BY code",
    { city: options.region },
  );

  const raw = districts.map((d) =>
    method.indicators.map((ind) => {
      const row = rows.find((r) => r.measure === ind.measure && r.dims.district === d.code);
      const value = row?.value ?? (measure(ind.measure as MeasureId).kind === 'rate' ? null : 0);
      if (value === null) return null;
      if (!ind.perTenThousand) return value;
      return d.population10k ? value / d.population10k : null;
    }),
  );
  // Missing values (a rate with nothing to rate, a count without a population) take the mean of the other districts.
  const filled = raw.map((r) => r.slice());
  method.indicators.forEach((_, j) => {
    const present = raw.map((r) => r[j]).filter((v): v is number => v !== null);
    const mean = present.length ? present.reduce((a, b) => a + b, 0) / present.length : 0;
    filled.forEach((r) => (r[j] ??= mean));
  });
  const oriented = (filled as number[][]).map((r) => r.map((x, j) => (method.indicators[j]!.direction === 'pressure' ? x : -x)));
  const weights = method.indicators.map((i) => i.weight);

  const nominalNormalised = normalise(oriented, method.normalisation);
  const index = aggregate(nominalNormalised, weights, method.aggregation);
  const nominalRanks = ranks(index);

  const u = method.uncertainty;
  const random = mulberry32(u.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const rankRuns: number[][] = districts.map(() => []);
  for (let run = 0; run < u.runs; run++) {
    const w = weights.map((x) => x * (1 - u.weightJitter + 2 * u.weightJitter * random()));
    const r = ranks(aggregate(normalise(oriented, pick(u.normalisations)), w, pick(u.aggregations)));
    r.forEach((rank, i) => rankRuns[i]!.push(rank));
  }

  const units = districts.map((d, i): IndexedRegion => {
    const sorted = rankRuns[i]!.sort((a, b) => a - b);
    return {
      unit: d.code,
      name: d.name,
      index: index[i]!,
      rank: nominalRanks[i]!,
      rankInterval: [quantile(sorted, u.rankInterval[0]), quantile(sorted, u.rankInterval[1])],
      medianRank: quantile(sorted, 0.5),
      indicators: method.indicators.map((ind, j) => ({
        measure: ind.measure as MeasureId,
        raw: raw[i]![j] ?? null,
        imputed: raw[i]![j] === null,
        normalised: nominalNormalised[i]![j]!,
      })),
    };
  });
  return {
    method,
    indicators: method.indicators.map((ind) => ({ ...describe(ind.measure as MeasureId), perTenThousand: ind.perTenThousand, direction: ind.direction, weight: ind.weight, why: ind.why })),
    year: options.year,
    region: options.region,
    asOf: options.asOf,
    units: units.sort((a, b) => a.rank - b.rank || a.unit.localeCompare(b.unit)),
  };
}
