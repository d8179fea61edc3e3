/**
 * The review opinion's clock and the window to ask for re-review (2022 Regulations ch. 4,
 * kept from 2005 arts. 34-35), on the real time-skipping Temporal test server with the real
 * worker, packs and DuckDB event log: 30 days each, the first day not counted, a due date on a
 * rest day moved to the next working day.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { eventsOfCase } from '../../analytics/case-log.js';
import { caseDeadline } from '../../rules/case-rules.js';
import type { Deadline } from '../../rules/deadline.js';
import type { CaseStep } from '../../rules/pack.js';
import { addDays, chinaDateOf, startOfChinaDay, type PlainDate } from '../../rules/plain-date.js';
import {
  acceptUpdate,
  caseStateQuery,
  petitionCaseWorkflow,
  replyUpdate,
  requestReReviewUpdate,
  requestReviewUpdate,
  reviewOpinionUpdate,
  routeUpdate,
  type PetitionCaseInput,
} from '../../workflows/petition-case.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const DAY = 86_400_000;
const t = timeSkippingSuite();
const clerk = { actor: 'clerk-1' };
const REVIEWER = '北京市人社局';

async function startCase(taskQueue: string, caseId: string) {
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
  };
  const handle = await t.env.client.workflow.start(petitionCaseWorkflow, { workflowId: `case-${caseId}`, taskQueue, args: [input] });
  await planned(handle);
  return { handle, receivedDate: chinaDateOf(new Date(input.intake.receivedAt)) };
}

/**
 * Waits until the case takes actions. The workflow sets its handlers once planCase has returned,
 * and an update that arrives before that is rejected ("No registered handler for update").
 */
async function planned(handle: WorkflowHandle): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await handle.query(caseStateQuery);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${handle.workflowId} never answered a query`);
}

/** Routed, accepted and replied at once; the review asked for on the day after the reply. */
async function inReview(handle: WorkflowHandle) {
  await handle.executeUpdate(routeUpdate, { args: [{ ...clerk, mode: 'forward', toOrgan: '朝阳区人社局', toKind: 'competent' }] });
  await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
  await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'not_supported' }] });
  await t.env.sleep(DAY);
  await handle.executeUpdate(requestReviewUpdate, { args: [{ toOrgan: REVIEWER }] });
}

const now = async () => t.env.currentTimeMs();
const today = async () => chinaDateOf(new Date(await now()));
const events = async (caseId: string) => (await eventsOfCase(t.store, caseId)).map((e) => e.event_type);
/** Skips to `ms` before (negative) or after the start of a China day. */
async function skipTo(day: PlainDate, offsetMs = 0) {
  await t.env.sleep(startOfChinaDay(day).getTime() + offsetMs - (await now()));
}
/** The deadline the workflow planned for a step, once its procedure has reached it. */
async function plannedDeadline(handle: WorkflowHandle, step: CaseStep): Promise<Deadline> {
  for (let i = 0; i < 100; i++) {
    const deadline = (await handle.query(caseStateQuery)).deadlines[step];
    if (deadline) return deadline;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${step} deadline was planned`);
}

