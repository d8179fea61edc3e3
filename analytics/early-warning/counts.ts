/**
 * Count aberrations: each configured detector on each weekly series of its levels, at each week
 * evaluated. A series is tested at a week only when the method's whole history lies inside the
 * data (weeks before the first whole week are unknown, not zero) and it is dense enough there
 * (mean ≥ minMean, zero weeks ≤ maxZeroShare): EARS on a mostly-zero series alarms on every
 * single case, and a flat baseline leaves its statistic undefined.
 *
 * An alarm in a week whose count is not above its expectation raises no alert: it is the trail
 * of an earlier week's excess (EARS C3 sums three weeks' excesses, CUSUM and GLR carry theirs
 * forward), which raised its own alert that week; a user shown "0 cases, 1.3 expected" as a
 * surge would rightly stop trusting the list.
 */
import type { PlainDate } from '../../rules/plain-date.js';
import type { AlertCandidate, SignalStats } from './candidate.js';
import { ScanError, SERIES_DIMENSIONS, type CountMethodConfig, type Level, type ScanConfig, type SeriesDimension } from './config.js';
import { countMethod, type CountMethod } from './methods.js';
import type { CountSeries } from './series.js';
import { weekStart } from './weeks.js';

export interface CountScanInput {
  series: readonly CountSeries[];
  /** Week indices to evaluate, ascending. */
  weeks: readonly number[];
  /** First week whose count is known (see firstWholeWeek). */
  dataStartWeek: number;
  config: ScanConfig['counts'];
}

export type SparsityVerdict = 'ok' | 'short' | 'sparse';

/** Whether `counts[from..to)` is long enough and dense enough for the method. */
export function sparsity(counts: ArrayLike<number>, from: number, to: number, rule: CountMethodConfig['sparsity'], firstKnown: number): SparsityVerdict {
  if (from < firstKnown) return 'short';
  let sum = 0;
  let zeros = 0;
  for (let i = from; i < to; i++) {
    const n = counts[i]!;
    sum += n;
    if (n === 0) zeros++;
  }
  const length = to - from;
  return sum / length >= rule.minMean && zeros / length <= rule.maxZeroShare ? 'ok' : 'sparse';
}

/** A configured method's history, or a ScanError naming the entry whose parameters the detector refuses. */
function historyOf(method: CountMethod, m: CountMethodConfig): number {
  try {
    return method.historyNeeded(m.params);
  } catch (error) {
    if (error instanceof RangeError) throw new ScanError(`early-warning configuration, counts method ${m.method}: ${error.message}`);
    throw error;
  }
}

/** The history (in weeks) a scan must read for a level's grouping, for every configured method of it available in this build. */
export function countHistoryNeeded(config: ScanConfig['counts'], level: Level, dims: readonly SeriesDimension[]): number {
  return Math.max(0, ...config.methods.flatMap((m) => {
    const method = countMethod(m.method);
    return method && m.levels.includes(level) && runsOn(m, dims) ? [historyOf(method, m)] : [];
  }));
}

const dimsOf = (series: CountSeries): SeriesDimension[] =>
  SERIES_DIMENSIONS.filter((d) => (d === 'field' ? series.field : d === 'channel' ? series.channel : series.petitionClass) !== null);

/** Whether a method configured for some groupings runs on series of this grouping. */
function runsOn(m: CountMethodConfig, dims: readonly SeriesDimension[]): boolean {
  return !m.groupings || m.groupings.some((g) => g.length === dims.length && g.every((d) => dims.includes(d)));
}

export function scanCounts(input: CountScanInput): { candidates: AlertCandidate[]; stats: SignalStats } {
  const started = Date.now();
  const { config, weeks } = input;
  const candidates: AlertCandidate[] = [];
  const skippedBy: Record<string, number> = {};
  let scanned = 0;
  let skipped = 0;
  const notes: string[] = [];
  let trailing = 0;
  const methods: Array<{ config: CountMethodConfig; method: CountMethod; history: number }> = [];
  for (const m of config.methods) {
    const method = countMethod(m.method);
    if (!method) {
      notes.push(`${m.method}: not available in this build; skipped`);
      continue;
    }
    methods.push({ config: m, method, history: historyOf(method, m) });
  }

  // Every series of a scan spans the same weeks; their Mondays are built once.
  const mondays = new Map<string, string[]>();
  const mondaysOf = (series: CountSeries) => {
    const key = `${series.firstWeek}:${series.counts.length}`;
    let list = mondays.get(key);
    if (!list) mondays.set(key, (list = Array.from({ length: series.counts.length }, (_, i) => weekStart(series.firstWeek + i))));
    return list;
  };

  for (const series of input.series) {
    for (const { config: m, method, history } of methods) {
      if (!m.levels.includes(series.level) || !runsOn(m, dimsOf(series))) continue;
      scanned++;
      // Array positions of the weeks that pass the sparsity rule.
      const testable: number[] = [];
      for (const week of weeks) {
        const t = week - series.firstWeek;
        const verdict = t >= series.counts.length ? 'short' : sparsity(series.counts, t - history, t, m.sparsity, input.dataStartWeek - series.firstWeek);
        if (verdict === 'ok') testable.push(t);
        else skippedBy[`${m.method}:${verdict}`] = (skippedBy[`${m.method}:${verdict}`] ?? 0) + 1;
      }
      if (!testable.length) {
        skipped++;
        continue;
      }
      const view = { counts: series.counts, weeks: mondaysOf(series) as PlainDate[] };
      // A method may count its history in calendar years (a dated weekly series: "a year back"
      // is the same date, 52 or 53 weeks) and find a week or two short of what historyNeeded
      // said: those weeks are short, not an error.
      let rows: ReturnType<CountMethod['run']> | null = null;
      while (testable.length && !rows) {
        try {
          rows = method.run(view, m.params, testable[0]! + 1);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          testable.shift();
          skippedBy[`${m.method}:short`] = (skippedBy[`${m.method}:short`] ?? 0) + 1;
        }
      }
      if (!rows) {
        skipped++;
        continue;
      }
      const wanted = new Set(testable.map((t) => t + 1));
      for (const row of rows) {
        if (!wanted.has(row.t) || row.alarm !== true) continue;
        if (row.expected !== undefined && row.expected !== null && row.observed <= row.expected) {
          trailing++;
          continue;
        }
        const expected = row.expected ?? row.upperbound;
        const ratio = row.observed / Math.max(expected, 1);
        const excess = row.observed - expected;
        const reaches = (rule: { ratio: number; excess: number }) => ratio >= rule.ratio && excess >= rule.excess;
        candidates.push({
          kind: 'count-aberration',
          method: m.method,
          level: series.level,
          regionCode: series.region,
          field: series.field,
          channel: series.channel,
          petitionClass: series.petitionClass,
          subject: null,
          week: weekStart(series.firstWeek + row.t - 1),
          observed: row.observed,
          expected: row.expected,
          upperbound: row.upperbound,
          pValue: null,
          baseSeverity: reaches(config.severity.serious) ? 'serious' : reaches(config.severity.warning) ? 'warning' : 'info',
          detail: { params: m.params, ratio: Math.round(ratio * 1000) / 1000 },
        });
      }
    }
  }
  if (trailing) notes.push(`${trailing} alarms in weeks not above their expectation left out (the trail of an earlier week's excess)`);
  return { candidates, stats: { scanned, skipped, skippedBy, ms: Date.now() - started, ...(notes.length ? { notes } : {}) } };
}
