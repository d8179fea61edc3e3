/**
 * Periodic duties in the running system: a Temporal Schedule per organ and duty opens each
 * period's workflow at the period's start (in the jurisdiction's time zone); at start-up the current periods are
 * opened too. Evidence is recorded through the period's workflow; evidence for a closed
 * period is kept as late evidence and never changes the finding. A duty owed as needed
 * (leaders' reception days, annotated letters) has no period: its records are kept as they
 * come (analytics/migrations/015_duty_records.sql) and counted per organ and year.
 */
import {
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type CalendarSpec,
  type Client,
} from '@temporalio/client';
import { z } from 'zod';
import { DUTY_STATUSES, dutyCalendar, dutyRecords, periodWorkflowId, RECEPTION_MODES, recordDutyEvent, recordDutyRecord, type DutyCalendarRow, type DutyRecordRow } from '../analytics/duty-log.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { organSeat, type Organ } from '../domain/organs.js';
import { refusalIn, type Refusal } from '../domain/refusals.js';
import { caseRules } from '../rules/case-rules.js';
import { PackError, type DutyRule } from '../rules/pack.js';
import { periodContaining, type PeriodKind } from '../rules/periods.js';
import { chinaDateOf, type PlainDate } from '../rules/plain-date.js';
import {
  DUTY_WORKFLOW_ID_PREFIX,
  dutyPeriodStateQuery,
  dutyPeriodWorkflow,
  recordEvidenceUpdate,
} from '../workflows/duty-period.js';
import type { Api } from './api.js';
import type { Auditor } from './audit.js';
import { HttpError } from './http-error.js';
import { confineRegion } from './scope.js';
import { createScheduleOnce } from './temporal.js';
import { boundedDate, pastDate } from './validation.js';
import { actorOf, refusalOf } from './workflow-routes.js';

const PERIOD_STARTS: Record<PeriodKind, CalendarSpec['month']> = {
  quarter: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'],
  'half-year': ['JANUARY', 'JULY'],
  year: ['JANUARY'],
};

const owes = (rule: DutyRule, organ: Organ) => rule.appliesTo.includes(organ.level) || rule.appliesTo.includes('organ');

/** The duties each organ owes with a period to enforce, under the packs in force on `on`. */
export function dutiesOwed(jurisdiction: string, organs: readonly Organ[], on: PlainDate) {
  const duties = Object.entries(caseRules(jurisdiction, on).duties);
  return organs.flatMap((organ) =>
    duties
      .filter(([, d]) => d.rule.period !== 'as-needed' && owes(d.rule, organ))
      .map(([dutyId, d]) => ({ organ, dutyId, period: d.rule.period as PeriodKind })),
  );
}

/**
 * How many duties are put in place at once at start. Beijing's registry owes 540 periodic duties
 * (a Schedule and a current period each): one after another they took about 60 s at a first
 * start on the shared 2-core machine, eight at a time 17 s; a later start finds them all in place.
 */
const SCHEDULES_AT_ONCE = 8;

export async function ensureDutySchedules(
  client: Client,
  // organs and timeZone: the jurisdiction's (domain/jurisdiction-data.ts).
  options: { jurisdiction: string; taskQueue: string; organs: readonly Organ[]; timeZone: string; today: PlainDate },
): Promise<{ schedules: number; periodsOpened: number }> {
  let schedules = 0;
  let periodsOpened = 0;
  const owed = dutiesOwed(options.jurisdiction, options.organs, options.today);
  const ensure = async ({ organ, dutyId, period }: (typeof owed)[number]) => {
    const input = { jurisdiction: options.jurisdiction, organ: organ.code, level: organ.level, dutyId };
    const id = `${DUTY_WORKFLOW_ID_PREFIX}${organ.code}/${dutyId}`;
    const created = await createScheduleOnce(client, {
      scheduleId: id,
      spec: {
        calendars: [{ month: PERIOD_STARTS[period], dayOfMonth: 1, hour: 0, minute: 0, second: 0, comment: `each ${period}` }],
        timezone: options.timeZone,
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
  };
  // A few lanes each taking the next duty: the first failure stops every lane and is thrown.
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < owed.length) {
      const duty = owed[next++]!;
      try {
        await ensure(duty);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SCHEDULES_AT_ONCE, owed.length) }, lane));
  return { schedules, periodsOpened };
}

const EVIDENCE_KINDS = ['meeting', 'report', 'inspection', 'letter', 'research', 'notice', 'reception'] as const;
const evidenceBody = z
  .object({
    kind: z.enum(EVIDENCE_KINDS),
    date: boundedDate,
    reference: z.string().trim().min(1).max(200),
    participants: z.array(z.string().trim().min(1).max(80)).max(100).optional(),
    days: z.number().int().positive().max(366).optional(),
  })
  .strict();

