/**
 * What the SQL console lets through, decided on DuckDB's own parse of the statement
 * (`json_serialize_sql`), never on the text: exactly one SELECT whose every relation is a CTE
 * in scope or one of the console's views, named without schema or catalog, and whose every
 * function is one DuckDB has loaded and that stays inside the query. Pure: the caller parses,
 * and hands in what the session offers.
 *
 * Fail closed: a node type or expression class not listed here is refused, so a construct a
 * later DuckDB adds is refused until someone has looked at it.
 */

export type ParseTree = null | boolean | number | string | ParseTree[] | { [key: string]: ParseTree };
type Node = { [key: string]: ParseTree };

/** A statement the console does not run, with the reason, for the caller to fix. */
export class SqlRefused extends Error {
  constructor(
    message: string,
    /** The text is no SQL at all (DuckDB's parser refused it), rather than SQL the console does not offer. */
    readonly invalid = false,
  ) {
    super(message);
  }
}

export interface GuardCatalog {
  /** The console's views, lower case. */
  views: ReadonlySet<string>;
  /** Functions DuckDB has loaded that stay inside the query (see offeredFunctions), lower case. */
  functions: ReadonlySet<string>;
  /** Type names DuckDB has loaded, lower case: naming another would make it load an extension. */
  types: ReadonlySet<string>;
}

/**
 * Table functions that only generate values. Every other one reads something outside the
 * views: files (read_csv, read_parquet, glob), the catalog (duckdb_tables, pragma_*), or
 * runs SQL of its own (query, query_table, json_execute_serialized_sql).
 */
const GENERATORS = new Set(['range', 'generate_series', 'unnest']);

/**
 * Scalar functions and macros DuckDB has loaded that are still refused: they read settings
 * (current_setting: paths, the temp directory), change state (nextval, currval, setval; write_log
 * writes the server's log), only wait (sleep_ms, pg_sleep), or are macros over the catalog
 * (pg_get_viewdef shows the views' definitions, pg_get_constraintdef other tables').
 * Macros are also judged by their definitions (offeredFunctions); this list is for scalars.
 */
export const REFUSED_FUNCTIONS: ReadonlySet<string> = new Set(['current_setting', 'nextval', 'currval', 'setval', 'sleep_ms', 'pg_sleep', 'write_log', 'getenv']);
const REFUSED_PREFIXES = ['read_', 'duckdb_', 'pragma_', 'parquet_', 'json_execute'];
/** A macro whose body reaches any of these is refused with it: the body is bound as if the caller had written it. */
const REFUSED_IN_MACRO = /duckdb_|pragma_|sleep_ms|current_setting|nextval|currval|read_|write_log/i;

export function refusedFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return REFUSED_FUNCTIONS.has(lower) || REFUSED_PREFIXES.some((p) => lower.startsWith(p));
}

/** The function names to offer, from `duckdb_functions()` rows: a name is refused if any of its overloads is. */
export function offeredFunctions(rows: readonly { name: string; kind: string; macro: string | null }[]): Set<string> {
  const offered = new Set<string>();
  const refused = new Set<string>();
  for (const { name, kind, macro } of rows) {
    const lower = name.toLowerCase();
    const ok = (kind === 'scalar' || kind === 'aggregate' || kind === 'macro') && !refusedFunction(lower) && !(kind === 'macro' && macro !== null && REFUSED_IN_MACRO.test(macro));
    (ok ? offered : refused).add(lower);
  }
  for (const name of refused) offered.delete(name);
  return offered;
}

