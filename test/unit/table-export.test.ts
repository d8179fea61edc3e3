/**
 * The explorer's file writers (analytics/export/table-export.ts): CSV as RFC 4180 with a BOM
 * and no formula a spreadsheet would run, XLSX with numbers as numbers, and Parquet and Arrow
 * files that DuckDB and apache-arrow read back to the same rows and types.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { csvCell, exportFileName, metricsTable, toArrowIpc, toCsv, toParquet, toXlsx, type ExportTable, type MetricsAnswer } from '../../analytics/export/table-export.js';
import { MEASURES } from '../../analytics/metrics/catalog.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { parsePlainDate as d } from '../../rules/plain-date.js';

const TABLE: ExportTable = {
  columns: [
    { name: 'measure', kind: 'text' },
    { name: 'district', kind: 'text' },
    { name: 'value', kind: 'number' },
    { name: 'change', kind: 'number' },
  ],
  rows: [
    ['cases', '朝阳区', 12, -0.02],
    ['=HYPERLINK("http://x","点")', 'a,b', 0.5, null],
    ['line\nbreak', '+1', null, 3],
    ['@SUM(A1)', '-2', 1e-7, 0],
  ],
};

const plainAnswer: MetricsAnswer = {
  request: { measures: ['cases', 'on_time_completion_rate'], by: ['month'], region: '110105', from: d('2025-01-01'), to: d('2025-12-31') },
  rows: [
    { measure: 'cases', dims: { month: '2025-01' }, value: 7 },
    { measure: 'on_time_completion_rate', dims: { month: '2025-01' }, value: 0.5, numerator: 1, denominator: 2, interval: [0.1, 0.9] },
  ],
};

describe('CSV', () => {
  it('quotes as RFC 4180 says: commas, quotes and line breaks, quotes doubled', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell(null)).toBe('');
  });

  it('prefixes text a spreadsheet would run as a formula with an apostrophe, and leaves numbers alone', () => {
    for (const formula of ['=1+1', '+1', '-2', '@SUM(A1)', '\t=1', '\r=1']) expect(csvCell(formula).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell(-0.02)).toBe('-0.02');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell('1-2')).toBe('1-2');
  });

  it('is UTF-8 with a byte-order mark, a header row and CRLF line ends', () => {
    const bytes = toCsv(TABLE);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.split('\r\n')).toEqual([
      'measure,district,value,change',
      'cases,朝阳区,12,-0.02',
      `"'=HYPERLINK(""http://x"",""点"")","a,b",0.5,`,
      `"line\nbreak",'+1,,3`,
      `'@SUM(A1),'-2,1e-7,0`,
      '',
    ]);
  });
});

describe('the metrics table', () => {
  it('flattens a plain answer to measure, label, each dimension, value, counts and interval', () => {
    const table = metricsTable(plainAnswer, false);
    expect(table.columns.map((c) => c.name)).toEqual(['measure', 'measure_label', 'month', 'value', 'numerator', 'denominator', 'interval_low', 'interval_high']);
    expect(table.rows).toEqual([
      ['cases', MEASURES.find((m) => m.id === 'cases')!.labelZh, '2025-01', 7, null, null, null, null],
      ['on_time_completion_rate', MEASURES.find((m) => m.id === 'on_time_completion_rate')!.labelZh, '2025-01', 0.5, 1, 2, 0.1, 0.9],
    ]);
  });

  it('adds previous, change and relative for a comparison', () => {
    const current = { measure: 'cases' as const, dims: {}, value: 10 };
    const table = metricsTable({ ...plainAnswer, request: { ...plainAnswer.request, by: [] }, rows: [{ measure: 'cases', dims: {}, current, previous: { ...current, value: 8 }, change: 2, relative: 0.25 }] }, true);
    expect(table.columns.map((c) => c.name).slice(-3)).toEqual(['previous', 'change', 'relative']);
    expect(table.rows[0]).toEqual(['cases', expect.any(String), 10, null, null, null, null, 8, 2, 0.25]);
  });

  it('names the file by measures, dimensions, region and period', () => {
    expect(exportFileName({ ...plainAnswer, request: { ...plainAnswer.request, measures: ['cases'] } }, undefined, 'csv')).toBe('cases-by-month-110105-2025-01-01_2025-12-31.csv');
    expect(exportFileName(plainAnswer, 'yoy', 'xlsx')).toBe('cases-on_time_completion_rate-by-month-110105-2025-01-01_2025-12-31-yoy.xlsx');
    expect(exportFileName({ ...plainAnswer, request: { ...plainAnswer.request, measures: MEASURES.map((m) => m.id), by: [] } }, undefined, 'parquet')).toBe('metrics-110105-2025-01-01_2025-12-31.parquet');
  });
});

describe('XLSX', () => {
  it('is a workbook whose numbers are numeric cells and whose text, formulas included, is text', async () => {
    const files = unzipSync(new Uint8Array(await toXlsx(TABLE)));
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']!);
    const strings = strFromU8(files['xl/sharedStrings.xml']!);
    // A numeric cell has no t= (type) attribute; a shared string has t="s".
    expect(sheet).toMatch(/<c r="C2"><v>12<\/v><\/c>/);
    expect(sheet).toMatch(/<c r="D2"><v>-0.02<\/v><\/c>/);
    expect(sheet).toMatch(/<c r="A3" t="s">/);
    expect(sheet).not.toContain('<f>');
    expect(strings).toContain('<t>朝阳区</t>');
    expect(strings).toContain('<t>=HYPERLINK("http://x","点")</t>');
    expect(strings).toContain('<t>measure</t>');
  });

  it('escapes markup in text', async () => {
    const files = unzipSync(new Uint8Array(await toXlsx({ columns: [{ name: 'field', kind: 'text' }], rows: [['a<b&c>']] })));
    expect(strFromU8(files['xl/sharedStrings.xml']!)).toContain('<t>a&lt;b&amp;c&gt;</t>');
  });
});

describe('Arrow and Parquet', () => {
  let store: AnalyticsStore;
  let dir: string;
  beforeAll(async () => {
    store = await AnalyticsStore.open(':memory:');
    dir = mkdtempSync(join(tmpdir(), 'xinfang-table-export-test-'));
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes an Arrow IPC file apache-arrow reads back, numbers as Float64 and text as Utf8', () => {
    const table = tableFromIPC(toArrowIpc(TABLE));
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['measure', 'Utf8'],
      ['district', 'Utf8'],
      ['value', 'Float64'],
      ['change', 'Float64'],
    ]);
    expect(table.toArray().map((r) => r.toJSON())).toEqual(TABLE.rows.map((r) => Object.fromEntries(TABLE.columns.map((c, i) => [c.name, r[i]]))));
  });

  it('types an Arrow column of nulls only by its kind', () => {
    const table = tableFromIPC(toArrowIpc({ columns: [{ name: 'numerator', kind: 'number' }], rows: [[null], [null]] }));
    expect(String(table.schema.fields[0]!.type)).toBe('Float64');
    expect(table.numRows).toBe(2);
  });

  it('writes Parquet through DuckDB that DuckDB reads back to the same rows and types, and leaves no file behind', async () => {
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('xinfang-export-')).length;
    const file = join(dir, 'back.parquet');
    writeFileSync(file, await toParquet(store, TABLE));
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('xinfang-export-')).length).toBeLessThanOrEqual(before);
    const types = await store.all(z.object({ column_name: z.string(), column_type: z.string() }), `DESCRIBE SELECT * FROM read_parquet($file)`, { file });
    expect(types.map((t) => [t.column_name, t.column_type])).toEqual([
      ['measure', 'VARCHAR'],
      ['district', 'VARCHAR'],
      ['value', 'DOUBLE'],
      ['change', 'DOUBLE'],
    ]);
    const row = z.object({ measure: z.string(), district: z.string(), value: z.number().nullable(), change: z.number().nullable() });
    const back = await store.all(row, 'SELECT * FROM read_parquet($file)', { file });
    expect(back.map((r) => [r.measure, r.district, r.value, r.change])).toEqual(TABLE.rows);
  });

  it('writes an empty answer as a Parquet file with its columns and no rows', async () => {
    const file = join(dir, 'empty.parquet');
    writeFileSync(file, await toParquet(store, { columns: TABLE.columns, rows: [] }));
    const [count] = await store.all(z.object({ n: z.number() }), 'SELECT count(*)::INTEGER AS n FROM read_parquet($file)', { file });
    expect(count!.n).toBe(0);
  });
});
