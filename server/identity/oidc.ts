/**
 * OpenID Connect login for deployments that have an identity provider: the authorization code
 * flow with PKCE (S256), state and nonce, through openid-client. The provider says who the
 * user is; the mapping file (XINFANG_OIDC_MAPPING) says what that user may do here, and is
 * applied again on every login, so a change made at the provider takes effect at the next one.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Request } from 'express';
import * as oidc from 'openid-client';
import { z } from 'zod';
import type { AnalyticsStore } from '../../analytics/store.js';
import { ROLE_IDS, ROLES, type Role } from '../../domain/roles.js';
import { API_PREFIX, type Api } from '../api.js';
import type { Auditor } from '../audit.js';
import { HttpError } from '../http-error.js';
import { regionCode } from '../validation.js';
import { cookieOf, SESSION_COOKIE, setSessionCookie } from './authenticate.js';
import { endSession, openSession, type SessionLimits } from './sessions.js';
import { checkScope, createUser, findUser, principalOf, UserError, userById, usernameSchema, type UserRecord } from './users.js';

const claimName = z.string().regex(/^[A-Za-z0-9_.:/-]{1,100}$/, 'a claim name: letters, digits, _ . : / -');

const condition = z
  .object({ claim: claimName, equals: z.string().min(1).optional(), includes: z.string().min(1).optional() })
  .strict()
  .refine((c) => (c.equals === undefined) !== (c.includes === undefined), 'give either equals (a claim with one value) or includes (a list claim such as groups), not both');

const SCOPE_FIELDS = { region: ['regionCode', 'regionClaim'], organ: ['organCode', 'organClaim'] } as const;

const rule = z
  .object({
    when: condition,
    role: z.enum(ROLE_IDS),
    regionCode: regionCode.optional(),
    regionClaim: claimName.optional(),
    organCode: z.string().min(1).max(40).optional(),
    organClaim: claimName.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const kind = ROLES[r.role].scope;
    const given = (['regionCode', 'regionClaim', 'organCode', 'organClaim'] as const).filter((k) => r[k] !== undefined);
    const fits: readonly string[] = SCOPE_FIELDS[kind];
    if (given.length !== 1 || !fits.includes(given[0]!)) {
      ctx.addIssue({ code: 'custom', message: `the ${r.role} role is held for ${kind === 'region' ? 'a region' : 'an organ'}: give exactly one of ${fits.join(', ')}` });
    }
  });

const claimMapping = z
  .object({
    usernameClaim: claimName.default('preferred_username'),
    displayNameClaim: claimName.default('name'),
    rules: z.array(rule).min(1, 'give at least one rule: a login that no rule matches is refused'),
  })
  .strict();

export type ClaimMapping = z.infer<typeof claimMapping>;
type Rule = ClaimMapping['rules'][number];

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** Registered at the provider; its origin is the one the browser uses. */
  redirectUri: URL;
  scope: string;
  mapping: ClaimMapping;
  mappingFile: string;
}

const CALLBACK_PATH = `${API_PREFIX}/session/oidc/callback`;

const isLoopback = (url: URL) => url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
const httpsOrLoopback = (text: string) => {
  const url = new URL(text);
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
};
const HTTPS = 'must be https (plain http only on a loopback address, for tests)';

const environment = z.object({
  XINFANG_OIDC_ISSUER: z.url().refine(httpsOrLoopback, HTTPS).optional(),
  XINFANG_OIDC_CLIENT_ID: z.string().min(1).optional(),
  XINFANG_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  XINFANG_OIDC_REDIRECT_URI: z
    .url()
    .refine(httpsOrLoopback, HTTPS)
    .refine((u) => new URL(u).pathname.endsWith(CALLBACK_PATH) && !new URL(u).search, `must end with ${CALLBACK_PATH}, the route that takes the answer`)
    .optional(),
  XINFANG_OIDC_MAPPING: z.string().min(1).optional(),
  XINFANG_OIDC_SCOPE: z
    .string()
    .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'scope values separated by single spaces')
    .refine((s) => s.split(' ').includes('openid'), 'must include openid')
    .default('openid profile'),
});

const REQUIRED = ['XINFANG_OIDC_ISSUER', 'XINFANG_OIDC_CLIENT_ID', 'XINFANG_OIDC_CLIENT_SECRET', 'XINFANG_OIDC_REDIRECT_URI', 'XINFANG_OIDC_MAPPING'] as const;

