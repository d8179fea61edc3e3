/**
 * Every recorded history (test/fixtures/histories/) must replay against today's workflow
 * code: a change that would break cases already running (they live for months) fails here
 * until it is wrapped in `patched()`. Record a new version's histories with
 * test/support/record-histories.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../workflows/worker.js';

const dir = new URL('../fixtures/histories/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.binpb')).sort();
let bundle: WorkflowBundle;

beforeAll(async () => {
  const quiet = () => undefined;
  bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (m: string) => console.error(m) },
  });
}, 60_000);

describe('replay of recorded case histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = proto.temporal.api.history.v1.History.decode(readFileSync(new URL(file, dir)));
    expect(history.events?.length).toBeGreaterThan(20);
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, `replay-${file}`);
  });
});
