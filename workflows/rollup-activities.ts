import { refreshRollups } from '../analytics/metrics/rollups.js';
import type { AnalyticsStore } from '../analytics/store.js';

export function createRollupActivities(store: AnalyticsStore) {
  return {
    /** One transaction: a retried attempt finds the months the failed one left dirty. */
    async refreshMetricRollups(): Promise<number> {
      return store.transaction(refreshRollups);
    },
  };
}

export type RollupActivities = ReturnType<typeof createRollupActivities>;
