/**
 * The runs whose histories the replay test keeps (test/fixtures/histories/), one per name:
 * each drives a workflow to its end on a fresh time-skipping server (its own clock) and
 * returns the handle. A name starts with the workflow type it records, so the folder shows
 * what each type's histories cover. Recorded by test/support/record-histories.ts.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { recordIntake } from '../../analytics/case-log.js';
import { loadDemoData } from '../../analytics/demo-data.js';
import { recordBuiltInJurisdiction } from '../../analytics/region-log.js';
import type { AnalyticsStore } from '../../analytics/store.js';
import { periodContaining } from '../../rules/periods.js';
import { addDays, chinaDateOf, startOfChinaDay, type PlainDate } from '../../rules/plain-date.js';
import {
  accountabilityStateQuery,
  accountabilityWorkflow,
  acceptRectificationUpdate,
  rejectRectificationUpdate,
  setRectificationDeadlineUpdate,
  submitRectificationUpdate,
  type AccountabilityState,
} from '../../workflows/accountability.js';
import { dutyPeriodWorkflow, recordEvidenceUpdate, type DutyPeriodInput } from '../../workflows/duty-period.js';
import { earlyWarningScanWorkflow } from '../../workflows/early-warning.js';
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
  requestReReviewUpdate,
  requestReviewUpdate,
  reviewOpinionUpdate,
  routeUpdate,
  startHearingUpdate,
  type PetitionCaseInput,
} from '../../workflows/petition-case.js';
import { recommendationStateQuery, recommendationWorkflow, recordFeedbackUpdate, type RecommendationState } from '../../workflows/recommendation.js';
import { reportBatchWorkflow } from '../../workflows/report-batch.js';
import { refreshRollupsWorkflow } from '../../workflows/rollups.js';

export interface Recording {
  readonly env: TestWorkflowEnvironment;
  readonly store: AnalyticsStore;
  readonly taskQueue: string;
}

/** Drives one workflow; the recorder awaits its result and takes its history. */
export type Scenario = (r: Recording) => Promise<WorkflowHandle>;

