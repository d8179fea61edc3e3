import { jurisdictionData } from '../domain/jurisdiction-data.js';
import { refreshCaseFacts } from './facts.js';
import { recordRegions } from './region-log.js';
import type { AnalyticsStore } from './store.js';
import { generate, storeSink } from './generator/generate.js';
import { addDays, parsePlainDate } from '../rules/plain-date.js';

/**
 * The demo dataset of `npm start` (first start, empty database): the realistic generator's
 * output for the 36 months before the anchor month, written straight into the store with
 * origin `demo`. About 20,000 cases with their full lifecycles; cases whose later steps fall
 * after the start of the anchor month are still open.
 */
export interface DemoOptions {
  /** First month not covered, YYYY-MM; the demo ends the day before it begins. */
  anchorMonth: string;
  jurisdiction: string;
  months?: number;
  cases?: number;
  seed?: number;
}

export async function loadDemoData(store: AnalyticsStore, options: DemoOptions): Promise<{ cases: number; events: number }> {
  const anchor = parsePlainDate(`${options.anchorMonth}-01`);
  const months = options.months ?? 36;
  const y = Number(anchor.slice(0, 4));
  const m = Number(anchor.slice(5, 7)) - 1 - months;
  const from = parsePlainDate(new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10));
  const to = addDays(anchor, -1);
  return store.transaction(async (conn) => {
    const summary = await generate(conn, storeSink('demo'), {
      cases: options.cases ?? 20_000,
      from,
      to,
      seed: options.seed ?? 42,
      jurisdiction: options.jurisdiction,
      prefix: 'DEMO-',
    });
    await refreshCaseFacts(conn, 'transaction');
    // The generator places cases in the jurisdiction's districts and streets.
    await recordRegions(conn, jurisdictionData(options.jurisdiction).regions);
    return { cases: summary.cases, events: summary.events };
  });
}
