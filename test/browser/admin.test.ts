/**
 * The administration page in Debian's Chromium, on the system as `npm start` runs it: the
 * administrator lands on it, creates a user through the form (a bad field refused at the
 * field, a duplicate refused with the server's reason), disables it and resets another's
 * password; the audit tab, filtered in the URL, finds exactly those actions with their outcome
 * and time, and the hash chain verifies intact; the data tab shows the calendar coverage and
 * the imports' quarantine as the API has them; an inspector sees the audit log only.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../analytics/audit-log.js';
import type { BatchQuarantine, DataCoverage } from '../../server/admin-routes.js';
import type { ListedUser } from '../../server/identity/routes.js';
import { startBrowserSystem, type BrowserSystem } from '../support/browser-system.js';

let b: BrowserSystem;
const NEW_USER = 'e2e-analyst';
const NEW_PASSWORD = 'e2e-password-2468';
const RESET_USER = 'analyst-chaoyang';

const seriousOf = async (page: Page) => (await b.axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name);
const login = (username: string, password: string) => b.api(null, '/api/v1/session', { method: 'POST', body: JSON.stringify({ username, password }) });
async function ready(page: Page, selector: string, timeout = 60_000): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ timeout });
  } catch (error) {
    const panels = await page.locator('[data-state]').evaluateAll((els) => els.map((e) => `${e.id || e.tagName}=${(e as HTMLElement).dataset.state}`)).catch(() => []);
    throw new Error(`${selector} at ${page.url()}: panels ${panels.join(' ')}; ${String(error)}`);
  }
}

let batchId = '';
beforeAll(async () => {
  b = await startBrowserSystem('admin-e2e');
  // An import with one good row and one the quarantine takes, so the data tab has a batch to show.
  const csv = 'case_id,received_at,channel,region_code\nE2E-IMP-1,2025-03-03T09:00:00+08:00,letter,110108\nE2E-IMP-2,2025-03-04T09:00:00+08:00,pigeon,110105\n';
  const upload = await b.api('admin', '/api/v1/imports?filename=e2e.csv', { method: 'POST', body: csv, headers: { 'content-type': 'application/octet-stream' } });
  expect(upload.status).toBe(200);
  batchId = ((await upload.json()) as { batchId: string }).batchId;
}, 300_000);
afterAll(async () => b?.stop());

describe('the administration page', () => {
  let page: Page;
  let errors: string[];

  it('lands the administrator on it, the users as the API lists them', async () => {
    ({ page, errors } = await b.openPage('admin', '/'));
    await page.locator('#dashboard[data-page="admin"]').waitFor();
    await ready(page, '#users[data-state="ready"]');
    expect(await page.locator('#admin-tab-users').getAttribute('aria-selected')).toBe('true');
    const { users } = await b.json<{ users: ListedUser[] }>('admin', '/api/v1/users');
    const rows = await page.locator('#users-table tbody tr').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.user));
    expect(rows).toEqual(users.map((u) => u.username));
    // The administrator's own login is its last.
    expect(await page.locator('#users-table tr[data-user="admin"] td.last-login').textContent()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(await page.locator('#users-table tr[data-user="clerk"] td.last-login').textContent()).toMatch(/从未登录|never/);
  });

  it('creates a user through the form: a bad field at the field, a duplicate refused with the reason; the user can log in', async () => {
    await page.fill('#new-username', NEW_USER);
    await page.fill('#new-displayName', '端到端测试分析员');
    await page.selectOption('#new-role', 'analyst');
    await page.selectOption('#new-regionCode', '110105');
    await page.fill('#new-password', 'short');
    await page.click('#create-user-submit');
    await ready(page, '#create-user-verdict[data-state="refused"]');
    expect(await page.locator('#new-password-error').textContent()).toMatch(/at least 10 characters/);
    expect(await page.locator('#new-password').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#create-user-verdict').getAttribute('role')).toBe('alert');
    // Nothing was created, and what was typed is still there to correct.
    expect(await page.locator(`#users-table tr[data-user="${NEW_USER}"]`).count()).toBe(0);
    expect(await page.inputValue('#new-username')).toBe(NEW_USER);

    await page.fill('#new-password', NEW_PASSWORD);
    await page.click('#create-user-submit');
    await ready(page, '#create-user-verdict[data-state="ok"]');
    await ready(page, `#users-table tr[data-user="${NEW_USER}"][data-enabled="true"]`);
    expect(await page.locator(`#users-table tr[data-user="${NEW_USER}"]`).textContent()).toContain('朝阳区');
    expect(await page.inputValue('#new-username')).toBe('');

    await page.fill('#new-username', NEW_USER);
    await page.fill('#new-displayName', '重复');
    await page.selectOption('#new-role', 'analyst');
    await page.selectOption('#new-regionCode', '110105');
    await page.fill('#new-password', NEW_PASSWORD);
    await page.click('#create-user-submit');
    await ready(page, '#create-user-verdict[data-state="refused"]');
    expect(await page.locator('#create-user-verdict').textContent()).toContain(`user ${NEW_USER} exists`);
    expect(await page.locator('#new-username-error').textContent()).toContain('exists');

    expect((await login(NEW_USER, NEW_PASSWORD)).status).toBe(200);
    await b.screenshot(page, 'admin-users');
    expect(await seriousOf(page)).toEqual([]);
  });

  it("disables the new user (its login then fails) and resets another's password, the generated one shown once", async () => {
    await page.click(`[data-toggle="${NEW_USER}"]`);
    await ready(page, `#users-table tr[data-user="${NEW_USER}"][data-enabled="false"]`);
    expect((await login(NEW_USER, NEW_PASSWORD)).status).toBe(401);

    await page.click(`[data-reset="${RESET_USER}"]`);
    expect(param(page, 'reset')).toBe(RESET_USER);
    await ready(page, `#reset-password[data-user="${RESET_USER}"]`);
    await page.click('#reset-submit');
    await ready(page, '#reset-verdict[data-state="ok"]');
    const generated = (await page.locator('#generated-password').textContent()) ?? '';
    expect(generated).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await login(RESET_USER, generated)).status).toBe(200);
    expect((await login(RESET_USER, b.system.demo!.password)).status).toBe(401);
  });

  it('finds exactly these actions in the audit log, filtered in the URL, with outcome and time; the chain verifies intact', async () => {
    await page.click('#admin-tab-audit');
    expect(param(page, 'tab')).toBe('audit');
    await ready(page, '#audit[data-state="ready"], #audit[data-state="empty"]');
    await page.fill('#audit-user', 'admin');
    await page.fill('#audit-action', 'user');
    await page.click('#audit-apply');
    expect([param(page, 'user'), param(page, 'action')]).toEqual(['admin', 'user']);
    const { entries } = await b.json<{ entries: AuditRecord[] }>('admin', '/api/v1/audit?user=admin&action=user');
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([
      ['user.reset_password', 'ok'],
      ['user.disable', 'ok'],
      ['user.create', 'denied'],
      ['user.create', 'ok'],
      ['user.create', 'denied'],
    ]);
    await ready(page, `#audit[data-state="ready"] #audit-table[data-count="${entries.length}"]`);
    const rows = await page.locator('#audit-table tbody tr').evaluateAll((els) => els.map((e) => [(e as HTMLElement).dataset.action, (e as HTMLElement).dataset.outcome, (e as HTMLElement).dataset.at]));
    expect(rows).toEqual(entries.map((e) => [e.action, e.outcome, e.at]));
    for (const cell of await page.locator('#audit-table tbody td.time').allTextContents()) expect(cell).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} (北京时间|China time)$/);
    expect(await page.locator('#audit-table tbody tr').nth(1).textContent()).toContain(NEW_USER);

    await page.click('#audit-verify');
    await ready(page, '#audit-verify-result[data-state="intact"]');
    expect((await b.json<{ ok: boolean }>('admin', '/api/v1/audit/verify')).ok).toBe(true);
    expect(await page.locator('#audit-verify-result').textContent()).toMatch(/哈希链完整|intact/);
    await b.screenshot(page, 'admin-audit');
    expect(await seriousOf(page)).toEqual([]);

    // The refusals alone, by the outcome filter.
    await page.selectOption('#audit-outcome', 'denied');
    expect(param(page, 'outcome')).toBe('denied');
    await ready(page, '#audit[data-state="ready"] #audit-table[data-count="2"]');
    expect(await page.locator('#audit-table tbody tr').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.outcome))).toEqual(['denied', 'denied']);

    // A bookmark of the filtered log opens it as it was.
    const reopened = (await b.openPage('admin', '/admin?tab=audit&user=admin&action=user.disable')).page;
    await ready(reopened, '#audit[data-state="ready"] #audit-table[data-count="1"]');
    expect(await reopened.inputValue('#audit-action')).toBe('user.disable');
    await reopened.close();
  });

  it('shows the calendar coverage, the case months and the imports with their quarantine as the API says', async () => {
    await page.click('#admin-tab-data');
    await ready(page, '#calendar-coverage[data-state="ready"]');
    const coverage = await b.json<DataCoverage>('admin', '/api/v1/data/coverage');
    const years = await page.locator('#calendar-years tbody tr').evaluateAll((els) => els.map((e) => [Number((e as HTMLElement).dataset.year), (e as HTMLElement).dataset.status]));
    expect(years).toEqual(coverage.calendar.years.map((y) => [y.year, y.status]));
    // The test system covers the years after the package with a weekends-only file: published as the file says, no holiday listed.
    expect(coverage.calendar.years.find((y) => y.year > coverage.calendar.package.lastYear)).toMatchObject({ status: 'published', source: 'override', holidays: 0 });
    expect(await page.locator('#calendar-provisional').getAttribute('data-cases')).toBe(String(coverage.calendar.provisionalDeadlines.cases));
    const range = page.locator('#calendar-range');
    expect([Number(await range.getAttribute('data-first')), Number(await range.getAttribute('data-last'))]).toEqual([coverage.calendar.firstYear, coverage.calendar.lastYear]);

    await ready(page, '#case-months[data-state="ready"]');
    const caseYears = await page.locator('#case-months-table tbody tr').evaluateAll((els) => els.map((e) => [Number((e as HTMLElement).dataset.year), Number((e as HTMLElement).dataset.months)]));
    expect(caseYears).toEqual(coverage.cases.years.map((y) => [y.year, y.months]));

    await ready(page, `#imports[data-state="ready"] #imports-table tr[data-batch="${batchId}"][data-quarantined="1"]`);
    await page.click(`[data-view-batch="${batchId}"]`);
    expect(param(page, 'batch')).toBe(batchId);
    await ready(page, '#quarantine[data-state="ready"]');
    const quarantine = await b.json<BatchQuarantine>('admin', `/api/v1/imports/${batchId}/quarantine`);
    expect(await page.locator('#quarantine-table tbody tr').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.line)))).toEqual(quarantine.rows.map((r) => r.line));
    expect(await page.locator('#quarantine-table td.reason').first().textContent()).toBe(quarantine.rows[0]!.reason);
    expect(quarantine.rows[0]!.reason).toMatch(/channel/);
    await b.screenshot(page, 'admin-data');
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('the inspector', () => {
  it('sees the audit log and neither the users nor the data; the API refuses it the users', async () => {
    const { page, errors } = await b.openPage('inspector', '/admin?tab=users');
    await page.locator('#dashboard[data-page="admin"]').waitFor();
    await ready(page, '#audit[data-state="ready"]');
    expect(await page.locator('[role="tab"]').evaluateAll((els) => els.map((e) => e.id))).toEqual(['admin-tab-audit']);
    expect(await page.locator('#users, #create-user, #calendar-coverage').count()).toBe(0);
    expect((await b.api('inspector', '/api/v1/users')).status).toBe(403);
    expect((await b.api('inspector', '/api/v1/data/coverage')).status).toBe(403);
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
