/**
 * The business actions on a petition case, as Temporal updates named for what they do, and
 * the query of its state. Shared by the workflow and the API; no workflow internals here.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseIntake } from '../domain/case.js';
import type { ClockStep, OwedStep } from '../domain/case-clocks.js';
import type { CasePlan } from '../rules/case-rules.js';
import type { Deadline } from '../rules/deadline.js';

export const CASE_WORKFLOW_ID_PREFIX = 'petition-case/';

export interface PetitionCaseInput {
  intake: CaseIntake;
  /** Who took the case in: a petition office routes it, any other organ tells the petitioner. */
  receivedBy: { organ: string; kind: 'petition-office' | 'organ' };
  /** 涉法涉诉: belongs to the political-legal organs (诉访分离). */
  litigationRelated?: boolean;
  /** 检举控告: an accusation for discipline inspection. */
  accusation?: boolean;
  /** The accused organ's code: its users never see the accuser or the material (2022 art. 46(5)). */
  accusedOrgan?: string;
  /** Name or address unknown: no written notice is owed. */
  anonymous?: boolean;
}

/** Where a case can stand. */
export type CaseStage =
  | 'awaiting_route' /* 待转送交办 */
  | 'awaiting_notice' /* 待告知 */
  | 'awaiting_acceptance' /* 待受理 */
  | 'handling' /* 办理中 */
  | 'review_window' /* 答复后，可请求复查 */
  | 'in_review' /* 复查中 */
  | 're_review_window' /* 复查后，可请求复核 */
  | 'in_re_review' /* 复核中 */
  | 'closed';

export type CloseReason =
  | 'routed_out' /* 诉访分离: to political-legal organs or discipline inspection */
  | 'not_accepted'
  | 'reply_final' /* no review requested in time */
  | 'review_final' /* no re-review requested in time */
  | 'concluded' /* 复核终结 */;

export interface Actor {
  /** User id of whoever acts. */
  actor: string;
}

/** 转送 forward / 交办 assign with a result deadline / 上报 report upward. */
export interface RouteDecision extends Actor {
  mode: 'forward' | 'assign' | 'report';
  toOrgan: string;
  /** Kind of organ: the routing rules send some cases only to some kinds. */
  toKind: 'competent' | 'political-legal' | 'discipline-inspection' | 'party-government';
  /** For 交办: the date by which the assignee reports the result (set by the office). */
  resultDue?: string;
}

export interface AcceptanceDecision extends Actor {
  accepted: boolean;
  /** Organ that accepts and handles; defaults to the organ routed to or that received it. */
  organ?: string;
  /** For a refusal: why, and where the petitioner should go instead. */
  reason?: string;
}

export interface Extension extends Actor {
  days: number;
  reason: string;
  /** The organ head who approved it. */
  approvedBy: string;
}

export interface Reply extends Actor {
  outcome: 'supported' | 'partly_supported' | 'not_supported';
  summary?: string;
}

/** 满意 / 基本满意 / 不满意: the three levels the petitioner rates the reply in. */
export const RATING_LEVELS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export type RatingLevel = (typeof RATING_LEVELS)[number];

/**
 * 评价: the petitioner's rating of the handling organ's written reply (书面答复), once per case.
 * Review and re-review opinions are not rated again: they are the opinions of the organs above
 * on the petitioner's disagreement (2022 Regulations ch. 4), which the petitioner voices by
 * asking for them, and the seeds' rating is of how the case was handled (2022 Regulations art. 21:
 * 查询、评价信访事项办理情况; 004 阳光信访: 满意度评价), one rating of one handling.
 */
export interface Rating {
  level: RatingLevel;
  comment?: string;
}

/** 催办: the petitioner presses a case with a step past its deadline. */
export interface Press {
  note?: string;
}

/** The steps an organ owes the petitioner, each with a clock; a press is against one of them. */
export type PressableStep = OwedStep;

export interface ReviewRequest {
  /** The organ one level above the one whose opinion is contested. */
  toOrgan: string;
}

export interface Opinion extends Actor {
  outcome: 'upheld' | 'changed';
  summary?: string;
}

export interface Hearing extends Actor {
  /** China date. */
  date: string;
}

/** 领导包案: a named leader takes personal charge of a hard case (Beijing 2017 art. 13). */
export interface LeaderOwnership extends Actor {
  /** The leader's user name, by which the leader's queue finds the case. */
  leader: string;
  leaderName: string;
}

export interface CaseState {
  caseId: string;
  jurisdiction: string;
  /** Where the case lies, for jurisdiction scoping. */
  regionCode: string;
  streetCode?: string;
  accusation: boolean;
  accusedOrgan?: string;
  stage: CaseStage;
  closeReason?: CloseReason;
  /** Organ that owes the current step. */
  responsibleOrgan: string;
  plan: CasePlan | null;
  /** Every deadline the case has had, by step, as last computed, with its explanation. */
  deadlines: Partial<Record<ClockStep, Deadline>>;
  /** Steps whose clock ran out before the step was done (each a supervision record). */
  overdue: OwedStep[];
  routing?: RouteDecision;
  acceptedAt?: string;
  extension?: Extension;
  reply?: Reply & { at: string };
  rating?: Rating & { at: string };
  /** 催办 the petitioner made: each against a step past its deadline and the organ that owed it. */
  presses: { at: string; step: PressableStep; organ: string }[];
  assignedReported?: boolean;
  review?: { toOrgan: string; requestedAt: string; opinion?: Opinion };
  reReview?: { toOrgan: string; requestedAt: string; hearings: { from: string; to?: string }[]; opinion?: Opinion };
  /** The leader who owns the case (包案), when one was named. */
  leader?: { username: string; name: string; at: string };
}

export const caseStateQuery = defineQuery<CaseState>('caseState');

export const routeUpdate = defineUpdate<CaseState, [RouteDecision]>('route');
export const acceptUpdate = defineUpdate<CaseState, [AcceptanceDecision]>('accept');
export const extendUpdate = defineUpdate<CaseState, [Extension]>('extend');
export const replyUpdate = defineUpdate<CaseState, [Reply]>('reply');
export const reportAssignedResultUpdate = defineUpdate<CaseState, [Actor]>('reportAssignedResult');
export const rateUpdate = defineUpdate<CaseState, [Rating]>('rate');
/** Presses every owed step past its deadline that was not pressed yet that China day. */
export const pressUpdate = defineUpdate<CaseState, [Press]>('press');
export const requestReviewUpdate = defineUpdate<CaseState, [ReviewRequest]>('requestReview');
export const reviewOpinionUpdate = defineUpdate<CaseState, [Opinion]>('giveReviewOpinion');
export const requestReReviewUpdate = defineUpdate<CaseState, [ReviewRequest]>('requestReReview');
export const startHearingUpdate = defineUpdate<CaseState, [Hearing]>('startHearing');
export const endHearingUpdate = defineUpdate<CaseState, [Hearing]>('endHearing');
export const reReviewOpinionUpdate = defineUpdate<CaseState, [Opinion]>('giveReReviewOpinion');
export const assignLeaderUpdate = defineUpdate<CaseState, [LeaderOwnership]>('assignLeader');
