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
}

/** Lifecycle events written to the event log. */
export type CaseEventType =
  | 'received' /* 登记 */
  | 'routed' /* 转送/交办 */
  | 'route_overdue' /* 逾期未转送交办: a breach that supervision (督办) acts on */;

export interface CaseEvent {
  caseId: string;
  type: CaseEventType;
  /** ISO-8601 instant. */
  occurredAt: string;
  actor?: string;
  dueDate?: string;
  detail?: Record<string, string | number | boolean | null>;
}

/** The one event of each type a case can have so far, hence a stable, idempotent id. */
export function caseEventId(event: Pick<CaseEvent, 'caseId' | 'type'>): string {
  return `${event.caseId}/${event.type}`;
}
