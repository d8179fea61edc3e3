/**
 * Import of petition cases and their events, and of the offices' recommendations (三项建议)
 * and screened disputes (one kind per file, told by its id column): CSV, JSON lines, Parquet, Arrow IPC and .xlsx,
 * in the project's schema or, with a mapping, from foreign data.
 *
 * - Every row is validated; a row that cannot be accepted goes to `import_quarantine` with its
 *   file, line and reason, and the rest come in.
 * - The import is one transaction: it commits whole (rows, quarantine and the batch record)
 *   or leaves the database exactly as it was.
 * - Case ids are stable (from the file, or from a hash of the mapped source columns), and
 *   inserts skip ids already present, so importing the same file again imports nothing twice;
 *   such rows are counted as duplicates.
 *
 * Parquet in the project's schema is validated and inserted by DuckDB straight from the file
 * (the path for millions of rows); other formats, and any file read through a mapping, are
 * read row by row in JavaScript into a staging table, then validated by the same SQL.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { CASE_EVENT_TYPES, CHANNEL_CODES, FIELDS, PETITION_CLASS_CODES } from '../../domain/case.js';
import { jurisdictionData } from '../../domain/jurisdiction-data.js';
import { RECOMMENDATION_KIND_CODES } from '../../domain/recommendation.js';
import type { RegionHierarchy } from '../../domain/region-hierarchy.js';
import { refreshCaseFacts } from '../facts.js';
import { deploymentZone, JurisdictionZoneError, recordJurisdictionZone, useZone, zoneOf } from '../jurisdiction-zones.js';
import type { AnalyticsStore } from '../store.js';
import { CASE_TARGETS, RowMapper, type Mapping } from './mapping.js';
import { OrganNameResolver, type OrganMatchRule } from './organ-names.js';
import { derivePetitionKinds, type PetitionKindsReport } from './petition-kinds.js';
import type { PetitionerKeys } from './pseudonym.js';
import { formatOf, ImportFileError, readArrow, readCsv, readJsonLines, readParquetRows, readXlsx, type FileFormat, type RawRecord } from './readers.js';
import {
  bindFor,
  CASE_COLUMNS,
  DISPUTE_COLUMNS,
  EVENT_COLUMNS,
  IGNORED_CASE_COLUMNS,
  IGNORED_EVENT_COLUMNS,
  IGNORED_RECORD_COLUMNS,
  insertCasesSql,
  insertDisputesSql,
  insertRecommendationsSql,
  parquetProjection,
  insertEventsSql,
  quarantineCasesSql,
  quarantineDisputesSql,
  quarantineEventsSql,
  quarantineRecommendationsSql,
  RECOMMENDATION_COLUMNS,
  type NativeColumn,
} from './sql.js';

export type ImportKind = 'cases' | 'events' | 'recommendations' | 'disputes';

/** What each kind of file is: its columns, what it needs, how it is checked and inserted. */
const KINDS: Record<
  ImportKind,
  {
    columns: readonly NativeColumn[];
    ignored: readonly string[];
    required: readonly string[];
    stage: string;
    quarantine: (source: string) => string;
    insert: (source: string) => string;
  }
> = {
  cases: {
    columns: CASE_COLUMNS,
    ignored: IGNORED_CASE_COLUMNS,
    required: ['case_id', 'received_at', 'channel', 'region_code'],
    stage: 'stage_cases',
    quarantine: quarantineCasesSql,
    insert: insertCasesSql,
  },
  events: {
    columns: EVENT_COLUMNS,
    ignored: IGNORED_EVENT_COLUMNS,
    required: ['case_id', 'event_type', 'occurred_at'],
    stage: 'stage_events',
    quarantine: quarantineEventsSql,
    insert: insertEventsSql,
  },
  recommendations: {
    columns: RECOMMENDATION_COLUMNS,
    ignored: IGNORED_RECORD_COLUMNS,
    required: ['recommendation_id', 'region_code', 'issued_by', 'to_organ', 'kind', 'issued_date'],
    stage: 'stage_recommendations',
    quarantine: quarantineRecommendationsSql,
    insert: insertRecommendationsSql,
  },
  disputes: {
    columns: DISPUTE_COLUMNS,
    ignored: IGNORED_RECORD_COLUMNS,
    required: ['dispute_id', 'region_code', 'screened_date'],
    stage: 'stage_disputes',
    quarantine: quarantineDisputesSql,
    insert: insertDisputesSql,
  },
};