const today = () => chinaDateOf(new Date());
const recordBody = z
  .object({
    kind: z.enum(EVIDENCE_KINDS),
    date: pastDate(today),
    /** The reception register's entry, the letter's number, the minutes. */
    reference: z.string().trim().min(1).max(200),
    /** A reception's form: 接访 at the post, 约访 by appointment, 下访 going down (Beijing art. 12; 2022 art. 18). */
    mode: z.enum(RECEPTION_MODES).optional(),
    participants: z.array(z.string().trim().min(1).max(80)).max(100).optional(),
  })
  .strict()
  .refine((r) => r.mode === undefined || r.kind === 'reception', { message: 'only a reception (接访) has a mode', path: ['mode'] });
/** What `POST /duties/:organ/:dutyId/records` takes (the dashboard's record form sends it). */
export type DutyRecordBody = z.input<typeof recordBody>;

const calendarQuery = z
  .object({
    region: z.string().regex(/^\d{6}(\d{3})?$/, 'a region code: a city, district or street').optional(),
    organ: z.string().min(1).max(80).optional(),
    year: z.coerce.number().int().min(2000).max(2100),
    /** Only the periods standing so (the summary still counts every period). */
    status: z.enum(DUTY_STATUSES).optional(),
  })
  .strict()
  .refine((q) => !(q.region && q.organ), { message: 'give region or organ, not both', path: ['organ'] });

const evidenceParams = z.object({ organ: z.string().min(1).max(80), dutyId: z.string().min(1).max(80) }).strict();

/** The duty as the packs in force on `date` have it; a day no pack covers owes nothing (400, naming the date). */
function dutyInForce(jurisdiction: string, dutyId: string, date: PlainDate) {
  let duties;
  try {
    duties = caseRules(jurisdiction, date).duties;
  } catch (error) {
    if (error instanceof PackError) throw new HttpError(400, `no duty is owed on ${date}: ${error.message}`, undefined, 'date');
    throw error;
  }
  // Own keys only: a duty named "constructor" is no duty of the packs.
  return Object.hasOwn(duties, dutyId) ? duties[dutyId] : undefined;
}

/**
 * Each duty the periods are of, as the pack in force at its latest period's start has it: its
 * name, period, the evidence that meets it and the article imposing it (for the page's labels
 * and its evidence form).
 */
function dutyRules(jurisdiction: string, rows: DutyCalendarRow[]) {
  const latest = new Map<string, string>();
  for (const r of rows) if ((latest.get(r.duty_id) ?? '') < r.period_start) latest.set(r.duty_id, r.period_start);
  const rules: Record<string, { labelZh: string; labelEn: string; period: string; evidence: DutyRule['evidence']; minCount: number; minDays: number | null; article: string | null; title: string; pack: string }> = {};
  for (const [dutyId, start] of latest) {
    let duties;
    try {
      duties = caseRules(jurisdiction, start as PlainDate).duties;
    } catch (error) {
      if (error instanceof PackError) continue;
      throw error;
    }
    const duty = Object.hasOwn(duties, dutyId) ? duties[dutyId] : undefined;
    if (!duty) continue;
    const { rule } = duty;
    rules[dutyId] = { labelZh: rule.labelZh, labelEn: rule.labelEn, period: rule.period, evidence: [...rule.evidence], minCount: rule.minCount, minDays: rule.minDays ?? null, article: rule.source.article ?? null, title: duty.from.titleZh, pack: duty.from.pack };
  }
  return rules;
}

/** The duties owed as needed under the packs in force on `on`: name, the evidence that records them, the article. */
function asNeededDuties(jurisdiction: string, on: PlainDate) {
  let duties;
  try {
    duties = caseRules(jurisdiction, on).duties;
  } catch (error) {
    if (error instanceof PackError) return [];
    throw error;
  }
  return Object.entries(duties)
    .filter(([, d]) => d.rule.period === 'as-needed')
    .map(([dutyId, d]) => ({ dutyId, rule: d.rule, info: { labelZh: d.rule.labelZh, labelEn: d.rule.labelEn, evidence: [...d.rule.evidence], article: d.rule.source.article ?? null, title: d.from.titleZh, pack: d.from.pack } }));
}

/**
 * The as-needed duties' records of the organs dated in the year, and per organ what they owe
 * as needed and how much was recorded: reception days (distinct dates of receiving visitors),
 * annotated letters, and every record.
 */
