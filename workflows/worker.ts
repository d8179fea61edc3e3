import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import type { AnalyticsStore } from '../analytics/store.js';
import { createCaseActivities, deadlineActivities } from './activities.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./petition-case.ts', import.meta.url));

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  store: AnalyticsStore;
  /** A prebuilt bundle (tests build one per file); otherwise the worker bundles WORKFLOWS_PATH. */
  workflowBundle?: WorkflowBundleOption;
}

export async function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, store, workflowBundle } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: { ...createCaseActivities(store), ...deadlineActivities },
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}