/** A file's kind from its columns: each kind but cases has a column the others lack. */
function kindOf(columns: readonly string[]): ImportKind {
  if (columns.includes('event_type')) return 'events';
  if (columns.includes('recommendation_id')) return 'recommendations';
  if (columns.includes('dispute_id')) return 'disputes';
  return 'cases';
}

export interface ImportSource {
  /** Where to read the file. */
  path: string;
  /** The name reported and kept in the quarantine (an upload's original name); default path. */
  name?: string;
}

export interface ImportOptions {
  sources: ImportSource[];
  hierarchy: RegionHierarchy;
  keys: PetitionerKeys;
  mapping?: Mapping;
  actor?: string;
  now?: () => Date;
}

export interface Counts {
  read: number;
  imported: number;
  quarantined: number;
  duplicate: number;
}

export interface FileReport extends Counts {
  file: string;
  format: FileFormat;
  kind: ImportKind;
}

export interface ImportReport {
  batchId: string;
  mapping: string | null;
  files: FileReport[];
  cases: Counts;
  events: Counts;
  recommendations: Counts;
  disputes: Counts;
  /** Per reason, how many rows the quarantine took (most frequent first, at most 20). */
  reasons: Array<{ reason: string; rows: number }>;
  /** 初信初访, 重复信访 and 越级信访: which flags were derived from the petitioners' history and which the source carried. */
  petitionKinds: PetitionKindsReport;
  /** With a mapping's `organNames`: how the organ names read resolved, in rows read; null without. */
  organNames: OrganNamesReport | null;
  ms: number;
}

export interface OrganNamesReport {
  /** Rows whose organ name resolved, by the rule that resolved it. */
  resolved: Record<OrganMatchRule, number>;
  /** Names resolved other than as written, to check: most rows first, at most 50. */
  merged: Array<{ name: string; code: string; by: OrganMatchRule; rows: number }>;
  /** Names no rule resolved (quarantined or kept as written, as the mapping says): most rows first, at most 50. */
  unknown: Array<{ name: string; rows: number }>;
  unknownRows: number;
}

/** A mapping's `organNames` resolve against the organ registry of its jurisdiction's data (domain/organs/). */
function organResolver(options: ImportOptions): OrganNameResolver | null {
  const mapping = options.mapping;
  if (!mapping?.organNames) return null;
  try {
    return new OrganNameResolver(jurisdictionData(mapping.jurisdiction).organs.organs, options.hierarchy);
  } catch (error) {
    throw new ImportFileError(`mapping ${mapping.name}: organNames: ${(error as Error).message}`);
  }
}

function organNamesReport(mapper: RowMapper | null): OrganNamesReport | null {
  if (!mapper?.mapping.organNames) return null;
  const resolved: Record<OrganMatchRule, number> = { exact: 0, normalised: 0, 'edit-distance': 0 };
  const merged: OrganNamesReport['merged'] = [];
  const unknown: OrganNamesReport['unknown'] = [];
  for (const [name, { match, rows }] of mapper.organNames) {
    if (!match) unknown.push({ name, rows });
    else {
      resolved[match.by] += rows;
      if (match.by !== 'exact') merged.push({ name, code: match.code, by: match.by, rows });
    }
  }
  const order = (a: { name: string; rows: number }, b: { name: string; rows: number }) => b.rows - a.rows || a.name.localeCompare(b.name);
  return {
    resolved,
    merged: merged.sort(order).slice(0, 50),
    unknown: unknown.sort(order).slice(0, 50),
    unknownRows: unknown.reduce((a, u) => a + u.rows, 0),
  };
}

