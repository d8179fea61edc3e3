/**
 * GET /api/v1/metrics/export (issue 14): the file of exactly what GET /api/v1/metrics answers
 * for the same query, as CSV, XLSX, Parquet or Arrow, with the region confined as there and a
 * file name that says what it holds. No Temporal is needed: figures come from DuckDB.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { queryAudit } from '../../analytics/audit-log.js';
import { recordHistory } from '../../analytics/case-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import type { CaseEvent, CaseIntake } from '../../domain/case.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';

const kase = (caseId: string, regionCode: string, receivedAt: string, replied?: string) => {
  const intake: CaseIntake = { caseId, jurisdiction: 'beijing', receivedAt, channel: 'letter', regionCode, collectiveSize: 1, field: '劳动社保' };
  const events: CaseEvent[] = [
    { caseId, type: 'received', occurredAt: receivedAt },
    ...(replied ? [{ caseId, type: 'replied' as const, occurredAt: replied, detail: { outcome: 'supported' } }] : []),
  ];
  return { intake, events };
};

const CASES = [
  kase('EX-1', '110105', '2025-01-10T02:00:00Z', '2025-02-10T02:00:00Z'),
  kase('EX-2', '110105', '2025-01-20T02:00:00Z'),
  kase('EX-3', '110105', '2025-03-05T02:00:00Z'),
  kase('EX-4', '110108', '2025-01-10T02:00:00Z'),
  kase('EX-5', '110105', '2024-01-10T02:00:00Z'),
];

let store: AnalyticsStore;
let app: RunningApp;
let dir: string;
const headers = new Map<string, Record<string, string>>();

beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await seedUsers(store);
  await recordHistory(store, CASES, 'import');
  for (const user of ['analyst-chaoyang', 'analyst', 'leader', 'officer-education']) headers.set(user, await tokenHeaders(store, user));
  app = await startApiApp({ store, now: () => new Date('2026-03-01T00:00:00Z'), expensiveRate: { burst: 10_000, perMinute: 10_000 } });
  dir = mkdtempSync(join(tmpdir(), 'xinfang-metrics-export-test-'));
});
afterAll(async () => {
  await app?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (user: string, path: string, query: Record<string, string>, accept?: string) =>
  fetch(`${app.base}/api/v1${path}?${new URLSearchParams(query)}`, { headers: { ...headers.get(user), ...(accept ? { accept } : {}) } });
const exported = async (user: string, query: Record<string, string>) => {
  const res = await get(user, '/metrics/export', query);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
};

const QUESTION = { year: '2025', measure: 'cases,on_time_completion_rate', by: 'month', region: '110105' };
const metricRow = z.object({ measure: z.string(), dims: z.record(z.string(), z.string().nullable()), value: z.number().nullable(), numerator: z.number().optional(), denominator: z.number().optional() });

/** What GET /metrics answers for the question, as the export's first columns (measure, month, value, numerator, denominator). */
async function shown(query: Record<string, string>) {
  const res = await get('analyst-chaoyang', '/metrics', query);
  expect(res.status).toBe(200);
  const { rows } = z.object({ rows: z.array(metricRow) }).parse(await res.json());
  return rows.map((r) => [r.measure, r.dims.month ?? null, r.value, r.numerator ?? null, r.denominator ?? null]);
}