const DAY = 86_400_000;
const clerk = { actor: 'clerk' };
const today = async (r: Recording): Promise<PlainDate> => chinaDateOf(new Date(await r.env.currentTimeMs()));
/** Skips to a minute past the start of `day` (China time). */
async function skipTo(r: Recording, day: PlainDate) {
  const ms = startOfChinaDay(day).getTime() + 60_000 - (await r.env.currentTimeMs());
  if (ms > 0) await r.env.sleep(ms);
}
/** Polls a query: awaiting a result would let the test server skip time past what comes next. */
async function until<S>(read: () => Promise<S>, ready: (s: S) => boolean): Promise<S> {
  for (let i = 0; i < 200; i++) {
    const state = await read();
    if (ready(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the workflow did not reach the state the scenario waits for');
}

async function startCase(r: Recording, caseId: string, receivedBy: PetitionCaseInput['receivedBy']) {
  const intake = {
    caseId,
    jurisdiction: 'beijing',
    receivedAt: new Date(await r.env.currentTimeMs()).toISOString(),
    channel: 'visit' as const,
    regionCode: '110105',
    collectiveSize: 1,
  };
  return r.env.client.workflow.start(petitionCaseWorkflow, { workflowId: `record-${caseId}`, taskQueue: r.taskQueue, args: [{ intake, receivedBy }] });
}

/** A district's quarterly hearing of a report, from the first day of the next quarter, so every reminder is still ahead. */
async function openQuarterlyHearing(r: Recording) {
  await skipTo(r, addDays(periodContaining(await today(r), 'quarter').end, 1));
  const period = periodContaining(await today(r), 'quarter');
  const input: DutyPeriodInput = { jurisdiction: 'beijing', organ: 'D110105', level: 'district', dutyId: 'hearReport.district', period };
  const handle = await r.env.client.workflow.start(dutyPeriodWorkflow, { workflowId: `duty/D110105/hearReport.district/${period.label}`, taskQueue: r.taskQueue, args: [input] });
  return { handle, period };
}

export const SCENARIOS: Record<string, Scenario> = {
  // Late routing, an extension, review and re-review with a hearing: every clock and update.
  async 'petition-case-full-lifecycle'(r) {
    const handle = await startCase(r, 'R1', { organ: '朝阳区信访办', kind: 'petition-office' });
    await r.env.sleep(17 * DAY);
    await handle.executeUpdate(routeUpdate, { args: [{ ...clerk, mode: 'forward', toOrgan: '朝阳区人社局', toKind: 'competent' }] });
    await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
    await r.env.sleep(30 * DAY);
    await handle.executeUpdate(extendUpdate, { args: [{ ...clerk, days: 30, reason: '情况复杂', approvedBy: '局长' }] });
    await r.env.sleep(40 * DAY);
    await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'not_supported' }] });
    await handle.executeUpdate(rateUpdate, { args: [{ level: 'dissatisfied' }] });
    await handle.executeUpdate(requestReviewUpdate, { args: [{ toOrgan: '北京市人社局' }] });
    await r.env.sleep(10 * DAY);
    await handle.executeUpdate(reviewOpinionUpdate, { args: [{ actor: 'r', outcome: 'upheld' }] });
    await handle.executeUpdate(requestReReviewUpdate, { args: [{ toOrgan: '北京市人民政府' }] });
    await r.env.sleep(2 * DAY);
    await handle.executeUpdate(startHearingUpdate, { args: [{ actor: 'r', date: await today(r) }] });
    await r.env.sleep(5 * DAY);
    await handle.executeUpdate(endHearingUpdate, { args: [{ actor: 'r', date: await today(r) }] });
    await handle.executeUpdate(reReviewOpinionUpdate, { args: [{ actor: 'r', outcome: 'changed' }] });
    return handle;
  },
  // Issue 17: presses (催办) of an overdue routing on two days and of an overdue reply, then a
  // rating in three levels.
  async 'petition-case-rating-and-press'(r) {
    const handle = await startCase(r, 'R2', { organ: '朝阳区信访办', kind: 'petition-office' });
    await r.env.sleep(17 * DAY);
    await handle.executeUpdate(pressUpdate, { args: [{ note: '请尽快办理' }] });
    await r.env.sleep(DAY);
    await handle.executeUpdate(pressUpdate, { args: [{}] });
    await handle.executeUpdate(routeUpdate, { args: [{ ...clerk, mode: 'forward', toOrgan: '朝阳区人社局', toKind: 'competent' }] });
    await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
    await r.env.sleep(70 * DAY);
    await handle.executeUpdate(pressUpdate, { args: [{}] });
    await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'partly_supported' }] });
    await handle.executeUpdate(rateUpdate, { args: [{ level: 'basically_satisfied', comment: '基本解决' }] });
    return handle;
  },
  // Issue 18: a routed case's notice of acceptance (2022 art. 23) runs out against the receiving
  // organ, its reminder first; the petitioner presses it, the organ accepts late and replies.
  async 'petition-case-routed-acceptance-late'(r) {
    const handle = await startCase(r, 'R3', { organ: '朝阳区信访办', kind: 'petition-office' });
    await r.env.sleep(2 * DAY);
    const routed = await handle.executeUpdate(routeUpdate, { args: [{ ...clerk, mode: 'forward', toOrgan: 'BJ-JW', toKind: 'competent' }] });
    await skipTo(r, addDays(routed.deadlines['notify']!.due as PlainDate, 1));
    await until(() => handle.query(caseStateQuery), (s) => s.overdue.includes('notify'));
    await handle.executeUpdate(pressUpdate, { args: [{ note: '请告知是否受理' }] });
    await handle.executeUpdate(acceptUpdate, { args: [{ ...clerk, accepted: true }] });
    await r.env.sleep(20 * DAY);
    await handle.executeUpdate(replyUpdate, { args: [{ ...clerk, outcome: 'supported' }] });
    return handle;
  },
  // 通报 with a decided deadline; a rejected rectification lets it pass, so the case escalates to
  // 诫勉, whose deadline the board sets; rectification then accepted closes it.
  async 'accountability-escalated-then-rectified'(r) {
    const handle = await r.env.client.workflow.start(accountabilityWorkflow, {
      workflowId: 'accountability/record-1',
      taskQueue: r.taskQueue,
      args: [
        {
          caseId: 'record-1',
          jurisdiction: 'beijing',
          organ: '朝阳区人社局',
          ground: 'procedure',
          finding: { source: 'case', ref: 'R1/handle_overdue' },
          failure: {
            kind: 'collective',
            participants: [
              { person: '局长', role: 'principal' },
              { person: '副局长', role: 'directlyInCharge' },
            ],
          },
          openedBy: '区信访办',
          rectifyBy: addDays(await today(r), 30),
        },
      ],
    });
    const state = () => handle.query(accountabilityStateQuery);
    const opened = await until(state, (s: AccountabilityState) => s.stage === 'rectifying');
    await handle.executeUpdate(submitRectificationUpdate, { args: [{ actor: '局长', evidence: '整改报告' }] });
    await handle.executeUpdate(rejectRectificationUpdate, { args: [{ actor: '区委组织部', reason: '整改不实' }] });
    await skipTo(r, addDays(opened.deadline!.due as PlainDate, 1));
    await until(state, (s) => s.stage === 'awaiting_deadline');
    await handle.executeUpdate(setRectificationDeadlineUpdate, { args: [{ actor: '区委', rectifyBy: addDays(await today(r), 20) }] });
    await r.env.sleep(5 * DAY);
    await handle.executeUpdate(submitRectificationUpdate, { args: [{ actor: '局长', evidence: '整改报告（二）' }] });
    await handle.executeUpdate(acceptRectificationUpdate, { args: [{ actor: '区委组织部', reason: '整改到位' }] });
    return handle;
  },
  // Both reminders, then the meeting's minutes two days before the close: met, and the period
  // stays open to its end.
  async 'duty-period-reminded-then-met'(r) {
    const { handle, period } = await openQuarterlyHearing(r);
    await skipTo(r, addDays(period.end, -2));
    await handle.executeUpdate(recordEvidenceUpdate, { args: [{ actor: '区委办', kind: 'meeting', date: await today(r), reference: `${period.label} 区委常委会纪要` }] });
    return handle;
  },
  // Nothing recorded: both reminders, then the finding at the close.
  async 'duty-period-missed'(r) {
    return (await openQuarterlyHearing(r)).handle;
  },
  // The feedback clock runs out (the supervision record), then the organ's feedback comes late.
  async 'recommendation-late-feedback'(r) {
    const handle = await r.env.client.workflow.start(recommendationWorkflow, {
      workflowId: 'recommendation/record-1',
      taskQueue: r.taskQueue,
      args: [
        {
          recommendationId: 'record-1',
          jurisdiction: 'beijing',
          regionCode: '110105',
          issuedBy: '朝阳区信访办',
          toOrgan: '朝阳区人力资源社会保障局',
          kind: 'improve_work',
          issuedDate: await today(r),
          summary: '欠薪投诉集中，建议建立预警台账',
        },
      ],
    });
    const state = () => handle.query(recommendationStateQuery);
    const planned = await until(state, (s: RecommendationState) => s.stage === 'awaiting_feedback');
    await skipTo(r, addDays(planned.deadline!.due as PlainDate, 1));
    await until(state, (s) => s.overdueDate !== null);
    await handle.executeUpdate(recordFeedbackUpdate, { args: [{ actor: '朝阳区人社局', adopted: true, date: await today(r), note: '已建立台账' }] });
    return handle;
  },
  // The weekly scan as the Schedule starts it, over the regions the system writes at start: one activity.
  async 'early-warning-scan-weekly'(r) {
    await recordBuiltInJurisdiction(r.store, 'beijing');
    return r.env.client.workflow.start(earlyWarningScanWorkflow, { workflowId: 'early-warning-scan-record-1', taskQueue: r.taskQueue, args: [{ trigger: 'schedule' }] });
  },
  // One case's intake marks its month dirty; the refresh rebuilds it.
  async 'rollups-refresh'(r) {
    const receivedAt = new Date(await r.env.currentTimeMs()).toISOString();
    await recordIntake(
      r.store,
      { caseId: 'record-1', jurisdiction: 'beijing', receivedAt, channel: 'visit', regionCode: '110105', collectiveSize: 1 },
      { caseId: 'record-1', type: 'received', occurredAt: receivedAt },
      'workflow',
    );
    return r.env.client.workflow.start(refreshRollupsWorkflow, { workflowId: 'rollups-refresh-record-1', taskQueue: r.taskQueue, args: [] });
  },
  // Two districts' annual reports in HTML, both lanes busy at once (no Chromium needed).
  async 'report-batch-annual-html'(r) {
    await recordBuiltInJurisdiction(r.store, 'beijing');
    await loadDemoData(r.store, { anchorMonth: '2026-01', jurisdiction: 'beijing', cases: 500, months: 24 });
    return r.env.client.workflow.start(reportBatchWorkflow, {
      workflowId: 'RB-record-1',
      taskQueue: r.taskQueue,
      args: [
        {
          jurisdiction: 'beijing',
          kind: 'annual',
          year: 2025,
          formats: ['html'],
          regions: ['110105', '110108'],
          asOf: '2026-01-31',
          requestedBy: { username: 'analyst', role: 'analyst' },
          origin: 'test',
        },
      ],
    });
  },
};
