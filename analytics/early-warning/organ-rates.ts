/**
 * Overdue and dissatisfaction rising for an organ: the catalog's on_time_completion_rate and
 * satisfaction_rate by organ (analytics/metrics, so the measures mean here what they mean on
 * every report), their "bad" share (overdue, dissatisfied) in the recent weeks against the
 * baseline weeks before them, by the one-sided two-proportion z-test with the pooled variance.
 * The test is only taken where its normal approximation holds (at least minExpected bad and
 * good outcomes expected on each side under the pooled share) and the recent window has
 * minRecent outcomes; a rise must also be at least minRise to matter.
 */
import { listValue } from '@duckdb/node-api';
import { z } from 'zod';
import type { PlainDate } from '../../rules/plain-date.js';
import { organNamed } from '../organ-match.js';
import { addDays } from '../../rules/plain-date.js';
import type { MeasureId } from '../metrics/catalog.js';
import { queryMetrics, type MetricRow } from '../metrics/query.js';
import type { AnalyticsStore } from '../store.js';
import type { AlertCandidate, SignalResult } from './candidate.js';
import type { ScanConfig, Level } from './config.js';
import { severityByThreshold } from './severity.js';
import { proportionUpperBound, twoProportionTest } from './stats.js';
import { weekEnd, weekStart } from './weeks.js';

type Config = ScanConfig['organRates'];

export const BAD_OUTCOME: Record<Config['measures'][number], string> = {
  on_time_completion_rate: 'overdue share (1 − on-time completion rate)',
  satisfaction_rate: 'dissatisfied share (1 − satisfaction rate)',
};

export interface OrganWindow {
  /** Bad outcomes (overdue replies, dissatisfied ratings) and all outcomes. */
  bad: number;
  n: number;
}

/** The signal for one organ and measure, from its recent and baseline windows, or why not. */
export function organRateSignal(
  recent: OrganWindow,
  baseline: OrganWindow,
  config: Config,
): { test: ReturnType<typeof twoProportionTest>; rise: number; signal: boolean } | { skipped: string } {
  if (recent.n < config.minRecent) return { skipped: 'few-recent' };
  const pooled = (recent.bad + baseline.bad) / (recent.n + baseline.n);
  const least = Math.min(recent.n, baseline.n) * Math.min(pooled, 1 - pooled);
  if (baseline.n === 0 || least < config.minExpected) return { skipped: 'approximation' };
  const test = twoProportionTest(recent.bad, recent.n, baseline.bad, baseline.n);
  // Rounded so that 30% − 10% is the 0.2 a severity threshold names, not 0.19999999999999998.
  const rise = Math.round((recent.bad / recent.n - baseline.bad / baseline.n) * 1e12) / 1e12;
  return { test, rise, signal: test.p <= config.alpha && rise >= config.minRise };
}

const organRegionRow = z.object({ organ: z.string(), region: z.string().nullable() });

/** Where each organ answers: its registry entry's region, else the district most of its cases come from. */
async function organRegions(store: AnalyticsStore, organs: string[]): Promise<Map<string, string | null>> {
  if (!organs.length) return new Map();
  const rows = await store.all(
    organRegionRow,
    `SELECT f.organ, coalesce(any_value(o.region_code), mode(f.region_code)) AS region
       FROM case_facts f
       LEFT JOIN ${organNamed('o', 'f.organ')}
      WHERE list_contains($organs::VARCHAR[], f.organ)
      GROUP BY f.organ`,
    { organs: listValue(organs) },
  );
  return new Map(rows.map((r) => [r.organ, r.region]));
}

const windowOf = (rows: MetricRow[], measure: MeasureId) => {
  const out = new Map<string, OrganWindow>();
  for (const r of rows) {
    const organ = r.dims.organ;
    if (r.measure !== measure || !organ || r.denominator === undefined || r.numerator === undefined) continue;
    out.set(organ, { bad: r.denominator - r.numerator, n: r.denominator });
  }
  return out;
};

export async function scanOrganRates(
  store: AnalyticsStore,
  weeks: readonly number[],
  config: Config,
  regions: { city: string; levelOf: (code: string) => Level | undefined },
): Promise<SignalResult> {
  const started = Date.now();
  const candidates: AlertCandidate[] = [];
  const skippedBy: Record<string, number> = {};
  let scanned = 0;
  let skipped = 0;
  const measures = config.measures as MeasureId[];
  let regionOf = new Map<string, string | null>();
  for (const week of weeks) {
    const asOf = weekEnd(weekStart(week));
    const recentFrom = weekStart(week - config.recentWeeks + 1);
    const baselineFrom = weekStart(week - config.recentWeeks - config.baselineWeeks + 1);
    const [recentRows, baselineRows] = await Promise.all([
      queryMetrics(store, { measures, from: recentFrom, to: asOf, asOf, by: ['organ'] }),
      queryMetrics(store, { measures, from: baselineFrom, to: addDays(recentFrom, -1), asOf, by: ['organ'] }),
    ]);
    const missing = [...new Set(recentRows.map((r) => r.dims.organ).filter((o): o is string => Boolean(o) && !regionOf.has(o!)))];
    if (missing.length) regionOf = new Map([...regionOf, ...(await organRegions(store, missing))]);
    for (const measure of measures) {
      const recent = windowOf(recentRows, measure);
      const baseline = windowOf(baselineRows, measure);
      for (const [organ, r] of recent) {
        scanned++;
        const b = baseline.get(organ) ?? { bad: 0, n: 0 };
        const verdict = organRateSignal(r, b, config);
        if ('skipped' in verdict) {
          skipped++;
          skippedBy[verdict.skipped] = (skippedBy[verdict.skipped] ?? 0) + 1;
          continue;
        }
        if (!verdict.signal) continue;
        const region = regionOf.get(organ) ?? regions.city;
        const p0 = b.bad / b.n;
        candidates.push({
          kind: 'organ-rate-rise',
          method: 'two-proportion-z',
          level: regions.levelOf(region) ?? 'city',
          regionCode: region,
          field: null,
          channel: null,
          petitionClass: null,
          subject: `${organ}|${measure}`,
          week: weekStart(week),
          observed: r.bad / r.n,
          expected: p0,
          upperbound: proportionUpperBound(p0, r.n, config.alpha),
          pValue: verdict.test.p,
          baseSeverity: severityByThreshold(verdict.rise, config.severity),
          detail: {
            organ,
            measure,
            outcome: BAD_OUTCOME[measure as Config['measures'][number]],
            recent: { ...r, from: recentFrom, to: asOf },
            baseline: { ...b, from: baselineFrom, to: addDays(recentFrom, -1) as PlainDate },
            z: verdict.test.z,
            rise: verdict.rise,
          },
        });
      }
    }
  }
  return { candidates, stats: { scanned, skipped, skippedBy, ms: Date.now() - started } };
}
