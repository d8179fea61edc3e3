/**
 * The deadline engine: every due date in the system comes from computeDeadline, with an
 * explanation of how it was reached (DOMAIN §4 "Days"). The first day is not counted, so a
 * 15-day clock started on 1 March reaches 16 March before any roll-forward.
 *
 * - `calendar` basis: count natural days; a due date on a rest day (weekend or public
 *   holiday, unless an adjusted working day) moves to the next working day.
 * - `working` basis: count working days only.
 * - An extension adds days to the count; a suspension (e.g. a hearing in re-review) is a
 *   span of days that are not counted.
 * - A day of a year whose holiday schedule is not published yet is judged provisionally
 *   (rules/calendar.ts); a deadline that consulted one is marked provisional, with its years.
 */
import type { ChinaCalendar } from './calendar.js';
import type { Effective } from './compose.js';
import type { ClockRule } from './pack.js';
import { addDays, startOfChinaDay, type PlainDate } from './plain-date.js';

export type DayBasis = 'calendar' | 'working';

export interface RuleRef {
  step: string;
  labelZh: string;
  pack: string;
  version: string;
  article: string | null;
}

export interface Suspension {
  from: PlainDate;
  /** Last suspended day, inclusive. */
  to: PlainDate;
  reason: string;
}

export interface DeadlineRequest {
  start: PlainDate;
  days: number;
  basis: DayBasis;
  rule?: RuleRef;
  extensionDays?: number;
  suspensions?: Suspension[];
}

export interface Deadline {
  start: PlainDate;
  days: number;
  basis: DayBasis;
  rule: RuleRef | null;
  extensionDays: number;
  suspendedDays: number;
  /** Where the count lands, before any roll-forward. */
  rawDue: PlainDate;
  /** Last day on which the step is on time. */
  due: PlainDate;
  rolledForward: boolean;
  /** ISO instant the deadline is missed: 00:00 China time on the day after `due`. */
  breachAt: string;
  explanation: string[];
  /**
   * Present when the count consulted a day of a year without a published schedule (暂定): the
   * due date may move once the State Council publishes that year's 调休 arrangement.
   */
  provisional?: true;
  /** The years counted provisionally, with `provisional`. */
  provisionalYears?: number[];
}

/** The explanation line of a provisional deadline, in the engine's English with the Chinese notice. */
export function provisionalNote(years: readonly number[]): string {
  const list = years.join(', ');
  return `provisional: ${list} has no published holiday schedule yet, so only its statutory holidays and weekends are rest days; to be computed again when the State Council publishes it (暂按法定节假日推算，待国务院公布${years.join('、')}年放假安排后重新计算)`;
}

/** An action the rules do not allow (a second extension, one over the limit, ...). */
export class RuleViolation extends Error {
  override name = 'RuleViolation';
}

