/**
 * Case actions over HTTP: `POST /api/cases/:caseId/:action` for each business action of the
 * case workflow. The body is validated here; what the rules allow is decided by the
 * workflow, whose refusal (with its reason) comes back as 409.
 */
import { Router } from 'express';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import {
  CASE_WORKFLOW_ID_PREFIX,
  acceptUpdate,
  caseStateQuery,
  endHearingUpdate,
  extendUpdate,
  rateUpdate,
  reReviewOpinionUpdate,
  replyUpdate,
  reportAssignedResultUpdate,
  requestReReviewUpdate,
  requestReviewUpdate,
  reviewOpinionUpdate,
  routeUpdate,
  startHearingUpdate,
  type CaseState,
} from '../workflows/case-actions.js';
import { HttpError } from './http-error.js';
import { idSchema as caseId, requiredText as text } from './validation.js';

const actor = text(80);
const date = z.iso.date();
const opinion = z.object({ actor, outcome: z.enum(['upheld', 'changed']), summary: text(2000).optional() }).strict();
const toOrgan = z.object({ toOrgan: text(80) }).strict();

/** A business action: a workflow update and the body it takes. */
export interface Action {
  update: UpdateDefinition<unknown, [never]>;
  body: z.ZodType;
}
export const action = <State, Body>(update: UpdateDefinition<State, [Body]>, body: z.ZodType<Body>): Action => ({
  update: update as unknown as UpdateDefinition<unknown, [never]>,
  body,
});

/** Each action's name in the URL is the workflow update's name. */
const ACTIONS: Record<string, Action> = Object.fromEntries(
  [
    action(
      routeUpdate,
      z
        .object({
          actor,
          mode: z.enum(['forward', 'assign', 'report']),
          toOrgan: text(80),
          toKind: z.enum(['competent', 'political-legal', 'discipline-inspection', 'party-government']).default('competent'),
          resultDue: date.optional(),
        })
        .strict(),
    ),
    action(
      acceptUpdate,
      z.object({ actor, accepted: z.boolean(), organ: text(80).optional(), reason: text(500).optional() }).strict(),
    ),
    action(extendUpdate, z.object({ actor, days: z.number().int(), reason: text(500), approvedBy: text(80) }).strict()),
    action(
      replyUpdate,
      z.object({ actor, outcome: z.enum(['supported', 'partly_supported', 'not_supported']), summary: text(2000).optional() }).strict(),
    ),
    action(reportAssignedResultUpdate, z.object({ actor }).strict()),
    action(rateUpdate, z.object({ satisfied: z.boolean(), comment: text(500).optional() }).strict()),
    action(requestReviewUpdate, toOrgan),
    action(reviewOpinionUpdate, opinion),
    action(requestReReviewUpdate, toOrgan),
    action(startHearingUpdate, z.object({ actor, date }).strict()),
    action(endHearingUpdate, z.object({ actor, date }).strict()),
    action(reReviewOpinionUpdate, opinion),
  ].map((a) => [a.update.name, a]),
);

export const CASE_ACTIONS = Object.keys(ACTIONS);

export function caseHandle(temporal: Client, id: string): WorkflowHandle {
  return temporal.workflow.getHandle(CASE_WORKFLOW_ID_PREFIX + caseId.parse(id));
}

/** The case's state, from its workflow (also after it closed), or null if there is none. */
export async function caseState(temporal: Client, id: string): Promise<CaseState | null> {
  try {
    return await caseHandle(temporal, id).query(caseStateQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

/**
 * `POST {path}/:id/:action` for a table of actions on workflows `{workflowIdPrefix}{id}`;
 * a refusal by the workflow comes back as 409 with its reason, a closed workflow as 409
 * with `closedReason`, a missing one as 404.
 */
export function actionRoutes(options: {
  temporal: Client;
  path: string;
  /** What the id names, for messages ("case"). */
  noun: string;
  workflowIdPrefix: string;
  actions: Record<string, Action>;
  closedReason: (id: string) => Promise<string | null>;
}): Router {
  const { temporal, path, noun, workflowIdPrefix, actions, closedReason } = options;
  const router = Router();
  router.post(`${path}/:id/:action`, async (req, res) => {
    const spec = actions[req.params.action];
    if (!spec) throw new HttpError(404, `no action "${req.params.action}"; actions: ${Object.keys(actions).join(', ')}`);
    const body = spec.body.parse(req.body) as never;
    const handle = temporal.workflow.getHandle(workflowIdPrefix + caseId.parse(req.params.id));
    try {
      res.json(await handle.executeUpdate(spec.update, { args: [body] }));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        throw new HttpError(409, `${req.params.action} refused: ${error.cause?.message ?? error.message}`);
      }
      if (error instanceof WorkflowNotFoundError) {
        const closed = await closedReason(req.params.id);
        throw closed ? new HttpError(409, `${req.params.action} refused: ${closed}`) : new HttpError(404, `no ${noun} ${req.params.id}`);
      }
      throw error;
    }
  });
  return router;
}

export function caseActionRoutes(temporal: Client): Router {
  return actionRoutes({
    temporal,
    path: '/api/cases',
    noun: 'case',
    workflowIdPrefix: CASE_WORKFLOW_ID_PREFIX,
    actions: ACTIONS,
    closedReason: async (id) => {
      const state = await caseState(temporal, id);
      return state ? `case ${state.caseId} is closed (${state.closeReason ?? 'unknown reason'})` : null;
    },
  });
}
