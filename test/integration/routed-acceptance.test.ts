/**
 * The notice of acceptance of a routed case (2022 Regulations art. 23 applied to the organ the
 * petition office routed it to), on the real time-skipping Temporal test server with the real
 * worker, packs, DuckDB event log and API: the receiving organ owes it within 15 days of the
 * day it got the case; past that the case records its supervision record against that organ,
 * which the findings propose for art. 44(三); accepting in time ends the clock.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsOfCase, listCases, type CaseEventRow } from '../../analytics/case-log.js';
import { caseDeadline } from '../../rules/case-rules.js';
import { addDays, chinaDateOf, startOfChinaDay, type PlainDate } from '../../rules/plain-date.js';
import { acceptUpdate, CASE_WORKFLOW_ID_PREFIX, caseStateQuery, petitionCaseWorkflow, pressUpdate, routeUpdate, type PetitionCaseInput } from '../../workflows/petition-case.js';
import { startApiApp } from '../support/api-app.js';
import { as, seedUsers } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const DAY = 86_400_000;
const t = timeSkippingSuite();
beforeAll(async () => {
  await seedUsers(t.store);
});

// The city's education commission (BJ-JW), an organ of the registry, whose officer sees the cases routed to it.
const RECEIVING = 'BJ-JW';
const clerk = { actor: 'clerk-1' };
const forward = { ...clerk, mode: 'forward' as const, toOrgan: RECEIVING, toKind: 'competent' as const };

const now = () => t.env.currentTimeMs();
const today = async (): Promise<PlainDate> => chinaDateOf(new Date(await now()));
async function skipTo(day: PlainDate, offsetMs: number) {
  await t.env.sleep(startOfChinaDay(day).getTime() + offsetMs - (await now()));
}
async function startCase(taskQueue: string, caseId: string, extra: Partial<PetitionCaseInput> = {}) {
  const input: PetitionCaseInput = {
    intake: { caseId, jurisdiction: 'beijing', receivedAt: new Date(await now()).toISOString(), channel: 'letter', regionCode: '110105', collectiveSize: 1 },
    receivedBy: { organ: '朝阳区信访办', kind: 'petition-office' },
    ...extra,
  };
  const handle = await t.env.client.workflow.start(petitionCaseWorkflow, { workflowId: `${CASE_WORKFLOW_ID_PREFIX}${caseId}`, taskQueue, args: [input] });
  return { handle, receivedDate: chinaDateOf(new Date(input.intake.receivedAt)) };
}
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the store did not catch up');
}
const logOf = (caseId: string) => eventsOfCase(t.store, caseId);
const ofType = (log: CaseEventRow[], type: string) => log.filter((e) => e.event_type === type);
const stateOf = (handle: WorkflowHandle) => handle.query(caseStateQuery);

interface Listed {
  case_id: string;
  stage: string;
  due: { step: string; due: string; daysLeft: number } | null;
  overdue: { step: string; due: string; daysLate: number } | null;
}
interface CaseFindingRow {
  ref: string;
  case_id: string;
  step: string;
  organ: string;
  due_date: string;
  done_on: string | null;
  days_late: number;
  rule: string | null;
  ground: string | null;
}

describe('the notice of acceptance of a routed case (2022 art. 23)', () => {
  it('not accepted within 15 days: reminded, then supervised against the receiving organ, pressed, accepted late, proposed for art. 44(三)', async () => {
    await t.withWorker(async (taskQueue) => {
      // The API judges "today" by the test server's clock, which the test moves.
      let clock = await now();
      const { base, close } = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue, now: () => new Date(clock) });
      // Logged in again after each skip: a session does not outlive weeks of skipped time.
      const user = async (name: string) => {
        clock = await now();
        return as(base, name);
      };
      try {
        const caseId = 'RA-LATE';
        const { handle, receivedDate } = await startCase(taskQueue, caseId);
        await t.env.sleep(2 * DAY);
        const routedOn = await today();
        const routed = await handle.executeUpdate(routeUpdate, { args: [forward] });

        // The clock runs from the day the receiving organ got the case, by the pack's notify rule.
        const expected = caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'notify', start: routedOn });
        expect(expected.rule).toMatchObject({ step: 'notify', pack: 'regulations-2022', article: '第二十三条' });
        expect(expected.due >= addDays(routedOn, 15)).toBe(true);
        expect(routed).toMatchObject({ stage: 'awaiting_acceptance', responsibleOrgan: RECEIVING, overdue: [] });
        expect(routed.deadlines['notify']).toMatchObject({ start: routedOn, due: expected.due, breachAt: expected.breachAt });
        expect(ofType(await logOf(caseId), 'routed')[0]).toMatchObject({ due_date: expected.due, detail: { toOrgan: RECEIVING } });

        // In the receiving organ's queue, due on that day.
        const officer = await user('officer-education');
        const dueSoon = await officer('/cases?dueWithin=30');
        expect(dueSoon.status).toBe(200);
        const daysLeft = (Date.parse(expected.due) - Date.parse(await today())) / DAY;
        expect((dueSoon.body.cases as Listed[]).find((c) => c.case_id === caseId)).toMatchObject({
          stage: 'awaiting_acceptance',
          due: { step: 'notify', due: expected.due, daysLeft },
          overdue: null,
        });

        // Past the due day: the reminder the pack names came first, then the supervision record.
        await skipTo(addDays(expected.due, 1), 60_000);
        const log = await eventually(() => logOf(caseId), (l) => ofType(l, 'notify_overdue').length > 0);
        expect(ofType(log, 'reminder').map((e) => [e.due_date, e.detail])).toEqual([[expected.due, { step: 'notify', daysBefore: 3, to: 'handler', organ: RECEIVING }]]);
        const supervised = ofType(log, 'notify_overdue');
        expect(supervised).toHaveLength(1);
        expect(supervised[0]).toMatchObject({
          occurred_at: expected.breachAt.replace(/\.\d{3}Z$/, 'Z'),
          due_date: expected.due,
          detail: { organ: RECEIVING, rule: 'regulations-2022 第二十三条' },
        });
        expect((await stateOf(handle)).overdue).toEqual(['notify']);

        // Overdue in the queue, by the store's own judgment of the day.
        const late = await (await user('officer-education'))('/cases?overdue=true');
        expect((late.body.cases as Listed[]).find((c) => c.case_id === caseId)).toMatchObject({ overdue: { step: 'notify', due: expected.due, daysLate: 1 }, due: null });

        // The petitioner may press the late notice, against the organ that owes it.
        const pressed = await handle.executeUpdate(pressUpdate, { args: [{ note: '请告知是否受理' }] });
        expect(pressed.presses.map((p) => [p.step, p.organ])).toEqual([['notify', RECEIVING]]);

        // The finding: against the receiving organ, proposing 2022 art. 44(三).
        const leader = await user('leader');
        const listed = await leader('/accountability-findings');
        expect(listed.status).toBe(200);
        const finding = (listed.body.caseFindings as CaseFindingRow[]).find((f) => f.case_id === caseId);
        expect(finding).toMatchObject({
          ref: `${caseId}/notify_overdue`,
          step: 'notify',
          organ: RECEIVING,
          due_date: expected.due,
          done_on: null,
          rule: 'regulations-2022 第二十三条',
          ground: 'acceptanceNotNotified',
        });
        const grounds = listed.body.grounds as { id: string; article: string | null; cite: string }[];
        expect(grounds.find((g) => g.id === 'acceptanceNotNotified')).toMatchObject({ article: '第四十四条第（三）项', cite: '信访工作条例 [regulations-2022]' });

        // Accepted late: taken, marked late, and the finding counts its days to the acceptance.
        await t.env.sleep(2 * DAY);
        const acceptedOn = await today();
        const accepted = await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
        expect(accepted).toMatchObject({ stage: 'handling', responsibleOrgan: RECEIVING, overdue: ['notify'] });
        expect(ofType(await logOf(caseId), 'accepted')[0]?.detail).toMatchObject({ organ: RECEIVING, late: true });
        const after = await (await user('leader'))('/accountability-findings');
        expect((after.body.caseFindings as CaseFindingRow[]).find((f) => f.case_id === caseId)).toMatchObject({
          done_on: acceptedOn,
          days_late: (Date.parse(acceptedOn) - Date.parse(expected.due)) / DAY,
        });
        const queue = await listCases(t.store, { limit: 50, today: acceptedOn });
        const row = queue.cases.find((c) => c.case_id === caseId);
        expect(row).toMatchObject({ stage: 'handling', overdue: null });
        expect(row?.due?.step).not.toBe('notify');
      } finally {
        await close();
      }
    });
  }, 180_000);

  it('accepted in time: no supervision record, no reminder, and nothing owed on the notice after its due day', async () => {
    await t.withWorker(async (taskQueue) => {
      const caseId = 'RA-ON-TIME';
      const { handle, receivedDate } = await startCase(taskQueue, caseId);
      await t.env.sleep(DAY);
      const routedOn = await today();
      const routed = await handle.executeUpdate(routeUpdate, { args: [{ ...forward, mode: 'assign', resultDue: addDays(routedOn, 45) }] });
      const expected = caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'notify', start: routedOn });
      expect(routed.deadlines['notify']).toMatchObject({ due: expected.due });
      expect((await listCases(t.store, { limit: 50, today: routedOn })).cases.find((c) => c.case_id === caseId)?.due).toMatchObject({ step: 'notify', due: expected.due });

      await t.env.sleep(5 * DAY);
      const accepted = await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
      expect(accepted.stage).toBe('handling');
      await skipTo(addDays(expected.due, 3), 60_000);
      const state = await stateOf(handle);
      expect(state.overdue).toEqual([]);
      const log = await logOf(caseId);
      expect(ofType(log, 'notify_overdue')).toEqual([]);
      expect(ofType(log, 'reminder').filter((e) => e.detail?.step === 'notify')).toEqual([]);
      expect(ofType(log, 'accepted')[0]?.detail).toMatchObject({ organ: RECEIVING, late: false });
      // The notice is owed no more: the queue has nothing of it, due or late.
      const row = (await listCases(t.store, { limit: 50, today: addDays(expected.due, 3) })).cases.find((c) => c.case_id === caseId);
      expect(row).toMatchObject({ stage: 'handling', overdue: null });
      expect(row?.due?.step).not.toBe('notify');
    });
  }, 120_000);

  it('a routed case of an unknown name or address owes no notice, as the article excepts', async () => {
    await t.withWorker(async (taskQueue) => {
      const caseId = 'RA-ANON';
      const { handle } = await startCase(taskQueue, caseId, { anonymous: true });
      const routed = await handle.executeUpdate(routeUpdate, { args: [forward] });
      expect(routed.deadlines['notify']).toBeUndefined();
      await t.env.sleep(30 * DAY);
      expect((await stateOf(handle)).overdue).toEqual([]);
      expect(ofType(await logOf(caseId), 'notify_overdue')).toEqual([]);
    });
  }, 120_000);
});
