/**
 * The lists behind the leaders' overview (issue 14), on seeded data and real workflows: the
 * overdue cases of a jurisdiction with the step and days late, the duties missed with their
 * article and organ, the accountability cases still open. Each filter is confined as every
 * other route is: another district's rows never reach a district user, and asking for them is
 * refused; an organ's user keeps its organ's cases.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { recordHistory } from '../../analytics/case-log.js';
import { loadDemoData } from '../../analytics/demo-data.js';
import { recordDutyEvent, type DutyEvent } from '../../analytics/duty-log.js';
import type { CaseEvent, CaseIntake } from '../../domain/case.js';
import { BEIJING_ORGANS } from '../../domain/organs.js';
import { caseDeadline, dutyPlan } from '../../rules/case-rules.js';
import { periodsOfYear, type Period } from '../../rules/periods.js';
import { addDays, chinaDateOf, type PlainDate } from '../../rules/plain-date.js';
import { startApiApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();
const TODAY = chinaDateOf(new Date());
const daysAgo = (n: number) => addDays(TODAY, -n);
const at = (day: PlainDate) => new Date(`${day}T10:00:00+08:00`).toISOString();
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

interface CaseRow {
  case_id: string;
  region_code: string;
  origin: string;
  stage: string;
  routed: boolean;
  route_overdue: boolean;
  actionable: boolean;
  overdue: { step: string; due: string; daysLate: number } | null;
}

// Cases as the generator or an import would have recorded them, each placed to test one rule.
const CY_HANDLING = 'OV-DEMO-CY'; // Chaoyang's Jianwai street: accepted, extended, the extension passed without a reply.
const HD_UNROUTED = 'OV-DEMO-HD'; // Haidian: never routed, the route deadline long gone.
const CY_ROUTED_LATE = 'OV-DEMO-CY-DONE'; // Chaoyang: routed late, then closed: overdue once, not now.
const CY_IMPORTED = 'OV-IMP-CY'; // Chaoyang, the import names the district's organ: its deadline still ahead.

function intake(caseId: string, received: PlainDate, regionCode: string, extra: Partial<CaseIntake> = {}): CaseIntake {
  return { caseId, jurisdiction: 'beijing', receivedAt: at(received), channel: 'letter', regionCode, collectiveSize: 1, ...extra };
}
const event = (caseId: string, type: CaseEvent['type'], day: PlainDate, extra: Partial<CaseEvent> = {}): CaseEvent => ({ caseId, type, occurredAt: at(day), ...extra });
const received = (caseId: string, day: PlainDate, due: PlainDate) => event(caseId, 'received', day, { dueDate: due, detail: { receivedBy: 'petition-office' } });

async function seedCases(): Promise<void> {
  await recordHistory(
    t.store,
    [
      {
        intake: intake(CY_HANDLING, daysAgo(60), '110105', { streetCode: '110105001' }),
        events: [
          received(CY_HANDLING, daysAgo(60), daysAgo(45)),
          event(CY_HANDLING, 'routed', daysAgo(55), { detail: { mode: 'forward', toOrgan: '朝阳区人力资源社会保障局', toKind: 'competent', late: false } }),
          event(CY_HANDLING, 'accepted', daysAgo(54), { detail: { organ: '朝阳区人力资源社会保障局' } }),
          event(CY_HANDLING, 'extended', daysAgo(20), { dueDate: daysAgo(10), detail: { days: 30, reason: '情况复杂', approvedBy: '局长' } }),
        ],
      },
      { intake: intake(HD_UNROUTED, daysAgo(30), '110108'), events: [received(HD_UNROUTED, daysAgo(30), daysAgo(20))] },
      {
        intake: intake(CY_ROUTED_LATE, daysAgo(40), '110105'),
        events: [
          received(CY_ROUTED_LATE, daysAgo(40), daysAgo(25)),
          event(CY_ROUTED_LATE, 'route_overdue', daysAgo(24), { dueDate: daysAgo(25) }),
          event(CY_ROUTED_LATE, 'routed', daysAgo(20), { detail: { mode: 'forward', toOrgan: '纪委监委', toKind: 'discipline-inspection', late: true } }),
          event(CY_ROUTED_LATE, 'closed', daysAgo(20), { detail: { reason: 'routed_out' } }),
        ],
      },
    ],
    'demo',
  );
  await recordHistory(t.store, [{ intake: intake(CY_IMPORTED, daysAgo(2), '110105', { organCode: 'D110105' }), events: [received(CY_IMPORTED, daysAgo(2), addDays(TODAY, 10))] }], 'import');
}

// Periodic duties of last year, as the period workflows record them (their activity is this writer).
const YEAR = Number(TODAY.slice(0, 4)) - 1;
const DUTY = 'hearReport.district';

async function seedDuties(): Promise<string> {
  const quarters = periodsOfYear(YEAR, 'quarter');
  const cite = dutyPlan('beijing', DUTY, 'district', quarters[0]!.start).cite;
  const record = (organ: string, period: Period, type: DutyEvent['type'], key: string) =>
    recordDutyEvent(t.store, { organ, dutyId: DUTY, period, type, key, occurredAt: at(type === 'period_opened' ? period.start : period.end), rule: cite, workflowId: `duty/${organ}/${DUTY}/${period.label}` });
  const outcomes: [string, Period, 'met' | 'missed' | 'late'][] = [
    ['D110105', quarters[0]!, 'missed'],
    ['D110105', quarters[1]!, 'met'],
    ['D110105', quarters[2]!, 'late'],
    ['D110105', quarters[3]!, 'met'],
    ['D110108', quarters[0]!, 'missed'],
  ];
  for (const [organ, period, outcome] of outcomes) {
    await record(organ, period, 'period_opened', 'opened');
    if (outcome === 'met') await record(organ, period, 'evidence', '1');
    await record(organ, period, outcome === 'met' ? 'met' : 'missed', 'finding');
    // Late evidence is kept by the route, outside the workflow and without the cite.
    if (outcome === 'late') await recordDutyEvent(t.store, { organ, dutyId: DUTY, period, type: 'late_evidence', key: 'late', occurredAt: at(addDays(period.end, 5)) });
  }
  return cite;
}

let cite = '';
beforeAll(async () => {
  await seedUsers(t.store);
  await seedCases();
  // The generator's cases, as `npm start` loads them: no workflow stands behind any of them.
  await loadDemoData(t.store, { anchorMonth: TODAY.slice(0, 7), jurisdiction: 'beijing', cases: 150, months: 2 });
  cite = await seedDuties();
});

/** The app on this test's server, and GET/POST as a demo user with an API token. */
async function serve(taskQueue: string) {
  const app = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue });
  const headers = new Map<string, Record<string, string>>();
  const call = async (user: string, path: string, body?: unknown) => {
    if (!headers.has(user)) headers.set(user, await tokenHeaders(t.store, user));
    const res = await fetch(`${app.base}/api/v1${path}`, {
      ...(body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }),
      headers: { ...headers.get(user), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const cases = async (user: string, query: string) => {
    const answer = await call(user, `/cases?limit=500&${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const { cases: rows, total } = answer.body as { cases: CaseRow[]; total: number };
    // Fewer than the limit: the count is of the very rows listed.
    expect(total).toBe(rows.length);
    return rows;
  };
  return { call, cases, close: app.close };
}

async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

const ids = (rows: CaseRow[]) => rows.map((r) => r.case_id);
const byId = (rows: CaseRow[], id: string) => rows.find((r) => r.case_id === id);

describe('overdue cases', () => {
  it('lists the overdue cases of the jurisdiction with step and days late; another district never; generated cases not actionable', async () => {
    await t.withWorker(async (taskQueue) => {
      const { call, cases, close } = await serve(taskQueue);
      try {
        // Two live cases registered 40 days late: their route clocks have long breached.
        const receivedDate = daysAgo(40);
        const routeDue = caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'route', start: receivedDate }).due;
        for (const [caseId, regionCode] of [
          ['OV-WF-CY', '110105'],
          ['OV-WF-HD', '110108'],
        ] as const) {
          expect((await call('clerk', '/cases', { caseId, channel: 'visit', regionCode, receivedAt: at(receivedDate) })).status).toBe(201);
        }
        // The workflow breaches the clock at once and records it.
        await eventually(async () => byId(await cases('leader', 'region=110105'), 'OV-WF-CY')?.route_overdue || undefined);

        const chaoyang = await cases('leader-chaoyang', 'overdue=true');
        expect(ids(chaoyang)).toEqual(expect.arrayContaining(['OV-WF-CY', CY_HANDLING]));
        for (const id of ['OV-WF-HD', HD_UNROUTED, CY_ROUTED_LATE, CY_IMPORTED]) expect(ids(chaoyang)).not.toContain(id);
        expect(chaoyang.every((r) => r.region_code === '110105' && r.overdue !== null && r.overdue.daysLate > 0)).toBe(true);
        // The total counts every match, not only those the limit lets through.
        expect((await call('leader-chaoyang', '/cases?limit=1&overdue=true')).body).toMatchObject({ cases: [{ case_id: chaoyang[0]!.case_id }], total: chaoyang.length });
        // Longest late first.
        const lateness = chaoyang.map((r) => r.overdue!.daysLate);
        expect(lateness).toEqual([...lateness].sort((a, b) => b - a));
        expect(byId(chaoyang, 'OV-WF-CY')).toMatchObject({
          origin: 'workflow',
          stage: 'awaiting_route',
          actionable: true,
          overdue: { step: 'route', due: routeDue, daysLate: daysBetween(routeDue, TODAY) },
        });
        expect(byId(chaoyang, CY_HANDLING)).toMatchObject({ origin: 'demo', stage: 'handling', actionable: false, overdue: { step: 'handle', due: daysAgo(10), daysLate: 10 } });

        // Another district is refused by name, and a street narrows to the street's cases.
        expect(await call('leader-chaoyang', '/cases?region=110108')).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
        const jianwai = await cases('leader-chaoyang', 'overdue=true&region=110105001');
        expect(ids(jianwai)).toContain(CY_HANDLING);
        expect(ids(jianwai)).not.toContain('OV-WF-CY');
        expect(ids(await cases('leader-jianwai', 'overdue=true'))).toEqual(ids(jianwai));

        // The city sees Haidian's when it asks for them, and only them.
        const haidian = await cases('leader', 'overdue=true&region=110108');
        expect(byId(haidian, HD_UNROUTED)).toMatchObject({ origin: 'demo', actionable: false, overdue: { step: 'route', due: daysAgo(20), daysLate: 20 } });
        expect(byId(haidian, 'OV-WF-HD')).toMatchObject({ actionable: true, overdue: { step: 'route' } });
        expect(haidian.every((r) => r.region_code === '110108')).toBe(true);

        // Routed late, then closed: overdue once (its route_overdue stays), not now.
        const notOverdue = await cases('leader-chaoyang', 'overdue=false');
        expect(byId(notOverdue, CY_ROUTED_LATE)).toMatchObject({ stage: 'closed', route_overdue: true, actionable: false, overdue: null });
        expect(notOverdue.every((r) => r.overdue === null)).toBe(true);

        // Routing the live case does the step: it leaves the overdue list, still actionable.
        expect((await call('clerk', '/cases/OV-WF-CY/route', { mode: 'forward', toOrgan: '朝阳区委、区政府' })).status).toBe(200);
        const routed = await eventually(async () => {
          const row = byId(await cases('leader-chaoyang', ''), 'OV-WF-CY');
          return row?.routed ? row : undefined;
        });
        expect(routed).toMatchObject({ stage: 'awaiting_acceptance', actionable: true, overdue: null });
        expect(ids(await cases('leader-chaoyang', 'overdue=true'))).not.toContain('OV-WF-CY');

        // The generator's cases carry their origin and offer no action.
        const all = await cases('leader', '');
        const generated = all.filter((r) => r.case_id.startsWith('DEMO-'));
        expect(generated.length).toBeGreaterThan(100);
        expect(generated.every((r) => r.origin === 'demo' && r.actionable === false)).toBe(true);
        expect(byId(all, CY_IMPORTED)).toMatchObject({ origin: 'import', actionable: false, overdue: null });

        const handling = await cases('leader-chaoyang', 'stage=handling');
        expect(ids(handling)).toContain(CY_HANDLING);
        expect(handling.every((r) => r.stage === 'handling')).toBe(true);

        // An organ's user keeps its organ's cases; a region only narrows them.
        const organ = await cases('officer-chaoyang', '');
        expect(ids(organ)).toEqual(expect.arrayContaining([CY_IMPORTED, 'OV-WF-CY']));
        expect(ids(organ)).not.toContain(CY_HANDLING);
        expect(ids(await cases('officer-chaoyang', 'region=110108'))).toEqual([]);

        expect((await call('leader', '/cases?overdue=yes')).status).toBe(400);
        expect((await call('leader', '/cases?stage=lost')).status).toBe(400);
        expect((await call('leader', '/cases?region=999999')).status).toBe(400);
      } finally {
        await close();
      }
    });
  });
});

describe('duties missed', () => {
  interface Calendar {
    periods: { organ: string; organ_name: string | null; duty_id: string; period_label: string; status: string; rule: string | null }[];
    summary: { organ: string; organ_name: string; open: number; met: number; late: number; missed: number }[];
  }

  it('filters a region’s duty periods by status, each with its article and organ, and counts them per organ', async () => {
    const { call, close } = await serve('unused');
    try {
      const missed = await call('leader-chaoyang', `/duties?year=${YEAR}&status=missed`);
      expect(missed.status).toBe(200);
      const body = missed.body as Calendar;
      expect(body).toMatchObject({ region: '110105', year: YEAR, status: 'missed' });
      expect(body.periods).toEqual([{ organ: 'D110105', organ_name: '朝阳区委、区政府', duty_id: DUTY, period_label: `${YEAR}Q1`, status: 'missed', rule: cite, period_start: `${YEAR}-01-01`, period_end: `${YEAR}-03-31`, evidence: 0, evidence_items: [], workflow_id: `duty/D110105/${DUTY}/${YEAR}Q1` }]);
      expect(cite).toMatch(/第四条/);
      // Every organ of the district is counted; only its leadership has periods here.
      expect(body.summary.map((s) => s.organ)).toEqual(BEIJING_ORGANS.filter((o) => o.regionCode === '110105' && !o.streetCode).map((o) => o.code));
      expect(body.summary.filter((s) => s.open + s.met + s.late + s.missed > 0)).toEqual([{ organ: 'D110105', organ_name: '朝阳区委、区政府', open: 0, met: 2, late: 1, missed: 1 }]);

      const late = (await call('leader-chaoyang', `/duties?year=${YEAR}&status=late`)).body as Calendar;
      // The late evidence has no cite of its own: the period's other records give it.
      expect(late.periods).toMatchObject([{ period_label: `${YEAR}Q3`, status: 'late', rule: cite }]);
      // Unfiltered, the answer is the calendar as before, every period with its article.
      const all = (await call('leader-chaoyang', `/duties?year=${YEAR}`)).body as Calendar;
      expect(all.periods.map((p) => p.status)).toEqual(['missed', 'met', 'late', 'met']);

      expect(await call('leader-chaoyang', `/duties?year=${YEAR}&region=110108&status=missed`)).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
      const haidian = (await call('leader', `/duties?year=${YEAR}&region=110108&status=missed`)).body as Calendar;
      expect(haidian.periods).toMatchObject([{ organ: 'D110108', organ_name: '海淀区委、区政府', status: 'missed', rule: cite }]);
      expect((await call('leader', `/duties?year=${YEAR}&status=due`)).status).toBe(400);
    } finally {
      await close();
    }
  });
});

describe('accountability cases open', () => {
  interface Listed {
    cases: { case_id: string; organ: string; organ_name: string | null; region_code: string | null; status: string; step: string | null; step_rule: string | null; rectify_by: string | null; closed_reason: string | null }[];
    total: number;
  }
  const opening = (caseId: string, organ: string) => ({
    caseId,
    organ,
    ground: 'procedure',
    // Manual: a duty finding opens one case only (accountability-findings.test.ts), and this test is about the list.
    finding: { source: 'manual', ref: `overview-lists ${caseId}` },
    failure: { kind: 'collective', participants: [{ person: '区长', role: 'principal' }] },
    rectifyBy: addDays(TODAY, 30),
  });

  it('lists the open cases of the jurisdiction’s organs with their step; closed ones and other districts apart', async () => {
    await t.withWorker(async (taskQueue) => {
      const { call, close } = await serve(taskQueue);
      try {
        for (const [caseId, organ] of [
          ['OV-ACC-CY', 'D110105'],
          ['OV-ACC-CY-CLOSED', 'D110105'],
          ['OV-ACC-HD', 'D110108'],
        ] as const) {
          expect((await call('leader', '/accountability', opening(caseId, organ))).status).toBe(201);
        }
        // The step is imposed once the workflow has planned it: then it can be closed.
        const listed = (user: string, query: string) => call(user, `/accountability?${query}`).then((a) => a.body as Listed);
        await eventually(async () => ((await listed('leader', 'status=open')).cases.filter((c) => c.step !== null).length === 3 ? true : undefined));
        expect((await call('leader', '/accountability/OV-ACC-CY-CLOSED/closeAccountability', { reason: '已整改到位' })).status).toBe(200);
        await eventually(async () => ((await listed('leader', 'status=closed')).total === 1 ? true : undefined));

        const open = await listed('leader-chaoyang', 'status=open');
        expect(open).toMatchObject({ total: 1, cases: [{ case_id: 'OV-ACC-CY', organ: 'D110105', organ_name: '朝阳区委、区政府', region_code: '110105', status: 'open', step: 'notice', rectify_by: addDays(TODAY, 30) }] });
        expect(open.cases[0]!.step_rule).toMatch(/\S/);
        expect(await listed('leader-chaoyang', 'status=closed')).toMatchObject({ total: 1, cases: [{ case_id: 'OV-ACC-CY-CLOSED', status: 'closed', closed_reason: 'closed_by_decision' }] });
        expect((await listed('leader-chaoyang', '')).total).toBe(2);

        expect(await call('leader-chaoyang', '/accountability?region=110108')).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
        expect(await listed('leader', 'status=open&region=110108')).toMatchObject({ total: 1, cases: [{ case_id: 'OV-ACC-HD' }] });
        // No organ lies within a street: a street's office has none of its own.
        expect(await listed('clerk-jianwai', 'status=open')).toEqual({ cases: [], total: 0 });
        // An organ's user sees its own organ's cases, wherever it asks.
        expect((await listed('officer-chaoyang', 'status=open')).cases.map((c) => c.case_id)).toEqual(['OV-ACC-CY']);
        expect(await listed('officer-chaoyang', 'status=open&region=110108')).toEqual({ cases: [], total: 0 });
        expect((await call('leader', '/accountability?status=pending')).status).toBe(400);
      } finally {
        await close();
      }
    });
  });
});
