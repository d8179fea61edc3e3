/**
 * The recommendations and disputes page in Debian's Chromium, on the system as `npm start`
 * runs it with its demo data: the year's list equal to the API's, filters in the URL; a clerk
 * issues a recommendation to an organ picked from the registry and it appears with its
 * feedback due date and article; the addressed organ's officer finds it, is refused feedback
 * that does not adopt it without the reason, then records it adopted, on the page and in the
 * API; an officer of another organ sees none of it; a screened dispute is recorded and
 * resolved from the page and the resolution rate follows.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisputeList } from '../../server/dispute-routes.js';
import type { RecommendationDetail, RecommendationList } from '../../server/recommendation-routes.js';
import { chinaDateOf } from '../../rules/plain-date.js';
import { startBrowserSystem, type BrowserSystem } from '../support/browser-system.js';

let b: BrowserSystem;
const TODAY = chinaDateOf(new Date());
const THIS_YEAR = Number(TODAY.slice(0, 4));
const DEMO_YEAR = THIS_YEAR - 1;

const rowIds = (page: Page, table: string, attr: string) => page.locator(`${table} tbody tr`).evaluateAll((els, a) => els.map((e) => e.getAttribute(a) ?? ''), attr);
const seriousOf = async (page: Page) => (await b.axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name);
const list = (as: string, query: string) => b.json<RecommendationList>(as, `/api/v1/recommendations?${query}`);
const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
/** Waits for `selector`; on a timeout, says where every panel of the page stood. */
async function ready(page: Page, selector: string, timeout = 60_000): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ timeout });
  } catch (error) {
    const panels = await page.locator('[data-state]').evaluateAll((els) => els.map((e) => `${e.id || e.tagName}=${(e as HTMLElement).dataset.state}`)).catch(() => []);
    throw new Error(`${selector} at ${page.url()}: panels ${panels.join(' ')}; ${String(error)}`);
  }
}
const listReady = (page: Page) => ready(page, '#recommendations[data-state="ready"]');

beforeAll(async () => {
  b = await startBrowserSystem('recommendations-e2e');
}, 300_000);
afterAll(async () => b?.stop());

let issuedId = '';

