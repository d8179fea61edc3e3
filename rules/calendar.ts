/**
 * China's official working-day calendar: public holidays (法定节假日) and adjusted working
 * days (调休: weekend days that are working days), as the State Council publishes them each
 * year. Data comes from the `chinese-days` package (2004 onward) plus an optional override
 * file for years it does not have yet. Dates are plain `YYYY-MM-DD` keys throughout, so the
 * host's time zone never shifts a day.
 *
 * A year after the last published one is counted provisionally (暂定), for a bounded number of
 * years: its statutory holidays (rules/statutory-holidays.ts) and weekends are rest days, with
 * no 调休, which only the year's published schedule can say. A deadline that consults such a
 * day says so (rules/deadline.ts) and is computed again once the schedule is added. A date
 * beyond the provisional years is an error.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { parsePlainDate, type PlainDate } from './plain-date.js';
import { STATUTORY_HOLIDAY_SOURCE, statutoryHolidays } from './statutory-holidays.js';

export interface CalendarYear {
  /** Rest days that would otherwise be working days, and weekend days inside a holiday. */
  holidays: Record<string, string>;
  /** Weekend days that are working days (调休). */
  workdays: Record<string, string>;
}

/** How the calendar knows a year: from a published schedule, or provisionally from the statutory holidays alone. */
export type YearStatus = 'published' | 'provisional';

export interface ChinaCalendar {
  readonly firstYear: number;
  /** The last year whose schedule is published (the package or the override file). */
  readonly lastYear: number;
  /** The years after `lastYear` counted provisionally, in order. */
  readonly provisionalYears: readonly number[];
  /** null: the calendar does not cover the year (a date in it is an error). */
  statusOf(year: number): YearStatus | null;
  /** Whether the date's year has no published schedule yet (its rest days may still change). */
  isProvisional(date: PlainDate): boolean;
  isWorkingDay(date: PlainDate): boolean;
  /** Why a date is a rest or working day, for explanations. */
  describe(date: PlainDate): string;
}

export class CalendarCoverageError extends Error {
  override name = 'CalendarCoverageError';
}

/**
 * How many years after the last published one are counted provisionally: the next one, which
 * a clock started late in the year reaches before its schedule comes out (the State Council
 * publishes it in the last weeks of the year before), and one more for a package a year stale.
 */
export const PROVISIONAL_YEARS = 2;

/** A year without a published schedule: its statutory holidays, and no 调休. */
export function provisionalYear(year: number): CalendarYear {
  const holidays: Record<string, string> = {};
  for (const h of statutoryHolidays(year)) {
    const name = `${h.festival}（${h.day}）`;
    holidays[h.date] = holidays[h.date] ? `${holidays[h.date]}、${name}` : name;
  }
  return { holidays, workdays: {} };
}

const overrideFile = z.object({
  source: z.string().min(1),
  years: z.record(
    z.string().regex(/^\d{4}$/),
    z.object({
      holidays: z.record(z.string(), z.string()),
      workdays: z.record(z.string(), z.string()).default({}),
    }),
  ),
});

const WEEKDAY_ZH = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

