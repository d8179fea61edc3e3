/**
 * The warnings page in Debian's Chromium, on the system as `npm start` runs it with its demo
 * data: the alerts as the API has them, a selected alert's series and explanation, decisions
 * with their reasons and refusals, and what a district's leader and an inspector may not see.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, startBrowserSystem, type BrowserSystem } from '../support/browser-system.js';

let b: BrowserSystem;
beforeAll(async () => {
  b = await startBrowserSystem('analysis-e2e');
}, 240_000);
afterAll(async () => b?.stop());

const seriousOf = async (page: Page) => (await b.axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');

describe('the warnings page', () => {
  type Alert = { alert_id: string; kind: string; status: string; region_code: string };
  it('lists the alerts as the API has them, draws a selected one’s series with its explanation, and records decisions', async () => {
    const scan = await b.api('leader', '/api/v1/early-warning/scans', { method: 'POST', body: JSON.stringify({ weeks: 8 }) });
    expect(scan.status).toBe(202);
    const { scanId } = (await scan.json()) as { scanId: string };
    await expect.poll(async () => (await b.json<{ status: string }>('leader', `/api/v1/early-warning/scans/${scanId}`)).status, { timeout: 120_000, interval: 1000 }).toBe('finished');

    const open = (await b.json<{ alerts: Alert[] }>('leader', '/api/v1/early-warning/alerts?status=open&limit=200')).alerts;
    expect(open.length).toBeGreaterThanOrEqual(2);
    const { page, errors } = await b.openPage('leader', '/warnings');
    await page.locator('#alerts[data-state="ready"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#alerts-table tbody tr').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.alert))).toEqual(open.map((a) => a.alert_id));

    const counted = open.find((a) => a.kind === 'count-aberration')!;
    await page.click(`#alerts-table button[data-view="${counted.alert_id}"]`);
    expect(new URL(page.url()).searchParams.get('alert')).toBe(counted.alert_id);
    await page.locator('#alert-detail:not([data-state="loading"])').waitFor({ timeout: 60_000 });
    expect(await page.locator('#alert-detail').getAttribute('data-state'), (await page.locator('#alert-detail').textContent()) ?? '').toBe('ready');
    const series = await b.json<{ points: { alarm: boolean }[]; method: { explanationZh: string } }>('leader', `/api/v1/early-warning/alerts/${counted.alert_id}/series`);
    expect(Number(await page.locator('#series-chart').getAttribute('data-points'))).toBe(series.points.length);
    expect(Number(await page.locator('#series-chart').getAttribute('data-alarms'))).toBe(series.points.filter((p) => p.alarm).length);
    expect(await page.locator('#alert-detail .explanation').textContent()).toBe(series.method.explanationZh);
    await page.screenshot({ path: join(ARTIFACTS, 'warnings.png'), fullPage: true });

    // Acknowledged with a reason, as the logged-in user.
    await page.fill('#decide input[name=reason]', '已转区信访办核查');
    await page.click('#decide button[data-decide="acknowledge"]');
    await expect.poll(async () => (await b.json<{ alerts: (Alert & { decision_reason: string | null })[] }>('leader', '/api/v1/early-warning/alerts?status=acknowledged&limit=200')).alerts.find((a) => a.alert_id === counted.alert_id)?.decision_reason).toBe('已转区信访办核查');
    // A dismissal without a reason is refused, the refusal shown, the alert still open.
    const other = open.find((a) => a.alert_id !== counted.alert_id)!;
    await page.click(`#alerts-table button[data-view="${other.alert_id}"]`);
    await page.locator('#decide').waitFor();
    await page.click('#decide button[data-decide="dismiss"]');
    await page.locator('#decide output', { hasText: '未驳回' }).waitFor();
    expect((await b.json<{ alerts: Alert[] }>('leader', '/api/v1/early-warning/alerts?status=open&limit=200')).alerts.some((a) => a.alert_id === other.alert_id)).toBe(true);

    // The city's leader sees the petition index and its trend over the years.
    await page.locator('#index-trend[data-state="ready"], #index-trend[data-state="empty"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('#petition-index').count()).toBe(1);
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('shows a district’s leader its district’s alerts only and no index; an inspector no decisions', async () => {
    const mine = (await b.json<{ alerts: Alert[] }>('leader-chaoyang', '/api/v1/early-warning/alerts?status=open&limit=200')).alerts;
    expect(mine.every((a) => a.region_code.startsWith('110105'))).toBe(true);
    const { page, errors } = await b.openPage('leader-chaoyang', '/warnings');
    await page.locator('#alerts[data-state="ready"], #alerts[data-state="empty"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#alerts-table tbody tr').count()).toBe(mine.length);
    expect(await page.locator('#petition-index, #index-trend').count()).toBe(0);
    await page.close();

    const inspector = await b.openPage('inspector', '/warnings');
    await inspector.page.locator('#alerts[data-state="ready"]').waitFor({ timeout: 30_000 });
    await inspector.page.locator('#alerts-table button[data-view]').first().click();
    await inspector.page.locator('#alert-detail').waitFor();
    expect(await inspector.page.locator('#decide, #scan-now').count()).toBe(0);
    await inspector.page.close();
    expect(errors).toEqual([]);
  }, 120_000);
});
