/**
 * Recommendations (三项建议) over HTTP: issuing one starts its workflow, which keeps the
 * feedback clock; the organ's feedback is the workflow's `recordFeedback` update, refused with
 * the reason when the rules or the record do not allow it; the list reads DuckDB.
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { getRecommendation, listRecommendations, recommendationEventsOf } from '../analytics/recommendation-log.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { RECOMMENDATION_KIND_CODES, type RecommendationIssue } from '../domain/recommendation.js';
import { chinaDateOf } from '../rules/plain-date.js';
import {
  feedbackGiven,
  RECOMMENDATION_WORKFLOW_ID_PREFIX,
  recommendationStateQuery,
  recommendationWorkflow,
  recordFeedbackUpdate,
  type RecommendationState,
} from '../workflows/recommendation.js';
import { action, actionRoutes } from './case-routes.js';
import { pastDate, regionNode, yearQuery } from './disputes.js';
import { HttpError } from './http-error.js';
import { idSchema as id, requiredText as text } from './validation.js';

export function recommendationRoutes(deps: { store: AnalyticsStore; temporal: Client; taskQueue: string; jurisdiction: string; now: () => Date }): Router {
  const { store, temporal, taskQueue, jurisdiction } = deps;
  const today = () => chinaDateOf(deps.now());
  const issueBody = z
    .object({
      recommendationId: id.optional(),
      regionCode: z.string().regex(/^[0-9A-Za-z]{1,32}$/, 'a region code such as 110105'),
      issuedBy: text(80),
      toOrgan: text(80),
      kind: z.enum(RECOMMENDATION_KIND_CODES),
      issuedDate: pastDate(today).optional(),
      caseId: id.optional(),
      summary: text(2000).optional(),
    })
    .strict();
  const feedbackBody = z
    .object({ actor: text(80), adopted: z.boolean(), date: pastDate(today).optional(), note: text(2000).optional() })
    .strict()
    // The workflow checks the date against its own clock; the API fills in today's.
    .transform(({ date, ...rest }) => ({ ...rest, date: date ?? today() }));
  const state = async (recommendationId: string): Promise<RecommendationState | null> => {
    try {
      return await temporal.workflow.getHandle(RECOMMENDATION_WORKFLOW_ID_PREFIX + id.parse(recommendationId)).query(recommendationStateQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  };

  const router = Router();
  router.post('/api/recommendations', async (req, res) => {
    const body = issueBody.parse(req.body);
    const region = await regionNode(store, body.regionCode);
    if (!region || region.level === 'street') {
      throw new HttpError(400, `regionCode: ${body.regionCode} is not the city or a district of the region hierarchy`);
    }
    const issuedDate = body.issuedDate ?? today();
    const input: RecommendationIssue = {
      ...body,
      jurisdiction,
      issuedDate,
      recommendationId: body.recommendationId ?? `REC-${issuedDate.replaceAll('-', '')}-${randomBytes(4).toString('hex').toUpperCase()}`,
    };
    try {
      await temporal.workflow.start(recommendationWorkflow, {
        workflowId: RECOMMENDATION_WORKFLOW_ID_PREFIX + input.recommendationId,
        taskQueue,
        args: [input],
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new HttpError(409, `recommendation ${input.recommendationId} exists`);
      throw error;
    }
    res
      .status(201)
      .location(`/api/recommendations/${input.recommendationId}`)
      .json({ recommendationId: input.recommendationId, workflowId: RECOMMENDATION_WORKFLOW_ID_PREFIX + input.recommendationId });
  });

  router.get('/api/recommendations', async (req, res) => {
    const q = yearQuery(today).parse(req.query);
    res.json({ region: q.region ?? null, year: q.year, ...(await listRecommendations(store, { region: q.region ?? null, year: q.year, limit: q.limit })) });
  });

  router.get('/api/recommendations/:id', async (req, res) => {
    const recommendationId = id.parse(req.params.id);
    const [workflow, record, events] = await Promise.all([
      state(recommendationId),
      getRecommendation(store, recommendationId),
      recommendationEventsOf(store, recommendationId),
    ]);
    if (!workflow && !record) throw new HttpError(404, `no recommendation ${recommendationId}`);
    res.json({ recommendationId, state: workflow, record, events });
  });

  router.use(
    actionRoutes({
      temporal,
      path: '/api/recommendations',
      noun: 'recommendation',
      workflowIdPrefix: RECOMMENDATION_WORKFLOW_ID_PREFIX,
      actions: { feedback: action(recordFeedbackUpdate, feedbackBody) },
      // The workflow ends with the feedback: a second one meets a closed workflow and gets the same reason.
      closedReason: async (recommendationId) => {
        const found = await state(recommendationId);
        return found ? (feedbackGiven(found) ?? `recommendation ${recommendationId} is closed`) : null;
      },
    }),
  );
  return router;
}
