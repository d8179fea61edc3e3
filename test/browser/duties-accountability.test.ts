/**
 * The duties and accountability pages in Debian's Chromium, on the system as `npm start` runs
 * it with its demo data: a missed duty shows on the duties page with its article and as a
 * finding on the accountability page; the city's leader opens a case from it through the page
 * and escalates it with a reason, and page and API agree on the new step and its article;
 * another finding declined with a reason leaves the open findings, a decline without one is
 * refused and the refusal shown; a clerk records evidence on the duties page and it shows on
 * the period; a clerk records a leader's reception day and an annotated letter for an organ,
 * which show with the article and in the organ's counts, a record kept already is refused with
 * its reason, a kind the rule does not take is refused, another district's clerk cannot record
 * for the organ; a case whose routing went overdue is a finding the leader opens a case from;
 * an officer of another organ sees neither the findings nor the case.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DutyCalendarAnswer } from '../../server/duty-routes.js';
import type { AccountabilityDetail, FindingsAnswer } from '../../server/accountability-routes.js';
import { periodContaining, type Period } from '../../rules/periods.js';
import { addDays, chinaDateOf } from '../../rules/plain-date.js';
import { DUTY_WORKFLOW_ID_PREFIX, dutyPeriodWorkflow } from '../../workflows/duty-period.js';
import { CASE_WORKFLOW_ID_PREFIX, petitionCaseWorkflow } from '../../workflows/petition-case.js';
import { startBrowserSystem, type BrowserSystem } from '../support/browser-system.js';

const TASK_QUEUE = 'duties-accountability-e2e';
const DUTY = 'hearReport.district';
let b: BrowserSystem;
const today = chinaDateOf(new Date());
const current = periodContaining(today, 'quarter');
// The quarter before this one has closed: its period, opened now, is found missed at once.
const last = periodContaining(addDays(current.start, -1), 'quarter');
const LAST_YEAR = Number(last.label.slice(0, 4));
const ref = (organ: string, period: Period = last) => `${organ}/${DUTY}/${period.label}`;
const RSJ = ref('BJ-RSJ');
// A case the city's petition office received 40 days ago and never routed: its routing is overdue.
const SUPERVISED = 'SUP-E2E-1/route_overdue';
const ZJW = ref('BJ-ZJW');

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
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const calendar = (as: string, query: string) => b.json<DutyCalendarAnswer>(as, `/api/v1/duties?${query}`);
const findingRefs = async (as: string) => (await b.json<FindingsAnswer>(as, '/api/v1/accountability-findings')).findings.map((f) => f.ref);
const caseFindingRefs = async (as: string) => (await b.json<FindingsAnswer>(as, '/api/v1/accountability-findings')).caseFindings.map((f) => f.ref);

beforeAll(async () => {
  b = await startBrowserSystem(TASK_QUEUE);
  // The demo opens this quarter's periods only; last quarter's, opened now, close missed at once,
  // as the Schedule's would have when nobody recorded evidence.
  for (const organ of ['BJ-RSJ', 'BJ-ZJW']) {
    await b.system.temporalClient.workflow.start(dutyPeriodWorkflow, {
      workflowId: `${DUTY_WORKFLOW_ID_PREFIX}${ref(organ)}`,
      taskQueue: TASK_QUEUE,
      args: [{ jurisdiction: 'beijing', organ, level: 'city-department', dutyId: DUTY, period: last }],
    });
  }
  await b.system.temporalClient.workflow.start(petitionCaseWorkflow, {
    workflowId: `${CASE_WORKFLOW_ID_PREFIX}SUP-E2E-1`,
    taskQueue: TASK_QUEUE,
    args: [{ intake: { caseId: 'SUP-E2E-1', jurisdiction: 'beijing', receivedAt: new Date(Date.now() - 40 * 86_400_000).toISOString(), channel: 'letter', regionCode: '110108', collectiveSize: 1 }, receivedBy: { organ: 'BJ-XFB', kind: 'petition-office' } }],
  });
  await eventually(
    async () => (await calendar('leader', `region=110000&year=${LAST_YEAR}&status=missed`)).periods.map((p) => `${p.organ}/${p.duty_id}/${p.period_label}`),
    (refs) => refs.includes(RSJ) && refs.includes(ZJW),
    'the missed periods recorded',
  );
  await eventually(() => caseFindingRefs('leader'), (refs) => refs.includes(SUPERVISED), 'the overdue routing recorded');
}, 300_000);
afterAll(async () => b?.stop());

describe('the duties and accountability pages', () => {
  it('shows a missed duty with its article on the duties page, filtered by status in the URL, as the API has it', async () => {
    const { page, errors } = await b.openPage('leader', `/duties?region=110000&year=${LAST_YEAR}`);
    await page.locator('#dashboard[data-page="duties"]').waitFor();
    await ready(page, `#duty-calendar[data-state="ready"] #duty-table[data-status="all"][data-year="${LAST_YEAR}"]`);
    await page.selectOption('#duty-status', 'missed');
    expect(param(page, 'status')).toBe('missed');
    await ready(page, `#duty-calendar[data-state="ready"] #duty-table[data-status="missed"]`);
    const api = await calendar('leader', `region=110000&year=${LAST_YEAR}&status=missed`);
    expect((await attrs(page, '#duty-table tbody tr', 'data-period')).sort()).toEqual(api.periods.map((p) => `${p.organ}/${p.duty_id}/${p.period_label}`).sort());
    expect(new Set(await attrs(page, '#duty-table tbody tr', 'data-status'))).toEqual(new Set(['missed']));
    const row = page.locator(`#duty-table tr[data-period="${RSJ}"]`);
    await expect(row.locator('.duty-status').textContent()).resolves.toBe('未履行');
    await expect(row.locator('.duty-rule').textContent()).resolves.toMatch(/北京市信访工作责任制实施细则 第四条/);
    await expect(row.locator('.duty-name').textContent()).resolves.toMatch(/听取信访工作汇报/);
    // The summary counts every status of each organ, as the API does.
    const rsj = api.summary.find((s) => s.organ === 'BJ-RSJ')!;
    expect(await page.locator('#duty-summary-table tr[data-organ="BJ-RSJ"]').getAttribute('data-missed')).toBe(String(rsj.missed));
    // A leader records no evidence: no form, no button.
    expect(await page.locator('[data-record]').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('lets a clerk record evidence on the duties page, and it shows on the period', async () => {
    const { page, errors } = await b.openPage('clerk', '/duties?region=110000');
    const period = ref('BJ-RSJ', current);
    await ready(page, `#duty-calendar[data-state="ready"] #duty-table tr[data-period="${period}"]`);
    await page.click(`[data-record="${period}"]`);
    expect(param(page, 'period')).toBe(period);
    await ready(page, `#evidence-form[data-period="${period}"]`);
    expect(await page.locator('#evidence-kind option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['meeting']);
    const reference = `市人社局党组会纪要〔${today.slice(0, 4)}〕E2E 号`;
    await page.fill('#evidence-reference', reference);
    await page.fill('#evidence-participants', '局长、副局长');
    await page.click('#evidence-form button[type=submit]');
    await ready(page, '#evidence-verdict[role="status"]');
    await expect(page.locator('#evidence-verdict').textContent()).resolves.toMatch(/已记录/);
    await ready(page, `#duty-table tr[data-period="${period}"] ul.evidence li:has-text("${reference}")`);
    const api = await calendar('clerk', `region=110000&year=${today.slice(0, 4)}`);
    const recorded = api.periods.find((p) => `${p.organ}/${p.duty_id}/${p.period_label}` === period)!;
    expect(recorded.evidence_items).toEqual([expect.objectContaining({ kind: 'meeting', date: today, reference, late: false, actor: expect.stringMatching(/^市信访办办理人员 \(clerk;/) })]);
    expect(await seriousOf(page)).toEqual([]);
    // The scope bar sticks to the top of the view: the full page is shot from the top.
    await page.evaluate(() => window.scrollTo(0, 0));
    await b.screenshot(page, 'duties');
    expect(errors).toEqual([]);
  });

  it("lets a clerk record a leader's reception day and an annotated letter for an organ; they show with the article and count; refusals show their reason", async () => {
    const { page, errors } = await b.openPage('clerk', '/duties?region=110000');
    const duty = 'BJ-RSJ/leaderReception';
    await ready(page, `#duty-records[data-state="ready"] #duty-record-summary-table tr[data-organ="BJ-RSJ"]`);
    await page.click(`[data-record-duty="${duty}"]`);
    expect(param(page, 'record')).toBe(duty);
    await ready(page, `#record-form[data-record="${duty}"]`);
    await expect(page.locator('#record-form-title').textContent()).resolves.toMatch(/北京市人力资源和社会保障局 · 领导干部阅信、接访/);
    await expect(page.locator('#record-form .note').first().textContent()).resolves.toMatch(/北京市信访工作责任制实施细则 第十二条/);
    expect(await page.locator('#record-kind option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['reception', 'letter']);

    const reception = `市人社局领导接访登记〔${today.slice(0, 4)}〕E2E-1 号`;
    await page.fill('#record-reference', reception);
    await page.fill('#record-participants', '局长');
    // A reception's form: 下访, going down (Beijing art. 12), which the leaders' measures count apart.
    await page.selectOption('#record-mode', 'going_down');
    await page.click('#record-form button[type=submit]');
    await ready(page, '#record-verdict[role="status"]');
    await expect(page.locator('#record-verdict').textContent()).resolves.toMatch(/已记录：北京市人力资源和社会保障局 .* 领导接访日（北京市信访工作责任制实施细则 第十二条 \[beijing-2017\]）/);
    await ready(page, `#duty-records-table tr[data-reference="${reception}"][data-kind="reception"]`);
    await expect(page.locator(`#duty-records-table tr[data-reference="${reception}"]`).textContent()).resolves.toContain('领导接访日（下访）');

    const letter = `人社信〔${today.slice(0, 4)}〕阅批 E2E 号`;
    await page.selectOption('#record-kind', 'letter');
    await page.fill('#record-reference', letter);
    await page.click('#record-form button[type=submit]');
    await ready(page, `#duty-records-table tr[data-reference="${letter}"][data-kind="letter"]`);
    const row = page.locator(`#duty-records-table tr[data-reference="${letter}"]`);
    await expect(row.locator('.record-rule').textContent()).resolves.toBe('北京市信访工作责任制实施细则 第十二条 [beijing-2017]');
    const api = await calendar('clerk', `region=110000&year=${today.slice(0, 4)}`);
    const counted = api.recordSummary.find((o) => o.organ === 'BJ-RSJ')!;
    expect(counted).toMatchObject({ reception_days: 1, letters: 1, records: 2 });
    const summary = page.locator('#duty-record-summary-table tr[data-organ="BJ-RSJ"]');
    await ready(page, '#duty-record-summary-table tr[data-organ="BJ-RSJ"][data-letters="1"]');
    expect(await summary.getAttribute('data-reception-days')).toBe(String(counted.reception_days));
    expect(api.records.filter((r) => r.organ === 'BJ-RSJ').map((r) => [r.reference, r.mode]).sort()).toEqual([[letter, null], [reception, 'going_down']].sort());
    // The letter form has no mode: the select is gone once the kind is a letter.
    expect(await page.locator('#record-mode').count()).toBe(0);

    // The same letter again: refused, with the reason in the user's language.
    await page.fill('#record-reference', letter);
    await page.click('#record-form button[type=submit]');
    await ready(page, '#record-verdict[role="alert"]');
    await expect(page.locator('#record-verdict').textContent()).resolves.toMatch(/未记录.*操作被拒绝.*已经保存，不重复计数/);
    expect((await calendar('clerk', `region=110000&year=${today.slice(0, 4)}`)).recordSummary.find((o) => o.organ === 'BJ-RSJ')?.letters).toBe(1);

    // A kind the rule does not take, and another district's clerk: refused by the server.
    const post = (as: string, body: object) => b.api(as, `/api/v1/duties/${duty}/records`, { method: 'POST', body: JSON.stringify(body) });
    const meeting = await post('clerk', { kind: 'meeting', date: today, reference: '纪要' });
    expect(meeting.status).toBe(409);
    expect((await meeting.json()).refusal).toMatchObject({ code: 'evidenceKind', zh: expect.stringMatching(/第十二条 \[beijing-2017\] 以接待来访或阅批来信为履行证据，不接受会议/) });
    const outside = await post('clerk-chaoyang', { kind: 'reception', date: today, reference: '朝阳区越权登记' });
    expect(outside.status).toBe(403);
    expect((await outside.json()).code).toBe('outside_jurisdiction');
    expect(await seriousOf(page)).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await b.screenshot(page, 'duties-records');
    expect(errors).toEqual([]);

    // The district's clerk has no button for the city's organ: its page shows its own.
    const other = await b.openPage('clerk-chaoyang', '/duties');
    await ready(other.page, '#duty-records[data-state="ready"] #duty-record-summary-table tr[data-organ="D110105"]');
    expect(await other.page.locator(`[data-record-duty="${duty}"]`).count()).toBe(0);
    expect(other.errors).toEqual([]);
  });

  it('lists the missed duties as findings; a decline needs its reason; the leader opens a case from one and escalates it', async () => {
    const { page, errors } = await b.openPage('leader', '/accountability');
    await page.locator('#dashboard[data-page="accountability"]').waitFor();
    await ready(page, '#findings[data-state="ready"] #findings-table');
    const shown = await attrs(page, '#findings-table tbody tr', 'data-finding');
    expect(shown.sort()).toEqual((await findingRefs('leader')).sort());
    expect(shown).toEqual(expect.arrayContaining([RSJ, ZJW]));
    await expect(page.locator(`#findings-table tr[data-finding="${RSJ}"] .finding-rule`).textContent()).resolves.toMatch(/第四条/);

    // Declined without a reason: the server refuses, and the page says so where the reason goes.
    await page.click(`[data-decide-finding="${ZJW}"]`);
    expect(param(page, 'finding')).toBe(ZJW);
    await ready(page, `#finding-decision[data-finding="${ZJW}"]`);
    await page.click('#decline-form button[type=submit]');
    await ready(page, '#decline-form [role="alert"]');
    await expect(page.locator('#decline-form [role="alert"]').textContent()).resolves.toMatch(/未处理.*请求有误（reason）/);
    expect(await findingRefs('leader')).toContain(ZJW);
    await page.fill('#decline-reason', '该季度已在局务会上专题研究，纪要漏报，已补正');
    await page.click('#decline-form button[type=submit]');
    await ready(page, '#accountability-said');
    await expect(page.locator('#accountability-said').textContent()).resolves.toMatch(/已不予立案/);
    await ready(page, `#findings[data-state="ready"] #findings-table tr[data-finding="${RSJ}"]`);
    expect(await page.locator(`#findings-table tr[data-finding="${ZJW}"]`).count()).toBe(0);
    expect(await findingRefs('leader')).not.toContain(ZJW);

    // Opened from the other finding: the case is selected, at its first step with its article.
    await page.click(`[data-decide-finding="${RSJ}"]`);
    await ready(page, `#finding-decision[data-finding="${RSJ}"]`);
    await page.fill('#open-principal', '市人社局局长');
    await page.fill('#open-in-charge', '市人社局副局长');
    await page.click('#open-case-form button[type=submit]');
    await ready(page, '#accountability-detail[data-state="ready"] #acc-step[data-step="notice"]');
    const caseId = param(page, 'case')!;
    expect(caseId).toMatch(/^ACC-/);
    expect(param(page, 'finding')).toBeNull();
    await expect(page.locator('#acc-step').textContent()).resolves.toMatch(/通报 第二十一条/);
    await expect(page.locator('#acc-ground').textContent()).resolves.toMatch(/其他失职失责情形/);
    expect(await attrs(page, '#acc-attribution tbody tr', 'data-responsibility')).toEqual(['principal-leadership', 'principal-leadership']);
    await expect(page.locator('#acc-history tr[data-event="opened"]').textContent()).resolves.toContain(`duty:${RSJ}`);
    expect(await findingRefs('leader')).not.toContain(RSJ);
    await ready(page, `#accountability-table tr[data-case="${caseId}"]`);

    await page.fill('form[data-action="escalate"] textarea', '期满未听取汇报，且未按要求说明情况');
    await page.click('form[data-action="escalate"] button[type=submit]');
    await ready(page, '#accountability-detail[data-state="ready"] #acc-step[data-step="admonition"]');
    await expect(page.locator('#acc-verdict').textContent()).resolves.toMatch(/已升级：诫勉 第二十二条/);
    await expect(page.locator('#acc-step').textContent()).resolves.toMatch(/诫勉 第二十二条/);
    await ready(page, '#acc-history tr[data-event="escalated"]');
    const api = await b.json<AccountabilityDetail>('leader', `/api/v1/accountability/${caseId}`);
    expect(api).toMatchObject({ step: 'admonition', organ: 'BJ-RSJ', ground: 'other' });
    expect(api.steps.map((s) => s.step)).toEqual(['notice', 'admonition']);
    expect(api.steps[1]).toMatchObject({ reason: '期满未听取汇报，且未按要求说明情况', by: expect.stringMatching(/^市领导 \(leader;/) });
    expect(api.history.find((h) => h.event_type === 'step_imposed' && h.ladder_step === 'admonition')?.rule).toMatch(/诫勉 第二十二条/);
    await ready(page, `#accountability-table tr[data-case="${caseId}"][data-step="admonition"]`);
    expect(await seriousOf(page)).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await b.screenshot(page, 'accountability');
    expect(errors).toEqual([]);
  });

  it("lists a case's overdue routing as a supervision finding against its organ, and the leader opens a case from it", async () => {
    const { page, errors } = await b.openPage('leader', '/accountability');
    await ready(page, `#findings[data-state="ready"] #case-findings-table tr[data-finding="${SUPERVISED}"]`);
    const answer = await b.json<FindingsAnswer>('leader', '/api/v1/accountability-findings');
    expect((await attrs(page, '#case-findings-table tbody tr', 'data-finding')).sort()).toEqual(answer.caseFindings.map((f) => f.ref).sort());
    const shown = answer.caseFindings.find((f) => f.ref === SUPERVISED)!;
    expect(shown).toMatchObject({ organ: 'BJ-XFB', step: 'route', case_id: 'SUP-E2E-1' });
    const row = page.locator(`#case-findings-table tr[data-finding="${SUPERVISED}"]`);
    expect(await row.getAttribute('data-days-late')).toBe(String(shown.days_late));
    expect(shown.days_late).toBeGreaterThan(0);
    await expect(row.textContent()).resolves.toContain('北京市信访办');
    await expect(row.locator('.finding-rule').textContent()).resolves.toBe(shown.rule ?? '');

    await page.click(`[data-decide-finding="${SUPERVISED}"]`);
    expect(param(page, 'finding')).toBe(SUPERVISED);
    await ready(page, `#finding-decision[data-finding="${SUPERVISED}"][data-source="case"]`);
    await expect(page.locator('#finding-decision .note').first().textContent()).resolves.toContain(`期限 ${shown.due_date}，逾期 ${shown.days_late} 天`);
    expect(await page.locator('#open-ground').inputValue()).toBe('procedure');
    await page.fill('#open-principal', '市信访办主任');
    await page.click('#open-case-form button[type=submit]');
    await ready(page, '#accountability-detail[data-state="ready"] #acc-step[data-step="notice"]');
    const caseId = param(page, 'case')!;
    await expect(page.locator('#acc-ground').textContent()).resolves.toMatch(/未按规定受理、交办、转送、督办/);
    await ready(page, '#acc-history tr[data-event="opened"]');
    await expect(page.locator('#acc-history tr[data-event="opened"]').textContent()).resolves.toContain(`case:${SUPERVISED}`);
    expect(await caseFindingRefs('leader')).not.toContain(SUPERVISED);
    expect(await b.json<AccountabilityDetail>('leader', `/api/v1/accountability/${caseId}`)).toMatchObject({ organ: 'BJ-XFB', ground: 'procedure' });
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows an officer of another organ neither the finding nor the case, on the page or through the API', async () => {
    const { cases } = await b.json<{ cases: { case_id: string; organ: string }[] }>('leader', '/api/v1/accountability?status=open');
    const opened = cases.find((c) => c.organ === 'BJ-RSJ');
    expect(opened).toBeDefined();
    const caseId = opened!.case_id;
    // Each officer's findings are its own organ's only (the demo's late city-level reviews are
    // 北京市教育委员会's own findings), never BJ-RSJ's.
    for (const [officer, organ] of [['officer-education', 'BJ-JW'], ['officer-chaoyang', 'D110105']] as const) {
      const theirs = await b.json<FindingsAnswer>(officer, '/api/v1/accountability-findings');
      expect([...theirs.findings, ...theirs.caseFindings, ...theirs.recommendationFindings].filter((f) => f.organ !== organ)).toEqual([]);
      expect(theirs.caseFindings.map((f) => f.ref)).not.toContain(SUPERVISED);
      expect((await b.api(officer, `/api/v1/accountability/${caseId}`)).status).toBe(404);
      expect((await b.json<{ cases: { case_id: string }[] }>(officer, '/api/v1/accountability')).cases.map((c) => c.case_id)).not.toContain(caseId);
    }
    const { page, errors } = await b.openPage('officer-chaoyang', `/accountability?case=${caseId}`);
    await ready(page, '#findings[data-state="empty"]');
    await ready(page, '#accountability-detail[data-state="error"]');
    await expect(page.locator('#accountability-detail [role="alert"]').textContent()).resolves.toMatch(/未找到/);
    expect(await page.locator(`#accountability-table tr[data-case="${caseId}"]`).count()).toBe(0);
    // The duty calendar is not an organ's page.
    expect(await page.locator('#nav-duties').count()).toBe(0);
    expect(await seriousOf(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
