/**
 * Which months of a year and of the year before hold any case: what tells a result from an
 * absence of data. A year without cases is said to have no data instead of drawn as zeros;
 * a comparison with a year that has fewer months of data is said to be partial instead of
 * shown as growth ("+547 year on year" from one month against twelve).
 */
import { api } from '../api.js';
import { chinaToday, lastDayOf } from '../format.js';
import { t } from '../i18n.js';

export interface Coverage {
  year: number;
  /** Months (1-12) of the year, up to the as-of date, with at least one case received. */
  months: number[];
  /** The same for the year before, over the same months. */
  previousMonths: number[];
  cases: number;
  previousCases: number;
  /** The year is still under way: its figures are to date. */
  toDate: boolean;
}

export async function coverageOf(region: string, year: number): Promise<Coverage> {
  const today = chinaToday();
  const toDate = Number(today.slice(0, 4)) === year;
  const lastMonth = toDate ? Number(today.slice(5, 7)) : 12;
  const answer = await api.metrics({ measure: ['cases'], by: ['month'], from: `${year - 1}-01-01`, to: lastDayOf(`${year}-12`), region });
  const monthsWith = (y: number) =>
    answer.rows.filter((r) => String(r.dims.month ?? '').startsWith(`${y}-`) && (r.value ?? 0) > 0).map((r) => Number(String(r.dims.month).slice(5, 7))).filter((m) => m <= lastMonth);
  const total = (y: number) => answer.rows.filter((r) => String(r.dims.month ?? '').startsWith(`${y}-`) && Number(String(r.dims.month).slice(5, 7)) <= lastMonth).reduce((s, r) => s + (r.value ?? 0), 0);
  return { year, months: monthsWith(year), previousMonths: monthsWith(year - 1), cases: total(year), previousCases: total(year - 1), toDate };
}

/** What to say instead of the year's figures, or null when it has data. */
export function noDataText(c: Coverage, place: string): string | null {
  return c.cases === 0 ? t(`${place} ${c.year} 年没有信访事项数据：此处不显示指标，以免把数据缺失当作结果。`, `No case data for ${place} in ${c.year}: no figure is shown, so that missing data is not read as a result.`) : null;
}

/** A warning that the year-on-year comparison is not like for like, or null when it is. */
export function comparisonCaveat(c: Coverage): string | null {
  if (c.cases === 0) return null;
  if (c.previousCases === 0) return t(`${c.year - 1} 年同期没有数据，无法同比。`, `${c.year - 1} has no data for the same months: no year-on-year comparison.`);
  const missing = c.months.filter((m) => !c.previousMonths.includes(m));
  const extra = c.previousMonths.filter((m) => !c.months.includes(m));
  if (!missing.length && !extra.length) return null;
  const list = (ms: number[]) => ms.map((m) => t(`${m}月`, `month ${m}`)).join(t('、', ', '));
  return t(
    `数据不完整，同比不可比：${missing.length ? `${c.year - 1} 年 ${list(missing)} 无数据` : ''}${missing.length && extra.length ? '；' : ''}${extra.length ? `${c.year} 年 ${list(extra)} 无数据` : ''}。`,
    `Partial data, the comparison is not like for like: ${missing.length ? `${c.year - 1} has no data for ${list(missing)}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `${c.year} has no data for ${list(extra)}` : ''}.`,
  );
}
