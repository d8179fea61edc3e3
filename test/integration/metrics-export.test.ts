/**
 * GET /api/v1/metrics/export (issue 14): the file of exactly what GET /api/v1/metrics answers
 * for the same query, as CSV, XLSX, Parquet or Arrow, with the region confined as there and a
 * file name that says what it holds; with an import's source dimension (issue 18), listed by
 * the catalog of the users whose region's cases carry it, and its column in the files. No
 * Temporal is needed: figures come from DuckDB.
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
import { importFiles } from '../../analytics/import/importer.js';
import { loadMapping } from '../../analytics/import/mapping.js';
import { petitionerKeys } from '../../analytics/import/pseudonym.js';
import { AnalyticsStore } from '../../analytics/store.js';
import type { CaseEvent, CaseIntake } from '../../domain/case.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
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

// A hotline's calls of 2024 in Haidian (110108), one of its streets among them, with their call
// type kept as a source dimension; one call without a type. Chaoyang's analyst has none of them.
const CALLS = [
  'id,when,district,street,call_type',
  'C1,2024-02-01 09:00,110108,,Noise',
  'C2,2024-02-03 09:00,110108,110108001,Noise',
  'C3,2024-03-04 09:00,110108,,"Roads, potholes"',
  'C4,2024-05-05 09:00,110108,110108001,=cmd',
  'C5,2024-06-06 09:00,110108,,',
  'C6,2024-07-07 09:00,110108,,Noise',
  '',
].join('\n');
const YEAR_2024 = { year: '2024', measure: 'cases', by: 'src:call_type' };

describe('a source dimension an import declared (src:call_type)', () => {
  beforeAll(async () => {
    writeFileSync(join(dir, 'calls.csv'), CALLS);
    writeFileSync(
      join(dir, 'calls.json'),
      JSON.stringify({
        name: 'haidian-calls',
        jurisdiction: 'beijing',
        id: { column: 'id', prefix: 'CALL-' },
        dimensions: { call_type: { column: 'call_type', labelZh: '来电类型', labelEn: 'Call type' } },
        columns: {
          received_at: { from: 'when', parse: 'datetime', formats: ['yyyy-MM-dd HH:mm'] },
          channel: { value: 'phone' },
          region_code: { from: 'district' },
          street_code: { from: 'street' },
        },
      }),
    );
    const report = await importFiles(store, {
      sources: [{ path: join(dir, 'calls.csv') }],
      mapping: loadMapping(join(dir, 'calls.json')),
      hierarchy: beijingRegions(),
      keys: petitionerKeys(Buffer.alloc(32, 5)),
    });
    expect(report.cases.imported).toBe(6);
  });

  /** Cases of 2024 in the city per call type (null: none recorded), counted in SQL from the import's own tables. */
  const sqlCounts = async () =>
    store.all(
      z.object({ call_type: z.string().nullable(), n: z.number() }),
      `SELECT sd.value AS call_type, count(*)::INTEGER AS n
         FROM cases c LEFT JOIN case_source_dimensions sd ON sd.case_id = c.case_id AND sd.dimension = 'call_type'
        WHERE c.received_date BETWEEN DATE '2024-01-01' AND DATE '2024-12-31'
        GROUP BY 1 ORDER BY 1 NULLS FIRST`,
    );

  const byType = (a: { call_type: string | null }, b: { call_type: string | null }) => (a.call_type ?? '').localeCompare(b.call_type ?? '');
  /** One CSV line's cells (RFC 4180 quotes), enough for these values. */
  const csvLine = (line: string) => [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1]!.replace(/^"(.*)"$/s, '$1').replaceAll('""', '"'));

  const catalogOf = async (user: string) => {
    const res = await get(user, '/metrics/catalog', {});
    expect(res.status).toBe(200);
    return z
      .object({
        measures: z.array(z.object({ id: z.string(), dimensions: z.array(z.string()) })),
        sourceDimensions: z.array(z.object({ id: z.string(), name: z.string(), labelZh: z.string(), labelEn: z.string(), declaredBy: z.object({ mapping: z.string(), column: z.string() }), measures: z.array(z.string()) })),
      })
      .parse(await res.json());
  };

  it('is in the catalog of the city’s analyst with its labels and origin, and not in Chaoyang’s', async () => {
    const city = await catalogOf('analyst');
    expect(city.sourceDimensions).toEqual([
      expect.objectContaining({ id: 'src:call_type', name: 'call_type', labelZh: '来电类型', labelEn: 'Call type', declaredBy: { mapping: 'haidian-calls', column: 'call_type' } }),
    ]);
    expect(city.sourceDimensions[0]!.measures).toContain('cases');
    expect(city.measures.find((m) => m.id === 'cases')!.dimensions).toContain('src:call_type');
    expect(city.measures.find((m) => m.id === 'recommendations_issued')!.dimensions).not.toContain('src:call_type');

    const chaoyang = await catalogOf('analyst-chaoyang');
    expect(chaoyang.sourceDimensions).toEqual([]);
    expect(chaoyang.measures.find((m) => m.id === 'cases')!.dimensions).not.toContain('src:call_type');
    // Chaoyang's analyst may not ask the city's catalog; the city's may ask Chaoyang's.
    expect((await get('analyst-chaoyang', '/metrics/catalog', { region: '110000' })).status).toBe(403);
    const asked = z.object({ sourceDimensions: z.array(z.unknown()) }).parse(await (await get('analyst', '/metrics/catalog', { region: '110105' })).json());
    expect(asked.sourceDimensions).toEqual([]);
    expect((await get('analyst', '/metrics/catalog', { nosuch: 'x' })).status).toBe(400);
  });

  it('exports a CSV by call type whose rows equal a SQL count per call type, the column headed by its id', async () => {
    const { res, bytes } = await exported('analyst', { ...YEAR_2024, format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=cases-by-src_call_type-110000-2024-01-01_2024-12-31.csv');
    const text = bytes.toString('utf8').slice(1);
    const [header, ...lines] = text.split('\r\n').filter(Boolean);
    expect(header).toBe('measure,measure_label,src:call_type,value,numerator,denominator,interval_low,interval_high');
    // The values are the source's own text: quoted where they hold a comma, a formula disarmed.
    expect(lines).toContain('cases,信访总量,"Roads, potholes",1,,,,');
    expect(lines).toContain("cases,信访总量,'=cmd,1,,,,");
    const parsed = lines.map((line) => {
      const cells = csvLine(line);
      // The apostrophe is the CSV's guard, not the source's text.
      return { call_type: cells[2] === '' ? null : cells[2]!.replace(/^'=/, '='), n: Number(cells[3]) };
    });
    const counted = await sqlCounts();
    // Chaoyang's case EX-5 of 2024 has no call type, as the hotline's C5.
    expect(counted.find((r) => r.call_type === null)!.n).toBe(2);
    expect(parsed.sort(byType)).toEqual(counted.sort(byType));
  });

  it('filters by it, and carries its column in XLSX and Parquet as in CSV', async () => {
    const filtered = await exported('analyst', { year: '2024', measure: 'cases', by: 'street', 'src:call_type': 'Noise', format: 'csv' });
    expect(filtered.res.status).toBe(200);
    const rows = filtered.bytes.toString('utf8').slice(1).split('\r\n').filter(Boolean).slice(1).map((l) => l.split(',').slice(2, 4));
    expect(rows).toEqual([
      ['', '2'],
      ['110108001', '1'],
    ]);

    const parquet = await exported('analyst', { ...YEAR_2024, format: 'parquet' });
    expect(parquet.res.status).toBe(200);
    const file = join(dir, 'calls.parquet');
    writeFileSync(file, parquet.bytes);
    const back = await store.all(
      z.object({ call_type: z.string().nullable(), n: z.number() }),
      `SELECT "src:call_type" AS call_type, value::INTEGER AS n FROM read_parquet($file) ORDER BY 1 NULLS FIRST`,
      { file },
    );
    expect(back.sort(byType)).toEqual((await sqlCounts()).sort(byType));

    const xlsx = await exported('analyst', { ...YEAR_2024, format: 'xlsx' });
    expect(xlsx.res.status).toBe(200);
    const strings = strFromU8(unzipSync(new Uint8Array(xlsx.bytes))['xl/sharedStrings.xml']!);
    for (const text of ['src:call_type', 'Noise', 'Roads, potholes', '=cmd']) expect(strings).toContain(`<t>${text}</t>`);
  });

  it('is refused to Chaoyang’s analyst, whose cases carry none, naming the region', async () => {
    for (const path of ['/metrics', '/metrics/export']) {
      const res = await get('analyst-chaoyang', path, { ...YEAR_2024, ...(path.endsWith('export') ? { format: 'csv' } : {}) });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('unknown source dimension "src:call_type"; no import has declared any for the cases of region 110105 (mapping "dimensions")');
    }
  });
});
