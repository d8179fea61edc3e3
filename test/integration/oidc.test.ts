/**
 * OpenID Connect login against a real provider (oidc-provider) that the test starts on a
 * loopback port: the browser's part is played by fetch with a cookie jar per origin, following
 * every redirect and submitting the provider's own sign-in and consent forms.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Provider, { type JWK } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../analytics/audit-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { createApp } from '../../server/app.js';
import { loadOidcSettings } from '../../server/identity/oidc.js';
import { findUser, setDisabled } from '../../server/identity/users.js';
import { startApiApp, temporalDown, testIdentityKeys } from '../support/api-app.js';
import { seedUsers } from '../support/login.js';

const CLIENT_ID = 'xinfang-watch';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
const MAPPING = {
  rules: [
    { when: { claim: 'groups', includes: 'chaoyang-leaders' }, role: 'leader', regionCode: '110105' },
    { when: { claim: 'xinfang_role', equals: 'petition-clerk' }, role: 'clerk', regionClaim: 'xinfang_region' },
  ],
};

/** The provider's accounts: what findAccount answers, changed by the tests between logins. */
const accounts = new Map<string, Record<string, unknown>>();

let dir: string;
let store: AnalyticsStore;
let idp: Server;
let app: Server;
let issuer: string;
let appOrigin: string;

const listening = async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};
const close = (server: Server | undefined) =>
  new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });

