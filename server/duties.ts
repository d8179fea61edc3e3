/**
 * Periodic duties in the running system: a Temporal Schedule per organ and duty opens each
 * period's workflow at the period's start (China time); at start-up the current periods are
 * opened too. Evidence is recorded through the period's workflow; evidence for a closed
 * period is kept as late evidence and never changes the finding.
 */
import { Router } from 'express';
import {
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type CalendarSpec,
  type Client,
} from '@temporalio/client';
import { z } from 'zod';
import { dutyCalendar, periodWorkflowId, recordDutyEvent } from '../analytics/duty-log.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { Organ } from '../domain/organs.js';
import { caseRules } from '../rules/case-rules.js';
import { periodContaining, type PeriodKind } from '../rules/periods.js';
import { parsePlainDate, type PlainDate } from '../rules/plain-date.js';
import {
  DUTY_WORKFLOW_ID_PREFIX,
  dutyPeriodStateQuery,
  dutyPeriodWorkflow,
  recordEvidenceUpdate,
} from '../workflows/duty-period.js';
import { HttpError } from './http-error.js';
import { createScheduleOnce } from './temporal.js';

const PERIOD_STARTS: Record<PeriodKind, CalendarSpec['month']> = {
  quarter: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'],
  'half-year': ['JANUARY', 'JULY'],
  year: ['JANUARY'],
};

/** The duties each organ owes with a period to enforce, under the packs in force on `on`. */
export function dutiesOwed(jurisdiction: string, organs: readonly Organ[], on: PlainDate) {
  const duties = Object.entries(caseRules(jurisdiction, on).duties);
  return organs.flatMap((organ) =>
    duties
      .filter(([, d]) => d.rule.period !== 'as-needed' && (d.rule.appliesTo.includes(organ.level) || d.rule.appliesTo.includes('organ')))
      .map(([dutyId, d]) => ({ organ, dutyId, period: d.rule.period as PeriodKind })),
  );
}

export async function ensureDutySchedules(
  client: Client,
  options: { jurisdiction: string; taskQueue: string; organs: readonly Organ[]; today: PlainDate },
): Promise<{ schedules: number; periodsOpened: number }> {
  let schedules = 0;
  let periodsOpened = 0;
  for (const { organ, dutyId, period } of dutiesOwed(options.jurisdiction, options.organs, options.today)) {
    const input = { jurisdiction: options.jurisdiction, organ: organ.code, level: organ.level, dutyId };
    const id = `${DUTY_WORKFLOW_ID_PREFIX}${organ.code}/${dutyId}`;
    const created = await createScheduleOnce(client, {
      scheduleId: id,
      spec: {
        calendars: [{ month: PERIOD_STARTS[period], dayOfMonth: 1, hour: 0, minute: 0, second: 0, comment: `each ${period}` }],
        timezone: 'Asia/Shanghai',
      },
      action: { type: 'startWorkflow', workflowType: dutyPeriodWorkflow, args: [input], taskQueue: options.taskQueue, workflowId: id },
      // A period's workflow closes at the instant the next one opens.
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    });
    if (created) schedules++;
    const current = periodContaining(options.today, period);
    try {
      await client.workflow.start(dutyPeriodWorkflow, {
        workflowId: `${id}/${current.label}`,
        taskQueue: options.taskQueue,
        args: [{ ...input, period: current }],
      });
      periodsOpened++;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
  return { schedules, periodsOpened };
}

const evidenceBody = z
  .object({
    actor: z.string().trim().min(1).max(80),
    kind: z.enum(['meeting', 'report', 'inspection', 'letter', 'research', 'notice', 'reception']),
    date: z.iso.date(),
    reference: z.string().trim().min(1).max(200),
    participants: z.array(z.string().trim().min(1).max(80)).max(100).optional(),
    days: z.number().int().positive().max(366).optional(),
  })
  .strict();

export function dutyRoutes(deps: { store: AnalyticsStore; temporal: Client; jurisdiction: string; organs: readonly Organ[] }): Router {
  const { store, temporal, jurisdiction, organs } = deps;
  const router = Router();

  router.get('/api/duties', async (req, res) => {
    const query = z
      .object({
        region: z.string().regex(/^\d{6}$/, 'a region code').optional(),
        organ: z.string().min(1).max(80).optional(),
        year: z.coerce.number().int().min(2000).max(2100),
      })
      .strict()
      .refine((q) => Boolean(q.region) !== Boolean(q.organ), 'give region or organ')
      .parse(req.query);
    // The city code covers the city's own organs; a district code its district organs.
    const chosen = organs.filter((o) => (query.organ ? o.code === query.organ : o.regionCode === query.region)).map((o) => o.code);
    if (chosen.length === 0) throw new HttpError(404, query.organ ? `no organ ${query.organ}` : `no organs in region ${query.region}`);
    res.json({ ...query, periods: await dutyCalendar(store, chosen, query.year) });
  });

  router.post('/api/duties/:organ/:dutyId/evidence', async (req, res) => {
    const organ = organs.find((o) => o.code === req.params.organ);
    if (!organ) throw new HttpError(404, `no organ ${req.params.organ}`);
    const evidence = evidenceBody.parse(req.body);
    const date = parsePlainDate(evidence.date);
    const duty = caseRules(jurisdiction, date).duties[req.params.dutyId];
    if (!duty || duty.rule.period === 'as-needed') throw new HttpError(404, `no periodic duty ${req.params.dutyId}`);
    const period = periodContaining(date, duty.rule.period);
    const workflowId = await periodWorkflowId(store, organ.code, req.params.dutyId, period.label);
    if (!workflowId) throw new HttpError(404, `no ${period.label} period of ${req.params.dutyId} was opened for ${organ.code}`);
    const handle = temporal.workflow.getHandle(workflowId);
    try {
      res.json(await handle.executeUpdate(recordEvidenceUpdate, { args: [evidence] }));
    } catch (error) {
      if (!(error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError)) throw error;
      const state = await handle.query(dutyPeriodStateQuery).catch(() => null);
      if (state && state.status !== 'open') {
        // Late: kept as such beside the finding, which it does not change.
        await recordDutyEvent(store, {
          organ: organ.code,
          dutyId: req.params.dutyId,
          period,
          type: 'late_evidence',
          key: `${evidence.date}:${evidence.reference}`,
          occurredAt: new Date().toISOString(),
          actor: evidence.actor,
          detail: { kind: evidence.kind, date: evidence.date, reference: evidence.reference },
        });
        throw new HttpError(409, `the ${period.label} period closed as ${state.status}; the evidence is kept as late evidence and does not change the finding`);
      }
      throw new HttpError(409, `evidence refused: ${error instanceof WorkflowUpdateFailedError ? error.cause?.message : error.message}`);
    }
  });
  return router;
}

