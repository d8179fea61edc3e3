import type { CaseEvent, CaseIntake } from '../domain/case.js';
import { caseDeadline, casePlan, type CaseDeadlineRequest, type CasePlan } from '../rules/case-rules.js';
import type { PlainDate } from '../rules/plain-date.js';
import type { Deadline } from '../rules/deadline.js';
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

/**
 * Rules and deadlines as activities: the calendar and packs are files that change from year
 * to year, so the workflow records each result in its history instead of computing it in
 * (replayed) workflow code.
 */
export const deadlineActivities = {
  async planCase(request: { jurisdiction: string; receivedDate: PlainDate }): Promise<CasePlan> {
    return casePlan(request.jurisdiction, request.receivedDate);
  },
  async planDeadline(request: CaseDeadlineRequest): Promise<Deadline> {
    return caseDeadline(request);
  },
};

export type DeadlineActivities = typeof deadlineActivities;

export type CaseActivities = ReturnType<typeof createCaseActivities>;
