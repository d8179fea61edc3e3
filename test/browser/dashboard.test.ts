/**
 * End to end, as `npm start` runs it: the Temporal CLI dev server, the case worker, DuckDB on
 * disk and the Express server with the Vite-built page, driven over HTTP and in Debian's
 * Chromium.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tableFromIPC } from 'apache-arrow';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseDeadline } from '../../rules/case-rules.js';
import { addDays, chinaDateOf } from '../../rules/plain-date.js';
import { periodContaining } from '../../rules/periods.js';
import { dutyPeriodWorkflow } from '../../workflows/duty-period.js';
import { loadConfig } from '../../server/config.js';
import { startSystem, type RunningSystem } from '../../server/system.js';
import { coverFutureYearsWithWeekendsOnly } from '../support/future-calendar.js';
import { freePort } from '../support/ports.js';

// Handling clocks started today can end in a year the holiday package does not cover yet.
coverFutureYearsWithWeekendsOnly();

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
let system: RunningSystem;
let dataDir: string;
let browser: Browser;

beforeAll(async () => {
  await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
  dataDir = mkdtempSync(join(tmpdir(), 'xinfang-e2e-'));
  const config = loadConfig({
    PORT: '0',
    XINFANG_DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_DEV_UI_PORT: String(await freePort()),
    TEMPORAL_TASK_QUEUE: 'e2e-cases',
  });
  system = await startSystem(config, () => undefined);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const api = (path: string, init?: RequestInit) =>
  fetch(new URL(path, system.url), { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the running system', () => {
  it('reports Temporal and DuckDB healthy, with the demo data loaded', async () => {
    const response = await api('/api/health');
    expect(response.status).toBe(200);
    const health = await response.json();
    expect(health).toMatchObject({ status: 'ok', temporal: { ok: true }, duckdb: { ok: true } });
    expect(health.duckdb.cases).toBeGreaterThan(5000);
  });

  it('registers a case: a workflow starts and its received event reaches DuckDB with the routing due date', async () => {
    const receivedAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const response = await api('/api/cases', {
      method: 'POST',
      body: JSON.stringify({ caseId: 'E2E-1', receivedAt, channel: 'letter', regionCode: '110108', field: '教育' }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ caseId: 'E2E-1', workflowId: 'petition-case/E2E-1' });

    const detail = await eventually(async () => {
      const body = await (await api('/api/cases/E2E-1')).json();
      return body.events?.length ? body : undefined;
    }, 'the received event');
    const receivedDate = chinaDateOf(new Date(receivedAt));
    const { due } = caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'route', start: receivedDate });
    expect(detail.events[0]).toMatchObject({ event_type: 'received', due_date: due });
    expect(detail.state).toMatchObject({ stage: 'awaiting_route', overdue: [], deadlines: { route: { due } } });

    const again = await api('/api/cases', {
      method: 'POST',
      body: JSON.stringify({ caseId: 'E2E-1', channel: 'letter', regionCode: '110108' }),
    });
    expect(again.status).toBe(409);
  });

  it('rejects bad input with what is wrong and where, and stores nothing', async () => {
    const before = (await (await api('/api/health')).json()).duckdb.cases;
    const response = await api('/api/cases', {
      method: 'POST',
      body: JSON.stringify({ channel: 'pigeon', regionCode: '110108', collectiveSize: 0 }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.problems.map((p: { at: string }) => p.at).sort()).toEqual(['channel', 'collectiveSize']);
    const future = await api('/api/cases', {
      method: 'POST',
      body: JSON.stringify({ channel: 'visit', regionCode: '110108', receivedAt: '2999-01-01T00:00:00Z' }),
    });
    expect(future.status).toBe(400);
    expect((await api('/api/cases', { method: 'POST', body: '{"channel":' })).status).toBe(400);
    expect((await (await api('/api/health')).json()).duckdb.cases).toBe(before);
  });

  it('routes a case once; a second routing is refused', async () => {
    const route = () =>
      api('/api/cases/E2E-1/route', {
        method: 'POST',
        body: JSON.stringify({ mode: 'forward', toOrgan: '海淀区教委', actor: 'clerk-e2e' }),
      });
    const first = await route();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ stage: 'awaiting_acceptance', routing: { toOrgan: '海淀区教委' } });
    const again = await route();
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatch(/route refused: not allowed while the case is awaiting_acceptance/);
    expect((await api('/api/cases/NO-SUCH/route', { method: 'POST', body: '{"mode":"forward","toOrgan":"x","actor":"y"}' })).status).toBe(404);
  });

  it('carries a case to 终结 through the API; the same claim is then not taken again', async () => {
    const act = async (action: string, body: object) => {
      const response = await api(`/api/cases/E2E-1/${action}`, { method: 'POST', body: JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    };
    expect((await act('reply', { actor: 'c', outcome: 'supported' })).status).toBe(409);
    expect((await act('accept', { actor: 'c', accepted: true })).body.stage).toBe('handling');
    const badExtension = await act('extend', { actor: 'c', days: 45, reason: '复杂', approvedBy: '主任' });
    expect(badExtension).toMatchObject({ status: 409, body: { error: expect.stringMatching(/1 to 30 days/) } });
    expect((await act('reply', { actor: 'c', outcome: 'not_supported' })).body.stage).toBe('review_window');
    expect((await act('requestReview', { toOrgan: '北京市教委' })).body.stage).toBe('in_review');
    expect((await act('giveReviewOpinion', { actor: 'r', outcome: 'upheld' })).body.stage).toBe('re_review_window');
    expect((await act('requestReReview', { toOrgan: '北京市人民政府' })).body.stage).toBe('in_re_review');
    expect((await act('giveReReviewOpinion', { actor: 'r', outcome: 'upheld' })).body).toMatchObject({ stage: 'closed', closeReason: 'concluded' });
    expect((await act('rate', { satisfied: 'yes' })).status).toBe(400);
    expect((await act('fly', {})).status).toBe(404);

    const again = await api('/api/cases', {
      method: 'POST',
      body: JSON.stringify({ channel: 'letter', regionCode: '110108', sameClaimAs: 'E2E-1' }),
    });
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatch(/concluded on re-review in case E2E-1 \(信访工作条例 第四章 \[regulations-2022\]\)/);
    const closed = await act('requestReview', { toOrgan: 'x' });
    expect(closed).toMatchObject({ status: 409, body: { error: expect.stringMatching(/closed \(concluded\)/) } });
  });

  it('opens the current duty periods and their Schedules; evidence meets a duty, a bad one is refused', async () => {
    const year = Number(chinaDateOf(new Date()).slice(0, 4));
    const calendar = async () => (await (await api(`/api/duties?region=110105&year=${year}`)).json()).periods as { duty_id: string; status: string; evidence: number }[];
    await eventually(async () => ((await calendar()).length >= 2 ? true : undefined), 'the current duty periods');
    const hearing = (await calendar()).find((p) => p.duty_id === 'hearReport.district')!;
    expect(hearing.status).toBe('open');
    const today = chinaDateOf(new Date());
    const post = (body: object) => api('/api/duties/D110105/hearReport.district/evidence', { method: 'POST', body: JSON.stringify(body) });
    const wrong = await post({ actor: '区委办', kind: 'letter', date: today, reference: '纪要' });
    expect(wrong.status).toBe(409);
    expect((await wrong.json()).error).toMatch(/met by meeting, not letter/);
    expect((await post({ actor: '区委办', kind: 'meeting', date: today })).status).toBe(400);
    const ok = await post({ actor: '区委办', kind: 'meeting', date: today, reference: '区委常委会纪要' });
    expect(ok.status).toBe(200);
    await eventually(async () => ((await calendar()).find((p) => p.duty_id === 'hearReport.district')?.status === 'met' ? true : undefined), 'the duty met');
    const schedule = await system.temporalClient.schedule.getHandle('duty/D110105/hearReport.district').describe();
    expect(schedule.spec.timezone).toBe('Asia/Shanghai');
  });

  it('keeps evidence for a closed period as late evidence, without changing the finding', async () => {
    // Last quarter's period, opened now, closes at once as missed.
    const lastQuarter = periodContaining(addDays(periodContaining(chinaDateOf(new Date()), 'quarter').start, -1), 'quarter');
    await system.temporalClient.workflow.start(dutyPeriodWorkflow, {
      workflowId: `duty/D110108/hearReport.district/${lastQuarter.label}`,
      taskQueue: 'e2e-cases',
      args: [{ jurisdiction: 'beijing', organ: 'D110108', level: 'district', dutyId: 'hearReport.district', period: lastQuarter }],
    });
    const periodOf = async () =>
      ((await (await api(`/api/duties?organ=D110108&year=${lastQuarter.start.slice(0, 4)}`)).json()).periods as { period_label: string; status: string }[])
        .find((p) => p.period_label === lastQuarter.label);
    await eventually(async () => ((await periodOf())?.status === 'missed' ? true : undefined), 'the missed finding');
    const late = await api('/api/duties/D110108/hearReport.district/evidence', {
      method: 'POST',
      body: JSON.stringify({ actor: '区委办', kind: 'meeting', date: lastQuarter.end, reference: '补报纪要' }),
    });
    expect(late.status).toBe(409);
    expect((await late.json()).error).toBe(
      `the ${lastQuarter.label} period closed as missed; the evidence is kept as late evidence and does not change the finding`,
    );
    expect((await periodOf())?.status).toBe('late');
  });

  it('records duty evidence and reads the duty calendar with the xinfang command', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const xinfang = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(root, 'bin/xinfang.js'), ...args, '--url', system.url], { cwd: root });
    const today = chinaDateOf(new Date());
    const recorded = await xinfang('duty', 'record', '--organ', 'BJ-RSJ', '--duty', 'hearReport.district', '--kind', 'meeting',
      '--date', today, '--reference', '局党组会纪要', '--actor', '办公室');
    expect(JSON.parse(recorded.stdout)).toMatchObject({ organ: 'BJ-RSJ', evidence: [{ reference: '局党组会纪要' }] });
    const calendar = JSON.parse((await xinfang('duties', '--region', '110000', '--year', today.slice(0, 4))).stdout);
    expect(calendar.periods.some((p: { organ: string; evidence: number }) => p.organ === 'BJ-RSJ' && p.evidence === 1)).toBe(true);
    const refused = await xinfang('duty', 'record', '--organ', 'BJ-RSJ', '--duty', 'hearReport.district', '--kind', 'letter',
      '--date', today, '--reference', 'x', '--actor', 'y').then(() => null, (e: { code: number; stderr: string }) => e);
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/^xinfang: evidence refused: .*met by meeting, not letter/);
  });

  it('opens an accountability case from a finding and takes its decisions through the API', async () => {
    const opened = await api('/api/accountability', {
      method: 'POST',
      body: JSON.stringify({
        caseId: 'ACC-E2E',
        organ: 'BJ-RSJ',
        ground: 'procedure',
        finding: { source: 'case', ref: 'E2E-1/handle_overdue' },
        failure: { kind: 'individual', participants: [{ person: '刘科员', role: 'officerInCharge' }, { person: '局长', role: 'principal' }] },
        openedBy: '市信访办',
        rectifyBy: addDays(chinaDateOf(new Date()), 30),
      }),
    });
    expect(opened.status).toBe(201);
    const state = await eventually(async () => {
      const body = await (await api('/api/accountability/ACC-E2E')).json();
      return body.stage && body.stage !== 'opening' ? body : undefined;
    }, 'the accountability case to open');
    expect(state).toMatchObject({ step: 'notice', stage: 'rectifying', attribution: [{ responsibility: 'direct' }, { responsibility: 'leadership' }] });
    const act = (name: string, body: object) => api(`/api/accountability/ACC-E2E/${name}`, { method: 'POST', body: JSON.stringify(body) });
    expect((await act('acceptRectification', { actor: 'x', reason: 'y' })).status).toBe(409);
    expect((await act('submitRectification', { actor: '局长', evidence: '整改报告' })).status).toBe(200);
    const closed = await act('acceptRectification', { actor: '市信访办', reason: '整改到位' });
    expect(await closed.json()).toMatchObject({ stage: 'closed', closeReason: 'rectified' });
    expect((await api('/api/accountability', { method: 'POST', body: JSON.stringify({ organ: 'x' }) })).status).toBe(400);
  });

  it('serves cases by month as JSON and as Arrow IPC with the same numbers', async () => {
    const json = await (await api('/api/metrics/cases-by-month?from=2025-01&to=2025-12')).json();
    expect(json.rows).toHaveLength(12);
    const arrow = await api('/api/metrics/cases-by-month?from=2025-01&to=2025-12', {
      headers: { accept: 'application/vnd.apache.arrow.stream' },
    });
    expect(arrow.headers.get('content-type')).toContain('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    expect(table.numRows).toBe(12);
    expect([...table.getChild('cases')!].map(Number)).toEqual(json.rows.map((r: { cases: number }) => r.cases));
    expect((await api('/api/metrics/cases-by-month?from=2025-13')).status).toBe(400);
  });

  it('draws the chart in Chromium and registers a case from the form', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(system.url);
    const chart = page.locator('#cases-by-month[data-state="ready"]');
    await chart.waitFor({ timeout: 15_000 });
    expect(Number(await chart.getAttribute('data-points'))).toBe(24);
    expect(Number(await chart.getAttribute('data-total'))).toBeGreaterThan(3000);
    // The bars are drawn: count canvas pixels in the series colour (#b8322f).
    const barPixels = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#cases-by-month canvas')!;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - 0xb8) < 8 && Math.abs(data[i + 1]! - 0x32) < 8 && Math.abs(data[i + 2]! - 0x2f) < 8) count++;
      }
      return count;
    });
    expect(barPixels).toBeGreaterThan(2000);
    await expect.poll(() => page.locator('#health li.ok').count()).toBe(2);
    // The routing clock on the page comes from the policy packs, not from the page.
    expect(await page.locator('#route-clock').textContent()).toBe('登记并转送、交办: 15 日 calendar days (信访工作条例 第二十二条)');

    await page.selectOption('#channel', 'online');
    await page.selectOption('#intake-region', '110119');
    await page.fill('input[name=field]', '生态环境');
    await page.click('#intake button[type=submit]');
    await page.locator('#intake-result', { hasText: '已登记' }).waitFor();
    const caseId = (await page.locator('#intake-result').textContent())!.split(' ').pop()!;
    await page.locator('#recent tbody tr', { hasText: caseId }).waitFor({ timeout: 15_000 });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
