import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import type { AnalyticsStore } from '../analytics/store.js';
import {
  accountabilityPlanning,
  createAccountabilityActivities,
  createCaseActivities,
  createDutyActivities,
  deadlineActivities,
  dutyPlanning,
} from './activities.js';
import { createEarlyWarningActivities } from './early-warning-activities.js';
import { createRecommendationActivities, recommendationPlanning } from './recommendation-activities.js';
import { createReportActivities } from './report-activities.js';
import { createRollupActivities } from './rollup-activities.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./index.ts', import.meta.url));

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  store: AnalyticsStore;
  /** A prebuilt bundle (tests build one per file); otherwise the worker bundles WORKFLOWS_PATH. */
  workflowBundle?: WorkflowBundleOption;
  /** 0 turns off the sticky cache, so another worker takes over a case at once. */
  maxCachedWorkflows?: number;
  /** Workflows to bundle instead of WORKFLOWS_PATH (the benchmark adds its probe). */
  workflowsPath?: string;
  /** The system's (payload encryption); the clients that start its workflows must use the same. */
  dataConverter?: DataConverter;
}

export async function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, store, workflowBundle, maxCachedWorkflows, workflowsPath, dataConverter } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: {
      ...createCaseActivities(store),
      ...deadlineActivities,
      ...createAccountabilityActivities(store),
      ...accountabilityPlanning,
      ...createDutyActivities(store),
      ...dutyPlanning,
      ...createEarlyWarningActivities(store),
      ...createRecommendationActivities(store),
      ...createRollupActivities(store),
      ...createReportActivities(store),
      ...recommendationPlanning,
    },
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: workflowsPath ?? WORKFLOWS_PATH }),
    ...(maxCachedWorkflows !== undefined ? { maxCachedWorkflows } : {}),
    ...(dataConverter ? { dataConverter } : {}),
  });
}
