/**
 * A count alert's weekly series for drawing: the method's baseline window before the alert's
 * first week, then every week of its run with what the method expected, its upper bound and
 * whether it alarmed, and the method explained in words from those figures.
 *
 * The figures are recomputed, not stored: an alert row keeps only its latest week's. They come
 * from the scan's own code, the same series SQL (series.ts) and the same per-series evaluation
 * (counts.ts evaluateSeries), with the parameters the scan recorded in the alert's detail. Each
 * week of the run is evaluated as the weekly scan evaluates it, with the series starting where
 * that scan's would (its history before the week): CUSUM and GLR carry their statistic from the
 * first monitored week and CUSUM's default expectation is the mean of everything before it, so
 * one run over all the weeks would give other figures than the scans stored. Cases imported or
 * corrected since the scan change the figures too; `matchesAlert` says whether the latest week
 * still gives the alert's own.
 */
import { z } from 'zod';
import type { PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import type { AlertRow } from './alerts.js';
import { LEVELS, loadScanConfig, SERIES_DIMENSIONS, type CountMethodConfig, type Level, type ScanConfig, type SeriesDimension } from './config.js';
import { countHistoryNeeded, evaluateSeries, isTrailingAlarm, methodAppliesTo, type PreparedMethod } from './counts.js';
import { countMethod, type MethodRow } from './methods.js';
import { scanHierarchy } from './scan.js';
import { sensitiveCalendar, type SensitiveCalendar, type SensitivePeriod } from './sensitive-periods.js';
import { firstWholeWeek, weeklyCountSeries, type CountSeries, type SeriesKey } from './series.js';
import { weekIndex, weekStart } from './weeks.js';

export interface AlertSeriesPoint {
  /** Monday of the week. */
  period: PlainDate;
  observed: number;
  /** Null outside the weeks the method evaluated (the baseline window) and where it could not. */
  expected: number | null;
  upperbound: number | null;
  /** Whether the week raises an alert: the method alarmed and the count is above its expectation. */
  alarm: boolean;
}

export interface MethodDescription {
  id: string;
  nameZh: string;
  nameEn: string;
  explanationZh: string;
  explanationEn: string;
}

export interface AlertSeries {
  alert: AlertRow;
  method: MethodDescription;
  points: AlertSeriesPoint[];
  /** The sensitive period the alert's latest week falls in, if any. */
  sensitive: SensitivePeriod | null;
  /** Whether the latest week, recomputed, gives the alert's stored observed, expected and upper bound. */
  matchesAlert: boolean;
}

/** An alert that has no count series to draw (another kind, or a method this build lacks). */
export class AlertSeriesError extends Error {
  override name = 'AlertSeriesError';
}

const paramsOfDetail = z.looseObject({ params: z.record(z.string(), z.union([z.number(), z.string()])).optional() });
const levelSchema = z.enum(LEVELS);

const dimsOf = (key: SeriesKey): SeriesDimension[] =>
  SERIES_DIMENSIONS.filter((d) => (d === 'field' ? key.field : d === 'channel' ? key.channel : key.petitionClass) !== null);

export interface AlertSeriesInput {
  alert: AlertRow;
  /** The alert's series from `history` weeks before its first week (or the data's start) to its latest week. */
  series: CountSeries;
  prepared: PreparedMethod;
  /** Weeks of history each weekly scan read before the week it evaluated (series.ts fromWeekOf). */
  scanHistory: number;
  dataStartWeek: number;
  calendar: SensitiveCalendar;
}

/** The part below the store: pure, from the series the scan's SQL gives. */
export function alertSeriesOf(input: AlertSeriesInput): AlertSeries {
  const { alert, series, prepared, dataStartWeek } = input;
  const first = weekIndex(alert.first_period as PlainDate);
  const last = weekIndex(alert.period as PlainDate);
  const countAt = (w: number) => (w >= series.firstWeek && w - series.firstWeek < series.counts.length ? series.counts[w - series.firstWeek]! : 0);

  const points: AlertSeriesPoint[] = [];
  for (let w = Math.max(dataStartWeek, series.firstWeek, first - prepared.history); w < first; w++) {
    points.push({ period: weekStart(w), observed: countAt(w), expected: null, upperbound: null, alarm: false });
  }
  let latest: MethodRow | undefined;
  for (let w = first; w <= last; w++) {
    // The weekly scan of week w read its series from w − scanHistory (not before the data).
    const from = Math.max(dataStartWeek, series.firstWeek, w - input.scanHistory);
    const view: CountSeries = { ...series, firstWeek: from, counts: series.counts.subarray(from - series.firstWeek, w - series.firstWeek + 1) };
    const row = w - series.firstWeek < series.counts.length ? evaluateSeries(view, prepared, [w], dataStartWeek).rows[0] : undefined;
    if (w === last) latest = row;
    points.push({
      period: weekStart(w),
      observed: row?.observed ?? countAt(w),
      expected: finite(row?.expected),
      upperbound: finite(row?.upperbound),
      alarm: row !== undefined && row.alarm === true && !isTrailingAlarm(row),
    });
  }
  const latestPoint = points.at(-1)!;
  const matchesAlert =
    latest !== undefined && same(latestPoint.observed, alert.observed) && same(latestPoint.expected, alert.expected) && same(latestPoint.upperbound, alert.upperbound);
  const sensitive = input.calendar.periodOfWeek(alert.period as PlainDate);
  return {
    alert,
    method: describe(alert, prepared, latestPoint, latest !== undefined, matchesAlert, alert.sensitive_period ? sensitive : null),
    points,
    sensitive,
    matchesAlert,
  };
}

const finite = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);
const same = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));