function recordsAnswer(jurisdiction: string, organs: readonly Organ[], rows: DutyRecordRow[]) {
  const duties = asNeededDuties(jurisdiction, today());
  const names = new Map(organs.map((o) => [o.code, o.nameZh]));
  const recordSummary = organs.map((o) => {
    const own = rows.filter((r) => r.organ === o.code);
    return {
      organ: o.code,
      organ_name: o.nameZh,
      duties: duties.filter((d) => owes(d.rule, o)).map((d) => d.dutyId),
      reception_days: new Set(own.filter((r) => r.kind === 'reception').map((r) => r.date)).size,
      letters: own.filter((r) => r.kind === 'letter').length,
      records: own.length,
    };
  });
  return {
    records: rows.map((r) => ({ ...r, organ_name: names.get(r.organ) ?? null })),
    recordSummary,
    asNeeded: Object.fromEntries(duties.map((d) => [d.dutyId, d.info])),
  };
}

/**
 * The calendar's periods, each with its organ's name, filtered to `status`; and per organ asked
 * for, how many periods stand in each status, so an overview reads "missed" without the list.
 */
function calendarAnswer(jurisdiction: string, organs: readonly Organ[], rows: DutyCalendarRow[], status: DutyCalendarRow['status'] | undefined) {
  const names = new Map(organs.map((o) => [o.code, o.nameZh]));
  const summary = organs.map((o) => {
    const counts = { open: 0, met: 0, late: 0, missed: 0 };
    for (const r of rows) if (r.organ === o.code) counts[r.status]++;
    return { organ: o.code, organ_name: o.nameZh, ...counts };
  });
  const periods = rows.filter((r) => status === undefined || r.status === status).map((r) => ({ ...r, organ_name: names.get(r.organ) ?? null }));
  return { ...(status ? { status } : {}), periods, summary, duties: dutyRules(jurisdiction, rows) };
}

/** What GET /duties answers. */
export type DutyCalendarAnswer = ReturnType<typeof calendarAnswer> & ReturnType<typeof recordsAnswer> & { year: number; region?: string; organ?: string };
/** What POST /duties/:organ/:dutyId/records answers: the record kept. */
export type DutyRecordKept = DutyRecordRow & { organ_name: string };

export interface DutyRouteDeps {
  store: AnalyticsStore;
  temporal: Client;
  jurisdiction: string;
  organs: readonly Organ[];
  audit: Auditor;
}

