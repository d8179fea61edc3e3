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

/** Recommendations (三项建议) with their feedback: one row each (migration 006). */
export const RECOMMENDATION_COLUMNS: readonly NativeColumn[] = [
  { name: 'recommendation_id', typed: false },
  { name: 'jurisdiction', typed: false },
  { name: 'region_code', typed: false },
  { name: 'issued_by', typed: false },
  { name: 'to_organ', typed: false },
  { name: 'kind', typed: false },
  { name: 'issued_date', typed: true },
  { name: 'feedback_due', typed: true },
  { name: 'feedback_date', typed: true },
  { name: 'adopted', typed: true },
  { name: 'feedback_overdue_date', typed: true },
  { name: 'case_id', typed: false },
  { name: 'summary', typed: false },
  { name: 'feedback_by', typed: false },
  { name: 'feedback_note', typed: false },
];

/** Screened disputes (矛盾纠纷排查化解): one row each (migration 006). */
export const DISPUTE_COLUMNS: readonly NativeColumn[] = [
  { name: 'dispute_id', typed: false },
  { name: 'jurisdiction', typed: false },
  { name: 'region_code', typed: false },
  { name: 'street_code', typed: false },
  { name: 'field', typed: false },
  { name: 'screened_date', typed: true },
  { name: 'resolved_date', typed: true },
  { name: 'case_id', typed: false },
  { name: 'summary', typed: false },
  { name: 'recorded_by', typed: false },
  { name: 'resolved_by', typed: false },
  { name: 'resolution_note', typed: false },
];

/** Columns an export writes that an import recomputes or does not need. */
export const IGNORED_CASE_COLUMNS = ['received_date', 'origin', 'import_batch', 'year'];
export const IGNORED_EVENT_COLUMNS = ['event_id', 'recorded_at', 'year'];
export const IGNORED_RECORD_COLUMNS = ['origin', 'recorded_at', 'import_batch', 'year'];

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

const idCheck = (column: string) => `
  WHEN src.${column} IS NULL OR trim(src.${column}) = '' THEN '${column}: missing'
  WHEN NOT regexp_full_match(src.${column}, '[A-Za-z0-9][A-Za-z0-9_-]{0,63}')
    THEN '${column}: "' || ${text(`src.${column}`)} || '" is not 1 to 64 letters, digits, - and _'`;
const dateCheck = (column: string, required: boolean) => `${required ? `
  WHEN src.${column} IS NULL THEN '${column}: missing'` : ''}
  WHEN src.${column} IS NOT NULL AND TRY_CAST(src.${column} AS DATE) IS NULL
    THEN '${column}: "' || ${text(`src.${column}`)} || '" is not a date'
  WHEN TRY_CAST(src.${column} AS DATE) > CAST(CAST($latest AS TIMESTAMPTZ) AS DATE)
    THEN '${column}: ' || ${text(`src.${column}`)} || ' lies in the future'`;
const optionalId = (column: string) => `
  WHEN src.${column} IS NOT NULL AND NOT regexp_full_match(src.${column}, '[A-Za-z0-9][A-Za-z0-9_-]{0,63}')
    THEN '${column}: "' || ${text(`src.${column}`)} || '" is not 1 to 64 letters, digits, - and _'`;
const required = (column: string) => `
  WHEN src.${column} IS NULL OR trim(src.${column}) = '' THEN '${column}: missing'
  WHEN length(src.${column}) > 200 THEN '${column}: longer than 200 characters'`;

const RECOMMENDATION_CHECKED = `
SELECT src.*, COALESCE(src.pre_reason, CASE ${idCheck('recommendation_id')}
  WHEN src.region_code IS NULL THEN 'region_code: missing'
  WHEN rg.code IS NULL THEN 'region_code: "' || ${text('src.region_code')} || '" is not a city or district of the region hierarchy'
  ${required('issued_by')} ${required('to_organ')}
  WHEN src.kind IS NULL THEN 'kind: missing'
  WHEN src.kind NOT IN (SELECT code FROM temp.main.import_vocab WHERE kind = 'recommendation')
    THEN 'kind: "' || ${text('src.kind')} || '" is not improve_work, improve_policy or accountability'
  ${dateCheck('issued_date', true)} ${dateCheck('feedback_date', false)}
  WHEN TRY_CAST(src.feedback_date AS DATE) < TRY_CAST(src.issued_date AS DATE)
    THEN 'feedback_date: ' || ${text('src.feedback_date')} || ' is before issued_date ' || ${text('src.issued_date')}
  WHEN src.feedback_due IS NOT NULL AND TRY_CAST(src.feedback_due AS DATE) IS NULL
    THEN 'feedback_due: "' || ${text('src.feedback_due')} || '" is not a date'
  WHEN src.feedback_overdue_date IS NOT NULL AND TRY_CAST(src.feedback_overdue_date AS DATE) IS NULL
    THEN 'feedback_overdue_date: "' || ${text('src.feedback_overdue_date')} || '" is not a date'
  WHEN src.adopted IS NOT NULL AND TRY_CAST(src.adopted AS BOOLEAN) IS NULL
    THEN 'adopted: "' || ${text('src.adopted')} || '" is not true or false'
  WHEN (src.feedback_date IS NULL) <> (src.adopted IS NULL)
    THEN 'adopted: known with the feedback only; give both feedback_date and adopted, or neither'
  ${optionalId('case_id')}
  WHEN length(src.summary) > 2000 THEN 'summary: longer than 2000 characters'
  WHEN length(src.feedback_note) > 2000 THEN 'feedback_note: longer than 2000 characters'
END) AS reason
FROM ({source}) src
LEFT JOIN temp.main.import_regions rg ON rg.code = src.region_code AND rg.level <> 'street'`;

