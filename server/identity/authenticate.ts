/**
 * Who is calling: a bearer token (scripts, the CLI) or the session cookie (the dashboard).
 * Writes made with the cookie must echo the session's CSRF token in `X-CSRF-Token`; a page
 * of another site can make the browser send the cookie, but cannot read the token.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { AnalyticsStore } from '../../analytics/store.js';
import { HttpError } from '../http-error.js';
import { liveSession, userOfToken, type SessionLimits } from './sessions.js';
import { principalOf } from './users.js';

export const SESSION_COOKIE = 'xw_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function cookieOf(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

export function setSessionCookie(req: Request, res: Response, token: string, maxAgeMs: number): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: maxAgeMs });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
}

/** Sets `res.locals.principal` (and `res.locals.csrfToken` for a session); never refuses a request without credentials. */
export function authenticate(store: AnalyticsStore, limits: SessionLimits, now: () => Date): RequestHandler {
  return async (req, res, next) => {
    const authorization = req.get('authorization');
    if (authorization !== undefined) {
      const token = /^Bearer (\S+)$/.exec(authorization)?.[1];
      const user = token ? await userOfToken(store, token, now()) : null;
      if (!user) throw new HttpError(401, 'the bearer token is unknown, expired or revoked', 'unauthenticated', 'authorization');
      res.locals.principal = principalOf(user, 'token');
      next();
      return;
    }
    const cookie = cookieOf(req, SESSION_COOKIE);
    if (cookie) {
      const session = await liveSession(store, cookie, limits, now());
      if (session) {
        // Logging in again needs no token: it replaces the session rather than acting in it.
        const login = req.method === 'POST' && req.path === '/session';
        if (!SAFE_METHODS.has(req.method) && !login && req.get('x-csrf-token') !== session.csrfToken) {
          throw new HttpError(403, 'a write made with the session cookie must send the session’s X-CSRF-Token header', 'csrf', 'x-csrf-token');
        }
        res.locals.principal = principalOf(session.user, 'session');
        res.locals.session = session;
      }
    }
    next();
  };
}
