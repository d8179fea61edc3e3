/**
 * A batch of reports (issue 16): one kind of report, for one period and as of one date, for a
 * region and — for the kinds every petition office owes its own party committee and
 * government — each region directly under it: the city's and every district's annual report.
 * One activity per (region, format), two at a time (the machine's two cores; a PDF is a
 * Chromium of its own), with progress in a query.
 *
 *   planning ─ running ─┬─ every item done: closed
 *                       └─ some failed (after their activity's retries): awaiting-retry
 *                            ├─ retryFailed: those items run again, the done ones never
 *                            └─ RETRY_WINDOW_MS passes: closed, the failed ones said so
 *
 * A Schedule (server/report-schedules.ts) starts it with neither period nor as-of date: the
 * as-of date is the workflow's start in China time and the period the one that ended last
 * before it, so a re-run of the same history gives the same reports.
 */
import { ActivityFailure, ApplicationFailure, condition, defineQuery, defineUpdate, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { BatchOrigin } from '../analytics/reports/batch-store.js';
import type { ReportKindName } from '../analytics/reports/kinds.js';
import type { ReportFormat } from '../analytics/reports/report-store.js';
import { periodContaining, periodsOfYear } from '../rules/periods.js';
import { addDays, chinaDateOf, parsePlainDate, type PlainDate } from '../rules/plain-date.js';
import type { ReportActivities } from './report-activities.js';
import { RECORDING, REPORT_GENERATION } from './retry-policies.js';

/** Prefix of the batches the API starts; a Schedule's runs are `RB-<kind>-<scheduled time>`. */
export const BATCH_WORKFLOW_ID_PREFIX = 'RB-';

interface BatchKindSpec {
  /** The period a report of the kind covers, and so the one a scheduled batch takes: the last that ended. */
  period: 'year' | 'quarter';
  /** `with-under`: the region's report and one for each region directly under it; `region`: the region's only. */
  regions: 'with-under' | 'region';
}

/** The kinds a batch makes, and what each covers. */
export const BATCH_KINDS = {
  // 2022 Regulations art. 41: every petition office reports yearly to its own committee and government.
  annual: { period: 'year', regions: 'with-under' },
  // Xianning art. 7: the regular situation analysis every petition office owes its committee and government.
  quarterly: { period: 'quarter', regions: 'with-under' },
  // Beijing art. 17: the city's office assesses every district and city department in one notice.
  assessment: { period: 'year', regions: 'region' },
} as const satisfies Partial<Record<ReportKindName, BatchKindSpec>>;
export type BatchKind = keyof typeof BATCH_KINDS;
export const BATCH_KIND_NAMES = Object.keys(BATCH_KINDS) as [BatchKind, ...BatchKind[]];

/** Items run at once. */
const CONCURRENCY = 2;
/**
 * How long a batch with failed items stays open for a retry: a week, so a batch a Schedule
 * started before a weekend or a public holiday still waits when the operator is back to install
 * what was missing. After it the batch closes with the failures on record; a new batch makes
 * every report again.
 */
export const RETRY_WINDOW_MS = 7 * 86_400_000;

export interface ReportBatchInput {
  /** Whose packs name the report's duties and ladder steps, and whose city a batch of no region is of. */
  jurisdiction: string;
  kind: BatchKind;
  /** Default: the year (or quarter) that ended last before the as-of date. */
  year?: number;
  quarter?: number;
  formats: ReportFormat[];
  /** The batch's region (for a kind reported by district, also each region directly under it); default the jurisdiction's city. */
  region?: string;
  /** Only these of the batch's regions (each must be one of them). */
  regions?: string[];
  /** Default: the workflow's start date in China. */
  asOf?: string;
  requestedBy: { username: string; role: string };
  origin: BatchOrigin;
}

export type ItemStatus = 'pending' | 'running' | 'done' | 'failed';

export interface BatchItem {
  region: string;
  regionName: string | null;
  format: ReportFormat;
  status: ItemStatus;
  /** The stored report, once done. */
  reportId?: string;
  version?: number;
  sha256?: string;
  /** Why it failed last, while failed. */
  error?: string;
  errorType?: string;
  /** Activity attempts taken over every run of the item (Temporal's retries and the user's). */
  attempts: number;
}

export interface ReportBatchProgress {
  batchId: string;
  kind: BatchKind;
  year: number;
  quarter: number | null;
  asOf: string;
  formats: ReportFormat[];
  /** The batch's region; null while a batch of the jurisdiction's city is planning. */
  region: string | null;
  origin: BatchOrigin;
  requestedBy: string;
  phase: 'planning' | 'running' | 'awaiting-retry' | 'closed';
  /** While awaiting a retry: when the batch closes without one. */
  retryUntil: string | null;
  total: number;
  pending: number;
  running: number;
  done: number;
  failed: number;
  items: BatchItem[];
}

export const reportBatchProgressQuery = defineQuery<ReportBatchProgress>('reportBatchProgress');
/** Runs the failed items again; answers how many. Refused when none has failed or the batch is closing. */
export const retryFailedUpdate = defineUpdate<{ retried: number }, []>('retryFailed');

const { generateStoredReport } = proxyActivities<ReportActivities>(REPORT_GENERATION);
const { batchUnits, recordReportBatchOpened, recordReportBatchClosed } = proxyActivities<ReportActivities>(RECORDING);

/** The year or quarter that ended last before `date`. */
export function periodBefore(period: BatchKindSpec['period'], date: PlainDate): { year: number; quarter?: number } {
  const last = periodContaining(addDays(periodContaining(date, period).start, -1), period);
  const year = Number(last.start.slice(0, 4));
  return period === 'year' ? { year } : { year, quarter: Number(last.label.slice(-1)) };
}

/** The first day of a batch's period: an as-of date before it would count nothing. */
export function periodStart(kind: BatchKind, year: number, quarter?: number): PlainDate {
  const spec: BatchKindSpec = BATCH_KINDS[kind];
  if (spec.period === 'year' || quarter === undefined) return parsePlainDate(`${year}-01-01`);
  return periodsOfYear(year, 'quarter')[quarter - 1]!.start;
}

/** The attempts a failed activity took: as it reported them, or, timed out each time, the policy's limit. */
function attemptsOf(failure: ActivityFailure): number {
  const cause = failure.cause;
  const reported = cause instanceof ApplicationFailure ? (cause.details?.[0] as { attempt?: unknown } | undefined)?.attempt : undefined;
  if (typeof reported === 'number') return reported;
  return failure.retryState === 'MAXIMUM_ATTEMPTS_REACHED' ? (REPORT_GENERATION.retry?.maximumAttempts ?? 1) : 1;
}

export async function reportBatchWorkflow(input: ReportBatchInput): Promise<ReportBatchProgress> {
  const batchId = workflowInfo().workflowId;
  const asOf = input.asOf ? parsePlainDate(input.asOf) : chinaDateOf(new Date());
  const spec: BatchKindSpec = BATCH_KINDS[input.kind];
  const period = input.year !== undefined ? { year: input.year, ...(input.quarter !== undefined ? { quarter: input.quarter } : {}) } : periodBefore(spec.period, asOf);
  let phase: ReportBatchProgress['phase'] = 'planning';
  let retryUntil: string | null = null;
  // Known from the start when the batch names it, so the API can confine the batch before it is planned.
  let region: string | null = input.region ?? null;
  let items: BatchItem[] = [];

  const count = (status: ItemStatus) => items.filter((i) => i.status === status).length;
  const progress = (): ReportBatchProgress => ({
    batchId,
    kind: input.kind,
    year: period.year,
    quarter: period.quarter ?? null,
    asOf,
    formats: input.formats,
    region,
    origin: input.origin,
    requestedBy: input.requestedBy.username,
    phase,
    retryUntil,
    total: items.length,
    pending: count('pending'),
    running: count('running'),
    done: count('done'),
    failed: count('failed'),
    items: items.map((i) => ({ ...i })),
  });
  setHandler(reportBatchProgressQuery, progress);
  setHandler(
    retryFailedUpdate,
    () => {
      const failed = items.filter((i) => i.status === 'failed');
      for (const item of failed) {
        item.status = 'pending';
        delete item.error;
        delete item.errorType;
      }
      return { retried: failed.length };
    },
    {
      validator: () => {
        if (phase === 'closed') throw new Error(`batch ${batchId} has closed: start a new batch`);
        if (!items.some((i) => i.status === 'failed')) throw new Error(`no item of batch ${batchId} has failed: nothing to retry`);
      },
    },
  );

  const planned = await batchUnits({ jurisdiction: input.jurisdiction, ...(input.region ? { region: input.region } : {}), regions: spec.regions, ...(input.regions ? { only: input.regions } : {}) });
  region = planned.region;
  items = planned.units.flatMap((u) => input.formats.map((format): BatchItem => ({ region: u.code, regionName: u.nameZh, format, status: 'pending', attempts: 0 })));
  await recordReportBatchOpened({
    batchId,
    kind: input.kind,
    regionCode: region,
    parameters: period,
    formats: input.formats,
    asOf,
    origin: input.origin,
    requestedBy: input.requestedBy.username,
    requestedRole: input.requestedBy.role,
    items: items.length,
    startedAt: new Date().toISOString(),
  });

  const run = async (item: BatchItem) => {
    try {
      const made = await generateStoredReport({
        request: { kind: input.kind, ...period, region: item.region, asOf, format: item.format },
        jurisdiction: input.jurisdiction,
        requestedBy: input.requestedBy,
      });
      item.status = 'done';
      item.reportId = made.reportId;
      item.version = made.version;
      item.sha256 = made.sha256;
      item.attempts += made.attempt;
    } catch (error) {
      // Anything but an activity's failure is this workflow's own fault: let it fail the task.
      if (!(error instanceof ActivityFailure)) throw error;
      const cause = error.cause;
      item.status = 'failed';
      item.error = cause?.message ?? error.message;
      item.errorType = cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : (cause?.name ?? 'ActivityFailure');
      item.attempts += attemptsOf(error);
    }
  };
  // Each lane takes the next pending item when it is free, so items a retry re-queues while others still run are taken up too.
  const lane = async () => {
    for (let item = items.find((i) => i.status === 'pending'); item; item = items.find((i) => i.status === 'pending')) {
      item.status = 'running';
      await run(item);
    }
  };

  for (;;) {
    phase = 'running';
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    if (count('failed') === 0) break;
    phase = 'awaiting-retry';
    retryUntil = new Date(Date.now() + RETRY_WINDOW_MS).toISOString();
    const retried = await condition(() => count('pending') > 0, RETRY_WINDOW_MS);
    retryUntil = null;
    if (!retried) break;
  }
  phase = 'closed';
  await recordReportBatchClosed({ batchId, closedAt: new Date().toISOString(), done: count('done'), failed: count('failed') });
  return progress();
}
