import type { CaseEvent, CaseIntake } from '../domain/case.js';
import { recordAccountabilityEvent, type AccountabilityEvent } from '../analytics/accountability-log.js';
import { recordDutyEvent, type DutyEvent } from '../analytics/duty-log.js';
import { attributeResponsibility, type Attribution, type FailureKind, type Participant } from '../rules/attribution.js';
import { chinaCalendar } from '../rules/calendar.js';
import {
  accountabilityPlan,
  caseDeadline,
  casePlan,
  caseRules,
  dutyPlan,
  type AccountabilityPlan,
  type DutyPlan,
  type CaseDeadlineRequest,
  type CasePlan,
} from '../rules/case-rules.js';
import type { PlainDate } from '../rules/plain-date.js';
import { computeDeadline, type Deadline } from '../rules/deadline.js';
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

/** Rules of an accountability case and who answers, fixed when it opens. */
export const accountabilityPlanning = {
  async planAccountability(request: {
    jurisdiction: string;
    openedOn: PlainDate;
    failure: { kind: FailureKind; participants: Participant[] };
  }): Promise<{ plan: AccountabilityPlan; attribution: Attribution[] }> {
    const plan = accountabilityPlan(request.jurisdiction, request.openedOn);
    const rules = caseRules(request.jurisdiction, request.openedOn);
    const attribution = attributeResponsibility(
      request.failure.kind,
      request.failure.participants,
      rules.responsibility[request.failure.kind],
    );
    return { plan, attribution };
  },
  /** A rectification deadline a number of calendar days away, rolled to a working day. */
  async rectificationDeadline(request: { start: PlainDate; days: number; step: string }): Promise<Deadline> {
    return computeDeadline({ start: request.start, days: request.days, basis: 'calendar' }, chinaCalendar());
  },
};

export type AccountabilityPlanning = typeof accountabilityPlanning;

export function createAccountabilityActivities(store: AnalyticsStore) {
  return {
    async recordAccountabilityEvent(event: AccountabilityEvent): Promise<void> {
      await recordAccountabilityEvent(store, event);
    },
  };
}

export type AccountabilityActivities = ReturnType<typeof createAccountabilityActivities>;

export const dutyPlanning = {
  async planDuty(request: { jurisdiction: string; dutyId: string; level: string; periodStart: PlainDate }): Promise<DutyPlan> {
    return dutyPlan(request.jurisdiction, request.dutyId, request.level, request.periodStart);
  },
};

export type DutyPlanning = typeof dutyPlanning;

export function createDutyActivities(store: AnalyticsStore) {
  return {
    async recordDutyEvent(event: DutyEvent): Promise<void> {
      await recordDutyEvent(store, event);
    },
  };
}

export type DutyActivities = ReturnType<typeof createDutyActivities>;
