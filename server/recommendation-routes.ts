/**
 * Recommendations (三项建议) over HTTP: issuing one starts its workflow, which keeps the
 * feedback clock; the organ's feedback is the workflow's `recordFeedback` update, refused with
 * the reason when the rules or the record do not allow it; the list reads DuckDB. A
 * recommendation is seen by the offices of its region and by the organ it is addressed to (an
 * organ's officer lists those addressed to its organ); to anyone else it answers 404, as one
 * that does not exist.
 */
import { z } from 'zod';
import {
  getRecommendation,
  listRecommendations,
  organsOfRegion,
  RECOMMENDATION_STATUSES,
  recommendationEventsOf,
  type AddresseeOrgan,
  type RecommendationRow,
} from '../analytics/recommendation-log.js';
import { RECOMMENDATION_KIND_CODES, type RecommendationIssue } from '../domain/recommendation.js';
import type { Principal } from '../domain/roles.js';
import { caseRules } from '../rules/case-rules.js';
import { clockFor } from '../rules/compose.js';
import { PackError } from '../rules/pack.js';
import { chinaDateOf, parsePlainDate } from '../rules/plain-date.js';
import {
  feedbackGiven,
  RECOMMENDATION_WORKFLOW_ID_PREFIX,
  recommendationStateQuery,
  recommendationWorkflow,
  recordFeedbackUpdate,
  type RecommendationState,
} from '../workflows/recommendation.js';
import type { Api } from './api.js';
import { HttpError } from './http-error.js';
import { confineRegion, organNamesOf, regionNode, visibleTo } from './scope.js';
import { idSchema as id, pastDate, regionCode, requiredText as text, yearQuery } from './validation.js';
import { action, actionRoutes, mintId, queryOrNull, startOnce, type WorkflowRouteDeps } from './workflow-routes.js';

export type RecommendationRouteDeps = WorkflowRouteDeps;

/** GET /recommendations: the year's rows, totals and adoption rate, and the organs they may be addressed to. */
export type RecommendationList = ReturnType<typeof withRate<Awaited<ReturnType<typeof listRecommendations>>>> & {
  region: string | null;
  organ: string | null;
  year: number;
  addressees: AddresseeOrgan[];
};
/** GET /recommendations/:id. */
export interface RecommendationDetail {
  recommendationId: string;
  state: RecommendationState | null;
  record: RecommendationRow | null;
  clock: ReturnType<typeof clockBasis>;
  events: Awaited<ReturnType<typeof recommendationEventsOf>>;
}

const idParams = z.object({ id }).strict();

/** The adoption rate (三项建议采纳率) as the metrics define it: of those with feedback, the share adopted. */
function withRate<T extends { totals: { feedback: number; adopted: number } }>(listed: T) {
  const { adopted, feedback } = listed.totals;
  return { ...listed, adoptionRate: { numerator: adopted, denominator: feedback, rate: feedback ? adopted / feedback : null, measure: 'recommendation_adoption_rate' } };
}

/**
 * Where the feedback clock of a recommendation issued on `issuedDate` comes from: the pack, its
 * article and its note (which says when a period is kept from an earlier text); null when no
 * pack of the record's jurisdiction covers the day.
 */
function clockBasis(of: string | undefined, issuedDate: string | undefined) {
  if (!of || !issuedDate) return null;
  try {
    const { rule, from } = clockFor(caseRules(of, parsePlainDate(issuedDate)), 'recommendationFeedback');
    return { labelZh: rule.labelZh, labelEn: rule.labelEn, days: rule.days, basis: rule.basis, pack: from.pack, version: from.version, titleZh: from.titleZh, article: rule.source.article, note: rule.source.note ?? null };
  } catch (error) {
    if (error instanceof PackError) return null;
    throw error;
  }
}

