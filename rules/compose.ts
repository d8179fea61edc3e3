/**
 * A jurisdiction's effective rules on a date: its packs in order, each in the version in
 * force on that date, a later pack overriding an earlier one rule by rule. Every effective
 * rule says which pack, version and article it came from.
 */
import type { ComposedLadder } from './ladder.js';
import type { PolicyLibrary } from './library.js';
import {
  CASE_STEPS,
  checkLadder,
  PackError,
  REQUIRED_CLOCKS,
  type AccountabilityRule,
  type CaseStep,
  type ClockRule,
  type DutyRule,
  type LadderStepRule,
  type PolicyPack,
  type ResponsibilityRule,
  type RoutingRule,
  type ThresholdRule,
} from './pack.js';
import type { PlainDate } from './plain-date.js';

export interface Provenance {
  pack: string;
  version: string;
  titleZh: string;
  article: string | null;
  /** Packs earlier in the composition whose rule this one replaced. */
  overrides: string[];
}

export interface Effective<Rule> {
  key: string;
  rule: Rule;
  from: Provenance;
}

export interface EffectiveRules {
  jurisdiction: string;
  asOf: PlainDate;
  packs: { id: string; version: string; effective: string }[];
  clocks: Partial<Record<CaseStep, Effective<ClockRule>>>;
  duties: Record<string, Effective<DutyRule>>;
  /** The latest pack's ladder with every pack's grounds (composeLadder); from: the ladder's pack. */
  accountability: Effective<ComposedLadder> | null;
  routing: Record<string, Effective<RoutingRule>>;
  thresholds: Record<string, Effective<ThresholdRule>>;
  responsibility: Record<string, Effective<ResponsibilityRule>>;
}

/** The version of a pack in force on a date, or null when none had taken effect. */
export function packInForce(library: PolicyLibrary, id: string, on: PlainDate): PolicyPack | null {
  const versions = library.packs.get(id);
  if (!versions) throw new PackError(id, '(pack)', 'no such pack');
  return versions.filter((v) => v.effective <= on).at(-1) ?? null;
}

export function composeRules(library: PolicyLibrary, jurisdiction: string, asOf: PlainDate): EffectiveRules {
  const ids = library.jurisdictions[jurisdiction];
  if (!ids) {
    throw new Error(`unknown jurisdiction "${jurisdiction}"; known: ${Object.keys(library.jurisdictions).join(', ')}`);
  }
  const packs = ids.map((id) => packInForce(library, id, asOf)).filter((p): p is PolicyPack => p !== null);
  return composePacks(packs, jurisdiction, asOf);
}

/**
 * Composes packs in the order given. A jurisdiction must define every required rule; one
 * pack looked at alone (`xinfang deadline --pack`) need not.
 */
