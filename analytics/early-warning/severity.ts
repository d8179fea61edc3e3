import type { PlainDate } from '../../rules/plain-date.js';
import type { SensitiveCalendar } from './sensitive-periods.js';

export const SEVERITIES = ['info', 'warning', 'serious'] as const;
export type Severity = (typeof SEVERITIES)[number];

const rank = (s: Severity) => SEVERITIES.indexOf(s);
export const maxSeverity = (a: Severity, b: Severity): Severity => (rank(a) >= rank(b) ? a : b);

/**
 * The first severity whose threshold the value reaches, from the top; below every threshold, info.
 * Thresholds come from the scan configuration, so the rules are data.
 */
export function severityByThreshold(value: number, thresholds: { warning: number; serious: number }): Severity {
  if (value >= thresholds.serious) return 'serious';
  if (value >= thresholds.warning) return 'warning';
  return 'info';
}

export interface RatedSeverity {
  severity: Severity;
  base: Severity;
  /** The sensitive period that raised it, by its Chinese and English names. */
  sensitivePeriod: string | null;
}

/**
 * Inside a sensitive period an alert goes up one step (serious stays serious: it is the top
 * of the scale), and the period is named so a reader sees why.
 */
export function applySensitivePeriod(base: Severity, week: PlainDate, calendar: SensitiveCalendar): RatedSeverity {
  const period = calendar.periodOfWeek(week);
  if (!period) return { severity: base, base, sensitivePeriod: null };
  return {
    severity: SEVERITIES[Math.min(rank(base) + 1, SEVERITIES.length - 1)]!,
    base,
    sensitivePeriod: `${period.nameZh} ${period.nameEn} ${period.from}..${period.to}`,
  };
}
