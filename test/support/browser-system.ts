/**
 * The system as `npm start` runs it (Temporal CLI dev server, the case worker, DuckDB on disk,
 * the Express server with the Vite-built dashboard and the demo data), with Debian's Chromium
 * to drive it: what the browser suites share. Each suite starts its own, in its own data
 * directory, and stops it after.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { loadConfig } from '../../server/config.js';
import { startSystem, type RunningSystem } from '../../server/system.js';
import { coverFutureYearsWithWeekendsOnly } from './future-calendar.js';
import { loginAs } from './login.js';
import { freePort } from './ports.js';

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let built: Promise<unknown> | undefined;
/** The dashboard built once per test process. */
export const buildDashboard = () => (built ??= build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), logLevel: 'warn' }));

export interface BrowserSystem {
  system: RunningSystem;
  browser: Browser;
  /** A page in a browser context of its own (its own cookies), logged in through the form as `username`, at `path`. */
  openPage(username: string, path?: string, viewport?: { width: number; height: number }): Promise<{ page: Page; errors: string[] }>;
  /** A call to the API as a demo user (a session login, once per user), or as nobody (null). */
  api(as: string | null, path: string, init?: RequestInit): Promise<Response>;
  json<T>(as: string, path: string): Promise<T>;
  /** Saves a full-page screenshot to test/artifacts/<name>.png. */
  screenshot(page: Page, name: string): Promise<void>;
  /** The axe-core violations of the page as it stands (WCAG 2 A and AA rules). */
  axe(page: Page, include?: string): Promise<{ id: string; impact: string | null; help: string; nodes: string[] }[]>;
  stop(): Promise<void>;
}

/** `jurisdiction`: whose data and packs the system starts on (XINFANG_JURISDICTION; Beijing's unless given). */
export async function startBrowserSystem(taskQueue: string, options: { jurisdiction?: string } = {}): Promise<BrowserSystem> {
  // Handling clocks started today can end in a year the holiday package does not cover yet.
  coverFutureYearsWithWeekendsOnly();
  await buildDashboard();
  const dataDir = mkdtempSync(join(tmpdir(), 'xinfang-browser-'));
  const config = loadConfig({
    PORT: '0',
    XINFANG_DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_DEV_UI_PORT: String(await freePort()),
    TEMPORAL_TASK_QUEUE: taskQueue,
    ...(options.jurisdiction ? { XINFANG_JURISDICTION: options.jurisdiction } : {}),
  });
  const system = await startSystem(config, () => undefined);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const sessions = new Map<string, Promise<Record<string, string>>>();
  const headersOf = (username: string) => {
    let headers = sessions.get(username);
    if (!headers) {
      headers = loginAs(system.url, username, system.demo!.password).then((l) => l.headers);
      sessions.set(username, headers);
    }
    return headers;
  };
  const api = async (as: string | null, path: string, init?: RequestInit) =>
    fetch(new URL(path, system.url), { ...init, headers: { 'content-type': 'application/json', ...(as ? await headersOf(as) : {}), ...init?.headers } });
  return {
    system,
    browser,
    api,
    async json<T>(as: string, path: string) {
      const response = await api(as, path);
      if (!response.ok) throw new Error(`GET ${path} as ${as}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    async openPage(username, path = '/', viewport = { width: 1280, height: 1000 }) {
      const page = await browser.newPage({ viewport, acceptDownloads: true });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) errors.push(message.text());
      });
      await page.goto(new URL(path, system.url).href);
      await page.locator('#login-form').waitFor();
      await page.fill('#login-username', username);
      await page.fill('#login-password', system.demo!.password);
      await page.click('#login-form button[type=submit]');
      await page.locator('#who').waitFor();
      return { page, errors };
    },
    async screenshot(page, name) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    async axe(page, include) {
      // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an injected script tag.
      await page.evaluate(AXE);
      return page.evaluate(async (selector) => {
        const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
        const result = await axe.run(selector ? { include: [selector] } : document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
      }, include ?? null);
    },
    async stop() {
      await browser.close();
      await system.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
