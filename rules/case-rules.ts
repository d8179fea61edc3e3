/**
 * The rules a case runs under: the packs of its jurisdiction in force on the day it was
 * received (a later pack never changes a case already received), and China's calendar.
 */
import { chinaCalendar } from './calendar.js';
import { clockFor, composeRules, type EffectiveRules } from './compose.js';
import { clockDeadline, type ClockOptions, type Deadline } from './deadline.js';
import { policyLibrary } from './library.js';
import type { ComposedLadder } from './ladder.js';
import { PackError, type CaseStep, type DutyRule } from './pack.js';
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

/** What a case workflow needs of its rules, fixed at receipt and recorded in its history. */
export interface CasePlan {
  jurisdiction: string;
  packs: string[];
  clocks: Partial<
    Record<
      CaseStep,
      {
        labelZh: string;
        extension: { maxDays: number; times: number; requires: string } | null;
        suspensions: string[];
        reminders: { daysBefore: number; to: string }[];
      }
    >
  >;
  /** Routing rules by what triggers them, with the article to cite when refusing. */
  routing: Partial<Record<'litigation' | 'accusation' | 'accepted-within-deadline' | 'concluded-after-re-review', { action: string; cite: string }>>;
}

export function casePlan(jurisdiction: string, receivedDate: PlainDate): CasePlan {
  const rules = caseRules(jurisdiction, receivedDate);
  const clocks: CasePlan['clocks'] = {};
  for (const [step, clock] of Object.entries(rules.clocks)) {
    clocks[step as CaseStep] = {
      labelZh: clock.rule.labelZh,
      extension: clock.rule.extension ?? null,
      suspensions: clock.rule.suspensions ?? [],
      reminders: clock.rule.reminders ?? [],
    };
  }
  const routing: CasePlan['routing'] = {};
  for (const rule of Object.values(rules.routing)) {
    routing[rule.rule.when] = {
      action: rule.rule.action,
      cite: `${rule.from.titleZh} ${rule.from.article ?? ''} [${rule.from.pack}]`.replace('  ', ' '),
    };
  }
  return { jurisdiction, packs: rules.packs.map((p) => `${p.id}@${p.version}`), clocks, routing };
}

/** What an accountability case needs of its rules, fixed when it opens. */
export interface AccountabilityPlan {
  jurisdiction: string;
  packs: string[];
  /** The ladder in force with every pack's grounds, each step and ground citing its own rulebook. */
  ladder: ComposedLadder;
  /** The ladder's rulebook. */
  cite: string;
}

export function accountabilityPlan(jurisdiction: string, openedOn: PlainDate): AccountabilityPlan {
  const rules = caseRules(jurisdiction, openedOn);
  if (!rules.accountability) {
    throw new PackError(jurisdiction, 'accountability', `no accountability ladder is in force on ${openedOn}`);
  }
  return {
    jurisdiction,
    packs: rules.packs.map((p) => `${p.id}@${p.version}`),
    ladder: rules.accountability.rule,
    cite: `${rules.accountability.from.titleZh} [${rules.accountability.from.pack}]`,
  };
}

/** A duty as a period workflow needs it: the rule in force when the period opened. */
export interface DutyPlan {
  dutyId: string;
  rule: DutyRule;
  cite: string;
}

export function dutyPlan(jurisdiction: string, dutyId: string, level: string, periodStart: PlainDate): DutyPlan {
  const duty = caseRules(jurisdiction, periodStart).duties[dutyId];
  if (!duty) throw new PackError(jurisdiction, `duties.${dutyId}`, `no such duty in force on ${periodStart}`);
  if (!duty.rule.appliesTo.includes(level as DutyRule['appliesTo'][number]) && !duty.rule.appliesTo.includes('organ')) {
    throw new PackError(duty.from.pack, `duties.${dutyId}.appliesTo`, `the duty is not owed at level ${level}`);
  }
  return { dutyId, rule: duty.rule, cite: `${duty.from.titleZh} ${duty.from.article ?? ''} [${duty.from.pack}]` };
}