/** The OIDC settings, or null when none of the variables is set; throws naming what is wrong. */
export function loadOidcSettings(env: NodeJS.ProcessEnv): OidcSettings | null {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid OpenID Connect configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const missing = REQUIRED.filter((name) => e[name] === undefined);
  if (missing.length === REQUIRED.length) return null;
  if (missing.length > 0) throw new Error(`invalid OpenID Connect configuration: ${missing.join(', ')} not set (OIDC login needs all of ${REQUIRED.join(', ')})`);
  return {
    issuer: new URL(e.XINFANG_OIDC_ISSUER!),
    clientId: e.XINFANG_OIDC_CLIENT_ID!,
    clientSecret: e.XINFANG_OIDC_CLIENT_SECRET!,
    redirectUri: new URL(e.XINFANG_OIDC_REDIRECT_URI!),
    scope: e.XINFANG_OIDC_SCOPE,
    mapping: readClaimMapping(e.XINFANG_OIDC_MAPPING!),
    mappingFile: e.XINFANG_OIDC_MAPPING!,
  };
}

function readClaimMapping(file: string): ClaimMapping {
  const where = `XINFANG_OIDC_MAPPING (${file})`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${where}: cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON: ${(error as Error).message}`);
  }
  const parsed = claimMapping.safeParse(json);
  if (!parsed.success) throw new Error(`${where}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

type Grant = { role: Role; regionCode: string | null; organCode: string | null };

const describeRule = (r: Rule, i: number) => `rule ${i} (${r.when.claim} ${r.when.equals !== undefined ? `equals ${r.when.equals}` : `includes ${r.when.includes}`})`;

/** The first rule whose condition holds gives the role and its scope; a refusal says why none did. */
function grantOf(mapping: ClaimMapping, claims: Record<string, unknown>): { grant: Grant } | { refused: string } {
  for (const [i, r] of mapping.rules.entries()) {
    const value = claims[r.when.claim];
    const holds = r.when.equals !== undefined ? value === r.when.equals : Array.isArray(value) && value.includes(r.when.includes);
    if (!holds) continue;
    const scopeClaim = r.regionClaim ?? r.organClaim;
    const scopeValue = scopeClaim === undefined ? null : claims[scopeClaim];
    const fromClaim = typeof scopeValue === 'string' && scopeValue ? scopeValue : null;
    if (scopeClaim !== undefined && fromClaim === null) {
      return { refused: `${describeRule(r, i)} gives the ${r.role} role, but the claim ${scopeClaim} that names its ${r.regionClaim ? 'region' : 'organ'} is missing or not text` };
    }
    return { grant: { role: r.role, regionCode: r.regionCode ?? (r.regionClaim ? fromClaim : null), organCode: r.organCode ?? (r.organClaim ? fromClaim : null) } };
  }
  const looked = [...new Set(mapping.rules.map((r) => r.when.claim))].join(', ');
  return { refused: `no rule of the claim mapping matched this user's claims (it looks at ${looked}): no role here` };
}

// Why an in-memory map and not a signed cookie: one process serves the API (it alone writes the
// DuckDB file), so there is no second instance to share it with and no signing key to manage.
// The browser holds only a random id (HttpOnly), which binds the answer to the browser that
// asked: a callback URL sent to someone else finds nothing. A restart loses only logins in flight.
interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  expiresAt: number;
}

const LOGIN_COOKIE = 'xw_oidc';
const PENDING_MS = 10 * 60_000;
// Starting a login needs no credentials, so the map is bounded; the oldest attempts go first.
const MAX_PENDING = 10_000;

class PendingLogins {
  readonly #byId = new Map<string, PendingLogin>();