/** Query nodes, table references, modifiers and order types: what a SELECT is made of. */
const NODE_TYPES = new Set([
  'SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE',
  'BASE_TABLE', 'SUBQUERY', 'JOIN', 'TABLE_FUNCTION', 'EXPRESSION_LIST', 'EMPTY', 'PIVOT', 'SHOW_REF',
  'ORDER_MODIFIER', 'LIMIT_MODIFIER', 'LIMIT_PERCENT_MODIFIER', 'DISTINCT_MODIFIER',
  'ORDER_DEFAULT', 'ASCENDING', 'DESCENDING',
]);
const EXPRESSION_CLASSES = new Set([
  'CONSTANT', 'COLUMN_REF', 'FUNCTION', 'STAR', 'CAST', 'COMPARISON', 'CONJUNCTION', 'OPERATOR', 'CASE', 'SUBQUERY',
  'WINDOW', 'LAMBDA', 'LAMBDA_REF', 'PARAMETER', 'BETWEEN', 'COLLATE', 'POSITIONAL_REFERENCE', 'DEFAULT',
]);

const isNode = (v: ParseTree | undefined): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: ParseTree | undefined): string => (typeof v === 'string' ? v : '');

/** What `json_serialize_sql` answered: the statements, or DuckDB's refusal with its message. */
export type Parsed = { ok: true; statements: ParseTree[] } | { ok: false; kind: string; message: string; position: number | null };

export function readParse(json: string): Parsed {
  const tree = JSON.parse(json) as ParseTree;
  if (!isNode(tree)) throw new Error('json_serialize_sql answered no object');
  if (tree.error === true) {
    const position = Number(text(tree.position) || NaN);
    return { ok: false, kind: text(tree.error_type), message: text(tree.error_message), position: Number.isFinite(position) ? position : null };
  }
  return { ok: true, statements: Array.isArray(tree.statements) ? tree.statements : [] };
}

/** The console's views a statement reads, once it is known to read nothing else; else SqlRefused. */
export function checkStatement(parsed: Parsed, catalog: GuardCatalog): { views: string[] } {
  if (!parsed.ok) {
    // The parser serialises SELECT alone: anything else (ATTACH, COPY, SET, INSERT...) is "not implemented".
    if (parsed.kind === 'not implemented') throw new SqlRefused('only a SELECT statement may be run here (no ATTACH, COPY, CREATE, INSERT, PRAGMA, SET or other statement)');
    throw new SqlRefused(`${parsed.message}${parsed.position !== null ? ` (at character ${parsed.position + 1})` : ''}`, true);
  }
  if (parsed.statements.length !== 1) throw new SqlRefused(`give exactly one SELECT statement (this text holds ${parsed.statements.length})`);
  const views = new Set<string>();
  walk(parsed.statements[0]!, new Set(), catalog, views);
  return { views: [...views].sort() };
}

function walk(value: ParseTree, scope: ReadonlySet<string>, catalog: GuardCatalog, views: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, scope, catalog, views);
    return;
  }
  if (!isNode(value)) return;

  if (typeof value.class === 'string') checkExpression(value, catalog);
  else if (typeof value.type === 'string' && !value.type.endsWith('_TYPE_INFO')) {
    if (!NODE_TYPES.has(value.type)) throw new SqlRefused(`${value.type.toLowerCase().replaceAll('_', ' ')} is not offered in the console`);
    if (value.type === 'BASE_TABLE') return checkRelation(value, scope, catalog, views);
    if (value.type === 'TABLE_FUNCTION') {
      // The function itself is a table function, not a scalar: only its arguments are walked as expressions.
      const fn = isNode(value.function) ? value.function : {};
      const name = text(fn.function_name).toLowerCase();
      if (!GENERATORS.has(name) || text(fn.schema) !== '' || text(fn.catalog) !== '') {
        throw new SqlRefused(`table function ${name || '(unnamed)'} is not offered: read the console's views (GET /api/v1/sql/views); range, generate_series and unnest are allowed`);
      }
      for (const [key, v] of Object.entries(value)) if (key !== 'function') walk(v, scope, catalog, views);
      walk(fn.children ?? null, scope, catalog, views);
      return;
    }
    // DESCRIBE and SUMMARIZE of a query are a SHOW_REF over it; SHOW TABLES and the like name the catalog instead.
    if (value.type === 'SHOW_REF' && (text(value.table_name) !== '' || !isNode(value.query))) throw new SqlRefused('SHOW lists the database, not the console: see GET /api/v1/sql/views');
  }
  if (isNode(value.cast_type)) checkType(value.cast_type, catalog);

  const ctes = isNode(value.cte_map) && Array.isArray(value.cte_map.map) ? value.cte_map.map : [];
  let inner = scope;
  for (const entry of ctes) {
    if (!isNode(entry)) continue;
    // A CTE does not see itself in its definition: there its own name is whatever lies outside,
    // a table of the database (a recursive one sees itself in its recursive branch only, below).
    walk(isNode(entry.value) ? entry.value : null, inner, catalog, views);
    inner = new Set([...inner, text(entry.key).toLowerCase()]);
  }
  // In `WITH RECURSIVE t AS (anchor UNION recursive)` DuckDB binds the anchor before t exists:
  // `t` there is the database's table t. Only the recursive branch reads the CTE itself.
  const recursiveName = value.type === 'RECURSIVE_CTE_NODE' ? text(value.cte_name).toLowerCase() : null;
  for (const [key, v] of Object.entries(value)) {
    if (key === 'cte_map') continue;
    walk(v, recursiveName !== null && key === 'right' ? new Set([...inner, recursiveName]) : inner, catalog, views);
  }
}

