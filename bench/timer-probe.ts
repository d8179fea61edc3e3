/** Bench-only workflows: the case workflows plus a probe that measures how late a timer fires. */
import { sleep } from '@temporalio/workflow';

export * from '../workflows/index.js';

/** Sleeps until `target` (epoch ms) and returns how late it woke, by the workflow clock. */
export async function timerProbeWorkflow(target: number): Promise<number> {
  await sleep(Math.max(1, target - Date.now()));
  return Date.now() - target;
}
