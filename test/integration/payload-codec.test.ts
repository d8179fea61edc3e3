/**
 * Payload encryption on the real time-skipping Temporal test server: a case started and routed
 * through a client and worker that share the codec leaves nothing of its content readable in
 * the history the server keeps, which is what the Temporal UI or any client without the key
 * sees. The codec's own cases (rotation, tampering) are in test/unit/payload-codec.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AnalyticsStore } from '../../analytics/store.js';
import { EncryptionCodec, encryptingDataConverter } from '../../workflows/payload-codec.js';
import { caseStateQuery, petitionCaseWorkflow, routeUpdate, type PetitionCaseInput } from '../../workflows/petition-case.js';
import { createCaseWorker, WORKFLOWS_PATH } from '../../workflows/worker.js';
import { coverFutureYearsWithWeekendsOnly } from '../support/future-calendar.js';
import { timeSkippingServerPath } from '../support/tools.js';

// The shared harness (support/time-skipping.ts) gives workers no data converter; this file
// needs one with the codec, so it sets up the same pieces itself, one server for its one case.
coverFutureYearsWithWeekendsOnly();
let env: TestWorkflowEnvironment;
let store: AnalyticsStore;
let bundle: WorkflowBundle;

beforeAll(async () => {
  const quiet = () => undefined;
  bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (m: string) => console.error(m) },
  });
  store = await AnalyticsStore.open(':memory:');
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } } });
}, 120_000);
afterAll(async () => {
  await env?.teardown();
  store?.close();
});

const { History } = proto.temporal.api.history.v1;
const { Payload } = proto.temporal.api.common.v1;
type ProtoPayload = proto.temporal.api.common.v1.IPayload;
// At run time the protos are reflected types, not classes: a decoded message names its type.
const isPayload = (node: object): node is ProtoPayload => (node as { $type?: unknown }).$type === Payload;
const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());

/**
 * The history as the server stores it, re-read with this file's protobuf classes, and every
 * payload in it with where it lies. Search attributes are indexed by the server and never go
 * through a codec (the workflows set none of their own), so they are left out.
 */
async function rawHistory(client: Client, workflowId: string) {
  const bytes = History.encode(await client.workflow.getHandle(workflowId).fetchHistory()).finish();
  const payloads: { path: string; payload: ProtoPayload }[] = [];
  const walk = (node: unknown, path: string): void => {
    if (node && typeof node === 'object' && isPayload(node)) payloads.push({ path, payload: node });
    else if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (node && typeof node === 'object' && !(node instanceof Uint8Array)) {
      for (const [key, value] of Object.entries(node)) if (key !== 'searchAttributes') walk(value, `${path}.${key}`);
    }
  };
  walk(History.decode(bytes), 'history');
  return { bytes: Buffer.from(bytes), payloads };
}

const intake = (caseId: string, summary: string): PetitionCaseInput => ({
  intake: {
    caseId,
    jurisdiction: 'beijing',
    receivedAt: new Date().toISOString(),
    channel: 'visit',
    regionCode: '110105',
    collectiveSize: 1,
    summary,
  },
  receivedBy: { organ: '朝阳区信访办', kind: 'petition-office' },
});