describe('the recommendations page', () => {
  it('lists the year’s recommendations as the API has them, with totals and adoption rate, filtered by kind and status in the URL', async () => {
    const { page, errors } = await b.openPage('leader', `/recommendations?year=${DEMO_YEAR}`);
    await page.locator('#dashboard[data-page="recommendations"]').waitFor();
    await listReady(page);
    const all = await list('leader', `region=110000&year=${DEMO_YEAR}&limit=200`);
    expect(all.totals.issued).toBeGreaterThan(0);
    expect(await rowIds(page, '#rec-table', 'data-rec')).toEqual(all.recommendations.map((r) => r.recommendation_id));
    const totals = page.locator('.rec-totals');
    expect(Number(await totals.getAttribute('data-issued'))).toBe(all.totals.issued);
    expect(Number(await totals.getAttribute('data-adopted'))).toBe(all.totals.adopted);
    expect(await page.locator('#rec-rate .value').textContent()).toBe(pct(all.adoptionRate.rate));
    expect(all.adoptionRate).toMatchObject({ numerator: all.totals.adopted, denominator: all.totals.feedback });
    // Each row says its status, its adoption and, for a workflow's row, the rule; demo rows came without their events.
    const first = all.recommendations[0]!;
    const row = page.locator(`#rec-table tr[data-rec="${first.recommendation_id}"]`);
    expect(await row.getAttribute('data-status')).toBe(first.status);
    expect(await row.locator('td.due').textContent()).toContain(first.feedback_due!);

    // The filters go into the URL and the list is the API's for them; the totals stay the year's.
    await page.selectOption('#rec-status', 'answered');
    await page.selectOption('#rec-kind', 'improve_policy');
    expect(param(page, 'status')).toBe('answered');
    expect(param(page, 'kind')).toBe('improve_policy');
    const answered = await list('leader', `region=110000&year=${DEMO_YEAR}&limit=200&status=answered&kind=improve_policy`);
    await page.waitForFunction((n) => document.querySelector('#recommendations[data-state="ready"] #rec-table')?.getAttribute('data-count') === String(n), answered.recommendations.length);
    expect(await rowIds(page, '#rec-table', 'data-rec')).toEqual(answered.recommendations.map((r) => r.recommendation_id));
    expect(await page.locator('#rec-table tbody tr').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-status')))])).toEqual(['answered']);
    expect(Number(await totals.getAttribute('data-issued'))).toBe(all.totals.issued);

    // A demo row's detail: its facts and that no workflow history came with it.
    await page.click(`#rec-table button[data-view="${answered.recommendations[0]!.recommendation_id}"]`);
    await ready(page, '#rec-detail[data-state="ready"]');
    expect(param(page, 'rec')).toBe(answered.recommendations[0]!.recommendation_id);
    expect(await page.locator('#rec-due').textContent()).toContain(answered.recommendations[0]!.feedback_due!);
    // A leader reads and neither issues nor answers.
    expect(await page.locator('#rec-issue, #feedback-form, #dispute-record-form').count()).toBe(0);
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a clerk issues a recommendation to an organ picked from the registry: it appears with its feedback due date and article', async () => {
    const { page, errors } = await b.openPage('clerk', `/recommendations?year=${THIS_YEAR}`);
    await listReady(page);
    await page.locator('#rec-issue-form').waitFor();
    const before = await list('clerk', `year=${THIS_YEAR}`);
    // The organ list is the registry's, as the API gives it.
    const options = await page.locator('#issue-organ option[data-code]').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    expect(options).toEqual(before.addressees.map((o) => o.code));
    await page.selectOption('#issue-organ', { label: '北京市教育委员会 (BJ-JW)' });
    await page.selectOption('#issue-kind', 'improve_policy');
    await page.fill('#issue-summary', '课外培训退费投诉集中，建议完善预付费监管办法');
    await page.click('#issue-submit');
    await ready(page, '#issue-verdict');
    expect(await page.locator('#issue-verdict').textContent()).toMatch(/^已签发 REC-\d{8}-[0-9A-F]+，反馈期限已起算。$/);
    issuedId = param(page, 'rec') ?? '';
    expect(issuedId).toMatch(/^REC-/);

    const detail = await b.json<RecommendationDetail>('clerk', `/api/v1/recommendations/${issuedId}`);
    const due = detail.state!.deadline!.due;
    expect(detail.record).toMatchObject({ to_organ: '北京市教育委员会', kind: 'improve_policy', feedback_due: due });
    // The detail: the due date, the rule with its article and days, and the engine's explanation.
    await ready(page, `#rec-detail[data-state="ready"] .rec-detail[data-rec="${issuedId}"]`);
    expect(await page.locator('#rec-due').textContent()).toContain(due);
    expect(await page.locator('#rec-rule').textContent()).toMatch(/第四十条第三款 · 30 日/);
    expect(await page.locator('#rec-detail .explanation li').allTextContents()).toEqual(detail.state!.deadline!.explanation);
    expect(await rowIds(page, '#rec-events', 'data-event')).toEqual(['issued']);
    // And the list: the new row with its due date and the rule cited.
    const row = page.locator(`#rec-table tr[data-rec="${issuedId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('awaiting');
    expect(await row.locator('td.due').textContent()).toMatch(new RegExp(`${due}.*第四十条第三款`));
    expect(Number(await page.locator('.rec-totals').getAttribute('data-issued'))).toBe(before.totals.issued + 1);
    // A clerk issues but does not answer for the organ.
    expect(await page.locator('#feedback-form').count()).toBe(0);
    expect(await seriousOf(page)).toEqual([]);
    // From the top: the sticky scope bar would otherwise cover the detail the page scrolled to.
    await page.evaluate(() => window.scrollTo(0, 0));
    await b.screenshot(page, 'recommendations');
    expect(errors).toEqual([]);
  });

  it('the addressed organ’s officer sees it, is refused a non-adoption without the reason, and records the feedback: adopted', async () => {
    expect(issuedId).not.toBe('');
    const { page, errors } = await b.openPage('officer-education', `/recommendations?year=${THIS_YEAR}`);
    await listReady(page);
    const mine = await list('officer-education', `year=${THIS_YEAR}`);
    expect(mine.organ).toBe('BJ-JW');
    expect(mine.recommendations.map((r) => r.recommendation_id)).toContain(issuedId);
    expect(await rowIds(page, '#rec-table', 'data-rec')).toEqual(mine.recommendations.map((r) => r.recommendation_id));
    // An organ neither issues nor keeps disputes.
    expect(await page.locator('#rec-issue, #disputes').count()).toBe(0);

    await page.click(`#rec-table button[data-view="${issuedId}"]`);
    await ready(page, '#rec-detail[data-state="ready"] #feedback-form');
    await page.check('#feedback-adopted-no');
    expect(await page.locator('#feedback-note').getAttribute('aria-required')).toBe('true');
    await page.click('#feedback-submit');
    await page.locator('#feedback-refusal', { hasText: '第三十六条' }).waitFor();
    expect(await page.locator('#feedback-refusal').textContent()).toBe('反馈未记录: 操作被拒绝: 未采纳建议的，应当说明理由（《信访条例》(2005) 第三十六条）');
    expect((await b.json<RecommendationDetail>('officer-education', `/api/v1/recommendations/${issuedId}`)).record!.feedback_date).toBeNull();

    await page.check('#feedback-adopted-yes');
    await page.fill('#feedback-note', '已起草预付费监管办法，报市政府审议');
    await page.click('#feedback-submit');
    await ready(page, '#feedback-verdict');
    expect(await page.locator('#feedback-verdict').textContent()).toBe(`已记录反馈：采纳，${TODAY}`);
    await ready(page, '#rec-detail[data-state="ready"] .rec-facts[data-adopted="true"]');
    expect(await page.locator('#rec-adoption').textContent()).toMatch(/^已采纳（/);
    expect(await page.locator('#feedback-form').count()).toBe(0);
    await ready(page, `#recommendations[data-state="ready"] #rec-table tr[data-rec="${issuedId}"][data-status="answered"][data-adopted="true"]`);
    expect(await rowIds(page, '#rec-events', 'data-event')).toEqual(['issued', 'feedback']);

    const after = await b.json<RecommendationDetail>('officer-education', `/api/v1/recommendations/${issuedId}`);
    expect(after.record).toMatchObject({ adopted: true, feedback_date: TODAY, feedback_note: '已起草预付费监管办法，报市政府审议' });
    expect(after.state).toMatchObject({ stage: 'feedback_given', feedback: { adopted: true } });
    expect((await list('clerk', `year=${THIS_YEAR}&status=answered`)).recommendations.map((r) => r.recommendation_id)).toContain(issuedId);
    // Feedback is given once: a second one is refused with the first one's terms.
    const second = await b.api('officer-education', `/api/v1/recommendations/${issuedId}/recordFeedback`, { method: 'POST', body: JSON.stringify({ adopted: false, note: '改变主意' }) });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: string }).error).toMatch(/already recorded: adopted/);
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('an officer of another organ sees none of it, on the page and in the API', async () => {
    expect(issuedId).not.toBe('');
    const { page, errors } = await b.openPage('officer-chaoyang', `/recommendations?year=${THIS_YEAR}&rec=${issuedId}`);
    await ready(page, '#recommendations[data-state="ready"], #recommendations[data-state="empty"]');
    const theirs = await list('officer-chaoyang', `year=${THIS_YEAR}`);
    expect(theirs.recommendations.map((r) => r.recommendation_id)).not.toContain(issuedId);
    expect(await rowIds(page, '#rec-table', 'data-rec')).toEqual(theirs.recommendations.map((r) => r.recommendation_id));
    if (!theirs.recommendations.length) expect(await page.locator('#rec-none').textContent()).toContain('致送本机关（D110105）');
    // The detail a shared link asks for answers as if it did not exist.
    await ready(page, '#rec-detail[data-state="error"]');
    expect(await page.locator('#rec-detail .error').textContent()).toMatch(/^未找到: no recommendation /);
    expect(await page.locator('#rec-detail .rec-facts, #feedback-form').count()).toBe(0);
    expect((await b.api('officer-chaoyang', `/api/v1/recommendations/${issuedId}`)).status).toBe(404);
    const feedback = await b.api('officer-chaoyang', `/api/v1/recommendations/${issuedId}/recordFeedback`, { method: 'POST', body: JSON.stringify({ adopted: true }) });
    expect(feedback.status).toBe(404);
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('screened disputes', () => {
  it('a district clerk records a dispute and resolves it from the page; the resolution rate follows', async () => {
    const { page, errors } = await b.openPage('clerk-chaoyang', `/recommendations?year=${THIS_YEAR}`);
    await ready(page, '#disputes[data-state="ready"]');
    const disputes = () => b.json<DisputeList>('clerk-chaoyang', `/api/v1/disputes?year=${THIS_YEAR}&region=110105&limit=200`);
    const counts = async () => {
      const el = page.locator('.dispute-totals');
      return { screened: Number(await el.getAttribute('data-screened')), resolved: Number(await el.getAttribute('data-resolved')) };
    };
    const before = await disputes();
    expect(await counts()).toEqual({ screened: before.totals.screened, resolved: before.totals.resolved });
    expect(await page.locator('#dispute-rate .value').textContent()).toBe(pct(before.resolutionRate.rate));

    // Recorded in the district, in a street of it.
    expect(await page.locator('#dispute-district').inputValue()).toBe('朝阳区');
    await page.selectOption('#dispute-street', '110105001');
    await page.selectOption('#dispute-field', '劳动社保');
    await page.fill('#dispute-summary', '工地欠薪纠纷，排查发现');
    await page.click('#dispute-submit');
    await ready(page, '#dispute-verdict');
    const id = /(DS-\d{8}-[0-9A-F]+)/.exec((await page.locator('#dispute-verdict').textContent()) ?? '')![1]!;
    await ready(page, `#disputes[data-state="ready"] #dispute-table tr[data-dispute="${id}"][data-resolved="no"]`);
    const recorded = await disputes();
    expect(recorded.totals.screened).toBe(before.totals.screened + 1);
    expect(recorded.disputes.find((d) => d.dispute_id === id)).toMatchObject({ street_code: '110105001', field: '劳动社保', screened_date: TODAY, resolved_date: null });
    expect(await counts()).toEqual({ screened: recorded.totals.screened, resolved: recorded.totals.resolved });
    expect(await page.locator('#dispute-rate .value').textContent()).toBe(pct(recorded.resolutionRate.rate));

    // A resolution dated before the screening is refused, with the reason; then one dated today is taken.
    await page.click(`#dispute-table button[data-resolve="${id}"]`);
    expect(param(page, 'dispute')).toBe(id);
    await page.locator('#dispute-resolve-form').waitFor();
    const dayBefore = new Date(Date.parse(`${TODAY}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await page.fill('#resolve-date', dayBefore);
    await page.click('#resolve-submit');
    await page.locator('#resolve-refusal', { hasText: 'before it was screened' }).waitFor();
    await page.fill('#resolve-date', TODAY);
    await page.fill('#resolve-note', '调解协议已履行');
    await page.click('#resolve-submit');
    await ready(page, `#disputes[data-state="ready"] #dispute-table tr[data-dispute="${id}"][data-resolved="yes"]`);
    expect(param(page, 'dispute')).toBeNull();
    const resolved = await disputes();
    expect(resolved.totals).toMatchObject({ screened: recorded.totals.screened, resolved: recorded.totals.resolved + 1 });
    expect(resolved.resolutionRate).toMatchObject({ numerator: recorded.totals.resolved + 1, denominator: recorded.totals.screened });
    expect(await counts()).toEqual({ screened: resolved.totals.screened, resolved: resolved.totals.resolved });
    expect(await page.locator('#dispute-rate .value').textContent()).toBe(pct(resolved.resolutionRate.rate));
    expect(await seriousOf(page)).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await b.screenshot(page, 'recommendations-disputes');
    expect(errors).toEqual([]);
  });
});
