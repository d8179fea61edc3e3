/**
 * One early-warning scan: every signal over the weeks asked for, severities with the
 * sensitive-period calendar, de-duplication against earlier alerts, and everything written
 * in one transaction with the scan's record (alerts.ts). The Temporal scan workflow runs it as
 * an activity; the benchmark and tests call it directly.
 */
import { z } from 'zod';
import type { PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import { persistScan, type RatedCandidate } from './alerts.js';
import type { AlertCandidate, SignalResult } from './candidate.js';
import { scanCollective } from './collective.js';
import { loadScanConfig, ScanError, type Level, type ScanConfig } from './config.js';
import { countHistoryNeeded, scanCounts } from './counts.js';
import { scanEscalation } from './escalation.js';
import { scanOrganRates } from './organ-rates.js';
import { scanPresses } from './presses.js';
import { sensitiveCalendar, type SensitiveCalendar } from './sensitive-periods.js';
import { firstWholeWeek, weeklyCountSeries } from './series.js';
import { applySensitivePeriod } from './severity.js';
import { districtAdjacency, scanSpaceTime } from './space-time.js';
import { isMonday, weekIndex, weekStart } from './weeks.js';

export const SIGNALS = ['counts', 'collective', 'escalation', 'organRates', 'presses', 'spaceTime'] as const;
export type SignalId = (typeof SIGNALS)[number];

export interface ScanRequest {
  scanId: string;
  trigger: string;
  /** Monday of the last week to evaluate. */
  week: PlainDate;
  /** How many weeks, ending with `week`, to evaluate (oldest first). Default 1. */
  weeks?: number;
  signals?: readonly SignalId[];
  config?: ScanConfig;
  calendar?: SensitiveCalendar;
  /** Whose hierarchy to scan; default the one city in `regions`. */
  jurisdiction?: string;
}

export interface ScanSummary {
  scanId: string;
  weekFrom: PlainDate;
  weekTo: PlainDate;
  seriesScanned: number;
  seriesSkipped: number;
  raised: number;
  continued: number;
  candidates: number;
  durationMs: number;
  signals: Partial<Record<SignalId, SignalResult['stats'] & { candidates: number }>>;
}

export { ScanError };

const regionRow = z.object({ code: z.string(), level: z.enum(['city', 'district', 'street']), parent_code: z.string().nullable(), jurisdiction: z.string() });

/** The city and its districts a scan (or a recomputation of its figures) reads series for. */
export async function scanHierarchy(store: AnalyticsStore, jurisdiction?: string) {
  const rows = await store.all(regionRow, 'SELECT code, level, parent_code, jurisdiction FROM regions ORDER BY code');
  const cities = rows.filter((r) => r.level === 'city' && (!jurisdiction || r.jurisdiction === jurisdiction));
  if (cities.length !== 1) {
    throw new ScanError(`the regions table has ${cities.length} cities${jurisdiction ? ` for ${jurisdiction}` : ''}; a scan needs exactly one`);
  }
  const city = cities[0]!;
  const districts = rows.filter((r) => r.level === 'district' && r.parent_code === city.code).map((r) => r.code);
  const levels = new Map(rows.map((r) => [r.code, r.level] as const));
  return { city: city.code, jurisdiction: city.jurisdiction, districts, levelOf: (code: string): Level | undefined => levels.get(code) };
}

/** Every signal's candidates for the weeks, without writing anything (the benchmark's entry too). */
export async function findCandidates(
  store: AnalyticsStore,
  options: { weeks: readonly number[]; signals?: readonly SignalId[]; config: ScanConfig; jurisdiction?: string },
): Promise<{ candidates: AlertCandidate[]; stats: ScanSummary['signals']; dataStartWeek: number | null }> {
  const { weeks, config } = options;
  const signals = new Set(options.signals ?? SIGNALS);
  const regions = await scanHierarchy(store, options.jurisdiction);
  const dataStartWeek = await firstWholeWeek(store);
  const stats: ScanSummary['signals'] = {};
  const candidates: AlertCandidate[] = [];
  if (dataStartWeek === null) return { candidates, stats, dataStartWeek };
  const record = (id: SignalId, result: SignalResult) => {
    candidates.push(...result.candidates);
    stats[id] = { ...result.stats, candidates: result.candidates.length };
  };
  const first = weeks[0]!;
  const last = weeks.at(-1)!;

  if (signals.has('counts')) {
    const started = Date.now();
    const series = await weeklyCountSeries(store, {
      fromWeek: dataStartWeek,
      fromWeekOf: (level, dims) => first - countHistoryNeeded(config.counts, level, dims),
      toWeek: last,
      groupings: config.counts.levels,
      city: regions.city,
      districts: regions.districts,
      minCases: config.counts.minSeriesCases,
    });
    const sqlMs = Date.now() - started;
    const result = scanCounts({ series, weeks, dataStartWeek, config: config.counts });
    record('counts', { candidates: result.candidates, stats: { ...result.stats, ms: Date.now() - started, notes: [...(result.stats.notes ?? []), `series SQL ${sqlMs} ms, ${series.length} series read`] } });
  }
  if (signals.has('collective')) record('collective', await scanCollective(store, weeks, config.collective, dataStartWeek));
  if (signals.has('escalation')) record('escalation', await scanEscalation(store, weeks, config.escalation, regions.city));
  if (signals.has('organRates')) record('organRates', await scanOrganRates(store, weeks, config.organRates, regions));
  if (signals.has('presses')) record('presses', await scanPresses(store, weeks, config.presses, regions));
  if (signals.has('spaceTime')) {
    record(
      'spaceTime',
      await scanSpaceTime(store, weeks, config.spaceTime, {
        city: regions.city,
        districts: regions.districts,
        adjacency: districtAdjacency(regions.jurisdiction),
        dataStartWeek,
      }),
    );
  }
  return { candidates, stats, dataStartWeek };
}

export async function runScan(store: AnalyticsStore, request: ScanRequest): Promise<ScanSummary> {
  const startedAt = new Date();
  if (!isMonday(request.week)) throw new ScanError(`week ${request.week} is not a Monday; weeks are named by their Monday`);
  const count = request.weeks ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 104) throw new ScanError('weeks must be a whole number from 1 to 104');
  const config = request.config ?? loadScanConfig();
  const calendar = request.calendar ?? sensitiveCalendar();
  const last = weekIndex(request.week);
  const weeks = Array.from({ length: count }, (_, i) => last - count + 1 + i);

  const { candidates, stats } = await findCandidates(store, {
    weeks,
    config,
    ...(request.signals ? { signals: request.signals } : {}),
    ...(request.jurisdiction ? { jurisdiction: request.jurisdiction } : {}),
  });
  const rated: RatedCandidate[] = candidates.map((c) => ({ ...c, rated: applySensitivePeriod(c.baseSeverity, c.week, calendar) }));
  const seriesScanned = Object.values(stats).reduce((s, x) => s + x.scanned, 0);
  const seriesSkipped = Object.values(stats).reduce((s, x) => s + x.skipped, 0);
  const weekFrom = weekStart(weeks[0]!);
  const finishedAt = new Date();
  const { raised, continued } = await persistScan(
    store,
    { scanId: request.scanId, trigger: request.trigger, weekFrom, weekTo: request.week, startedAt, finishedAt, seriesScanned, seriesSkipped, detail: stats },
    rated,
    config.dedup,
  );
  return {
    scanId: request.scanId,
    weekFrom,
    weekTo: request.week,
    seriesScanned,
    seriesSkipped,
    raised,
    continued,
    candidates: candidates.length,
    durationMs: Date.now() - startedAt.getTime(),
    signals: stats,
  };
}

