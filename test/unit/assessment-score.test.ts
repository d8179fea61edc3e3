/**
 * The assessment's scoring engine and its method file (analytics/assessment/), by hand: the
 * linear points between the bounds, the shrinkage of a small unit's rate toward the city's,
 * the rescaling over the indicators with data, ranks on the printed score, and the notice's
 * praise and criticism at their thresholds. The numbers are chosen to be checked on paper.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAssessmentFile, methodForYear, parseAssessmentFile, type AssessmentFile, type AssessmentMethod } from '../../analytics/assessment/method.js';
import { assess, scoreUnit, type Tallies, type UnitInput } from '../../analytics/assessment/score.js';

const beijing = loadAssessmentFile('beijing')!;
const official = beijing.versions[0]!;
/** Beijing's method with minCases 16, so that Z = √(n/16) is 0.5 at 4 cases and 0.75 at 9. */
const method: AssessmentMethod = { ...official, smallUnits: { ...official.smallUnits, minCases: 16 } };

const t = (numerator: number, denominator: number) => ({ numerator, denominator });
// The city: 90% registered and replied on time, 20% repeats, 80% rated and satisfied, 18 of 20 duty periods met.
const city: Tallies = {
  timely_acceptance_rate: t(90, 100),
  on_time_completion_rate: t(90, 100),
  repeat_rate: t(20, 100),
  participation_rate: t(80, 100),
  satisfaction_rate: t(80, 100),
  duties_on_time_rate: t(18, 20),
};
const unit = (code: string, tallies: Tallies, type: UnitInput['type'] = 'district'): UnitInput => ({ code, type, name: `单位${code}`, tallies });

// A: every rate on 20 or more cases, each halfway or so between its bounds.
const A = unit('A', {
  timely_acceptance_rate: t(45, 50), // 90%: (0.9 − 0.8) / 0.2 = 0.5 of 20 = 10
  on_time_completion_rate: t(36, 40), // 90%: 0.5 of 25 = 12.5
  repeat_rate: t(10, 50), // 20%: (0.2 − 0.4) / (0.1 − 0.4) = 2/3 of 15 = 10
  participation_rate: t(29, 40), // 72.5%: (0.725 − 0.5) / 0.45 = 0.5 of 10 = 5
  satisfaction_rate: t(29, 40), // 72.5%: 0.5 of 15 = 7.5
  duties_on_time_rate: t(20, 20), // 100%: 15
}); // 60 points of 100: exactly the criticism line, so not below it.

// B: a small unit with three indicators.
const B = unit('B', {
  timely_acceptance_rate: t(4, 4), // 100% on 4: Z = 0.5, 0.5 × 1 + 0.5 × 0.9 = 95%: 0.75 of 20 = 15
  on_time_completion_rate: t(6, 9), // 66.7% on 9: Z = 0.75, 0.75 × 2/3 + 0.25 × 0.9 = 72.5%: below 80%, 0
  repeat_rate: t(1, 4), // 25% on 4: Z = 0.5, 22.5%: (0.225 − 0.4) / −0.3 = 0.5833 of 15 = 8.75
}); // 23.75 points of the 60 it has data for: 23.75 × 100 / 60 = 39.58, printed 39.6

const perfect: Tallies = {
  timely_acceptance_rate: t(40, 40),
  on_time_completion_rate: t(40, 40),
  repeat_rate: t(4, 40), // 10%: the full mark exactly
  participation_rate: t(38, 40), // 95%
  satisfaction_rate: t(38, 40),
  duties_on_time_rate: t(4, 4), // 100% on 4: Z = 0.5, 0.5 + 0.5 × 0.9 = 95%: (0.95 − 0.5) / 0.5 = 0.9 of 15 = 13.5
};
const D = unit('D', perfect); // 100 − 1.5 = 98.5
const C = unit('C', { duties_on_time_rate: t(2, 3) }); // 15 of the 50 needed: not scored; one period missed

