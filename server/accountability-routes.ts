/**
 * Accountability cases (追责) over HTTP: open one from a finding (a missed duty, a supervised
 * overdue case, a recommendation's late feedback, or a manual entry), read it, and take the
 * ladder's decisions. A case is seen by the offices over its organ's region and by the organ
 * itself; to anyone else it answers 404, as one that does not exist.
 */
import { z } from 'zod';
import {
  caseFinding,
  dutyFinding,
  openCaseFindings,
  openDutyFindings,
  openRecommendationFindings,
  recommendationFinding,
  recordFindingDecision,
  type CaseFinding,
  type DutyFinding,
  type FindingDecision,
  type RecommendationFinding,
} from '../analytics/accountability-findings.js';
import { accountabilityHistory, listAccountability, type AccountabilityHistoryRow, type AccountabilityScope } from '../analytics/accountability-log.js';
import { refusalIn } from '../domain/refusals.js';
import type { Principal } from '../domain/roles.js';
import { attributeResponsibility } from '../rules/attribution.js';
import { accountabilityPlan, caseRules } from '../rules/case-rules.js';
import { combinationRefusal, type ComposedLadder } from '../rules/ladder.js';
import { PackError, type Breach } from '../rules/pack.js';
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

/** What GET /accountability-findings answers. */
export interface FindingsAnswer {
  total: number;
  /** Each with the ground the packs name for a missed duty (null: none does), proposed for a case opened from it. */
  findings: (DutyFinding & { source: 'duty'; duty: ReturnType<typeof dutyLabel>; ground: string | null })[];
  /** Supervision (督办) records of overdue case steps against an organ of the registry, the longest late first, each with the ground the packs name for that step's breach. */
  caseFindings: (CaseFinding & { source: 'case'; ground: string | null })[];
  caseTotal: number;
  /** Recommendations (三项建议) whose organ gave no written feedback in time (feedback_overdue), the longest late first, each with the ground the packs name for it. */
  recommendationFindings: (RecommendationFinding & { source: 'recommendation'; ground: string | null })[];
  recommendationTotal: number;
  cite: string | null;
  grounds: InForce['grounds'];
  steps: InForce['steps'];
  /** Steps one decision may impose together, with the article that allows it. */
  combinations: InForce['combinations'];
}
/** What POST /accountability-findings/decline answers. */
export interface FindingDeclined {
  source: 'duty' | 'case' | 'recommendation';
  ref: string;
  organ: string;
  decision: 'declined';
  reason: string;
  actor: string;
  decided_at: string;
}
/** What GET /accountability/:id answers. */
export type AccountabilityDetail = AccountabilityState & { history: AccountabilityHistoryRow[] };

const decision = z.object({ reason: text(1000) }).strict();

const openBody = z
  .object({
    caseId: id.optional(),
    /** An organ of the registry (the organs table), by code. */
    organ: text(80),
    ground: text(80),
    finding: z.object({ source: z.enum(['duty', 'case', 'recommendation', 'manual']), ref: text(200).optional() }).strict(),
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
    /** Measures imposed together with the first step, where a rule in force lets them be combined. */
    combinedWith: z.object({ steps: z.array(text(40)).min(1).max(4), reason: text(1000) }).strict().optional(),
  })
  .strict();
type OpenBody = z.infer<typeof openBody>;
/** What POST /accountability takes. */
export type AccountabilityOpening = z.input<typeof openBody>;

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
 * A duty finding: the period ORGAN/DUTY_ID/PERIOD_LABEL that was missed. Checked by a refinement
 * rather than a pattern: the document describes it in words, and a ref is never a path segment.
 */
const DUTY_REF = /^[A-Za-z0-9-]{1,80}\/[A-Za-z][\w.-]{0,79}\/\d{4}(Q[1-4]|H[12])?$/;
const dutyRef = z
  .string()
  .max(200)
  .refine((ref) => DUTY_REF.test(ref), 'ORGAN/DUTY_ID/PERIOD, e.g. BJ-RSJ/hearReport.district/2026Q3')
  .describe('the missed period: ORGAN/DUTY_ID/PERIOD, e.g. BJ-RSJ/hearReport.district/2026Q3');
const findingsQuery = z
  .object({
    /** As for the cases: a node within your jurisdiction; an organ's user narrows its own findings to it. */
    region: regionCode.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(200),
  })
  .strict();
