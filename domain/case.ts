/** Vocabulary of a petition case (信访事项), shared by workflows, analytics, API and web. */

export const CHANNELS = {
  letter: '来信',
  visit: '来访',
  phone: '来电',
  online: '网上信访',
  fax: '传真',
  email: '电子邮件',
} as const;
export type Channel = keyof typeof CHANNELS;
export const CHANNEL_CODES = Object.keys(CHANNELS) as [Channel, ...Channel[]];

/** What the receiving office records at intake (登记). */
export interface CaseIntake {
  caseId: string;
  /** Whose policy packs govern the case (rules/jurisdictions.json). */
  jurisdiction: string;
  /** ISO-8601 instant of receipt. */
  receivedAt: string;
  channel: Channel;
  regionCode: string;
  field?: string;
  /** Number of petitioners sharing the matter; above 1 it is a collective case (集体访). */
  collectiveSize: number;
  summary?: string;
  /** Street or township (街道/乡镇) within regionCode. */
  streetCode?: string;
  petitionClass?: PetitionClass;
  /** Keyed-hash pseudonym of the petitioner (never a name): links repeat petitions. */
  petitionerId?: string;
  /**
   * 重复信访: the petitioner brought the same matter before (初信初访 is its complement). Derived at
   * intake, never typed, and at import unless the source carries it (rules/petition-kind.ts);
   * absent when the data cannot tell.
   */
  repeatPetition?: boolean;
  /** 越级信访: a visit that skipped the competent level. Derived like repeatPetition. */
  skipLevel?: boolean;
  /** Organ responsible for handling, when known at load time. */
  organCode?: string;
}

/** The three classes of a petition (DOMAIN §2). */
export const PETITION_CLASSES = {
  suggestion: '建议意见',
  accusation: '检举控告',
  claim: '申诉求决',
} as const;
export type PetitionClass = keyof typeof PETITION_CLASSES;
export const PETITION_CLASS_CODES = Object.keys(PETITION_CLASSES) as [PetitionClass, ...PetitionClass[]];

/**
 * Fields (领域) a case concerns, as DOMAIN §7 names them; the Chinese name is the stored value.
 * 其他 takes what fits none.
 */
export const FIELDS = [
  '城乡建设',
  '劳动社保',
  '国土资源',
  '农村农业',
  '卫生健康',
  '教育',
  '生态环境',
  '政法',
  '纪检监察',
  '民政',
  '交通运输',
  '商贸旅游',
  '其他',
] as const;
export type Field = (typeof FIELDS)[number];

/**
 * Lifecycle events written to the event log, the same whether a case workflow wrote them or
 * the generator or an import did. A missed clock is `<step>_overdue`: the supervision (督办)
 * record against the organ that owed the step.
 */
export const CASE_EVENT_TYPES = [
  'received' /* 登记 */,
  'routed' /* 转送、交办 or 上报 by the petition office */,
  'route_overdue',
  'notified' /* 书面告知 by a receiving organ */,
  'notify_overdue',
  'accepted' /* 受理 */,
  'not_accepted' /* 不予受理, with the reason and where to go instead */,
  'extended' /* 延期: approved by the organ head, reason told to the petitioner */,
  'replied' /* 处理意见书: the written reply */,
  'handle_overdue',
  'assigned_reported' /* 交办结果报告 */,
  'assigned_overdue',
  'rated' /* 满意度评价: detail.level 满意 / 基本满意 / 不满意 (earlier events: detail.satisfied, a yes/no) */,
  'pressed' /* 催办 by the petitioner: key is step:China date; detail step, the organ that owes it, note */,
  'review_requested' /* 请求复查 */,
  'review_opinion' /* 复查意见 */,
  'review_overdue',
  're_review_requested' /* 请求复核 */,
  'hearing_started' /* 听证: time not counted in the re-review clock */,
  'hearing_ended',
  're_review_opinion' /* 复核意见 */,
  're_review_overdue',
  'closed' /* 办结 or 终结 */,
  'reminder' /* a deadline is near; key says which step and how many days before */,
  'leader_assigned' /* 领导包案: key is the leader's user name */,
  'deadline_provisional' /* a step's deadline counted provisionally (暂定: its year's holiday schedule is unpublished); key step:n; detail step, years */,
  'deadline_recomputed' /* a provisional deadline computed again; key step:n; detail step, oldDue, newDue, provisional (still), reason */,
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

export interface CaseEvent {
  caseId: string;
  type: CaseEventType;
  /** Distinguishes events of a type that can occur more than once (reminders). */
  key?: string;
  /** ISO-8601 instant. */
  occurredAt: string;
  actor?: string;
  dueDate?: string;
  detail?: Record<string, string | number | boolean | null>;
}

/** Stable id: each (type, key) happens at most once per case, so writes are idempotent. */
export function caseEventId(event: Pick<CaseEvent, 'caseId' | 'type' | 'key'>): string {
  return event.key ? `${event.caseId}/${event.type}/${event.key}` : `${event.caseId}/${event.type}`;
}
