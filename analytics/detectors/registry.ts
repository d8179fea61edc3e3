/**
 * The detection methods as data: the CLI (`xinfang detect`) and the early-warning scan call any
 * method by its name through DETECTORS, with parameters named as in R's surveillance control
 * lists (camelCase; the CLI option is the kebab-case form). A caller may pass only some
 * parameters: run() and historyNeeded() fill the defaults and refuse a bad value with a
 * RangeError naming the parameter.
 */
import { cusum, CUSUM_TRANSFORMS, type CusumTransform } from './cusum.js';
import { earsC, earsHistoryNeeded, type EarsMethod } from './ears.js';
import { farrington, farringtonFlexible, farringtonHistoryBound, farringtonHistoryNeeded, NOUFAILY_DEFAULTS, type PowerTransform, type ThresholdMethod } from './farrington.js';
import { glrPoisson } from './glr.js';
import type { CountSeries, DetectionRow, Frequency } from './series.js';

export type { CountSeries, DetectionRow, Frequency } from './series.js';

export type DetectorMethod = 'ears-c1' | 'ears-c2' | 'ears-c3' | 'farrington' | 'farrington-flexible' | 'cusum' | 'glr-poisson';

export type ParamValue = number | string;
/** Parameters as a caller gives them; missing ones take the spec's default. */
export type DetectorParams = Readonly<Record<string, ParamValue | undefined>>;

export interface ParamSpec {
  /** The name in surveillance's control list; the CLI option is `--` + its kebab-case form. */
  name: string;
  kind: 'number' | 'integer' | 'choice';
  /** A choice's values; for a number, the words it also accepts (CUSUM's m = "glm"). */
  choices?: readonly string[];
  /** The CLI option when the kebab-case name would not read well (c.ARL, M). */
  cli?: string;
  /** Absent: the method derives the value (e.g. CUSUM's m from the history). */
  default?: ParamValue;
  description: string;
}

export interface DetectorSpec {
  method: DetectorMethod;
  label: { en: string; zh: string };
  params: readonly ParamSpec[];
  /**
   * Points before the first monitored one that the method needs; the default --from-t is this
   * + 1. Give the series when it has dates: a year back by the calendar can be one more week.
   */
  historyNeeded(freq: Frequency, params?: DetectorParams, series?: CountSeries): number;
  /** Rows for t = fromT … the last point (1-based). */
  run(series: CountSeries, params: DetectorParams, fromT: number): DetectionRow[];
}

/** What a spec's implementation sees: every parameter checked and defaulted. */
type Resolved = Readonly<Record<string, ParamValue | undefined>>;

interface Definition {
  method: DetectorMethod;
  label: { en: string; zh: string };
  params: readonly ParamSpec[];
  historyNeeded(freq: Frequency, params: Resolved, series?: CountSeries): number;
  run(series: CountSeries, params: Resolved, fromT: number): DetectionRow[];
}

export function cliOptionName(param: ParamSpec): string {
  return param.cli ?? param.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function resolveParams(spec: Pick<DetectorSpec, 'method' | 'params'>, given: DetectorParams = {}): Resolved {
  const known = new Set(spec.params.map((p) => p.name));
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined && !known.has(name)) {
      throw new RangeError(`${spec.method} has no parameter ${name} (it takes ${[...known].join(', ') || 'none'})`);
    }
  }
  const resolved: Record<string, ParamValue | undefined> = {};
  for (const p of spec.params) {
    const value = given[p.name] ?? p.default;
    if (value !== undefined) {
      if (p.kind === 'choice') {
        if (typeof value !== 'string' || !p.choices!.includes(value)) {
          throw new RangeError(`${p.name} must be one of ${p.choices!.join(', ')}, not "${value}"`);
        }
      } else if (typeof value === 'string' ? !p.choices?.includes(value) : !Number.isFinite(value) || (p.kind === 'integer' && !Number.isInteger(value))) {
        const words = p.choices ? ` or ${p.choices.join(', ')}` : '';
        throw new RangeError(`${p.name} must be ${p.kind === 'integer' ? 'a whole number' : 'a number'}${words}, not "${value}"`);
      }
    }
    resolved[p.name] = value;
  }
  return resolved;
}

