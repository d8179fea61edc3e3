/** The calls the recommendations and disputes page makes. */
import type { DisputeRow } from '../../../../analytics/dispute-log.js';
import type { RecommendationStatus } from '../../../../analytics/recommendation-log.js';
import type { RecommendationKind } from '../../../../domain/recommendation.js';
import type { DisputeList } from '../../../../server/dispute-routes.js';
import type { RecommendationDetail, RecommendationList } from '../../../../server/recommendation-routes.js';
import type { RecommendationState } from '../../../../workflows/recommendation.js';
import { query, request } from '../../api.js';

export type { DisputeList, DisputeRow, RecommendationDetail, RecommendationKind, RecommendationList, RecommendationState, RecommendationStatus };
export type RecommendationItem = RecommendationList['recommendations'][number];
export type Addressee = RecommendationList['addressees'][number];

const id = (s: string) => encodeURIComponent(s);

export const recommendations = (q: { year: number; region?: string; kind?: RecommendationKind; status?: RecommendationStatus; limit: number }) =>
  request<RecommendationList>(`/recommendations?${query(q)}`);
export const recommendation = (recommendationId: string) => request<RecommendationDetail>(`/recommendations/${id(recommendationId)}`);
export const issueRecommendation = (body: { regionCode: string; issuedBy: string; toOrgan: string; kind: RecommendationKind; issuedDate?: string; caseId?: string; summary?: string }) =>
  request<{ recommendationId: string; workflowId: string }>('/recommendations', 'POST', body);
export const recordFeedback = (recommendationId: string, body: { adopted: boolean; date?: string; note?: string }) =>
  request<RecommendationState>(`/recommendations/${id(recommendationId)}/recordFeedback`, 'POST', body);

export const disputes = (q: { year: number; region?: string; limit: number }) => request<DisputeList>(`/disputes?${query(q)}`);
export const recordDispute = (body: { regionCode: string; streetCode?: string; field?: string; screenedDate?: string; caseId?: string; summary?: string }) =>
  request<DisputeRow>('/disputes', 'POST', body);
export const resolveDispute = (disputeId: string, body: { date?: string; note?: string }) => request<DisputeRow>(`/disputes/${id(disputeId)}/resolve`, 'POST', body);
