/**
 * One period of one periodic duty of one organ (DOMAIN §5), e.g. 朝阳区's quarterly hearing of
 * a report on petition work in 2025Q3. Opened by a Temporal Schedule at the period's start;
 * reminders go out before it closes while the duty is unmet; at the close the duty is met by
 * recorded evidence or becomes a finding against the organ.
 */
import { allHandlersFinished, condition, defineQuery, defineUpdate, proxyActivities, proxyLocalActivities, setHandler, workflowInfo, ApplicationFailure } from '@temporalio/workflow';
import type { DutyEvent } from '../analytics/duty-log.js';
import type { DutyPlan } from '../rules/case-rules.js';
import { decidedDeadline } from '../rules/deadline.js';
import type { DutyRule } from '../rules/pack.js';
import { periodContaining, type Period } from '../rules/periods.js';
import { chinaDateOf, parsePlainDate } from '../rules/plain-date.js';
import type { DutyActivities, DutyPlanning } from './activities.js';
import { runClock, type Clock } from './case-clock.js';
import { refuseFor } from './refuse.js';
import { PACK_PLANNING, RECORDING } from './retry-policies.js';

export const DUTY_WORKFLOW_ID_PREFIX = 'duty/';

export interface DutyPeriodInput {
  jurisdiction: string;
  organ: string;
  level: string;
  dutyId: string;
  /** The period; omitted when a Schedule starts the workflow, which then takes the current one. */
  period?: Period;
}

export interface Evidence {
  actor: string;
  kind: DutyRule['evidence'][number];
  /** China date of the meeting, report, inspection, ... */
  date: string;
  /** Minutes, document or report number. */
  reference: string;
  participants?: string[];
  /** Days it covered (grassroots research). */
  days?: number;
}

export interface DutyPeriodState {
  organ: string;
  dutyId: string;
  period: Period | null;
  plan: DutyPlan | null;
  evidence: Evidence[];
  status: 'open' | 'met' | 'missed';
}

export const dutyPeriodStateQuery = defineQuery<DutyPeriodState>('dutyPeriodState');
export const recordEvidenceUpdate = defineUpdate<DutyPeriodState, [Evidence]>('recordEvidence');

const { planDuty } = proxyLocalActivities<DutyPlanning>(PACK_PLANNING);
const { recordDutyEvent } = proxyActivities<DutyActivities>(RECORDING);


export async function dutyPeriodWorkflow(input: DutyPeriodInput): Promise<DutyPeriodState> {
  const state: DutyPeriodState = { organ: input.organ, dutyId: input.dutyId, period: null, plan: null, evidence: [], status: 'open' };
  setHandler(dutyPeriodStateQuery, () => state);

  const plan = await planDuty({
    jurisdiction: input.jurisdiction,
    dutyId: input.dutyId,
    level: input.level,
    periodStart: input.period?.start ?? chinaDateOf(new Date()),
  });
  const { rule } = plan;
  if (rule.period === 'as-needed') throw ApplicationFailure.nonRetryable(`duty ${input.dutyId} has no period to enforce`);
  const period = input.period ?? periodContaining(chinaDateOf(new Date()), rule.period);
  state.period = period;
  state.plan = plan;

  const met = () =>
    state.evidence.length >= rule.minCount &&
    (rule.minDays === undefined || state.evidence.reduce((sum, e) => sum + (e.days ?? 0), 0) >= rule.minDays);
  const record = (type: DutyEvent['type'], key: string, rest: Partial<DutyEvent> = {}) =>
    recordDutyEvent({
      organ: input.organ,
      dutyId: input.dutyId,
      period,
      type,
      key,
      occurredAt: new Date().toISOString(),
      rule: plan.cite,
      ...rest,
    });

  setHandler(
    recordEvidenceUpdate,
    async (evidence) => {
      state.evidence.push(evidence);
      await record('evidence', String(state.evidence.length), {
        actor: evidence.actor,
        detail: {
          kind: evidence.kind,
          date: evidence.date,
          reference: evidence.reference,
          participants: evidence.participants?.join('、') ?? null,
          days: evidence.days ?? null,
        },
      });
      return state;
    },
    {
      validator: (evidence) => {
        if (state.status !== 'open' || !state.period) refuseFor('periodClosed', { label: state.period?.label ?? '', status: state.status });
        if (!rule.evidence.includes(evidence.kind)) refuseFor('evidenceKind', { cite: plan.cite, accepted: rule.evidence.join(','), kind: evidence.kind });
        const date = parsePlainDate(evidence.date);
        if (date < period.start || date > period.end || date > chinaDateOf(new Date())) {
          refuseFor('evidenceOutsidePeriod', { date: evidence.date, start: period.start, end: period.end });
        }
        if (!evidence.reference.trim()) refuseFor('evidenceNeedsReference', {});
        if (rule.minDays !== undefined && !(Number.isInteger(evidence.days) && (evidence.days ?? 0) > 0)) {
          refuseFor('evidenceNeedsDays', { minDays: rule.minDays, period: rule.period });
        }
      },
    },
  );

  await record('period_opened', 'opened', { workflowId: workflowInfo().workflowId });
  // A duty's clock is named by the duty, not by a step of a case.
  const clock: Clock<string> = {
    step: input.dutyId,
    deadline: decidedDeadline(input.dutyId, period.start, period.end, plan.cite),
    version: 0,
    paused: false,
    reminders: rule.reminders,
  };
  const inTime = await runClock(clock, {
    // A missed period is over: evidence now is late and is kept outside the workflow.
    done: () => met() || state.status !== 'open',
    remind: (_c, reminder) =>
      record('reminder', String(reminder.daysBefore), { detail: { daysBefore: reminder.daysBefore, to: reminder.to } }),
    breach: async () => {
      state.status = 'missed';
      await record('missed', 'finding', { detail: { evidence: state.evidence.length, required: rule.minCount } });
    },
  });
  if (inTime) {
    // Met as soon as the evidence suffices; the period stays open for more until it ends.
    await record('met', 'finding', { detail: { evidence: state.evidence.length, required: rule.minCount } });
    const remaining = Date.parse(clock.deadline.breachAt) - Date.now();
    if (remaining > 0) await condition(() => false, remaining);
    state.status = 'met';
  }
  await condition(allHandlersFinished);
  return state;
}
