import type { CaseClock } from './case-clocks.js';
import { addDays, startOfChinaDay, type PlainDate } from './plain-date.js';

export interface Deadline {
  step: string;
  start: PlainDate;
  /** Last day on which the step is on time. */
  due: PlainDate;
  /** The instant the deadline is missed: the start of the day after `due`, China time. */
  breachAt: Date;
  explanation: string[];
}

/**
 * Due date of a clock started on `start`. The first day is not counted, so a 15-day clock
 * started on 1 March is due on 16 March. Holiday roll-forward and the working-day basis
 * arrive with the calendar (issue 3); until then only the calendar basis is accepted.
 */
export function computeDeadline(clock: CaseClock, start: PlainDate): Deadline {
  if (clock.basis !== 'calendar') {
    throw new Error(`clock ${clock.step}: the ${clock.basis} day basis needs the holiday calendar, which is not loaded`);
  }
  const due = addDays(start, clock.days);
  return {
    step: clock.step,
    start,
    due,
    breachAt: startOfChinaDay(addDays(due, 1)),
    explanation: [
      `start ${start} (${clock.from}); the first day is not counted`,
      `rule: ${clock.labelZh} within ${clock.days} ${clock.basis} days, ${clock.source.document} ${clock.source.article} [${clock.source.pack}]`,
      `due ${due}; missed from ${addDays(due, 1)} 00:00 China time`,
    ],
  };
}
