import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AnalyticsStore } from '../../analytics/store.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';

let app: RunningApp;
let store: AnalyticsStore;
let admin: Record<string, string>;
let analyst: Record<string, string>;
const dataDir = mkdtempSync(join(tmpdir(), 'xinfang-upload-test-'));

beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await seedUsers(store);
  admin = await tokenHeaders(store, 'admin');
  analyst = await tokenHeaders(store, 'analyst');
  app = await startApiApp({ store, env: { XINFANG_DATA_DIR: dataDir } });
});
afterAll(async () => {
  await app.close();
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const csv = [
  'creation_date,ward,call_description,call_type,maintenance_yard,priority_name',
  '4/15/2014 19:49,WARD 14,Animals,Bylaw Services,Priority - 3,CC PHONE',
  '2014-Aug-27 10:40:53, Ward 2,Overtime Parking,Parking Control,CYRVILLE ROADS,CC PHONE',
  'last tuesday,Ward 99,Noise,Bylaw Services,,CC PHONE',
].join('\r\n');

const upload = (query: string, body: string, headers: Record<string, string> = admin) =>
  fetch(`${app.base}/api/v1/imports?${query}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body,
  });
const importBatches = async () => (await store.all(z.object({ n: z.number() }), 'SELECT count(*)::INTEGER AS n FROM import_batches'))[0]!.n;

describe('POST /api/v1/imports', () => {
  it('imports an uploaded file through a named mapping and answers with the report', async () => {
    const res = await upload('filename=ottawa-sample.csv&mapping=ottawa-311', csv);
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report.cases).toEqual({ read: 3, imported: 2, quarantined: 1, duplicate: 0 });
    expect(report.files[0].file).toBe('ottawa-sample.csv');
    expect(report.reasons[0].reason).toMatch(/^received_at: "last tuesday" matches none of the formats/);
    const again = await (await upload('filename=ottawa-sample.csv&mapping=ottawa-311', csv)).json();
    expect(again.cases).toEqual({ read: 3, imported: 0, quarantined: 1, duplicate: 2 });
  });

  it('refuses a caller without a login or without the right, a bad file name and an unknown mapping', async () => {
    const batches = await importBatches();
    expect((await upload('filename=a.csv', csv, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await upload('filename=a.csv', csv, {})).status).toBe(401);
    expect((await upload('filename=a.csv', csv, analyst)).status).toBe(403);
    const badName = await upload('filename=../a.exe', csv);
    expect(badName.status).toBe(400);
    const noMapping = await upload('filename=a.csv&mapping=nope', csv);
    expect(noMapping.status).toBe(400);
    expect((await noMapping.json()).error).toBe('no mapping named nope');
    // Foreign columns without a mapping: the file is refused whole.
    const foreign = await upload('filename=a.csv', csv);
    expect(foreign.status).toBe(400);
    expect((await foreign.json()).error).toMatch(/not in the project's cases schema.*nothing was imported/);
    expect(await importBatches()).toBe(batches);
  });

  it('refuses a caller without the right before reading the body', async () => {
    // The client announces 256 MB and sends 64 KB of it: only an answer given before the body is read can arrive.
    const status = await new Promise<number>((resolve) => {
      const req = request(`${app.base}/api/v1/imports?filename=a.csv`, {
        method: 'POST',
        headers: { ...analyst, 'content-type': 'application/octet-stream', 'content-length': String(256 * 1024 * 1024) },
      }, (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', () => undefined);
      req.write(Buffer.alloc(64 * 1024));
    });
    expect(status).toBe(403);
  });
});