export function recommendationRoutes(api: Api, deps: RecommendationRouteDeps): void {
  const { store, temporal, taskQueue, jurisdiction, audit } = deps;
  const today = () => chinaDateOf(deps.now());
  const issueBody = z
    .object({
      recommendationId: id.optional(),
      regionCode,
      issuedBy: text(80),
      toOrgan: text(80),
      kind: z.enum(RECOMMENDATION_KIND_CODES),
      issuedDate: pastDate(today).optional(),
      caseId: id.optional(),
      summary: text(2000).optional(),
    })
    .strict();
  const feedbackBody = z
    .object({ adopted: z.boolean(), date: pastDate(today).optional(), note: text(2000).optional() })
    .strict()
    // The workflow checks the date against its own clock; the API fills in today's.
    .transform(({ date, ...rest }) => ({ ...rest, date: date ?? today() }));
  const listQuery = yearQuery(today).extend({ kind: z.enum(RECOMMENDATION_KIND_CODES).optional(), status: z.enum(RECOMMENDATION_STATUSES).optional() }).strict();
  const state = (recommendationId: string) => queryOrNull(temporal.workflow.getHandle(RECOMMENDATION_WORKFLOW_ID_PREFIX + recommendationId), recommendationStateQuery);

  /** The workflow's state and the row when `p` may see the recommendation; null otherwise (the caller answers 404). */
  const visibleRecommendation = async (recommendationId: string, p: Principal): Promise<{ workflow: RecommendationState | null; record: RecommendationRow | null } | null> => {
    const [workflow, record] = await Promise.all([state(recommendationId), getRecommendation(store, recommendationId)]);
    if (!workflow && !record) return null;
    const where = {
      regionCode: workflow?.recommendation.regionCode ?? record?.region_code ?? null,
      organs: [workflow?.recommendation.toOrgan ?? record?.to_organ],
    };
    return (await visibleTo(store, p, where)) ? { workflow, record } : null;
  };

  api.add(
    { method: 'post', path: '/recommendations', summary: 'Issue a recommendation (三项建议): its feedback clock starts', access: 'recommendations.issue', scope: 'region', body: issueBody, status: 201 },
    async ({ req, res, body, principal }) => {
      const region = await regionNode(store, body.regionCode);
      if (!region || region.level === 'street') {
        throw new HttpError(400, `regionCode: ${body.regionCode} is not the city or a district of the region hierarchy`);
      }
      await confineRegion(store, principal, body.regionCode);
      const issuedDate = body.issuedDate ?? today();
      try {
        // The workflow's first step plans this clock; a day no pack covers would fail it there.
        clockFor(caseRules(jurisdiction, issuedDate), 'recommendationFeedback');
      } catch (error) {
        if (error instanceof PackError) throw new HttpError(400, `cannot be issued on ${issuedDate}: ${error.message}`, undefined, 'issuedDate');
        throw error;
      }
      const input: RecommendationIssue = { ...body, jurisdiction, issuedDate, recommendationId: body.recommendationId ?? mintId('REC', issuedDate) };
      const workflowId = RECOMMENDATION_WORKFLOW_ID_PREFIX + input.recommendationId;
      await startOnce(() => temporal.workflow.start(recommendationWorkflow, { workflowId, taskQueue, args: [input] }), `recommendation ${input.recommendationId} exists`);
      await audit.record(req, principal, { action: 'recommendation.issue', outcome: 'ok', status: 201, objectIds: [input.recommendationId] });
      res.location(`/api/v1/recommendations/${input.recommendationId}`);
      return { recommendationId: input.recommendationId, workflowId };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/recommendations',
      summary:
        "A year's recommendations of a region (yours unless one under it is given), or those addressed to your organ, newest first, with the year's totals, the adoption rate and the organs they may be addressed to",
      access: 'recommendations.read',
      scope: 'region',
      query: listQuery,
    },
    async ({ query, principal }) => {
      const day = today();
      const narrow = { year: query.year, today: day, limit: query.limit, ...(query.kind ? { kind: query.kind } : {}), ...(query.status ? { status: query.status } : {}) };
      if (principal.organCode) {
        // An organ's officer reads what is addressed to its organ, by code or by any of its names.
        const organs = [principal.organCode, ...(await organNamesOf(store, principal.organCode))];
        if (query.region !== undefined && !(await regionNode(store, query.region))) {
          throw new HttpError(400, `unknown region code "${query.region}" (not in the region hierarchy)`, undefined, 'region');
        }
        const listed = await listRecommendations(store, { region: query.region ?? null, organs, ...narrow });
        return { region: query.region ?? null, organ: principal.organCode, year: query.year, ...withRate(listed), addressees: [] };
      }
      const region = await confineRegion(store, principal, query.region);
      const listed = await listRecommendations(store, { region, ...narrow });
      return { region, organ: null, year: query.year, ...withRate(listed), addressees: await organsOfRegion(store, region) };
    },
  );

  api.add(
    { method: 'get', path: '/recommendations/:id', summary: "A recommendation's workflow state, row and events", access: 'recommendations.read', scope: 'case', params: idParams },
    async ({ params, principal }) => {
      const found = await visibleRecommendation(params.id, principal);
      if (!found) throw new HttpError(404, `no recommendation ${params.id}`);
      const detail: RecommendationDetail = {
        recommendationId: params.id,
        state: found.workflow,
        record: found.record,
        clock: clockBasis(found.workflow?.recommendation.jurisdiction ?? found.record?.jurisdiction, found.workflow?.recommendation.issuedDate ?? found.record?.issued_date),
        events: await recommendationEventsOf(store, params.id),
      };
      return detail;
    },
  );

  actionRoutes(api, {
    temporal,
    audit,
    path: '/recommendations',
    noun: 'recommendation',
    workflowIdPrefix: RECOMMENDATION_WORKFLOW_ID_PREFIX,
    registeredWith: recommendationStateQuery,
    actions: [action(recordFeedbackUpdate, feedbackBody, 'recommendations.feedback', "The organ's written feedback (书面反馈), once: adopted, or not with the reason")],
    visible: async (recommendationId, p) => (await visibleRecommendation(recommendationId, p)) !== null,
    // The workflow ends with the feedback: a second one meets a closed workflow and gets the same reason.
    closedReason: async (recommendationId) => {
      const found = await state(recommendationId);
      return found ? (feedbackGiven(found) ?? `recommendation ${recommendationId} is closed`) : null;
    },
  });
}
