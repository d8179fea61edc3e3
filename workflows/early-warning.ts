/**
 * The early-warning scan (DOMAIN §9) as a workflow: a weekly Temporal Schedule starts it on
 * Monday morning (China time) for the week that just ended, and POST /api/early-warning/scans
 * starts it on demand. The scan itself is one activity (analytics/early-warning/scan.ts) that
 * writes every alert and the scan's record in one transaction, so a retried attempt finds
 * its own earlier work and changes nothing.
 */
import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ScanSummary, SignalId } from '../analytics/early-warning/scan.js';
import { isMonday, lastCompleteWeek } from '../analytics/early-warning/weeks.js';
import { chinaDateOf, parsePlainDate } from '../rules/plain-date.js';
import type { EarlyWarningActivities } from './early-warning-activities.js';
import { EARLY_WARNING_SCAN } from './retry-policies.js';

export const EARLY_WARNING_SCHEDULE_ID = 'early-warning-weekly-scan';
export const SCAN_WORKFLOW_ID_PREFIX = 'early-warning-scan-';

export interface EarlyWarningScanInput {
  trigger: 'schedule' | 'api' | 'cli' | 'test';
  /** Monday of the last week to scan; default the last week that has ended (workflow time, China). */
  week?: string;
  /** Weeks ending with `week` to scan, oldest first; default 1. */
  weeks?: number;
  signals?: SignalId[];
}

const { runEarlyWarningScan } = proxyActivities<EarlyWarningActivities>(EARLY_WARNING_SCAN);

export async function earlyWarningScanWorkflow(input: EarlyWarningScanInput = { trigger: 'schedule' }): Promise<ScanSummary> {
  const week = input.week ? parsePlainDate(input.week) : lastCompleteWeek(chinaDateOf(new Date()));
  if (!isMonday(week)) throw ApplicationFailure.nonRetryable(`week ${week} is not a Monday`);
  return runEarlyWarningScan({
    // The workflow id names the scan: a schedule's runs carry their start time in it.
    scanId: workflowInfo().workflowId,
    trigger: input.trigger,
    week,
    weeks: input.weeks ?? 1,
    ...(input.signals ? { signals: input.signals } : {}),
  });
}
