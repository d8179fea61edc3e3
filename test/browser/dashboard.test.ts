/**
 * End to end, as `npm start` runs it: the Temporal CLI dev server, the case worker, DuckDB on
 * disk and the Express server with the Vite-built page, driven over HTTP and in Debian's
 * Chromium.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tableFromIPC } from 'apache-arrow';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, roleAllows, type Permission } from '../../domain/roles.js';
import { caseDeadline } from '../../rules/case-rules.js';
import { addDays, chinaDateOf } from '../../rules/plain-date.js';
import { periodContaining } from '../../rules/periods.js';
import { dutyPeriodWorkflow } from '../../workflows/duty-period.js';
import { loadConfig } from '../../server/config.js';
import { BEIJING_DEMO_USERS } from '../../server/identity/demo-users.js';
import { startSystem, type RunningSystem } from '../../server/system.js';
import { coverFutureYearsWithWeekendsOnly } from '../support/future-calendar.js';
import { loginAs } from '../support/login.js';
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

/** One login per demo user for the whole file: its session cookie and the CSRF token its writes carry. */
const sessions = new Map<string, Promise<Record<string, string>>>();
function loginHeaders(username: string): Promise<Record<string, string>> {
  let headers = sessions.get(username);
  if (!headers) {
    headers = loginAs(system.url, username, system.demo!.password).then((login) => login.headers);
    sessions.set(username, headers);
  }
  return headers;
}

/** A call to the API as a demo user, or as nobody (`null`). */
const api = async (as: string | null, path: string, init?: RequestInit) =>
  fetch(new URL(path, system.url), {
    ...init,
    headers: { 'content-type': 'application/json', ...(as ? await loginHeaders(as) : {}), ...init?.headers },
  });

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Collects a page's uncaught errors and what its Content-Security-Policy refused (Chromium tells those on the console). */
function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) errors.push(message.text());
  });
  return errors;
}

/** Logs in through the page's form, as a user would. */
async function logIn(page: Page, username: string, password = system.demo!.password): Promise<void> {
  await page.locator('#login-form').waitFor();
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('#login-form button[type=submit]');
}

