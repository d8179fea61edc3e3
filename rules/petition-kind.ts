/**
 * 初信初访, 重复信访 and 越级信访 are derived, never typed: from the petitioner's earlier petitions
 * (known by pseudonym) and the level of the organ the petition was brought to. Each result
 * carries its reason and the text it rests on, as a deadline carries its explanation.
 *
 * The same matter (同一信访事项, 2022 Regulations art. 19(3)) is the claim the clerk links the
 * petition to (sameClaimAs), else an earlier petition of the same petitioner about the same
 * district and the same field (领域), two petitions without a field counting as the same. There
 * is no time window: the rules know no time after which a matter becomes new (a claim concluded
 * on re-review is never taken again).
 *
 * 初信初访 is a petitioner's first petition on a matter (DOMAIN §2), so it is the complement of
 * 重复信访 (the metric first_petitions counts the cases that are not repeats).
 *
 * 越级 (2022 art. 20(1)): a visit goes to the competent organ's level or the one above it. The
 * matter of a case is its district's (属地管理、分级负责, art. 22(1)(2)): the district's leadership,
 * petition office and departments, and the streets and townships under it. The level above (the
 * city) takes a visit on a matter the district has had, because it was brought there or because
 * the city forwarded it there; a first visit at the city skips the district, which is the
 * 越级走访 that 依法逐级走访 (Beijing plan 004 §四(二)2) turns back. Letters, calls and online
 * petitions are not visits: they may go to any organ, which forwards them (art. 22).
 */
import type { Channel } from '../domain/case.js';
import type { RegionLevel } from '../domain/region-hierarchy.js';

/** A petition of the petitioner's history, as the store keeps it. */
export interface PriorPetition {
  caseId: string;
  /** ISO-8601 instant of receipt. */
  receivedAt: string;
  /** The district of its matter. */
  regionCode: string;
  field: string | null;
}

/** What the derivation reads of a new petition. */
export interface PetitionFacts {
  caseId: string;
  receivedAt: string;
  channel: Channel;
  regionCode: string;
  field: string | null;
  /** The petitioner's pseudonym; null for an anonymous petition or one whose petitioner is not known. */
  petitionerId: string | null;
  /** The earlier case the clerk named as this claim's (sameClaimAs), checked to exist. */
  sameClaimAs: string | null;
  /** The region node of the organ the petition was brought to (登记机关); null when not known. */
  broughtTo: { code: string; level: RegionLevel } | null;
}

export interface Finding {
  /** null: the data cannot tell. */
  value: boolean | null;
  reason: string;
  cite: string;
}

export interface PetitionKind {
  /** 初信初访 */
  first: Finding;
  /** 重复信访 */
  repeat: Finding;
  /** 越级信访 */
  skipLevel: Finding;
  /** The earlier petition on the same matter, when there is one. */
  sameMatterAs: string | null;
}

export const PETITION_KIND_CITES = {
  repeat: '信访工作条例 第十九条第三款（同一信访事项）',
  first: 'DOMAIN §2 初信初访: the first petition on a matter (信访工作条例 第十九条第三款 同一信访事项)',
  skipLevel: '信访工作条例 第二十条第一款（到有权处理的本级或者上一级机关提出）、第二十二条第一款第（二）项（属地管理、分级负责）',
} as const;

/** The level whose organs have a case's matter: its district's. */
const COMPETENT: RegionLevel = 'district';
const DEPTH: Record<RegionLevel, number> = { city: 0, district: 1, street: 2 };

const instant = (iso: string) => Date.parse(iso);

/** Received before `facts`: earlier, or at the same instant with a smaller case id, so two of one instant are ordered. */
function before(p: PriorPetition, facts: PetitionFacts): boolean {
  if (p.caseId === facts.caseId) return false;
  const [a, b] = [instant(p.receivedAt), instant(facts.receivedAt)];
  return a < b || (a === b && p.caseId < facts.caseId);
}