interface PlannedFile {
  source: ImportSource;
  name: string;
  format: FileFormat;
  kind: ImportKind;
  /** Native Parquet read by DuckDB directly: the file's columns. */
  parquetColumns?: string[];
}

export async function importFiles(store: AnalyticsStore, options: ImportOptions): Promise<ImportReport> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const batchId = `IMP-${startedAt.toISOString().slice(0, 10).replaceAll('-', '')}-${randomUUID().slice(0, 8)}`;
  const mapper = options.mapping ? new RowMapper(options.mapping, organResolver(options)) : null;
  if (!options.sources.length) throw new ImportFileError('no files to import');
  for (const s of options.sources) {
    if (!formatOf(s.path)) throw new ImportFileError(`${s.name ?? s.path}: unknown format; use .csv, .tsv, .jsonl, .parquet, .arrow or .xlsx`);
  }

  const jurisdiction = options.mapping?.jurisdiction ?? options.hierarchy.jurisdiction;
  return store.transaction(async (conn) => {
    // A local time without an offset in a native file is the jurisdiction's (a mapping has read its own already).
    await useZone(conn, await importZone(conn, options.mapping, jurisdiction));
    if (options.mapping) await refuseTakenDimensions(conn, options.mapping);
    await createStaging(conn, options.hierarchy);
    const identities = new Map<string, string>();
    // Case id → the organ it was brought to (mapping `receivedIn`), read by the derivation of skip_level.
    const receivedIn = new Map<string, string>();
    const planned: PlannedFile[] = [];
    const staged = { rows: 0 };
    for (const source of options.sources) {
      planned.push(await stageFile(conn, source, mapper, options.keys, identities, receivedIn, staged));
    }

    const files: FileReport[] = [];
    const params = {
      batch: batchId,
      latest: new Date(now().getTime() + 86_400_000).toISOString(),
      jurisdiction,
    };
    // Cases first, so events can refer to cases of the same import.
    for (const kind of ['cases', 'events', 'recommendations', 'disputes'] as const) {
      for (const file of planned.filter((p) => p.kind === kind)) {
        const source = sourceSql(file);
        const bind = { ...params, file: file.source.path, name: file.name };
        const countSql = `SELECT count(*)::BIGINT AS n FROM (${source})`;
        const read = await scalar(conn, countSql, bindFor(countSql, bind));
        const quarantineSql = KINDS[kind].quarantine(source);
        const quarantined = (await conn.run(quarantineSql, bindFor(quarantineSql, bind))).rowsChanged;
        const insertSql = KINDS[kind].insert(source);
        const imported = (await conn.run(insertSql, bindFor(insertSql, bind))).rowsChanged;
        files.push({ file: file.name, format: file.format, kind, read, imported, quarantined, duplicate: read - imported - quarantined });
      }
    }

    if (options.mapping) await storeSourceDimensions(conn, options.mapping, batchId, startedAt);

    // Every imported case has its `received` event, whether or not the files brought one.
    await conn.run(
      `INSERT INTO case_events (event_id, case_id, event_type, occurred_at, actor, due_date, detail)
       SELECT case_id || '/received', case_id, 'received', received_at, NULL, NULL, json_object('import', $batch::VARCHAR)
         FROM cases WHERE import_batch = $batch
       ON CONFLICT DO NOTHING`,
      { batch: batchId },
    );
    if (identities.size) await storeIdentities(conn, identities, options.keys, batchId);
    const petitionKinds = await derivePetitionKinds(conn, batchId, options.mapping, receivedIn, startedAt);
    await refreshCaseFacts(conn, 'transaction');

    const sum = (kind: ImportKind): Counts => {
      const of = files.filter((f) => f.kind === kind);
      const total = (k: keyof Counts) => of.reduce((a, f) => a + f[k], 0);
      return { read: total('read'), imported: total('imported'), quarantined: total('quarantined'), duplicate: total('duplicate') };
    };
    const cases = sum('cases');
    const events = sum('events');
    const recommendations = sum('recommendations');
    const disputes = sum('disputes');
    const reader = await conn.runAndReadAll(
      `SELECT reason, count(*)::INTEGER AS rows FROM import_quarantine WHERE batch_id = $batch
        GROUP BY reason ORDER BY rows DESC, reason LIMIT 20`,
      { batch: batchId },
    );
    const reasons = reader.getRowObjectsJson().map((r) => ({ reason: String(r.reason), rows: Number(r.rows) }));
    await conn.run(
      `INSERT INTO import_batches VALUES ($batch, $started::TIMESTAMPTZ, $finished::TIMESTAMPTZ, $files::JSON, $mapping,
         $read, $imported, $quarantined, $duplicate, $eread, $eimported, $equarantined, $eduplicate, $actor)`,
      {
        batch: batchId,
        started: startedAt.toISOString(),
        finished: now().toISOString(),
        files: JSON.stringify(files),
        mapping: options.mapping?.name ?? null,
        read: cases.read,
        imported: cases.imported,
        quarantined: cases.quarantined,
        duplicate: cases.duplicate,
        eread: events.read,
        eimported: events.imported,
        equarantined: events.quarantined,
        eduplicate: events.duplicate,
        actor: options.actor ?? null,
      },
    );
    for (const { stage } of Object.values(KINDS)) await conn.run(`DROP TABLE temp.main.${stage}`);
    await conn.run('DROP TABLE temp.main.stage_identities');
    await conn.run('DROP TABLE temp.main.stage_case_dimensions');
    await conn.run('DROP TABLE temp.main.import_regions');
    await conn.run('DROP TABLE temp.main.import_vocab');
    return { batchId, mapping: options.mapping?.name ?? null, files, cases, events, recommendations, disputes, reasons, petitionKinds, organNames: organNamesReport(mapper), ms: Date.now() - started };
  });
}

