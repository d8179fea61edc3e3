/**
 * The tests the signals beyond counts use, each exact where that is cheap: the Poisson upper
 * tail, Mann-Kendall's trend test (exact null distribution without ties), the one-sided
 * two-proportion z-test, and the Poisson generalised likelihood ratio of a scan window.
 */
import { normalQuantile, upperTail } from '../detectors/normal.js';

/** P(X ≥ x) for X ~ Poisson(mu), summed upward from x so a small tail keeps its digits. */
export function poissonUpperTail(x: number, mu: number): number {
  if (x <= 0) return 1;
  if (mu <= 0) return 0;
  let logTerm = x * Math.log(mu) - mu;
  for (let k = 2; k <= x; k++) logTerm -= Math.log(k);
  let term = Math.exp(logTerm);
  let sum = 0;
  for (let k = x; k < x + 100_000; k++) {
    sum += term;
    term *= mu / (k + 1);
    if (k > mu && term < sum * 1e-16) break;
  }
  return Math.min(1, sum);
}

/** The smallest count whose upper tail under Poisson(mu) is at most alpha: the one-sided critical value. */
export function poissonCriticalValue(mu: number, alpha: number): number {
  let x = Math.max(0, Math.floor(mu));
  while (poissonUpperTail(x, mu) > alpha) x++;
  while (x > 0 && poissonUpperTail(x - 1, mu) <= alpha) x--;
  return x;
}

export interface TrendTest {
  n: number;
  /** Kendall's S: concordant minus discordant pairs in time order. */
  s: number;
  /** One-sided p-value for an increasing trend. */
  p: number;
  exact: boolean;
}

/**
 * Mann-Kendall test for an increasing trend in `values` (in time order). Without ties, S's null
 * distribution is exact: S = N − 2Q with Q the number of inversions of a random permutation,
 * whose distribution is the Mahonian numbers (built here as probabilities). With ties, the
 * normal approximation with the tie-corrected variance and a continuity correction.
 */
export function mannKendall(values: readonly number[]): TrendTest {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign(values[j]! - values[i]!);
  const ties = new Map<number, number>();
  for (const v of values) ties.set(v, (ties.get(v) ?? 0) + 1);
  if (n < 2) return { n, s, p: 1, exact: true };
  if ([...ties.values()].every((t) => t === 1)) {
    const pairs = (n * (n - 1)) / 2;
    // dist[q] = P(Q = q) for permutations of 1..m, extended one element at a time.
    let dist = [1];
    for (let m = 2; m <= n; m++) {
      const next = new Array<number>(dist.length + m - 1).fill(0);
      for (let q = 0; q < dist.length; q++) for (let j = 0; j < m; j++) next[q + j]! += dist[q]! / m;
      dist = next;
    }
    const maxQ = (pairs - s) / 2;
    let p = 0;
    for (let q = 0; q <= maxQ; q++) p += dist[q]!;
    return { n, s, p: Math.min(1, p), exact: true };
  }
  let variance = n * (n - 1) * (2 * n + 5);
  for (const t of ties.values()) variance -= t * (t - 1) * (2 * t + 5);
  variance /= 18;
  if (variance <= 0) return { n, s, p: 1, exact: false };
  const z = (s - Math.sign(s)) / Math.sqrt(variance);
  return { n, s, p: upperTail(z), exact: false };
}

export interface ProportionTest {
  z: number;
  /** One-sided p-value for p1 > p0. */
  p: number;
}

/** One-sided two-proportion z-test with the pooled variance: is x1/n1 above x0/n0? */
export function twoProportionTest(x1: number, n1: number, x0: number, n0: number): ProportionTest {
  const pooled = (x1 + x0) / (n1 + n0);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  if (!(se > 0)) return { z: 0, p: 1 };
  const z = (x1 / n1 - x0 / n0) / se;
  return { z, p: upperTail(z) };
}

/** The share above which x/n would be significant at alpha given the baseline p0 (normal approximation). */
export function proportionUpperBound(p0: number, n: number, alpha: number): number {
  return Math.min(1, p0 + normalQuantile(1 - alpha) * Math.sqrt((p0 * (1 - p0)) / n));
}

/**
 * Kulldorff's Poisson log likelihood ratio of a window with c cases where mu were expected,
 * out of C in all; 0 unless the window has more than expected.
 */
export function poissonLlr(c: number, mu: number, total: number): number {
  if (c <= mu || mu <= 0) return 0;
  const inside = c * Math.log(c / mu);
  const outside = total - c > 0 ? (total - c) * Math.log((total - c) / (total - mu)) : 0;
  return inside + outside;
}
