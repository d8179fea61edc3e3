/**
 * Early warning in the running system: the weekly scan's Temporal Schedule (Monday 06:00,
 * Asia/Shanghai, for the week that has just ended), scans on demand, and the alerts with a
 * user's acknowledgement or dismissal.
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { ScheduleOverlapPolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { AlertDecisionError, decideAlert, getScan, listAlerts } from '../analytics/early-warning/alerts.js';
import { ALERT_KINDS } from '../analytics/early-warning/candidate.js';
import { LEVELS } from '../analytics/early-warning/config.js';
import { SIGNALS } from '../analytics/early-warning/scan.js';
import { isMonday, lastCompleteWeek, weekEnd } from '../analytics/early-warning/weeks.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { chinaDateOf, parsePlainDate } from '../rules/plain-date.js';
import {
  EARLY_WARNING_SCHEDULE_ID,
  earlyWarningScanWorkflow,
  SCAN_WORKFLOW_ID_PREFIX,
  type EarlyWarningScanInput,
} from '../workflows/early-warning.js';
import { HttpError } from './http-error.js';
import { createScheduleOnce } from './temporal.js';
import { requiredText } from './validation.js';

/** Creates the weekly scan's Schedule once; a second start finds it and leaves it as it is. */
export function ensureScanSchedule(client: Client, taskQueue: string): Promise<boolean> {
  return createScheduleOnce(client, {
    scheduleId: EARLY_WARNING_SCHEDULE_ID,
    spec: {
      calendars: [{ dayOfWeek: 'MONDAY', hour: 6, minute: 0, second: 0, comment: 'Monday morning, for the week that has just ended' }],
      timezone: 'Asia/Shanghai',
    },
    action: {
      type: 'startWorkflow',
      workflowType: earlyWarningScanWorkflow,
      args: [{ trigger: 'schedule' } satisfies EarlyWarningScanInput],
      taskQueue,
      workflowId: EARLY_WARNING_SCHEDULE_ID,
    },
    // A scan still running a week later is a problem to look at, not to pile onto.
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  });
}

const monday = z.iso.date().transform((text, ctx) => {
  const date = parsePlainDate(text);
  if (!isMonday(date)) ctx.addIssue({ code: 'custom', message: `${text} is not a Monday; a week is named by its Monday` });
  return date;
});

const scanBody = z
  .object({
    week: monday.optional(),
    weeks: z.number().int().min(1).max(104).default(1),
    signals: z.array(z.enum(SIGNALS)).min(1).optional(),
  })
  .strict();

const alertQuery = z
  .object({
    status: z.enum(['open', 'acknowledged', 'dismissed']).optional(),
    level: z.enum(LEVELS).optional(),
    region: z.string().regex(/^[0-9A-Za-z]{1,32}$/, 'a region code such as 110105').optional(),
    kind: z.enum(ALERT_KINDS).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

const alertId = z.string().regex(/^AL-\d{8}-[0-9a-f]{12}$/, 'an alert id such as AL-20251208-4b6c051a35ce');
const scanId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,120}$/, 'a scan id');
const decisionBody = (reasonRequired: boolean) =>
  z.object({ actor: requiredText(80), reason: reasonRequired ? requiredText(500) : requiredText(500).optional() }).strict();

export function earlyWarningRoutes(deps: { store: AnalyticsStore; temporal: Client; taskQueue: string; now: () => Date }): Router {
  const { store, temporal, taskQueue, now } = deps;
  const router = Router();

  router.post('/api/early-warning/scans', async (req, res) => {
    const body = scanBody.parse(req.body ?? {});
    const today = chinaDateOf(now());
    const week = body.week ?? lastCompleteWeek(today);
    // A week still under way would be scanned with part of its cases: every count would look low.
    if (weekEnd(week) >= today) throw new HttpError(400, `week: ${week} has not ended yet (today is ${today} in China)`);
    const id = `${SCAN_WORKFLOW_ID_PREFIX}${today.replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
    const input: EarlyWarningScanInput = { trigger: 'api', week, weeks: body.weeks, ...(body.signals ? { signals: body.signals } : {}) };
    await temporal.workflow.start(earlyWarningScanWorkflow, { workflowId: id, taskQueue, args: [input] });
    res.status(202).location(`/api/early-warning/scans/${id}`).json({ scanId: id, workflowId: id, week, weeks: body.weeks });
  });

  router.get('/api/early-warning/scans/:id', async (req, res) => {
    const id = scanId.parse(req.params.id);
    const scan = await getScan(store, id);
    if (scan) {
      res.json({ status: 'finished', ...scan });
      return;
    }
    try {
      const description = await temporal.workflow.getHandle(id).describe();
      const status = description.status.name;
      if (status === 'COMPLETED') {
        res.json({ status: 'finished', scan_id: id });
        return;
      }
      res.json({ status: status === 'RUNNING' ? 'running' : status.toLowerCase(), scan_id: id });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new HttpError(404, `no scan ${id}`);
      throw error;
    }
  });

  router.get('/api/early-warning/alerts', async (req, res) => {
    const q = alertQuery.parse(req.query);
    res.json({ alerts: await listAlerts(store, q) });
  });

  for (const [action, status] of [
    ['acknowledge', 'acknowledged'],
    ['dismiss', 'dismissed'],
  ] as const) {
    router.post(`/api/early-warning/alerts/:id/${action}`, async (req, res) => {
      const id = alertId.parse(req.params.id);
      const body = decisionBody(action === 'dismiss').parse(req.body ?? {});
      try {
        res.json(await decideAlert(store, id, { status, actor: body.actor, reason: body.reason ?? null, at: now() }));
      } catch (error) {
        if (error instanceof AlertDecisionError) throw new HttpError(error.status, error.message);
        throw error;
      }
    });
  }
  return router;
}
