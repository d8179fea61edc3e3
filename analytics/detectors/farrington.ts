/**
 * Farrington et al. (1996) and the improved method of Noufaily et al. (2013), with the
 * semantics of R's surveillance 1.20.3: `algo.farrington` (fitGLM.fast) and
 * `farringtonFlexible`. Both fit, at each monitored point, a quasi-Poisson log-linear model to
 * reference counts from the b previous years, down-weight past outbreaks by their Anscombe
 * residuals, drop the trend unless it is significant, b ≥ 3 and does not extrapolate beyond the
 * baseline's maximum, and compare the count with an upper quantile of the predictive
 * distribution; no alarm unless the last limit54[1] points (the current one included, as the
 * reference does since 0.9-7) hold at least limit54[0] cases.
 *
 * Reference weeks: without dates a year back is `freq` points; with dates it is the same
 * calendar date a year earlier (R's seq(by = "-1 year"), so 29 February rolls to 1 March),
 * moved to the nearest date with the current weekday for weekly data.
 *
 * algo.farrington: b windows of 2w+1 points around the reference dates, reweighting with
 * residuals above 1, two-sided alpha (the bound is the 1 − alpha/2 quantile), upper bound 0 when
 * limit54 suppresses the alarm.
 * farringtonFlexible: all points from the oldest reference window on, in noPeriods seasonal
 * levels (the windows and, between them, noPeriods − 1 blocks; R's `blocks`), less the last
 * pastWeeksNotIncluded points; reweighting above weightsThreshold; one-sided alpha; thresholds
 * "delta" (Farrington's), "nbPlugin" (the negative binomial quantile at the fitted mean) or
 * "muan" (at the 1 − alpha quantile of the mean's asymptotic distribution); upper bound NA
 * (NaN here) when limit54 suppresses the alarm.
 *
 * Deviations of farringtonFlexible from the published method, matched by default
 * (`variant: 'published'` repairs all three):
 * - fitGLM.flexible stores the outbreak weights ω in model$weights, where summary.glm expects
 *   the working weights, so after reweighting the dispersion that summary.glm reports is
 *   Σ ω·((y − μ)/μ)² / df, roughly the true one divided by the mean count. The trend test uses
 *   it, so a trend is kept far more often than at the nominal pThresholdTrend.
 * - predict.glm gets the dispersion inside its newdata (`data.frame(..., dispersion = phi)`)
 *   instead of as an argument, so the prediction's standard error uses that summary dispersion,
 *   not phi = max(dispersion, 1). This narrows the "delta" and "muan" bounds (not nbPlugin's,
 *   which ignores the standard error). The published variant uses phi.
 * - with nbPlugin/muan the exceedance score is (y − η₀)/(U − η₀), η₀ on the log scale; since
 *   U > η₀ it alarms exactly when y > U, as published, so only the (unreported) score differs;
 *   the published variant computes it on the count scale.
 */
import { DAY_MS, dayNumber, monthsLater, nearestWeekday, type DayNumber } from './calendar.js';
import { negBinomialQuantile, poissonQuantile, studentTwoSidedP } from './distributions.js';
import { coefficientSe, fitPoissonGlm, hatValues, pearsonDispersion, predictLink, type PoissonGlm } from './glm.js';
import { normalQuantile } from './normal.js';
import type { CountSeries, DetectionRow } from './series.js';

export type PowerTransform = '2/3' | '1/2' | 'none';

export interface FarringtonOptions {
  /** First monitored point, 1-based. */
  fromT: number;
  b?: number;
  w?: number;
  alpha?: number;
  reweight?: boolean;
  trend?: boolean;
  limit54?: readonly [cases: number, period: number];
  powertrans?: PowerTransform;
}

export type ThresholdMethod = 'delta' | 'nbPlugin' | 'muan';

export interface FarringtonFlexibleOptions extends FarringtonOptions {
  weightsThreshold?: number;
  pThresholdTrend?: number;
  noPeriods?: number;
  pastWeeksNotIncluded?: number;
  thresholdMethod?: ThresholdMethod;
  variant?: 'reference' | 'published';
}

/** The Noufaily et al. (2013) settings; alpha, trend, reweighting and limit54 as Farrington's. */
export const NOUFAILY_DEFAULTS = {
  b: 5,
  w: 3,
  alpha: 0.05,
  weightsThreshold: 2.58,
  pThresholdTrend: 0.05,
  noPeriods: 10,
  pastWeeksNotIncluded: 26,
  thresholdMethod: 'nbPlugin',
  powertrans: '2/3',
} as const;

