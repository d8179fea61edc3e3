/**
 * Every recorded history (test/fixtures/histories/) must replay against today's workflow
 * code: a change that would break workflows already running (cases and recommendations live
 * for months, duty periods for a quarter or a year) fails here until it is wrapped in
 * `patched()`. Every workflow type the worker runs has at least one history. Record a new
 * type's or version's histories with test/support/record-histories.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import * as workflows from '../../workflows/index.js';
import { WORKFLOWS_PATH } from '../../workflows/worker.js';

const { EventType } = proto.temporal.api.enums.v1;
const dir = new URL('../fixtures/histories/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.binpb')).sort();
const histories = files.map((file) => ({ file, history: proto.temporal.api.history.v1.History.decode(readFileSync(new URL(file, dir))) }));
const typeOf = (history: proto.temporal.api.history.v1.IHistory) =>
  history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '(no start event)';
/** The workflow functions the bundle exports: their names are the workflow types. */
const workflowTypes = Object.entries(workflows)
  .filter(([name, value]) => typeof value === 'function' && name.endsWith('Workflow'))
  .map(([name]) => name)
  .sort();
let bundle: WorkflowBundle;

beforeAll(async () => {
  const quiet = () => undefined;
  bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (m: string) => console.error(m) },
  });
}, 60_000);

describe('replay of recorded workflow histories', () => {
  it('has a history of every workflow type the worker runs, and none of another', () => {
    expect(workflowTypes.length).toBeGreaterThan(0);
    expect([...new Set(histories.map(({ history }) => typeOf(history)))].sort()).toEqual(workflowTypes);
  });

  it.each(histories.map(({ file, history }) => [file, history] as const))('%s replays without nondeterminism', async (file, history) => {
    const events = (history.events ?? []).map((e) => e.eventType);
    // A whole run, so replay walks the workflow's code to its end, and one that did work
    // through an activity or a local activity (a marker), not only started.
    expect(events.at(-1)).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    expect(events.some((t) => t === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED || t === EventType.EVENT_TYPE_MARKER_RECORDED)).toBe(true);
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, `replay-${file}`);
  });
});
