import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { tableFromJSON, tableToIPC } from 'apache-arrow';
import { z } from 'zod';
import { countCases, eventsOfCase, recentCases } from '../analytics/case-log.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { CHANNEL_CODES, CHANNELS, type CaseIntake } from '../domain/case.js';
import { BEIJING_DISTRICTS, isKnownRegion } from '../domain/regions.js';
import { casePlan, caseRules } from '../rules/case-rules.js';
import { chinaDateOf } from '../rules/plain-date.js';
import { CASE_WORKFLOW_ID_PREFIX, petitionCaseWorkflow, type PetitionCaseInput } from '../workflows/petition-case.js';
import { BEIJING_ORGANS } from '../domain/organs.js';
import { accountabilityRoutes } from './accountability-routes.js';
import { caseActionRoutes, caseState } from './case-routes.js';
import { dutyRoutes } from './duties.js';
import { earlyWarningRoutes } from './early-warning.js';
import { HttpError } from './http-error.js';
import { idSchema as caseIdSchema } from './validation.js';
import { importRoutes } from './import-routes.js';
import { metricsRoutes } from './metrics-routes.js';
import { disputeRoutes } from './disputes.js';
import { recommendationRoutes } from './recommendations.js';

export interface AppDependencies {
  store: AnalyticsStore;
  temporal: Client;
  taskQueue: string;
  /** Whose policy packs govern the cases this server registers. */
  jurisdiction: string;
  /** Built web app to serve; omitted in API-only tests. */
  webDir?: string;
  now?: () => Date;
}

const ARROW_STREAM = 'application/vnd.apache.arrow.stream';
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');

const intakeBody = z
  .object({
    caseId: caseIdSchema.optional(),
    receivedAt: z.iso.datetime({ offset: true }).optional(),
    channel: z.enum(CHANNEL_CODES),
    regionCode: z.string().refine(isKnownRegion, 'not a known region code'),
    field: z.string().trim().min(1).max(40).optional(),
    collectiveSize: z.number().int().min(1).max(10_000).default(1),
    summary: z.string().trim().max(2000).optional(),
    receivedBy: z
      .object({ organ: z.string().trim().min(1).max(80), kind: z.enum(['petition-office', 'organ']) })
      .strict()
      .default({ organ: '信访办', kind: 'petition-office' }),
    litigationRelated: z.boolean().optional(),
    accusation: z.boolean().optional(),
    anonymous: z.boolean().optional(),
    /** A claim the petitioner brought before: refused when that case was concluded on re-review. */
    sameClaimAs: caseIdSchema.optional(),
  })
  .strict();

const monthQuery = z
  .object({ from: month.optional(), to: month.optional(), region: z.string().refine(isKnownRegion, 'not a known region code').optional() })
  .strict();

