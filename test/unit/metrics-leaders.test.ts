/**
 * Leaders' duties counted by the metrics catalog (issue 18; national measures art. 4, Beijing
 * arts. 12-13, 2022 Regulations art. 18): receptions (接访) and those by appointment (约访) and
 * going down (下访), letters read (阅批) from the records of the duty owed as needed, and cases a
 * leader owns (包案) from the cases' leader_assigned events; each by district, street and organ,
 * dated by the record's or naming's China day, as of a date. Every figure is worked out by hand
 * below and checked again against plain SQL over the tables; the measures are in the catalog the
 * API serves, and a reception's form recorded through the API is counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { recordHistory } from '../../analytics/case-log.js';
import { recordDutyRecord, type DutyRecord } from '../../analytics/duty-log.js';
import { queryMetrics, type MetricRequest } from '../../analytics/metrics/query.js';
import { AnalyticsStore } from '../../analytics/store.js';
import type { CaseEvent, CaseIntake } from '../../domain/case.js';
import { chinaDateOf, parsePlainDate as d } from '../../rules/plain-date.js';
import { createUser } from '../../server/identity/users.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';

const LEADER_MEASURES = ['leader_receptions', 'leader_appointments', 'leader_visits_down', 'letters_read', 'leader_owned_cases'] as const;

type Rec = Pick<DutyRecord, 'organ' | 'dutyId' | 'kind' | 'date' | 'reference' | 'mode' | 'recordedAt'>;
const rec = (organ: string, kind: string, date: string, reference: string, mode?: DutyRecord['mode'], recordedAt = `${date}T02:00:00Z`, dutyId = 'leaderReception'): Rec => ({
  organ, dutyId, kind, date, reference, ...(mode ? { mode } : {}), recordedAt,
});
// BJ-RSJ is a city department (region 110000), D110105 Chaoyang's leadership, S110105001 Jianwai
// street's leadership (district 110105, street 110105001), D110108 Haidian's leadership.
const RECORDS: Rec[] = [
  rec('BJ-RSJ', 'reception', '2025-03-01', 'RSJ-1', 'at_post'),
  rec('BJ-RSJ', 'reception', '2025-03-01', 'RSJ-2', 'appointment', '2025-03-02T01:00:00Z'),
  rec('BJ-RSJ', 'reception', '2025-05-10', 'RSJ-3'), // its form not recorded: a reception all the same
  rec('BJ-RSJ', 'letter', '2025-03-02', 'RSJ-L1'),
  rec('D110105', 'reception', '2025-04-01', 'CY-1', 'going_down'),
  rec('D110105', 'letter', '2025-04-02', 'CY-L1'),
  rec('D110105', 'letter', '2025-11-02', 'CY-L2'),
  rec('D110105', 'reception', '2024-12-31', 'CY-0', 'at_post'), // the year before
  rec('S110105001', 'reception', '2025-07-01', 'JW-1', 'appointment'),
  rec('S110105001', 'letter', '2025-01-01', 'JW-L1'),
  rec('S110105001', 'meeting', '2025-07-02', 'JW-M1', undefined, undefined, 'hearReport.street'), // a hearing: no leader's reception
  // Entered at 00:30 on 1 January 2026 in Beijing: not yet there as of 31 December 2025.
  rec('D110108', 'reception', '2025-12-20', 'HD-1', 'going_down', '2025-12-31T16:30:00Z'),
];

const kase = (caseId: string, regionCode: string, streetCode?: string): CaseIntake => ({
  caseId, jurisdiction: 'beijing', receivedAt: '2024-12-01T02:00:00Z', channel: 'visit', regionCode, ...(streetCode ? { streetCode } : {}), collectiveSize: 1,
});
let namings = 0;
const named = (caseId: string, leader: string, occurredAt: string): CaseEvent => ({
  caseId, type: 'leader_assigned', key: `${++namings}:${leader}`, occurredAt, actor: 'clerk', detail: { leader, leaderName: leader },
});
// The demo users lead: leader the city (110000), leader-chaoyang the district 110105, leader-jianwai the street 110105001.
const CASES = [
  {
    intake: kase('L1', '110105'),
    events: [
      named('L1', 'leader-chaoyang', '2025-02-01T02:00:00Z'),
      named('L1', 'leader-chaoyang-2', '2025-03-01T02:00:00Z'), // a colleague of the same leadership: still one case of D110105
      named('L1', 'leader', '2025-06-01T02:00:00Z'), // handed to the city's leader: one of BJ's too
    ],
  },
  { intake: kase('L2', '110105', '110105001'), events: [named('L2', 'leader-jianwai', '2025-04-01T02:00:00Z')] },
  { intake: kase('L3', '110105'), events: [named('L3', 'leader-chaoyang', '2024-12-31T16:30:00Z')] }, // 1 January 2025 in Beijing
  { intake: kase('L4', '110108'), events: [named('L4', 'leader', '2024-12-31T15:30:00Z')] }, // 31 December 2024 in Beijing
  { intake: kase('L5', '110108'), events: [named('L5', 'ghost', '2025-08-01T02:00:00Z')] }, // no such user: no organ, no district
];

let store: AnalyticsStore;
let app: RunningApp;
beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await seedUsers(store);
  await createUser(store, { username: 'leader-chaoyang-2', displayName: '朝阳区另一位领导', role: 'leader', jurisdiction: 'beijing', regionCode: '110105' });
  for (const r of RECORDS) expect(await recordDutyRecord(store, { ...r, rule: 'test', actor: 'clerk' })).toBe(true);
  await recordHistory(store, CASES.map(({ intake, events }) => ({ intake, events: [{ caseId: intake.caseId, type: 'received', occurredAt: intake.receivedAt }, ...events] })), 'import');
  app = await startApiApp({ store });
}, 60_000);
afterAll(async () => {
  await app?.close();
  store?.close();
});

const year2025 = (asOf = '2026-06-30') => ({ from: d('2025-01-01'), to: d('2025-12-31'), asOf: d(asOf) });
const values = async (request: Omit<MetricRequest, 'measures'>) =>
  Object.fromEntries((await queryMetrics(store, { ...request, measures: LEADER_MEASURES })).map((r) => [r.measure, r.value]));
/** measure → dimension value → figure. */
const by = async (request: Omit<MetricRequest, 'measures'>, dim: 'district' | 'organ' | 'street' | 'month') => {
  const out: Record<string, Record<string, number | null>> = {};
  for (const r of await queryMetrics(store, { ...request, measures: LEADER_MEASURES, by: [dim] })) {
    if (r.value) (out[r.measure] ??= {})[r.dims[dim] ?? '(none)'] = r.value;
  }
  return out;
};

