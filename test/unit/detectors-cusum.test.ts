/**
 * CUSUM's transformations and m = "glm" against the reference: the fixtures in
 * test/fixtures/surveillance/cusum were computed by R's surveillance 1.20.3
 * (make-cusum-trans.R beside them) on series of our own. Tolerance: upper bounds to 1e-9
 * relative (the standard transformation's, rounded up, exactly); alarms exactly.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cusum, type CusumOptions } from '../../analytics/detectors/cusum.js';
import { parseSeriesCsv } from '../../analytics/detectors/series.js';

const dir = fileURLToPath(new URL('../fixtures/surveillance/cusum/', import.meta.url));
const RUNS: Record<string, Omit<CusumOptions, 'fromT'>> = {
  standard: { trans: 'standard' },
  rossi: { trans: 'rossi' },
  anscombe: { trans: 'anscombe' },
  anscombe2nd: { trans: 'anscombe2nd' },
  pearsonNegBin: { trans: 'pearsonNegBin' },
  'pearsonNegBin-a03-k05-h4': { trans: 'pearsonNegBin', alpha: 0.3, k: 0.5, h: 4 },
  'rossi-m6': { trans: 'rossi', m: 6 },
  'standard-glm': { trans: 'standard', m: 'glm', freq: 52 },
  'anscombe-glm-k05-h3': { trans: 'anscombe', m: 'glm', freq: 52, k: 0.5, h: 3 },
};
const files = readdirSync(dir).filter((f) => f.endsWith('.expected.csv'));
const counts = (name: string) => parseSeriesCsv(readFileSync(join(dir, `${name}.csv`), 'utf8'), 52).count;

describe('CUSUM transformations match surveillance::cusum', () => {
  it('has a fixture for every series and run', () => expect(files).toHaveLength(3 * Object.keys(RUNS).length));

  it.each(files)('%s', (file) => {
    const [seriesName, run] = file.split('.') as [string, string];
    const expected = readFileSync(join(dir, file), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const actual = cusum(counts(seriesName), { ...RUNS[run]!, fromT: expected[0]![0]! });
    expect(actual).toHaveLength(expected.length);
    actual.forEach((row, i) => {
      const [t, observed, upperbound, alarm] = expected[i]!;
      expect([row.t, row.observed, row.alarm]).toEqual([t, observed, alarm === 1]);
      expect(Math.abs(row.upperbound - upperbound!), `t=${t}: ${row.upperbound} vs ${upperbound}`).toBeLessThanOrEqual(1e-9 * Math.max(1, upperbound!));
    });
  });

  it('published anscombe2nd: the bound is the count whose statistic reaches h', () => {
    const x = counts('seasonal');
    const k = 1.04;
    const h = 2.26;
    const rows = cusum(x, { fromT: 53, trans: 'anscombe2nd', variant: 'published' });
    const m = x.slice(0, 52).reduce((a, b) => a + b, 0) / 52;
    const z = (v: number) => (v ** (2 / 3) - (m ** (2 / 3) - m ** (-1 / 3) / 9)) / ((2 / 3) * m ** (1 / 6));
    let previous = 0;
    for (const row of rows) {
      if (row.upperbound > 0) expect(previous + z(row.upperbound) - k).toBeCloseTo(h, 9);
      previous = Math.max(0, previous + z(row.observed) - k);
    }
    const reference = cusum(x, { fromT: 53, trans: 'anscombe2nd' });
    expect(reference.map((r) => r.alarm)).toEqual(rows.map((r) => r.alarm));
    expect(reference[0]!.upperbound).not.toBeCloseTo(rows[0]!.upperbound, 3);
  });
});
