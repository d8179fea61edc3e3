/**
 * The analysts' SQL console (issue 14) over HTTP: one SELECT over views of the caller's
 * jurisdiction and nothing else. An analyst of Chaoyang sees no Haidian row through any SQL it
 * can write (CTEs, unions, subqueries, qualified names, file and catalog functions); nothing
 * but a SELECT runs; a statement past its time limit is stopped; every statement is audited;
 * roles without sql.console are refused. No Temporal is needed: the console reads DuckDB only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { queryAudit } from '../../analytics/audit-log.js';
import { recordHistory } from '../../analytics/case-log.js';
import { prepareConsoleSession, runConsole, SqlConsoleError } from '../../analytics/sql-console.js';
import { AnalyticsStore } from '../../analytics/store.js';
import type { CaseEvent, CaseIntake } from '../../domain/case.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { as, seedUsers, type Answer } from '../support/login.js';

const PSEUDONYM = 'PSEUDO-SECRET-0001';
const SUMMARY = '张三反映拖欠工资';
const COMMENT = '李四对答复不满意';

const kase = (caseId: string, regionCode: string, streetCode: string | undefined, receivedAt: string) => {
  const intake: CaseIntake = {
    caseId,
    jurisdiction: 'beijing',
    receivedAt,
    channel: 'visit',
    regionCode,
    collectiveSize: 1,
    summary: SUMMARY,
    petitionerId: PSEUDONYM,
    ...(streetCode ? { streetCode } : {}),
  };
  const events: CaseEvent[] = [
    { caseId, type: 'received', occurredAt: receivedAt, actor: 'clerk-someone' },
    { caseId, type: 'routed', occurredAt: '2025-03-02T02:00:00Z', detail: { mode: 'forward', toOrgan: '朝阳区教委', toKind: 'organ' } },
    { caseId, type: 'rated', occurredAt: '2025-04-02T02:00:00Z', actor: 'petitioner', detail: { level: 'basically_satisfied', comment: COMMENT } },
  ];
  return { intake, events };
};

// Chaoyang (110105): CY-1 in Jianwai street, CY-2 in another of its streets, CY-3 with no street. Haidian (110108): HD-1, HD-2.
const CASES = [
  kase('CY-1', '110105', '110105001', '2025-03-01T02:00:00Z'),
  kase('CY-2', '110105', '110105002', '2025-03-05T02:00:00Z'),
  kase('CY-3', '110105', undefined, '2025-05-01T02:00:00Z'),
  kase('HD-1', '110108', undefined, '2025-03-01T02:00:00Z'),
  kase('HD-2', '110108', undefined, '2025-06-01T02:00:00Z'),
];

let store: AnalyticsStore;
let app: RunningApp;
let slowApp: RunningApp;
const callers = new Map<string, (path: string, body?: unknown) => Promise<Answer>>();
const call = async (user: string, path: string, body?: unknown, on: RunningApp = app) => {
  const key = `${user}@${on.base}`;
  if (!callers.has(key)) callers.set(key, await as(on.base, user));
  return callers.get(key)!(path, body);
};
const sql = (user: string, text: string, limit?: number) => call(user, '/sql', { sql: text, ...(limit ? { limit } : {}) });
const rowsOf = (a: Answer) => a.body.rows as unknown[][];

beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await seedUsers(store);
  await recordHistory(store, CASES, 'import');
  for (const [id, region] of [
    ['AL-CY', '110105'],
    ['AL-CY-ST', '110105001'],
    ['AL-HD', '110108'],
  ] as const) {
    await store.run(
      `INSERT INTO alerts (alert_id, dedup_key, kind, method, level, region_code, first_period, period, run_length, severity, base_severity, scan_id, last_scan_id, first_seen, last_seen)
       VALUES ($id, $id, 'count-aberration', 'test', $level, $region, DATE '2025-10-20', DATE '2025-10-20', 1, 'warning', 'warning', 't', 't', now(), now())`,
      { id, region, level: region.length === 6 ? 'district' : 'street' },
    );
  }
  const rate = { burst: 10_000, perMinute: 10_000 };
  app = await startApiApp({ store, expensiveRate: rate });
  slowApp = await startApiApp({ store, expensiveRate: rate, env: { XINFANG_SQL_TIMEOUT_MS: '200' } });
});
afterAll(async () => {
  await app?.close();
  await slowApp?.close();
  store?.close();
});

describe('the SQL console', () => {
  it('lists its views with their columns, none of them a petitioner, a summary or free text', async () => {
    const answer = await call('analyst-chaoyang', '/sql/views');
    expect(answer.status).toBe(200);
    const views = answer.body.views as { name: string; columns: { name: string; type: string }[] }[];
    expect(views.map((v) => v.name)).toEqual(['cases', 'case_events', 'case_facts', 'alerts', 'regions', 'organs']);
    const columns = views.flatMap((v) => v.columns.map((c) => c.name));
    for (const hidden of ['petitioner_id', 'summary', 'actor', 'comment', 'import_batch']) expect(columns).not.toContain(hidden);
    expect(views.find((v) => v.name === 'cases')!.columns).toContainEqual({ name: 'received_date', type: 'DATE' });
  });

  it("answers a district's analyst with its own rows only, the city's with every district's", async () => {
    const byRegion = 'SELECT region_code, count(*) AS n FROM cases GROUP BY region_code ORDER BY region_code';
    const chaoyang = await sql('analyst-chaoyang', byRegion);
    expect(chaoyang.status).toBe(200);
    expect(chaoyang.body).toMatchObject({ region: '110105', rows: [['110105', 3]], truncated: false, rowLimit: 1000, views: ['cases'] });
    expect(chaoyang.body.columns).toEqual([
      { name: 'region_code', type: 'VARCHAR' },
      { name: 'n', type: 'BIGINT' },
    ]);
    expect(rowsOf(await sql('analyst', byRegion))).toEqual([
      ['110105', 3],
      ['110108', 2],
    ]);
  });

  it('shows no other district through any view, CTE, union, subquery or join', async () => {
    const attempts = [
      "SELECT * FROM cases WHERE region_code = '110108'",
      "SELECT * FROM case_facts WHERE case_id LIKE 'HD-%'",
      "SELECT * FROM case_events WHERE case_id IN ('HD-1', 'HD-2')",
      "WITH c AS (SELECT * FROM cases) SELECT case_id FROM c WHERE case_id LIKE 'HD%' UNION ALL SELECT case_id FROM case_facts WHERE region_code = '110108'",
      "SELECT case_id FROM (SELECT * FROM (SELECT * FROM cases) x) y WHERE y.region_code <> '110105'",
      "WITH cases AS (SELECT * FROM cases) SELECT * FROM cases WHERE region_code = '110108'",
      "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT c.case_id FROM r, cases c WHERE c.region_code = '110108'",
      "SELECT e.case_id FROM case_events e LEFT JOIN cases c USING (case_id) WHERE c.case_id IS NULL",
      "WITH RECURSIVE cases AS (SELECT case_id, region_code FROM cases UNION ALL SELECT case_id, region_code FROM cases WHERE false) SELECT * FROM cases WHERE region_code = '110108'",
      "SELECT * FROM alerts WHERE region_code = '110108'",
      "SELECT * FROM regions WHERE code = '110108' OR parent_code = '110108'",
      "SELECT * FROM organs WHERE region_code = '110108'",
      "SELECT (SELECT count(*) FROM cases WHERE region_code = '110108') AS n WHERE (SELECT count(*) FROM cases WHERE region_code = '110108') > 0",
    ];
    for (const text of attempts) {
      const answer = await sql('analyst-chaoyang', text);
      expect(answer.status, `${text}: ${JSON.stringify(answer.body)}`).toBe(200);
      expect(rowsOf(answer), text).toEqual([]);
    }
    // Every row of every view: Haidian's codes and cases appear nowhere, nor any identity or free text.
    for (const view of ['cases', 'case_events', 'case_facts', 'alerts', 'regions', 'organs']) {
      const answer = await sql('analyst-chaoyang', `SELECT * FROM ${view}`);
      expect(answer.status).toBe(200);
      const text = JSON.stringify(answer.body.rows);
      expect(rowsOf(answer).length, view).toBeGreaterThan(0);
      for (const secret of ['110108', 'HD-', PSEUDONYM, SUMMARY, COMMENT, 'clerk-someone']) expect(text, `${view} shows ${secret}`).not.toContain(secret);
    }
    expect(rowsOf(await sql('analyst-chaoyang', 'SELECT DISTINCT region_code FROM alerts ORDER BY 1'))).toEqual([['110105'], ['110105001']]);
    expect(rowsOf(await sql('analyst-chaoyang', 'SELECT count(*) FROM case_events'))).toEqual([[9]]);
  });

  it('refuses anything but one SELECT over its views, naming where', async () => {
    const refused = [
      'SELECT * FROM main.cases',
      'SELECT * FROM memory.main.cases',
      'SELECT * FROM temp.main.cases',
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM '/etc/passwd'",
      "SELECT * FROM read_text('/etc/passwd')",
      'SELECT * FROM duckdb_tables()',
      "SELECT * FROM query('SELECT * FROM users')",
      'SELECT * FROM users',
      'SELECT * FROM petitioner_identities',
      'SELECT * FROM audit_log',
      'WITH users AS (SELECT * FROM users) SELECT * FROM users',
      // A recursive CTE's anchor is bound before the CTE exists: its own name there is the table.
      "WITH RECURSIVE users AS (SELECT username FROM users UNION ALL SELECT 'x') SELECT * FROM users",
      'SELECT * FROM (WITH u AS (SELECT 1) SELECT * FROM u) x, u',
      "ATTACH '/tmp/x.duckdb' AS x",
      "COPY cases TO '/tmp/cases.csv'",
      "COPY (SELECT * FROM cases) TO '/tmp/cases.csv'",
      "INSERT INTO cases (case_id) VALUES ('X')",
      "UPDATE cases SET region_code = '110105'",
      'DELETE FROM cases',
      'CREATE TABLE t (a INTEGER)',
      'CREATE TEMP VIEW cases AS SELECT 1',
      'DROP VIEW cases',
      'PRAGMA version',
      "SET TimeZone = 'UTC'",
      "CALL duckdb_settings()",
      'SHOW TABLES',
      'EXPLAIN SELECT 1',
      'select 1; select 2',
      "SELECT current_setting('temp_directory')",
      'SELECT pg_get_viewdef(1)',
      "SELECT nextval('s')",
      'SELECT sleep_ms(10000)',
      "SELECT 'x'::INET",
      'SELECT memory.main.abs(1)',
      'SELECT * FROM cases, LATERAL (SELECT * FROM users) u',
      'SELECT (SELECT count(*) FROM main.users)',
      'SELECT * FROM unnest((SELECT list(username) FROM users))',
      'DESCRIBE users',
      'SUMMARIZE SELECT * FROM users',
      "SELECT * FROM histogram_values(cases, collective_size)",
      'SELECT * FROM cases AT (VERSION => 1)',
      'SELECT * FROM "Users"',
      'SELECT * FROM cases.cases',
    ];
    for (const text of refused) {
      const answer = await sql('analyst-chaoyang', text);
      expect(answer.status, text).toBe(400);
      expect(answer.body.code, `${text}: ${answer.body.error}`).toBe('sql_refused');
      expect(answer.body.problems, text).toEqual([{ at: 'sql', problem: answer.body.error }]);
    }
    expect((await sql('analyst-chaoyang', 'SELECT * FROM main.cases')).body.error).toMatch(/without schema or catalog/);
    expect((await sql('analyst-chaoyang', 'SELECT * FROM users')).body.error).toMatch(/relation "users" is not offered; the console's views are alerts, case_events, case_facts, cases, organs, regions/);
  });

  it('reaches no table of the database by an unqualified name even past the guard: the search path is the views alone', async () => {
    await store.session(async (conn) => {
      await prepareConsoleSession(conn, '110105');
      const run = async (text: string) => (await conn.runAndReadAll(text)).getRowsJson();
      expect(await run('SELECT count(*)::INTEGER FROM cases')).toEqual([[3]]);
      await expect(run('SELECT * FROM users')).rejects.toThrow(/does not exist/);
      await expect(run('SELECT * FROM petitioner_identities')).rejects.toThrow(/does not exist/);
      // What the guard refuses above, run here directly: the anchor's "users" finds no table.
      await expect(run("WITH RECURSIVE users AS (SELECT username FROM users UNION ALL SELECT 'x') SELECT * FROM users")).rejects.toThrow();
      await expect(run("WITH RECURSIVE cases AS (SELECT region_code FROM cases UNION ALL SELECT region_code FROM cases WHERE false) SELECT DISTINCT region_code FROM cases")).resolves.toEqual([['110105']]);
    });
    // Session state stays on its connection: the store's others still read every table.
    expect((await store.all(z.object({ n: z.number() }), 'SELECT count(*)::INTEGER AS n FROM cases'))[0]!.n).toBe(5);
  });

  it("answers DuckDB's parser and binder messages as invalid_sql, without its error kind", async () => {
    const syntax = await sql('analyst-chaoyang', 'SELEC 1');
    expect(syntax).toMatchObject({ status: 400, body: { code: 'invalid_sql', problems: [{ at: 'sql' }] } });
    expect(syntax.body.error).toMatch(/syntax error at or near "SELEC" \(at character 1\)/);
    const binder = await sql('analyst-chaoyang', 'SELECT no_such_column FROM cases');
    expect(binder).toMatchObject({ status: 400, body: { code: 'invalid_sql' } });
    expect(binder.body.error).toMatch(/^Referenced column "no_such_column" not found/);
    expect(binder.body.error).not.toMatch(/Binder Error/);
  });

  it('still runs what analysts write: aggregates, windows, SUMMARIZE, generators, CTEs and casts', async () => {
    const ok = [
      "SELECT strftime(received_date, '%Y-%m') AS month, count(*) FILTER (WHERE street_code IS NOT NULL) AS with_street FROM cases GROUP BY ALL ORDER BY 1",
      'SELECT case_id, row_number() OVER (PARTITION BY region_code ORDER BY received_at) AS n, lag(case_id) OVER (ORDER BY case_id) FROM cases',
      'SUMMARIZE case_facts',
      'DESCRIBE cases',
      'SELECT r.range AS day FROM range(3) r',
      'SELECT x FROM unnest([1, 2, 3]) t(x)',
      "WITH s AS (SELECT code FROM regions WHERE level = 'street') SELECT count(*) FROM cases WHERE street_code IN (SELECT code FROM s)",
      `SELECT received_at::DATE, CAST(collective_size AS DOUBLE), '{"a": 1}'::JSON, list_transform([1, 2], v -> v * 2) FROM cases`,
      // The PIVOT statement is not a SELECT to DuckDB's serialiser (refused); the SELECT form is.
      "SELECT * FROM cases PIVOT (count(*) FOR channel IN ('visit', 'letter'))",
      "SELECT * FROM cases c JOIN case_facts f USING (case_id) WHERE f.satisfied IS FALSE",
      "SELECT mode, to_organ, satisfied FROM case_events WHERE event_type IN ('routed', 'rated') ORDER BY case_id, event_type",
    ];
    for (const text of ok) {
      const answer = await sql('analyst-chaoyang', text);
      expect(answer.status, `${text}: ${JSON.stringify(answer.body)}`).toBe(200);
    }
  });

  it('gives the rating in its three levels, in the event log and in the facts', async () => {
    const rated = "SELECT e.rating_level, f.rating_level, f.satisfied FROM case_events e JOIN case_facts f USING (case_id) WHERE e.event_type = 'rated'";
    // Chaoyang's three cases, each rated 基本满意, which the satisfaction measure counts as satisfied.
    expect(rowsOf(await sql('analyst-chaoyang', rated))).toEqual([0, 1, 2].map(() => ['basically_satisfied', 'basically_satisfied', true]));
  });

  it('returns JSON-safe values: BIGINT as a number while exact, dates and timestamps as text', async () => {
    const answer = await sql('analyst-chaoyang', "SELECT count(*) AS n, min(received_date) AS first, min(received_at) AS at, 9007199254740993::BIGINT AS big, 1.25::DECIMAL(5,2) AS d, [1, 2]::BIGINT[] AS l FROM cases");
    expect(answer.status).toBe(200);
    expect(rowsOf(answer)).toEqual([[3, '2025-03-01', '2025-03-01 02:00:00+00', '9007199254740993', 1.25, [1, 2]]]);
  });

  it('reads at most the row limit and says when there was more', async () => {
    const cut = await sql('analyst-chaoyang', 'SELECT * FROM range(50) ORDER BY range DESC', 10);
    expect(cut.body).toMatchObject({ truncated: true, rowLimit: 10 });
    expect(rowsOf(cut)).toEqual([49, 48, 47, 46, 45, 44, 43, 42, 41, 40].map((n) => [n]));
    const whole = await sql('analyst-chaoyang', 'SELECT * FROM range(50)', 50);
    expect(whole.body).toMatchObject({ truncated: false, rowLimit: 50 });
    expect(rowsOf(whole)).toHaveLength(50);
    const big = await sql('analyst-chaoyang', 'SELECT * FROM range(100000000)', 10_000);
    expect(big.body).toMatchObject({ truncated: true });
    expect(rowsOf(big)).toHaveLength(10_000);
  });

  it('stops a statement that runs past its time limit', async () => {
    const slow = 'SELECT count(*) FROM range(100000000) a, range(100000) b';
    const answer = await call('analyst-chaoyang', '/sql', { sql: slow }, slowApp);
    expect(answer).toMatchObject({ status: 400, body: { code: 'statement_timeout', problems: [{ at: 'sql' }] } });
    expect(answer.body.error).toMatch(/longer than 200 ms/);
    // The data layer's own limit, without HTTP.
    await expect(runConsole(store, { sql: slow, region: '110105', timeoutMs: 200 })).rejects.toMatchObject({ code: 'statement_timeout' });
    await expect(runConsole(store, { sql: slow, region: '110105', timeoutMs: 200 })).rejects.toBeInstanceOf(SqlConsoleError);
    // The next statement on the app runs as usual.
    expect((await call('analyst-chaoyang', '/sql', { sql: 'SELECT 1' }, slowApp)).status).toBe(200);
  });

  it('audits every statement: who, the SQL, and what came back or why it was refused', async () => {
    await sql('analyst-chaoyang', 'SELECT case_id FROM cases ORDER BY case_id');
    await sql('analyst-chaoyang', 'SELECT * FROM users');
    const [ok] = await queryAudit(store, { action: 'sql.query', outcome: 'ok', user: 'analyst-chaoyang', limit: 1 });
    expect(ok).toMatchObject({ username: 'analyst-chaoyang', role: 'analyst', scope: 'region:110105', route: 'POST /api/v1/sql', objectIds: ['cases'] });
    expect(ok!.detail).toMatchObject({ sql: 'SELECT case_id FROM cases ORDER BY case_id', rows: 3, truncated: false });
    const [denied] = await queryAudit(store, { action: 'sql.query', outcome: 'denied', user: 'analyst-chaoyang', limit: 1 });
    expect(denied!.detail).toMatchObject({ sql: 'SELECT * FROM users', code: 'sql_refused' });
  });

  it('is for analysts only: a leader, a clerk, an inspector and an officer are refused', async () => {
    for (const user of ['leader', 'leader-chaoyang', 'clerk', 'inspector', 'officer-education', 'admin']) {
      expect((await sql(user, 'SELECT 1')).status, user).toBe(403);
      expect((await call(user, '/sql/views')).body.code, user).toBe('forbidden');
    }
    const body = await call('analyst', '/sql', { sql: 'SELECT 1', limit: 10_001 });
    expect(body).toMatchObject({ status: 400, body: { problems: [{ at: 'limit' }] } });
    expect((await call('analyst', '/sql', { sql: 'x'.repeat(10_001) })).status).toBe(400);
  });
});
