/** The accountability ladder (DOMAIN §6) on the real time-skipping Temporal test server. */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { accountabilityEventsOf } from '../../analytics/accountability-log.js';
import { addDays, chinaDateOf, startOfChinaDay } from '../../rules/plain-date.js';
import {
  acceptRectificationUpdate,
  accountabilityStateQuery,
  accountabilityWorkflow,
  closeAccountabilityUpdate,
  escalateUpdate,
  rejectRectificationUpdate,
  setRectificationDeadlineUpdate,
  submitRectificationUpdate,
  type AccountabilityInput,
  type AccountabilityState,
} from '../../workflows/accountability.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();

const worker = (taskQueue: string, maxCachedWorkflows?: number) =>
  t.worker(taskQueue, maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows });
const today = async () => chinaDateOf(new Date(await t.env.currentTimeMs()));
/** Skips to one minute after the end of `due` (China time). */
async function pastDay(due: string) {
  await t.env.sleep(startOfChinaDay(addDays(due as never, 1)).getTime() + 60_000 - (await t.env.currentTimeMs()));
}
/** The state once the first step is imposed. */
async function settled(handle: { query: (q: typeof accountabilityStateQuery) => Promise<AccountabilityState> }) {
  for (let i = 0; i < 100; i++) {
    const state = await handle.query(accountabilityStateQuery);
    if (state.stage !== 'opening') return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the accountability case did not finish opening');
}
const refusedWith = (promise: Promise<unknown>, reason: RegExp) =>
  expect(promise).rejects.toSatisfy((e: unknown) => e instanceof WorkflowUpdateFailedError && reason.test(String(e.cause?.message)));
const steps = async (caseId: string) => (await accountabilityEventsOf(t.store, caseId)).map((e) => `${e.event_type}:${e.ladder_step}`);
const board = { actor: '区委组织部', reason: '' };

async function open(taskQueue: string, caseId: string, extra: Partial<AccountabilityInput> = {}) {
  const input: AccountabilityInput = {
    caseId,
    jurisdiction: 'beijing',
    organ: '朝阳区人社局',
    ground: 'procedure',
    finding: { source: 'case', ref: 'XF-20261122-0001/handle_overdue' },
    failure: {
      kind: 'collective',
      participants: [
        { person: '局长', role: 'principal' },
        { person: '副局长', role: 'directlyInCharge' },
        { person: '委员甲', role: 'participatingMember', dissented: true },
      ],
    },
    openedBy: '区信访办',
    rectifyBy: addDays(await today(), 30),
    ...extra,
  };
  return t.env.client.workflow.start(accountabilityWorkflow, { workflowId: `acc-${caseId}`, taskQueue, args: [input] });
}

describe('accountability ladder', () => {
  it('walks 通报 → 诫勉 → 组织处理 on missed deadlines, then up by decision, and closes with a reason', async () => {
    const q = `test-${randomUUID()}`;
    await (await worker(q)).runUntil(async () => {
      const handle = await open(q, 'L1');
      const opened = await settled(handle);
      expect(opened).toMatchObject({ stage: 'rectifying', step: 'notice' });
      expect(opened.attribution.map((a) => a.responsibility)).toEqual(['principal-leadership', 'principal-leadership', 'none']);
      await pastDay(opened.deadline!.due);
      const admonished = await handle.query(accountabilityStateQuery);
      expect(admonished).toMatchObject({ step: 'admonition', stage: 'awaiting_deadline' });
      expect(admonished.honoursIneligibleYear).toBe(Number((await today()).slice(0, 4)));
      await expect(
        handle.executeUpdate(setRectificationDeadlineUpdate, { args: [{ actor: 'x', rectifyBy: await today() }] }),
      ).rejects.toThrow(WorkflowUpdateFailedError);
      const due = addDays(await today(), 20);
      await handle.executeUpdate(setRectificationDeadlineUpdate, { args: [{ actor: '区委', rectifyBy: due }] });
      await pastDay(due);
      expect(await handle.query(accountabilityStateQuery)).toMatchObject({ step: 'organisational', stage: 'at_top' });
      await handle.executeUpdate(escalateUpdate, { args: [{ ...board, reason: '拒不整改，移送纪检监察机关' }] });
      const top = await handle.query(accountabilityStateQuery);
      expect(top).toMatchObject({ step: 'disciplinary', stage: 'at_top' });
      await refusedWith(handle.executeUpdate(escalateUpdate, { args: [{ ...board, reason: 'more' }] }), /top of the ladder/);
      await expect(handle.executeUpdate(closeAccountabilityUpdate, { args: [{ ...board, reason: ' ' }] })).rejects.toThrow(WorkflowUpdateFailedError);
      await handle.executeUpdate(closeAccountabilityUpdate, { args: [{ ...board, reason: '纪律处分已作出' }] });
      expect((await handle.result()).closeReason).toBe('closed_by_decision');
      expect(await steps('L1')).toEqual([
        'opened:notice',
        'step_imposed:notice',
        'escalated:notice',
        'step_imposed:admonition',
        'deadline_set:admonition',
        'escalated:admonition',
        'step_imposed:organisational',
        'escalated:organisational',
        'step_imposed:disciplinary',
        'closed:disciplinary',
      ]);
    });
  });

  it('rectification accepted in time closes the case; a rejected one lets the deadline escalate', async () => {
    const q = `test-${randomUUID()}`;
    await (await worker(q)).runUntil(async () => {
      const good = await open(q, 'L2');
      await settled(good);
      await refusedWith(good.executeUpdate(acceptRectificationUpdate, { args: [{ ...board, reason: 'ok' }] }), /no rectification/);
      await good.executeUpdate(submitRectificationUpdate, { args: [{ actor: '局长', evidence: '整改报告 2026-12 号' }] });
      await good.executeUpdate(acceptRectificationUpdate, { args: [{ ...board, reason: '整改到位' }] });
      expect(await good.result()).toMatchObject({ closeReason: 'rectified', step: 'notice' });

      const bad = await open(q, 'L3');
      await settled(bad);
      await bad.executeUpdate(submitRectificationUpdate, { args: [{ actor: '局长', evidence: '报告' }] });
      await bad.executeUpdate(rejectRectificationUpdate, { args: [{ ...board, reason: '整改不实' }] });
      await pastDay((await bad.query(accountabilityStateQuery)).deadline!.due);
      expect((await bad.query(accountabilityStateQuery)).step).toBe('admonition');
    });
  });

  it('starts higher only where the ground allows it', async () => {
    const q = `test-${randomUUID()}`;
    await (await worker(q)).runUntil(async () => {
      const serious = await open(q, 'L4', { startAt: { step: 'admonition', reason: '危害严重、影响重大' } });
      expect((await settled(serious)).step).toBe('admonition');
      const wrong = await open(q, 'L5', { startAt: { step: 'disciplinary', reason: 'x' } });
      await expect(wrong.result()).rejects.toThrow(WorkflowFailedError);
      const xianning = await open(q, 'L6', { jurisdiction: 'xianning', ground: 'situation11' });
      expect(await settled(xianning)).toMatchObject({ step: 'disciplinary', stage: 'at_top' });
    });
  });

  it('escalates once after a worker restart across the deadline', async () => {
    const q = `test-${randomUUID()}`;
    // No sticky cache: see case-workflow.test.ts for why the test server needs it.
    const { handle, breachAt } = await (await worker(q, 0)).runUntil(async () => {
      const handle = await open(q, 'L7');
      const state = await settled(handle);
      // Stop only once the step's record has landed, so no activity is in flight meanwhile.
      for (let i = 0; i < 100 && !(await steps('L7')).includes('step_imposed:notice'); i++) await new Promise((r) => setTimeout(r, 50));
      return { handle, breachAt: Date.parse(state.deadline!.breachAt) };
    });
    await t.env.sleep(breachAt + 1 - (await t.env.currentTimeMs()));
    await (await worker(q)).runUntil(async () => {
      for (let i = 0; i < 100 && !(await steps('L7')).includes('escalated:notice'); i++) await new Promise((r) => setTimeout(r, 100));
      expect((await handle.query(accountabilityStateQuery)).step).toBe('admonition');
    });
    expect((await steps('L7')).filter((s) => s.startsWith('escalated'))).toHaveLength(1);
  });
});
