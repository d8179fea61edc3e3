/**
 * Early warning against DuckDB: series built by SQL from hand-made case_facts rows, each signal's
 * query, de-duplication of continuing alerts, decisions, and a whole scan writing its alerts and
 * record. Every expected figure is worked out in the comments.
 */
import { BOOLEAN, INTEGER, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertDecisionError, decideAlert, getAlert, getScan, listAlerts, persistScan, type RatedCandidate } from '../../analytics/early-warning/alerts.js';
import type { AlertCandidate } from '../../analytics/early-warning/candidate.js';
import { loadScanConfig, type ScanConfig } from '../../analytics/early-warning/config.js';
import { scanEscalation } from '../../analytics/early-warning/escalation.js';
import { scanOrganRates } from '../../analytics/early-warning/organ-rates.js';
import { runScan } from '../../analytics/early-warning/scan.js';
import { sensitiveCalendar } from '../../analytics/early-warning/sensitive-periods.js';
import { firstWholeWeek, UNRECORDED, weeklyCountSeries } from '../../analytics/early-warning/series.js';
import { applySensitivePeriod } from '../../analytics/early-warning/severity.js';
import { weekIndex, weekStart } from '../../analytics/early-warning/weeks.js';
import { recordOrgans, recordRegions } from '../../analytics/region-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { BEIJING_ORGANS } from '../../domain/organs.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { addDays, parsePlainDate as d } from '../../rules/plain-date.js';

interface Fact {
  id: string;
  date: string;
  district?: string;
  street?: string | null;
  field?: string | null;
  channel?: string;
  cls?: string | null;
  size?: number;
  petitioner?: string | null;
  skip?: boolean;
  organ?: string | null;
  replied?: string | null;
  overdue?: string | null;
}

/** Rows straight into case_facts: the signals read nothing else. */
async function facts(store: AnalyticsStore, rows: Fact[]) {
  const col = <T>(pick: (f: Fact) => T) => listValue(rows.map(pick) as never[]);
  // Explicit list types: a list whose first value is null would otherwise be read as all-null.
  await store.transaction((conn) => conn.run(
    `INSERT INTO case_facts (case_id, jurisdiction, received_date, channel, region_code, street_code, field, petition_class, collective_size,
                             petitioner_id, skip_level, organ, replied_date, handle_overdue_date)
     SELECT unnest($ids), 'beijing', CAST(unnest($dates) AS DATE), unnest($channels), unnest($districts), unnest($streets), unnest($fields),
            unnest($classes), unnest($sizes), unnest($petitioners), unnest($skips), unnest($organs), CAST(unnest($replied) AS DATE),
            CAST(unnest($overdue) AS DATE)`,
    {
      ids: col((f) => f.id),
      dates: col((f) => f.date),
      channels: col((f) => f.channel ?? 'visit'),
      districts: col((f) => f.district ?? '110105'),
      streets: col((f) => f.street ?? null),
      fields: col((f) => (f.field === undefined ? '劳动社保' : f.field)),
      classes: col((f) => (f.cls === undefined ? 'claim' : f.cls)),
      sizes: col((f) => f.size ?? 1),
      petitioners: col((f) => f.petitioner ?? null),
      skips: col((f) => f.skip ?? false),
      organs: col((f) => f.organ ?? null),
      replied: col((f) => f.replied ?? null),
      overdue: col((f) => f.overdue ?? null),
    },
    {
      ids: LIST(VARCHAR),
      dates: LIST(VARCHAR),
      channels: LIST(VARCHAR),
      districts: LIST(VARCHAR),
      streets: LIST(VARCHAR),
      fields: LIST(VARCHAR),
      classes: LIST(VARCHAR),
      sizes: LIST(INTEGER),
      petitioners: LIST(VARCHAR),
      skips: LIST(BOOLEAN),
      organs: LIST(VARCHAR),
      replied: LIST(VARCHAR),
      overdue: LIST(VARCHAR),
    },
  ));
}

