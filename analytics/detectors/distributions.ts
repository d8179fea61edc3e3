/**
 * The distributions the GLM-based detectors need beyond the normal (normal.ts): Student's t for
 * the Farrington trend test, and Poisson and negative binomial quantiles for Noufaily's
 * thresholds, with R's conventions (qpois, qnbinom(size, prob)).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7), about 1e-15 relative. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    for (const numerator of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + numerator / c;
      c = Math.abs(c) < tiny ? tiny : c;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-16) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(|T| ≥ |t|) for Student's t with df degrees of freedom: summary.glm's Pr(>|t|). */
export function studentTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * The smallest x with P(X ≤ x) ≥ p for a distribution on 0, 1, 2, … given log P(X = 0) and the
 * log ratio P(X = x+1)/P(X = x), summing the probabilities in log space so that neither a large
 * mean nor a large size underflows P(X = 0). R shrinks p by 64 ulps first so that a p equal to a
 * CDF value up to rounding gives that x.
 */
function discreteQuantile(p: number, logP0: number, logRatio: (x: number) => number): number {
  const target = p * (1 - 64 * Number.EPSILON);
  let logPx = logP0;
  let cdf = Math.exp(logPx);
  let x = 0;
  while (cdf < target) {
    const ratio = logRatio(x);
    logPx += ratio;
    x++;
    const term = Math.exp(logPx);
    // Past the mode with terms below double precision, the sum has converged short of a p
    // within rounding of 1: this x is as far as the CDF can tell.
    if (ratio < 0 && term === 0) return x;
    cdf += term;
  }
  return x;
}

/** R's qpois(p, lambda). */
export function poissonQuantile(p: number, lambda: number): number {
  if (!(lambda >= 0) || !(p >= 0 && p <= 1)) return NaN;
  if (lambda === 0) return 0;
  if (p === 1) return Infinity;
  const logLambda = Math.log(lambda);
  return discreteQuantile(p, -lambda, (x) => logLambda - Math.log(x + 1));
}

/** R's qnbinom(p, size, prob): failures before the size-th success, success probability prob. */
export function negBinomialQuantile(p: number, size: number, prob: number): number {
  if (!(size > 0) || !(prob > 0 && prob <= 1) || !(p >= 0 && p <= 1)) return NaN;
  if (prob === 1) return 0;
  if (p === 1) return Infinity;
  const logQ = Math.log1p(-prob);
  return discreteQuantile(p, size * Math.log(prob), (x) => Math.log((x + size) / (x + 1)) + logQ);
}
