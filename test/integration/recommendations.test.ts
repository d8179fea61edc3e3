/**
 * Recommendations (三项建议) on the real time-skipping Temporal test server: the feedback
 * clock from the packs with its reminders and breach (the supervision record), feedback once;
 * and the API for recommendations and screened disputes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { getRecommendation, recommendationEventsOf } from '../../analytics/recommendation-log.js';
import { BEIJING_ORGANS } from '../../domain/organs.js';
import type { RecommendationIssue } from '../../domain/recommendation.js';
import { startApiApp } from '../support/api-app.js';
import { caseDeadline } from '../../rules/case-rules.js';
import { addDays, chinaDateOf, startOfChinaDay, type PlainDate } from '../../rules/plain-date.js';
import { recommendationStateQuery, recommendationWorkflow, recordFeedbackUpdate, type RecommendationState } from '../../workflows/recommendation.js';
import { as, seedUsers } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

// The built-in packs name no reminders for this clock; a local pack over Beijing's does, so the
// test sees the workflow send what a pack asks for. Set before the library first loads.
const packs = mkdtempSync(join(tmpdir(), 'xinfang-rec-packs-'));
writeFileSync(
  join(packs, 'test-feedback-reminders.json'),
  JSON.stringify({
    id: 'test-feedback-reminders',
    version: '1',
    titleZh: '测试：建议反馈提醒',
    titleEn: 'Test: feedback reminders',
    issuer: 'test',
    level: 'local',
    effective: '2020-01-01',
    clocks: {
      recommendationFeedback: {
        labelZh: '对改进建议书面反馈',
        labelEn: 'Written feedback on a recommendation',
        days: 30,
        basis: 'calendar',
        from: 'recommendation',
        who: 'recommended organ',
        reminders: [
          { daysBefore: 7, to: 'handler' },
          { daysBefore: 2, to: 'supervisor' },
        ],
        source: { article: null, note: 'test fixture: the 30 days of 2005 art. 36 with reminders' },
      },
    },
  }),
);
const jurisdictions = join(mkdtempSync(join(tmpdir(), 'xinfang-rec-jurisdictions-')), 'jurisdictions.json');
writeFileSync(jurisdictions, JSON.stringify({ 'beijing-reminders': ['regulations-2005', 'regulations-2022', 'national-2016', 'beijing-2017', 'test-feedback-reminders'] }));
process.env.XINFANG_PACKS_DIR = packs;
process.env.XINFANG_JURISDICTIONS = jurisdictions;

const t = timeSkippingSuite();
beforeAll(async () => {
  await seedUsers(t.store);
});

const today = async () => chinaDateOf(new Date(await t.env.currentTimeMs()));
async function skipTo(day: PlainDate, offsetMs = 60_000) {
  const ms = startOfChinaDay(day).getTime() + offsetMs - (await t.env.currentTimeMs());
  if (ms > 0) await t.env.sleep(ms);
}
/** The state once `ready` holds, by query: awaiting the result would let the test server skip years. */
async function until(handle: WorkflowHandle, ready: (s: RecommendationState) => boolean): Promise<RecommendationState> {
  for (let i = 0; i < 200; i++) {
    const state = await handle.query(recommendationStateQuery);
    if (ready(state)) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the recommendation did not reach the expected state');
}
const refusedWith = (promise: Promise<unknown>, reason: RegExp) =>
  expect(promise).rejects.toSatisfy((e: unknown) => e instanceof WorkflowUpdateFailedError && reason.test(String(e.cause?.message)));
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the store did not catch up');
}

