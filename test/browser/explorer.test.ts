/**
 * The analysts' explorer in Debian's Chromium, on the system as `npm start` runs it with its
 * demo data: the figures on screen are the API's; the measure, breakdown, filters and
 * comparison are in the URL and a link reproduces the view; a click on the ring, a bar or a
 * value filters every other chart and the table while the clicked chart keeps all its values;
 * a district's bar drills into it; the exports are the table's rows; the SQL console is
 * confined to the user's jurisdiction; a year without data says so; a source dimension an
 * import declared (src:call_type) is offered, broken down, filtered, kept in the URL and
 * exported, to the users whose region's cases carry it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDateOf } from '../../rules/plain-date.js';
import { startBrowserSystem, type BrowserSystem } from '../support/browser-system.js';

let b: BrowserSystem;
beforeAll(async () => {
  b = await startBrowserSystem('explorer-e2e');
}, 240_000);
afterAll(async () => b?.stop());

const YEAR = Number(chinaDateOf(new Date()).slice(0, 4)) - 1;

interface Figure {
  value: number | null;
  numerator?: number;
  denominator?: number;
}
type ApiRow = Figure & { measure: string; dims: Record<string, string | null> };
type ComparedRow = { measure: string; dims: Record<string, string | null>; current: Figure; previous: Figure | null; change: number | null };

/** The table's rows as [dimension value, value]. */
const tableRows = (page: Page) =>
  page.locator('#numbers-table tbody tr').evaluateAll((rows) =>
    rows.map((r): [string, number | null] => [(r as HTMLElement).dataset.key ?? '', (r as HTMLElement).dataset.value === '' ? null : Number((r as HTMLElement).dataset.value)]),
  );
const tableDetail = (page: Page) =>
  page.locator('#numbers-table tbody tr').evaluateAll((rows) =>
    rows.map((r) => {
      const d = (r as HTMLElement).dataset;
      const n = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));
      return { key: d.key ?? '', value: n(d.value), numerator: n(d.numerator), denominator: n(d.denominator), previous: n(d.previous) };
    }),
  );
const apiRows = async (as: string, query: string) =>
  (await b.json<{ rows: ApiRow[] }>(as, `/api/v1/metrics?${query}`)).rows.map((r): [string, number | null] => [Object.values(r.dims)[0] ?? '', r.value]);
