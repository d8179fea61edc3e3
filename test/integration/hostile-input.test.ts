/**
 * Hostile input on every route of the API (the project issue): "malformed JSON, wrong types,
 * missing and unknown fields, oversized bodies, very long strings, SQL-looking strings and path
 * tricks in every parameter, NUL bytes, huge and negative numbers, impossible dates. Each
 * answered with a 4xx, and nothing stored changes (counted before and after)."
 *
 * The battery is generated from the route table (buildApi(...).routes) and each route's zod
 * schemas, so a route added later is exercised without anyone writing its cases, and the suite
 * fails if one is not. A base request per route is sampled from its schemas; where the base
 * must be well-formed for a mutation to reach further than validation, an override below makes
 * it one that the server refuses at its last step (a duplicate id, an object that does not
 * exist, a week not yet ended), so whatever a mutation smuggles through still stores nothing.
 *
 * Every answer must come within REQUEST_TIMEOUT_MS, be JSON, carry the API's `code` when it is
 * an error, and show no stack trace, SQL error or file path. Every table is fingerprinted
 * (row count and a hash of its rows) before and after; only the audit log may grow, since it
 * records refused attempts (denied logins, refused decisions).
 *
 * The second test replays the classes a fuzzing run once answered with a 500 or a hang.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lastCompleteWeek } from '../../analytics/early-warning/weeks.js';
import { MEASURES } from '../../analytics/metrics/catalog.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { BEIJING_ORGANS } from '../../domain/organs.js';
import { roleAllows, type Permission } from '../../domain/roles.js';
import { addDays, chinaDateOf } from '../../rules/plain-date.js';
import { API_PREFIX, type RouteSpec } from '../../server/api.js';
import { buildApi } from '../../server/app.js';
import { dutiesOwed } from '../../server/duty-routes.js';
import { BEIJING_DEMO_USERS } from '../../server/identity/demo-users.js';
import { startApiApp, temporalDown, testIdentityKeys, type RunningApp } from '../support/api-app.js';
import { seedUsers, TEST_PASSWORD, tokenHeaders } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();

const REQUEST_TIMEOUT_MS = 15_000;
// Two cores: a few requests in flight keep the server busy while the client reads answers.
const PARALLEL = 4;

const TODAY = chinaDateOf(new Date());
const SQL = "'; DROP TABLE cases;--";
const LONG = 'x'.repeat(20_000);
const IMPOSSIBLE_DATES = ['0000-01-01', '1899-12-31', '9999-12-31', '2025-02-30'];
/** Within the dates the API takes, but before any pack was in force: nothing governs it. */
const BEFORE_ANY_PACK = '2001-01-01';
const LEAK = /\n\s+at |Binder Error|Catalog Error|Parser Error|Conversion Error|Invalid Input Error|Constraint Error|INTERNAL Error|\/work\/|\/tmp\/|\.duckdb|node_modules/;

// ---------------------------------------------------------------------------------------------
// JSON Schema of the route table's zod schemas: what the battery reads to know each field.

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  exclusiveMinimum?: number;
}

// zod's own JSON Schema type admits a boolean at every level; the route table's schemas are all objects.
const jsonSchema = (schema: z.ZodType): JsonSchema => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** Values that match the patterns of the table's ids and codes, so a sampled base passes them. */
const PATTERN_SAMPLES = ['HOSTILE-NONE', '110105', 'AL-20250101-0123456789ab', '0123456789abcdef', 'hostile-none', 'RPT-00000000-0000-0000-0000-000000000000', '0'];

/** A value the schema takes (for a pattern, one of PATTERN_SAMPLES; else the first it allows). */
function sample(s: JsonSchema): unknown {
  const option = s.anyOf?.[0] ?? s.oneOf?.[0];
  if (option) return sample(option);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  switch (s.type) {
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, p]) => [k, sample(p)]));
    case 'array':
      return [sample(s.items ?? {})];
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case 'string': {
      if (s.format === 'date') return TODAY;
      if (s.format === 'date-time') return new Date(Date.now() - 3_600_000).toISOString();
      if (!s.pattern) return 'hostile';
      const pattern = new RegExp(s.pattern);
      const found = PATTERN_SAMPLES.find((x) => pattern.test(x));
      if (!found) throw new Error(`no PATTERN_SAMPLES value matches ${s.pattern}: add one`);
      return found;
    }
    default:
      return 'hostile';
  }
}

