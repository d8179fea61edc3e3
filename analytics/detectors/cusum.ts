/**
 * CUSUM on counts with the semantics of R's surveillance::cusum (algo.cusum, 1.20.3): with m
 * the expected count, each monitored x_t is standardised to z_t, C_t = max(0, C_{t−1} + z_t − k),
 * alarm when C_t ≥ h; the upper bound is the count that would bring C_t to h, solved from
 * C_{t−1}, at least 0 (also 0 where no count reaches h, as the reference reports).
 *
 * m: a given number; by default the mean of every point before the monitored range; or "glm",
 * the reference's Poisson GLM x ~ 1 + cos(2πt/freq) + sin(2πt/freq) on those points, predicted
 * for each monitored point.
 *
 * Transformations (trans), as the reference has them:
 *   standard       z = (x − m)/√m; bound ceil(√m·(h + k − C) + m) (rounded up, so the alarm,
 *                  which comes from C_t, can differ from x_t > bound)
 *   rossi          z = (x − 3m + 2√(xm))/(2√m) (Rossi et al. 1999)
 *   anscombe       z = 3/2·(x^⅔ − m^⅔)/m^⅙
 *   anscombe2nd    z = (x^⅔ − (m^⅔ − m^(−⅓)/9))/(⅔·m^⅙) (Pierce & Schafer's second order mean)
 *   pearsonNegBin  z = (x − m)/√(m + alpha·m²), alpha the negative binomial dispersion (0.1)
 * The reference's "anscombeNegBin" and "none" are left out: their "upper bound" is h − C_t, a
 * value of the statistic rather than a count, which the detector contract (and the CLI column)
 * cannot carry; anscombeNegBin also rests on a tabulated hypergeometric function.
 *
 * Known deviation of the reference, matched by default: its anscombe2nd bound inverts the
 * statistic with m^(+⅓)/9 where the statistic has m^(−⅓)/9, so the bound does not match the
 * alarms; `variant: 'published'` inverts the statistic itself.
 */
import { harmonicPoissonMeans } from './glm.js';
import type { DetectionRow, Frequency } from './series.js';

export const CUSUM_TRANSFORMS = ['standard', 'rossi', 'anscombe', 'anscombe2nd', 'pearsonNegBin'] as const;
export type CusumTransform = (typeof CUSUM_TRANSFORMS)[number];

export interface CusumOptions {
  /** First monitored point, 1-based; the points before it estimate m unless m is given. */
  fromT: number;
  k?: number;
  h?: number;
  m?: number | 'glm';
  /** Needed for m = "glm": the period of the harmonic. */
  freq?: Frequency;
  trans?: CusumTransform;
  /** Dispersion of pearsonNegBin. */
  alpha?: number;
  variant?: 'reference' | 'published';
}

function standardise(trans: CusumTransform, x: number, m: number, alpha: number): number {
  switch (trans) {
    case 'standard':
      return (x - m) / Math.sqrt(m);
    case 'rossi':
      return (x - 3 * m + 2 * Math.sqrt(x * m)) / (2 * Math.sqrt(m));
    case 'anscombe':
      return (1.5 * (x ** (2 / 3) - m ** (2 / 3))) / m ** (1 / 6);
    case 'anscombe2nd':
      return (x ** (2 / 3) - (m ** (2 / 3) - m ** (-1 / 3) / 9)) / ((2 / 3) * m ** (1 / 6));
    case 'pearsonNegBin':
      return (x - m) / Math.sqrt(m + alpha * m * m);
  }
}

/** The count x at which C_t reaches h, given r = h + k − C_{t−1}. */
function bound(trans: CusumTransform, r: number, m: number, alpha: number, published: boolean): number {
  switch (trans) {
    case 'standard':
      return Math.ceil(Math.sqrt(m) * r + m);
    case 'rossi':
      return 2 * r * Math.sqrt(m) + 5 * m - 2 * Math.sqrt(4 * m * m + 2 * m ** 1.5 * r);
    case 'anscombe': {
      const base = (2 / 3) * m ** (1 / 6) * r + m ** (2 / 3);
      return base < 0 ? 0 : base ** 1.5;
    }
    case 'anscombe2nd': {
      const base = (2 / 3) * m ** (1 / 6) * r + (m ** (2 / 3) - (published ? m ** (-1 / 3) : m ** (1 / 3)) / 9);
      return base < 0 ? 0 : base ** 1.5;
    }
    case 'pearsonNegBin':
      return Math.sqrt(m + alpha * m * m) * r + m;
  }
}

export function cusum(counts: readonly number[], options: CusumOptions): DetectionRow[] {
  const k = options.k ?? 1.04;
  const h = options.h ?? 2.26;
  const trans = options.trans ?? 'standard';
  const alpha = options.alpha ?? 0.1;
  const { fromT } = options;
  if (!CUSUM_TRANSFORMS.includes(trans)) throw new RangeError(`trans must be one of ${CUSUM_TRANSFORMS.join(', ')}, not "${trans}"`);
  if (fromT < 2 && typeof options.m !== 'number') throw new RangeError('CUSUM needs at least one point before --from-t to estimate m');
  if (fromT > counts.length) throw new RangeError(`--from-t ${fromT} is beyond the ${counts.length} points`);
  let means: number[];
  if (options.m === 'glm') {
    if (options.freq === undefined) throw new RangeError('m = "glm" needs the series frequency');
    means = harmonicPoissonMeans(counts, fromT, options.freq);
  } else {
    const history = counts.slice(0, fromT - 1);
    const m = options.m ?? history.reduce((a, b) => a + b, 0) / history.length;
    if (!(m > 0)) throw new RangeError(`the expected count m must be positive, not ${m}`);
    means = new Array<number>(counts.length - fromT + 1).fill(m);
  }
  const rows: DetectionRow[] = [];
  let previous = 0;
  for (let t = fromT; t <= counts.length; t++) {
    const x = counts[t - 1]!;
    const m = means[t - fromT]!;
    const current = Math.max(0, previous + standardise(trans, x, m, alpha) - k);
    const upper = bound(trans, h + k - previous, m, alpha, options.variant === 'published');
    rows.push({ t, observed: x, expected: m, upperbound: upper > 0 ? upper : 0, alarm: current >= h });
    previous = current;
  }
  return rows;
}
