/**
 * A count series as `xinfang detect` reads it: CSV with columns t,date,count (date
 * optional). t is 1-based and consecutive; with dates, each is one week (freq 52) or one
 * month (freq 12) after the previous. Bad input is refused naming the row and the problem.
 */
import { addDays, parsePlainDate } from '../../rules/plain-date.js';

export type Frequency = 52 | 12;

export interface CountSeries {
  /** Points per year: weekly (52) or monthly (12). Without dates, a year back is `freq` points. */
  freq: Frequency;
  t: number[];
  /** ISO dates (yyyy-mm-dd), one per point; null for an index-based series. */
  date: string[] | null;
  count: number[];
}

/** One monitored point of a detector's output. */
export interface DetectionRow {
  t: number;
  observed: number;
  /** The count the method expected (baseline mean, m, fitted value); absent when it has none. */
  expected?: number;
  upperbound: number;
  /** null where the reference gives NA (an undefined statistic). */
  alarm: boolean | null;
}

export class SeriesError extends Error {}

export function parseSeriesCsv(text: string, freq: Frequency): CountSeries {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new SeriesError('the series has no rows');
  const header = lines[0]!.split(',').map((h) => h.trim().toLowerCase());
  const column = (name: string) => header.indexOf(name);
  for (const required of ['t', 'count']) {
    if (column(required) < 0) throw new SeriesError(`row 1 (header): missing column "${required}" (have ${header.join(', ')})`);
  }
  const hasDate = column('date') >= 0;
  const series: CountSeries = { freq, t: [], date: hasDate ? [] : null, count: [] };
  lines.slice(1).forEach((line, i) => {
    const row = i + 2;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== header.length) throw new SeriesError(`row ${row}: ${cells.length} cells, the header has ${header.length}`);
    const t = Number(cells[column('t')]);
    if (!Number.isInteger(t) || t !== series.t.length + 1) throw new SeriesError(`row ${row}: t must be ${series.t.length + 1}, not "${cells[column('t')]}"`);
    const countText = cells[column('count')]!;
    const count = Number(countText);
    if (countText === '' || !Number.isInteger(count) || count < 0) throw new SeriesError(`row ${row}: count must be a whole number ≥ 0, not "${countText}"`);
    if (series.date) {
      const dateText = cells[column('date')]!;
      let date;
      try {
        date = parsePlainDate(dateText);
      } catch (error) {
        throw new SeriesError(`row ${row}: ${(error as Error).message}`);
      }
      const previous = series.date.at(-1);
      if (previous) {
        const expected = freq === 52 ? addDays(parsePlainDate(previous), 7) : nextMonth(previous);
        if (date !== expected) throw new SeriesError(`row ${row}: date ${date} leaves a gap or overlap; expected ${expected} after ${previous} (freq ${freq})`);
      }
      series.date.push(date);
    }
    series.t.push(t);
    series.count.push(count);
  });
  return series;
}

function nextMonth(date: string): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const day = date.slice(8, 10);
  return m === 12 ? `${y + 1}-01-${day}` : `${y}-${String(m + 1).padStart(2, '0')}-${day}`;
}
