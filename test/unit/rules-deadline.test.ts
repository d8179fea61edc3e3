/**
 * Worked examples, each computed by hand from the State Council's published holiday
 * schedules (国务院办公厅关于节假日安排的通知) for the year:
 *   2020: 春节 extended to 2 Feb (no adjusted days after 24 Feb).
 *   2024: 春节 10-17 Feb, work Sun 4 Feb and Sun 18 Feb; 国庆 1-7 Oct, work Sun 29 Sep and Sat 12 Oct.
 *   2025: 春节 28 Jan-4 Feb, work Sun 26 Jan and Sat 8 Feb; 清明 4-6 Apr;
 *         国庆/中秋 1-8 Oct, work Sun 28 Sep and Sat 11 Oct.
 */
import { describe, expect, it } from 'vitest';
import { chinaCalendar } from '../../rules/calendar.js';
import { caseDeadline } from '../../rules/case-rules.js';
import { computeDeadline, RuleViolation, type DayBasis } from '../../rules/deadline.js';
import { parsePlainDate } from '../../rules/plain-date.js';

const calendar = chinaCalendar();
const due = (start: string, days: number, basis: DayBasis) =>
  computeDeadline({ start: parsePlainDate(start), days, basis }, calendar);

describe('calendar basis: count natural days, roll a rest day forward', () => {
  it('does not count the first day: 15 days from 1 March 2023 is 16 March', () => {
    expect(due('2023-03-01', 15, 'calendar')).toMatchObject({ rawDue: '2023-03-16', due: '2023-03-16', rolledForward: false });
  });

  it('Spring Festival 2025: a count landing on 28 January moves past the holiday to 5 February', () => {
    const d = due('2025-01-13', 15, 'calendar');
    expect(d).toMatchObject({ rawDue: '2025-01-28', due: '2025-02-05', rolledForward: true });
    expect(d.explanation.join('\n')).toMatch(/2025-01-28 \(周二\) is a public holiday: 春节; the deadline moves to the next working day, 2025-02-05/);
  });

  it('a Sunday that is an adjusted working day (调休, 26 January 2025) is a valid due date', () => {
    expect(due('2025-01-11', 15, 'calendar')).toMatchObject({ rawDue: '2025-01-26', due: '2025-01-26', rolledForward: false });
    expect(due('2025-09-13', 15, 'calendar')).toMatchObject({ due: '2025-09-28', rolledForward: false });
  });

  it('National Day 2025: 60 days from 5 August reach Saturday 4 October, due Thursday 9 October', () => {
    expect(due('2025-08-05', 60, 'calendar')).toMatchObject({ rawDue: '2025-10-04', due: '2025-10-09' });
  });

  it('month ends and leap years: 29 February 2024 is a due date, 1 March 2025 (a Saturday) is not', () => {
    expect(due('2024-02-14', 15, 'calendar')).toMatchObject({ due: '2024-02-29', rolledForward: false });
    expect(due('2025-02-14', 15, 'calendar')).toMatchObject({ rawDue: '2025-03-01', due: '2025-03-03' });
    expect(due('2023-12-20', 15, 'calendar')).toMatchObject({ due: '2024-01-04' });
  });
});

describe('working basis: count working days only', () => {
  it('across Spring Festival 2025, counting both adjusted working days (26 Jan, 8 Feb)', () => {
    // 21,22,23,24,26(调休),27 | 28 Jan-4 Feb off | 5,6,7,8(调休),10,11,12,13,14
    expect(due('2025-01-20', 15, 'working')).toMatchObject({ due: '2025-02-14', rolledForward: false });
  });

  it('across National Day 2024: Sunday 29 September counts, the holiday does not', () => {
    expect(due('2024-09-27', 5, 'working').due).toBe('2024-10-10');
  });

  it('across the leap day of 2020', () => {
    expect(due('2020-02-24', 5, 'working').due).toBe('2020-03-02');
  });
});

describe('clocks from the packs, with extensions and suspensions', () => {
  const beijing = { jurisdiction: 'beijing', receivedDate: parsePlainDate('2025-08-01') };

  it('handle: 60 days, extended once by at most 30 with approval', () => {
    const base = caseDeadline({ ...beijing, step: 'handle', start: parsePlainDate('2025-08-05') });
    expect(base.due).toBe('2025-10-09');
    const extended = caseDeadline({ ...beijing, step: 'handle', start: parsePlainDate('2025-08-05'), extensionDays: 30 });
    expect(extended).toMatchObject({ rawDue: '2025-11-03', due: '2025-11-03', extensionDays: 30 });
    expect(() => caseDeadline({ ...beijing, step: 'handle', start: parsePlainDate('2025-08-05'), extensionDays: 31 })).toThrow(
      /at most 30 days/,
    );
    expect(() =>
      caseDeadline({ ...beijing, step: 'handle', start: parsePlainDate('2025-08-05'), extensionDays: 10, extensionsGranted: 2 }),
    ).toThrow(RuleViolation);
    expect(() => caseDeadline({ ...beijing, step: 'route', start: parsePlainDate('2025-08-05'), extensionDays: 5 })).toThrow(
      /cannot be extended/,
    );
  });

  it('re-review: hearing days are not counted; 30 days from 3 March 2025 with a 5-day hearing reach 7 April', () => {
    const d = caseDeadline({
      ...beijing,
      step: 'reReview',
      start: parsePlainDate('2025-03-03'),
      suspensions: [{ from: parsePlainDate('2025-03-10'), to: parsePlainDate('2025-03-14'), reason: 'hearing' }],
    });
    expect(d).toMatchObject({ due: '2025-04-07', suspendedDays: 5 });
    expect(d.explanation.join('\n')).toMatch(/not counted: 2025-03-10 to 2025-03-14 \(hearing\)/);
    expect(() =>
      caseDeadline({
        ...beijing,
        step: 'handle',
        start: parsePlainDate('2025-03-03'),
        suspensions: [{ from: parsePlainDate('2025-03-10'), to: parsePlainDate('2025-03-14'), reason: 'hearing' }],
      }),
    ).toThrow(/no time may be left out/);
  });

  it('explains the rule with its pack and article', () => {
    const d = caseDeadline({ ...beijing, step: 'route', start: parsePlainDate('2025-09-16') });
    expect(d.rule).toEqual({ step: 'route', labelZh: '登记并转送、交办', pack: 'regulations-2022', version: '2022.3', article: '第二十二条' });
    expect(d).toMatchObject({ rawDue: '2025-10-01', due: '2025-10-09' });
  });
});

describe('coverage', () => {
  it('counts the years after the published ones provisionally, and refuses a date beyond them instead of guessing', () => {
    const last = calendar.lastYear;
    expect(due(`${last}-12-20`, 15, 'calendar')).toMatchObject({ provisional: true, provisionalYears: [last + 1] });
    expect(() => due(`${last + 2}-12-20`, 15, 'calendar')).toThrow(new RegExp(`outside the holiday calendar \\(2004-${last + 2}, ${last + 1} and ${last + 2} provisional\\)`));
    expect(() => due('2003-06-01', 5, 'calendar')).toThrow(/outside the holiday calendar/);
  });
});