/** The option of a oneOf/anyOf that `value` is an instance of (the petitioner is a person or an organisation). */
function branchOf(s: JsonSchema, value: unknown): JsonSchema {
  const options = s.oneOf ?? s.anyOf;
  if (!options) return s;
  const fits = (o: JsonSchema) => {
    if (Array.isArray(value)) return o.type === 'array';
    if (value !== null && typeof value === 'object') {
      if (o.type !== 'object') return false;
      return Object.entries(value).every(([k, v]) => o.properties?.[k] !== undefined && (o.properties[k]!.const === undefined || o.properties[k]!.const === v));
    }
    return o.type === typeof value || (o.type === 'integer' && typeof value === 'number');
  };
  return branchOf(options.find(fits) ?? options[0]!, value);
}

type Path = (string | number)[];
interface Leaf {
  path: Path;
  schema: JsonSchema;
  value: unknown;
}

/** Every field of `value` with its schema, objects and arrays as well as what they hold. */
function fieldsOf(value: unknown, schema: JsonSchema, path: Path = []): Leaf[] {
  const s = branchOf(schema, value);
  const here: Leaf[] = path.length ? [{ path, schema: s, value }] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => fieldsOf(v, s.items ?? {}, [...path, i]))];
  if (value !== null && typeof value === 'object') {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => fieldsOf(v, s.properties?.[k] ?? {}, [...path, k]))];
  }
  return here;
}