let store: AnalyticsStore;
beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await store.transaction(async (conn) => {
    await recordRegions(conn, beijingRegions());
    await recordOrgans(conn, 'beijing', BEIJING_ORGANS);
  });
});
afterAll(() => store.close());
beforeEach(async () => {
  await store.run('DELETE FROM case_facts');
  await store.run('DELETE FROM alerts');
  await store.run('DELETE FROM alert_scans');
});

const config = loadScanConfig();
const W = (date: string) => weekIndex(d(date));

describe('weekly count series from case_facts', () => {
  it('every grouping at every level, with unrecorded values kept apart from "all"', async () => {
    await facts(store, [
      { id: 'C1', date: '2025-12-01', street: '110105001', field: '教育', channel: 'visit' }, // Monday
      { id: 'C2', date: '2025-12-07', field: null, channel: 'online' }, // Sunday: the same week
      { id: 'C3', date: '2025-12-08', district: '110108', field: '教育', channel: 'visit' }, // next week
      { id: 'C4', date: '2025-12-09', district: '110000', field: '教育', channel: 'letter' }, // the city's own case
    ]);
    const from = W('2025-12-01');
    const series = await weeklyCountSeries(store, {
      fromWeek: from,
      toWeek: from + 1,
      groupings: { city: [[], ['field']], district: [[], ['channel']], street: [[]] },
      city: '110000',
      districts: beijingRegions().nodes.filter((n) => n.level === 'district').map((n) => n.code),
      minCases: 1,
    });
    const shown = series
      .map((s) => `${s.level} ${s.region} ${s.field ?? '*'} ${s.channel ?? '*'} ${s.petitionClass ?? '*'}: ${[...s.counts].join(',')}`)
      .sort();
    expect(shown).toEqual([
      `city 110000 ${UNRECORDED} * *: 1,0`,
      'city 110000 * * *: 2,2',
      'city 110000 教育 * *: 1,2',
      'district 110105 * * *: 2,0',
      'district 110105 * online *: 1,0',
      'district 110105 * visit *: 1,0',
      'district 110108 * * *: 0,1',
      'district 110108 * visit *: 0,1',
      'street 110105001 * * *: 1,0',
    ]);
    // Series with fewer cases than minCases never leave DuckDB.
    const busy = await weeklyCountSeries(store, { fromWeek: from, toWeek: from + 1, groupings: { city: [[], ['field']] }, city: '110000', districts: [], minCases: 3 });
    expect(busy.map((s) => s.field ?? '*').sort()).toEqual(['*', '教育']);
    // The first case is on a Monday: its week is whole.
    expect(await firstWholeWeek(store)).toBe(from);

    // A grouping that needs fewer weeks reads fewer: the district total from the second week only.
    const parted = await weeklyCountSeries(store, {
      fromWeek: from,
      toWeek: from + 1,
      fromWeekOf: (_level, dims) => (dims.length ? from : from + 1),
      groupings: { district: [[], ['channel']] },
      city: '110000',
      districts: ['110105', '110108'],
      minCases: 1,
    });
    expect(parted.map((s) => `${s.region} ${s.channel ?? '*'} from ${s.firstWeek - from}: ${[...s.counts].join(',')}`).sort()).toEqual([
      '110105 online from 0: 1,0',
      '110105 visit from 0: 1,0',
      '110108 * from 1: 1', // 110105's total has no case from the second week on: fewer than minCases
      '110108 visit from 0: 0,1',
    ]);
  });
});

