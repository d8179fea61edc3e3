/**
 * Early-warning bench (issue 7, "Evaluation" and the scan's speed). Two parts:
 *
 * 1. Evaluation on generated data with the generator's labelled surges (one field in one
 *    district, ×2-4 for 14-42 days): EVAL_CASES cases (default 1,000,000) over 2019-2025 with
 *    ANOMALIES surges (default 100), cached in ~/.cache/xinfang/early-warning-bench. Every
 *    count method of the detectors registry (defaults; EARS C3 also with the published alarm;
 *    a method the scan configures, with the scan's parameters) runs over every district × field
 *    weekly series exactly as the scan runs it (scanCounts, with the scan's sparsity rule),
 *    from the first week every method has its history. Per method:
 *    - sensitivity: surges with an alarm in their series in a week they touch;
 *    - detection delay: weeks from the surge's first week to its first alarm;
 *    - false alarms per year: alarms in weeks no surge of that series touches, nor the two
 *      weeks after one (a surge ends mid-week and baselines carry it), over all the series,
 *      and per series-year.
 *    The space-time scan is evaluated on the same surges (any zone size, the last 104 weeks).
 *    Then the load the default scan (every signal, every level) would put on analysts over
 *    the last 52 weeks: candidates per week and alerts after de-duplication.
 * 2. Speed: the whole default scan of one week (every series of every level, every signal,
 *    persisted) on the largest database the metrics bench has cached (bench/metrics-data.ts),
 *    or the one of SCAN_CASES cases, built and cached by that bench's code if missing.
 *    Timed on a copy, so the cache is never written. RUNS runs (default 3).
 *
 * Writes bench/results/early-warning-eval-<N>.json and bench/results/early-warning-scan-<N>.json.
 * Run: `npm run bench:early-warning` (EVAL_CASES, ANOMALIES, SCAN_CASES, RUNS, SKIP_EVAL=1, SKIP_SCAN=1,
 * SKIP_LOAD=1, VARIANTS=JSON list of {method, params} to compare more settings).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { dedupKey, type AlertCandidate } from '../analytics/early-warning/candidate.js';
import { loadScanConfig, type CountMethodConfig } from '../analytics/early-warning/config.js';
import { scanCounts } from '../analytics/early-warning/counts.js';
import { countMethod } from '../analytics/early-warning/methods.js';
import { findCandidates, runScan, type ScanSummary, type SignalId } from '../analytics/early-warning/scan.js';
import { firstWholeWeek, weeklyCountSeries } from '../analytics/early-warning/series.js';
import { districtAdjacency, scanSpaceTime } from '../analytics/early-warning/space-time.js';
import { weekIndex, weekStart } from '../analytics/early-warning/weeks.js';
import { DETECTOR_METHODS } from '../analytics/detectors/registry.js';
import { refreshCaseFacts } from '../analytics/facts.js';
import { SEASON, SPRING_FESTIVAL } from '../analytics/generator/calibration.js';
import { generate, storeSink, type AnomalyLabel } from '../analytics/generator/generate.js';
import { recordOrgans, recordRegions } from '../analytics/region-log.js';
import { AnalyticsStore } from '../analytics/store.js';
import { BEIJING_ORGANS } from '../domain/organs.js';
import { beijingRegions } from '../domain/region-hierarchy.js';
import { BEIJING_DISTRICTS } from '../domain/regions.js';
import { addDays, parsePlainDate, type PlainDate } from '../rules/plain-date.js';
import { benchCache, benchDatabase } from './metrics-data.js';

const EVAL_CASES = Number(process.env.EVAL_CASES ?? 1_000_000);
const ANOMALIES = Number(process.env.ANOMALIES ?? 100);
const SEED = Number(process.env.SEED ?? 7);
const RUNS = Number(process.env.RUNS ?? 3);
const FROM = parsePlainDate('2019-01-01');
const TO = parsePlainDate('2025-12-31');
/** Weeks after a surge's last week that count neither as a detection nor as a false alarm. */
const GREY_WEEKS = 2;

