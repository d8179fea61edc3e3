import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { refreshRollupsWorkflow, ROLLUPS_SCHEDULE_ID } from '../workflows/rollups.js';

/**
 * Creates the Schedule that refreshes the metrics rollups every five minutes, once; a second
 * start finds it and leaves it as it is. Five minutes of a busy city's events dirty a few
 * months, which queries read from case_facts meanwhile, a few tens of milliseconds at 10M cases.
 */
export async function ensureRollupsSchedule(client: Client, taskQueue: string): Promise<boolean> {
  try {
    await client.schedule.create({
      scheduleId: ROLLUPS_SCHEDULE_ID,
      spec: { intervals: [{ every: '5 minutes' }] },
      action: { type: 'startWorkflow', workflowType: refreshRollupsWorkflow, args: [], taskQueue, workflowId: ROLLUPS_SCHEDULE_ID },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    return true;
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return false;
    throw error;
  }
}