function checkRelation(ref: Node, scope: ReadonlySet<string>, catalog: GuardCatalog, views: Set<string>): void {
  const name = text(ref.table_name);
  // A schema or catalog would reach past the session's views to the database's own tables.
  if (text(ref.schema_name) !== '' || text(ref.catalog_name) !== '') {
    throw new SqlRefused(`name the relation without schema or catalog: ${[text(ref.catalog_name), text(ref.schema_name), name].filter(Boolean).join('.')} is not offered`);
  }
  if (ref.at_clause !== null && ref.at_clause !== undefined) throw new SqlRefused('time travel (AT ...) is not offered');
  const lower = name.toLowerCase();
  if (scope.has(lower)) return;
  if (catalog.views.has(lower)) {
    views.add(lower);
    return;
  }
  // A quoted file name ('x.csv') parses as a table: DuckDB would read the file.
  throw new SqlRefused(`relation "${name}" is not offered; the console's views are ${[...catalog.views].sort().join(', ')}`);
}

function checkExpression(e: Node, catalog: GuardCatalog): void {
  const cls = text(e.class);
  if (!EXPRESSION_CLASSES.has(cls)) throw new SqlRefused(`${cls.toLowerCase().replaceAll('_', ' ')} expressions are not offered in the console`);
  // Window functions other than aggregates (row_number, lag, rank...) are built into the window operator.
  const named = cls === 'FUNCTION' || (cls === 'WINDOW' && e.type === 'WINDOW_AGGREGATE');
  if (!named) return;
  const name = text(e.function_name);
  // The parser itself writes some calls as main.f (struct_pack); no catalog is ever the caller's to name.
  if (text(e.catalog) !== '' || !['', 'main'].includes(text(e.schema).toLowerCase())) throw new SqlRefused(`function ${name} is named with a schema or catalog; name it alone`);
  if (!catalog.functions.has(name.toLowerCase())) {
    throw new SqlRefused(refusedFunction(name) ? `function ${name} reaches outside the console's views and is not offered` : `function ${name} does not exist or is not offered`);
  }
}

/** A type DuckDB does not know by this name would be looked up in its extensions, and one installed. */
function checkType(type: Node, catalog: GuardCatalog): void {
  const info = isNode(type.type_info) ? type.type_info : null;
  if ((type.id === 'UNBOUND' || type.id === 'USER') && info) {
    const name = text(info.name) || text(info.user_type_name);
    if (text(info.catalog) !== '' || text(info.schema) !== '' || !catalog.types.has(name.toLowerCase())) throw new SqlRefused(`type ${name} is not offered`);
  }
  for (const v of Object.values(info ?? {})) {
    if (isNode(v)) checkType(v, catalog);
    else if (Array.isArray(v)) for (const x of v) if (isNode(x)) for (const t of Object.values(x)) if (isNode(t)) checkType(t, catalog);
  }
}
