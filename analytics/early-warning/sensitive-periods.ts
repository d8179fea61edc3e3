/**
 * The sensitive-period calendar (DOMAIN §9; 004 §2(4)): windows in which an alert is raised one
 * severity step. Data, not code: sensitive-periods.json beside this file, plus an operator's
 * file named by XINFANG_SENSITIVE_PERIODS (same shape) for the year's exact session dates and
 * major events. An override entry with the id of a recurring window replaces it.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { addDays, parsePlainDate, type PlainDate } from '../../rules/plain-date.js';

const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a month and day as MM-DD');
const plainDate = z.string().transform((text, ctx): PlainDate => {
  try {
    return parsePlainDate(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
const named = {
  id: z.string().regex(/^[a-z0-9-]{1,60}$/, 'an id of lower-case letters, digits and dashes'),
  nameZh: z.string().min(1).max(60),
  nameEn: z.string().min(1).max(120),
  /** Days before `from` that count as inside the window. */
  leadDays: z.number().int().min(0).max(60).default(0),
};

export const sensitiveCalendarSchema = z
  .object({
    source: z.string().min(1),
    recurring: z
      .array(z.object({ ...named, from: monthDay, to: monthDay }).strict().refine((w) => w.from <= w.to, 'a recurring window ends before it begins (windows do not cross the new year)'))
      .default([]),
    events: z
      .array(z.object({ ...named, from: plainDate, to: plainDate }).strict().refine((e) => e.from <= e.to, 'an event ends before it begins'))
      .default([]),
  })
  .strict();
export type SensitiveCalendarFile = z.infer<typeof sensitiveCalendarSchema>;

export interface SensitivePeriod {
  id: string;
  nameZh: string;
  nameEn: string;
  /** The window in the year asked about, lead days not included. */
  from: PlainDate;
  to: PlainDate;
  leadDays: number;
}

export interface SensitiveCalendar {
  /** The window a week (Monday to Sunday) touches, lead days included; events before recurring windows. */
  periodOfWeek(weekStart: PlainDate): SensitivePeriod | null;
  windows(year: number): SensitivePeriod[];
}

const DEFAULT_FILE = new URL('./sensitive-periods.json', import.meta.url);

function readCalendarFile(path: string | URL): SensitiveCalendarFile {
  try {
    return sensitiveCalendarSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    const problem =
      error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (error as Error).message;
    throw new Error(`sensitive-period calendar ${String(path)}: ${problem}`);
  }
}

export function createSensitiveCalendar(base: SensitiveCalendarFile, override?: SensitiveCalendarFile): SensitiveCalendar {
  const replaced = new Set(override?.recurring.map((w) => w.id));
  const recurring = [...base.recurring.filter((w) => !replaced.has(w.id)), ...(override?.recurring ?? [])];
  const events = [...base.events, ...(override?.events ?? [])];
  const windows = (year: number): SensitivePeriod[] => [
    ...events.filter((e) => Number(e.from.slice(0, 4)) <= year && Number(e.to.slice(0, 4)) >= year),
    ...recurring.map((w) => ({ ...w, from: parsePlainDate(`${year}-${w.from}`), to: parsePlainDate(`${year}-${w.to}`) })),
  ];
  return {
    windows,
    periodOfWeek(weekStart) {
      const weekEnd = addDays(weekStart, 6);
      const years = new Set([Number(weekStart.slice(0, 4)), Number(weekEnd.slice(0, 4)), Number(weekEnd.slice(0, 4)) + 1]);
      for (const year of years) {
        const hit = windows(year).find((w) => addDays(w.from, -w.leadDays) <= weekEnd && w.to >= weekStart);
        if (hit) return hit;
      }
      return null;
    },
  };
}

let shared: { calendar: SensitiveCalendar; version: string } | undefined;
/** The process-wide calendar, reloaded when the override file appears or changes (like rules/calendar.ts). */
export function sensitiveCalendar(): SensitiveCalendar {
  const path = process.env.XINFANG_SENSITIVE_PERIODS;
  let version = '';
  if (path) {
    try {
      version = `${path}@${statSync(path).mtimeMs}`;
    } catch {
      version = `${path}@missing`;
    }
  }
  if (shared?.version !== version) {
    const override = path && !version.endsWith('@missing') ? readCalendarFile(path) : undefined;
    shared = { calendar: createSensitiveCalendar(readCalendarFile(DEFAULT_FILE), override), version };
  }
  return shared.calendar;
}
