/**
 * The case worker in its own process, for the benchmark: sends the parent, over the IPC
 * channel, its memory and how many cases it has recorded each second, so the parent measures
 * the worker alone. (Not stdout: the SDK's core writes its own log lines there.)
 * Args: ADDRESS TASK_QUEUE DUCKDB_PATH MAX_CACHED_WORKFLOWS
 */
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { countCases } from '../analytics/case-log.js';
import { AnalyticsStore } from '../analytics/store.js';
import { createCaseWorker } from '../workflows/worker.js';

const [address, taskQueue, duckdbPath, maxCached] = process.argv.slice(2) as [string, string, string, string];
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGTERM', 'SIGINT'] });
const store = await AnalyticsStore.open(duckdbPath);
const worker = await createCaseWorker({
  connection: await NativeConnection.connect({ address }),
  namespace: 'default',
  taskQueue,
  store,
  workflowsPath: fileURLToPath(new URL('./timer-probe.ts', import.meta.url)),
  maxCachedWorkflows: Number(maxCached),
});
const report = setInterval(async () => {
  const { rss, heapUsed } = process.memoryUsage();
  process.send?.({ rss, heapUsed, cases: await countCases(store) });
}, 1000);
await worker.run();
clearInterval(report);
store.close();
