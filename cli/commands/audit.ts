import { z } from 'zod';
import { auditFilter, queryAudit, verifyAuditChain, type AuditVerification } from '../../analytics/audit-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { loadConfig } from '../../server/config.js';
import { callApi, DEFAULT_URL, printOrFail } from '../api-client.js';
import { parseOptions, UsageError, type Command } from '../command.js';

const usage = `usage: xinfang audit [--user NAME] [--action ACTION] [--object ID] [--from TIME] [--to TIME]
                     [--outcome ok|denied|failed] [--limit N]
       xinfang audit verify
  options: [--db FILE] [--url ${DEFAULT_URL}]
Prints audit log rows as JSON, newest first (--limit: default 200, at most 5000). --user is a
user id or username; --action an action (login) or a family of them (case: case.read, case.route…).
TIME is a China date (2025-03-01) or an ISO time with its offset; --from is inclusive, --to
exclusive, but a date as --to includes its day. verify recomputes the hash chain: it prints the rows and the last hash and
exits 0 when the chain is intact, and names the first broken row on stderr and exits 1 when not.
With the system stopped it opens the database itself (--db, default $DUCKDB_PATH); while it
runs it asks the API, as the user whose API token is in XINFANG_TOKEN.`;

const verification = z.union([
  z.object({ ok: z.literal(true), rows: z.number(), lastHash: z.string() }),
  z.object({ ok: z.literal(false), rows: z.number(), brokenAt: z.number(), problem: z.string() }),
]);

export const command: Command = {
  summary: 'query the audit log, or verify its hash chain',
  usage,
  async run(args) {
    const verify = args[0] === 'verify';
    const { values, positionals } = parseOptions({
      args: verify ? args.slice(1) : args,
      strict: true,
      allowPositionals: true,
      options: verify
        ? { db: { type: 'string' }, url: { type: 'string' } }
        : {
            user: { type: 'string' },
            action: { type: 'string' },
            object: { type: 'string' },
            from: { type: 'string' },
            to: { type: 'string' },
            outcome: { type: 'string' },
            limit: { type: 'string' },
            db: { type: 'string' },
            url: { type: 'string' },
          },
    });
    if (positionals.length) throw new UsageError(`unexpected ${positionals.join(' ')} (xinfang audit --help)`);
    const { db, url, ...given } = values;
    const filters = Object.fromEntries(Object.entries(given).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const checked = auditFilter.safeParse(filters);
    if (!checked.success) throw new UsageError(checked.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));

    const dbPath = typeof db === 'string' ? db : loadConfig().duckdbPath;
    let store: AnalyticsStore | null = null;
    try {
      store = await AnalyticsStore.open(dbPath);
    } catch (error) {
      if (!/lock/i.test((error as Error).message)) throw error;
    }
    const base = typeof url === 'string' ? url : DEFAULT_URL;
    if (!store) {
      if (!verify) return printOrFail(await callApi(base, `/api/v1/audit?${new URLSearchParams(filters)}`));
      const answer = await callApi(base, '/api/v1/audit/verify');
      const result = verification.safeParse(answer.body);
      return result.success ? report(result.data) : printOrFail(answer);
    }
    try {
      if (verify) return report(await verifyAuditChain(store));
      process.stdout.write(`${JSON.stringify({ entries: await queryAudit(store, filters) }, null, 2)}\n`);
      return 0;
    } finally {
      store.close();
    }
  },
};

function report(result: AuditVerification): number {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (result.ok) return 0;
  process.stderr.write(`xinfang: the audit chain is broken at row ${result.brokenAt}: ${result.problem}\n`);
  return 1;
}
