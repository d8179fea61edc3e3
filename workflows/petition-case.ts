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
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { CaseEvent, CaseIntake } from '../domain/case.js';
import type { Deadline } from '../rules/deadline.js';
import { chinaDateOf } from '../rules/plain-date.js';
import type { CaseActivities, DeadlineActivities } from './activities.js';

const { recordCaseReceived, recordCaseEvent } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  // No attempt limit: the event log must end up complete, so a DuckDB outage only delays it.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A bad pack or a date outside the calendar will not fix itself: fail fast and visibly.
const { planDeadline } = proxyLocalActivities<DeadlineActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
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

export interface CaseState {
  caseId: string;
  stage: 'awaiting_route' | 'routed';
  routeDeadline: Deadline;
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
  const receivedDate = chinaDateOf(new Date(intake.receivedAt));
  const deadline = await planDeadline({
    jurisdiction: intake.jurisdiction,
    receivedDate,
    step: 'route',
    start: receivedDate,
  });
  const state: CaseState = {
    caseId: intake.caseId,
    stage: 'awaiting_route',
    routeDeadline: deadline,
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
  const remainingMs = Date.parse(deadline.breachAt) - Date.now();
  const routedInTime = remainingMs > 0 ? await condition(routed, remainingMs) : routed();
  if (!routedInTime) {
    state.routeOverdue = true;
    await recordCaseEvent(
      event('route_overdue', {
        occurredAt: deadline.breachAt,
        dueDate: deadline.due,
        detail: { rule: `${deadline.rule?.pack} ${deadline.rule?.article}`, days: deadline.days },
      }),
    );
    await condition(routed);
  }
  await condition(allHandlersFinished);
  return state;
}