describe('the points of a unit', () => {
  it('are linear between the bounds, and the score is their sum when every indicator has data', () => {
    const a = scoreUnit(method, A, city);
    [10, 12.5, 10, 5, 7.5, 15].forEach((points, n) => expect(a.indicators[n]!.points).toBeCloseTo(points, 12));
    expect(a.indicators.every((i) => i.credibility === 1 && i.adjusted === i.raw)).toBe(true);
    expect(a.scoredWeight).toBe(100);
    expect(a.score).toBeCloseTo(60, 12);
    expect(a.printed).toBe(60);
    expect(a.missedDutyPeriods).toBe(0);
    expect(a.explanation.at(-1)).toBe('score: 60 points, printed 60.0 [beijing-assessment 2017.1]');
  });

  it('shrinks a rate on fewer than minCases cases toward the city, clamps at the bounds, and rescales over the indicators with data', () => {
    const b = scoreUnit(method, B, city);
    const [timely, onTime, repeat, participation] = b.indicators;
    expect(timely).toMatchObject({ raw: 1, denominator: 4, credibility: 0.5, jurisdictionRate: 0.9 });
    expect(timely!.adjusted).toBeCloseTo(0.95, 12);
    expect(timely!.points).toBeCloseTo(15, 12);
    expect(onTime!.credibility).toBe(0.75);
    expect(onTime!.adjusted).toBeCloseTo(0.725, 12);
    expect(onTime!.points).toBe(0);
    expect(repeat!.adjusted).toBeCloseTo(0.225, 12);
    expect(repeat!.points).toBeCloseTo(8.75, 12);
    // Nothing to measure is left out, not a zero.
    expect(participation).toMatchObject({ raw: null, points: null, adjusted: null });
    expect(b.scoredWeight).toBe(60);
    expect(b.score).toBeCloseTo(2375 / 60, 12);
    expect(b.printed).toBe(39.6);
    expect(timely!.explanation).toBe(
      'timely_acceptance_rate (及时受理率): 4/4 = 100.0%; 4 < 16 cases: Z = √(4/16) = 0.5, adjusted = 0.5 × 100.0% + 0.5 × 90.0% (jurisdiction) = 95.0%; ' +
        'linear from 80.0% (0) to 100.0% (20): 0.75 × 20 = 15 points [beijing-assessment 2017.1; 北京市信访工作责任制实施细则 第十六条; 信访工作条例 第二十二条、第二十三条]',
    );
    expect(b.explanation.at(-1)).toBe('score: 23.75 of 60 points × 100 / 60 = 39.5833, printed 39.6 [beijing-assessment 2017.1]');
  });

  it('uses Z = √(n / 30) under the Beijing method as published', () => {
    const small = scoreUnit(official, unit('S', { on_time_completion_rate: t(23, 23), timely_acceptance_rate: t(30, 30), repeat_rate: t(3, 30) }), city);
    expect(small.indicators[1]!.credibility).toBeCloseTo(Math.sqrt(23 / 30), 12);
    expect(small.indicators[1]!.adjusted).toBeCloseTo(Math.sqrt(23 / 30) + (1 - Math.sqrt(23 / 30)) * 0.9, 12);
    expect(small.indicators[0]!.credibility).toBe(1);
  });

  it('does not score a unit whose indicators with data weigh less than the coverage minimum, and says why', () => {
    const c = scoreUnit(method, C, city);
    expect(c).toMatchObject({ score: null, printed: null, scoredWeight: 15, missedDutyPeriods: 1, notScored: 'indicators with data weigh 15, less than the 50 needed' });
    const none = scoreUnit(method, unit('N', {}), city);
    expect(none).toMatchObject({ score: null, scoredWeight: 0, missedDutyPeriods: null, notScored: 'no indicator has data for the year' });
    // A zero denominator is nothing to measure, as a missing tally is.
    expect(scoreUnit(method, unit('Z', { repeat_rate: t(0, 0) }), city).indicators[2]!.raw).toBeNull();
  });

  it('refuses a tally that cannot be, and a small unit with no city rate to shrink toward', () => {
    expect(() => scoreUnit(method, unit('X', { repeat_rate: t(5, 4) }), city)).toThrow('X repeat_rate: a tally is two whole numbers, numerator ≤ denominator, not 5/4');
    expect(() => scoreUnit(method, unit('X', { repeat_rate: t(1.5, 4) }), city)).toThrow(RangeError);
    expect(() => scoreUnit(method, unit('X', { repeat_rate: t(1, 4) }), {})).toThrow('X repeat_rate: the unit has 4 cases but the jurisdiction none to shrink toward');
  });
});