describe("leaders' records counted by hand", () => {
  it('counts receptions in every form, appointments, visits down and letters read in 2025', async () => {
    expect(await values(year2025())).toEqual({
      leader_receptions: 6, // RSJ-1 RSJ-2 RSJ-3 CY-1 JW-1 HD-1 (not CY-0 of 2024, not the hearing)
      leader_appointments: 2, // RSJ-2 JW-1
      leader_visits_down: 2, // CY-1 HD-1
      letters_read: 4, // RSJ-L1 CY-L1 CY-L2 JW-L1
      leader_owned_cases: 5, // L1 by D110105 and by BJ, L2, L3, L5
    });
  });

  it('places each record where its organ sits: the city, a district, a street', async () => {
    expect(await by(year2025(), 'district')).toEqual({
      leader_receptions: { '110000': 3, '110105': 2, '110108': 1 },
      leader_appointments: { '110000': 1, '110105': 1 },
      leader_visits_down: { '110105': 1, '110108': 1 },
      letters_read: { '110000': 1, '110105': 3 },
      leader_owned_cases: { '110000': 1, '110105': 3, '(none)': 1 },
    });
    expect(await by({ ...year2025(), region: '110105' }, 'organ')).toEqual({
      leader_receptions: { D110105: 1, S110105001: 1 },
      leader_appointments: { S110105001: 1 },
      leader_visits_down: { D110105: 1 },
      letters_read: { D110105: 2, S110105001: 1 },
      leader_owned_cases: { D110105: 2, S110105001: 1 },
    });
    expect(await values({ ...year2025(), region: '110105001' })).toEqual({
      leader_receptions: 1, leader_appointments: 1, leader_visits_down: 0, letters_read: 1, leader_owned_cases: 1,
    });
  });

  it('dates by the China day, and counts as of a date only what was recorded by then', async () => {
    // HD-1 was entered on 1 January 2026; L1's naming by the city's leader came on 1 June.
    expect(await values(year2025('2025-12-31'))).toMatchObject({ leader_receptions: 5, leader_visits_down: 1 });
    expect(await values(year2025('2025-05-31'))).toMatchObject({ leader_owned_cases: 3, letters_read: 3 });
    expect((await by(year2025(), 'month')).leader_owned_cases).toEqual({ '2025-01': 1, '2025-02': 1, '2025-04': 1, '2025-06': 1, '2025-08': 1 });
    expect(await values({ from: d('2024-01-01'), to: d('2024-12-31'), asOf: d('2026-06-30') })).toMatchObject({ leader_receptions: 1, leader_owned_cases: 1 });
  });
});

const countRow = z.object({ district: z.string().nullable(), receptions: z.number(), appointments: z.number(), down: z.number(), letters: z.number() });

