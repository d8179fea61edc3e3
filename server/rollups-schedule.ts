import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { refreshRollupsWorkflow, ROLLUPS_SCHEDULE_ID } from '../workflows/rollups.js';
import { createScheduleOnce } from './temporal.js';

/**
 * Creates the Schedule that refreshes the metrics rollups every five minutes, once. Five
 * minutes of a busy city's events dirty a few months, which queries read from case_facts
 * meanwhile.
 */
export function ensureRollupsSchedule(client: Client, taskQueue: string): Promise<boolean> {
  return createScheduleOnce(client, {
    scheduleId: ROLLUPS_SCHEDULE_ID,
    spec: { intervals: [{ every: '5 minutes' }] },
    action: { type: 'startWorkflow', workflowType: refreshRollupsWorkflow, args: [], taskQueue, workflowId: ROLLUPS_SCHEDULE_ID },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  });
}
