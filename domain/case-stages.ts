/** A case's stages by name, in both languages: one table for the refusal texts and the dashboard. */
import type { CaseStage } from '../workflows/case-actions.js';

export const STAGE_NAMES: Record<CaseStage, { zh: string; en: string }> = {
  awaiting_route: { zh: '待转送', en: 'awaiting routing' },
  awaiting_notice: { zh: '待告知', en: 'awaiting notice' },
  awaiting_acceptance: { zh: '待受理', en: 'awaiting acceptance' },
  handling: { zh: '办理中', en: 'being handled' },
  review_window: { zh: '复查申请期', en: 'review window' },
  in_review: { zh: '复查中', en: 'in review' },
  re_review_window: { zh: '复核申请期', en: 're-review window' },
  in_re_review: { zh: '复核中', en: 'in re-review' },
  closed: { zh: '已办结', en: 'closed' },
};
