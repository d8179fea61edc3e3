/**
 * The statutory public holidays (法定节假日) of a year, as the 全国年节及纪念日放假办法 fixes
 * them (art. 2, as revised by the State Council on 2024-11-10, in force from 2025-01-01): 13
 * days for all citizens. Which days they are follows from the Gregorian and lunar calendars and
 * the 清明 solar term, computed here by `tyme4ts`; only the 调休 arrangement around them (bridge
 * days, weekend working days) is decided and published each year, and cannot be known before.
 */
import { LunarDay, SolarTerm, type SolarDay } from 'tyme4ts';
import type { PlainDate } from './plain-date.js';

export const STATUTORY_HOLIDAY_SOURCE = '全国年节及纪念日放假办法 第二条（2024年修订，2025年1月1日起施行）';
/** The first year the 2024 revision governs: before it 春节 and 劳动节 had a day less each. */
const STATUTORY_RULES_FROM = 2025;

export type Festival = '元旦' | '春节' | '清明节' | '劳动节' | '端午节' | '中秋节' | '国庆节';

export interface StatutoryHoliday {
  date: PlainDate;
  festival: Festival;
  /** Which day of the festival the article names (除夕, 正月初一, 5月1日, ...). */
  day: string;
}

const plain = (day: SolarDay): PlainDate =>
  `${day.getYear()}-${String(day.getMonth()).padStart(2, '0')}-${String(day.getDay()).padStart(2, '0')}` as PlainDate;
const solar = (year: number, month: number, day: number): PlainDate =>
  `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` as PlainDate;

/** The 13 statutory holidays of `year`, in date order (two festivals may share a day: 中秋 can fall on 1-3 October). */
export function statutoryHolidays(year: number): StatutoryHoliday[] {
  if (!Number.isInteger(year) || year < STATUTORY_RULES_FROM) {
    throw new RangeError(`the statutory holidays are computed from ${STATUTORY_RULES_FROM} on, under ${STATUTORY_HOLIDAY_SOURCE}; not for ${year}`);
  }
  // 正月初一 of the lunar year that begins in `year` (always between 21 January and 20 February).
  const newYear = LunarDay.fromYmd(year, 1, 1);
  const days: StatutoryHoliday[] = [
    { date: solar(year, 1, 1), festival: '元旦', day: '1月1日' },
    { date: plain(newYear.next(-1).getSolarDay()), festival: '春节', day: '农历除夕' },
    { date: plain(newYear.getSolarDay()), festival: '春节', day: '正月初一' },
    { date: plain(newYear.next(1).getSolarDay()), festival: '春节', day: '正月初二' },
    { date: plain(newYear.next(2).getSolarDay()), festival: '春节', day: '正月初三' },
    { date: plain(SolarTerm.fromName(year, '清明').getSolarDay()), festival: '清明节', day: '农历清明当日' },
    { date: solar(year, 5, 1), festival: '劳动节', day: '5月1日' },
    { date: solar(year, 5, 2), festival: '劳动节', day: '5月2日' },
    // The fifth and eighth months proper: a leap month of the same number is not the festival's.
    { date: plain(LunarDay.fromYmd(year, 5, 5).getSolarDay()), festival: '端午节', day: '农历端午当日' },
    { date: plain(LunarDay.fromYmd(year, 8, 15).getSolarDay()), festival: '中秋节', day: '农历中秋当日' },
    { date: solar(year, 10, 1), festival: '国庆节', day: '10月1日' },
    { date: solar(year, 10, 2), festival: '国庆节', day: '10月2日' },
    { date: solar(year, 10, 3), festival: '国庆节', day: '10月3日' },
  ];
  return days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
