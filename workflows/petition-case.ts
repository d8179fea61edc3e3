/**
 * One petition case (信访事项) from receipt to routing, with its legal clock as a durable
 * timer (DOMAIN §4). Deterministic: time comes from the workflow clock, I/O from activities.
 */
import {
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { CaseEvent, CaseIntake } from '../domain/case.js';
import { routeClock } from '../rules/case-clocks.js';
import { computeDeadline } from '../rules/deadline.js';
import { chinaDateOf } from '../rules/plain-date.js';
import type { CaseActivities } from './activities.js';

const { recordCaseReceived, recordCaseEvent } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  // No attempt limit: the event log must end up complete, so a DuckDB outage only delays it.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** 转送 forward to the competent organ / 交办 assign with a reporting duty / 上报 report upward. */
export type RoutingMode = 'forward' | 'assign' | 'report';

export interface RouteDecision {
  mode: RoutingMode;
  /** Organ the case goes to. */
  toOrgan: string;
  /** Who decided (user id). */
  actor: string;
}

export interface DeadlineView {
  step: string;
  due: string;
  breachAt: string;
  explanation: string[];
}

export interface CaseState {
  caseId: string;
  stage: 'awaiting_route' | 'routed';
  routeDeadline: DeadlineView;
  /** Set when the routing clock ran out before the case was routed. */
  routeOverdue: boolean;
  routedAt?: string;
  routing?: RouteDecision;
}

export const caseStateQuery = defineQuery<CaseState>('caseState');
/** 转送交办: route the case; refused once it has been routed. */
export const routeUpdate = defineUpdate<CaseState, [RouteDecision]>('route');

export const CASE_WORKFLOW_ID_PREFIX = 'petition-case/';

export async function petitionCaseWorkflow(intake: CaseIntake): Promise<CaseState> {
  const deadline = computeDeadline(routeClock, chinaDateOf(new Date(intake.receivedAt)));
  const state: CaseState = {
    caseId: intake.caseId,
    stage: 'awaiting_route',
    routeDeadline: { ...deadline, breachAt: deadline.breachAt.toISOString() },
    routeOverdue: false,
  };
  const event = (type: CaseEvent['type'], rest: Partial<CaseEvent> = {}): CaseEvent => ({
    caseId: intake.caseId,
    type,
    occurredAt: new Date().toISOString(),
    ...rest,
  });

  setHandler(caseStateQuery, () => state);
  setHandler(
    routeUpdate,
    async (decision) => {
      state.stage = 'routed';
      state.routing = decision;
      state.routedAt = new Date().toISOString();
      await recordCaseEvent(
        event('routed', {
          actor: decision.actor,
          detail: { mode: decision.mode, toOrgan: decision.toOrgan, late: state.routeOverdue },
        }),
      );
      return state;
    },
    {
      validator: (decision) => {
        if (state.stage !== 'awaiting_route') throw new Error(`case ${intake.caseId} was already routed on ${state.routedAt}`);
        if (!decision.toOrgan.trim()) throw new Error('route: toOrgan is empty');
      },
    },
  );

  await recordCaseReceived(intake, event('received', { occurredAt: intake.receivedAt, dueDate: deadline.due }));

  const routed = () => state.stage === 'routed';
  const remainingMs = deadline.breachAt.getTime() - Date.now();
  const routedInTime = remainingMs > 0 ? await condition(routed, remainingMs) : routed();
  if (!routedInTime) {
    state.routeOverdue = true;
    await recordCaseEvent(
      event('route_overdue', {
        occurredAt: deadline.breachAt.toISOString(),
        dueDate: deadline.due,
        detail: { rule: `${routeClock.source.document} ${routeClock.source.article}`, days: routeClock.days },
      }),
    );
    await condition(routed);
  }
  await condition(allHandlersFinished);
  return state;
}