const env = (overrides: Record<string, string> = {}) => ({
  XINFANG_OIDC_ISSUER: issuer,
  XINFANG_OIDC_CLIENT_ID: CLIENT_ID,
  XINFANG_OIDC_CLIENT_SECRET: CLIENT_SECRET,
  XINFANG_OIDC_REDIRECT_URI: `${appOrigin}/api/v1/session/oidc/callback`,
  XINFANG_OIDC_MAPPING: join(dir, 'mapping.json'),
  XINFANG_OIDC_SCOPE: 'openid profile xinfang',
  ...overrides,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xinfang-oidc-'));
  writeFileSync(join(dir, 'mapping.json'), JSON.stringify(MAPPING));
  store = await AnalyticsStore.open(join(dir, 'x.duckdb'));
  await seedUsers(store);

  // Both servers listen before either is configured: each needs the other's address.
  const provider = await listening();
  const application = await listening();
  idp = provider.server;
  app = application.server;
  issuer = provider.origin;
  appOrigin = application.origin;

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const oidcProvider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${appOrigin}/api/v1/session/oidc/callback`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // The provider refuses an authorization request without a PKCE challenge from this client.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    scopes: ['openid', 'profile', 'xinfang'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], xinfang: ['groups', 'xinfang_role', 'xinfang_region'] },
    findAccount: (_ctx, sub) => {
      const claims = accounts.get(sub);
      return claims ? { accountId: sub, claims: () => ({ sub, ...claims }) } : undefined;
    },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    jwks: { keys: [{ ...signingKey, kid: 'test', alg: 'RS256', use: 'sig' } as JWK] },
  });
  idp.on('request', oidcProvider.callback());

  const settings = loadOidcSettings(env());
  app.on('request', createApp({ store, temporal: await temporalDown(), taskQueue: 'test', jurisdiction: 'beijing', identityKeys: testIdentityKeys(), oidc: settings }));
}, 60_000);

afterAll(async () => {
  await close(app);
  await close(idp);
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One browser: its cookies, by origin (ports are apart here, though browsers would share them by host). */
class Browser {
  readonly cookies = new Map<string, Map<string, string>>();

  async visit(url: URL, form?: Record<string, string>): Promise<Response> {
    const jar = this.cookies.get(url.origin) ?? new Map<string, string>();
    this.cookies.set(url.origin, jar);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim()];
      if (value && !/expires=Thu, 01 Jan 1970/i.test(line)) jar.set(name, value);
      else jar.delete(name);
    }
    return response;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.cookies.get(origin)?.get(name);
  }
}

/**
 * Starts a login at the app and goes through the provider as a person would (signs in as
 * `account`, consents), stopping at the provider's redirect back to the app.
 */
async function throughProvider(browser: Browser, account: string) {
  const start = await browser.visit(new URL('/api/v1/session/oidc', appOrigin));
  expect(start.status).toBe(302);
  const authorization = new URL(start.headers.get('location')!);
  let url = authorization;
  let form: Record<string, string> | undefined;
  for (let step = 0; step < 12; step++) {
    const response = await browser.visit(url, form);
    form = undefined;
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.origin === appOrigin) return { start, authorization, callback: next };
      url = next;
      continue;
    }
    const html = await response.text();
    expect(response.status, html).toBe(200);
    const action = /<form[^>]*\saction="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`no sign-in or consent form at ${url.href}: ${html.slice(0, 300)}`);
    form = prompt === 'login' ? { prompt, login: account, password: 'any (the dev sign-in takes any)' } : { prompt };
    url = new URL(action, url);
  }
  throw new Error('the provider did not send the browser back to the app');
}

/** A whole login; the app's answer to the callback. */
async function logIn(browser: Browser, account: string) {
  const { callback } = await throughProvider(browser, account);
  return browser.visit(callback);
}

const whoAmI = async (browser: Browser) => {
  const session = browser.cookie(appOrigin, 'xw_session');
  const response = await fetch(new URL('/api/v1/session', appOrigin), { headers: session ? { cookie: `xw_session=${session}` } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const errorOf = async (response: Response) => ({ status: response.status, body: (await response.json()) as { error: string; code: string } });

describe('OpenID Connect login', () => {
  it('logs a user whose claims map to leader@110105 in, creating the user on the first login', async () => {
    accounts.set('zhang', { preferred_username: 'Zhang.Wei', name: '张伟', groups: ['staff', 'chaoyang-leaders'] });
    const browser = new Browser();
    const { start, authorization, callback } = await throughProvider(browser, 'zhang');

    expect(authorization.origin).toBe(issuer);
    expect(Object.fromEntries(authorization.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      redirect_uri: `${appOrigin}/api/v1/session/oidc/callback`,
      response_type: 'code',
      scope: 'openid profile xinfang',
      code_challenge_method: 'S256',
    });
    expect(authorization.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorization.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorization.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const loginCookie = start.headers.getSetCookie().find((c) => c.startsWith('xw_oidc='))!;
    expect(loginCookie).toMatch(/HttpOnly/);
    expect(loginCookie).toMatch(/SameSite=Lax/);
    expect(loginCookie).toMatch(/Path=\/api\/v1\/session\/oidc/);
    expect(callback.searchParams.get('code')).toBeTruthy();

    const answer = await browser.visit(callback);
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/');
    expect(browser.cookie(appOrigin, 'xw_session')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(browser.cookie(appOrigin, 'xw_oidc')).toBeUndefined();

    const me = await whoAmI(browser);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { username: 'zhang.wei', displayName: '张伟' }, role: { id: 'leader' }, regionCode: '110105', organCode: null, via: 'session' });

    const user = (await findUser(store, 'zhang.wei'))!;
    expect(user).toMatchObject({ source: `oidc:${issuer}|zhang`, password_hash: null, jurisdiction: 'beijing' });
    expect(await queryAudit(store, { user: 'zhang.wei', action: 'user.create' })).toEqual([expect.objectContaining({ outcome: 'ok', detail: expect.objectContaining({ via: 'oidc', role: 'leader', region: '110105' }) })]);
    expect(await queryAudit(store, { user: 'zhang.wei', action: 'login' })).toEqual([expect.objectContaining({ outcome: 'ok', role: 'leader', scope: 'region:110105', detail: { via: 'oidc' } })]);
  });

  it('gives the user the role of the changed claims at the next login, and audits the change', async () => {
    const before = (await findUser(store, 'zhang.wei'))!;
    accounts.set('zhang', { preferred_username: 'renamed-at-the-provider', name: '张伟', groups: ['staff'], xinfang_role: 'petition-clerk', xinfang_region: '110105001' });
    const browser = new Browser();
    expect((await logIn(browser, 'zhang')).status).toBe(302);

    const me = await whoAmI(browser);
    // Found by issuer and subject, so the same user: its name stays what the first login made it.
    expect(me.body).toMatchObject({ user: { userId: before.user_id, username: 'zhang.wei' }, role: { id: 'clerk' }, regionCode: '110105001', via: 'session' });
    expect(await findUser(store, 'renamed-at-the-provider')).toBeNull();
    const [change] = await queryAudit(store, { user: 'zhang.wei', action: 'user.role_change' });
    expect(change).toMatchObject({
      outcome: 'ok',
      objectIds: [before.user_id],
      detail: { via: 'oidc', from: { role: 'leader', regionCode: '110105', organCode: null }, to: { role: 'clerk', regionCode: '110105001', organCode: null } },
    });

    // The same claims again change nothing, and audit no change.
    expect((await logIn(new Browser(), 'zhang')).status).toBe(302);
    expect(await queryAudit(store, { user: 'zhang.wei', action: 'user.role_change' })).toHaveLength(1);
    expect(await queryAudit(store, { user: 'zhang.wei', action: 'login' })).toHaveLength(3);
  });

  it('refuses a login whose claims map to no role, saying why, and audits it', async () => {
    accounts.set('visitor', { preferred_username: 'visitor', name: '访客', groups: ['staff'], xinfang_role: 'cleaner' });
    const browser = new Browser();
    const refused = await errorOf(await logIn(browser, 'visitor'));
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('oidc_no_role');
    expect(refused.body.error).toMatch(/no rule of the claim mapping matched.*groups, xinfang_role/);
    expect(browser.cookie(appOrigin, 'xw_session')).toBeUndefined();
    expect(await findUser(store, 'visitor')).toBeNull();
    const [failed] = await queryAudit(store, { action: 'login_failed', limit: 1 });
    expect(failed).toMatchObject({ outcome: 'denied', status: 403, userId: null, detail: { via: 'oidc', why: refused.body.error } });

    // A rule that takes the region from a claim the provider did not send gives no role either.
    accounts.set('visitor', { preferred_username: 'visitor', xinfang_role: 'petition-clerk' });
    const noRegion = await errorOf(await logIn(new Browser(), 'visitor'));
    expect(noRegion).toMatchObject({ status: 403, body: { code: 'oidc_no_role' } });
    expect(noRegion.body.error).toMatch(/claim xinfang_region that names its region is missing/);

    // And a region the claims name must be one of the jurisdiction's.
    accounts.set('visitor', { preferred_username: 'visitor', xinfang_role: 'petition-clerk', xinfang_region: '310101' });
    expect(await errorOf(await logIn(new Browser(), 'visitor'))).toMatchObject({ status: 403, body: { code: 'oidc_claims_invalid', error: expect.stringMatching(/310101 is not a region of beijing/) } });
  });

  it('refuses a tampered state, an answer replayed, and an answer brought by another browser', async () => {
    accounts.set('li', { preferred_username: 'li.na', name: '李娜', groups: ['chaoyang-leaders'] });
    const browser = new Browser();
    const { callback } = await throughProvider(browser, 'li');

    // Another browser (a login CSRF: the attacker's own answer sent to a victim) has no login in progress.
    const stranger = new Browser();
    expect(await errorOf(await stranger.visit(callback))).toMatchObject({ status: 400, body: { code: 'oidc_failed' } });
    expect(stranger.cookie(appOrigin, 'xw_session')).toBeUndefined();

    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const refused = await errorOf(await browser.visit(tampered));
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'oidc_failed', error: expect.stringMatching(/state/) });
    expect(browser.cookie(appOrigin, 'xw_session')).toBeUndefined();
    const [failed] = await queryAudit(store, { action: 'login_failed', limit: 1 });
    expect(failed).toMatchObject({ outcome: 'denied', status: 401, detail: { via: 'oidc', why: refused.body.error } });

    // The attempt is used up: the genuine answer, arriving after, finds nothing to complete.
    expect(await errorOf(await browser.visit(callback))).toMatchObject({ status: 400, body: { code: 'oidc_failed' } });
    expect(await findUser(store, 'li.na')).toBeNull();
  });

  it('refuses a first login whose user name belongs to a local user, and a disabled user', async () => {
    accounts.set('impostor', { preferred_username: 'leader-chaoyang', groups: ['chaoyang-leaders'] });
    const taken = await errorOf(await logIn(new Browser(), 'impostor'));
    expect(taken).toMatchObject({ status: 409, body: { code: 'oidc_username_taken', error: expect.stringMatching(/leader-chaoyang belongs to another user/) } });
    expect((await findUser(store, 'leader-chaoyang'))!.source).toBe('local');

    await setDisabled(store, 'zhang.wei', true);
    const disabled = await errorOf(await logIn(new Browser(), 'zhang'));
    expect(disabled).toMatchObject({ status: 403, body: { code: 'user_disabled' } });
    const [failed] = await queryAudit(store, { action: 'login_failed', limit: 1 });
    expect(failed).toMatchObject({ username: 'zhang.wei', status: 403, detail: { via: 'oidc' } });
    await setDisabled(store, 'zhang.wei', false);
  });
});

describe('OpenID Connect configuration', () => {
  it('offers the provider on the login page only where one is configured', async () => {
    expect(await (await fetch(new URL('/api/v1/session/methods', appOrigin))).json()).toEqual({ password: true, oidc: true });
    const plain = await startApiApp({ store });
    try {
      expect(await (await fetch(new URL('/api/v1/session/methods', plain.base))).json()).toEqual({ password: true, oidc: false });
    } finally {
      await plain.close();
    }
  });

  it('answers 404 oidc_not_configured when no provider is configured', async () => {
    const plain = await startApiApp({ store });
    try {
      for (const path of ['/api/v1/session/oidc', '/api/v1/session/oidc/callback?code=x&state=y']) {
        const response = await fetch(new URL(path, plain.base), { redirect: 'manual' });
        expect(await errorOf(response), path).toMatchObject({ status: 404, body: { code: 'oidc_not_configured' } });
      }
    } finally {
      await plain.close();
    }
  });

  it('checks the variables and the mapping file at start, naming the file and the field', () => {
    expect(loadOidcSettings({})).toBeNull();
    expect(() => loadOidcSettings({ XINFANG_OIDC_ISSUER: issuer })).toThrow(/XINFANG_OIDC_CLIENT_ID, XINFANG_OIDC_CLIENT_SECRET, XINFANG_OIDC_REDIRECT_URI, XINFANG_OIDC_MAPPING not set/);
    expect(() => loadOidcSettings(env({ XINFANG_OIDC_ISSUER: 'http://idp.example.com' }))).toThrow(/XINFANG_OIDC_ISSUER: must be https/);
    expect(() => loadOidcSettings(env({ XINFANG_OIDC_REDIRECT_URI: `${appOrigin}/login` }))).toThrow(/XINFANG_OIDC_REDIRECT_URI: must end with \/api\/v1\/session\/oidc\/callback/);

    const bad = join(dir, 'bad-mapping.json');
    writeFileSync(bad, JSON.stringify({ rules: [{ when: { claim: 'groups', includes: 'x' }, role: 'chief', regionCode: '110105' }, { when: { claim: 'groups', includes: 'y' }, role: 'officer', regionCode: '110105' }] }));
    const message = (() => {
      try {
        loadOidcSettings(env({ XINFANG_OIDC_MAPPING: bad }));
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain(`XINFANG_OIDC_MAPPING (${bad})`);
    expect(message).toMatch(/rules\.0\.role: /);
    expect(message).toMatch(/rules\.1: the officer role is held for an organ: give exactly one of organCode, organClaim/);

    writeFileSync(bad, '{"rules": [');
    expect(() => loadOidcSettings(env({ XINFANG_OIDC_MAPPING: bad }))).toThrow(/XINFANG_OIDC_MAPPING \(.*bad-mapping\.json\): not JSON/);
    expect(() => loadOidcSettings(env({ XINFANG_OIDC_MAPPING: join(dir, 'none.json') }))).toThrow(/none\.json\): cannot be read: ENOENT/);
  });
});
