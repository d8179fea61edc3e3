/**
 * The import's SQL: the columns of a native file and the validation every row passes, as
 * constant templates. `{source}` is one of two fixed SELECTs (the staging table, or
 * read_parquet of the file) built in importer.ts from the column list below, never from input;
 * every value is a bound parameter.
 */

export interface NativeColumn {
  name: string;
  /** Kept in the file's own type when read from Parquet (checked with TRY_CAST), else text. */
  typed: boolean;
}

export const CASE_COLUMNS: readonly NativeColumn[] = [
  { name: 'case_id', typed: false },
  { name: 'received_at', typed: true },
  { name: 'channel', typed: false },
  { name: 'region_code', typed: false },
  { name: 'street_code', typed: false },
  { name: 'field', typed: false },
  { name: 'petition_class', typed: false },
  { name: 'collective_size', typed: true },
  { name: 'summary', typed: false },
  { name: 'jurisdiction', typed: false },
  { name: 'petitioner_id', typed: false },
  { name: 'repeat_petition', typed: true },
  { name: 'skip_level', typed: true },
  { name: 'organ_code', typed: false },
];

export const EVENT_COLUMNS: readonly NativeColumn[] = [
  { name: 'case_id', typed: false },
  { name: 'event_type', typed: false },
  { name: 'key', typed: false },
  { name: 'occurred_at', typed: true },
  { name: 'actor', typed: false },
  { name: 'due_date', typed: true },
  { name: 'detail', typed: false },
];

/** Columns an export writes that an import recomputes or does not need. */
export const IGNORED_CASE_COLUMNS = ['received_date', 'origin', 'import_batch', 'year'];
export const IGNORED_EVENT_COLUMNS = ['event_id', 'recorded_at', 'year'];

/** Projection of a native Parquet file's columns onto the staged names. */
export function parquetProjection(columns: readonly NativeColumn[], present: ReadonlySet<string>): string {
  return columns
    .map((c) => {
      if (!present.has(c.name)) return `NULL::VARCHAR AS ${c.name}`;
      return c.typed ? `"${c.name}" AS ${c.name}` : `NULLIF(CAST("${c.name}" AS VARCHAR), '') AS ${c.name}`;
    })
    .join(', ');
}

const text = (column: string) => `left(CAST(${column} AS VARCHAR), 80)`;

const CASE_CHECKED = `
SELECT src.*, COALESCE(src.pre_reason, CASE
  WHEN src.case_id IS NULL OR trim(src.case_id) = '' THEN 'case_id: missing'
  WHEN NOT regexp_full_match(src.case_id, '[A-Za-z0-9][A-Za-z0-9_-]{0,63}')
    THEN 'case_id: "' || ${text('src.case_id')} || '" is not 1 to 64 letters, digits, - and _'
  WHEN src.received_at IS NULL THEN 'received_at: missing'
  WHEN TRY_CAST(src.received_at AS TIMESTAMPTZ) IS NULL
    THEN 'received_at: "' || ${text('src.received_at')} || '" is not a date and time'
  WHEN TRY_CAST(src.received_at AS TIMESTAMPTZ) > CAST($latest AS TIMESTAMPTZ)
    THEN 'received_at: ' || ${text('src.received_at')} || ' lies in the future'
  WHEN src.channel IS NULL THEN 'channel: missing'
  WHEN src.channel NOT IN (SELECT code FROM temp.main.import_vocab WHERE kind = 'channel')
    THEN 'channel: "' || ${text('src.channel')} || '" is not one of letter, visit, phone, online, fax, email'
  WHEN src.region_code IS NULL THEN 'region_code: missing'
  WHEN rg.code IS NULL THEN 'region_code: "' || ${text('src.region_code')} || '" is not a city or district of the region hierarchy'
  WHEN src.street_code IS NOT NULL AND st.code IS NULL
    THEN 'street_code: "' || ${text('src.street_code')} || '" is not a street or township of the region hierarchy'
  WHEN src.street_code IS NOT NULL AND st.parent_code <> src.region_code
    THEN 'street_code: ' || ${text('src.street_code')} || ' lies in ' || st.parent_code || ', not in ' || ${text('src.region_code')}
  WHEN src.field IS NOT NULL AND src.field NOT IN (SELECT code FROM temp.main.import_vocab WHERE kind = 'field')
    THEN 'field: "' || ${text('src.field')} || '" is not one of the fields (领域) in domain/case.ts'
  WHEN src.petition_class IS NOT NULL AND src.petition_class NOT IN (SELECT code FROM temp.main.import_vocab WHERE kind = 'class')
    THEN 'petition_class: "' || ${text('src.petition_class')} || '" is not suggestion, accusation or claim'
  WHEN src.collective_size IS NOT NULL AND coalesce(TRY_CAST(src.collective_size AS INTEGER) NOT BETWEEN 1 AND 100000, true)
    THEN 'collective_size: "' || ${text('src.collective_size')} || '" is not a whole number from 1 to 100000'
  WHEN src.petitioner_id IS NOT NULL AND NOT regexp_full_match(src.petitioner_id, 'P[0-9a-f]{32}')
    THEN 'petitioner_id: not a pseudonym (P and 32 hex digits); identities never enter analytics, import them through a mapping'
  WHEN src.repeat_petition IS NOT NULL AND TRY_CAST(src.repeat_petition AS BOOLEAN) IS NULL
    THEN 'repeat_petition: "' || ${text('src.repeat_petition')} || '" is not true or false'
  WHEN src.skip_level IS NOT NULL AND TRY_CAST(src.skip_level AS BOOLEAN) IS NULL
    THEN 'skip_level: "' || ${text('src.skip_level')} || '" is not true or false'
  WHEN length(src.summary) > 2000 THEN 'summary: longer than 2000 characters'
END) AS reason
FROM ({source}) src
LEFT JOIN temp.main.import_regions rg ON rg.code = src.region_code AND rg.level <> 'street'
LEFT JOIN temp.main.import_regions st ON st.code = src.street_code AND st.level = 'street'`;

