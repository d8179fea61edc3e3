/**
 * The read-only SQL console over HTTP, for trained analysts (permission sql.console): one
 * SELECT over views of the caller's jurisdiction (analytics/sql-console.ts), every statement
 * audited with its text and what it returned, since it reads case-level data.
 *
 * Errors are 400 with `problems: [{ at: 'sql' }]`: `invalid_sql` (DuckDB's parser or binder
 * message), `sql_refused` (valid SQL the console does not offer), `statement_timeout` (ran past
 * the limit). Not 408: that says the client was slow to send and may repeat the request as is,
 * and the same statement would only run out of time again.
 */
import { z } from 'zod';
import {
  consoleViews,
  DEFAULT_ROW_LIMIT,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  MAX_ROW_LIMIT,
  MAX_SQL_LENGTH,
  runConsole,
  SqlConsoleError,
} from '../analytics/sql-console.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { Api } from './api.js';
import type { Auditor } from './audit.js';
import { HttpError } from './http-error.js';
import { confineRegion } from './scope.js';

export interface SqlRouteDeps {
  store: AnalyticsStore;
  audit: Auditor;
  /** XINFANG_SQL_TIMEOUT_MS: the statement time limit (default 10 s). */
  env?: NodeJS.ProcessEnv;
}

const settings = z.object({ XINFANG_SQL_TIMEOUT_MS: z.coerce.number().int().min(10).max(600_000).default(DEFAULT_STATEMENT_TIMEOUT_MS) });

export const sqlBody = z.strictObject({
  sql: z.string().trim().min(1, 'give a SELECT statement').max(MAX_SQL_LENGTH, `at most ${MAX_SQL_LENGTH} characters`),
  limit: z.number().int().min(1).max(MAX_ROW_LIMIT).default(DEFAULT_ROW_LIMIT),
});

export function sqlRoutes(api: Api, deps: SqlRouteDeps): void {
  const { store, audit } = deps;
  const timeoutMs = settings.parse(deps.env ?? process.env).XINFANG_SQL_TIMEOUT_MS;

  api.add(
    { method: 'get', path: '/sql/views', summary: 'The views the SQL console offers, confined to your jurisdiction, with their columns', access: 'sql.console', scope: 'region' },
    async ({ principal }) => {
      const region = await confineRegion(store, principal, undefined);
      return { region, views: await consoleViews(store, region) };
    },
  );

  api.add(
    { method: 'post', path: '/sql', summary: 'Run one read-only SELECT over the console views of your jurisdiction', access: 'sql.console', scope: 'region', body: sqlBody, expensive: true },
    async ({ req, body, principal }) => {
      const region = await confineRegion(store, principal, undefined);
      try {
        const answer = await runConsole(store, { sql: body.sql, region, rowLimit: body.limit, timeoutMs });
        await audit.record(req, principal, {
          action: 'sql.query',
          outcome: 'ok',
          status: 200,
          objectIds: answer.views,
          detail: { sql: body.sql, rows: answer.rows.length, truncated: answer.truncated, elapsedMs: answer.elapsedMs },
        });
        return answer;
      } catch (error) {
        if (!(error instanceof SqlConsoleError)) throw error;
        await audit.record(req, principal, {
          action: 'sql.query',
          outcome: error.code === 'sql_refused' ? 'denied' : 'failed',
          status: 400,
          detail: { sql: body.sql, code: error.code, problem: error.message },
        });
        throw new HttpError(400, error.message, error.code, 'sql');
      }
    },
  );
}
