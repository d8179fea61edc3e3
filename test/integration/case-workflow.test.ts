/**
 * Full case lifecycles on the real time-skipping Temporal test server, with the real worker,
 * activities, policy packs and DuckDB event log (DOMAIN §4).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventsOfCase } from '../../analytics/case-log.js';
import { caseDeadline } from '../../rules/case-rules.js';
import { addDays, chinaDateOf, startOfChinaDay, type PlainDate } from '../../rules/plain-date.js';
import {
  acceptUpdate,
  caseStateQuery,
  endHearingUpdate,
  extendUpdate,
  petitionCaseWorkflow,
  pressUpdate,
  rateUpdate,
  reReviewOpinionUpdate,
  replyUpdate,
  reportAssignedResultUpdate,
  requestReReviewUpdate,
  requestReviewUpdate,
  reviewOpinionUpdate,
  routeUpdate,
  startHearingUpdate,
  type PetitionCaseInput,
} from '../../workflows/petition-case.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const DAY = 86_400_000;
const t = timeSkippingSuite();
const worker = (taskQueue: string, options: { maxCachedWorkflows?: number } = {}) => t.worker(taskQueue, options);
const withWorker = <T>(run: (taskQueue: string) => Promise<T>) => t.withWorker(run);

async function startCase(taskQueue: string, caseId: string, extra: Partial<PetitionCaseInput> = {}) {
  const input: PetitionCaseInput = {
    intake: {
      caseId,
      jurisdiction: 'beijing',
      receivedAt: new Date(await t.env.currentTimeMs()).toISOString(),
      channel: 'visit',
      regionCode: '110105',
      collectiveSize: 1,
    },
    receivedBy: { organ: '朝阳区信访办', kind: 'petition-office' },
    ...extra,
  };
  const handle = await t.env.client.workflow.start(petitionCaseWorkflow, { workflowId: `case-${caseId}`, taskQueue, args: [input] });
  return { handle, receivedDate: chinaDateOf(new Date(input.intake.receivedAt)) };
}

const events = async (caseId: string) => (await eventsOfCase(t.store, caseId)).map((e) => e.event_type);
const stateOf = (handle: WorkflowHandle) => handle.query(caseStateQuery);
const now = async () => t.env.currentTimeMs();
/** Skips to `ms` before (negative) or after the start of a China day. */
async function skipTo(day: PlainDate, offsetMs = 0) {
  await t.env.sleep(startOfChinaDay(day).getTime() + offsetMs - (await now()));
}
const clerk = { actor: 'clerk-1' };
const route = { ...clerk, mode: 'forward' as const, toOrgan: '朝阳区人社局', toKind: 'competent' as const };
const refused = (promise: Promise<unknown>, reason: RegExp) =>
  expect(promise).rejects.toSatisfy((e: unknown) => e instanceof WorkflowUpdateFailedError && reason.test(String(e.cause?.message)));

