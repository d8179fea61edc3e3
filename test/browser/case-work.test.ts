/**
 * Case work in Debian's Chromium, on the system as `npm start` runs it: a Chaoyang clerk
 * registers a case with its petitioner, is refused a 交办 without its result date (the rule's
 * reason shown in Chinese), routes it to an organ picked from the registry; that organ's officer
 * finds it in its queue, accepts, is refused an extension beyond the pack's maximum (the reason
 * in English after the switch), extends and replies; each step shows on the case page with its
 * deadline and in the metrics; an officer of another organ sees none of it; the clerk reveals
 * the petitioner with a reason, which the audit log keeps, and names the leader who owns the case
 * (包案), who finds it in its queue.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../analytics/case-log.js';
import type { MetricRow } from '../../analytics/metrics/query.js';
import type { CaseDetail } from '../../server/case-routes.js';
import { chinaDateOf } from '../../rules/plain-date.js';
import { startBrowserSystem, type BrowserSystem } from '../support/browser-system.js';

let b: BrowserSystem;
const YEAR = Number(chinaDateOf(new Date()).slice(0, 4));
const ORGAN = 'D110105';
const seriousOf = async (page: Page) => (await b.axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
const queueOf = async (as: string) => (await b.json<{ cases: CaseSummary[] }>(as, '/api/v1/cases?limit=500')).cases.map((c) => c.case_id);
const metricsOf = async () => {
  const { rows } = await b.json<{ rows: MetricRow[] }>('leader-chaoyang', `/api/v1/metrics?measure=cases,forwarded&year=${YEAR}&region=110105`);
  return Object.fromEntries(rows.map((r) => [r.measure, r.value ?? 0]));
};
/** Waits for the case page to show the workflow at `stage`. */
const atStage = (page: Page, stage: string) => page.locator(`#case[data-state="ready"] .case-head[data-stage="${stage}"]`).waitFor({ timeout: 30_000 });
/** Waits until the page has read back every step it took (and the receipt of a new case). */
const settled = (page: Page) => page.locator('#case-page[data-settled="true"] #case[data-state="ready"]').waitFor({ timeout: 30_000 });
const event = (page: Page, type: string) => page.locator(`#case-timeline li[data-event="${type}"]`).first().waitFor({ timeout: 30_000 });

beforeAll(async () => {
  b = await startBrowserSystem('case-work-e2e');
}, 240_000);
afterAll(async () => b?.stop());

