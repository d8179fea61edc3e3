/**
 * Findings that propose an accountability case (DOMAIN §5-6) over the API, on the real
 * time-skipping Temporal test server: missed duty periods, and the supervision records (督办)
 * of case steps gone overdue, listed within each jurisdiction, declined with a reason once, or
 * opened as a case, which takes them off the open findings.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../analytics/audit-log.js';
import { dutyCalendar } from '../../analytics/duty-log.js';
import { periodContaining, type Period } from '../../rules/periods.js';
import { eventsOfCase } from '../../analytics/case-log.js';
import { addDays, chinaDateOf } from '../../rules/plain-date.js';
import { ACCOUNTABILITY_WORKFLOW_ID_PREFIX, accountabilityWorkflow, type AccountabilityInput } from '../../workflows/accountability.js';
import { DUTY_WORKFLOW_ID_PREFIX, dutyPeriodWorkflow } from '../../workflows/duty-period.js';
import { CASE_WORKFLOW_ID_PREFIX, petitionCaseWorkflow } from '../../workflows/petition-case.js';
import { startApiApp } from '../support/api-app.js';
import { as, seedUsers } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();
beforeAll(async () => {
  await seedUsers(t.store);
});

const DUTY = 'hearReport.district';
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the store did not catch up');
}
interface Finding {
  ref: string;
  organ: string;
  status: string;
  rule: string | null;
  period_label: string;
  duty: { labelZh: string; article: string | null } | null;
  evidence_items: unknown[];
}
const refsOf = (body: Record<string, unknown>) => (body.findings as Finding[]).map((f) => f.ref).sort();

describe('accountability findings', () => {
  it('lists missed duties within each jurisdiction; declining needs a reason and happens once; opening a case takes the finding off', async () => {
    await t.withWorker(async (taskQueue) => {
      const { base, close } = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue });
      try {
        const today = chinaDateOf(new Date(await t.env.currentTimeMs()));
        const current = periodContaining(today, 'quarter');
        // The quarter before this one has closed: a period opened for it is found missed at once.
        const last = periodContaining(addDays(current.start, -1), 'quarter');
        const open = async (organ: string, level: string, period: Period) =>
          t.env.client.workflow.start(dutyPeriodWorkflow, {
            workflowId: `${DUTY_WORKFLOW_ID_PREFIX}${organ}/${DUTY}/${period.label}`,
            taskQueue,
            args: [{ jurisdiction: 'beijing', organ, level, dutyId: DUTY, period }],
          });
        await open('BJ-RSJ', 'city-department', last);
        await open('BJ-ZJW', 'city-department', last);
        await open('D110105', 'district', last);
        await open('D110108', 'district', current);
        await eventually(
          async () => [...(await dutyCalendar(t.store, ['BJ-RSJ', 'BJ-ZJW', 'D110105'], Number(last.label.slice(0, 4))))].filter((r) => r.status === 'missed').length,
          (n) => n === 3,
        );
        const ref = (organ: string, period = last) => `${organ}/${DUTY}/${period.label}`;

        // The period's refusals come with their text in both languages.
        const clerk = await as(base, 'clerk');
        expect(await clerk(`/duties/D110108/${DUTY}/evidence`, { kind: 'letter', date: today, reference: '来信' })).toMatchObject({
          status: 409,
          body: { error: expect.stringMatching(/met by meeting, not letter$/), refusal: { code: 'evidenceKind', zh: expect.stringMatching(/以会议为履行证据，不接受阅批来信$/) } },
        });
        expect(await clerk(`/duties/BJ-ZJW/${DUTY}/evidence`, { kind: 'meeting', date: last.end, reference: '补录纪要' })).toMatchObject({
          status: 409,
          body: { refusal: { code: 'lateEvidenceKept', en: expect.stringContaining('kept as late evidence'), zh: `${last.label} 履行期已按“未履行”结束；该证据作为逾期证据保存，不改变认定` } },
        });

        const leader = await as(base, 'leader');
        const listed = await leader('/accountability-findings');
        expect(listed.status).toBe(200);
        expect(refsOf(listed.body)).toEqual([ref('BJ-RSJ'), ref('BJ-ZJW'), ref('D110105')]);
        const rsj = (listed.body.findings as Finding[]).find((f) => f.organ === 'BJ-RSJ')!;
        expect(rsj).toMatchObject({ status: 'missed', period_label: last.label, evidence_items: [], duty: { article: '第四条' } });
        expect(rsj.rule).toMatch(/第四条 \[beijing-2017\]/);
        expect(listed.body.grounds).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'other', startsAt: 'notice' })]));

        // A district sees its own organ's finding; an organ its own; another organ none.
        expect(refsOf((await (await as(base, 'leader-chaoyang'))('/accountability-findings')).body)).toEqual([ref('D110105')]);
        expect(refsOf((await (await as(base, 'officer-chaoyang'))('/accountability-findings')).body)).toEqual([ref('D110105')]);
        expect(refsOf((await (await as(base, 'officer-education'))('/accountability-findings')).body)).toEqual([]);
        expect((await leader('/accountability-findings?region=110108')).body.findings).toEqual([]);
        expect(await (await as(base, 'leader-chaoyang'))('/accountability-findings?region=110000')).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });

        const decline = (who: typeof leader, r: string, reason?: string) => who('/accountability-findings/decline', { finding: { source: 'duty', ref: r }, ...(reason === undefined ? {} : { reason }) });
        expect(await decline(leader, ref('BJ-ZJW'))).toMatchObject({ status: 400, body: { problems: [{ at: 'reason' }] } });
        expect(await decline(leader, ref('BJ-ZJW'), '  ')).toMatchObject({ status: 400, body: { problems: [{ at: 'reason' }] } });
        expect(await decline(leader, 'BJ-ZJW/../x', '理由')).toMatchObject({ status: 400, body: { problems: [{ at: 'finding.ref' }] } });
        expect(await decline(await as(base, 'clerk'), ref('BJ-ZJW'), '理由')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
        expect(await decline(await as(base, 'leader-chaoyang'), ref('BJ-ZJW'), '理由')).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
        expect(await decline(leader, ref('D110108', current), '理由')).toMatchObject({ status: 409, body: { error: expect.stringMatching(/is open: only a missed duty is a finding/) } });
        expect((await decline(leader, ref('BJ-ZJW', current), '理由')).status).toBe(404);
        const declined = await decline(leader, ref('BJ-ZJW'), '该季度已在市政府常务会议上专题听取，纪要漏报');
        expect(declined).toMatchObject({ status: 200, body: { ref: ref('BJ-ZJW'), decision: 'declined', actor: expect.stringMatching(/^市领导 \(leader; leader; region:110000; /) } });
        expect(await decline(leader, ref('BJ-ZJW'), '再次')).toMatchObject({ status: 409, body: { error: expect.stringMatching(/was declined on .* by 市领导 .*: 该季度已在/) } });
        expect(refsOf((await leader('/accountability-findings')).body)).toEqual([ref('BJ-RSJ'), ref('D110105')]);
        const audited = await queryAudit(t.store, { action: 'accountability.finding_decline' });
        expect(audited.map((a) => `${a.outcome} ${a.status}`)).toEqual(expect.arrayContaining(['ok 200', 'denied 409']));
        expect(audited.find((a) => a.outcome === 'ok')).toMatchObject({ objectIds: [ref('BJ-ZJW')], reason: '该季度已在市政府常务会议上专题听取，纪要漏报', username: 'leader' });

        const opening = (organ: string, r: string | undefined) => ({
          organ,
          ground: 'other',
          finding: { source: 'duty', ...(r === undefined ? {} : { ref: r }) },
          failure: { kind: 'collective', participants: [{ person: '局长', role: 'principal' }] },
        });
        expect(await leader('/accountability', opening('BJ-RSJ', undefined))).toMatchObject({ status: 400, body: { problems: [{ at: 'finding.ref' }] } });
        expect(await leader('/accountability', opening('BJ-JW', ref('BJ-RSJ')))).toMatchObject({ status: 400, body: { problems: [{ at: 'finding.ref' }] } });
        expect(await leader('/accountability', opening('BJ-ZJW', ref('BJ-ZJW')))).toMatchObject({ status: 409, body: { error: expect.stringMatching(/was declined/) } });
        expect((await leader('/accountability', opening('D110108', ref('D110108', current)))).status).toBe(409);
        const opened = await leader('/accountability', opening('BJ-RSJ', ref('BJ-RSJ')));
        expect(opened.status).toBe(201);
        const caseId = String(opened.body.caseId);
        // Off the open findings at once, before the case's workflow has recorded its opening.
        expect(refsOf((await leader('/accountability-findings')).body)).toEqual([ref('D110105')]);
        expect(await leader('/accountability', opening('BJ-RSJ', ref('BJ-RSJ')))).toMatchObject({ status: 409, body: { error: expect.stringContaining(`accountability case ${caseId} was opened from the finding`) } });

        const detail = await eventually(
          () => leader(`/accountability/${caseId}`),
          (r) => r.status === 200 && (r.body.history as unknown[]).length >= 2,
        );
        const history = detail.body.history as { event_type: string; rule: string | null; detail: Record<string, unknown> }[];
        expect(history[0]).toMatchObject({ event_type: 'opened', detail: { finding: `duty:${ref('BJ-RSJ')}` }, rule: expect.stringMatching(/其他失职失责情形/) });
        expect(history[1]).toMatchObject({ event_type: 'step_imposed', rule: expect.stringMatching(/^通报 /) });
        // The organ's other officers see neither its finding nor its case.
        expect((await (await as(base, 'officer-education'))(`/accountability/${caseId}`)).status).toBe(404);

        // A case opened from a finding other than through the API: its opening record takes the finding off too.
        await t.env.client.workflow.start(accountabilityWorkflow, {
          workflowId: `${ACCOUNTABILITY_WORKFLOW_ID_PREFIX}ACC-DIRECT`,
          taskQueue,
          args: [{ ...opening('D110105', ref('D110105')), caseId: 'ACC-DIRECT', jurisdiction: 'beijing', openedBy: '区委组织部' } as AccountabilityInput],
        });
        await eventually(async () => refsOf((await leader('/accountability-findings')).body), (refs) => refs.length === 0);
        expect(await decline(leader, ref('D110105'), '理由')).toMatchObject({ status: 409, body: { error: expect.stringMatching(/accountability case ACC-DIRECT was opened from the finding/) } });
      } finally {
        await close();
      }
    });
  });

  it("lists a case's overdue step against its organ as a finding; declined once with a reason, or opened as a case", async () => {
    await t.withWorker(async (taskQueue) => {
      const { base, close } = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue });
      try {
        const nowMs = await t.env.currentTimeMs();
        // Received 40 days ago and never routed: the routing clock has run out at once.
        const start = (caseId: string, regionCode: string, organ: string) =>
          t.env.client.workflow.start(petitionCaseWorkflow, {
            workflowId: `${CASE_WORKFLOW_ID_PREFIX}${caseId}`,
            taskQueue,
            args: [{ intake: { caseId, jurisdiction: 'beijing', receivedAt: new Date(nowMs - 40 * 86_400_000).toISOString(), channel: 'visit', regionCode, collectiveSize: 1 }, receivedBy: { organ, kind: 'petition-office' } }],
          });
        // By the registry's code, by its name, and by a name the registry does not have.
        await start('SUP-CITY', '110108', 'BJ-XFB');
        await start('SUP-CY', '110105', '朝阳区委、区政府');
        await start('SUP-NONE', '110105', '某信访办');
        for (const id of ['SUP-CITY', 'SUP-CY', 'SUP-NONE']) {
          await eventually(async () => (await eventsOfCase(t.store, id)).map((e) => e.event_type), (types) => types.includes('route_overdue'));
        }
        const due = (await eventsOfCase(t.store, 'SUP-CITY')).find((e) => e.event_type === 'route_overdue')!.due_date!;
        const today = chinaDateOf(new Date());
        const casesOf = (body: Record<string, unknown>) => (body.caseFindings as { ref: string }[]).map((f) => f.ref).sort();

        const leader = await as(base, 'leader');
        const listed = await leader('/accountability-findings');
        expect(casesOf(listed.body)).toEqual(['SUP-CITY/route_overdue', 'SUP-CY/route_overdue']);
        expect(listed.body.caseTotal).toBe(2);
        const city = (listed.body.caseFindings as Record<string, unknown>[]).find((f) => f.case_id === 'SUP-CITY')!;
        expect(city).toMatchObject({ source: 'case', step: 'route', organ: 'BJ-XFB', organ_name: '北京市信访办', due_date: due, done_on: null, rule: expect.stringMatching(/^regulations-2022 第/) });
        expect(city.days_late).toBe((Date.parse(today) - Date.parse(due)) / 86_400_000);
        expect((listed.body.caseFindings as Record<string, unknown>[]).find((f) => f.case_id === 'SUP-CY')).toMatchObject({ organ: 'D110105', organ_name: '朝阳区委、区政府' });
        // Scoped as the organ's: the district sees its organ's, an organ its own, another none.
        expect(casesOf((await (await as(base, 'leader-chaoyang'))('/accountability-findings')).body)).toEqual(['SUP-CY/route_overdue']);
        expect(casesOf((await (await as(base, 'officer-chaoyang'))('/accountability-findings')).body)).toEqual(['SUP-CY/route_overdue']);
        expect(casesOf((await (await as(base, 'officer-education'))('/accountability-findings')).body)).toEqual([]);

        const decline = (who: typeof leader, ref: string, reason?: string) => who('/accountability-findings/decline', { finding: { source: 'case', ref }, ...(reason === undefined ? {} : { reason }) });
        expect(await decline(leader, 'SUP-CY/route_overdue')).toMatchObject({ status: 400, body: { problems: [{ at: 'reason' }] } });
        expect(await decline(leader, 'SUP-CY/routed', '理由')).toMatchObject({ status: 400, body: { problems: [{ at: 'finding.ref' }] } });
        expect((await decline(leader, 'SUP-NONE/route_overdue', '理由')).status).toBe(404);
        expect(await decline(await as(base, 'leader-chaoyang'), 'SUP-CITY/route_overdue', '理由')).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
        expect(await decline(leader, 'SUP-CY/route_overdue', '已另案督办整改')).toMatchObject({ status: 200, body: { source: 'case', ref: 'SUP-CY/route_overdue', organ: 'D110105', decision: 'declined' } });
        expect(await decline(leader, 'SUP-CY/route_overdue', '再次')).toMatchObject({ status: 409, body: { error: expect.stringMatching(/was declined on .*: 已另案督办整改/) } });
        expect(casesOf((await leader('/accountability-findings')).body)).toEqual(['SUP-CITY/route_overdue']);

        const opening = (organ: string) => ({
          organ,
          ground: 'procedure',
          finding: { source: 'case', ref: 'SUP-CITY/route_overdue' },
          failure: { kind: 'collective', participants: [{ person: '主任', role: 'principal' }] },
        });
        expect(await leader('/accountability', opening('BJ-RSJ'))).toMatchObject({ status: 400, body: { problems: [{ at: 'finding.ref' }], error: expect.stringContaining('against organ BJ-XFB') } });
        const opened = await leader('/accountability', opening('BJ-XFB'));
        expect(opened.status).toBe(201);
        expect(casesOf((await leader('/accountability-findings')).body)).toEqual([]);
        expect(await leader('/accountability', opening('BJ-XFB'))).toMatchObject({ status: 409, body: { error: expect.stringContaining(`accountability case ${String(opened.body.caseId)} was opened from the finding SUP-CITY/route_overdue`) } });
        const detail = await eventually(() => leader(`/accountability/${String(opened.body.caseId)}`), (r) => r.status === 200 && (r.body.history as unknown[]).length >= 1);
        expect((detail.body.history as { event_type: string; detail: Record<string, unknown> }[])[0]).toMatchObject({ event_type: 'opened', detail: { finding: 'case:SUP-CITY/route_overdue' } });
        // The ladder's refusals come with their text in both languages.
        expect(await leader(`/accountability/${String(opened.body.caseId)}/acceptRectification`, { reason: '整改到位' })).toMatchObject({
          status: 409,
          body: { refusal: { code: 'noRectificationSubmitted', zh: '尚未提交整改', en: 'no rectification has been submitted' } },
        });
      } finally {
        await close();
      }
    });
  });
});
