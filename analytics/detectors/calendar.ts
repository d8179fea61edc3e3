/**
 * Calendar arithmetic as R's Date does it, for reference weeks "a year back": days since
 * 1970-01-01, and month steps whose overflowing day rolls into the next month (R's
 * seq(date, by = "-1 year") turns 2024-02-29 into 2023-03-01, as Date.UTC does).
 */
export type DayNumber = number;

export const DAY_MS = 86_400_000;

export function dayNumber(isoDate: string): DayNumber {
  return Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10))) / DAY_MS;
}

export function monthsLater(day: DayNumber, months: number): DayNumber {
  const date = new Date(day * DAY_MS);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, date.getUTCDate()) / DAY_MS;
}

/** The date nearest to `day` that falls on the weekday of `like` (at most 3 days away). */
export function nearestWeekday(day: DayNumber, like: DayNumber): DayNumber {
  const forward = (((like - day) % 7) + 7) % 7;
  return forward <= 3 ? day + forward : day + forward - 7;
}
