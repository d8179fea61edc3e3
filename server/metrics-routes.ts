/**
 * The metrics layer over HTTP: the catalog, any measure by any dimension (JSON, or Arrow IPC
 * for the dashboard's tables), rankings, the three declines, the annual report's dataset and
 * the petition index with its method. Every figure is of a region in the caller's
 * jurisdiction: the one asked for, else the caller's own node; so are the catalog's source
 * dimensions, those the region's imported cases carry.
 */
import { tableFromJSON, tableToIPC } from 'apache-arrow';
import { MetricsError } from '../analytics/metrics/query.js';
import {
  answerAnnualDataset,
  answerCatalog,
  answerMetrics,
  answerRanking,
  answerThreeDeclines,
  catalogQuery,
  metricsQuery,
  periodQuery,
  rankingQuery,
  reportQuery,
} from '../analytics/metrics/request.js';
import { petitionIndex } from '../analytics/petition-index/petition-index.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { Principal } from '../domain/roles.js';
import { chinaDateOf } from '../rules/plain-date.js';
import type { Api } from './api.js';
import { HttpError } from './http-error.js';
import { confineRegion, regionNode } from './scope.js';

const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

export interface MetricsRouteDeps {
  store: AnalyticsStore;
  now: () => Date;
}

/** A question the metrics layer refuses is the caller's to fix. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MetricsError) throw new HttpError(400, error.message);
    throw error;
  }
}

export function metricsRoutes(api: Api, deps: MetricsRouteDeps): void {
  const { store } = deps;
  const today = () => chinaDateOf(deps.now());
  /**
   * The raw query with the region confined: the metrics layer validates the query string
   * itself (the CLI shares it), so it is handed the text, with the region it may read.
   */
  const confined = async (raw: object, p: Principal, region: string | undefined) => ({ ...raw, region: await confineRegion(store, p, region) });

  api.add(
    {
      method: 'get',
      path: '/metrics/catalog',
      summary: "Every measure and dimension, with the source dimensions (src:NAME) imports declared that the region's cases carry",
      access: 'metrics.read',
      scope: 'region',
      query: catalogQuery,
    },
    async ({ req, query, principal }) => answer(async () => answerCatalog(store, await confined(req.query, principal, query.region))),
  );

  api.add(
    { method: 'get', path: '/metrics', summary: 'Measures by any dimensions, filtered by dimension values (JSON, or Arrow IPC)', access: 'metrics.read', scope: 'region', query: metricsQuery, expensive: true },
    async ({ req, res, query, principal }) => {
      const result = await answer(async () => answerMetrics(store, await confined(req.query, principal, query.region), today()));
      if (req.accepts(['application/json', ARROW_STREAM]) === ARROW_STREAM) {
        // One flat row per (measure, dimension values): what a table or a chart library wants.
        const flat = result.rows.map((r) =>
          'current' in r
            ? { measure: r.measure, ...r.dims, value: r.current.value, previous: r.previous?.value ?? null, change: r.change }
            : { measure: r.measure, ...r.dims, value: r.value, numerator: r.numerator ?? null, denominator: r.denominator ?? null },
        );
        res.type(ARROW_STREAM).send(Buffer.from(tableToIPC(tableFromJSON(flat), 'stream')));
        return undefined;
      }
      return result;
    },
  );

  api.add(
    { method: 'get', path: '/metrics/ranking', summary: 'A fair ranking of districts, streets or organs, with intervals and volume tiers', access: 'metrics.read', scope: 'region', query: rankingQuery, expensive: true },
    async ({ req, query, principal }) => answer(async () => answerRanking(store, await confined(req.query, principal, query.region), today())),
  );

  api.add(
    { method: 'get', path: '/metrics/three-declines', summary: 'The three declines (三个下降), each year on year', access: 'metrics.read', scope: 'region', query: periodQuery, expensive: true },
    async ({ req, query, principal }) => answer(async () => answerThreeDeclines(store, await confined(req.query, principal, query.region), today())),
  );

  api.add(
    { method: 'get', path: '/reports/annual-data', summary: "The annual report's dataset, every figure with the request that made it", access: 'metrics.read', scope: 'region', query: reportQuery, expensive: true },
    async ({ req, query, principal }) =>
      answer(async () => {
        const q = await confined(req.query, principal, query.region);
        return answerAnnualDataset(store, q, today(), q.region);
      }),
  );

  api.add(
    { method: 'get', path: '/petition-index', summary: "The petition index (信访指数) of a city's districts, with its method", access: 'metrics.read', scope: 'region', query: reportQuery, expensive: true },
    async ({ query, principal }) => {
      const region = await confineRegion(store, principal, query.region);
      // The index ranks every district of the city against the others: below the city it would show other districts' figures.
      if ((await regionNode(store, region))?.level !== 'city') {
        throw new HttpError(403, `the petition index compares all districts of the city; your jurisdiction is region ${principal.regionCode ?? ''}`, 'outside_jurisdiction', 'region');
      }
      return answer(async () => petitionIndex(store, { year: query.year, region, asOf: query.asOf ?? today() }));
    },
  );
}
