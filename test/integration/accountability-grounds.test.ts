/**
 * The 2022 Regulations' failures (arts. 44-46) as grounds over the API, on the real
 * time-skipping Temporal test server: a late notice of acceptance and a late handling propose
 * their 2022 grounds; a case opened on art. 44(三) is ordered to correct (责令改正) under the
 * Regulations' article; a decision combines measures where a rule lets them go together and is
 * refused, coded, where none does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsOfCase } from '../../analytics/case-log.js';
import { addDays, chinaDateOf } from '../../rules/plain-date.js';
import { acceptUpdate, CASE_WORKFLOW_ID_PREFIX } from '../../workflows/case-actions.js';
import { petitionCaseWorkflow } from '../../workflows/petition-case.js';
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
interface CaseFindingRow {
  ref: string;
  step: string;
  organ: string;
  ground: string | null;
}
interface History {
  event_type: string;
  ladder_step: string | null;
  rule: string | null;
  detail: Record<string, unknown>;
}
const REGULATIONS = '[信访工作条例 [regulations-2022]]';

describe('accountability grounds of the 2022 Regulations', () => {
  it('a late notice proposes art. 44(三) and opens at 责令改正; a late handling art. 45(一), with a serious measure combined', async () => {
    await t.withWorker(async (taskQueue) => {
      const { base, close } = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue });
      try {
        // Taken in 40 days ago by a city department, which never told the petitioner whether it accepts it.
        const caseId = 'GRD-RSJ-1';
        await t.env.client.workflow.start(petitionCaseWorkflow, {
          workflowId: `${CASE_WORKFLOW_ID_PREFIX}${caseId}`,
          taskQueue,
          args: [{ intake: { caseId, jurisdiction: 'beijing', receivedAt: new Date((await t.env.currentTimeMs()) - 40 * 86_400_000).toISOString(), channel: 'letter', regionCode: '110108', collectiveSize: 1 }, receivedBy: { organ: 'BJ-RSJ', kind: 'organ' } }],
        });
        const types = async () => (await eventsOfCase(t.store, caseId)).map((e) => e.event_type);
        await eventually(types, (seen) => seen.includes('notify_overdue'));
        // Accepted late, then not handled within the 60 days.
        await t.env.client.workflow.getHandle(`${CASE_WORKFLOW_ID_PREFIX}${caseId}`).executeUpdate(acceptUpdate, { args: [{ actor: 'BJ-RSJ 办理人员', accepted: true }] });
        await t.env.sleep(65 * 86_400_000);
        await eventually(types, (seen) => seen.includes('handle_overdue'));
        const today = chinaDateOf(new Date(await t.env.currentTimeMs()));

        const leader = await as(base, 'leader');
        const listed = await leader('/accountability-findings');
        expect(listed.status).toBe(200);
        const proposed = Object.fromEntries((listed.body.caseFindings as CaseFindingRow[]).filter((f) => f.ref.startsWith(`${caseId}/`)).map((f) => [f.step, f]));
        expect(proposed['notify']).toMatchObject({ ref: `${caseId}/notify_overdue`, organ: 'BJ-RSJ', ground: 'acceptanceNotNotified' });
        expect(proposed['handle']).toMatchObject({ ref: `${caseId}/handle_overdue`, organ: 'BJ-RSJ', ground: 'handlingDelayed' });
        const grounds = listed.body.grounds as { id: string; article: string | null; cite: string; startsAt: string }[];
        expect(grounds.find((g) => g.id === 'acceptanceNotNotified')).toMatchObject({ article: '第四十四条第（三）项', cite: '信访工作条例 [regulations-2022]', startsAt: 'correction' });
        expect(grounds.find((g) => g.id === 'handlingDelayed')).toMatchObject({ article: '第四十五条第（一）项', startsAt: 'correction' });
        // Beijing's own grounds are still there beside them.
        expect(grounds.find((g) => g.id === 'procedure')).toMatchObject({ cite: '北京市信访工作责任制实施细则 [beijing-2017]', startsAt: 'notice' });
        expect((listed.body.steps as { id: string; labelZh: string; cite: string }[]).find((s) => s.id === 'correction')).toMatchObject({ labelZh: '责令改正', cite: '信访工作条例 [regulations-2022]' });

        const opening = (ref: string, ground: string, extra: Record<string, unknown> = {}) => ({
          organ: 'BJ-RSJ',
          ground,
          finding: { source: 'case', ref },
          failure: { kind: 'individual', participants: [{ person: '办理人员', role: 'officerInCharge' }, { person: '局长', role: 'principal' }] },
          rectifyBy: addDays(today, 30),
          ...extra,
        });
        const detailOf = (id: string, events: number) =>
          eventually(
            () => leader(`/accountability/${id}`),
            // The log can hold the step a moment before the workflow has taken in its activity's completion.
            (r: Answer) => r.status === 200 && (r.body.history as unknown[]).length >= events && r.body.stage !== 'opening',
          );

        // Art. 44(三): ordered to correct, by the Regulations' article, with the deadline decided.
        const late = await leader('/accountability', opening(proposed['notify']!.ref, proposed['notify']!.ground!));
        expect(late.status).toBe(201);
        const notice = await detailOf(String(late.body.caseId), 2);
        expect(notice.body).toMatchObject({ ground: 'acceptanceNotNotified', step: 'correction', stage: 'rectifying', deadline: { due: addDays(today, 30) } });
        const noticeHistory = notice.body.history as History[];
        expect(noticeHistory[0]).toMatchObject({ event_type: 'opened', rule: `未在规定期限内书面告知信访人是否受理信访事项 第四十四条第（三）项 ${REGULATIONS}`, detail: { finding: `case:${caseId}/notify_overdue` } });
        expect(noticeHistory[1]).toMatchObject({ event_type: 'step_imposed', ladder_step: 'correction', rule: `责令改正 第四十四条至第四十六条 ${REGULATIONS}`, detail: { consequences: '由其上级机关、单位责令改正' } });
        expect(noticeHistory[1]!.detail).not.toHaveProperty('combinedWith');

        // A measure the ground does not lead to, or one named twice: refused, coded, and nothing opened.
        const handleRef = proposed['handle']!.ref;
        const notForGround = await leader('/accountability', opening(handleRef, 'handlingDelayed', { combinedWith: { steps: ['notice'], reason: '一并通报' } }));
        expect(notForGround).toMatchObject({
          status: 400,
          body: { problems: [{ at: 'combinedWith.steps' }], refusal: { code: 'measureNotForGround', params: { step: 'notice', ground: 'handlingDelayed' }, zh: expect.stringContaining('不适用“通报”') } },
        });
        const twice = await leader('/accountability', opening(handleRef, 'handlingDelayed', { combinedWith: { steps: ['admonition', 'admonition'], reason: '严重' } }));
        expect(twice).toMatchObject({ status: 400, body: { refusal: { code: 'measureRepeated', en: 'admonition is named twice' } } });
        const still = await leader('/accountability-findings');
        expect((still.body.caseFindings as CaseFindingRow[]).map((f) => f.ref)).toContain(handleRef);

        // Art. 45(一) with serious results: 责令改正 and 诫勉 at once, as the Regulations let them go together.
        const combined = await leader('/accountability', opening(handleRef, 'handlingDelayed', { combinedWith: { steps: ['admonition'], reason: '久拖不办，造成严重后果' } }));
        expect(combined.status).toBe(201);
        const both = await detailOf(String(combined.body.caseId), 2);
        expect(both.body).toMatchObject({ step: 'correction', stage: 'rectifying', honoursIneligibleYear: Number(today.slice(0, 4)) });
        expect((both.body.steps as { step: string; combinedWith?: string[] }[])[0]).toMatchObject({ step: 'correction', combinedWith: ['admonition'] });
        const imposed = (both.body.history as History[]).find((h) => h.event_type === 'step_imposed')!;
        expect(imposed).toMatchObject({
          ladder_step: 'correction',
          detail: {
            combinedWith: 'admonition',
            combinedRule: `诫勉 第二十二条 [北京市信访工作责任制实施细则 [beijing-2017]]；合并使用 第四十四条至第四十六条 ${REGULATIONS}`,
            combinedReason: '久拖不办，造成严重后果',
          },
        });
        expect(String(imposed.detail.consequences)).toContain('取消该地区、部门和单位本年度评选综合性荣誉称号的资格');
        expect(((await leader('/accountability-findings')).body.caseFindings as CaseFindingRow[]).filter((f) => f.ref.startsWith(`${caseId}/`))).toEqual([]);
      } finally {
        await close();
      }
    });
  });
});