describe('GET /metrics/export', () => {
  it('answers a CSV download of exactly the rows GET /metrics shows, named for what it holds', async () => {
    const { res, bytes } = await exported('analyst-chaoyang', { ...QUESTION, format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=cases-on_time_completion_rate-by-month-110105-2025-01-01_2025-12-31.csv');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('measure,measure_label,month,value,numerator,denominator,interval_low,interval_high');
    const cells = lines.slice(1).map((l) => l.split(','));
    const number = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));
    expect(cells.map((c) => [c[0], c[2], number(c[3]), number(c[4]), number(c[5])])).toEqual(await shown(QUESTION));
    // Twelve months of each measure, January's three cases of Chaoyang counted, Haidian's not.
    expect(cells).toHaveLength(24);
    expect(cells[0]!.slice(0, 4)).toEqual(['cases', '信访总量', '2025-01', '2']);
  });

  it('confines the region as GET /metrics does: its own by default, another district refused', async () => {
    const own = await exported('analyst-chaoyang', { year: '2025', measure: 'cases', format: 'csv' });
    expect(own.res.status).toBe(200);
    expect(own.res.headers.get('content-disposition')).toContain('cases-110105-2025-01-01_2025-12-31.csv');
    expect(own.bytes.toString('utf8')).toContain('\r\ncases,信访总量,3,');
    const other = await exported('analyst-chaoyang', { year: '2025', measure: 'cases', region: '110108', format: 'csv' });
    expect(other.res.status).toBe(403);
    expect(JSON.parse(other.bytes.toString('utf8'))).toMatchObject({ code: 'outside_jurisdiction' });
    const city = await exported('analyst', { year: '2025', measure: 'cases', format: 'csv' });
    expect(city.bytes.toString('utf8')).toContain('\r\ncases,信访总量,4,');
  });

  it('writes XLSX with numbers as numeric cells', async () => {
    const { res, bytes } = await exported('analyst-chaoyang', { ...QUESTION, format: 'xlsx' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=.+\.xlsx$/);
    const files = unzipSync(new Uint8Array(bytes));
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']!);
    expect(sheet).toMatch(/<c r="D2"><v>2<\/v><\/c>/);
    expect(strFromU8(files['xl/sharedStrings.xml']!)).toContain('<t>信访总量</t>');
  });

  it('writes Parquet that DuckDB reads back to the same rows', async () => {
    const { res, bytes } = await exported('analyst-chaoyang', { ...QUESTION, format: 'parquet' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    const file = join(dir, 'export.parquet');
    writeFileSync(file, bytes);
    const row = z.object({ measure: z.string(), month: z.string(), value: z.number().nullable(), numerator: z.number().nullable(), denominator: z.number().nullable() });
    const back = await store.all(row, 'SELECT measure, month, value, numerator, denominator FROM read_parquet($file)', { file });
    expect(back.map((r) => [r.measure, r.month, r.value, r.numerator, r.denominator])).toEqual(await shown(QUESTION));
  });

  it('writes an Arrow IPC file with the columns of the Arrow answer of GET /metrics, and the same values', async () => {
    const { res, bytes } = await exported('analyst-chaoyang', { ...QUESTION, format: 'arrow' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.arrow.file');
    const file = tableFromIPC(bytes);
    const stream = tableFromIPC(new Uint8Array(await (await get('analyst-chaoyang', '/metrics', QUESTION, 'application/vnd.apache.arrow.stream')).arrayBuffer()));
    const streamColumns = stream.schema.fields.map((f) => f.name);
    expect(file.schema.fields.map((f) => f.name)).toEqual(expect.arrayContaining(streamColumns));
    const pick = (t: typeof file) => t.toArray().map((r) => streamColumns.map((c) => (r.toJSON() as Record<string, unknown>)[c] ?? null));
    expect(pick(file)).toEqual(pick(stream));
  });

  it('adds previous, change and relative for a comparison', async () => {
    const { res, bytes } = await exported('analyst-chaoyang', { year: '2025', measure: 'cases', compare: 'yoy', format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('cases-110105-2025-01-01_2025-12-31-yoy.csv');
    const [header, row] = bytes.toString('utf8').slice(1).split('\r\n');
    expect(header).toBe('measure,measure_label,value,numerator,denominator,interval_low,interval_high,previous,change,relative');
    expect(row).toBe('cases,信访总量,3,,,,,1,2,2');
  });

  it('refuses a format it does not write, a question the metrics layer refuses, and roles without metrics.read', async () => {
    for (const query of [{ ...QUESTION }, { ...QUESTION, format: 'pdf' }, { ...QUESTION, format: 'csv', year: '2025', from: '2025-01-01' }, { ...QUESTION, format: 'csv', nosuch: 'x' }]) {
      const { res, bytes } = await exported('analyst-chaoyang', query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(bytes.toString('utf8'))).toHaveProperty('code');
    }
    expect((await exported('officer-education', { ...QUESTION, format: 'csv' })).res.status).toBe(403);
    expect((await exported('leader', { ...QUESTION, format: 'csv' })).res.status).toBe(200);
  });

  it('audits each export: who took which file', async () => {
    const [entry] = await queryAudit(store, { action: 'metrics.export', user: 'analyst-chaoyang', limit: 1 });
    expect(entry).toMatchObject({ username: 'analyst-chaoyang', outcome: 'ok', route: 'GET /api/v1/metrics/export' });
    expect(entry!.objectIds[0]).toMatch(/\.(csv|xlsx|parquet|arrow)$/);
    expect(entry!.detail).toMatchObject({ region: '110105' });
  });
});
