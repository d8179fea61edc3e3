/**
 * The administration routes (issue 15) on the real store: imports with their batch facts and
 * quarantine, a batch's quarantined rows with their reasons confined to the caller's region,
 * the data's coverage (the holiday calendar's years, the months of case data), and user
 * management as the audit log records it, refusals included, found again by its filters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsStore } from '../../analytics/store.js';
import { loadChinaCalendar, PROVISIONAL_YEARS } from '../../rules/calendar.js';
import { statutoryHolidays } from '../../rules/statutory-holidays.js';
import { chinaDateOf } from '../../rules/plain-date.js';
import type { BatchQuarantine, DataCoverage, ImportBatch } from '../../server/admin-routes.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { loginAs, seedUsers, TEST_PASSWORD, tokenHeaders } from '../support/login.js';

let store: AnalyticsStore;
let app: RunningApp;
let dataDir: string;
const headers = new Map<string, Record<string, string>>();

beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await seedUsers(store);
  dataDir = mkdtempSync(join(tmpdir(), 'xinfang-admin-'));
  app = await startApiApp({ store, env: { XINFANG_DATA_DIR: dataDir } });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call<T = Record<string, unknown>>(user: string, path: string, init: { method?: string; body?: unknown; raw?: string } = {}) {
  if (!headers.has(user)) headers.set(user, await tokenHeaders(store, user));
  const res = await fetch(`${app.base}/api/v1${path}`, {
    method: init.method ?? (init.body === undefined && init.raw === undefined ? 'GET' : 'POST'),
    headers: { ...headers.get(user), ...(init.raw !== undefined ? { 'content-type': 'application/octet-stream' } : init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.raw !== undefined ? { body: init.raw } : init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T & { code?: string; error?: string; problems?: { at: string }[] } };
}

// Two good rows (Haidian in March, Chaoyang in May: April has no case), a Chaoyang row with a
// channel that is none, and a row whose region the hierarchy does not have.
const CSV = [
  'case_id,received_at,channel,region_code',
  'ADM-1,2025-03-03T09:00:00+08:00,letter,110108',
  'ADM-2,2025-05-06T09:00:00+08:00,visit,110105',
  'ADM-3,2025-05-07T09:00:00+08:00,pigeon,110105',
  'ADM-4,2025-05-08T09:00:00+08:00,letter,999999',
  '',
].join('\n');

let batchId = '';

describe('imports and their quarantine', () => {
  it('lists an upload with its counts and its quarantine by kind and reason', async () => {
    const upload = await call<{ batchId: string; reasons: { reason: string; rows: number }[] }>('admin', '/imports?filename=admin-test.csv', { raw: CSV });
    expect(upload.status).toBe(200);
    batchId = upload.body.batchId;

    const listed = await call<{ imports: ImportBatch[] }>('admin', '/imports');
    expect(listed.status).toBe(200);
    const batch = listed.body.imports.find((b) => b.batchId === batchId)!;
    expect(batch).toMatchObject({
      mapping: null,
      cases: { read: 4, imported: 2, quarantined: 2, duplicate: 0 },
      files: [{ file: 'admin-test.csv', kind: 'cases', read: 4, imported: 2, quarantined: 2 }],
      quarantine: { total: 2, byKind: { case: 2 } },
    });
    expect(batch.actor).toContain('(admin;');
    // The reasons are the importer's own, as its report gave them.
    expect(batch.quarantine.topReasons).toEqual([...upload.body.reasons].sort((a, b) => b.rows - a.rows || a.reason.localeCompare(b.reason)));
    expect(batch.quarantine.topReasons).toHaveLength(2);
  });

  it("gives a batch's rows with file, line and reason; below the city only the region's rows, the rest counted", async () => {
    const city = await call<BatchQuarantine>('admin', `/imports/${batchId}/quarantine`);
    expect(city.status).toBe(200);
    expect(city.body).toMatchObject({ batchId, total: 2, withheld: 0 });
    expect(city.body.rows.map((r) => [r.file, r.line, r.kind, r.regionCode])).toEqual([
      ['admin-test.csv', 4, 'case', '110105'],
      ['admin-test.csv', 5, 'case', '999999'],
    ]);
    expect(city.body.rows[0]!.reason).toMatch(/channel/);
    expect(city.body.rows[1]!.reason).toMatch(/region/);
    expect(city.body.rows[0]!.raw).toMatchObject({ case_id: 'ADM-3', channel: 'pigeon' });

    // A district's administrator: its own district's row; the row of no known region is the city's.
    expect((await call('admin', '/users', { body: { username: 'admin-chaoyang', displayName: '朝阳区管理员', role: 'admin', regionCode: '110105', password: TEST_PASSWORD } })).status).toBe(201);
    const district = await call<BatchQuarantine>('admin-chaoyang', `/imports/${batchId}/quarantine`);
    expect(district.body).toMatchObject({ region: '110105', total: 1, withheld: 1 });
    expect(district.body.rows.map((r) => r.line)).toEqual([4]);

    // Paged, and each read of the rows audited with the batch.
    expect((await call<BatchQuarantine>('admin', `/imports/${batchId}/quarantine?limit=1&offset=1`)).body.rows.map((r) => r.line)).toEqual([5]);
    const reads = await call<{ entries: { username: string }[] }>('admin', `/audit?action=import.quarantine_read&object=${batchId}`);
    expect(reads.body.entries.map((e) => e.username)).toEqual(['admin', 'admin-chaoyang', 'admin']);
  });

  it('refuses an unknown batch, and every role without imports.write', async () => {
    expect(await call('admin', '/imports/IMP-20000101-00000000/quarantine')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    for (const bad of ['/imports?limit=0', '/imports?limit=abc', '/imports?region=110105', `/imports/${batchId}/quarantine?offset=-1`, '/imports/..%2Fetc/quarantine', '/data/coverage?year=2025']) {
      expect((await call('admin', bad)).status, bad).toBe(400);
    }
    for (const path of ['/imports', `/imports/${batchId}/quarantine`, '/data/coverage']) {
      expect(await call('inspector', path)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
      expect(await call('leader', path)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    }
  });
});

describe("the data's coverage", () => {
  const today = chinaDateOf(new Date());
  const thisYear = Number(today.slice(0, 4));
  const packaged = loadChinaCalendar();
  const window = Array.from({ length: thisYear + 1 - 2025 + 1 }, (_, i) => 2025 + i);

  it("says the months of case data with their gaps, in the caller's jurisdiction", async () => {
    const city = await call<DataCoverage>('admin', '/data/coverage');
    expect(city.status).toBe(200);
    expect(city.body.cases.months).toEqual([
      { month: '2025-03', cases: 1, byOrigin: { import: 1 } },
      { month: '2025-05', cases: 1, byOrigin: { import: 1 } },
    ]);
    expect(city.body.cases.gaps).toEqual(['2025-04']);
    expect(city.body.cases.years).toEqual([{ year: 2025, months: 2, cases: 2 }]);
    expect(city.body.imports).toMatchObject({ batches: 1, quarantined: 2 });
    const district = await call<DataCoverage>('admin-chaoyang', '/data/coverage');
    expect(district.body.cases).toMatchObject({ region: '110105', months: [{ month: '2025-05', cases: 1 }], gaps: [] });
  });

  it('says which years the holiday schedule covers: published by the package or the override file, provisional after them, then missing', async () => {
    const before = process.env.XINFANG_CALENDAR_OVERRIDES;
    try {
      delete process.env.XINFANG_CALENDAR_OVERRIDES;
      const plain = (await call<DataCoverage>('admin', '/data/coverage')).body.calendar;
      expect(plain.override).toBeNull();
      expect(plain.package).toMatchObject({ name: 'chinese-days', firstYear: packaged.firstYear, lastYear: packaged.lastYear });
      // The years of the data to the year after this one; after the package's, the statutory holidays (their distinct days) provisionally.
      const statutoryDays = (year: number) => new Set(statutoryHolidays(year).map((h) => h.date)).size;
      expect(plain.years).toEqual(
        window.map((year) =>
          year <= packaged.lastYear ? { year, status: 'published', source: 'package', holidays: null }
          : year <= packaged.lastYear + PROVISIONAL_YEARS ? { year, status: 'provisional', source: 'statutory', holidays: statutoryDays(year) }
          : { year, status: 'missing', source: null, holidays: null },
        ),
      );
      expect(plain.provisionalYears).toEqual([packaged.lastYear + 1, packaged.lastYear + 2]);
      expect(plain.provisionalDeadlines).toEqual({ cases: 0, recommendations: 0, accountability: 0 });

      // The operator's file: next year with holidays, the one after with none listed; both published, as the file says.
      const file = join(dataDir, 'calendar.json');
      const next = thisYear + 1;
      writeFileSync(file, JSON.stringify({ source: 'test: the State Council schedule', years: { [next]: { holidays: { [`${next}-01-01`]: '元旦' } }, [next + 1]: { holidays: {} } } }));
      process.env.XINFANG_CALENDAR_OVERRIDES = file;
      const extended = (await call<DataCoverage>('admin', '/data/coverage')).body.calendar;
      expect(extended.override).toEqual({ source: 'test: the State Council schedule', years: [next, next + 1] });
      expect(extended.lastYear).toBe(next + 1);
      expect(extended.provisionalYears).toEqual([next + 2, next + 3]);
      expect(extended.years.at(-1)).toEqual({ year: next, status: 'published', source: 'override', holidays: 1 });

      // A file listing no holiday for the year still publishes it; the count of holidays says what it holds.
      writeFileSync(file, JSON.stringify({ source: 'stopgap', years: { [next]: { holidays: {} } } }));
      expect((await call<DataCoverage>('admin', '/data/coverage')).body.calendar.years.at(-1)).toEqual({ year: next, status: 'published', source: 'override', holidays: 0 });
    } finally {
      if (before === undefined) delete process.env.XINFANG_CALENDAR_OVERRIDES;
      else process.env.XINFANG_CALENDAR_OVERRIDES = before;
    }
  });
});

interface Entry {
  action: string;
  outcome: string;
  username: string | null;
  objectIds: string[];
  detail: { username?: string; refused?: string; generated?: boolean } | null;
  at: string;
}

describe('user management in the audit log', () => {
  it('records each action and each refusal, found by user, action, object, outcome and date', async () => {
    const startedAt = new Date().toISOString();
    const created = await call<{ user_id: string }>('admin', '/users', { body: { username: 'audit-probe', displayName: '审计测试', role: 'analyst', regionCode: '110105', password: TEST_PASSWORD } });
    expect(created.status).toBe(201);
    const userId = created.body.user_id;
    const duplicate = await call('admin', '/users', { body: { username: 'audit-probe', displayName: 'x', role: 'analyst', regionCode: '110105', password: TEST_PASSWORD } });
    expect(duplicate).toMatchObject({ status: 409, body: { problems: [{ at: 'username' }] } });
    const badRegion = await call('admin', '/users', { body: { username: 'audit-probe-2', displayName: 'x', role: 'analyst', regionCode: '999999', password: TEST_PASSWORD } });
    expect(badRegion).toMatchObject({ status: 400, body: { problems: [{ at: 'regionCode' }] } });

    // A reset without a password: the server makes one and answers it once; it works, the old one not.
    const reset = await call<{ password: string; note: string }>('admin', '/users/audit-probe/password', { body: {} });
    expect(reset.status).toBe(200);
    expect(reset.body.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    await expect(loginAs(app.base, 'audit-probe', TEST_PASSWORD)).rejects.toThrow(/401/);
    await loginAs(app.base, 'audit-probe', reset.body.password);
    const users = await call<{ users: { username: string; lastLoginAt: string | null; hasPassword: boolean }[] }>('admin', '/users');
    const probe = users.body.users.find((u) => u.username === 'audit-probe')!;
    expect(Date.parse(probe.lastLoginAt!)).toBeGreaterThanOrEqual(Date.parse(startedAt) - 1000);
    expect(users.body.users.find((u) => u.username === 'clerk')!.lastLoginAt).toBeNull();

    expect((await call('admin', '/users/audit-probe/disable', { method: 'POST' })).status).toBe(200);
    await expect(loginAs(app.base, 'audit-probe', reset.body.password)).rejects.toThrow(/401/);
    expect((await call('admin', '/users/admin/disable', { method: 'POST' })).status).toBe(409);

    const audit = async (query: string) => (await call<{ entries: Entry[] }>('admin', `/audit?${query}`)).body.entries;
    const mine = await audit(`user=admin&action=user&from=${encodeURIComponent(startedAt)}`);
    expect(mine.map((e) => [e.action, e.outcome, e.detail?.username])).toEqual([
      ['user.disable', 'denied', 'admin'],
      ['user.disable', 'ok', 'audit-probe'],
      ['user.reset_password', 'ok', 'audit-probe'],
      ['user.create', 'denied', 'audit-probe-2'],
      ['user.create', 'denied', 'audit-probe'],
      ['user.create', 'ok', 'audit-probe'],
    ]);
    expect(mine.find((e) => e.action === 'user.reset_password')!.detail).toMatchObject({ generated: true });
    expect(mine.find((e) => e.action === 'user.create' && e.outcome === 'denied' && e.detail?.username === 'audit-probe')!.detail!.refused).toMatch(/exists/);
    // Newest first, each with its time.
    expect(mine.map((e) => e.at)).toEqual([...mine.map((e) => e.at)].sort().reverse());

    expect((await audit(`object=${userId}`)).map((e) => e.action)).toEqual(['user.disable', 'user.reset_password', 'user.create']);
    expect((await audit(`user=admin&outcome=denied&from=${encodeURIComponent(startedAt)}`)).map((e) => e.action)).toEqual(['user.disable', 'user.create', 'user.create']);
    // The new user's own logins and the failed one after it was disabled.
    expect((await audit(`user=audit-probe`)).map((e) => [e.action, e.outcome])).toEqual([
      ['login_failed', 'denied'],
      ['login', 'ok'],
      ['login_failed', 'denied'],
    ]);
    // A date range of China days: today's holds them, yesterday's none.
    expect(await audit(`object=${userId}&from=${chinaDateOf(new Date())}&to=${chinaDateOf(new Date())}`)).toHaveLength(3);
    expect(await audit(`object=${userId}&to=${chinaDateOf(new Date(Date.now() - 86_400_000))}`)).toEqual([]);
    expect((await call('admin', '/audit/verify')).body).toMatchObject({ ok: true });
  });
});