  add(login: PendingLogin, now: number): string {
    for (const [id, p] of this.#byId) {
      if (p.expiresAt > now && this.#byId.size < MAX_PENDING) break;
      this.#byId.delete(id);
    }
    const id = randomBytes(32).toString('base64url');
    this.#byId.set(id, login);
    return id;
  }

  /** Once only: an answer replayed finds nothing. */
  take(id: string, now: number): PendingLogin | null {
    const login = this.#byId.get(id);
    this.#byId.delete(id);
    return login && login.expiresAt > now ? login : null;
  }
}

export interface OidcDeps {
  settings: OidcSettings | null;
  store: AnalyticsStore;
  limits: SessionLimits;
  audit: Auditor;
  /** The jurisdiction users logging in here belong to. */
  jurisdiction: string;
  now: () => Date;
}

const callbackQuery = z.looseObject({
  code: z.string().max(4096).optional(),
  state: z.string().max(1024).optional(),
  iss: z.string().max(1024).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(4096).optional(),
});

const sourceRow = z.object({ user_id: z.string() });

export function oidcRoutes(api: Api, deps: OidcDeps): void {
  const { settings, store, limits, audit, jurisdiction, now } = deps;
  const pending = new PendingLogins();
  const configured = () => {
    if (!settings) throw new HttpError(404, 'OpenID Connect login is not configured here (XINFANG_OIDC_ISSUER and the rest are unset); log in with POST /api/v1/session', 'oidc_not_configured');
    return settings;
  };

  // Discovered on first use, not at start, so the server starts while the provider is down;
  // a failed discovery is tried again by the next login.
  let discovered: Promise<oidc.Configuration> | null = null;
  const provider = async (s: OidcSettings) => {
    discovered ??= oidc
      .discovery(s.issuer, s.clientId, undefined, oidc.ClientSecretBasic(s.clientSecret), {
        // openid-client refuses plain http; the settings allow it only for a loopback issuer (tests).
        ...(s.issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      })
      .catch((error: unknown) => {
        discovered = null;
        throw error;
      });
    try {
      return await discovered;
    } catch (error) {
      console.error(`[xinfang] OIDC discovery at ${s.issuer.href}: ${error instanceof Error ? error.message : String(error)}`);
      throw new HttpError(503, `the identity provider ${s.issuer.href} does not answer; try again later`, 'unavailable');
    }
  };

  // SameSite=Lax, not Strict: the answer comes back as a navigation from the provider's site,
  // which a Strict cookie would not accompany.
  const loginCookie = (req: Request) => ({ httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: `${API_PREFIX}/session/oidc` });

  const refuse = async (req: Request, user: UserRecord | null, status: number, code: string, why: string): Promise<never> => {
    await audit.record(req, user ? principalOf(user, 'session') : null, { action: 'login_failed', outcome: 'denied', status, detail: { via: 'oidc', why } });
    throw new HttpError(status, why, code);
  };

  api.add({ method: 'get', path: '/session/methods', summary: 'How one may log in here: a password, and the identity provider when configured', access: 'public', scope: 'none' }, () => ({
    password: true,
    oidc: settings !== null,
  }));

  api.add(
    { method: 'get', path: '/session/oidc', summary: 'Log in through the identity provider (OpenID Connect): redirects there', access: 'public', scope: 'self' },
    async ({ req, res }) => {
      const s = configured();
      const configuration = await provider(s);
      const login: PendingLogin = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), expiresAt: now().getTime() + PENDING_MS };
      const id = pending.add(login, now().getTime());
      res.cookie(LOGIN_COOKIE, id, { ...loginCookie(req), maxAge: PENDING_MS });
      const target = oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: s.redirectUri.href,
        scope: s.scope,
        code_challenge: await oidc.calculatePKCECodeChallenge(login.codeVerifier),
        code_challenge_method: 'S256',
        state: login.state,
        nonce: login.nonce,
      });
      res.redirect(302, target.href);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/session/oidc/callback',
      summary: "The identity provider's answer: checks it, maps the claims to a role, sets the session cookie and redirects to the dashboard",
      access: 'public',
      scope: 'self',
      query: callbackQuery,
    },
    async ({ req, res }) => {
      const s = configured();
      const id = cookieOf(req, LOGIN_COOKIE);
      res.clearCookie(LOGIN_COOKIE, loginCookie(req));
      const login = id ? pending.take(id, now().getTime()) : null;
      if (!login) {
        return refuse(req, null, 400, 'oidc_failed', `no OpenID Connect login is in progress in this browser, or it took longer than ${PENDING_MS / 60_000} minutes: start again at GET ${API_PREFIX}/session/oidc`);
      }
      const configuration = await provider(s);
      // The registered URI, not the request's own URL: behind a proxy the two differ in scheme or host.
      const answer = new URL(s.redirectUri);
      answer.search = new URL(req.originalUrl, s.redirectUri).search;
      let claims: Record<string, unknown>;
      try {
        const tokens = await oidc.authorizationCodeGrant(configuration, answer, {
          pkceCodeVerifier: login.codeVerifier,
          expectedState: login.state,
          expectedNonce: login.nonce,
          idTokenExpected: true,
        });
        const idToken = tokens.claims()!;
        // Providers differ in what they put in the ID token and what only in userinfo.
        const info = configuration.serverMetadata().userinfo_endpoint ? await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub) : {};
        claims = { ...info, ...idToken };
      } catch (error) {
        const why =
          error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError
            ? `the identity provider refused: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`
            : error instanceof oidc.ClientError
              ? `the identity provider's answer did not check out: ${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`
              : 'the identity provider could not be asked to confirm the login';
        if (!(error instanceof oidc.ClientError || error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError)) {
          console.error(`[xinfang] OIDC code exchange: ${error instanceof Error ? error.message : String(error)}`);
        }
        return refuse(req, null, 401, 'oidc_failed', why);
      }

      const user = await signIn(req, s, claims);
      const old = cookieOf(req, SESSION_COOKIE);
      if (old) await endSession(store, old);
      const session = await openSession(store, user.user_id, limits, req.ip ?? null, now());
      setSessionCookie(req, res, session.token, limits.absoluteMs);
      await audit.record(req, principalOf(user, 'session'), { action: 'login', outcome: 'ok', status: 302, detail: { via: 'oidc' } });
      res.redirect(302, '/');
    },
  );

  /** The user the claims name, created on the first login and given the mapped role on every one. */
  async function signIn(req: Request, s: OidcSettings, claims: Record<string, unknown>): Promise<UserRecord> {
    const source = `oidc:${String(claims.iss)}|${String(claims.sub)}`;
    const [row] = await store.all(sourceRow, 'SELECT user_id FROM users WHERE source = $source LIMIT 1', { source });
    const existing = row ? await userById(store, row.user_id) : null;
    if (existing?.disabled) return refuse(req, existing, 403, 'user_disabled', `user ${existing.username} is disabled here`);

    const mapped = grantOf(s.mapping, claims);
    if ('refused' in mapped) return refuse(req, existing, 403, 'oidc_no_role', mapped.refused);
    const grant = mapped.grant;
    try {
      await checkScope(store, { role: grant.role, jurisdiction, regionCode: grant.regionCode ?? undefined, organCode: grant.organCode ?? undefined });
    } catch (error) {
      if (error instanceof UserError) return refuse(req, existing, 403, 'oidc_claims_invalid', `the claims give the ${grant.role} role, but ${error.message}`);
      throw error;
    }
    const displayName = displayNameOf(claims[s.mapping.displayNameClaim]);

    if (existing) {
      const before = { role: existing.role, regionCode: existing.region_code, organCode: existing.organ_code };
      const roleChanged = before.role !== grant.role || before.regionCode !== grant.regionCode || before.organCode !== grant.organCode || existing.jurisdiction !== jurisdiction;
      if (!roleChanged && (displayName === null || displayName === existing.display_name)) return existing;
      await store.run(
        `UPDATE users SET display_name = $displayName, role = $role, jurisdiction = $jurisdiction, region_code = $regionCode, organ_code = $organCode, updated_at = current_timestamp
          WHERE user_id = $userId`,
        { displayName: displayName ?? existing.display_name, role: grant.role, jurisdiction, regionCode: grant.regionCode, organCode: grant.organCode, userId: existing.user_id },
      );
      const updated = (await userById(store, existing.user_id))!;
      if (roleChanged) {
        await audit.record(req, principalOf(updated, 'session'), { action: 'user.role_change', outcome: 'ok', status: 302, objectIds: [updated.user_id], detail: { via: 'oidc', from: before, to: grant } });
      }
      return updated;
    }

    // The user name is taken once, at the first login, and kept: the audit log names users by it.
    const claimed = claims[s.mapping.usernameClaim];
    const username = typeof claimed === 'string' ? claimed.toLowerCase() : '';
    if (!usernameSchema.safeParse(username).success) {
      return refuse(req, null, 403, 'oidc_claims_invalid', `the claim ${s.mapping.usernameClaim} (the user name) is ${typeof claimed === 'string' ? `"${claimed}", not a user name here` : 'missing'}: user names are lower-case letters, digits, . _ -, 2 to 40 characters`);
    }
    if (await findUser(store, username)) {
      return refuse(req, null, 409, 'oidc_username_taken', `the user name ${username} belongs to another user here; an administrator must rename or remove that user before ${username} can log in through the identity provider`);
    }
    const user = await createUser(store, {
      username,
      displayName: displayName ?? username,
      role: grant.role,
      jurisdiction,
      regionCode: grant.regionCode ?? undefined,
      organCode: grant.organCode ?? undefined,
      source,
    });
    await audit.record(req, principalOf(user, 'session'), {
      action: 'user.create',
      outcome: 'ok',
      status: 302,
      objectIds: [user.user_id],
      detail: { via: 'oidc', username: user.username, role: user.role, region: user.region_code, organ: user.organ_code },
    });
    return user;
  }
}

const displayNameOf = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim().slice(0, 80) : null);
