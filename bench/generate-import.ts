/**
 * Data bench (issue 4): generates CASES petition cases (default 10,000,000) over 2021-2025 as
 * Parquet, then imports them into a fresh DuckDB file, and writes the figures to
 * bench/results/data-CASES.json: wall time, cases and events per second, peak resident memory
 * of this process, output size. Run with `npm run bench:data` (CASES=1000000 for a quick run);
 * it is not a test and asserts nothing.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToParquet } from '../analytics/generator/generate.js';
import { importFiles } from '../analytics/import/importer.js';
import { petitionerKeys } from '../analytics/import/pseudonym.js';
import { expandPaths } from '../analytics/import/run.js';
import { AnalyticsStore } from '../analytics/store.js';
import { beijingRegions } from '../domain/region-hierarchy.js';
import { parsePlainDate } from '../rules/plain-date.js';

const cases = Number(process.env.CASES ?? 10_000_000);
const work = process.env.BENCH_DIR ?? join(tmpdir(), `data-bench-${process.pid}-${cases}`);
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);

const size = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((a, e) => a + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);

const out = join(work, 'parquet');
const gen = await generateToParquet(out, {
  cases,
  from: parsePlainDate('2021-01-01'),
  to: parsePlainDate('2025-12-31'),
  seed: 42,
  anomalies: 5,
});
const genPeak = peakRss;
const parquetBytes = size(out);
console.log(`generated ${gen.cases} cases, ${gen.events} events in ${gen.ms} ms`);

peakRss = 0;
const store = await AnalyticsStore.open(join(work, 'bench.duckdb'));
const started = Date.now();
const report = await importFiles(store, {
  sources: expandPaths([out]).map((path) => ({ path })),
  hierarchy: beijingRegions(),
  keys: petitionerKeys(Buffer.alloc(32, 1)),
});
const importMs = Date.now() - started;
store.close();
clearInterval(sampler);
console.log(`imported ${report.cases.imported} cases, ${report.events.imported} events in ${importMs} ms`);

const result = {
  bench: 'data generate + import',
  machine: { cores: 2, note: 'shared 2-core machine, run with nice -n 10' },
  node: process.version,
  date: new Date().toISOString(),
  generate: {
    cases: gen.cases,
    events: gen.events,
    batches: gen.batches,
    ms: gen.ms,
    casesPerSecond: Math.round(gen.cases / (gen.ms / 1000)),
    eventsPerSecond: Math.round(gen.events / (gen.ms / 1000)),
    parquetBytes,
    peakRssMiB: Math.round(genPeak / 2 ** 20),
  },
  import: {
    cases: report.cases,
    events: report.events,
    ms: importMs,
    casesPerSecond: Math.round(report.cases.imported / (importMs / 1000)),
    eventsPerSecond: Math.round(report.events.imported / (importMs / 1000)),
    duckdbBytes: statSync(join(work, 'bench.duckdb')).size,
    peakRssMiB: Math.round(peakRss / 2 ** 20),
  },
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/data-${cases}.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify(result, null, 2));
