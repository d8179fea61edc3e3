/**
 * Login, sessions, CSRF, throttling, API tokens, user management, security headers and a
 * Temporal outage, through HTTP against the real app on a DuckDB file (Temporal not running).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AnalyticsStore } from '../../analytics/store.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { loginAs, seedUsers, TEST_PASSWORD, tokenHeaders } from '../support/login.js';

let dir: string;
let store: AnalyticsStore;
let app: RunningApp;
let clock = new Date('2026-06-01T02:00:00Z');
const IDLE_MS = 10 * 60_000;
const ABSOLUTE_MS = 60 * 60_000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xinfang-identity-'));
  store = await AnalyticsStore.open(join(dir, 'x.duckdb'));
  await seedUsers(store);
  app = await startApiApp({
    store,
    now: () => clock,
    sessions: { idleMs: IDLE_MS, absoluteMs: ABSOLUTE_MS },
    throttle: { freeFailures: 3, clientFreeFailures: 50, baseDelayMs: 300, maxDelayMs: 5_000 },
    trustProxy: true,
    expensiveRate: { burst: 3, perMinute: 6 },
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = async (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
  const response = await fetch(new URL(path, app.base), {
    method: init.method ?? 'GET',
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
};
const login = (username: string, password: string, headers: Record<string, string> = {}) =>
  call('/api/v1/session', { method: 'POST', body: { username, password }, headers });
const count = async (table: string) => (await store.all(z.object({ n: z.number() }), `SELECT count(*)::INTEGER AS n FROM ${table}`))[0]!.n;

describe('login and sessions', () => {
  it('sets an HttpOnly, SameSite=Strict cookie (Secure behind TLS) and says who is logged in', async () => {
    const plain = await login('leader-chaoyang', TEST_PASSWORD);
    expect(plain.status).toBe(200);
    const cookie = plain.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^xw_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    expect(plain.body).toMatchObject({ user: { username: 'leader-chaoyang' }, role: { id: 'leader' }, regionCode: '110105', organCode: null, via: 'session' });
    expect(plain.body.csrfToken).toEqual(expect.any(String));

    const tls = await login('leader-chaoyang', TEST_PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(tls.headers.get('set-cookie')).toMatch(/; Secure/);

    const { headers } = await loginAs(app.base, 'leader-chaoyang');
    const me = await call('/api/v1/session', { headers: { cookie: headers.cookie! } });
    expect(me).toMatchObject({ status: 200, body: { user: { username: 'leader-chaoyang' }, csrfToken: headers['x-csrf-token'] } });
  });

  it('answers an unknown user and a wrong password alike, spending the same work on both', async () => {
    const time = async (username: string) => {
      const started = performance.now();
      const answer = await login(username, 'not-the-password');
      return { ms: performance.now() - started, answer };
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 3; i++) {
      // Distinct names: the throttle would otherwise start to answer 429 instead.
      const u = await time(`nobody-${i}`);
      const w = await time(['analyst', 'inspector', 'clerk'][i]!);
      expect({ status: u.answer.status, body: u.answer.body }).toEqual({ status: w.answer.status, body: w.answer.body });
      expect(u.answer.status).toBe(401);
      expect(u.answer.body).toEqual({ error: 'wrong user name or password', code: 'login_failed' });
      unknown.push(u.ms);
      wrong.push(w.ms);
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
    // Argon2id dominates both paths; a fast path for unknown names would be several times quicker.
    expect(median(unknown) / median(wrong)).toBeGreaterThan(0.4);
    expect(median(unknown) / median(wrong)).toBeLessThan(2.5);
  });

  it('throttles a user name after repeated failures with growing delays, the right password included', async () => {
    for (let i = 0; i < 3; i++) expect((await login('clerk-jianwai', 'wrong-password')).status).toBe(401);
    const blocked = await login('clerk-jianwai', TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 350));
    expect((await login('clerk-jianwai', 'wrong-password')).status).toBe(401);
    // The fifth failure doubles the wait: 300 ms later it still refuses.
    await new Promise((r) => setTimeout(r, 350));
    expect((await login('clerk-jianwai', TEST_PASSWORD)).status).toBe(429);
    await new Promise((r) => setTimeout(r, 400));
    expect((await login('clerk-jianwai', TEST_PASSWORD)).status).toBe(200);
  });

  it('refuses a write made with the cookie but without the CSRF token', async () => {
    const { headers } = await loginAs(app.base, 'analyst');
    const without = await call('/api/v1/tokens', { method: 'POST', body: { name: 'x' }, headers: { cookie: headers.cookie! } });
    expect(without).toMatchObject({ status: 403, body: { code: 'csrf' } });
    const wrong = await call('/api/v1/tokens', { method: 'POST', body: { name: 'x' }, headers: { cookie: headers.cookie!, 'x-csrf-token': 'guess' } });
    expect(wrong.status).toBe(403);
    const right = await call('/api/v1/tokens', { method: 'POST', body: { name: 'x' }, headers });
    expect(right.status).toBe(201);
    // A form post (what another site can make a browser send) is refused before anything runs.
    const form = await fetch(new URL('/api/v1/tokens', app.base), { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: '{"name":"x"}' });
    expect(form.status).toBe(415);
  });

  it('ends a session when idle too long, at its absolute limit, and on logout', async () => {
    const start = clock;
    try {
      const idle = (await loginAs(app.base, 'inspector')).headers;
      clock = new Date(start.getTime() + IDLE_MS - 60_000);
      expect((await call('/api/v1/session', { headers: idle })).status).toBe(200);
      clock = new Date(clock.getTime() + IDLE_MS + 1);
      expect((await call('/api/v1/session', { headers: idle })).status).toBe(401);

      clock = start;
      const busy = (await loginAs(app.base, 'inspector')).headers;
      for (let t = 0; t < ABSOLUTE_MS; t += IDLE_MS / 2) {
        clock = new Date(start.getTime() + t);
        expect((await call('/api/v1/session', { headers: busy })).status).toBe(200);
      }
      clock = new Date(start.getTime() + ABSOLUTE_MS);
      expect((await call('/api/v1/session', { headers: busy })).status).toBe(401);

      clock = start;
      const out = (await loginAs(app.base, 'inspector')).headers;
      expect((await call('/api/v1/session', { method: 'DELETE', headers: out })).status).toBe(200);
      expect((await call('/api/v1/session', { headers: out })).status).toBe(401);
    } finally {
      clock = start;
    }
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, carry the creator’s rights, and stop working when revoked or expired', async () => {
    const { headers } = await loginAs(app.base, 'analyst-chaoyang');
    const created = await call('/api/v1/tokens', { method: 'POST', body: { name: 'script', days: 1 }, headers });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^xw_[0-9a-f]{16}_/);
    const stored = await store.all(z.object({ secret_hash: z.string() }), 'SELECT secret_hash FROM api_tokens WHERE token_id = $id', { id: created.body.tokenId as string });
    // The secret is base64url and may itself hold '_': it is everything after the id's underscore.
    expect(stored[0]!.secret_hash).not.toContain(token.slice('xw_'.length + 17));
    const bearer = { authorization: `Bearer ${token}` };
    expect((await call('/api/v1/session', { headers: bearer })).body).toMatchObject({ user: { username: 'analyst-chaoyang' }, via: 'token' });
    // The analyst's rights, no more: no users, no cases, no other district.
    expect((await call('/api/v1/users', { headers: bearer })).status).toBe(403);
    expect((await call('/api/v1/cases', { headers: bearer })).status).toBe(403);
    const listed = await call('/api/v1/tokens', { headers: bearer });
    expect(JSON.stringify(listed.body)).not.toContain(token.split('_')[2]);

    const start = clock;
    clock = new Date(start.getTime() + 86_400_000 + 1);
    expect((await call('/api/v1/session', { headers: bearer })).status).toBe(401);
    clock = start;
    expect((await call(`/api/v1/tokens/${created.body.tokenId as string}`, { method: 'DELETE', headers })).status).toBe(200);
    expect((await call('/api/v1/session', { headers: bearer })).body).toMatchObject({ code: 'unauthenticated' });
    expect((await call('/api/v1/session', { headers: { authorization: 'Bearer xw_0000000000000000_not-a-token' } })).status).toBe(401);
  });
});

describe('users', () => {
  it('are managed by administrators within their jurisdiction; disabling ends sessions and tokens', async () => {
    const admin = await tokenHeaders(store, 'admin');
    const before = await count('users');
    const bad = await call('/api/v1/users', { method: 'POST', headers: admin, body: { username: 'x', displayName: 'x', role: 'leader', regionCode: '110105', password: 'short' } });
    expect(bad.status).toBe(400);
    expect((await call('/api/v1/users', { method: 'POST', headers: admin, body: { username: 'officer-x', displayName: '某', role: 'officer', regionCode: '110105', password: 'long-enough-pw' } })).status).toBe(400);
    expect((await call('/api/v1/users', { method: 'POST', headers: admin, body: { username: 'leader-y', displayName: '某', role: 'leader', regionCode: '999999', password: 'long-enough-pw' } })).body).toMatchObject({ problems: [{ at: 'regionCode' }] });
    expect(await count('users')).toBe(before);

    const created = await call('/api/v1/users', { method: 'POST', headers: admin, body: { username: 'clerk-haidian', displayName: '海淀区信访办', role: 'clerk', regionCode: '110108', password: 'long-enough-pw' } });
    expect(created).toMatchObject({ status: 201, body: { username: 'clerk-haidian', role: 'clerk', region_code: '110108', hasPassword: true } });
    expect(created.body).not.toHaveProperty('password_hash');
    expect((await call('/api/v1/users', { method: 'POST', headers: admin, body: { username: 'clerk-haidian', displayName: 'x', role: 'clerk', regionCode: '110108', password: 'long-enough-pw' } })).status).toBe(409);

    const session = (await loginAs(app.base, 'clerk-haidian', 'long-enough-pw')).headers;
    const token = await tokenHeaders(store, 'clerk-haidian');
    expect((await call('/api/v1/users/clerk-haidian/disable', { method: 'POST', headers: admin })).status).toBe(200);
    expect((await call('/api/v1/session', { headers: session })).status).toBe(401);
    expect((await call('/api/v1/session', { headers: token })).status).toBe(401);
    expect((await login('clerk-haidian', 'long-enough-pw')).status).toBe(401);
    expect((await call('/api/v1/users/clerk-haidian/enable', { method: 'POST', headers: admin })).status).toBe(200);
    expect((await call('/api/v1/users/clerk-haidian/password', { method: 'POST', headers: admin, body: { password: 'another-long-pw' } })).status).toBe(200);
    expect((await login('clerk-haidian', 'long-enough-pw')).status).toBe(401);
    expect((await login('clerk-haidian', 'another-long-pw')).status).toBe(200);

    // Not an administrator: 403; a user outside the caller's jurisdiction: as if absent.
    expect((await call('/api/v1/users', { headers: await tokenHeaders(store, 'leader') })).status).toBe(403);
  });
});

describe('hardening', () => {
  it('sends security headers with a content security policy without unsafe-inline scripts', async () => {
    const response = await fetch(new URL('/api/v1/health', app.base));
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/unsafe-inline/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('with Temporal down: health says so without file paths, analytics answer, case actions are refused with 503', async () => {
    for (const path of ['/api/health', '/api/v1/health']) {
      const health = await call(path);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'degraded', temporal: { ok: false }, duckdb: { ok: true } });
      expect(JSON.stringify(health.body)).not.toMatch(/\/tmp|\.duckdb|127\.0\.0\.1|ECONNREFUSED/);
    }
    const analyst = await tokenHeaders(store, 'analyst');
    expect((await call('/api/v1/metrics?measure=cases&year=2025', { headers: analyst })).status).toBe(200);
    const clerk = await tokenHeaders(store, 'clerk');
    const cases = await count('cases');
    const register = await call('/api/v1/cases', { method: 'POST', headers: clerk, body: { channel: 'letter', regionCode: '110108' } });
    expect(register).toMatchObject({ status: 503, body: { code: 'unavailable' } });
    expect(register.body.error).toMatch(/Temporal/);
    expect(await count('cases')).toBe(cases);
  });

  it('rate-limits the costly routes per caller, counting only valid requests', async () => {
    const analyst = await tokenHeaders(store, 'analyst-chaoyang');
    // Invalid questions cost nothing to answer and are not counted.
    for (let i = 0; i < 5; i++) expect((await call('/api/v1/metrics?measure=nope&year=2025', { headers: analyst })).status).toBe(400);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call('/api/v1/metrics?measure=cases&year=2025', { headers: analyst }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers[3]!.body).toMatchObject({ code: 'too_many_requests' });
    expect(Number(answers[3]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another caller has its own bucket; a cheap route is not limited.
    expect((await call('/api/v1/metrics?measure=cases&year=2025', { headers: await tokenHeaders(store, 'inspector-chaoyang') })).status).toBe(200);
    expect((await call('/api/v1/metrics/catalog', { headers: analyst })).status).toBe(200);
  });

  it('needs a login for everything but health, login and the API document', async () => {
    expect((await call('/api/v1/cases')).body).toMatchObject({ code: 'unauthenticated' });
    expect((await call('/api/v1/metrics?measure=cases&year=2025')).status).toBe(401);
    expect((await call('/api/v1/openapi.json')).status).toBe(200);
    expect((await call('/api/cases')).status).toBe(404);
  });
});
