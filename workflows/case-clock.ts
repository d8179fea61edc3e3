/**
 * A legal clock inside a workflow: wakes for each reminder the pack names, records the
 * breach once if the deadline passes, and follows the deadline when it moves (an extension)
 * or stops (a hearing). A provisional deadline (its year's holiday schedule unpublished) is
 * computed again at least every PROVISIONAL_RECHECK_MS and before any reminder or breach it
 * would cause. Deterministic: only workflow time and durable timers.
 */
import { condition, patched } from '@temporalio/workflow';
import type { ClockStep } from '../domain/case-clocks.js';
import type { Deadline } from '../rules/deadline.js';
import { addDays, startOfChinaDay, type PlainDate } from '../rules/plain-date.js';

/** A clock of a step of petition work, or (a duty period's) of a duty named by its id. */
export interface Clock<Step extends string = ClockStep> {
  step: Step;
  deadline: Deadline;
  /** Bumped whenever `deadline` or `paused` changes, so a sleeping clock re-plans. */
  version: number;
  paused: boolean;
  reminders: { daysBefore: number; to: string }[];
}

export interface ClockHooks<Step extends string = ClockStep> {
  done: () => boolean;
  remind: (clock: Clock<Step>, reminder: { daysBefore: number; to: string }) => Promise<void>;
  breach: (clock: Clock<Step>) => Promise<void>;
  /**
   * Computes a provisional deadline again and, when it moved or is provisional no more,
   * replaces `clock.deadline` and bumps `clock.version`.
   */
  recheck?: (clock: Clock<Step>) => Promise<void>;
}

/** The patch behind every change for provisional deadlines, so histories recorded before it replay. */
export const PROVISIONAL_CALENDAR_PATCH = 'provisional-calendar';
/**
 * How often a workflow holding a provisional deadline asks again: weekly finds a schedule the
 * State Council publishes within days, at one workflow task a week per such clock.
 */
export const PROVISIONAL_RECHECK_MS = 7 * 86_400_000;

/** Whether a deadline computed again says what the one held already says (the same day, equally provisional). */
export function sameDeadline(held: Deadline, again: Deadline): boolean {
  return held.due === again.due && held.provisional === again.provisional;
}

/** Why a provisional deadline was replaced by one computed again, for the event log. */
export function recomputedBecause(held: Deadline, again: Deadline): string {
  const years = (held.provisionalYears ?? []).join('、');
  return again.provisional
    ? `computed again, still provisional (暂定): ${(again.provisionalYears ?? []).join('、')} has no published holiday schedule`
    : `the ${years} holiday schedule is published (国务院公布${years}年放假安排); computed again`;
}

/** Runs until `done()`. Returns true if done in time, false if the clock ran out first. */
export async function runClock<Step extends string>(clock: Clock<Step>, hooks: ClockHooks<Step>): Promise<boolean> {
  const sent = new Set<string>();
  for (;;) {
    if (hooks.done()) return true;
    const version = clock.version;
    const changed = () => hooks.done() || clock.version !== version;
    if (clock.paused) {
      await condition(changed);
      continue;
    }
    const now = Date.now();
    const breachAt = Date.parse(clock.deadline.breachAt);
    // Reminders still ahead; one whose moment passed before the clock got here is skipped.
    const next = clock.reminders
      .map((reminder) => ({
        reminder,
        key: `${clock.deadline.due}:${reminder.daysBefore}`,
        at: startOfChinaDay(addDays(clock.deadline.due as PlainDate, -reminder.daysBefore)).getTime(),
      }))
      .filter(({ key, at }) => at > now && at < breachAt && !sent.has(key))
      .sort((a, b) => a.at - b.at)[0];
    const wakeAt = next?.at ?? breachAt;
    if (clock.deadline.provisional && hooks.recheck && patched(PROVISIONAL_CALENDAR_PATCH)) {
      const checkAt = Math.min(wakeAt, now + PROVISIONAL_RECHECK_MS);
      if (checkAt > now && (await condition(changed, checkAt - now))) continue;
      // Asked again before acting: a reminder or a breach of a date that has moved would be wrong.
      await hooks.recheck(clock);
      if (changed() || checkAt < wakeAt) continue;
    } else if (wakeAt > now) {
      if (await condition(changed, wakeAt - now)) continue;
    }
    // A reminder is only ever chosen ahead of now, so here its moment has come.
    if (next) {
      sent.add(next.key);
      await hooks.remind(clock, next.reminder);
      continue;
    }
    await hooks.breach(clock);
    await condition(hooks.done);
    return false;
  }
}