describe('the review opinion (复查意见)', () => {
  it('is owed within 30 days of the request: reminded 5 days before, then supervised against the reviewing organ, once', async () => {
    await t.withWorker(async (q) => {
      const { handle, receivedDate } = await startCase(q, 'RV-1');
      await inReview(handle);
      const requested = await today();
      const review = await plannedDeadline(handle, 'review');
      expect(review).toMatchObject({ start: requested, days: 30, basis: 'calendar', extensionDays: 0, rawDue: addDays(requested, 30) });
      expect(review.rule).toMatchObject({ step: 'review', pack: 'regulations-2022', article: '第四章' });
      expect(review).toEqual(caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'review', start: requested }));

      await skipTo(addDays(review.due as PlainDate, 1), -60_000);
      expect((await handle.query(caseStateQuery)).overdue).toEqual([]);
      const reminders = (await eventsOfCase(t.store, 'RV-1')).filter((e) => e.event_type === 'reminder');
      expect(reminders.map((e) => [e.due_date, e.detail])).toEqual([[review.due, { step: 'review', daysBefore: 5, to: 'handler', organ: REVIEWER }]]);

      await t.env.sleep(120_000);
      expect((await handle.query(caseStateQuery)).overdue).toEqual(['review']);
      await t.env.sleep(5 * DAY);
      const overdue = (await eventsOfCase(t.store, 'RV-1')).filter((e) => e.event_type === 'review_overdue');
      expect(overdue.map((e) => [e.due_date, e.detail])).toEqual([[review.due, { organ: REVIEWER, rule: 'regulations-2022 第四章' }]]);

      const late = await handle.executeUpdate(reviewOpinionUpdate, { args: [{ actor: 'reviewer', outcome: 'upheld' }] });
      expect(late.stage).toBe('re_review_window');
      const opinion = (await eventsOfCase(t.store, 'RV-1')).find((e) => e.event_type === 'review_opinion');
      expect(opinion?.detail).toMatchObject({ late: true });
    });
  });

  it('given in time leaves no supervision record', async () => {
    await t.withWorker(async (q) => {
      const { handle } = await startCase(q, 'RV-2');
      await inReview(handle);
      const review = await plannedDeadline(handle, 'review');
      await skipTo(review.due as PlainDate, 12 * 3_600_000);
      await handle.executeUpdate(reviewOpinionUpdate, { args: [{ actor: 'reviewer', outcome: 'changed' }] });
      await t.env.sleep(5 * DAY);
      expect((await handle.query(caseStateQuery)).overdue).toEqual([]);
      expect(await events('RV-2')).toEqual(['received', 'routed', 'accepted', 'replied', 'review_requested', 'reminder', 'review_opinion']);
    });
  });
});

describe('the re-review window (请求复核期限)', () => {
  it('is 30 days from the review opinion: a request on its last day is taken; after it, the review opinion is final', async () => {
    await t.withWorker(async (q) => {
      const taken = await startCase(q, 'RR-1');
      const lapsed = await startCase(q, 'RR-2');
      // One after the other: two time skips at once hung the test server.
      await inReview(taken.handle);
      await inReview(lapsed.handle);
      // The opinion ten days after the request: the window runs from the opinion, not the request.
      await t.env.sleep(10 * DAY);
      const given = await today();
      for (const { handle } of [taken, lapsed]) await handle.executeUpdate(reviewOpinionUpdate, { args: [{ actor: 'reviewer', outcome: 'upheld' }] });
      const window = await plannedDeadline(taken.handle, 'reReviewRequest');
      expect(window).toMatchObject({ start: given, days: 30, basis: 'calendar', rawDue: addDays(given, 30) });
      expect(window.rule).toMatchObject({ step: 'reReviewRequest', pack: 'regulations-2022', article: '第四章' });
      expect(window).toEqual(caseDeadline({ jurisdiction: 'beijing', receivedDate: taken.receivedDate, step: 'reReviewRequest', start: given }));
      expect((await plannedDeadline(lapsed.handle, 'reReviewRequest')).due).toBe(window.due);

      // The last minute of the due day: the window is open.
      await skipTo(addDays(window.due as PlainDate, 1), -60_000);
      expect((await lapsed.handle.query(caseStateQuery)).stage).toBe('re_review_window');
      const inReReview = await taken.handle.executeUpdate(requestReReviewUpdate, { args: [{ toOrgan: '北京市人民政府' }] });
      expect(inReReview).toMatchObject({ stage: 'in_re_review', responsibleOrgan: '北京市人民政府' });

      // The day after: the petitioner asked for nothing, so the review opinion is final.
      await t.env.sleep(120_000);
      expect(await lapsed.handle.result()).toMatchObject({ stage: 'closed', closeReason: 'review_final', overdue: [] });
      await expect(lapsed.handle.executeUpdate(requestReReviewUpdate, { args: [{ toOrgan: '北京市人民政府' }] })).rejects.toThrow();
      expect(await events('RR-2')).toEqual(['received', 'routed', 'accepted', 'replied', 'review_requested', 'review_opinion', 'closed']);
      expect(await events('RR-1')).toContain('re_review_requested');
    });
  });
});