export function createCalendar(published: Map<number, CalendarYear>): ChinaCalendar {
  const covered = [...published.keys()].sort((a, b) => a - b);
  const firstYear = covered[0]!;
  const lastYear = covered.at(-1)!;
  for (let y = firstYear; y <= lastYear; y++) {
    if (!published.has(y)) throw new CalendarCoverageError(`calendar data has a gap: no holiday schedule for ${y}`);
  }
  const provisionalYears = Array.from({ length: PROVISIONAL_YEARS }, (_, i) => lastYear + 1 + i);
  const provisional = new Map(provisionalYears.map((y) => [y, provisionalYear(y)]));
  const yearOf = (date: PlainDate) => {
    const year = Number(date.slice(0, 4));
    const data = published.get(year) ?? provisional.get(year);
    if (!data) {
      throw new CalendarCoverageError(
        `${date} is outside the holiday calendar (${firstYear}-${lastYear + PROVISIONAL_YEARS}, ${provisionalYears.join(' and ')} provisional); add the State Council's ${year} schedule to the calendar override file`,
      );
    }
    return data;
  };
  const weekday = (date: PlainDate) => new Date(`${date}T00:00:00Z`).getUTCDay();
  const isProvisional = (date: PlainDate) => {
    yearOf(date);
    return provisional.has(Number(date.slice(0, 4)));
  };
  return {
    firstYear,
    lastYear,
    provisionalYears,
    statusOf: (year) => (published.has(year) ? 'published' : provisional.has(year) ? 'provisional' : null),
    isProvisional,
    isWorkingDay(date) {
      const data = yearOf(date);
      if (data.holidays[date]) return false;
      if (data.workdays[date]) return true;
      const day = weekday(date);
      return day !== 0 && day !== 6;
    },
    describe(date) {
      const data = yearOf(date);
      const name = WEEKDAY_ZH[weekday(date)]!;
      const day = weekday(date);
      const plain = data.holidays[date]
        ? `${date} (${name}) is a public holiday: ${data.holidays[date]}`
        : data.workdays[date]
          ? `${date} (${name}) is an adjusted working day (调休): ${data.workdays[date]}`
          : day === 0 || day === 6
            ? `${date} (${name}) is a weekend rest day`
            : `${date} (${name}) is a working day`;
      if (!isProvisional(date)) return plain;
      return `${plain} (provisional: no published ${date.slice(0, 4)} schedule, only the statutory holidays of ${STATUTORY_HOLIDAY_SOURCE} and weekends)`;
    },
  };
}

/** Years from the `chinese-days` package, each name shortened to its Chinese part. */
function packagedYears(): Map<number, CalendarYear> {
  const require = createRequire(import.meta.url);
  const data = require('chinese-days/dist/chinese-days.json') as {
    holidays: Record<string, string>;
    workdays: Record<string, string>;
  };
  const years = new Map<number, CalendarYear>();
  const year = (date: string) => {
    const y = Number(date.slice(0, 4));
    if (!years.has(y)) years.set(y, { holidays: {}, workdays: {} });
    return years.get(y)!;
  };
  // Entries read "English name,中文名,days"; keep the Chinese name.
  const zh = (label: string) => label.split(',')[1] ?? label;
  for (const [date, label] of Object.entries(data.holidays)) year(date).holidays[date] = zh(label);
  for (const [date, label] of Object.entries(data.workdays)) year(date).workdays[date] = zh(label);
  return years;
}

/**
 * The calendar from the package plus, if given, an override file whose years replace or
 * extend the package's (JSON: {"source": "...", "years": {"2027": {"holidays": {...},
 * "workdays": {...}}}}).
 */
export function loadChinaCalendar(overridePath?: string): ChinaCalendar {
  const years = packagedYears();
  if (overridePath) {
    let parsed: z.infer<typeof overrideFile>;
    try {
      parsed = overrideFile.parse(JSON.parse(readFileSync(overridePath, 'utf8')));
    } catch (error) {
      throw new Error(`calendar override ${overridePath}: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const [y, data] of Object.entries(parsed.years)) {
      for (const date of [...Object.keys(data.holidays), ...Object.keys(data.workdays)]) {
        parsePlainDate(date);
        if (!date.startsWith(y)) throw new Error(`calendar override ${overridePath}: ${date} is listed under ${y}`);
      }
      years.set(Number(y), data);
    }
  }
  return createCalendar(years);
}

let shared: { calendar: ChinaCalendar; overrideVersion: string } | undefined;
/**
 * The process-wide calendar. Reloaded when the override file appears or changes, so a year's
 * schedule added by an operator reaches running workers without a restart.
 */
export function chinaCalendar(): ChinaCalendar {
  const path = process.env.XINFANG_CALENDAR_OVERRIDES;
  let overrideVersion = path ?? '';
  if (path) {
    try {
      overrideVersion = `${path}@${statSync(path).mtimeMs}`;
    } catch {
      overrideVersion = `${path}@missing`;
    }
  }
  if (shared?.overrideVersion !== overrideVersion) {
    shared = { calendar: loadChinaCalendar(overrideVersion.endsWith('@missing') ? undefined : path), overrideVersion };
  }
  return shared.calendar;
}