/** The method the scan ran for this alert, with the parameters it recorded. */
export function preparedMethodOf(alert: AlertRow, key: SeriesKey, config: ScanConfig): PreparedMethod {
  if (alert.kind !== 'count-aberration') throw new AlertSeriesError(`alert ${alert.alert_id} is a ${alert.kind} alert: only count aberrations have a weekly series`);
  const method = countMethod(alert.method);
  if (!method) throw new AlertSeriesError(`alert ${alert.alert_id} was raised by ${alert.method}, which is no count detector of this build`);
  const configured = config.counts.methods.find((m) => m.method === alert.method && methodAppliesTo(m, key));
  const recorded = paramsOfDetail.safeParse(alert.detail);
  const params = (recorded.success ? recorded.data.params : undefined) ?? configured?.params ?? {};
  // A method since removed from the configuration keeps its parameters in the alert; with its
  // sparsity rule gone, every week with enough history is evaluated.
  const entry: CountMethodConfig = { ...(configured ?? { method: alert.method, levels: [key.level], sparsity: { minMean: 0, maxZeroShare: 1 } }), params };
  try {
    return { config: entry, method, history: method.historyNeeded(params) };
  } catch (error) {
    if (error instanceof RangeError) throw new AlertSeriesError(`alert ${alert.alert_id}: its recorded parameters are refused by ${alert.method}: ${error.message}`);
    throw error;
  }
}

const regionJurisdiction = z.object({ jurisdiction: z.string() });

/** Reads the alert's series from case_facts as the scan does, and computes its figures. */
export async function alertSeries(store: AnalyticsStore, alert: AlertRow, options: { config?: ScanConfig; calendar?: SensitiveCalendar } = {}): Promise<AlertSeries> {
  const config = options.config ?? loadScanConfig();
  const parsedLevel = levelSchema.safeParse(alert.level);
  if (!parsedLevel.success) throw new AlertSeriesError(`alert ${alert.alert_id} is of level ${alert.level}, which has no count series`);
  const level: Level = parsedLevel.data;
  const key: SeriesKey = { level, region: alert.region_code, field: alert.field, channel: alert.channel, petitionClass: alert.petition_class };
  const prepared = preparedMethodOf(alert, key, config);

  const [place] = await store.all(regionJurisdiction, 'SELECT jurisdiction FROM regions WHERE code = $code', { code: alert.region_code });
  if (!place) throw new AlertSeriesError(`alert ${alert.alert_id} is of region ${alert.region_code}, which is not in the region hierarchy`);
  const regions = await scanHierarchy(store, place.jurisdiction);
  const dataStartWeek = await firstWholeWeek(store);
  if (dataStartWeek === null) throw new AlertSeriesError(`alert ${alert.alert_id}: there are no cases to recompute its series from`);

  const dims = dimsOf(key);
  const scanHistory = Math.max(countHistoryNeeded(config.counts, level, dims), prepared.history);
  const first = weekIndex(alert.first_period as PlainDate);
  const last = weekIndex(alert.period as PlainDate);
  const fromWeek = Math.max(dataStartWeek, first - scanHistory);
  const all = await weeklyCountSeries(store, {
    fromWeek,
    toWeek: last,
    groupings: { [level]: [dims] },
    city: regions.city,
    districts: regions.districts,
    minCases: 0,
  });
  const found = all.find((s) => s.region === key.region && s.field === key.field && s.channel === key.channel && s.petitionClass === key.petitionClass);
  // No case at all in the window: the series is all zeros, which is what the scan would count.
  const series: CountSeries = found ?? { ...key, firstWeek: fromWeek, counts: new Int32Array(Math.max(0, last - fromWeek + 1)) };
  return alertSeriesOf({ alert, series, prepared, scanHistory, dataStartWeek, calendar: options.calendar ?? sensitiveCalendar() });
}

