/**
 * The accountability ladder in force, as rules/compose.ts composes it from every pack in force,
 * and what one decision on it may impose together. Pure and free of the pack schema, so the
 * accountability workflow checks an opening with the same rule as the API.
 */
import type { Refusal } from '../domain/refusals.js';
import type { Breach, CombinationRule, GroundRule, LadderStepRule } from './pack.js';

/** A rule of the composed ladder with the rulebook it comes from, e.g. "信访工作条例 [regulations-2022]". */
export type Cited<Rule> = Rule & { cite: string };

export interface ComposedLadder {
  /** The first step of the ladder in force (the latest pack's). */
  start: string;
  /** The ladder in force, with the steps of other packs its grounds enter at and it has none for. */
  steps: Record<string, Cited<LadderStepRule>>;
  /** Every pack's grounds, their steps named in this ladder. */
  grounds: Record<string, Cited<GroundRule>>;
  /** Sets of steps that may be imposed together, their steps named in this ladder. */
  combinations: Cited<CombinationRule>[];
  /** The ground a finding proposes a case on, by what was breached. */
  proposals: Partial<Record<Breach, string>>;
}

const stepZh = (ladder: ComposedLadder, step: string) => (Object.hasOwn(ladder.steps, step) ? ladder.steps[step]!.labelZh : step);

/** The combination that lets these steps be imposed together (the latest pack's, where several do), or undefined when none does. */
export function combinationOf(ladder: ComposedLadder, steps: readonly string[]): Cited<CombinationRule> | undefined {
  return ladder.combinations.findLast((c) => steps.every((s) => c.steps.includes(s)));
}

/**
 * Why a case cannot open on `ground` at `first` with the measures `combined` imposed beside it,
 * or null when it can: each combined measure is a step the ground may impose (its first step or
 * a serious one), none is named twice, and one combination of the rules in force holds them
 * all with the first step (e.g. 北京 第二十条: 可以单独使用，也可以合并使用).
 */
export function combinationRefusal(ladder: ComposedLadder, ground: string, first: string, combined: readonly string[]): Refusal | null {
  const rule = ladder.grounds[ground]!;
  const allowed = [rule.startsAt, ...(rule.seriousStartsAt ?? [])];
  const seen = new Set([first]);
  for (const step of combined) {
    if (seen.has(step)) return { code: 'measureRepeated', params: { step, stepZh: stepZh(ladder, step) } };
    seen.add(step);
    if (!allowed.includes(step)) {
      return {
        code: 'measureNotForGround',
        params: { step, stepZh: stepZh(ladder, step), ground, groundZh: rule.labelZh, allowed, allowedZh: allowed.map((s) => stepZh(ladder, s)) },
      };
    }
  }
  const steps = [first, ...combined];
  if (!combinationOf(ladder, steps)) return { code: 'measuresNotCombinable', params: { steps, stepsZh: steps.map((s) => stepZh(ladder, s)) } };
  return null;
}
