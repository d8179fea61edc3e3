/**
 * The report kinds and the one validation of a report request, shared by POST /api/v1/reports,
 * `xinfang report` and the report schedules: each kind names its own parameters (a year, a
 * quarter, a period, an organ) beside the region, the as-of date and the format.
 */
import { z } from 'zod';
import { quarterPeriod } from '../metrics/quarterly.js';
import { plainDate, regionCode } from '../metrics/request.js';
import { REPORT_FORMATS } from './report-store.js';

// Coerced (the CLI and query strings give text): a missing or non-numeric value would read "received NaN".
const year = z.coerce.number({ error: 'a year such as 2025 is needed' }).int().min(1990).max(2100);
const quarter = z.coerce.number({ error: 'a quarter, 1 to 4, is needed' }).int().min(1, 'a quarter is 1 to 4').max(4, 'a quarter is 1 to 4');
const common = { region: regionCode.optional(), asOf: plainDate.optional(), format: z.enum(REPORT_FORMATS, { error: `the format is one of: ${REPORT_FORMATS.join(', ')}` }) };

/** An organ of the registry by its code (organs.code); it becomes part of the report's file name. */
const organCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/, 'an organ code of the registry, such as BJ-JW (letters, digits, - and _)');
/** An inspection brief covers at most this many years: a longer span is a slip, and its charts would be unreadable. */
const INSPECTION_YEARS = 5;

/**
 * An inspection brief's period runs forwards and for at most five years, is not wholly after its
 * as-of date, and the brief is of a region or of an organ: an organ's brief is of the organ's own
 * region (its registry entry), so naming a region beside it is refused rather than reconciled.
 */
function inspectionPeriod(r: { from: string; to: string; asOf?: string | undefined; region?: string | undefined; organ?: string | undefined }, ctx: z.RefinementCtx): void {
  if (r.to < r.from) ctx.addIssue({ code: 'custom', path: ['to'], message: `the period ends (${r.to}) before it begins (${r.from})` });
  const [y, m, d] = r.from.split('-').map(Number) as [number, number, number];
  const last = new Date(Date.UTC(y + INSPECTION_YEARS, m - 1, d - 1)).toISOString().slice(0, 10);
  if (r.to > last) ctx.addIssue({ code: 'custom', path: ['to'], message: `a brief covers at most ${INSPECTION_YEARS} years: from ${r.from}, the period ends by ${last}` });
  if (r.asOf !== undefined && r.asOf < r.from) ctx.addIssue({ code: 'custom', path: ['asOf'], message: `the as-of date ${r.asOf} lies before the period begins (${r.from}): nothing in it would be counted` });
  if (r.region !== undefined && r.organ !== undefined) ctx.addIssue({ code: 'custom', path: ['organ'], message: "give region or organ, not both: an organ's brief is of the organ's own region" });
}

/**
 * A quarterly analysis may be of a quarter still running (its subtitle says so, and its figures
 * run to the as-of date), not of one that has not begun by then.
 */
function quarterBegun(r: { year: number; quarter: number; asOf?: string | undefined }, ctx: z.RefinementCtx): void {
  // Zod refines an object whose fields failed their range checks too: a quarter 5 is refused there already.
  if (!Number.isInteger(r.quarter) || r.quarter < 1 || r.quarter > 4 || !Number.isInteger(r.year)) return;
  const { from } = quarterPeriod(r.year, r.quarter);
  if (r.asOf !== undefined && r.asOf < from) ctx.addIssue({ code: 'custom', path: ['asOf'], message: `${r.year} Q${r.quarter} begins on ${from}, after the as-of date ${r.asOf}: there is nothing of it to analyse yet` });
}

export const reportRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('annual'), year, ...common }).strict(),
  z.object({ kind: z.literal('quarterly'), year, quarter, ...common }).strict().superRefine(quarterBegun),
  z.object({ kind: z.literal('inspection'), from: plainDate, to: plainDate, organ: organCode.optional(), ...common }).strict().superRefine(inspectionPeriod),
  z.object({ kind: z.literal('assessment'), year, ...common }).strict(),
]);
export type ReportRequestInput = z.infer<typeof reportRequest>;
export type ReportKindName = ReportRequestInput['kind'];

/** A request once the caller's region and today's date are filled in. */
export type ResolvedReportRequest = ReportRequestInput & { region: string; asOf: string };

/** What a stored report keeps as its parameters: the request less its format and as-of date (kept in their own columns). */
export function reportParameters(request: ResolvedReportRequest): Record<string, string | number> {
  const { format: _format, asOf: _asOf, kind: _kind, ...rest } = request;
  return Object.fromEntries(Object.entries(rest).filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number'));
}
