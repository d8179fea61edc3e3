import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadOidcSettings, type OidcSettings } from './identity/oidc.js';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const port = z.coerce.number().int().min(0).max(65_535);
const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

/** Every setting comes from the environment, so one build runs embedded or against a cluster. */
const environment = z.object({
  PORT: port.default(3000),
  HOST: z.string().default('127.0.0.1'),
  XINFANG_DATA_DIR: z.string().default(`${PROJECT_ROOT}.data`),
  DUCKDB_PATH: z.string().optional(),
  XINFANG_DEMO: flag.default(true),
  /** The demo users' password; unset: generated once and kept in the data directory. */
  XINFANG_DEMO_PASSWORD: z.string().optional(),
  /** Whose policy packs govern new cases (rules/jurisdictions.json). */
  XINFANG_JURISDICTION: z.string().default('beijing'),
  /** Unset: the embedded dev server is started. Set: connect to that Temporal frontend. */
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('xinfang-cases'),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: flag.optional(),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_CA: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_DEV_UI_PORT: port.default(8233),
  /** The dev server's web UI shows whatever any client can read; off unless asked for. */
  TEMPORAL_DEV_UI: flag.default(false),
  /** A session ends after this long without a request, and at the absolute limit whatever happens. */
  XINFANG_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  XINFANG_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** Express's `trust proxy` behind a TLS-terminating proxy (then cookies are marked Secure). */
  XINFANG_TRUST_PROXY: z.string().optional(),
});

export interface TemporalConfig {
  /** null: start the embedded dev server. */
  address: string | null;
  namespace: string;
  taskQueue: string;
  apiKey?: string;
  tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
  /** uiPort null: the dev server runs headless. */
  dev: { port: number; uiPort: number | null; dbFilename: string };
}

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  duckdbPath: string;
  loadDemo: boolean;
  demoPassword?: string;
  jurisdiction: string;
  sessions: { idleMs: number; absoluteMs: number };
  trustProxy: boolean | string;
  temporal: TemporalConfig;
  /** null: no identity provider, local passwords only. */
  oidc: OidcSettings | null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration in the environment: ${problems}`);
  }
  const e = parsed.data;
  if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY)) {
    throw new Error('invalid configuration: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS client pair)');
  }
  const wantsTls = e.TEMPORAL_TLS ?? Boolean(e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA || e.TEMPORAL_API_KEY);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.XINFANG_DATA_DIR,
    duckdbPath: e.DUCKDB_PATH ?? `${e.XINFANG_DATA_DIR}/xinfang.duckdb`,
    loadDemo: e.XINFANG_DEMO,
    ...(e.XINFANG_DEMO_PASSWORD !== undefined ? { demoPassword: e.XINFANG_DEMO_PASSWORD } : {}),
    jurisdiction: e.XINFANG_JURISDICTION,
    sessions: { idleMs: e.XINFANG_SESSION_IDLE_MINUTES * 60_000, absoluteMs: e.XINFANG_SESSION_MAX_HOURS * 3_600_000 },
    oidc: loadOidcSettings(env),
    trustProxy: e.XINFANG_TRUST_PROXY === undefined ? false : e.XINFANG_TRUST_PROXY === '1' || e.XINFANG_TRUST_PROXY === 'true' ? true : e.XINFANG_TRUST_PROXY,
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? null,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
      ...(wantsTls
        ? {
            tls: {
              ...(e.TEMPORAL_TLS_CERT ? { certPath: e.TEMPORAL_TLS_CERT } : {}),
              ...(e.TEMPORAL_TLS_KEY ? { keyPath: e.TEMPORAL_TLS_KEY } : {}),
              ...(e.TEMPORAL_TLS_CA ? { caPath: e.TEMPORAL_TLS_CA } : {}),
              ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
            },
          }
        : {}),
      dev: {
        port: e.TEMPORAL_DEV_PORT,
        uiPort: e.TEMPORAL_DEV_UI ? e.TEMPORAL_DEV_UI_PORT : null,
        dbFilename: `${e.XINFANG_DATA_DIR}/temporal.db`,
      },
    },
  };
}
