/**
 * Shared setup of the time-skipping workflow tests: the workflow bundle once per file, an
 * in-memory DuckDB, and a fresh test server per test, because time is global to a test
 * server and awaiting the result of a workflow that completed through an update makes the
 * Java test server (1.38) skip about ten years, carrying later tests far into the future.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { AnalyticsStore } from '../../analytics/store.js';
import { createCaseWorker, WORKFLOWS_PATH } from '../../workflows/worker.js';
import { coverFutureYearsWithWeekendsOnly } from './future-calendar.js';
import { timeSkippingServerPath } from './tools.js';

export interface TimeSkippingSuite {
  readonly env: TestWorkflowEnvironment;
  readonly store: AnalyticsStore;
  /** A worker on this test's server; maxCachedWorkflows 0 lets another worker take over at once. */
  worker(taskQueue: string, options?: { maxCachedWorkflows?: number }): Promise<Worker>;
  /** Runs `run` with a worker on a fresh task queue. */
  withWorker<T>(run: (taskQueue: string) => Promise<T>): Promise<T>;
}

export function timeSkippingSuite(): TimeSkippingSuite {
  coverFutureYearsWithWeekendsOnly();
  let env: TestWorkflowEnvironment | undefined;
  let store: AnalyticsStore | undefined;
  let bundle: WorkflowBundle | undefined;
  const serverPath = timeSkippingServerPath();

  beforeAll(async () => {
    const quiet = () => undefined;
    bundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (m: string) => console.error(m) },
    });
    store = await AnalyticsStore.open(':memory:');
  }, 120_000);
  afterAll(() => store?.close());
  beforeEach(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: serverPath } } });
  }, 30_000);
  afterEach(async () => {
    await env?.teardown();
  });

  const suite: TimeSkippingSuite = {
    get env() {
      if (!env) throw new Error('the test server starts in beforeEach');
      return env;
    },
    get store() {
      if (!store) throw new Error('the store opens in beforeAll');
      return store;
    },
    worker: (taskQueue, options = {}) =>
      createCaseWorker({
        connection: suite.env.nativeConnection,
        namespace: 'default',
        taskQueue,
        store: suite.store,
        workflowBundle: bundle!,
        ...options,
      }),
    async withWorker(run) {
      const taskQueue = `test-${randomUUID()}`;
      return (await suite.worker(taskQueue)).runUntil(run(taskQueue));
    },
  };
  return suite;
}
