/**
 * 阳光信访 in Debian's Chromium at a phone's viewport (390×844), on the system as `npm start`
 * runs it: a petitioner submits online (a refused form first, each error beside its field), keeps
 * the receipt, is refused a look-up with a wrong code, opens the case with the right one (with
 * JavaScript off: the pages need none), is refused a press before any deadline has passed, and,
 * once the office has routed, accepted and replied through the staff API, rates the reply and is
 * refused a second rating from a stale page; the English switch keeps the page. Axe finds no
 * serious or critical violation on any of these pages.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSystem, type BrowserSystem } from '../support/browser-system.js';

let b: BrowserSystem;
const PHONE = { width: 390, height: 844 };
const seriousOf = async (page: Page) => (await b.axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');

beforeAll(async () => {
  b = await startBrowserSystem('open-petitioning-e2e');
}, 240_000);
afterAll(async () => b?.stop());

/** A page of its own context (no cookie of any other), with or without JavaScript. */
async function petitionerPage(javaScriptEnabled: boolean) {
  const context = await b.browser.newContext({ viewport: PHONE, javaScriptEnabled });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) errors.push(m.text());
  });
  return { page, errors, context };
}

describe('a petitioner online', () => {
  let caseId = '';
  let code = '';

  it('submits a petition (refused first for a wrong ID number) and keeps the receipt', async () => {
    const { page, errors, context } = await petitionerPage(true);
    await page.goto(new URL('/open', b.system.url).href);
    await page.fill('#matter', '小区旁工地夜间施工噪声扰民，多次反映未解决，请求责令整改');
    await page.selectOption('#field', '城乡建设');
    await page.selectOption('#district', '110105');
    // The script shows only the chosen district's streets.
    expect(await page.locator('#street optgroup[data-district="110101"]').isHidden()).toBe(true);
    await page.selectOption('#street', '110105001');
    await page.fill('#name', '欧阳娜娜');
    await page.fill('#idNumber', '110105194912310021');
    await page.fill('#phone', '13812345678');
    await page.check('#collective');
    await page.fill('#collectiveSize', '12');
    await page.fill('#representative', '张三');
    await page.fill('#representative-2', '李四');
    const photo = { name: '现场照片.png', mimeType: 'image/png', buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]) };
    await page.setInputFiles('#attachment', photo);
    await b.screenshot(page, 'open-submit');

    // A wrong check digit: the form comes back with what was typed and the error beside the field.
    await page.click('button[type=submit]');
    await page.locator('#problems').waitFor();
    expect(await page.locator('#idNumber').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#idNumber-error').textContent()).toContain('末位校验码');
    expect(await page.locator('#problems a[href="#idNumber"]').count()).toBe(1);
    expect(await page.inputValue('#matter')).toContain('夜间施工噪声扰民');
    expect(await seriousOf(page)).toEqual([]);
    await page.fill('#idNumber', '');
    await page.setInputFiles('#attachment', photo);
    await page.click('button[type=submit]');
    await page.locator('#receipt').waitFor();
    caseId = (await page.locator('#receipt-case').textContent()) ?? '';
    code = (await page.locator('#receipt-code').textContent()) ?? '';
    expect(caseId).toMatch(/^XF-\d{8}-[0-9A-F]{8}$/);
    expect(code).toMatch(/^\w{4}-\w{4}-\w{4}$/);
    expect(await page.locator('[data-print]').isVisible()).toBe(true);
    expect(await seriousOf(page)).toEqual([]);
    await b.screenshot(page, 'open-receipt');
    expect(await context.cookies()).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('looks the case up (JavaScript off), is refused a wrong code and a press before a deadline, rates the reply once', async () => {
    // The petitioner's page runs no script; a second one, with scripts, lets axe read the pages and keeps a stale rating form.
    const { page, context } = await petitionerPage(false);
    const { page: other, context: otherContext } = await petitionerPage(true);
    const lookUp = async (p: Page, verificationCode: string) => {
      await p.goto(new URL('/open/lookup', b.system.url).href);
      await p.fill('#caseCode', caseId);
      await p.fill('#verificationCode', verificationCode);
      await p.click('main button[type=submit]');
    };
    await lookUp(page, 'AAAA-BBBB-CCCC');
    expect(await page.locator('#lookup-refusal').textContent()).toBe('信访事项编号或查询码不正确');
    await lookUp(other, 'BBBB-CCCC-DDDD');
    expect(await seriousOf(other)).toEqual([]);
    await lookUp(page, code.toLowerCase());
    await page.locator('dl.facts').waitFor();
    expect(await page.locator('h1').textContent()).toBe('我的信访事项');
    expect(await page.locator('main').textContent()).toContain('待转送');

    await page.click('#press-h ~ form button[type=submit]');
    expect(await page.locator('#verdict').textContent()).toBe('本事项没有超过办理期限的环节，暂不能催办');

    // The office works the case through the staff API.
    for (const [step, body] of [
      ['route', { mode: 'forward', toOrgan: 'D110105', toKind: 'competent' }],
      ['accept', { accepted: true }],
      ['reply', { outcome: 'partly_supported', summary: '已责令施工单位夜间停工' }],
    ] as const) {
      const res = await b.api('clerk-chaoyang', `/api/v1/cases/${caseId}/${step}`, { method: 'POST', body: JSON.stringify(body) });
      expect(res.status, step).toBe(200);
    }
    const main = () => page.locator('main').textContent();
    for (let i = 0; i < 40 && !(await main())?.includes('已责令施工单位夜间停工'); i++) {
      await new Promise((r) => setTimeout(r, 500));
      await page.click('#refresh');
    }
    expect(await main()).toContain('出具书面答复意见：部分支持');
    expect(await main()).not.toContain('朝阳区信访办办理人员');

    // The other page opens the rating form before this one uses it up.
    await lookUp(other, code);
    await other.locator('#rate-h').waitFor();
    expect(await seriousOf(other)).toEqual([]);

    await page.check('input[name=level][value=basically_satisfied]');
    await page.fill('#rate-comment', '处理及时');
    await page.click('#rate-h ~ form button[type=submit]');
    expect(await page.locator('#verdict').textContent()).toBe('评价已提交，谢谢。');
    expect(await page.locator('#rate-h ~ p').textContent()).toContain('基本满意');
    await b.screenshot(page, 'open-case');

    await other.check('input[name=level][value=dissatisfied]');
    await other.click('#rate-h ~ form button[type=submit]');
    expect(await other.locator('#verdict').textContent()).toBe('答复已经评价过');
    expect(await seriousOf(other)).toEqual([]);

    await page.click('header nav button.link');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('My case');
    expect(await main()).toContain('Written reply: partly supported');
    expect(await context.cookies()).toEqual([]);
    expect(await otherContext.cookies()).toEqual([]);
    await context.close();
    await otherContext.close();
  }, 120_000);
});
