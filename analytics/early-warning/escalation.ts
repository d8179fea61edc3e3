/**
 * A petitioner moving up: within a window of days, a pseudonymised petitioner's cases reach a
 * level above every earlier one. Levels, lowest first: 1 district (the usual competent level);
 * 2 city (the case is the city's own, or handled by a city organ or the city petition office);
 * 3 skip-level (越级: brought above the competent level, toward the centre). Only pseudonyms
 * (petitioner_id) are read; identities stay encrypted elsewhere (DOMAIN §10).
 *
 * One earlier case and a later one a level up is common in any large log (repeat petitions and
 * skip-level ones are independent in much of the data), so the signal wants a pattern: at least
 * minCases cases in the window, the latest week's reaching higher than all before.
 */
import { z } from 'zod';
import { COLLECTIVE_MIN_SIZE } from '../metrics/catalog.js';
import { organNamed } from '../organ-match.js';
import type { AnalyticsStore } from '../store.js';
import type { AlertCandidate, SignalResult } from './candidate.js';
import type { ScanConfig } from './config.js';
import { weekEnd, weekIndexSql, weekStart } from './weeks.js';
import { addDays, type PlainDate } from '../../rules/plain-date.js';

export const LEVEL_NAMES = { 1: 'district', 2: 'city', 3: 'skip-level' } as const;
export type LevelRank = keyof typeof LEVEL_NAMES;

export interface PetitionerCase {
  week: number;
  date: string;
  rank: LevelRank;
  district: string;
  field: string | null;
  size: number;
  caseId: string;
}

export interface PetitionerPath {
  petitioner: string;
  /** In time order. */
  cases: PetitionerCase[];
}

type Config = ScanConfig['escalation'];

const pathRow = z.object({
  petitioner: z.string(),
  cases: z.array(
    z.object({
      week: z.number(),
      date: z.string(),
      rank: z.union([z.literal(1), z.literal(2), z.literal(3)]),
      district: z.string(),
      field: z.string().nullable(),
      size: z.number(),
      caseId: z.string(),
    }),
  ),
});

/** The paths of petitioners with a case in weeks fromWeek..toWeek, over the window before them. */
export async function petitionerPaths(
  store: AnalyticsStore,
  options: { fromWeek: number; toWeek: number; windowDays: number; minCases: number; city: string },
): Promise<PetitionerPath[]> {
  const to = weekEnd(weekStart(options.toWeek));
  return store.all(
    pathRow,
    // Only petitioners with a case in the weeks scanned, and of them only those with enough cases
    // in the window, are ranked: a handful of the window's rows.
    `WITH active AS (
            SELECT petitioner_id FROM case_facts
             WHERE petitioner_id IS NOT NULL AND received_date BETWEEN $activeFrom::DATE AND $to::DATE
             GROUP BY petitioner_id),
          frequent AS (
            SELECT f.petitioner_id FROM case_facts f SEMI JOIN active a ON a.petitioner_id = f.petitioner_id
             WHERE f.received_date BETWEEN $from::DATE AND $to::DATE
             GROUP BY f.petitioner_id HAVING count(*) >= $minCases),
          ranked AS (
            SELECT f.petitioner_id, f.received_date, f.region_code, f.field, coalesce(f.collective_size, 1) AS size, f.case_id,
                   CASE WHEN coalesce(f.skip_level, false) THEN 3
                        WHEN f.region_code = $city
                          OR o.level IN ('city', 'city-department')
                          OR (o.level = 'petition-office' AND o.region_code = $city) THEN 2
                        ELSE 1 END AS rank
              FROM case_facts f
              LEFT JOIN ${organNamed('o', 'f.organ')}
              SEMI JOIN frequent q ON q.petitioner_id = f.petitioner_id
             WHERE f.received_date BETWEEN $from::DATE AND $to::DATE
          )
     SELECT petitioner_id AS petitioner,
            list(struct_pack(week := ${weekIndexSql('received_date')}, date := CAST(received_date AS VARCHAR), rank := rank,
                             district := region_code, field := field, size := size, caseId := case_id)
                 ORDER BY received_date, case_id) AS cases
       FROM ranked
      GROUP BY petitioner_id`,
    {
      city: options.city,
      from: addDays(weekStart(options.fromWeek), -options.windowDays),
      to,
      minCases: options.minCases,
      activeFrom: weekStart(options.fromWeek),
    },
  );
}

/** The signal for one petitioner at one week, or null. */
export function escalationSignal(path: PetitionerPath, week: number, config: Config, city: string): AlertCandidate | null {
  const end = weekEnd(weekStart(week));
  const windowFrom = addDays(end, -config.windowDays + 1);
  const inWindow = path.cases.filter((c) => c.date >= windowFrom && c.week <= week);
  const latest = inWindow.filter((c) => c.week === week);
  const earlier = inWindow.filter((c) => c.week < week);
  if (!latest.length || !earlier.length || inWindow.length < config.minCases) return null;
  const reached = Math.max(...latest.map((c) => c.rank)) as LevelRank;
  const before = Math.max(...earlier.map((c) => c.rank)) as LevelRank;
  if (reached <= before) return null;
  const home = earlier.at(-1)!;
  const collective = inWindow.some((c) => c.size >= COLLECTIVE_MIN_SIZE);
  return {
    kind: 'petitioner-escalation',
    method: 'level-ladder',
    // The region whose petitioner it is answers for it (属地): where the earlier cases were.
    level: home.district === city ? 'city' : 'district',
    regionCode: home.district,
    field: home.field,
    channel: null,
    petitionClass: null,
    subject: path.petitioner,
    week: weekStart(week),
    observed: reached,
    expected: before,
    upperbound: null,
    pValue: null,
    baseSeverity: reached === 3 ? (inWindow.length >= config.severity.seriousCases || collective ? 'serious' : 'warning') : 'info',
    detail: {
      from: LEVEL_NAMES[before],
      to: LEVEL_NAMES[reached],
      casesInWindow: inWindow.length,
      windowDays: config.windowDays,
      collective,
      path: inWindow.map((c) => ({ date: c.date as PlainDate, level: LEVEL_NAMES[c.rank], district: c.district, field: c.field, caseId: c.caseId })),
    },
  };
}

export async function scanEscalation(store: AnalyticsStore, weeks: readonly number[], config: Config, city: string): Promise<SignalResult> {
  const started = Date.now();
  const paths = await petitionerPaths(store, { fromWeek: weeks[0]!, toWeek: weeks.at(-1)!, windowDays: config.windowDays, minCases: config.minCases, city });
  const candidates: AlertCandidate[] = [];
  for (const path of paths) {
    for (const week of weeks) {
      const signal = escalationSignal(path, week, config, city);
      if (signal) candidates.push(signal);
    }
  }
  return { candidates, stats: { scanned: paths.length, skipped: 0, ms: Date.now() - started } };
}
