/**
 * The whole system started against a Temporal cluster that does not answer: it starts, serves
 * figures and logins, says in its health what is down, refuses case actions with 503 at once
 * and changes nothing, and stops cleanly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { startSystem, type RunningSystem } from '../../server/system.js';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../../server/temporal.js';
import { coverFutureYearsWithWeekendsOnly } from '../support/future-calendar.js';
import { loginAs } from '../support/login.js';
import { freePort } from '../support/ports.js';

// The demo's open cases start when Temporal comes back; their clocks can end in a year the holiday package lacks.
coverFutureYearsWithWeekendsOnly();

let dir: string;
let port: number;
let system: RunningSystem;
let temporal: EmbeddedTemporal | undefined;
const logged: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xinfang-degraded-'));
  // Nothing listens there yet: a cluster that is down. The second test starts one on that port.
  port = await freePort();
  const config = loadConfig({ PORT: '0', XINFANG_DATA_DIR: dir, TEMPORAL_ADDRESS: `127.0.0.1:${port}`, XINFANG_DEMO_PASSWORD: 'degraded-demo-pw' });
  system = await startSystem(config, (line) => logged.push(line));
}, 120_000);
afterAll(async () => {
  await system?.stop();
  await temporal?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the system with Temporal down', () => {
  it('starts, says so, serves figures and refuses case actions with 503, storing nothing', async () => {
    expect(system.temporalUp).toBe(false);
    expect(logged.join('\n')).toMatch(/Temporal at 127\.0\.0\.1:\d+ is not answering .*case actions answer 503; trying again every 30 s/);
    const health = await fetch(new URL('/api/health', system.url));
    expect(health.status).toBe(503);
    const before = (await health.json()) as { duckdb: { cases: number } };
    expect(before).toMatchObject({ status: 'degraded', temporal: { ok: false, error: 'not answering' }, duckdb: { ok: true } });
    expect(before.duckdb.cases).toBeGreaterThan(5000);

    const analyst = (await loginAs(system.url, 'analyst', 'degraded-demo-pw')).headers;
    const figures = await fetch(new URL('/api/v1/metrics?measure=cases&year=2025', system.url), { headers: analyst });
    expect(figures.status).toBe(200);

    const clerk = (await loginAs(system.url, 'clerk', 'degraded-demo-pw')).headers;
    const register = await fetch(new URL('/api/v1/cases', system.url), {
      method: 'POST',
      headers: { ...clerk, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'letter', regionCode: '110108' }),
    });
    expect(register.status).toBe(503);
    expect(await register.json()).toMatchObject({ code: 'unavailable', error: expect.stringMatching(/Temporal.*nothing was changed/) });
    const after = (await (await fetch(new URL('/api/health', system.url))).json()) as { duckdb: { cases: number } };
    expect(after.duckdb.cases).toBe(before.duckdb.cases);
  }, 60_000);

  it('starts the worker, the Schedules and the demo cases when the cluster answers, and then takes cases', async () => {
    temporal = await startEmbeddedTemporal({ port, uiPort: null, dbFilename: join(dir, 'late-temporal.db') }, () => undefined);
    // The system tries again every 30 s.
    for (let i = 0; i < 90 && !logged.some((l) => l.includes('answers again')); i++) await new Promise((r) => setTimeout(r, 1000));
    expect(logged.join('\n')).toMatch(/Temporal at 127\.0\.0\.1:\d+ answers again: the worker is running/);
    expect(logged.join('\n')).toMatch(/demo: 6 open cases started/);
    expect((await fetch(new URL('/api/health', system.url))).status).toBe(200);
    const clerk = (await loginAs(system.url, 'clerk', 'degraded-demo-pw')).headers;
    const register = await fetch(new URL('/api/v1/cases', system.url), {
      method: 'POST',
      headers: { ...clerk, 'content-type': 'application/json' },
      body: JSON.stringify({ caseId: 'BACK-1', channel: 'letter', regionCode: '110108' }),
    });
    expect(register.status).toBe(201);
    // The worker records it: the case's received event reaches DuckDB.
    for (let i = 0; i < 50; i++) {
      const read = await fetch(new URL('/api/v1/cases/BACK-1', system.url), { headers: clerk });
      if (read.status === 200 && ((await read.json()) as { events: unknown[] }).events.length) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the case never reached DuckDB: no worker ran it');
  }, 150_000);
});
