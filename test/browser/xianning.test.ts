/**
 * The dashboard on a Xianning deployment (XINFANG_JURISDICTION=xianning) in Debian's Chromium,
 * with Xianning's demo data: the overview names 咸宁市 and its six county-level divisions and
 * nothing of Beijing; without Xianning boundaries the map area ranks the divisions in a list and
 * never asks for the boundaries; the explorer's figures by division are the API's; the region
 * picker offers Xianning's regions; the clerk's cases and duties pages render, the calendar with
 * the xianning-2013 pack's county duties; a case registered without a receiving organ is
 * received by the city's or the district's petition office of the registry; and 咸安区's leader
 * sees 咸安区 only. Expectations come from the jurisdiction's files and the API, read here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDateOf } from '../../rules/plain-date.js';
import type { CaseDetail } from '../../server/case-routes.js';
import type { DutyCalendarAnswer } from '../../server/duty-routes.js';
import { ARTIFACTS, startBrowserSystem, type BrowserSystem } from '../support/browser-system.js';

const ROOT = new URL('../../', import.meta.url);
const json = <T>(path: string) => JSON.parse(readFileSync(new URL(path, ROOT), 'utf8')) as T;

// ── what Xianning's files say ──────────────────────────────────────────────────────────
const regionRows = readFileSync(new URL('domain/regions/xianning.csv', ROOT), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const CITY = regionRows.find((r) => r[2] === 'city')!;
const DIVISIONS = regionRows.filter((r) => r[2] === 'district').map((r) => ({ code: r[0]!, nameZh: r[3]! }));
const divisionName = (code: string) => DIVISIONS.find((d) => d.code === code)!.nameZh;
const XIANAN = DIVISIONS.find((d) => d.nameZh === '咸安区')!;
const CHONGYANG = DIVISIONS.find((d) => d.nameZh === '崇阳县')!;
const streetsOf = (district: string) => regionRows.filter((r) => r[2] === 'street' && r[1] === district).map((r) => r[0]!);
const organFile = json<{ city: { petitionOffice: { nameZh: string } }; districts: { petitionOffice: { nameZh: string } } }>('domain/organs/xianning.json');
const CITY_OFFICE = organFile.city.petitionOffice.nameZh;
const districtOffice = (d: { nameZh: string }) => organFile.districts.petitionOffice.nameZh.replace('{name}', d.nameZh);
const XIANNING_PACK = json<{ id: string; titleZh: string; duties: Record<string, { labelZh: string; appliesTo: string[]; source: { article: string } }> }>('rules/packs/xianning-2013.json');
const MEETING = XIANNING_PACK.duties['standingCommitteeMeeting']!;

// The overview's default year: the last complete one, which the demo's 36 months cover.
const YEAR = Number(chinaDateOf(new Date()).slice(0, 4)) - 1;

let b: BrowserSystem;
beforeAll(async () => {
  b = await startBrowserSystem('xianning-e2e', { jurisdiction: 'xianning' });
}, 240_000);
afterAll(async () => b?.stop());

interface Row {
  dims: Record<string, string | null>;
  value: number | null;
}
interface Compared {
  dims: Record<string, string | null>;
  current: { value: number | null };
}
const rowsOf = async (as: string, query: string) => (await b.json<{ rows: Row[] }>(as, `/api/v1/metrics?${query}`)).rows;
const attrs = (page: Page, selector: string, name: string) => page.locator(selector).evaluateAll((els, n) => els.map((e) => e.getAttribute(n) ?? ''), name);
const options = (page: Page, selector: string) =>
  page.locator(`${selector} option`).evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, (o as HTMLOptionElement).textContent?.trim() ?? ''] as [string, string]));

/** Nothing on the page is loading any more (a loading panel is dimmed on purpose, and axe would flag it). */
const settled = (page: Page) => expect.poll(() => page.locator('[data-state="loading"], [aria-busy="true"]').count(), { timeout: 60_000 }).toBe(0);

