/**
 * Poisson and quasi-Poisson GLMs with log link, fitted the way R's glm.fit does (stats, R 4.2):
 * the same starting values (mu = y + 0.1), the same IRLS steps, the same convergence test
 * (|dev − dev_old| / (|dev| + 0.1) < 1e-8, at most 25 iterations) and the same step halving
 * when the deviance turns non-finite. Matching the iterations, not just the optimum, is what
 * makes the detectors agree with the reference to ~1e-9: R's summaries (dispersion, hat values,
 * standard errors) are computed from the working weights and QR of the *last* IRLS step, which
 * were computed from the previous iterate's mean, so they carry the convergence tolerance.
 */

const EPSILON = 1e-8;
const MAX_ITERATIONS = 25;
/** R's pmax(exp(eta), .Machine$double.eps) in the log link's inverse and derivative. */
const DOUBLE_EPS = 2.220446049250313e-16;
/** R's Cdqrls tolerance min(1e-7, epsilon / 1000) for a column that is numerically dependent. */
const RANK_TOLERANCE = 1e-11;

export interface PoissonGlm {
  coefficients: number[];
  /** Fitted means. */
  mu: number[];
  y: readonly number[];
  priorWeights: readonly number[];
  /** R's model$weights: prior weight × mean of the iterate the last step started from. */
  workingWeights: number[];
  /** Upper triangle R of the QR of √(working weights)·X at the last step. */
  r: number[][];
  /** √(working weight)·x_i for each row, for the hat values. */
  weightedRows: number[][];
  dfResidual: number;
  converged: boolean;
}

const linkInverse = (eta: number) => Math.max(Math.exp(eta), DOUBLE_EPS);

function deviance(y: readonly number[], mu: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i]!;
    sum += yi > 0 ? weights[i]! * (yi * Math.log(yi / mu[i]!) - (yi - mu[i]!)) : mu[i]! * weights[i]!;
  }
  return 2 * sum;
}

/**
 * Least squares of b on A by Householder QR; returns the solution and R. A column whose
 * remaining norm falls below RANK_TOLERANCE × its original norm makes the model rank-deficient,
 * which R would answer with an NA coefficient; the detectors' designs never are, so it throws.
 * Works on a column-major copy: the scan runs this thousands of times per series.
 */
function leastSquares(a: readonly (readonly number[])[], b: readonly number[]): { beta: number[]; r: number[][] } {
  const n = a.length;
  const p = a[0]!.length;
  const m = new Float64Array(n * p);
  const norms = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const value = a[i]![j]!;
      m[j * n + i] = value;
      squares += value * value;
    }
    norms[j] = Math.sqrt(squares);
  }
  const v = Float64Array.from(b);
  for (let j = 0; j < p; j++) {
    const column = j * n;
    let squares = 0;
    for (let i = j; i < n; i++) squares += m[column + i]! ** 2;
    const norm = Math.sqrt(squares);
    if (!(norm > RANK_TOLERANCE * norms[j]!)) throw new RangeError('the GLM design is rank-deficient');
    // The reflection's vector u is column j below the diagonal, with u_j = a_jj − alpha.
    const alpha = m[column + j]! > 0 ? -norm : norm;
    const head = m[column + j]! - alpha;
    const uu = squares - m[column + j]! ** 2 + head * head;
    const reflect = (target: Float64Array, offset: number) => {
      let dot = head * target[offset + j]!;
      for (let i = j + 1; i < n; i++) dot += m[column + i]! * target[offset + i]!;
      const f = (2 * dot) / uu;
      target[offset + j] = target[offset + j]! - f * head;
      for (let i = j + 1; i < n; i++) target[offset + i] = target[offset + i]! - f * m[column + i]!;
    };
    for (let c = j + 1; c < p; c++) reflect(m, c * n);
    reflect(v, 0);
    m[column + j] = alpha;
  }
  const r = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (j >= i ? m[j * n + i]! : 0)));
  const beta = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = v[i]!;
    for (let j = i + 1; j < p; j++) s -= r[i]![j]! * beta[j]!;
    beta[i] = s / r[i]![i]!;
  }
  return { beta, r };
}

const linear = (row: readonly number[], beta: readonly number[]) => row.reduce((s, x, j) => s + x * beta[j]!, 0);

