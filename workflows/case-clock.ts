/**
 * A legal clock inside a workflow: wakes for each reminder the pack names, records the
 * breach once if the deadline passes, and follows the deadline when it moves (an extension)
 * or stops (a hearing). Deterministic: only workflow time and durable timers.
 */
import { condition } from '@temporalio/workflow';
import type { Deadline } from '../rules/deadline.js';
import { addDays, startOfChinaDay, type PlainDate } from '../rules/plain-date.js';

export interface Clock {
  step: string;
  deadline: Deadline;
  /** Bumped whenever `deadline` or `paused` changes, so a sleeping clock re-plans. */
  version: number;
  paused: boolean;
  reminders: { daysBefore: number; to: string }[];
}

export interface ClockHooks {
  done: () => boolean;
  remind: (clock: Clock, reminder: { daysBefore: number; to: string }) => Promise<void>;
  breach: (clock: Clock) => Promise<void>;
}

/** Runs until `done()`. Returns true if done in time, false if the clock ran out first. */
export async function runClock(clock: Clock, hooks: ClockHooks): Promise<boolean> {
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
    if (wakeAt > now) {
      if (await condition(changed, wakeAt - now)) continue;
      if (next) {
        sent.add(next.key);
        await hooks.remind(clock, next.reminder);
        continue;
      }
    }
    await hooks.breach(clock);
    await condition(hooks.done);
    return false;
  }
}
