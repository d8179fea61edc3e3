/**
 * Case workflows on the Temporal dev server on this machine (issue 5):
 *   - start N case workflows (default 10,000) and report starts per second and how long the
 *     worker takes to record them all in DuckDB;
 *   - the worker's memory (RSS) while it holds them open, with a bounded sticky cache;
 *   - how late timers fire under that load, from probe workflows sleeping to known instants.
 * Run: `npm run bench:cases` (CASES=100000 for the large run). Writes bench/results/case-workflows-N.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEmbeddedTemporal } from '../server/temporal.js';
import { freePort } from '../test/support/ports.js';
import type { PetitionCaseInput } from '../workflows/case-actions.js';

const CASES = Number(process.env.CASES ?? 10_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const MAX_CACHED = Number(process.env.MAX_CACHED ?? 2_000);
const PROBES = 100;
const dir = mkdtempSync(join(tmpdir(), 'xinfang-bench-'));
const log = (line: string) => console.error(`[bench] ${line}`);

const temporal = await startEmbeddedTemporal(
  { port: await freePort(), uiPort: await freePort(), dbFilename: join(dir, 'temporal.db') },
  log,
);
const taskQueue = 'bench-cases';
const worker = spawn(process.execPath, [...(process.env.CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.CPU_PROF] : []), '--import', 'tsx', new URL('./case-worker.ts', import.meta.url).pathname, temporal.address, taskQueue, join(dir, 'bench.duckdb'), String(MAX_CACHED)], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
let latest = { rss: 0, heapUsed: 0, cases: 0 };
let peakRss = 0;
const rssSamples: { atCases: number; rss: number }[] = [];
worker.on('message', (message) => {
  latest = message as typeof latest;
  peakRss = Math.max(peakRss, latest.rss);
  rssSamples.push({ atCases: latest.cases, rss: latest.rss });
});

const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
const receivedAt = new Date().toISOString();
const input = (i: number): PetitionCaseInput => ({
  intake: {
    caseId: `BENCH-${i}`,
    jurisdiction: 'beijing',
    receivedAt,
    channel: i % 3 === 0 ? 'online' : 'visit',
    regionCode: '110105',
    collectiveSize: 1,
  },
  receivedBy: { organ: '市信访办', kind: 'petition-office' },
});

// Probes are timed for after the starts, so they fire while every case is open.
const startedAt = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < CASES; i = next++) {
      await client.workflow.start('petitionCaseWorkflow', { workflowId: `bench-${i}`, taskQueue, args: [input(i)] });
    }
  }),
);
const startSeconds = (performance.now() - startedAt) / 1000;
log(`started ${CASES} cases in ${startSeconds.toFixed(1)} s`);

while (latest.cases < CASES) await new Promise((r) => setTimeout(r, 500));
const recordedSeconds = (performance.now() - startedAt) / 1000;
log(`worker recorded all ${CASES} cases after ${recordedSeconds.toFixed(1)} s`);

const probeBase = Date.now() + 5_000;
const probes = await Promise.all(
  Array.from({ length: PROBES }, (_, i) =>
    client.workflow.start('timerProbeWorkflow', { workflowId: `probe-${i}`, taskQueue, args: [probeBase + i * 100] }),
  ),
);
const lateness = (await Promise.all(probes.map((p) => p.result() as Promise<number>))).sort((a, b) => a - b);
const settledRss = latest.rss;

const result = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model },
  server: 'temporal CLI dev server (SQLite file), same machine',
  cases: CASES,
  startConcurrency: CONCURRENCY,
  startsPerSecond: Math.round(CASES / startSeconds),
  secondsUntilAllRecordedInDuckDB: +recordedSeconds.toFixed(1),
  worker: {
    maxCachedWorkflows: MAX_CACHED,
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    rssWithAllCasesOpenMiB: Math.round(settledRss / 2 ** 20),
    rssMiBAtCases: rssSamples
      .filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 10)) === 0)
      .map((s) => ({ cases: s.atCases, rssMiB: Math.round(s.rss / 2 ** 20) })),
  },
  timerLatenessMs: {
    probes: PROBES,
    p50: lateness[Math.floor(PROBES * 0.5)],
    p95: lateness[Math.floor(PROBES * 0.95)],
    max: lateness.at(-1),
    note: 'probe workflows sleeping to known instants while all cases are open; case clocks end at China midnights',
  },
};
writeFileSync(new URL(`./results/case-workflows-${CASES}.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));

worker.kill('SIGTERM');
await new Promise((r) => worker.once('exit', r));
await temporal.stop();
rmSync(dir, { recursive: true, force: true });