/**
 * The zone the import's cases are counted in, recorded for their jurisdiction in the same
 * transaction: the mapping's; for a file in the project's schema, the jurisdiction's own (else
 * the deployment's). A mapping giving another zone than the jurisdiction's is refused whole.
 */
async function importZone(conn: DuckDBConnection, mapping: Mapping | undefined, jurisdiction: string): Promise<string> {
  const zone = mapping ? mapping.timezone : ((await zoneOf(conn, jurisdiction))?.zone ?? (await deploymentZone(conn)));
  try {
    await recordJurisdictionZone(conn, jurisdiction, zone, mapping ? `mapping ${mapping.name}` : 'import');
  } catch (error) {
    if (error instanceof JurisdictionZoneError) throw new ImportFileError(error.message);
    throw error;
  }
  return zone;
}

async function scalar(conn: DuckDBConnection, sql: string, params: Record<string, string>): Promise<number> {
  const reader = await conn.runAndReadAll(sql, params);
  return Number(reader.getRowObjectsJson()[0]?.n ?? 0);
}

/** The SELECT a file's rows come from, with the staged columns' names. A constant template per kind. */
function sourceSql(file: PlannedFile): string {
  const { columns, stage } = KINDS[file.kind];
  if (!file.parquetColumns) return `SELECT * FROM temp.main.${stage} WHERE src_file = $name`;
  // Column names come from the schema's fixed list, never from the file.
  return `SELECT $name AS src_file, file_row_number + 1 AS src_line, NULL::VARCHAR AS pre_reason, NULL::VARCHAR AS raw,
                 ${parquetProjection(columns, new Set(file.parquetColumns))}
            FROM read_parquet($file, file_row_number = true)`;
}