const num = (params: Resolved, name: string): number => params[name] as number;

function define(definition: Definition): DetectorSpec {
  return {
    method: definition.method,
    label: definition.label,
    params: definition.params,
    historyNeeded: (freq, params, series) => definition.historyNeeded(freq, resolveParams(definition, params), series),
    run: (series, params, fromT) => definition.run(series, resolveParams(definition, params), fromT),
  };
}

const variantParam: ParamSpec = {
  name: 'variant',
  kind: 'choice',
  choices: ['reference', 'published'],
  default: 'reference',
  description: 'reference: as surveillance 1.20.3 computes; published: as the method was published, where they differ',
};

function ears(method: DetectorMethod, c: EarsMethod, zh: string): DetectorSpec {
  return define({
    method,
    label: { en: `EARS ${c}`, zh },
    params: [
      { name: 'alpha', kind: 'number', default: c === 'C3' ? 0.025 : 0.001, description: 'one-sided level of the upper bound' },
      { name: 'baseline', kind: 'integer', default: 7, description: 'points in the reference window' },
      { name: 'minSigma', kind: 'number', default: 0, description: 'floor of the standard deviation' },
      variantParam,
    ],
    historyNeeded: (_freq, p) => earsHistoryNeeded(c, num(p, 'baseline')),
    run: (series, p, fromT) =>
      earsC(series.count, {
        method: c,
        fromT,
        alpha: num(p, 'alpha'),
        baseline: num(p, 'baseline'),
        minSigma: num(p, 'minSigma'),
        variant: p.variant as 'reference' | 'published',
      }),
  });
}

const farringtonParams = (alpha: string): ParamSpec[] => [
  { name: 'b', kind: 'integer', default: 5, description: 'years of history' },
  { name: 'w', kind: 'integer', default: 3, description: 'half-width of the window around each reference point' },
  { name: 'alpha', kind: 'number', default: 0.05, description: alpha },
  { name: 'powertrans', kind: 'choice', choices: ['2/3', '1/2', 'none'], default: '2/3', description: 'power transformation of the delta-method bound' },
];

/** Exact for a given series; without one, enough for any series of that frequency. */
const farringtonHistory = (flexible: boolean) => (freq: Frequency, p: Resolved, series?: CountSeries) =>
  series ? farringtonHistoryNeeded(series, flexible, num(p, 'b'), num(p, 'w')) : farringtonHistoryBound(freq, num(p, 'b'), num(p, 'w'));

