/**
 * Early warning in the running system: the weekly scan's Temporal Schedule (Monday 06:00 in
 * the jurisdiction's time zone, for the week that has just ended), scans on demand, and the alerts of the
 * caller's jurisdiction with a user's acknowledgement or dismissal, and a count alert's weekly
 * series for drawing. An alert outside the jurisdiction answers 404, as one that does not exist.
 */
import { randomBytes } from 'node:crypto';
import { ScheduleOverlapPolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { alertSeries, AlertSeriesError } from '../analytics/early-warning/alert-series.js';
import { AlertDecisionError, decideAlert, getAlert, getScan, listAlerts } from '../analytics/early-warning/alerts.js';
import { ALERT_KINDS } from '../analytics/early-warning/candidate.js';
import { LEVELS } from '../analytics/early-warning/config.js';
import { SIGNALS } from '../analytics/early-warning/scan.js';
import { isMonday, lastCompleteWeek, weekEnd } from '../analytics/early-warning/weeks.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { chinaDateOf } from '../rules/plain-date.js';
import {
  EARLY_WARNING_SCHEDULE_ID,
  earlyWarningScanWorkflow,
  SCAN_WORKFLOW_ID_PREFIX,
  type EarlyWarningScanInput,
} from '../workflows/early-warning.js';
import type { Api } from './api.js';
import type { Auditor } from './audit.js';
import { HttpError } from './http-error.js';
import { confineRegion, visibleTo } from './scope.js';
import { createScheduleOnce } from './temporal.js';
import { boundedDate, regionCode, requiredText } from './validation.js';
import { actorOf } from './workflow-routes.js';

/** Creates the weekly scan's Schedule once; a second start finds it and leaves it as it is. */
/** What POST /early-warning/scans answers (202): the scan's id, which is its workflow's, and the weeks it scans. */
export interface ScanStarted {
  scanId: string;
  workflowId: string;
  week: string;
  weeks: number;
}

export function ensureScanSchedule(client: Client, taskQueue: string, timeZone: string): Promise<boolean> {
  return createScheduleOnce(client, {
    scheduleId: EARLY_WARNING_SCHEDULE_ID,
    spec: {
      calendars: [{ dayOfWeek: 'MONDAY', hour: 6, minute: 0, second: 0, comment: 'Monday morning, for the week that has just ended' }],
      timezone: timeZone,
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

const monday = boundedDate.superRefine((date, ctx) => {
  if (!isMonday(date)) ctx.addIssue({ code: 'custom', message: `${date} is not a Monday; a week is named by its Monday` });
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
    region: regionCode.optional(),
    kind: z.enum(ALERT_KINDS).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

const alertParams = z.object({ id: z.string().regex(/^AL-\d{8}-[0-9a-f]{12}$/, 'an alert id such as AL-20251208-4b6c051a35ce') }).strict();
const scanParams = z.object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,120}$/, 'a scan id') }).strict();
const decisionBody = (reasonRequired: boolean) => z.object({ reason: reasonRequired ? requiredText(500) : requiredText(500).optional() }).strict();

export interface EarlyWarningRouteDeps {
  store: AnalyticsStore;
  temporal: Client;
  taskQueue: string;
  audit: Auditor;
  now: () => Date;
}

export function earlyWarningRoutes(api: Api, deps: EarlyWarningRouteDeps): void {
  const { store, temporal, taskQueue, audit, now } = deps;

  api.add(
    { method: 'post', path: '/early-warning/scans', summary: 'Start a scan of ended weeks (default: the last one); 202 with its id', access: 'scans.start', scope: 'none', body: scanBody, status: 202, expensive: true },
    async ({ req, res, body, principal }) => {
      const today = chinaDateOf(now());
      const week = body.week ?? lastCompleteWeek(today);
      // A week still under way would be scanned with part of its cases: every count would look low.
      if (weekEnd(week) >= today) throw new HttpError(400, `week: ${week} has not ended yet (today is ${today} in China)`);
      const id = `${SCAN_WORKFLOW_ID_PREFIX}${today.replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
      const input: EarlyWarningScanInput = { trigger: 'api', week, weeks: body.weeks, ...(body.signals ? { signals: body.signals } : {}) };
      await temporal.workflow.start(earlyWarningScanWorkflow, { workflowId: id, taskQueue, args: [input] });
      await audit.record(req, principal, { action: 'scan.start', outcome: 'ok', status: 202, objectIds: [id], detail: { week, weeks: body.weeks } });
      res.location(`/api/v1/early-warning/scans/${id}`);
      const started: ScanStarted = { scanId: id, workflowId: id, week, weeks: body.weeks };
      return started;
    },
  );

  api.add(
    { method: 'get', path: '/early-warning/scans/:id', summary: 'A scan: running, or finished with its record', access: 'alerts.read', scope: 'none', params: scanParams },
    async ({ params }) => {
      const scan = await getScan(store, params.id);
      if (scan) return { status: 'finished', ...scan };
      try {
        const description = await temporal.workflow.getHandle(params.id).describe();
        const status = description.status.name;
        if (status === 'COMPLETED') return { status: 'finished', scan_id: params.id };
        return { status: status === 'RUNNING' ? 'running' : status.toLowerCase(), scan_id: params.id };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new HttpError(404, `no scan ${params.id}`);
        throw error;
      }
    },
  );

  api.add(
    { method: 'get', path: '/early-warning/alerts', summary: 'The alerts of a region (yours unless one under it is given) and everything under it', access: 'alerts.read', scope: 'region', query: alertQuery },
    async ({ query, principal }) => ({ alerts: await listAlerts(store, { ...query, region: await confineRegion(store, principal, query.region) }) }),
  );

  api.add(
    {
      method: 'get',
      path: '/early-warning/alerts/:id/series',
      summary: "A count alert's weekly series (baseline window and run) recomputed as the scan computed it, with its method explained",
      access: 'alerts.read',
      scope: 'case',
      params: alertParams,
      // It reads the alert's case history and refits the detector for each week of its run.
      expensive: true,
    },
    async ({ params, principal }) => {
      const alert = await getAlert(store, params.id);
      const visible = alert !== undefined && (await visibleTo(store, principal, { regionCode: alert.region_code }));
      if (!visible) throw new HttpError(404, `no alert ${params.id}`);
      try {
        return await alertSeries(store, alert);
      } catch (error) {
        if (error instanceof AlertSeriesError) throw new HttpError(404, error.message, 'no_series');
        throw error;
      }
    },
  );

  for (const [verb, status] of [
    ['acknowledge', 'acknowledged'],
    ['dismiss', 'dismissed'],
  ] as const) {
    api.add(
      {
        method: 'post',
        path: `/early-warning/alerts/:id/${verb}`,
        summary: verb === 'dismiss' ? 'Dismiss an open alert, with the reason' : 'Acknowledge an open alert',
        access: 'alerts.decide',
        scope: 'case',
        params: alertParams,
        body: decisionBody(verb === 'dismiss'),
      },
      async ({ req, params, body, principal }) => {
        const alert = await getAlert(store, params.id);
        const visible = alert !== undefined && (await visibleTo(store, principal, { regionCode: alert.region_code }));
        if (!visible) throw new HttpError(404, `no alert ${params.id}`);
        const action = `alert.${verb}`;
        try {
          const decided = await decideAlert(store, params.id, { status, actor: actorOf(principal), reason: body.reason ?? null, at: now() });
          await audit.record(req, principal, { action, outcome: 'ok', status: 200, objectIds: [params.id] });
          return decided;
        } catch (error) {
          if (!(error instanceof AlertDecisionError)) throw error;
          await audit.record(req, principal, { action, outcome: 'denied', status: error.status, objectIds: [params.id], detail: { refused: error.message } });
          throw new HttpError(error.status, error.message);
        }
      },
    );
  }
}
