import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AnalyticsStore } from './store.js';

/**
 * Measures, declared once as data: label, description and the SQL that computes them.
 * Dashboard, API, reports and tests all read a measure from here. The full metrics layer
 * (dimensions, time comparison, rankings) grows from this shape in the metrics issue.
 */
export interface MeasureDefinition<Row> {
  id: string;
  labelZh: string;
  labelEn: string;
  description: string;
  /** Date basis of the measure. */
  dateBasis: string;
  sql: string;
  row: z.ZodType<Row>;
}

const sqlFile = (name: string): string => readFileSync(new URL(`./metrics/${name}`, import.meta.url), 'utf8');

export const casesByMonth: MeasureDefinition<{ month: string; cases: number }> = {
  id: 'cases_by_month',
  labelZh: '信访事项数（按月）',
  labelEn: 'Petition cases by month',
  description: 'Petition cases received in each calendar month, all channels, counted once per case.',
  dateBasis: 'received_date (China calendar date of receipt)',
  sql: sqlFile('cases-by-month.sql'),
  row: z.object({ month: z.string(), cases: z.number().int() }),
};

export interface MonthRange {
  /** First month, YYYY-MM. */
  from: string;
  /** Last month, YYYY-MM, inclusive. */
  to: string;
  region?: string;
}

export async function queryCasesByMonth(store: AnalyticsStore, range: MonthRange) {
  return store.all(casesByMonth.row, casesByMonth.sql, {
    from: `${range.from}-01`,
    to: `${range.to}-01`,
    region: range.region ?? null,
  });
}

export function describeMeasure(measure: MeasureDefinition<unknown>) {
  const { id, labelZh, labelEn, description, dateBasis } = measure;
  return { id, labelZh, labelEn, description, dateBasis };
}