const candidate = (week: string, extra: Partial<AlertCandidate> = {}): AlertCandidate => ({
  kind: 'count-aberration',
  method: 'ears-c3',
  level: 'district',
  regionCode: '110105',
  field: '劳动社保',
  channel: null,
  petitionClass: null,
  subject: null,
  week: d(week),
  observed: 30,
  expected: 10,
  upperbound: 15,
  pValue: null,
  baseSeverity: 'info',
  detail: {},
  ...extra,
});
const rate = (c: AlertCandidate): RatedCandidate => ({ ...c, rated: applySensitivePeriod(c.baseSeverity, c.week, sensitiveCalendar()) });
const scan = (id: string, week: string) => ({
  scanId: id,
  trigger: 'test',
  weekFrom: d(week),
  weekTo: d(week),
  startedAt: new Date('2026-01-05T00:00:00Z'),
  finishedAt: new Date('2026-01-05T00:00:01Z'),
  seriesScanned: 1,
  seriesSkipped: 0,
  detail: {},
});
const persist = (id: string, week: string, candidates: AlertCandidate[]) => persistScan(store, scan(id, week), candidates.map(rate), config.dedup);

describe('de-duplication and decisions', () => {
  it('a continuing alert is one row with its run length; a quiet gap starts a new one', async () => {
    expect(await persist('s1', '2025-11-03', [candidate('2025-11-03')])).toEqual({ raised: 1, continued: 0 });
    expect(await persist('s2', '2025-11-10', [candidate('2025-11-10', { observed: 35, baseSeverity: 'serious' })])).toEqual({ raised: 0, continued: 1 });
    // A retried scan of the same week refreshes it without counting the week twice.
    expect(await persist('s2', '2025-11-10', [candidate('2025-11-10', { observed: 36 })])).toEqual({ raised: 0, continued: 1 });
    // One quiet week (17 November) is within maxGapWeeks = 1.
    expect(await persist('s4', '2025-11-24', [candidate('2025-11-24', { observed: 20 })])).toEqual({ raised: 0, continued: 1 });
    let [alert] = await listAlerts(store);
    expect(alert).toMatchObject({ first_period: '2025-11-03', period: '2025-11-24', run_length: 3, observed: 20, severity: 'serious', scan_id: 's1', last_scan_id: 's4' });
    expect(alert!.alert_id).toMatch(/^AL-20251103-[0-9a-f]{12}$/);

    // Acknowledged, it stays acknowledged while it continues.
    await decideAlert(store, alert!.alert_id, { status: 'acknowledged', actor: '区信访办 王', reason: null, at: new Date('2025-11-26T02:00:00Z') });
    await persist('s5', '2025-12-01', [candidate('2025-12-01')]);
    [alert] = await listAlerts(store);
    expect(alert).toMatchObject({ status: 'acknowledged', decided_by: '区信访办 王', run_length: 4 });

    // Two quiet weeks (8 and 15 December): a new episode, a new alert.
    expect(await persist('s6', '2025-12-22', [candidate('2025-12-22')])).toEqual({ raised: 1, continued: 0 });
    expect((await listAlerts(store)).map((a) => `${a.first_period} ${a.status}`)).toEqual(['2025-12-22 open', '2025-11-03 acknowledged']);
    // A different series is a different alert.
    expect(await persist('s7', '2025-12-22', [candidate('2025-12-22', { channel: 'visit' })])).toEqual({ raised: 1, continued: 0 });
    expect(await getScan(store, 's6')).toMatchObject({ scan_id: 's6', alerts_raised: 1, alerts_continued: 0, week_from: '2025-12-22' });
  });

  it('inside a sensitive period the alert is one step higher, with the period named', async () => {
    await persist('s1', '2026-03-02', [candidate('2026-03-02', { baseSeverity: 'warning' })]);
    const [alert] = await listAlerts(store);
    expect(alert).toMatchObject({ severity: 'serious', base_severity: 'warning', sensitive_period: '全国两会 National sessions (NPC and CPPCC) 2026-03-01..2026-03-15' });
  });

  it('a decision is taken once; a second is refused with the first', async () => {
    await persist('s1', '2025-11-03', [candidate('2025-11-03')]);
    const id = (await listAlerts(store))[0]!.alert_id;
    const dismissed = await decideAlert(store, id, { status: 'dismissed', actor: '市信访办 李', reason: '系统迁移造成的重复登记', at: new Date('2025-11-05T02:00:00Z') });
    expect(dismissed).toMatchObject({ status: 'dismissed', decided_by: '市信访办 李', decision_reason: '系统迁移造成的重复登记' });
    const second = decideAlert(store, id, { status: 'acknowledged', actor: '其他人', reason: null, at: new Date() });
    await expect(second).rejects.toBeInstanceOf(AlertDecisionError);
    await expect(second).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/already dismissed by 市信访办 李 .*\(系统迁移造成的重复登记\)/) });
    await expect(decideAlert(store, 'AL-20250101-000000000000', { status: 'dismissed', actor: 'x', reason: 'y', at: new Date() })).rejects.toMatchObject({ status: 404 });
    expect((await getAlert(store, id))!.status).toBe('dismissed');
  });

  it('filters: status, level, kind, and a region with everything under it', async () => {
    await persist('s1', '2025-11-03', [
      candidate('2025-11-03'),
      candidate('2025-11-03', { level: 'street', regionCode: '110105001' }),
      candidate('2025-11-03', { level: 'district', regionCode: '110108' }),
      candidate('2025-11-03', { level: 'city', regionCode: '110000' }),
    ]);
    const regions = async (filter: Parameters<typeof listAlerts>[1]) => (await listAlerts(store, filter)).map((a) => a.region_code).sort();
    expect(await regions({ region: '110105' })).toEqual(['110105', '110105001']);
    expect(await regions({ region: '110000' })).toEqual(['110000', '110105', '110105001', '110108']);
    expect(await regions({ level: 'street' })).toEqual(['110105001']);
    expect(await regions({ status: 'dismissed' })).toEqual([]);
    expect(await regions({ kind: 'space-time-cluster' })).toEqual([]);
  });
});

