/**
 * Export of what the explorer shows (issue 14): a metrics answer flattened to one row per
 * (measure, dimension values), the same flattening as the Arrow answer of GET /api/v1/metrics,
 * written as CSV, XLSX, Parquet or an Arrow IPC file. Every writer but Parquet's is pure;
 * Parquet is written by DuckDB itself, so its types and encoding are DuckDB's own.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOUBLE, LIST, listValue, VARCHAR, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { Float64, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import writeXlsxFile, { type Cell, type Row } from 'write-excel-file/node';
import { MEASURES, measure, type DimensionId, type MeasureId } from '../metrics/catalog.js';
import type { Compared } from '../metrics/compare.js';
import type { MetricRequest, MetricRow } from '../metrics/query.js';
import type { AnalyticsStore } from '../store.js';

export const EXPORT_FORMATS = ['csv', 'xlsx', 'parquet', 'arrow'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const MEDIA_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  parquet: 'application/vnd.apache.parquet',
  arrow: 'application/vnd.apache.arrow.file',
};

export type CellValue = string | number | null;

export interface ExportColumn {
  name: string;
  /** How every writer types the column: a number stays a number in XLSX, Parquet and Arrow. */
  kind: 'text' | 'number';
}

export interface ExportTable {
  columns: readonly ExportColumn[];
  rows: readonly (readonly CellValue[])[];
}

export interface MetricsAnswer {
  request: Pick<MetricRequest, 'measures' | 'by' | 'region' | 'from' | 'to'>;
  rows: readonly (MetricRow | Compared)[];
}

const number = (name: string): ExportColumn => ({ name, kind: 'number' });
const text = (name: string): ExportColumn => ({ name, kind: 'text' });
const orNull = (v: number | null | undefined) => (v === undefined || v === null || !Number.isFinite(v) ? null : v);

/**
 * The columns are the same for every row of an answer, whatever its rows hold: a file of rates
 * and counts together has empty numerators where a count has none, not a shape that changes.
 * A dimension's column is named by its id, an import's source dimension too (`src:call_type`),
 * as in the query and the Arrow answer of GET /metrics; only the measure has a label column.
 */
export function metricsTable(answer: MetricsAnswer, compare: boolean): ExportTable {
  const by: readonly DimensionId[] = answer.request.by ?? [];
  const columns: ExportColumn[] = [
    text('measure'),
    text('measure_label'),
    ...by.map(text),
    ...['value', 'numerator', 'denominator', 'interval_low', 'interval_high'].map(number),
    ...(compare ? ['previous', 'change', 'relative'].map(number) : []),
  ];
  const rows = answer.rows.map((r): CellValue[] => {
    const current: MetricRow = 'current' in r ? r.current : r;
    const head: CellValue[] = [r.measure, measure(r.measure).labelZh, ...by.map((d) => r.dims[d] ?? null)];
    const figures: CellValue[] = [orNull(current.value), orNull(current.numerator), orNull(current.denominator), orNull(current.interval?.[0]), orNull(current.interval?.[1])];
    if (!compare) return [...head, ...figures];
    const compared = 'current' in r ? r : null;
    return [...head, ...figures, orNull(compared?.previous?.value), orNull(compared?.change), orNull(compared?.relative)];
  });
  return { columns, rows };
}

/** A name that says what the file holds: `cases-by-month-110105-2025-01-01_2025-12-31.csv`. */
export function exportFileName(answer: MetricsAnswer, compare: string | undefined, format: ExportFormat): string {
  const { measures, by, region, from, to } = answer.request;
  const all = new Set(measures).size === MEASURES.length;
  const what = all || measures.length > 3 ? 'metrics' : [...new Set<MeasureId>(measures)].join('-');
  const parts = [what, ...(by?.length ? [`by-${by.join('-')}`] : []), ...(region ? [region] : []), `${from}_${to}`, ...(compare ? [compare] : [])];
  // Ids, codes and dates only; anything else would need quoting in Content-Disposition.
  return `${parts.join('-').replace(/[^A-Za-z0-9_.-]/g, '_')}.${format}`;
}

