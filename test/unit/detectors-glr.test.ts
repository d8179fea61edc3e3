/**
 * The Poisson GLR detector against the reference: the fixtures in
 * test/fixtures/surveillance/glr were computed by R's surveillance 1.20.3 glrnb with alpha = 0
 * (make-glr.R beside them) on series of our own. Tolerances: the GLR value and the estimated
 * mu0 to 1e-9 relative; "cases" bounds and alarms exactly.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { glrPoisson, type GlrPoissonOptions } from '../../analytics/detectors/glr.js';
import { DETECTORS } from '../../analytics/detectors/registry.js';
import { parseSeriesCsv, type CountSeries } from '../../analytics/detectors/series.js';

const dir = fileURLToPath(new URL('../fixtures/surveillance/glr/', import.meta.url));
const RUNS: Record<string, Omit<GlrPoissonOptions, 'fromT'>> = {
  cases: { ret: 'cases' },
  value: { ret: 'value' },
  'cases-carl3': { ret: 'cases', cARL: 3 },
  'cases-mtilde2': { ret: 'cases', Mtilde: 2 },
  'cases-window20-mtilde2': { ret: 'cases', M: 20, Mtilde: 2 },
  'value-mu0': { ret: 'value' },
};
const files = readdirSync(dir).filter((f) => f.endsWith('.expected.csv'));
const readSeries = (name: string): CountSeries => parseSeriesCsv(readFileSync(join(dir, `${name}.csv`), 'utf8'), name.startsWith('m_') ? 12 : 52);
const readExpected = (file: string) =>
  readFileSync(join(dir, file), 'utf8').trim().split('\n').slice(1).map((l) => {
    const [t, observed, upperbound, alarm, mu0] = l.split(',').map(Number);
    return { t: t!, observed: observed!, upperbound: upperbound!, alarm: alarm === 1, mu0: mu0! };
  });
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe('the Poisson GLR detector matches surveillance::glrnb (alpha = 0)', () => {
  it('has a fixture for every series and run', () => expect(files).toHaveLength(4 * Object.keys(RUNS).length));

  it.each(files)('%s', (file) => {
    const [seriesName, run] = file.split('.') as [string, string];
    const series = readSeries(seriesName);
    const expected = readExpected(file);
    const fixed = run.endsWith('-mu0') ? { mu0: expected[0]!.mu0 } : {};
    const actual = glrPoisson(series.count, { ...RUNS[run]!, ...fixed, freq: series.freq, fromT: expected[0]!.t });
    expect(actual.map((r) => r.t)).toEqual(expected.map((r) => r.t));
    actual.forEach((row, i) => {
      const want = expected[i]!;
      expect([row.observed, row.alarm], `t=${row.t}`).toEqual([want.observed, want.alarm]);
      expect(close(row.expected!, want.mu0), `t=${row.t}: mu0 ${row.expected} vs ${want.mu0}`).toBe(true);
      if (RUNS[run]!.ret === 'cases') expect(row.upperbound, `t=${row.t}`).toBe(want.upperbound);
      else expect(close(row.upperbound, want.upperbound), `t=${row.t}: ${row.upperbound} vs ${want.upperbound}`).toBe(true);
    });
  });

  it('alarms exactly when the count reaches the "cases" bound', () => {
    const series = readSeries('w_shift');
    for (const row of glrPoisson(series.count, { fromT: 53, freq: 52 })) expect(row.alarm, `t=${row.t}`).toBe(row.observed >= row.upperbound);
  });

  it('published variant: a change point needs Mtilde points after it', () => {
    // One count of 12 against mu0 = 4 is a change on its own (GLR 5.18), but not over the two
    // points the paper requires with Mtilde = 2 (3.09); the reference allows k = n.
    const counts = [...Array.from({ length: 20 }, () => 4), 12];
    const options = { fromT: 18, mu0: 4, Mtilde: 2 };
    expect(glrPoisson(counts, options).at(-1)!.alarm).toBe(true);
    expect(glrPoisson(counts, { ...options, variant: 'published' }).at(-1)!.alarm).toBe(false);
    // With Mtilde = 1 and no window the two agree.
    const shift = readSeries('w_shift').count;
    expect(glrPoisson(shift, { fromT: 53, mu0: 5, variant: 'published' })).toEqual(glrPoisson(shift, { fromT: 53, mu0: 5 }));
  });

  it('runs through the registry with the reference default mu0', () => {
    const series = readSeries('w_seasonal');
    const spec = DETECTORS['glr-poisson'];
    const rows = spec.run(series, {}, spec.historyNeeded(52, {}, series) + 1);
    expect(rows.map((r) => r.upperbound)).toEqual(readExpected('w_seasonal.cases.expected.csv').map((r) => r.upperbound));
  });
});