/** A case finding: the case's supervision record CASE_ID/EVENT_TYPE, e.g. XF-20261122-0001/handle_overdue. */
const CASE_REF = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/(route|notify|handle|assigned|review|re_review)_overdue$/;
const caseRef = z
  .string()
  .max(200)
  .refine((ref) => CASE_REF.test(ref), 'CASE_ID/STEP_overdue, e.g. XF-20261122-0001/handle_overdue')
  .describe("the case's supervision record: CASE_ID/STEP_overdue, e.g. XF-20261122-0001/handle_overdue");
/** A recommendation finding: its supervision record RECOMMENDATION_ID/feedback_overdue. */
const RECOMMENDATION_REF = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/feedback_overdue$/;
const recommendationRef = z
  .string()
  .max(200)
  .refine((ref) => RECOMMENDATION_REF.test(ref), 'RECOMMENDATION_ID/feedback_overdue, e.g. REC-20261122-0001/feedback_overdue')
  .describe("the recommendation's supervision record: RECOMMENDATION_ID/feedback_overdue, e.g. REC-20261122-0001/feedback_overdue");
const declineBody = z
  .object({
    finding: z.discriminatedUnion('source', [
      z.object({ source: z.literal('duty'), ref: dutyRef }).strict(),
      z.object({ source: z.literal('case'), ref: caseRef }).strict(),
      z.object({ source: z.literal('recommendation'), ref: recommendationRef }).strict(),
    ]),
    reason: text(1000),
  })
  .strict();

/** The duty a finding is about, as the packs in force at its period's start name it (null when none covers it). */
function dutyLabel(jurisdiction: string, dutyId: string, periodStart: PlainDate) {
  try {
    const duties = caseRules(jurisdiction, periodStart).duties;
    const duty = Object.hasOwn(duties, dutyId) ? duties[dutyId] : undefined;
    return duty ? { labelZh: duty.rule.labelZh, labelEn: duty.rule.labelEn, article: duty.rule.source.article ?? null, title: duty.from.titleZh, pack: duty.from.pack } : null;
  } catch (error) {
    if (error instanceof PackError) return null;
    throw error;
  }
}

interface InForce {
  cite: string | null;
  grounds: { id: string; labelZh: string; labelEn: string; startsAt: string; seriousStartsAt: string[]; article: string | null; cite: string; referral: string | null }[];
  steps: { id: string; labelZh: string; labelEn: string; rank: number; article: string | null; cite: string }[];
  combinations: { steps: string[]; article: string | null; cite: string }[];
  proposals: Partial<Record<Breach, string>>;
}

/** The grounds a case may be opened on today, each with the step it starts at and its article, and the ground each breach proposes. */
function groundsInForce(jurisdiction: string, day: PlainDate): InForce {
  try {
    const { ladder, cite } = accountabilityPlan(jurisdiction, day);
    return {
      cite,
      grounds: Object.entries(ladder.grounds).map(([id, g]) => ({
        id,
        labelZh: g.labelZh,
        labelEn: g.labelEn,
        startsAt: g.startsAt,
        seriousStartsAt: g.seriousStartsAt ?? [],
        article: g.source.article ?? null,
        cite: g.cite,
        referral: g.referral ?? null,
      })),
      steps: Object.entries(ladder.steps).map(([id, st]) => ({ id, labelZh: st.labelZh, labelEn: st.labelEn, rank: st.rank, article: st.source.article ?? null, cite: st.cite })),
      combinations: ladder.combinations.map((c) => ({ steps: c.steps, article: c.source.article ?? null, cite: c.cite })),
      proposals: ladder.proposals,
    };
  } catch (error) {
    if (error instanceof PackError) return { cite: null, grounds: [], steps: [], combinations: [], proposals: {} };
    throw error;
  }
}

/**
 * What the workflow would only find after it started, and fail on: a ground or first step the
 * ladder in force does not have, a role the pack assigns no responsibility, a deadline not
 * after today. Checked against the same rules, so the caller gets its 400 and no workflow runs.
 */