const apiTotal = async (as: string, query: string) => (await b.json<{ rows: ApiRow[] }>(as, `/api/v1/metrics?${query}`)).rows[0]!.value;
const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name);
const ready = (page: Page, id: string) => page.locator(`#${id}[data-state="ready"]`).waitFor({ timeout: 30_000 });
const attr = async (page: Page, selector: string, name: string) => (await page.locator(selector).getAttribute(`data-${name}`)) ?? '';
/** Serious and critical axe findings, once nothing is loading (a loading panel is dimmed on purpose). */
const seriousOf = async (page: Page) => {
  await expect.poll(() => page.locator('[data-state="loading"], [aria-busy="true"]').count(), { timeout: 30_000 }).toBe(0);
  return (await b.axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
};

/** Waits until the table shows what the API answers for `query`. */
const tableIs = async (page: Page, as: string, query: string) => {
  const expected = await apiRows(as, query);
  await expect.poll(() => tableRows(page), { timeout: 30_000 }).toEqual(expected);
  return expected;
};

/** A click on the canvas at the middle of the ring's first slice (the largest: the small charts sort by value, clockwise from the top). */
async function clickFirstSlice(page: Page, chart: string) {
  await page.locator(chart).scrollIntoViewIfNeeded();
  const box = (await page.locator(chart).boundingBox())!;
  const values = (JSON.parse(await attr(page, chart, 'values')) as (number | null)[]).map((v) => v ?? 0);
  const share = values[0]! / values.reduce((s, v) => s + v, 0);
  const angle = ((90 - 180 * share) * Math.PI) / 180;
  const radius = ((0.35 + 0.68) / 2) * (Math.min(box.width, box.height) / 2);
  await page.mouse.click(box.x + box.width / 2 + radius * Math.cos(angle), box.y + box.height / 2 - radius * Math.sin(angle));
}

/** A click on the canvas just above the axis, in the middle of bar `index` (the plot area is the element's data-grid). */
async function clickBar(page: Page, chart: string, index: number) {
  await page.locator(chart).scrollIntoViewIfNeeded();
  const box = (await page.locator(chart).boundingBox())!;
  const [left, right, , bottom] = (await attr(page, chart, 'grid')).split(',').map(Number) as [number, number, number, number];
  const rows = Number(await attr(page, chart, 'rows'));
  const band = (box.width - left - right) / rows;
  await page.mouse.click(box.x + left + band * (index + 0.5), box.y + box.height - bottom - 4);
}

/** RFC 4180 with quotes, enough for the export. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n') row.push(cell.replace(/\r$/, '')), rows.push(row), (row = []), (cell = '');
    else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

describe('the explorer', () => {
  it('shows the API’s numbers, and follows a change of measure, breakdown, filter and comparison in the URL', async () => {
    const { page, errors } = await b.openPage('analyst', '/explorer');
    await page.locator('#dashboard[data-page="explorer"]').waitFor();
    await ready(page, 'numbers');
    // The default view: cases by month of the last complete year, for the analyst's city.
    const months = await tableIs(page, 'analyst', `measure=cases&by=month&year=${YEAR}`);
    expect(months).toHaveLength(12);
    const total = months.reduce((s, [, v]) => s + (v ?? 0), 0);
    expect(total).toBeGreaterThan(0);
    expect(Number(await attr(page, '#main-chart', 'total'))).toBe(total);
    expect(total).toBe(await apiTotal('analyst', `measure=cases&year=${YEAR}`));
    expect(await page.locator('#breadcrumb li').count()).toBe(1);
    await page.locator('#by-channel-chart[data-drawn="true"]').waitFor();
    expect(Number(await attr(page, '#by-channel-chart', 'total'))).toBe(total);

    // Another measure (a rate) by another dimension: the URL says so, the table is the API's with numerator and denominator.
    await page.selectOption('#explore-measure', 'satisfaction_rate');
    await page.selectOption('#explore-by', 'channel');
    await expect.poll(() => param(page, 'by')).toBe('channel');
    expect(param(page, 'measure')).toBe('satisfaction_rate');
    await tableIs(page, 'analyst', `measure=satisfaction_rate&by=channel&year=${YEAR}`);
    const rates = (await b.json<{ rows: ApiRow[] }>('analyst', `/api/v1/metrics?measure=satisfaction_rate&by=channel&year=${YEAR}`)).rows;
    expect((await tableDetail(page)).map((r) => [r.numerator, r.denominator])).toEqual(rates.map((r) => [r.numerator, r.denominator]));
    expect(await page.locator('#numbers-table thead th').allTextContents()).toEqual(expect.arrayContaining(['分子', '分母', '95% 区间']));
    // Only the dimensions the catalog allows for the measure are offered.
    const catalog = await b.json<{ measures: { id: string; dimensions: string[] }[] }>('analyst', '/api/v1/metrics/catalog');
    const offered = await page.locator('#explore-by option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toEqual(catalog.measures.find((m) => m.id === 'satisfaction_rate')!.dimensions);
    const recommendations = catalog.measures.find((m) => m.id === 'recommendations_issued')!;
    await page.selectOption('#explore-measure', recommendations.id);
    await expect.poll(() => page.locator('#explore-by option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(recommendations.dimensions);
    expect(recommendations.dimensions).not.toContain('channel');
    expect(await page.locator('#by-channel').count()).toBe(0);

    // A filter added by the form: in the URL as f.<dimension>, obeyed by the table and the small charts.
    await page.selectOption('#explore-measure', 'cases');
    await page.selectOption('#explore-by', 'field');
    await tableIs(page, 'analyst', `measure=cases&by=field&year=${YEAR}`);
    await page.selectOption('#filter-dimension', 'petition_class');
    await page.locator('#filter-value:not([disabled])').waitFor();
    const classes = await page.locator('#filter-value option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(classes.length).toBeGreaterThan(0);
    await page.selectOption('#filter-value', classes[0]!);
    await page.click('#filter-add');
    await expect.poll(() => param(page, 'f.petition_class')).toBe(classes[0]);
    await tableIs(page, 'analyst', `measure=cases&by=field&year=${YEAR}&petition_class=${classes[0]}`);
    const filtered = await apiTotal('analyst', `measure=cases&year=${YEAR}&petition_class=${classes[0]}`);
    await expect.poll(async () => Number(await attr(page, '#by-month-chart', 'total'))).toBe(filtered);
    expect(filtered).toBeLessThan(total);
    expect(await page.locator(`#filters [data-filter="petition_class=${classes[0]}"]`).count()).toBe(1);

    // Year on year, drawn side by side: the table carries the year before's figure and the change.
    await page.selectOption('#explore-compare', 'yoy');
    await expect.poll(() => param(page, 'compare')).toBe('yoy');
    const compared = (await b.json<{ rows: ComparedRow[] }>('analyst', `/api/v1/metrics?measure=cases&by=field&year=${YEAR}&petition_class=${classes[0]}&compare=yoy`)).rows;
    await expect.poll(async () => (await tableDetail(page)).map((r) => [r.key, r.value, r.previous]), { timeout: 30_000 }).toEqual(
      compared.map((r) => [r.dims.field ?? '', r.current.value, r.previous?.value ?? null]),
    );
    expect(Number(await attr(page, '#main-chart', 'previous-total'))).toBe(compared.reduce((s, r) => s + (r.previous?.value ?? 0), 0));
    expect(await page.locator('#numbers-table thead th').allTextContents()).toEqual(expect.arrayContaining(['上年同期', '变化']));

    // The chip removes its filter.
    await page.click(`#filters [data-filter="petition_class=${classes[0]}"]`);
    await expect.poll(() => param(page, 'f.petition_class')).toBeNull();

    // A period instead of the year: both dates in the URL, the table the API's for the period.
    await page.selectOption('#explore-compare', '');
    await page.fill('#explore-from', `${YEAR}-03-01`);
    await page.fill('#explore-to', `${YEAR}-05-31`);
    await page.locator('#explore-to').dispatchEvent('change');
    await expect.poll(() => param(page, 'to')).toBe(`${YEAR}-05-31`);
    expect(param(page, 'from')).toBe(`${YEAR}-03-01`);
    await tableIs(page, 'analyst', `measure=cases&by=field&from=${YEAR}-03-01&to=${YEAR}-05-31`);

    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('cross-filters: a click on the ring or a bar filters every other chart and the table, and the clicked chart keeps all its values', async () => {
    const { page, errors } = await b.openPage('analyst', `/explorer?year=${YEAR}&by=field`);
    await ready(page, 'numbers');
    await page.locator('#by-channel-chart[data-drawn="true"]').waitFor();
    await page.locator('#by-region-chart[data-drawn="true"]').waitFor();
    const ringBefore = { rows: await attr(page, '#by-channel-chart', 'rows'), total: await attr(page, '#by-channel-chart', 'total') };
    const channels = JSON.parse(await attr(page, '#by-channel-chart', 'keys')) as string[];

    await clickFirstSlice(page, '#by-channel-chart');
    await expect.poll(() => param(page, 'f.channel')).toBe(channels[0]);
    const channel = channels[0]!;
    await tableIs(page, 'analyst', `measure=cases&by=field&year=${YEAR}&channel=${channel}`);
    const channelTotal = await apiTotal('analyst', `measure=cases&year=${YEAR}&channel=${channel}`);
    await expect.poll(async () => Number(await attr(page, '#by-month-chart', 'total'))).toBe(channelTotal);
    await expect.poll(async () => Number(await attr(page, '#by-region-chart', 'total'))).toBe(channelTotal);
    // The ring itself still has all its slices, the chosen one marked.
    expect(await attr(page, '#by-channel-chart', 'rows')).toBe(ringBefore.rows);
    expect(await attr(page, '#by-channel-chart', 'total')).toBe(ringBefore.total);
    expect(await attr(page, '#by-channel-chart', 'chosen')).toBe(channel);
    expect(await page.locator(`#filters [data-filter="channel=${channel}"]`).count()).toBe(1);

    // A district's bar in the small chart adds a district filter (the region stays the city).
    const regionRows = await attr(page, '#by-region-chart', 'rows');
    const districts = JSON.parse(await attr(page, '#by-region-chart', 'keys')) as string[];
    await clickBar(page, '#by-region-chart', 0);
    await expect.poll(() => param(page, 'f.district')).toBe(districts[0]);
    expect(param(page, 'region')).toBeNull();
    const district = districts[0]!;
    await tableIs(page, 'analyst', `measure=cases&by=field&year=${YEAR}&channel=${channel}&district=${district}`);
    await expect.poll(async () => Number(await attr(page, '#by-month-chart', 'total'))).toBe(await apiTotal('analyst', `measure=cases&year=${YEAR}&channel=${channel}&district=${district}`));
    await expect.poll(async () => Number(await attr(page, '#by-channel-chart', 'total'))).toBe(await apiTotal('analyst', `measure=cases&year=${YEAR}&district=${district}`));
    expect(await attr(page, '#by-region-chart', 'rows')).toBe(regionRows);

    // By keyboard: a month from the monthly chart's list of values.
    await page.click('#by-month-values summary');
    const month = `${YEAR}-03`;
    await page.locator(`#by-month-values li[data-key="${month}"] button`).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => param(page, 'f.month')).toBe(month);
    await tableIs(page, 'analyst', `measure=cases&by=field&year=${YEAR}&channel=${channel}&district=${district}&month=${month}`);
    expect(await page.locator(`#by-month-values li[data-key="${month}"] button`).getAttribute('aria-pressed')).toBe('true');
    await b.screenshot(page, 'explorer-crossfilter');

    // The same view from its address alone.
    const again = await b.openPage('analyst', new URL(page.url()).pathname + new URL(page.url()).search);
    await ready(again.page, 'numbers');
    await expect.poll(() => tableRows(again.page)).toEqual(await tableRows(page));
    expect(await again.page.locator('#filters .chip').count()).toBe(3);
    await again.page.close();

    // Clearing the filters brings every chart back to the whole.
    await page.click('#filters-clear');
    await expect.poll(() => param(page, 'f.channel')).toBeNull();
    await tableIs(page, 'analyst', `measure=cases&by=field&year=${YEAR}`);
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('drills down from the city into a district (by street) and a street, and back up by the breadcrumb', async () => {
    const { page, errors } = await b.openPage('analyst', `/explorer?year=${YEAR}&by=district`);
    await ready(page, 'numbers');
    await page.locator('#main-chart[data-drawn="true"]').waitFor();
    await tableIs(page, 'analyst', `measure=cases&by=district&year=${YEAR}`);
    const keys = JSON.parse(await attr(page, '#main-chart', 'keys')) as string[];
    const values = (JSON.parse(await attr(page, '#main-chart', 'values')) as (number | null)[]).map((v) => v ?? 0);
    const largest = values.indexOf(Math.max(...values));
    await clickBar(page, '#main-chart', largest);
    await expect.poll(() => param(page, 'region')).toBe(keys[largest]);
    const district = keys[largest]!;
    expect(param(page, 'by')).toBe('street');
    await expect.poll(() => page.locator('#breadcrumb li').count()).toBe(2);
    await tableIs(page, 'analyst', `measure=cases&by=street&year=${YEAR}&region=${district}`);

    // Into a street by the keyboard's way down, then back to the city by the breadcrumb.
    const streets = await page.locator('#explore-child option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(streets.length).toBeGreaterThan(0);
    const street = (await tableRows(page)).find(([k, v]) => streets.includes(k) && (v ?? 0) > 0)?.[0] ?? streets[0]!;
    await page.selectOption('#explore-child', street);
    await expect.poll(() => param(page, 'region')).toBe(street);
    expect(param(page, 'by')).toBeNull();
    await expect.poll(() => page.locator('#breadcrumb li').count()).toBe(3);
    await tableIs(page, 'analyst', `measure=cases&by=month&year=${YEAR}&region=${street}`);
    await page.click(`#breadcrumb li[data-region="${district}"] button`);
    await expect.poll(() => param(page, 'region')).toBe(district);
    await page.selectOption('#explore-by', 'street');
    await tableIs(page, 'analyst', `measure=cases&by=street&year=${YEAR}&region=${district}`);
    // Year on year, side by side, for the district's streets.
    await page.selectOption('#explore-compare', 'yoy');
    const compared = (await b.json<{ rows: ComparedRow[] }>('analyst', `/api/v1/metrics?measure=cases&by=street&year=${YEAR}&region=${district}&compare=yoy`)).rows;
    await expect.poll(async () => (await tableDetail(page)).map((r) => [r.key, r.value, r.previous]), { timeout: 30_000 }).toEqual(
      compared.map((r) => [r.dims.street ?? '', r.current.value, r.previous?.value ?? null]),
    );
    await page.locator('#by-channel-chart[data-drawn="true"]').waitFor();
    await b.screenshot(page, 'explorer');
    await page.click('#breadcrumb li:first-child button');
    await expect.poll(() => param(page, 'region')).toBe('110000');
    expect(param(page, 'by')).toBe('district');
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('exports exactly the rows of the table, as CSV, Excel, Parquet and Arrow', async () => {
    const path = `/explorer?year=${YEAR}&measure=satisfaction_rate&by=channel&compare=yoy&f.petition_class=claim`;
    const { page, errors } = await b.openPage('analyst', path);
    await ready(page, 'numbers');
    await page.locator('#exports a[data-format="csv"]').waitFor();
    const shown = await tableDetail(page);
    expect(shown.length).toBeGreaterThan(0);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#exports a[data-format="csv"]')]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const [header, ...body] = parseCsv(readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, ''));
    const col = (name: string) => header!.indexOf(name);
    const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));
    expect(body.map((c) => ({ key: c[col('channel')], value: num(c[col('value')]), numerator: num(c[col('numerator')]), denominator: num(c[col('denominator')]), previous: num(c[col('previous')]) }))).toEqual(shown);
    // The same question as the table: every parameter of the page's query, and the format.
    const href = new URL((await page.locator('#exports a[data-format="csv"]').getAttribute('href'))!, b.system.url);
    expect(Object.fromEntries(href.searchParams)).toEqual({ measure: 'satisfaction_rate', by: 'channel', year: String(YEAR), region: '110000', compare: 'yoy', petition_class: 'claim', format: 'csv' });

    const types = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', parquet: 'application/vnd.apache.parquet', arrow: 'application/vnd.apache.arrow.file' };
    for (const [format, type] of Object.entries(types)) {
      const [file] = await Promise.all([page.waitForEvent('download'), page.click(`#exports a[data-format="${format}"]`)]);
      expect(file.suggestedFilename()).toMatch(new RegExp(`\\.${format}$`));
      const bytes = readFileSync((await file.path())!);
      expect(bytes.length, format).toBeGreaterThan(100);
      if (format === 'xlsx') expect(bytes.subarray(0, 2).toString()).toBe('PK');
      if (format === 'parquet') expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
      if (format === 'arrow') {
        const table = tableFromIPC(bytes);
        expect(table.numRows).toBe(shown.length);
        expect(table.getChild('channel')!.toArray()).toEqual(shown.map((r) => r.key));
      }
      const response = await page.request.get(new URL((await page.locator(`#exports a[data-format="${format}"]`).getAttribute('href'))!, b.system.url).href);
      expect(response.status(), format).toBe(200);
      expect(response.headers()['content-type'], format).toContain(type);
      expect(response.headers()['content-disposition'], format).toContain('attachment');
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('runs the SQL console over the jurisdiction only, and shows its refusal of a table outside the views', async () => {
    const { page, errors } = await b.openPage('analyst-chaoyang', `/explorer?year=${YEAR}`);
    await ready(page, 'sql-console');
    expect(await page.getByLabel(/SQL 语句/).count()).toBe(1);
    await page.fill('#sql-text', 'SELECT DISTINCT region_code FROM cases ORDER BY 1');
    await page.click('#sql-form button[type=submit]');
    await page.locator('#sql-result[data-state="ready"]').waitFor({ timeout: 30_000 });
    const regions = await page.locator('#sql-table tbody td').allTextContents();
    expect(regions.length).toBeGreaterThan(0);
    expect(regions.every((r) => r.startsWith('110105'))).toBe(true);

    // The district's cases are fewer than the city's: the views hold the jurisdiction, not the table.
    await page.fill('#sql-text', 'SELECT count(*) AS n FROM cases');
    await page.keyboard.press('Control+Enter');
    await page.locator('#sql-result[data-state="ready"] #sql-table').waitFor();
    await expect.poll(() => page.locator('#sql-table thead th').allTextContents()).toEqual(['n']);
    const mine = Number(await page.locator('#sql-table tbody td').first().textContent());
    const city = (await (await b.api('analyst', '/api/v1/sql', { method: 'POST', body: JSON.stringify({ sql: 'SELECT count(*) AS n FROM cases' }) })).json()) as { rows: number[][] };
    expect(mine).toBeGreaterThan(0);
    expect(mine).toBeLessThan(city.rows[0]![0]!);

    // The row limit, and its note.
    await page.fill('#sql-text', 'SELECT case_id FROM cases ORDER BY case_id');
    await page.fill('#sql-limit', '5');
    await page.click('#sql-form button[type=submit]');
    await page.locator('#sql-summary[data-truncated="true"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#sql-table tbody tr').count()).toBe(5);
    expect(await page.locator('#sql-summary').textContent()).toContain('已截断');

    // The table itself is not offered: refused, and the refusal shown in the user's language.
    await page.fill('#sql-text', 'select * from main.cases');
    await page.click('#sql-form button[type=submit]');
    await page.locator('#sql-result[data-state="error"]').waitFor({ timeout: 30_000 });
    const refusal = await page.locator('#sql-result .error').textContent();
    const answer = await b.api('analyst-chaoyang', '/api/v1/sql', { method: 'POST', body: JSON.stringify({ sql: 'select * from main.cases' }) });
    const body = (await answer.json()) as { error: string; code: string };
    expect(answer.status).toBe(400);
    expect(body.code).toBe('sql_refused');
    expect(refusal).toContain('请求有误');
    expect(refusal).toContain(body.error);
    expect(await page.locator('#sql-table').count()).toBe(0);
    await b.screenshot(page, 'explorer-sql');
    expect(await seriousOf(page)).toEqual([]);
    await page.close();

    // A leader explores but has no console: not on the page, and refused by the API.
    const leader = await b.openPage('leader', `/explorer?year=${YEAR}`);
    await ready(leader.page, 'numbers');
    expect(await leader.page.locator('#sql-console').count()).toBe(0);
    expect((await b.api('leader', '/api/v1/sql', { method: 'POST', body: JSON.stringify({ sql: 'select 1' }) })).status).toBe(403);
    await leader.page.close();
    expect([...errors, ...leader.errors]).toEqual([]);
  }, 180_000);

  it('says so for a year without data instead of drawing zeros, and keeps a district’s analyst in the district', async () => {
    const years = await Promise.all([0, 1, 2, 3, 4, 5, 6].map(async (back) => [YEAR + 1 - back, await apiTotal('analyst', `measure=cases&year=${YEAR + 1 - back}`)] as const));
    const empty = years.find(([, n]) => n === 0)?.[0];
    expect(empty, JSON.stringify(years)).toBeDefined();
    const { page, errors } = await b.openPage('analyst', `/explorer?year=${YEAR}`);
    await ready(page, 'numbers');
    await page.selectOption('#year', String(empty));
    await expect.poll(() => param(page, 'year')).toBe(String(empty));
    await page.locator('#main[data-state="empty"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#main .missing').textContent()).toContain('没有数据');
    expect(await page.locator('#main canvas').count()).toBe(0);
    await page.locator('#numbers[data-state="empty"]').waitFor();
    expect(await page.locator('#numbers-table').count()).toBe(0);
    expect(await page.locator('#exports a').count()).toBe(0);
    await page.locator('#by-channel[data-state="empty"]').waitFor();
    await b.screenshot(page, 'explorer-no-data');
    expect(await seriousOf(page)).toEqual([]);
    // In English too.
    await page.click('#lang');
    await expect.poll(() => page.locator('#main .missing').textContent()).toContain('No data');
    await page.close();

    // A district's analyst asking for another district sees its own, and is told so.
    const chaoyang = await b.openPage('analyst-chaoyang', `/explorer?year=${YEAR}&region=110101&by=street`);
    await ready(chaoyang.page, 'numbers');
    expect(await attr(chaoyang.page, '#explorer', 'region')).toBe('110105');
    await tableIs(chaoyang.page, 'analyst-chaoyang', `measure=cases&by=street&year=${YEAR}&region=110105`);
    expect(await chaoyang.page.locator('.missing', { hasText: '110101' }).count()).toBe(1);
    expect(await chaoyang.page.locator('#breadcrumb li').count()).toBe(1);
    await chaoyang.page.close();
    expect([...errors, ...chaoyang.errors]).toEqual([]);
  }, 180_000);
  it('offers an import’s source dimension (src:call_type) to the city, breaks down and filters by it, keeps it in the URL and exports it', async () => {
    // A hotline's calls of the year in Haidian with their call type, imported through the upload API with a named mapping.
    const mappings = mkdtempSync(join(tmpdir(), 'xinfang-e2e-mappings-'));
    writeFileSync(
      join(mappings, 'e2e-calls.json'),
      JSON.stringify({
        name: 'e2e-calls',
        jurisdiction: 'beijing',
        id: { column: 'id', prefix: 'E2E-CALL-' },
        dimensions: { call_type: { column: 'call_type', labelZh: '来电类型', labelEn: 'Call type' } },
        columns: {
          received_at: { from: 'when', parse: 'datetime', formats: ['yyyy-MM-dd HH:mm'] },
          channel: { value: 'phone' },
          region_code: { value: '110108' },
        },
      }),
    );
    const calls = { Noise: ['02-01', '02-03', '07-07'], Pothole: ['03-04', '05-05'], Graffiti: ['06-06'] };
    const csv = ['id,when,call_type', ...Object.entries(calls).flatMap(([type, days]) => days.map((day) => `${type}-${day},${YEAR}-${day} 09:00,${type}`)), ''].join('\n');
    process.env.XINFANG_MAPPINGS_DIR = mappings;
    try {
      const upload = await b.api('admin', '/api/v1/imports?filename=calls.csv&mapping=e2e-calls', { method: 'POST', body: csv, headers: { 'content-type': 'application/octet-stream' } });
      expect(upload.status, await upload.clone().text()).toBe(200);
      expect(((await upload.json()) as { cases: { imported: number } }).cases.imported).toBe(6);
    } finally {
      delete process.env.XINFANG_MAPPINGS_DIR;
      rmSync(mappings, { recursive: true, force: true });
    }
    type Catalog = { measures: { id: string; dimensions: string[] }[]; sourceDimensions: { id: string; labelZh: string; labelEn: string; declaredBy: { mapping: string } }[] };
    const catalog = await b.json<Catalog>('analyst', '/api/v1/metrics/catalog');
    expect(catalog.sourceDimensions).toEqual([expect.objectContaining({ id: 'src:call_type', labelZh: '来电类型', labelEn: 'Call type', declaredBy: expect.objectContaining({ mapping: 'e2e-calls' }) })]);
    expect((await b.json<Catalog>('analyst-chaoyang', '/api/v1/metrics/catalog')).sourceDimensions).toEqual([]);

    const { page, errors } = await b.openPage('analyst', `/explorer?year=${YEAR}`);
    await ready(page, 'numbers');
    // Offered among the dimensions of imported data, labelled in the page's language.
    expect(await page.locator('#explore-by optgroup option[value="src:call_type"]').textContent()).toBe('来电类型');
    await page.selectOption('#explore-by', 'src:call_type');
    await expect.poll(() => param(page, 'by')).toBe('src:call_type');
    const rows = await tableIs(page, 'analyst', `measure=cases&by=src:call_type&year=${YEAR}`);
    // The imported calls by type, as the file has them; the demo's cases have none (one row, not recorded).
    expect(rows.filter(([type]) => type !== '')).toEqual(Object.entries(calls).map(([type, days]) => [type, days.length]).sort(([a], [b]) => String(a).localeCompare(String(b))));
    expect(rows.find(([type]) => type === '')![1]).toBe((await apiTotal('analyst', `measure=cases&year=${YEAR}`))! - 6);
    expect(await page.locator('#numbers-table thead th').first().textContent()).toBe('来电类型');
    expect(await page.locator('#source-dimensions').textContent()).toContain('e2e-calls');
    expect(await page.locator('#numbers-table tbody tr[data-key="Noise"] th').textContent()).toBe('Noise');
    await page.locator('#main-chart[data-drawn="true"]').waitFor();
    await b.screenshot(page, 'explorer-source-dimension');

    // A value of the table filters the other charts, in the URL as f.src:call_type.
    await page.click('#numbers-table tbody tr[data-key="Noise"] th button');
    await expect.poll(() => param(page, 'f.src:call_type')).toBe('Noise');
    await expect.poll(async () => Number(await attr(page, '#by-month-chart', 'total'))).toBe(3);
    expect(await apiTotal('analyst', `measure=cases&year=${YEAR}&src:call_type=Noise`)).toBe(3);
    expect(await page.locator('#filters [data-filter="src:call_type=Noise"]').textContent()).toContain('来电类型: Noise');

    // The same view from its address alone; and in English.
    const again = await b.openPage('analyst', new URL(page.url()).pathname + new URL(page.url()).search);
    await ready(again.page, 'numbers');
    expect(await attr(again.page, '#explorer', 'by')).toBe('src:call_type');
    await expect.poll(() => tableRows(again.page)).toEqual(await tableRows(page));
    expect(await again.page.locator('#filters .chip').count()).toBe(1);
    await again.page.click('#lang');
    await expect.poll(() => again.page.locator('#explore-by option[value="src:call_type"]').textContent()).toBe('Call type');
    expect(await again.page.locator('#numbers-table thead th').first().textContent()).toBe('Call type');
    await again.page.click('#lang');
    await again.page.close();

    // The export is the table, the call type its column.
    await page.click('#filters-clear');
    await expect.poll(() => param(page, 'f.src:call_type')).toBeNull();
    await tableIs(page, 'analyst', `measure=cases&by=src:call_type&year=${YEAR}`);
    await page.locator('#exports a[data-format="csv"]').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#exports a[data-format="csv"]')]);
    const [header, ...body] = parseCsv(readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, ''));
    expect(header).toContain('src:call_type');
    expect(body.map((c): [string, number] => [c[header!.indexOf('src:call_type')]!, Number(c[header!.indexOf('value')])])).toEqual(await tableRows(page));
    expect(await seriousOf(page)).toEqual([]);
    await page.close();

    // Chaoyang's analyst has no such cases: not offered, and a link to it falls back to months, saying so.
    const chaoyang = await b.openPage('analyst-chaoyang', `/explorer?year=${YEAR}&by=src:call_type&f.src:call_type=Noise`);
    await ready(chaoyang.page, 'numbers');
    expect(await attr(chaoyang.page, '#explorer', 'by')).toBe('month');
    expect(await chaoyang.page.locator('#explore-by option[value="src:call_type"]').count()).toBe(0);
    expect(await chaoyang.page.locator('.missing', { hasText: 'src:call_type' }).count()).toBe(1);
    await chaoyang.page.close();
    expect([...errors, ...again.errors, ...chaoyang.errors]).toEqual([]);
  }, 180_000);
});