function withField(base: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(base);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

const at = (path: Path) => path.join('.') || '(body)';
const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method.toUpperCase()} ${r.path}`;

// ---------------------------------------------------------------------------------------------
// Requests and what every answer must be.

interface Answer {
  status: number;
  type: string;
  text: string;
}

type Expectation =
  /** The default: the client's fault, whichever 4xx. */
  | { kind: '4xx' }
  /** A class the spec names a status for. */
  | { kind: 'status'; status: number }
  /** Text a free-text field legitimately takes: any answer but a server error. */
  | { kind: 'not-5xx' };

interface Probe {
  route: string;
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  expect: Expectation;
}

const FOUR_XX: Expectation = { kind: '4xx' };
const status = (s: number): Expectation => ({ kind: 'status', status: s });

function send(base: string, agent: http.Agent, probe: Pick<Probe, 'method' | 'path' | 'headers' | 'body'>): Promise<Answer> {
  const url = new URL(base);
  const headers: Record<string, string | number> = { ...probe.headers };
  if (probe.body !== undefined) headers['content-length'] = Buffer.byteLength(probe.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: probe.method, path: probe.path, headers, agent, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // The server may answer (413) before it has read a large body; the answer is what counts.
    req.on('error', reject);
    req.end(probe.body);
  });
}

const errorBody = z.object({ error: z.string(), code: z.string(), problems: z.array(z.object({ at: z.string(), problem: z.string() })).optional() });

/** What is wrong with an answer, or nothing. */
function faultsOf(probe: Probe, answer: Answer): string[] {
  const faults: string[] = [];
  const e = probe.expect;
  if (answer.status >= 500) faults.push(`answered ${answer.status}`);
  else if (e.kind === 'status' && answer.status !== e.status) faults.push(`answered ${answer.status}, not ${e.status}`);
  else if (e.kind === '4xx' && (answer.status < 400 || answer.status >= 500)) faults.push(`answered ${answer.status}, not a 4xx`);
  if (LEAK.test(answer.text)) faults.push(`the answer leaks internals: ${answer.text.slice(0, 300)}`);
  if (!answer.type.startsWith('application/json')) faults.push(`answered ${answer.type || 'no content type'}, not JSON`);
  else if (answer.status >= 400) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      faults.push('the error is not valid JSON');
    }
    if (parsed !== undefined && !errorBody.safeParse(parsed).success) faults.push(`the error is not { error, code }: ${answer.text.slice(0, 200)}`);
  }
  return faults;
}

interface Tally {
  requests: number;
  byStatus: Map<number, number>;
  routes: Set<string>;
  faults: string[];
  accepted: { probe: Probe; answer: Answer }[];
}

const newTally = (): Tally => ({ requests: 0, byStatus: new Map(), routes: new Set(), faults: [], accepted: [] });

async function runProbes(base: string, probes: readonly Probe[], tally: Tally): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const probe = probes[next++]!;
      tally.requests++;
      tally.routes.add(probe.route);
      let answer: Answer;
      try {
        answer = await send(base, agent, probe);
      } catch (error) {
        tally.faults.push(`${probe.route} ${probe.what}: no answer (${error instanceof Error ? error.name : String(error)})`);
        continue;
      }
      tally.byStatus.set(answer.status, (tally.byStatus.get(answer.status) ?? 0) + 1);
      for (const f of faultsOf(probe, answer)) tally.faults.push(`${probe.route} ${probe.what}: ${f}`);
      if (answer.status < 400) tally.accepted.push({ probe, answer });
    }
  };
  try {
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// What is stored: every table's row count and a hash of its rows.

const tableRow = z.object({ name: z.string() });
const printRow = z.object({ n: z.number(), h: z.string().nullable() });

async function fingerprint(store: AnalyticsStore): Promise<Record<string, { n: number; h: string | null }>> {
  const tables = await store.all(tableRow, `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1`);
  const out: Record<string, { n: number; h: string | null }> = {};
  for (const { name } of tables) {
    const quoted = name.split('.').map((p) => `"${p}"`).join('.');
    // bit_xor of row hashes is order-free: an updated row changes it as an added one does.
    const [row] = await store.all(printRow, `SELECT count(*)::INTEGER AS n, bit_xor(hash(t))::VARCHAR AS h FROM ${quoted} t`);
    out[name] = row!;
  }
  return out;
}

/** The fingerprint once the workflows' activities have stopped writing (the same twice, 400 ms apart). */
async function settled(store: AnalyticsStore): Promise<Record<string, { n: number; h: string | null }>> {
  let last = await fingerprint(store);
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 400));
    const now = await fingerprint(store);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error('the store did not settle');
}

function changedTables(before: Record<string, { n: number; h: string | null }>, after: Record<string, { n: number; h: string | null }>, allowed: (table: string) => boolean) {
  return Object.keys({ ...before, ...after })
    .filter((table) => !allowed(table))
    .filter((table) => JSON.stringify(before[table]) !== JSON.stringify(after[table]))
    .map((table) => `${table}: ${JSON.stringify(before[table])} -> ${JSON.stringify(after[table])}`);
}

const isAuditLog = (table: string) => table.endsWith('.audit_log');

// ---------------------------------------------------------------------------------------------
// Who calls each route.

/** A demo user holding the route's permission; any user for 'user'; nobody for 'public'. */
function callerOf(access: RouteSpec['access']): string | null {
  if (access === 'public') return null;
  if (access === 'user') return 'leader';
  const user = BEIJING_DEMO_USERS.find((u) => roleAllows(u.role, access as Permission));
  if (!user) throw new Error(`no demo user holds ${access}`);
  return user.username;
}

// ---------------------------------------------------------------------------------------------
// The bases that must be well-formed for mutations to reach past validation. Each write base
// is refused at the handler's last step, so a mutation the schemas let through stores nothing.

const FIXTURE = { case: 'HOSTILE-CASE', accountability: 'HOSTILE-ACC', recommendation: 'HOSTILE-REC', dispute: 'HOSTILE-DS' };
const STREET = '110105001';
const thisMonday = addDays(lastCompleteWeek(TODAY), 7);
const periodicDuty = dutiesOwed('beijing', BEIJING_ORGANS, TODAY).find((d) => d.organ.code === 'BJ')!;

const caseBody = {
  caseId: FIXTURE.case,
  receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
  channel: 'visit',
  regionCode: '110105',
  streetCode: STREET,
  field: '劳动社保',
  collectiveSize: 3,
  summary: '拖欠工资',
  receivedBy: { organ: '朝阳区信访办', kind: 'petition-office' },
  litigationRelated: false,
  accusation: true,
  accusedOrgan: 'BJ-RSJ',
  anonymous: false,
  petitioner: { kind: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000', address: '朝阳区建外街道1号' },
};
const accountabilityBody = {
  caseId: FIXTURE.accountability,
  organ: 'D110105',
  ground: 'procedure',
  finding: { source: 'case', ref: `${FIXTURE.case}/handle_overdue` },
  failure: {
    kind: 'collective',
    participants: [
      { person: '局长', role: 'principal' },
      { person: '委员甲', role: 'participatingMember', dissented: true },
    ],
  },
  rectifyBy: addDays(TODAY, 30),
};
const recommendationBody = {
  recommendationId: FIXTURE.recommendation,
  regionCode: '110105',
  issuedBy: '朝阳区信访办',
  toOrgan: '朝阳区人力资源社会保障局',
  kind: 'improve_work',
  issuedDate: TODAY,
  caseId: FIXTURE.case,
  summary: '欠薪投诉集中，建议建立预警台账',
};
const disputeBody = { disputeId: FIXTURE.dispute, regionCode: '110105', streetCode: STREET, field: '劳动社保', screenedDate: TODAY, caseId: FIXTURE.case, summary: '工地欠薪纠纷' };
const resolution = { date: TODAY, note: '已调解' };

interface Base {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

const BASES: Record<string, Base> = {
  // A duplicate of the fixture: everything up to the workflow's start is checked, then 409.
  'POST /cases': { body: { ...caseBody, sameClaimAs: FIXTURE.case } },
  'POST /accountability': { body: accountabilityBody },
  'POST /recommendations': { body: recommendationBody },
  'POST /disputes': { body: disputeBody },
  // The fixture is resolved already: a second resolution is refused.
  'POST /disputes/:id/resolve': { params: { id: FIXTURE.dispute }, body: resolution },
  // A user who exists: refused as a duplicate after every other check.
  'POST /users': { body: { username: 'leader', displayName: '市领导', role: 'leader', regionCode: '110000', password: TEST_PASSWORD } },
  // A real organ and duty, so the date is checked against the packs; no period was opened, so 404.
  'POST /duties/:organ/:dutyId/evidence': {
    params: { organ: periodicDuty.organ.code, dutyId: periodicDuty.dutyId },
    body: { kind: 'meeting', date: TODAY, reference: '会议纪要', participants: ['局长'], days: 1 },
  },
  // A week under way is refused (its counts are partial).
  'POST /early-warning/scans': { body: { week: thisMonday, weeks: 1, signals: ['counts'] } },
  'POST /imports': { query: { filename: 'hostile.parquet' } },
  'GET /metrics': { query: { year: TODAY.slice(0, 4) } },
  'GET /metrics/ranking': { query: { measure: MEASURES[0]!.id, year: TODAY.slice(0, 4) } },
  'GET /metrics/three-declines': { query: { year: TODAY.slice(0, 4) } },
  'GET /reports/annual-data': { query: { year: TODAY.slice(0, 4) } },
  // A batch as of tomorrow is refused (its figures would still change): nothing is started.
  'POST /reports/batches': { body: { kind: 'annual', year: Number(TODAY.slice(0, 4)), formats: ['html'], asOf: addDays(TODAY, 1) } },
  'GET /petition-index': { query: { year: TODAY.slice(0, 4) } },
  'GET /duties': { query: { year: TODAY.slice(0, 4) } },
};

/**
 * Query parameters that are free text to search by: SQL-looking or odd text is a legitimate
 * search there (no match, or a 404 for an organ of that name), so any answer but a 5xx will do.
 */
const FREE_TEXT_QUERY: Record<string, readonly string[]> = {
  'GET /audit': ['user', 'action', 'object'],
  'GET /duties': ['organ'],
  'GET /cases': ['q', 'field', 'organ', 'leader'],
};
/**
 * Body fields that are free text on a route with no later step to refuse the request: a token's
 * name may read like SQL. Accepted (201), it must be stored as sent; its row is the only growth
 * allowed besides the audit log.
 */
const FREE_TEXT_BODY: Record<string, readonly string[]> = { 'POST /tokens': ['name'] };
/** A week long past is a legitimate scan (of no cases): the pre-pack date is no refusal there. */
const PRE_PACK_TAKEN: Record<string, readonly string[]> = { 'POST /early-warning/scans': ['week'] };

// ---------------------------------------------------------------------------------------------
// The battery.

const PATH_TRICKS: [string, string, Expectation][] = [
  ['path traversal', '..%2F..%2Fetc%2Fpasswd', FOUR_XX],
  ['NUL', '%00', status(400)],
  ['a 10,000-character id', 'x'.repeat(10_000), FOUR_XX],
  ['SQL', encodeURIComponent(SQL), FOUR_XX],
  ['an invalid percent-encoding', '%E0%A4%A', status(400)],
  ['constructor', 'constructor', FOUR_XX],
  ['__proto__', '__proto__', FOUR_XX],
];

const QUERY_VALUES: [string, string][] = [
  ['a wrong type', 'abc'],
  ['negative', '-1'],
  ['huge', '99999999999999999999'],
  ['1e309', '1e309'],
  ['a fraction', '1.5'],
  ['empty', ''],
  ['very long', 'x'.repeat(10_000)],
  ['SQL', encodeURIComponent(SQL)],
  ['path traversal', '..%2F..%2Fetc%2Fpasswd'],
  // A URL carries bytes: a lone surrogate can only arrive as its (invalid) UTF-8 bytes.
  ['a lone surrogate', '%ED%A0%80'],
  ...IMPOSSIBLE_DATES.map((d): [string, string] => [`the impossible date ${d}`, d]),
];

/** body-parser's notation for a limit ('100kb', '1mb') in bytes. */
function bytesOf(limit: string): number {
  const m = /^(\d+)(b|kb|mb|gb)$/i.exec(limit);
  if (!m) throw new Error(`cannot read the body limit ${limit}`);
  return Number(m[1]) * 1024 ** ['b', 'kb', 'mb', 'gb'].indexOf(m[2]!.toLowerCase());
}

function pathOf(route: RouteSpec, params: Record<string, string>, query: [string, string][]): string {
  const path = route.path.replace(/:([A-Za-z]\w*)/g, (_, name: string) => params[name] ?? '');
  const search = query.map(([k, v]) => `${k}=${v}`).join('&');
  return `${API_PREFIX}${path}${search ? `?${search}` : ''}`;
}

function probesOf(route: RouteSpec, headers: Record<string, string>): Probe[] {
  const key = routeKey(route);
  const base = BASES[key] ?? {};
  const paramSchema = route.params ? jsonSchema(route.params) : undefined;
  const querySchema = route.query ? jsonSchema(route.query) : undefined;
  const bodySchema = route.body ? jsonSchema(route.body) : undefined;

  const params: Record<string, string> = {};
  for (const [name, s] of Object.entries(paramSchema?.properties ?? {})) params[name] = encodeURIComponent(String(base.params?.[name] ?? sample(s)));
  const query: Record<string, string> = {};
  for (const name of querySchema?.required ?? []) query[name] = encodeURIComponent(String(sample(querySchema!.properties![name]!)));
  for (const [name, v] of Object.entries(base.query ?? {})) query[name] = encodeURIComponent(v);
  const body = bodySchema ? (base.body ?? sample(bodySchema)) : undefined;
  const json = { ...headers, 'content-type': 'application/json' };
  const bodyText = body === undefined ? undefined : JSON.stringify(body);

  const probes: Probe[] = [];
  const add = (what: string, expect: Expectation, over: { params?: Record<string, string>; query?: [string, string][]; body?: string | Buffer; headers?: Record<string, string> } = {}) => {
    const withBody = over.body !== undefined || bodyText !== undefined;
    probes.push({
      route: key,
      what,
      method: route.method.toUpperCase(),
      path: pathOf(route, { ...params, ...over.params }, over.query ?? Object.entries(query)),
      headers: over.headers ?? (withBody && !route.rawBody ? json : headers),
      ...(over.body !== undefined ? { body: over.body } : bodyText !== undefined ? { body: bodyText } : {}),
      expect,
    });
  };

  for (const name of Object.keys(params)) {
    for (const [what, value, expect] of PATH_TRICKS) add(`path :${name} = ${what}`, expect, { params: { [name]: value } });
  }

  const freeQuery = FREE_TEXT_QUERY[key] ?? [];
  for (const name of Object.keys(querySchema?.properties ?? {})) {
    const others = Object.entries(query).filter(([k]) => k !== name);
    const free = freeQuery.includes(name);
    for (const [what, value] of QUERY_VALUES) {
      // Free text still has its bounds: at least one character, and far fewer than 10,000.
      const expect: Expectation = free && what !== 'empty' && what !== 'very long' ? { kind: 'not-5xx' } : FOUR_XX;
      add(`?${name} = ${what}`, expect, { query: [...others, [name, value]] });
    }
    add(`?${name} = NUL`, status(400), { query: [...others, [name, '%00']] });
    add(`?${name} twice`, free ? { kind: 'not-5xx' } : FOUR_XX, { query: [...others, [name, '1'], [name, '2']] });
  }
  for (const unknown of ['hostile', '__proto__', 'constructor']) add(`unknown ?${unknown}`, FOUR_XX, { query: [...Object.entries(query), [unknown, '1']] });
  add('NUL in an unknown parameter', status(400), { query: [...Object.entries(query), ['hostile', '%00']] });

  // A route that declares its own limit (the upload's): one byte over it. The default limit is the second test's.
  if (route.maxBody) add(`a body over its ${route.maxBody} limit`, status(413), { body: Buffer.alloc(bytesOf(route.maxBody) + 1), headers: route.rawBody ? headers : json });
  if (route.rawBody) {
    // An upload: what the file readers must refuse (nothing imported), and none at all.
    add('an empty upload', FOUR_XX, { body: '' });
    add('garbage bytes', FOUR_XX, { body: randomBytes(512) });
    add('malformed JSON as the file', FOUR_XX, { body: '{"a":' });
    for (const ext of ['xlsx', 'arrow', 'jsonl']) add(`garbage as .${ext}`, FOUR_XX, { body: randomBytes(512), query: [['filename', `hostile.${ext}`]] });
  } else if (!bodySchema) {
    add('a body where none is taken', status(400), { body: '{}', headers: json });
  } else {
    const raw = (what: string, text: string, expect: Expectation = status(400)) => add(what, expect, { body: text });
    raw('malformed JSON', '{"a":');
    raw('truncated JSON', bodyText!.slice(0, -1));
    raw('[] as the body', '[]', FOUR_XX);
    raw('null as the body', 'null');
    raw('a string as the body', '"hostile"');
    raw('a number as the body', '7');
    raw('an unknown field', JSON.stringify({ ...(body as object), hostile: 1 }), FOUR_XX);
    // JSON.parse makes "__proto__" an own key; a schema that assigned it would change a prototype instead.
    raw('a __proto__ field', `{"__proto__":{"admin":true},${bodyText!.slice(1)}`.replace(/,}$/, '}'), FOUR_XX);
    raw('a constructor field', JSON.stringify({ ...(body as object), constructor: { prototype: {} } }), FOUR_XX);

    const freeBody = FREE_TEXT_BODY[key] ?? [];
    const prePackTaken = PRE_PACK_TAKEN[key] ?? [];
    for (const { path, schema, value } of fieldsOf(body, bodySchema)) {
      const mutate = (what: string, v: unknown, expect: Expectation = FOUR_XX) => raw(`${at(path)} = ${what}`, JSON.stringify(withField(body, path, v)), expect);
      if (typeof value === 'string') {
        mutate('a very long string', LONG);
        mutate('NUL', `a\u0000b`, status(400));
        mutate('a lone surrogate', '\ud800', status(400));
        mutate('SQL', SQL, freeBody.includes(at(path)) ? { kind: 'not-5xx' } : FOUR_XX);
        mutate('a number', 7);
        if (schema.format === 'date' || schema.format === 'date-time') {
          const asDate = (d: string) => (schema.format === 'date' ? d : `${d}T00:00:00Z`);
          for (const d of IMPOSSIBLE_DATES) mutate(`the impossible date ${d}`, asDate(d), status(400));
          if (!prePackTaken.includes(at(path))) mutate(`${BEFORE_ANY_PACK}, before any pack`, asDate(BEFORE_ANY_PACK));
        }
      } else if (typeof value === 'number') {
        for (const v of [-1, 1e12, 1.5, '7']) mutate(JSON.stringify(v), v);
      } else if (typeof value === 'boolean') {
        for (const v of ['true', 1, null]) mutate(JSON.stringify(v), v);
      } else {
        mutate('a string', 'hostile');
        mutate(Array.isArray(value) ? 'an object' : 'an array', Array.isArray(value) ? {} : []);
        if (!Array.isArray(value)) mutate('an unknown field', { ...(value as object), hostile: 1 });
      }
    }
    // Required fields, from the schema as clients see it (a field with a default is not required).
    const required = [{ path: [] as Path, schema: bodySchema, value: body }, ...fieldsOf(body, bodySchema)].flatMap(({ path, schema, value }) =>
      value !== null && typeof value === 'object' && !Array.isArray(value) ? (branchOf(schema, value).required ?? []).map((k) => [...path, k]) : [],
    );
    for (const path of required) raw(`${at(path)} missing`, JSON.stringify(withField(body, path, undefined)), FOUR_XX);
  }
  return probes;
}

function report(label: string, routes: number, tally: Tally): void {
  const byStatus = Object.fromEntries([...tally.byStatus].sort(([a], [b]) => a - b));
  console.log(`[hostile-input] ${label}: ${routes} routes, ${tally.requests} requests, by status ${JSON.stringify(byStatus)}`);
}

async function call(app: RunningApp, headers: Record<string, string>, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${app.base}${API_PREFIX}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, text: await response.text() };
}

describe('hostile input', () => {
  it('every route answers every mutation of its parameters and body with a 4xx, and stores nothing', async () => {
    await seedUsers(t.store);
    const dataDir = mkdtempSync(join(tmpdir(), 'xinfang-hostile-'));
    try {
      await t.withWorker(async (taskQueue) => {
        // Uploads are limited to 1 MB here and keep their petitioner keys out of the project.
        const env = { XINFANG_DATA_DIR: dataDir, XINFANG_IMPORT_MAX_BYTES: '1mb' };
        const app = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue, env });
        try {
          const routes = buildApi({ store: t.store, temporal: t.env.client, taskQueue, jurisdiction: 'beijing', identityKeys: testIdentityKeys(), env }).routes;
          const headersOf = new Map<string, Record<string, string>>();
          for (const u of new Set(routes.map((r) => callerOf(r.access)))) if (u) headersOf.set(u, await tokenHeaders(t.store, u));
          const as = (u: string) => headersOf.get(u) ?? {};

          // The objects the write routes' bases collide with.
          for (const [user, path, body, expected] of [
            ['clerk', '/cases', caseBody, 201],
            ['leader', '/accountability', accountabilityBody, 201],
            ['clerk', '/recommendations', recommendationBody, 201],
            ['clerk', '/disputes', disputeBody, 201],
            ['clerk', `/disputes/${FIXTURE.dispute}/resolve`, resolution, 200],
          ] as const) {
            const created = await call(app, as(user), path, body);
            expect(created.status, `${path}: ${created.text}`).toBe(expected);
          }
          // Their workflows' state and events as the API shows them (a read is audited, so taken outside the fingerprints).
          const views = () =>
            Promise.all([`/cases/${FIXTURE.case}`, `/accountability/${FIXTURE.accountability}`, `/recommendations/${FIXTURE.recommendation}`, `/disputes/${FIXTURE.dispute}`].map((path) => call(app, as('leader'), path)));

          for (const [key, names] of Object.entries({ ...FREE_TEXT_QUERY, ...FREE_TEXT_BODY, ...PRE_PACK_TAKEN, ...BASES })) {
            expect(routes.map(routeKey), `${key} (${JSON.stringify(names).slice(0, 40)}) names no route`).toContain(key);
          }
          expect(new Set(routes.map(routeKey)).size).toBe(routes.length);

          await settled(t.store);
          const viewsBefore = await views();
          expect(viewsBefore.map((v) => v.status)).toEqual([200, 200, 200, 200]);
          const before = await settled(t.store);
          const tally = newTally();
          const probes = routes.flatMap((r) => {
            const caller = callerOf(r.access);
            return probesOf(r, caller ? as(caller) : {});
          });
          await runProbes(app.base, probes, tally);
          const after = await settled(t.store);
          expect.soft(await views()).toEqual(viewsBefore);
          report('generated battery', routes.length, tally);

          // Soft, so that one run lists every fault, every stray acceptance and every changed table.
          expect.soft(tally.faults).toEqual([]);
          // A route added without a probe would be missing here.
          expect.soft([...tally.routes].sort()).toEqual(routes.map(routeKey).sort());

          // A write accepted (2xx) must be one FREE_TEXT_BODY allows; a read's answer was checked against its expectation.
          const created = tally.accepted.filter((a) => a.probe.method !== 'GET');
          for (const { probe, answer } of created) {
            expect.soft(FREE_TEXT_BODY[probe.route], `${probe.route} ${probe.what} answered ${answer.status}: ${answer.text.slice(0, 200)}`).toBeDefined();
          }
          // A token named like SQL is kept as sent, beside the ones the battery started with.
          const tokens = tally.accepted.filter((a) => a.probe.route === 'POST /tokens');
          expect(tokens.map((a) => (JSON.parse(a.answer.text) as { name: string }).name)).toEqual(tokens.map(() => SQL));
          const tokenRows = Object.keys(after).find((k) => k.endsWith('.api_tokens'))!;
          expect(after[tokenRows]!.n).toBe(before[tokenRows]!.n + tokens.length);

          expect.soft(changedTables(before, after, (table) => isAuditLog(table) || table === tokenRows)).toEqual([]);
          const audit = Object.keys(after).find(isAuditLog)!;
          expect(after[audit]!.n).toBeGreaterThanOrEqual(before[audit]!.n);
        } finally {
          await app.close();
        }
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);

  it('answers what a fuzzing run once found with a clear 4xx, never a 500 or a hang', async () => {
    await seedUsers(t.store);
    await t.withWorker(async (taskQueue) => {
      const app = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue });
      try {
        const routes = buildApi({ store: t.store, temporal: t.env.client, taskQueue, jurisdiction: 'beijing', identityKeys: testIdentityKeys() }).routes;
        const clerk = await tokenHeaders(t.store, 'clerk');
        const leader = await tokenHeaders(t.store, 'leader');
        const json = (h: Record<string, string>) => ({ ...h, 'content-type': 'application/json' });
        const probe = (route: string, what: string, method: string, path: string, headers: Record<string, string>, expect: Expectation, body?: string | Buffer): Probe => ({
          route,
          what,
          method,
          path: `${API_PREFIX}${path}`,
          headers,
          expect,
          ...(body !== undefined ? { body } : {}),
        });
        const before = await settled(t.store);
        const probes: Probe[] = [];

        // Bodies the parser refuses, on two routes: larger than the route reads, not UTF-8, not gzip, not JSON.
        for (const [route, path, headers] of [
          ['POST /disputes', '/disputes', clerk],
          ['POST /tokens', '/tokens', leader],
        ] as const) {
          for (const [size, label] of [
            [200_000, '200 KB'],
            [5_000_000, '5 MB'],
            [50_000_000, '50 MB'],
          ] as const) {
            probes.push(probe(route, `a ${label} JSON body`, 'POST', path, json(headers), status(413), `{"summary":"${'x'.repeat(size)}"}`));
          }
          probes.push(probe(route, 'charset=latin1', 'POST', path, { ...headers, 'content-type': 'application/json; charset=latin1' }, status(415), '{"name":"x"}'));
          probes.push(probe(route, 'a gzip body that is not gzip', 'POST', path, { ...json(headers), 'content-encoding': 'gzip' }, status(400), randomBytes(256)));
          probes.push(probe(route, 'gzip of malformed JSON', 'POST', path, { ...json(headers), 'content-encoding': 'gzip' }, status(400), gzipSync('{"name":')));
          probes.push(probe(route, 'a text/plain body', 'POST', path, { ...headers, 'content-type': 'text/plain' }, status(415), '{"name":"x"}'));
          probes.push(probe(route, 'an unknown content-encoding', 'POST', path, { ...json(headers), 'content-encoding': 'br2' }, status(415), '{"name":"x"}'));
        }

        // An invalid percent-encoding where a path parameter is decoded.
        probes.push(probe('GET /cases/:id', 'an invalid percent-encoding', 'GET', '/cases/%E0%A4%A', leader, status(400)));
        probes.push(probe('POST /cases/:id/route', 'an invalid percent-encoding', 'POST', '/cases/%E0%A4%A/route', json(clerk), status(400), '{"mode":"forward","toOrgan":"x"}'));

        // Names of Object.prototype in the action position: no such action, whatever an object literal holds.
        const actionPrefixes = new Set(routes.map((r) => /^((?:\/[a-z-]+)+\/):[A-Za-z]\w*\/[A-Za-z]+$/.exec(r.path)?.[1]).filter((p) => p !== undefined));
        expect(actionPrefixes.size).toBeGreaterThan(3);
        for (const prefix of actionPrefixes) {
          for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
            probes.push(probe(`POST ${prefix}:id/${name}`, 'an Object.prototype action', 'POST', `${prefix}X1/${name}`, json(leader), status(404), '{}'));
          }
        }

        // Dates no pack or calendar covers.
        const intake = { channel: 'visit', regionCode: '110105' };
        for (const receivedAt of ['2001-01-01T08:00:00+08:00', '0000-01-01T00:00:00Z', '1899-12-31T00:00:00Z', '9999-12-31T00:00:00Z', '2025-02-30T00:00:00Z']) {
          probes.push(probe('POST /cases', `receivedAt ${receivedAt}`, 'POST', '/cases', json(clerk), status(400), JSON.stringify({ ...intake, receivedAt })));
        }
        const openCase = (extra: object) => JSON.stringify({ ...accountabilityBody, caseId: undefined, ...extra });
        probes.push(probe('POST /accountability', 'an unknown organ', 'POST', '/accountability', json(leader), status(400), openCase({ organ: 'NO-SUCH-ORGAN' })));
        probes.push(probe('POST /accountability', 'an unknown ground', 'POST', '/accountability', json(leader), status(400), openCase({ ground: 'no-such-ground' })));
        probes.push(probe('POST /accountability', 'the ground constructor', 'POST', '/accountability', json(leader), status(400), openCase({ ground: 'constructor' })));
        probes.push(probe('POST /accountability', 'an unknown start step', 'POST', '/accountability', json(leader), status(400), openCase({ startAt: { step: 'no-such-step', reason: '危害严重' } })));
        probes.push(probe('POST /accountability', 'the start step toString', 'POST', '/accountability', json(leader), status(400), openCase({ startAt: { step: 'toString', reason: '危害严重' } })));

        // A lone surrogate must be refused before it reaches a workflow or an activity.
        probes.push(probe('POST /cases', 'a lone surrogate in the summary', 'POST', '/cases', json(clerk), status(400), JSON.stringify({ ...intake, summary: '\ud800' })));
        probes.push(probe('POST /cases', 'a lone surrogate in a key', 'POST', '/cases', json(clerk), status(400), `{"channel":"visit","regionCode":"110105","\\udc00":1}`));

        // An empty filter would reach the database as an empty list.
        const year = TODAY.slice(0, 4);
        for (const filter of ['channel', 'field', 'district']) {
          probes.push(probe('GET /metrics', `an empty ${filter}= filter`, 'GET', `/metrics?year=${year}&${filter}=`, leader, status(400)));
          probes.push(probe('GET /metrics', `an ${filter}=, filter`, 'GET', `/metrics?year=${year}&${filter}=,`, leader, status(400)));
        }

        const tally = newTally();
        await runProbes(app.base, probes, tally);
        report('fuzzing classes', tally.routes.size, tally);
        expect(tally.faults).toEqual([]);
        expect(tally.accepted).toEqual([]);
        expect(changedTables(before, await settled(t.store), isAuditLog)).toEqual([]);
      } finally {
        await app.close();
      }
    });

    // The health check names what is down, never where the store or a binary lives.
    const dir = mkdtempSync(join(tmpdir(), 'xinfang-hostile-health-'));
    const store = await AnalyticsStore.open(join(dir, 'health.duckdb'));
    const down = await startApiApp({ store, temporal: await temporalDown() });
    try {
      for (const path of ['/api/health', '/api/v1/health']) {
        const response = await fetch(`${down.base}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const text = await response.text();
        expect(response.status, text).toBe(503);
        expect(text).not.toMatch(LEAK);
        expect(text).not.toContain(dir);
      }
    } finally {
      await down.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
