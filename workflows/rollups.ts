/**
 * Keeps the metrics rollups (analytics/metrics/rollups.ts) close to the log: a Temporal
 * Schedule rebuilds, every few minutes, the months that workflows' events marked dirty since
 * the last run. Queries are exact without it (they read dirty months from case_facts); it
 * only keeps them fast.
 */
import { proxyActivities } from '@temporalio/workflow';
import { ROLLUP_REFRESH } from './retry-policies.js';
import type { RollupActivities } from './rollup-activities.js';

export const ROLLUPS_SCHEDULE_ID = 'metrics-rollups-refresh';

const { refreshMetricRollups } = proxyActivities<RollupActivities>(ROLLUP_REFRESH);

/** Returns how many (date basis, month) pairs were rebuilt. */
export async function refreshRollupsWorkflow(): Promise<number> {
  return refreshMetricRollups();
}
