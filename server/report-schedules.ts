/**
 * The report batches the system makes by itself (issue 16), each a Temporal Schedule starting
 * workflows/report-batch.ts in China time for the period that has just ended:
 *
 * - the annual report (2022 Regulations art. 41) on 5 January, 08:00, for the year before, for
 *   the city and every district: the first days of the year, after the New Year holiday;
 * - the quarterly analysis (Xianning art. 7) on the 10th of January, April, July and October,
 *   08:00, for the quarter just ended, for the city and every district;
 * - the assessment and its notice (Beijing arts. 16-17) on 31 January, 08:00, for the year
 *   before, of the city (one report scoring every district and city department), once the
 *   year's data is complete. "Complete": every figure the assessment scores has stopped moving
 *   for the year's cases. The timely-acceptance rate counts the cases received in the year
 *   whose 15-day registration clock (2022 Regulations arts. 22-23) has ended: a case received
 *   on 31 December has its clock end on 15 January, a few days later where that is a rest day,
 *   and no holiday then (New Year is 1 January; the Spring Festival break never begins before
 *   20 January) moves it past the 20th. Every other indicator counts what is dated within the
 *   year (receipts, replies, ratings, duty periods ending by 31 December), known on 1 January.
 *   The handling clocks of December's cases run into the spring, but a late reply is counted
 *   in the year it is given, so they are not waited for. 31 January leaves ten days beyond the
 *   last clock for the workflows' overdue records and for imports of late data.
 *
 * The workflow takes its as-of date from its start and its period from that date, so the
 * Schedule's arguments name neither.
 */
import { ScheduleOverlapPolicy, type CalendarSpec, type Client } from '@temporalio/client';
import type { ReportFormat } from '../analytics/reports/report-store.js';
import { BATCH_WORKFLOW_ID_PREFIX, reportBatchWorkflow, type BatchKind, type ReportBatchInput } from '../workflows/report-batch.js';
import { jurisdictionData } from '../domain/jurisdiction-data.js';
import { loadAssessmentFile } from '../analytics/assessment/method.js';
import { createScheduleOnce } from './temporal.js';

/** Word for the office to edit and send, PDF to print and file. */
const SCHEDULED_FORMATS: ReportFormat[] = ['docx', 'pdf'];

/** Who a scheduled batch's reports are stored as requested by. */
export const SCHEDULE_REQUESTER = { username: 'schedule', role: 'system' } as const;

interface ReportSchedule {
  kind: BatchKind;
  calendar: CalendarSpec;
  /** Whether the jurisdiction can make the kind at all (absent: every jurisdiction can). */
  madeIn?: (jurisdiction: string) => boolean;
}

export const REPORT_SCHEDULES: readonly ReportSchedule[] = [
  { kind: 'annual', calendar: { month: 'JANUARY', dayOfMonth: 5, hour: 8, minute: 0, second: 0, comment: 'the annual report of the year before (2022 Regulations art. 41)' } },
  {
    kind: 'quarterly',
    calendar: { month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'], dayOfMonth: 10, hour: 8, minute: 0, second: 0, comment: 'the analysis of the quarter just ended (Xianning art. 7)' },
  },
  {
    kind: 'assessment',
    calendar: { month: 'JANUARY', dayOfMonth: 31, hour: 8, minute: 0, second: 0, comment: 'the assessment of the year before, once its data is complete (Beijing arts. 16-17)' },
    // Without a method file every run would fail all its items each January.
    madeIn: (jurisdiction) => loadAssessmentFile(jurisdiction) !== null,
  },
];

export const reportScheduleId = (kind: BatchKind) => `report-batch-${kind}`;

/**
 * Creates each report Schedule the jurisdiction can make once; a second start finds them and
 * leaves them as they are. Answers how many it created, the kinds scheduled and those it cannot make.
 */
export async function ensureReportSchedules(
  client: Client,
  taskQueue: string,
  jurisdiction: string,
): Promise<{ created: number; kinds: BatchKind[]; notMade: BatchKind[] }> {
  // The calendars are read in the jurisdiction's zone; the workflow still takes its as-of date by `chinaDateOf`.
  const { timeZone } = jurisdictionData(jurisdiction);
  let created = 0;
  const scheduled = REPORT_SCHEDULES.filter((s) => s.madeIn?.(jurisdiction) ?? true);
  for (const { kind, calendar } of scheduled) {
    const input: ReportBatchInput = { jurisdiction, kind, formats: SCHEDULED_FORMATS, requestedBy: SCHEDULE_REQUESTER, origin: 'schedule' };
    const made = await createScheduleOnce(client, {
      scheduleId: reportScheduleId(kind),
      spec: { calendars: [calendar], timezone: timeZone },
      // Temporal appends the scheduled time: RB-annual-2026-01-05T00:00:00Z.
      action: { type: 'startWorkflow', workflowType: reportBatchWorkflow, args: [input], taskQueue, workflowId: `${BATCH_WORKFLOW_ID_PREFIX}${kind}` },
      policies: {
        // Each run is of another period: none is skipped for an earlier one still awaiting a retry.
        overlap: ScheduleOverlapPolicy.ALLOW_ALL,
        // A run missed while the system was down is still wanted when it returns within the month.
        catchupWindow: '31 days',
      },
    });
    if (made) created++;
  }
  return { created, kinds: scheduled.map((s) => s.kind), notMade: REPORT_SCHEDULES.filter((s) => !scheduled.includes(s)).map((s) => s.kind) };
}
