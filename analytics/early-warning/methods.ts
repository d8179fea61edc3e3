/**
 * The count detectors the scan may run, by the names `xinfang detect --method` uses. This is the
 * one place the early-warning scan touches analytics/detectors/: it adapts each detector to
 * "weekly series in, rows with observed, expected and upper bound out".
 */
import { cusum } from '../detectors/cusum.js';
import { earsC, earsHistoryNeeded, type EarsMethod } from '../detectors/ears.js';
import type { PlainDate } from '../../rules/plain-date.js';

export type MethodParams = Record<string, number | string | boolean>;

/** Weekly counts with the Monday of each week. */
export interface WeeklySeries {
  counts: ArrayLike<number>;
  weeks: readonly PlainDate[];
}

export interface MethodRow {
  /** 1-based index into the series. */
  t: number;
  observed: number;
  /** The count the method expected (its baseline mean or fitted value); null when it has none. */
  expected: number | null;
  upperbound: number;
  /** null where the method's statistic is undefined (e.g. a flat baseline for EARS). */
  alarm: boolean | null;
}

export interface CountMethod {
  name: string;
  /** Weeks of history the method needs before the first week it monitors. */
  historyNeeded(params: MethodParams): number;
  run(series: WeeklySeries, params: MethodParams, fromT: number): MethodRow[];
}

const num = (params: MethodParams, key: string): number | undefined => {
  const v = params[key];
  return typeof v === 'number' ? v : undefined;
};

const EARS: Record<string, EarsMethod> = { 'ears-c1': 'C1', 'ears-c2': 'C2', 'ears-c3': 'C3' };

function earsMethod(name: string, method: EarsMethod): CountMethod {
  return {
    name,
    historyNeeded: (params) => earsHistoryNeeded(method, num(params, 'baseline')),
    run(series, params, fromT) {
      const baseline = num(params, 'baseline') ?? 7;
      const rows = earsC(Array.from(series.counts), {
        method,
        fromT,
        baseline,
        ...(num(params, 'alpha') !== undefined ? { alpha: num(params, 'alpha')! } : {}),
        ...(num(params, 'minSigma') !== undefined ? { minSigma: num(params, 'minSigma')! } : {}),
        ...(params.variant === 'published' ? { variant: 'published' as const } : {}),
      });
      // The detectors report the bound, not the mean it came from: the baseline mean is the
      // expected count, over the same window the method used (after C2/C3's 2-point guard band).
      const guard = method === 'C1' ? 0 : 2;
      return rows.map((r) => {
        let sum = 0;
        for (let i = r.t - guard - baseline; i < r.t - guard; i++) sum += series.counts[i - 1]!;
        return { ...r, expected: sum / baseline };
      });
    },
  };
}

const cusumMethod: CountMethod = {
  name: 'cusum',
  // m is estimated from this many weeks before the first monitored one.
  historyNeeded: (params) => num(params, 'baselineWeeks') ?? 52,
  run(series, params, fromT) {
    const history = num(params, 'baselineWeeks') ?? 52;
    const start = Math.max(0, fromT - 1 - history);
    const window = Array.from(series.counts).slice(start);
    const m = num(params, 'm') ?? window.slice(0, fromT - 1 - start).reduce((a, b) => a + b, 0) / (fromT - 1 - start);
    return cusum(window, {
      fromT: fromT - start,
      m,
      ...(num(params, 'k') !== undefined ? { k: num(params, 'k')! } : {}),
      ...(num(params, 'h') !== undefined ? { h: num(params, 'h')! } : {}),
    }).map((r) => ({ ...r, t: r.t + start, expected: m }));
  },
};

const METHODS: Record<string, CountMethod> = {
  ...Object.fromEntries(Object.entries(EARS).map(([name, m]) => [name, earsMethod(name, m)])),
  cusum: cusumMethod,
};

/** The method of that name, or undefined when this build has no such detector (yet). */
export function countMethod(name: string): CountMethod | undefined {
  return METHODS[name];
}

export function countMethodNames(): string[] {
  return Object.keys(METHODS);
}
