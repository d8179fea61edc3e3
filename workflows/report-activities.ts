/**
 * The report batch's activities (workflows/report-batch.ts): which regions a batch covers,
 * from the `regions` table, its record (analytics/reports/batch-store.ts), and one report
 * generated and stored as POST /api/v1/reports does it.
 */
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { MetricsError } from '../analytics/metrics/query.js';
import { recordBatchClosed, recordBatchOpened, type NewBatch } from '../analytics/reports/batch-store.js';
import { generateReport } from '../analytics/reports/generate.js';
import { reportParameters, reportRequest, type ResolvedReportRequest } from '../analytics/reports/kinds.js';
import { RenderingUnavailable } from '../analytics/reports/pdf.js';
import { saveReport, type ReportFormat } from '../analytics/reports/report-store.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { parsePlainDate } from '../rules/plain-date.js';

/** One report of a batch: the request as POST /reports takes it, with its region and as-of date filled in. */
export interface BatchReportRequest {
  kind: string;
  year: number;
  quarter?: number;
  region: string;
  asOf: string;
  format: ReportFormat;
}

export interface BatchUnit {
  code: string;
  level: string;
  nameZh: string | null;
}

const unitRow = z.object({ code: z.string(), level: z.string(), nameZh: z.string().nullable() });

/** A batch that names what is not there: no retry will find it. */
const BATCH_ERROR = 'BatchError';

/** How the retry policy tells them apart (workflows/retry-policies.ts REPORT_GENERATION). */
const REPORT_FAILURES = { invalid: 'InvalidReportRequest', metrics: 'MetricsError', rendering: 'RenderingUnavailable' } as const;

/** The attempt rides with a failure, so the workflow can count every attempt an item took. */
function failure(type: string, error: Error, attempt: number): ApplicationFailure {
  return ApplicationFailure.create({ type, message: error.message, details: [{ attempt }], cause: error });
}

export function createReportActivities(store: AnalyticsStore) {
  return {
    /**
     * The regions of a batch: its region (default the jurisdiction's one city) first, then, for
     * a kind reported by district, each region directly under it, by code; `only` narrows them.
     */
    async batchUnits(args: { jurisdiction: string; region?: string; regions: 'with-under' | 'region'; only?: string[] }): Promise<{ region: string; units: BatchUnit[] }> {
      const columns = 'code, level, name_zh AS nameZh';
      const roots = args.region
        ? await store.all(unitRow, `SELECT ${columns} FROM regions WHERE code = $code AND jurisdiction = $jurisdiction`, { code: args.region, jurisdiction: args.jurisdiction })
        : await store.all(unitRow, `SELECT ${columns} FROM regions WHERE level = 'city' AND jurisdiction = $jurisdiction ORDER BY code`, { jurisdiction: args.jurisdiction });
      if (roots.length !== 1) {
        const what = args.region ? `region ${args.region}` : 'a single city';
        throw ApplicationFailure.nonRetryable(`the regions table holds ${roots.length === 0 ? 'no' : roots.length} ${what} of jurisdiction ${args.jurisdiction}`, BATCH_ERROR);
      }
      const root = roots[0]!;
      const under = args.regions === 'with-under' ? await store.all(unitRow, `SELECT ${columns} FROM regions WHERE parent_code = $code ORDER BY code`, { code: root.code }) : [];
      const units = [root, ...under];
      if (!args.only) return { region: root.code, units };
      const unknown = args.only.filter((code) => !units.some((u) => u.code === code));
      if (unknown.length) throw ApplicationFailure.nonRetryable(`not a region of the batch of ${root.code}: ${unknown.join(', ')}`, BATCH_ERROR);
      return { region: root.code, units: units.filter((u) => args.only!.includes(u.code)) };
    },

    async recordReportBatchOpened(batch: NewBatch): Promise<void> {
      await recordBatchOpened(store, batch);
    },

    async recordReportBatchClosed(args: { batchId: string; closedAt: string; done: number; failed: number }): Promise<void> {
      const { batchId, ...closed } = args;
      await recordBatchClosed(store, batchId, closed);
    },

    /**
     * Generates one report and stores it (a new version beside any earlier rendering of the
     * same report). A request the schema or the metrics layer refuses fails for good; a
     * machine without Chromium or its fonts is retried (an operator may install them), as is
     * anything else that went wrong.
     */
    async generateStoredReport(args: {
      request: BatchReportRequest;
      jurisdiction: string;
      requestedBy: { username: string; role: string };
    }): Promise<{ reportId: string; version: number; sha256: string; attempt: number }> {
      const { attempt } = activityInfo();
      const parsed = reportRequest.safeParse(args.request);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
        throw failure(REPORT_FAILURES.invalid, new Error(`the report request is not valid: ${problems}`), attempt);
      }
      // The schema checked both; it types them optional, as POST /reports fills them in.
      const request: ResolvedReportRequest = { ...parsed.data, region: args.request.region, asOf: parsePlainDate(args.request.asOf) };
      try {
        const made = await generateReport(store, request, args.jurisdiction);
        const stored = await saveReport(
          store,
          {
            kind: request.kind,
            regionCode: request.region,
            parameters: reportParameters(request),
            asOf: request.asOf,
            format: request.format,
            template: made.document.meta.template,
            requestedBy: args.requestedBy.username,
            requestedRole: args.requestedBy.role,
            filename: made.filename,
            bytes: made.bytes,
          },
          new Date(),
        );
        return { reportId: stored.id, version: stored.version, sha256: stored.sha256, attempt };
      } catch (error) {
        if (error instanceof MetricsError) throw failure(REPORT_FAILURES.metrics, error, attempt);
        if (error instanceof RenderingUnavailable) throw failure(REPORT_FAILURES.rendering, error, attempt);
        throw failure(error instanceof Error ? error.name : 'Error', error instanceof Error ? error : new Error(String(error)), attempt);
      }
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
