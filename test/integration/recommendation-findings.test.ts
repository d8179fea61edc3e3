/**
 * A recommendation's late feedback as a finding over the API, on the real time-skipping
 * Temporal test server: the organ a recommendation (三项建议) was addressed to owes written
 * feedback on its adoption (2022 Regulations art. 40(3)); when its clock runs out, the
 * feedback_overdue record proposes an accountability case on art. 45(三) to the deciding organ,
 * who opens it (never the system on its own) or declines it once, with a reason. Feedback in
 * time proposes nothing.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BEIJING_ORGANS } from '../../domain/organs.js';
import type { RecommendationIssue } from '../../domain/recommendation.js';
import { addDays, chinaDateOf, type PlainDate } from '../../rules/plain-date.js';
import { RECOMMENDATION_WORKFLOW_ID_PREFIX, recommendationStateQuery, recommendationWorkflow, recordFeedbackUpdate, type RecommendationState } from '../../workflows/recommendation.js';
import { startApiApp } from '../support/api-app.js';
import { as, seedUsers, type Answer } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();
beforeAll(async () => {
  await seedUsers(t.store);
});

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the store did not catch up');
}
/** The state once `ready` holds, by query: awaiting the result would let the test server skip years. */
async function until(handle: WorkflowHandle, ready: (s: RecommendationState) => boolean): Promise<RecommendationState> {
  return eventually(() => handle.query(recommendationStateQuery), ready);
}
interface RecommendationFindingRow {
  ref: string;
  recommendation_id: string;
  organ: string;
  ground: string | null;
  done_on: string | null;
  days_late: number;
}
const refsOf = (body: Record<string, unknown>) => (body.recommendationFindings as RecommendationFindingRow[]).map((f) => f.ref).sort();
const REGULATIONS = '信访工作条例 [regulations-2022]';
const NEGLECTED = '对党委和政府信访部门提出的改进工作、完善政策等建议重视不够、落实不力，导致问题长期得不到解决';
const DAY_MS = 86_400_000;

/** Issued on `issuedDate` by a Beijing office to `toOrgan` (a registry code or name, or neither). */
function issue(taskQueue: string, recommendationId: string, toOrgan: string, issuedDate: PlainDate, regionCode = '110000') {
  const input: RecommendationIssue = { recommendationId, jurisdiction: 'beijing', regionCode, issuedBy: regionCode === '110000' ? '北京市信访办' : '朝阳区信访办', toOrgan, kind: 'improve_work', issuedDate };
  return t.env.client.workflow.start(recommendationWorkflow, { workflowId: RECOMMENDATION_WORKFLOW_ID_PREFIX + recommendationId, taskQueue, args: [input] });
}

/** The recommendations whose feedback clock ran out, by SQL over the rows the workflows wrote. */
const overdueIds = async () =>
  (await t.store.all(z.object({ recommendation_id: z.string() }), 'SELECT recommendation_id FROM recommendations WHERE feedback_overdue_date IS NOT NULL ORDER BY 1')).map((r) => r.recommendation_id);
/** Of the registry's organs, by code or name, as an accountability case is against one. */
const registryOrgan = (named: string) => BEIJING_ORGANS.find((o) => o.code === named || o.nameZh === named)?.code ?? null;

