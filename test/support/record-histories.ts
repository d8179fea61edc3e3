/**
 * Records workflow histories of the current code for the replay test
 * (test/integration/replay.test.ts), one file per scenario of history-scenarios.ts. Run for a
 * new workflow type, or after a deliberate, patched change to a workflow, to add the new
 * version's histories beside the old ones; never to overwrite a history that replays no more:
 *
 *   npx tsx test/support/record-histories.ts NAME...
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { AnalyticsStore } from '../../analytics/store.js';
import { createCaseWorker, WORKFLOWS_PATH } from '../../workflows/worker.js';
import { coverFutureYearsWithWeekendsOnly } from './future-calendar.js';
import { SCENARIOS } from './history-scenarios.js';
import { timeSkippingServerPath } from './tools.js';

const names = process.argv.slice(2);
const usage = `usage: record-histories.ts NAME...; scenarios: ${Object.keys(SCENARIOS).join(', ')}`;
if (names.length === 0) throw new Error(usage);
const dir = new URL('../fixtures/histories/', import.meta.url);
const fileOf = (name: string) => new URL(`${name}.binpb`, dir);
for (const name of names) {
  if (!SCENARIOS[name]) throw new Error(`no scenario ${name}; ${usage}`);
  if (existsSync(fileOf(name))) throw new Error(`${fileOf(name).pathname} exists; record under a new name`);
}
mkdirSync(dir, { recursive: true });

Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
coverFutureYearsWithWeekendsOnly();
const quiet = () => undefined;
const workflowBundle = await bundleWorkflowCode({
  workflowsPath: WORKFLOWS_PATH,
  logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (m: string) => console.error(m) },
});

for (const name of names) {
  // A server and a store of its own: time is global to a test server, and a scenario's
  // skips would carry the next one into the future.
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } },
  });
  const store = await AnalyticsStore.open(':memory:');
  try {
    const taskQueue = `record-${randomUUID()}`;
    const worker = await createCaseWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, store, workflowBundle });
    const history = await worker.runUntil(async () => {
      const handle = await SCENARIOS[name]!({ env, store, taskQueue });
      await handle.result();
      return handle.fetchHistory();
    });
    // Binary protobuf: the JSON helpers of @temporalio/common trip over the second copy of
    // protobufjs that npm nests under @temporalio/proto.
    writeFileSync(fileOf(name), proto.temporal.api.history.v1.History.encode(history).finish());
    console.log(`recorded ${fileOf(name).pathname} (${history.events?.length ?? 0} events)`);
  } finally {
    await env.teardown();
    store.close();
  }
}