// ---------------------------------------------------------------------------------------------
// The method in words, from the parameters and the figures.

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const num = (p: Readonly<Record<string, unknown>>, name: string): number => Number(p[name]);
/** A quantile's level as people write it: 0.999, not 0.9990000000000001. */
const quantile = (x: number): string => String(Number(x.toPrecision(6)));

function principle(id: string, p: Readonly<Record<string, unknown>>, expected: number | null): { zh: string; en: string } {
  const e = expected === null ? null : fmt(expected);
  const mean = { zh: e === null ? '' : `（均值 ${e} 件）`, en: e === null ? '' : ` (mean ${e})` };
  const alpha = num(p, 'alpha');
  switch (id) {
    case 'ears-c1':
      return {
        zh: `EARS C1 法：以该周之前 ${num(p, 'baseline')} 周为基线${mean.zh}，阈值为基线均值加若干倍标准差（单侧显著性水平 α=${alpha}）。`,
        en: `EARS C1: the ${num(p, 'baseline')} weeks before the week are the baseline${mean.en}; the threshold is its mean plus a multiple of its standard deviation (one-sided level α=${alpha}).`,
      };
    case 'ears-c2':
      return {
        zh: `EARS C2 法：以该周之前、隔开 2 周保护带的 ${num(p, 'baseline')} 周为基线${mean.zh}，阈值为基线均值加若干倍标准差（单侧显著性水平 α=${alpha}）。`,
        en: `EARS C2: the ${num(p, 'baseline')} weeks before the week, after a 2-week guard band, are the baseline${mean.en}; the threshold is its mean plus a multiple of its standard deviation (one-sided level α=${alpha}).`,
      };
    case 'ears-c3':
      return {
        zh: `EARS C3 法：以隔开 2 周保护带的前 ${num(p, 'baseline')} 周为基线${mean.zh}，把最近三周各自超出基线的幅度累加后与阈值比较（单侧显著性水平 α=${alpha}），持续的小幅升高也会告警。`,
        en: `EARS C3: the ${num(p, 'baseline')} weeks before a 2-week guard band are the baseline${mean.en}; the excesses of the last three weeks over it are added up and compared with the threshold (one-sided level α=${alpha}), so a sustained moderate rise alarms too.`,
      };
    case 'farrington':
      return {
        zh: `Farrington 法：取以往 ${num(p, 'b')} 年中与该周同期前后各 ${num(p, 'w')} 周的计数为基线，拟合准泊松回归（趋势显著时保留）得到预期${e === null ? '' : ` ${e} 件`}；阈值为预测区间的上 ${quantile(1 - alpha / 2)} 分位。`,
        en: `Farrington: the counts of the same weeks (± ${num(p, 'w')}) in the past ${num(p, 'b')} years are the baseline; a quasi-Poisson regression (with a trend where significant) gives the expected count${e === null ? '' : ` ${e}`}; the threshold is the ${quantile(1 - alpha / 2)} quantile of the prediction.`,
      };
    case 'farrington-flexible':
      return {
        zh: `改进 Farrington 法（Noufaily 等 2013）：用以往 ${num(p, 'b')} 年的计数（不含最近 ${num(p, 'pastWeeksNotIncluded')} 周，以免正在发生的升高混入基线），按 ${num(p, 'noPeriods')} 个季节段拟合准泊松回归（趋势显著时保留）并降低以往异常周的权重，得到预期${e === null ? '' : ` ${e} 件`}；阈值为预测分布的上 ${quantile(1 - alpha)} 分位。`,
        en: `Improved Farrington (Noufaily et al. 2013): the counts of the past ${num(p, 'b')} years, leaving out the last ${num(p, 'pastWeeksNotIncluded')} weeks so that a rise under way does not enter the baseline, fitted by a quasi-Poisson regression with ${num(p, 'noPeriods')} seasonal levels (and a trend where significant), outlying past weeks down-weighted, give the expected count${e === null ? '' : ` ${e}`}; the threshold is the ${quantile(1 - alpha)} quantile of the predictive distribution.`,
      };
    case 'cusum':
      return {
        zh: `累积和（CUSUM）法：把每周计数超出预期${e === null ? '' : ` ${e} 件`}的标准化偏离逐周累加（参考值 k=${num(p, 'k')}），累积和达到决策界 h=${num(p, 'h')} 即告警，小幅但持续的升高也能发现。`,
        en: `CUSUM: each week's standardised excess over the expected count${e === null ? '' : ` ${e}`} is added up week after week (allowance k=${num(p, 'k')}); the sum reaching the decision interval h=${num(p, 'h')} alarms, so small sustained rises are found too.`,
      };
    case 'glr-poisson':
      return {
        zh: `泊松广义似然比法：检验计数水平是否自某一周起高于预期${e === null ? '' : ` ${e} 件`}，似然比统计量达到 ${num(p, 'cARL')} 即告警。`,
        en: `Poisson GLR: tests whether the level of the counts rose above the expected${e === null ? '' : ` ${e}`} from some week on; the likelihood-ratio statistic reaching ${num(p, 'cARL')} alarms.`,
      };
    default:
      return { zh: `${id} 法。`, en: `${id}.` };
  }
}

