/**
 * The API's route table: every route under /api/v1 is declared here with what it takes (zod
 * schemas for params, query and body) and who may call it (a permission of domain/roles.ts).
 * The same declarations validate requests, check access, generate the OpenAPI document and
 * drive the tests' authorisation matrix and hostile-input suite, so none can drift from another.
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { roleAllows, ROLES, type Permission, type Principal } from '../domain/roles.js';
import { HttpError } from './http-error.js';
import { DEFAULT_EXPENSIVE_LIMIT, RateLimiter, type RateLimit } from './rate-limit.js';

/** `public`: no login (health, login itself); `user`: any logged-in user; else a permission. */
export type Access = Permission | 'public' | 'user';
export type Method = 'get' | 'post' | 'delete';

export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** Express path under /api/v1, e.g. `/cases/:id`. */
  path: string;
  summary: string;
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Successful status (200 unless given). */
  status?: number;
  /** The body is not JSON (uploads): its media type, for the document and the parser. */
  rawBody?: string;
  /** Largest body the route reads, after authentication (body-parser's notation: '100kb'). */
  maxBody?: string;
  /** The route costs real work: each caller's valid requests to such routes are rate-limited together. */
  expensive?: boolean;
  /**
   * How the answer is confined to the caller's jurisdiction, for the matrix and the document:
   * `region` (a region parameter or the principal's node), `case` (the object's region or
   * organ), `self` (the caller's own records), `none` (reference data).
   */
  scope: 'region' | 'case' | 'self' | 'none';
}

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  /** Null only on public routes. */
  principal: Principal;
}

export type Handler<P, Q, B> = (ctx: RouteContext<P, Q, B>) => Promise<unknown> | unknown;

export const API_PREFIX = '/api/v1';

export function principalOf(res: Response): Principal | null {
  return (res.locals.principal as Principal | undefined) ?? null;
}

const DEFAULT_MAX_BODY = '100kb';

/** Runs body-parser's middleware as a promise, so the body is read only once access is checked. */
function parse(parser: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => parser(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
}

const hasBody = (req: Request) => req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;

/**
 * A string DuckDB or a log could not keep as sent: a lone surrogate is not Unicode, and NUL
 * ends a C string. Refused at the edge with where it is, so nothing inside retries on it.
 */
export function illFormedAt(value: unknown, at: string): string | null {
  if (typeof value === 'string') return value.isWellFormed() && !value.includes('\0') ? null : at || '(body)';
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = illFormedAt(v, at ? `${at}.${i}` : String(i));
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = illFormedAt(k, at) ?? illFormedAt(v, at ? `${at}.${k}` : k);
      if (found) return found;
    }
  }
  return null;
}

export class Api {
  readonly routes: RouteSpec[] = [];
  readonly router = Router();
  private readonly limiter: RateLimiter;

  constructor(expensive: RateLimit = DEFAULT_EXPENSIVE_LIMIT) {
    this.limiter = new RateLimiter(expensive);
  }

  add<P = undefined, Q = undefined, B = undefined>(spec: RouteSpec<P, Q, B>, handler: Handler<P, Q, B>): void {
    this.routes.push(spec as RouteSpec);
    const limit = spec.maxBody ?? DEFAULT_MAX_BODY;
    const parser = spec.rawBody ? express.raw({ type: () => true, limit }) : express.json({ limit, strict: true });
    this.router[spec.method](spec.path, async (req, res) => {
      const principal = principalOf(res);
      if (spec.access !== 'public') {
        if (!principal) throw new HttpError(401, 'log in first: POST /api/v1/session, or send Authorization: Bearer TOKEN', 'unauthenticated');
        if (spec.access !== 'user' && !roleAllows(principal.role, spec.access)) {
          throw new HttpError(403, `the ${ROLES[principal.role].labelEn} role may not ${spec.access}`, 'forbidden');
        }
      }
      if (hasBody(req)) {
        if (!spec.body && !spec.rawBody) throw new HttpError(400, `${spec.method.toUpperCase()} ${API_PREFIX}${spec.path} takes no body`, undefined, '(body)');
        // A form or text/plain body is what another site can make a browser send unasked.
        if (spec.body && !req.is('application/json')) throw new HttpError(415, 'send the body as application/json', undefined, 'content-type');
        await parse(parser, req, res);
      }
      // A parameter a route does not declare would be ignored unseen: a typo or a probe gets no answer telling it so.
      const undeclared = spec.query ? undefined : Object.keys(req.query as object)[0];
      if (undeclared !== undefined) throw new HttpError(400, `${spec.method.toUpperCase()} ${API_PREFIX}${spec.path} takes no query parameters`, undefined, undeclared);
      const bad = illFormedAt(req.query, '') ?? illFormedAt(req.params, '') ?? (spec.body ? illFormedAt(req.body, '') : null);
      if (bad) throw new HttpError(400, `${bad}: not well-formed text (a lone surrogate or a NUL character)`, undefined, bad);
      const params = (spec.params ? spec.params.parse(req.params) : undefined) as P;
      const query = (spec.query ? spec.query.parse(req.query) : undefined) as Q;
      const body = (spec.body ? spec.body.parse(req.body ?? {}) : undefined) as B;
      // Charged only once the request is valid: a refused one cost nothing to answer.
      if (spec.expensive) {
        const wait = this.limiter.take(principal ? `user:${principal.userId}` : `client:${req.ip ?? ''}`);
        if (wait > 0) {
          res.set('retry-after', String(Math.ceil(wait / 1000)));
          throw new HttpError(429, `too many costly requests; try again in ${Math.ceil(wait / 1000)} s`);
        }
      }
      const result = await handler({ req, res, params, query, body, principal: principal as Principal });
      if (res.headersSent) return;
      res.status(spec.status ?? 200).json(result);
    });
  }
}