export function composePacks(
  packs: PolicyPack[],
  jurisdiction: string,
  asOf: PlainDate,
  options: { requireAll: boolean } = { requireAll: true },
): EffectiveRules {
  const result: EffectiveRules = {
    jurisdiction,
    asOf,
    packs: packs.map(({ id, version, effective }) => ({ id, version, effective })),
    clocks: {},
    duties: {},
    accountability: null,
    routing: {},
    thresholds: {},
    responsibility: {},
  };
  const provenance = (pack: PolicyPack, article: string | null, previous?: Effective<unknown> | null): Provenance => ({
    pack: pack.id,
    version: pack.version,
    titleZh: pack.titleZh,
    article,
    overrides: previous ? [...previous.from.overrides, previous.from.pack] : [],
  });
  const put = <Rule extends { source: { article: string | null } }>(
    table: Record<string, Effective<Rule>>,
    section: string,
    entries: Record<string, Rule | undefined>,
    pack: PolicyPack,
  ) => {
    for (const [key, rule] of Object.entries(entries)) {
      if (rule) table[key] = { key: `${section}.${key}`, rule, from: provenance(pack, rule.source.article, table[key]) };
    }
  };
  for (const pack of packs) {
    put(result.clocks, 'clocks', pack.clocks, pack);
    put(result.duties, 'duties', pack.duties, pack);
    put(result.routing, 'routing', pack.routing, pack);
    put(result.thresholds, 'thresholds', pack.thresholds, pack);
    put(result.responsibility, 'responsibility', pack.responsibility, pack);
  }
  const ladders = packs.filter(hasLadder);
  const base = ladders.at(-1);
  if (base) {
    result.accountability = {
      key: 'accountability',
      rule: composeLadder(ladders, packs.map((p) => p.id).join(' + ')),
      from: { ...provenance(base, base.accountability.steps[base.accountability.start]!.source.article), overrides: ladders.slice(0, -1).map((p) => p.id) },
    };
  }
  const last = packs.at(-1)?.id ?? '(none)';
  if (packs.length === 0) throw new PackError(jurisdiction, '(composition)', `no pack is in force on ${asOf}`);
  for (const step of options.requireAll ? REQUIRED_CLOCKS : []) {
    if (!result.clocks[step]) {
      throw new PackError(last, `clocks.${step}`, `required rule is not defined by any pack of ${jurisdiction} in force on ${asOf}`);
    }
  }
  return result;
}

type LadderPack = PolicyPack & { accountability: AccountabilityRule };
const hasLadder = (pack: PolicyPack): pack is LadderPack => pack.accountability !== undefined;
const citeOf = (pack: PolicyPack) => `${pack.titleZh} [${pack.id}]`;

/**
 * The accountability ladder in force and every ground that enters it. The ladder is the latest
 * pack's, whole: its steps escalate into one another. The grounds are every pack's, a later
 * pack's ground of the same id replacing the earlier: the 2022 Regulations' failures (arts.
 * 44-46) stay grounds wherever a local ladder is in force, beside the local ones. A ground names
 * a step of its own pack's ladder; in the ladder in force that is
 *   1. the steps that stand for it (`standsFor`: Xianning's 责令整改 for the Regulations' 责令改正,
 *      the local 诫勉, 组织处理, 纪律处分 for their 依规依纪依法严肃处理, which a ground starting
 *      there, as art. 42's do, enters at the mildest of them), else
 *   2. the step of the same id (step ids are one vocabulary across packs, as ground ids are), else
 *   3. the pack's own step, added to the ladder with its escalation (Beijing has no 责令改正, so
 *      the Regulations' is added; it escalates nowhere, as the Regulations name no next step).
 * Combinations and the breaches a ground claims resolve the same way; the latest pack to claim
 * a breach names the ground its findings propose.
 */
