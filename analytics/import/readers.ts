/**
 * Record readers for the import: each yields the file's rows as text fields with the line
 * (CSV, JSON lines), sheet row (.xlsx) or row number (Arrow, Parquet) a person would look
 * for. A row the reader cannot make sense of is still yielded, with `error`, so it reaches
 * the quarantine with its place rather than stopping the import.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { RecordBatchReader } from 'apache-arrow';
import { unzipSync, strFromU8 } from 'fflate';
import type { DuckDBConnection } from '@duckdb/node-api';

export type Fields = Record<string, string | null>;

export interface RawRecord {
  line: number;
  fields: Fields;
  /** Why the reader could not read the row (it is quarantined with this reason). */
  error?: string;
}

export type FileFormat = 'csv' | 'jsonl' | 'parquet' | 'arrow' | 'xlsx';

export function formatOf(path: string): FileFormat | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  if (lower.endsWith('.parquet')) return 'parquet';
  if (lower.endsWith('.arrow') || lower.endsWith('.arrows') || lower.endsWith('.ipc') || lower.endsWith('.feather')) return 'arrow';
  if (lower.endsWith('.xlsx')) return 'xlsx';
  return null;
}

/** A file-level problem (unreadable, no header): the import stops and changes nothing. */
export class ImportFileError extends Error {}

/**
 * RFC 4180 CSV, streamed: quoted fields with commas, quotes and line breaks; LF or CRLF; a
 * UTF-8 byte-order mark. The first record is the header. `line` is the line the record
 * starts on. A record with more or fewer fields than the header is yielded with an error.
 */
export async function* readCsv(path: string): AsyncGenerator<RawRecord> {
  const separator = path.toLowerCase().endsWith('.tsv') ? '\t' : ',';
  let header: string[] | null = null;
  let record: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let afterQuote = false; // just read the closing quote of a field
  let line = 1;
  let recordLine = 1;
  let first = true;
  const finishRecord = function* (): Generator<RawRecord> {
    record.push(field);
    field = '';
    const cells = record;
    record = [];
    const at = recordLine;
    recordLine = line;
    if (cells.length === 1 && cells[0] === '') return; // blank line
    if (!header) {
      header = cells.map((h) => h.trim());
      return;
    }
    const fields: Fields = {};
    header.forEach((name, i) => (fields[name] = cells[i] ?? null));
    if (cells.length !== header.length) {
      yield { line: at, fields, error: `${cells.length} fields where the header has ${header.length}` };
    } else yield { line: at, fields };
  };
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    let text = chunk as string;
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"') {
          quoted = false;
          afterQuote = true;
        } else {
          if (ch === '\n') line++;
          field += ch;
        }
        continue;
      }
      if (ch === '"') {
        if (afterQuote) {
          // "" inside a quoted field is one quote
          field += '"';
          quoted = true;
          afterQuote = false;
        } else if (field === '') quoted = true;
        else field += ch; // a stray quote inside an unquoted field is kept as text
        continue;
      }
      afterQuote = false;
      if (ch === separator) {
        record.push(field);
        field = '';
      } else if (ch === '\n') {
        line++;
        yield* finishRecord();
      } else if (ch === '\r') {
        // CR of CRLF (or a lone CR) ends nothing by itself; LF ends the record
      } else field += ch;
    }
  }
  if (quoted) {
    const fields: Fields = {};
    yield { line: recordLine, fields, error: 'a quoted field is not closed before the end of the file' };
    return;
  }
  if (field !== '' || record.length) yield* finishRecord();
  if (!header) throw new ImportFileError(`${path}: empty file, no header`);
}

/** JSON lines: one object per line; blank lines are skipped. */
export async function* readJsonLines(path: string): AsyncGenerator<RawRecord> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
    if (!trimmed) continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      yield { line, fields: { _line: trimmed.slice(0, 500) }, error: `not valid JSON: ${(error as Error).message}` };
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      yield { line, fields: { _line: trimmed.slice(0, 500) }, error: 'not a JSON object' };
      continue;
    }
    const fields: Fields = {};
    for (const [k, v] of Object.entries(value)) fields[k] = cellText(v);
    yield { line, fields };
  }
}

/** Arrow IPC, file or stream format; `line` is the 1-based row number. */
export async function* readArrow(path: string): AsyncGenerator<RawRecord> {
  let reader;
  try {
    reader = await RecordBatchReader.from(createReadStream(path));
    await reader.open();
  } catch (error) {
    throw new ImportFileError(`${path}: not an Arrow IPC file or stream (${(error as Error).message})`);
  }
  let row = 0;
  for await (const batch of reader) {
    const names = batch.schema.fields.map((f) => f.name);
    const columns = names.map((_, i) => batch.getChildAt(i));
    for (let r = 0; r < batch.numRows; r++) {
      row++;
      const fields: Fields = {};
      names.forEach((name, i) => (fields[name] = cellText(columns[i]?.get(r))));
      yield { line: row, fields };
    }
  }
}

/** Parquet through DuckDB, streamed in chunks; `line` is the 1-based row number. */
export async function* readParquetRows(conn: DuckDBConnection, path: string): AsyncGenerator<RawRecord> {
  const result = await conn.stream('SELECT * FROM read_parquet($path, file_row_number = true)', { path });
  const names = result.columnNames();
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const row of chunk.getRowObjects(names)) {
      const fields: Fields = {};
      for (const name of names) if (name !== 'file_row_number') fields[name] = cellText(row[name]);
      yield { line: Number(row.file_row_number) + 1, fields };
    }
  }
}