const matterOf = (p: { regionCode: string; field: string | null }) => `${p.field ?? 'no field'} in ${p.regionCode}`;
const sameMatter = (p: PriorPetition, facts: PetitionFacts) => p.regionCode === facts.regionCode && p.field === facts.field;

/** `basis`: for a petition that is no repeat, what the history holds instead. */
function repeatOf(facts: PetitionFacts, history: readonly PriorPetition[]): { repeat: Finding; sameMatterAs: string | null; basis: string } {
  const cite = PETITION_KIND_CITES.repeat;
  if (facts.sameClaimAs) {
    const id = facts.sameClaimAs;
    return { repeat: { value: true, reason: `重复信访: the same claim as case ${id}, as intake linked it (sameClaimAs)`, cite }, sameMatterAs: id, basis: '' };
  }
  if (facts.petitionerId === null) {
    return { repeat: { value: null, reason: 'no petitioner is known (anonymous, or not given): whether it repeats an earlier petition cannot be told', cite }, sameMatterAs: null, basis: '' };
  }
  const earlier = history.filter((p) => before(p, facts)).sort((a, b) => instant(a.receivedAt) - instant(b.receivedAt) || a.caseId.localeCompare(b.caseId));
  const same = earlier.filter((p) => sameMatter(p, facts));
  const first = same[0];
  if (first) {
    const times = same.length > 1 ? `, ${same.length} times before in all` : '';
    return { repeat: { value: true, reason: `重复信访: the petitioner brought the same matter (${matterOf(facts)}) before, first in case ${first.caseId}${times}`, cite }, sameMatterAs: first.caseId, basis: '' };
  }
  const basis = earlier.length
    ? `none of the petitioner's ${earlier.length} earlier petition(s) concerns this matter (${matterOf(facts)})`
    : 'the petitioner has no earlier petition';
  return { repeat: { value: false, reason: `not a repeat: ${basis}`, cite }, sameMatterAs: null, basis };
}

function firstOf(repeat: Finding, sameMatterAs: string | null, basis: string): Finding {
  const cite = PETITION_KIND_CITES.first;
  if (repeat.value === null) return { value: null, reason: repeat.reason, cite };
  if (repeat.value) return { value: false, reason: `not a first petition: the matter was brought before (case ${sameMatterAs})`, cite };
  return { value: true, reason: `初信初访: the petitioner's first petition on this matter (${basis})`, cite };
}

function skipLevelOf(facts: PetitionFacts, repeat: Finding, sameMatterAs: string | null): Finding {
  const cite = PETITION_KIND_CITES.skipLevel;
  if (facts.channel !== 'visit') {
    return { value: false, reason: `not a visit (${facts.channel}): only a visit is bound to the competent level or the one above; other petitions are forwarded`, cite };
  }
  const to = facts.broughtTo;
  if (!to) return { value: null, reason: 'the organ the visit was brought to is not known', cite };
  if (DEPTH[to.level] >= DEPTH[COMPETENT]) {
    return { value: false, reason: `brought to ${to.code} (${to.level}), at the level of the district ${facts.regionCode} whose organs have the matter, or below it`, cite };
  }
  const above = `brought to ${to.code} (${to.level}), above the district ${facts.regionCode} whose organs have the matter`;
  if (repeat.value === null) return { value: null, reason: `${above}; whether the district has had the matter cannot be told (${repeat.reason})`, cite };
  if (repeat.value) return { value: false, reason: `${above}, on a matter the district has had (case ${sameMatterAs}): the level above may take it`, cite };
  return { value: true, reason: `越级信访: a first visit on the matter ${above}, which never had it`, cite };
}

/**
 * The kind of a new petition, from `history`: the petitioner's petitions as the store keeps them
 * (this case and later ones may be among them; only those received before it count).
 */
export function derivePetitionKind(facts: PetitionFacts, history: readonly PriorPetition[]): PetitionKind {
  const { repeat, sameMatterAs, basis } = repeatOf(facts, history);
  return { first: firstOf(repeat, sameMatterAs, basis), repeat, skipLevel: skipLevelOf(facts, repeat, sameMatterAs), sameMatterAs };
}