describe('the ranking and the notice', () => {
  it('ranks each type on the printed score, praises the top within the share, criticises below the line or for a missed duty', () => {
    const E = unit('E', { ...perfect, duties_on_time_rate: t(2, 4) }, 'city-department'); // high, but two periods missed
    const F = unit('F', perfect, 'city-department');
    const result = assess(method, [A, B, C, D, E, F], city);
    expect(result.method).toEqual({ id: 'beijing-assessment', version: '2017.1' });
    // Districts first (the method's order), best first, the unscored last.
    expect(result.units.map((u) => [u.code, u.printed, u.rank, u.of])).toEqual([
      ['D', 98.5, 1, 3],
      ['A', 60, 2, 3],
      ['B', 39.6, 3, 3],
      ['C', null, null, 3],
      ['F', 98.5, 1, 2],
      // E: duties 2/4 on 4 cases → Z = 0.5, 0.5 × 0.5 + 0.5 × 0.9 = 70%: (0.7 − 0.5) / 0.5 = 0.4 of 15 = 6, so 91
      ['E', 91, 2, 2],
    ]);
    // Three scored districts: 20% of 3 is 0.6, so the first only; D at 98.5 ≥ 90. F likewise among two departments.
    expect(result.praised.map((e) => [e.code, e.grounds])).toEqual([
      ['D', [{ kind: 'top-score', printed: 98.5, minScore: 90, rank: 1, of: 3, within: 1 }]],
      ['F', [{ kind: 'top-score', printed: 98.5, minScore: 90, rank: 1, of: 2, within: 1 }]],
    ]);
    const criticised = Object.fromEntries(result.criticised.map((e) => [e.code, e.grounds]));
    expect(Object.keys(criticised)).toEqual(['B', 'C', 'E']);
    // A at 60.0 is on the line, not below it.
    expect(criticised.B).toEqual([{ kind: 'low-score', printed: 39.6, belowScore: 60, weakest: expect.objectContaining({ measure: 'on_time_completion_rate', points: 0 }) }]);
    expect(criticised.C).toEqual([{ kind: 'missed-duty', periods: 1, minPeriods: 1, indicator: 'duties_on_time_rate' }]);
    expect(criticised.E).toEqual([{ kind: 'missed-duty', periods: 2, minPeriods: 1, indicator: 'duties_on_time_rate' }]);
    expect(result.criticised[0]!.source.article).toBe('第十七条');
  });

  it('gives equal printed scores one rank, and a tie at the praise boundary praises both', () => {
    const twins = assess(method, [unit('P', perfect), unit('Q', perfect), A], city);
    expect(twins.units.map((u) => [u.code, u.rank])).toEqual([['P', 1], ['Q', 1], ['A', 3]]);
    expect(twins.praised.map((e) => e.code)).toEqual(['P', 'Q']);
    // Below the praise line, the first is not praised.
    const strict: AssessmentMethod = { ...method, notice: { ...method.notice, praise: { ...method.notice.praise, minScore: 99 } } };
    expect(assess(strict, [unit('P', perfect)], city).praised).toEqual([]);
  });
});

describe('the method file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xinfang-assessment-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  type Loose = { versions: Record<string, unknown>[] };
  const changed = (change: (f: Loose) => void) => {
    const copy = JSON.parse(JSON.stringify(beijing)) as Loose;
    change(copy);
    return () => parseAssessmentFile(copy, 'beijing.json');
  };
  const indicators = (f: { versions: Record<string, unknown>[] }) => f.versions[0]!.indicators as Record<string, unknown>[];

  it('is validated, naming the place and the problem', () => {
    expect(changed((f) => (indicators(f)[0]!.weight = 30))).toThrow('assessment method beijing.json: versions.0.indicators: the weights add up to 110, not 100');
    expect(changed((f) => (indicators(f)[2]!.direction = 'higher'))).toThrow('versions.0.indicators.2.direction: "higher" contradicts the catalog: repeat_rate is better lower');
    expect(changed((f) => (indicators(f)[0]!.full = 0.7))).toThrow('versions.0.indicators.0.full: for a higher-is-better indicator full (0.7) must be higher than zero (0.8)');
    expect(changed((f) => (indicators(f)[0]!.measure = 'cases'))).toThrow('versions.0.indicators.0.measure: cases is not a rate');
    expect(changed((f) => (indicators(f)[0]!.measure = 'volume'))).toThrow('versions.0.indicators.0.measure: unknown measure "volume"');
    expect(changed((f) => (indicators(f)[1]!.measure = 'timely_acceptance_rate'))).toThrow('versions.0.indicators.1.measure: timely_acceptance_rate is an indicator twice');
    expect(changed((f) => ((f.versions[0]!.notice as { criticism: { belowScore: number } }).criticism.belowScore = 95))).toThrow('versions.0.notice.criticism.belowScore: the criticism line lies above the praise line');
    expect(changed((f) => f.versions.push({ ...f.versions[0]!, effective: '2016-01-01', version: '2016.1' }))).toThrow('versions.1.effective: versions are listed oldest first');
    expect(changed((f) => (f.versions[0]!.units = [{ ...(f.versions[0]!.units as Record<string, unknown>[])[0]!, type: 'street' }]))).toThrow('versions.0.units.0.type');
  });

  it('gives each year the version in force on its first day', () => {
    expect(methodForYear(beijing, 2017)).toBeNull(); // in force from 2017-06-22: 2017 had begun
    expect(methodForYear(beijing, 2018)?.version).toBe('2017.1');
    const later: AssessmentFile = { ...beijing, versions: [official, { ...official, version: '2026.1', effective: '2026-01-01' }] };
    expect(methodForYear(later, 2025)?.version).toBe('2017.1');
    expect(methodForYear(later, 2026)?.version).toBe('2026.1');
  });

  it('is read from the jurisdiction’s file, which must say it is that jurisdiction’s', () => {
    expect(loadAssessmentFile('xianning')).toBeNull();
    writeFileSync(join(dir, 'other.json'), JSON.stringify(beijing));
    expect(() => loadAssessmentFile('other', dir)).toThrow(`jurisdiction: says "beijing", the file is other's`);
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(() => loadAssessmentFile('broken', dir)).toThrow('not valid JSON');
    expect(() => loadAssessmentFile('../etc', dir)).toThrow('not a jurisdiction name');
  });
});