export function dutyRoutes(api: Api, deps: DutyRouteDeps): void {
  const { store, temporal, jurisdiction, organs, audit } = deps;
  const organOf = (code: string) => {
    const organ = organs.find((o) => o.code === code);
    if (!organ) throw new HttpError(404, `no organ ${code}`);
    return organ;
  };

  api.add(
    { method: 'get', path: '/duties', summary: "The duty calendar of a region's organs (yours unless one under it is given) or of one organ, with each organ's count per status", access: 'duties.read', scope: 'region', query: calendarQuery },
    async ({ query, principal }) => {
      if (query.organ) {
        const organ = organOf(query.organ);
        await confineRegion(store, principal, organSeat(organ));
        return {
          organ: organ.code,
          year: query.year,
          ...calendarAnswer(jurisdiction, [organ], await dutyCalendar(store, [organ.code], query.year), query.status),
          ...recordsAnswer(jurisdiction, [organ], await dutyRecords(store, [organ.code], query.year)),
        };
      }
      const region = await confineRegion(store, principal, query.region);
      // The city code covers the city's own organs, a district code its district's own (its
      // leadership, petition office and departments), a street code its street's leadership.
      const chosen = organs.filter((o) => organSeat(o) === region);
      if (chosen.length === 0) throw new HttpError(404, `no organs in region ${region}`);
      const codes = chosen.map((o) => o.code);
      return {
        region,
        year: query.year,
        ...calendarAnswer(jurisdiction, chosen, await dutyCalendar(store, codes, query.year), query.status),
        ...recordsAnswer(jurisdiction, chosen, await dutyRecords(store, codes, query.year)),
      };
    },
  );

  api.add(
    {
      method: 'post',
      path: '/duties/:organ/:dutyId/evidence',
      summary: 'Record evidence of a periodic duty for the period containing its date',
      access: 'duties.evidence',
      scope: 'region',
      params: evidenceParams,
      body: evidenceBody,
    },
    async ({ req, params, body, principal }) => {
      const organ = organOf(params.organ);
      await confineRegion(store, principal, organSeat(organ));
      const evidence = { ...body, actor: actorOf(principal) };
      const duty = dutyInForce(jurisdiction, params.dutyId, evidence.date);
      if (!duty || duty.rule.period === 'as-needed') throw new HttpError(404, `no periodic duty ${params.dutyId}`);
      const period = periodContaining(evidence.date, duty.rule.period);
      const workflowId = await periodWorkflowId(store, organ.code, params.dutyId, period.label);
      if (!workflowId) throw new HttpError(404, `no ${period.label} period of ${params.dutyId} was opened for ${organ.code}`);
      const handle = temporal.workflow.getHandle(workflowId);
      const refused = async (reason: string, detail: Record<string, unknown>, refusal?: Refusal) => {
        await audit.record(req, principal, { action: 'duty.evidence', outcome: 'denied', status: 409, objectIds: [workflowId], detail });
        return new HttpError(409, reason, undefined, undefined, refusal);
      };
      try {
        const result = await handle.executeUpdate(recordEvidenceUpdate, { args: [evidence] });
        await audit.record(req, principal, { action: 'duty.evidence', outcome: 'ok', status: 200, objectIds: [workflowId] });
        return result;
      } catch (error) {
        if (!(error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError)) throw error;
        const state = await handle.query(dutyPeriodStateQuery).catch(() => null);
        if (state && state.status !== 'open') {
          // Late: kept as such beside the finding, which it does not change.
          await recordDutyEvent(store, {
            organ: organ.code,
            dutyId: params.dutyId,
            period,
            type: 'late_evidence',
            key: `${evidence.date}:${evidence.reference}`,
            occurredAt: new Date().toISOString(),
            actor: evidence.actor,
            detail: { kind: evidence.kind, date: evidence.date, reference: evidence.reference },
          });
          const late: Refusal<'lateEvidenceKept'> = { code: 'lateEvidenceKept', params: { label: period.label, status: state.status } };
          throw await refused(`the ${period.label} period closed as ${state.status}; the evidence is kept as late evidence and does not change the finding`, { late: true, period: state.status }, late);
        }
        const reason = error instanceof WorkflowUpdateFailedError ? error.cause?.message : error.message;
        throw await refused(`evidence refused: ${reason}`, { refused: reason ?? null }, error instanceof WorkflowUpdateFailedError ? refusalOf(error.cause) : undefined);
      }
    },
  );

  api.add(
    {
      method: 'post',
      path: '/duties/:organ/:dutyId/records',
      summary: "Record a duty owed as needed (a leader's reception day 领导接访日, an annotated letter 阅批来信, ...) for an organ, with the article imposing it",
      access: 'duties.evidence',
      scope: 'region',
      params: evidenceParams,
      body: recordBody,
      status: 201,
    },
    async ({ req, params, body, principal }): Promise<DutyRecordKept> => {
      const organ = organOf(params.organ);
      await confineRegion(store, principal, organSeat(organ));
      const duty = dutyInForce(jurisdiction, params.dutyId, body.date);
      if (!duty || duty.rule.period !== 'as-needed') throw new HttpError(404, `no duty ${params.dutyId} owed as needed on ${body.date}${duty ? ': a periodic duty takes evidence for its period' : ''}`);
      const objectId = `${organ.code}/${params.dutyId}`;
      const refused = async (status: number, refusal: Refusal, at?: string) => {
        const error = new HttpError(status, `record refused: ${refusalIn(refusal, 'en')}`, undefined, at, refusal);
        await audit.record(req, principal, { action: 'duty.record', outcome: 'denied', status, objectIds: [objectId], detail: { refused: refusal.code, kind: body.kind, date: body.date } });
        return error;
      };
      const cite = `${duty.from.titleZh} ${duty.rule.source.article ?? ''} [${duty.from.pack}]`.replace('  ', ' ');
      if (!owes(duty.rule, organ)) throw await refused(409, { code: 'dutyNotOwed', params: { cite, organ: organ.code, level: organ.level } });
      if (!duty.rule.evidence.includes(body.kind)) {
        throw await refused(409, { code: 'evidenceKind', params: { cite, accepted: duty.rule.evidence.join(','), kind: body.kind } }, 'kind');
      }
      const record = {
        organ: organ.code,
        dutyId: params.dutyId,
        kind: body.kind,
        date: body.date,
        reference: body.reference,
        ...(body.mode ? { mode: body.mode } : {}),
        ...(body.participants?.length ? { participants: body.participants } : {}),
        rule: cite,
        actor: actorOf(principal),
        recordedAt: new Date().toISOString(),
      };
      if (!(await recordDutyRecord(store, record))) throw await refused(409, { code: 'recordKept', params: { reference: body.reference, date: body.date } });
      await audit.record(req, principal, { action: 'duty.record', outcome: 'ok', status: 201, objectIds: [objectId], detail: { kind: body.kind, date: body.date, rule: cite } });
      return {
        organ: record.organ,
        organ_name: organ.nameZh,
        duty_id: record.dutyId,
        kind: record.kind,
        date: record.date,
        reference: record.reference,
        mode: body.mode ?? null,
        participants: body.participants?.join('、') ?? null,
        rule: cite,
        actor: record.actor,
        recorded_at: record.recordedAt.replace(/\.\d{3}Z$/, 'Z'),
      };
    },
  );
}
