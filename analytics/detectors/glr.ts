/**
 * The Poisson GLR detector for a change in the intercept (Höhle & Paul 2008), with the
 * semantics of R's surveillance::glrnb (algo.glrnb, 1.20.3) with alpha = 0, change =
 * "intercept", dir = "inc" (the C routines glr_cusum and glr_cusum_window). At each point n
 * of the current run, the statistic is
 *   GLR_n = max_k  κ̂·Σ_{t=k..n} x_t + (1 − e^κ̂)·Σ_{t=k..n} μ0_t,  κ̂ = max(0, log(Σx/Σμ0)),
 * an alarm sounds when GLR_n ≥ cARL, and the detector restarts after the alarm. μ0 is a given
 * number or, by default, the reference's Poisson GLM with one harmonic,
 * y ~ 1 + cos(2πt/freq) + sin(2πt/freq), on the points before --from-t.
 *
 * The upper bound (ret): "cases" (our default; the reference's is "value") is the smallest
 * count at n that would have sounded the alarm, so here alarm ⇔ observed ≥ upperbound, unlike
 * the other detectors' observed > upperbound; "value" reports GLR_n itself (negative or missing
 * values as 0, as the reference does).
 *
 * Known deviations of the reference, matched by default (`variant: 'published'` follows the
 * paper, where a change point k is considered only with at least Mtilde points after it,
 * k ≤ n − Mtilde + 1, and the first statistic is at the Mtilde-th point):
 * - without a window (M ≤ 0) it considers every k ≤ n whatever Mtilde (which only delays the
 *   first statistic to the Mtilde-th point);
 * - with a window (M > 0) it considers max(0, n − M) ≤ k ≤ n − Mtilde, one point fewer than
 *   the paper, and starts at point Mtilde + 1.
 */
import { harmonicPoissonMeans } from './glm.js';
import type { DetectionRow, Frequency } from './series.js';

export interface GlrPoissonOptions {
  /** First monitored point, 1-based; the points before it estimate mu0 unless it is given. */
  fromT: number;
  /** Needed when mu0 is estimated. */
  freq?: Frequency;
  mu0?: number;
  cARL?: number;
  Mtilde?: number;
  /** Window: a change at most M points back; ≤ 0 for none. */
  M?: number;
  ret?: 'cases' | 'value';
  variant?: 'reference' | 'published';
}

/** Largest log-likelihood ratio over the change points k (0-based, within the run) for point n. */
function statistic(x: readonly number[], mu0: readonly number[], n: number, oldest: number, newest: number): number {
  let sumX = 0;
  let sumMu = 0;
  for (let l = newest + 1; l <= n; l++) {
    sumX += x[l]!;
    sumMu += mu0[l]!;
  }
  // The reference's "no change point yet" value, which it reports when the window is empty.
  let best = -1e99;
  for (let k = newest; k >= oldest; k--) {
    sumX += x[k]!;
    sumMu += mu0[k]!;
    const kappa = Math.max(0, Math.log(sumX / sumMu));
    best = Math.max(best, kappa * sumX + (1 - Math.exp(kappa)) * sumMu);
  }
  return best;
}

export function glrPoisson(counts: readonly number[], options: GlrPoissonOptions): DetectionRow[] {
  const { fromT } = options;
  const cARL = options.cARL ?? 5;
  const Mtilde = options.Mtilde ?? 1;
  const M = options.M ?? -1;
  const published = options.variant === 'published';
  if (!(cARL > 0)) throw new RangeError(`cARL must be positive, not ${cARL}`);
  if (!(Number.isInteger(Mtilde) && Mtilde >= 1)) throw new RangeError(`Mtilde must be a whole number ≥ 1, not ${Mtilde}`);
  if (!Number.isInteger(M) || (M > 0 && M < Mtilde)) throw new RangeError(`M must be a whole number, ≤ 0 for no window or ≥ Mtilde, not ${M}`);
  if (fromT > counts.length) throw new RangeError(`--from-t ${fromT} is beyond the ${counts.length} points`);
  let mu0: number[];
  if (options.mu0 !== undefined) {
    if (!(options.mu0 > 0)) throw new RangeError(`mu0 must be positive, not ${options.mu0}`);
    mu0 = new Array<number>(counts.length - fromT + 1).fill(options.mu0);
  } else {
    if (options.freq === undefined) throw new RangeError('estimating mu0 needs the series frequency');
    if (fromT < 4) throw new RangeError('estimating mu0 needs at least 3 points before --from-t');
    mu0 = harmonicPoissonMeans(counts, fromT, options.freq);
  }
  const x = counts.slice(fromT - 1);
  const windowed = M > 0;
  const first = published ? Mtilde - 1 : windowed ? Mtilde : Math.max(0, Mtilde - 1);
  const range = (n: number): [oldest: number, newest: number] => {
    const newest = published ? n - Mtilde + 1 : windowed ? n - Mtilde : n;
    return [windowed ? Math.max(0, n - M) : 0, newest];
  };

  const rows: DetectionRow[] = [];
  let start = 0;
  while (start < x.length) {
    const runX = x.slice(start);
    const runMu = mu0.slice(start);
    let alarmAt = runX.length;
    for (let n = 0; n < runX.length; n++) {
      let value = 0;
      let cases = 0;
      if (n >= first) {
        const [oldest, newest] = range(n);
        value = statistic(runX, runMu, n, oldest, newest);
        if (options.ret !== 'value') {
          const observed = runX[n]!;
          for (cases = 0; ; cases++) {
            runX[n] = cases;
            if (statistic(runX, runMu, n, oldest, newest) >= cARL) break;
          }
          runX[n] = observed;
        }
      }
      const upper = options.ret === 'value' ? value : cases;
      const alarm = n >= first && value >= cARL;
      rows.push({ t: fromT + start + n, observed: runX[n]!, expected: runMu[n]!, upperbound: upper > 0 ? upper : 0, alarm });
      if (alarm) {
        alarmAt = n;
        break;
      }
    }
    start += alarmAt + 1;
  }
  return rows;
}
