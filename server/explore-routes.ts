/**
 * The analysts' explorer over HTTP: the file of exactly what GET /api/v1/metrics answers for
 * the same question (the same query, the region confined the same way), as CSV, XLSX,
 * Parquet or an Arrow IPC file.
 */
import { z } from 'zod';
import { EXPORT_FORMATS, exportFileName, MEDIA_TYPES, metricsTable, writeTable } from '../analytics/export/table-export.js';
import { MetricsError } from '../analytics/metrics/query.js';
import { answerMetrics, metricsQuery } from '../analytics/metrics/request.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { chinaDateOf } from '../rules/plain-date.js';
import type { Api } from './api.js';
import type { Auditor } from './audit.js';
import { HttpError } from './http-error.js';
import { confineRegion } from './scope.js';

export interface ExploreRouteDeps {
  store: AnalyticsStore;
  audit: Auditor;
  now: () => Date;
}

// The metrics query's catchall reads every other key as a dimension filter: `format` is declared, and taken out before the metrics layer sees the query.
export const exportQuery = metricsQuery.extend({ format: z.enum(EXPORT_FORMATS) });

export function exploreRoutes(api: Api, deps: ExploreRouteDeps): void {
  const { store, audit } = deps;

  api.add(
    {
      method: 'get',
      path: '/metrics/export',
      summary: 'What GET /metrics answers for the same query, as a file: format=csv|xlsx|parquet|arrow, one row per measure and dimension values',
      access: 'metrics.read',
      scope: 'region',
      query: exportQuery,
      expensive: true,
    },
    async ({ req, res, query, principal }) => {
      const { format: _format, ...question } = req.query as Record<string, unknown>;
      const region = await confineRegion(store, principal, query.region);
      const answer = await answerMetrics(store, { ...question, region }, chinaDateOf(deps.now())).catch((error: unknown) => {
        // A question the metrics layer refuses is the caller's to fix, as on GET /metrics.
        throw error instanceof MetricsError ? new HttpError(400, error.message) : error;
      });
      const table = metricsTable(answer, query.compare !== undefined);
      const file = await writeTable(store, table, query.format);
      const filename = exportFileName(answer, query.compare, query.format);
      // Figures of a jurisdiction leaving the system as a file: who took which, as for any data access.
      await audit.record(req, principal, { action: 'metrics.export', outcome: 'ok', status: 200, objectIds: [filename], detail: { format: query.format, rows: table.rows.length, region } });
      res.attachment(filename).type(MEDIA_TYPES[query.format]).set('cache-control', 'no-store').send(file);
      return undefined;
    },
  );
}
