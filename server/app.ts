import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { countCases } from '../analytics/case-log.js';
import { calendarStatus } from '../analytics/provisional-deadlines.js';
import type { IdentityKeyRing } from '../analytics/identity-vault.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { CHANNELS } from '../domain/case.js';
import { hasBoundaries } from '../domain/geo/boundaries.js';
import { jurisdictionData } from '../domain/jurisdiction-data.js';
import { caseRules } from '../rules/case-rules.js';
import { chinaDateOf } from '../rules/plain-date.js';
import { accountabilityRoutes } from './accountability-routes.js';
import { adminRoutes } from './admin-routes.js';
import { Api, API_PREFIX } from './api.js';
import { auditor } from './audit.js';
import { auditRoutes } from './audit-routes.js';
import { caseRoutes } from './case-routes.js';
import { dutyRoutes } from './duty-routes.js';
import { earlyWarningRoutes } from './early-warning-routes.js';
import { errorHandler } from './errors.js';
import { exploreRoutes } from './explore-routes.js';
import { geoRoutes } from './geo-routes.js';
import { HttpError } from './http-error.js';
import { authenticate } from './identity/authenticate.js';
import { oidcRoutes, type OidcSettings } from './identity/oidc.js';
import { identityRoutes } from './identity/routes.js';
import type { SessionLimits } from './identity/sessions.js';
import { LoginThrottle, type ThrottleOptions } from './identity/throttle.js';
import { importRoutes } from './import-routes.js';
import { metricsRoutes } from './metrics-routes.js';
import { disputeRoutes } from './dispute-routes.js';
import { openApiDocument } from './openapi.js';
import type { RateLimit } from './rate-limit.js';
import { recommendationRoutes } from './recommendation-routes.js';
import { reportBatchRoutes } from './report-batch-routes.js';
import { reportRoutes } from './report-routes.js';
import { sqlRoutes } from './sql-routes.js';
import { OPEN_PREFIX, openSite } from './public/site.js';

export interface AppDependencies {
  store: AnalyticsStore;
  temporal: Client;
  taskQueue: string;
  /** Whose policy packs govern the cases this server registers. */
  jurisdiction: string;
  /** Built web app to serve; omitted in API-only tests. */
  webDir?: string;
  now?: () => Date;
  sessions?: SessionLimits;
  throttle?: ThrottleOptions;
  /** Express's `trust proxy`: set behind a TLS-terminating proxy so cookies are marked Secure. */
  trustProxy?: boolean | string;
  env?: NodeJS.ProcessEnv;
  /** How often one caller may use the costly routes (server/rate-limit.ts). */
  expensiveRate?: RateLimit;
  /** Encrypts petitioners' identities (analytics/identity-vault.ts). */
  identityKeys: IdentityKeyRing;
  /** Login through an identity provider; without it the OIDC routes answer 404. */
  oidc?: OidcSettings | null;
}

const TEMPORAL_DEADLINE_MS = 10_000;
const HEALTH_DEADLINE_MS = 2_000;

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