describe("leaders' measures against plain SQL", () => {
  it('equals counts over duty_records and the organs, by district', async () => {
    const sql = await store.all(
      countRow,
      `SELECT o.region_code AS district,
              count(*) FILTER (WHERE r.kind = 'reception')::INTEGER AS receptions,
              count(*) FILTER (WHERE r.kind = 'reception' AND r.reception_mode = 'appointment')::INTEGER AS appointments,
              count(*) FILTER (WHERE r.kind = 'reception' AND r.reception_mode = 'going_down')::INTEGER AS down,
              count(*) FILTER (WHERE r.kind = 'letter')::INTEGER AS letters
         FROM duty_records r JOIN organs o ON o.code = r.organ
        WHERE r.record_date BETWEEN DATE '2025-01-01' AND DATE '2025-12-31' AND r.recorded_at < TIMESTAMPTZ '2026-07-01 00:00:00+08'
        GROUP BY 1`,
    );
    const measured = await by(year2025(), 'district');
    for (const row of sql) {
      const district = row.district ?? '(none)';
      expect([district, measured.leader_receptions?.[district] ?? 0, measured.leader_appointments?.[district] ?? 0, measured.leader_visits_down?.[district] ?? 0, measured.letters_read?.[district] ?? 0]).toEqual([
        district, row.receptions, row.appointments, row.down, row.letters,
      ]);
    }
    expect(sql.reduce((s, r) => s + r.receptions, 0)).toBe(6);
  });

  it('equals the (case, leader region) pairs whose first naming falls in the year', async () => {
    const [row] = await store.all(
      z.object({ n: z.number() }),
      `SELECT count(*)::INTEGER AS n FROM (
         SELECT e.case_id, u.region_code, min(e.occurred_at) AS first
           FROM case_events e LEFT JOIN users u ON u.username = (e.detail->>'$.leader')
          WHERE e.event_type = 'leader_assigned' GROUP BY ALL)
        WHERE first >= TIMESTAMPTZ '2025-01-01 00:00:00+08' AND first < TIMESTAMPTZ '2026-01-01 00:00:00+08'`,
    );
    expect((await values(year2025())).leader_owned_cases).toBe(row!.n);
  });
});

describe("leaders' measures over the API", () => {
  const api = async (headers: Record<string, string>, path: string, body?: unknown) => {
    const response = await fetch(`${app.base}/api/v1${path}`, body === undefined ? { headers } : { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('lists them in the catalog with their article and dimensions', async () => {
    const { status, body } = await api(await tokenHeaders(store, 'analyst'), '/metrics/catalog');
    expect(status).toBe(200);
    const measures = new Map((body.measures as { id: string; source: string; basedOn: string; dimensions: string[] }[]).map((m) => [m.id, m]));
    for (const id of LEADER_MEASURES) {
      expect(measures.get(id), id).toMatchObject({ basedOn: expect.stringMatching(/art/), dimensions: expect.arrayContaining(['month', 'district', 'street', 'organ']) });
    }
    expect(measures.get('leader_receptions')).toMatchObject({ labelZh: '领导接访', source: 'duty_records', basedOn: expect.stringContaining('2022 Regulations art. 18') });
    expect(measures.get('leader_owned_cases')).toMatchObject({ labelZh: '领导包案', source: 'leader_cases', basedOn: expect.stringContaining('000 art. 13') });
  });

  it("takes a reception's form with the record, refuses one on a letter, and counts it", async () => {
    const clerk = await tokenHeaders(store, 'clerk-chaoyang');
    const today = chinaDateOf(new Date());
    const path = '/duties/D110105/leaderReception/records';
    const kept = await api(clerk, path, { kind: 'reception', date: today, reference: '朝阳区领导下访登记 9 号', mode: 'going_down' });
    expect(kept).toMatchObject({ status: 201, body: { organ: 'D110105', kind: 'reception', mode: 'going_down' } });
    expect(await api(clerk, path, { kind: 'letter', date: today, reference: '阅批 9 号', mode: 'appointment' })).toMatchObject({ status: 400, body: { problems: [{ at: 'mode' }] } });
    expect(await api(clerk, path, { kind: 'reception', date: today, reference: '登记 10 号', mode: 'by_phone' })).toMatchObject({ status: 400, body: { problems: [{ at: 'mode' }] } });
    const year = today.slice(0, 4);
    const { body } = await api(await tokenHeaders(store, 'analyst'), `/metrics?measure=leader_receptions,leader_visits_down&year=${year}&region=110105`);
    expect(Object.fromEntries((body.rows as { measure: string; value: number }[]).map((r) => [r.measure, r.value]))).toEqual({ leader_receptions: 1, leader_visits_down: 1 });
    const [listed] = await store.all(z.object({ mode: z.string().nullable() }), "SELECT reception_mode AS mode FROM duty_records WHERE reference = '朝阳区领导下访登记 9 号'");
    expect(listed).toEqual({ mode: 'going_down' });
  });
});
