import { describe, expect, it } from 'vitest';
import { addDays, chinaDateOf, dateInZone, lastDayOfMonth, parsePlainDate, startOfChinaDay } from '../../rules/plain-date.js';

describe('plain dates in China Standard Time', () => {
  it('puts an instant on the China calendar day, whatever the host time zone', () => {
    expect(chinaDateOf(new Date('2025-01-31T15:59:59Z'))).toBe('2025-01-31');
    expect(chinaDateOf(new Date('2025-01-31T16:00:00Z'))).toBe('2025-02-01');
  });

  it('puts an instant on another jurisdiction’s calendar day, daylight saving included; China’s zone is chinaDateOf', () => {
    // Toronto: 21:30 EST on 8 March 2014, 21:30 EDT on 9 March (clocks forward at 02:00 that day), 23:30 EST on 2 November.
    expect(dateInZone(new Date('2014-03-09T02:30:00Z'), 'America/Toronto')).toBe('2014-03-08');
    expect(dateInZone(new Date('2014-03-10T01:30:00Z'), 'America/Toronto')).toBe('2014-03-09');
    expect(dateInZone(new Date('2014-11-03T04:30:00Z'), 'America/Toronto')).toBe('2014-11-02');
    expect(dateInZone(new Date('2025-01-31T16:00:00Z'), 'Asia/Shanghai')).toBe(chinaDateOf(new Date('2025-01-31T16:00:00Z')));
  });

  it('starts a China day at 16:00 UTC the day before', () => {
    expect(startOfChinaDay(parsePlainDate('2025-03-16')).toISOString()).toBe('2025-03-15T16:00:00.000Z');
  });

  it('adds days across month ends and leap days', () => {
    expect(addDays(parsePlainDate('2024-02-20'), 15)).toBe('2024-03-06'); // 2024 is a leap year
    expect(addDays(parsePlainDate('2025-02-20'), 15)).toBe('2025-03-07');
    expect(addDays(parsePlainDate('2025-12-25'), 15)).toBe('2026-01-09');
  });

  it('finds the last day of a month: leap Februaries, centuries, December', () => {
    expect(lastDayOfMonth(parsePlainDate('2024-02-01'))).toBe('2024-02-29');
    expect(lastDayOfMonth(parsePlainDate('2025-02-14'))).toBe('2025-02-28');
    expect(lastDayOfMonth(parsePlainDate('2100-02-01'))).toBe('2100-02-28'); // not a leap year
    expect(lastDayOfMonth(parsePlainDate('2000-02-01'))).toBe('2000-02-29');
    expect(lastDayOfMonth(parsePlainDate('2025-12-31'))).toBe('2025-12-31');
    expect(lastDayOfMonth(parsePlainDate('2025-04-10'))).toBe('2025-04-30');
  });

  it('refuses text that is not a real calendar date', () => {
    expect(() => parsePlainDate('2025-02-29')).toThrow(/no such calendar date/);
    expect(() => parsePlainDate('2025/03/01')).toThrow(/YYYY-MM-DD/);
  });
});
