/** Numbers, changes and dates as a petition office reads them, in the page's language. */
import type { Measure } from './api.js';
import { t } from './i18n.js';

const integer = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 1 });

/** 6663 → "6,663"; a sum with a fraction keeps one decimal. */
export const formatCount = (n: number): string => (Number.isInteger(n) ? integer.format(n) : decimal.format(n));

/** 0.81412 → "81.4%". */
export const formatRate = (r: number | null | undefined, digits = 1): string => (r == null ? '—' : `${(r * 100).toFixed(digits)}%`);

export const formatValue = (m: Pick<Measure, 'kind'>, v: number | null | undefined): string =>
  v == null ? '—' : m.kind === 'rate' ? formatRate(v) : formatCount(v);

const signed = (text: string, n: number) => (n > 0 ? `+${text}` : n < 0 ? `−${text.replace(/^-/, '')}` : text);

/**
 * A change: counts as "+34 (+3.2%)", rates in percentage points ("+1.6 个百分点"), since a
 * rate's relative change misleads.
 */
export function formatChange(m: Pick<Measure, 'kind'>, change: number | null, relative: number | null): string {
  if (change == null) return '—';
  // Under a tenth of a point, two decimals: "−0.0" would hide which way it went.
  if (m.kind === 'rate') return `${signed((change * 100).toFixed(Math.abs(change) < 0.001 ? 2 : 1), change)} ${t('个百分点', 'pp')}`;
  const rel = relative == null ? '' : ` (${signed(`${(relative * 100).toFixed(1)}%`, relative)})`;
  return `${signed(formatCount(change), change)}${rel}`;
}

/** good, bad or flat: a change read against the measure's `better` direction. */
export function changeTone(better: Measure['better'], change: number | null): 'good' | 'bad' | 'flat' {
  if (change == null || change === 0 || better === 'neither') return 'flat';
  return (change < 0) === (better === 'lower') ? 'good' : 'bad';
}

export const betterText = (better: Measure['better']): string =>
  better === 'higher' ? t('越高越好', 'higher is better') : better === 'lower' ? t('越低越好', 'lower is better') : t('无优劣方向', 'no better direction');

/** What the catalog says about a measure, for a title (tooltip). */
export function measureTitle(m: Measure): string {
  return [`${m.labelZh} ${m.labelEn}`, m.description, `${t('日期口径', 'Date basis')}: ${m.basis}`, betterText(m.better), `${t('依据', 'Based on')}: ${m.basedOn}`].join('\n');
}

const CHINA_ZONE = 'Asia/Shanghai';
// The deployment's zone, as /api/reference says it (the jurisdiction's data); China's until the reference has come.
let zone = CHINA_ZONE;

/** Dates and times from now on in `timeZone` (IANA): the app sets it from the reference data it opens with. */
export function setTimeZone(timeZone: string): void {
  zone = timeZone;
}

/** Today's date in the deployment's zone (YYYY-MM-DD; China's for a Chinese deployment): the platform's calendar, whatever the browser's zone. */
export function chinaToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** An instant as a date and time in the deployment's zone with the zone named: "2026-12-02 09:15 北京时间". */
export function formatTime(iso: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${zone === CHINA_ZONE ? t('北京时间', 'China time') : zone}`;
}

/** The last day of a month "YYYY-MM". */
export function lastDayOf(yyyyMm: string): string {
  const [y, m] = yyyyMm.split('-').map(Number) as [number, number];
  return `${yyyyMm}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** The same date a year earlier, as the API compares year on year (29 February becomes 28 February). */
export function yearBefore(date: string): string {
  const y = Number(date.slice(0, 4)) - 1;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return `${y}-${date.slice(5) === '02-29' && !leap ? '02-28' : date.slice(5)}`;
}