const EVENT_CHECKED = `
SELECT src.*, COALESCE(src.pre_reason, CASE
  WHEN src.case_id IS NULL OR trim(src.case_id) = '' THEN 'case_id: missing'
  WHEN src.event_type IS NULL THEN 'event_type: missing'
  WHEN src.event_type NOT IN (SELECT code FROM temp.main.import_vocab WHERE kind = 'event')
    THEN 'event_type: "' || ${text('src.event_type')} || '" is not an event type of domain/case.ts'
  WHEN src.occurred_at IS NULL THEN 'occurred_at: missing'
  WHEN TRY_CAST(src.occurred_at AS TIMESTAMPTZ) IS NULL
    THEN 'occurred_at: "' || ${text('src.occurred_at')} || '" is not a date and time'
  WHEN src.due_date IS NOT NULL AND TRY_CAST(src.due_date AS DATE) IS NULL
    THEN 'due_date: "' || ${text('src.due_date')} || '" is not a date'
  WHEN src.detail IS NOT NULL AND NOT json_valid(src.detail) THEN 'detail: not valid JSON'
  WHEN length(src.key) > 200 THEN 'key: longer than 200 characters'
  WHEN c.case_id IS NULL THEN 'case_id: no case "' || ${text('src.case_id')} || '" in the database or in this import'
END) AS reason
FROM ({source}) src
LEFT JOIN main.cases c ON c.case_id = src.case_id`;

const caseRaw = `to_json(struct_pack(${CASE_COLUMNS.map((c) => `${c.name} := ${c.name}`).join(', ')}))`;
const eventRaw = `to_json(struct_pack(${EVENT_COLUMNS.map((c) => `${c.name} := ${c.name}`).join(', ')}))`;

const withSource = (template: string, source: string) => template.replace('{source}', source);

export function quarantineCasesSql(source: string): string {
  return `INSERT INTO import_quarantine (batch_id, file, line, kind, reason, raw)
          SELECT $batch, $name, src_line, 'case', reason, COALESCE(TRY_CAST(raw AS JSON), ${caseRaw})
            FROM (${withSource(CASE_CHECKED, source)}) WHERE reason IS NOT NULL`;
}

export function insertCasesSql(source: string): string {
  return `INSERT INTO cases (case_id, received_at, received_date, channel, region_code, field, collective_size, summary, origin,
                             jurisdiction, street_code, petition_class, petitioner_id, repeat_petition, skip_level, organ_code, import_batch)
          SELECT case_id, CAST(received_at AS TIMESTAMPTZ),
                 CAST(timezone('Asia/Shanghai', CAST(received_at AS TIMESTAMPTZ)) AS DATE),
                 channel, region_code, field, COALESCE(TRY_CAST(collective_size AS INTEGER), 1), summary, 'import',
                 COALESCE(jurisdiction, $jurisdiction), street_code, petition_class, petitioner_id,
                 TRY_CAST(repeat_petition AS BOOLEAN), TRY_CAST(skip_level AS BOOLEAN), organ_code, $batch
            FROM (${withSource(CASE_CHECKED, source)}) WHERE reason IS NULL
          ON CONFLICT DO NOTHING`;
}

export function quarantineEventsSql(source: string): string {
  return `INSERT INTO import_quarantine (batch_id, file, line, kind, reason, raw)
          SELECT $batch, $name, src_line, 'event', reason, COALESCE(TRY_CAST(raw AS JSON), ${eventRaw})
            FROM (${withSource(EVENT_CHECKED, source)}) WHERE reason IS NOT NULL`;
}

export function insertEventsSql(source: string): string {
  return `INSERT INTO case_events (event_id, case_id, event_type, occurred_at, actor, due_date, detail)
          SELECT case_id || '/' || event_type || CASE WHEN key IS NULL OR key = '' THEN '' ELSE '/' || key END,
                 case_id, event_type, CAST(occurred_at AS TIMESTAMPTZ), actor, TRY_CAST(due_date AS DATE), CAST(detail AS JSON)
            FROM (${withSource(EVENT_CHECKED, source)}) WHERE reason IS NULL
          ON CONFLICT DO NOTHING`;
}

/** The named parameters a statement uses, from all the import has (DuckDB refuses extra ones). */
export function bindFor(sql: string, all: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => new RegExp(`\\$${k}\\b`).test(sql)));
}