async function createStaging(conn: DuckDBConnection, hierarchy: RegionHierarchy): Promise<void> {
  const text = (names: readonly string[]) => names.map((n) => `${n} VARCHAR`).join(', ');
  for (const { stage, columns } of Object.values(KINDS)) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${stage} (src_file VARCHAR, src_line BIGINT, pre_reason VARCHAR, raw VARCHAR,
      ${text(columns.map((c) => c.name))})`);
  }
  await conn.run('CREATE OR REPLACE TEMP TABLE stage_identities (petitioner_id VARCHAR, identity VARCHAR)');
  // seq: the order rows were read in, across files, so a case id given twice keeps its first row's values as `cases` does.
  await conn.run('CREATE OR REPLACE TEMP TABLE stage_case_dimensions (seq BIGINT, src_file VARCHAR, src_line BIGINT, case_id VARCHAR, dimension VARCHAR, value VARCHAR)');
  await conn.run(`CREATE OR REPLACE TEMP TABLE import_regions (code VARCHAR PRIMARY KEY, parent_code VARCHAR, level VARCHAR,
    name_zh VARCHAR, name_en VARCHAR, population10k DOUBLE)`);
  await conn.run('CREATE OR REPLACE TEMP TABLE import_vocab (kind VARCHAR, code VARCHAR)');
  const regions = await conn.createAppender('import_regions', 'main', 'temp');
  for (const n of hierarchy.nodes) {
    regions.appendVarchar(n.code);
    if (n.parentCode === null) regions.appendNull();
    else regions.appendVarchar(n.parentCode);
    regions.appendVarchar(n.level);
    regions.appendVarchar(n.nameZh);
    regions.appendVarchar(n.nameEn);
    if (n.population10k === null) regions.appendNull();
    else regions.appendDouble(n.population10k);
    regions.endRow();
  }
  regions.closeSync();
  // The hierarchy the cases refer to is kept with them.
  await conn.run(
    `INSERT INTO regions (code, parent_code, level, name_zh, name_en, population10k, jurisdiction)
     SELECT code, parent_code, level, name_zh, name_en, population10k, $jurisdiction FROM temp.main.import_regions
     ON CONFLICT DO NOTHING`,
    { jurisdiction: hierarchy.jurisdiction },
  );
  const vocab = await conn.createAppender('import_vocab', 'main', 'temp');
  const add = (kind: string, codes: readonly string[]) => {
    for (const code of codes) {
      vocab.appendVarchar(kind);
      vocab.appendVarchar(code);
      vocab.endRow();
    }
  };
  add('channel', CHANNEL_CODES);
  add('field', FIELDS);
  add('class', PETITION_CLASS_CODES);
  add('event', CASE_EVENT_TYPES);
  add('recommendation', RECOMMENDATION_KIND_CODES);
  vocab.closeSync();
}

/** Reads a file into staging (or plans it for DuckDB to read directly) and says what it holds. */
async function stageFile(
  conn: DuckDBConnection,
  source: ImportSource,
  mapper: RowMapper | null,
  keys: PetitionerKeys,
  identities: Map<string, string>,
  receivedIn: Map<string, string>,
  staged: { rows: number },
): Promise<PlannedFile> {
  const name = source.name ?? source.path;
  const format = formatOf(source.path)!;
  if (format === 'parquet' && !mapper) {
    let columns: string[];
    try {
      const reader = await conn.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($file)', { file: source.path });
      columns = reader.getRowObjectsJson().map((r) => String(r.column_name));
    } catch (error) {
      // DuckDB's error class ("Invalid Input Error: ") says nothing to the one who sent the file.
      throw new ImportFileError(`${name}: cannot read as Parquet (${(error as Error).message.split('\n')[0]!.replace(/^[A-Za-z ]*Error: /, '')})`);
    }
    const kind = kindOf(columns);
    checkNativeColumns(name, kind, columns);
    return { source, name, format, kind, parquetColumns: columns };
  }

  const records = readerFor(conn, format, source.path);
  let kind: ImportKind | null = mapper ? 'cases' : null;
  let appender: DuckDBAppender | null = null;
  const dimensions = mapper && Object.keys(mapper.mapping.dimensions).length ? await conn.createAppender('stage_case_dimensions', 'main', 'temp') : null;
  let columns: readonly { name: string }[] = CASE_COLUMNS;
  // A file of which not one record parses is not in its format at all: refused whole, as an
  // unreadable Parquet file or workbook is, rather than quarantined line by line.
  let unreadable: RawRecord | undefined;
  let readable = false;
  mapper?.startFile();
  try {
    for await (const record of records) {
      if (record.error) unreadable ??= record;
      else readable = true;
      if (!kind) {
        const names = Object.keys(record.fields);
        kind = kindOf(names);
        if (!record.error) checkNativeColumns(name, kind, names);
      }
      if (!appender) {
        appender = await conn.createAppender(KINDS[kind].stage, 'main', 'temp');
        columns = KINDS[kind].columns;
      }
      let values: Record<string, string | null | undefined> = record.fields;
      let problem = record.error ?? null;
      if (mapper) {
        const mapped = mapper.map(record.fields);
        values = { ...mapped.values };
        problem ??= mapped.problem;
        if (mapped.identity) {
          const id = keys.pseudonym(mapped.identity);
          values.petitioner_id = id;
          if (mapper.mapping.petitioner?.keepIdentity) identities.set(id, mapped.identity);
        }
        // The first row of an id is the one the insert keeps.
        if (mapped.receivedIn && values.case_id && !receivedIn.has(values.case_id)) receivedIn.set(values.case_id, mapped.receivedIn);
        staged.rows += 1;
        if (dimensions && values.case_id) {
          for (const [dimension, value] of Object.entries(mapped.dimensions)) {
            dimensions.appendBigInt(BigInt(staged.rows));
            dimensions.appendVarchar(name);
            dimensions.appendBigInt(BigInt(record.line));
            dimensions.appendVarchar(values.case_id);
            dimensions.appendVarchar(dimension);
            dimensions.appendVarchar(value);
            dimensions.endRow();
          }
        }
      } else if (!record.error) {
        const unknown = Object.keys(record.fields).find((k) => !columns.some((c) => c.name === k) && !isIgnored(kind!, k));
        if (unknown) problem = `unknown column ${unknown}`;
      }
      appendStaged(appender, name, record, problem, values, columns);
    }
    if (unreadable && !readable) throw new ImportFileError(`${name}: not one record could be read as ${format} (line ${unreadable.line}: ${unreadable.error})`);
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(`${name}: ${(error as Error).message}`);
  } finally {
    appender?.closeSync();
    dimensions?.closeSync();
  }
  return { source, name, format, kind: kind ?? 'cases' };
}

function isIgnored(kind: ImportKind, column: string): boolean {
  return KINDS[kind].ignored.includes(column);
}

function checkNativeColumns(name: string, kind: ImportKind, columns: string[]): void {
  const known = KINDS[kind].columns;
  const unknown = columns.filter((c) => c !== 'file_row_number' && !known.some((k) => k.name === c) && !isIgnored(kind, c));
  if (unknown.length) {
    throw new ImportFileError(
      `${name}: ${unknown.length === 1 ? 'column' : 'columns'} ${unknown.join(', ')} not in the project's ${kind} schema ` +
        `(${known.map((k) => k.name).join(', ')}); import foreign data with --mapping`,
    );
  }
  const required = KINDS[kind].required;
  const missing = required.filter((r) => !columns.includes(r));
  if (missing.length) throw new ImportFileError(`${name}: required ${kind} column(s) ${missing.join(', ')} missing`);
}

