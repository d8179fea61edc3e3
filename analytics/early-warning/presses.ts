/**
 * 催办 rising for an organ: petitioners pressing the steps it owes past their deadlines more
 * often than before. The catalog's `presses` measure by organ (so a press counts against the
 * organ that owed the step, as on every report), the recent weeks against the baseline weeks'
 * rate by the exact Poisson upper tail; the baseline rate gets half a press added, so an organ
 * never pressed before is not infinitely surprising. Weeks before the first press recorded
 * anywhere are unknown, not quiet (pressing began when the public pages opened): a baseline
 * reaching before it is not tested.
 */
import { listValue } from '@duckdb/node-api';
import { z } from 'zod';
import { addDays, type PlainDate } from '../../rules/plain-date.js';
import { queryMetrics, type MetricRow } from '../metrics/query.js';
import { organNamed } from '../organ-match.js';
import type { AnalyticsStore } from '../store.js';
import type { AlertCandidate, SignalResult } from './candidate.js';
import type { Level, ScanConfig } from './config.js';
import { severityByThreshold } from './severity.js';
import { poissonCriticalValue, poissonUpperTail } from './stats.js';
import { weekEnd, weekIndex, weekStart } from './weeks.js';

type Config = ScanConfig['presses'];

/** The signal for one organ's recent and baseline press counts, or why it was not tested. */
export function pressSignal(recent: number, baseline: number, config: Config): { expected: number; p: number; signal: boolean } | { skipped: string } {
  if (recent < config.minRecent) return { skipped: 'few-recent' };
  const expected = ((baseline + 0.5) / config.baselineWeeks) * config.recentWeeks;
  const p = poissonUpperTail(recent, expected);
  return { expected, p, signal: p <= config.alpha };
}

const PRESSES = 'case_presses';
const firstRow = z.object({ first: z.string().nullable() });
const organRow = z.object({ organ: z.string(), region: z.string().nullable(), steps: z.array(z.object({ step: z.string(), presses: z.number() })) });

/** Where each organ answers (its registry entry's region, else the district most of its presses come from) and its presses by step. */
async function organsPressed(store: AnalyticsStore, organs: string[], from: PlainDate, to: PlainDate): Promise<Map<string, z.infer<typeof organRow>>> {
  const rows = await store.all(
    organRow,
    `WITH recent AS (SELECT * FROM ${PRESSES} p WHERE list_contains($organs::VARCHAR[], p.organ) AND p.pressed_date BETWEEN $from::DATE AND $to::DATE),
          steps AS (SELECT organ, list(struct_pack(step := step, presses := n) ORDER BY step) AS steps
                      FROM (SELECT organ, coalesce(step, '?') AS step, count(*)::INTEGER AS n FROM recent GROUP BY ALL) GROUP BY organ)
     SELECT r.organ, coalesce(any_value(o.region_code), mode(r.region_code)) AS region, any_value(s.steps) AS steps
       FROM recent r
       LEFT JOIN ${organNamed('o', 'r.organ')}
       JOIN steps s USING (organ)
      GROUP BY r.organ`,
    { organs: listValue(organs), from, to },
  );
  return new Map(rows.map((r) => [r.organ, r]));
}

const countsByOrgan = (rows: MetricRow[]) => new Map(rows.flatMap((r) => (r.dims.organ ? [[r.dims.organ, r.value ?? 0] as const] : [])));

export async function scanPresses(
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
  const [{ first } = { first: null }] = await store.all(firstRow, `SELECT CAST(min(pressed_date) AS VARCHAR) AS first FROM ${PRESSES}`);
  if (first === null) return { candidates, stats: { scanned, skipped, ms: Date.now() - started, notes: ['no press recorded yet'] } };
  const firstWeek = weekIndex(first as PlainDate);
  for (const week of weeks) {
    const asOf = weekEnd(weekStart(week));
    const recentFrom = weekStart(week - config.recentWeeks + 1);
    const baselineWeek = week - config.recentWeeks - config.baselineWeeks + 1;
    const baselineFrom = weekStart(baselineWeek);
    const baselineTo = addDays(recentFrom, -1);
    const [recentRows, baselineRows] = await Promise.all([
      queryMetrics(store, { measures: ['presses'], from: recentFrom, to: asOf, asOf, by: ['organ'] }),
      queryMetrics(store, { measures: ['presses'], from: baselineFrom, to: baselineTo, asOf, by: ['organ'] }),
    ]);
    const recent = countsByOrgan(recentRows);
    const baseline = countsByOrgan(baselineRows);
    const raised: { organ: string; count: number; base: number; expected: number; p: number }[] = [];
    for (const [organ, count] of recent) {
      if (count === 0) continue;
      scanned++;
      const verdict = baselineWeek < firstWeek ? { skipped: 'before-presses' } : pressSignal(count, baseline.get(organ) ?? 0, config);
      if ('skipped' in verdict) {
        skipped++;
        skippedBy[verdict.skipped] = (skippedBy[verdict.skipped] ?? 0) + 1;
        continue;
      }
      if (verdict.signal) raised.push({ organ, count, base: baseline.get(organ) ?? 0, expected: verdict.expected, p: verdict.p });
    }
    if (!raised.length) continue;
    const pressed = await organsPressed(store, raised.map((r) => r.organ), recentFrom, asOf);
    for (const r of raised) {
      const region = pressed.get(r.organ)?.region ?? regions.city;
      candidates.push({
        kind: 'organ-presses',
        method: 'poisson-rate',
        level: regions.levelOf(region) ?? 'city',
        regionCode: region,
        field: null,
        channel: null,
        petitionClass: null,
        subject: r.organ,
        week: weekStart(week),
        observed: r.count,
        expected: r.expected,
        upperbound: poissonCriticalValue(r.expected, config.alpha),
        pValue: r.p,
        baseSeverity: severityByThreshold(r.count / r.expected, config.severity),
        detail: {
          organ: r.organ,
          recent: { presses: r.count, from: recentFrom, to: asOf },
          baseline: { presses: r.base, from: baselineFrom, to: baselineTo },
          steps: pressed.get(r.organ)?.steps ?? [],
        },
      });
    }
  }
  return { candidates, stats: { scanned, skipped, skippedBy, ms: Date.now() - started } };
}
