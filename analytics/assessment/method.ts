/**
 * The scoring method of the annual petition-work assessment (年度信访工作考核; Beijing rules
 * arts. 16-17, national measures art. 10, 2022 Regulations art. 39), as data: one file per
 * jurisdiction in rules/assessment/, beside the policy packs, holding every version of the
 * method with its effective date. This module is the one validation of those files; a
 * malformed file is refused naming the file, the place in it and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isMeasureId, measure, type MeasureId } from '../metrics/catalog.js';

const BUILT_IN = fileURLToPath(new URL('../../rules/assessment/', import.meta.url));

/** What the assessment assesses (Beijing art. 17: 各区、各市属部门及单位). */
export const UNIT_TYPES = ['district' /* 区 */, 'city-department' /* 市属部门及单位 */] as const;
export type UnitType = (typeof UNIT_TYPES)[number];

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date in YYYY-MM-DD form');

/** Where a part of the method comes from: a seed's article, or (article null) a note saying why. */
const citation = z
  .object({
    /** The seed file (../shared/seeds/), or null for a document the seeds cite but do not hold. */
    seed: z.string().min(1).nullable(),
    document: z.string().min(1),
    article: z.string().min(1).nullable(),
    note: z.string().optional(),
  })
  .strict()
  .refine((c) => c.article !== null || Boolean(c.note), 'a citation without an article needs a note saying where it comes from');

const rateMeasure = z
  .string()
  .refine(isMeasureId, { error: (issue) => `unknown measure "${String(issue.input)}" (analytics/metrics/catalog.ts)` })
  .refine((id) => !isMeasureId(id) || measure(id).kind === 'rate', { error: (issue) => `${String(issue.input)} is not a rate: an indicator scores a rate between two bounds` })
  .transform((id) => id as MeasureId);

const share = z.number().min(0).max(1);

const indicator = z
  .object({
    measure: rateMeasure,
    direction: z.enum(['higher', 'lower']),
    /** Points the indicator is worth; the weights of a version add up to 100. */
    weight: z.number().positive(),
    /** The value that earns nothing, and the value that earns the weight in full. */
    zero: share,
    full: share,
    why: z.string().min(1),
    basis: z.array(citation).min(1),
  })
  .strict()
  .superRefine((i, ctx) => {
    // Zod runs this after an issue in the fields too: an unknown measure is reported there.
    if (!isMeasureId(i.measure)) return;
    const better = measure(i.measure).better;
    if (better !== i.direction) ctx.addIssue({ code: 'custom', path: ['direction'], message: `"${i.direction}" contradicts the catalog: ${i.measure} is better ${better}` });
    else if (i.direction === 'higher' ? i.full <= i.zero : i.full >= i.zero) {
      ctx.addIssue({ code: 'custom', path: ['full'], message: `for a ${i.direction}-is-better indicator full (${i.full}) must be ${i.direction} than zero (${i.zero})` });
    }
  });

const unit = z
  .object({
    type: z.enum(UNIT_TYPES),
    labelZh: z.string().min(1),
    groupZh: z.string().min(1),
    /** Which rows of the metrics layer are the unit's, in words (the dataset implements it). */
    measuredBy: z.string().min(1),
    source: citation,
  })
  .strict();

