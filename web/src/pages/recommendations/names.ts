/** The page's words for the records' codes, in both languages. */
import { RECOMMENDATION_KINDS } from '../../../../domain/recommendation.js';
import { t } from '../../i18n.js';
import type { RecommendationItem, RecommendationKind, RecommendationStatus } from './api.js';

const KIND_EN: Record<RecommendationKind, string> = { improve_work: 'improve work', improve_policy: 'improve policy', accountability: 'pursue accountability' };
export const KINDS = Object.keys(RECOMMENDATION_KINDS) as RecommendationKind[];
export const kindName = (kind: string): string =>
  Object.hasOwn(RECOMMENDATION_KINDS, kind) ? t(RECOMMENDATION_KINDS[kind as RecommendationKind], KIND_EN[kind as RecommendationKind]) : kind;

export const STATUSES: Record<RecommendationStatus, [string, string]> = {
  awaiting: ['待反馈', 'awaiting feedback'],
  overdue: ['逾期未反馈', 'overdue'],
  answered: ['已反馈', 'answered'],
};
export const statusName = (status: RecommendationStatus): string => t(...STATUSES[status]);

/** Adopted or not, with the reason the organ gave; nothing before the feedback. */
export function adoptionText(r: Pick<RecommendationItem, 'adopted' | 'feedback_note'>): string {
  if (r.adopted === null) return '—';
  if (r.adopted) return t('已采纳', 'adopted');
  return `${t('未采纳', 'not adopted')}${r.feedback_note ? t(`：${r.feedback_note}`, `: ${r.feedback_note}`) : ''}`;
}

const EVENTS: Record<string, [string, string]> = {
  issued: ['签发建议', 'issued'],
  reminder: ['反馈提醒', 'reminder'],
  feedback_overdue: ['反馈逾期（督办记录）', 'feedback overdue (supervision record)'],
  feedback: ['书面反馈', 'written feedback'],
  deadline_provisional: ['期限暂定（该年放假安排未公布）', 'deadline provisional (the year’s holiday schedule is unpublished)'],
  deadline_recomputed: ['期限重新计算', 'deadline computed again'],
};
export const eventName = (type: string): string => (EVENTS[type] ? t(...EVENTS[type]) : type);
