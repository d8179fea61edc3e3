/**
 * The petition office's three kinds of recommendation (三项建议, DOMAIN §2; 2022 Regulations
 * art. 40): shared by the workflow, the store, the API and the generator.
 */
export const RECOMMENDATION_KINDS = {
  improve_work: '改进工作',
  improve_policy: '完善政策',
  accountability: '追究责任',
} as const;
export type RecommendationKind = keyof typeof RECOMMENDATION_KINDS;
export const RECOMMENDATION_KIND_CODES = Object.keys(RECOMMENDATION_KINDS) as [RecommendationKind, ...RecommendationKind[]];

/** A recommendation as the office issues it. */
export interface RecommendationIssue {
  recommendationId: string;
  /** Whose policy packs set the feedback clock. */
  jurisdiction: string;
  /** The issuing office's region: a district, or the city. */
  regionCode: string;
  /** The petition office that issues it. */
  issuedBy: string;
  /** The organ that owes the written feedback. */
  toOrgan: string;
  kind: RecommendationKind;
  /** China date of issue; the feedback clock starts here. */
  issuedDate: string;
  /** The petition case it arose from, if any. */
  caseId?: string;
  summary?: string;
}

/** The organ's written feedback (书面反馈): whether it adopted the recommendation. */
export interface RecommendationFeedback {
  actor: string;
  adopted: boolean;
  /** China date of the written feedback. */
  date: string;
  /** What the feedback says; the reason when not adopted. */
  note?: string;
}
