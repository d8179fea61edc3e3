/**
 * Weeks as the scan counts them: Monday to Sunday in China dates, each named by its Monday (the
 * metrics catalog's `week` dimension labels weeks the same way), and numbered from the Monday
 * 1970-01-05 so a series is an array indexed by week.
 */
import { addDays, type PlainDate } from '../../rules/plain-date.js';

const EPOCH_MONDAY_MS = Date.UTC(1970, 0, 5);
const WEEK_MS = 7 * 86_400_000;

export function weekIndex(date: PlainDate): number {
  return Math.floor((Date.parse(`${date}T00:00:00Z`) - EPOCH_MONDAY_MS) / WEEK_MS);
}

export function weekStart(index: number): PlainDate {
  return new Date(EPOCH_MONDAY_MS + index * WEEK_MS).toISOString().slice(0, 10) as PlainDate;
}

export const mondayOf = (date: PlainDate): PlainDate => weekStart(weekIndex(date));
export const isMonday = (date: PlainDate): boolean => mondayOf(date) === date;
export const weekEnd = (monday: PlainDate): PlainDate => addDays(monday, 6);

/** The last week that has ended by `today` (a scan on Monday morning looks at the week before). */
export const lastCompleteWeek = (today: PlainDate): PlainDate => weekStart(weekIndex(today) - 1);

/** SQL for the week index of a DATE column, matching weekIndex(). */
export const weekIndexSql = (column: string) => `CAST(floor(date_diff('day', DATE '1970-01-05', ${column}) / 7) AS INTEGER)`;