/** Labour cases in Chaoyang (110105), visits, `n` on the Monday of each week from `from`. */
const weekly = (from: string, counts: number[], extra: Partial<Fact> = {}): Fact[] =>
  counts.flatMap((n, w) => Array.from({ length: n }, (_, i) => ({ id: `${extra.district ?? 'X'}-${from}-${w}-${i}-${extra.field ?? ''}`, date: addDays(d(from), 7 * w), ...extra })));

describe('a whole scan', () => {
  // EARS C1 on Chaoyang's series only, so every figure below can be worked out.
  const c1: ScanConfig = {
    ...config,
    counts: { ...config.counts, levels: { district: [[], ['field']] }, methods: [{ method: 'ears-c1', levels: ['district'], params: {}, sparsity: { minMean: 1, maxZeroShare: 0.5 } }] },
  };

  it('writes its alerts and its record, and a later week continues them', async () => {
    // Weeks from 2025-09-01: 10,12,10,12,10,12,10 then 30 (week of 2025-10-20) and 32 (2025-10-27).
    await facts(store, weekly('2025-09-01', [10, 12, 10, 12, 10, 12, 10, 30, 32]));
    const first = await runScan(store, { scanId: 'scan-1', trigger: 'test', week: d('2025-10-20'), config: c1, signals: ['counts'] });
    // Two series (Chaoyang, Chaoyang × 劳动社保), both alarm: C1 bound 14.161 (see the signals test).
    expect(first).toMatchObject({ weekFrom: '2025-10-20', weekTo: '2025-10-20', seriesScanned: 2, raised: 2, continued: 0 });
    const alerts = await listAlerts(store, { region: '110105' });
    expect(alerts.map((a) => `${a.field ?? '*'} ${a.observed} ${a.expected?.toFixed(3)} ${a.upperbound?.toFixed(3)} ${a.severity}`).sort()).toEqual([
      '* 30 10.857 14.161 warning',
      '劳动社保 30 10.857 14.161 warning',
    ]);
    // Next week: baseline 12,10,12,10,12,10,30: mean 96/7 = 13.714, sd √(315.43/6) = 7.251, bound 36.12: 32 is no alarm
    // under C1, so the alerts stay as they were; the scan is still recorded.
    const second = await runScan(store, { scanId: 'scan-2', trigger: 'test', week: d('2025-10-27'), config: c1, signals: ['counts'] });
    expect(second).toMatchObject({ raised: 0, continued: 0 });
    expect(await getScan(store, 'scan-2')).toMatchObject({ trigger: 'test', week_to: '2025-10-27', series_scanned: 2, alerts_raised: 0 });
    // Scanning both weeks again at once finds the same alerts, continued, not doubled.
    const again = await runScan(store, { scanId: 'scan-3', trigger: 'test', week: d('2025-10-27'), weeks: 2, config: c1, signals: ['counts'] });
    expect(again).toMatchObject({ weekFrom: '2025-10-20', raised: 0, continued: 2 });
    expect((await listAlerts(store)).map((a) => a.run_length)).toEqual([1, 1]);
  });

  it('refuses a week that is not a Monday', async () => {
    await expect(runScan(store, { scanId: 'x', trigger: 'test', week: d('2025-10-21') })).rejects.toThrow(/not a Monday/);
  });

  it('petitioner escalation, read from case_facts with organ levels', async () => {
    await facts(store, [
      { id: 'E1', date: '2025-10-01', district: '110106', petitioner: 'Pa' },
      { id: 'E2', date: '2025-11-01', district: '110106', petitioner: 'Pa' },
      { id: 'E3', date: '2025-12-10', district: '110106', petitioner: 'Pa', organ: 'BJ-RSJ' }, // a city department: level 2
      { id: 'F1', date: '2025-11-20', district: '110101', petitioner: 'Pb' },
      { id: 'F2', date: '2025-12-09', district: '110101', petitioner: 'Pb', skip: true }, // two cases only
    ]);
    const { candidates, stats } = await scanEscalation(store, [W('2025-12-08')], config.escalation, '110000');
    expect(stats.scanned).toBe(1); // Pb has too few cases to be read
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ subject: 'Pa', regionCode: '110106', detail: { from: 'district', to: 'city' }, baseSeverity: 'info' });
  });

  it('an organ whose overdue share rose, through the metrics catalog', async () => {
    // Baseline (52 weeks before the recent 8): 100 replies, 10 overdue. Recent 8 weeks to 2025-12-14: 100 replies, 30 overdue.
    const week = W('2025-12-08');
    const recentFrom = weekStart(week - 7);
    const rows: Fact[] = [];
    for (let i = 0; i < 100; i++) {
      const replied = addDays(d('2025-03-03'), i);
      rows.push({ id: `B${i}`, date: addDays(replied, -30), organ: '朝阳区人力资源社会保障局', replied, overdue: i < 10 ? addDays(replied, -2) : null });
      const recent = addDays(recentFrom, i % 56);
      rows.push({ id: `R${i}`, date: addDays(recent, -30), organ: '朝阳区人力资源社会保障局', replied: recent, overdue: i < 30 ? addDays(recent, -2) : null });
    }
    await facts(store, rows);
    const result = await scanOrganRates(store, [week], config.organRates, { city: '110000', levelOf: (code) => (code === '110105' ? 'district' : undefined) });
    expect(result.candidates).toHaveLength(1);
    expect(result.candidates[0]).toMatchObject({
      kind: 'organ-rate-rise',
      level: 'district',
      regionCode: '110105', // where its cases come from: not in the organ registry
      subject: '朝阳区人力资源社会保障局|on_time_completion_rate',
      observed: 0.3,
      expected: 0.1,
      baseSeverity: 'serious', // a rise of 20 points
      detail: { recent: { bad: 30, n: 100 }, baseline: { bad: 10, n: 100 } },
    });
    expect(result.candidates[0]!.pValue).toBeLessThan(0.001);
  });
});

