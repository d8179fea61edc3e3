import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventsOfCase } from '../../analytics/case-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import type { CaseIntake } from '../../domain/case.js';
import { caseDeadline } from '../../rules/case-rules.js';
import { chinaDateOf } from '../../rules/plain-date.js';
import { caseStateQuery, petitionCaseWorkflow, routeUpdate } from '../../workflows/petition-case.js';
import { createCaseWorker, WORKFLOWS_PATH } from '../../workflows/worker.js';
import { timeSkippingServerPath } from '../support/tools.js';

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let store: AnalyticsStore;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  store = await AnalyticsStore.open(':memory:');
}, 120_000);

afterAll(() => store?.close());

// One server per test: time is global to a test server, and awaiting the result of a
// workflow that completed through an update makes the Java test server (1.38) skip about
// ten years, which would carry every later test outside the holiday calendar.
const serverPath = timeSkippingServerPath();
beforeEach(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: serverPath } },
  });
}, 30_000);
afterEach(async () => {
  await env?.teardown();
});

async function withWorker<T>(run: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await createCaseWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    store,
    workflowBundle: bundle,
  });
  return worker.runUntil(run(taskQueue));
}

async function intakeAtServerNow(caseId: string): Promise<CaseIntake> {
  return {
    caseId,
    jurisdiction: 'beijing',
    receivedAt: new Date(await env.currentTimeMs()).toISOString(),
    channel: 'visit',
    regionCode: '110105',
    collectiveSize: 1,
    summary: 'wage arrears',
  };
}

describe('petition case workflow: the 15-day routing clock (信访工作条例 第二十二条)', () => {
  it('fires when the due day (15 days after receipt, rolled to a working day) ends, and records the breach once', async () => {
    const intake = await intakeAtServerNow('T-OVERDUE');
    const receivedDate = chinaDateOf(new Date(intake.receivedAt));
    const expected = caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'route', start: receivedDate });
    expect(expected.rule).toMatchObject({ pack: 'regulations-2022', article: '第二十二条' });

    await withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start(petitionCaseWorkflow, {
        workflowId: `case-${intake.caseId}`,
        taskQueue,
        args: [intake],
      });
      // One minute before the breach instant: still on time.
      await env.sleep(Date.parse(expected.breachAt) - (await env.currentTimeMs()) - 60_000);
      const before = await handle.query(caseStateQuery);
      expect(before.routeOverdue).toBe(false);
      expect(before.routeDeadline.due).toBe(expected.due);
      expect((await eventsOfCase(store, intake.caseId)).map((e) => e.event_type)).toEqual(['received']);

      await env.sleep(120_000);
      const after = await handle.query(caseStateQuery);
      expect(after.routeOverdue).toBe(true);
      const events = await eventsOfCase(store, intake.caseId);
      expect(events.map((e) => e.event_type)).toEqual(['received', 'route_overdue']);
      expect(events[1]?.due_date).toBe(expected.due);

      const routed = await handle.executeUpdate(routeUpdate, {
        args: [{ mode: 'forward', toOrgan: 'BJ-HRSS', actor: 'clerk-1' }],
      });
      expect(routed.stage).toBe('routed');
      const final = await handle.result();
      expect(final.routeOverdue).toBe(true);
      expect((await eventsOfCase(store, intake.caseId)).map((e) => e.event_type)).toEqual([
        'received',
        'route_overdue',
        'routed',
      ]);
    });
  }, 60_000);

  it('records no breach when routed in time; refuses an invalid routing and a second one', async () => {
    const intake = await intakeAtServerNow('T-ONTIME');
    await withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start(petitionCaseWorkflow, {
        workflowId: `case-${intake.caseId}`,
        taskQueue,
        args: [intake],
      });
      await env.sleep(3 * DAY);
      await expect(
        handle.executeUpdate(routeUpdate, { args: [{ mode: 'forward', toOrgan: ' ', actor: 'clerk-2' }] }),
      ).rejects.toThrow(WorkflowUpdateFailedError);
      expect((await handle.query(caseStateQuery)).stage).toBe('awaiting_route');

      await handle.executeUpdate(routeUpdate, { args: [{ mode: 'assign', toOrgan: 'CY-GOV', actor: 'clerk-2' }] });
      const final = await handle.result();
      // Routing ends this stage of the case; a second routing finds no stage to act on.
      await expect(
        handle.executeUpdate(routeUpdate, { args: [{ mode: 'forward', toOrgan: 'X', actor: 'clerk-2' }] }),
      ).rejects.toThrow();
      expect(final.routeOverdue).toBe(false);
      expect(final.routing?.toOrgan).toBe('CY-GOV');
      expect((await eventsOfCase(store, intake.caseId)).map((e) => e.event_type)).toEqual(['received', 'routed']);
    });
  }, 60_000);
});

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
