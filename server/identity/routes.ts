/**
 * Log in and out, who am I, API tokens, and user management: the routes of the identity layer.
 */
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import type { AnalyticsStore } from '../../analytics/store.js';
import { PERMISSIONS, ROLE_IDS, ROLES, type Principal } from '../../domain/roles.js';
import type { Api } from '../api.js';
import type { Auditor } from '../audit.js';
import { HttpError } from '../http-error.js';
import { regionContains, regionNode } from '../scope.js';
import { regionCode, requiredText as text } from '../validation.js';
import { checkPassword } from './passwords.js';
import { clearSessionCookie, cookieOf, SESSION_COOKIE, setSessionCookie } from './authenticate.js';
import { createToken, endSession, MAX_TOKEN_DAYS, openSession, revokeToken, tokensOf, type LiveSession, type SessionLimits } from './sessions.js';
import { throttleKeys, type LoginThrottle } from './throttle.js';
import { checkScope, createUser, findUser, listUsers, principalOf, publicUser, resetPassword, setDisabled, UserError, usernameSchema, type UserRecord } from './users.js';

export interface IdentityDeps {
  store: AnalyticsStore;
  limits: SessionLimits;
  throttle: LoginThrottle;
  audit: Auditor;
  now: () => Date;
}

const loginBody = z.object({ username: z.string().max(100), password: z.string().max(200) }).strict();
const newUserBody = z
  .object({
    username: usernameSchema,
    displayName: text(80),
    role: z.enum(ROLE_IDS),
    regionCode: regionCode.optional(),
    organCode: text(40).optional(),
    password: z.string().max(200).optional(),
  })
  .strict();
const usernameParams = z.object({ username: usernameSchema }).strict();
// Without a password the server makes one, answered once: the administrator need not invent and retype it.
const passwordBody = z.object({ password: z.string().max(200).optional() }).strict();
const tokenBody = z.object({ name: text(80), days: z.number().int().min(1).max(MAX_TOKEN_DAYS).default(90) }).strict();
const tokenParams = z.object({ tokenId: z.string().regex(/^[0-9a-f]{16}$/, 'a token id: 16 hex digits') }).strict();

/** What the dashboard needs to know about who is logged in. */
export async function whoAmI(store: AnalyticsStore, p: Principal, session?: LiveSession) {
  const role = ROLES[p.role];
  const node = p.regionCode ? await regionNode(store, p.regionCode) : null;
  return {
    user: { userId: p.userId, username: p.username, displayName: p.displayName },
    role: { id: p.role, labelZh: role.labelZh, labelEn: role.labelEn, permissions: role.permissions },
    jurisdiction: p.jurisdiction,
    regionCode: p.regionCode,
    /** The level of regionCode in the hierarchy: what the dashboard may compare across. */
    regionLevel: node?.level ?? null,
    organCode: p.organCode,
    via: p.via,
    ...(session ? { csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString(), idleExpiresAt: session.idleExpiresAt.toISOString() } : {}),
  };
}

/** A generated password: 96 random bits, 16 characters of base64url. */
const generatedPassword = () => randomBytes(12).toString('base64url');

const lastLoginRow = z.object({ user_id: z.string(), last_login: z.string() });
/** A user as GET /users lists it. */
export type ListedUser = ReturnType<typeof publicUser> & { lastLoginAt: string | null };

const userAnswer = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UserError) throw new HttpError(error.status, error.message, undefined, error.at);
    throw error;
  }
};

