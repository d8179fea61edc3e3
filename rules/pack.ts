/**
 * A policy pack: one rulebook's deadlines, duties, ladder, grounds, routing rules and
 * thresholds, as data, each rule with the article that imposes it. Packs are JSON files in
 * rules/packs/ (and in $XINFANG_PACKS_DIR for local packs); this schema is what a pack may
 * say. A pack may define any subset of rules: a jurisdiction composes several, later packs
 * overriding earlier ones rule by rule (rules/compose.ts).
 */
import { z } from 'zod';
import { OWED_STEPS } from '../domain/case-clocks.js';

/** The steps of a case that have a legal clock (DOMAIN §4). */
export const CASE_STEPS = [
  'route' /* 登记、转送、交办 by a petition office */,
  'notify' /* 书面告知 by any other receiving organ */,
  'handle' /* 办理并书面答复 */,
  'reviewRequest' /* 请求复查: the petitioner's window */,
  'review' /* 复查意见 */,
  'reReviewRequest' /* 请求复核: the petitioner's window */,
  'reReview' /* 复核意见 */,
  'recommendationFeedback' /* 对三项建议书面反馈 */,
] as const;
export type CaseStep = (typeof CASE_STEPS)[number];

/** Required in every jurisdiction: a case cannot run without these clocks. */
export const REQUIRED_CLOCKS: readonly CaseStep[] = [
  'route',
  'notify',
  'handle',
  'reviewRequest',
  'review',
  'reReviewRequest',
  'reReview',
];

export const ORGAN_LEVELS = [
  'city' /* 市党政领导班子 */,
  'district' /* 区/县(市) 党政领导班子 */,
  'city-department' /* 市属部门及单位 */,
  'district-department' /* 区属部门及单位 */,
  'street-township' /* 街道、乡镇 */,
  'petition-office' /* 信访部门 */,
  'organ' /* 任何党政机关 */,
] as const;

/**
 * What a finding that proposes an accountability case is about: an owed step of a case gone
 * overdue (its supervision record, domain/case-clocks.ts), a recommendation's written feedback
 * not given in time (its feedback_overdue record), or a duty period missed. A ground claims the
 * breaches it is the ground for, so a finding names its ground by rule.
 */
export const BREACHES = [...OWED_STEPS, 'recommendationFeedback', 'missedDuty'] as const;
export type Breach = (typeof BREACHES)[number];

const stepId = z.string().regex(/^[a-z][\w-]*$/);

const source = z
  .object({
    /** null only for a working default that no rulebook sets; the note must then say so. */
    article: z.string().min(1).nullable(),
    /** What the text says, briefly, or why the rule reads as it does. */
    note: z.string().optional(),
  })
  .strict()
  .refine((s) => s.article !== null || Boolean(s.note), 'a rule without an article needs a note saying where it comes from');

const label = { labelZh: z.string().min(1), labelEn: z.string().min(1) };

const clock = z
  .object({
    ...label,
    days: z.number().int().positive(),
    basis: z.enum(['calendar', 'working']),
    /** The event that starts the clock. */
    from: z.enum(['receipt', 'acceptance', 'reply', 'reviewOpinion', 'request', 'recommendation']),
    /** Who must act before the clock runs out. */
    who: z.string().min(1),
    extension: z
      .object({
        maxDays: z.number().int().positive(),
        times: z.number().int().positive(),
        requires: z.string().min(1),
      })
      .strict()
      .optional(),
    /** Periods not counted in the clock. */
    suspensions: z.array(z.enum(['hearing'])).optional(),
    /** Reminders before the due date: how many days before, and to whom. */
    reminders: z
      .array(z.object({ daysBefore: z.number().int().positive(), to: z.enum(['handler', 'supervisor', 'petition-office']) }).strict())
      .optional(),
    source,
  })
  .strict();

