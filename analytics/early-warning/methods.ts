/**
 * The count detectors the scan may run: whatever analytics/detectors/registry.ts offers, by the
 * names `xinfang detect --method` uses, adapted to weekly series (freq 52, each point dated by
 * its Monday, so "a year back" is the same calendar date a year earlier, as the reference does).
 * This is the scan's one door into the detectors.
 */
import { DETECTORS, isDetectorMethod, resolveParams, type DetectorParams, type ParamValue } from '../detectors/registry.js';
import type { PlainDate } from '../../rules/plain-date.js';

export type MethodParams = DetectorParams;

/** Weekly counts with the Monday of each week. */
export interface WeeklySeries {
  counts: ArrayLike<number>;
  weeks: readonly PlainDate[];
}

export interface MethodRow {
  /** 1-based index into the series. */
  t: number;
  observed: number;
  /** The count the method expected (its baseline mean or fitted value); null when it has none. */
  expected: number | null;
  upperbound: number;
  /** null where the method's statistic is undefined (e.g. a flat baseline for EARS). */
  alarm: boolean | null;
}

export interface CountMethod {
  name: string;
  label: { en: string; zh: string };
  /** The parameters as the method runs with them: defaults filled in (throws a RangeError on a bad one). */
  resolve(params: MethodParams): Readonly<Record<string, ParamValue | undefined>>;
  /** Weeks of history the method needs before the first week it monitors (throws on a bad parameter). */
  historyNeeded(params: MethodParams): number;
  run(series: WeeklySeries, params: MethodParams, fromT: number): MethodRow[];
}

/** The method of that name, or undefined when this build has no such detector (yet). */
export function countMethod(name: string): CountMethod | undefined {
  if (!isDetectorMethod(name)) return undefined;
  const spec = DETECTORS[name];
  return {
    name,
    label: spec.label,
    resolve: (params) => resolveParams(spec, params),
    historyNeeded: (params) => spec.historyNeeded(52, params),
    run(series, params, fromT) {
      const count = Array.from(series.counts);
      const rows = spec.run(
        { freq: 52, t: count.map((_, i) => i + 1), date: series.weeks.length === count.length ? [...series.weeks] : null, count },
        params,
        fromT,
      );
      return rows.map((r) => ({ t: r.t, observed: r.observed, expected: r.expected ?? null, upperbound: r.upperbound, alarm: r.alarm }));
    },
  };
}