describe('payload encryption on a Temporal server', () => {
  it('keeps a case’s summary and actions out of the raw history, while the codec client reads the case', async () => {
    const summary = `征地补偿款被截留-${randomBytes(6).toString('hex')}`;
    const actor = `clerk-${randomBytes(6).toString('hex')}`;
    const codec = new EncryptionCodec([{ id: 'it-2025', key: randomBytes(32) }]);
    const dataConverter = encryptingDataConverter(codec);
    const codecClient = new Client({ connection: env.connection, namespace: 'default', dataConverter });
    const taskQueue = `codec-${randomBytes(4).toString('hex')}`;
    const workflowId = 'case-ENC-1';
    const worker = await createCaseWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      store,
      workflowBundle: bundle,
      dataConverter,
      // No sticky cache: the second worker below is sent the case at once and replays it.
      maxCachedWorkflows: 0,
    });

    const routed = await worker.runUntil(async () => {
      const handle = await codecClient.workflow.start(petitionCaseWorkflow, { workflowId, taskQueue, args: [intake('ENC-1', summary)] });
      await handle.executeUpdate(routeUpdate, { args: [{ actor, mode: 'forward', toOrgan: '朝阳区人社局', toKind: 'competent' }] });
      return handle.query(caseStateQuery);
    });
    // The worker opened the input and activity arguments: the routing took, the intake reached DuckDB.
    expect(routed).toMatchObject({ caseId: 'ENC-1', stage: 'awaiting_acceptance', responsibleOrgan: '朝阳区人社局', routing: { actor } });
    const row = z.object({ summary: z.string().nullable() });
    expect(await store.all(row, 'SELECT summary FROM cases WHERE case_id = ?', ['ENC-1'])).toEqual([{ summary }]);

    // env.client has the default data converter: it sees what the server and its UI see.
    const raw = await rawHistory(env.client, workflowId);
    expect(raw.bytes.includes(Buffer.from(summary))).toBe(false);
    expect(raw.bytes.includes(Buffer.from(actor))).toBe(false);
    expect(raw.bytes.includes(Buffer.from('朝阳区人社局'))).toBe(false);
    // Start input, activity inputs and results, the update's argument and result at the least.
    expect(raw.payloads.length).toBeGreaterThanOrEqual(5);
    const where = (p: string) => raw.payloads.some(({ path }) => path.includes(p));
    expect(where('workflowExecutionStartedEventAttributes.input')).toBe(true);
    expect(where('activityTaskScheduledEventAttributes.input')).toBe(true);
    expect(where('workflowExecutionUpdateAcceptedEventAttributes')).toBe(true);
    expect(where('markerRecordedEventAttributes.details.result')).toBe(true);
    // A local activity's marker also carries the SDK core's own record of the call (sequence
    // number, activity type, times), which it writes without the codec; nothing of the case.
    const coreRecord = (path: string) => /markerRecordedEventAttributes\.details\.data\./.test(path);
    for (const { payload } of raw.payloads.filter(({ path }) => coreRecord(path))) {
      expect(Object.keys(JSON.parse(text(payload.data)) as object).sort()).toEqual(
        ['activity_id', 'activity_type', 'attempt', 'backoff', 'complete_time', 'original_schedule_time', 'seq'],
      );
    }
    // A patch marker (patched('...')) carries only the patch's id and whether it is deprecated,
    // also written by the core without the codec.
    const patchRecord = (path: string) => /markerRecordedEventAttributes\.details\.patch-data\./.test(path);
    for (const { payload } of raw.payloads.filter(({ path }) => patchRecord(path))) {
      expect(Object.keys(JSON.parse(text(payload.data)) as object).sort()).toEqual(['deprecated', 'id']);
    }
    for (const { path, payload } of raw.payloads.filter(({ path }) => !coreRecord(path) && !patchRecord(path))) {
      expect({ path, encoding: text(payload.metadata?.['encoding']), keyId: text(payload.metadata?.['encryption-key-id']) }).toEqual({
        path,
        encoding: 'binary/encrypted',
        keyId: 'it-2025',
      });
    }

    // A fresh worker (replaying the encrypted history) answers the codec client's query; a
    // client without the key gets a payload it cannot read.
    const reader = await createCaseWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, store, workflowBundle: bundle, dataConverter });
    await reader.runUntil(async () => {
      expect(await codecClient.workflow.getHandle(workflowId).query(caseStateQuery)).toMatchObject({ stage: 'awaiting_acceptance', routing: { actor } });
      await expect(env.client.workflow.getHandle(workflowId).query(caseStateQuery)).rejects.toThrow(/binary\/encrypted/);
    });
  });

  it('control: a case started without the codec shows its summary in the same raw history check', async () => {
    const summary = `clear-${randomBytes(6).toString('hex')}`;
    const workflowId = 'case-CLEAR-1';
    await env.client.workflow.start(petitionCaseWorkflow, { workflowId, taskQueue: 'nobody-polls', args: [intake('CLEAR-1', summary)] });
    const raw = await rawHistory(env.client, workflowId);
    expect(raw.bytes.includes(Buffer.from(summary))).toBe(true);
    expect(raw.payloads.map(({ payload }) => text(payload.metadata?.['encoding']))).toContain('json/plain');
  });
});