/** The API with its route table, apart from the HTTP server, for the OpenAPI document and the tests. */
export function buildApi(deps: AppDependencies): Api {
  const { store, temporal, taskQueue, jurisdiction } = deps;
  const now = deps.now ?? (() => new Date());
  const audit = auditor(store, now);
  const api = new Api(deps.expensiveRate);

  api.add({ method: 'get', path: '/health', summary: "Whether Temporal and DuckDB answer; the holiday calendar's published and provisional years, and how many cases, recommendations and accountability cases hold a provisional date (no login needed)", access: 'public', scope: 'none' }, async ({ res }) => {
    const health = await systemHealth(store, temporal, taskQueue);
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  identityRoutes(api, { store, limits: deps.sessions ?? DEFAULT_SESSION_LIMITS, throttle: new LoginThrottle(deps.throttle), audit, now });
  oidcRoutes(api, { settings: deps.oidc ?? null, store, limits: deps.sessions ?? DEFAULT_SESSION_LIMITS, audit, jurisdiction, now });

  api.add(
    { method: 'get', path: '/reference', summary: 'Channels, regions, the places of your jurisdiction, the organ registry and the clocks in force', access: 'user', scope: 'self' },
    async ({ principal }) => ({
      ...referenceData(jurisdiction, now()),
      places: await placesOf(store, principal.regionCode),
      organs: await store.all(organRow, 'SELECT code, name_zh AS nameZh, level, region_code AS regionCode FROM organs WHERE jurisdiction = $jurisdiction ORDER BY region_code, code', { jurisdiction }),
      leaders: await store.all(
        leaderRow,
        `SELECT username, display_name AS displayName, region_code AS regionCode FROM users
          WHERE role = 'leader' AND NOT disabled AND region_code IS NOT NULL AND jurisdiction = $jurisdiction ORDER BY region_code, username`,
        { jurisdiction },
      ),
    }),
  );

  caseRoutes(api, { store, temporal, taskQueue, jurisdiction, audit, identityKeys: deps.identityKeys, now });
  dutyRoutes(api, { store, temporal, jurisdiction, organs: jurisdictionData(jurisdiction).organs.organs, audit });
  accountabilityRoutes(api, { store, temporal, taskQueue, jurisdiction, audit, now });
  importRoutes(api, { store, audit, ...(deps.env ? { env: deps.env } : {}) });
  adminRoutes(api, { store, audit, now });
  metricsRoutes(api, { store, now });
  reportRoutes(api, { store, jurisdiction, audit, now });
  reportBatchRoutes(api, { store, temporal, taskQueue, jurisdiction, audit, now });
  exploreRoutes(api, { store, audit, now });
  sqlRoutes(api, { store, audit, ...(deps.env ? { env: deps.env } : {}) });
  geoRoutes(api, { store });
  earlyWarningRoutes(api, { store, temporal, taskQueue, audit, now });
  recommendationRoutes(api, { store, temporal, taskQueue, jurisdiction, audit, now });
  disputeRoutes(api, { store, jurisdiction, audit, now });
  auditRoutes(api, { store });

  api.add({ method: 'get', path: '/openapi.json', summary: 'This document', access: 'public', scope: 'none' }, () => openApiDocument(api.routes));
  return api;
}

export function createApp(deps: AppDependencies): express.Express {
  const now = deps.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  // The dashboard's scripts and styles are files of its own origin; ECharts draws on canvas.
  app.use(
    helmet({
      contentSecurityPolicy: {
        // No upgrade-insecure-requests: on a plain-http deployment it would send every script to https and break the page.
        directives: { 'upgrade-insecure-requests': null, 'default-src': ["'self'"], 'script-src': ["'self'"], 'style-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'"], 'object-src': ["'none'"], 'frame-ancestors': ["'none'"] },
      },
    }),
  );
  const api = buildApi(deps);
  // Monitoring probes keep the old unversioned address.
  app.get('/api/health', async (_req, res) => {
    const health = await systemHealth(deps.store, deps.temporal, deps.taskQueue);
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  // Every Temporal call a request makes gets a deadline: in an outage the client would otherwise
  // retry for as long as the caller waits, and the request would hang instead of answering 503.
  app.use(API_PREFIX, (_req, res, next) => {
    void deps.temporal.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () => new Promise<void>((resolve) => {
      res.once('close', resolve);
      next();
    }));
  });
  app.use(API_PREFIX, authenticate(deps.store, deps.sessions ?? DEFAULT_SESSION_LIMITS, now), api.router);
  app.use('/api', (req) => {
    throw new HttpError(404, `no API route ${req.method} ${req.path}; the API is under ${API_PREFIX} (see ${API_PREFIX}/openapi.json)`);
  });

  // 阳光信访: the petitioners' own site, sharing no session, cookie or route with the dashboard.
  app.use(OPEN_PREFIX, openSite(deps));

  if (deps.webDir && existsSync(deps.webDir)) {
    app.use(express.static(deps.webDir, { index: 'index.html' }));
    // The dashboard's pages are paths of its own (/overview, /explorer?…): a bookmarked or reloaded
    // page gets the application, which reads the path. A file that does not exist stays a 404.
    const index = join(deps.webDir, 'index.html');
    app.get(/^\/[a-z-]+\/?$/, (req, res, next) => (req.accepts('html') ? res.sendFile(index) : next()));
  }

  app.use(errorHandler());
  return app;
}

/**
 * What every page names things by: channels, the jurisdiction's city and districts, and the
 * clocks in force today; and whether the city's district boundaries are installed, so that the
 * dashboard draws the map, or ranks the districts in a list, without asking for what is not there.
 */
function referenceData(jurisdiction: string, now: Date) {
  const { city, districts, timeZone } = jurisdictionData(jurisdiction);
  const rules = caseRules(jurisdiction, chinaDateOf(now));
  const clocks = Object.fromEntries(
    Object.entries(rules.clocks).map(([step, c]) => [step, { labelZh: c.rule.labelZh, labelEn: c.rule.labelEn, days: c.rule.days, basis: c.rule.basis, ...c.from }]),
  );
  return { channels: CHANNELS, regions: districts, city: { code: city.code, nameZh: city.nameZh, nameEn: city.nameEn }, districtBoundaries: hasBoundaries(city.code), timeZone, jurisdiction, clocks };
}
const placeRow = z.object({ code: z.string(), parent: z.string().nullable(), level: z.enum(['city', 'district', 'street']), nameZh: z.string().nullable(), nameEn: z.string().nullable() });

/**
 * The region nodes a user may look at, from the regions table: its own node and everything
 * under it (an organ's officer, who has no region, the city's nodes down to the districts).
 */
async function placesOf(store: AnalyticsStore, own: string | null) {
  const columns = 'code, parent_code AS parent, level, name_zh AS nameZh, name_en AS nameEn';
  if (!own) return store.all(placeRow, `SELECT ${columns} FROM regions WHERE level <> 'street' ORDER BY code`);
  return store.all(
    placeRow,
    `SELECT ${columns} FROM regions
      WHERE code = $own OR parent_code = $own OR parent_code IN (SELECT code FROM regions WHERE parent_code = $own)
      ORDER BY code`,
    { own },
  );
}
export type Place = z.infer<typeof placeRow>;
/** The organ registry, public within the system: whom a case can be routed to, whom a duty binds. */
const organRow = z.object({ code: z.string(), nameZh: z.string(), level: z.string(), regionCode: z.string() });
export type Organ = z.infer<typeof organRow>;
/** The leaders a case can be given to (包案): who they are and where they lead. */
const leaderRow = z.object({ username: z.string(), displayName: z.string(), regionCode: z.string() });
export type Reference = ReturnType<typeof referenceData> & { places: Place[]; organs: Organ[]; leaders: z.infer<typeof leaderRow>[] };
export type SystemHealth = Awaited<ReturnType<typeof systemHealth>>;

async function systemHealth(store: AnalyticsStore, temporal: Client, taskQueue: string) {
  const [temporalHealth, duckdbHealth] = await Promise.all([
    probe(async () => {
      // A probe must answer fast; the client alone would retry an outage for 20 s.
      const { serverVersion } = await temporal.withDeadline(Date.now() + HEALTH_DEADLINE_MS, () => temporal.workflowService.getSystemInfo({}));
      return { namespace: temporal.options.namespace, taskQueue, serverVersion };
    }),
    probe(async () => ({ cases: await countCases(store) })),
  ]);
  const ok = temporalHealth.ok && duckdbHealth.ok;
  // The holiday calendar's published and provisional years, and how many cases and recommendations hold a provisional date: information, not a fault.
  const calendar = await probe(() => calendarStatus(store));
  return { status: ok ? 'ok' : 'degraded', temporal: temporalHealth, duckdb: duckdbHealth, calendar };
}

// What is down is said; how it failed goes no further than the log (it can name hosts and paths).
async function probe<T>(check: () => Promise<T>): Promise<({ ok: true } & T) | { ok: false; error: string }> {
  try {
    return { ok: true, ...(await check()) };
  } catch (error) {
    console.error(`[xinfang] health: ${error instanceof Error ? error.message : String(error)}`);
    return { ok: false, error: 'not answering' };
  }
}