/** Positions (1-based) of the series, or undefined where a date is not in it. */
class Timeline {
  private readonly days: DayNumber[] | null;
  private readonly byDay = new Map<DayNumber, number>();
  constructor(readonly series: CountSeries) {
    this.days = series.date?.map(dayNumber) ?? null;
    this.days?.forEach((day, i) => this.byDay.set(day, i + 1));
  }
  get dated(): boolean {
    return this.days !== null;
  }
  day(t: number): DayNumber {
    return this.days![t - 1]!;
  }
  at(day: DayNumber): number | undefined {
    return this.byDay.get(day);
  }
  label(t: number): string {
    return this.series.date?.[t - 1] ?? `t=${t}`;
  }
}

function yearsBack(timeline: Timeline, t: number, years: number): DayNumber {
  const day = monthsLater(timeline.day(t), -12 * years);
  return timeline.series.freq === 52 ? nearestWeekday(day, timeline.day(t)) : day;
}

/**
 * algo.farrington's reference points (R's refvalIdxByDate without dates: k − freq·i ± w, oldest
 * year first; with dates: each year back, its window by calendar weeks or months, snapped to
 * the current weekday or day of the month, nearest year first).
 */
function farringtonReferences(timeline: Timeline, t: number, b: number, w: number): number[] {
  const { freq } = timeline.series;
  const points: (number | undefined)[] = [];
  if (!timeline.dated) {
    for (let i = b; i >= 1; i--) for (let d = -w; d <= w; d++) points.push(t - freq * i + d);
  } else {
    const t0 = timeline.day(t);
    const dayOfMonth0 = new Date(t0 * DAY_MS).getUTCDate();
    for (let i = 1; i <= b; i++) {
      const reference = monthsLater(t0, -12 * i);
      for (let d = -w; d <= w; d++) {
        let day: DayNumber;
        if (freq === 52) day = nearestWeekday(reference + 7 * d, t0);
        else {
          const shifted = monthsLater(reference, d);
          day = shifted - (new Date(shifted * DAY_MS).getUTCDate() - dayOfMonth0);
        }
        points.push(timeline.at(day));
      }
    }
  }
  const missing = points.findIndex((p) => p === undefined || p < 1);
  if (missing >= 0) {
    throw new RangeError(`${timeline.label(t)}: farrington with b=${b}, w=${w} needs ${b} years of history and ${w} more points; the series starts too late`);
  }
  return points as number[];
}

/** farringtonFlexible's reference points: t and the same point 1…b years back (R's algo.farrington.referencetimepoints). */
function flexibleReferences(timeline: Timeline, t: number, b: number, w: number): number[] {
  const { freq } = timeline.series;
  const references = [t];
  for (let i = 1; i <= b; i++) {
    const index = timeline.dated ? timeline.at(yearsBack(timeline, t, i)) : t - freq * i;
    if (index === undefined || index - w < 1) {
      throw new RangeError(`${timeline.label(t)}: farrington-flexible with b=${b}, w=${w} needs ${b} years of history and ${w} more points; the series starts too late`);
    }
    references.push(index);
  }
  return references;
}

/** R's a:b, which counts down when a > b. */
function colon(a: number, b: number): number[] {
  const step = a <= b ? 1 : -1;
  return Array.from({ length: Math.abs(b - a) + 1 }, (_, i) => a + step * i);
}

/**
 * R's `blocks`: the seasonal level of every point (1-based; NaN outside the baseline). The
 * current and reference windows get level p; the gap after each reference window is cut into
 * p − 1 blocks, the first `rest` one longer. Like the reference, a gap shorter than p − 1 yields
 * empty blocks whose R range a:(a−1) counts down and relabels two points.
 */