describe('case work from registration to reply', () => {
  let caseId = '';
  let before: Record<string, number> = {};

  it('a clerk registers a case with its petitioner and routes it to an organ of the registry; a 交办 without its date is refused with the rule', async () => {
    before = await metricsOf();
    const { page, errors } = await b.openPage('clerk-chaoyang');
    await page.locator('#queue[data-state="ready"], #queue[data-state="empty"]').waitFor({ timeout: 30_000 });
    await page.selectOption('#intake-channel', 'visit');
    await page.fill('#intake-field', '劳动社保');
    await page.fill('#intake-summary', '拖欠工资三个月');
    await page.fill('#intake-name', '张三丰');
    await page.fill('#intake-phone', '13800138000');
    await page.click('#intake-submit');
    await page.locator('#case-page').waitFor({ timeout: 30_000 });
    caseId = (await page.locator('#case-page').getAttribute('data-case'))!;
    expect(caseId).toMatch(/^XF-\d{8}-[0-9A-F]{8}$/);
    expect(new URL(page.url()).searchParams.get('case')).toBe(caseId);
    await atStage(page, 'awaiting_route');

    // The route clock with the rule that sets it; the petitioner masked, with a reveal for the clerk.
    const route = page.locator('#case-deadlines tr[data-step="route"]');
    await route.waitFor({ timeout: 30_000 });
    // The receipt reaches the event log by the workflow's first activity, which waits behind the
    // start-up's own writes (demo cases, duty periods) on a loaded machine.
    await page.locator('#petitioner-masked').waitFor({ timeout: 120_000 });
    const detail = await b.json<CaseDetail>('clerk-chaoyang', `/api/v1/cases/${caseId}`);
    expect(await route.getAttribute('data-due')).toBe(detail.state!.deadlines['route']!.due);
    expect(await route.textContent()).toContain(detail.state!.deadlines['route']!.rule!.article!);
    expect(await page.locator('#petitioner-masked [data-field="name"]').textContent()).toBe(detail.petitioner && 'name' in detail.petitioner ? detail.petitioner.name : '?');
    expect(await page.locator('#petitioner-masked').textContent()).not.toContain('张三丰');
    expect(await page.locator('#reveal-form').count()).toBe(1);

    // The organ is picked from the registry: every organ of /reference is offered.
    const organs = (await b.json<{ organs: { code: string }[] }>('clerk-chaoyang', '/api/v1/reference')).organs.map((o) => o.code);
    expect(await page.locator('#route-organ option[value]:not([value=""])').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value))).toEqual(organs);

    // 交办 needs the date its result is due: the workflow refuses, and the page says why in Chinese.
    await page.selectOption('#route-mode', 'assign');
    await page.selectOption('#route-organ', ORGAN);
    await page.click('#act-route button[type=submit]');
    await page.locator('#act-route output[role="alert"]', { hasText: '操作被拒绝: 交办须写明办理结果的报送期限' }).waitFor();
    expect((await b.json<CaseDetail>('clerk-chaoyang', `/api/v1/cases/${caseId}`)).state!.stage).toBe('awaiting_route');

    await page.selectOption('#route-mode', 'forward');
    await page.click('#act-route button[type=submit]');
    await page.locator('#case-verdict', { hasText: '已记录。现在：待受理' }).waitFor();
    await atStage(page, 'awaiting_acceptance');
    await event(page, 'routed');
    expect(await page.locator('#case-timeline li[data-event="routed"]').textContent()).toContain('朝阳区委、区政府');
    expect(await page.locator('#case-organ').textContent()).toBe('朝阳区委、区政府');
    await settled(page);
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('the organ of another officer sees none of it, in its queue, by address or through the API', async () => {
    await expect.poll(() => queueOf('officer-chaoyang'), { timeout: 30_000 }).toContain(caseId);
    // The clerk's queue finds it by the organ it was routed to, and not by another.
    const byOrgan = async (organ: string) => (await b.json<{ cases: CaseSummary[] }>('clerk-chaoyang', `/api/v1/cases?organ=${organ}&limit=500`)).cases.map((c) => c.case_id);
    expect(await byOrgan(ORGAN)).toContain(caseId);
    expect(await byOrgan('BJ-JW')).not.toContain(caseId);
    expect(await queueOf('officer-education')).not.toContain(caseId);
    expect((await b.api('officer-education', `/api/v1/cases/${caseId}`)).status).toBe(404);
    const { page, errors } = await b.openPage('officer-education', `/cases?case=${caseId}`);
    await page.locator('#case[data-state="error"]', { hasText: '未找到' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#case-timeline').count()).toBe(0);
    await page.goto(new URL('/cases', b.system.url).href);
    await page.locator('#queue[data-state="ready"], #queue[data-state="empty"]').waitFor({ timeout: 30_000 });
    expect(await page.locator(`#cases-table tr[data-case="${caseId}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the officer accepts from its queue, is refused an extension beyond the rule, extends and replies; each step has its deadline', async () => {
    const { page, errors } = await b.openPage('officer-chaoyang');
    await page.locator('#dashboard[data-page="cases"]').waitFor();
    await page.locator(`#cases-table tr[data-case="${caseId}"]`).waitFor({ timeout: 30_000 });
    expect(await page.locator(`#cases-table tr[data-case="${caseId}"]`).getAttribute('data-stage')).toBe('awaiting_acceptance');
    await b.screenshot(page, 'case-queue');
    expect(await seriousOf(page)).toEqual([]);
    await page.click(`#cases-table tr[data-case="${caseId}"] a`);
    await atStage(page, 'awaiting_acceptance');
    // An officer sees the masked petitioner and may not reveal it.
    expect(await page.locator('#petitioner-masked').count()).toBe(1);
    expect(await page.locator('#reveal-form').count()).toBe(0);

    await page.selectOption('#accept-decision', 'yes');
    await page.click('#act-accept button[type=submit]');
    await atStage(page, 'handling');
    await page.locator('#case-deadlines tr[data-step="handle"]').waitFor({ timeout: 30_000 });
    const handling = (await b.json<CaseDetail>('officer-chaoyang', `/api/v1/cases/${caseId}`)).state!;
    const firstDue = handling.deadlines['handle']!.due;
    expect(await page.locator('#case-deadlines tr[data-step="handle"]').getAttribute('data-due')).toBe(firstDue);
    const rule = handling.plan!.clocks.handle!.extension!;

    // In English, the refusal of an extension over the maximum is the rule's reason in English.
    await page.click('#lang');
    await page.locator('#case-actions-title', { hasText: 'Actions' }).waitFor();
    await page.fill('#extend-days', String(rule.maxDays + 1));
    await page.fill('#extend-reason', 'needs a site survey');
    await page.fill('#extend-approver', '王主任');
    await page.click('#act-extend button[type=submit]');
    await page.locator('#act-extend output[role="alert"]', { hasText: `Refused: an extension is 1 to ${rule.maxDays} days, not ${rule.maxDays + 1} (${rule.requires})` }).waitFor();
    await page.click('#lang');
    await page.locator('#case-actions-title', { hasText: '办理' }).waitFor();

    await page.fill('#extend-days', '10');
    await page.fill('#extend-reason', '需现场勘查');
    await page.fill('#extend-approver', '王主任');
    await page.click('#act-extend button[type=submit]');
    await page.locator('#case-extension', { hasText: '10 日，需现场勘查（王主任 批准）' }).waitFor({ timeout: 30_000 });
    const extended = (await b.json<CaseDetail>('officer-chaoyang', `/api/v1/cases/${caseId}`)).state!.deadlines['handle']!;
    expect(extended.extensionDays).toBe(10);
    expect(extended.due > firstDue).toBe(true);
    await page.locator(`#case-deadlines tr[data-step="handle"][data-due="${extended.due}"]`, { hasText: '延长 10 日' }).waitFor({ timeout: 30_000 });
    await event(page, 'extended');

    await page.selectOption('#reply-outcome', 'partly_supported');
    await page.fill('#reply-summary', '补发两个月工资');
    await page.click('#act-reply button[type=submit]');
    await atStage(page, 'review_window');
    await event(page, 'replied');
    // The petitioner's review window opens with the reply.
    await page.locator('#case-deadlines tr[data-step="reviewRequest"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#case-timeline li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.event))).toEqual(
      expect.arrayContaining(['received', 'routed', 'accepted', 'extended', 'replied']),
    );
    await settled(page);
    await b.screenshot(page, 'case-page');
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('the case is in the metrics: one case more and one forwarded more for Chaoyang this year', async () => {
    await expect.poll(metricsOf, { timeout: 60_000, interval: 1_000 }).toEqual({ cases: (before.cases ?? 0) + 1, forwarded: (before.forwarded ?? 0) + 1 });
  }, 90_000);

  it('the clerk finds the case by its code and reveals the petitioner with a reason, which the audit log keeps', async () => {
    const { page, errors } = await b.openPage('clerk-chaoyang');
    await page.locator('#queue[data-state="ready"]').waitFor({ timeout: 30_000 });
    await page.fill('#queue-q', caseId.slice(-8).toLowerCase());
    await page.click('#queue-search button[type=submit]');
    await page.locator(`#cases-table[data-filter='{"q":"${caseId.slice(-8).toLowerCase()}"}']`).waitFor();
    expect(await page.locator('#cases-table tbody tr').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.case))).toEqual([caseId]);
    await page.click(`#cases-table tr[data-case="${caseId}"] a`);
    await page.locator('#reveal-form').waitFor({ timeout: 30_000 });
    await page.fill('#reveal-reason', '约见信访人核实诉求');
    await page.click('#reveal-form button[type=submit]');
    await page.locator('#petitioner-revealed [data-field="name"]', { hasText: '张三丰' }).waitFor();
    const audit = await b.json<{ entries: { action: string; username: string; reason: string | null; objectIds: string[] }[] }>('admin', `/api/v1/audit?action=identity.reveal&limit=20`);
    expect(audit.entries.find((e) => e.objectIds.includes(caseId))).toMatchObject({ username: 'clerk-chaoyang', reason: '约见信访人核实诉求' });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the clerk names the district leader to own the case (包案), who finds it among the cases it owns', async () => {
    const { page, errors } = await b.openPage('clerk-chaoyang', `/cases?case=${caseId}`);
    await settled(page);
    // A street's leader does not hold a case of the district at large: refused at the field.
    await page.selectOption('#leader-pick', 'leader-jianwai');
    await page.click('#act-assignLeader button[type=submit]');
    await page.locator('#act-assignLeader output[role="alert"]', { hasText: '请求有误（leader）' }).waitFor();
    await page.selectOption('#leader-pick', 'leader-chaoyang');
    await page.click('#act-assignLeader button[type=submit]');
    await page.locator('#case-leader', { hasText: '朝阳区领导' }).waitFor({ timeout: 30_000 });
    await event(page, 'leader_assigned');
    await settled(page);
    await page.selectOption('#leader-pick', 'leader-chaoyang');
    await page.click('#act-assignLeader button[type=submit]');
    await page.locator('#act-assignLeader output[role="alert"]', { hasText: '操作被拒绝: 本事项已由 朝阳区领导 包案' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();

    const owned = await b.json<{ cases: CaseSummary[] }>('leader-chaoyang', '/api/v1/cases?leader=me&limit=50');
    expect(owned.cases.map((c) => c.case_id)).toEqual([caseId]);
    const leader = await b.openPage('leader-chaoyang', '/cases?leader=me');
    await leader.page.locator('#cases-table[data-filter=\'{"leader":"me"}\']').waitFor({ timeout: 30_000 });
    expect(await leader.page.locator('#cases-table tbody tr').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.case))).toEqual([caseId]);
    expect(await leader.page.locator('#queue-mine').isChecked()).toBe(true);
    expect(leader.errors).toEqual([]);
    await leader.page.close();
  }, 120_000);
});
