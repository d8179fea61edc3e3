/**
 * The statutory holidays (全国年节及纪念日放假办法 art. 2, as revised in 2024) computed from the
 * lunar calendar and the 清明 solar term, checked against the years the State Council has
 * published (chinese-days, read raw here); the provisional years the calendar counts from them
 * after the last published one; and the deadlines that consult such a year, marked so.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAccountabilityEvent, type AccountabilityEvent } from '../../analytics/accountability-log.js';
import { recordEvent, recordIntake } from '../../analytics/case-log.js';
import { provisionalDeadlineCounts } from '../../analytics/provisional-deadlines.js';
import { recordFeedback, recordFeedbackDue, recordRecommendationIssued, type RecommendationEvent } from '../../analytics/recommendation-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import type { CaseEvent } from '../../domain/case.js';
import { CalendarCoverageError, loadChinaCalendar, PROVISIONAL_YEARS } from '../../rules/calendar.js';
import { computeDeadline } from '../../rules/deadline.js';
import { addDays, parsePlainDate, type PlainDate } from '../../rules/plain-date.js';
import { statutoryHolidays } from '../../rules/statutory-holidays.js';

const published = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };
// The package's entries read "English name,中文名,statutory days".
const entry = (date: string) => {
  const label = published.holidays[date];
  if (!label) return null;
  const [, zh, days] = label.split(',');
  return { zh: zh!, days: Number(days) };
};

const packaged = loadChinaCalendar();
const NEXT = packaged.lastYear + 1;
const on = (date: string) => parsePlainDate(date);
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const scratch = () => mkdtempSync(join(tmpdir(), 'xinfang-calendar-'));

describe('the statutory holidays of a year', () => {
  it.each([2025, 2026])('%i: each of the 13 days is a public holiday of the published schedule, of its festival, as many days as it names', (year) => {
    const days = statutoryHolidays(year);
    expect(days).toHaveLength(13);
    for (const h of days) {
      const e = entry(h.date);
      expect(e, `${h.date} ${h.festival} (${h.day})`).not.toBeNull();
      expect(h.festival.startsWith(e!.zh) || (h.festival === '中秋节' && e!.zh === '国庆节'), `${h.date}: ${h.festival} against ${e!.zh}`).toBe(true);
    }
    // The package says how many statutory days each festival has: count ours.
    const perFestival = new Map<string, number>();
    for (const h of days) perFestival.set(h.festival, (perFestival.get(h.festival) ?? 0) + 1);
    for (const [festival, count] of perFestival) {
      const named = Object.keys(published.holidays).filter((d) => d.startsWith(`${year}-`)).map(entry).find((e) => festival.startsWith(e!.zh));
      expect(named?.days, festival).toBe(count);
    }
  });

  it('2025: 春节 is 除夕 28 January to 初三 31 January, 清明 4 April, 端午 31 May, 中秋 6 October', () => {
    const byDay = Object.fromEntries(statutoryHolidays(2025).map((h) => [h.day, h.date]));
    expect(byDay).toMatchObject({ 农历除夕: '2025-01-28', 正月初一: '2025-01-29', 正月初三: '2025-01-31', 农历清明当日: '2025-04-04', 农历端午当日: '2025-05-31', 农历中秋当日: '2025-10-06' });
  });

  it('2027 as the almanac has it: 除夕 5 February, 春节 6 February, 清明 5 April, 端午 9 June, 中秋 15 September', () => {
    const byDay = Object.fromEntries(statutoryHolidays(2027).map((h) => [h.day, h.date]));
    expect(byDay).toMatchObject({ 农历除夕: '2027-02-05', 正月初一: '2027-02-06', 正月初二: '2027-02-07', 正月初三: '2027-02-08', 农历清明当日: '2027-04-05', 农历端午当日: '2027-06-09', 农历中秋当日: '2027-09-15' });
  });

  it('2028: 中秋 falls on 3 October, a day 国庆节 already holds', () => {
    const days = statutoryHolidays(2028);
    expect(days.filter((h) => h.date === '2028-10-03').map((h) => h.festival).sort()).toEqual(['中秋节', '国庆节']);
  });

  it('refuses a year before the 2024 revision took force (春节 and 劳动节 had a day less)', () => {
    expect(() => statutoryHolidays(2024)).toThrow(RangeError);
  });
});

describe('the provisional years of the calendar', () => {
  it(`counts the ${PROVISIONAL_YEARS} years after the last published one provisionally, and no more`, () => {
    expect(packaged.provisionalYears).toEqual([NEXT, NEXT + 1]);
    expect(packaged.statusOf(packaged.lastYear)).toBe('published');
    expect(packaged.statusOf(NEXT)).toBe('provisional');
    expect(packaged.statusOf(NEXT + 2)).toBeNull();
    expect(packaged.isProvisional(on(`${packaged.lastYear}-12-31`))).toBe(false);
    expect(packaged.isProvisional(on(`${NEXT}-01-01`))).toBe(true);
    expect(() => packaged.isWorkingDay(on(`${NEXT + 2}-03-01`))).toThrow(CalendarCoverageError);
  });

  it('rests on exactly the statutory holidays and the weekends of a provisional year, with no 调休', () => {
    const holidays = new Set(statutoryHolidays(NEXT).map((h) => h.date as string));
    for (let d = on(`${NEXT}-01-01`); d <= `${NEXT}-12-31`; d = addDays(d, 1)) {
      const rest = holidays.has(d) || weekday(d) === 0 || weekday(d) === 6;
      expect(packaged.isWorkingDay(d), d).toBe(!rest);
    }
    const newYear = `${NEXT}-01-01` as PlainDate;
    expect(packaged.describe(newYear)).toMatch(new RegExp(`public holiday: 元旦.*provisional: no published ${NEXT} schedule`));
  });

  it('an override file publishes a year: it is no longer provisional and its 调休 count', () => {
    const file = join(scratch(), 'calendar.json');
    let workday = on(`${NEXT}-01-05`);
    while (weekday(workday) !== 6) workday = addDays(workday, 1);
    writeFileSync(file, JSON.stringify({ source: 'test fixture', years: { [NEXT]: { holidays: { [`${NEXT}-01-01`]: '元旦', [`${NEXT}-01-04`]: '元旦' }, workdays: { [workday]: '元旦' } } } }));
    const calendar = loadChinaCalendar(file);
    expect(calendar.statusOf(NEXT)).toBe('published');
    expect(calendar.provisionalYears).toEqual([NEXT + 1, NEXT + 2]);
    expect(calendar.isWorkingDay(on(`${NEXT}-01-04`))).toBe(false);
    expect(packaged.isWorkingDay(workday)).toBe(false);
    expect(calendar.isWorkingDay(workday)).toBe(true);
  });
});

describe('a deadline that consults a provisional year', () => {
  const start = on(`${packaged.lastYear}-12-20`);

  it('is marked provisional, with its years, and its explanation says it will be computed again', () => {
    const d = computeDeadline({ start, days: 15, basis: 'calendar' }, packaged);
    expect(d.rawDue).toBe(addDays(start, 15));
    expect(d).toMatchObject({ provisional: true, provisionalYears: [NEXT] });
    expect(d.explanation.at(-1)).toContain(`暂按法定节假日推算，待国务院公布${NEXT}年放假安排后重新计算`);
    expect(d.explanation.at(-1)).toMatch(new RegExp(`^provisional: ${NEXT} has no published holiday schedule yet`));
  });

  it('is not marked when it consults published days only', () => {
    const d = computeDeadline({ start: on(`${packaged.lastYear}-06-01`), days: 15, basis: 'calendar' }, packaged);
    expect(d.provisional).toBeUndefined();
    expect(d.provisionalYears).toBeUndefined();
    expect(d.explanation.join('\n')).not.toContain('provisional');
  });

  it('working days across the provisional Spring Festival skip its four statutory days and the weekends only', () => {
    const from = on(`${NEXT}-01-20`);
    const holidays = new Set(statutoryHolidays(NEXT).map((h) => h.date as string));
    let day = from;
    for (let counted = 0; counted < 20; ) {
      day = addDays(day, 1);
      if (!holidays.has(day) && weekday(day) !== 0 && weekday(day) !== 6) counted++;
    }
    expect(computeDeadline({ start: from, days: 20, basis: 'working' }, packaged)).toMatchObject({ due: day, provisional: true, provisionalYears: [NEXT] });
  });

  it('moves once the year is published with a 调休, and is provisional no more', () => {
    const provisional = computeDeadline({ start, days: 15, basis: 'calendar' }, packaged);
    // The published schedule makes the provisional due day a bridge holiday (调休), worked on the Saturday before.
    const bridge = provisional.due;
    let saturday = addDays(bridge, -1);
    while (weekday(saturday) !== 6) saturday = addDays(saturday, -1);
    const file = join(scratch(), 'calendar.json');
    writeFileSync(file, JSON.stringify({ source: 'test fixture', years: { [NEXT]: { holidays: { [`${NEXT}-01-01`]: '元旦', [bridge]: '元旦' }, workdays: { [saturday]: '元旦' } } } }));
    const again = computeDeadline({ start, days: 15, basis: 'calendar' }, loadChinaCalendar(file));
    expect(again.provisional).toBeUndefined();
    expect(again.due > provisional.due).toBe(true);
    expect(again).toMatchObject({ rawDue: bridge, rolledForward: true });
  });
});

describe('who holds a provisional deadline, from the events on record', () => {
  let store: AnalyticsStore;
  beforeAll(async () => {
    store = await AnalyticsStore.open(':memory:');
  });
  afterAll(() => store.close());

  const at = (day: number) => new Date(Date.UTC(2026, 11, day, 2)).toISOString();
  const intake = (caseId: string) => ({ caseId, jurisdiction: 'beijing', receivedAt: at(20), channel: 'visit' as const, regionCode: '110105', collectiveSize: 1 });
  const provisional = (caseId: string, step: string, n: number, day: number): CaseEvent => ({ caseId, type: 'deadline_provisional', key: `${step}:${n}`, occurredAt: at(day), dueDate: '2027-01-04', detail: { step, years: '2027' } });
  const recomputed = (caseId: string, step: string, n: number, day: number, still: boolean): CaseEvent => ({
    caseId, type: 'deadline_recomputed', key: `${step}:${n}`, occurredAt: at(day), dueDate: '2027-01-05', detail: { step, oldDue: '2027-01-04', newDue: '2027-01-05', provisional: still, reason: 'test' },
  });

  it('counts open cases whose step still owed has a provisional date, recommendations awaiting feedback by one, and open accountability cases', async () => {
    const cases: Record<string, CaseEvent[]> = {
      HELD: [provisional('HELD', 'route', 1, 20)],
      // Routed: its route clock is over, so its provisional date is held by nobody.
      ROUTED: [provisional('ROUTED', 'route', 1, 20), { caseId: 'ROUTED', type: 'routed', occurredAt: at(21) }],
      CONFIRMED: [provisional('CONFIRMED', 'route', 1, 20), recomputed('CONFIRMED', 'route', 2, 27, false)],
      STILL: [provisional('STILL', 'route', 1, 20), recomputed('STILL', 'route', 2, 27, true)],
      CLOSED: [provisional('CLOSED', 'route', 1, 20), { caseId: 'CLOSED', type: 'closed', occurredAt: at(22) }],
      // Its route date was confirmed, its handling date is provisional: held once.
      TWO: [provisional('TWO', 'route', 1, 20), { caseId: 'TWO', type: 'routed', occurredAt: at(20) }, provisional('TWO', 'handle', 2, 21), provisional('TWO', 'reviewRequest', 3, 21)],
    };
    for (const [caseId, events] of Object.entries(cases)) {
      await recordIntake(store, intake(caseId), { caseId, type: 'received', occurredAt: at(20), dueDate: '2027-01-04', detail: { receivedBy: 'petition-office' } }, 'workflow');
      for (const e of events) await recordEvent(store, e);
    }

    const issue = (recommendationId: string) => ({ recommendationId, jurisdiction: 'beijing', regionCode: '110105', issuedBy: '朝阳区信访办', toOrgan: '朝阳区人社局', kind: 'improve_work' as const, issuedDate: '2026-12-20' });
    const recEvent = (recommendationId: string, type: RecommendationEvent['type'], key: string, day: number, detail: RecommendationEvent['detail']): RecommendationEvent & { dueDate: string } => ({
      recommendationId, type, key, occurredAt: at(day), organ: '朝阳区人社局', dueDate: '2027-01-19', detail,
    });
    for (const id of ['R-HELD', 'R-ANSWERED', 'R-CONFIRMED', 'R-PLAIN']) {
      await recordRecommendationIssued(store, issue(id), '2027-01-19', 'workflow', recEvent(id, 'issued', '', 20, undefined));
      if (id !== 'R-PLAIN') await recordFeedbackDue(store, recEvent(id, 'deadline_provisional', '1', 20, { years: '2027' }));
    }
    await recordFeedback(store, { actor: '朝阳区人社局', adopted: true, date: '2026-12-28' }, recEvent('R-ANSWERED', 'feedback', '', 28, undefined));
    await recordFeedbackDue(store, { ...recEvent('R-CONFIRMED', 'deadline_recomputed', '2', 27, { oldDue: '2027-01-19', newDue: '2027-01-20', provisional: false, reason: 'test' }), dueDate: '2027-01-20' });

    const acc = (caseId: string, type: AccountabilityEvent['type'], key: string, day: number, detail?: AccountabilityEvent['detail']): AccountabilityEvent => ({
      caseId, type, key, occurredAt: at(day), organ: '朝阳区人社局', ground: 'procedure', ladderStep: 'notice', ...(detail ? { detail } : {}),
    });
    await recordAccountabilityEvent(store, acc('A-HELD', 'step_imposed', '1:notice', 20));
    await recordAccountabilityEvent(store, acc('A-HELD', 'deadline_provisional', '1:1', 20, { years: '2027' }));
    // Escalated: the next step's deadline replaces the provisional one.
    await recordAccountabilityEvent(store, acc('A-ESCALATED', 'step_imposed', '1:notice', 20));
    await recordAccountabilityEvent(store, acc('A-ESCALATED', 'deadline_provisional', '1:1', 20, { years: '2027' }));
    await recordAccountabilityEvent(store, acc('A-ESCALATED', 'step_imposed', '2:admonition', 25));
    await recordAccountabilityEvent(store, acc('A-CLOSED', 'step_imposed', '1:notice', 20));
    await recordAccountabilityEvent(store, acc('A-CLOSED', 'deadline_provisional', '1:1', 20, { years: '2027' }));
    await recordAccountabilityEvent(store, acc('A-CLOSED', 'closed', 'rectified', 26));

    expect(await provisionalDeadlineCounts(store)).toEqual({ cases: 3, recommendations: 1, accountability: 1 });
  });
});
