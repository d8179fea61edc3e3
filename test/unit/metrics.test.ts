/**
 * The metrics layer on a small hand-built dataset whose every answer is worked out below by
 * hand (issue 6): each measure, year boundaries in China time, comparisons, region roll-up,
 * filters, as-of stability, rankings and the annual dataset.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent, recordHistory } from '../../analytics/case-log.js';
import { recordDutyEvent } from '../../analytics/duty-log.js';
import { annualDataset } from '../../analytics/metrics/annual.js';
import { MEASURES, type MeasureId } from '../../analytics/metrics/catalog.js';
import { compareMetrics, previousPeriod, threeDeclines } from '../../analytics/metrics/compare.js';
import { queryMetrics, timeLabels, wilson, type MetricRequest } from '../../analytics/metrics/query.js';
import { rank } from '../../analytics/metrics/ranking.js';
import { answerMetrics } from '../../analytics/metrics/request.js';
import { recordOrgans, recordRegions } from '../../analytics/region-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import type { CaseEvent, CaseEventType, CaseIntake } from '../../domain/case.js';
import { BEIJING_ORGANS } from '../../domain/organs.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { parsePlainDate as d } from '../../rules/plain-date.js';

type Step = [CaseEventType, string, CaseEvent['detail']?];
const kase = (caseId: string, receivedAt: string, extra: Partial<CaseIntake>, steps: Step[] = []) => {
  const intake: CaseIntake = { caseId, jurisdiction: 'beijing', receivedAt, channel: 'visit', regionCode: '110105', collectiveSize: 1, ...extra };
  const events: CaseEvent[] = [
    { caseId, type: 'received', occurredAt: receivedAt },
    ...steps.map(([type, occurredAt, detail]): CaseEvent => ({ caseId, type, occurredAt, ...(detail ? { detail } : {}) })),
  ];
  return { intake, events };
};
const forward = { mode: 'forward', toOrgan: '朝阳区教委', toKind: 'organ' };

// China dates are UTC+8: 16:00Z is midnight in Beijing. Every case is in Chaoyang (110105) unless said.
const CASES = [
  // 2024 (China dates)
  kase('B1', '2024-02-10T02:00:00Z', {}),
  kase('B2', '2024-02-29T02:00:00Z', { channel: 'letter', collectiveSize: 5 }),
  kase('B3', '2024-07-01T02:00:00Z', { channel: 'online', regionCode: '110108', repeatPetition: true }),
  kase('B4', '2024-12-31T15:59:59Z', {}), // 23:59:59 on 31 December 2024 in Beijing
  // 2025
  kase('B5', '2024-12-31T16:00:00Z', { channel: 'letter', regionCode: '110101' }), // 00:00 on 1 January 2025
  kase('A1', '2025-01-10T02:00:00Z', { field: '教育', streetCode: '110105001' }, [
    ['routed', '2025-01-12T02:00:00Z', forward],
    ['accepted', '2025-01-15T02:00:00Z', { organ: '朝阳区教委' }],
    ['replied', '2025-02-20T02:00:00Z', { outcome: 'supported' }],
    ['rated', '2025-02-25T02:00:00Z', { satisfied: true }],
  ]),
  kase('A2', '2025-01-31T16:30:00Z', { channel: 'letter', collectiveSize: 6, repeatPetition: true }, [
    ['route_overdue', '2025-02-17T16:00:00Z'], // China 18 February
    ['routed', '2025-02-20T02:00:00Z', forward],
    ['accepted', '2025-02-21T02:00:00Z'],
    ['handle_overdue', '2025-04-22T16:00:00Z'], // China 23 April
    ['replied', '2025-05-01T02:00:00Z', { outcome: 'not_supported' }],
    ['rated', '2025-05-05T02:00:00Z', { satisfied: false }],
    ['review_requested', '2025-05-10T02:00:00Z'],
    ['review_opinion', '2025-06-01T02:00:00Z', { outcome: 'changed' }],
  ]),
  kase('A3', '2025-03-05T02:00:00Z', { channel: 'online', regionCode: '110108', field: '城乡建设', skipLevel: true }, [
    ['notified', '2025-03-06T02:00:00Z', { accepted: true }],
    ['accepted', '2025-03-06T03:00:00Z'],
    ['replied', '2025-12-30T17:00:00Z', { outcome: 'supported' }], // China 31 December 2025
  ]),
  kase('A5', '2025-06-15T02:00:00Z', { channel: 'phone' }, [
    ['notified', '2025-06-16T02:00:00Z', { accepted: false }],
    ['not_accepted', '2025-06-20T02:00:00Z'],
    ['closed', '2025-06-20T02:00:00Z', { reason: 'not_accepted' }],
  ]),
  kase('A6', '2025-11-20T02:00:00Z', {}, [['route_overdue', '2025-12-05T16:00:00Z']]),
  // 2026: received 31 December 2025 UTC, 1 January 2026 in Beijing
  kase('A4', '2025-12-31T16:30:00Z', {}),
];

let store: AnalyticsStore;
beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await store.transaction(async (conn) => {
    await recordRegions(conn, beijingRegions());
    await recordOrgans(conn, 'beijing', BEIJING_ORGANS);
  });
  await recordHistory(store, CASES, 'import');
});
afterAll(() => store.close());

const year = (y: number, asOf = '2026-06-30') => ({ from: d(`${y}-01-01`), to: d(`${y}-12-31`), asOf: d(asOf) });
const values = async (request: Omit<MetricRequest, 'measures'>, measures: readonly MeasureId[]) =>
  Object.fromEntries((await queryMetrics(store, { ...request, measures })).map((r) => [r.measure, r.value]));

describe('every case measure, by hand', () => {
  it('2025 as of mid-2026', async () => {
    const ids = MEASURES.filter((m) => m.source === 'cases').map((m) => m.id);
    expect(await values(year(2025), ids)).toEqual({
      cases: 6, // B5 A1 A2 A3 A5 A6 (A4 is 2026 in Beijing; B5 is 2025)
      persons: 11, // 1 + 1 + 6 + 1 + 1 + 1
      collective_cases: 1, // A2 (6 people)
      first_petitions: 5, // all but A2
      repeat_rate: 1 / 6,
      skip_level_rate: 1 / 6, // A3
      timely_acceptance_rate: 3 / 5, // settled: A1 A2 A3 A5 A6; on time: A1 A3 A5 (B5 is still within nothing recorded)
      on_time_completion_rate: 2 / 3, // replied in 2025: A1 A2 A3; A2 late
      participation_rate: 2 / 3, // A1 and A2 rated
      satisfaction_rate: 1 / 2, // A1 yes, A2 no
      review_rate: 1 / 3, // A2
      review_changed_share: 1, // A2's review changed the opinion
      re_review_rate: 0,
      re_review_changed_share: null, // no re-review opinions: no rate, not 0
      forwarded: 2, // A1 A2
      assigned: 0,
      reported_up: 0,
      not_accepted: 1, // A5
      registration_supervised: 2, // A2 18 Feb, A6 6 Dec
      handling_supervised: 1, // A2
      assigned_supervised: 0,
      review_supervised: 0,
    });
  });

  it('carries counts and a Wilson interval with every rate', async () => {
    const [row] = await queryMetrics(store, { ...year(2025), measures: ['on_time_completion_rate'] });
    expect(row).toMatchObject({ numerator: 2, denominator: 3 });
    expect(row!.interval).toEqual(wilson(2, 3));
  });

  it('Wilson intervals match Newcombe (1998), method 3', () => {
    const rounded = (x: [number, number]) => x.map((v) => Math.round(v * 10_000) / 10_000);
    expect(rounded(wilson(81, 263))).toEqual([0.2553, 0.3662]);
    expect(rounded(wilson(15, 148))).toEqual([0.0624, 0.1605]);
    expect(rounded(wilson(0, 20))).toEqual([0, 0.1611]);
    expect(rounded(wilson(1, 29))).toEqual([0.0061, 0.1718]);
  });
});

describe('as of a past date', () => {
  const early = year(2025, '2025-04-30');
  const measures = ['cases', 'on_time_completion_rate', 'handling_supervised', 'timely_acceptance_rate', 'satisfaction_rate'] as const;
  const expected = {
    cases: 4, // B5 A1 A2 A3 received by 30 April
    on_time_completion_rate: 1, // only A1 replied by then
    handling_supervised: 1, // A2's breach on 23 April
    timely_acceptance_rate: 2 / 3, // registered by then: A1, A2 (late), A3
    satisfaction_rate: 1, // A1
  };

  it('counts only what had happened by the end of that China date', async () => {
    expect(await values(early, measures)).toEqual(expected);
  });

  it('gives the same figures after later events are recorded', async () => {
    await recordEvent(store, { caseId: 'A3', type: 'rated', occurredAt: '2026-01-05T02:00:00Z', detail: { satisfied: false } });
    await recordEvent(store, { caseId: 'A6', type: 'routed', occurredAt: '2026-01-06T02:00:00Z', detail: forward });
    expect(await values(early, measures)).toEqual(expected);
    // ...while today's view of 2025 sees them: A3 rated (participation 3/3), A6 registered late.
    expect(await values(year(2025), ['participation_rate', 'timely_acceptance_rate', 'forwarded'])).toEqual({
      participation_rate: 1,
      timely_acceptance_rate: 3 / 5,
      forwarded: 2, // A6 was forwarded in 2026: it counts in 2026's routing, not 2025's
    });
    expect(await values(year(2026), ['forwarded', 'satisfaction_rate'])).toEqual({ forwarded: 1, satisfaction_rate: 0 });
  });
});

describe('dimensions, regions and filters', () => {
  it('fills every month of the period, zeros included, and the months add up to the year', async () => {
    const rows = await queryMetrics(store, { ...year(2025), measures: ['cases'], by: ['month'] });
    expect(rows.map((r) => [r.dims.month, r.value])).toEqual([
      ['2025-01', 2], ['2025-02', 1], ['2025-03', 1], ['2025-04', 0], ['2025-05', 0], ['2025-06', 1],
      ['2025-07', 0], ['2025-08', 0], ['2025-09', 0], ['2025-10', 0], ['2025-11', 1], ['2025-12', 0],
    ]);
  });

  it('labels quarters and ISO weeks as the SQL does', async () => {
    const rows = await queryMetrics(store, { ...year(2025), measures: ['cases'], by: ['quarter'] });
    expect(rows.map((r) => [r.dims.quarter, r.value])).toEqual([['2025-Q1', 4], ['2025-Q2', 1], ['2025-Q3', 0], ['2025-Q4', 1]]);
    const weeks = await queryMetrics(store, { from: d('2025-01-01'), to: d('2025-01-31'), asOf: d('2026-01-01'), measures: ['cases'], by: ['week'] });
    // 1 January 2025 is a Wednesday: its ISO week began on Monday 30 December 2024.
    expect(weeks.map((r) => [r.dims.week, r.value])).toEqual([['2024-12-30', 1], ['2025-01-06', 1], ['2025-01-13', 0], ['2025-01-20', 0], ['2025-01-27', 0]]);
    expect(timeLabels('week', d('2025-01-01'), d('2025-01-31'))[0]).toBe('2024-12-30');
  });

  it('rolls streets into districts and districts into the city', async () => {
    expect(await values({ ...year(2025), region: '110000' }, ['cases'])).toEqual({ cases: 6 });
    expect(await values({ ...year(2025), region: '110105' }, ['cases'])).toEqual({ cases: 4 }); // A1 A2 A5 A6
    expect(await values({ ...year(2025), region: '110105001' }, ['cases'])).toEqual({ cases: 1 }); // A1's street
    const byDistrict = await queryMetrics(store, { ...year(2025), measures: ['cases'], by: ['district'] });
    expect(Object.fromEntries(byDistrict.map((r) => [r.dims.district, r.value]))).toEqual({ '110101': 1, '110105': 4, '110108': 1 });
  });

  it('filters on dimension values, flags included', async () => {
    expect(await values({ ...year(2025), filters: { channel: ['visit'] } }, ['cases'])).toEqual({ cases: 2 }); // A1 A6
    expect(await values({ ...year(2025), filters: { channel: ['letter', 'online'] } }, ['cases'])).toEqual({ cases: 3 }); // B5 A2 A3
    expect(await values({ ...year(2025), filters: { collective: ['true'] } }, ['persons'])).toEqual({ persons: 6 });
    expect(await values({ ...year(2025), filters: { field: ['教育'] } }, ['cases'])).toEqual({ cases: 1 });
  });

  it('refuses what the catalog cannot answer, saying why', async () => {
    await expect(queryMetrics(store, { ...year(2025), measures: ['duties_on_time_rate'], by: ['channel'] })).rejects.toThrow(
      'measure duties_on_time_rate cannot be broken down or filtered by channel',
    );
    await expect(queryMetrics(store, { ...year(2025), measures: ['cases'], region: '999999' })).rejects.toThrow('unknown region code "999999"');
    await expect(queryMetrics(store, { ...year(2025), measures: ['cases'], by: ['month', 'year'] })).rejects.toThrow('at most one time grain');
    await expect(answerMetrics(store, { measure: 'nope', year: '2025' }, d('2026-01-01'))).rejects.toMatchObject({
      issues: [{ path: ['measure', 0], message: 'unknown measure "nope"; see GET /api/v1/metrics/catalog' }],
    });
    await expect(answerMetrics(store, { measure: 'cases', year: '2025', from: '2025-01-01' }, d('2026-01-01'))).rejects.toThrow('either year or from/to');
    await expect(answerMetrics(store, { measure: 'cases', from: '2025-02-30', to: '2025-03-01' }, d('2026-01-01'))).rejects.toMatchObject({
      issues: [{ path: ['from'] }],
    });
    await expect(answerMetrics(store, { measure: 'cases', year: '2025', colour: 'red' }, d('2026-01-01'))).rejects.toThrow('unknown parameter or dimension "colour"');
  });
});

describe('time comparison', () => {
  it('steps back a year, a month or a span of days, with the as-of date moved alike', () => {
    expect(previousPeriod(year(2025), 'yoy')).toEqual(year(2024, '2025-06-30'));
    expect(previousPeriod({ from: d('2024-02-29'), to: d('2024-02-29'), asOf: d('2024-03-31') }, 'yoy')).toEqual({
      from: '2023-02-28', to: '2023-02-28', asOf: '2023-03-31',
    });
    expect(previousPeriod({ from: d('2025-03-01'), to: d('2025-03-31'), asOf: d('2025-04-10') }, 'pop')).toMatchObject({ from: '2025-02-01', to: '2025-02-28' });
    expect(previousPeriod({ from: d('2025-01-01'), to: d('2025-03-31'), asOf: d('2025-04-10') }, 'pop')).toMatchObject({ from: '2024-10-01', to: '2024-12-31' });
    expect(previousPeriod({ from: d('2025-01-10'), to: d('2025-01-19'), asOf: d('2025-01-19') }, 'pop')).toEqual({
      from: '2024-12-31', to: '2025-01-09', asOf: '2025-01-09',
    });
  });

  it('compares year on year across the China year boundary', async () => {
    const rows = await compareMetrics(store, { ...year(2025), measures: ['cases', 'collective_cases', 'satisfaction_rate'] }, 'yoy');
    const cases = rows.find((r) => r.measure === 'cases')!;
    expect([cases.current.value, cases.previous?.value, cases.change, cases.relative]).toEqual([6, 4, 2, 0.5]); // 2024: B1 B2 B3 B4
    const collective = rows.find((r) => r.measure === 'collective_cases')!;
    expect([collective.current.value, collective.previous?.value, collective.change]).toEqual([1, 1, 0]); // A2 vs B2 (5 people)
  });

  it('compares month on month, bucket by bucket', async () => {
    const rows = await compareMetrics(store, { from: d('2025-02-01'), to: d('2025-02-28'), asOf: d('2026-01-01'), measures: ['cases'] }, 'pop');
    expect([rows[0]!.current.value, rows[0]!.previous?.value]).toEqual([1, 2]); // A2 vs B5 A1
  });

  it('reports the three declines (三个下降)', async () => {
    const full = await threeDeclines(store, year(2025));
    expect(full.items.map((i) => [i.measure, i.current, i.previous, i.declined])).toEqual([
      ['cases', 6, 4, false],
      ['collective_cases', 1, 1, false],
      ['first_petitions', 5, 3, false], // 2024's first petitions: B1 B2 B4
    ]);
    expect(full.achieved).toBe(false);
    // First half of 2026 against the first half of 2025: A4 against B5 A1 A2 A3 A5.
    const h1 = await threeDeclines(store, { from: d('2026-01-01'), to: d('2026-06-30'), asOf: d('2026-06-30') });
    expect(h1.items.map((i) => [i.current, i.previous, i.declined])).toEqual([[1, 5, true], [0, 1, true], [1, 4, true]]);
    expect(h1.achieved).toBe(true);
  });
});

describe('duties', () => {
  it('counts a period by its finding, and rolls organs up through the registry', async () => {
    const period = (label: string, start: string, end: string) => ({ label, start, end });
    const finding = (organ: string, label: string, end: string, type: 'met' | 'missed', at: string) =>
      recordDutyEvent(store, { organ, dutyId: 'leadership-report', period: period(label, `${end.slice(0, 4)}-01-01`, end), type, key: type, occurredAt: at });
    await finding('D110105', '2025-Q1', '2025-03-31', 'met', '2025-03-20T02:00:00Z');
    await finding('D110105', '2025-Q2', '2025-06-30', 'missed', '2025-06-30T16:00:00Z');
    await finding('BJ-XFB', '2025-H1', '2025-06-30', 'met', '2025-06-01T02:00:00Z');
    expect(await values({ ...year(2025), region: '110105' }, ['duties_on_time_rate'])).toEqual({ duties_on_time_rate: 1 / 2 });
    expect(await values({ ...year(2025), region: '110000' }, ['duties_on_time_rate'])).toEqual({ duties_on_time_rate: 2 / 3 });
    // As of 30 June the Q2 finding was not yet made (the breach is recorded on 1 July, China time).
    expect(await values({ ...year(2025, '2025-06-30'), region: '110105' }, ['duties_on_time_rate'])).toEqual({ duties_on_time_rate: 1 });
  });
});

describe('recommendations and screened disputes', () => {
  it('counts recommendations, their adoption once fed back, late feedback, and dispute resolution, as of a date', async () => {
    // Chaoyang's office: three recommendations in 2025; the first adopted on 10 March, the second
    // rejected on 20 June after its clock ran out on 15 June, the third still awaiting feedback.
    await store.run(
      `INSERT INTO recommendations (recommendation_id, jurisdiction, region_code, issued_by, to_organ, kind, issued_date,
                                    feedback_due, feedback_date, adopted, feedback_overdue_date, origin) VALUES
       ('R1', 'beijing', '110105', '朝阳区信访办', '朝阳区教委', 'improve_work', '2025-02-01', '2025-03-03', '2025-03-10', true, '2025-03-04', 'import'),
       ('R2', 'beijing', '110105', '朝阳区信访办', '朝阳区住建委', 'improve_policy', '2025-05-15', '2025-06-14', '2025-06-20', false, '2025-06-15', 'import'),
       ('R3', 'beijing', '110105', '朝阳区信访办', '朝阳区住建委', 'accountability', '2025-11-20', '2025-12-20', NULL, NULL, NULL, 'import')`,
    );
    // Haidian: four disputes screened in 2025, three resolved (one only in 2026).
    await store.run(
      `INSERT INTO disputes (dispute_id, jurisdiction, region_code, screened_date, resolved_date, origin) VALUES
       ('S1', 'beijing', '110108', '2025-01-05', '2025-01-20', 'import'),
       ('S2', 'beijing', '110108', '2025-04-05', '2025-04-06', 'import'),
       ('S3', 'beijing', '110108', '2025-09-05', '2026-01-10', 'import'),
       ('S4', 'beijing', '110108', '2025-12-01', NULL, 'import')`,
    );
    const ids = ['recommendations_issued', 'recommendation_adoption_rate', 'recommendation_feedback_overdue', 'disputes_screened', 'dispute_resolution_rate'] as const;
    expect(await values(year(2025), ids)).toEqual({
      recommendations_issued: 3,
      recommendation_adoption_rate: 1 / 2, // R1 yes, R2 no; R3 has no feedback yet
      recommendation_feedback_overdue: 2, // R1 and R2 breached their clocks
      disputes_screened: 4,
      dispute_resolution_rate: 3 / 4,
    });
    expect(await values(year(2025, '2025-12-31'), ids)).toMatchObject({ dispute_resolution_rate: 2 / 4 });
    expect(await values(year(2025, '2025-06-16'), ids)).toMatchObject({ recommendation_adoption_rate: 1, recommendation_feedback_overdue: 2 });
    const kinds = await queryMetrics(store, { ...year(2025), measures: ['recommendations_issued'], by: ['recommendation_kind'], region: '110105' });
    expect(Object.fromEntries(kinds.map((r) => [r.dims.recommendation_kind, r.value]))).toEqual({ improve_work: 1, improve_policy: 1, accountability: 1 });
    expect(await values({ ...year(2025), region: '110105' }, ['disputes_screened'])).toEqual({ disputes_screened: 0 });
  });
});

describe('fair rankings', () => {
  let ranked: AnalyticsStore;
  beforeAll(async () => {
    ranked = await AnalyticsStore.open(':memory:');
    await ranked.transaction((conn) => recordRegions(conn, beijingRegions()));
    // Ratings in 2025: Dongcheng 3 of 3 satisfied, Xicheng 36/40, Chaoyang 40/50, Haidian 70/100.
    const history = [
      ['110101', 3, 3],
      ['110102', 40, 36],
      ['110105', 50, 40],
      ['110108', 100, 70],
    ].flatMap(([region, n, satisfied]) =>
      Array.from({ length: n as number }, (_, i) =>
        kase(`R${region}-${i}`, '2025-03-01T02:00:00Z', { regionCode: region as string }, [
          ['replied', '2025-04-01T02:00:00Z', { outcome: 'supported' }],
          ['rated', '2025-04-02T02:00:00Z', { satisfied: i < (satisfied as number) }],
        ]),
      ),
    );
    await recordHistory(ranked, history, 'import');
  });
  afterAll(() => ranked.close());

  it('ranks only rates with enough cases, shows counts and intervals, and tiers by volume', async () => {
    const result = await rank(ranked, { measure: 'satisfaction_rate', by: 'district', ...year(2025) });
    expect(result.request.minVolume).toBe(30);
    expect(result.units.map((u) => [u.unit, u.rank, u.tier, u.rankInTier, u.numerator, u.denominator])).toEqual([
      ['110102', 1, 'small', 1, 36, 40],
      ['110105', 2, 'medium', 1, 40, 50],
      ['110108', 3, 'large', 1, 70, 100],
      ['110101', null, null, null, 3, 3], // 100% satisfied, but three ratings are not evidence
    ]);
    expect(result.units[0]!.interval).toEqual(wilson(36, 40));
    expect(result.units[3]!.unranked).toBe('fewer than 30 cases in the denominator (3)');
    expect(result.units[0]!.name).toBe('西城区');
  });

  it('ranks counts per 10,000 residents as well, and honours a chosen minimum', async () => {
    const result = await rank(ranked, { measure: 'cases', by: 'district', ...year(2025), minVolume: 45 });
    expect(result.units.map((u) => [u.unit, u.rank, u.value])).toEqual([
      ['110105', 1, 50], // fewer cases is better
      ['110108', 2, 100],
      ['110102', null, 40],
      ['110101', null, 3],
    ]);
    expect(result.units[0]!.perTenThousand).toBeCloseTo(50 / 345.2, 12); // Chaoyang: 345.2 ten-thousand residents (2020 census)
  });
});

describe('the annual report dataset', () => {
  it('holds every part, each figure with the request that made it', async () => {
    const data = await annualDataset(store, { year: 2025, region: '110000', asOf: d('2026-06-30') });
    expect(data.region).toEqual({ code: '110000', level: 'city' });
    const totals = data.statistics.totals.data!.find((r) => r.measure === 'cases')!;
    expect([totals.current.value, totals.previous?.value]).toEqual([6, 4]);
    expect(data.statistics.totals.request).toMatchObject({ from: '2025-01-01', to: '2025-12-31', asOf: '2026-06-30', region: '110000' });
    expect(data.statistics.byMonth.data!.reduce((s, r) => s + (r.value ?? 0), 0)).toBe(6);
    expect(Object.fromEntries(data.statistics.byArea.data!.filter((r) => r.measure === 'cases').map((r) => [r.dims.district, r.value]))).toEqual({
      '110101': 1, '110105': 4, '110108': 1,
    });
    expect(Object.fromEntries(data.statistics.byField.data!.map((r) => [r.dims.field ?? '(none)', r.value]))).toEqual({ 教育: 1, 城乡建设: 1, '(none)': 4 });
    // A1, A2 and (since the as-of test forwarded it in 2026) A6 are handled by it.
    expect(data.statistics.mostComplainedOrgans.data!.map((r) => [r.dims.organ, r.value])).toEqual([['朝阳区教委', 3]]);
    expect(data.officeWork.routing.data!.find((r) => r.measure === 'forwarded')?.current.value).toBe(2);
    expect(data.statistics.threeDeclines.data!.achieved).toBe(false);
    expect(data.statistics.quality.measures.map((m) => m.id)).toContain('satisfaction_rate');
    expect(data.recommendations.totals.data!.find((r) => r.measure === 'recommendations_issued')?.current.value).toBe(3);
    expect(data.other.disputes.data!.find((r) => r.measure === 'dispute_resolution_rate')?.current.value).toBe(3 / 4);
    expect(data.other.duties.data!.map((r) => [r.dims.duty, r.value])).toEqual([['leadership-report', 2 / 3]]);
    // A district's report breaks down by street.
    const chaoyang = await annualDataset(store, { year: 2025, region: '110105', asOf: d('2026-06-30') });
    expect(chaoyang.statistics.byArea.request.by).toEqual(['street']);
    // A street's report has its cases; what is kept by district or organ says so instead of failing the report.
    const jianwai = await annualDataset(store, { year: 2025, region: '110105001', asOf: d('2026-06-30') });
    expect(jianwai.statistics.byMonth.data).not.toBeNull();
    expect(jianwai.recommendations.totals).toMatchObject({ data: null, unavailable: expect.stringMatching(/^recommendations_issued, .*not recorded by street; see district 110105$/) });
  });
});

describe('xinfang metrics', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'xinfang-metrics-cli-'));
  const db = join(dir, 'x.duckdb');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const xinfang = (...args: string[]) =>
    promisify(execFile)(process.execPath, [join(root, 'bin/xinfang.js'), 'metrics', '--db', db, ...args]).catch(
      (error: { code: number; stderr: string; stdout: string }) => error,
    );

  beforeAll(async () => {
    const file = await AnalyticsStore.open(db);
    await file.transaction((conn) => recordRegions(conn, beijingRegions()));
    await recordHistory(file, CASES, 'import');
    file.close();
  });

  it('prints the measures of a year as JSON, compared year on year', async () => {
    const { stdout } = await xinfang('--year', '2025', '--measure', 'cases', '--measure', 'collective_cases', '--compare', 'yoy');
    const result = JSON.parse(stdout) as { rows: { measure: string; current: { value: number }; previous: { value: number } }[] };
    expect(result.rows.map((r) => [r.measure, r.current.value, r.previous.value])).toEqual([
      ['cases', 6, 4],
      ['collective_cases', 1, 1],
    ]);
  });

  it('filters, breaks down and scopes to a region', async () => {
    const { stdout } = await xinfang('--year', '2025', '--region', '110105', '--measure', 'cases', '--by', 'channel', '--filter', 'channel=visit,letter');
    const rows = (JSON.parse(stdout) as { rows: { dims: { channel: string }; value: number }[] }).rows;
    expect(Object.fromEntries(rows.map((r) => [r.dims.channel, r.value]))).toEqual({ visit: 2, letter: 1 }); // A1 A6; A2
  });

  it('says what is wrong, with exit code 2', async () => {
    const bad = (await xinfang('--year', '2025', '--measure', 'volume')) as { code: number; stderr: string };
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('measure.0: unknown measure "volume"');
    const filter = (await xinfang('--year', '2025', '--filter', 'channel')) as { code: number; stderr: string };
    expect(filter.stderr).toContain('--filter channel: write DIMENSION=VALUE');
  });
});
