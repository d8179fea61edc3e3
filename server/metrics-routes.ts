import { Router, type Request, type Response } from 'express';
import { tableFromJSON, tableToIPC } from 'apache-arrow';
import { z } from 'zod';
import { MetricsError } from '../analytics/metrics/query.js';
import { answerAnnualDataset, answerMetrics, answerRanking, answerThreeDeclines, catalog, reportQuery } from '../analytics/metrics/request.js';
import { petitionIndex } from '../analytics/petition-index/petition-index.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { chinaDateOf } from '../rules/plain-date.js';
import { HttpError } from './http-error.js';

const ARROW_STREAM = 'application/vnd.apache.arrow.stream';
const cityRow = z.object({ code: z.string() });

/**
 * The metrics layer over HTTP: the catalog, any measure by any dimension (JSON, or Arrow IPC
 * for the dashboard's tables), rankings, the three declines, the annual report's dataset and
 * the petition index with its method.
 */
export function metricsRoutes(deps: { store: AnalyticsStore; jurisdiction: string; now: () => Date }): Router {
  const { store, jurisdiction } = deps;
  const today = () => chinaDateOf(deps.now());
  const router = Router();
  const answer = (work: (req: Request) => Promise<unknown>) => async (req: Request, res: Response) => {
    try {
      res.json(await work(req));
    } catch (error) {
      if (error instanceof MetricsError) throw new HttpError(400, error.message);
      throw error;
    }
  };

  router.get('/api/metrics/catalog', (_req, res) => {
    res.json(catalog());
  });
  router.get('/api/metrics', async (req, res) => {
    try {
      const result = await answerMetrics(store, req.query, today());
      if (req.accepts(['application/json', ARROW_STREAM]) === ARROW_STREAM) {
        // One flat row per (measure, dimension values): what a table or a chart library wants.
        const flat = result.rows.map((r) => ('current' in r ? { measure: r.measure, ...r.dims, value: r.current.value, previous: r.previous?.value ?? null, change: r.change } : { measure: r.measure, ...r.dims, value: r.value, numerator: r.numerator ?? null, denominator: r.denominator ?? null }));
        res.type(ARROW_STREAM).send(Buffer.from(tableToIPC(tableFromJSON(flat), 'stream')));
        return;
      }
      res.json(result);
    } catch (error) {
      if (error instanceof MetricsError) throw new HttpError(400, error.message);
      throw error;
    }
  });
  router.get('/api/metrics/ranking', answer((req) => answerRanking(store, req.query, today())));
  router.get('/api/metrics/three-declines', answer((req) => answerThreeDeclines(store, req.query, today())));
  const city = async () => {
    const [row] = await store.all(cityRow, "SELECT code FROM regions WHERE level = 'city' AND jurisdiction = $jurisdiction", { jurisdiction });
    if (!row) throw new MetricsError(`no region hierarchy for ${jurisdiction}; import one first`);
    return row.code;
  };
  router.get('/api/reports/annual-data', answer(async (req) => answerAnnualDataset(store, req.query, today(), await city())));
  router.get(
    '/api/petition-index',
    answer(async (req) => {
      const q = reportQuery.parse(req.query);
      return petitionIndex(store, { year: q.year, region: q.region ?? (await city()), asOf: q.asOf ?? today() });
    }),
  );
  return router;
}