describe('the recommendation workflow', () => {
  it('sends the pack’s reminders, records the breach against the organ, then takes late feedback once', async () => {
    await t.withWorker(async (taskQueue) => {
      const issuedDate = await today();
      const input: RecommendationIssue = {
        recommendationId: 'R-LATE',
        jurisdiction: 'beijing-reminders',
        regionCode: '110105',
        issuedBy: '朝阳区信访办',
        toOrgan: '朝阳区人力资源社会保障局',
        kind: 'improve_work',
        issuedDate,
        caseId: 'XF-20260101-0001',
        summary: '欠薪投诉集中，建议建立预警台账',
      };
      const handle = await t.env.client.workflow.start(recommendationWorkflow, { workflowId: 'recommendation/R-LATE', taskQueue, args: [input] });
      const planned = await until(handle, (s) => s.stage === 'awaiting_feedback');
      const due = planned.deadline!.due as PlainDate;
      // The 30 days of the packs, through the deadline engine and China's calendar.
      expect(due).toBe(caseDeadline({ jurisdiction: 'beijing', receivedDate: issuedDate, step: 'recommendationFeedback', start: issuedDate }).due);
      expect(planned.deadline!.rule).toMatchObject({ pack: 'test-feedback-reminders', step: 'recommendationFeedback' });
      expect(planned.packs).toContain('test-feedback-reminders@1');
      expect(await getRecommendation(t.store, 'R-LATE')).toMatchObject({
        issued_date: issuedDate,
        feedback_due: due,
        feedback_date: null,
        adopted: null,
        feedback_overdue_date: null,
        case_id: 'XF-20260101-0001',
        origin: 'workflow',
      });

      await skipTo(addDays(due, 1));
      const breached = await until(handle, (s) => s.overdueDate !== null);
      expect(breached.overdueDate).toBe(addDays(due, 1));
      const events = await eventually(() => recommendationEventsOf(t.store, 'R-LATE'), (e) => e.some((x) => x.event_type === 'feedback_overdue'));
      expect(events.map((e) => e.event_type)).toEqual(['issued', 'reminder', 'reminder', 'feedback_overdue']);
      expect(events.filter((e) => e.event_type === 'reminder').map((e) => e.detail)).toEqual([
        { daysBefore: 7, to: 'handler' },
        { daysBefore: 2, to: 'supervisor' },
      ]);
      // The supervision record names the organ that owes the feedback, and the rule.
      expect(events[3]).toMatchObject({ organ: '朝阳区人力资源社会保障局', due_date: due, rule: expect.stringMatching(/test-feedback-reminders/) });
      expect(events[3]!.detail).toMatchObject({ organ: '朝阳区人力资源社会保障局', kind: 'improve_work' });
      expect((await getRecommendation(t.store, 'R-LATE'))!.feedback_overdue_date).toBe(addDays(due, 1));

      const now = await today();
      const feedback = (extra: object) => handle.executeUpdate(recordFeedbackUpdate, { args: [{ actor: '人社局办公室', adopted: false, date: now, ...extra }] });
      await refusedWith(feedback({}), /gives the reason.*第三十六条/);
      await refusedWith(feedback({ note: '理由', date: addDays(issuedDate, -1) }), /before the recommendation was issued/);
      await refusedWith(feedback({ note: '理由', date: addDays(now, 1) }), /after today/);
      const given = await feedback({ note: '涉及市级政策，已报市人社局研究' });
      expect(given.feedback).toMatchObject({ adopted: false, date: now, late: true });
      const row = await eventually(() => getRecommendation(t.store, 'R-LATE'), (r) => r?.feedback_date !== null);
      expect(row).toMatchObject({ feedback_date: now, adopted: false, feedback_by: '人社局办公室', feedback_overdue_date: addDays(due, 1) });
      const after = await eventually(() => recommendationEventsOf(t.store, 'R-LATE'), (e) => e.length === 5);
      expect(after[4]).toMatchObject({ event_type: 'feedback', actor: '人社局办公室', detail: { adopted: false, late: true } });
    });
  });

  it('feedback in time closes the clock without a breach', async () => {
    await t.withWorker(async (taskQueue) => {
      const issuedDate = await today();
      const handle = await t.env.client.workflow.start(recommendationWorkflow, {
        workflowId: 'recommendation/R-ONTIME',
        taskQueue,
        args: [{ recommendationId: 'R-ONTIME', jurisdiction: 'beijing', regionCode: '110000', issuedBy: '北京市信访办', toOrgan: '北京市住房和城乡建设委员会', kind: 'improve_policy', issuedDate }],
      });
      const planned = await until(handle, (s) => s.stage === 'awaiting_feedback');
      expect(planned.deadline!.rule).toMatchObject({ pack: 'regulations-2022', article: '第四十条第三款' });
      await skipTo(addDays(issuedDate, 10));
      const date = await today();
      const given = await handle.executeUpdate(recordFeedbackUpdate, { args: [{ actor: '市住建委', adopted: true, date }] });
      expect(given).toMatchObject({ stage: 'feedback_given', overdueDate: null, feedback: { adopted: true, late: false } });
      const row = await eventually(() => getRecommendation(t.store, 'R-ONTIME'), (r) => r?.feedback_date !== null);
      expect(row).toMatchObject({ region_code: '110000', kind: 'improve_policy', feedback_date: date, adopted: true, feedback_overdue_date: null });
      expect((await recommendationEventsOf(t.store, 'R-ONTIME')).map((e) => e.event_type)).toEqual(['issued', 'feedback']);
    });
  });
});

