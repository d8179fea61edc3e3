/**
 * Early-warning signals (issue 7, "Petition signals") on small inputs built by hand, every
 * expected figure worked out in the comments: the tests, count aberrations with the sparsity
 * rule, collective growth, petitioner escalation, organ rate rises, the space-time scan, the
 * sensitive-period calendar and severity.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectiveSignal, type CollectiveMatter } from '../../analytics/early-warning/collective.js';
import { loadScanConfig, type ScanConfig } from '../../analytics/early-warning/config.js';
import { scanCounts, sparsity } from '../../analytics/early-warning/counts.js';
import { escalationSignal, type PetitionerPath } from '../../analytics/early-warning/escalation.js';
import { countMethod } from '../../analytics/early-warning/methods.js';
import { organRateSignal } from '../../analytics/early-warning/organ-rates.js';
import { createSensitiveCalendar, sensitiveCalendar, sensitiveCalendarSchema } from '../../analytics/early-warning/sensitive-periods.js';
import type { CountSeries } from '../../analytics/early-warning/series.js';
import { applySensitivePeriod } from '../../analytics/early-warning/severity.js';
import { connectedZones, districtAdjacency, spaceTimeScan, type SpaceTimeTable } from '../../analytics/early-warning/space-time.js';
import { mannKendall, poissonCriticalValue, poissonLlr, poissonUpperTail, twoProportionTest } from '../../analytics/early-warning/stats.js';
import { lastCompleteWeek, mondayOf, weekIndex, weekStart } from '../../analytics/early-warning/weeks.js';
import { upperTail } from '../../analytics/detectors/normal.js';
import { parsePlainDate as d } from '../../rules/plain-date.js';

const config: ScanConfig = loadScanConfig();

describe('weeks', () => {
  it('are named by their Monday and numbered from 1970-01-05', () => {
    expect(weekIndex(d('1970-01-05'))).toBe(0);
    expect(weekStart(weekIndex(d('2025-12-28')))).toBe('2025-12-22'); // a Sunday belongs to the week before
    expect(mondayOf(d('2025-12-29'))).toBe('2025-12-29');
    expect(lastCompleteWeek(d('2025-12-29'))).toBe('2025-12-22'); // Monday morning scans the week just ended
  });
});

describe('the tests', () => {
  it('Poisson upper tail and critical value', () => {
    // P(X ≥ 3 | μ = 1) = 1 − e⁻¹(1 + 1 + 1/2)
    expect(poissonUpperTail(3, 1)).toBeCloseTo(1 - 2.5 / Math.E, 14);
    expect(poissonUpperTail(0, 5)).toBe(1);
    // μ = 1: P(X ≥ 4) = 0.01899, P(X ≥ 5) = 0.00366: the 1% critical value is 5
    expect(poissonCriticalValue(1, 0.01)).toBe(5);
  });

  it('Mann-Kendall, exact without ties', () => {
    // 1,2,3,4: every pair concordant, S = 6; only the identity permutation has no inversion: p = 1/4! = 1/24
    expect(mannKendall([1, 2, 3, 4])).toEqual({ n: 4, s: 6, p: 1 / 24, exact: true });
    // 1,3,2,4: one inversion, S = 5 − 1 = 4; P(Q ≤ 1) = (1 + 3)/24 (Mahonian numbers for n = 4: 1, 3, 5, 6, ...)
    expect(mannKendall([1, 3, 2, 4]).p).toBeCloseTo(4 / 24, 14);
    // decreasing: S = −6, P(S ≥ −6) = 1
    expect(mannKendall([4, 3, 2, 1]).p).toBeCloseTo(1, 14);
  });

  it('Mann-Kendall with ties: tie-corrected variance and continuity correction', () => {
    // 5,5,6,7: S = 0 + 1 + 1 + 1 + 1 + 1 = 5; Var = [4·3·13 − 2·1·9]/18 = 138/18; z = (5 − 1)/√(138/18)
    const test = mannKendall([5, 5, 6, 7]);
    expect(test.s).toBe(5);
    expect(test.exact).toBe(false);
    expect(test.p).toBeCloseTo(upperTail(4 / Math.sqrt(138 / 18)), 14);
  });

  it('two-proportion z-test, one-sided, pooled', () => {
    // 30/100 vs 10/100: pooled 0.2, se = √(0.2·0.8·(1/100 + 1/100)) = √0.0032, z = 0.2/√0.0032 = 3.5355
    const t = twoProportionTest(30, 100, 10, 100);
    expect(t.z).toBeCloseTo(0.2 / Math.sqrt(0.0032), 12);
    expect(t.p).toBeCloseTo(upperTail(0.2 / Math.sqrt(0.0032)), 14);
    expect(t.p).toBeLessThan(0.001);
    expect(twoProportionTest(10, 100, 30, 100).p).toBeGreaterThan(0.99);
  });

  it('Poisson log likelihood ratio of a window', () => {
    // c = 10, μ = 4, C = 100: 10·ln(10/4) + 90·ln(90/96)
    expect(poissonLlr(10, 4, 100)).toBeCloseTo(10 * Math.log(2.5) + 90 * Math.log(90 / 96), 12);
    expect(poissonLlr(3, 4, 100)).toBe(0); // fewer than expected: no cluster
  });
});

const series = (counts: number[], extra: Partial<CountSeries> = {}): CountSeries => ({
  level: 'district',
  region: '110105',
  field: '劳动社保',
  channel: null,
  petitionClass: null,
  firstWeek: 2900,
  counts: Int32Array.from(counts),
  ...extra,
});
const c1Only = (sparsityRule = { minMean: 1, maxZeroShare: 0.5 }): ScanConfig['counts'] => ({
  ...config.counts,
  methods: [{ method: 'ears-c1', levels: ['district'], params: {}, sparsity: sparsityRule }],
});

describe('count aberrations', () => {
  it('EARS C1 on a hand series: alarm, expected count, severity', () => {
    // Baseline 10,12,10,12,10,12,10: mean 76/7 = 10.857; sd (n − 1) = √(6.857/6) = 1.0690;
    // C1 bound = mean + qnorm(0.999)·sd = 10.857 + 3.0902·1.0690 = 14.161. 30 > 14.161: alarm.
    // ratio = 30/10.857 = 2.76 (≥ 2, < 3) and excess = 19.1 (≥ 3): warning.
    const s = series([10, 12, 10, 12, 10, 12, 10, 30]);
    const { candidates, stats } = scanCounts({ series: [s], weeks: [2907], dataStartWeek: 2900, config: c1Only() });
    expect(stats).toMatchObject({ scanned: 1, skipped: 0 });
    expect(candidates).toHaveLength(1);
    const [alert] = candidates;
    expect(alert).toMatchObject({ kind: 'count-aberration', method: 'ears-c1', level: 'district', regionCode: '110105', field: '劳动社保', observed: 30, week: weekStart(2907), baseSeverity: 'warning' });
    expect(alert!.expected).toBeCloseTo(76 / 7, 12);
    const sd = Math.sqrt((4 * (10 - 76 / 7) ** 2 + 3 * (12 - 76 / 7) ** 2) / 6);
    expect(alert!.upperbound).toBeCloseTo(76 / 7 + 3.090232306167813 * sd, 10);
    // 14 is under the bound: no alarm
    expect(scanCounts({ series: [series([10, 12, 10, 12, 10, 12, 10, 14])], weeks: [2907], dataStartWeek: 2900, config: c1Only() }).candidates).toEqual([]);
  });

  it('serious needs both ratio ≥ 3 and an excess of 10 cases', () => {
    // mean 10.857: 40 is 3.7 times and 29 over
    const { candidates } = scanCounts({ series: [series([10, 12, 10, 12, 10, 12, 10, 40])], weeks: [2907], dataStartWeek: 2900, config: c1Only() });
    expect(candidates[0]!.baseSeverity).toBe('serious');
    // mean 1.143 over 1,1,1,2,1,1,1: 4 is 3.5 times but only 2.9 over: info
    const small = scanCounts({ series: [series([1, 1, 1, 2, 1, 1, 1, 4])], weeks: [2907], dataStartWeek: 2900, config: c1Only() });
    expect(small.candidates[0]!.baseSeverity).toBe('info');
  });

  it('sparse and short series are skipped, and say why', () => {
    // mean 3/7 < 1: sparse
    expect(sparsity([0, 1, 0, 1, 0, 1, 0, 5], 0, 7, { minMean: 1, maxZeroShare: 0.5 }, 0)).toBe('sparse');
    // mean 8/7 ≥ 1 but 4 of 7 weeks zero > 0.5: sparse
    expect(sparsity([0, 2, 0, 3, 0, 3, 0, 5], 0, 7, { minMean: 1, maxZeroShare: 0.5 }, 0)).toBe('sparse');
    // the history would begin before the data did: short
    expect(sparsity([5, 5, 5, 5, 5, 5, 5, 5], 0, 7, { minMean: 1, maxZeroShare: 0.5 }, 1)).toBe('short');
    const result = scanCounts({ series: [series([0, 1, 0, 1, 0, 1, 0, 9])], weeks: [2907], dataStartWeek: 2900, config: c1Only() });
    expect(result.candidates).toEqual([]);
    expect(result.stats).toMatchObject({ scanned: 1, skipped: 1, skippedBy: { 'ears-c1:sparse': 1 } });
    // a method not configured for the series' level is not run at all
    expect(scanCounts({ series: [series([10, 12, 10, 12, 10, 12, 10, 30], { level: 'street' })], weeks: [2907], dataStartWeek: 2900, config: c1Only() }).stats.scanned).toBe(0);
  });

  it('a method limited to some groupings runs on those series only', () => {
    const onFields: ScanConfig['counts'] = { ...c1Only(), methods: [{ ...c1Only().methods[0]!, groupings: [['field']] }] };
    const surge = [10, 12, 10, 12, 10, 12, 10, 30];
    const result = scanCounts({
      series: [series(surge), series(surge, { field: null }), series(surge, { channel: 'visit' })],
      weeks: [2907],
      dataStartWeek: 2900,
      config: onFields,
    });
    expect(result.stats.scanned).toBe(1); // the district × field series, not the total nor field × channel
    expect(result.candidates.map((c) => [c.field, c.channel])).toEqual([['劳动社保', null]]);
  });

  it('a method this build lacks is noted, not an error', () => {
    const result = scanCounts({
      series: [series([10, 12, 10, 12, 10, 12, 10, 30])],
      weeks: [2907],
      dataStartWeek: 2900,
      config: { ...config.counts, methods: [{ method: 'no-such-method', levels: ['district'], params: {}, sparsity: { minMean: 0, maxZeroShare: 1 } }] },
    });
    expect(result.stats.notes).toEqual(['no-such-method: not available in this build; skipped']);
  });

  it('an alarm in a week not above its expectation is the trail of an earlier excess: no alert, but counted', () => {
    // The scan's EARS C3 (published, alpha 0.001, 28 weeks): 32 ordinary weeks, a surge of 60,
    // then 10. C3 sums three weeks' excesses, so the surge still alarms the week after.
    const c3 = config.counts.methods.find((m) => m.method === 'ears-c3')!;
    const counts = [...Array.from({ length: 32 }, (_, i) => (i % 2 ? 12 : 10)), 60, 10];
    const rows = countMethod('ears-c3')!.run({ counts, weeks: [] }, c3.params, 33);
    expect(rows.map((r) => [r.t, r.observed, r.alarm])).toEqual([
      [33, 60, true],
      [34, 10, true],
    ]);
    expect(rows[1]!.observed).toBeLessThan(rows[1]!.expected!);
    const result = scanCounts({
      series: [series(counts)],
      weeks: [2900 + 32, 2900 + 33],
      dataStartWeek: 2900,
      config: { ...config.counts, methods: [{ ...c3, levels: ['district'] }] },
    });
    expect(result.candidates.map((c) => [c.week, c.observed])).toEqual([[weekStart(2932), 60]]);
    expect(result.stats.notes).toEqual(["1 alarms in weeks not above their expectation left out (the trail of an earlier week's excess)"]);
  });

  it('the EARS adapter reports the baseline mean after C3’s guard band as expected', () => {
    // C3 at t = 12 (1-based): its C2 baseline is weeks 3..9 (two-week guard band): values 3..9, mean 6
    const counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const [row] = countMethod('ears-c3')!.run({ counts, weeks: [] }, {}, 12);
    expect(row!.expected).toBe(6);
  });
});

describe('collective growth', () => {
  const week = 3000;
  const matter = (events: Array<[number, number]>): CollectiveMatter => ({
    level: 'street',
    region: '110105001',
    field: '城乡建设',
    events: events.map(([w, size], i) => ({ week: w, date: weekStart(w), size, caseId: `C${i}` })),
  });
  const cfg = config.collective; // recent 4 weeks, baseline 26, minRecent 3, alpha 0.001; trend ≥ 4 events, alpha 0.01

  it('more collective visits than the baseline rate, and growing in size', () => {
    // Baseline (weeks 2971..2996): one case of 5. Recent (2997..3000): 6, 8, 12, 20.
    // Expected recent = (1 + 0.5)/26 · 4 = 0.2308; P(X ≥ 4 | 0.2308) = 1 − e^−μ(1 + μ + μ²/2 + μ³/6) ≈ 6.6e-5 ≤ 0.001.
    // Sizes 5, 6, 8, 12, 20 strictly increase: S = 10, exact p = 1/5! = 0.00833 ≤ 0.01.
    const signal = collectiveSignal(matter([[2980, 5], [2997, 6], [2998, 8], [2999, 12], [3000, 20]]), week, cfg)!;
    const mu = (1.5 / 26) * 4;
    expect(signal).toMatchObject({ kind: 'collective-growth', level: 'street', regionCode: '110105001', field: '城乡建设', observed: 4, baseSeverity: 'warning' });
    expect(signal.expected).toBeCloseTo(mu, 14);
    expect((signal.detail.frequency as { p: number }).p).toBeCloseTo(1 - Math.exp(-mu) * (1 + mu + mu ** 2 / 2 + mu ** 3 / 6), 12);
    expect((signal.detail.sizeTrend as { s: number; p: number }).p).toBeCloseTo(1 / 120, 14);
  });

  it('frequency alone is info; a collective of largeSize (50) or more is serious', () => {
    // Sizes 9, 7, 6 (falling): no trend, but 3 recent cases against 0.5/26·4 = 0.077 expected: p = 1 − e^−μ(1 + μ + μ²/2) ≈ 7e-5
    expect(collectiveSignal(matter([[2998, 9], [2999, 7], [3000, 6]]), week, cfg)!.baseSeverity).toBe('info');
    expect(collectiveSignal(matter([[2998, 9], [2999, 7], [3000, 60]]), week, cfg)!.baseSeverity).toBe('serious');
  });

  it('steady visits are no signal, nor a matter with nothing recent', () => {
    // One a fortnight all along, sizes alternating: 13 baseline and 2 recent, expected (13.5/26)·4 = 2.08
    const steady = Array.from({ length: 15 }, (_, i): [number, number] => [2972 + 2 * i, i % 2 ? 6 : 7]);
    expect(collectiveSignal(matter(steady), week, cfg)).toBeNull();
    expect(collectiveSignal(matter([[2980, 5], [2985, 8], [2990, 12], [2995, 20]]), week, cfg)).toBeNull();
  });

  it('no frequency signal when the baseline reaches before the data begins', () => {
    expect(collectiveSignal(matter([[2998, 9], [2999, 7], [3000, 6]]), week, cfg, 2990)).toBeNull();
  });
});

describe('petitioner escalation', () => {
  const path = (ranks: Array<[number, 1 | 2 | 3, number?]>): PetitionerPath => ({
    petitioner: 'P0123abcd',
    cases: ranks.map(([w, rank, size], i) => ({ week: w, date: weekStart(w), rank, district: '110106', field: '劳动社保', size: size ?? 1, caseId: `K${i}` })),
  });
  const cfg = config.escalation; // 90 days, at least 3 cases; serious from 5 cases

  it('district, district, then skip-level within the window: warning', () => {
    const signal = escalationSignal(path([[2990, 1], [2995, 1], [3000, 3]]), 3000, cfg, '110000')!;
    expect(signal).toMatchObject({ kind: 'petitioner-escalation', level: 'district', regionCode: '110106', subject: 'P0123abcd', observed: 3, expected: 1, baseSeverity: 'warning' });
    expect(signal.detail).toMatchObject({ from: 'district', to: 'skip-level', casesInWindow: 3 });
  });

  it('to the city is info; with five cases, or a collective one, skip-level is serious', () => {
    expect(escalationSignal(path([[2990, 1], [2995, 1], [3000, 2]]), 3000, cfg, '110000')!.baseSeverity).toBe('info');
    expect(escalationSignal(path([[2990, 1], [2992, 1], [2994, 2], [2996, 1], [3000, 3]]), 3000, cfg, '110000')!.baseSeverity).toBe('serious');
    expect(escalationSignal(path([[2990, 1, 8], [2995, 1], [3000, 3]]), 3000, cfg, '110000')!.baseSeverity).toBe('serious');
  });

  it('no signal without a move up, with too few cases, or outside the window', () => {
    expect(escalationSignal(path([[2990, 3], [2995, 1], [3000, 3]]), 3000, cfg, '110000')).toBeNull(); // was skip-level before
    expect(escalationSignal(path([[2995, 1], [3000, 3]]), 3000, cfg, '110000')).toBeNull(); // 2 cases < 3
    // 90 days back from Sunday of week 3000 leaves week 2987 outside
    expect(escalationSignal(path([[2980, 1], [2985, 1], [3000, 3]]), 3000, cfg, '110000')).toBeNull();
    expect(escalationSignal(path([[2990, 1], [2995, 1], [2999, 3]]), 3000, cfg, '110000')).toBeNull(); // nothing this week
  });
});

describe('organ rates', () => {
  const cfg = config.organRates; // alpha 0.001, rise ≥ 0.05, recent ≥ 20, 5 expected each side

  it('overdue share up from 10% to 30%: z = 3.54, p = 0.0002', () => {
    const verdict = organRateSignal({ bad: 30, n: 100 }, { bad: 10, n: 100 }, cfg);
    expect(verdict).toMatchObject({ signal: true });
    expect('rise' in verdict && verdict.rise).toBeCloseTo(0.2, 14);
  });

  it('a small rise is no signal; a thin window is not tested', () => {
    expect(organRateSignal({ bad: 12, n: 100 }, { bad: 10, n: 100 }, cfg)).toMatchObject({ signal: false });
    expect(organRateSignal({ bad: 5, n: 10 }, { bad: 10, n: 100 }, cfg)).toEqual({ skipped: 'few-recent' });
    // pooled share 2/400: 1 bad expected on each side < 5
    expect(organRateSignal({ bad: 2, n: 200 }, { bad: 0, n: 200 }, cfg)).toEqual({ skipped: 'approximation' });
  });
});

describe('space-time permutation scan', () => {
  // A line of three districts: A – B – C.
  const line = new Map([
    ['A', new Set(['B'])],
    ['B', new Set(['A', 'C'])],
    ['C', new Set(['B'])],
  ]);

  it('zones are the connected sets of districts', () => {
    expect(connectedZones(['A', 'B', 'C'], line, 3)).toEqual([[0], [1], [2], [0, 1], [1, 2], [0, 1, 2]]);
    expect(connectedZones(['A', 'B', 'C'], line, 1)).toEqual([[0], [1], [2]]);
    const beijing = districtAdjacency('beijing');
    expect(beijing.size).toBe(16);
    expect(connectedZones([...beijing.keys()].sort(), beijing, 4)).toHaveLength(429);
    expect(districtAdjacency('elsewhere').size).toBe(0);
  });

  it('the most likely cluster by hand', () => {
    // Weeks 1-4. A: 5,5,5,15  B: 5,5,5,15  C: 5,5,5,5. Totals A 30, B 30, C 20; weeks 15,15,15,35; C = 80.
    // Last week, zone {A,B}: c = 30, μ = 60·35/80 = 26.25, LLR = 30 ln(30/26.25) + 50 ln(50/53.75) = 0.3899;
    // {A} or {B}: c = 15, μ = 13.125, LLR = 0.1544; zones with C have c ≤ μ. The cluster is {A,B}.
    const table: SpaceTimeTable = { districts: ['A', 'B', 'C'], weeks: 4, counts: Int32Array.from([5, 5, 5, 15, 5, 5, 5, 15, 5, 5, 5, 5]) };
    const cluster = spaceTimeScan(table, connectedZones(table.districts, line, 3), { maxWeeks: 1, replicates: 99, seed: 1 })!;
    expect(cluster).toMatchObject({ zone: [0, 1], weeks: 1, observed: 30, expected: 26.25 });
    expect(cluster.llr).toBeCloseTo(30 * Math.log(30 / 26.25) + 50 * Math.log(50 / 53.75), 12);
    expect(cluster.p).toBeGreaterThan(0.05); // a weak excess is common under permutation
  });

  it('a strong cluster is significant, and the seed fixes the p-value', () => {
    const table: SpaceTimeTable = { districts: ['A', 'B', 'C'], weeks: 4, counts: Int32Array.from([2, 2, 2, 30, 2, 2, 2, 30, 10, 10, 10, 2]) };
    const zones = connectedZones(table.districts, line, 3);
    const cluster = spaceTimeScan(table, zones, { maxWeeks: 2, replicates: 199, seed: 7 })!;
    expect(cluster).toMatchObject({ zone: [0, 1], weeks: 1, observed: 60 });
    expect(cluster.p).toBe(1 / 200); // no replicate comes close
    expect(spaceTimeScan(table, zones, { maxWeeks: 2, replicates: 199, seed: 7 })!.p).toBe(cluster.p);
  });
});

describe('sensitive periods', () => {
  const calendar = sensitiveCalendar();
  let dir: string | undefined;
  afterEach(() => {
    delete process.env.XINFANG_SENSITIVE_PERIODS;
  });

  it('the national sessions (with a week ahead) and National Day', () => {
    expect(calendar.periodOfWeek(d('2026-03-09'))?.id).toBe('national-sessions');
    expect(calendar.periodOfWeek(d('2026-02-23'))?.id).toBe('national-sessions'); // lead week: 22 Feb onward
    expect(calendar.periodOfWeek(d('2026-02-09'))).toBeNull();
    expect(calendar.periodOfWeek(d('2026-03-16'))).toBeNull(); // 16-22 March, after 15 March
    expect(calendar.periodOfWeek(d('2025-09-29'))?.id).toBe('national-day');
    expect(calendar.periodOfWeek(d('2025-10-06'))?.id).toBe('national-day'); // 6 and 7 October
    expect(calendar.periodOfWeek(d('2025-10-13'))).toBeNull();
  });

  it('raises an alert one step, naming the period; serious stays serious', () => {
    expect(applySensitivePeriod('info', d('2026-03-02'), calendar)).toEqual({
      severity: 'warning',
      base: 'info',
      sensitivePeriod: '全国两会 National sessions (NPC and CPPCC) 2026-03-01..2026-03-15',
    });
    expect(applySensitivePeriod('serious', d('2026-03-02'), calendar).severity).toBe('serious');
    expect(applySensitivePeriod('warning', d('2026-06-01'), calendar)).toEqual({ severity: 'warning', base: 'warning', sensitivePeriod: null });
  });

  it('an override file sets the year’s exact dates and adds major events', () => {
    dir = mkdtempSync(join(tmpdir(), 'xinfang-sensitive-'));
    const path = join(dir, 'periods.json');
    writeFileSync(
      path,
      JSON.stringify({
        source: 'test',
        recurring: [{ id: 'national-sessions', nameZh: '全国两会', nameEn: 'National sessions', from: '03-04', to: '03-11' }],
        events: [{ id: 'forum-2026', nameZh: '重大活动', nameEn: 'A major event', from: '2026-05-10', to: '2026-05-12', leadDays: 3 }],
      }),
    );
    process.env.XINFANG_SENSITIVE_PERIODS = path;
    const overridden = sensitiveCalendar();
    expect(overridden.periodOfWeek(d('2026-02-23'))).toBeNull(); // no lead days any more
    expect(overridden.periodOfWeek(d('2026-03-09'))?.from).toBe('2026-03-04');
    expect(overridden.periodOfWeek(d('2026-05-04'))?.id).toBe('forum-2026'); // 7-9 May are lead days
    expect(overridden.periodOfWeek(d('2025-10-01'))?.id).toBe('national-day'); // kept from the base file
  });

  it('a bad calendar is refused naming the entry and problem', () => {
    expect(() => sensitiveCalendarSchema.parse({ source: 'x', events: [{ id: 'e', nameZh: 'x', nameEn: 'x', from: '2026-02-30', to: '2026-03-01' }] })).toThrow(/no such calendar date: 2026-02-30/);
    expect(() => createSensitiveCalendar(sensitiveCalendarSchema.parse({ source: 'x', recurring: [{ id: 'w', nameZh: 'x', nameEn: 'x', from: '10-07', to: '10-01' }] }))).toThrow(/ends before it begins/);
  });
});
