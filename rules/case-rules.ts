/**
 * The rules a case runs under: the packs of its jurisdiction in force on the day it was
 * received (a later pack never changes a case already received), and China's calendar.
 */
import { chinaCalendar } from './calendar.js';
import { clockFor, composeRules, type EffectiveRules } from './compose.js';
import { clockDeadline, type ClockOptions, type Deadline } from './deadline.js';
import { policyLibrary } from './library.js';
import type { CaseStep } from './pack.js';
import type { PlainDate } from './plain-date.js';

export interface CaseDeadlineRequest extends ClockOptions {
  jurisdiction: string;
  /** China date the case was received: selects the packs in force. */
  receivedDate: PlainDate;
  step: CaseStep;
  /** Date the step's clock starts (receipt, acceptance, reply, ...). */
  start: PlainDate;
}

export function caseRules(jurisdiction: string, receivedDate: PlainDate): EffectiveRules {
  return composeRules(policyLibrary(), jurisdiction, receivedDate);
}

export function caseDeadline(request: CaseDeadlineRequest): Deadline {
  const { jurisdiction, receivedDate, step, start, ...options } = request;
  return clockDeadline(clockFor(caseRules(jurisdiction, receivedDate), step), start, chinaCalendar(), options);
}