function readerFor(conn: DuckDBConnection, format: FileFormat, path: string): AsyncIterable<RawRecord> {
  switch (format) {
    case 'csv':
      return readCsv(path);
    case 'jsonl':
      return readJsonLines(path);
    case 'arrow':
      return readArrow(path);
    case 'xlsx':
      return readXlsx(path);
    case 'parquet':
      return readParquetRows(conn, path);
  }
}

function appendStaged(
  appender: DuckDBAppender,
  file: string,
  record: RawRecord,
  problem: string | null,
  values: Record<string, string | null | undefined>,
  columns: readonly { name: string }[],
): void {
  appender.appendVarchar(file);
  appender.appendBigInt(BigInt(record.line));
  if (problem === null) appender.appendNull();
  else appender.appendVarchar(problem);
  appender.appendVarchar(JSON.stringify(record.fields));
  for (const c of columns) {
    const v = values[c.name];
    if (v === null || v === undefined || v === '') appender.appendNull(); // an empty cell is a missing value
    else appender.appendVarchar(v);
  }
  appender.endRow();
}

/**
 * A source dimension is one source's category: another mapping's `src:call_type` would take over
 * its labels and mix two sources' values under one name, so the import is refused before a row
 * is written. The mapping that declared it may declare it again (its labels may change).
 */
