import { z } from 'zod';
import { REGION_CODE } from '../../domain/region-hierarchy.js';
import { parsePlainDate, type PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import { annualDataset } from './annual.js';
import { DIMENSIONS, isDimensionId, isMeasureId, MEASURES, SOURCES, TIME_GRAINS, type DimensionId, type MeasureId } from './catalog.js';
import { compareMetrics, threeDeclines } from './compare.js';
import { describe, MetricsError, queryMetrics, resolveRegion, type MetricRequest } from './query.js';
import { rank } from './ranking.js';
import { declaredSourceDimensions } from './source-dimensions.js';

/**
 * The one validation of a metrics question, shared by the API (query strings) and the CLI
 * (`xinfang metrics`): everything arrives as text, is checked here, and is trusted after.
 */
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean));

// The years `year` takes: a date outside them is a slip (9999-12-31), and DuckDB would answer it.
const FIRST_DATE = '1990-01-01';
const LAST_DATE = '2100-12-31';

export const plainDate = z.string().transform((text, ctx): PlainDate => {
  try {
    const date = parsePlainDate(text);
    if (date < FIRST_DATE || date > LAST_DATE) throw new RangeError(`${date} lies outside ${FIRST_DATE}..${LAST_DATE}`);
    return date;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

// `measure=` given empty would otherwise ask for no measure at all, and answer with no rows.
const measures = list.pipe(
  z
    .array(z.string().refine(isMeasureId, { error: (issue) => `unknown measure "${String(issue.input)}"; see GET /api/v1/metrics/catalog` }))
    .min(1, 'give at least one measure, or leave measure out for all of them'),
);
const dimensions = list.pipe(
  z
    .array(z.string().refine(isDimensionId, { error: (issue) => `unknown dimension "${String(issue.input)}"; one of ${Object.keys(DIMENSIONS).join(', ')}, or src:<name> for a source dimension an import declared` }))
    .min(1, 'give at least one dimension, or leave by out'),
);
/** A node of the region hierarchy: the city, a district or a street. */
export const regionCode = z.string().regex(REGION_CODE, 'a region code such as 110105 (letters, digits, - and _)');

const periodFields = {
  year: z.coerce.number().int().min(1990).max(2100).optional(),
  from: plainDate.optional(),
  to: plainDate.optional(),
  asOf: plainDate.optional(),
  region: regionCode.optional(),
};

const period = <T extends { year?: number | undefined; from?: PlainDate | undefined; to?: PlainDate | undefined; asOf?: PlainDate | undefined }>(
  q: T,
  today: PlainDate,
) => {
  if (q.year !== undefined && (q.from || q.to)) throw new MetricsError('give either year or from/to, not both');
  const from = q.year !== undefined ? parsePlainDate(`${q.year}-01-01`) : q.from;
  const to = q.year !== undefined ? parsePlainDate(`${q.year}-12-31`) : q.to;
  if (!from || !to) throw new MetricsError('give a year, or both from and to (YYYY-MM-DD)');
  return { from, to, asOf: q.asOf ?? today };
};

// An empty filter (`channel=`) would match nothing and reach the database as an empty list.
export const metricsQuery = z
  .object({
    ...periodFields,
    measure: measures.optional(),
    by: dimensions.optional(),
    compare: z.enum(['yoy', 'pop']).optional(),
  })
  .catchall(list.pipe(z.array(z.string()).min(1, 'give at least one value (an empty filter matches nothing)')));

export const rankingQuery = z
  .object({
    ...periodFields,
    measure: z.string().refine(isMeasureId, { error: (issue) => `unknown measure "${String(issue.input)}"` }),
    by: z.enum(['district', 'street', 'organ']).default('district'),
    // Coerced, an empty `minVolume=` would be 0: ranking on any evidence at all, unasked.
    minVolume: z.string().min(1, 'a whole number').pipe(z.coerce.number<string>().int().min(0)).optional(),
  })
  .strict();

export const reportQuery = z
  .object({ year: z.coerce.number().int().min(1990).max(2100), asOf: plainDate.optional(), region: regionCode.optional() })
  .strict();

export async function answerMetrics(store: AnalyticsStore, input: unknown, today: PlainDate) {
  // The catchall assigns each extra key to its output, and assigning "__proto__" sets a prototype: that filter would vanish unrefused.
  if (input !== null && typeof input === 'object' && Object.hasOwn(input, '__proto__')) throw new MetricsError('unknown parameter or dimension "__proto__"');
  const { measure, by, compare, year, from, to, asOf, region, ...rest } = metricsQuery.parse(input);
  const filters: Partial<Record<DimensionId, string[]>> = {};
  for (const [key, values] of Object.entries(rest)) {
    if (!isDimensionId(key)) throw new MetricsError(`unknown parameter or dimension "${key}"`);
    filters[key] = values;
  }
  const request: MetricRequest = {
    measures: (measure ?? MEASURES.map((m) => m.id)) as MeasureId[],
    ...period({ year, from, to, asOf }, today),
    ...(by ? { by: by as DimensionId[] } : {}),
    ...(region ? { region } : {}),
    ...(Object.keys(filters).length ? { filters } : {}),
  };
  const rows = compare ? await compareMetrics(store, request, compare) : await queryMetrics(store, request);
  return { request, measures: request.measures.map(describe), rows };
}

export async function answerRanking(store: AnalyticsStore, input: unknown, today: PlainDate) {
  const q = rankingQuery.parse(input);
  return rank(store, {
    measure: q.measure as MeasureId,
    by: q.by,
    ...period(q, today),
    ...(q.region ? { region: q.region } : {}),
    ...(q.minVolume !== undefined ? { minVolume: q.minVolume } : {}),
  });
}

export const periodQuery = z.object(periodFields).strict();

export async function answerThreeDeclines(store: AnalyticsStore, input: unknown, today: PlainDate) {
  const q = periodQuery.parse(input);
  return threeDeclines(store, period(q, today), q.region);
}

/** The annual report's dataset; the region defaults to the city of the store's hierarchy. */
export async function answerAnnualDataset(store: AnalyticsStore, input: unknown, today: PlainDate, defaultRegion: string) {
  const q = reportQuery.parse(input);
  return annualDataset(store, { year: q.year, region: q.region ?? defaultRegion, asOf: q.asOf ?? today });
}

export const catalogQuery = z.object({ region: regionCode.optional() }).strict();

/**
 * Every measure and dimension; beside the catalog's own dimensions, the source dimensions
 * imports declared that the region's cases carry (every declared one without a region).
 */
export async function catalog(store: AnalyticsStore, region: string | null) {
  const declared = await declaredSourceDimensions(store, region);
  return {
    // The dimensions each measure can be broken down and filtered by, so a client offers only those (query.ts refuses the others).
    measures: MEASURES.map((m) => ({
      ...describe(m.id),
      source: m.source,
      dimensions: [
        ...TIME_GRAINS,
        ...(Object.keys(SOURCES[m.source].columns) as DimensionId[]),
        ...declared.filter((d) => d.measures.includes(m.id)).map((d) => d.id),
      ],
    })),
    dimensions: Object.values(DIMENSIONS),
    sourceDimensions: declared,
  };
}

/** The catalog of a region (API: the caller's, confined; CLI: --region), whose code must be in the hierarchy. */
export async function answerCatalog(store: AnalyticsStore, input: unknown) {
  const { region } = catalogQuery.parse(input);
  if (region !== undefined) await resolveRegion(store, region);
  return catalog(store, region ?? null);
}
