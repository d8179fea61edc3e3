import { randomBytes } from 'node:crypto';
import { appendAudit } from '../../analytics/audit-log.js';
import { recordBuiltInJurisdiction } from '../../analytics/region-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { isRole, ROLE_IDS, type Role } from '../../domain/roles.js';
import { loadConfig } from '../../server/config.js';
import { createToken, MAX_TOKEN_DAYS } from '../../server/identity/sessions.js';
import { createUser, findUser, listUsers, publicUser, resetPassword, setDisabled, UserError } from '../../server/identity/users.js';
import { callApi, DEFAULT_URL, printOrFail } from '../api-client.js';
import { parseOptions, UsageError, type Command } from '../command.js';

const usage = `usage: xinfang users list
       xinfang users add USERNAME --role ROLE (--region CODE | --organ CODE) --name DISPLAY_NAME [--password PASSWORD]
       xinfang users disable USERNAME | enable USERNAME
       xinfang users reset-password USERNAME [--password PASSWORD]
       xinfang users token USERNAME [--name NAME] [--days N]     (stopped system only)
  ROLE: ${ROLE_IDS.join(', ')}
  options: [--db FILE] [--url ${DEFAULT_URL}]
Manages users. With the system stopped it opens the database itself (--db, default $DUCKDB_PATH);
while it runs it goes through the API as the administrator whose API token is in XINFANG_TOKEN.
Without --password a password is generated and printed once. \`token\` mints an API token for a
user, for scripts and for the CLI itself (it needs the database file, so the system must be
stopped: whoever can open the file can read everything in it anyway).`;

const VERBS = ['list', 'add', 'disable', 'enable', 'reset-password', 'token'] as const;
type Verb = (typeof VERBS)[number];

export const command: Command = {
  summary: 'manage users: list, add, disable, enable, reset-password, token',
  usage,
  async run(args) {
    const [verb, ...rest] = args;
    if (!verb || !(VERBS as readonly string[]).includes(verb)) throw new UsageError(`give one of: ${VERBS.join(', ')} (xinfang users --help)`);
    const { values, positionals } = parseOptions({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        region: { type: 'string' },
        organ: { type: 'string' },
        name: { type: 'string' },
        password: { type: 'string' },
        days: { type: 'string' },
        db: { type: 'string' },
        url: { type: 'string' },
      },
    });
    const [username, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected ${extra.join(' ')}`);
    if (verb !== 'list' && !username) throw new UsageError(`xinfang users ${verb} needs a USERNAME`);
    if (verb === 'add') {
      if (!values.role || !isRole(values.role)) throw new UsageError(`--role: one of ${ROLE_IDS.join(', ')}`);
      if (Boolean(values.region) === Boolean(values.organ)) throw new UsageError('give --region CODE or --organ CODE (one of them)');
      if (!values.name) throw new UsageError('--name DISPLAY_NAME is required');
    }
    if (values.days !== undefined && !/^\d+$/.test(values.days)) throw new UsageError(`--days must be a whole number, not "${values.days}"`);
    const request = { verb: verb as Verb, username: username ?? '', ...values };

    const config = loadConfig();
    const dbPath = values.db ?? config.duckdbPath;
    let store: AnalyticsStore | null = null;
    try {
      store = await AnalyticsStore.open(dbPath);
    } catch (error) {
      if (!/lock/i.test((error as Error).message)) throw error;
    }
    if (!store) {
      if (verb === 'token') throw new UsageError(`${dbPath} is in use (is the system running?): create tokens through the dashboard or POST /api/v1/tokens`);
      return viaApi(values.url ?? DEFAULT_URL, request);
    }
    try {
      await recordBuiltInJurisdiction(store, config.jurisdiction);
      return await offline(store, config.jurisdiction, request);
    } catch (error) {
      if (error instanceof UserError) throw new UsageError(error.message);
      throw error;
    } finally {
      store.close();
    }
  },
};

interface Request {
  verb: Verb;
  username: string;
  role?: string | undefined;
  region?: string | undefined;
  organ?: string | undefined;
  name?: string | undefined;
  password?: string | undefined;
  days?: string | undefined;
}

const generated = () => randomBytes(12).toString('base64url');
const print = (value: unknown) => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
};

/** Changes made on the file bypass the API, so they are audited here, as the operating-system user. */
const audited = async (store: AnalyticsStore, action: string, objectId: string, detail: Record<string, unknown> = {}) => {
  await appendAudit(store, {
    at: new Date(),
    username: `cli:${process.env.USER ?? 'unknown'}`,
    action,
    route: 'xinfang users (database file)',
    objectIds: [objectId],
    outcome: 'ok',
    detail,
  });
};

async function offline(store: AnalyticsStore, jurisdiction: string, r: Request): Promise<number> {
  switch (r.verb) {
    case 'list':
      return print({ users: (await listUsers(store)).map(publicUser) });
    case 'add': {
      const password = r.password ?? generated();
      const user = await createUser(store, {
        username: r.username,
        displayName: r.name!,
        role: r.role as Role,
        jurisdiction,
        ...(r.region ? { regionCode: r.region } : { organCode: r.organ }),
        password,
      });
      await audited(store, 'user.create', user.user_id, { username: user.username, role: user.role, region: user.region_code, organ: user.organ_code });
      return print({ ...publicUser(user), ...(r.password ? {} : { password }) });
    }
    case 'disable':
    case 'enable': {
      const user = await setDisabled(store, r.username, r.verb === 'disable');
      await audited(store, `user.${r.verb}`, user.user_id);
      return print(publicUser(user));
    }
    case 'reset-password': {
      const password = r.password ?? generated();
      const user = await resetPassword(store, r.username, password);
      await audited(store, 'user.reset_password', user.user_id);
      return print({ ...publicUser(user), ...(r.password ? {} : { password }) });
    }
    case 'token': {
      const user = await findUser(store, r.username);
      if (!user) throw new UsageError(`no user ${r.username}`);
      const days = Math.min(Number(r.days ?? 90), MAX_TOKEN_DAYS);
      const token = await createToken(store, user.user_id, r.name ?? 'cli', new Date(Date.now() + days * 86_400_000));
      await audited(store, 'token.create', token.tokenId, { for: user.username, days });
      return print({ username: user.username, ...token, note: 'store the token now: it is not shown again; export XINFANG_TOKEN=...' });
    }
  }
}

async function viaApi(base: string, r: Request): Promise<number> {
  const user = `/api/v1/users/${encodeURIComponent(r.username)}`;
  switch (r.verb) {
    case 'list':
      return printOrFail(await callApi(base, '/api/v1/users'));
    case 'add': {
      const password = r.password ?? generated();
      const body = { username: r.username, displayName: r.name, role: r.role, ...(r.region ? { regionCode: r.region } : { organCode: r.organ }), password };
      const answer = await callApi(base, '/api/v1/users', { method: 'POST', body });
      return printOrFail(r.password || answer.status >= 400 ? answer : { ...answer, body: { ...(answer.body as object), password } });
    }
    case 'disable':
    case 'enable':
      return printOrFail(await callApi(base, `${user}/${r.verb}`, { method: 'POST' }));
    case 'reset-password': {
      const password = r.password ?? generated();
      const answer = await callApi(base, `${user}/password`, { method: 'POST', body: { password } });
      return printOrFail(r.password || answer.status >= 400 ? answer : { ...answer, body: { ...(answer.body as object), password } });
    }
    case 'token':
      throw new UsageError('token needs the stopped system');
  }
}