export function fitPoissonGlm(x: readonly (readonly number[])[], y: readonly number[], priorWeights?: readonly number[]): PoissonGlm {
  const n = y.length;
  if (n === 0) throw new RangeError('the GLM has no observations');
  const weights = priorWeights ?? new Array<number>(n).fill(1);
  let eta = y.map((yi) => Math.log(yi + 0.1));
  let mu = eta.map(linkInverse);
  let devOld = deviance(y, mu, weights);
  let coefOld: number[] | null = null;
  let beta: number[] = [];
  let r: number[][] = [];
  let weightedRows: number[][] = [];
  let working: number[] = [];
  let converged = false;
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    // The log link: dmu/deta = max(exp(eta), eps) and V(mu) = mu, so w = prior × muEta² / mu.
    const muEta = eta.map(linkInverse);
    working = muEta.map((d, i) => (weights[i]! * d * d) / mu[i]!);
    const sqrtW = working.map(Math.sqrt);
    weightedRows = x.map((row, i) => row.map((v) => v * sqrtW[i]!));
    const z = eta.map((e, i) => (e + (y[i]! - mu[i]!) / muEta[i]!) * sqrtW[i]!);
    ({ beta, r } = leastSquares(weightedRows, z));
    if (!beta.every(Number.isFinite)) break;
    eta = x.map((row) => linear(row, beta));
    mu = eta.map(linkInverse);
    let dev = deviance(y, mu, weights);
    for (let halvings = 0; !Number.isFinite(dev); halvings++) {
      if (coefOld === null || halvings >= MAX_ITERATIONS) throw new RangeError('the GLM fit diverged');
      const previous: number[] = coefOld;
      beta = beta.map((b, j) => (b + previous[j]!) / 2);
      eta = x.map((row) => linear(row, beta));
      mu = eta.map(linkInverse);
      dev = deviance(y, mu, weights);
    }
    if (Math.abs(dev - devOld) / (Math.abs(dev) + 0.1) < EPSILON) {
      converged = true;
      break;
    }
    devOld = dev;
    coefOld = beta;
  }
  return {
    coefficients: beta,
    mu,
    y,
    priorWeights: weights,
    workingWeights: working,
    r,
    weightedRows,
    dfResidual: weights.filter((w) => w !== 0).length - beta.length,
    converged,
  };
}

/** Solves Rᵀ v = b (forward substitution): |v|² = bᵀ (RᵀR)⁻¹ b. */
function solveTransposed(r: readonly number[][], b: readonly number[]): number[] {
  const v = new Array<number>(b.length).fill(0);
  for (let i = 0; i < b.length; i++) {
    let s = b[i]!;
    for (let j = 0; j < i; j++) s -= r[j]![i]! * v[j]!;
    v[i] = s / r[i]![i]!;
  }
  return v;
}

const squaredNorm = (v: readonly number[]) => v.reduce((s, x) => s + x * x, 0);

/** summary.glm's dispersion: the Pearson statistic over the residual degrees of freedom. */
export function pearsonDispersion(fit: PoissonGlm): number {
  let sum = 0;
  for (let i = 0; i < fit.y.length; i++) {
    const w = fit.workingWeights[i]!;
    if (w > 0) {
      // R's working residual (y − mu) / (dmu/deta), and dmu/deta = mu under the log link.
      const residual = (fit.y[i]! - fit.mu[i]!) / fit.mu[i]!;
      sum += w * residual * residual;
    }
  }
  return fit.dfResidual > 0 ? sum / fit.dfResidual : NaN;
}

/** Diagonal of the hat matrix of the last weighted least-squares step (R's hatvalues). */
export function hatValues(fit: PoissonGlm): number[] {
  return fit.weightedRows.map((row) => squaredNorm(solveTransposed(fit.r, row)));
}

/** Standard error of coefficient j with the given dispersion. */
export function coefficientSe(fit: PoissonGlm, j: number, dispersion: number): number {
  const unit = fit.coefficients.map((_, i) => (i === j ? 1 : 0));
  return Math.sqrt(squaredNorm(solveTransposed(fit.r, unit)) * dispersion);
}

/** The linear predictor at x0 and its standard error with the given dispersion (predict.glm, type "link"). */
export function predictLink(fit: PoissonGlm, x0: readonly number[], dispersion: number): { eta: number; se: number } {
  return { eta: linear(x0, fit.coefficients), se: Math.sqrt(squaredNorm(solveTransposed(fit.r, x0)) * dispersion) };
}

/**
 * The in-control means of surveillance's cusum (m = "glm") and glrnb (mu0 estimated): a Poisson
 * GLM y ~ 1 [+ t] + Σ_{s=1..harmonics} cos(2πst/freq) + sin(2πst/freq) on points 1…fromT−1
 * (t the 1-based position), predicted at fromT…n.
 */
export function harmonicPoissonMeans(counts: readonly number[], fromT: number, freq: number, harmonics = 1, trend = false): number[] {
  const row = (t: number) => [
    1,
    ...(trend ? [t] : []),
    ...Array.from({ length: harmonics }, (_, s) => [Math.cos((2 * (s + 1) * Math.PI * t) / freq), Math.sin((2 * (s + 1) * Math.PI * t) / freq)]).flat(),
  ];
  const training = Array.from({ length: fromT - 1 }, (_, i) => i + 1);
  const fit = fitPoissonGlm(training.map(row), counts.slice(0, fromT - 1));
  return Array.from({ length: counts.length - fromT + 1 }, (_, i) => linkInverse(linear(row(fromT + i), fit.coefficients)));
}