/** Text of a cell as the mapping and validation see it. */
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && 'toString' in value && value.constructor?.name?.startsWith('Duck')) return String(value);
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
}

// ── .xlsx ──────────────────────────────────────────────────────────────────────────────

/**
 * The first worksheet of an .xlsx workbook (Office Open XML): shared and inline strings,
 * numbers, booleans, and dates (numbers in a date format, given as ISO local date-times,
 * which a mapping then places in its time zone). The first row is the header; `line` is the
 * sheet's row number.
 */
export async function* readXlsx(path: string): AsyncGenerator<RawRecord> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(readFileSync(path));
  } catch (error) {
    throw new ImportFileError(`${path}: not an .xlsx workbook (${(error as Error).message})`);
  }
  const text = (name: string) => (files[name] ? strFromU8(files[name]) : null);
  const sheetPath = firstSheetPath(text);
  const sheet = text(sheetPath);
  if (!sheet) throw new ImportFileError(`${path}: the workbook has no worksheet`);
  const shared = sharedStrings(text('xl/sharedStrings.xml'));
  const dateStyles = dateStyleIndexes(text('xl/styles.xml'));
  let header: string[] | null = null;
  for (const rowMatch of sheet.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const rowNumber = Number(/\br="(\d+)"/.exec(rowMatch[1]!)?.[1] ?? NaN);
    const cells: string[] = [];
    let nextColumn = 0;
    for (const c of (rowMatch[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = c[1]!;
      const ref = /\br="([A-Z]+)\d+"/.exec(attrs)?.[1];
      const column = ref ? columnIndex(ref) : nextColumn;
      nextColumn = column + 1;
      const type = /\bt="(\w+)"/.exec(attrs)?.[1] ?? 'n';
      const style = Number(/\bs="(\d+)"/.exec(attrs)?.[1] ?? -1);
      const inner = c[2] ?? '';
      const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
      let value: string | null = null;
      if (type === 's') value = v === undefined ? null : (shared[Number(v)] ?? null);
      else if (type === 'inlineStr') value = [...inner.matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)].map((m) => xmlText(m[1]!)).join('');
      else if (type === 'str' || type === 'e') value = v === undefined ? null : xmlText(v);
      else if (type === 'b') value = v === '1' ? 'true' : v === '0' ? 'false' : null;
      else if (v !== undefined) value = dateStyles.has(style) ? excelSerialToIso(Number(v)) : v;
      while (cells.length < column) cells.push('');
      cells[column] = value ?? '';
    }
    if (!header) {
      header = cells.map((h) => h.trim());
      continue;
    }
    if (cells.every((c) => c === '')) continue;
    const fields: Fields = {};
    header.forEach((name, i) => (fields[name] = cells[i] === undefined || cells[i] === '' ? null : cells[i]!));
    yield { line: rowNumber, fields };
  }
  if (!header) throw new ImportFileError(`${path}: the first sheet is empty, no header`);
}

function firstSheetPath(text: (name: string) => string | null): string {
  const workbook = text('xl/workbook.xml');
  const rels = text('xl/_rels/workbook.xml.rels');
  const rid = workbook && /<sheet\b[^>]*\br:id="([^"]+)"/.exec(workbook)?.[1];
  if (rid && rels) {
    for (const m of rels.matchAll(/<Relationship\b([^>]*)\/?>/g)) {
      if (new RegExp(`\\bId="${rid}"`).test(m[1]!)) {
        const target = /\bTarget="([^"]+)"/.exec(m[1]!)?.[1];
        if (target) return target.startsWith('/') ? target.slice(1) : `xl/${target}`;
      }
    }
  }
  return 'xl/worksheets/sheet1.xml';
}

function sharedStrings(xml: string | null): string[] {
  if (!xml) return [];
  return [...xml.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((si) =>
    [...si[1]!.matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)].map((t) => xmlText(t[1]!)).join(''),
  );
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

function dateStyleIndexes(xml: string | null): Set<number> {
  const result = new Set<number>();
  if (!xml) return result;
  const custom = new Map<number, string>();
  for (const m of xml.matchAll(/<numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"/g)) custom.set(Number(m[1]), xmlText(m[2]!));
  const cellXfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(xml)?.[1] ?? '';
  [...cellXfs.matchAll(/<xf\b([^>]*)/g)].forEach((xf, index) => {
    const id = Number(/numFmtId="(\d+)"/.exec(xf[1]!)?.[1] ?? 0);
    const code = custom.get(id);
    const isDate = BUILTIN_DATE_FORMATS.has(id) || (code !== undefined && /[ymdhs]/i.test(code.replace(/"[^"]*"|\[[^\]]*\]/g, '')));
    if (isDate) result.add(index);
  });
  return result;
}

/** Excel's 1900 date system: serial 25569 is 1970-01-01; the time of day is the fraction. */
function excelSerialToIso(serial: number): string {
  const ms = Math.round((serial - 25569) * 86_400_000);
  return new Date(ms).toISOString().replace('Z', '').replace(/\.000$/, '');
}

function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

function xmlText(s: string): string {
  return s
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}
