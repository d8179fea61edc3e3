/** How the accountability page names stages, events, roles and responsibilities, in both languages. */
import { t } from '../../i18n.js';
import type { AccountabilityState } from './api.js';

const pick = (table: Record<string, [string, string]>, key: string) => (table[key] ? t(...table[key]) : key);

const STAGES: Record<string, [string, string]> = {
  opening: ['立案中', 'opening'],
  awaiting_deadline: ['待定整改期限', 'awaiting the rectification deadline'],
  rectifying: ['整改中', 'rectifying'],
  submitted: ['整改已提交，待决定', 'rectification submitted, awaiting decision'],
  at_top: ['待决定（本档无整改期限）', 'awaiting decision (the step has no rectification deadline)'],
  closed: ['已结案', 'closed'],
};
export const stageName = (s: string) => pick(STAGES, s);

const EVENTS: Record<string, [string, string]> = {
  opened: ['立案', 'opened'],
  step_imposed: ['作出处理', 'step imposed'],
  deadline_set: ['设定整改期限', 'deadline set'],
  rectification_submitted: ['提交整改', 'rectification submitted'],
  rectification_rejected: ['整改不予认可', 'rectification rejected'],
  escalated: ['升级', 'escalated'],
  closed: ['结案', 'closed'],
  deadline_provisional: ['整改期限暂定（该年放假安排未公布）', 'rectification deadline provisional (the year’s holiday schedule is unpublished)'],
  deadline_recomputed: ['整改期限重新计算', 'rectification deadline computed again'],
};
export const eventName = (e: string) => pick(EVENTS, e);

const ROLES: Record<string, [string, string]> = {
  principal: ['主要负责人', 'principal'],
  directlyInCharge: ['分管负责人', 'leader directly in charge'],
  participatingMember: ['参与决策的班子成员', 'participating member'],
  officerInCharge: ['直接经办人', 'officer in charge'],
};
export const roleName = (r: string) => pick(ROLES, r);

const RESPONSIBILITIES: Record<string, [string, string]> = {
  'principal-leadership': ['主要领导责任', 'principal leadership responsibility'],
  'important-leadership': ['重要领导责任', 'important leadership responsibility'],
  direct: ['直接责任', 'direct responsibility'],
  leadership: ['领导责任', 'leadership responsibility'],
  none: ['不承担责任', 'no responsibility'],
};
export const responsibilityName = (r: string) => pick(RESPONSIBILITIES, r);

const CLOSED: Record<string, [string, string]> = { rectified: ['整改到位', 'rectified'], closed_by_decision: ['决定结案', 'closed by decision'] };
export const closedName = (r: string | null | undefined) => (r ? pick(CLOSED, r) : '');

type Plan = AccountabilityState['plan'];

/** A ladder step with its article, from the plan the case runs under: "诫勉 第二十一条". */
export function stepText(plan: Plan, step: string): string {
  const s = Object.hasOwn(plan.ladder.steps, step) ? plan.ladder.steps[step] : undefined;
  return s ? `${t(s.labelZh, s.labelEn)}${s.source.article ? ` ${s.source.article}` : ''}` : step;
}

export function groundText(plan: Plan, ground: string): string {
  const g = Object.hasOwn(plan.ladder.grounds, ground) ? plan.ladder.grounds[ground] : undefined;
  return g ? `${t(g.labelZh, g.labelEn)}${g.source.article ? ` ${g.source.article}` : ''}` : ground;
}