// ---------------------------------------------------------------------------------------------
// CSV: RFC 4180, UTF-8 with a byte-order mark (Excel otherwise reads Chinese as its ANSI code page).

const BOM = '\uFEFF';
/** Text a spreadsheet would run as a formula (OWASP "CSV injection"): = + - @, and tab or CR before them. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CellValue): string {
  if (value === null) return '';
  // A number is the exporter's own figure, never text someone typed: written as is, -0.02 stays a number.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(table: ExportTable): Buffer {
  const lines = [table.columns.map((c) => csvCell(c.name)), ...table.rows.map((r) => r.map(csvCell))].map((cells) => `${cells.join(',')}\r\n`);
  return Buffer.from(BOM + lines.join(''), 'utf8');
}

// ---------------------------------------------------------------------------------------------
// XLSX through write-excel-file: numbers as numeric cells, text as text. A text cell is never
// evaluated, so "=1+1" needs no guard there (unlike CSV, where the reader decides).

export async function toXlsx(table: ExportTable, sheet = 'metrics'): Promise<Buffer> {
  const header: Row = table.columns.map((c): Cell => ({ value: c.name, type: String, fontWeight: 'bold' }));
  const rows: Row[] = table.rows.map((r) =>
    r.map((v, i): Cell => {
      if (v === null) return null;
      return table.columns[i]?.kind === 'number' && typeof v === 'number' ? { value: v, type: Number } : { value: String(v), type: String };
    }),
  );
  return writeXlsxFile([header, ...rows], { sheet, stickyRowsCount: 1 }).toBuffer();
}

// ---------------------------------------------------------------------------------------------
// Arrow IPC file (not the stream /metrics answers): a file has a footer, which tools that open
// `.arrow` files (pyarrow.ipc.open_file, DuckDB's arrow extension) expect.

export function toArrowIpc(table: ExportTable): Buffer {
  // Typed vectors, not tableFromJSON: a column of nulls only would otherwise have no type.
  const vectors = Object.fromEntries(
    table.columns.map((c, i) => {
      const values = table.rows.map((r) => r[i] ?? null);
      return [c.name, c.kind === 'number' ? vectorFromArray(values as (number | null)[], new Float64()) : vectorFromArray(values.map((v) => (v === null ? null : String(v))), new Utf8())];
    }),
  );
  return Buffer.from(tableToIPC(new Table(vectors), 'file'));
}

// ---------------------------------------------------------------------------------------------
// Parquet, written by DuckDB: the rows go in as bound lists (one per column, unnested side by
// side), so no value is ever part of the SQL text.

const quoteIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

export async function toParquet(store: AnalyticsStore, table: ExportTable): Promise<Buffer> {
  // The answer is one metrics result, small enough to read whole: the file is gone before a byte is sent, so a dropped download leaves nothing behind.
  const dir = await mkdtemp(join(tmpdir(), 'xinfang-export-'));
  const path = join(dir, 'export.parquet');
  try {
    const params: Record<string, DuckDBValue> = { path };
    // Typed, not inferred: a list of whole numbers (or of nulls only) would otherwise bind as INTEGER[] (or fail).
    const types: Record<string, DuckDBType> = {};
    const select = table.columns.map((c, i) => {
      const values = table.rows.map((r) => r[i] ?? null);
      params[`c${i}`] = listValue(c.kind === 'number' ? values.map((v) => (typeof v === 'number' ? v : null)) : values.map((v) => (v === null ? null : String(v))));
      types[`c${i}`] = LIST(c.kind === 'number' ? DOUBLE : VARCHAR);
      return `unnest($c${i}) AS ${quoteIdent(c.name)}`;
    });
    await store.session((conn) => conn.run(`COPY (SELECT ${select.join(', ')}) TO $path (FORMAT parquet, COMPRESSION zstd)`, params, types));
    return await readFile(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function writeTable(store: AnalyticsStore, table: ExportTable, format: ExportFormat): Promise<Buffer> {
  switch (format) {
    case 'csv':
      return toCsv(table);
    case 'xlsx':
      return toXlsx(table);
    case 'arrow':
      return toArrowIpc(table);
    case 'parquet':
      return toParquet(store, table);
  }
}