function seasonalLevels(n: number, references: readonly number[], w: number, p: number): number[] {
  const levels = new Array<number>(n + 1).fill(NaN);
  const assign = (from: number, to: number, level: number) => {
    for (const i of colon(from, to)) if (i >= 1) levels[i] = level;
  };
  const now = references[0]!;
  assign(now - w, now, p);
  for (let i = 1; i < references.length; i++) {
    const reference = references[i]!;
    assign(reference - w, reference + w, p);
    if (p === 1) continue;
    const period = references[i - 1]! - 2 * w - 1 - reference;
    if (period < p - (2 * w + 1)) throw new RangeError(`noPeriods=${p} is too many for w=${w}: the gap between reference windows holds ${period} points`);
    const base = Math.floor(period / (p - 1));
    const rest = period % (p - 1);
    let start = reference + w + 1;
    for (let j = 1; j < p; j++) {
      const length = base + (j <= rest ? 1 : 0);
      assign(start, start + length - 1, j);
      start += length;
    }
  }
  return levels;
}

interface FittedModel {
  glm: PoissonGlm;
  phi: number;
  trend: boolean;
  /** The outbreak weights of the refit, when reweighted. */
  omega: number[] | null;
}

/**
 * R's anscombe.residuals and algo.farrington.assign.weights: residuals above the threshold get
 * weight ∝ s⁻², the others a constant, scaled so the weights sum to n.
 */
function outbreakWeights(glm: PoissonGlm, phi: number, threshold: number): number[] {
  const hat = hatValues(glm);
  const s = glm.y.map((y, i) => {
    const mu = glm.mu[i]!;
    return (1.5 * (y ** (2 / 3) * mu ** (-1 / 6) - Math.sqrt(mu))) / Math.sqrt(phi * (1 - hat[i]!));
  });
  const raw = s.map((si) => (si > threshold ? si ** -2 : 1));
  const gamma = s.length / raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => gamma * r);
}

/**
 * Fit, reweight, refit (algo.farrington.fitGLM.fast / .flexible). A fit with trend that does not
 * converge is retried without; `requireConvergence` (flexible) gives up when that fails too,
 * the fast fitter carries on with the unconverged model as R does.
 */
function fitWithReweighting(
  design: (trend: boolean) => number[][],
  response: readonly number[],
  trend: boolean,
  reweight: boolean,
  weightsThreshold: number,
  requireConvergence: boolean,
): FittedModel | null {
  let withTrend = trend;
  let glm = fitPoissonGlm(design(withTrend), response);
  if (!glm.converged && withTrend) {
    withTrend = false;
    glm = fitPoissonGlm(design(false), response);
  }
  if (!glm.converged && requireConvergence) return null;
  let phi = Math.max(pearsonDispersion(glm), 1);
  let omega: number[] | null = null;
  if (reweight) {
    omega = outbreakWeights(glm, phi, weightsThreshold);
    glm = fitPoissonGlm(design(withTrend), response, omega);
    phi = Math.max(pearsonDispersion(glm), 1);
  }
  return { glm, phi, trend: withTrend, omega };
}

/**
 * The dispersion summary.glm reports for farringtonFlexible's model. The reference stores the
 * outbreak weights in model$weights, where summary.glm expects the working weights, so after
 * reweighting it computes Σ ω·((y − μ)/μ)² / df, about the Pearson dispersion divided by the
 * mean: the trend test and the prediction's standard error see a far smaller dispersion.
 */
function flexibleSummaryDispersion(model: FittedModel): number {
  if (model.omega === null) return pearsonDispersion(model.glm);
  const { y, mu, dfResidual } = model.glm;
  return model.omega.reduce((sum, w, i) => sum + w * ((y[i]! - mu[i]!) / mu[i]!) ** 2, 0) / dfResidual;
}

/** Farrington's bound on the power-transformed scale (algo.farrington.threshold), z the normal quantile. */
function deltaBound(mu0: number, seFit: number, phi: number, z: number, powertrans: PowerTransform): number {
  const tau = phi + (seFit * seFit) / mu0;
  const [se, exponent] =
    powertrans === 'none' ? [Math.sqrt(mu0 * tau), 1] : powertrans === '1/2' ? [Math.sqrt(tau / 4), 1 / 2] : [Math.sqrt((4 / 9) * mu0 ** (1 / 3) * tau), 2 / 3];
  return (mu0 ** exponent + z * se) ** (1 / exponent);
}

function enoughCases(counts: readonly number[], t: number, limit54: readonly [number, number]): boolean {
  let sum = 0;
  for (let i = Math.max(1, t - limit54[1] + 1); i <= t; i++) sum += counts[i - 1]!;
  return sum >= limit54[0];
}

