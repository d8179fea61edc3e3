/**
 * Calendar dates as the rules count them: plain `YYYY-MM-DD` days in China Standard Time,
 * never shifted by the host's time zone. China has kept UTC+8 without daylight saving since
 * 1991, so the offset is a constant rather than a time-zone database lookup; that also keeps
 * these helpers usable inside deterministic workflow code. `dateInZone` is another
 * jurisdiction's calendar, looked up in the zone database.
 */
export type PlainDate = string & { readonly __plainDate: unique symbol };

const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parsePlainDate(text: string): PlainDate {
  const m = PLAIN_DATE.exec(text);
  if (!m) throw new RangeError(`not a date in YYYY-MM-DD form: ${JSON.stringify(text)}`);
  const [, y, mo, d] = m.map(Number) as [number, number, number, number];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) {
    throw new RangeError(`no such calendar date: ${text}`);
  }
  return text as PlainDate;
}

/** The date in China on which an instant falls. */
export function chinaDateOf(instant: Date): PlainDate {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10) as PlainDate;
}

const zoneDates = new Map<string, Intl.DateTimeFormat>();

/**
 * The date in the IANA zone `zone` on which an instant falls, daylight saving included: what a
 * jurisdiction's calendar says. China's zone is chinaDateOf, without a time-zone lookup.
 */
export function dateInZone(instant: Date, zone: string): PlainDate {
  if (zone === 'Asia/Shanghai') return chinaDateOf(instant);
  let format = zoneDates.get(zone);
  if (!format) {
    // en-CA writes a date as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    zoneDates.set(zone, format);
  }
  return format.format(instant) as PlainDate;
}

/** The instant a China calendar day begins (00:00 UTC+8). */
export function startOfChinaDay(date: PlainDate): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS);
}

export function addDays(date: PlainDate, days: number): PlainDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10) as PlainDate;
}

/** The last day of the month `date` is in. */
export function lastDayOfMonth(date: PlainDate): PlainDate {
  // Day 0 of the next month is the last of this one.
  return new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)), 0)).toISOString().slice(0, 10) as PlainDate;
}
