/**
 * CUSUM on counts with the semantics of R's surveillance::cusum (algo.cusum, 1.20.3),
 * standard transformation (Rossi et al. 1999): with m the mean of every point before the
 * monitored range (or a given m), z_t = (x_t − m)/√m, C_t = max(0, C_{t−1} + z_t − k),
 * alarm when C_t ≥ h; the reported upper bound is ceil(√m·(h + k − C_{t−1}) + m), at least 0.
 * Like the reference, the alarm comes from C_t, so it can differ from `x_t > upperbound`
 * where the ceiling rounds.
 */
import type { DetectionRow } from './series.js';

export interface CusumOptions {
  /** First monitored point, 1-based; the points before it estimate m unless m is given. */
  fromT: number;
  k?: number;
  h?: number;
  m?: number;
}

export function cusum(counts: readonly number[], options: CusumOptions): DetectionRow[] {
  const k = options.k ?? 1.04;
  const h = options.h ?? 2.26;
  const { fromT } = options;
  if (fromT < 2 && options.m === undefined) throw new RangeError('CUSUM needs at least one point before --from-t to estimate m');
  if (fromT > counts.length) throw new RangeError(`--from-t ${fromT} is beyond the ${counts.length} points`);
  const history = counts.slice(0, fromT - 1);
  const m = options.m ?? history.reduce((a, b) => a + b, 0) / history.length;
  if (!(m > 0)) throw new RangeError(`the expected count m must be positive, not ${m}`);
  const rows: DetectionRow[] = [];
  let previous = 0;
  for (let t = fromT; t <= counts.length; t++) {
    const x = counts[t - 1]!;
    const current = Math.max(0, previous + (x - m) / Math.sqrt(m) - k);
    const upperbound = Math.max(0, Math.ceil(Math.sqrt(m) * (h + k - previous) + m));
    rows.push({ t, observed: x, expected: m, upperbound, alarm: current >= h });
    previous = current;
  }
  return rows;
}