function describe(
  alert: AlertRow,
  prepared: PreparedMethod,
  point: AlertSeriesPoint,
  evaluated: boolean,
  matches: boolean,
  sensitive: SensitivePeriod | null,
): MethodDescription {
  const { method } = prepared;
  const p = method.resolve(prepared.config.params);
  const { zh: howZh, en: howEn } = principle(method.name, p, point.expected);
  const week = point.period;
  // GLR's "value" bound is its statistic, not a count: no "threshold of N cases" to compare with.
  const statistic = method.name === 'glr-poisson' && p.ret === 'value';
  const bound = point.upperbound;
  let whyZh: string;
  let whyEn: string;
  if (!evaluated || bound === null) {
    whyZh = `按现有数据，${week} 当周 ${point.observed} 件，方法无法在该周得出阈值（历史数据不足或过于稀疏）。`;
    whyEn = `On the data as it is now, the week of ${week} has ${point.observed} cases and the method gives no threshold for it (too little or too sparse history).`;
  } else if (statistic) {
    whyZh = `${week} 当周 ${point.observed} 件，似然比统计量为 ${fmt(bound)}${point.alarm ? '，达到告警线' : '，未达到告警线'}。`;
    whyEn = `The week of ${week} has ${point.observed} cases; the likelihood-ratio statistic is ${fmt(bound)}${point.alarm ? ', at or above the alarm line' : ', below the alarm line'}.`;
  } else if (point.alarm && bound < 0) {
    // EARS C3's bound for a week is what is left of the alarm line after the two weeks before
    // it: once their excesses alone cross it, the bound is negative and any count alarms.
    whyZh = `${week} 当周 ${point.observed} 件；此前两周超出基线的累积幅度已越过告警线（本周阈值 ${fmt(bound)} 件为负），本周任何计数都会告警，因此告警继续。`;
    whyEn = `The week of ${week} has ${point.observed} cases; the excesses of the two weeks before it already cross the alarm line (this week's threshold is ${fmt(bound)}, below zero), so any count alarms and the alert goes on.`;
  } else if (point.alarm) {
    const above = point.observed > bound;
    whyZh = `${week} 当周 ${point.observed} 件，${above ? '高于' : '达到'}阈值 ${fmt(bound)} 件，因此告警。`;
    whyEn = `The week of ${week} has ${point.observed} cases, ${above ? 'above' : 'at'} the threshold of ${fmt(bound)}, hence the alert.`;
  } else {
    whyZh = `按现有数据重新计算，${week} 当周 ${point.observed} 件，阈值 ${fmt(bound)} 件，不再告警。`;
    whyEn = `Recomputed on the data as it is now, the week of ${week} has ${point.observed} cases against a threshold of ${fmt(bound)}: no longer an alarm.`;
  }
  const notes: { zh: string; en: string }[] = [];
  if (!matches && alert.observed !== null) {
    const storedBound = alert.upperbound === null ? '' : `、阈值 ${fmt(alert.upperbound)} 件`;
    notes.push({
      zh: `扫描时记录为 ${fmt(alert.observed)} 件${storedBound}；此后数据或配置有变动。`,
      en: `The scan recorded ${fmt(alert.observed)} cases${alert.upperbound === null ? '' : ` against ${fmt(alert.upperbound)}`}; the data or configuration changed since.`,
    });
  }
  if (alert.run_length > 1) {
    notes.push({ zh: `该告警自 ${alert.first_period} 起已持续 ${alert.run_length} 周。`, en: `The alert has run for ${alert.run_length} weeks since ${alert.first_period}.` });
  }
  if (sensitive) {
    notes.push({
      zh: `该周处于敏感期「${sensitive.nameZh}」（${sensitive.from} 至 ${sensitive.to}），严重程度上调一级。`,
      en: `The week falls in the sensitive period "${sensitive.nameEn}" (${sensitive.from} to ${sensitive.to}): its severity is raised one step.`,
    });
  }
  return {
    id: method.name,
    nameZh: method.label.zh,
    nameEn: method.label.en,
    explanationZh: [howZh, whyZh, ...notes.map((n) => n.zh)].join(''),
    explanationEn: [howEn, whyEn, ...notes.map((n) => n.en)].join(' '),
  };
}