/** A page in a browser context of its own (its own cookies), logged in as `username`. */
async function openPage(username: string, path = '/') {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = watch(page);
  await page.goto(new URL(path, system.url).href);
  await logIn(page, username);
  return { page, errors };
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** The page's axe-core violations of the WCAG 2.1 A and AA rules. */
async function axeOf(page: Page) {
  // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an injected script tag.
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

describe('the running system', () => {
  it('reports Temporal and DuckDB healthy, with the demo data loaded, to anyone', async () => {
    for (const path of ['/api/health', '/api/v1/health']) {
      const response = await api(null, path);
      expect(response.status, path).toBe(200);
      const health = await response.json();
      expect(health).toMatchObject({ status: 'ok', temporal: { ok: true }, duckdb: { ok: true } });
      expect(health.duckdb.cases).toBeGreaterThan(5000);
    }
  });

  it('registers a case: a workflow starts and its received event reaches DuckDB with the routing due date', async () => {
    const receivedAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const response = await api('clerk', '/api/v1/cases', {
      method: 'POST',
      body: JSON.stringify({ caseId: 'E2E-1', receivedAt, channel: 'letter', regionCode: '110108', field: '教育' }),
    });
    expect(response.status).toBe(201);
    // No petitioner named: whether it is a repeat cannot be known, and a letter is never skip-level.
    expect(await response.json()).toMatchObject({
      caseId: 'E2E-1',
      workflowId: 'petition-case/E2E-1',
      petitionKind: { repeat: { value: null }, skipLevel: { value: false } },
    });

    const detail = await eventually(async () => {
      const body = await (await api('clerk', '/api/v1/cases/E2E-1')).json();
      return body.events?.length ? body : undefined;
    }, 'the received event');
    const receivedDate = chinaDateOf(new Date(receivedAt));
    const { due } = caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'route', start: receivedDate });
    expect(detail.events[0]).toMatchObject({ event_type: 'received', due_date: due });
    expect(detail.state).toMatchObject({ stage: 'awaiting_route', overdue: [], deadlines: { route: { due } } });

    const again = await api('clerk', '/api/v1/cases', {
      method: 'POST',
      body: JSON.stringify({ caseId: 'E2E-1', channel: 'letter', regionCode: '110108' }),
    });
    expect(again.status).toBe(409);
  });

  it('rejects bad input with what is wrong and where, and stores nothing', async () => {
    const before = (await (await api(null, '/api/v1/health')).json()).duckdb.cases;
    const response = await api('clerk', '/api/v1/cases', {
      method: 'POST',
      body: JSON.stringify({ channel: 'pigeon', regionCode: '110108', collectiveSize: 0 }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.problems.map((p: { at: string }) => p.at).sort()).toEqual(['channel', 'collectiveSize']);
    const future = await api('clerk', '/api/v1/cases', {
      method: 'POST',
      body: JSON.stringify({ channel: 'visit', regionCode: '110108', receivedAt: '2999-01-01T00:00:00Z' }),
    });
    expect(future.status).toBe(400);
    expect((await api('clerk', '/api/v1/cases', { method: 'POST', body: '{"channel":' })).status).toBe(400);
    expect((await (await api(null, '/api/v1/health')).json()).duckdb.cases).toBe(before);
  });

  it('routes a case once; a second routing is refused', async () => {
    const route = () =>
      api('clerk', '/api/v1/cases/E2E-1/route', {
        method: 'POST',
        body: JSON.stringify({ mode: 'forward', toOrgan: '海淀区教委' }),
      });
    const first = await route();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ stage: 'awaiting_acceptance', routing: { toOrgan: '海淀区教委' } });
    const again = await route();
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatch(/route refused: not allowed while the case is awaiting_acceptance/);
    expect((await api('clerk', '/api/v1/cases/NO-SUCH/route', { method: 'POST', body: '{"mode":"forward","toOrgan":"x"}' })).status).toBe(404);
  });

  it('carries a case to 终结 through the API; the same claim is then not taken again', async () => {
    const act = async (action: string, body: object) => {
      const response = await api('clerk', `/api/v1/cases/E2E-1/${action}`, { method: 'POST', body: JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    };
    expect((await act('reply', { outcome: 'supported' })).status).toBe(409);
    expect((await act('accept', { accepted: true })).body.stage).toBe('handling');
    const badExtension = await act('extend', { days: 45, reason: '复杂', approvedBy: '主任' });
    expect(badExtension).toMatchObject({ status: 409, body: { error: expect.stringMatching(/1 to 30 days/) } });
    expect((await act('reply', { outcome: 'not_supported' })).body.stage).toBe('review_window');
    expect((await act('requestReview', { toOrgan: '北京市教委' })).body.stage).toBe('in_review');
    expect((await act('giveReviewOpinion', { outcome: 'upheld' })).body.stage).toBe('re_review_window');
    expect((await act('requestReReview', { toOrgan: '北京市人民政府' })).body.stage).toBe('in_re_review');
    expect((await act('giveReReviewOpinion', { outcome: 'upheld' })).body).toMatchObject({ stage: 'closed', closeReason: 'concluded' });
    expect((await act('rate', { satisfied: 'yes' })).status).toBe(400);
    expect((await act('fly', {})).status).toBe(404);

    const again = await api('clerk', '/api/v1/cases', {
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
    const calendar = async () => (await (await api('clerk', `/api/v1/duties?region=110105&year=${year}`)).json()).periods as { duty_id: string; status: string; evidence: number }[];
    await eventually(async () => ((await calendar()).length >= 2 ? true : undefined), 'the current duty periods');
    const hearing = (await calendar()).find((p) => p.duty_id === 'hearReport.district')!;
    expect(hearing.status).toBe('open');
    const today = chinaDateOf(new Date());
    const post = (body: object) => api('clerk', '/api/v1/duties/D110105/hearReport.district/evidence', { method: 'POST', body: JSON.stringify(body) });
    const wrong = await post({ kind: 'letter', date: today, reference: '纪要' });
    expect(wrong.status).toBe(409);
    expect((await wrong.json()).error).toMatch(/met by meeting, not letter/);
    expect((await post({ kind: 'meeting', date: today })).status).toBe(400);
    const ok = await post({ kind: 'meeting', date: today, reference: '区委常委会纪要' });
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
      ((await (await api('clerk', `/api/v1/duties?organ=D110108&year=${lastQuarter.start.slice(0, 4)}`)).json()).periods as { period_label: string; status: string }[])
        .find((p) => p.period_label === lastQuarter.label);
    await eventually(async () => ((await periodOf())?.status === 'missed' ? true : undefined), 'the missed finding');
    const late = await api('clerk', '/api/v1/duties/D110108/hearReport.district/evidence', {
      method: 'POST',
      body: JSON.stringify({ kind: 'meeting', date: lastQuarter.end, reference: '补报纪要' }),
    });
    expect(late.status).toBe(409);
    expect((await late.json()).error).toBe(
      `the ${lastQuarter.label} period closed as missed; the evidence is kept as late evidence and does not change the finding`,
    );
    expect((await periodOf())?.status).toBe('late');
  });

  it('records duty evidence and reads the duty calendar with the xinfang command, as the user of its API token', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const created = await api('clerk', '/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name: 'e2e-cli' }) });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const xinfang = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(root, 'bin/xinfang.js'), ...args, '--url', system.url], { cwd: root, env: { ...process.env, XINFANG_TOKEN: token } });
    const today = chinaDateOf(new Date());
    const recorded = await xinfang('duty', 'record', '--organ', 'BJ-RSJ', '--duty', 'hearReport.district', '--kind', 'meeting',
      '--date', today, '--reference', '局党组会纪要');
    expect(JSON.parse(recorded.stdout)).toMatchObject({ organ: 'BJ-RSJ', evidence: [{ reference: '局党组会纪要' }] });
    const calendar = JSON.parse((await xinfang('duties', '--region', '110000', '--year', today.slice(0, 4))).stdout);
    expect(calendar.periods.some((p: { organ: string; evidence: number }) => p.organ === 'BJ-RSJ' && p.evidence === 1)).toBe(true);
    const refused = await xinfang('duty', 'record', '--organ', 'BJ-RSJ', '--duty', 'hearReport.district', '--kind', 'letter',
      '--date', today, '--reference', 'x').then(() => null, (e: { code: number; stderr: string }) => e);
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/^xinfang: evidence refused: .*met by meeting, not letter/);
  });

  it('opens an accountability case from a finding and takes its decisions through the API, each by a role that may', async () => {
    const opened = await api('leader', '/api/v1/accountability', {
      method: 'POST',
      body: JSON.stringify({
        caseId: 'ACC-E2E',
        organ: 'BJ-RSJ',
        ground: 'procedure',
        finding: { source: 'case', ref: 'E2E-1/handle_overdue' },
        failure: { kind: 'individual', participants: [{ person: '刘科员', role: 'officerInCharge' }, { person: '局长', role: 'principal' }] },
        rectifyBy: addDays(chinaDateOf(new Date()), 30),
      }),
    });
    expect(opened.status).toBe(201);
    const state = await eventually(async () => {
      const body = await (await api('leader', '/api/v1/accountability/ACC-E2E')).json();
      return body.stage && body.stage !== 'opening' ? body : undefined;
    }, 'the accountability case to open');
    expect(state).toMatchObject({ step: 'notice', stage: 'rectifying', attribution: [{ responsibility: 'direct' }, { responsibility: 'leadership' }] });
    const act = (as: string, name: string, body: object) => api(as, `/api/v1/accountability/ACC-E2E/${name}`, { method: 'POST', body: JSON.stringify(body) });
    expect((await act('leader', 'acceptRectification', { reason: 'y' })).status).toBe(409);
    expect((await act('clerk', 'submitRectification', { evidence: '整改报告' })).status).toBe(200);
    const closed = await act('leader', 'acceptRectification', { reason: '整改到位' });
    expect(await closed.json()).toMatchObject({ stage: 'closed', closeReason: 'rectified' });
    expect((await api('leader', '/api/v1/accountability', { method: 'POST', body: JSON.stringify({ organ: 'x' }) })).status).toBe(400);
  });

  // ---- The metrics API (analytics/metrics/) and the dashboard built on it ----

  const YEAR = Number(chinaDateOf(new Date()).slice(0, 4)) - 1; // the last complete year: the page's default
  const KPIS = ['cases', 'timely_acceptance_rate', 'on_time_completion_rate', 'participation_rate', 'satisfaction_rate', 'repeat_rate'];
  type Row = { measure: string; dims: Record<string, string | null>; value: number | null; numerator?: number; denominator?: number; interval?: [number, number] };
  type Compared = { measure: string; dims: Record<string, string | null>; current: Row; previous: Row | null; change: number | null; relative: number | null };
  type Unit = { unit: string; name: string | null; value: number | null; numerator?: number; denominator?: number; interval?: [number, number]; volume: number; rank: number | null; tier: string | null; rankInTier: number | null; unranked?: string };
  type CatalogMeasure = { id: string; labelZh: string; labelEn: string; description: string; kind: string; basis: string; better: 'higher' | 'lower' | 'neither'; basedOn: string; source: string };
  /** An answer of the API as the city's analyst (metrics, alerts), or as `as`. */
  const json = async <T>(path: string, as = 'analyst'): Promise<T> => {
    const response = await api(as, path);
    expect(response.status, `${path}: ${response.status}`).toBe(200);
    return (await response.json()) as T;
  };
  const tone = (better: string, change: number | null) =>
    change == null || change === 0 || better === 'neither' ? 'flat' : (change < 0) === (better === 'lower') ? 'good' : 'bad';

  it('describes every measure in the catalog, with the dashboard’s tiles among them', async () => {
    const catalog = await json<{ measures: CatalogMeasure[]; dimensions: { id: string }[] }>('/api/v1/metrics/catalog');
    const byId = new Map(catalog.measures.map((m) => [m.id, m]));
    for (const id of KPIS) {
      expect(byId.get(id), id).toMatchObject({ labelZh: expect.any(String), description: expect.any(String), basis: expect.any(String), source: 'cases' });
    }
    expect(byId.get('cases')).toMatchObject({ labelZh: '信访总量', kind: 'count', better: 'lower', basis: 'date of receipt (登记日期)' });
    expect(byId.get('satisfaction_rate')).toMatchObject({ labelZh: '满意率', kind: 'rate', better: 'higher' });
    expect(catalog.dimensions.map((d) => d.id)).toEqual(expect.arrayContaining(['month', 'district', 'street', 'channel', 'field']));
  });

  it('answers measures consistently: months add up to the year, districts to the city, the comparison to both years', async () => {
    const monthly = await json<{ request: { from: string; to: string; by: string[] }; rows: Row[] }>(`/api/v1/metrics?measure=cases&by=month&year=${YEAR}`);
    expect(monthly.request).toMatchObject({ from: `${YEAR}-01-01`, to: `${YEAR}-12-31`, by: ['month'] });
    expect(monthly.rows.map((r) => r.dims.month)).toEqual(Array.from({ length: 12 }, (_, i) => `${YEAR}-${String(i + 1).padStart(2, '0')}`));
    const total = (await json<{ rows: Row[] }>(`/api/v1/metrics?measure=cases,satisfaction_rate&year=${YEAR}`)).rows;
    const cases = total.find((r) => r.measure === 'cases')!.value!;
    expect(cases).toBeGreaterThan(3000);
    expect(monthly.rows.reduce((sum, r) => sum + r.value!, 0)).toBe(cases);

    // Every case lies in a district: the districts add up to the city, counts and rates alike.
    const byDistrict = (await json<{ rows: Row[] }>(`/api/v1/metrics?measure=cases,satisfaction_rate&by=district&year=${YEAR}`)).rows;
    const satisfaction = total.find((r) => r.measure === 'satisfaction_rate')!;
    expect(byDistrict.filter((r) => r.measure === 'cases').reduce((s, r) => s + r.value!, 0)).toBe(cases);
    const districtRates = byDistrict.filter((r) => r.measure === 'satisfaction_rate');
    expect(districtRates.reduce((s, r) => s + r.numerator!, 0)).toBe(satisfaction.numerator);
    expect(districtRates.reduce((s, r) => s + r.denominator!, 0)).toBe(satisfaction.denominator);
    expect(satisfaction.value).toBeCloseTo(satisfaction.numerator! / satisfaction.denominator!, 12);
    expect(satisfaction.interval![0]).toBeLessThan(satisfaction.value!);
    expect(satisfaction.interval![1]).toBeGreaterThan(satisfaction.value!);
    // A region filter gives the district's own row.
    const chaoyang = (await json<{ rows: Row[] }>(`/api/v1/metrics?measure=cases&year=${YEAR}&region=110105`)).rows[0]!;
    expect(chaoyang.value).toBe(byDistrict.find((r) => r.measure === 'cases' && r.dims.district === '110105')!.value);

    // Year on year: this year as the plain answer; last year's counts, long complete, as last year's answer.
    const yoy = (await json<{ rows: Compared[] }>(`/api/v1/metrics?measure=cases,collective_cases,first_petitions&year=${YEAR}&compare=yoy`)).rows;
    const lastYear = (await json<{ rows: Row[] }>(`/api/v1/metrics?measure=cases,collective_cases,first_petitions&year=${YEAR - 1}`)).rows;
    expect(yoy.find((r) => r.measure === 'cases')!.current.value).toBe(cases);
    for (const r of yoy) {
      expect(r.previous!.value).toBe(lastYear.find((l) => l.measure === r.measure)!.value);
      expect(r.change).toBe(r.current.value! - r.previous!.value!);
      expect(r.relative).toBeCloseTo(r.change! / r.previous!.value!, 12);
    }

    // The three declines are the same three comparisons.
    const declines = await json<{ period: { from: string; to: string }; items: { measure: string; current: number; previous: number; change: number; declined: boolean }[]; achieved: boolean }>(
      `/api/v1/metrics/three-declines?year=${YEAR}`,
    );
    expect(declines.period).toMatchObject({ from: `${YEAR}-01-01`, to: `${YEAR}-12-31` });
    expect(declines.items.map((i) => i.measure)).toEqual(['cases', 'collective_cases', 'first_petitions']);
    for (const item of declines.items) {
      const r = yoy.find((y) => y.measure === item.measure)!;
      expect(item).toMatchObject({ current: r.current.value, previous: r.previous!.value, change: r.change, declined: r.change! < 0 });
    }
    expect(declines.achieved).toBe(declines.items.every((i) => i.declined));
  });

  it('ranks districts fairly: the counts of the measure, best first, too-small units unranked with the reason', async () => {
    type Ranking = { request: { minVolume: number }; better: string; units: Unit[] };
    const ranking = await json<Ranking>(`/api/v1/metrics/ranking?measure=satisfaction_rate&by=district&year=${YEAR}`);
    expect(ranking).toMatchObject({ better: 'higher', request: { minVolume: 30 } });
    const rows = (await json<{ rows: Row[] }>(`/api/v1/metrics?measure=satisfaction_rate&by=district&year=${YEAR}`)).rows;
    expect(ranking.units).toHaveLength(rows.length);
    for (const u of ranking.units) {
      const row = rows.find((r) => r.dims.district === u.unit)!;
      expect(u).toMatchObject({ value: row.value, numerator: row.numerator, denominator: row.denominator, interval: row.interval, volume: row.denominator });
      expect(u.name).toMatch(/区$/);
    }
    const ranked = ranking.units.filter((u) => u.rank !== null);
    expect(ranked.map((u) => u.rank)).toEqual(ranked.map((_, i) => i + 1));
    for (let i = 1; i < ranked.length; i++) expect(ranked[i]!.value!).toBeLessThanOrEqual(ranked[i - 1]!.value!);
    expect(new Set(ranked.map((u) => u.tier))).toEqual(new Set(['small', 'medium', 'large']));

    // A minimum above some districts' volume leaves them unranked, each with its count.
    const volumes = ranking.units.map((u) => u.volume).sort((a, b) => a - b);
    const minVolume = volumes[Math.floor(volumes.length / 2)]!;
    const strict = await json<Ranking>(`/api/v1/metrics/ranking?measure=satisfaction_rate&by=district&year=${YEAR}&minVolume=${minVolume}`);
    const unranked = strict.units.filter((u) => u.rank === null);
    expect(unranked.map((u) => u.unit).sort()).toEqual(ranking.units.filter((u) => u.volume < minVolume).map((u) => u.unit).sort());
    for (const u of unranked) expect(u.unranked).toBe(`fewer than ${minVolume} cases in the denominator (${u.volume})`);
  });

  it('gives the same rows as Arrow IPC as as JSON', async () => {
    const path = `/api/v1/metrics?measure=cases,satisfaction_rate&by=month&year=${YEAR}`;
    const { rows } = await json<{ rows: Row[] }>(path);
    expect(rows).toHaveLength(24);
    const arrow = await api('analyst', path, { headers: { accept: 'application/vnd.apache.arrow.stream' } });
    expect(arrow.status).toBe(200);
    expect(arrow.headers.get('content-type')).toContain('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    expect(table.schema.fields.map((f) => f.name)).toEqual(['measure', 'month', 'value', 'numerator', 'denominator']);
    const decoded = table.toArray().map((r) => r.toJSON());
    expect(decoded).toEqual(
      rows.map((r) => ({ measure: r.measure, month: r.dims.month, value: r.value, numerator: r.numerator ?? null, denominator: r.denominator ?? null })),
    );
  });

  it('refuses a bad question with 400 and names the problem', async () => {
    const problem = async (path: string) => {
      const response = await api('analyst', path);
      expect(response.status, path).toBe(400);
      return (await response.json()) as { error: string; problems?: { at: string; problem: string }[] };
    };
    expect((await problem('/api/v1/metrics?measure=cases,nope&year=2025')).problems).toEqual([
      { at: 'measure.1', problem: expect.stringMatching(/^unknown measure "nope"; see GET \/api\/(v1\/)?metrics\/catalog$/) },
    ]);
    expect((await problem('/api/v1/metrics?measure=cases&from=2025-13-01&to=2025-12-31')).problems).toEqual([
      { at: 'from', problem: expect.stringMatching(/2025-13-01/) },
    ]);
    expect((await problem('/api/v1/metrics?measure=cases&from=2025-12-01&to=2025-01-01')).error).toBe('the period ends (2025-01-01) before it begins (2025-12-01)');
    expect((await problem('/api/v1/metrics?measure=cases&year=2025&from=2025-01-01')).error).toBe('give either year or from/to, not both');
    expect((await problem('/api/v1/metrics?measure=cases&year=2025&by=galaxy')).problems?.[0]?.problem).toMatch(/unknown dimension "galaxy"/);
    // An unknown region is a bad question; a known one the user's jurisdiction does not hold is refused naming the jurisdiction.
    expect((await problem('/api/v1/metrics?measure=cases&year=2025&region=999')).problems).toEqual([{ at: 'region', problem: expect.stringMatching(/unknown region code "999"/) }]);
    const outside = await api('analyst-chaoyang', '/api/v1/metrics?measure=cases&year=2025&region=110108');
    expect(outside.status).toBe(403);
    expect(await outside.json()).toMatchObject({ code: 'outside_jurisdiction', error: 'region 110108 lies outside your jurisdiction (region 110105)' });
    expect((await problem('/api/v1/metrics/ranking?measure=happiness&year=2025')).problems).toEqual([{ at: 'measure', problem: 'unknown measure "happiness"' }]);
    expect((await problem('/api/v1/metrics/three-declines?year=last')).problems?.[0]?.at).toBe('year');
    expect((await problem('/api/v1/reports/annual-data?year=2025&asOf=2025-02-30')).problems?.[0]?.at).toBe('asOf');
  });

  it('serves the annual report dataset, each figure with its request and the same numbers as the measures', async () => {
    type Figure<T> = { title: string; request: { measures: string[]; from: string; to: string }; data: T };
    const annual = await json<{ year: number; region: { code: string; level: string }; statistics: { totals: Figure<Compared[]>; byMonth: Figure<Row[]>; threeDeclines: Figure<{ achieved: boolean }> } }>(
      `/api/v1/reports/annual-data?year=${YEAR}`,
    );
    expect(annual).toMatchObject({ year: YEAR, region: { level: 'city' } });
    const { totals, byMonth, threeDeclines } = annual.statistics;
    expect(byMonth.request).toMatchObject({ measures: ['cases'], from: `${YEAR}-01-01`, to: `${YEAR}-12-31`, by: ['month'] });
    const monthly = (await json<{ rows: Row[] }>(`/api/v1/metrics?measure=cases&by=month&year=${YEAR}`)).rows;
    expect(byMonth.data.map((r) => r.value)).toEqual(monthly.map((r) => r.value));
    expect(totals.data.find((r) => r.measure === 'cases')!.current.value).toBe(monthly.reduce((s, r) => s + r.value!, 0));
    expect(threeDeclines.data.achieved).toBe((await json<{ achieved: boolean }>(`/api/v1/metrics/three-declines?year=${YEAR}`)).achieved);
  });

  // ---- The petition index and the early-warning alerts on the page ----

  type IndexAnswer = {
    year: number;
    method: { id: string; normalisation: string; aggregation: string; uncertainty: { runs: number; rankInterval: [number, number] } };
    indicators: { id: string; labelZh: string; labelEn: string; direction: 'pressure' | 'relief'; weight: number; perTenThousand: boolean }[];
    units: { unit: string; name: string; index: number; rank: number; rankInterval: [number, number]; medianRank: number; indicators: { measure: string; imputed: boolean }[] }[];
  };
  it('shows the petition index: each district’s index, rank and rank interval, and the method’s indicators and weights, as the API serves them', async () => {
    const index = await json<IndexAnswer>(`/api/v1/petition-index?year=${YEAR}`);
    expect(index.units).toHaveLength(16);
    const { page, errors } = await openPage('leader');
    const panel = page.locator('#petition-index[data-state="ready"]');
    await panel.waitFor({ timeout: 30_000 });

    const shown = await page.locator('#index-table tbody tr').evaluateAll((els) =>
      els.map((e) => ({ ...(e as HTMLElement).dataset, name: e.children[1]!.textContent, interval: e.querySelector('.rank-interval')!.textContent })),
    );
    // Interpolated quantile ranks are shown to one decimal, whole ones without.
    const rank = (r: number) => String(Math.round(r * 10) / 10);
    expect(shown).toEqual(
      index.units.map((u) => ({
        unit: u.unit,
        name: u.name,
        rank: String(u.rank),
        index: String(u.index),
        rankLow: String(u.rankInterval[0]),
        rankHigh: String(u.rankInterval[1]),
        medianRank: String(u.medianRank),
        imputed: index.indicators.filter((_, j) => u.indicators[j]!.imputed).map((i) => i.id).join(','),
        interval: u.rankInterval[0] === u.rankInterval[1] ? rank(u.rankInterval[0]) : `${rank(u.rankInterval[0])}–${rank(u.rankInterval[1])}`,
      })),
    );
    // The uncertainty is real: some district's rank is not pinned down by the method's choices.
    expect(index.units.some((u) => u.rankInterval[1] > u.rankInterval[0])).toBe(true);
    expect(await page.locator('#index-table .ci').count()).toBe(16);

    const total = index.indicators.reduce((s, i) => s + i.weight, 0);
    const method = await page.locator('#index-indicators tbody tr').evaluateAll((els) =>
      els.map((e) => {
        const { measure, weight, direction } = (e as HTMLElement).dataset;
        return { measure, weight, direction, label: e.children[0]!.textContent, weightText: e.children[2]!.textContent };
      }),
    );
    expect(method.map(({ measure, weight, direction }) => ({ measure, weight, direction }))).toEqual(
      index.indicators.map((i) => ({ measure: i.id, weight: String(i.weight), direction: i.direction })),
    );
    method.forEach((m, j) => {
      const i = index.indicators[j]!;
      expect(m.label).toContain(i.labelZh);
      expect(m.weightText).toContain(`(${Math.round((i.weight / total) * 100)}%)`);
    });
    const dl = page.locator('#petition-index dl.method');
    expect(await dl.getAttribute('data-method')).toBe(index.method.id);
    expect(await dl.getAttribute('data-normalisation')).toBe(index.method.normalisation);
    expect(await dl.getAttribute('data-aggregation')).toBe(index.method.aggregation);
    expect(await dl.textContent()).toContain(`${index.method.uncertainty.runs.toLocaleString('en-US')} 次蒙特卡洛`);

    // The index always compares the city's districts; choosing one marks it.
    await page.selectOption('#region', '110108');
    await page.locator('#index-table tr.current[data-unit="110108"]').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('shows the overview in Chromium with the API’s numbers: indicators, declines, trend, channels, fields, map, ranking', async () => {
    const { page, errors: pageErrors } = await openPage('leader');
    await page.locator('#dashboard[data-page="overview"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/overview');
    const catalog = new Map((await json<{ measures: CatalogMeasure[] }>('/api/v1/metrics/catalog')).measures.map((m) => [m.id, m]));

    // The indicator tiles: the last complete year, year on year, as the API answers.
    expect(await page.locator('#year').inputValue()).toBe(String(YEAR));
    await page.locator('#kpis[data-state="ready"]').waitFor({ timeout: 30_000 });
    const yoy = (await json<{ rows: Compared[] }>(`/api/v1/metrics?measure=${KPIS.join(',')}&year=${YEAR}&compare=yoy`)).rows;
    expect(await page.locator('#kpis .tile').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.measure))).toEqual(KPIS);
    for (const id of KPIS) {
      const m = catalog.get(id)!;
      const row = yoy.find((r) => r.measure === id)!;
      const tile = page.locator(`#kpis .tile[data-measure="${id}"]`);
      expect(Number(await tile.getAttribute('data-value'))).toBe(row.current.value);
      expect(Number(await tile.getAttribute('data-change'))).toBe(row.change);
      expect(await tile.getAttribute('data-tone')).toBe(tone(m.better, row.change));
      expect(await tile.locator('h3').textContent()).toBe(m.labelZh);
      const title = (await tile.getAttribute('title'))!;
      expect(title).toContain(m.description);
      expect(title).toContain(m.basis);
      const shown = (await tile.locator('.value').textContent())!;
      if (m.kind === 'rate') expect(shown).toBe(`${(row.current.value! * 100).toFixed(1)}%`);
      else expect(Number(shown.replaceAll(',', ''))).toBe(row.current.value);
    }

    // The three declines.
    const declines = await json<{ items: { measure: string; current: number; previous: number; declined: boolean }[]; achieved: boolean }>(`/api/v1/metrics/three-declines?year=${YEAR}`);
    await page.locator('#declines[data-state="ready"]').waitFor();
    expect(await page.locator('#declines .verdict').textContent()).toContain(declines.achieved ? '已实现' : '未实现');
    expect(await page.locator('#declines tbody tr').evaluateAll((els) => els.map((e) => ({ ...(e as HTMLElement).dataset })))).toEqual(
      declines.items.map((i) => ({ measure: i.measure, current: String(i.current), previous: String(i.previous), declined: String(i.declined) })),
    );

    // The monthly trend of the year against the year before, and channels and fields, as the API counts them.
    const monthly = (await json<{ rows: Row[] }>(`/api/v1/metrics?measure=cases&by=month&year=${YEAR}`)).rows;
    const before = (await json<{ rows: Row[] }>(`/api/v1/metrics?measure=cases&by=month&year=${YEAR - 1}`)).rows;
    const sum = (rows: Row[]) => rows.reduce((s, r) => s + (r.value ?? 0), 0);
    await page.locator('#trend-chart[data-drawn="true"]').waitFor();
    expect(Number(await page.locator('#trend-chart').getAttribute('data-total'))).toBe(sum(monthly));
    expect(Number(await page.locator('#trend-chart').getAttribute('data-previous-total'))).toBe(sum(before));
    expect(Number(await page.locator('#trend-chart').getAttribute('data-points'))).toBe(12);
    const redPixels = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#trend-chart canvas')!;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - 0xb8) < 8 && Math.abs(data[i + 1]! - 0x32) < 8 && Math.abs(data[i + 2]! - 0x2f) < 8) count++;
      return count;
    });
    expect(redPixels).toBeGreaterThan(200);
    await page.locator('#channel-chart[data-drawn="true"]').waitFor();
    expect(Number(await page.locator('#channel-chart').getAttribute('data-total'))).toBe(sum(monthly));
    await page.locator('#field-chart[data-drawn="true"]').waitFor();

    // The fair ranking: satisfaction by district, as ranked by the API.
    await page.locator('#ranking[data-state="ready"]').waitFor();
    const satisfaction = await json<{ units: Unit[] }>(`/api/v1/metrics/ranking?measure=satisfaction_rate&by=district&year=${YEAR}`);
    const shownUnits = () => page.locator('#ranking-table tbody tr[data-unit]').evaluateAll((els) => els.map((e) => ({ unit: (e as HTMLElement).dataset.unit, rank: (e as HTMLElement).dataset.rank })));
    const expected = (units: Unit[]) => units.filter((u) => u.rank !== null).map((u) => ({ unit: u.unit, rank: String(u.rank) }));
    expect(await shownUnits()).toEqual(expected(satisfaction.units));
    // A minimum volume that is not a whole number is refused on the page, in words, and never asked for.
    const asked: string[] = [];
    page.on('request', (request) => asked.push(request.url()));
    await page.fill('#min-volume', '-5');
    await page.locator('#min-volume').dispatchEvent('change');
    await page.locator('#ranking[data-state="error"]', { hasText: '最少件数须为不小于 0 的整数' }).waitFor();
    expect(await page.locator('#min-volume').getAttribute('aria-invalid')).toBe('true');
    expect(asked.filter((u) => u.includes('minVolume=-5'))).toEqual([]);
    const onTime = await json<{ units: Unit[] }>(`/api/v1/metrics/ranking?measure=on_time_completion_rate&by=district&year=${YEAR}`);
    const minVolume = onTime.units.map((u) => u.volume).sort((a, b) => a - b)[4]!;
    await page.selectOption('#ranking-measure', 'on_time_completion_rate');
    await page.fill('#min-volume', String(minVolume));
    await page.locator('#min-volume').dispatchEvent('change');
    const strict = await json<{ units: Unit[] }>(`/api/v1/metrics/ranking?measure=on_time_completion_rate&by=district&year=${YEAR}&minVolume=${minVolume}`);
    await expect.poll(shownUnits).toEqual(expected(strict.units));
    expect(new URL(page.url()).searchParams.get('minVolume')).toBe(String(minVolume));
    expect(await page.locator('#unranked-table tbody tr').count()).toBe(strict.units.filter((u) => u.rank === null).length);

    // The map colours the 16 districts by the measure chosen, with the API's values.
    await page.locator('#map-chart[data-drawn="true"]').waitFor();
    expect(Number(await page.locator('#map-chart').getAttribute('data-districts'))).toBe(16);
    const byDistrict = (await json<{ rows: Row[] }>(`/api/v1/metrics?measure=cases&by=district&year=${YEAR}`)).rows;
    const mapValues = await page.locator('#map-table tbody tr').evaluateAll((els) => els.map((e): [string, number] => [(e as HTMLElement).dataset.unit ?? '', Number((e as HTMLElement).dataset.value)]));
    expect(new Map(mapValues)).toEqual(new Map(byDistrict.map((r) => [r.dims.district, r.value])));
    await page.locator('#petition-index[data-state="ready"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('#health li.ok').count()).toBe(2);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
    await page.locator('#map').screenshot({ path: join(ARTIFACTS, 'map.png') });

    // A click on a district of the map makes it the page's region: every panel follows.
    const box = (await page.locator('#map-chart canvas').boundingBox())!;
    let clicked: string | null = null;
    for (const [fx, fy] of [[0.5, 0.5], [0.55, 0.6], [0.45, 0.4], [0.6, 0.45], [0.4, 0.65], [0.5, 0.3]] as const) {
      await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
      clicked = new URL(page.url()).searchParams.get('region');
      if (clicked) break;
    }
    expect(clicked, 'a click inside the map chose a district').toMatch(/^1101\d\d$/);
    await page.locator('#kpis[data-state="ready"]').waitFor();
    const district = (await json<{ rows: Compared[] }>(`/api/v1/metrics?measure=cases&year=${YEAR}&region=${clicked}&compare=yoy`)).rows[0]!;
    await expect.poll(async () => Number(await page.locator('#kpis .tile[data-measure="cases"]').getAttribute('data-value'))).toBe(district.current.value);
    expect(await page.locator('#region').inputValue()).toBe(clicked);
    // The same view again from its address: the URL holds it.
    const shared = page.url();
    const again = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await again.goto(shared);
    await logIn(again, 'leader');
    await again.locator('#kpis[data-state="ready"]').waitFor({ timeout: 30_000 });
    expect(await again.locator('#region').inputValue()).toBe(clicked);
    expect(Number(await again.locator('#kpis .tile[data-measure="cases"]').getAttribute('data-value'))).toBe(district.current.value);
    await again.close();

    const violations = await axeOf(page);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), JSON.stringify(violations, null, 1)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('says a year without data has none instead of drawing zeros, and fits a phone’s width', async () => {
    const years = Array.from({ length: 7 }, (_, i) => YEAR + 1 - i);
    const counts = await Promise.all(years.map(async (y) => [y, (await json<{ rows: Row[] }>(`/api/v1/metrics?measure=cases&year=${y}`)).rows[0]!.value] as const));
    const empty = counts.find(([, n]) => n === 0)?.[0];
    expect(empty, `a year without demo data among ${JSON.stringify(counts)}`).toBeDefined();
    const { page, errors } = await openPage('leader', `/overview?year=${empty}`);
    for (const id of ['kpis', 'declines', 'trend', 'ranking', 'map', 'petition-index']) {
      await page.locator(`#${id}[data-state="empty"]`).waitFor({ timeout: 30_000 });
      expect(await page.locator(`#${id} .missing`).textContent(), id).toMatch(/没有|无数据/);
    }
    expect(await page.locator('#kpis .tile').count()).toBe(0);
    expect(await page.locator('#index-table').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'overview-no-data.png'), fullPage: true });
    await page.close();

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(system.url);
    await logIn(phone, 'leader');
    await phone.locator('#kpis[data-state="ready"]').waitFor({ timeout: 30_000 });
    await phone.locator('#ranking[data-state="ready"]').waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(ARTIFACTS, 'overview-phone.png'), fullPage: true });
    // In English, every heading is English.
    await phone.click('#lang');
    await phone.locator('#kpis-title', { hasText: 'Key indicators' }).waitFor();
    expect(await phone.locator('html').getAttribute('lang')).toBe('en');
    await phone.close();
    expect(errors).toEqual([]);
  }, 120_000);

  it('lists the work queue as the API does, and its overdue view with the longest late first (case work itself: case-work.test.ts)', async () => {
    const { page, errors } = await openPage('clerk');
    await page.locator('#dashboard[data-page="cases"]').waitFor();
    await page.locator('#queue[data-state="ready"]').waitFor();
    const listed = await json<{ cases: { case_id: string }[] }>('/api/v1/cases?limit=50', 'clerk');
    expect(await page.locator('#cases-table tbody tr').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.case))).toEqual(listed.cases.map((c) => c.case_id));

    await page.click('#queue-overdue');
    await page.locator('#cases-table[data-filter=\'{"overdue":true}\']').waitFor();
    const overdue = await json<{ cases: { case_id: string; overdue: { step: string } }[]; total: number }>('/api/v1/cases?limit=50&overdue=true', 'clerk');
    expect(overdue.total).toBeGreaterThan(0);
    expect(await page.locator('#cases-table tbody tr').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.case))).toEqual(overdue.cases.map((c) => c.case_id));
    expect(new URL(page.url()).searchParams.get('overdue')).toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'cases.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows the reports page with the annual dataset of the leader's region and year, as the API gives it, and generates the report", async () => {
    const { page, errors } = await openPage('leader', '/reports');
    await page.locator('#annual-data[data-state="ready"]').waitFor({ timeout: 30_000 });
    const href = await page.locator('#annual-download').getAttribute('href');
    expect(href).toBe(`/api/v1/reports/annual-data?year=${YEAR}&region=110000`);
    const shown = JSON.parse((await page.locator('#annual-data pre').textContent())!) as unknown;
    expect(shown).toEqual(await json(href!, 'leader'));
    // The report itself, generated from the page as HTML (the quickest format), is kept and listed with its download.
    await page.locator('#reports-stored[data-state="empty"]').waitFor();
    await page.selectOption('#report-format', 'html');
    await page.click('#report-submit');
    await page.locator('#report-verdict', { hasText: '已生成第 1 版' }).waitFor({ timeout: 60_000 });
    await page.locator('#reports-stored[data-state="ready"] #reports-table tbody tr').waitFor();
    const { reports } = await json<{ reports: { id: string; download: string; format: string }[] }>('/api/v1/reports?region=110000', 'leader');
    expect(reports.map((r) => r.format)).toEqual(['html']);
    expect(await page.locator('#reports-table tbody tr').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.report))).toEqual([reports[0]!.id]);
    const downloaded = await (await api('leader', reports[0]!.download)).text();
    expect(downloaded).toContain('北京市');
    await page.screenshot({ path: join(ARTIFACTS, 'reports.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  // ---- Logging in, and what each role sees ----

  /** The pages of the navigation, each with the permission that offers it. */
  const NAV: Record<string, Permission[]> = {
    overview: ['metrics.read'],
    explorer: ['metrics.read'],
    warnings: ['alerts.read'],
    cases: ['cases.read'],
    duties: ['duties.read'],
    accountability: ['accountability.read'],
    recommendations: ['recommendations.read', 'disputes.read'],
    reports: ['metrics.read'],
    admin: ['users.manage', 'audit.read'],
  };
  /** What the pages of a permission ask the API: a role without it must not ask. */
  const ASKED_FOR: [Permission, RegExp][] = [
    ['metrics.read', /^\/api\/v1\/(metrics|petition-index|geo)/],
    ['alerts.read', /^\/api\/v1\/early-warning\//],
    ['cases.read', /^\/api\/v1\/cases/],
    ['duties.read', /^\/api\/v1\/duties/],
    ['accountability.read', /^\/api\/v1\/accountability/],
  ];
  const CITY = '110000';
  const LANDING: Record<string, string> = { analyst: 'explorer', officer: 'cases', clerk: 'cases', admin: 'admin' };

  it('answers 401 without a login and 403 to a write without its CSRF token; the page then shows the login form and no data', async () => {
    const anonymous = await api(null, '/api/v1/cases/E2E-1');
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).code).toBe('unauthenticated');
    const { cookie } = await loginHeaders('clerk');
    const forged = await fetch(new URL('/api/v1/cases', system.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookie! },
      body: JSON.stringify({ channel: 'letter', regionCode: '110108' }),
    });
    expect(forged.status).toBe(403);
    expect((await forged.json()).code).toBe('csrf');

    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watch(page);
    const asked: string[] = [];
    page.on('request', (request) => asked.push(new URL(request.url()).pathname));
    // A bookmarked page of the application is served the application, which asks for the login.
    const response = await page.goto(new URL('/explorer?measure=cases', system.url).href);
    expect(response!.status()).toBe(200);
    // The page is checked under the policy the server really sends.
    expect(response!.headers()['content-security-policy']).toMatch(/script-src 'self'.*style-src 'self'/);
    await page.locator('#login-form').waitFor();
    // The form asks which login methods exist after it is drawn.
    await expect.poll(() => asked.filter((path) => path.startsWith('/api/')).sort()).toEqual(['/api/v1/session', '/api/v1/session/methods']);
    // No identity provider in this deployment: no link to one.
    expect(await page.locator('#login-oidc').count()).toBe(0);
    expect(await page.locator('#dashboard section:not(#login)').count()).toBe(0);
    expect(await page.locator('#who').count()).toBe(0);
    expect(await page.locator('#health li').count()).toBe(0);
    // A file that does not exist stays a 404, not the application.
    expect((await fetch(new URL('/no-such-file.js', system.url))).status).toBe(404);
    expect(errors).toEqual([]);
    await page.close();
  });

  const ROLE_USERS = ['admin', 'leader', 'leader-chaoyang', 'analyst', 'clerk-chaoyang', 'officer-education', 'inspector'];
  it.each(ROLE_USERS)('shows %s, logged in through the form, the pages the role may see and asks the API for nothing more', async (username) => {
    const user = BEIJING_DEMO_USERS.find((u) => u.username === username)!;
    const role = ROLES[user.role];
    const may = (permission: Permission) => roleAllows(user.role, permission);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watch(page);
    const asked: string[] = [];
    const refused: string[] = [];
    page.on('request', (request) => asked.push(new URL(request.url()).pathname));
    page.on('response', (response) => {
      if (response.status() === 401 || response.status() === 403) refused.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    await page.goto(system.url);
    await logIn(page, username);
    await page.locator(`#dashboard[data-role="${user.role}"]`).waitFor({ timeout: 30_000 });

    expect(await page.locator('#who-name').textContent()).toBe(user.displayName);
    expect(await page.locator('#who-role').textContent()).toBe(role.labelZh);
    expect(await page.locator('#who-scope').textContent()).toContain(user.regionCode ?? user.organCode!);

    const pages = Object.entries(NAV).filter(([, any]) => any.some(may)).map(([id]) => id);
    expect(await page.locator('nav a').evaluateAll((els) => els.map((e) => e.id.replace('nav-', '')))).toEqual(pages);
    const landing = pages.includes(LANDING[user.role] ?? 'overview') ? (LANDING[user.role] ?? 'overview') : (pages[0] ?? 'none');
    await page.locator(`#dashboard[data-page="${landing}"]`).waitFor();
    expect(new URL(page.url()).pathname).toBe(landing === 'none' ? '/' : `/${landing}`);
    // Every panel of the landing page finishes loading: nothing hangs, nothing is refused.
    await expect.poll(() => page.locator('#dashboard section[data-state="loading"]').count(), { timeout: 30_000 }).toBe(0);
    expect(await page.locator('#dashboard section[data-state="error"]').count()).toBe(0);

    for (const [permission, paths] of ASKED_FOR) {
      if (!may(permission)) expect(asked.filter((path) => paths.test(path)), `${username} asked for ${permission}`).toEqual([]);
    }
    expect(refused).toEqual(['401 /api/v1/session']);
    // The petition index compares the city's districts: for users of the city only.
    if (landing === 'overview') expect(await page.locator('#petition-index').count()).toBe(user.regionCode === CITY ? 1 : 0);

    // A role with no page is told what it may do instead of being shown empty pages.
    expect(await page.locator('#role-note').count()).toBe(pages.length ? 0 : 1);
    if (!pages.length) {
      const grants = await page.locator('#role-note li').evaluateAll((els) => els.map((e) => [(e as HTMLElement).dataset.grant, e.textContent]));
      expect(grants).toEqual(role.permissions.map((p) => [p, PERMISSIONS[p]]));
    }
    if (landing === 'overview') {
      // The region selector offers the user's own region and what lies under it; the indicators are the API's for it.
      const offered = await page.locator('#region option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
      const places = (await json<{ places: { code: string; parent: string | null }[] }>('/api/v1/reference', username)).places;
      expect(offered).toEqual([user.regionCode, ...places.filter((p) => p.parent === user.regionCode).map((p) => p.code)]);
      const yoy = (await json<{ rows: Compared[] }>(`/api/v1/metrics?measure=${KPIS.join(',')}&year=${YEAR}&compare=yoy&region=${user.regionCode}`, username)).rows;
      await page.locator('#kpis[data-state="ready"]').waitFor();
      const tiles = await page.locator('#kpis .tile').evaluateAll((els) => els.map((e) => [(e as HTMLElement).dataset.measure, Number((e as HTMLElement).dataset.value)]));
      expect(tiles).toEqual(KPIS.map((id) => [id, yoy.find((r) => r.measure === id)!.current.value]));
    }
    // A page the role may not see, asked for by address, is not shown: the user lands on its own.
    await page.goto(new URL('/warnings', system.url).href);
    await page.locator(`#dashboard[data-role="${user.role}"]`).waitFor();
    if (!may('alerts.read')) await expect.poll(() => new URL(page.url()).pathname).not.toBe('/warnings');

    await page.screenshot({ path: join(ARTIFACTS, `login-${username}.png`), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('tells a wrong password and a throttled login on the form, and logs in once the wait is over', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watch(page);
    await page.goto(system.url);
    await logIn(page, 'leader', 'not-the-password');
    await page.locator('#login-error', { hasText: '登录失败: wrong user name or password' }).waitFor();
    expect(await page.locator('#dashboard section:not(#login)').count()).toBe(0);
    expect(await page.locator('#login-password').inputValue()).toBe('');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'login-failed.png') });

    // Failures beyond the free ones make the next attempt wait; the form says how long and holds its button until then.
    const fail = () => api(null, '/api/v1/session', { method: 'POST', body: JSON.stringify({ username: 'leader', password: 'still-not-it' }) });
    expect((await fail()).status).toBe(401);
    expect((await fail()).status).toBe(401);
    await logIn(page, 'leader');
    await page.locator('#login-error', { hasText: /^登录失败: 请求过多，请 \d+ 秒后再试: too many failed logins; try again in \d+ s$/ }).waitFor();
    await page.locator('#login-form button[type=submit]:enabled').waitFor({ timeout: 10_000 });
    await logIn(page, 'leader');
    await page.locator('#who[data-user="leader"]').waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('logs out back to the login form, after which the old cookie is refused; a session ended elsewhere brings the form back too', async () => {
    const { page, errors } = await openPage('clerk-chaoyang');
    await page.locator('#queue[data-state="ready"], #queue[data-state="empty"]').waitFor({ timeout: 30_000 });
    const cookieOf = async () => {
      const session = (await page.context().cookies()).find((c) => c.name === 'xw_session')!;
      return `${session.name}=${session.value}`;
    };
    const before = await cookieOf();
    expect((await fetch(new URL('/api/v1/session', system.url), { headers: { cookie: before } })).status).toBe(200);
    await page.click('#logout');
    await page.locator('#login-form').waitFor();
    expect(await page.locator('#dashboard section:not(#login)').count()).toBe(0);
    expect(await page.locator('#who').count()).toBe(0);
    for (const path of ['/api/v1/session', '/api/v1/cases/E2E-1']) {
      expect((await fetch(new URL(path, system.url), { headers: { cookie: before } })).status, path).toBe(401);
    }

    // Logged in again, the session is ended by another client (as by an expiry): the next call the page makes brings the form back.
    await logIn(page, 'clerk-chaoyang');
    await page.locator('#queue[data-state="ready"], #queue[data-state="empty"]').waitFor({ timeout: 30_000 });
    const cookie = await cookieOf();
    const { csrfToken } = (await (await fetch(new URL('/api/v1/session', system.url), { headers: { cookie } })).json()) as { csrfToken: string };
    expect((await fetch(new URL('/api/v1/session', system.url), { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrfToken } })).status).toBe(200);
    await page.click('#queue-overdue');
    await page.locator('#login-error', { hasText: '会话已结束' }).waitFor();
    expect(await page.locator('#dashboard section:not(#login)').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
