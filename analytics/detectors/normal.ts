/**
 * The standard normal distribution to about 1e-14 relative accuracy, for the detectors' thresholds
 * (R's qnorm). The upper tail uses a series with only positive terms for small x and a
 * continued fraction for large x, so neither loses digits to cancellation; the quantile
 * starts from Abramowitz & Stegun 26.2.23 and is refined by Halley steps on that tail.
 */
const SQRT_PI = Math.sqrt(Math.PI);

/** erfc(x) for x ≥ 0. */
function erfcNonNegative(x: number): number {
  if (x < 2.5) {
    // erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - ((2 / SQRT_PI) * Math.exp(-x * x) * sum);
  }
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), by Lentz's method.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** P(Z > z). */
export function upperTail(z: number): number {
  return z >= 0 ? erfcNonNegative(z / Math.SQRT2) / 2 : 1 - erfcNonNegative(-z / Math.SQRT2) / 2;
}

const density = (z: number) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);

/** The p-quantile of the standard normal distribution (R's qnorm(p)). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  // Work in the smaller tail, as R does, so p near 1 keeps its digits.
  const tail = p > 0.5 ? 1 - p : p;
  const t = Math.sqrt(-2 * Math.log(tail));
  let z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3);
  for (let i = 0; i < 6; i++) {
    // Halley's method on Q(z) − tail = 0, with Q' = −φ and Q'' = zφ.
    const error = upperTail(z) - tail;
    const step = error / density(z);
    const next = z + step / (1 + (z * step) / 2);
    if (Math.abs(next - z) < 1e-15 * Math.max(1, Math.abs(z))) {
      z = next;
      break;
    }
    z = next;
  }
  return p > 0.5 ? z : -z;
}