describe('petition case workflow', () => {
  it('on time throughout: routed, accepted, replied, rated; no review asked, so the reply is final', async () => {
    await withWorker(async (q) => {
      const { handle } = await startCase(q, 'A');
      await t.env.sleep(2 * DAY);
      await handle.executeUpdate(routeUpdate, { args: [route] });
      await t.env.sleep(DAY);
      await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
      const handling = await stateOf(handle);
      expect(handling).toMatchObject({ stage: 'handling', responsibleOrgan: '朝阳区人社局' });
      expect(handling.deadlines['handle']?.rule).toMatchObject({ step: 'handle', pack: 'regulations-2022' });
      await t.env.sleep(20 * DAY);
      await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'supported' }] });
      await handle.executeUpdate(rateUpdate, { args: [{ level: 'satisfied' }] });
      const final = await handle.result();
      expect(final).toMatchObject({ stage: 'closed', closeReason: 'reply_final', overdue: [] });
      expect(await events('A')).toEqual(['received', 'routed', 'accepted', 'replied', 'rated', 'closed']);
    });
  });

  it('late routing: reminders 3 and 1 days before, the breach when the due day ends, recorded once', async () => {
    await withWorker(async (q) => {
      const { handle, receivedDate } = await startCase(q, 'B');
      const due = caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'route', start: receivedDate });
      await skipTo(addDays(due.due, 1), -60_000);
      expect((await stateOf(handle)).overdue).toEqual([]);
      expect(await events('B')).toEqual(['received', 'reminder', 'reminder']);
      await t.env.sleep(120_000);
      expect((await stateOf(handle)).overdue).toEqual(['route']);
      await t.env.sleep(5 * DAY);
      const state = await handle.executeUpdate(routeUpdate, { args: [route] });
      expect(state.stage).toBe('awaiting_acceptance');
      expect(await events('B')).toEqual(['received', 'reminder', 'reminder', 'route_overdue', 'routed']);
      const log = await eventsOfCase(t.store, 'B');
      expect(log.find((e) => e.event_type === 'route_overdue')?.due_date).toBe(due.due);
    });
  });

  it('extension: once, at most the pack limit, before the deadline; the new deadline is kept', async () => {
    await withWorker(async (q) => {
      const { handle } = await startCase(q, 'C', { receivedBy: { organ: '海淀区教委', kind: 'organ' } });
      await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
      await t.env.sleep(40 * DAY);
      await refused(handle.executeUpdate(extendUpdate, { args: [{ ...clerk, days: 31, reason: '复杂', approvedBy: '局长' }] }), /1 to 30 days/);
      await refused(handle.executeUpdate(extendUpdate, { args: [{ ...clerk, days: 20, reason: '复杂', approvedBy: ' ' }] }), /approving head/);
      const extended = await handle.executeUpdate(extendUpdate, { args: [{ ...clerk, days: 30, reason: '情况复杂', approvedBy: '局长' }] });
      expect(extended.deadlines['handle']?.extensionDays).toBe(30);
      await refused(handle.executeUpdate(extendUpdate, { args: [{ ...clerk, days: 5, reason: '再延', approvedBy: '局长' }] }), /already was/);
      await t.env.sleep(35 * DAY); // past the original 60 days, inside the extended 90
      expect((await stateOf(handle)).overdue).toEqual([]);
      await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'partly_supported' }] });
      expect(await events('C')).toEqual(expect.arrayContaining(['notified', 'accepted', 'extended', 'replied']));
      expect(await events('C')).not.toContain('handle_overdue');
    });
  });

  it('overdue reply: the supervision record names the organ that owed it; an extension after the deadline is refused', async () => {
    await withWorker(async (q) => {
      const { handle } = await startCase(q, 'D');
      await handle.executeUpdate(routeUpdate, { args: [route] });
      await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
      const due = (await stateOf(handle)).deadlines['handle']!;
      await skipTo(addDays(due.due as PlainDate, 1), 60_000);
      expect((await stateOf(handle)).overdue).toEqual(['handle']);
      await refused(handle.executeUpdate(extendUpdate, { args: [{ ...clerk, days: 10, reason: '补救', approvedBy: '局长' }] }), /has passed/);
      await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'not_supported' }] });
      const log = await eventsOfCase(t.store, 'D');
      expect(log.filter((e) => e.event_type === 'handle_overdue')).toHaveLength(1);
      expect(log.filter((e) => e.event_type === 'reminder').length).toBeGreaterThanOrEqual(2);
      // The metrics see the same: the case's facts were rebuilt with each event the workflow wrote.
      const [facts] = await t.store.all(
        z.object({ replied: z.boolean(), late: z.boolean(), registered: z.boolean() }),
        `SELECT replied_date IS NOT NULL AS replied, handle_overdue_date <= replied_date AS late, registered_date IS NOT NULL AS registered
           FROM case_facts WHERE case_id = 'D'`,
      );
      expect(facts).toEqual({ replied: true, late: true, registered: true });
    });
  });

  it('review and re-review, the hearing not counted, then concluded; nothing is taken after', async () => {
    await withWorker(async (q) => {
      const { handle } = await startCase(q, 'E');
      await handle.executeUpdate(routeUpdate, { args: [route] });
      await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
      await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'not_supported' }] });
      await t.env.sleep(10 * DAY);
      await handle.executeUpdate(requestReviewUpdate, { args: [{ toOrgan: '北京市人社局' }] });
      await t.env.sleep(20 * DAY);
      await handle.executeUpdate(reviewOpinionUpdate, { args: [{ actor: 'reviewer', outcome: 'upheld' }] });
      await t.env.sleep(5 * DAY);
      const inReReview = await handle.executeUpdate(requestReReviewUpdate, { args: [{ toOrgan: '北京市人民政府' }] });
      expect(inReReview.responsibleOrgan).toBe('北京市人民政府');
      const before = (await stateOf(handle)).deadlines['reReview']!;
      await t.env.sleep(3 * DAY);
      const hearingStart = chinaDateOf(new Date(await now()));
      await handle.executeUpdate(startHearingUpdate, { args: [{ actor: 'r', date: hearingStart }] });
      await t.env.sleep(60 * DAY); // the clock is paused: no breach while the hearing lasts
      expect((await stateOf(handle)).overdue).toEqual([]);
      const hearingEnd = chinaDateOf(new Date(await now()));
      const after = await handle.executeUpdate(endHearingUpdate, { args: [{ actor: 'r', date: hearingEnd }] });
      expect(after.deadlines['reReview']!.suspendedDays).toBeGreaterThanOrEqual(60);
      expect(after.deadlines['reReview']!.due > before.due).toBe(true);
      await handle.executeUpdate(reReviewOpinionUpdate, { args: [{ actor: 'r', outcome: 'upheld' }] });
      const final = await handle.result();
      expect(final).toMatchObject({ stage: 'closed', closeReason: 'concluded', overdue: [] });
      expect(await events('E')).toEqual([
        'received', 'routed', 'accepted', 'replied', 'review_requested', 'review_opinion',
        're_review_requested', 'hearing_started', 'hearing_ended', 're_review_opinion', 'closed',
      ]);
      await expect(handle.executeUpdate(requestReviewUpdate, { args: [{ toOrgan: 'x' }] })).rejects.toThrow();
    });
  });

  it('refuses what the rules do not allow, and changes nothing', async () => {
    await withWorker(async (q) => {
      const { handle } = await startCase(q, 'F', { litigationRelated: true });
      await refused(handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'supported' }] }), /not allowed while the case is awaiting_route/);
      await refused(handle.executeUpdate(routeUpdate, { args: [route] }), /political-legal organs \(信访工作条例 第二十二条第二款/);
      await refused(
        handle.executeUpdate(routeUpdate, { args: [{ ...route, mode: 'assign' }] }),
        /political-legal|resultDue/,
      );
      await refused(handle.executeUpdate(rateUpdate, { args: [{ level: 'dissatisfied' }] }), /no reply to rate/);
      expect((await stateOf(handle)).stage).toBe('awaiting_route');
      expect(await events('F')).toEqual(['received']);
      const out = await handle.executeUpdate(routeUpdate, { args: [{ ...route, toOrgan: '朝阳区法院', toKind: 'political-legal' }] });
      expect(out).toMatchObject({ stage: 'closed', closeReason: 'routed_out' });
    });
  });

  it('a review requested after its window is refused: the reply became final', async () => {
    await withWorker(async (q) => {
      const { handle } = await startCase(q, 'G', { receivedBy: { organ: '丰台区住建委', kind: 'organ' } });
      await refused(handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: false }] }), /reason/);
      await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
      await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'supported' }] });
      const rated = await handle.executeUpdate(rateUpdate, { args: [{ level: 'basically_satisfied', comment: '基本解决' }] });
      expect(rated.rating).toMatchObject({ level: 'basically_satisfied', comment: '基本解决' });
      await refused(handle.executeUpdate(rateUpdate, { args: [{ level: 'dissatisfied' }] }), /already rated/);
      const [ratedEvent] = (await eventsOfCase(t.store, 'G')).filter((e) => e.event_type === 'rated');
      expect(ratedEvent?.detail).toMatchObject({ level: 'basically_satisfied', comment: '基本解决' });
      const [facts] = await t.store.all(z.object({ rating_level: z.string(), satisfied: z.boolean() }), "SELECT rating_level, satisfied FROM case_facts WHERE case_id = 'G'");
      expect(facts).toEqual({ rating_level: 'basically_satisfied', satisfied: true });
      const window = (await stateOf(handle)).deadlines['reviewRequest']!;
      await skipTo(addDays(window.due as PlainDate, 1), 60_000);
      const final = await handle.result();
      expect(final.closeReason).toBe('reply_final');
      await expect(handle.executeUpdate(requestReviewUpdate, { args: [{ toOrgan: '丰台区政府' }] })).rejects.toThrow();
      expect(await events('G')).toEqual(['received', 'notified', 'accepted', 'replied', 'rated', 'closed']);
    });
  });

  it('催办: refused before a deadline passed; once a day per overdue step, against the organ that owes it', async () => {
    await withWorker(async (q) => {
      const { handle, receivedDate } = await startCase(q, 'P');
      await refused(handle.executeUpdate(pressUpdate, { args: [{}] }), /nothing to press/);
      const due = caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'route', start: receivedDate });
      await skipTo(addDays(due.due, 1), 60_000);
      const pressed = await handle.executeUpdate(pressUpdate, { args: [{ note: '请尽快转送' }] });
      expect(pressed.presses).toEqual([{ at: expect.any(String), step: 'route', organ: '朝阳区信访办' }]);
      await refused(handle.executeUpdate(pressUpdate, { args: [{}] }), /routing already pressed on \d{4}-\d{2}-\d{2}/);
      await t.env.sleep(DAY); // the next China day: the step may be pressed again
      expect((await handle.executeUpdate(pressUpdate, { args: [{}] })).presses).toHaveLength(2);
      // Routed late: the overdue step is done, and the acceptance owes no clock.
      await handle.executeUpdate(routeUpdate, { args: [route] });
      await refused(handle.executeUpdate(pressUpdate, { args: [{}] }), /nothing to press/);
      await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
      const handleDue = (await stateOf(handle)).deadlines['handle']!;
      await skipTo(addDays(handleDue.due as PlainDate, 1), 60_000);
      const late = await handle.executeUpdate(pressUpdate, { args: [{}] });
      expect(late.presses.map((p) => [p.step, p.organ])).toEqual([['route', '朝阳区信访办'], ['route', '朝阳区信访办'], ['handle', '朝阳区人社局']]);
      const log = (await eventsOfCase(t.store, 'P')).filter((e) => e.event_type === 'pressed');
      expect(log.map((e) => e.detail)).toEqual([
        { step: 'route', organ: '朝阳区信访办', note: '请尽快转送' },
        { step: 'route', organ: '朝阳区信访办', note: null },
        { step: 'handle', organ: '朝阳区人社局', note: null },
      ]);
      await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'supported' }] });
      await refused(handle.executeUpdate(pressUpdate, { args: [{}] }), /nothing to press/);
    });
  });

  it('an anonymous case taken in by an organ owes no notice; a refusal closes it', async () => {
    await withWorker(async (q) => {
      const { handle } = await startCase(q, 'H', { receivedBy: { organ: '西城区民政局', kind: 'organ' }, anonymous: true });
      await t.env.sleep(40 * DAY);
      expect((await stateOf(handle)).overdue).toEqual([]);
      await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: false, reason: '不属于本机关职权范围，请向市住建委提出' }] });
      expect((await handle.result()).closeReason).toBe('not_accepted');
      expect(await events('H')).toEqual(['received', 'notified', 'not_accepted', 'closed']);
    });
  });

  it('an assigned case (交办) owes its result by the date the office set', async () => {
    await withWorker(async (q) => {
      const { handle, receivedDate } = await startCase(q, 'I');
      const resultDue = addDays(receivedDate, 20);
      await handle.executeUpdate(routeUpdate, { args: [{ ...route, mode: 'assign', resultDue }] });
      await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
      await skipTo(addDays(resultDue, 1), 60_000);
      expect((await stateOf(handle)).overdue).toEqual(['assigned']);
      // The result is owed by the organ assigned, as the press records.
      expect((await handle.executeUpdate(pressUpdate, { args: [{}] })).presses.map((p) => [p.step, p.organ])).toEqual([['assigned', '朝阳区人社局']]);
      await handle.executeUpdate(reportAssignedResultUpdate, { args: [clerk] });
      await refused(handle.executeUpdate(reportAssignedResultUpdate, { args: [clerk] }), /already reported/);
      expect(await events('I')).toEqual(['received', 'routed', 'accepted', 'assigned_overdue', 'pressed', 'assigned_reported']);
    });
  });

  it('loses no timer when the worker is down: the breach is recorded once after restart', async () => {
    const taskQueue = `test-${randomUUID()}`;
    // Without a sticky cache: the test server measures the sticky queue's hand-over timeout
    // in server time, which stands still while nothing runs, so a dead worker's sticky queue
    // would hold the case forever here (a real server hands it over after 10 s).
    const first = await worker(taskQueue, { maxCachedWorkflows: 0 });
    const { handle, breachAt } = await first.runUntil(async () => {
      const { handle, receivedDate } = await startCase(taskQueue, 'J');
      const due = caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'route', start: receivedDate });
      await t.env.sleep(Date.parse(due.breachAt) - 60_000 - (await now()));
      expect(await events('J')).toEqual(['received', 'reminder', 'reminder']);
      return { handle, breachAt: Date.parse(due.breachAt) };
    });
    // The worker is shut down; the deadline passes on the server alone. (The test server
    // stops skipping at a fired timer until a worker takes its task, so skip just past it.)
    await t.env.sleep(breachAt + 1 - (await now()));
    expect(await events('J')).not.toContain('route_overdue');
    const second = await worker(taskQueue);
    await second.runUntil(async () => {
      for (let i = 0; i < 100 && !(await events('J')).includes('route_overdue'); i++) await new Promise((r) => setTimeout(r, 100));
      expect((await stateOf(handle)).overdue).toEqual(['route']);
    });
    expect((await events('J')).filter((e) => e === 'route_overdue')).toHaveLength(1);
  });

  it('starting the same case twice makes one workflow', async () => {
    await withWorker(async (q) => {
      await startCase(q, 'K');
      await expect(startCase(q, 'K')).rejects.toThrow(WorkflowExecutionAlreadyStartedError);
    });
  });
});

describe('actions sent back to back', () => {
  it('an extension right after acceptance, and a review request right after the reply, are taken', async () => {
    await withWorker(async (q) => {
      const { handle } = await startCase(q, 'L', { receivedBy: { organ: '石景山区人社局', kind: 'organ' } });
      await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
      const extended = await handle.executeUpdate(extendUpdate, { args: [{ ...clerk, days: 30, reason: '情况复杂', approvedBy: '局长' }] });
      expect(extended.extension?.days).toBe(30);
      const state = await handle.query(caseStateQuery);
      expect(state.deadlines['handle']?.extensionDays).toBe(30);
      await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'supported' }] });
      const review = await handle.executeUpdate(requestReviewUpdate, { args: [{ toOrgan: '石景山区政府' }] });
      expect(review.stage).toBe('in_review');
    });
  });
});