const log = (line: string) => console.error(`[bench:early-warning] ${line}`);
const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });
const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
const machine = { cores: cpus().length, loadAverage1m: loadavg()[0], note: process.env.BENCH_NOTE ?? 'shared 2-core machine: the load average shows how much else was running' };
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : null;
};
const round = (x: number | null, digits = 3) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);
const cacheDir = join(benchCache(), '..', 'early-warning-bench');
const config = loadScanConfig();

// ── 1. evaluation data: generated with labelled surges, cached ─────────────────────────────

async function evaluationDatabase(): Promise<{ path: string; labels: AnomalyLabel[]; reused: boolean; ms: number }> {
  mkdirSync(cacheDir, { recursive: true });
  // The generator's committed tree names the data: a change to it makes new data.
  const generator = execFileSync('git', ['rev-parse', '--short=10', 'HEAD:analytics/generator'], { encoding: 'utf8' }).trim();
  const name = `eval-${EVAL_CASES}-s${SEED}-a${ANOMALIES}-${FROM}-${TO}-g${generator}`;
  const path = join(cacheDir, `${name}.duckdb`);
  const labelsPath = join(cacheDir, `${name}.labels.json`);
  if (existsSync(path) && existsSync(labelsPath)) {
    log(`reusing ${path}`);
    return { path, labels: JSON.parse(readFileSync(labelsPath, 'utf8')) as AnomalyLabel[], reused: true, ms: 0 };
  }
  const building = `${path}.building-${process.pid}`;
  rmSync(building, { force: true });
  const started = Date.now();
  const store = await AnalyticsStore.open(building);
  let labels: AnomalyLabel[];
  try {
    log(`generating ${EVAL_CASES} cases with ${ANOMALIES} labelled surges into ${building}`);
    labels = await store.transaction(async (conn) => {
      await recordRegions(conn, beijingRegions());
      await recordOrgans(conn, 'beijing', BEIJING_ORGANS);
      const summary = await generate(conn, storeSink('import'), { cases: EVAL_CASES, from: FROM, to: TO, seed: SEED, anomalies: ANOMALIES, prefix: 'EV-' });
      await refreshCaseFacts(conn, 'transaction');
      return summary.anomalies;
    });
    await store.run('CHECKPOINT');
  } finally {
    store.close();
  }
  renameSync(building, path);
  if (existsSync(`${building}.wal`)) renameSync(`${building}.wal`, `${path}.wal`);
  writeFileSync(labelsPath, `${JSON.stringify(labels, null, 2)}\n`);
  log(`generated and loaded in ${Date.now() - started} ms`);
  return { path, labels, reused: false, ms: Date.now() - started };
}

interface Variant {
  label: string;
  config: CountMethodConfig;
  /** As the scan runs it (scan-config.json). */
  scan?: boolean;
}

/** Every count method of the registry with its defaults, C3's published alarm, and the scan's own settings. */
function variants(): Variant[] {
  const sparsityOf = (method: string) => config.counts.methods.find((m) => m.method === method)?.sparsity ?? config.counts.methods[0]!.sparsity;
  const out: Variant[] = DETECTOR_METHODS.map((method) => ({ label: `${method} (defaults)`, config: { method, levels: ['district'], params: {}, sparsity: sparsityOf(method) } }));
  out.push({ label: 'ears-c3 (published alarm)', config: { method: 'ears-c3', levels: ['district'], params: { variant: 'published' }, sparsity: sparsityOf('ears-c3') } });
  // More to compare, e.g. VARIANTS='[{"method":"ears-c3","params":{"variant":"published","alpha":0.001}}]'.
  const extra = z.array(z.object({ method: z.string(), params: z.record(z.string(), z.union([z.number(), z.string()])) })).parse(JSON.parse(process.env.VARIANTS ?? '[]'));
  for (const v of extra) {
    if (!countMethod(v.method)) throw new Error(`VARIANTS: no method ${v.method} in the registry`);
    out.push({ label: `${v.method} (${Object.entries(v.params).map(([k, x]) => `${k}=${x}`).join(', ')})`, config: { method: v.method, levels: ['district'], params: v.params, sparsity: sparsityOf(v.method) } });
  }
  for (const m of config.counts.methods) {
    if (!countMethod(m.method) || Object.keys(m.params).length === 0) continue;
    const label = `${m.method} (scan: ${Object.entries(m.params).map(([k, v]) => `${k}=${v}`).join(', ')})`;
    if (!out.some((v) => v.label === label)) out.push({ label, config: { ...m, levels: ['district'], groupings: [['field']] }, scan: true });
  }
  return out;
}