const listen = (taskQueue: string) => startApiApp({ store: t.store, temporal: t.env.client, taskQueue });

describe('the API', () => {
  it('issues a recommendation, lists it by region and year, takes the feedback once, within each jurisdiction', async () => {
    await t.withWorker(async (taskQueue) => {
      const { base, close } = await listen(taskQueue);
      try {
        const clerk = await as(base, 'clerk');
        const officer = await as(base, 'officer-education');
        const day = chinaDateOf(new Date());
        const year = Number(day.slice(0, 4));
        // Addressed to the city education commission by name: its officers see it and answer.
        const issue = { recommendationId: 'R-API-1', regionCode: '110108', issuedBy: '海淀区信访办', toOrgan: '北京市教育委员会', kind: 'accountability', issuedDate: day };
        for (const [bad, at] of [
          [{ ...issue, kind: 'scold' }, 'kind'],
          [{ ...issue, issuedDate: addDays(day, 2) }, 'issuedDate'],
          [{ ...issue, issuedDate: '0000-01-01' }, 'issuedDate'],
          [{ ...issue, toOrgan: ' ' }, 'toOrgan'],
          [{ ...issue, extra: 1 }, '(body)'],
        ] as const) {
          expect(await clerk('/recommendations', bad)).toMatchObject({ status: 400, body: { problems: [{ at }] } });
        }
        // No pack is in force in 2001: refused here, not by a workflow that would fail.
        expect(await clerk('/recommendations', { ...issue, issuedDate: '2001-03-01' })).toMatchObject({ status: 400, body: { problems: [{ at: 'issuedDate' }] } });
        expect((await clerk('/recommendations', { ...issue, regionCode: '110108001' })).body.error).toMatch(/not the city or a district/);
        expect(await (await as(base, 'clerk-chaoyang'))('/recommendations', issue)).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
        expect(await clerk('/recommendations', issue)).toMatchObject({ status: 201, body: { recommendationId: 'R-API-1' } });
        expect((await clerk('/recommendations', issue)).status).toBe(409);

        // The row is written by the issuing activity before the workflow moves on, so the stage
        // is waited for too: seeing the row does not mean the workflow has seen it recorded.
        const detail = await eventually(
          () => clerk('/recommendations/R-API-1'),
          (r) => r.body.record !== null && (r.body.events as unknown[]).length > 0 && (r.body.state as { stage?: string } | null)?.stage === 'awaiting_feedback',
        );
        expect(detail.body).toMatchObject({ state: { stage: 'awaiting_feedback' }, record: { kind: 'accountability', feedback_due: expect.any(String) } });
        expect((await officer('/recommendations/R-API-1')).status).toBe(200);
        // Outside the jurisdiction it is as if it did not exist.
        expect((await (await as(base, 'leader-chaoyang'))('/recommendations/R-API-1')).status).toBe(404);
        expect((await (await as(base, 'officer-chaoyang'))('/recommendations/R-API-1/recordFeedback', { adopted: true })).status).toBe(404);

        const listed = await clerk(`/recommendations?region=110108&year=${year}`);
        expect(listed.body).toMatchObject({ region: '110108', year, totals: { issued: 1, feedback: 0, adopted: 0, overdue: 0, awaiting: 1 } });
        // The city rolls up its districts through the region hierarchy; no region is the caller's own.
        const ids = async (query: string) =>
          ((await clerk(`/recommendations?${query}year=${year}`)).body.recommendations as Array<{ recommendation_id: string }>).map((r) => r.recommendation_id);
        expect(await ids('region=110000&')).toContain('R-API-1');
        expect(await ids('')).toContain('R-API-1');
        expect(await ids('region=110105&')).not.toContain('R-API-1');
        expect((await clerk('/recommendations?year=1800')).status).toBe(400);
        // The issuing form picks the organ from the registry: the region's organs come with the list.
        // A district's: its leadership, petition office, departments and its streets' leaderships.
        const haidian = BEIJING_ORGANS.filter((o) => o.regionCode === '110108');
        expect((listed.body.addressees as Array<{ code: string }>).map((o) => o.code).sort()).toEqual(haidian.map((o) => o.code).sort());
        expect(haidian.map((o) => o.code)).toEqual(expect.arrayContaining(['D110108', 'D110108-JW', 'S110108001']));
        // The city's: its own and the districts' organs, not the streets' (their district addresses them).
        const city = ((await clerk(`/recommendations?region=110000&year=${year}`)).body.addressees as Array<{ code: string }>).map((o) => o.code);
        expect(city).toEqual(expect.arrayContaining(['BJ-JW', 'D110105', 'D110108', 'D110108-JW']));
        expect(city.sort()).toEqual(BEIJING_ORGANS.filter((o) => !o.streetCode).map((o) => o.code).sort());
        expect(listed.body).toMatchObject({ adoptionRate: { numerator: 0, denominator: 0, rate: null } });
        expect(await ids('region=110108&status=awaiting&kind=accountability&')).toEqual(['R-API-1']);
        expect(await ids('region=110108&status=answered&')).toEqual([]);
        expect(await ids('region=110108&kind=improve_work&')).toEqual([]);
        expect((await clerk(`/recommendations?status=late&year=${year}`)).status).toBe(400);

        // An organ's officer lists what is addressed to its organ, wherever it was issued, and
        // narrows it by region; another organ's officer lists none of it.
        const officerIds = async (as: typeof officer, query = '') =>
          ((await as(`/recommendations?${query}year=${year}`)).body.recommendations as Array<{ recommendation_id: string }>).map((r) => r.recommendation_id);
        expect(await officer(`/recommendations?year=${year}`)).toMatchObject({
          status: 200,
          body: { region: null, organ: 'BJ-JW', totals: { issued: 1, awaiting: 1 }, addressees: [], recommendations: [{ recommendation_id: 'R-API-1', status: 'awaiting', rule: expect.stringMatching(/第四十条第三款/) }] },
        });
        expect(await officerIds(officer, 'region=110108&')).toEqual(['R-API-1']);
        expect(await officerIds(officer, 'region=110105&')).toEqual([]);
        expect((await officer('/recommendations?region=999999')).status).toBe(400);
        const otherOrgan = await as(base, 'officer-chaoyang');
        expect(await officerIds(otherOrgan)).not.toContain('R-API-1');
        expect((await otherOrgan(`/recommendations?year=${year}`)).body).toMatchObject({ organ: 'D110105' });
        expect(await (await as(base, 'clerk-chaoyang'))('/recommendations?region=110108')).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });

        expect((await clerk('/recommendations/R-API-1/recordFeedback', { adopted: true })).status).toBe(403);
        expect((await officer('/recommendations/R-API-1/recordFeedback', { adopted: 'yes' })).status).toBe(400);
        // Who gave the feedback is the login, never the body.
        expect((await officer('/recommendations/R-API-1/recordFeedback', { actor: '海淀区教委', adopted: true })).status).toBe(400);
        const first = await officer('/recommendations/R-API-1/recordFeedback', { adopted: true, note: '已对相关责任人给予处分' });
        expect(first).toMatchObject({ status: 200, body: { stage: 'feedback_given', feedback: { adopted: true, date: day, actor: expect.stringMatching(/^市教委承办人 \(officer-education; officer; organ:BJ-JW; /) } } });
        const second = await officer('/recommendations/R-API-1/recordFeedback', { adopted: false, note: '改变主意' });
        expect(second).toMatchObject({ status: 409, body: { error: expect.stringMatching(/recordFeedback refused: .*already recorded: adopted, dated .* by 市教委承办人 \(officer-education;/) } });
        const answered = await eventually(() => clerk(`/recommendations?region=110108&year=${year}`), (r) => (r.body.totals as { adopted: number }).adopted === 1);
        expect(answered.body).toMatchObject({ adoptionRate: { numerator: 1, denominator: 1, rate: 1 }, recommendations: [{ recommendation_id: 'R-API-1', status: 'answered', adopted: true }] });
        expect(await officerIds(officer, 'status=answered&')).toEqual(['R-API-1']);
        // Once the workflow has ended, a further feedback still gets the reason.
        await eventually(
          () => t.env.client.workflow.getHandle('recommendation/R-API-1').describe(),
          (d) => d.status.name === 'COMPLETED',
        );
        expect((await officer('/recommendations/R-API-1/recordFeedback', { adopted: true })).body.error).toMatch(/already recorded/);
        expect((await officer('/recommendations/NOPE/recordFeedback', { adopted: true })).status).toBe(404);
        expect((await clerk('/recommendations/NOPE')).status).toBe(404);
      } finally {
        await close();
      }
    });
  });

  it('records screened disputes and resolves each once, never before its screening, within each jurisdiction', async () => {
    await t.withWorker(async (taskQueue) => {
      const { base, close } = await listen(taskQueue);
      try {
        const city = await as(base, 'clerk');
        const street = await as(base, 'clerk-jianwai');
        const day = chinaDateOf(new Date());
        const year = Number(day.slice(0, 4));
        const screened = addDays(day, -3);
        const dispute = { disputeId: 'DS-1', regionCode: '110105', streetCode: '110105001', field: '城乡建设', screenedDate: screened };
        expect((await city('/disputes', { ...dispute, streetCode: '110108001' })).body.error).toMatch(/lies in 110108, not in 110105/);
        expect((await city('/disputes', { ...dispute, regionCode: '110000', streetCode: undefined })).body.error).toMatch(/not a district/);
        expect(await city('/disputes', { ...dispute, field: '天气' })).toMatchObject({ status: 400, body: { problems: [{ at: 'field' }] } });
        expect(await city('/disputes', { ...dispute, screenedDate: addDays(day, 1) })).toMatchObject({ status: 400, body: { problems: [{ at: 'screenedDate' }] } });
        expect(await city('/disputes', { ...dispute, screenedDate: '0000-01-01' })).toMatchObject({ status: 400, body: { problems: [{ at: 'screenedDate' }] } });
        expect(await city('/disputes', { ...dispute, actor: '建外街道综治中心' })).toMatchObject({ status: 400, body: { problems: [{ at: '(body)' }] } });
        // A street's office records its own street's disputes, not its district's.
        expect(await street('/disputes', dispute)).toMatchObject({
          status: 201,
          body: { dispute_id: 'DS-1', screened_date: screened, resolved_date: null, origin: 'workflow', recorded_by: expect.stringMatching(/^建外街道信访办办理人员 \(clerk-jianwai; /) },
        });
        expect(await street('/disputes', dispute)).toMatchObject({ status: 409, body: { error: 'dispute DS-1 is already recorded' } });
        expect(await street('/disputes', { regionCode: '110105' })).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
        const second = await city('/disputes', { regionCode: '110105' });
        expect(second).toMatchObject({ status: 201, body: { dispute_id: expect.stringMatching(/^DS-\d{8}-[0-9A-F]{8}$/) } });
        expect((await street(`/disputes/${String(second.body.dispute_id)}`)).status).toBe(404);

        const resolve = (date: string) => street('/disputes/DS-1/resolve', { date, note: '调解协议已履行' });
        expect(await resolve(addDays(screened, -1))).toMatchObject({ status: 409, body: { error: expect.stringMatching(/screened on .*before it was screened/) } });
        expect(await resolve(addDays(day, 1))).toMatchObject({ status: 400, body: { problems: [{ at: 'date' }] } });
        expect(await resolve(addDays(screened, 1))).toMatchObject({ status: 200, body: { resolved_date: addDays(screened, 1), resolved_by: expect.stringMatching(/^建外街道信访办办理人员 /) } });
        expect(await resolve(day)).toMatchObject({ status: 409, body: { error: expect.stringMatching(/already resolved on .* by 建外街道信访办办理人员 .*; a resolution is recorded once/) } });
        expect((await city('/disputes/DS-NONE/resolve', {})).status).toBe(404);
        expect((await street(`/disputes/${String(second.body.dispute_id)}/resolve`, {})).status).toBe(404);

        expect((await city(`/disputes?region=110105&year=${year}`)).body).toMatchObject({
          totals: { screened: 2, resolved: 1, open: 1 },
          resolutionRate: { numerator: 1, denominator: 2, rate: 0.5, measure: 'dispute_resolution_rate' },
        });
        expect((await city(`/disputes?region=110105001&year=${year}`)).body.totals).toMatchObject({ screened: 1, resolved: 1 });
        expect((await city(`/disputes?region=110000&year=${year}`)).body.totals).toMatchObject({ screened: 2 });
        expect((await city(`/disputes?region=110108&year=${year}`)).body.totals).toMatchObject({ screened: 0 });
        expect((await street(`/disputes?year=${year}`)).body).toMatchObject({ region: '110105001', totals: { screened: 1 } });
        expect(await street(`/disputes?region=110105&year=${year}`)).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
      } finally {
        await close();
      }
    });
  });
});
