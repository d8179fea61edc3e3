/** Formatting shared by the dashboard's panels. Everything that reaches innerHTML goes through `escape`. */
import type { Measure } from './api.js';

export function escape(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A data attribute for the tests and for reading figures off the page; nothing when there is no value. */
export const attr = (name: string, value: string | number | null | undefined): string => (value == null ? '' : ` data-${name}="${escape(value)}"`);

/**
 * A range as a bar on a scale from `lo` to `hi`, its point estimate as a tick: a 95% interval
 * on a rate scale, a rank interval on a rank scale. `label` names the range for a title and
 * for screen readers.
 */
export function rangeBar(range: [number, number], point: number, lo: number, hi: number, label: string): string {
  const x = (v: number) => (((v - lo) / (hi - lo)) * 100).toFixed(2);
  const width = (((range[1] - range[0]) / (hi - lo)) * 100).toFixed(2);
  return `<div class="ci" role="img" aria-label="${escape(label)}" title="${escape(label)}">
    <span class="ci-range" data-left="${x(range[0])}" data-width="${width}"></span><span class="ci-point" data-left="${x(point)}"></span></div>`;
}

/**
 * Gives the bars under `root` the place and width their data-left and data-width (percent)
 * hold. The page's Content-Security-Policy (style-src 'self') refuses style attributes in
 * HTML, but not styles a script sets through the CSSOM.
 */
export function placeBars(root: ParentNode): void {
  for (const bar of root.querySelectorAll<HTMLElement>('[data-left], [data-width]')) {
    if (bar.dataset.left) bar.style.left = `${bar.dataset.left}%`;
    if (bar.dataset.width) bar.style.width = `${bar.dataset.width}%`;
  }
}

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
 * A change as a petition office reads it: counts as "+34 (+3.2%)", rates in percentage
 * points ("+1.6 个百分点 pp"), since a rate's relative change misleads.
 */
export function formatChange(m: Pick<Measure, 'kind'>, change: number | null, relative: number | null): string {
  if (change == null) return '—';
  // Under a tenth of a point, two decimals: "−0.0" would hide which way it went.
  if (m.kind === 'rate') return `${signed((change * 100).toFixed(Math.abs(change) < 0.001 ? 2 : 1), change)} 个百分点 pp`;
  const rel = relative == null ? '' : ` (${signed(`${(relative * 100).toFixed(1)}%`, relative)})`;
  return `${signed(formatCount(change), change)}${rel}`;
}

/** good, bad or flat: a change read against the measure's `better` direction. */
export function changeTone(better: Measure['better'], change: number | null): 'good' | 'bad' | 'flat' {
  if (change == null || change === 0 || better === 'neither') return 'flat';
  return (change < 0) === (better === 'lower') ? 'good' : 'bad';
}

export const betterText = (better: Measure['better']): string =>
  better === 'higher' ? '越高越好 higher is better' : better === 'lower' ? '越低越好 lower is better' : '无优劣方向 no better direction';

/** Today's date in China (YYYY-MM-DD): the platform's calendar, whatever the browser's zone. */
export function chinaToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** "2026-11" shifted by `delta` months. */
export function shiftMonth(yyyyMm: string, delta: number): string {
  const index = Number(yyyyMm.slice(0, 4)) * 12 + Number(yyyyMm.slice(5, 7)) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The last day of a month "YYYY-MM". */
export function lastDayOf(yyyyMm: string): string {
  const [y, m] = yyyyMm.split('-').map(Number) as [number, number];
  return `${yyyyMm}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}