async function evaluate() {
  const data = await evaluationDatabase();
  const store = await AnalyticsStore.open(data.path);
  try {
    const dataStart = (await firstWholeWeek(store))!;
    const lastWeek = weekIndex(TO) - (new Date(`${TO}T00:00:00Z`).getUTCDay() === 0 ? 0 : 1);
    const all = variants();
    const historyOf = (v: Variant) => countMethod(v.config.method)!.historyNeeded(v.config.params);
    // The common window starts when every method the scan configures (and EARS, CUSUM) can judge;
    // a method needing more (Farrington's default five years) gets a later window of its own,
    // named beside its figures. A calendar year can be 53 weeks: one more week of slack.
    const common = Math.max(...all.filter((v) => v.scan || historyOf(v) <= 60).map(historyOf)) + 1;
    const evalStart = dataStart + common;
    const weeks = Array.from({ length: lastWeek - evalStart + 1 }, (_, i) => evalStart + i);
    const years = weeks.length / (365.2425 / 7);
    const history = common;
    log(`evaluating ${all.length} methods over ${weeks.length} weeks (${weekStart(evalStart)}..${weekStart(lastWeek)}), history ${history} weeks`);

    const series = await weeklyCountSeries(store, {
      fromWeek: dataStart,
      toWeek: lastWeek,
      groupings: { district: [['field']] },
      city: '110000',
      districts: BEIJING_DISTRICTS.map((d) => d.code),
      minCases: 0,
    });
    const labelled = data.labels.map((l) => ({ ...l, first: weekIndex(l.from), last: weekIndex(l.to) }));
    const surges = labelled.filter((l) => l.first >= evalStart && l.last <= lastWeek);
    // Every label, in or out of a window: a surge before the window still explains alarms after it.
    const surgeWeeks = new Map<string, Array<{ first: number; last: number }>>();
    for (const s of labelled) surgeWeeks.set(`${s.regionCode}|${s.field}`, [...(surgeWeeks.get(`${s.regionCode}|${s.field}`) ?? []), s]);

    const methods = [];
    const perSurge: Record<string, Record<string, number | null>> = {};
    for (const variant of all) {
      const started = Date.now();
      const own = Math.max(evalStart, dataStart + historyOf(variant) + 1);
      const methodWeeks = weeks.filter((w) => w >= own);
      const methodSurges = surges.filter((s) => s.first >= own);
      const methodYears = methodWeeks.length / (365.2425 / 7);
      const { candidates, stats } = scanCounts({ series, weeks: methodWeeks, dataStartWeek: dataStart, config: { ...config.counts, methods: [variant.config] } });
      const ms = Date.now() - started;
      const alarms = new Map<string, number[]>();
      for (const c of candidates) {
        const key = `${c.regionCode}|${c.field}`;
        alarms.set(key, [...(alarms.get(key) ?? []), weekIndex(c.week)]);
      }
      let falseAlarms = 0;
      let seasonal = 0;
      for (const [key, list] of alarms) {
        const windows = surgeWeeks.get(key) ?? [];
        const unlabelled = list.filter((w) => !windows.some((s) => w >= s.first && w <= s.last + GREY_WEEKS));
        falseAlarms += unlabelled.length;
        seasonal += unlabelled.filter((w) => inKnownSeason(key.split('|')[1]!, w)).length;
      }
      const delays: number[] = [];
      for (const s of methodSurges) {
        const hit = (alarms.get(`${s.regionCode}|${s.field}`) ?? []).filter((w) => w >= s.first && w <= s.last).sort((a, b) => a - b)[0];
        (perSurge[s.id] ??= {})[variant.label] = hit === undefined ? null : hit - s.first;
        if (hit !== undefined) delays.push(hit - s.first);
      }
      const seriesTested = stats.scanned - stats.skipped;
      methods.push({
        method: variant.label,
        params: variant.config.params,
        sparsity: variant.config.sparsity,
        window: own === evalStart ? 'common' : { from: weekStart(own), weeks: methodWeeks.length },
        surges: methodSurges.length,
        detected: delays.length,
        sensitivity: round(delays.length / methodSurges.length),
        delayWeeks: { mean: round(delays.length ? delays.reduce((a, b) => a + b, 0) / delays.length : null, 2), median: median(delays) },
        alarms: candidates.length,
        falseAlarms,
        falseAlarmsPerYear: round(falseAlarms / methodYears, 1),
        ofWhichInKnownSeasons: seasonal,
        falseAlarmsPerYearOutsideKnownSeasons: round((falseAlarms - seasonal) / methodYears, 1),
        falseAlarmsPerSeriesYear: round(seriesTested ? falseAlarms / (seriesTested * methodYears) : null),
        seriesTested,
        seriesSkippedSparse: stats.skipped,
        ms,
      });
      log(
        `${variant.label}${own === evalStart ? '' : ` [from ${weekStart(own)}]`}: sensitivity ${delays.length}/${methodSurges.length}, ` +
          `delay ${round(delays.reduce((a, b) => a + b, 0) / Math.max(1, delays.length), 2)} weeks, ` +
          `false alarms ${falseAlarms} (${round(falseAlarms / methodYears, 1)}/year; ${round((falseAlarms - seasonal) / methodYears, 1)}/year outside known seasons), ${ms} ms`,
      );
    }

    // The space-time scan on the same surges: they are single-district, so it runs here with
    // minDistricts 1 (the scan itself leaves single districts to the count detectors), over the
    // last ST_WEEKS weeks (default 104) to keep the bench short. A surge is found when a cluster
    // in its field with p ≤ alpha includes its district in a week it touches.
    const stWeeks = weeks.slice(-Number(process.env.ST_WEEKS ?? 104));
    const stStarted = Date.now();
    const districts = BEIJING_DISTRICTS.map((d) => d.code);
    const st = await scanSpaceTime(store, stWeeks, { ...config.spaceTime, minDistricts: 1 }, { city: '110000', districts, adjacency: districtAdjacency('beijing'), dataStartWeek: dataStart });
    const stSurges = surges.filter((s) => s.first >= stWeeks[0]!);
    const covers = (c: AlertCandidate, s: { regionCode: string; field: string }) => c.field === s.field && (c.detail.districts as string[]).includes(s.regionCode);
    const stDelays: number[] = [];
    for (const s of stSurges) {
      const hit = st.candidates.filter((c) => covers(c, s) && weekIndex(c.week) >= s.first && weekIndex(c.week) <= s.last).map((c) => weekIndex(c.week)).sort((a, b) => a - b)[0];
      if (hit !== undefined) stDelays.push(hit - s.first);
    }
    const stFalse = st.candidates.filter((c) => !labelled.some((s) => covers(c, s) && weekIndex(c.week) >= s.first && weekIndex(c.week) <= s.last + GREY_WEEKS));
    const stYears = stWeeks.length / (365.2425 / 7);
    const spaceTime = {
      method: `space-time permutation scan (minDistricts 1, ${config.spaceTime.replicates} replicates, alpha ${config.spaceTime.alpha})`,
      weeks: stWeeks.length,
      from: weekStart(stWeeks[0]!),
      surges: stSurges.length,
      detected: stDelays.length,
      sensitivity: round(stSurges.length ? stDelays.length / stSurges.length : null),
      delayWeeks: { mean: round(stDelays.length ? stDelays.reduce((a, b) => a + b, 0) / stDelays.length : null, 2), median: median(stDelays) },
      clusters: st.candidates.length,
      multiDistrictClusters: st.candidates.filter((c) => (c.detail.districts as string[]).length > 1).length,
      falseAlarms: stFalse.length,
      falseAlarmsPerYear: round(stFalse.length / stYears, 1),
      ofWhichInKnownSeasons: stFalse.filter((c) => inKnownSeason(c.field!, weekIndex(c.week))).length,
      ms: Date.now() - stStarted,
    };
    log(`space-time: ${stDelays.length}/${stSurges.length} surges, ${stFalse.length} false clusters over ${stWeeks.length} weeks, ${spaceTime.ms} ms`);

    // What the default scan would hand analysts over the last 52 weeks (SKIP_LOAD=1 skips it).
    const loadWeeks = weeks.slice(-52);
    const started = Date.now();
    const found = process.env.SKIP_LOAD === '1' ? { candidates: [], stats: {} } : await findCandidates(store, { weeks: loadWeeks, config });
    const loadMs = Date.now() - started;
    const perWeek = new Map<number, number>();
    const byKind: Record<string, number> = {};
    const bySeverity: Record<string, number> = {};
    for (const c of found.candidates) {
      perWeek.set(weekIndex(c.week), (perWeek.get(weekIndex(c.week)) ?? 0) + 1);
      byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
      bySeverity[c.baseSeverity] = (bySeverity[c.baseSeverity] ?? 0) + 1;
    }
    const counts = loadWeeks.map((w) => perWeek.get(w) ?? 0);
    const result = {
      bench: 'early warning: evaluation on labelled surges',
      machine,
      node: process.version,
      date: new Date().toISOString(),
      data: {
        cases: EVAL_CASES,
        from: FROM,
        to: TO,
        seed: SEED,
        anomaliesGenerated: data.labels.length,
        surgesInWindow: surges.length,
        surgeNote: 'generator labels: one field in one district, factor 2-4 over 14-42 days, in fields 1-8 (analytics/generator/generate.ts)',
        reused: data.reused,
        generateAndLoadMs: data.ms,
      },
      window: { from: weekStart(evalStart), to: weekStart(lastWeek), weeks: weeks.length, years: round(years, 2), historyWeeks: history },
      series: { level: 'district', grouping: 'field (all channels and classes)', count: series.length },
      rules: {
        detection: 'an alarm in the surge’s series in a week the surge touches',
        delay: 'weeks from the surge’s first week to its first alarm (0: the first week)',
        falseAlarm: `an alarm in a week no surge of that series touches, nor the ${GREY_WEEKS} weeks after one`,
        knownSeasons: 'of the false alarms, those in weeks the generator raises volume by its calibration: labour in the 28 days before Spring Festival, every field over 3-15 March',
        sparsity: 'the scan’s rule per method (scan-config.json): a series-week is tested only if the method’s history is inside the data, its mean is ≥ minMean and at most maxZeroShare of its weeks are zero',
      },
      methods,
      spaceTime,
      perSurge: surges.map((s) => ({ id: s.id, region: s.regionCode, field: s.field, from: s.from, to: s.to, factor: s.factor, injectedCases: s.injectedCases, delayWeeks: perSurge[s.id] })),
      defaultScanLoad: {
        weeks: loadWeeks.length,
        from: weekStart(loadWeeks[0]!),
        candidatesPerWeek: { mean: round(counts.reduce((a, b) => a + b, 0) / counts.length, 1), median: median(counts), max: Math.max(...counts) },
        alertsAfterDedup: episodes(found.candidates, config.dedup.maxGapWeeks),
        byKind,
        byBaseSeverity: bySeverity,
        signals: found.stats,
        ms: loadMs,
      },
    };
    writeFileSync(new URL(`early-warning-eval-${EVAL_CASES}.json`, results), `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote bench/results/early-warning-eval-${EVAL_CASES}.json`);
  } finally {
    store.close();
  }
}

