/**
 * Who answers for a failure (DOMAIN §6; 信访工作责任制实施办法 第十一条第二款): for a collective
 * failure the principal and the directly responsible leader bear principal leadership
 * responsibility, other participating members important leadership responsibility, and a
 * member who explicitly objected and was overruled none; for an individual failure the
 * officer in charge bears direct responsibility and the leaders leadership responsibility.
 * The role-to-responsibility table comes from the pack in force.
 */
import type { Effective } from './compose.js';
import type { ResponsibilityRule } from './pack.js';

export type FailureKind = 'collective' | 'individual';

export interface Participant {
  person: string;
  role: 'principal' | 'directlyInCharge' | 'participatingMember' | 'officerInCharge';
  /** Recorded, explicit objection that was overruled. */
  dissented?: boolean;
}

export interface Attribution {
  person: string;
  role: Participant['role'];
  responsibility: ResponsibilityRule['roles'][string];
  why: string;
  /** The rule that assigns the responsibility (title, article, pack), for pages that word `why` themselves. */
  cite: string;
  /** A recorded objection, overruled: the dissenter's rule applies. */
  dissented: boolean;
}

export function attributeResponsibility(
  kind: FailureKind,
  participants: Participant[],
  rule: Effective<ResponsibilityRule> | undefined,
): Attribution[] {
  if (!rule) throw new Error(`no ${kind} responsibility rule is in force for this jurisdiction and date`);
  const cite = `${rule.from.titleZh} ${rule.from.article ?? ''} [${rule.from.pack}]`;
  return participants.map((p) => {
    const dissenterRule = rule.rule.roles['recordedDissenter'];
    if (kind === 'collective' && p.dissented && dissenterRule) {
      return { person: p.person, role: p.role, responsibility: dissenterRule, why: `recorded objection, overruled (${cite})`, cite, dissented: true };
    }
    const responsibility = rule.rule.roles[p.role];
    if (!responsibility) throw new Error(`${cite} assigns no ${kind} responsibility to the role ${p.role}`);
    return { person: p.person, role: p.role, responsibility, why: `${p.role} in a ${kind} failure (${cite})`, cite, dissented: false };
  });
}
