/**
 * Records workflow histories of the current code for the replay test
 * (test/integration/replay.test.ts). Run after a deliberate, patched change to the case
 * workflow, to add the new version's histories beside the old ones; never to overwrite a
 * history that replays no more:
 *
 *   npx tsx test/support/record-histories.ts NAME
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { AnalyticsStore } from '../../analytics/store.js';
import {
  acceptUpdate,
  endHearingUpdate,
  extendUpdate,
  petitionCaseWorkflow,
  pressUpdate,
  rateUpdate,
  reReviewOpinionUpdate,
  replyUpdate,
  requestReReviewUpdate,
  requestReviewUpdate,
  reviewOpinionUpdate,
  routeUpdate,
  startHearingUpdate,
  type PetitionCaseInput,
} from '../../workflows/petition-case.js';
import { chinaDateOf } from '../../rules/plain-date.js';
import { createCaseWorker } from '../../workflows/worker.js';
import { coverFutureYearsWithWeekendsOnly } from './future-calendar.js';
import { timeSkippingServerPath } from './tools.js';

const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name)) throw new Error('usage: record-histories.ts NAME (lowercase, digits, -)');
const dir = new URL('../fixtures/histories/', import.meta.url);
mkdirSync(dir, { recursive: true });

Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
coverFutureYearsWithWeekendsOnly();
const DAY = 86_400_000;
const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } },
});
const store = await AnalyticsStore.open(':memory:');
const taskQueue = `record-${randomUUID()}`;
const worker = await createCaseWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, store });
const clerk = { actor: 'clerk' };

async function start(caseId: string, receivedBy: PetitionCaseInput['receivedBy']) {
  const intake = {
    caseId,
    jurisdiction: 'beijing',
    receivedAt: new Date(await env.currentTimeMs()).toISOString(),
    channel: 'visit' as const,
    regionCode: '110105',
    collectiveSize: 1,
  };
  return env.client.workflow.start(petitionCaseWorkflow, { workflowId: `record-${caseId}`, taskQueue, args: [{ intake, receivedBy }] });
}

const scenarios: Record<string, () => Promise<Uint8Array>> = {
  // Late routing, an extension, review and re-review with a hearing: every clock and update.
  async 'full-lifecycle'() {
    const handle = await start('R1', { organ: '朝阳区信访办', kind: 'petition-office' });
    await env.sleep(17 * DAY);
    await handle.executeUpdate(routeUpdate, { args: [{ ...clerk, mode: 'forward', toOrgan: '朝阳区人社局', toKind: 'competent' }] });
    await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
    await env.sleep(30 * DAY);
    await handle.executeUpdate(extendUpdate, { args: [{ ...clerk, days: 30, reason: '情况复杂', approvedBy: '局长' }] });
    await env.sleep(40 * DAY);
    await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'not_supported' }] });
    await handle.executeUpdate(rateUpdate, { args: [{ level: 'dissatisfied' }] });
    await handle.executeUpdate(requestReviewUpdate, { args: [{ toOrgan: '北京市人社局' }] });
    await env.sleep(10 * DAY);
    await handle.executeUpdate(reviewOpinionUpdate, { args: [{ actor: 'r', outcome: 'upheld' }] });
    await handle.executeUpdate(requestReReviewUpdate, { args: [{ toOrgan: '北京市人民政府' }] });
    await env.sleep(2 * DAY);
    const today = () => env.currentTimeMs().then((ms) => chinaDateOf(new Date(ms)));
    await handle.executeUpdate(startHearingUpdate, { args: [{ actor: 'r', date: await today() }] });
    await env.sleep(5 * DAY);
    await handle.executeUpdate(endHearingUpdate, { args: [{ actor: 'r', date: await today() }] });
    await handle.executeUpdate(reReviewOpinionUpdate, { args: [{ actor: 'r', outcome: 'changed' }] });
    await handle.result();
    // Binary protobuf: the JSON helpers of @temporalio/common trip over the second copy of
    // protobufjs that npm nests under @temporalio/proto.
    return proto.temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish();
  },
  // Issue 17: presses (催办) of an overdue routing on two days and of an overdue reply, then a
  // rating in three levels.
  async 'rating-and-press'() {
    const handle = await start('R2', { organ: '朝阳区信访办', kind: 'petition-office' });
    await env.sleep(17 * DAY);
    await handle.executeUpdate(pressUpdate, { args: [{ note: '请尽快办理' }] });
    await env.sleep(DAY);
    await handle.executeUpdate(pressUpdate, { args: [{}] });
    await handle.executeUpdate(routeUpdate, { args: [{ ...clerk, mode: 'forward', toOrgan: '朝阳区人社局', toKind: 'competent' }] });
    await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
    await env.sleep(70 * DAY);
    await handle.executeUpdate(pressUpdate, { args: [{}] });
    await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'partly_supported' }] });
    await handle.executeUpdate(rateUpdate, { args: [{ level: 'basically_satisfied', comment: '基本解决' }] });
    await handle.result();
    return proto.temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish();
  },
};

const scenario = scenarios[name];
if (!scenario) throw new Error(`no scenario ${name}; scenarios: ${Object.keys(scenarios).join(', ')}`);
const file = new URL(`${name}.binpb`, dir);
if (existsSync(file)) throw new Error(`${file.pathname} exists; record under a new name`);
const history = await worker.runUntil(scenario());
writeFileSync(file, history);
console.log(`recorded ${file.pathname}`);
await env.teardown();
store.close();
