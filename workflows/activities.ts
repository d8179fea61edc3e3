import type { CaseEvent, CaseIntake } from '../domain/case.js';
import { recordEvent, recordIntake } from '../analytics/case-log.js';
import type { AnalyticsStore } from '../analytics/store.js';

/** Activities of the case workflow: the only place a case's history reaches DuckDB. */
export function createCaseActivities(store: AnalyticsStore) {
  return {
    async recordCaseReceived(intake: CaseIntake, received: CaseEvent): Promise<void> {
      await recordIntake(store, intake, received, 'workflow');
    },
    async recordCaseEvent(event: CaseEvent): Promise<void> {
      await recordEvent(store, event);
    },
  };
}

export type CaseActivities = ReturnType<typeof createCaseActivities>;
