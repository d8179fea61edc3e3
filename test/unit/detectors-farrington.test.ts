/**
 * Farrington (algo.farrington) and Farrington flexible against the reference: every fixture in
 * test/fixtures/surveillance/farrington was computed by R's surveillance 1.20.3
 * (make-farrington.R beside them) on series of our own. Tolerances: continuous upper bounds
 * ("delta" thresholds) and expected counts to 1e-8 relative; the negative binomial and Poisson
 * quantile bounds (nbPlugin, muan) and every alarm exactly.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { farrington, farringtonFlexible, farringtonHistoryNeeded, type FarringtonFlexibleOptions } from '../../analytics/detectors/farrington.js';
import { DETECTORS } from '../../analytics/detectors/registry.js';
import { parseSeriesCsv, type CountSeries } from '../../analytics/detectors/series.js';

const dir = fileURLToPath(new URL('../fixtures/surveillance/farrington/', import.meta.url));
const NOUFAILY = { b: 5, w: 3, noPeriods: 10, pastWeeksNotIncluded: 26, weightsThreshold: 2.58, pThresholdTrend: 0.05, alpha: 0.05 };
const RUNS: Record<string, { flexible: boolean; options: Omit<FarringtonFlexibleOptions, 'fromT'> }> = {
  far: { flexible: false, options: { b: 5, w: 3, alpha: 0.05 } },
  'far-b3-w2-a01-none': { flexible: false, options: { b: 3, w: 2, alpha: 0.01, powertrans: 'none' } },
  'flex-nb': { flexible: true, options: { ...NOUFAILY, thresholdMethod: 'nbPlugin' } },
  'flex-muan': { flexible: true, options: { ...NOUFAILY, thresholdMethod: 'muan' } },
  'flex-muan-published': { flexible: true, options: { ...NOUFAILY, thresholdMethod: 'muan', variant: 'published' } },
  'flex-delta-classic': {
    flexible: true,
    options: { b: 5, w: 3, noPeriods: 1, pastWeeksNotIncluded: 3, weightsThreshold: 1, thresholdMethod: 'delta' },
  },
  'flex-delta-b3-p4-half': {
    flexible: true,
    options: { b: 3, w: 2, noPeriods: 4, pastWeeksNotIncluded: 10, weightsThreshold: 2.58, pThresholdTrend: 1, alpha: 0.01, powertrans: '1/2', thresholdMethod: 'delta' },
  },
};
const files = readdirSync(dir).filter((f) => f.endsWith('.expected.csv'));
const seriesNames = readdirSync(dir).filter((f) => /^[a-z]-[a-z-]+\.csv$/.test(f)).map((f) => f.slice(0, -4));

function readSeries(name: string): CountSeries {
  return parseSeriesCsv(readFileSync(join(dir, `${name}.csv`), 'utf8'), name.startsWith('m-') ? 12 : 52);
}

function readExpected(file: string) {
  return readFileSync(join(dir, file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [t, observed, upperbound, alarm, expected] = line.split(',');
      return { t: Number(t), observed: Number(observed), upperbound: upperbound === 'NA' ? NaN : Number(upperbound), alarm: alarm === '1', expected: expected === 'NA' ? NaN : Number(expected) };
    });
}

const close = (actual: number, expected: number, relative: number) => Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected));

describe('Farrington detectors match surveillance 1.20.3', () => {
  it('has a fixture for every series and run', () => {
    expect(seriesNames.length).toBeGreaterThanOrEqual(8);
    expect(files).toHaveLength(seriesNames.length * Object.keys(RUNS).length);
  });

  it.each(files)('%s', (file) => {
    const [seriesName, run] = file.split('.') as [string, string];
    const { flexible, options } = RUNS[run]!;
    const series = readSeries(seriesName);
    const expected = readExpected(file);
    // The fixture starts where R finds every reference window inside the series.
    expect(farringtonHistoryNeeded(series, flexible, options.b, options.w) + 1).toBe(expected[0]!.t);
    const actual = (flexible ? farringtonFlexible : farrington)(series, { ...options, fromT: expected[0]!.t });
    expect(actual.map((r) => r.t)).toEqual(expected.map((r) => r.t));
    const discrete = options.thresholdMethod === 'nbPlugin' || options.thresholdMethod === 'muan';
    actual.forEach((row, i) => {
      const want = expected[i]!;
      expect(row.observed).toBe(want.observed);
      expect(row.alarm, `t=${row.t}`).toBe(want.alarm);
      if (Number.isNaN(want.upperbound)) expect(row.upperbound, `t=${row.t}`).toBeNaN();
      else if (discrete) expect(row.upperbound, `t=${row.t}`).toBe(want.upperbound);
      else expect(close(row.upperbound, want.upperbound, 1e-8), `t=${row.t}: ${row.upperbound} vs ${want.upperbound}`).toBe(true);
      if (!Number.isNaN(want.expected)) expect(close(row.expected!, want.expected, 1e-8), `t=${row.t}: expected ${row.expected} vs ${want.expected}`).toBe(true);
    });
  });
});

describe('Farrington through the registry', () => {
  it('defaults to the Noufaily settings with nbPlugin and starts where the history allows', () => {
    const series = readSeries('w-seasonal');
    const spec = DETECTORS['farrington-flexible'];
    const fromT = spec.historyNeeded(52, {}, series) + 1;
    const expected = readExpected('w-seasonal.flex-nb.expected.csv');
    expect(fromT).toBe(expected[0]!.t);
    expect(spec.run(series, {}, fromT).map((r) => r.upperbound)).toEqual(expected.map((r) => r.upperbound));
  });

  it('refuses a monitored point without b years of history, naming it', () => {
    const series = readSeries('w-seasonal');
    expect(() => farringtonFlexible(series, { fromT: 200 })).toThrow(/^2018-10-29: farrington-flexible with b=5, w=3 needs 5 years of history/);
    expect(() => farrington(series, { fromT: 100 })).toThrow(/2016-11-28: farrington with b=5, w=3 needs 5 years/);
  });
});
