/**
 * Accountability cases (追责) over HTTP: open one from a finding (a missed duty, a supervised
 * overdue case, or a manual entry), read it, and take the ladder's decisions.
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { chinaDateOf } from '../rules/plain-date.js';
import {
  ACCOUNTABILITY_WORKFLOW_ID_PREFIX,
  acceptRectificationUpdate,
  accountabilityStateQuery,
  accountabilityWorkflow,
  closeAccountabilityUpdate,
  escalateUpdate,
  rejectRectificationUpdate,
  setRectificationDeadlineUpdate,
  submitRectificationUpdate,
  type AccountabilityInput,
  type AccountabilityState,
} from '../workflows/accountability.js';
import { action, actionRoutes } from './case-routes.js';
import { HttpError } from './http-error.js';
import { idSchema as id, requiredText as text } from './validation.js';

const decision = z.object({ actor: text(80), reason: text(1000) }).strict();

const openBody = z
  .object({
    caseId: id.optional(),
    organ: text(80),
    ground: text(80),
    finding: z.object({ source: z.enum(['duty', 'case', 'manual']), ref: text(200).optional() }).strict(),
    failure: z
      .object({
        kind: z.enum(['collective', 'individual']),
        participants: z
          .array(
            z
              .object({
                person: text(80),
                role: z.enum(['principal', 'directlyInCharge', 'participatingMember', 'officerInCharge']),
                dissented: z.boolean().optional(),
              })
              .strict(),
          )
          .min(1)
          .max(100),
      })
      .strict(),
    openedBy: text(80),
    startAt: z.object({ step: text(40), reason: text(1000) }).strict().optional(),
    rectifyBy: z.iso.date().optional(),
  })
  .strict();

const ACTIONS = Object.fromEntries(
  [
    action(setRectificationDeadlineUpdate, z.object({ actor: text(80), rectifyBy: z.iso.date() }).strict()),
    action(submitRectificationUpdate, z.object({ actor: text(80), evidence: text(2000) }).strict()),
    action(acceptRectificationUpdate, decision),
    action(rejectRectificationUpdate, decision),
    action(escalateUpdate, decision),
    action(closeAccountabilityUpdate, decision),
  ].map((a) => [a.update.name, a]),
);

export function accountabilityRoutes(deps: { temporal: Client; taskQueue: string; jurisdiction: string }): Router {
  const { temporal, taskQueue, jurisdiction } = deps;
  const state = async (caseId: string): Promise<AccountabilityState | null> => {
    try {
      return await temporal.workflow.getHandle(ACCOUNTABILITY_WORKFLOW_ID_PREFIX + id.parse(caseId)).query(accountabilityStateQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  };
  const router = Router();
  router.post('/api/accountability', async (req, res) => {
    const body = openBody.parse(req.body);
    const input: AccountabilityInput = {
      ...body,
      jurisdiction,
      caseId: body.caseId ?? `ACC-${chinaDateOf(new Date()).replaceAll('-', '')}-${randomBytes(3).toString('hex').toUpperCase()}`,
    };
    try {
      await temporal.workflow.start(accountabilityWorkflow, {
        workflowId: ACCOUNTABILITY_WORKFLOW_ID_PREFIX + input.caseId,
        taskQueue,
        args: [input],
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new HttpError(409, `accountability case ${input.caseId} exists`);
      throw error;
    }
    res.status(201).location(`/api/accountability/${input.caseId}`).json({ caseId: input.caseId });
  });
  router.get('/api/accountability/:caseId', async (req, res) => {
    const found = await state(req.params.caseId);
    if (!found) throw new HttpError(404, `no accountability case ${req.params.caseId}`);
    res.json(found);
  });
  router.use(
    actionRoutes({
      temporal,
      path: '/api/accountability',
      noun: 'accountability case',
      workflowIdPrefix: ACCOUNTABILITY_WORKFLOW_ID_PREFIX,
      actions: ACTIONS,
      closedReason: async (caseId) => {
        const found = await state(caseId);
        return found ? `accountability case ${caseId} is closed (${found.closeReason ?? 'unknown reason'})` : null;
      },
    }),
  );
  return router;
}