/**
 * Weeks of a field in which the generator itself raises volume, as calibrated
 * (analytics/generator/calibration.ts): labour (劳动社保) in the wageArrearsDays before Spring
 * Festival, and every field over the March sessions. Alarms there are real rises in the data,
 * not noise, though no label names them; a method that knows seasons (Farrington) should not
 * raise them, a method without (EARS, CUSUM) will.
 */
function inKnownSeason(field: string, week: number): boolean {
  const monday = weekStart(week);
  const sunday = weekStart(week + 1);
  const year = Number(monday.slice(0, 4));
  for (const y of [year, year + 1]) {
    const festival = SPRING_FESTIVAL[y];
    if (!festival || field !== '劳动社保') continue;
    const from = addDays(parsePlainDate(festival), -SEASON.wageArrearsDays);
    if (monday < festival && sunday > from) return true;
  }
  const sessionsFrom = `${year}-${SEASON.sessionsFrom}`;
  const sessionsTo = `${year}-${SEASON.sessionsTo}`;
  return monday <= sessionsTo && sunday > sessionsFrom;
}

/** Alerts the candidates would make once de-duplicated (the same rule as persistScan). */
function episodes(candidates: AlertCandidate[], maxGapWeeks: number): number {
  const last = new Map<string, number>();
  let count = 0;
  for (const c of [...candidates].sort((a, b) => a.week.localeCompare(b.week))) {
    const key = dedupKey(c);
    const w = weekIndex(c.week);
    const previous = last.get(key);
    if (previous === undefined || w - previous > maxGapWeeks + 1) count++;
    last.set(key, w);
  }
  return count;
}

