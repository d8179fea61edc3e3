/**
 * EARS C1, C2 and C3 (Hutwagner et al. 2003), with the semantics of R's surveillance::earsC
 * (version 1.20.3), the reference implementation public-health surveillance uses:
 *   C1: baseline = the `baseline` points before t; upper bound = mean + z·max(sd, minSigma).
 *   C2: the same baseline, shifted back by a 2-point guard band.
 *   C3: from the C2 statistics of t−2, t−1 and t.
 * sd is the sample standard deviation (n − 1); z = qnorm(1 − alpha); alpha defaults to 0.001
 * for C1 and C2 and 0.025 for C3. Where a standard deviation is 0 (and minSigma is 0), C3's
 * statistics are not defined: like the reference, the upper bound is NaN and the alarm NA.
 *
 * Known deviation of the reference, matched by default: its C3 upper bound is
 * observed_t + sd_t·(z − part_{t−2} − part_{t−1}) with part_i = max(0, C2_i − 1), so its
 * alarm ignores the current point's C2 term. The published C3 alarms when
 * part_{t−2} + part_{t−1} + part_t > z; `variant: 'published'` computes that, with the upper
 * bound mean_t + sd_t·(1 + z − part_{t−2} − part_{t−1}).
 */
import { normalQuantile } from './normal.js';
import type { DetectionRow } from './series.js';

export type EarsMethod = 'C1' | 'C2' | 'C3';

export interface EarsOptions {
  method: EarsMethod;
  baseline?: number;
  alpha?: number;
  minSigma?: number;
  /** First monitored point, 1-based; default the first with enough history. */
  fromT?: number;
  variant?: 'reference' | 'published';
}

export function earsHistoryNeeded(method: EarsMethod, baseline = 7): number {
  return { C1: baseline, C2: baseline + 2, C3: baseline + 4 }[method];
}

export function earsC(counts: readonly number[], options: EarsOptions): DetectionRow[] {
  const { method } = options;
  const baseline = options.baseline ?? 7;
  const minSigma = options.minSigma ?? 0;
  const alpha = options.alpha ?? (method === 'C3' ? 0.025 : 0.001);
  if (baseline < 3) throw new RangeError('the baseline must be at least 3 points');
  if (minSigma < 0) throw new RangeError('minSigma must not be negative');
  if (!(alpha > 0 && alpha < 1)) throw new RangeError('alpha must lie strictly between 0 and 1');
  const lag = earsHistoryNeeded(method, baseline);
  const fromT = options.fromT ?? lag + 1;
  if (fromT - lag < 1) throw new RangeError(`${method} with a baseline of ${baseline} needs ${lag} points before t=${fromT}`);
  const z = normalQuantile(1 - alpha);
  const y = (t: number) => counts[t - 1]!;

  /** Mean and sd (n − 1) of the `baseline` points ending `guard` + 1 points before t. */
  const reference = (t: number, guard: number) => {
    let sum = 0;
    for (let i = t - guard - baseline; i < t - guard; i++) sum += y(i);
    const mean = sum / baseline;
    let squares = 0;
    for (let i = t - guard - baseline; i < t - guard; i++) squares += (y(i) - mean) ** 2;
    return { mean, sigma: Math.max(Math.sqrt(squares / (baseline - 1)), minSigma) };
  };
  const c2Part = (t: number) => {
    const { mean, sigma } = reference(t, 2);
    return Math.max(0, (y(t) - mean) / sigma - 1);
  };

  const rows: DetectionRow[] = [];
  for (let t = fromT; t <= counts.length; t++) {
    let upperbound: number;
    let alarm: boolean | null;
    const { mean, sigma } = reference(t, method === 'C1' ? 0 : 2);
    if (method !== 'C3') {
      upperbound = mean + z * sigma;
      alarm = y(t) > upperbound;
    } else {
      const lags = c2Part(t - 2) + c2Part(t - 1);
      if (options.variant === 'published') {
        upperbound = mean + sigma * (1 + z - lags);
        const statistic = lags + c2Part(t);
        alarm = Number.isNaN(statistic) ? null : statistic > z;
      } else {
        upperbound = Math.max(0, y(t) + sigma * (z - lags));
        alarm = Number.isNaN(upperbound) ? null : y(t) > upperbound;
      }
    }
    rows.push({ t, observed: y(t), expected: mean, upperbound, alarm });
  }
  return rows;
}
