/**
 * Records of the duties owed as needed (DOMAIN §5) over the API: leaders' reception days
 * (领导接访日) and annotated letters (阅批来信) recorded for an organ, listed with the article
 * imposing the duty and counted per organ and year; a kind the rule does not take refused with
 * its reason in both languages; another district's clerk and a leader refused; each write audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../analytics/audit-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { BEIJING_ORGANS } from '../../domain/organs.js';
import { addDays, chinaDateOf } from '../../rules/plain-date.js';
import type { DutyCalendarAnswer } from '../../server/duty-routes.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { as, seedUsers } from '../support/login.js';

let store: AnalyticsStore;
let app: RunningApp;
beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await seedUsers(store);
  app = await startApiApp({ store });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

const today = chinaDateOf(new Date());
const year = Number(today.slice(0, 4));
const PATH = '/duties/BJ-RSJ/leaderReception/records';

describe('records of the duties owed as needed', () => {
  it("records a leader's reception days and annotated letters for an organ, lists them with the article and counts them", async () => {
    const clerk = await as(app.base, 'clerk');
    const reception = await clerk(PATH, { kind: 'reception', date: today, reference: '市人社局领导接访登记第 1 号', participants: ['局长'] });
    expect(reception).toMatchObject({
      status: 201,
      body: { organ: 'BJ-RSJ', duty_id: 'leaderReception', kind: 'reception', date: today, participants: '局长', rule: '北京市信访工作责任制实施细则 第十二条 [beijing-2017]', actor: expect.stringMatching(/^市信访办办理人员 \(clerk;/) },
    });
    // Two receptions the same day are one reception day; a second day counts.
    expect((await clerk(PATH, { kind: 'reception', date: today, reference: '市人社局领导接访登记第 2 号' })).status).toBe(201);
    const yesterday = addDays(today, -1);
    const other = yesterday.startsWith(String(year)) ? yesterday : today;
    expect((await clerk(PATH, { kind: 'reception', date: other, reference: '市人社局领导接访登记第 3 号' })).status).toBe(201);
    expect((await clerk(PATH, { kind: 'letter', date: today, reference: '人社信〔2026〕阅批 17 号' })).status).toBe(201);
    // The same record again is refused, not counted twice.
    expect(await clerk(PATH, { kind: 'letter', date: today, reference: '人社信〔2026〕阅批 17 号' })).toMatchObject({ status: 409, body: { refusal: { code: 'recordKept', zh: expect.stringContaining('不重复计数') } } });

    const calendar = (await clerk(`/duties?region=110000&year=${year}`)).body as unknown as DutyCalendarAnswer;
    const own = calendar.records.filter((r) => r.organ === 'BJ-RSJ');
    expect(own.map((r) => `${r.kind} ${r.reference}`).sort()).toEqual(
      ['letter 人社信〔2026〕阅批 17 号', 'reception 市人社局领导接访登记第 1 号', 'reception 市人社局领导接访登记第 2 号', 'reception 市人社局领导接访登记第 3 号'].sort(),
    );
    expect(own.every((r) => r.rule === '北京市信访工作责任制实施细则 第十二条 [beijing-2017]' && r.organ_name === '北京市人力资源和社会保障局')).toBe(true);
    const summary = calendar.recordSummary.find((s) => s.organ === 'BJ-RSJ')!;
    expect(summary).toMatchObject({ reception_days: other === today ? 1 : 2, letters: 1, records: 4 });
    expect(summary.duties).toEqual(expect.arrayContaining(['leaderReception', 'caseOwnership']));
    expect(calendar.asNeeded.leaderReception).toMatchObject({ article: '第十二条', evidence: ['reception', 'letter'], title: '北京市信访工作责任制实施细则' });
    // A periodic duty's form is the period's: its calendar does not list these.
    expect(calendar.periods.some((p) => p.duty_id === 'leaderReception')).toBe(false);
    expect(calendar.recordSummary.find((s) => s.organ === 'BJ-ZJW')).toMatchObject({ reception_days: 0, letters: 0, records: 0 });
    // Another year has none.
    expect(((await clerk(`/duties?region=110000&year=${year - 1}`)).body as unknown as DutyCalendarAnswer).records).toEqual([]);

    const audited = await queryAudit(store, { action: 'duty.record' });
    expect(audited.map((a) => `${a.outcome} ${a.status}`)).toEqual(expect.arrayContaining(['ok 201', 'denied 409']));
    expect(audited.find((a) => a.outcome === 'ok')).toMatchObject({ objectIds: ['BJ-RSJ/leaderReception'], username: 'clerk' });
  });

  it('refuses a kind the rule does not take with its reason, a future date, a periodic duty, and callers outside the organ', async () => {
    const clerk = await as(app.base, 'clerk');
    const meeting = await clerk(PATH, { kind: 'meeting', date: today, reference: '纪要' });
    expect(meeting).toMatchObject({
      status: 409,
      body: {
        error: 'record refused: 北京市信访工作责任制实施细则 第十二条 [beijing-2017] is met by reception or letter, not meeting',
        refusal: { code: 'evidenceKind', zh: '北京市信访工作责任制实施细则 第十二条 [beijing-2017] 以接待来访或阅批来信为履行证据，不接受会议' },
      },
    });
    expect(await clerk(PATH, { kind: 'reception', date: addDays(today, 1), reference: '登记' })).toMatchObject({ status: 400, body: { problems: [{ at: 'date' }] } });
    expect((await clerk('/duties/BJ-RSJ/hearReport.district/records', { kind: 'meeting', date: today, reference: '纪要' })).status).toBe(404);
    expect((await clerk('/duties/BJ-NONE/leaderReception/records', { kind: 'reception', date: today, reference: '登记' })).status).toBe(404);
    expect(await (await as(app.base, 'clerk-chaoyang'))(PATH, { kind: 'reception', date: today, reference: '登记' })).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
    expect(await (await as(app.base, 'leader'))(PATH, { kind: 'reception', date: today, reference: '登记' })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    // The district's own clerk records for the district's organ.
    expect((await (await as(app.base, 'clerk-chaoyang'))('/duties/D110105/leaderReception/records', { kind: 'letter', date: today, reference: '朝阳区领导阅批来信 5 号' })).status).toBe(201);
    const chaoyang = (await (await as(app.base, 'leader-chaoyang'))(`/duties?region=110105&year=${year}`)).body as unknown as DutyCalendarAnswer;
    expect(chaoyang.records.map((r) => r.organ)).toEqual(['D110105']);
    // The district's own organs, each counted: its leadership, petition office and departments.
    const own = BEIJING_ORGANS.filter((o) => o.regionCode === '110105' && !o.streetCode).map((o) => o.code);
    expect(chaoyang.recordSummary.map((r) => r.organ)).toEqual(own);
    expect(own).toEqual(expect.arrayContaining(['D110105', 'D110105-XFB', 'D110105-ZJW']));
    expect(chaoyang.recordSummary.find((r) => r.organ === 'D110105')).toMatchObject({ letters: 1, reception_days: 0, records: 1 });
    expect(chaoyang.recordSummary.filter((r) => r.records > 0).map((r) => r.organ)).toEqual(['D110105']);
  });

  it("lets a street's clerk record its leadership's hearings (Beijing art. 4: as needed), read on the street's calendar, and refuses its district's organs", async () => {
    const street = await as(app.base, 'clerk-jianwai');
    const hearing = await street('/duties/S110105001/hearReport.street/records', { kind: 'meeting', date: today, reference: '建外街道党工委会议纪要 3 号' });
    expect(hearing).toMatchObject({ status: 201, body: { organ: 'S110105001', organ_name: '朝阳区建外街道党工委、办事处', rule: '北京市信访工作责任制实施细则 第四条 [beijing-2017]' } });
    expect((await street('/duties/D110105/leaderReception/records', { kind: 'letter', date: today, reference: '越权' })).status).toBe(403);
    expect((await street('/duties/S110105002/hearReport.street/records', { kind: 'meeting', date: today, reference: '越权' })).status).toBe(403);
    const own = (await street(`/duties?year=${year}`)).body as unknown as DutyCalendarAnswer & { region: string };
    expect(own.region).toBe('110105001');
    expect(own.recordSummary).toEqual([expect.objectContaining({ organ: 'S110105001', records: 1, duties: expect.arrayContaining(['hearReport.street', 'leaderReception']) })]);
    // Its district reads the street's calendar by the street's code.
    const fromDistrict = (await (await as(app.base, 'leader-chaoyang'))(`/duties?region=110105001&year=${year}`)).body as unknown as DutyCalendarAnswer;
    expect(fromDistrict.records.map((r) => r.reference)).toEqual(['建外街道党工委会议纪要 3 号']);
  });
});
