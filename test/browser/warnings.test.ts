/**
 * The warnings page in Debian's Chromium, on the system as `npm start` runs it with its demo
 * data and the alerts of a scan: the list equal to the API's, filters in the URL, an empty
 * list said so, a selected alert's series drawn with the series route's figures and its
 * method in words, decisions recorded as the logged-in user (a dismissal without a reason
 * refused, the refusal shown), a scan from the page with its progress, what a role without
 * alerts.decide and a district's user see, and the petition index's trend for the city only.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertSeries } from '../../analytics/early-warning/alert-series.js';
import type { AlertRow } from '../../analytics/early-warning/alerts.js';
import type { PetitionIndex } from '../../analytics/petition-index/petition-index.js';
import { chinaDateOf } from '../../rules/plain-date.js';
import { startBrowserSystem, type BrowserSystem } from '../support/browser-system.js';

let b: BrowserSystem;
const YEAR = Number(chinaDateOf(new Date()).slice(0, 4)) - 1;

const alertsOf = async (as: string, query = 'status=open&limit=200') => (await b.json<{ alerts: AlertRow[] }>(as, `/api/v1/early-warning/alerts?${query}`)).alerts;
const alertOf = async (id: string) => (await alertsOf('leader', 'limit=1000')).find((a) => a.alert_id === id);
const rowIds = (page: Page) => page.locator('#alerts-table tbody tr').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.alert ?? ''));
const seriousOf = async (page: Page) => (await b.axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name);
/** Waits for `selector`; on a timeout, says where every panel of the page stood. */
async function ready(page: Page, selector: string, timeout = 60_000): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ timeout });
  } catch (error) {
    const panels = await page.locator('[data-state]').evaluateAll((els) => els.map((e) => `${e.id || e.tagName}=${(e as HTMLElement).dataset.state}`)).catch(() => []);
    throw new Error(`${selector} at ${page.url()}: panels ${panels.join(' ')}; ${String(error)}`);
  }
}
/** Waits for the list to be read for the filters in the URL. */
const listReady = (page: Page, status: string, severity = 'all') =>
  ready(page, `#alerts[data-state="ready"] #alerts-table[data-status="${status}"][data-severity="${severity}"], #alerts[data-state="empty"]`);