async function refuseTakenDimensions(conn: DuckDBConnection, mapping: Mapping): Promise<void> {
  const taken: string[] = [];
  for (const dimension of Object.keys(mapping.dimensions)) {
    const reader = await conn.runAndReadAll(`SELECT mapping, source_column FROM source_dimensions WHERE dimension = $dimension AND mapping <> $mapping`, {
      dimension,
      mapping: mapping.name,
    });
    const [other] = reader.getRowObjectsJson() as { mapping: string; source_column: string }[];
    if (other) {
      taken.push(
        `dimensions.${dimension}: src:${dimension} is already declared by mapping ${other.mapping} (its column ${other.source_column}); give this source's category a name of its own, such as ${mapping.name.replaceAll('-', '_')}_${dimension}`,
      );
    }
  }
  if (taken.length) throw new ImportFileError(taken.join('; '));
}

/**
 * The mapping's declared source dimensions, and their values for the cases this import brought
 * in: of a case id given more than once, the first row not quarantined, the one `cases` kept.
 */
async function storeSourceDimensions(conn: DuckDBConnection, mapping: Mapping, batchId: string, at: Date): Promise<void> {
  for (const [dimension, d] of Object.entries(mapping.dimensions)) {
    await conn.run(
      `INSERT INTO source_dimensions (dimension, label_zh, label_en, mapping, source_column, declared_at)
       VALUES ($dimension, $zh, $en, $mapping, $column, $at::TIMESTAMPTZ)
       ON CONFLICT (dimension) DO UPDATE SET label_zh = excluded.label_zh, label_en = excluded.label_en,
         mapping = excluded.mapping, source_column = excluded.source_column, declared_at = excluded.declared_at`,
      { dimension, zh: d.labelZh, en: d.labelEn, mapping: mapping.name, column: d.column, at: at.toISOString() },
    );
  }
  await conn.run(
    `INSERT INTO case_source_dimensions (case_id, dimension, value)
     SELECT d.case_id, d.dimension, d.value
       FROM temp.main.stage_case_dimensions d
       JOIN cases c ON c.case_id = d.case_id AND c.import_batch = $batch
      WHERE NOT EXISTS (SELECT 1 FROM import_quarantine q
                         WHERE q.batch_id = $batch AND q.kind = 'case' AND q.file = d.src_file AND q.line = d.src_line)
    QUALIFY row_number() OVER (PARTITION BY d.case_id, d.dimension ORDER BY d.seq) = 1
     ON CONFLICT DO NOTHING`,
    { batch: batchId },
  );
}

async function storeIdentities(conn: DuckDBConnection, identities: Map<string, string>, keys: PetitionerKeys, batchId: string) {
  // Only petitioners of cases this import brought in; the identity is encrypted before it is written.
  const reader = await conn.runAndReadAll(
    'SELECT DISTINCT petitioner_id FROM cases WHERE import_batch = $batch AND petitioner_id IS NOT NULL',
    { batch: batchId },
  );
  const wanted = reader.getRowObjectsJson().map((r) => String(r.petitioner_id));
  for (const id of wanted) {
    const identity = identities.get(id);
    if (!identity) continue;
    const sealed = keys.encrypt(identity);
    await conn.run(
      `INSERT INTO petitioner_identities (petitioner_id, key_id, iv, ciphertext, tag)
       VALUES ($id, $key, from_hex($iv), from_hex($ct), from_hex($tag)) ON CONFLICT DO NOTHING`,
      { id, key: sealed.keyId, iv: sealed.iv.toString('hex'), ct: sealed.ciphertext.toString('hex'), tag: sealed.tag.toString('hex') },
    );
  }
}

export { CASE_TARGETS };
