/** What the case work pages ask the API: the queue with its filters, one case, its actions, its petitioner. */
import type { CaseSummary } from '../../../../analytics/case-log.js';
import type { PetitionerIdentity, StoredIdentity } from '../../../../domain/petitioner.js';
import type { CaseDetail } from '../../../../server/case-routes.js';
import type {
  AcceptanceDecision,
  CaseState,
  Extension,
  Hearing,
  Opinion,
  Reply,
  ReviewRequest,
  RouteDecision,
} from '../../../../workflows/case-actions.js';
import { query, request } from '../../api.js';

export interface QueueFilter {
  stage?: string;
  overdue?: boolean;
  dueWithin?: number;
  q?: string;
  field?: string;
  organ?: string;
  region?: string;
  /** `me`: a leader's own 包案 cases. */
  leader?: string;
}

/** Each action's wire body: what the form sends; the server adds who acted. */
type Wire<T> = Omit<T, 'actor'>;
export interface ActionBodies {
  route: Wire<RouteDecision>;
  accept: Wire<AcceptanceDecision>;
  extend: Wire<Extension>;
  reply: Wire<Reply>;
  reportAssignedResult: Record<string, never>;
  requestReview: ReviewRequest;
  giveReviewOpinion: Wire<Opinion>;
  requestReReview: ReviewRequest;
  startHearing: Wire<Hearing>;
  endHearing: Wire<Hearing>;
  giveReReviewOpinion: Wire<Opinion>;
  /** 领导包案: the leader's user name; the server adds the name. */
  assignLeader: { leader: string };
}
export type ActionName = keyof ActionBodies;

export interface Intake {
  channel: string;
  regionCode: string;
  streetCode?: string;
  field?: string;
  collectiveSize: number;
  summary?: string;
  litigationRelated?: boolean;
  accusation?: boolean;
  accusedOrgan?: string;
  anonymous?: boolean;
  petitioner?: PetitionerIdentity;
  /** A collective case's representatives (推选代表, 2022 art. 20(3)). */
  representatives?: string[];
}

const casePath = (id: string) => `/cases/${encodeURIComponent(id)}`;

export const caseApi = {
  queue: (limit: number, f: QueueFilter) =>
    request<{ cases: CaseSummary[]; total: number }>(`/cases?${query({ limit, ...f, overdue: f.overdue === undefined ? undefined : String(f.overdue) })}`),
  get: (id: string) => request<CaseDetail>(casePath(id)),
  act: <A extends ActionName>(id: string, action: A, body: ActionBodies[A]) => request<CaseState>(`${casePath(id)}/${action}`, 'POST', body),
  reveal: (id: string, reason: string) =>
    request<{ caseId: string; petitionerId: string; petitioner: StoredIdentity; representatives: string[] }>(`${casePath(id)}/petitioner/reveal`, 'POST', { reason }),
  attachmentHref: (id: string, seq: number) => `/api/v1${casePath(id)}/attachments/${seq}`,
  register: (intake: Intake) => request<{ caseId: string }>('/cases', 'POST', intake),
};
