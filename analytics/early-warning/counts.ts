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
import { countMethod, type CountMethod, type MethodRow } from './methods.js';
import type { CountSeries, SeriesKey } from './series.js';
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

const dimsOf = (series: SeriesKey): SeriesDimension[] =>
  SERIES_DIMENSIONS.filter((d) => (d === 'field' ? series.field : d === 'channel' ? series.channel : series.petitionClass) !== null);

/** Whether a method configured for some groupings runs on series of this grouping. */
function runsOn(m: CountMethodConfig, dims: readonly SeriesDimension[]): boolean {
  return !m.groupings || m.groupings.some((g) => g.length === dims.length && g.every((d) => dims.includes(d)));
}

/** A configured count method this build has, with the history its parameters need. */
export interface PreparedMethod {
  config: CountMethodConfig;
  method: CountMethod;
  history: number;
}

/** The configured methods this build can run; the others named in notes. */
export function prepareCountMethods(config: ScanConfig['counts']): { methods: PreparedMethod[]; notes: string[] } {
  const methods: PreparedMethod[] = [];
  const notes: string[] = [];
  for (const m of config.methods) {
    const method = countMethod(m.method);
    if (!method) {
      notes.push(`${m.method}: not available in this build; skipped`);
      continue;
    }
    methods.push({ config: m, method, history: historyOf(method, m) });
  }
  return { methods, notes };
}

/** Whether a prepared method runs on this series at all (its level and grouping). */
export const methodAppliesTo = (m: CountMethodConfig, series: SeriesKey): boolean => m.levels.includes(series.level) && runsOn(m, dimsOf(series));

/** An alarm in a week not above its expectation: the trail of an earlier week's excess, which raises no alert. */
export const isTrailingAlarm = (row: MethodRow): boolean => row.alarm === true && row.expected !== null && row.observed <= row.expected;

export interface SeriesEvaluation {
  /** The method's rows at the weeks it could test (t is 1-based into series.counts). */
  rows: MethodRow[];
  /** Weeks asked for that it could not test, by `method:reason`. */
  skippedBy: Record<string, number>;
}

/**
 * One method on one series at the weeks asked for, as the scan evaluates it: a week is tested
 * only when the method's history before it is inside the data and dense enough (sparsity), and
 * the method runs once from the first such week. The alert series (alert-series.ts) calls this
 * too, so what it draws is what the scan computed.
 */
export function evaluateSeries(
  series: CountSeries,
  prepared: PreparedMethod,
  weeks: readonly number[],
  dataStartWeek: number,
  mondays: readonly PlainDate[] = Array.from({ length: series.counts.length }, (_, i) => weekStart(series.firstWeek + i)),
): SeriesEvaluation {
  const { config: m, method, history } = prepared;
  const skippedBy: Record<string, number> = {};
  const skip = (reason: string) => (skippedBy[`${m.method}:${reason}`] = (skippedBy[`${m.method}:${reason}`] ?? 0) + 1);
  // Array positions of the weeks that pass the sparsity rule.
  const testable: number[] = [];
  for (const week of weeks) {
    const t = week - series.firstWeek;
    const verdict = t >= series.counts.length ? 'short' : sparsity(series.counts, t - history, t, m.sparsity, dataStartWeek - series.firstWeek);
    if (verdict === 'ok') testable.push(t);
    else skip(verdict);
  }
  const view = { counts: series.counts, weeks: mondays };
  // A method may count its history in calendar years (a dated weekly series: "a year back"
  // is the same date, 52 or 53 weeks) and find a week or two short of what historyNeeded
  // said: those weeks are short, not an error.
  let rows: MethodRow[] | null = null;
  while (testable.length && !rows) {
    try {
      rows = method.run(view, m.params, testable[0]! + 1);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      testable.shift();
      skip('short');
    }
  }
  const wanted = new Set(testable.map((t) => t + 1));
  return { rows: (rows ?? []).filter((r) => wanted.has(r.t)), skippedBy };
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
  const prepared = prepareCountMethods(config);
  const methods = prepared.methods;
  notes.push(...prepared.notes);

  // Every series of a scan spans the same weeks; their Mondays are built once.
  const mondays = new Map<string, string[]>();
  const mondaysOf = (series: CountSeries) => {
    const key = `${series.firstWeek}:${series.counts.length}`;
    let list = mondays.get(key);
    if (!list) mondays.set(key, (list = Array.from({ length: series.counts.length }, (_, i) => weekStart(series.firstWeek + i))));
    return list;
  };

  for (const series of input.series) {
    for (const entry of methods) {
      const m = entry.config;
      if (!methodAppliesTo(m, series)) continue;
      scanned++;
      const evaluation = evaluateSeries(series, entry, weeks, input.dataStartWeek, mondaysOf(series) as PlainDate[]);
      for (const [k, n] of Object.entries(evaluation.skippedBy)) skippedBy[k] = (skippedBy[k] ?? 0) + n;
      if (!evaluation.rows.length) {
        skipped++;
        continue;
      }
      for (const row of evaluation.rows) {
        if (row.alarm !== true) continue;
        if (isTrailingAlarm(row)) {
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
