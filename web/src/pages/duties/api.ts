/** The calls the duties page makes, typed by the server's own answers. */
import type { DutyStatus } from '../../../../analytics/duty-log.js';
import type { DutyCalendarAnswer, DutyRecordBody, DutyRecordKept } from '../../../../server/duty-routes.js';
import type { DutyPeriodState, Evidence } from '../../../../workflows/duty-period.js';
import { query, request } from '../../api.js';

export type { DutyCalendarAnswer, DutyStatus };
export type CalendarPeriod = DutyCalendarAnswer['periods'][number];
export type DutyRuleInfo = DutyCalendarAnswer['duties'][string];
export type DutyRecord = DutyCalendarAnswer['records'][number];
export type AsNeededDuty = DutyCalendarAnswer['asNeeded'][string];
/** What the evidence form sends: the evidence without who recorded it (the server adds the login). */
export type EvidenceBody = Omit<Evidence, 'actor'>;
export type EvidenceKind = Evidence['kind'];

/** A period as URLs and accountability findings name it: ORGAN/DUTY_ID/PERIOD_LABEL. */
export const periodRef = (p: Pick<CalendarPeriod, 'organ' | 'duty_id' | 'period_label'>) => `${p.organ}/${p.duty_id}/${p.period_label}`;

export const dutyCalendar = (q: { year: number; region?: string; status?: DutyStatus }) => request<DutyCalendarAnswer>(`/duties?${query(q)}`);

export const recordEvidence = (organ: string, dutyId: string, evidence: EvidenceBody) =>
  request<DutyPeriodState>(`/duties/${encodeURIComponent(organ)}/${encodeURIComponent(dutyId)}/evidence`, 'POST', evidence);

export type ReceptionMode = NonNullable<DutyRecordBody['mode']>;
/** A record of a duty owed as needed (a reception day, an annotated letter). */
export const recordDuty = (organ: string, dutyId: string, record: DutyRecordBody) =>
  request<DutyRecordKept>(`/duties/${encodeURIComponent(organ)}/${encodeURIComponent(dutyId)}/records`, 'POST', record);
