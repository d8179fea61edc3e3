import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalyticsStore } from '../../analytics/store.js';
import { importRoutes } from '../../server/import-routes.js';

let server: Server;
let store: AnalyticsStore;
let base: string;
const dataDir = mkdtempSync(join(tmpdir(), 'xinfang-upload-test-'));

beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  const app = express();
  app.use(importRoutes({ store, env: { XINFANG_IMPORT_TOKEN: 'secret-token', XINFANG_DATA_DIR: dataDir } }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const csv = [
  'creation_date,ward,call_description,call_type,maintenance_yard,priority_name',
  '4/15/2014 19:49,WARD 14,Animals,Bylaw Services,Priority - 3,CC PHONE',
  '2014-Aug-27 10:40:53, Ward 2,Overtime Parking,Parking Control,CYRVILLE ROADS,CC PHONE',
  'last tuesday,Ward 99,Noise,Bylaw Services,,CC PHONE',
].join('\r\n');

const upload = (query: string, body: string, token = 'secret-token') =>
  fetch(`${base}/api/imports?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body,
  });

describe('POST /api/imports', () => {
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

  it('refuses an unauthorised user, a bad file name and an unknown mapping', async () => {
    expect((await upload('filename=a.csv', csv, 'wrong')).status).toBe(401);
    const badName = await upload('filename=../a.exe', csv);
    expect(badName.status).toBe(400);
    const noMapping = await upload('filename=a.csv&mapping=nope', csv);
    expect(noMapping.status).toBe(400);
    expect((await noMapping.json()).error).toBe('no mapping named nope');
    // Foreign columns without a mapping: the file is refused whole.
    const foreign = await upload('filename=a.csv', csv);
    expect(foreign.status).toBe(400);
    expect((await foreign.json()).error).toMatch(/not in the project's cases schema.*nothing was imported/);
  });

  it('is closed when no import token is configured', async () => {
    const app = express();
    app.use(importRoutes({ store, env: {} }));
    const s = await new Promise<Server>((resolve) => {
      const x = app.listen(0, '127.0.0.1', () => resolve(x));
    });
    const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/imports?filename=a.csv`, { method: 'POST', body: csv });
    expect(res.status).toBe(403);
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });
});
