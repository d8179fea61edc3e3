/**
 * First-view bench (issue 14, "Budgets"): how long a leader waits for the overview on the
 * metrics bench database of N generated cases (default 10,000,000; bench/metrics-data.ts),
 * served by the product's Express app with the Vite-built dashboard, in Debian's Chromium.
 * Each run opens a fresh browser context, logs in through the form, and times from the
 * overview's navigation until every panel has left its loading state (ready, empty or error)
 * and every chart has drawn; the login itself (one Argon2 verification) is timed apart. The
 * first run is reported on its own (cold DuckDB caches), the others as median and max. The
 * target is under 2 s. Temporal is not started: the overview reads DuckDB only.
 *
 * Run: `npm run bench:first-view` (SCALE=10000000 RUNS=5). Writes bench/results/first-view-<N>.json.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { AnalyticsStore } from '../analytics/store.js';
import { parsePlainDate } from '../rules/plain-date.js';
import { createApp } from '../server/app.js';
import { BEIJING_DEMO_USERS, ensureDemoUsers } from '../server/identity/demo-users.js';
import { temporalDown, testIdentityKeys } from '../test/support/api-app.js';
import { benchDatabase } from './metrics-data.js';

const SCALE = Number(process.env.SCALE ?? 10_000_000);
const RUNS = Number(process.env.RUNS ?? 5);
const YEAR = 2025;
const PASSWORD = 'bench-password-1234';
const log = (line: string) => console.log(`[first-view] ${line}`);

const db = await benchDatabase({ cases: SCALE, seed: 42, from: parsePlainDate('2019-01-01'), to: parsePlainDate('2025-12-31'), verifyWithImporter: false, log, phase: () => undefined });
// A copy: the app writes its users and sessions, and the cached database stays the metrics bench's.
const work = mkdtempSync(join(tmpdir(), 'xinfang-first-view-'));
const path = join(work, 'bench.duckdb');
copyFileSync(db.path, path);
if (existsSync(`${db.path}.wal`)) copyFileSync(`${db.path}.wal`, `${path}.wal`);
const store = await AnalyticsStore.open(path);
await ensureDemoUsers(store, 'beijing', PASSWORD, BEIJING_DEMO_USERS);

const webDir = fileURLToPath(new URL('../web/dist/', import.meta.url));
await build({ configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
const app = createApp({ store, temporal: await temporalDown(), taskQueue: 'bench', jurisdiction: 'beijing', identityKeys: testIdentityKeys(), webDir, expensiveRate: { burst: 10_000, perMinute: 10_000 } });
const server = await new Promise<Server>((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
});
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });

interface Run {
  loginMs: number;
  firstViewMs: number;
  panels: Record<string, string>;
}

async function once(): Promise<Run> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(`${base}/`);
  await page.fill('#login-username', 'leader');
  await page.fill('#login-password', PASSWORD);
  const loginStart = performance.now();
  await page.click('#login-form button[type=submit]');
  await page.locator('#who').waitFor();
  const loginMs = performance.now() - loginStart;
  await page.evaluate(() => history.pushState(null, '', '/reports'));
  const start = performance.now();
  await page.goto(`${base}/overview?year=${YEAR}`);
  await page.waitForFunction(() => {
    const panels = [...document.querySelectorAll<HTMLElement>('#overview section.card[data-state]')];
    const charts = [...document.querySelectorAll<HTMLElement>('#overview .chart')];
    return panels.length >= 8 && panels.every((p) => p.dataset.state !== 'loading') && charts.every((c) => c.dataset.drawn === 'true');
  }, undefined, { timeout: 120_000, polling: 20 });
  const firstViewMs = performance.now() - start;
  const panels = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll<HTMLElement>('#overview section.card[data-state]')].map((p) => [p.id, p.dataset.state ?? ''])));
  await page.close();
  // A panel that failed finished fast without drawing anything: that time is no first view.
  const failed = Object.entries(panels).filter(([, state]) => state === 'error');
  if (failed.length) throw new Error(`panels failed to load: ${failed.map(([id]) => id).join(', ')}`);
  return { loginMs, firstViewMs, panels };
}

const loadAtStart = loadavg();
const runs: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  runs.push(await once());
  log(`run ${i + 1}: first view ${runs.at(-1)!.firstViewMs.toFixed(0)} ms (login ${runs.at(-1)!.loginMs.toFixed(0)} ms)`);
}
const warm = runs.slice(1).map((r) => r.firstViewMs).sort((a, b) => a - b);
const median = warm.length ? warm[Math.floor(warm.length / 2)]! : runs[0]!.firstViewMs;
const result = {
  bench: 'first view (issue 14: the overview drawn for the city leader)',
  scale: SCALE,
  date: new Date().toISOString(),
  machine: { cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30) },
  load: { atStart: loadAtStart, atEnd: loadavg() },
  database: { reused: db.reused, caseFactsRows: db.caseFactsRows },
  year: YEAR,
  targetMs: 2000,
  coldMs: Math.round(runs[0]!.firstViewMs),
  warm: { medianMs: Math.round(median), maxMs: Math.round(Math.max(...warm, 0)), runs: warm.length },
  loginMs: runs.map((r) => Math.round(r.loginMs)),
  panels: runs[0]!.panels,
  withinTarget: median < 2000,
};
const out = fileURLToPath(new URL(`./results/first-view-${SCALE}.json`, import.meta.url));
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
log(`cold ${result.coldMs} ms, warm median ${result.warm.medianMs} ms (max ${result.warm.maxMs}) → ${out}`);
await browser.close();
server.close();
store.close();
rmSync(work, { recursive: true, force: true });
