/** The calls the accountability page makes, typed by the server's own answers. */
import type { AccountabilityListRow } from '../../../../analytics/accountability-log.js';
import type { AccountabilityDetail, AccountabilityOpening, FindingDeclined, FindingsAnswer } from '../../../../server/accountability-routes.js';
import type { AccountabilityState } from '../../../../workflows/accountability.js';
import { query, request } from '../../api.js';

export type { AccountabilityDetail, AccountabilityListRow, AccountabilityOpening, AccountabilityState, FindingsAnswer };
export type Finding = FindingsAnswer['findings'][number];
export type CaseFinding = FindingsAnswer['caseFindings'][number];
export type RecommendationFinding = FindingsAnswer['recommendationFindings'][number];
/** A finding of any source: a missed duty period, a case's supervision record, or a recommendation's late feedback. */
export type AnyFinding = Finding | CaseFinding | RecommendationFinding;
export type Ground = FindingsAnswer['grounds'][number];

export const accountabilityList = (q: { status?: 'open' | 'closed'; region?: string; limit?: number }) =>
  request<{ cases: AccountabilityListRow[]; total: number }>(`/accountability?${query(q)}`);
export const accountabilityCase = (id: string) => request<AccountabilityDetail>(`/accountability/${encodeURIComponent(id)}`);
export const findings = (q: { region?: string }) => request<FindingsAnswer>(`/accountability-findings?${query(q)}`);
export const declineFinding = (finding: Pick<AnyFinding, 'source' | 'ref'>, reason: string) =>
  request<FindingDeclined>('/accountability-findings/decline', 'POST', { finding: { source: finding.source, ref: finding.ref }, reason });

export const openCase = (opening: AccountabilityOpening) => request<{ caseId: string }>('/accountability', 'POST', opening);

/** The ladder's actions, each a POST /accountability/:id/<name> with its body. */
export type ActionName = 'setRectificationDeadline' | 'submitRectification' | 'acceptRectification' | 'rejectRectification' | 'escalate' | 'closeAccountability';
export const act = (id: string, action: ActionName, body: Record<string, string>) =>
  request<AccountabilityState>(`/accountability/${encodeURIComponent(id)}/${action}`, 'POST', body);