const DISPUTE_CHECKED = `
SELECT src.*, COALESCE(src.pre_reason, CASE ${idCheck('dispute_id')}
  WHEN src.region_code IS NULL THEN 'region_code: missing'
  WHEN rg.code IS NULL THEN 'region_code: "' || ${text('src.region_code')} || '" is not a district of the region hierarchy'
  WHEN src.street_code IS NOT NULL AND st.code IS NULL
    THEN 'street_code: "' || ${text('src.street_code')} || '" is not a street or township of the region hierarchy'
  WHEN src.street_code IS NOT NULL AND st.parent_code <> src.region_code
    THEN 'street_code: ' || ${text('src.street_code')} || ' lies in ' || st.parent_code || ', not in ' || ${text('src.region_code')}
  WHEN src.field IS NOT NULL AND src.field NOT IN (SELECT code FROM temp.main.import_vocab WHERE kind = 'field')
    THEN 'field: "' || ${text('src.field')} || '" is not one of the fields (领域) in domain/case.ts'
  ${dateCheck('screened_date', true)} ${dateCheck('resolved_date', false)}
  WHEN TRY_CAST(src.resolved_date AS DATE) < TRY_CAST(src.screened_date AS DATE)
    THEN 'resolved_date: ' || ${text('src.resolved_date')} || ' is before screened_date ' || ${text('src.screened_date')}
  ${optionalId('case_id')}
  WHEN length(src.summary) > 2000 THEN 'summary: longer than 2000 characters'
  WHEN length(src.resolution_note) > 2000 THEN 'resolution_note: longer than 2000 characters'
END) AS reason
FROM ({source}) src
LEFT JOIN temp.main.import_regions rg ON rg.code = src.region_code AND rg.level = 'district'
LEFT JOIN temp.main.import_regions st ON st.code = src.street_code AND st.level = 'street'`;

const caseRaw = `to_json(struct_pack(${CASE_COLUMNS.map((c) => `${c.name} := ${c.name}`).join(', ')}))`;
const eventRaw = `to_json(struct_pack(${EVENT_COLUMNS.map((c) => `${c.name} := ${c.name}`).join(', ')}))`;
const rawOf = (columns: readonly NativeColumn[]) => `to_json(struct_pack(${columns.map((c) => `${c.name} := ${c.name}`).join(', ')}))`;

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
                 -- The day of receipt in the case's jurisdiction's zone (migration 024), as its facts count every other day.
                 local_day(CAST(received_at AS TIMESTAMPTZ), z.time_zone),
                 channel, region_code, field, COALESCE(TRY_CAST(collective_size AS INTEGER), 1), summary, 'import',
                 COALESCE(k.jurisdiction, $jurisdiction), street_code, petition_class, petitioner_id,
                 TRY_CAST(repeat_petition AS BOOLEAN), TRY_CAST(skip_level AS BOOLEAN), organ_code, $batch
            FROM (${withSource(CASE_CHECKED, source)}) k
            LEFT JOIN jurisdiction_zones z ON z.jurisdiction = COALESCE(k.jurisdiction, $jurisdiction)
           WHERE reason IS NULL
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

export function quarantineRecommendationsSql(source: string): string {
  return `INSERT INTO import_quarantine (batch_id, file, line, kind, reason, raw)
          SELECT $batch, $name, src_line, 'recommendation', reason, COALESCE(TRY_CAST(raw AS JSON), ${rawOf(RECOMMENDATION_COLUMNS)})
            FROM (${withSource(RECOMMENDATION_CHECKED, source)}) WHERE reason IS NOT NULL`;
}

export function insertRecommendationsSql(source: string): string {
  return `INSERT INTO recommendations (recommendation_id, jurisdiction, region_code, issued_by, to_organ, kind, issued_date, feedback_due,
                                      feedback_date, adopted, feedback_overdue_date, case_id, summary, feedback_by, feedback_note,
                                      origin, import_batch)
          SELECT recommendation_id, COALESCE(jurisdiction, $jurisdiction), region_code, trim(issued_by), trim(to_organ), kind,
                 CAST(issued_date AS DATE), TRY_CAST(feedback_due AS DATE), TRY_CAST(feedback_date AS DATE),
                 TRY_CAST(adopted AS BOOLEAN), TRY_CAST(feedback_overdue_date AS DATE), case_id, summary, feedback_by, feedback_note,
                 'import', $batch
            FROM (${withSource(RECOMMENDATION_CHECKED, source)}) WHERE reason IS NULL
          ON CONFLICT DO NOTHING`;
}

export function quarantineDisputesSql(source: string): string {
  return `INSERT INTO import_quarantine (batch_id, file, line, kind, reason, raw)
          SELECT $batch, $name, src_line, 'dispute', reason, COALESCE(TRY_CAST(raw AS JSON), ${rawOf(DISPUTE_COLUMNS)})
            FROM (${withSource(DISPUTE_CHECKED, source)}) WHERE reason IS NOT NULL`;
}

export function insertDisputesSql(source: string): string {
  return `INSERT INTO disputes (dispute_id, jurisdiction, region_code, street_code, field, screened_date, resolved_date, case_id,
                               summary, recorded_by, resolved_by, resolution_note, origin, import_batch)
          SELECT dispute_id, COALESCE(jurisdiction, $jurisdiction), region_code, street_code, field,
                 CAST(screened_date AS DATE), TRY_CAST(resolved_date AS DATE), case_id, summary, recorded_by, resolved_by,
                 resolution_note, 'import', $batch
            FROM (${withSource(DISPUTE_CHECKED, source)}) WHERE reason IS NULL
          ON CONFLICT DO NOTHING`;
}