const version = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    version: z.string().min(1),
    titleZh: z.string().min(1),
    titleEn: z.string().min(1),
    /** The method scores the assessment years that begin on or after this date. */
    effective: date,
    basis: z.array(citation).min(1),
    units: z.array(unit).min(1),
    indicators: z.array(indicator).min(1),
    scoring: z.object({ rule: z.literal('linear'), note: z.string().min(1) }).strict(),
    smallUnits: z
      .object({
        /** Below this many cases in a rate's denominator the rate is shrunk toward the jurisdiction's. */
        minCases: z.number().int().positive(),
        credibility: z.literal('square-root'),
        note: z.string().min(1),
        source: citation,
      })
      .strict(),
    coverage: z
      .object({
        /** Least total weight of the indicators with data for a unit to be scored at all. */
        minWeight: z.number().positive().max(100),
        note: z.string().min(1),
      })
      .strict(),
    notice: z
      .object({
        praise: z
          .object({ minScore: z.number().min(0).max(100), topShare: z.number().positive().max(1), note: z.string().min(1), source: citation })
          .strict(),
        criticism: z
          .object({
            belowScore: z.number().min(0).max(100),
            missedDuty: z
              .object({
                measure: rateMeasure.refine((id) => !isMeasureId(id) || measure(id).better === 'higher', { error: 'the missed-duty measure must count duties met (better higher)' }),
                minPeriods: z.number().int().positive(),
              })
              .strict(),
            note: z.string().min(1),
            source: citation,
          })
          .strict(),
      })
      .strict()
      .refine((n) => n.criticism.belowScore <= n.praise.minScore, { error: 'the criticism line lies above the praise line', path: ['criticism', 'belowScore'] }),
  })
  .strict()
  .superRefine((v, ctx) => {
    const total = v.indicators.reduce((sum, i) => sum + i.weight, 0);
    if (Math.abs(total - 100) > 1e-9) ctx.addIssue({ code: 'custom', path: ['indicators'], message: `the weights add up to ${total}, not 100` });
    const seen = new Set<string>();
    v.indicators.forEach((i, n) => {
      if (seen.has(i.measure)) ctx.addIssue({ code: 'custom', path: ['indicators', n, 'measure'], message: `${i.measure} is an indicator twice` });
      seen.add(i.measure);
    });
    const types = new Set<string>();
    v.units.forEach((u, n) => {
      if (types.has(u.type)) ctx.addIssue({ code: 'custom', path: ['units', n, 'type'], message: `unit type ${u.type} is listed twice` });
      types.add(u.type);
    });
    if (v.coverage.minWeight > total) ctx.addIssue({ code: 'custom', path: ['coverage', 'minWeight'], message: `more than the ${total} the indicators are worth` });
  });

const file = z
  .object({
    $comment: z.string().optional(),
    jurisdiction: z.string().regex(/^[a-z0-9-]+$/),
    versions: z.array(version).min(1),
  })
  .strict()
  .superRefine((f, ctx) => {
    f.versions.forEach((v, n) => {
      const before = f.versions[n - 1];
      if (before && v.effective <= before.effective) {
        ctx.addIssue({ code: 'custom', path: ['versions', n, 'effective'], message: `versions are listed oldest first, each taking effect after the one before (${before.effective})` });
      }
      if (f.versions.some((w, m) => m < n && w.version === v.version)) ctx.addIssue({ code: 'custom', path: ['versions', n, 'version'], message: `version ${v.version} is defined twice` });
    });
  });

export type AssessmentMethod = z.infer<typeof version>;
export type AssessmentIndicator = AssessmentMethod['indicators'][number];
export type AssessmentUnitRule = AssessmentMethod['units'][number];
export type Citation = z.infer<typeof citation>;
export type AssessmentFile = z.infer<typeof file>;

export class AssessmentMethodError extends Error {
  override name = 'AssessmentMethodError';
}

/** Validates a parsed method file; `origin` names it in the error. */
export function parseAssessmentFile(raw: unknown, origin: string): AssessmentFile {
  const result = file.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new AssessmentMethodError(`assessment method ${origin}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  }
  return result.data;
}

/** The method file of a jurisdiction, or null when it has none. */
export function loadAssessmentFile(jurisdiction: string, dir: string = BUILT_IN): AssessmentFile | null {
  if (!/^[a-z0-9-]+$/.test(jurisdiction)) throw new AssessmentMethodError(`not a jurisdiction name: ${JSON.stringify(jurisdiction)}`);
  const path = join(dir, `${jurisdiction}.json`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AssessmentMethodError(`assessment method ${path}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = parseAssessmentFile(raw, path);
  if (parsed.jurisdiction !== jurisdiction) throw new AssessmentMethodError(`assessment method ${path}: jurisdiction: says "${parsed.jurisdiction}", the file is ${jurisdiction}'s`);
  return parsed;
}

/**
 * The version that scores a year: the latest one in force on 1 January of it, so a unit is
 * assessed by standards fixed before its year began. Null when none was.
 */
export function methodForYear(methods: AssessmentFile, year: number): AssessmentMethod | null {
  const start = `${year}-01-01`;
  return methods.versions.filter((v) => v.effective <= start).at(-1) ?? null;
}
