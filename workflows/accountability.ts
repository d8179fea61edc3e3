/**
 * One accountability case (追责) against an organ, walking its pack's ladder (DOMAIN §6):
 * a step is imposed with a rectification deadline; rectification accepted in time closes the
 * case; a deadline passed without it escalates to the next step (e.g. 通报 → 诫勉 → 组织处理 →
 * 纪律处分). Serious grounds may start higher, as the ground allows. Authorised users may
 * escalate or close with a reason. Every decision is recorded with who, when, ground and rule.
 */
import { allHandlersFinished, ApplicationFailure, condition, defineQuery, defineUpdate, patched, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { AccountabilityEvent } from '../analytics/accountability-log.js';
import type { Attribution, FailureKind, Participant } from '../rules/attribution.js';
import type { AccountabilityPlan } from '../rules/case-rules.js';
import { decidedDeadline, type Deadline } from '../rules/deadline.js';
import { combinationOf, combinationRefusal } from '../rules/ladder.js';
import { chinaDateOf, parsePlainDate } from '../rules/plain-date.js';
import type { AccountabilityActivities, AccountabilityPlanning } from './activities.js';
import { PROVISIONAL_CALENDAR_PATCH, PROVISIONAL_RECHECK_MS, recomputedBecause, sameDeadline } from './case-clock.js';
import { refuseFor } from './refuse.js';
import { DUE_DATE_PLANNING, PACK_PLANNING, RECORDING } from './retry-policies.js';

export const ACCOUNTABILITY_WORKFLOW_ID_PREFIX = 'accountability/';

export interface AccountabilityInput {
  caseId: string;
  jurisdiction: string;
  /** Region, department or unit held to account. */
  organ: string;
  /** Ground id in the pack's accountability rules. */
  ground: string;
  /** Where the finding came from: a missed duty, a supervised overdue case, a recommendation's late feedback, or a manual entry. */
  finding: { source: 'duty' | 'case' | 'recommendation' | 'manual'; ref?: string };
  failure: { kind: FailureKind; participants: Participant[] };
  openedBy: string;
  /** Start above the ground's usual step, as the ground allows for serious harm, with why. */
  startAt?: { step: string; reason: string };
  /** Rectification deadline of the first step, when the pack leaves it to the decision. */
  rectifyBy?: string;
  /**
   * Measures imposed together with the first step, where a rule in force lets them be combined
   * (rules/ladder.ts), with why. The ladder goes on from the first step.
   */
  combinedWith?: { steps: string[]; reason: string };
}

export type AccountabilityStage = 'opening' | 'awaiting_deadline' | 'rectifying' | 'submitted' | 'at_top' | 'closed';

export interface AccountabilityState {
  caseId: string;
  organ: string;
  ground: string;
  stage: AccountabilityStage;
  step: string;
  /** Steps imposed so far, in order; a decision that combined measures names the others. */
  steps: { step: string; at: string; by: string; reason: string; combinedWith?: string[] }[];
  deadline?: Deadline;
  /** Year for which the organ lost eligibility for comprehensive honours, if it did. */
  honoursIneligibleYear?: number;
  attribution: Attribution[];
  closeReason?: 'rectified' | 'closed_by_decision';
  plan: AccountabilityPlan;
}

interface Decision {
  actor: string;
  reason: string;
}
export const accountabilityStateQuery = defineQuery<AccountabilityState>('accountabilityState');
export const setRectificationDeadlineUpdate = defineUpdate<AccountabilityState, [{ actor: string; rectifyBy: string }]>('setRectificationDeadline');
export const submitRectificationUpdate = defineUpdate<AccountabilityState, [{ actor: string; evidence: string }]>('submitRectification');
export const acceptRectificationUpdate = defineUpdate<AccountabilityState, [Decision]>('acceptRectification');
export const rejectRectificationUpdate = defineUpdate<AccountabilityState, [Decision]>('rejectRectification');
export const escalateUpdate = defineUpdate<AccountabilityState, [Decision]>('escalate');
export const closeAccountabilityUpdate = defineUpdate<AccountabilityState, [Decision]>('closeAccountability');

const { planAccountability } = proxyLocalActivities<AccountabilityPlanning>(PACK_PLANNING);
// A rectification deadline in a year the calendar does not cover yet waits, as a case's deadlines do.
const { rectificationDeadline } = proxyLocalActivities<AccountabilityPlanning>(DUE_DATE_PLANNING);
const { recordAccountabilityEvent } = proxyActivities<AccountabilityActivities>(RECORDING);


export async function accountabilityWorkflow(input: AccountabilityInput): Promise<AccountabilityState> {
  const openedOn = chinaDateOf(new Date());
  const { plan, attribution } = await planAccountability({ jurisdiction: input.jurisdiction, openedOn, failure: input.failure });
  const { ladder } = plan;
  const ground = ladder.grounds[input.ground];
  if (!ground) throw ApplicationFailure.nonRetryable(`unknown ground "${input.ground}" in ${plan.cite}`);
  const firstStep = input.startAt?.step ?? ground.startsAt;
  if (firstStep !== ground.startsAt && !ground.seriousStartsAt?.includes(firstStep)) {
    throw ApplicationFailure.nonRetryable(`ground ${input.ground} may start at ${[ground.startsAt, ...(ground.seriousStartsAt ?? [])].join(' or ')}, not ${firstStep}`);
  }
  const combined = input.combinedWith;
  const refused = combined && combinationRefusal(ladder, input.ground, firstStep, combined.steps);
  if (refused) refuseFor(refused.code, refused.params);
  // A plan recorded before the packs' grounds were composed cites its ladder's rulebook only.
  const citeOf = (rule: { cite?: string }) => rule.cite ?? plan.cite;

  const state: AccountabilityState = {
    caseId: input.caseId,
    organ: input.organ,
    ground: input.ground,
    stage: 'opening',
    step: firstStep,
    steps: [],
    attribution,
    plan,
  };
  let version = 0;
  const changed = () => version++;

  const record = (type: AccountabilityEvent['type'], key: string, rest: Partial<AccountabilityEvent> = {}) =>
    recordAccountabilityEvent({
      caseId: input.caseId,
      type,
      key,
      occurredAt: new Date().toISOString(),
      organ: input.organ,
      ground: input.ground,
      ladderStep: state.step,
      ...rest,
    });

  /** Imposes a step, with the measures combined with it, and arms its rectification deadline (fixed days, a decision, or none). */
  const impose = async (step: string, by: string, reason: string, rectifyBy?: string, alongside?: { steps: string[]; reason: string }) => {
    const rule = ladder.steps[step]!;
    const others = (alongside?.steps ?? []).map((s) => ladder.steps[s]!);
    const combination = alongside && combinationOf(ladder, [step, ...alongside.steps]);
    state.step = step;
    state.steps.push({ step, at: new Date().toISOString(), by, reason, ...(alongside ? { combinedWith: alongside.steps } : {}) });
    if (rule.honoursIneligible || others.some((o) => o.honoursIneligible)) state.honoursIneligibleYear ??= Number(chinaDateOf(new Date()).slice(0, 4));
    delete state.deadline;
    const today = chinaDateOf(new Date());
    const rect = rule.rectification;
    if ('days' in rect) state.deadline = await rectificationDeadline({ start: today, days: rect.days, step });
    else if ('setBy' in rect && rectifyBy) state.deadline = decidedDeadline(step, today, parsePlainDate(rectifyBy), by);
    state.stage = 'none' in rect ? 'at_top' : state.deadline ? 'rectifying' : 'awaiting_deadline';
    changed();
    await record('step_imposed', `${state.steps.length}:${step}`, {
      actor: by,
      rule: `${rule.labelZh} ${rule.source.article ?? ''} [${citeOf(rule)}]`,
      ...(state.deadline ? { dueDate: state.deadline.due } : {}),
      detail: {
        reason,
        consequences: [rule, ...others].flatMap((r) => r.consequences).join('；'),
        honoursIneligibleYear: state.honoursIneligibleYear ?? null,
        ...(alongside
          ? {
              combinedWith: alongside.steps.join(','),
              combinedRule: `${others.map((o) => `${o.labelZh} ${o.source.article ?? ''} [${citeOf(o)}]`).join('；')}；合并使用 ${combination?.source.article ?? ''} [${combination?.cite ?? ''}]`,
              combinedReason: alongside.reason,
            }
          : {}),
      },
    });
  };
  const escalate = async (by: string, reason: string) => {
    const next = ladder.steps[state.step]!.escalatesTo;
    if (!next) {
      // The top of the ladder: what remains is for the deciding organ (escalate or close).
      state.stage = 'at_top';
      changed();
      return;
    }
    const from = state.step;
    await record('escalated', `${state.steps.length}:${from}->${next}`, { actor: by, detail: { from, to: next, reason } });
    await impose(next, by, reason);
  };
  const close = (reason: AccountabilityState['closeReason']) => {
    state.stage = 'closed';
    state.closeReason = reason;
    changed();
  };

  setHandler(accountabilityStateQuery, () => state);
  const stepZh = () => ladder.steps[state.step]?.labelZh ?? state.step;
  setHandler(
    setRectificationDeadlineUpdate,
    async ({ actor, rectifyBy }) => {
      state.deadline = decidedDeadline(state.step, chinaDateOf(new Date()), parsePlainDate(rectifyBy), actor);
      state.stage = 'rectifying';
      changed();
      await record('deadline_set', `${state.steps.length}:${state.step}`, { actor, dueDate: rectifyBy });
      return state;
    },
    {
      validator: ({ rectifyBy }) => {
        if (state.stage !== 'awaiting_deadline') refuseFor('deadlineNotAwaited', { step: state.step, stepZh: stepZh(), hasDeadline: state.deadline !== undefined });
        if (parsePlainDate(rectifyBy) <= chinaDateOf(new Date())) refuseFor('rectifyByNotAfterToday', { rectifyBy });
      },
    },
  );
  setHandler(
    submitRectificationUpdate,
    async ({ actor, evidence }) => {
      state.stage = 'submitted';
      changed();
      await record('rectification_submitted', `${state.steps.length}:${Date.now()}`, { actor, detail: { evidence } });
      return state;
    },
    {
      validator: ({ evidence }) => {
        if (state.stage !== 'rectifying') refuseFor('nothingToRectify', { stage: state.stage });
        if (!evidence.trim()) refuseFor('rectificationNeedsEvidence', {});
      },
    },
  );
  setHandler(
    acceptRectificationUpdate,
    async ({ actor, reason }) => {
      close('rectified');
      await record('closed', 'rectified', { actor, detail: { reason, outcome: 'rectified' } });
      return state;
    },
    { validator: (_decision) => void (state.stage !== 'submitted' && refuseFor('noRectificationSubmitted', {})) },
  );
  setHandler(
    rejectRectificationUpdate,
    async ({ actor, reason }) => {
      state.stage = 'rectifying';
      changed();
      await record('rectification_rejected', `${state.steps.length}:${Date.now()}`, { actor, detail: { reason } });
      return state;
    },
    { validator: (_decision) => void (state.stage !== 'submitted' && refuseFor('noRectificationSubmitted', {})) },
  );
  setHandler(
    escalateUpdate,
    async ({ actor, reason }) => {
      await escalate(actor, reason);
      return state;
    },
    {
      validator: ({ reason }) => {
        if (state.stage === 'closed') refuseFor('accountabilityClosed', {});
        if (!ladder.steps[state.step]!.escalatesTo) refuseFor('topOfLadder', { step: state.step, stepZh: stepZh() });
        if (!reason.trim()) refuseFor('escalationNeedsReason', {});
      },
    },
  );
  setHandler(
    closeAccountabilityUpdate,
    async ({ actor, reason }) => {
      close('closed_by_decision');
      await record('closed', 'decision', { actor, detail: { reason, outcome: 'closed_by_decision' } });
      return state;
    },
    {
      validator: ({ reason }) => {
        if (state.stage === 'closed') refuseFor('alreadyClosed', {});
        if (!reason.trim()) refuseFor('closingNeedsReason', {});
      },
    },
  );

  // ── The procedure ──────────────────────────────────────────────────────────────────
  await record('opened', 'opened', {
    actor: input.openedBy,
    rule: `${ground.labelZh} ${ground.source.article ?? ''} [${citeOf(ground)}]`,
    detail: {
      finding: `${input.finding.source}${input.finding.ref ? `:${input.finding.ref}` : ''}`,
      attribution: attribution.map((a) => `${a.person}=${a.responsibility}`).join(', '),
      packs: plan.packs.join(' '),
      ...(ground.referral ? { referral: ground.referral } : {}),
    },
  });
  // Without a reason of its own, the first step stands on the ground as the rule names it.
  await impose(firstStep, input.openedBy, input.startAt?.reason ?? `${ground.labelZh}${ground.source.article ? ` ${ground.source.article}` : ''}`, input.rectifyBy, combined);

  // The provisional rectification deadline (暂定) last put on record, and how many were.
  let noted: Deadline | undefined;
  let notes = 0;
  while (state.stage !== 'closed') {
    const seen = version;
    const moved = () => version !== seen;
    if (state.stage === 'rectifying' && state.deadline) {
      const remaining = Date.parse(state.deadline.breachAt) - Date.now();
      if (state.deadline.provisional && patched(PROVISIONAL_CALENDAR_PATCH)) {
        // Asked again weekly, and before the escalation it would cause.
        const held = state.deadline;
        if (noted !== held) {
          noted = held;
          await record('deadline_provisional', `${state.steps.length}:${++notes}`, { dueDate: held.due, detail: { years: (held.provisionalYears ?? []).join(',') } });
          if (moved()) continue;
        }
        const wait = Math.min(remaining, PROVISIONAL_RECHECK_MS);
        if (wait > 0 && (await condition(moved, wait))) continue;
        const again = await rectificationDeadline({ start: held.start, days: held.days, step: state.step });
        if (moved()) continue;
        if (!sameDeadline(held, again)) {
          state.deadline = again;
          noted = again;
          changed();
          await record('deadline_recomputed', `${state.steps.length}:${++notes}`, {
            dueDate: again.due,
            detail: { oldDue: held.due, newDue: again.due, provisional: again.provisional === true, reason: recomputedBecause(held, again) },
          });
          continue;
        }
        if (wait < remaining) continue;
      } else if (remaining > 0 && (await condition(moved, remaining))) continue;
      if (moved()) continue;
      // 未按期完成整改: the deadline passed without accepted rectification.
      await escalate('system', `rectification deadline ${state.deadline.due} passed without accepted rectification`);
      continue;
    }
    await condition(moved);
  }
  await condition(allHandlersFinished);
  return state;
}