beforeAll(async () => {
  b = await startBrowserSystem('warnings-e2e');
  // The demo data has no alerts until a scan runs. It ends with last month; eight weeks back
  // from the last complete week always reach into it.
  const started = await b.api('leader', '/api/v1/early-warning/scans', { method: 'POST', body: JSON.stringify({ weeks: 8 }) });
  expect(started.status).toBe(202);
  const { scanId } = (await started.json()) as { scanId: string };
  const deadline = Date.now() + 150_000;
  for (;;) {
    const { status } = await b.json<{ status: string }>('leader', `/api/v1/early-warning/scans/${scanId}`);
    if (status === 'finished') break;
    if (status !== 'running' || Date.now() > deadline) throw new Error(`the scan ${scanId} is ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}, 300_000);
afterAll(async () => b?.stop());

describe('the warnings page', () => {
  it('scans from the page with its progress shown, then lists the alerts as the API has them, filtered by status and severity in the URL', async () => {
    const { page, errors } = await b.openPage('leader', '/warnings');
    await page.locator('#dashboard[data-page="warnings"]').waitFor();
    await ready(page, '#alerts[data-state="ready"]');

    // A scan from the page: while it runs (each poll held back a moment) the progress shows, then the outcome.
    await page.route('**/api/v1/early-warning/scans/*', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    await page.fill('#scan-weeks', '1');
    await page.click('#scan-now');
    await page.locator('#scan-progress').waitFor();
    expect(await page.locator('#scan-status').getAttribute('data-state')).toBe('loading');
    await page.locator('#scan-status', { hasText: '扫描中：截至' }).waitFor();
    expect(await page.locator('#scan-now').isDisabled()).toBe(true);
    await page.locator('#scan-status[data-state="ready"]').waitFor({ timeout: 150_000 });
    expect(await page.locator('#scan-status').textContent()).toMatch(/^\s*扫描完成：\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}，[\d,]+ 个序列，新预警 \d+ 条，延续 \d+ 条/);
    expect(await page.locator('#scan-progress').count()).toBe(0);
    await page.unroute('**/api/v1/early-warning/scans/*');

    // The open alerts (the default), in the API's order.
    await listReady(page, 'open');
    const open = await alertsOf('leader');
    expect(open.length).toBeGreaterThanOrEqual(2);
    expect(await rowIds(page)).toEqual(open.map((a) => a.alert_id));
    expect(await page.locator('#alerts-table .flag.sensitive').count()).toBe(open.filter((a) => a.sensitive_period).length);
    expect(await page.locator('#alerts-title').textContent()).toContain(`${open.length} 条`);

    // Severity: in the URL, the rows those of the API's with that severity.
    const severity = open[0]!.severity;
    await page.selectOption('#alert-severity', severity);
    await expect.poll(() => param(page, 'severity')).toBe(severity);
    await listReady(page, 'open', severity);
    expect(await rowIds(page)).toEqual(open.filter((a) => a.severity === severity).map((a) => a.alert_id));
    // Every status: in the URL too.
    await page.selectOption('#alert-status', 'all');
    await expect.poll(() => param(page, 'status')).toBe('all');
    await listReady(page, 'all', severity);
    expect(await rowIds(page)).toEqual((await alertsOf('leader', 'limit=200')).filter((a) => a.severity === severity).map((a) => a.alert_id));

    // A bookmarked view opens as it was left; a status nobody decided yet is an empty list, said so.
    await page.goto(new URL('/warnings?status=dismissed', b.system.url).href);
    await ready(page, '#alerts[data-state="empty"]');
    expect(await page.locator('#alerts .missing').textContent()).toContain('没有已驳回的预警');
    expect(await page.locator('#alerts-table').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('draws a selected alert’s series with the series route’s figures and its method in words; acknowledges with a reason; refuses a dismissal without one', async () => {
    const open = await alertsOf('leader');
    const counted = open.find((a) => a.kind === 'count-aberration');
    expect(counted, 'a count alert after the scan').toBeDefined();
    const { page, errors } = await b.openPage('leader', '/warnings');
    await ready(page, '#alerts[data-state="ready"]');
    await page.click(`#alerts-table button[data-view="${counted!.alert_id}"]`);
    await expect.poll(() => param(page, 'alert')).toBe(counted!.alert_id);
    expect(await page.locator(`#alerts-table tr.current[data-alert="${counted!.alert_id}"] button[aria-pressed="true"]`).count()).toBe(1);
    await ready(page, '#alert-detail:not([data-state="loading"])');
    expect(await page.locator('#alert-detail').getAttribute('data-state'), (await page.locator('#alert-detail').textContent()) ?? '').toBe('ready');

    // The chart's figures are the route's, point for point.
    const series = await b.json<AlertSeries>('leader', `/api/v1/early-warning/alerts/${counted!.alert_id}/series`);
    const chart = page.locator('#series-chart[data-drawn="true"]');
    await chart.waitFor();
    expect(Number(await chart.getAttribute('data-points'))).toBe(series.points.length);
    expect(await chart.getAttribute('data-observed')).toBe(series.points.map((p) => p.observed).join(','));
    expect(Number(await chart.getAttribute('data-alarms'))).toBe(series.points.filter((p) => p.alarm).length);
    expect(await chart.getAttribute('data-alarm-periods')).toBe(series.points.filter((p) => p.alarm).map((p) => p.period).join(','));
    expect(Number(await chart.getAttribute('data-evaluated'))).toBe(series.points.filter((p) => p.expected !== null).length);
    expect(series.points.at(-1)!.period).toBe(counted!.period);
    // Drawn: the observed line's red is on the canvas.
    const red = await chart.locator('canvas').first().evaluate((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - 184) < 12 && Math.abs(data[i + 1]! - 50) < 12 && Math.abs(data[i + 2]! - 47) < 12) n++;
      return n;
    });
    expect(red).toBeGreaterThan(50);
    // The same figures as a table.
    expect(await page.locator('#series-table tbody tr').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.observed)))).toEqual(series.points.map((p) => p.observed));
    expect(await page.locator('#series-table tbody tr[data-alarm="true"]').count()).toBe(series.points.filter((p) => p.alarm).length);

    // The method in words, the severity, the sensitive period, the run.
    expect(await page.locator('#alert-detail .explanation').textContent()).toBe(series.method.explanationZh);
    expect(await page.locator('#alert-detail dl.alert-facts').textContent()).toContain(series.method.nameZh);
    expect(await page.locator('#alert-first').textContent()).toBe(counted!.first_period);
    expect(Number(await page.locator('#alert-run').getAttribute('data-run-length'))).toBe(counted!.run_length);
    expect(await page.locator('#alert-severity-text .severity').getAttribute('class')).toBe(`severity ${counted!.severity}`);
    if (counted!.severity !== counted!.base_severity) expect(await page.locator('#alert-severity-text').textContent()).toContain('因敏感期');
    if (series.sensitive) expect(await page.locator('#alert-sensitive').textContent()).toContain(series.sensitive.nameZh);
    else expect(await page.locator('#alert-sensitive').textContent()).toBe(counted!.sensitive_period ?? '不在敏感期');

    expect(await seriousOf(page)).toEqual([]);
    await b.screenshot(page, 'warnings');

    // Acknowledged with a reason, as the logged-in user: the API has it, the detail says who, when and why.
    await page.fill('#decide input[name=reason]', '已转区信访办核查');
    await page.click('#decide button[data-decide="acknowledge"]');
    await page.locator('#alert-detail dl[data-status="acknowledged"]').waitFor();
    const acknowledged = (await alertOf(counted!.alert_id))!;
    expect(acknowledged).toMatchObject({ status: 'acknowledged', decision_reason: '已转区信访办核查' });
    expect(acknowledged.decided_by).toContain('市领导 (leader;');
    const decision = (await page.locator('#alert-decision').textContent()) ?? '';
    for (const part of ['已确认', '市领导 (leader)', '北京时间', '已转区信访办核查']) expect(decision).toContain(part);
    expect(await page.locator('#decide').count()).toBe(0);
    // It left the open list.
    await expect.poll(() => rowIds(page)).not.toContain(counted!.alert_id);

    // A dismissal without a reason: refused by the server, its refusal shown, the alert still open.
    const other = open.find((a) => a.alert_id !== counted!.alert_id)!;
    await page.click(`#alerts-table button[data-view="${other.alert_id}"]`);
    await ready(page, `#alert-detail dl[data-alert="${other.alert_id}"]`);
    await page.click('#decide button[data-decide="dismiss"]');
    const refusal = page.locator('#decide output', { hasText: '未驳回' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^未驳回: 请求有误（reason）: .*reason/);
    expect((await alertOf(other.alert_id))!.status).toBe('open');
    // With a reason it is dismissed.
    await page.fill('#decide input[name=reason]', '已核实为重复登记');
    await page.click('#decide button[data-decide="dismiss"]');
    await page.locator('#alert-detail dl[data-status="dismissed"]').waitFor();
    expect(await alertOf(other.alert_id)).toMatchObject({ status: 'dismissed', decision_reason: '已核实为重复登记' });
    // …and found under its status, with who decided.
    await page.selectOption('#alert-status', 'dismissed');
    await listReady(page, 'dismissed');
    expect(await rowIds(page)).toEqual([other.alert_id]);
    expect(await page.locator(`#alerts-table tr[data-alert="${other.alert_id}"]`).textContent()).toContain('已核实为重复登记');
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows a role without alerts.decide no decision controls and no scan (the inspector)', async () => {
    const { page, errors } = await b.openPage('inspector', '/warnings');
    await ready(page, '#alerts[data-state="ready"]');
    expect(await rowIds(page)).toEqual((await alertsOf('inspector')).map((a) => a.alert_id));
    await page.locator('#alerts-table button[data-view]').first().click();
    await ready(page, '#alert-detail:not([data-state="loading"])');
    expect(await page.locator('#alert-detail dl.alert-facts').count()).toBe(1);
    expect(await page.locator('#decide, #scan-now, button[data-decide]').count()).toBe(0);
    // A decided alert shows who decided, to every reader.
    await page.selectOption('#alert-status', 'acknowledged');
    await listReady(page, 'acknowledged');
    expect(await page.locator('#alerts-table small.decision').first().textContent()).toContain('市领导 (leader)');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows a district’s user only its district’s alerts, nothing of another district’s, and no petition index', async () => {
    const mine = await alertsOf('leader-chaoyang', 'limit=200');
    expect(mine.every((a) => a.region_code.startsWith('110105'))).toBe(true);
    const { page, errors } = await b.openPage('leader-chaoyang', '/warnings?status=all');
    await ready(page, '#alerts[data-state="ready"], #alerts[data-state="empty"]');
    expect(await rowIds(page)).toEqual(mine.map((a) => a.alert_id));
    // The region choice is the district and its streets only.
    const regions = await page.locator('#region option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(regions[0]).toBe('110105');
    expect(regions.every((r) => r.startsWith('110105'))).toBe(true);
    expect(await page.locator('#year, #petition-index, #index-trend').count()).toBe(0);

    // Another district's alert, by a hand-made link: not shown, said so.
    const elsewhere = (await alertsOf('leader', 'limit=1000')).find((a) => !a.region_code.startsWith('110105'));
    expect(elsewhere, 'an alert outside Chaoyang').toBeDefined();
    await page.goto(new URL(`/warnings?alert=${elsewhere!.alert_id}`, b.system.url).href);
    await ready(page, '#alert-detail[data-state="empty"]');
    expect(await page.locator('#alert-detail').textContent()).toContain(`没有预警 ${elsewhere!.alert_id}`);
    expect(await page.locator('#series-chart').count()).toBe(0);
    expect((await b.api('leader-chaoyang', `/api/v1/early-warning/alerts/${elsewhere!.alert_id}/series`)).status).toBe(404);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows the city’s leader the petition index and its trend over five years, the chosen district highlighted, years without data said so', async () => {
    const { page, errors } = await b.openPage('leader', `/warnings?year=${YEAR}`);
    await ready(page, '#petition-index:is([data-state="ready"], [data-state="empty"])');
    await ready(page, '#index-trend:is([data-state="ready"], [data-state="empty"])', 90_000);
    const years = [4, 3, 2, 1, 0].map((back) => YEAR - back);
    // A year is ranked when it has cases, some indicator measured and some difference between the districts.
    const monthly = (await b.json<{ rows: { dims: { month: string }; value: number | null }[] }>('leader', `/api/v1/metrics?measure=cases&by=month&from=${years[0]}-01-01&to=${YEAR}-12-31`)).rows;
    const monthsOf = (year: number) => monthly.filter((r) => r.dims.month.startsWith(`${year}-`) && (r.value ?? 0) > 0).length;
    const indices = new Map<number, PetitionIndex | null>();
    for (const year of years) {
      const index = await b.json<PetitionIndex>('leader', `/api/v1/petition-index?year=${year}`);
      const ranked = monthsOf(year) > 0 && index.units.some((u) => u.indicators.some((i) => !i.imputed)) && new Set(index.units.map((u) => u.index)).size > 1;
      indices.set(year, ranked ? index : null);
    }
    const withData = years.filter((y) => indices.get(y));
    expect(withData.length, 'a year of the demo data has an index').toBeGreaterThan(0);
    expect(await page.locator('#index-trend').getAttribute('data-state')).toBe('ready');
    const chart = page.locator('#index-trend-chart[data-drawn="true"]');
    await chart.waitFor();
    expect(await chart.getAttribute('data-years')).toBe(withData.join(','));
    expect(await chart.getAttribute('data-missing-years')).toBe(years.filter((y) => !indices.get(y)).join(','));
    for (const year of years.filter((y) => !indices.get(y))) {
      expect(await page.locator(`#index-trend [data-missing-year="${year}"]`).count()).toBe(1);
      expect(await page.locator(`#index-trend-table td[data-year="${year}"]:not(.no-data)`).count()).toBe(0);
    }
    for (const year of withData) expect(await page.locator(`#index-trend [data-partial-year="${year}"]`).count()).toBe(monthsOf(year) < 12 ? 1 : 0);
    // The table: every district's rank and index per year, as the API ranks them.
    for (const year of withData) {
      for (const u of indices.get(year)!.units) {
        const cell = page.locator(`#index-trend-table tr[data-unit="${u.unit}"] td[data-year="${year}"]`);
        expect(Number(await cell.getAttribute('data-rank')), `${u.unit} ${year}`).toBe(u.rank);
        expect(Number(await cell.getAttribute('data-index'))).toBeCloseTo(u.index, 9);
      }
    }
    // The chosen year's index with its method and rank intervals.
    const chosen = indices.get(YEAR);
    if (chosen) {
      expect(await page.locator('#index-table tbody tr').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.unit))).toEqual(chosen.units.map((u) => u.unit));
      expect(await page.locator('#petition-index dl.method').getAttribute('data-method')).toBe(chosen.method.id);
    } else {
      expect(await page.locator('#petition-index').getAttribute('data-state')).toBe('empty');
      expect(await page.locator('#index-table').count()).toBe(0);
    }

    // A district chosen is highlighted in the trend.
    const district = indices.get(withData.at(-1)!)!.units[0]!.unit;
    await page.selectOption('#region', district);
    await page.locator(`#index-trend-chart[data-highlighted="${district}"]`).waitFor();
    expect(await page.locator(`#index-trend-table tr.current[data-unit="${district}"]`).count()).toBe(1);
    expect(param(page, 'region')).toBe(district);
    await ready(page, '#alerts:is([data-state="ready"], [data-state="empty"])');
    expect(await seriousOf(page)).toEqual([]);
    await b.screenshot(page, 'warnings-index');

    // A year before the demo data: said so, nothing ranked.
    // The demo data covers the 36 months before this one: five years back reach before it.
    const before = years.find((y) => monthsOf(y) === 0);
    expect(before, 'a year of the five without cases').toBeDefined();
    {
      await page.selectOption('#year', String(before!));
      await ready(page, '#petition-index[data-state="empty"]');
      expect(await page.locator('#petition-index .missing').textContent()).toContain(`${before} 年没有信访事项数据`);
      expect(await page.locator('#index-table').count()).toBe(0);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('reads at a phone’s width without a page wider than the screen, and in English on the switch', async () => {
    const { page, errors } = await b.openPage('leader', '/warnings', { width: 390, height: 844 });
    await ready(page, '#alerts[data-state="ready"]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await b.screenshot(page, 'warnings-phone');
    // In English on the user's choice, every label switched.
    await page.click('#lang');
    await page.locator('#alerts-title', { hasText: /^Alerts · / }).waitFor();
    expect(await page.locator('#alert-status option[value="open"]').textContent()).toBe('open');
    expect(await page.locator('#scan-now').textContent()).toBe('Scan now');
    await page.click('#lang');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
