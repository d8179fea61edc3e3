/**
 * EARS against the reference: every fixture in test/fixtures/surveillance was computed by
 * R's surveillance 1.20.3 (make-ears.R beside them) on series of our own.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cusum, type CusumOptions } from '../../analytics/detectors/cusum.js';
import { earsC, type EarsOptions } from '../../analytics/detectors/ears.js';
import { normalQuantile } from '../../analytics/detectors/normal.js';
import { parseSeriesCsv } from '../../analytics/detectors/series.js';

const dir = fileURLToPath(new URL('../fixtures/surveillance/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS: Record<string, EarsOptions> = {
  c1: { method: 'C1' },
  c2: { method: 'C2' },
  c3: { method: 'C3' },
  'c1-b10-a05-s05': { method: 'C1', baseline: 10, alpha: 0.05, minSigma: 0.5 },
  'c3-a10-s1': { method: 'C3', alpha: 0.1, minSigma: 1 },
};
const expectedFiles = readdirSync(dir).filter((f) => f.endsWith('.expected.csv') && !f.includes('.cusum'));
const cusumFiles = readdirSync(dir).filter((f) => f.includes('.cusum') && f.endsWith('.expected.csv'));

function readExpected(file: string) {
  return readFileSync(join(dir, file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [t, observed, upperbound, alarm] = line.split(',');
      return { t: Number(t), observed: Number(observed), upperbound: Number(upperbound), alarm: alarm === 'NA' ? null : alarm === '1' };
    });
}

describe('EARS C1, C2, C3 match surveillance::earsC', () => {
  it('has reference fixtures for every run', () => {
    expect(expectedFiles).toHaveLength(2 * Object.keys(RUNS).length);
  });

  it.each(expectedFiles)('%s', (file) => {
    const [seriesName, run] = file.split('.') as [string, string];
    const series = parseSeriesCsv(readFileSync(join(dir, `${seriesName}.csv`), 'utf8'), 52);
    const actual = earsC(series.count, RUNS[run]!);
    const expected = readExpected(file);
    expect(actual.map((r) => r.t)).toEqual(expected.map((r) => r.t));
    actual.forEach((row, i) => {
      const want = expected[i]!;
      expect(row.observed).toBe(want.observed);
      expect(row.alarm, `t=${row.t}`).toBe(want.alarm);
      if (Number.isNaN(want.upperbound)) expect(row.upperbound, `t=${row.t}`).toBeNaN();
      else expect(Math.abs(row.upperbound - want.upperbound), `t=${row.t}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want.upperbound)));
    });
  });

  it('raises the surge in the weekly series (weeks 60-64) with C1', () => {
    const series = parseSeriesCsv(readFileSync(join(dir, 'weekly.csv'), 'utf8'), 52);
    const alarms = earsC(series.count, { method: 'C1' }).filter((r) => r.alarm).map((r) => r.t);
    expect(alarms).toContain(60);
  });
});

describe('CUSUM matches surveillance::cusum (standard transformation)', () => {
  const RUNS_CUSUM: Record<string, CusumOptions> = {
    'cusum-from53': { fromT: 53 },
    'cusum-k05-h4-m12-from20': { fromT: 20, k: 0.5, h: 4, m: 12 },
    'cusum-from20': { fromT: 20 },
  };
  it('has its fixtures', () => expect(cusumFiles).toHaveLength(3));
  it.each(cusumFiles)('%s', (file) => {
    const [seriesName, run] = file.split('.') as [string, string];
    const series = parseSeriesCsv(readFileSync(join(dir, `${seriesName}.csv`), 'utf8'), 52);
    const actual = cusum(series.count, RUNS_CUSUM[run]!);
    const expected = readExpected(file);
    // R writes ceiling() of a small negative as -0; + 0 makes it the same 0 as ours.
    expect(actual.map(({ expected: _m, ...row }) => row)).toEqual(expected.map((e) => ({ ...e, upperbound: e.upperbound + 0 })));
  });
});

describe('the published C3 (an option; the reference ignores the current point)', () => {
  it('alarms on a jump at t that the reference misses', () => {
    const counts = [5, 6, 5, 4, 6, 5, 6, 5, 4, 5, 6, 5, 5, 40];
    const t = counts.length;
    const reference = earsC(counts, { method: 'C3', fromT: t });
    const published = earsC(counts, { method: 'C3', fromT: t, variant: 'published' });
    expect(reference[0]?.alarm).toBe(false);
    expect(published[0]?.alarm).toBe(true);
  });
});

describe('normal quantile', () => {
  it('agrees with R qnorm', () => {
    const r: [number, number][] = [
      [0.999, 3.0902323061678132],
      [0.975, 1.9599639845400536],
      [0.9, 1.2815515655446008],
      [0.6, 0.25334710313579978],
      [0.99999, 4.2648907939238399],
      [1e-10, -6.3613409024040557],
    ];
    for (const [p, q] of r) expect(Math.abs(normalQuantile(p) - q)).toBeLessThan(1e-12);
  });
});

describe('xinfang detect', () => {
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [join(ROOT, 'bin/xinfang.js'), 'detect', ...args], { cwd: ROOT });
  const scratch = mkdtempSync(join(tmpdir(), 'xinfang-detect-'));
  const file = (name: string, text: string) => {
    const path = join(scratch, name);
    writeFileSync(path, text);
    return path;
  };

  it('writes t,date,observed,upperbound,alarm from the first point with enough history', async () => {
    // Ten weekly points from Monday 6 January 2025; the last one jumps.
    const dated = ['t,date,count', ...Array.from({ length: 10 }, (_, i) => {
      const d = new Date(Date.UTC(2025, 0, 6 + 7 * i)).toISOString().slice(0, 10);
      return `${i + 1},${d},${i === 9 ? 30 : 5 + (i % 3)}`;
    })].join('\n');
    const { stdout } = await run(['--method', 'ears-c1', '--input', file('dated.csv', dated), '--freq', '52']);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('t,date,observed,upperbound,alarm');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['8', '9', '10']);
    expect(lines.at(-1)).toMatch(/^10,2025-03-10,30,[\d.]+,1$/);
  });

  it('refuses bad input naming the row and the problem', async () => {
    const cases: [string, RegExp][] = [
      ['t,count\n1,3\n2,-1\n', /row 3: count must be a whole number ≥ 0, not "-1"/],
      ['t,count\n1,3\n2,2.5\n', /row 3: count must be a whole number/],
      ['t,cnt\n1,3\n', /row 1 \(header\): missing column "count"/],
      ['t,date,count\n1,2025-01-06,3\n2,2025-01-20,3\n', /row 3: date 2025-01-20 leaves a gap or overlap; expected 2025-01-13/],
      ['t,count\n1,3\n2,3\n', /needs at least 8/],
    ];
    for (const [text, message] of cases) {
      const failure = await run(['--method', 'ears-c1', '--input', file('bad.csv', text), '--freq', '52']).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toMatch(message);
    }
  });
});
