/**
 * Collective visits (集体访) growing for one matter: the same field in the same district or
 * street. Two tests on the matter's collective cases, either of which raises the signal:
 * - frequency: the count in the recent weeks against the baseline weeks' rate, by the exact
 *   Poisson upper tail (the baseline rate gets half a case added, so a matter with no earlier
 *   collective case is not infinitely surprising);
 * - size: Mann-Kendall's test for an increasing trend in the sizes of its latest collective
 *   cases, in time order, when the latest of them is recent.
 * "Collective" is the metrics catalog's definition (COLLECTIVE_MIN_SIZE people or more).
 */
import { z } from 'zod';
import type { PlainDate } from '../../rules/plain-date.js';
import { COLLECTIVE_MIN_SIZE } from '../metrics/catalog.js';
import type { AnalyticsStore } from '../store.js';
import type { AlertCandidate, SignalResult } from './candidate.js';
import type { ScanConfig } from './config.js';
import { UNRECORDED } from './series.js';
import { mannKendall, poissonCriticalValue, poissonUpperTail } from './stats.js';
import { weekEnd, weekIndexSql, weekStart } from './weeks.js';

export interface CollectiveEvent {
  week: number;
  date: string;
  size: number;
  caseId: string;
}

export interface CollectiveMatter {
  level: 'district' | 'street';
  region: string;
  field: string;
  /** In time order. */
  events: CollectiveEvent[];
}

type Config = ScanConfig['collective'];

const matterRow = z.object({
  level: z.enum(['district', 'street']),
  region: z.string(),
  field: z.string(),
  events: z.array(z.object({ week: z.number(), date: z.string(), size: z.number(), caseId: z.string() })),
});

/** Collective cases of every matter with one in the recent weeks of some evaluated week. */
export async function collectiveMatters(
  store: AnalyticsStore,
  /** Weeks to read, and the first week a matter must have a collective case in to be worth testing. */
  options: { fromWeek: number; toWeek: number; activeFrom: number; levels: readonly ('district' | 'street')[] },
): Promise<CollectiveMatter[]> {
  const region = { district: 'region_code', street: 'street_code' } as const;
  const parts = options.levels.map(
    (level) => `SELECT '${level}' AS level, ${region[level]} AS region, coalesce(field, '${UNRECORDED}') AS field,
                       ${weekIndexSql('received_date')} AS week, CAST(received_date AS VARCHAR) AS date, collective_size AS size, case_id
                  FROM case_facts
                 WHERE collective_size >= $minSize AND received_date BETWEEN $from::DATE AND $to::DATE AND ${region[level]} IS NOT NULL`,
  );
  return store.all(
    matterRow,
    `SELECT level, region, field,
            list(struct_pack(week := week, date := date, size := size, caseId := case_id) ORDER BY date, case_id) AS events
       FROM (${parts.join(' UNION ALL ')})
      GROUP BY ALL
     HAVING max(week) >= $activeFrom`,
    {
      minSize: COLLECTIVE_MIN_SIZE,
      from: weekStart(options.fromWeek),
      to: weekEnd(weekStart(options.toWeek)),
      activeFrom: options.activeFrom,
    },
  );
}

/** The signal for one matter at one week, or null. */
export function collectiveSignal(matter: CollectiveMatter, week: number, config: Config, dataStartWeek = -Infinity): AlertCandidate | null {
  const recentFrom = week - config.recentWeeks + 1;
  const baselineFrom = recentFrom - config.baselineWeeks;
  const inWindow = matter.events.filter((e) => e.week >= baselineFrom && e.week <= week);
  const recent = inWindow.filter((e) => e.week >= recentFrom);
  if (!recent.length) return null;
  const baselineCount = inWindow.length - recent.length;

  const expected = ((baselineCount + 0.5) / config.baselineWeeks) * config.recentWeeks;
  const frequencyP = poissonUpperTail(recent.length, expected);
  // A baseline reaching before the data began would count unknown weeks as quiet ones.
  const frequency = baselineFrom >= dataStartWeek && recent.length >= config.minRecent && frequencyP <= config.alpha;

  const latest = inWindow.slice(-config.trend.maxEvents);
  const trend = latest.length >= config.trend.minEvents ? mannKendall(latest.map((e) => e.size)) : null;
  const growing = trend !== null && trend.s > 0 && trend.p <= config.trend.alpha;
  if (!frequency && !growing) return null;

  const largest = Math.max(...recent.map((e) => e.size));
  return {
    kind: 'collective-growth',
    method: 'poisson-rate+mann-kendall',
    level: matter.level,
    regionCode: matter.region,
    field: matter.field,
    channel: null,
    petitionClass: null,
    subject: null,
    week: weekStart(week),
    observed: recent.length,
    expected,
    upperbound: poissonCriticalValue(expected, config.alpha),
    pValue: Math.min(frequency ? frequencyP : 1, growing ? trend!.p : 1),
    baseSeverity: largest >= config.severity.largeSize ? 'serious' : frequency && growing ? 'warning' : 'info',
    detail: {
      frequency: { recent: recent.length, baseline: baselineCount, recentWeeks: config.recentWeeks, baselineWeeks: config.baselineWeeks, p: frequencyP, signal: frequency },
      sizeTrend: trend
        ? { sizes: latest.map((e) => e.size), dates: latest.map((e) => e.date as PlainDate), s: trend.s, p: trend.p, exact: trend.exact, signal: growing }
        : null,
      largestRecent: largest,
      cases: recent.map((e) => e.caseId),
    },
  };
}

export async function scanCollective(store: AnalyticsStore, weeks: readonly number[], config: Config, dataStartWeek: number): Promise<SignalResult> {
  const started = Date.now();
  const last = weeks.at(-1)!;
  const first = weeks[0]!;
  const matters = await collectiveMatters(store, {
    fromWeek: first - config.recentWeeks - config.baselineWeeks + 1,
    toWeek: last,
    activeFrom: first - config.recentWeeks + 1,
    levels: config.levels,
  });
  const candidates: AlertCandidate[] = [];
  for (const matter of matters) {
    for (const week of weeks) {
      const signal = collectiveSignal(matter, week, config, dataStartWeek);
      if (signal) candidates.push(signal);
    }
  }
  return { candidates, stats: { scanned: matters.length, skipped: 0, ms: Date.now() - started } };
}

