/**
 * One petition case (信访事项) from receipt to closure, with every legal clock of DOMAIN §4
 * as a durable timer. Deterministic: time comes from the workflow clock, rules and deadlines
 * from local activities (recorded in history), I/O from activities.
 *
 *   receipt ─ route (petition office, 15 d) ─ notify (receiving organ, 15 d) ──┐
 *           └ notify (other organ, 15 d) ──────────────────────────────────────┴ acceptance
 *   acceptance ─ handle (60 d, +≤30 once) ─ reply
 *   reply ─ review window (30 d) ─ review (30 d) ─ re-review window (30 d)
 *         ─ re-review (30 d, hearings not counted) ─ concluded (终结)
 */
import { allHandlersFinished, condition, patched, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { CaseEvent, CaseEventType } from '../domain/case.js';
import { SUPERVISION_RECORDS, type ClockStep, type OwedStep } from '../domain/case-clocks.js';
import { decidedDeadline, type Deadline, type Suspension } from '../rules/deadline.js';
import type { CaseStep } from '../rules/pack.js';
import { chinaDateOf, parsePlainDate, type PlainDate } from '../rules/plain-date.js';
import type { CaseActivities, DeadlineActivities } from './activities.js';
import {
  acceptUpdate,
  caseStateQuery,
  endHearingUpdate,
  extendUpdate,
  pressUpdate,
  rateUpdate,
  reReviewOpinionUpdate,
  assignLeaderUpdate,
  replyUpdate,
  reportAssignedResultUpdate,
  requestReReviewUpdate,
  requestReviewUpdate,
  reviewOpinionUpdate,
  routeUpdate,
  startHearingUpdate,
  type CaseStage,
  type CaseState,
  type CloseReason,
  type PetitionCaseInput,
  type PressableStep,
} from './case-actions.js';
import { PROVISIONAL_CALENDAR_PATCH, recomputedBecause, runClock, sameDeadline, type Clock } from './case-clock.js';
import { refuseFor } from './refuse.js';
import { DUE_DATE_PLANNING, RECORDING } from './retry-policies.js';

export * from './case-actions.js';

const { recordCaseReceived, recordCaseEvent } = proxyActivities<CaseActivities>(RECORDING);
// planCase computes the first due date with the rules, so it waits for the calendar as the others do.
const { planCase, planDeadline } = proxyLocalActivities<DeadlineActivities>(DUE_DATE_PLANNING);
/**
 * The patch that gives a routed case its notice clock (2022 art. 23 applied to the organ that
 * receives it), so histories of cases routed before it, which ran none, replay.
 */
const ROUTED_ACCEPTANCE_PATCH = 'routed-acceptance-clock';

export async function petitionCaseWorkflow(input: PetitionCaseInput): Promise<CaseState> {
  const { intake, receivedBy } = input;
  const receivedDate = chinaDateOf(new Date(intake.receivedAt));
  const today = (): PlainDate => chinaDateOf(new Date());
  const initialStage: CaseStage = receivedBy.kind === 'petition-office' ? 'awaiting_route' : 'awaiting_notice';
  const firstStep = initialStage === 'awaiting_route' ? 'route' : input.anonymous ? null : 'notify';
  const { plan, first } = await planCase({ jurisdiction: intake.jurisdiction, receivedDate, firstStep });

  const state: CaseState = {
    caseId: intake.caseId,
    jurisdiction: intake.jurisdiction,
    regionCode: intake.regionCode,
    ...(intake.streetCode ? { streetCode: intake.streetCode } : {}),
    accusation: input.accusation === true,
    ...(input.accusedOrgan ? { accusedOrgan: input.accusedOrgan } : {}),
    stage: initialStage,
    responsibleOrgan: receivedBy.organ,
    plan,
    deadlines: firstStep && first ? { [firstStep]: first } : {},
    overdue: [],
    presses: [],
  };
  const clocks: Partial<Record<ClockStep, Clock>> = {};

  // Actions may arrive while the case is being registered; their events follow the receipt.
  let registered = false;
  const record = async (type: CaseEventType, rest: Partial<CaseEvent> = {}) => {
    const occurredAt = new Date().toISOString();
    await condition(() => registered);
    await recordCaseEvent({ caseId: intake.caseId, type, occurredAt, ...rest });
  };
  // What each step's deadline was last asked with, so a provisional one can be computed again.
  type DeadlineOptions = { extensionDays?: number; suspensions?: Suspension[] };
  const requests: Partial<Record<CaseStep, DeadlineOptions & { start: PlainDate }>> = firstStep ? { [firstStep]: { start: receivedDate } } : {};
  // A provisional deadline (暂定) is on record when held, and so is each one that replaces it.
  let deadlineNotes = 0;
  const noteDeadline = async (step: CaseStep, held: Deadline | undefined, next: Deadline, reason: string) => {
    if (!held?.provisional && !next.provisional) return;
    if (held && sameDeadline(held, next)) return;
    if (!patched(PROVISIONAL_CALENDAR_PATCH)) return;
    deadlineNotes += 1;
    const key = `${step}:${deadlineNotes}`;
    if (held?.provisional) {
      await record('deadline_recomputed', { key, dueDate: next.due, detail: { step, oldDue: held.due, newDue: next.due, provisional: next.provisional === true, reason } });
    } else {
      await record('deadline_provisional', { key, dueDate: next.due, detail: { step, years: (next.provisionalYears ?? []).join(',') } });
    }
  };
  const deadlineFor = async (step: CaseStep, start: PlainDate, options: DeadlineOptions = {}) => {
    const deadline = await planDeadline({ jurisdiction: intake.jurisdiction, receivedDate, step, start, ...options });
    const held = state.deadlines[step];
    requests[step] = { start, ...options };
    state.deadlines[step] = deadline;
    await noteDeadline(step, held, deadline, options.extensionDays ? `extended by ${options.extensionDays} days (延期)` : options.suspensions?.length ? 'hearing days not counted (听证)' : 'planned again');
    return deadline;
  };
  // A provisional deadline asked again of the calendar in force now (runClock calls it).
  const recheck = async (clock: Clock) => {
    const { step, version } = clock;
    // An assignment's due date is decided, not counted: it is never provisional.
    if (step === 'assigned') return;
    const request = requests[step];
    if (!request) return;
    const again = await planDeadline({ jurisdiction: intake.jurisdiction, receivedDate, step, ...request });
    // An extension or a hearing that planned the clock meanwhile has the newer answer.
    if (clock.version !== version || sameDeadline(clock.deadline, again)) return;
    const held = clock.deadline;
    clock.deadline = again;
    clock.version++;
    state.deadlines[step] = again;
    await noteDeadline(step, held, again, recomputedBecause(held, again));
  };
  const watch = (step: OwedStep, deadline: Deadline, done: () => boolean): Promise<boolean> => {
    const clock: Clock<OwedStep> = {
      step,
      deadline,
      version: 0,
      paused: false,
      // An assignment's due date is the assigning office's decision: no pack names its reminders.
      reminders: step === 'assigned' ? [] : (plan.clocks[step]?.reminders ?? []),
    };
    clocks[step] = clock;
    return runClock(clock, {
      done,
      remind: (c, reminder) =>
        record('reminder', {
          key: `${c.step}:${c.deadline.due}:${reminder.daysBefore}`,
          dueDate: c.deadline.due,
          detail: { step: c.step, daysBefore: reminder.daysBefore, to: reminder.to, organ: state.responsibleOrgan },
        }),
      breach: async (c) => {
        state.overdue.push(c.step);
        await record(SUPERVISION_RECORDS[c.step], {
          occurredAt: c.deadline.breachAt,
          dueDate: c.deadline.due,
          detail: {
            organ: state.responsibleOrgan,
            rule: c.deadline.rule ? `${c.deadline.rule.pack} ${c.deadline.rule.article ?? ''}`.trim() : 'decided',
          },
        });
      },
      recheck,
    });
  };
  /** Waits for `done` while a petitioner's window is open; false if it closed first. A provisional one is followed as a clock is. */
  const waitWindow = (step: CaseStep, window: Deadline, done: () => boolean): Promise<boolean> => {
    if (!window.provisional || !patched(PROVISIONAL_CALENDAR_PATCH)) return condition(done, Date.parse(window.breachAt) - Date.now());
    let closed = false;
    const clock: Clock = { step, deadline: window, version: 0, paused: false, reminders: [] };
    return runClock(clock, { done: () => done() || closed, remind: async () => undefined, breach: async () => void (closed = true), recheck });
  };
  // A deadline not planned yet belongs to a step that has only just begun: still open.
  const windowOpen = (step: ClockStep) => {
    const deadline = state.deadlines[step];
    return !deadline || Date.now() < Date.parse(deadline.breachAt);
  };
  const expect = (...stages: CaseStage[]) => {
    if (stages.includes(state.stage)) return;
    if (state.stage === 'closed') refuseFor('closed', { caseId: intake.caseId, closeReason: state.closeReason ?? 'unknown' });
    refuseFor('wrongStage', { stage: state.stage });
  };
  const close = (reason: CloseReason) => {
    state.stage = 'closed';
    state.closeReason = reason;
  };

  setHandler(caseStateQuery, () => state);

  // 转送、交办、上报 by the petition office.
  setHandler(
    routeUpdate,
    async (decision) => {
      state.routing = decision;
      const routedOut = decision.toKind === 'political-legal' || decision.toKind === 'discipline-inspection';
      if (routedOut) close('routed_out');
      else {
        state.stage = 'awaiting_acceptance';
        state.responsibleOrgan = decision.toOrgan;
      }
      // The receiving organ owes the petitioner its written notice of acceptance from the day it
      // got the case, as an organ taking one in directly does; none is owed to an unknown address.
      const notice = !routedOut && !input.anonymous && patched(ROUTED_ACCEPTANCE_PATCH) ? await deadlineFor('notify', today()) : undefined;
      await record('routed', {
        actor: decision.actor,
        ...(notice ? { dueDate: notice.due } : {}),
        detail: { mode: decision.mode, toOrgan: decision.toOrgan, toKind: decision.toKind, late: state.overdue.includes('route') },
      });
      if (notice) noticeClock = watch('notify', notice, () => state.stage !== 'awaiting_acceptance');
      if (decision.mode === 'assign' && decision.resultDue) {
        const due = decidedDeadline('assigned', today(), parsePlainDate(decision.resultDue), `the assigning office (${receivedBy.organ})`);
        state.deadlines['assigned'] = due;
        assignedClock = watch('assigned', due, () => state.assignedReported === true || state.stage === 'closed');
      }
      return state;
    },
    {
      validator: (decision) => {
        expect('awaiting_route');
        if (!decision.toOrgan.trim()) refuseFor('routeNoOrgan', {});
        const litigation = plan.routing.litigation;
        if (input.litigationRelated && litigation && decision.toKind !== 'political-legal') {
          refuseFor('litigationToPoliticalLegal', { cite: litigation.cite });
        }
        const accusation = plan.routing.accusation;
        if (input.accusation && accusation && decision.toKind !== 'discipline-inspection') {
          refuseFor('accusationToDiscipline', { cite: accusation.cite });
        }
        if (decision.mode === 'assign') {
          if (!decision.resultDue) refuseFor('assignNeedsResultDue', {});
          if (parsePlainDate(decision.resultDue) <= today()) refuseFor('resultDueNotAfterToday', { resultDue: decision.resultDue });
        } else if (decision.resultDue) refuseFor('resultDueOnlyForAssign', {});
      },
    },
  );
  let assignedClock: Promise<boolean> | undefined;
  let noticeClock: Promise<boolean> | undefined;

  // 受理 (or, for a case taken in directly by an organ, 书面告知 whether it is accepted).
  setHandler(
    acceptUpdate,
    async (decision) => {
      const notice = state.stage === 'awaiting_notice';
      const late = state.overdue.includes('notify');
      if (decision.accepted) {
        state.stage = 'handling';
        state.acceptedAt = new Date().toISOString();
        state.responsibleOrgan = decision.organ ?? state.responsibleOrgan;
      } else close('not_accepted');
      if (notice) await record('notified', { actor: decision.actor, detail: { accepted: decision.accepted, late } });
      await record(decision.accepted ? 'accepted' : 'not_accepted', {
        actor: decision.actor,
        detail: { organ: state.responsibleOrgan, reason: decision.reason ?? null, late },
      });
      return state;
    },
    {
      validator: (decision) => {
        expect('awaiting_notice', 'awaiting_acceptance');
        if (!decision.accepted && !decision.reason?.trim()) refuseFor('refusalNeedsReason', {});
      },
    },
  );

  // 延期: once, within the pack's limit, approved by the organ head, before the deadline.
  setHandler(
    extendUpdate,
    async (extension) => {
      state.extension = extension;
      const deadline = await deadlineFor('handle', chinaDateOf(new Date(state.acceptedAt!)), { extensionDays: extension.days });
      // Before the handling clock starts, the procedure plans it with the extension itself.
      const clock = clocks['handle'];
      if (clock) {
        clock.deadline = deadline;
        clock.version++;
      }
      await record('extended', {
        actor: extension.actor,
        dueDate: deadline.due,
        detail: { days: extension.days, reason: extension.reason, approvedBy: extension.approvedBy },
      });
      return state;
    },
    {
      validator: (extension) => {
        expect('handling');
        const rule = plan.clocks.handle?.extension;
        if (!rule) refuseFor('notExtendable', {});
        if (state.extension) refuseFor('alreadyExtended', { times: rule.times });
        if (!Number.isInteger(extension.days) || extension.days < 1 || extension.days > rule.maxDays) {
          refuseFor('extensionDays', { maxDays: rule.maxDays, days: extension.days, requires: rule.requires });
        }
        if (!extension.reason.trim() || !extension.approvedBy.trim()) {
          refuseFor('extensionNeedsApproval', { requires: rule.requires });
        }
        if (!windowOpen('handle')) refuseFor('extensionAfterDeadline', {});
      },
    },
  );

  // 书面答复: the written handling opinion.
  setHandler(
    replyUpdate,
    async (reply) => {
      state.reply = { ...reply, at: new Date().toISOString() };
      state.stage = 'review_window';
      await record('replied', {
        actor: reply.actor,
        detail: { outcome: reply.outcome, late: state.overdue.includes('handle'), summary: reply.summary ?? null },
      });
      return state;
    },
    { validator: (_reply) => expect('handling') },
  );

  setHandler(
    reportAssignedResultUpdate,
    async ({ actor }) => {
      state.assignedReported = true;
      await record('assigned_reported', { actor, detail: { late: state.overdue.includes('assigned') } });
      return state;
    },
    {
      validator: (_report) => {
        if (!state.deadlines['assigned']) refuseFor('notAssigned', {});
        if (state.assignedReported) refuseFor('assignedAlreadyReported', {});
        expect('awaiting_acceptance', 'handling', 'review_window', 'in_review', 're_review_window', 'in_re_review');
      },
    },
  );

  // 评价: the petitioner rates the handling organ's reply, once (see Rating).
  setHandler(
    rateUpdate,
    async (rating) => {
      state.rating = { ...rating, at: new Date().toISOString() };
      await record('rated', { actor: 'petitioner', detail: { level: rating.level, comment: rating.comment ?? null } });
      return state;
    },
    {
      validator: (_rating) => {
        if (!state.reply) refuseFor('noReplyToRate', {});
        if (state.rating) refuseFor('alreadyRated', {});
      },
    },
  );

  // 催办: the steps owed now whose clock ran out (the breach recorded them), each with the organ
  // that owes it. An assigned result is owed by the organ assigned, whoever holds the case now.
  const overdueOwed = (): { step: PressableStep; organ: string }[] => {
    const owed: { step: PressableStep; organ: string }[] = [];
    const current: Partial<Record<CaseStage, PressableStep>> = {
      awaiting_route: 'route',
      awaiting_notice: 'notify',
      // A routed case's notice, owed by the organ it was routed to.
      awaiting_acceptance: 'notify',
      handling: 'handle',
      in_review: 'review',
      in_re_review: 'reReview',
    };
    const step = current[state.stage];
    if (step && state.overdue.includes(step)) owed.push({ step, organ: state.responsibleOrgan });
    if (state.stage !== 'closed' && !state.assignedReported && state.overdue.includes('assigned')) {
      owed.push({ step: 'assigned', organ: state.routing?.toOrgan ?? state.responsibleOrgan });
    }
    return owed;
  };
  const pressedToday = (step: PressableStep) => state.presses.some((p) => p.step === step && chinaDateOf(new Date(p.at)) === today());
  setHandler(
    pressUpdate,
    async (press) => {
      const at = new Date().toISOString();
      // Kept before the first await, so a press arriving meanwhile sees these steps pressed.
      const pressed = overdueOwed().filter((o) => !pressedToday(o.step)).map((o) => ({ at, ...o }));
      state.presses.push(...pressed);
      for (const { step, organ } of pressed) {
        await record('pressed', { key: `${step}:${chinaDateOf(new Date(at))}`, actor: 'petitioner', detail: { step, organ, note: press.note ?? null } });
      }
      return state;
    },
    {
      validator: (_press) => {
        if (state.stage === 'closed') refuseFor('closed', { caseId: intake.caseId, closeReason: state.closeReason ?? 'unknown' });
        const owed = overdueOwed();
        if (owed.length === 0) refuseFor('nothingOverdue', {});
        if (owed.every((o) => pressedToday(o.step))) refuseFor('alreadyPressedToday', { steps: owed.map((o) => o.step), date: today() });
      },
    },
  );

  // 请求复查 within the window after the reply.
  setHandler(
    requestReviewUpdate,
    async ({ toOrgan }) => {
      state.review = { toOrgan, requestedAt: new Date().toISOString() };
      state.stage = 'in_review';
      state.responsibleOrgan = toOrgan;
      await record('review_requested', { actor: 'petitioner', detail: { toOrgan } });
      return state;
    },
    {
      validator: ({ toOrgan }) => {
        expect('review_window');
        if (!windowOpen('reviewRequest')) refuseFor('reviewWindowClosed', { due: state.deadlines['reviewRequest']?.due ?? '' });
        if (!toOrgan.trim()) refuseFor('reviewNoOrgan', {});
      },
    },
  );

  setHandler(
    reviewOpinionUpdate,
    async (opinion) => {
      state.review!.opinion = opinion;
      state.stage = 're_review_window';
      await record('review_opinion', {
        actor: opinion.actor,
        detail: { outcome: opinion.outcome, late: state.overdue.includes('review'), summary: opinion.summary ?? null },
      });
      return state;
    },
    { validator: (_opinion) => expect('in_review') },
  );

  // 请求复核 within the window after the review opinion.
  setHandler(
    requestReReviewUpdate,
    async ({ toOrgan }) => {
      state.reReview = { toOrgan, requestedAt: new Date().toISOString(), hearings: [] };
      state.stage = 'in_re_review';
      state.responsibleOrgan = toOrgan;
      await record('re_review_requested', { actor: 'petitioner', detail: { toOrgan } });
      return state;
    },
    {
      validator: ({ toOrgan }) => {
        expect('re_review_window');
        if (!windowOpen('reReviewRequest')) refuseFor('reReviewWindowClosed', { due: state.deadlines['reReviewRequest']?.due ?? '' });
        if (!toOrgan.trim()) refuseFor('reReviewNoOrgan', {});
      },
    },
  );

  // 听证: its time is not counted in the re-review clock.
  setHandler(
    startHearingUpdate,
    async (hearing) => {
      state.reReview!.hearings.push({ from: hearing.date });
      const clock = clocks['reReview']!;
      clock.paused = true;
      clock.version++;
      await record('hearing_started', { key: hearing.date, actor: hearing.actor, detail: { date: hearing.date } });
      return state;
    },
    {
      validator: (hearing) => {
        expect('in_re_review');
        if (!plan.clocks.reReview?.suspensions.includes('hearing')) refuseFor('hearingNotSuspending', {});
        if (state.reReview!.hearings.some((h) => !h.to)) refuseFor('hearingUnderWay', {});
        if (!clocks['reReview']) refuseFor('reReviewClockPending', {});
        if (!windowOpen('reReview')) refuseFor('reReviewDeadlinePassed', {});
        const requested = chinaDateOf(new Date(state.reReview!.requestedAt));
        const date = parsePlainDate(hearing.date);
        if (date <= requested || date > today()) refuseFor('hearingStartDate', { after: requested });
      },
    },
  );

  setHandler(
    endHearingUpdate,
    async (hearing) => {
      const open = state.reReview!.hearings.find((h) => !h.to)!;
      open.to = hearing.date;
      const requested = chinaDateOf(new Date(state.reReview!.requestedAt));
      const suspensions = state.reReview!.hearings.map((h) => ({
        from: parsePlainDate(h.from),
        to: parsePlainDate(h.to!),
        reason: 'hearing (听证)',
      }));
      const deadline = await deadlineFor('reReview', requested, { suspensions });
      const clock = clocks['reReview']!;
      clock.deadline = deadline;
      clock.paused = false;
      clock.version++;
      await record('hearing_ended', { key: open.from, actor: hearing.actor, dueDate: deadline.due, detail: { from: open.from, to: hearing.date } });
      return state;
    },
    {
      validator: (hearing) => {
        expect('in_re_review');
        const open = state.reReview!.hearings.find((h) => !h.to);
        if (!open) refuseFor('noHearing', {});
        const date = parsePlainDate(hearing.date);
        if (date < open.from || date > today()) refuseFor('hearingEndDate', { from: open.from });
      },
    },
  );

  setHandler(
    reReviewOpinionUpdate,
    async (opinion) => {
      state.reReview!.opinion = opinion;
      close('concluded');
      await record('re_review_opinion', {
        actor: opinion.actor,
        detail: { outcome: opinion.outcome, late: state.overdue.includes('reReview'), summary: opinion.summary ?? null },
      });
      return state;
    },
    {
      validator: (_opinion) => {
        expect('in_re_review');
        if (state.reReview!.hearings.some((h) => !h.to)) refuseFor('endHearingFirst', {});
      },
    },
  );

  // 领导包案: a leader is named for the case while it is open; a later naming replaces the earlier.
  let leaderNamings = 0;
  setHandler(
    assignLeaderUpdate,
    async (ownership) => {
      state.leader = { username: ownership.leader, name: ownership.leaderName, at: new Date().toISOString() };
      leaderNamings += 1;
      await record('leader_assigned', { key: `${leaderNamings}:${ownership.leader}`, actor: ownership.actor, detail: { leader: ownership.leader, leaderName: ownership.leaderName } });
      return state;
    },
    {
      validator: (ownership) => {
        if (state.stage === 'closed') refuseFor('closed', { caseId: intake.caseId, closeReason: state.closeReason ?? 'unknown' });
        const owner = state.leader;
        if (owner && owner.username === ownership.leader) refuseFor('alreadyOwned', { leaderName: owner.name });
      },
    },
  );

  // ── The procedure ──────────────────────────────────────────────────────────────────
  await recordCaseReceived(intake, {
    caseId: intake.caseId,
    type: 'received',
    occurredAt: intake.receivedAt,
    actor: receivedBy.organ,
    ...(first ? { dueDate: first.due } : {}),
    detail: { receivedBy: receivedBy.kind, organ: receivedBy.organ, packs: plan.packs.join(' ') },
  });
  registered = true;
  if (firstStep && first) await noteDeadline(firstStep, undefined, first, 'planned at receipt');

  const leaves = (stage: CaseStage) => () => state.stage !== stage;
  if (firstStep && first) await watch(firstStep, first, leaves(initialStage));
  else await condition(leaves('awaiting_notice'));
  await condition(leaves('awaiting_acceptance'));

  if (state.stage === 'handling') {
    const accepted = chinaDateOf(new Date(state.acceptedAt!));
    const extensionDays = state.extension?.days;
    await watch('handle', await deadlineFor('handle', accepted, extensionDays ? { extensionDays } : {}), leaves('handling'));
  }
  if (state.stage === 'review_window') {
    const window = await deadlineFor('reviewRequest', chinaDateOf(new Date(state.reply!.at)));
    if (!(await waitWindow('reviewRequest', window, leaves('review_window')))) close('reply_final');
  }
  if (state.stage === 'in_review') {
    await watch('review', await deadlineFor('review', chinaDateOf(new Date(state.review!.requestedAt))), leaves('in_review'));
    const window = await deadlineFor('reReviewRequest', today());
    if (!(await waitWindow('reReviewRequest', window, leaves('re_review_window')))) close('review_final');
  }
  if (state.stage === 'in_re_review') {
    await watch('reReview', await deadlineFor('reReview', chinaDateOf(new Date(state.reReview!.requestedAt))), leaves('in_re_review'));
  }

  await assignedClock;
  await noticeClock;
  await condition(allHandlersFinished);
  await record('closed', { detail: { reason: state.closeReason ?? null } });
  return state;
}
