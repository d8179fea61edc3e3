/** Duty periods in China calendar dates: quarters, half-years and years (DOMAIN §5). */
import { addDays, parsePlainDate, type PlainDate } from './plain-date.js';

export type PeriodKind = 'quarter' | 'half-year' | 'year';

export interface Period {
  kind: PeriodKind;
  /** e.g. 2025Q3, 2025H2, 2025 */
  label: string;
  start: PlainDate;
  /** Last day, inclusive. */
  end: PlainDate;
}

const MONTHS: Record<PeriodKind, number> = { quarter: 3, 'half-year': 6, year: 12 };

export function periodContaining(date: PlainDate, kind: PeriodKind): Period {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const length = MONTHS[kind];
  const index = Math.floor((month - 1) / length);
  const first = index * length + 1;
  const start = parsePlainDate(`${year}-${String(first).padStart(2, '0')}-01`);
  const next = first + length > 12 ? `${year + 1}-01-01` : `${year}-${String(first + length).padStart(2, '0')}-01`;
  const end = addDays(parsePlainDate(next), -1);
  const label = kind === 'quarter' ? `${year}Q${index + 1}` : kind === 'half-year' ? `${year}H${index + 1}` : String(year);
  return { kind, label, start, end };
}

/** Every period of a kind that overlaps a year, in order. */
export function periodsOfYear(year: number, kind: PeriodKind): Period[] {
  const periods: Period[] = [];
  for (let d = parsePlainDate(`${year}-01-01`); d.startsWith(String(year)); ) {
    const p = periodContaining(d, kind);
    periods.push(p);
    d = addDays(p.end, 1);
  }
  return periods;
}
