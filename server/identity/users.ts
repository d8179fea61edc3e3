/**
 * Users (DuckDB table `users`): each holds one role (domain/roles.ts) for one region node or one
 * organ of its jurisdiction. Managed by administrators through the API and `xinfang users`.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AnalyticsStore } from '../../analytics/store.js';
import { isRole, ROLE_IDS, ROLES, type Principal, type Role } from '../../domain/roles.js';
import { hashPassword, passwordProblem } from './passwords.js';

export class UserError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly at: string,
    message: string,
  ) {
    super(message);
  }
}

export const usernameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{1,39}$/, 'lower-case letters, digits, . _ -; 2 to 40 characters, starting with a letter or digit');

const userRow = z.object({
  user_id: z.string(),
  username: z.string(),
  display_name: z.string(),
  role: z.string().refine(isRole),
  jurisdiction: z.string(),
  region_code: z.string().nullable(),
  organ_code: z.string().nullable(),
  password_hash: z.string().nullable(),
  source: z.string(),
  disabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type UserRecord = Omit<z.infer<typeof userRow>, 'role'> & { role: Role };

/** What any answer may show of a user: never the hash. */
export function publicUser(u: UserRecord) {
  const { password_hash: _hash, ...rest } = u;
  return { ...rest, hasPassword: u.password_hash !== null };
}

const COLUMNS = `user_id, username, display_name, role, jurisdiction, region_code, organ_code, password_hash, source, disabled,
  strftime(timezone('UTC', created_at), '%Y-%m-%dT%H:%M:%SZ') AS created_at, strftime(timezone('UTC', updated_at), '%Y-%m-%dT%H:%M:%SZ') AS updated_at`;

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  jurisdiction: string;
  regionCode?: string | undefined;
  organCode?: string | undefined;
  /** Omitted for a user who logs in only through the identity provider. */
  password?: string | undefined;
  source?: string;
}

const exists = z.object({ n: z.number() });

/** Checks the role's scope against the hierarchy and organ registry kept in DuckDB. */
export async function checkScope(store: AnalyticsStore, user: Pick<NewUser, 'role' | 'jurisdiction' | 'regionCode' | 'organCode'>): Promise<void> {
  const kind = ROLES[user.role].scope;
  if (kind === 'region') {
    if (!user.regionCode || user.organCode) throw new UserError(400, 'regionCode', `the ${user.role} role is held for a region: give regionCode, not organCode`);
    const [row] = await store.all(exists, 'SELECT count(*)::INTEGER AS n FROM regions WHERE code = $code AND jurisdiction = $j', { code: user.regionCode, j: user.jurisdiction });
    if (!row?.n) throw new UserError(400, 'regionCode', `${user.regionCode} is not a region of ${user.jurisdiction}`);
  } else {
    if (!user.organCode || user.regionCode) throw new UserError(400, 'organCode', `the ${user.role} role is held for an organ: give organCode, not regionCode`);
    const [row] = await store.all(exists, 'SELECT count(*)::INTEGER AS n FROM organs WHERE code = $code AND jurisdiction = $j', { code: user.organCode, j: user.jurisdiction });
    if (!row?.n) throw new UserError(400, 'organCode', `${user.organCode} is not an organ of ${user.jurisdiction}`);
  }
}

export async function createUser(store: AnalyticsStore, user: NewUser): Promise<UserRecord> {
  usernameSchema.parse(user.username);
  if (!ROLE_IDS.includes(user.role)) throw new UserError(400, 'role', `unknown role ${user.role}; roles: ${ROLE_IDS.join(', ')}`);
  await checkScope(store, user);
  if (user.password !== undefined) {
    const problem = passwordProblem(user.password);
    if (problem) throw new UserError(400, 'password', `password: ${problem}`);
  }
  if (await findUser(store, user.username)) throw new UserError(409, 'username', `user ${user.username} exists`);
  const userId = `U-${randomBytes(6).toString('hex')}`;
  await store.run(
    `INSERT INTO users (user_id, username, display_name, role, jurisdiction, region_code, organ_code, password_hash, source)
     VALUES ($userId, $username, $displayName, $role, $jurisdiction, $regionCode, $organCode, $hash, $source)`,
    {
      userId,
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      jurisdiction: user.jurisdiction,
      regionCode: user.regionCode ?? null,
      organCode: user.organCode ?? null,
      hash: user.password === undefined ? null : await hashPassword(user.password),
      source: user.source ?? 'local',
    },
  );
  return (await findUser(store, user.username))!;
}

export async function findUser(store: AnalyticsStore, username: string): Promise<UserRecord | null> {
  const [row] = await store.all(userRow, `SELECT ${COLUMNS} FROM users WHERE username = $username`, { username });
  return (row as UserRecord | undefined) ?? null;
}

export async function userById(store: AnalyticsStore, userId: string): Promise<UserRecord | null> {
  const [row] = await store.all(userRow, `SELECT ${COLUMNS} FROM users WHERE user_id = $userId`, { userId });
  return (row as UserRecord | undefined) ?? null;
}

export async function listUsers(store: AnalyticsStore): Promise<UserRecord[]> {
  return (await store.all(userRow, `SELECT ${COLUMNS} FROM users ORDER BY username`)) as UserRecord[];
}

async function existing(store: AnalyticsStore, username: string): Promise<UserRecord> {
  const user = await findUser(store, username);
  if (!user) throw new UserError(404, 'username', `no user ${username}`);
  return user;
}

/** Disabling ends the user's sessions and tokens at once (they are checked against it on every request). */
export async function setDisabled(store: AnalyticsStore, username: string, disabled: boolean): Promise<UserRecord> {
  await existing(store, username);
  await store.run('UPDATE users SET disabled = $disabled, updated_at = current_timestamp WHERE username = $username', { username, disabled });
  return (await findUser(store, username))!;
}

/** A new password; the user's open sessions end, so a stolen one does not outlive the reset. */
export async function resetPassword(store: AnalyticsStore, username: string, password: string): Promise<UserRecord> {
  const user = await existing(store, username);
  const problem = passwordProblem(password);
  if (problem) throw new UserError(400, 'password', `password: ${problem}`);
  const hash = await hashPassword(password);
  await store.transaction(async (conn) => {
    await conn.run('UPDATE users SET password_hash = $hash, updated_at = current_timestamp WHERE user_id = $id', { hash, id: user.user_id });
    await conn.run('UPDATE user_sessions SET ended_at = current_timestamp WHERE user_id = $id AND ended_at IS NULL', { id: user.user_id });
  });
  return (await findUser(store, username))!;
}

export function principalOf(user: UserRecord, via: Principal['via']): Principal {
  return {
    userId: user.user_id,
    username: user.username,
    displayName: user.display_name,
    role: user.role,
    jurisdiction: user.jurisdiction,
    regionCode: user.region_code,
    organCode: user.organ_code,
    via,
  };
}
