import { ApplicationFailure } from '@temporalio/activity';
import { runScan, ScanError, type ScanRequest, type ScanSummary } from '../analytics/early-warning/scan.js';
import type { AnalyticsStore } from '../analytics/store.js';

/** The scan activity: the only writer of alerts besides a user's decision. */
export function createEarlyWarningActivities(store: AnalyticsStore) {
  return {
    async runEarlyWarningScan(request: Omit<ScanRequest, 'config' | 'calendar'>): Promise<ScanSummary> {
      try {
        return await runScan(store, request);
      } catch (error) {
        // A bad request or a database without regions will not get better by retrying.
        if (error instanceof ScanError) throw ApplicationFailure.nonRetryable(error.message, 'ScanError');
        throw error;
      }
    },
  };
}

export type EarlyWarningActivities = ReturnType<typeof createEarlyWarningActivities>;
