/**
 * `xinfang detect` for every method of the registry, and its refusals: each names the row or
 * the option and the problem, and exits 2.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DETECTOR_METHODS } from '../../analytics/detectors/registry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/surveillance');
const run = (args: string[]) => promisify(execFile)(process.execPath, [join(ROOT, 'bin/xinfang.js'), 'detect', ...args], { cwd: ROOT });
const failure = (args: string[]) =>
  run(args).then(
    () => null,
    (e: { code: number; stderr: string }) => e,
  );
const scratch = mkdtempSync(join(tmpdir(), 'xinfang-detect-'));
const file = (name: string, text: string) => {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
};

describe('xinfang detect', () => {
  it('runs every method on a dated weekly series and writes the reference bounds', { timeout: 60_000 }, async () => {
    const input = join(FIXTURES, 'farrington/w-seasonal.csv');
    for (const method of DETECTOR_METHODS) {
      const { stdout } = await run(['--method', method, '--input', input, '--freq', '52']);
      const lines = stdout.trim().split('\n');
      expect(lines[0], method).toBe('t,date,observed,upperbound,alarm');
      expect(lines.length, method).toBeGreaterThan(50);
      expect(lines.at(-1), method).toMatch(/^370,2022-01-31,\d+,([\d.]+|NaN),([01]|NA)$/);
    }
    // Farrington flexible from the first point with five years of reference weeks, as R.
    const { stdout } = await run(['--method', 'farrington-flexible', '--input', input, '--freq', '52', '--threshold-method', 'muan']);
    const expected = readFileSync(join(FIXTURES, 'farrington/w-seasonal.flex-muan.expected.csv'), 'utf8').trim().split('\n').slice(1);
    const actual = stdout.trim().split('\n').slice(1).map((l) => l.split(','));
    expect(actual.map((c) => [c[0], c[2], c[3], c[4]].join(','))).toEqual(expected.map((l) => l.split(',').slice(0, 4).join(',')));
  });

  it('refuses bad input and options naming the row or option and the problem', { timeout: 60_000 }, async () => {
    const weekly = join(FIXTURES, 'farrington/w-seasonal.csv');
    const cases: [string[], RegExp][] = [
      [['--method', 'farrington', '--input', file('neg.csv', 't,count\n1,3\n2,-1\n'), '--freq', '52'], /row 3: count must be a whole number ≥ 0, not "-1"/],
      [['--method', 'cusum', '--input', file('frac.csv', 't,count\n1,3\n2,2.5\n'), '--freq', '52'], /row 3: count must be a whole number ≥ 0, not "2.5"/],
      [['--method', 'glr-poisson', '--input', file('col.csv', 't,cases\n1,3\n'), '--freq', '52'], /row 1 \(header\): missing column "count"/],
      [['--method', 'farrington-flexible', '--input', file('gap.csv', 't,date,count\n1,2025-01-06,3\n2,2025-01-20,3\n'), '--freq', '52'], /row 3: date 2025-01-20 leaves a gap or overlap; expected 2025-01-13/],
      [['--method', 'farrington', '--input', file('short.csv', ['t,count', ...Array.from({ length: 200 }, (_, i) => `${i + 1},4`)].join('\n')), '--freq', '52'], /200 points; farrington needs at least 264/],
      [['--method', 'farrington-flexible', '--input', weekly, '--freq', '52', '--from-t', '200'], /2018-10-29: farrington-flexible with b=5, w=3 needs 5 years of history/],
      [['--method', 'ears-c1', '--input', weekly, '--freq', '52', '--threshold-method', 'muan'], /--threshold-method does not apply to ears-c1/],
      [['--method', 'farrington-flexible', '--input', weekly, '--freq', '52', '--threshold-method', 'exact'], /thresholdMethod must be one of nbPlugin, muan, delta, not "exact"/],
      [['--method', 'cusum', '--input', weekly, '--freq', '52', '--m', 'mean'], /--m must be a number, not "mean"/],
      [['--method', 'farrington', '--input', weekly, '--freq', '12'], /row 3: date 2015-01-12 leaves a gap or overlap; expected 2015-02-05/],
      [['--method', 'shewhart', '--input', weekly, '--freq', '52'], /--method must be one of ears-c1, .*glr-poisson, not "shewhart"/],
    ];
    for (const [args, message] of cases) {
      const error = await failure(args);
      expect(error?.code, args.join(' ')).toBe(2);
      expect(error?.stderr, args.join(' ')).toMatch(message);
    }
  });
});
