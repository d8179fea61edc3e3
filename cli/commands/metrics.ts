import { z } from 'zod';
import { MetricsError } from '../../analytics/metrics/query.js';
import { answerAnnualDataset, answerCatalog, answerMetrics, answerRanking } from '../../analytics/metrics/request.js';
import { chinaDateOf } from '../../rules/plain-date.js';
import { callApi, DEFAULT_URL, printOrFail } from '../api-client.js';
import { parseOptions, UsageError, type Command } from '../command.js';
import { openDatabaseFile } from '../database-file.js';

const usage = `usage: xinfang metrics --year YYYY [--region CODE] [--measure NAME ...] [--by DIM ...] [--as-of YYYY-MM-DD]
                       [--compare yoy|pop] [--filter DIM=VALUE ...] [--url ${DEFAULT_URL} | --db FILE]
       xinfang metrics --annual --year YYYY [--region CODE] [--as-of YYYY-MM-DD]
       xinfang metrics --ranking NAME --by district|street|organ --year YYYY [--region CODE] [--min-volume N]
       xinfang metrics --catalog [--region CODE]
Prints JSON. Measures and dimensions are those of the catalog (--catalog, GET /api/v1/metrics/catalog,
analytics/metrics/catalog.ts), with the source dimensions imports declared (src:NAME, for --by
and --filter): the region's (the user's own node through the API; every one with --db and no
--region); without --measure, every measure. --from/--to instead of --year
give any period. Asks the running system (--url); --db reads a database file directly, for a
copy or when the system is not running (DuckDB lets one process write a file).`;

export const command: Command = {
  summary: 'the metrics catalog, and measures, rankings and the annual report dataset from it, as JSON',
  usage,
  async run(args) {
    const { values } = parseOptions({
      args,
      strict: true,
      options: {
        year: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'as-of': { type: 'string' },
        region: { type: 'string' },
        measure: { type: 'string', multiple: true },
        by: { type: 'string', multiple: true },
        compare: { type: 'string' },
        annual: { type: 'boolean' },
        catalog: { type: 'boolean' },
        ranking: { type: 'string' },
        'min-volume': { type: 'string' },
        filter: { type: 'string', multiple: true },
        url: { type: 'string' },
        db: { type: 'string' },
      },
    });
    const { year, from, to, region, measure, by, compare, annual, catalog, ranking, url, db, filter } = values;
    if (catalog) {
      const other = (['year', 'from', 'to', 'as-of', 'measure', 'by', 'compare', 'annual', 'ranking', 'min-volume', 'filter'] as const).find((o) => values[o] !== undefined);
      if (other) throw new UsageError(`--catalog takes only --region, --url or --db, not --${other}`);
      const query: Record<string, string> = region === undefined ? {} : { region };
      if (db !== undefined) return fromFile(db, 'catalog', query);
      return printOrFail(await callApi(url ?? DEFAULT_URL, `/api/v1/metrics/catalog?${new URLSearchParams(query)}`));
    }
    const query: Record<string, string | string[]> = {};
    const put = (key: string, value: string | string[] | undefined) => {
      if (value !== undefined) query[key] = value;
    };
    put('year', year);
    put('from', from);
    put('to', to);
    put('asOf', values['as-of']);
    put('region', region);
    if (ranking !== undefined) {
      put('measure', ranking);
      put('by', by?.[0]);
      put('minVolume', values['min-volume']);
    } else if (!annual) {
      put('measure', measure);
      put('by', by);
      put('compare', compare);
      // A filter is a dimension and its values (--filter channel=visit,letter); the shared validation checks both.
      for (const f of filter ?? []) {
        const [dimension, value] = f.split('=', 2);
        if (!dimension || value === undefined) throw new UsageError(`--filter ${f}: write DIMENSION=VALUE[,VALUE...]`);
        if (['year', 'from', 'to', 'asOf', 'region', 'measure', 'by', 'compare'].includes(dimension)) {
          throw new UsageError(`--filter ${f}: ${dimension} is not a dimension`);
        }
        query[dimension] = [...[query[dimension] ?? []].flat(), value];
      }
    }
    const kind = annual ? 'annual' : ranking !== undefined ? 'ranking' : 'metrics';

    if (db !== undefined) return fromFile(db, kind, query);
    const path = { annual: '/api/v1/reports/annual-data', ranking: '/api/v1/metrics/ranking', metrics: '/api/v1/metrics' }[kind];
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) for (const v of [value].flat()) search.append(key, v);
    return printOrFail(await callApi(url ?? DEFAULT_URL, `${path}?${search}`));
  },
};

const cityRow = z.object({ code: z.string() });

async function fromFile(path: string, kind: 'annual' | 'ranking' | 'metrics' | 'catalog', query: Record<string, string | string[]>): Promise<number> {
  const store = await openDatabaseFile(path);
  const today = chinaDateOf(new Date());
  try {
    let result: unknown;
    if (kind === 'annual') {
      const [city] = await store.all(cityRow, "SELECT code FROM regions WHERE level = 'city' ORDER BY code LIMIT 1");
      if (!city && !query.region) throw new UsageError(`${path} has no region hierarchy; give --region`);
      result = await answerAnnualDataset(store, query, today, city?.code ?? '');
    } else if (kind === 'ranking') result = await answerRanking(store, query, today);
    else if (kind === 'catalog') result = await answerCatalog(store, query);
    else result = await answerMetrics(store, query, today);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof MetricsError) throw new UsageError(error.message);
    if (error instanceof z.ZodError) throw new UsageError(error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; '));
    throw error;
  } finally {
    store.close();
  }
}
