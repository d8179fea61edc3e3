/**
 * The report kinds and the one validation of a report request, shared by POST /api/v1/reports,
 * `xinfang report` and the report schedules: each kind names its own parameters (a year, a
 * quarter, a period, an organ) beside the region, the as-of date and the format.
 */
import { z } from 'zod';
import { plainDate, regionCode } from '../metrics/request.js';
import { REPORT_FORMATS } from './report-store.js';

const year = z.coerce.number().int().min(1990).max(2100);
const common = { region: regionCode.optional(), asOf: plainDate.optional(), format: z.enum(REPORT_FORMATS, { error: `the format is one of: ${REPORT_FORMATS.join(', ')}` }) };

export const reportRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('annual'), year, ...common }).strict(),
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