const duty = z
  .object({
    ...label,
    appliesTo: z.array(z.enum(ORGAN_LEVELS)).min(1),
    period: z.enum(['quarter', 'half-year', 'year', 'as-needed']),
    minCount: z.number().int().positive().default(1),
    /** Least total days in the period (e.g. a month of grassroots research a year). */
    minDays: z.number().int().positive().optional(),
    evidence: z.array(z.enum(['meeting', 'report', 'inspection', 'letter', 'research', 'notice', 'reception'])).min(1),
    /** Reminders before the period closes while the duty is not yet met. */
    reminders: z
      .array(z.object({ daysBefore: z.number().int().positive(), to: z.enum(['handler', 'supervisor', 'petition-office']) }).strict())
      .default([]),
    source,
  })
  .strict();

const ladderStep = z
  .object({
    ...label,
    /** Rank on the ladder, 1 = mildest. */
    rank: z.number().int().positive(),
    /** Rectification deadline: a fixed number of days, or set by the deciding organ. */
    rectification: z.union([
      z.object({ days: z.number().int().positive() }).strict(),
      z.object({ setBy: z.literal('decision') }).strict(),
      z.object({ none: z.literal(true) }).strict(),
    ]),
    consequences: z.array(z.string().min(1)).default([]),
    /** The region, department or unit loses eligibility for comprehensive honours that year. */
    honoursIneligible: z.boolean().default(false),
    /** Step taken when the rectification deadline passes unmet; null at the top. */
    escalatesTo: z.string().nullable(),
    /**
     * Steps of another pack's ladder that this step carries out when its ladder is the one in
     * force (rules/compose.ts): e.g. Xianning's 责令整改 is the 2022 Regulations' 责令改正, so a
     * 2022 ground entering at 责令改正 enters Xianning's ladder there.
     */
    standsFor: z.array(stepId).default([]),
    /**
     * A measure that several steps of a local ladder carry out, not one: the Regulations'
     * 依规依纪依法严肃处理 is Beijing's 诫勉, 组织处理 and 纪律处分 alike. A ground starting here
     * starts at the mildest of them, the others open to the deciding organ; for any other step,
     * two steps standing for it are a pack error (rules/compose.ts).
     */
    carriedBySeveral: z.boolean().default(false),
    source,
  })
  .strict();

const ground = z
  .object({
    ...label,
    /** Ladder step an accountability case on this ground starts at. */
    startsAt: z.string().min(1),
    /** Steps it may start at instead when the harm is serious or especially serious. */
    seriousStartsAt: z.array(z.string().min(1)).optional(),
    /** The findings this ground is the one to propose a case on (the latest pack to claim a breach names its ground). */
    breaches: z.array(z.enum(BREACHES)).default([]),
    /**
     * What the article sends out of the ladder, e.g. 构成犯罪的，依法追究刑事责任: shown with the
     * ground and recorded when a case opens on it, never a step the system decides.
     */
    referral: z.string().min(1).optional(),
    source,
  })
  .strict();

/** Steps one decision may impose together, where the rulebook says its measures may be combined (合并使用). */
const combination = z.object({ steps: z.array(stepId).min(2), source }).strict();

const routingRule = z
  .object({
    ...label,
    /** What in a case triggers the rule. */
    when: z.enum(['litigation', 'accusation', 'accepted-within-deadline', 'concluded-after-re-review']),
    action: z.enum([
      'forward-to-political-legal',
      'forward-to-discipline-inspection',
      'refuse-at-higher-level',
      'refuse-same-claim',
    ]),
    source,
  })
  .strict();

const threshold = z.object({ value: z.number().int().positive(), ...label, source }).strict();

const responsibility = z
  .object({
    ...label,
    roles: z.record(z.string(), z.enum(['principal-leadership', 'important-leadership', 'direct', 'leadership', 'none'])),
    source,
  })
  .strict();

