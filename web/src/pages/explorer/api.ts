/**
 * The explorer's own calls: the figures of a view (compared when asked), the address of its
 * export, and the SQL console. Every shape is the server's own type.
 */
import type { ExportFormat } from '../../../../analytics/export/table-export.js';
import type { ConsoleAnswer, ConsoleViewDescription } from '../../../../analytics/sql-console.js';
import { api, metricsSearch, request, type ComparedRow, type MetricRow, type MetricsAnswer, type MetricsQuery } from '../../api.js';

export type { ConsoleAnswer, ConsoleViewDescription, ExportFormat };
export type Figures = MetricsAnswer<MetricRow | ComparedRow>;

/** The formats of GET /metrics/export, with their names on the buttons. */
export const EXPORT_FORMATS: readonly (readonly [ExportFormat, string])[] = [
  ['csv', 'CSV'],
  ['xlsx', 'Excel (.xlsx)'],
  ['parquet', 'Parquet'],
  ['arrow', 'Arrow'],
];

/** A view's figures: GET /metrics, compared year on year or with the period before when the question says so. */
export function figures(q: MetricsQuery): Promise<Figures> {
  const { compare, ...rest } = q;
  return compare ? api.compare(rest, compare) : api.metrics(rest);
}

/** The file of exactly what GET /metrics answers for the same question (the same query string). */
export const exportHref = (q: MetricsQuery, format: ExportFormat): string => `/api/v1/metrics/export?${metricsSearch(q)}&format=${format}`;

export const runSql = (sql: string, limit?: number) => request<ConsoleAnswer>('/sql', 'POST', { sql, ...(limit ? { limit } : {}) });
export const sqlViews = () => request<{ region: string; views: ConsoleViewDescription[] }>('/sql/views');
