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
  /** The case's rules, and the deadline of its first step when it has one (one round trip). */
  async planCase(request: {
    jurisdiction: string;
    receivedDate: PlainDate;
    firstStep: 'route' | 'notify' | null;
  }): Promise<{ plan: CasePlan; first: Deadline | null }> {
    const { jurisdiction, receivedDate, firstStep } = request;
    const plan = casePlan(jurisdiction, receivedDate);
    const first = firstStep ? caseDeadline({ jurisdiction, receivedDate, step: firstStep, start: receivedDate }) : null;
    return { plan, first };
  },
  async planDeadline(request: CaseDeadlineRequest): Promise<Deadline> {
    return caseDeadline(request);
  },
};

export type DeadlineActivities = typeof deadlineActivities;

export type CaseActivities = ReturnType<typeof createCaseActivities>;