export function computeDeadline(request: DeadlineRequest, calendar: ChinaCalendar): Deadline {
  const { start, days, basis } = request;
  const extensionDays = request.extensionDays ?? 0;
  const suspensions = request.suspensions ?? [];
  if (!Number.isInteger(days) || days <= 0) throw new RangeError(`days must be a positive whole number, not ${days}`);
  if (!Number.isInteger(extensionDays) || extensionDays < 0) throw new RangeError(`extension must be a whole number of days ≥ 0, not ${extensionDays}`);
  for (const s of suspensions) {
    if (s.to < s.from) throw new RangeError(`suspension ${s.from}..${s.to} (${s.reason}) ends before it begins`);
    if (s.from <= start) throw new RangeError(`suspension ${s.from}..${s.to} (${s.reason}) must begin after the clock starts on ${start}`);
  }
  calendar.isWorkingDay(start); // a start outside the covered years is an error too
  // The start's own status changes nothing (the first day is not counted): only the days consulted below mark the result.
  const provisionalYears = new Set<number>();
  const isWorkingDay = (d: PlainDate) => {
    if (calendar.isProvisional(d)) provisionalYears.add(Number(d.slice(0, 4)));
    return calendar.isWorkingDay(d);
  };

  const explanation = [`start ${start}; the first day is not counted`];
  if (request.rule) {
    const r = request.rule;
    explanation.push(`rule ${r.step} (${r.labelZh}): ${days} ${basis} days, ${r.article ?? 'no article'} [${r.pack} ${r.version}]`);
  } else {
    explanation.push(`${days} ${basis} days`);
  }
  if (extensionDays) explanation.push(`extended by ${extensionDays} days`);

  const suspended = (d: PlainDate) => suspensions.some((s) => s.from <= d && d <= s.to);
  const counts = (d: PlainDate) => !suspended(d) && (basis === 'calendar' || isWorkingDay(d));
  const total = days + extensionDays;
  let day = start;
  let counted = 0;
  let suspendedDays = 0;
  while (counted < total) {
    day = addDays(day, 1);
    if (counts(day)) counted++;
    else if (suspended(day)) suspendedDays++;
  }
  for (const s of suspensions) explanation.push(`not counted: ${s.from} to ${s.to} (${s.reason})`);
  const rawDue = day;
  explanation.push(`counting ${total} ${basis} days${suspendedDays ? `, skipping ${suspendedDays} suspended` : ''} reaches ${rawDue}`);

  let due = rawDue;
  if (!isWorkingDay(due)) {
    while (!isWorkingDay(due)) due = addDays(due, 1);
    explanation.push(`${calendar.describe(rawDue)}; the deadline moves to the next working day, ${due}`);
  }
  const breach = addDays(due, 1);
  explanation.push(`due ${due}; missed from ${breach} 00:00 China time`);
  const years = [...provisionalYears].sort((a, b) => a - b);
  if (years.length) explanation.push(provisionalNote(years));
  return {
    start,
    days,
    basis,
    rule: request.rule ?? null,
    extensionDays,
    suspendedDays,
    rawDue,
    due,
    rolledForward: due !== rawDue,
    breachAt: startOfChinaDay(breach).toISOString(),
    explanation,
    ...(years.length ? { provisional: true as const, provisionalYears: years } : {}),
  };
}

export interface ClockOptions {
  extensionDays?: number;
  /** Extensions already granted on this clock. */
  extensionsGranted?: number;
  suspensions?: Suspension[];
}

/** Deadline of a pack's clock, enforcing its extension and suspension rules. */
export function clockDeadline(
  clock: Effective<ClockRule>,
  start: PlainDate,
  calendar: ChinaCalendar,
  options: ClockOptions = {},
): Deadline {
  const { rule } = clock;
  const step = clock.key.replace(/^clocks\./, '');
  const where = `${step} (${clock.from.pack} ${rule.source.article ?? ''})`.trim();
  if (options.extensionDays) {
    if (!rule.extension) throw new RuleViolation(`${where}: this clock cannot be extended`);
    if (options.extensionDays > rule.extension.maxDays) {
      throw new RuleViolation(`${where}: an extension may be at most ${rule.extension.maxDays} days, not ${options.extensionDays}`);
    }
    if ((options.extensionsGranted ?? 1) > rule.extension.times) {
      throw new RuleViolation(`${where}: the clock may be extended only ${rule.extension.times} time(s)`);
    }
  }
  const suspensions = options.suspensions ?? [];
  if (suspensions.length && !rule.suspensions?.length) {
    throw new RuleViolation(`${where}: no time may be left out of this clock`);
  }
  return computeDeadline(
    {
      start,
      days: rule.days,
      basis: rule.basis,
      rule: { step, labelZh: rule.labelZh, pack: clock.from.pack, version: clock.from.version, article: rule.source.article },
      ...(options.extensionDays ? { extensionDays: options.extensionDays } : {}),
      suspensions,
    },
    calendar,
  );
}


/** A deadline set by a decision rather than a rule: the result date of an assigned case (交办). */
export function decidedDeadline(step: string, start: PlainDate, due: PlainDate, decidedBy: string): Deadline {
  if (due <= start) throw new RangeError(`${step}: the due date ${due} must come after ${start}`);
  const breach = addDays(due, 1);
  let days = 0;
  for (let d = start; d < due; d = addDays(d, 1)) days++;
  return {
    start,
    days,
    basis: 'calendar',
    rule: null,
    extensionDays: 0,
    suspendedDays: 0,
    rawDue: due,
    due,
    rolledForward: false,
    breachAt: startOfChinaDay(breach).toISOString(),
    explanation: [`start ${start}`, `due ${due}, as set by ${decidedBy}`, `missed from ${breach} 00:00 China time`],
  };
}
