/**
 * Accountability cases (追责) over HTTP: open one from a finding (a missed duty, a supervised
 * overdue case, or a manual entry), read it, and take the ladder's decisions. A case is seen
 * by the offices over its organ's region and by the organ itself; to anyone else it answers
 * 404, as one that does not exist.
 */
import { z } from 'zod';
import { listAccountability, type AccountabilityScope } from '../analytics/accountability-log.js';
import type { Principal } from '../domain/roles.js';
import { attributeResponsibility } from '../rules/attribution.js';
import { accountabilityPlan, caseRules } from '../rules/case-rules.js';
import { PackError, type AccountabilityRule } from '../rules/pack.js';
import { chinaDateOf, type PlainDate } from '../rules/plain-date.js';
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
import type { Api } from './api.js';
import { HttpError } from './http-error.js';
import { confineRegion, regionNode, visibleTo } from './scope.js';
import { boundedDate, idSchema as id, regionCode, requiredText as text } from './validation.js';
import { action, actionRoutes, actorOf, mintId, queryOrNull, startOnce, type WorkflowRouteDeps } from './workflow-routes.js';

export type AccountabilityRouteDeps = WorkflowRouteDeps;

const decision = z.object({ reason: text(1000) }).strict();

const openBody = z
  .object({
    caseId: id.optional(),
    /** An organ of the registry (the organs table), by code. */
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
    startAt: z.object({ step: text(40), reason: text(1000) }).strict().optional(),
    rectifyBy: boundedDate.optional(),
  })
  .strict();
type OpenBody = z.infer<typeof openBody>;

const ACTIONS = [
  action(setRectificationDeadlineUpdate, z.object({ rectifyBy: boundedDate }).strict(), 'accountability.decide', 'Set the rectification deadline the step leaves to the decision'),
  action(submitRectificationUpdate, z.object({ evidence: text(2000) }).strict(), 'accountability.rectify', 'Submit the rectification with its evidence'),
  action(acceptRectificationUpdate, decision, 'accountability.decide', 'Accept the rectification: the case closes'),
  action(rejectRectificationUpdate, decision, 'accountability.decide', 'Reject the rectification, with the reason'),
  action(escalateUpdate, decision, 'accountability.decide', 'Escalate to the next step of the ladder, with the reason'),
  action(closeAccountabilityUpdate, decision, 'accountability.decide', 'Close the case by decision, with the reason'),
];