describe('accountability findings on recommendations', () => {
  it('a recommendation whose feedback is late proposes art. 45(三) against its organ; the deciding organ opens a case from it, or declines it once', async () => {
    await t.withWorker(async (taskQueue) => {
      const { base, close } = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue });
      try {
        const issuedToday = chinaDateOf(new Date(await t.env.currentTimeMs()));
        // Issued 40 and 45 days ago: their 30-day clocks have run out, and breach at once.
        const late = await issue(taskQueue, 'REC-LATE', '朝阳区委、区政府', addDays(issuedToday, -40), '110105');
        const answered = await issue(taskQueue, 'REC-ANSWERED', 'BJ-RSJ', addDays(issuedToday, -45));
        // Addressed to a name the registry does not have: breached, but against no organ of it.
        const stray = await issue(taskQueue, 'REC-STRAY', '某局', addDays(issuedToday, -40));
        const breached = await Promise.all([late, answered, stray].map((h) => until(h, (s) => s.overdueDate !== null)));
        const due = Object.fromEntries(breached.map((s) => [s.recommendation.recommendationId, s.deadline!.due]));
        // Feedback given after the breach: taken late, and the breach stands.
        await answered.executeUpdate(recordFeedbackUpdate, { args: [{ actor: '市人社局办公室', adopted: true, date: issuedToday }] });
        await eventually(overdueIds, (ids) => ids.length === 3);

        const today = chinaDateOf(new Date());
        const leader = await as(base, 'leader');
        const listed = await eventually(
          () => leader('/accountability-findings'),
          (r: Answer) => (r.body.recommendationFindings as RecommendationFindingRow[]).some((f) => f.recommendation_id === 'REC-ANSWERED' && f.done_on !== null),
        );
        expect(listed.status).toBe(200);
        // Every breached recommendation addressed to an organ of the registry, and no other.
        const expected = (await overdueIds()).filter((id) => registryOrgan(breached.find((s) => s.recommendation.recommendationId === id)!.recommendation.toOrgan) !== null);
        expect(expected).toEqual(['REC-ANSWERED', 'REC-LATE']);
        expect(refsOf(listed.body)).toEqual(expected.map((id) => `${id}/feedback_overdue`));
        expect(listed.body.recommendationTotal).toBe(2);
        const findings = Object.fromEntries((listed.body.recommendationFindings as RecommendationFindingRow[]).map((f) => [f.recommendation_id, f]));
        expect(findings['REC-LATE']).toEqual({
          source: 'recommendation',
          ref: 'REC-LATE/feedback_overdue',
          recommendation_id: 'REC-LATE',
          kind: 'improve_work',
          issued_by: '朝阳区信访办',
          issued_date: addDays(issuedToday, -40),
          organ: 'D110105',
          organ_name: '朝阳区委、区政府',
          region_code: '110105',
          due_date: due['REC-LATE'],
          done_on: null,
          days_late: (Date.parse(today) - Date.parse(due['REC-LATE']!)) / DAY_MS,
          rule: `信访工作条例 第四十条第三款 [regulations-2022]`,
          found_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
          ground: 'recommendationsNeglected',
        });
        expect(findings['REC-ANSWERED']).toMatchObject({ organ: 'BJ-RSJ', done_on: issuedToday, days_late: (Date.parse(issuedToday) - Date.parse(due['REC-ANSWERED']!)) / DAY_MS, ground: 'recommendationsNeglected' });
        expect((listed.body.grounds as { id: string; article: string | null; cite: string; startsAt: string }[]).find((g) => g.id === 'recommendationsNeglected')).toMatchObject({
          article: '第四十五条第（三）项',
          cite: REGULATIONS,
          startsAt: 'correction',
        });
        // Proposed, never opened on its own.
        expect((await leader('/accountability')).body.total).toBe(0);
        // Scoped as the organ's: the district sees its organ's, the organ its own, another organ none.
        expect(refsOf((await (await as(base, 'leader-chaoyang'))('/accountability-findings')).body)).toEqual(['REC-LATE/feedback_overdue']);
        expect(refsOf((await (await as(base, 'officer-chaoyang'))('/accountability-findings')).body)).toEqual(['REC-LATE/feedback_overdue']);
        expect(refsOf((await (await as(base, 'officer-education'))('/accountability-findings')).body)).toEqual([]);

        const opening = (organ: string, ref: string | undefined) => ({
          organ,
          ground: 'recommendationsNeglected',
          finding: { source: 'recommendation', ...(ref === undefined ? {} : { ref }) },
          failure: { kind: 'collective', participants: [{ person: '区长', role: 'principal' }] },
          rectifyBy: addDays(today, 30),
        });
        expect(await leader('/accountability', opening('D110105', undefined))).toMatchObject({ status: 400, body: { problems: [{ at: 'finding.ref' }] } });
        expect(await leader('/accountability', opening('D110105', 'REC-LATE/feedback'))).toMatchObject({ status: 400, body: { problems: [{ at: 'finding.ref' }] } });
        expect(await leader('/accountability', opening('BJ-RSJ', 'REC-STRAY/feedback_overdue'))).toMatchObject({ status: 400, body: { error: expect.stringContaining('no feedback_overdue record REC-STRAY/feedback_overdue') } });
        expect(await leader('/accountability', opening('BJ-RSJ', 'REC-LATE/feedback_overdue'))).toMatchObject({ status: 400, body: { problems: [{ at: 'finding.ref' }], error: expect.stringContaining('against organ D110105, not BJ-RSJ') } });
        expect(await (await as(base, 'leader-chaoyang'))('/accountability', opening('BJ-RSJ', 'REC-ANSWERED/feedback_overdue'))).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
        expect((await leader('/accountability')).body.total).toBe(0);

        const opened = await leader('/accountability', opening('D110105', 'REC-LATE/feedback_overdue'));
        expect(opened.status).toBe(201);
        const caseId = String(opened.body.caseId);
        // Off the open findings at once, before the case's workflow has recorded its opening.
        expect(refsOf((await leader('/accountability-findings')).body)).toEqual(['REC-ANSWERED/feedback_overdue']);
        expect(await leader('/accountability', opening('D110105', 'REC-LATE/feedback_overdue'))).toMatchObject({
          status: 409,
          body: { error: expect.stringContaining(`accountability case ${caseId} was opened from the finding REC-LATE/feedback_overdue`) },
        });
        const detail = await eventually(
          () => leader(`/accountability/${caseId}`),
          (r: Answer) => r.status === 200 && (r.body.history as unknown[]).length >= 2 && r.body.stage !== 'opening',
        );
        // Beijing has no order to correct: the Regulations' 责令改正 is the first step, its deadline decided.
        expect(detail.body).toMatchObject({ organ: 'D110105', ground: 'recommendationsNeglected', step: 'correction', stage: 'rectifying', deadline: { due: addDays(today, 30) } });
        const history = detail.body.history as { event_type: string; ladder_step: string | null; rule: string | null; detail: Record<string, unknown> }[];
        expect(history[0]).toMatchObject({ event_type: 'opened', rule: `${NEGLECTED} 第四十五条第（三）项 [${REGULATIONS}]`, detail: { finding: 'recommendation:REC-LATE/feedback_overdue' } });
        expect(history[0]!.detail).not.toHaveProperty('referral');
        expect(history[1]).toMatchObject({ event_type: 'step_imposed', ladder_step: 'correction', rule: `责令改正 第四十四条至第四十六条 [${REGULATIONS}]` });

        const decline = (who: typeof leader, ref: string, reason?: string) => who('/accountability-findings/decline', { finding: { source: 'recommendation', ref }, ...(reason === undefined ? {} : { reason }) });
        expect(await decline(leader, 'REC-ANSWERED/feedback_overdue')).toMatchObject({ status: 400, body: { problems: [{ at: 'reason' }] } });
        expect(await decline(leader, 'REC-ANSWERED/issued', '理由')).toMatchObject({ status: 400, body: { problems: [{ at: 'finding.ref' }] } });
        expect((await decline(leader, 'REC-STRAY/feedback_overdue', '理由')).status).toBe(404);
        expect(await decline(await as(base, 'leader-chaoyang'), 'REC-ANSWERED/feedback_overdue', '理由')).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
        expect(await decline(leader, 'REC-ANSWERED/feedback_overdue', '已书面反馈并采纳，逾期系公文流转延误')).toMatchObject({
          status: 200,
          body: { source: 'recommendation', ref: 'REC-ANSWERED/feedback_overdue', organ: 'BJ-RSJ', decision: 'declined', reason: '已书面反馈并采纳，逾期系公文流转延误' },
        });
        expect(await decline(leader, 'REC-ANSWERED/feedback_overdue', '再次')).toMatchObject({ status: 409, body: { error: expect.stringMatching(/was declined on .*: 已书面反馈并采纳/) } });
        expect(await decline(leader, 'REC-LATE/feedback_overdue', '理由')).toMatchObject({ status: 409, body: { error: expect.stringContaining(`accountability case ${caseId} was opened from the finding`) } });
        expect(refsOf((await leader('/accountability-findings')).body)).toEqual([]);
      } finally {
        await close();
      }
    });
  });

  it('a recommendation answered in time proposes none', async () => {
    await t.withWorker(async (taskQueue) => {
      const { base, close } = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue });
      try {
        const issuedToday = chinaDateOf(new Date(await t.env.currentTimeMs()));
        const handle = await issue(taskQueue, 'REC-ONTIME', 'BJ-ZJW', addDays(issuedToday, -20));
        const planned = await until(handle, (s) => s.stage === 'awaiting_feedback');
        expect(planned.deadline!.due > issuedToday).toBe(true);
        // Answered ten days before its due date: the clock closes without a breach.
        const given = await handle.executeUpdate(recordFeedbackUpdate, { args: [{ actor: '市住建委', adopted: true, date: issuedToday }] });
        expect(given).toMatchObject({ overdueDate: null, feedback: { late: false } });
        const events = await eventually(
          () => t.store.all(z.object({ event_type: z.string() }), "SELECT event_type FROM recommendation_events WHERE recommendation_id = 'REC-ONTIME' ORDER BY occurred_at"),
          (rows) => rows.some((r) => r.event_type === 'feedback'),
        );
        expect(events.map((e) => e.event_type)).toEqual(['issued', 'feedback']);
        expect(await overdueIds()).not.toContain('REC-ONTIME');

        const listed = await (await as(base, 'leader'))('/accountability-findings');
        expect(listed.status).toBe(200);
        expect(refsOf(listed.body)).not.toContain('REC-ONTIME/feedback_overdue');
        expect((listed.body.recommendationFindings as RecommendationFindingRow[]).filter((f) => f.recommendation_id === 'REC-ONTIME')).toEqual([]);
      } finally {
        await close();
      }
    });
  });
});
