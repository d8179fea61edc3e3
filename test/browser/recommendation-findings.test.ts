/**
 * Recommendations whose written feedback is late (2022 Regulations art. 40(3)) as findings on
 * the accountability page, in Debian's Chromium, on the system as `npm start` runs it with its
 * demo data (whose recommendations came without their workflows' records, so propose nothing):
 * each shows beside the other findings with its organ, the recommendation and a link to it,
 * the feedback's due date and article and the ground proposed (art. 45(三)), as the API and
 * the recommendation's workflow have them; an organ's officer, with no other finding, sees it
 * and is not told nothing waits, in Chinese and in English; the city's leader opens a case from
 * one, which the page then lists, and declines another with a reason, which leaves the list;
 * with both decided, the officer's page says no finding waits. Axe finds nothing serious.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecommendationIssue } from '../../domain/recommendation.js';
import type { AccountabilityDetail, FindingsAnswer } from '../../server/accountability-routes.js';
import { addDays, chinaDateOf, type PlainDate } from '../../rules/plain-date.js';
import { RECOMMENDATION_WORKFLOW_ID_PREFIX, recommendationStateQuery, recommendationWorkflow } from '../../workflows/recommendation.js';
import { startBrowserSystem, type BrowserSystem } from '../support/browser-system.js';

const TASK_QUEUE = 'recommendation-findings-e2e';
const DAY_MS = 86_400_000;
let b: BrowserSystem;
const today = chinaDateOf(new Date());
// Issued 40 and 45 days ago: their 30-day feedback clocks have run out, and breach at once.
const TO_OPEN = { id: 'REC-E2E-OPEN', organ: 'D110105', toOrgan: '朝阳区委、区政府', regionCode: '110105', issuedBy: '朝阳区信访办', issuedDate: addDays(today, -40) };
const TO_DECLINE = { id: 'REC-E2E-DECLINE', organ: 'BJ-RSJ', toOrgan: 'BJ-RSJ', regionCode: '110000', issuedBy: '北京市信访办', issuedDate: addDays(today, -45) };
const refOf = (id: string) => `${id}/feedback_overdue`;
/** The feedback due dates, as the recommendations' workflows planned them. */
const due: Record<string, PlainDate> = {};

const seriousOf = async (page: Page) => (await b.axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name);
const attrs = (page: Page, selector: string, name: string) => page.locator(selector).evaluateAll((els, n) => els.map((e) => e.getAttribute(n) ?? ''), name);
/** Waits for `selector`; on a timeout, says where every panel of the page stood. */
async function ready(page: Page, selector: string, timeout = 60_000): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ timeout });
  } catch (error) {
    const panels = await page.locator('[data-state]').evaluateAll((els) => els.map((e) => `${e.id || e.tagName}=${(e as HTMLElement).dataset.state}`)).catch(() => []);
    throw new Error(`${selector} at ${page.url()}: panels ${panels.join(' ')}; ${String(error)}`);
  }
}
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const answerOf = (as: string) => b.json<FindingsAnswer>(as, '/api/v1/accountability-findings');
const recommendationRefs = async (as: string) => (await answerOf(as)).recommendationFindings.map((f) => f.ref).sort();
/** Days from the due date to today, as the calendar counts them. */
const daysLate = (dueDate: string) => (Date.parse(today) - Date.parse(dueDate)) / DAY_MS;

beforeAll(async () => {
  b = await startBrowserSystem(TASK_QUEUE);
  // The demo's recommendations have no workflow records: nothing is proposed before these.
  expect(await recommendationRefs('leader')).toEqual([]);
  for (const r of [TO_OPEN, TO_DECLINE]) {
    const input: RecommendationIssue = { recommendationId: r.id, jurisdiction: 'beijing', regionCode: r.regionCode, issuedBy: r.issuedBy, toOrgan: r.toOrgan, kind: 'improve_work', issuedDate: r.issuedDate };
    const handle = await b.system.temporalClient.workflow.start(recommendationWorkflow, { workflowId: RECOMMENDATION_WORKFLOW_ID_PREFIX + r.id, taskQueue: TASK_QUEUE, args: [input] });
    const state = await eventually(() => handle.query(recommendationStateQuery), (s) => s.overdueDate !== null, `the breach of ${r.id}`);
    due[r.id] = state.deadline!.due;
  }
  await eventually(() => recommendationRefs('leader'), (refs) => refs.length === 2, 'the feedback_overdue records');
}, 300_000);
afterAll(async () => b?.stop());

