/**
 * 阳光信访 end to end on the real time-skipping Temporal server: the public form validates and
 * registers an online case with its workflow; the receipt's codes open the petitioner's page and
 * nothing else; wrong and unknown codes get one answer; look-ups are bounded and lock; rating
 * and pressing reach the workflow and its verdict comes back in the petitioner's language; the
 * pages set and read no staff cookie and show nothing internal.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startApiApp } from '../support/api-app.js';
import { as, loginAs, seedUsers } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();
beforeAll(() => seedUsers(t.store));

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('a scanned letter')]);
const PERSON = { kind: 'person', name: '欧阳娜娜', idNumber: '11010519491231002X', phone: '13812345678' };
let clientSeq = 0;

/** The site on this test's server, with a clock the test can move (the lock-outs read it). */
async function serve(taskQueue: string) {
  let offsetMs = 0;
  const app = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue, trustProxy: true, now: () => new Date(Date.now() + offsetMs) });
  const staff = await as(app.base, 'clerk-chaoyang');
  /** Each call from its own client address unless one is given, so the per-client budget is the test's to spend. */
  const post = async (path: string, body: FormData | Record<string, string>, client = `10.0.${Math.floor(++clientSeq / 250)}.${clientSeq % 250}`) => {
    const init: RequestInit =
      body instanceof FormData
        ? { method: 'POST', body }
        : { method: 'POST', body: new URLSearchParams(body).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    const res = await fetch(`${app.base}/open${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': client } });
    return { status: res.status, html: await res.text(), headers: res.headers };
  };
  return { app, staff, post, advance: (ms: number) => (offsetMs += ms), close: app.close };
}

function petition(fields: Record<string, string | string[]> = {}, files: { name: string; content: Buffer; type?: string }[] = []): FormData {
  const form = new FormData();
  const all: Record<string, string | string[]> = { matter: '小区旁工地夜间施工噪声扰民，多次反映未解决', field: '城乡建设', district: '110105', street: '110105001', ...PERSON, ...fields };
  for (const [k, v] of Object.entries(all)) for (const one of [v].flat()) form.append(k, one);
  for (const f of files) form.append('attachment', new Blob([new Uint8Array(f.content)], { type: f.type ?? 'application/octet-stream' }), f.name);
  return form;
}

const receiptOf = (html: string) => ({
  caseId: /id="receipt-case">([^<]+)</.exec(html)?.[1] ?? '',
  code: /id="receipt-code">([^<]+)</.exec(html)?.[1] ?? '',
});
const passOf = (html: string) => /name="pass" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

describe('the online petition form', () => {
  it('says what is wrong beside each field and registers nothing', async () => {
    await t.withWorker(async (q) => {
      const s = await serve(q);
      try {
        const empty = await s.post('/submit', petition({ matter: '', field: '', district: '', name: '', idNumber: '', phone: '' }));
        expect(empty.status).toBe(400);
        for (const id of ['matter', 'field', 'district', 'name']) {
          expect(empty.html).toContain(`id="${id}-error"`);
          expect(empty.html).toMatch(new RegExp(`id="${id}"[^>]*aria-describedby="[^"]*${id}-error[^"]*" aria-invalid="true"`));
        }
        expect(empty.html).toContain('请修改以下内容后再提交');

        const badId = await s.post('/submit', petition({ idNumber: '110105194912310021', lang: 'en' }));
        expect(badId.status).toBe(400);
        expect(badId.html).toContain('idNumber: check digit should be X');
        // What was typed comes back, escaped: the petitioner corrects it rather than typing it again.
        const script = await s.post('/submit', petition({ matter: '<script>alert(1)</script> 噪声扰民问题反映' , idNumber: 'x' }));
        expect(script.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
        expect(script.html).not.toContain('<script>alert(1)');

        const six = await s.post('/submit', petition({ collective: 'yes', collectiveSize: '30', representative: ['甲', '乙', '丙', '丁', '戊', '己'] }));
        expect(six.status).toBe(400);
        expect(six.html).toContain('代表人数不得超过 5 人（《信访工作条例》第二十条）');
        const repsAlone = await s.post('/submit', petition({ representative: ['甲'] }));
        expect(repsAlone.html).toContain('只有联名信访才填写人数和代表');

        const textAsPdf = await s.post('/submit', petition({}, [{ name: 'letter.pdf', content: Buffer.from('just text'), type: 'application/pdf' }]));
        expect(textAsPdf.status).toBe(400);
        expect(textAsPdf.html).toContain('不是 PDF、PNG 或 JPEG 文件');
        const big = await s.post('/submit', petition({}, [{ name: 'big.png', content: Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]) }]));
        expect(big.html).toContain('超过 2 MB');
        const four = await s.post('/submit', petition({}, [1, 2, 3, 4].map((i) => ({ name: `${i}.png`, content: PNG }))));
        expect(four.html).toContain('附件最多 3 个');
        const huge = await s.post('/submit', petition({}, [1, 2, 3, 4].map((i) => ({ name: `${i}.png`, content: Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]) }))));
        expect(huge.status).toBe(413);

        const unknownField = await s.post('/submit', petition({ caseId: 'MINE-1' }));
        expect(unknownField.html).toContain('表单没有 caseId 这一项');
        const street = await s.post('/submit', petition({ street: '110101001' }));
        expect(street.html).toContain('所选街道（乡镇）不在所选的区内');
        const notMultipart = await s.post('/submit', { matter: 'x' });
        expect(notMultipart.status).toBe(415);

        const [stored] = await t.store.all(z.object({ n: z.number() }), 'SELECT count(*)::INTEGER AS n FROM open_access');
        expect(stored!.n).toBe(0);
      } finally {
        await s.close();
      }
    });
  });

  it('registers an online case with its workflow, seals identity, representatives and attachments, and shows the codes once', async () => {
    await t.withWorker(async (q) => {
      const s = await serve(q);
      try {
        const res = await s.post('/submit', petition({ collective: 'yes', collectiveSize: '12', representative: ['张三', '李四', '', '', ''] }, [{ name: '../../etc/现场照片.png', content: PNG, type: 'text/plain' }]));
        expect(res.status).toBe(201);
        expect(res.headers.get('set-cookie')).toBeNull();
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
        const { caseId, code } = receiptOf(res.html);
        expect(caseId).toMatch(/^XF-\d{8}-[0-9A-F]{8}$/);
        expect(code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
        expect(res.html).toContain('查询码只显示这一次');

        const row = await eventually(async () => (await t.store.all(z.object({ channel: z.string(), collective_size: z.number(), petitioner_id: z.string().nullable() }), 'SELECT channel, collective_size, petitioner_id FROM cases WHERE case_id = $id', { id: caseId }))[0]);
        expect(row).toMatchObject({ channel: 'online', collective_size: 12 });
        expect(row.petitioner_id).toMatch(/^P/);
        const [access] = await t.store.all(z.object({ code_hash: z.string(), reps: z.string() }), 'SELECT code_hash, hex(reps_ciphertext) AS reps FROM open_access WHERE case_id = $id', { id: caseId });
        expect(access!.code_hash).toMatch(/^\$argon2id\$/);
        expect(access!.code_hash).not.toContain(code.replaceAll('-', ''));
        expect(Buffer.from(access!.reps, 'hex').toString('utf8')).not.toContain('张三');
        const [file] = await t.store.all(z.object({ file_name: z.string(), content_type: z.string(), size_bytes: z.number(), ct: z.string() }), 'SELECT file_name, content_type, size_bytes, hex(ciphertext) AS ct FROM open_attachments WHERE case_id = $id', { id: caseId });
        // The type is what the bytes are, whatever the browser said; the path is gone from the name.
        expect(file).toMatchObject({ file_name: '现场照片.png', content_type: 'image/png', size_bytes: PNG.length });
        expect(Buffer.from(file!.ct, 'hex').includes(Buffer.from('a scanned letter'))).toBe(false);

        const page = await s.post('/lookup', { caseCode: caseId.toLowerCase(), verificationCode: code.replaceAll('-', ' ').toLowerCase() });
        expect(page.status).toBe(200);
        expect(page.html).toContain(caseId);
        expect(page.html).toContain('待转送');
        expect(page.html).toContain('张三、李四');
        expect(page.html).toContain('现场照片.png');
        expect(page.html).toMatch(/信访工作机构应在 \d{4}-\d{2}-\d{2} 前登记并转送/);
        expect(page.html).toContain('朝阳区');

        // The petitioner's own copy comes back as sent, as a download of the type its bytes are.
        const download = await fetch(`${s.app.base}/open/case/attachment`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ pass: passOf(page.html), seq: '0' }).toString() });
        expect(download.headers.get('content-type')).toBe('image/png');
        expect(download.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${encodeURIComponent('现场照片.png')}`);
        expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);
        expect((await s.post('/case/attachment', { pass: passOf(page.html), seq: '1' })).status).toBe(404);
        expect((await s.post('/case/attachment', { pass: 'forged', seq: '0' })).status).toBe(403);

        // The staff who may see the case see its files and, revealed with a reason, its representatives.
        await eventually(async () => ((await s.staff(`/cases/${caseId}`)).status === 200 ? true : undefined));
        expect((await s.staff(`/cases/${caseId}`)).body.attachments).toEqual([{ seq: 0, fileName: '现场照片.png', contentType: 'image/png', sizeBytes: PNG.length }]);
        const clerk = (await loginAs(s.app.base, 'clerk-chaoyang')).headers;
        const staffCopy = await fetch(`${s.app.base}/api/v1/cases/${caseId}/attachments/0`, { headers: clerk });
        expect(staffCopy.status).toBe(200);
        expect(staffCopy.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${encodeURIComponent('现场照片.png')}`);
        expect(Buffer.from(await staffCopy.arrayBuffer()).equals(PNG)).toBe(true);
        expect((await fetch(`${s.app.base}/api/v1/cases/${caseId}/attachments/1`, { headers: clerk })).status).toBe(404);
        const elsewhere = (await loginAs(s.app.base, 'officer-education')).headers;
        expect((await fetch(`${s.app.base}/api/v1/cases/${caseId}/attachments/0`, { headers: elsewhere })).status).toBe(404);
        const revealed = await s.staff(`/cases/${caseId}/petitioner/reveal`, { reason: '联系集体访代表' });
        expect(revealed.body.representatives).toEqual(['张三', '李四']);
      } finally {
        await s.close();
      }
    });
  });
});

describe('looking a case up', () => {
  it('answers a wrong code and an unknown case alike, rate-limits per client and locks a case code after 5 wrong codes', async () => {
    await t.withWorker(async (q) => {
      const s = await serve(q);
      try {
        const { caseId, code } = receiptOf((await s.post('/submit', petition())).html);
        const wrong = await s.post('/lookup', { caseCode: caseId, verificationCode: 'AAAA-BBBB-CCCC' });
        const unknownId = caseId.replace(/.{4}$/, caseId.endsWith('0000') ? '1111' : '0000');
        const unknown = await s.post('/lookup', { caseCode: unknownId, verificationCode: 'AAAA-BBBB-CCCC' });
        expect(wrong.status).toBe(403);
        expect(unknown.status).toBe(403);
        expect(unknown.html.replaceAll(unknownId, 'CODE')).toBe(wrong.html.replaceAll(caseId, 'CODE'));
        expect(wrong.html).toContain('信访事项编号或查询码不正确');

        // Brute force: 3 more wrong codes from 3 more addresses make 5 for this case code: it locks.
        for (let i = 0; i < 4; i++) expect((await s.post('/lookup', { caseCode: caseId, verificationCode: `WRONG-${i}` })).status).toBe(403);
        const locked = await s.post('/lookup', { caseCode: caseId, verificationCode: code });
        expect(locked.status).toBe(429);
        expect(locked.html).toContain('该编号连续多次查询码错误，已暂停查询');
        expect(locked.html).not.toContain('name="pass"');
        // An unknown case code locks the same way, so the lock tells nothing.
        for (let i = 0; i < 4; i++) await s.post('/lookup', { caseCode: unknownId, verificationCode: `WRONG-${i}` });
        const lockedUnknown = await s.post('/lookup', { caseCode: unknownId, verificationCode: code });
        expect(lockedUnknown.html.replaceAll(unknownId, 'CODE')).toBe(locked.html.replaceAll(caseId, 'CODE'));
        // The lock is kept in DuckDB: a restarted server (a new app on the same store) still holds it.
        const restarted = await serve(q);
        try {
          expect((await restarted.post('/lookup', { caseCode: caseId, verificationCode: code })).status).toBe(429);
        } finally {
          await restarted.close();
        }
        s.advance(14 * 60_000);
        expect((await s.post('/lookup', { caseCode: caseId, verificationCode: code })).status).toBe(429);
        s.advance(61_000);
        const open = await s.post('/lookup', { caseCode: caseId, verificationCode: code });
        expect(open.status).toBe(200);
        expect(open.html).toContain('name="pass"');

        // One client: 20 look-ups in a burst, then 10 a minute.
        const statuses: number[] = [];
        for (let i = 0; i < 21; i++) statuses.push((await s.post('/lookup', { caseCode: `XF-20260101-${String(i).padStart(8, '0')}`, verificationCode: 'X' }, '192.0.2.7')).status);
        expect(statuses.slice(0, 20).every((st) => st === 403)).toBe(true);
        expect(statuses[20]).toBe(429);
        const limited = await s.post('/lookup', { caseCode: caseId, verificationCode: code }, '192.0.2.7');
        expect(limited.html).toContain('查询过于频繁');
      } finally {
        await s.close();
      }
    });
  });

  it('shares no cookie with the staff side and shows nothing internal', async () => {
    await t.withWorker(async (q) => {
      const s = await serve(q);
      try {
        const { caseId, code } = receiptOf((await s.post('/submit', petition())).html);
        await eventually(async () => ((await s.staff(`/cases/${caseId}`)).status === 200 ? true : undefined));
        expect((await s.staff(`/cases/${caseId}/route`, { mode: 'forward', toOrgan: 'D110105', toKind: 'competent' })).status).toBe(200);
        expect((await s.staff(`/cases/${caseId}/accept`, { accepted: true })).status).toBe(200);
        expect((await s.staff(`/cases/${caseId}/extend`, { days: 30, reason: '需要现场调查取证', approvedBy: '王局长' })).status).toBe(200);
        expect((await s.staff(`/cases/${caseId}/reply`, { outcome: 'partly_supported', summary: '已责令施工单位夜间停工' })).status).toBe(200);

        // The staff session's cookie is neither needed nor read: the page is the same with it and without it.
        const { headers: staffHeaders } = await loginAs(s.app.base, 'clerk-chaoyang');
        const withCookie = await fetch(`${s.app.base}/open/lookup`, { headers: { cookie: staffHeaders.cookie! } });
        const without = await fetch(`${s.app.base}/open/lookup`);
        expect(withCookie.headers.get('set-cookie')).toBeNull();
        expect(await withCookie.text()).toBe(await without.text());
        const page = await eventually(async () => {
          const p = await s.post('/lookup', { caseCode: caseId, verificationCode: code });
          return p.html.includes('已责令施工单位夜间停工') ? p : undefined;
        });
        expect(page.headers.get('set-cookie')).toBeNull();
        // A pass opens the petitioner's page only, never the staff API.
        const pass = passOf(page.html);
        expect((await fetch(`${s.app.base}/api/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${pass}` } })).status).toBe(401);

        expect(page.html).toContain('转送 朝阳区委、区政府');
        expect(page.html).toContain('需要现场调查取证');
        expect(page.html).toContain('出具书面答复意见：部分支持');
        expect(page.html).toMatch(/对答复意见不服的，您可以在 \d{4}-\d{2}-\d{2} 前向上一级机关请求复查/);
        for (const internal of ['朝阳区信访办办理人员', 'clerk-chaoyang', '王局长', '欧阳', '11010519491231002X', '13812345678', 'role']) expect(page.html).not.toContain(internal);
      } finally {
        await s.close();
      }
    });
  });
});

describe('the pages', () => {
  it('take only their own parameters, refuse a form posted from another site, and switch to English', async () => {
    await t.withWorker(async (q) => {
      const s = await serve(q);
      try {
        const get = (path: string) => fetch(`${s.app.base}/open${path}`);
        const english = await get('/lookup?lang=en');
        expect(english.status).toBe(200);
        const text = await english.text();
        expect(text).toContain('<html lang="en">');
        expect(text).toContain('Verification code');
        expect(english.headers.get('content-security-policy')).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'");
        expect((await get('/?caseId=1')).status).toBe(400);
        expect((await get('/no-such-page')).status).toBe(404);
        expect((await get('/assets/open.css')).headers.get('content-type')).toContain('text/css');
        expect((await s.post('/lookup', { caseCode: 'XF-1', verificationCode: 'x', extra: '1' })).status).toBe(400);
        expect((await s.post('/lookup', { caseCode: 'XF-1', verificationCode: 'x'.repeat(20_000) })).status).toBe(413);
        const crossSite = await fetch(`${s.app.base}/open/lookup`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'caseCode=XF-1&verificationCode=x' });
        expect(crossSite.status).toBe(403);
        expect(await crossSite.text()).toContain('请从本网站的页面提交');
      } finally {
        await s.close();
      }
    });
  });

  it('tell a petitioner whose matter was not accepted why, and where to go instead', async () => {
    await t.withWorker(async (q) => {
      const s = await serve(q);
      try {
        const { caseId, code } = receiptOf((await s.post('/submit', petition())).html);
        await eventually(async () => ((await s.staff(`/cases/${caseId}`)).status === 200 ? true : undefined));
        expect((await s.staff(`/cases/${caseId}/route`, { mode: 'forward', toOrgan: 'D110105', toKind: 'competent' })).status).toBe(200);
        expect((await s.staff(`/cases/${caseId}/accept`, { accepted: false, reason: '属于民事纠纷，请向朝阳区人民法院起诉' })).status).toBe(200);
        const page = await eventually(async () => {
          const p = await s.post('/lookup', { caseCode: caseId, verificationCode: code, lang: 'en' });
          return p.html.includes('Not accepted') ? p : undefined;
        });
        expect(page.html).toContain('Not accepted: 属于民事纠纷，请向朝阳区人民法院起诉');
        expect(page.html).toContain('The matter was not accepted; the reason and where to go instead are above.');
        // A closed case has nothing to press.
        expect(page.html).not.toContain('/open/case/press');
      } finally {
        await s.close();
      }
    });
  });
});

describe('rating and pressing', () => {
  it('rates the reply once, presses only a late step, and says each refusal in the petitioner language', async () => {
    await t.withWorker(async (q) => {
      const s = await serve(q);
      try {
        const { caseId, code } = receiptOf((await s.post('/submit', petition())).html);
        const looked = await eventually(async () => {
          const p = await s.post('/lookup', { caseCode: caseId, verificationCode: code });
          return p.status === 200 ? p : undefined;
        });
        const pass = passOf(looked.html);
        const early = await s.post('/case/press', { pass, note: '请尽快转送' });
        expect(early.html).toContain('本事项没有超过办理期限的环节，暂不能催办');
        const earlyRate = await s.post('/case/rate', { pass, level: 'satisfied' });
        expect(earlyRate.html).toContain('尚未答复，无从评价');
        expect((await s.post('/case/rate', { pass, level: 'great' })).status).toBe(400);
        const noLevel = await s.post('/case/rate', { pass, comment: '很好' });
        expect(noLevel.html).toContain('请选择满意、基本满意或不满意');
        const longNote = await s.post('/case/press', { pass, note: '催'.repeat(501) });
        expect(longNote.html).toContain('说明不超过 500 字，且不含控制字符');

        // Past the routing deadline (days of the test server's clock skipped), the press is taken, once that day.
        await t.env.sleep('20 days');
        const stateNow = await eventually(async () => {
          const p = await s.post('/case', { pass });
          return p.html.includes('已超期') ? p : undefined;
        });
        expect(stateNow.html).toContain('已超期');
        const pressed = await s.post('/case/press', { pass, note: '请尽快转送' });
        expect(pressed.html).toContain('催办已记录');
        const again = await s.post('/case/press', { pass });
        expect(again.html).toContain('id="verdict"');
        const [presses] = await t.store.all(z.object({ n: z.number() }), "SELECT count(*)::INTEGER AS n FROM case_events WHERE case_id = $id AND event_type = 'pressed'", { id: caseId });
        expect(presses!.n).toBe(1);
        // The clerk's work queue marks the case the petitioner pressed.
        const queue = (await s.staff('/cases?limit=500')).body as { cases: { case_id: string; presses: number }[] };
        expect(queue.cases.find((c) => c.case_id === caseId)?.presses).toBe(1);

        expect((await s.staff(`/cases/${caseId}/route`, { mode: 'forward', toOrgan: 'D110105', toKind: 'competent' })).status).toBe(200);
        expect((await s.staff(`/cases/${caseId}/accept`, { accepted: true })).status).toBe(200);
        expect((await s.staff(`/cases/${caseId}/reply`, { outcome: 'supported' })).status).toBe(200);
        const rated = await s.post('/case/rate', { pass, level: 'basically_satisfied', comment: '处理及时' });
        expect(rated.html).toContain('评价已提交');
        expect(rated.html).toContain('您的评价：<strong>基本满意</strong>');
        const twice = await s.post('/case/rate', { pass, level: 'dissatisfied', lang: 'en' });
        expect(twice.html).toContain('the reply was already rated');
        expect(twice.html).toContain('<html lang="en">');

        const forged = await s.post('/case/rate', { pass: pass.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), level: 'satisfied' });
        expect(forged.status).toBe(403);
        expect(forged.html).toContain('页面已过期，请重新查询');
        s.advance(31 * 60_000);
        expect((await s.post('/case', { pass })).status).toBe(403);

        // Checked last, after everything else: the second press's refusal, in Chinese, needs the
        // workflow's refusal to come back coded (its parameters scalars, as refusalOf reads them).
        expect(again.html).toMatch(/\d{4}-\d{2}-\d{2} 已就“转送交办”催办过，每个超期环节每天只能催办一次/);
      } finally {
        await s.close();
      }
    });
  });
});
