/**
 * What a scan looks at and how, as data (scan-config.json beside this file, or the file
 * XINFANG_EARLY_WARNING_CONFIG names): which series at which level, which detectors with
 * which parameters, the sparsity rules, and each signal's thresholds and severity rules.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A scan that cannot run as asked (bad week, configuration, no regions): retrying will not help. */
export class ScanError extends Error {
  override name = 'ScanError';
}

export const LEVELS = ['city', 'district', 'street'] as const;
export type Level = (typeof LEVELS)[number];
export const SERIES_DIMENSIONS = ['field', 'channel', 'class'] as const;
export type SeriesDimension = (typeof SERIES_DIMENSIONS)[number];

const probability = z.number().gt(0).lt(1);
const weeks = z.number().int().min(1).max(520);
// Named as the detectors registry names them (surveillance's control lists, camelCase).
const methodParams = z.record(z.string(), z.union([z.number(), z.string()]));

const excessRule = z.object({ ratio: z.number().min(1), excess: z.number().min(0) }).strict();

const counts = z
  .object({
    /** Per level, the groupings of (field, channel, class) to build series for; [] is the region's total. */
    levels: z.partialRecord(z.enum(LEVELS), z.array(z.array(z.enum(SERIES_DIMENSIONS)))),
    /** Series with fewer cases than this over the whole look-back are not read out of DuckDB at all. */
    minSeriesCases: z.number().int().min(0),
    methods: z.array(
      z
        .object({
          method: z.string().min(1),
          levels: z.array(z.enum(LEVELS)).min(1),
          /** Only the series of these groupings ([] the region's total); default every series of the levels. */
          groupings: z.array(z.array(z.enum(SERIES_DIMENSIONS))).optional(),
          params: methodParams.default({}),
          /**
           * A series is tested at a week only if, over the method's history before that week, the
           * mean count is at least minMean and at most maxZeroShare of the weeks are zero.
           */
          sparsity: z.object({ minMean: z.number().min(0), maxZeroShare: z.number().min(0).max(1) }).strict(),
        })
        .strict(),
    ),
    /**
     * Severity by how far the count is above what was expected: ratio = observed ÷ max(expected, 1)
     * and excess = observed − expected, both at least the step's values. Not by the upper bound:
     * EARS C3's (reference) bound moves with the observed count itself.
     */
    severity: z.object({ warning: excessRule, serious: excessRule }).strict(),
  })
  .strict();

const collective = z
  .object({
    levels: z.array(z.enum(['district', 'street'])).min(1),
    recentWeeks: weeks,
    baselineWeeks: weeks,
    minRecent: z.number().int().min(1),
    alpha: probability,
    trend: z.object({ minEvents: z.number().int().min(3), maxEvents: z.number().int().min(3).max(60), alpha: probability }).strict(),
    severity: z.object({ largeSize: z.number().int().min(5) }).strict(),
  })
  .strict();

const escalation = z
  .object({
    windowDays: z.number().int().min(7).max(730),
    minCases: z.number().int().min(2),
    severity: z.object({ seriousCases: z.number().int().min(2) }).strict(),
  })
  .strict();

const organRates = z
  .object({
    measures: z.array(z.enum(['on_time_completion_rate', 'satisfaction_rate'])).min(1),
    recentWeeks: weeks,
    baselineWeeks: weeks,
    alpha: probability,
    minRise: z.number().min(0).max(1),
    minRecent: z.number().int().min(1),
    minExpected: z.number().min(0),
    /** Severity by the rise of the bad share (overdue or dissatisfied), in proportion points. */
    severity: z.object({ warning: z.number().min(0).max(1), serious: z.number().min(0).max(1) }).strict(),
  })
  .strict();

const presses = z
  .object({
    recentWeeks: weeks,
    baselineWeeks: weeks,
    /** Fewer presses than this in the recent weeks are not tested. */
    minRecent: z.number().int().min(1),
    alpha: probability,
    /** Severity by the recent presses over those the baseline rate expects. */
    severity: z.object({ warning: z.number().min(1), serious: z.number().min(1) }).strict(),
  })
  .strict();

const spaceTime = z
  .object({
    studyWeeks: z.number().int().min(2).max(104),
    maxWeeks: z.number().int().min(1).max(52),
    maxDistricts: z.number().int().min(1).max(8),
    minDistricts: z.number().int().min(1),
    minCases: z.number().int().min(1),
    replicates: z.number().int().min(9).max(9999),
    alpha: probability,
    seed: z.number().int(),
    severity: z.object({ warningDistricts: z.number().int().min(1), seriousRelativeRisk: z.number().min(1) }).strict(),
  })
  .strict()
  .refine((s) => s.maxWeeks < s.studyWeeks, 'maxWeeks must be shorter than studyWeeks (the rest is the baseline)');

export const scanConfigSchema = z
  .object({
    counts,
    collective,
    escalation,
    organRates,
    presses,
    spaceTime,
    dedup: z.object({ maxGapWeeks: z.number().int().min(0).max(12) }).strict(),
  })
  .strict();

export type ScanConfig = z.infer<typeof scanConfigSchema>;
export type CountMethodConfig = ScanConfig['counts']['methods'][number];

const DEFAULT_FILE = new URL('./scan-config.json', import.meta.url);

export function loadScanConfig(path: string | URL = process.env.XINFANG_EARLY_WARNING_CONFIG || DEFAULT_FILE): ScanConfig {
  try {
    return scanConfigSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    const problem =
      error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ') : (error as Error).message;
    throw new Error(`early-warning configuration ${String(path)}: ${problem}`);
  }
}