export const DETECTORS: Record<DetectorMethod, DetectorSpec> = {
  'ears-c1': ears('ears-c1', 'C1', 'EARS C1（无保护带）'),
  'ears-c2': ears('ears-c2', 'C2', 'EARS C2（两期保护带）'),
  'ears-c3': ears('ears-c3', 'C3', 'EARS C3（近三期累积）'),
  farrington: define({
    method: 'farrington',
    label: { en: 'Farrington (1996)', zh: 'Farrington 法（1996）' },
    params: farringtonParams('two-sided level: the bound is the 1 − alpha/2 quantile'),
    historyNeeded: farringtonHistory(false),
    run: (series, p, fromT) =>
      farrington(series, { fromT, b: num(p, 'b'), w: num(p, 'w'), alpha: num(p, 'alpha'), powertrans: p.powertrans as PowerTransform }),
  }),
  'farrington-flexible': define({
    method: 'farrington-flexible',
    label: { en: 'Farrington flexible (Noufaily et al. 2013)', zh: '改进 Farrington 法（Noufaily 等 2013）' },
    params: [
      ...farringtonParams('one-sided level of the upper bound'),
      { name: 'noPeriods', kind: 'integer', default: NOUFAILY_DEFAULTS.noPeriods, description: 'seasonal levels of the baseline factor (1: only the windows)' },
      { name: 'pastWeeksNotIncluded', kind: 'integer', default: NOUFAILY_DEFAULTS.pastWeeksNotIncluded, description: 'most recent points left out of the baseline' },
      { name: 'weightsThreshold', kind: 'number', default: NOUFAILY_DEFAULTS.weightsThreshold, description: 'Anscombe residual above which a past point is down-weighted' },
      { name: 'pThresholdTrend', kind: 'number', default: NOUFAILY_DEFAULTS.pThresholdTrend, description: 'p-value below which the trend is kept' },
      { name: 'thresholdMethod', kind: 'choice', choices: ['nbPlugin', 'muan', 'delta'], default: NOUFAILY_DEFAULTS.thresholdMethod, description: 'how the upper bound is derived' },
      variantParam,
    ],
    historyNeeded: farringtonHistory(true),
    run: (series, p, fromT) =>
      farringtonFlexible(series, {
        fromT,
        b: num(p, 'b'),
        w: num(p, 'w'),
        alpha: num(p, 'alpha'),
        powertrans: p.powertrans as PowerTransform,
        noPeriods: num(p, 'noPeriods'),
        pastWeeksNotIncluded: num(p, 'pastWeeksNotIncluded'),
        weightsThreshold: num(p, 'weightsThreshold'),
        pThresholdTrend: num(p, 'pThresholdTrend'),
        thresholdMethod: p.thresholdMethod as ThresholdMethod,
        variant: p.variant as 'reference' | 'published',
      }),
  }),
  cusum: define({
    method: 'cusum',
    label: { en: 'CUSUM', zh: '累积和（CUSUM）' },
    params: [
      { name: 'k', kind: 'number', default: 1.04, description: 'reference value (allowance) of the standardised sum' },
      { name: 'h', kind: 'number', default: 2.26, description: 'decision interval' },
      { name: 'm', kind: 'number', choices: ['glm'], description: 'expected count, or glm (a seasonal Poisson GLM); default the mean before --from-t' },
      { name: 'trans', kind: 'choice', choices: CUSUM_TRANSFORMS, default: 'standard', description: 'standardisation of the counts' },
      { name: 'alpha', kind: 'number', default: 0.1, description: 'negative binomial dispersion of pearsonNegBin' },
      variantParam,
    ],
    // Without m, a year of history estimates it; with m, monitoring may start at the first point.
    historyNeeded: (freq, p) => (typeof p.m === 'number' ? 0 : freq),
    run: (series, p, fromT) =>
      cusum(series.count, {
        fromT,
        freq: series.freq,
        k: num(p, 'k'),
        h: num(p, 'h'),
        trans: p.trans as CusumTransform,
        alpha: num(p, 'alpha'),
        variant: p.variant as 'reference' | 'published',
        ...(p.m !== undefined ? { m: p.m as number | 'glm' } : {}),
      }),
  }),
  'glr-poisson': define({
    method: 'glr-poisson',
    label: { en: 'Poisson GLR (change in level)', zh: '泊松广义似然比（水平突变）' },
    params: [
      { name: 'cARL', cli: 'c-arl', kind: 'number', default: 5, description: 'alarm threshold of the GLR statistic' },
      { name: 'mu0', kind: 'number', description: 'in-control mean; default a seasonal Poisson GLM on the points before --from-t' },
      { name: 'Mtilde', cli: 'm-tilde', kind: 'integer', default: 1, description: 'points needed to estimate a change' },
      { name: 'M', cli: 'window', kind: 'integer', default: -1, description: 'how far back a change may lie (≤ 0: no limit)' },
      { name: 'ret', kind: 'choice', choices: ['cases', 'value'], default: 'cases', description: 'upper bound: the count that alarms, or the GLR statistic' },
      variantParam,
    ],
    historyNeeded: (freq, p) => (p.mu0 === undefined ? freq : 0),
    run: (series, p, fromT) =>
      glrPoisson(series.count, {
        fromT,
        freq: series.freq,
        cARL: num(p, 'cARL'),
        Mtilde: num(p, 'Mtilde'),
        M: num(p, 'M'),
        ret: p.ret as 'cases' | 'value',
        variant: p.variant as 'reference' | 'published',
        ...(p.mu0 !== undefined ? { mu0: num(p, 'mu0') } : {}),
      }),
  }),
};

export const DETECTOR_METHODS = Object.keys(DETECTORS) as DetectorMethod[];

export function isDetectorMethod(name: string): name is DetectorMethod {
  return Object.hasOwn(DETECTORS, name);
}