function checkCommon(options: FarringtonOptions, n: number) {
  const { b = 5, w = 3, alpha = 0.05, limit54 = [5, 4] } = options;
  if (!(Number.isInteger(b) && b >= 1)) throw new RangeError(`b must be a whole number ≥ 1, not ${b}`);
  if (!(Number.isInteger(w) && w >= 0)) throw new RangeError(`w must be a whole number ≥ 0, not ${w}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError('alpha must lie strictly between 0 and 1');
  if (!(limit54[0] >= 0 && limit54[1] > 0)) throw new RangeError('limit54 needs cases ≥ 0 and period > 0');
  if (!(Number.isInteger(options.fromT) && options.fromT >= 1)) throw new RangeError(`--from-t must be a whole number ≥ 1, not ${options.fromT}`);
  if (options.fromT > n) throw new RangeError(`--from-t ${options.fromT} is beyond the ${n} points`);
}

/** The points before the first one whose reference windows all lie in the series. */
export function farringtonHistoryNeeded(series: CountSeries, flexible: boolean, b = 5, w = 3): number {
  const timeline = new Timeline(series);
  for (let t = 1; t <= series.count.length; t++) {
    try {
      if (flexible) flexibleReferences(timeline, t, b, w);
      else farringtonReferences(timeline, t, b, w);
      return t - 1;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }
  return series.date ? farringtonHistoryBound(series.freq, b, w) : series.freq * b + w;
}

/**
 * Enough history for any series of that frequency: b calendar years back, moved to the nearest
 * same weekday, can lie more than 52·b weeks back (261 for b = 5, 157 for b = 3).
 */
export function farringtonHistoryBound(freq: 52 | 12, b = 5, w = 3): number {
  return (freq === 52 ? Math.floor((365 * b + Math.ceil(b / 4) + 3) / 7) : freq * b) + w;
}

/** algo.farrington (surveillance 1.20.3, fitGLM.fast). */
export function farrington(series: CountSeries, options: FarringtonOptions): DetectionRow[] {
  const counts = series.count;
  checkCommon(options, counts.length);
  const { b = 5, w = 3, alpha = 0.05, reweight = true, trend = true, limit54 = [5, 4], powertrans = '2/3' } = options;
  const timeline = new Timeline(series);
  const z = normalQuantile(1 - alpha / 2);
  const rows: DetectionRow[] = [];
  for (let t = options.fromT; t <= counts.length; t++) {
    const wtime = farringtonReferences(timeline, t, b, w);
    const response = wtime.map((i) => counts[i - 1]!);
    const design = (withTrend: boolean) => wtime.map((i) => (withTrend ? [1, i] : [1]));
    let model = fitWithReweighting(design, response, trend, reweight, 1, false)!;
    const x0 = (m: FittedModel) => (m.trend ? [1, t] : [1]);
    if (model.trend) {
      const estimate = model.glm.coefficients[1]!;
      const p = studentTwoSidedP(estimate / coefficientSe(model.glm, 1, pearsonDispersion(model.glm)), model.glm.dfResidual);
      const mu0 = Math.exp(predictLink(model.glm, x0(model), 1).eta);
      if (!(b >= 3 && p < 0.05 && mu0 <= Math.max(...response))) {
        model = fitWithReweighting(design, response, false, reweight, 1, false)!;
      }
    }
    const { eta, se } = predictLink(model.glm, x0(model), model.phi);
    const mu0 = Math.exp(eta);
    const upper = deltaBound(mu0, se * mu0, model.phi, z, powertrans);
    const enough = enoughCases(counts, t, limit54);
    const y = counts[t - 1]!;
    rows.push({ t, observed: y, expected: mu0, upperbound: enough ? upper : 0, alarm: enough && (y - mu0) / (upper - mu0) > 1 });
  }
  return rows;
}

/** farringtonFlexible (surveillance 1.20.3), by default with the Noufaily et al. (2013) settings. */
export function farringtonFlexible(series: CountSeries, options: FarringtonFlexibleOptions): DetectionRow[] {
  const counts = series.count;
  checkCommon(options, counts.length);
  const settings = { ...NOUFAILY_DEFAULTS, reweight: true, trend: true, limit54: [5, 4] as const, variant: 'reference', ...options };
  const { b, w, alpha, noPeriods: p, pastWeeksNotIncluded, thresholdMethod, powertrans, limit54 } = settings;
  if (!(Number.isInteger(p) && p >= 1)) throw new RangeError(`noPeriods must be a whole number ≥ 1, not ${p}`);
  if (!(Number.isInteger(pastWeeksNotIncluded) && pastWeeksNotIncluded >= 0)) {
    throw new RangeError(`pastWeeksNotIncluded must be a whole number ≥ 0, not ${pastWeeksNotIncluded}`);
  }
  const published = settings.variant === 'published';
  const timeline = new Timeline(series);
  const z = normalQuantile(1 - alpha);
  const rows: DetectionRow[] = [];
  for (let t = options.fromT; t <= counts.length; t++) {
    const references = flexibleReferences(timeline, t, b, w);
    const levels = seasonalLevels(counts.length, references, w, p);
    for (const i of colon(t - pastWeeksNotIncluded, t)) if (i >= 1) levels[i] = NaN;
    const rowsUsed = levels.flatMap((level, i) => (Number.isNaN(level) || i === 0 ? [] : [i]));
    if (rowsUsed.length === 0) throw new RangeError(`${timeline.label(t)}: no baseline points are left after pastWeeksNotIncluded=${pastWeeksNotIncluded}`);
    // R's wtime: the position, or with dates the time since the first baseline point in units
    // of the series' first interval (so monthly wtime follows the calendar, not the index).
    const wtimeOf = (i: number) => (timeline.dated ? (timeline.day(i) - timeline.day(rowsUsed[0]!)) / (timeline.day(2) - timeline.day(1)) : i);
    const factorLevels = [...new Set(rowsUsed.map((i) => levels[i]!))].sort((a, c) => a - c);
    if (p !== 1 && !factorLevels.includes(p)) throw new RangeError(`${timeline.label(t)}: the current season's level ${p} has no baseline points left`);
    const covariates = (i: number, level: number, withTrend: boolean) => [
      1,
      ...(withTrend ? [wtimeOf(i)] : []),
      ...(p === 1 ? [] : factorLevels.slice(1).map((l) => (l === level ? 1 : 0))),
    ];
    const design = (withTrend: boolean) => rowsUsed.map((i) => covariates(i, levels[i]!, withTrend));
    const response = rowsUsed.map((i) => counts[i - 1]!);
    const fit = (withTrend: boolean) => fitWithReweighting(design, response, withTrend, settings.reweight, settings.weightsThreshold, true);
    let model = fit(settings.trend);
    if (model?.trend) {
      const estimate = model.glm.coefficients[1]!;
      const dispersion = published ? pearsonDispersion(model.glm) : flexibleSummaryDispersion(model);
      const pTrend = studentTwoSidedP(estimate / coefficientSe(model.glm, 1, dispersion), model.glm.dfResidual);
      const mu0 = Math.exp(predictLink(model.glm, covariates(t, p, true), 1).eta);
      if (!(b >= 3 && pTrend < settings.pThresholdTrend && mu0 <= Math.max(...response))) model = fit(false);
    }
    const y = counts[t - 1]!;
    if (model === null) {
      rows.push({ t, observed: y, upperbound: NaN, alarm: null });
      continue;
    }
    const { eta, se } = predictLink(model.glm, covariates(t, p, model.trend), published ? model.phi : flexibleSummaryDispersion(model));
    const mu0 = Math.exp(eta);
    let upper: number;
    let score: number;
    if (thresholdMethod === 'delta') {
      upper = deltaBound(mu0, se * mu0, model.phi, z, powertrans);
      score = (y - mu0) / (upper - mu0);
    } else {
      const quantileMean = thresholdMethod === 'nbPlugin' ? mu0 : Math.exp(eta + z * se);
      upper = !Number.isFinite(quantileMean)
        ? NaN
        : model.phi > 1
          ? negBinomialQuantile(1 - alpha, quantileMean / (model.phi - 1), 1 / model.phi)
          : poissonQuantile(1 - alpha, quantileMean);
      const centre = published ? mu0 : eta;
      score = (y - centre) / (upper - centre);
    }
    const enough = enoughCases(counts, t, limit54);
    rows.push({
      t,
      observed: y,
      expected: mu0,
      upperbound: enough ? upper : NaN,
      alarm: enough && !Number.isNaN(score) && score > 1 && y !== 0,
    });
  }
  return rows;
}