const caseParams = z.object({ id }).strict();
const listQuery = z
  .object({
    /** A node within your jurisdiction: the cases of the organs registered under it. An organ's user narrows its own to it. */
    region: regionCode.optional(),
    /** open: not closed (rectifying, awaiting a deadline or a decision). */
    status: z.enum(['open', 'closed']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
const organRow = z.object({ region_code: z.string() });

/**
 * What the workflow would only find after it started, and fail on: a ground or first step the
 * ladder in force does not have, a role the pack assigns no responsibility, a deadline not
 * after today. Checked against the same rules, so the caller gets its 400 and no workflow runs.
 */
function checkOpening(jurisdiction: string, day: PlainDate, body: OpenBody): void {
  let ladder: AccountabilityRule;
  try {
    ladder = accountabilityPlan(jurisdiction, day).ladder;
  } catch (error) {
    if (error instanceof PackError) throw new HttpError(400, `no accountability case can be opened on ${day}: ${error.message}`);
    throw error;
  }
  // Own keys only: a ground named "constructor" is no ground of the pack.
  const ground = Object.hasOwn(ladder.grounds, body.ground) ? ladder.grounds[body.ground] : undefined;
  if (!ground) throw new HttpError(400, `unknown ground "${body.ground}"; the ladder in force has ${Object.keys(ladder.grounds).join(', ')}`, undefined, 'ground');
  const starts = [ground.startsAt, ...(ground.seriousStartsAt ?? [])];
  if (body.startAt && !starts.includes(body.startAt.step)) {
    throw new HttpError(400, `ground ${body.ground} may start at ${starts.join(' or ')}, not ${body.startAt.step}`, undefined, 'startAt.step');
  }
  if (body.rectifyBy !== undefined && body.rectifyBy <= day) throw new HttpError(400, `rectifyBy ${body.rectifyBy} must be after today`, undefined, 'rectifyBy');
  try {
    attributeResponsibility(body.failure.kind, body.failure.participants, caseRules(jurisdiction, day).responsibility[body.failure.kind]);
  } catch (error) {
    if (error instanceof Error) throw new HttpError(400, error.message, undefined, 'failure');
    throw error;
  }
}

export function accountabilityRoutes(api: Api, deps: AccountabilityRouteDeps): void {
  const { store, temporal, taskQueue, jurisdiction, audit, now } = deps;
  const state = (caseId: string) => queryOrNull(temporal.workflow.getHandle(ACCOUNTABILITY_WORKFLOW_ID_PREFIX + caseId), accountabilityStateQuery);
  const organRegion = async (code: string): Promise<string | null> => {
    const [row] = await store.all(organRow, 'SELECT region_code FROM organs WHERE code = $code', { code });
    return row?.region_code ?? null;
  };

  /** The case's state when `p` may see it; null otherwise (the caller answers 404). */
  const visibleCase = async (caseId: string, p: Principal): Promise<AccountabilityState | null> => {
    const found = await state(caseId);
    if (!found) return null;
    // The case names its organ by code, never by a name, so an organ's names are not looked up.
    const where = { regionCode: await organRegion(found.organ), organs: [found.organ] };
    return (await visibleTo(store, p, where)) ? found : null;
  };

  api.add(
    { method: 'post', path: '/accountability', summary: 'Open an accountability case (追责) from a finding', access: 'accountability.decide', scope: 'region', body: openBody, status: 201 },
    async ({ req, res, body, principal }) => {
      const region = await organRegion(body.organ);
      if (region === null) throw new HttpError(400, `unknown organ "${body.organ}": not in the organ registry`, undefined, 'organ');
      await confineRegion(store, principal, region);
      const day = chinaDateOf(now());
      checkOpening(jurisdiction, day, body);
      const input: AccountabilityInput = { ...body, jurisdiction, openedBy: actorOf(principal), caseId: body.caseId ?? mintId('ACC', day) };
      await startOnce(
        () => temporal.workflow.start(accountabilityWorkflow, { workflowId: ACCOUNTABILITY_WORKFLOW_ID_PREFIX + input.caseId, taskQueue, args: [input] }),
        `accountability case ${input.caseId} exists`,
      );
      await audit.record(req, principal, { action: 'accountability.open', outcome: 'ok', status: 201, objectIds: [input.caseId], detail: { organ: input.organ, ground: input.ground } });
      res.location(`/api/v1/accountability/${input.caseId}`);
      return { caseId: input.caseId };
    },
  );

  /** As visibleCase decides for one case: the offices over the organ's region, or the organ itself. */
  const listScope = async (p: Principal, requested: string | undefined): Promise<AccountabilityScope> => {
    if (!p.organCode) return { region: await confineRegion(store, p, requested) };
    if (requested === undefined) return { organ: p.organCode };
    // An organ's own cases, narrowed: a region outside its own reveals nothing it could not read.
    if (!(await regionNode(store, requested))) throw new HttpError(400, `unknown region code "${requested}" (not in the region hierarchy)`, undefined, 'region');
    return { organ: p.organCode, within: requested };
  };

  api.add(
    {
      method: 'get',
      path: '/accountability',
      summary: "Accountability cases of your jurisdiction's organs (or your organ's), newest first, with the step imposed and its article",
      access: 'accountability.read',
      scope: 'region',
      query: listQuery,
    },
    async ({ query, principal }) => listAccountability(store, { scope: await listScope(principal, query.region), limit: query.limit, ...(query.status ? { status: query.status } : {}) }),
  );

  api.add(
    {
      method: 'get',
      path: '/accountability/:id',
      summary: 'An accountability case: ladder step, rectification deadline, steps taken, attribution, honours eligibility',
      access: 'accountability.read',
      scope: 'case',
      params: caseParams,
    },
    async ({ params, principal }) => {
      const found = await visibleCase(params.id, principal);
      if (!found) throw new HttpError(404, `no accountability case ${params.id}`);
      return found;
    },
  );

  actionRoutes(api, {
    temporal,
    audit,
    path: '/accountability',
    noun: 'accountability case',
    workflowIdPrefix: ACCOUNTABILITY_WORKFLOW_ID_PREFIX,
    actions: ACTIONS,
    visible: async (caseId, p) => (await visibleCase(caseId, p)) !== null,
    closedReason: async (caseId) => {
      const found = await state(caseId);
      return found ? `accountability case ${caseId} is closed (${found.closeReason ?? 'unknown reason'})` : null;
    },
  });
}