export function createApp(deps: AppDependencies): express.Express {
  const { store, temporal, taskQueue, jurisdiction } = deps;
  const now = deps.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));

  app.get('/api/health', async (_req, res) => {
    const [temporalHealth, duckdbHealth] = await Promise.all([
      probe(async () => {
        const { serverVersion } = await temporal.workflowService.getSystemInfo({});
        return { namespace: temporal.options.namespace, taskQueue, serverVersion };
      }),
      probe(async () => ({ path: store.path, cases: await countCases(store) })),
    ]);
    const ok = temporalHealth.ok && duckdbHealth.ok;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', temporal: temporalHealth, duckdb: duckdbHealth });
  });

  app.get('/api/reference', (_req, res) => {
    const rules = caseRules(jurisdiction, chinaDateOf(now()));
    const clocks = Object.fromEntries(
      Object.entries(rules.clocks).map(([step, c]) => [
        step,
        { labelZh: c.rule.labelZh, labelEn: c.rule.labelEn, days: c.rule.days, basis: c.rule.basis, ...c.from },
      ]),
    );
    res.json({ channels: CHANNELS, regions: BEIJING_DISTRICTS, jurisdiction, clocks });
  });

  app.post('/api/cases', async (req, res) => {
    const { receivedBy, litigationRelated, accusation, anonymous, sameClaimAs, ...body } = intakeBody.parse(req.body);
    const receivedAt = body.receivedAt ? new Date(body.receivedAt) : now();
    if (receivedAt.getTime() > now().getTime() + 60_000) throw new HttpError(400, 'receivedAt: lies in the future');
    if (sameClaimAs) {
      const prior = await caseState(temporal, sameClaimAs);
      if (!prior) throw new HttpError(400, `sameClaimAs: no case ${sameClaimAs}`);
      const rule = casePlan(jurisdiction, chinaDateOf(receivedAt)).routing['concluded-after-re-review'];
      if (prior.closeReason === 'concluded' && rule) {
        throw new HttpError(409, `not taken: the same claim was concluded on re-review in case ${sameClaimAs} (${rule.cite})`);
      }
    }
    const intake: CaseIntake = {
      ...body,
      jurisdiction,
      caseId: body.caseId ?? newCaseId(receivedAt),
      receivedAt: receivedAt.toISOString(),
    };
    const input: PetitionCaseInput = {
      intake,
      receivedBy,
      ...(litigationRelated ? { litigationRelated } : {}),
      ...(accusation ? { accusation } : {}),
      ...(anonymous ? { anonymous } : {}),
    };
    try {
      const handle = await temporal.workflow.start(petitionCaseWorkflow, {
        workflowId: CASE_WORKFLOW_ID_PREFIX + intake.caseId,
        taskQueue,
        args: [input],
      });
      res.status(201).location(`/api/cases/${intake.caseId}`).json({ caseId: intake.caseId, workflowId: handle.workflowId });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw new HttpError(409, `case ${intake.caseId} is already registered`);
      }
      throw error;
    }
  });

  app.get('/api/cases', async (req, res) => {
    const { limit } = z.object({ limit: z.coerce.number().int().min(1).max(500).default(20) }).parse(req.query);
    res.json(await recentCases(store, { limit }));
  });

  app.get('/api/cases/:caseId', async (req, res) => {
    const caseId = caseIdSchema.parse(req.params.caseId);
    const events = await eventsOfCase(store, caseId);
    const workflow = await caseState(temporal, caseId);
    if (!workflow && events.length === 0) throw new HttpError(404, `no case ${caseId}`);
    res.json({ caseId, state: workflow, events });
  });

  app.use(caseActionRoutes(temporal));
  app.use(dutyRoutes({ store, temporal, jurisdiction, organs: BEIJING_ORGANS }));
  app.use(accountabilityRoutes({ temporal, taskQueue, jurisdiction }));
  app.use(importRoutes({ store }));

  app.use(metricsRoutes({ store, jurisdiction, now }));
  app.use(earlyWarningRoutes({ store, temporal, taskQueue, now }));
  app.use(recommendationRoutes({ store, temporal, taskQueue, jurisdiction, now }));
  app.use(disputeRoutes({ store, jurisdiction, now }));

  app.use('/api', (req) => {
    throw new HttpError(404, `no API route ${req.method} ${req.path}`);
  });

  if (deps.webDir && existsSync(deps.webDir)) {
    app.use(express.static(deps.webDir, { index: 'index.html' }));
  }

  app.use(errorHandler);
  return app;
}

const errorHandler: ErrorRequestHandler = (error: unknown, _req: Request, res: Response, _next) => {
  if (error instanceof z.ZodError) {
    res.status(400).json({
      error: 'invalid request',
      problems: error.issues.map((i) => ({ at: i.path.join('.') || '(body)', problem: i.message })),
    });
    return;
  }
  if (error instanceof HttpError) {
    res.status(error.status).json({ error: error.message });
    return;
  }
  if (error instanceof SyntaxError && 'body' in error) {
    res.status(400).json({ error: `request body is not valid JSON: ${error.message}` });
    return;
  }
  console.error(error);
  res.status(500).json({ error: 'internal error; see the server log' });
};

async function probe<T>(check: () => Promise<T>): Promise<({ ok: true } & T) | { ok: false; error: string }> {
  try {
    return { ok: true, ...(await check()) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function newCaseId(receivedAt: Date): string {
  return `XF-${chinaDateOf(receivedAt).replaceAll('-', '')}-${randomBytes(4).toString('hex').toUpperCase()}`;
}

function shiftMonth(yyyyMm: string, delta: number): string {
  const index = Number(yyyyMm.slice(0, 4)) * 12 + Number(yyyyMm.slice(5, 7)) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function monthsBetween(from: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
}