describe('recommendation findings on the accountability page', () => {
  it("shows an organ's officer its late feedback as the one finding waiting, in Chinese and English", async () => {
    const answer = await answerOf('officer-chaoyang');
    // The officer's organ has no other finding: before, the page said that nothing waited.
    expect(answer.findings.length + answer.caseFindings.length).toBe(0);
    expect(answer.recommendationFindings.map((f) => f.ref)).toEqual([refOf(TO_OPEN.id)]);

    const { page, errors } = await b.openPage('officer-chaoyang', '/accountability');
    await ready(page, `#findings[data-state="ready"] #recommendation-findings-table tr[data-finding="${refOf(TO_OPEN.id)}"]`);
    expect(await attrs(page, '#recommendation-findings-table tbody tr', 'data-finding')).toEqual([refOf(TO_OPEN.id)]);
    await expect(page.locator('#findings-title').textContent()).resolves.toMatch(/ · 1 项$/);
    expect(await page.locator('#duty-findings-none').count()).toBe(1);
    expect(await page.locator('#case-findings-none').count()).toBe(1);
    // Opening or declining is the deciding organ's: no button here.
    expect(await page.locator('[data-decide-finding]').count()).toBe(0);
    await expect(page.locator('#recommendation-findings-table caption').textContent()).resolves.toBe('建议：书面反馈逾期（1 项）');

    await page.click('#lang');
    await ready(page, '#recommendation-findings-table caption:has-text("Recommendations: written feedback overdue (1)")');
    await expect(page.locator('#recommendation-findings-table .finding-ground').textContent()).resolves.toBe(
      "Neglecting the petition office's recommendations, so the problem stays unsolved 第四十五条第（三）项",
    );
    await expect(page.locator('#recommendation-findings-table .finding-about').textContent()).resolves.toBe(`improve work · issued by ${TO_OPEN.issuedBy} on ${TO_OPEN.issuedDate}`);
    expect(await seriousOf(page)).toEqual([]);
    await page.click('#lang');
    expect(errors).toEqual([]);
  });

  it('lists them for the leader as the API has them; the link leads to the recommendation; opening one makes a case the page lists, declining another with a reason removes it', async () => {
    const { page, errors } = await b.openPage('leader', '/accountability');
    await page.locator('#dashboard[data-page="accountability"]').waitFor();
    await ready(page, `#findings[data-state="ready"] #recommendation-findings-table tr[data-finding="${refOf(TO_DECLINE.id)}"]`);
    const answer = await answerOf('leader');
    expect(await attrs(page, '#recommendation-findings-table tbody tr', 'data-finding')).toEqual(answer.recommendationFindings.map((f) => f.ref));
    expect(answer.recommendationTotal).toBe(2);
    const pending = answer.total + answer.caseTotal + answer.recommendationTotal;
    await expect(page.locator('#findings-title').textContent()).resolves.toMatch(new RegExp(` · ${pending} 项$`));
    const neglected = answer.grounds.find((g) => g.id === 'recommendationsNeglected')!;
    expect(neglected.article).toBe('第四十五条第（三）项');

    for (const r of [TO_OPEN, TO_DECLINE]) {
      const row = page.locator(`#recommendation-findings-table tr[data-finding="${refOf(r.id)}"]`);
      const dueDate = due[r.id]!;
      expect(await row.getAttribute('data-organ')).toBe(r.organ);
      expect(await row.getAttribute('data-due')).toBe(dueDate);
      expect(await row.getAttribute('data-days-late')).toBe(String(daysLate(dueDate)));
      expect(await row.getAttribute('data-ground')).toBe('recommendationsNeglected');
      await expect(row.locator('td.due').textContent()).resolves.toMatch(new RegExp(`^${dueDate}.*信访工作条例 第四十条第三款 \\[regulations-2022\\]$`));
      await expect(row.locator('.finding-ground').textContent()).resolves.toBe(`${neglected.labelZh} 第四十五条第（三）项`);
      await expect(row.locator('.finding-about').textContent()).resolves.toBe(`改进工作建议 · ${r.issuedBy} ${r.issuedDate} 签发`);
      expect(await row.locator('a').getAttribute('href')).toBe(`/recommendations?rec=${r.id}&year=${r.issuedDate.slice(0, 4)}`);
    }
    await expect(page.locator(`#recommendation-findings-table tr[data-finding="${refOf(TO_OPEN.id)}"]`).textContent()).resolves.toContain('朝阳区委、区政府');
    await expect(page.locator(`#recommendation-findings-table tr[data-finding="${refOf(TO_DECLINE.id)}"]`).textContent()).resolves.toContain('北京市人力资源和社会保障局');
    await page.evaluate(() => window.scrollTo(0, 0));
    await b.screenshot(page, 'accountability-recommendations');

    // The link opens the recommendation on its page; Back returns to the findings.
    await page.click(`#recommendation-findings-table tr[data-finding="${refOf(TO_OPEN.id)}"] a`);
    await ready(page, `#dashboard[data-page="recommendations"] #rec-detail[data-state="ready"] .rec-detail[data-rec="${TO_OPEN.id}"]`);
    expect(await page.locator('#rec-due').textContent()).toContain(due[TO_OPEN.id]);
    await page.goBack();
    await ready(page, `#findings[data-state="ready"] #recommendation-findings-table tr[data-finding="${refOf(TO_OPEN.id)}"]`);

    // Opened: the ground proposed is chosen, the basis names the article and the days late.
    await page.click(`[data-decide-finding="${refOf(TO_OPEN.id)}"]`);
    expect(param(page, 'finding')).toBe(refOf(TO_OPEN.id));
    await ready(page, `#finding-decision[data-finding="${refOf(TO_OPEN.id)}"][data-source="recommendation"]`);
    await expect(page.locator('#finding-decision .note').first().textContent()).resolves.toBe(
      `依据 信访工作条例 第四十条第三款 [regulations-2022]；书面反馈期限 ${due[TO_OPEN.id]}，至今未反馈，逾期 ${daysLate(due[TO_OPEN.id]!)} 天。`,
    );
    expect(await page.locator('#open-ground').inputValue()).toBe('recommendationsNeglected');
    expect(await seriousOf(page)).toEqual([]);
    await page.fill('#open-principal', '朝阳区区长');
    await page.click('#open-case-form button[type=submit]');
    await ready(page, '#accountability-detail[data-state="ready"] #acc-step[data-step="correction"]');
    const caseId = param(page, 'case')!;
    expect(caseId).toMatch(/^ACC-/);
    expect(param(page, 'finding')).toBeNull();
    await expect(page.locator('#accountability-said').textContent()).resolves.toBe(`已立案：${caseId}`);
    await expect(page.locator('#acc-ground').textContent()).resolves.toBe(`${neglected.labelZh} 第四十五条第（三）项`);
    await ready(page, '#acc-history tr[data-event="opened"]');
    await expect(page.locator('#acc-history tr[data-event="opened"]').textContent()).resolves.toContain(`recommendation:${refOf(TO_OPEN.id)}`);
    await ready(page, `#accountability-list[data-state="ready"] #accountability-table tr[data-case="${caseId}"]`);
    await expect(page.locator(`#accountability-table tr[data-case="${caseId}"]`).textContent()).resolves.toContain('朝阳区委、区政府');
    await ready(page, `#findings[data-state="ready"] #recommendation-findings-table[data-count="1"]`);
    expect(await page.locator(`#recommendation-findings-table tr[data-finding="${refOf(TO_OPEN.id)}"]`).count()).toBe(0);
    expect(await b.json<AccountabilityDetail>('leader', `/api/v1/accountability/${caseId}`)).toMatchObject({ organ: 'D110105', ground: 'recommendationsNeglected', step: 'correction' });
    expect(await recommendationRefs('leader')).toEqual([refOf(TO_DECLINE.id)]);

    // Declined with the reason: it leaves the list, on the page and in the API.
    const reason = '已书面反馈并采纳，逾期系公文流转延误';
    await page.click(`[data-decide-finding="${refOf(TO_DECLINE.id)}"]`);
    await ready(page, `#finding-decision[data-finding="${refOf(TO_DECLINE.id)}"][data-source="recommendation"]`);
    await page.fill('#decline-reason', reason);
    await page.click('#decline-form button[type=submit]');
    await ready(page, '#accountability-said:has-text("已不予立案")');
    await expect(page.locator('#accountability-said').textContent()).resolves.toBe(`已不予立案：${refOf(TO_DECLINE.id)}，市领导 (leader)，理由：${reason}`);
    expect(await recommendationRefs('leader')).toEqual([]);
    // The panel is empty only when no finding of another source waits either.
    const left = await answerOf('leader');
    if (left.findings.length + left.caseFindings.length) await ready(page, '#findings[data-state="ready"] #recommendation-findings-none');
    else await ready(page, '#findings[data-state="empty"]');
    expect(await page.locator('#recommendation-findings-table').count()).toBe(0);
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("says no finding waits on the officer's page once both are decided", async () => {
    const answer = await answerOf('officer-chaoyang');
    expect(answer.findings.length + answer.caseFindings.length + answer.recommendationFindings.length).toBe(0);
    const { page, errors } = await b.openPage('officer-chaoyang', '/accountability');
    await ready(page, '#findings[data-state="empty"]');
    await expect(page.locator('#findings .missing').textContent()).resolves.toMatch(/^没有待处理的认定：.*建议反馈逾期记录均已立案或不予立案。$/);
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
