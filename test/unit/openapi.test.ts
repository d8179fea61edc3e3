/**
 * The OpenAPI document against the routes Express really serves: every route in the document
 * exists (a call reaches it rather than the catch-all 404), and every route Express has under
 * /api/v1 is in the document with its access and a schema for what it takes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsStore } from '../../analytics/store.js';
import { buildApi } from '../../server/app.js';
import { openApiPath } from '../../server/openapi.js';
import { startApiApp, temporalDown, testIdentityKeys, type RunningApp } from '../support/api-app.js';

let store: AnalyticsStore;
let app: RunningApp;

beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  app = await startApiApp({ store });
});
afterAll(async () => {
  await app?.close();
  store?.close();
});

interface Operation {
  summary: string;
  'x-access': string;
  parameters: { name: string; in: string }[];
  requestBody?: unknown;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

const served = async () => {
  const api = buildApi({ store, temporal: await temporalDown(), taskQueue: 'test', jurisdiction: 'beijing', identityKeys: testIdentityKeys() });
  // What Express itself has registered on the API's router, not what the table says.
  return api.router.stack.flatMap((layer) => {
    const route = (layer as { route?: { path: string; methods: Record<string, boolean> } }).route;
    return route ? Object.keys(route.methods).map((m) => `${m.toUpperCase()} /api/v1${openApiPath(route.path)}`) : [];
  });
};

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists exactly the routes Express serves under /api/v1', async () => {
    const doc = (await (await fetch(new URL('/api/v1/openapi.json', app.base))).json()) as Document;
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const real = await served();
    expect(real.length).toBeGreaterThan(40);
    expect([...documented].sort()).toEqual([...real].sort());
    expect(new Set(real).size).toBe(real.length);
  });

  it('gives each route a summary, its access, its path parameters and a body schema where it takes one', async () => {
    const doc = (await (await fetch(new URL('/api/v1/openapi.json', app.base))).json()) as Document;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        expect(op.summary, `${method} ${path}`).toMatch(/\w/);
        expect(op['x-access'], `${method} ${path}`).toMatch(/^(public|user|[a-z]+\.[a-z]+)$/);
        expect(op.parameters.filter((p) => p.in === 'path').map((p) => p.name), `${method} ${path}`).toEqual(names);
        if (method === 'post' && !path.endsWith('/disable') && !path.endsWith('/enable')) {
          expect(op.requestBody, `${method} ${path}`).toBeDefined();
        }
      }
    }
  });

  it('names no route that does not exist: each answers something other than the catch-all 404', async () => {
    const doc = (await (await fetch(new URL('/api/v1/openapi.json', app.base))).json()) as Document;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const concrete = path.replace(/\{(\w+)\}/g, 'X1');
      for (const method of Object.keys(ops)) {
        const response = await fetch(new URL(concrete, app.base), { method: method.toUpperCase() });
        const body = (await response.json()) as { error?: string };
        expect(body.error ?? '', `${method} ${path}`).not.toMatch(/^no API route/);
      }
    }
  });
});