/** Serious and critical axe findings of the page as it stands. */
const seriousOf = async (page: Page) => (await b.axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');

/**
 * A page as `username`, loaded afresh at `path` once logged in, so that everything its load
 * logs on the console as an error, every answer of 400 or more and every request is recorded.
 */
async function freshPage(username: string, path: string) {
  const { page, errors } = await b.openPage(username, path);
  const consoleErrors: string[] = [];
  const asked: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) consoleErrors.push(`${response.status()} ${response.url()}`);
  });
  page.on('request', (request) => asked.push(request.url()));
  await page.goto(new URL(path, b.system.url).href);
  await page.locator('#who').waitFor();
  return { page, errors, consoleErrors, asked };
}

/**
 * The page's text without the metrics catalog's definitions: those are the platform's, the same
 * for every jurisdiction, and cite the documents they follow (satisfaction_rate's cites the
 * Beijing plan 004). Everything else is the page's own words or the jurisdiction's data.
 */
async function ownText(page: Page, as: string): Promise<string> {
  const catalog = await b.json<{ measures: { description: string }[] }>(as, '/api/v1/metrics/catalog');
  let text = await page.locator('body').innerText();
  for (const m of catalog.measures) text = text.split(m.description).join(' ');
  return text;
}

describe('the dashboard on Xianning', () => {
  it('the overview names 咸宁市 and its six divisions, nothing of Beijing, and ranks the divisions in a list where no map can be drawn', async () => {
    // No boundaries of Xianning are installed: the API says so, and the reference tells the page beforehand.
    const geo = await b.api('leader', `/api/v1/geo/${CITY[0]}`);
    expect(geo.status).toBe(404);
    expect((await geo.json()).code).toBe('no_boundaries');
    expect((await b.json<{ districtBoundaries: boolean }>('leader', '/api/v1/reference')).districtBoundaries).toBe(false);

    const { page, errors, consoleErrors, asked } = await freshPage('leader', '/overview');
    await page.locator('#dashboard[data-page="overview"]').waitFor();
    await page.locator('#kpis[data-state="ready"]').waitFor({ timeout: 60_000 });
    await settled(page);

    // With data: the key indicators are the API's for the city.
    const [cases] = (await b.json<{ rows: Compared[] }>('leader', `/api/v1/metrics?measure=cases&year=${YEAR}&compare=yoy`)).rows;
    expect(cases!.current.value).toBeGreaterThan(1000);
    expect(Number(await page.locator('#kpis .tile[data-measure="cases"]').getAttribute('data-value'))).toBe(cases!.current.value);
    expect(await page.locator('#kpis-title').textContent()).toContain(CITY[3]);
    expect(await page.locator('#who-scope').textContent()).toContain(CITY[3]);

    // The region picker: the city and its six divisions, as the region file has them.
    expect(await options(page, '#region')).toEqual([[CITY[0], `${CITY[3]}（全市）`], ...DIVISIONS.map((d) => [d.code, d.nameZh])]);

    // The map area: no map, no request for boundaries, the divisions ranked by the API's figures in a list.
    expect(await page.locator('#map[data-state="ready"]').count()).toBe(1);
    expect(await page.locator('#map-chart').count()).toBe(0);
    expect(await page.locator('#map-title').textContent()).toContain('各县（市、区）分布');
    expect(await page.locator('#map-fallback').textContent()).toContain(`没有${CITY[3]}的县（市、区）边界数据`);
    const byDivision = await rowsOf('leader', `measure=cases&by=district&year=${YEAR}`);
    expect(byDivision.map((r) => r.dims.district).sort()).toEqual(DIVISIONS.map((d) => d.code).sort());
    const ranked = [...byDivision].sort((x, y) => (y.value ?? -Infinity) - (x.value ?? -Infinity));
    const listed = await page.locator('#map-list tbody tr').evaluateAll((trs) => trs.map((tr) => [(tr as HTMLElement).dataset.unit, Number((tr as HTMLElement).dataset.value), tr.querySelector('button')?.textContent ?? '']));
    expect(listed).toEqual(ranked.map((r) => [r.dims.district, r.value, divisionName(r.dims.district!)]));
    expect(asked.filter((url) => new URL(url).pathname.startsWith('/api/v1/geo/'))).toEqual([]);

    // The fair ranking and the petition index rank the same six.
    expect((await attrs(page, '#ranking-table tbody tr[data-unit], #unranked-table tbody tr[data-unit]', 'data-unit')).sort()).toEqual(DIVISIONS.map((d) => d.code).sort());
    expect((await attrs(page, '#index-table tbody tr', 'data-unit')).sort()).toEqual(DIVISIONS.map((d) => d.code).sort());
    const text = await ownText(page, 'leader');
    for (const d of DIVISIONS) expect(text).toContain(d.nameZh);
    expect(text).not.toMatch(/北京|Beijing/);

    await b.screenshot(page, 'xianning-overview');
    await page.locator('#map').screenshot({ path: join(ARTIFACTS, 'xianning-map-list.png') });
    expect(await seriousOf(page), 'axe').toEqual([]);

    // A click on a division in the list makes it the page's region.
    await page.locator(`#map-list tr[data-unit="${CHONGYANG.code}"] button`).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('region')).toBe(CHONGYANG.code);
    const [chongyang] = (await b.json<{ rows: Compared[] }>('leader', `/api/v1/metrics?measure=cases&year=${YEAR}&region=${CHONGYANG.code}&compare=yoy`)).rows;
    await expect.poll(async () => Number(await page.locator('#kpis .tile[data-measure="cases"]').getAttribute('data-value')), { timeout: 30_000 }).toBe(chongyang!.current.value);

    // In English too, nothing of Beijing.
    await page.goto(new URL('/overview', b.system.url).href);
    await page.locator('#kpis[data-state="ready"]').waitFor({ timeout: 60_000 });
    await page.click('#lang');
    await page.locator('#kpis-title', { hasText: 'Key indicators' }).waitFor();
    await settled(page);
    expect(await page.locator('#map-title').textContent()).toContain('Counties and districts');
    expect(await ownText(page, 'leader')).not.toMatch(/北京|Beijing/);
    await page.click('#lang');

    expect(consoleErrors).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('the explorer breaks a measure down by division with the API’s numbers', async () => {
    const { page, errors, consoleErrors } = await freshPage('leader', `/explorer?measure=cases&by=district&year=${YEAR}`);
    await page.locator('#dashboard[data-page="explorer"]').waitFor();
    const table = () => page.locator('#numbers-table tbody tr').evaluateAll((trs) => trs.map((tr) => [(tr as HTMLElement).dataset.key, Number((tr as HTMLElement).dataset.value), tr.querySelector('th, td')?.textContent?.trim() ?? '']));
    const expected = async (measure: string) => (await rowsOf('leader', `measure=${measure}&by=district&year=${YEAR}`)).map((r) => [r.dims.district, r.value, divisionName(r.dims.district!)]);

    const cases = await expected('cases');
    expect(cases.map(([code]) => code).sort()).toEqual(DIVISIONS.map((d) => d.code).sort());
    await expect.poll(table, { timeout: 60_000 }).toEqual(cases);
    await page.selectOption('#explore-measure', 'satisfaction_rate');
    await expect.poll(() => new URL(page.url()).searchParams.get('measure')).toBe('satisfaction_rate');
    expect(new URL(page.url()).searchParams.get('by')).toBe('district');
    await expect.poll(table, { timeout: 60_000 }).toEqual(await expected('satisfaction_rate'));
    // The way down: the city's six divisions.
    expect((await options(page, '#explore-child')).slice(1)).toEqual(DIVISIONS.map((d) => [d.code, d.nameZh]));
    await settled(page);
    expect(await ownText(page, 'leader')).not.toMatch(/北京|Beijing/);
    await b.screenshot(page, 'xianning-explorer');
    expect(await seriousOf(page), 'axe').toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the clerk’s cases page lists the queue, offers the divisions, and a case it registers is received by 咸宁市信访局', async () => {
    const { page, errors, consoleErrors } = await freshPage('clerk', '/cases');
    await page.locator('#dashboard[data-page="cases"]').waitFor();
    await page.locator('#queue[data-state="ready"]').waitFor({ timeout: 60_000 });
    const listed = await b.json<{ cases: { case_id: string; region_code: string }[] }>('clerk', '/api/v1/cases?limit=50');
    expect(listed.cases.every((c) => c.region_code.startsWith('4212'))).toBe(true);
    expect(await attrs(page, '#cases-table tbody tr', 'data-case')).toEqual(listed.cases.map((c) => c.case_id));
    expect(await options(page, '#intake-region')).toEqual(DIVISIONS.map((d) => [d.code, d.nameZh]));
    expect(await page.locator('label[for="intake-region"]').textContent()).toBe('县（市、区）');
    await settled(page);
    await b.screenshot(page, 'xianning-cases');
    expect(await seriousOf(page), 'axe').toEqual([]);

    // Registered through the form, which names no receiving organ: the city's petition office of the registry receives it.
    await page.selectOption('#intake-channel', 'letter');
    await page.selectOption('#intake-region', CHONGYANG.code);
    await page.fill('#intake-field', '教育');
    await page.fill('#intake-name', '李四');
    await page.fill('#intake-phone', '13900139000');
    await page.click('#intake-submit');
    await page.locator('#case-page').waitFor({ timeout: 30_000 });
    const caseId = (await page.locator('#case-page').getAttribute('data-case'))!;
    await page.locator('#case-organ').waitFor({ timeout: 60_000 });
    expect(await page.locator('#case-organ').textContent()).toBe(CITY_OFFICE);
    const detail = await b.json<CaseDetail>('clerk', `/api/v1/cases/${caseId}`);
    expect(detail.state).toMatchObject({ jurisdiction: 'xianning', regionCode: CHONGYANG.code, stage: 'awaiting_route', responsibleOrgan: CITY_OFFICE });
    expect(CITY_OFFICE).toBe('咸宁市信访局');
    expect(consoleErrors).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();

    // A district's office, or a street's of it, registers for the district's petition office.
    for (const [clerk, street] of [[`clerk-${XIANAN.code}`, undefined], [`clerk-${streetsOf(XIANAN.code)[0]}`, streetsOf(XIANAN.code)[0]]] as const) {
      const response = await b.api(clerk, '/api/v1/cases', { method: 'POST', body: JSON.stringify({ channel: 'letter', regionCode: XIANAN.code, ...(street ? { streetCode: street } : {}) }) });
      expect(response.status, clerk).toBe(201);
      const { caseId: id } = (await response.json()) as { caseId: string };
      expect((await b.json<CaseDetail>(clerk, `/api/v1/cases/${id}`)).state?.responsibleOrgan, clerk).toBe(districtOffice(XIANAN));
    }
    expect(districtOffice(XIANAN)).toBe('咸安区信访局');
  }, 180_000);

  it('the clerk’s duties page lists a county’s duties of the xianning-2013 pack', async () => {
    expect(MEETING.appliesTo).toEqual(['district']);
    const thisYear = Number(chinaDateOf(new Date()).slice(0, 4));
    // The periods are opened at start by each Schedule's first action: wait until the county's is on record.
    let answer: DutyCalendarAnswer | undefined;
    await expect
      .poll(async () => {
        answer = await b.json<DutyCalendarAnswer>('clerk', `/api/v1/duties?year=${thisYear}&region=${CHONGYANG.code}`);
        return answer.periods.some((p) => p.organ === `D${CHONGYANG.code}` && p.duty_id === 'standingCommitteeMeeting');
      }, { timeout: 120_000 })
      .toBe(true);
    const { page, errors, consoleErrors } = await freshPage('clerk', `/duties?region=${CHONGYANG.code}`);
    await page.locator('#dashboard[data-page="duties"]').waitFor();
    await page.locator(`#duty-calendar[data-state="ready"] #duty-table[data-year="${thisYear}"]`).waitFor({ timeout: 60_000 });
    await page.locator(`#duty-table tr[data-organ="D${CHONGYANG.code}"][data-duty="standingCommitteeMeeting"]`).waitFor({ timeout: 60_000 });
    const row = page.locator(`#duty-table tr[data-organ="D${CHONGYANG.code}"][data-duty="standingCommitteeMeeting"]`).first();
    expect(await row.locator('.duty-name').textContent()).toBe(MEETING.labelZh);
    expect(await row.locator('.duty-rule').textContent()).toContain(`${XIANNING_PACK.titleZh} ${MEETING.source.article}`);
    expect(answer!.duties['standingCommitteeMeeting']).toMatchObject({ pack: XIANNING_PACK.id, article: MEETING.source.article });
    // Only the county's organs, as the API has them.
    const shown = new Set(await attrs(page, '#duty-table tbody tr', 'data-organ'));
    expect([...shown].sort()).toEqual([...new Set(answer!.periods.map((p) => p.organ))].sort());
    expect(await page.locator('#duty-summary-table tr[data-organ]').count()).toBe(answer!.summary.length);
    expect(await options(page, '#region')).toEqual([[CITY[0], `${CITY[3]}（全市）`], ...DIVISIONS.map((d) => [d.code, d.nameZh])]);
    await settled(page);
    await b.screenshot(page, 'xianning-duties');
    expect(await seriousOf(page), 'axe').toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('咸安区’s leader sees 咸安区 and its streets only', async () => {
    const { page, errors, consoleErrors } = await freshPage(`leader-${XIANAN.code}`, '/overview');
    await page.locator('#kpis[data-state="ready"]').waitFor({ timeout: 60_000 });
    await settled(page);
    expect(await options(page, '#region')).toEqual([[XIANAN.code, XIANAN.nameZh], ...streetsOf(XIANAN.code).map((code) => [code, regionRows.find((r) => r[0] === code)![3]!])]);
    expect(await page.locator('#kpis-title').textContent()).toContain(XIANAN.nameZh);
    const [own] = (await b.json<{ rows: Compared[] }>(`leader-${XIANAN.code}`, `/api/v1/metrics?measure=cases&year=${YEAR}&compare=yoy`)).rows;
    expect(Number(await page.locator('#kpis .tile[data-measure="cases"]').getAttribute('data-value'))).toBe(own!.current.value);
    // The ranking is of its streets; the map area says streets have no boundaries; no other division is named.
    const units = await attrs(page, '#ranking-table tbody tr[data-unit], #unranked-table tbody tr[data-unit]', 'data-unit');
    expect(units.length).toBeGreaterThan(0);
    expect(units.every((u) => streetsOf(XIANAN.code).includes(u))).toBe(true);
    expect(await page.locator('#map[data-state="empty"] .missing').textContent()).toContain('街道、乡镇没有公开的边界数据');
    expect((await attrs(page, '#overdue li[data-case]', 'data-case')).length).toBeGreaterThan(0);
    expect(await page.locator('#overdue li[data-case]').evaluateAll((lis) => lis.map((li) => li.textContent ?? ''))).toEqual(expect.arrayContaining([expect.stringContaining(XIANAN.nameZh)]));
    const text = await ownText(page, `leader-${XIANAN.code}`);
    for (const d of DIVISIONS.filter((x) => x.code !== XIANAN.code)) expect(text).not.toContain(d.nameZh);
    expect(text).not.toMatch(/北京|Beijing/);
    // And the API refuses the city and another division.
    expect((await b.api(`leader-${XIANAN.code}`, `/api/v1/metrics?measure=cases&year=${YEAR}&region=${CITY[0]}`)).status).toBe(403);
    expect((await b.api(`leader-${XIANAN.code}`, `/api/v1/metrics?measure=cases&year=${YEAR}&region=${CHONGYANG.code}`)).status).toBe(403);
    await b.screenshot(page, 'xianning-overview-xianan');
    expect(await seriousOf(page), 'axe').toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
