/**
 * Logging in for API tests: the Beijing hierarchy and the demo users in a store, and either a
 * real session login (cookie and CSRF token) or an API token per user (for suites that make
 * thousands of calls and would otherwise spend an Argon2 verification on each login).
 */
import { recordOrgans, recordRegions } from '../../analytics/region-log.js';
import type { AnalyticsStore } from '../../analytics/store.js';
import { BEIJING_ORGANS } from '../../domain/organs.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { BEIJING_DEMO_USERS, ensureDemoUsers } from '../../server/identity/demo-users.js';
import { createToken } from '../../server/identity/sessions.js';
import { findUser } from '../../server/identity/users.js';

export const TEST_PASSWORD = 'test-password-1234';

/** The Beijing hierarchy, organs and demo users, once per store. */
export async function seedUsers(store: AnalyticsStore): Promise<void> {
  await store.transaction(async (conn) => {
    await recordRegions(conn, beijingRegions());
    await recordOrgans(conn, 'beijing', BEIJING_ORGANS);
  });
  await ensureDemoUsers(store, 'beijing', TEST_PASSWORD, BEIJING_DEMO_USERS);
}

/** Bearer headers for a demo user (seedUsers first). */
export async function tokenHeaders(store: AnalyticsStore, username: string): Promise<Record<string, string>> {
  const user = await findUser(store, username);
  if (!user) throw new Error(`no demo user ${username}`);
  const { token } = await createToken(store, user.user_id, 'test', new Date(Date.now() + 86_400_000));
  return { authorization: `Bearer ${token}` };
}

/** A real login: the session cookie and the CSRF token every write made with it must carry. */
export async function loginAs(base: string, username: string, password = TEST_PASSWORD): Promise<{ headers: Record<string, string> }> {
  const response = await fetch(new URL('/api/v1/session', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login as ${username}: ${response.status} ${await response.text()}`);
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  if (!cookie) throw new Error('login set no cookie');
  return { headers: { cookie, 'x-csrf-token': csrfToken } };
}

export const DEMO_USERNAMES = BEIJING_DEMO_USERS.map((u) => u.username);

export interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: string; code?: string };
}

/** Calls under /api/v1 as a demo user, logged in for real: GET without a body, POST with one. */
export async function as(base: string, username: string): Promise<(path: string, body?: unknown) => Promise<Answer>> {
  const { headers } = await loginAs(base, username);
  return async (path, body) => {
    const res = await fetch(
      `${base}/api/v1${path}`,
      body === undefined ? { headers } : { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) },
    );
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
}