export const packSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    version: z.string().min(1),
    titleZh: z.string().min(1),
    titleEn: z.string().min(1),
    issuer: z.string().min(1),
    /** The seed file, where the pack comes from one (../shared/seeds/). */
    seed: z.string().optional(),
    level: z.enum(['national', 'province', 'city', 'prefecture', 'local']),
    /** Date from which the pack governs cases received on or after it. */
    effective: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    notes: z.string().optional(),
    clocks: z.partialRecord(z.enum(CASE_STEPS), clock).default({}),
    duties: z.record(z.string().regex(/^[a-zA-Z][\w.-]*$/), duty).default({}),
    /**
     * The accountability ladder with the grounds that enter it and the steps that may be
     * combined. A pack's grounds name steps of its own ladder; composed, the latest pack's
     * ladder is the one in force and every pack's grounds enter it (rules/compose.ts).
     */
    accountability: z
      .object({
        start: z.string().min(1),
        steps: z.record(stepId, ladderStep),
        grounds: z.record(z.string().regex(/^[a-z][\w.-]*$/), ground),
        combinations: z.array(combination).default([]),
      })
      .strict()
      .optional(),
    routing: z.record(z.string().regex(/^[a-z][\w-]*$/), routingRule).default({}),
    thresholds: z
      .partialRecord(z.enum(['collectiveVisitMinPeople', 'representativesMax', 'largeScaleMinPeople']), threshold)
      .default({}),
    responsibility: z.partialRecord(z.enum(['collective', 'individual']), responsibility).default({}),
  })
  .strict();

export type PolicyPack = z.infer<typeof packSchema>;
export type ClockRule = z.infer<typeof clock>;
export type DutyRule = z.infer<typeof duty>;
export type LadderStepRule = z.infer<typeof ladderStep>;
export type GroundRule = z.infer<typeof ground>;
export type CombinationRule = z.infer<typeof combination>;
export type AccountabilityRule = NonNullable<PolicyPack['accountability']>;
export type RoutingRule = z.infer<typeof routingRule>;
export type ThresholdRule = z.infer<typeof threshold>;
export type ResponsibilityRule = z.infer<typeof responsibility>;

export class PackError extends Error {
  override name = 'PackError';
  constructor(
    readonly pack: string,
    readonly rule: string,
    readonly problem: string,
  ) {
    super(`policy pack ${pack}: ${rule}: ${problem}`);
  }
}

/** Validates a parsed pack file; a malformed pack is rejected naming the pack, rule and problem. */
export function parsePack(raw: unknown, origin: string): PolicyPack {
  const result = packSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const id = typeof raw === 'object' && raw && 'id' in raw ? String((raw as { id: unknown }).id) : origin;
    throw new PackError(id, issue.path.join('.') || '(pack)', issue.message);
  }
  const pack = result.data;
  if (pack.accountability) checkLadder(pack.id, pack.accountability);
  return pack;
}

/**
 * Every step a ladder names is one of its steps: its start, escalations, the grounds' first
 * steps and the combinations. Checked for each pack alone and again for the composed ladder.
 */
export function checkLadder(packId: string, accountability: Pick<AccountabilityRule, 'start' | 'steps' | 'grounds' | 'combinations'>): void {
  const { start, steps, grounds, combinations } = accountability;
  const known = (step: string, rule: string) => {
    if (!Object.hasOwn(steps, step)) throw new PackError(packId, rule, `unknown ladder step "${step}"`);
  };
  known(start, 'accountability.start');
  for (const [id, step] of Object.entries(steps)) {
    if (step.escalatesTo !== null) known(step.escalatesTo, `accountability.steps.${id}.escalatesTo`);
    const own = step.standsFor.find((s) => Object.hasOwn(steps, s));
    if (own) throw new PackError(packId, `accountability.steps.${id}.standsFor`, `"${own}" is a step of this ladder; a step stands for another pack's step`);
  }
  for (const [id, ground] of Object.entries(grounds)) {
    known(ground.startsAt, `accountability.grounds.${id}.startsAt`);
    ground.seriousStartsAt?.forEach((s) => known(s, `accountability.grounds.${id}.seriousStartsAt`));
  }
  combinations.forEach((c, i) => c.steps.forEach((s) => known(s, `accountability.combinations.${i}.steps`)));
}
