/**
 * A jurisdiction's effective rules on a date: its packs in order, each in the version in
 * force on that date, a later pack overriding an earlier one rule by rule. Every effective
 * rule says which pack, version and article it came from.
 */
import type { PolicyLibrary } from './library.js';
import {
  CASE_STEPS,
  PackError,
  REQUIRED_CLOCKS,
  type AccountabilityRule,
  type CaseStep,
  type ClockRule,
  type DutyRule,
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
  accountability: Effective<AccountabilityRule> | null;
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
    if (pack.accountability) {
      const { article } = pack.accountability.steps[pack.accountability.start]!.source;
      result.accountability = {
        key: 'accountability',
        rule: pack.accountability,
        from: provenance(pack, article, result.accountability),
      };
    }
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

/** The effective clock for a step; throws naming the composition when it has none. */
export function clockFor(rules: EffectiveRules, step: CaseStep): Effective<ClockRule> {
  const clock = rules.clocks[step];
  if (!clock) {
    const packs = rules.packs.map((p) => p.id).join(' + ');
    throw new PackError(packs, `clocks.${step}`, `not defined (steps: ${CASE_STEPS.join(', ')})`);
  }
  return clock;
}