function composeLadder(ladders: LadderPack[], composition: string): ComposedLadder {
  const base = ladders.at(-1)!;
  const steps = new Map<string, { rule: LadderStepRule; pack: LadderPack }>(Object.entries(base.accountability.steps).map(([id, rule]) => [id, { rule, pack: base }]));
  const carriers = (ref: string, pack: LadderPack): string[] => {
    if (pack === base) return [ref];
    const standing = [...steps].filter(([, s]) => s.rule.standsFor.includes(ref)).map(([id]) => id);
    return standing.length > 0 ? standing : steps.has(ref) ? [ref] : [];
  };
  const ensure = (ref: string, pack: LadderPack) => {
    if (carriers(ref, pack).length > 0) return;
    const own = pack.accountability.steps[ref]!;
    steps.set(ref, { rule: own, pack });
    if (own.escalatesTo !== null) ensure(own.escalatesTo, pack);
  };
  const grounds = new Map<string, LadderPack>();
  for (const pack of ladders) for (const id of Object.keys(pack.accountability.grounds)) grounds.set(id, pack);
  const groundRule = (id: string, pack: LadderPack) => pack.accountability.grounds[id]!;
  const combinations = ladders.flatMap((pack) => pack.accountability.combinations.map((rule) => ({ rule, pack })));
  // Every step is added before any is resolved, so a ground resolves the same whatever its pack's place.
  for (const [id, pack] of grounds) for (const ref of [groundRule(id, pack).startsAt, ...(groundRule(id, pack).seriousStartsAt ?? [])]) ensure(ref, pack);
  for (const { rule, pack } of combinations) rule.steps.forEach((ref) => ensure(ref, pack));

  const resolve = (refs: readonly string[], pack: LadderPack) => [...new Set(refs.flatMap((ref) => carriers(ref, pack)))];
  const one = (ref: string, pack: LadderPack, rule: string) => {
    const found = resolve([ref], pack);
    if (found.length > 1) throw new PackError(composition, rule, `steps ${found.join(', ')} of the ladder in force all stand for "${ref}" of ${pack.id}; it must be one`);
    return found[0]!;
  };
  // A ground's first step, and the others it may start at: a measure several steps carry out
  // (carriedBySeveral) is entered at the mildest of them (the ladder in force's own first on a tie).
  const entry = (ref: string, pack: LadderPack, rule: string): [string, ...string[]] => {
    if (!pack.accountability.steps[ref]!.carriedBySeveral) return [one(ref, pack, rule)];
    return resolve([ref], pack).sort((a, b) => steps.get(a)!.rule.rank - steps.get(b)!.rule.rank) as [string, ...string[]];
  };
  const ladder: ComposedLadder = { start: base.accountability.start, steps: {}, grounds: {}, combinations: [], proposals: {} };
  for (const [id, pack] of grounds) {
    const g = groundRule(id, pack);
    const [startsAt, ...alike] = entry(g.startsAt, pack, `accountability.grounds.${id}.startsAt`);
    const serious = (g.seriousStartsAt || alike.length > 0) && [...new Set([...alike, ...resolve(g.seriousStartsAt ?? [], pack)])].filter((s) => s !== startsAt);
    ladder.grounds[id] = { ...g, startsAt, ...(serious ? { seriousStartsAt: serious } : {}), cite: citeOf(pack) };
  }
  ladder.combinations = combinations.map(({ rule, pack }) => ({ ...rule, steps: resolve(rule.steps, pack), cite: citeOf(pack) }));
  const escalation = new Map([...steps].map(([id, { rule, pack }]) => [id, rule.escalatesTo === null ? null : one(rule.escalatesTo, pack, `accountability.steps.${id}.escalatesTo`)]));
  // The ladder's own steps, and the added ones something enters or escalates to: a step added
  // before one standing for it joined is left out.
  const kept = new Set([...Object.keys(base.accountability.steps), ...Object.values(ladder.grounds).flatMap((g) => [g.startsAt, ...(g.seriousStartsAt ?? [])]), ...ladder.combinations.flatMap((c) => c.steps)]);
  for (const id of kept) {
    const next = escalation.get(id);
    if (next) kept.add(next);
  }
  for (const [id, { rule, pack }] of steps) {
    if (kept.has(id)) ladder.steps[id] = { ...rule, escalatesTo: escalation.get(id)!, cite: citeOf(pack) };
  }
  for (const pack of ladders) {
    for (const [id, g] of Object.entries(pack.accountability.grounds)) {
      if (grounds.get(id) === pack) g.breaches.forEach((b) => (ladder.proposals[b] = id));
    }
  }
  checkLadder(composition, ladder);
  return ladder;
}

/** The effective clock for a step; throws naming the composition when it has none. */
export function clockFor(rules: EffectiveRules, step: CaseStep): Effective<ClockRule> {
  const clock = rules.clocks[step];
  if (!clock) {
    const packs = rules.packs.map((p) => p.id).join(' + ');
    throw new PackError(packs, `clocks.${step}`, `not defined (steps: ${CASE_STEPS.join(', ')})`);
  }
  return clock;
}
