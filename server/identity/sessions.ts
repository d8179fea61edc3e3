/**
 * Login sessions and API tokens. The browser holds a session's random secret in an HttpOnly
 * cookie; scripts send a token as `Authorization: Bearer`. Only SHA-256 digests of either are
 * stored. A session ends when idle too long, at its absolute limit, on logout, or when its user
 * is disabled or given a new password.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AnalyticsStore } from '../../analytics/store.js';
import { userById, type UserRecord } from './users.js';

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');
const secret = () => randomBytes(32).toString('base64url');
const sameDigest = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

// Writing last_seen_at on every request would make each read a DuckDB write; a minute's
// resolution is plenty for an idle limit counted in minutes.
const TOUCH_EVERY_MS = 60_000;

export async function openSession(store: AnalyticsStore, userId: string, limits: SessionLimits, client: string | null, now = new Date()) {
  const token = secret();
  const csrfToken = secret();
  const expiresAt = new Date(now.getTime() + limits.absoluteMs);
  await store.run(
    `INSERT INTO user_sessions (session_hash, user_id, csrf_token, client, created_at, last_seen_at, expires_at)
     VALUES ($hash, $userId, $csrf, $client, $now, $now, $expires)`,
    { hash: digest(token), userId, csrf: csrfToken, client, now: now.toISOString(), expires: expiresAt.toISOString() },
  );
  return { token, csrfToken, expiresAt };
}

const sessionRow = z.object({
  user_id: z.string(),
  csrf_token: z.string(),
  last_seen_ms: z.number(),
  expires_ms: z.number(),
});

export interface LiveSession {
  user: UserRecord;
  csrfToken: string;
  expiresAt: Date;
  idleExpiresAt: Date;
}

/** The session behind a cookie, or null when it is unknown, ended, expired or its user disabled. */
export async function liveSession(store: AnalyticsStore, token: string, limits: SessionLimits, now = new Date()): Promise<LiveSession | null> {
  const hash = digest(token);
  const [row] = await store.all(
    sessionRow,
    `SELECT user_id, csrf_token, epoch_ms(last_seen_at)::DOUBLE AS last_seen_ms, epoch_ms(expires_at)::DOUBLE AS expires_ms
       FROM user_sessions WHERE session_hash = $hash AND ended_at IS NULL`,
    { hash },
  );
  if (!row) return null;
  const t = now.getTime();
  if (t >= row.expires_ms || t >= row.last_seen_ms + limits.idleMs) return null;
  const user = await userById(store, row.user_id);
  if (!user || user.disabled) return null;
  let lastSeen = row.last_seen_ms;
  if (t - lastSeen > TOUCH_EVERY_MS) {
    await store.run('UPDATE user_sessions SET last_seen_at = $now WHERE session_hash = $hash', { now: now.toISOString(), hash });
    lastSeen = t;
  }
  return {
    user,
    csrfToken: row.csrf_token,
    expiresAt: new Date(row.expires_ms),
    idleExpiresAt: new Date(Math.min(row.expires_ms, lastSeen + limits.idleMs)),
  };
}

export async function endSession(store: AnalyticsStore, token: string): Promise<void> {
  await store.run('UPDATE user_sessions SET ended_at = current_timestamp WHERE session_hash = $hash AND ended_at IS NULL', { hash: digest(token) });
}

// Tokens read `xw_<id>_<secret>`: the id finds the row without scanning, the secret proves it.
const TOKEN = /^xw_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
export const MAX_TOKEN_DAYS = 366;

export async function createToken(store: AnalyticsStore, userId: string, name: string, expiresAt: Date, now = new Date()) {
  const tokenId = randomBytes(8).toString('hex');
  const tokenSecret = secret();
  await store.run(
    `INSERT INTO api_tokens (token_id, user_id, name, secret_hash, created_at, expires_at)
     VALUES ($id, $userId, $name, $hash, $now, $expires)`,
    { id: tokenId, userId, name, hash: digest(tokenSecret), now: now.toISOString(), expires: expiresAt.toISOString() },
  );
  return { tokenId, token: `xw_${tokenId}_${tokenSecret}`, expiresAt: expiresAt.toISOString() };
}

const tokenRow = z.object({ user_id: z.string(), secret_hash: z.string(), expires_ms: z.number(), revoked: z.boolean() });

export async function userOfToken(store: AnalyticsStore, token: string, now = new Date()): Promise<UserRecord | null> {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const [row] = await store.all(
    tokenRow,
    `SELECT user_id, secret_hash, epoch_ms(expires_at)::DOUBLE AS expires_ms, revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE token_id = $id`,
    { id: m[1]! },
  );
  if (!row || row.revoked || now.getTime() >= row.expires_ms || !sameDigest(row.secret_hash, digest(m[2]!))) return null;
  const user = await userById(store, row.user_id);
  return user && !user.disabled ? user : null;
}

const tokenListRow = z.object({ token_id: z.string(), name: z.string(), created_at: z.string(), expires_at: z.string(), revoked_at: z.string().nullable() });

export async function tokensOf(store: AnalyticsStore, userId: string) {
  const iso = (c: string) => `strftime(timezone('UTC', ${c}), '%Y-%m-%dT%H:%M:%SZ')`;
  return store.all(
    tokenListRow,
    `SELECT token_id, name, ${iso('created_at')} AS created_at, ${iso('expires_at')} AS expires_at, ${iso('revoked_at')} AS revoked_at
       FROM api_tokens WHERE user_id = $userId ORDER BY created_at DESC`,
    { userId },
  );
}

/** Revokes one of the user's own tokens; false when it has none by that id. */
export async function revokeToken(store: AnalyticsStore, userId: string, tokenId: string): Promise<boolean> {
  const [row] = await store.all(z.object({ n: z.number() }), 'SELECT count(*)::INTEGER AS n FROM api_tokens WHERE token_id = $id AND user_id = $userId AND revoked_at IS NULL', { id: tokenId, userId });
  if (!row?.n) return false;
  await store.run('UPDATE api_tokens SET revoked_at = current_timestamp WHERE token_id = $id', { id: tokenId });
  return true;
}