function checkOpening(jurisdiction: string, day: PlainDate, body: OpenBody): void {
  let ladder: ComposedLadder;
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
  if (body.combinedWith) {
    const refusal = combinationRefusal(ladder, body.ground, body.startAt?.step ?? ground.startsAt, body.combinedWith.steps);
    if (refusal) throw new HttpError(400, refusalIn(refusal, 'en'), undefined, 'combinedWith.steps', refusal);
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

  /** A duty finding a case is opened from: a missed period of that organ, not yet decided. */
  const checkDutyFinding = async (organ: string, ref: string | undefined) => {
    const parsed = dutyRef.safeParse(ref);
    if (!parsed.success) throw new HttpError(400, 'a duty finding names its period: ORGAN/DUTY_ID/PERIOD, e.g. BJ-RSJ/hearReport.district/2026Q3', undefined, 'finding.ref');
    const found = await dutyFinding(store, parsed.data);
    if (!found || found.organ !== organ) throw new HttpError(400, `no duty period ${parsed.data} of organ ${organ} was recorded`, undefined, 'finding.ref');
    refuseDutyDecided(parsed.data, found);
  };
  const refuseDutyDecided = (ref: string, found: NonNullable<Awaited<ReturnType<typeof dutyFinding>>>) => {
    if (found.status === 'open' || found.status === 'met') throw new HttpError(409, `the period ${ref} is ${found.status}: only a missed duty is a finding`);
    refuseDecided(ref, found.decision);
  };
  const refuseDecided = (ref: string, d: FindingDecision | null) => {
    if (d?.decision === 'opened') throw new HttpError(409, `accountability case ${d.case_id ?? ''} was opened from the finding ${ref} on ${d.decided_at} by ${d.actor}`);
    if (d?.decision === 'declined') throw new HttpError(409, `the finding ${ref} was declined on ${d.decided_at} by ${d.actor}: ${d.reason ?? ''}`);
  };
  /**
   * A case finding a case is opened from: when the ref names a supervision record kept here, it
   * is against that organ and not yet decided (true); a record kept elsewhere is taken as named.
   */
  const checkCaseFinding = async (organ: string, ref: string | undefined): Promise<boolean> => {
    if (ref === undefined || !CASE_REF.test(ref)) return false;
    const found = await caseFinding(store, ref);
    if (!found) return false;
    if (found.organ !== organ) throw new HttpError(400, `the supervision record ${ref} is against organ ${found.organ}, not ${organ}`, undefined, 'finding.ref');
    refuseDecided(ref, found.decision);
    return true;
  };
  /** A recommendation finding a case is opened from: a feedback_overdue record against that organ, not yet decided. */
  const checkRecommendationFinding = async (organ: string, ref: string | undefined) => {
    if (ref === undefined || !RECOMMENDATION_REF.test(ref)) {
      throw new HttpError(400, 'a recommendation finding names its supervision record: RECOMMENDATION_ID/feedback_overdue, e.g. REC-20261122-0001/feedback_overdue', undefined, 'finding.ref');
    }
    const found = await recommendationFinding(store, ref);
    if (!found) throw new HttpError(400, `no feedback_overdue record ${ref} against an organ of the registry`, undefined, 'finding.ref');
    if (found.organ !== organ) throw new HttpError(400, `the supervision record ${ref} is against organ ${found.organ}, not ${organ}`, undefined, 'finding.ref');
    refuseDecided(ref, found.decision);
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
      if (body.finding.source === 'duty') await checkDutyFinding(body.organ, body.finding.ref);
      if (body.finding.source === 'recommendation') await checkRecommendationFinding(body.organ, body.finding.ref);
      const recorded =
        body.finding.source === 'duty' || body.finding.source === 'recommendation' || (body.finding.source === 'case' && (await checkCaseFinding(body.organ, body.finding.ref)));
      const input: AccountabilityInput = { ...body, jurisdiction, openedBy: actorOf(principal), caseId: body.caseId ?? mintId('ACC', day) };
      await startOnce(
        () => temporal.workflow.start(accountabilityWorkflow, { workflowId: ACCOUNTABILITY_WORKFLOW_ID_PREFIX + input.caseId, taskQueue, args: [input] }),
        `accountability case ${input.caseId} exists`,
      );
      // Kept at once: the case's own opening record lands only when its workflow has run.
      if (recorded && body.finding.source !== 'manual' && body.finding.ref) {
        await recordFindingDecision(store, { source: body.finding.source, ref: body.finding.ref, organ: body.organ, decision: 'opened', caseId: input.caseId, actor: input.openedBy, at: now() });
      }
      await audit.record(req, principal, { action: 'accountability.open', outcome: 'ok', status: 201, objectIds: [input.caseId], detail: { organ: input.organ, ground: input.ground, finding: `${input.finding.source}${input.finding.ref ? `:${input.finding.ref}` : ''}` } });
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
      path: '/accountability-findings',
      summary:
        "Findings that propose an accountability case: your jurisdiction's missed duty periods, its organs' overdue case steps under supervision (督办) and their recommendations' late feedback, or your organ's, that no case was opened from and that were not declined",
      access: 'accountability.read',
      scope: 'region',
      query: findingsQuery,
    },
    async ({ query, principal }): Promise<FindingsAnswer> => {
      const scope = await listScope(principal, query.region);
      const today = chinaDateOf(now());
      const { findings, total } = await openDutyFindings(store, scope, query.limit);
      const cases = await openCaseFindings(store, scope, today, query.limit);
      const recommendations = await openRecommendationFindings(store, scope, today, query.limit);
      const { proposals, ...inForce } = groundsInForce(jurisdiction, today);
      return {
        total,
        findings: findings.map((f) => ({ source: 'duty' as const, ...f, duty: dutyLabel(jurisdiction, f.duty_id, f.period_start as PlainDate), ground: proposals.missedDuty ?? null })),
        caseFindings: cases.findings.map((f) => ({ source: 'case' as const, ...f, ground: proposals[f.step] ?? null })),
        caseTotal: cases.total,
        recommendationFindings: recommendations.findings.map((f) => ({ source: 'recommendation' as const, ...f, ground: proposals.recommendationFeedback ?? null })),
        recommendationTotal: recommendations.total,
        ...inForce,
      };
    },
  );

  api.add(
    {
      method: 'post',
      path: '/accountability-findings/decline',
      summary: 'Decline a finding with the reason: no accountability case is opened from it, and it leaves the open findings',
      access: 'accountability.decide',
      scope: 'region',
      body: declineBody,
    },
    async ({ req, body, principal }): Promise<FindingDeclined> => {
      const { source, ref } = body.finding;
      const duty = source === 'duty' ? await dutyFinding(store, ref) : null;
      const supervised = source === 'case' ? await caseFinding(store, ref) : source === 'recommendation' ? await recommendationFinding(store, ref) : null;
      // A duty ref names its organ; a case or recommendation finding's organ is its record's.
      const organ = source === 'duty' ? ref.split('/')[0]! : supervised?.organ;
      const region = organ === undefined ? null : await organRegion(organ);
      if (region === null || organ === undefined) throw new HttpError(404, `no finding ${ref}`);
      await confineRegion(store, principal, region);
      if (!duty && !supervised) throw new HttpError(404, `no finding ${ref}`);
      const refused = async (error: HttpError) => {
        await audit.record(req, principal, { action: 'accountability.finding_decline', outcome: 'denied', status: error.status, objectIds: [ref], reason: body.reason, detail: { refused: error.message } });
        return error;
      };
      try {
        if (duty) refuseDutyDecided(ref, duty);
        else refuseDecided(ref, supervised?.decision ?? null);
      } catch (error) {
        if (error instanceof HttpError) throw await refused(error);
        throw error;
      }
      const decision = { source, ref, organ, decision: 'declined' as const, reason: body.reason, actor: actorOf(principal), at: now() };
      // A decision kept meanwhile stands: the second answers as refused.
      if (!(await recordFindingDecision(store, decision))) throw await refused(new HttpError(409, `the finding ${ref} was decided meanwhile`));
      await audit.record(req, principal, { action: 'accountability.finding_decline', outcome: 'ok', status: 200, objectIds: [ref], reason: body.reason, detail: { source } });
      return { source, ref, organ, decision: 'declined', reason: body.reason, actor: decision.actor, decided_at: decision.at.toISOString() };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/accountability/:id',
      summary: 'An accountability case: ladder step, rectification deadline, steps taken, attribution, honours eligibility, and its record with the articles',
      access: 'accountability.read',
      scope: 'case',
      params: caseParams,
    },
    async ({ params, principal }): Promise<AccountabilityDetail> => {
      const found = await visibleCase(params.id, principal);
      if (!found) throw new HttpError(404, `no accountability case ${params.id}`);
      return { ...found, history: await accountabilityHistory(store, params.id) };
    },
  );

  actionRoutes(api, {
    temporal,
    audit,
    path: '/accountability',
    noun: 'accountability case',
    workflowIdPrefix: ACCOUNTABILITY_WORKFLOW_ID_PREFIX,
    registeredWith: accountabilityStateQuery,
    actions: ACTIONS,
    visible: async (caseId, p) => (await visibleCase(caseId, p)) !== null,
    closedReason: async (caseId) => {
      const found = await state(caseId);
      return found ? `accountability case ${caseId} is closed (${found.closeReason ?? 'unknown reason'})` : null;
    },
  });
}