// ── 2. speed: the whole default scan of one week on the largest dataset ─────────────────────

async function scanDatabase(): Promise<{ path: string; cases: number; built: boolean }> {
  const wanted = process.env.SCAN_CASES ? Number(process.env.SCAN_CASES) : null;
  const dir = join(benchCache(), 'duckdb');
  const cached = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /^\d+-s42-2019-01-01-2025-12-31-g[0-9a-f]+\.duckdb$/.test(f))
        .map((f) => ({ path: join(dir, f), cases: Number(f.split('-')[0]) }))
        .sort((a, b) => b.cases - a.cases)
    : [];
  const hit = cached.find((c) => wanted === null || c.cases === wanted);
  if (hit) return { ...hit, built: false };
  const cases = wanted ?? 1_000_000;
  log(`no cached metrics-bench database of ${cases} cases: building it with bench/metrics-data.ts`);
  const db = await benchDatabase({ cases, seed: 42, from: parsePlainDate('2019-01-01'), to: parsePlainDate('2025-12-31'), verifyWithImporter: false, log, phase: () => undefined });
  return { path: db.path, cases, built: !db.reused };
}

async function speed() {
  const source = await scanDatabase();
  const work = mkdtempSync(join(tmpdir(), 'xinfang-ew-scan-'));
  const copy = join(work, 'scan.duckdb');
  try {
    copyFileSync(source.path, copy);
    if (existsSync(`${source.path}.wal`)) copyFileSync(`${source.path}.wal`, `${copy}.wal`);
    const store = await AnalyticsStore.open(copy);
    try {
      const week: PlainDate = weekStart(weekIndex(parsePlainDate('2025-12-31')) - 1);
      const runs: ScanSummary[] = [];
      for (let i = 0; i < RUNS; i++) {
        const summary = await runScan(store, { scanId: `bench-${i + 1}`, trigger: 'bench', week });
        runs.push(summary);
        log(`scan ${i + 1}: ${summary.durationMs} ms, ${summary.seriesScanned} series, ${summary.candidates} candidates (${summary.raised} new, ${summary.continued} continued)`);
      }
      const signalMs = (id: SignalId) => median(runs.map((r) => r.signals[id]?.ms ?? 0));
      const result = {
        bench: 'early warning: the whole default scan of one week',
        machine,
        node: process.version,
        date: new Date().toISOString(),
        data: {
          cases: source.cases,
          source: `${source.path} (bench/metrics-data.ts; timed on a copy)`,
          builtNow: source.built,
          bytes: statSync(copy).size,
          note: source.cases < 10_000_000 ? 'no 10M-case database was cached by the metrics bench; run with SCAN_CASES=10000000 to build and time it' : undefined,
        },
        week,
        config: 'analytics/early-warning/scan-config.json',
        runs: runs.map((r) => ({ durationMs: r.durationMs, seriesScanned: r.seriesScanned, seriesSkipped: r.seriesSkipped, candidates: r.candidates, raised: r.raised, continued: r.continued })),
        medianMs: median(runs.map((r) => r.durationMs)),
        medianSignalMs: { counts: signalMs('counts'), collective: signalMs('collective'), escalation: signalMs('escalation'), organRates: signalMs('organRates'), spaceTime: signalMs('spaceTime') },
        lastRunSignals: runs.at(-1)!.signals,
        peakRssMiB: Math.round(peakRss() / 2 ** 20),
      };
      writeFileSync(new URL(`early-warning-scan-${source.cases}.json`, results), `${JSON.stringify(result, null, 2)}\n`);
      log(`wrote bench/results/early-warning-scan-${source.cases}.json (median ${result.medianMs} ms)`);
    } finally {
      store.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.env.SKIP_EVAL !== '1') await evaluate();
if (process.env.SKIP_SCAN !== '1') await speed();