export function identityRoutes(api: Api, deps: IdentityDeps): void {
  const { store, limits, throttle, audit, now } = deps;

  api.add({ method: 'post', path: '/session', summary: 'Log in with a user name and password; sets the session cookie', access: 'public', scope: 'self', body: loginBody }, async ({ req, res, body }) => {
    const keys = throttleKeys(body.username, req.ip ?? '');
    const wait = throttle.waitMs(keys);
    if (wait > 0) {
      res.set('retry-after', String(Math.ceil(wait / 1000)));
      throw new HttpError(429, `too many failed logins; try again in ${Math.ceil(wait / 1000)} s`);
    }
    const user = usernameSchema.safeParse(body.username).success ? await findUser(store, body.username) : null;
    // Every path through here spends one Argon2 verification, so timing does not tell an unknown name.
    const ok = await checkPassword(user?.password_hash ?? null, body.password);
    if (!user || !ok || user.disabled) {
      throttle.fail(keys);
      await audit.record(req, user ? principalOf(user, 'session') : null, {
        action: 'login_failed',
        outcome: 'denied',
        status: 401,
        detail: { username: body.username, why: !user ? 'unknown user' : !ok ? 'wrong password' : 'user disabled' },
      });
      throw new HttpError(401, 'wrong user name or password', 'login_failed');
    }
    throttle.succeed(keys);
    const old = cookieOf(req, SESSION_COOKIE);
    if (old) await endSession(store, old);
    const session = await openSession(store, user.user_id, limits, req.ip ?? null, now());
    setSessionCookie(req, res, session.token, limits.absoluteMs);
    const principal = principalOf(user, 'session');
    await audit.record(req, principal, { action: 'login', outcome: 'ok', status: 200 });
    return whoAmI(store, principal, { user, csrfToken: session.csrfToken, expiresAt: session.expiresAt, idleExpiresAt: new Date(now().getTime() + limits.idleMs) });
  });

  api.add({ method: 'get', path: '/session', summary: 'Who is logged in', access: 'user', scope: 'self' }, ({ res, principal }) =>
    whoAmI(store, principal, res.locals.session as LiveSession | undefined),
  );

  api.add({ method: 'delete', path: '/session', summary: 'Log out', access: 'user', scope: 'self' }, async ({ req, res, principal }) => {
    const cookie = cookieOf(req, SESSION_COOKIE);
    if (cookie) await endSession(store, cookie);
    clearSessionCookie(req, res);
    await audit.record(req, principal, { action: 'logout', outcome: 'ok', status: 200 });
    return { loggedOut: true };
  });

  api.add({ method: 'get', path: '/roles', summary: 'The roles and what each may do', access: 'user', scope: 'none' }, () => ({
    roles: ROLES,
    permissions: PERMISSIONS,
  }));

  api.add({ method: 'get', path: '/tokens', summary: 'Your API tokens (never their secrets)', access: 'user', scope: 'self' }, async ({ principal }) => ({
    tokens: await tokensOf(store, principal.userId),
  }));

  api.add(
    { method: 'post', path: '/tokens', summary: 'Create an API token for yourself; the token is shown once', access: 'user', scope: 'self', body: tokenBody, status: 201 },
    async ({ req, principal, body }) => {
      const created = await createToken(store, principal.userId, body.name, new Date(now().getTime() + body.days * 86_400_000), now());
      await audit.record(req, principal, { action: 'token.create', outcome: 'ok', status: 201, objectIds: [created.tokenId] });
      return { ...created, name: body.name, note: 'store the token now: it is not shown again' };
    },
  );

  api.add({ method: 'delete', path: '/tokens/:tokenId', summary: 'Revoke one of your API tokens', access: 'user', scope: 'self', params: tokenParams }, async ({ req, principal, params }) => {
    if (!(await revokeToken(store, principal.userId, params.tokenId))) throw new HttpError(404, `you have no token ${params.tokenId}`);
    await audit.record(req, principal, { action: 'token.revoke', outcome: 'ok', status: 200, objectIds: [params.tokenId] });
    return { revoked: params.tokenId };
  });

  // An administrator manages the users of its own jurisdiction only.
  const manageable = async (admin: Principal, user: Pick<UserRecord, 'region_code' | 'organ_code'> & { username?: string }) => {
    if (!admin.regionCode) return false;
    if (user.region_code) return regionContains(store, admin.regionCode, user.region_code);
    const [organ] = await store.all(z.object({ region_code: z.string() }), 'SELECT region_code FROM organs WHERE code = $code', { code: user.organ_code ?? '' });
    return organ ? regionContains(store, admin.regionCode, organ.region_code) : false;
  };
  const target = async (admin: Principal, username: string) => {
    const user = await findUser(store, username);
    if (!user || !(await manageable(admin, user))) throw new HttpError(404, `no user ${username}`);
    return user;
  };

  /**
   * A user-management action, its refusal audited too: who tried to create, disable or reset
   * whom, and why the server said no, is as much the administrators' record as what it did.
   */
  const managing = async <T>(req: Request, principal: Principal, action: string, username: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof HttpError && error.status < 500) {
        await audit.record(req, principal, { action, outcome: 'denied', status: error.status, detail: { username, refused: error.message } });
      }
      throw error;
    }
  };

  api.add({ method: 'get', path: '/users', summary: 'The users of your jurisdiction, with when each last logged in', access: 'users.manage', scope: 'region' }, async ({ principal }) => {
    const all = await listUsers(store);
    const mine: UserRecord[] = [];
    for (const u of all) if (await manageable(principal, u)) mine.push(u);
    // A session is opened by a login only (a token's use is not one).
    const logins = await store.all(lastLoginRow, `SELECT user_id, strftime(timezone('UTC', max(created_at)), '%Y-%m-%dT%H:%M:%SZ') AS last_login FROM user_sessions GROUP BY user_id`);
    const lastLogin = new Map(logins.map((l) => [l.user_id, l.last_login]));
    return { users: mine.map((u): ListedUser => ({ ...publicUser(u), lastLoginAt: lastLogin.get(u.user_id) ?? null })) };
  });

  api.add({ method: 'post', path: '/users', summary: 'Create a user', access: 'users.manage', scope: 'region', body: newUserBody, status: 201 }, async ({ req, principal, body }) =>
    managing(req, principal, 'user.create', body.username, async () => {
      await userAnswer(() => checkScope(store, { ...body, jurisdiction: principal.jurisdiction }));
      if (!(await manageable(principal, { region_code: body.regionCode ?? null, organ_code: body.organCode ?? null }))) {
        throw new HttpError(403, `the user's ${body.regionCode ? `region ${body.regionCode}` : `organ ${body.organCode ?? '(none)'}`} lies outside your jurisdiction (region ${principal.regionCode})`, 'outside_jurisdiction', body.regionCode ? 'regionCode' : 'organCode');
      }
      const user = await userAnswer(() => createUser(store, { ...body, jurisdiction: principal.jurisdiction }));
      await audit.record(req, principal, { action: 'user.create', outcome: 'ok', status: 201, objectIds: [user.user_id], detail: { username: user.username, role: user.role, region: user.region_code, organ: user.organ_code } });
      return publicUser(user);
    }),
  );

  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    api.add({ method: 'post', path: `/users/:username/${verb}`, summary: `${verb === 'disable' ? 'Disable' : 'Enable'} a user`, access: 'users.manage', scope: 'region', params: usernameParams }, async ({ req, principal, params }) =>
      managing(req, principal, `user.${verb}`, params.username, async () => {
        const user = await target(principal, params.username);
        if (user.user_id === principal.userId && disabled) throw new HttpError(409, 'you cannot disable yourself');
        const updated = await userAnswer(() => setDisabled(store, user.username, disabled));
        await audit.record(req, principal, { action: `user.${verb}`, outcome: 'ok', status: 200, objectIds: [user.user_id], detail: { username: user.username } });
        return publicUser(updated);
      }),
    );
  }

  api.add(
    {
      method: 'post',
      path: '/users/:username/password',
      summary: "Reset a user's password (ends the user's sessions); without one the server generates it and answers it once",
      access: 'users.manage',
      scope: 'region',
      params: usernameParams,
      body: passwordBody,
    },
    async ({ req, principal, params, body }) =>
      managing(req, principal, 'user.reset_password', params.username, async () => {
        const user = await target(principal, params.username);
        const password = body.password ?? generatedPassword();
        const updated = await userAnswer(() => resetPassword(store, user.username, password));
        await audit.record(req, principal, { action: 'user.reset_password', outcome: 'ok', status: 200, objectIds: [user.user_id], detail: { username: user.username, generated: body.password === undefined } });
        return { ...publicUser(updated), ...(body.password === undefined ? { password, note: 'give the user this password now: it is not shown again' } : {}) };
      }),
  );
}
