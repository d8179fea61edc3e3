/**
 * Findings that propose an accountability case (DOMAIN §5: "a duty not met by the end of its
 * period is a finding that can open an accountability case"): the missed duty periods, the
 * supervision (督办) records of petition cases whose owed step went overdue against an organ of
 * the registry, and those of recommendations whose written feedback it did not give in time
 * (feedback_overdue); each until the deciding organ opens a case from it or declines it with a
 * reason. The decision is kept in accountability_findings, once per finding.
 */
import { z } from 'zod';
import { OVERDUE_STEPS, type OverdueStep } from './case-log.js';
import { IN_SUBTREE, type AccountabilityScope } from './accountability-log.js';
import { EVIDENCE_ITEMS, evidenceItems } from './duty-log.js';
import { localDay } from './local-day.js';
import { organNamed } from './organ-match.js';
import type { AnalyticsStore } from './store.js';

/** A duty finding's ref: the period it is about, as ORGAN/DUTY_ID/PERIOD_LABEL (the period workflow's id without its prefix). */
export const dutyFindingRef = (organ: string, dutyId: string, periodLabel: string) => `${organ}/${dutyId}/${periodLabel}`;

const findingRow = z.object({
  ref: z.string(),
  organ: z.string(),
  organ_name: z.string().nullable(),
  region_code: z.string().nullable(),
  duty_id: z.string(),
  period_label: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  /** missed, or late: missed, then evidenced after the close (which does not change the finding). */
  status: z.enum(['missed', 'late']),
  /** The article imposing the duty, as the period's workflow cited it. */
  rule: z.string().nullable(),
  found_at: z.string(),
  /** Evidence the period required, and what it had at its close. */
  required: z.number().nullable(),
  evidence_items: evidenceItems,
});
export type DutyFinding = z.infer<typeof findingRow>;

// Grouped per period: a period is a finding once its workflow recorded it missed.
const PERIODS = `
  SELECT organ, duty_id, period_label, period_start::VARCHAR AS period_start, period_end::VARCHAR AS period_end,
         organ || '/' || duty_id || '/' || period_label AS ref,
         CASE WHEN bool_or(event_type = 'late_evidence') THEN 'late' ELSE 'missed' END AS status,
         max(rule) AS rule,
         strftime(timezone('UTC', min(occurred_at) FILTER (WHERE event_type = 'missed')), '%Y-%m-%dT%H:%M:%SZ') AS found_at,
         TRY_CAST(any_value(detail->>'$.required') FILTER (WHERE event_type = 'missed') AS INTEGER) AS required,
         ${EVIDENCE_ITEMS} AS evidence_items
    FROM duty_events
   GROUP BY organ, duty_id, period_label, period_start, period_end
  HAVING bool_or(event_type = 'missed')`;

// Undecided: neither a decision kept here nor a case whose opening record names the finding (`p` is the finding).
const undecided = (source: FindingSource) => `NOT EXISTS (SELECT 1 FROM accountability_findings f WHERE f.finding_source = '${source}' AND f.finding_ref = p.ref)
  AND NOT EXISTS (SELECT 1 FROM accountability_events a WHERE a.event_type = 'opened' AND (a.detail->>'$.finding') = ('${source}:' || p.ref))`;

/** A page of findings and how many there are in all, from rows that each carry the total. */
const withTotal = <R extends { total: number }>(rows: R[]) => ({ total: rows[0]?.total ?? 0, findings: rows.map(({ total: _total, ...row }) => row) });

/** Where findings are listed: the organ of an organ's user (narrowed to a region), or a region's subtree; `o` is the organ. */
function scopeWhere(scope: AccountabilityScope, params: Record<string, string | number>): string[] {
  if (!('organ' in scope)) {
    params.region = scope.region;
    return [IN_SUBTREE];
  }
  params.organ = scope.organ;
  if (scope.within === undefined) return ['p.organ = $organ'];
  params.region = scope.within;
  return ['p.organ = $organ', IN_SUBTREE];
}

/** The open duty findings within `scope`, newest period first. */
export async function openDutyFindings(store: AnalyticsStore, scope: AccountabilityScope, limit: number): Promise<{ findings: DutyFinding[]; total: number }> {
  const params: Record<string, string | number> = { limit };
  const where = [undecided('duty'), ...scopeWhere(scope, params)];
  const rows = await store.all(
    findingRow.extend({ total: z.number() }),
    `WITH p AS (${PERIODS})
     SELECT p.*, o.name_zh AS organ_name, o.region_code, count(*) OVER ()::INTEGER AS total
       FROM p JOIN organs o ON o.code = p.organ
      WHERE ${where.join(' AND ')}
      ORDER BY p.period_end DESC, p.organ, p.duty_id
      LIMIT $limit`,
    params,
  );
  return withTotal(rows);
}

const decisionRow = z.object({
  decision: z.enum(['opened', 'declined']),
  case_id: z.string().nullable(),
  reason: z.string().nullable(),
  actor: z.string(),
  decided_at: z.string(),
});
export type FindingDecision = z.infer<typeof decisionRow>;
/** Where a finding comes from: a missed duty period, a case's supervision record, or a recommendation's. */
export type FindingSource = 'duty' | 'case' | 'recommendation';

/** Each owed step's supervision record, and the events that do the step (late or not). */
const STEP_EVENTS: Record<OverdueStep, { overdue: string; done: readonly string[] }> = {
  route: { overdue: 'route_overdue', done: ['routed'] },
  // A routed case's receiving organ gives its notice by accepting or declining the case.
  notify: { overdue: 'notify_overdue', done: ['notified', 'accepted', 'not_accepted'] },
  handle: { overdue: 'handle_overdue', done: ['replied'] },
  assigned: { overdue: 'assigned_overdue', done: ['assigned_reported'] },
  review: { overdue: 'review_overdue', done: ['review_opinion'] },
  reReview: { overdue: 're_review_overdue', done: ['re_review_opinion'] },
};
const STEPS = Object.entries(STEP_EVENTS);
const STEP_OF = `CASE e.event_type ${STEPS.map(([step, x]) => `WHEN '${x.overdue}' THEN '${step}'`).join(' ')} END`;
const DONE_BY = `CASE e.event_type ${STEPS.map(([, x]) => `WHEN '${x.overdue}' THEN [${x.done.map((d) => `'${d}'`).join(', ')}]`).join(' ')} END`;
/** The supervision records, as event types: what a case finding's ref ends in. */
export const SUPERVISION_EVENTS = STEPS.map(([, x]) => x.overdue);

const caseFindingRow = z.object({
  /** CASE_ID/EVENT_TYPE: the case and its supervision record, e.g. XF-20261122-0001/handle_overdue. */
  ref: z.string(),
  case_id: z.string(),
  step: z.enum(OVERDUE_STEPS),
  organ: z.string(),
  organ_name: z.string().nullable(),
  region_code: z.string().nullable(),
  /** The step's deadline, and the date it was done after it, in the organ's jurisdiction's zone (null: not done yet). */
  due_date: z.string(),
  done_on: z.string().nullable(),
  /** Days past the deadline: to the day the step was done, or to today. */
  days_late: z.number(),
  /** The pack and article of the deadline as the case's workflow recorded it ('decided': a deadline set by decision). */
  rule: z.string().nullable(),
  found_at: z.string(),
});
export type CaseFinding = z.infer<typeof caseFindingRow>;

// One row per supervision record whose organ the registry knows, by its code, name or an alias: an
// accountability case is against an organ of the registry. The record names the organ that
// owed the step when its clock breached.
const SUPERVISED = `
  SELECT e.case_id || '/' || e.event_type AS ref, e.case_id, ${STEP_OF} AS step,
         o.code AS organ, o.name_zh AS organ_name, o.region_code,
         e.due_date::VARCHAR AS due_date,
         (SELECT ${localDay('min(d.occurred_at)', 'o.jurisdiction')} FROM case_events d
           WHERE d.case_id = e.case_id AND list_contains(${DONE_BY}, d.event_type) AND d.occurred_at >= e.occurred_at)::VARCHAR AS done_on,
         e.detail->>'$.rule' AS rule,
         strftime(timezone('UTC', e.occurred_at), '%Y-%m-%dT%H:%M:%SZ') AS found_at
    FROM case_events e JOIN ${organNamed('o', "e.detail->>'$.organ'")}
   WHERE e.event_type IN (${SUPERVISION_EVENTS.map((x) => `'${x}'`).join(', ')}) AND e.due_date IS NOT NULL`;

/**
 * The undecided late records of `records` (one row per supervision record: ref, organ, due_date,
 * done_on) within `scope` as of `today`, with days late and the total, the longest late first.
 */
function lateRecordsQuery(records: string, source: 'case' | 'recommendation', scope: AccountabilityScope, today: string, limit: number) {
  const params: Record<string, string | number> = { limit, today };
  const where = [undecided(source), ...scopeWhere(scope, params)];
  const sql = `WITH s AS (${records}),
          p AS (SELECT *, (coalesce(done_on::DATE, $today::DATE) - due_date::DATE)::INTEGER AS days_late FROM s)
     SELECT p.*, count(*) OVER ()::INTEGER AS total
       FROM p JOIN organs o ON o.code = p.organ
      WHERE ${where.join(' AND ')}
      ORDER BY p.days_late DESC, p.due_date, p.ref
      LIMIT $limit`;
  return { sql, params };
}

/** The organ of one record of `records` by its ref, and what was decided on it. Null: no such record of a registry organ. */
async function recordFinding(store: AnalyticsStore, records: string, source: 'case' | 'recommendation', ref: string): Promise<{ organ: string; decision: FindingDecision | null } | null> {
  const [found] = await store.all(z.object({ organ: z.string() }), `WITH s AS (${records}) SELECT organ FROM s WHERE ref = $ref LIMIT 1`, { ref });
  if (!found) return null;
  return { organ: found.organ, decision: await decisionOn(store, source, ref) };
}

/** The open case findings within `scope` as of `today` (a China date), the longest late first. */
export async function openCaseFindings(store: AnalyticsStore, scope: AccountabilityScope, today: string, limit: number): Promise<{ findings: CaseFinding[]; total: number }> {
  const { sql, params } = lateRecordsQuery(SUPERVISED, 'case', scope, today, limit);
  return withTotal(await store.all(caseFindingRow.extend({ total: z.number() }), sql, params));
}

/** One supervision record as a finding: its organ and what was decided on it. Null: no such record of a registry organ. */
export const caseFinding = (store: AnalyticsStore, ref: string) => recordFinding(store, SUPERVISED, 'case', ref);

const recommendationFindingRow = z.object({
  /** RECOMMENDATION_ID/feedback_overdue: the recommendation and its supervision record. */
  ref: z.string(),
  recommendation_id: z.string(),
  /** improve_work, improve_policy or accountability (三项建议), the office that issued it and when. */
  kind: z.string(),
  issued_by: z.string(),
  issued_date: z.string(),
  organ: z.string(),
  organ_name: z.string().nullable(),
  region_code: z.string().nullable(),
  /** The feedback's deadline, and the date the feedback was recorded after it, in the organ's jurisdiction's zone (null: none yet). */
  due_date: z.string(),
  done_on: z.string().nullable(),
  /** Days past the deadline: to the day the feedback was recorded, or to today. */
  days_late: z.number(),
  /** The pack and article of the feedback clock as the recommendation's workflow cited it. */
  rule: z.string().nullable(),
  found_at: z.string(),
});
export type RecommendationFinding = z.infer<typeof recommendationFindingRow>;

// One row per feedback_overdue record (2022 art. 40(3)) whose organ the registry knows: the
// record names the organ the recommendation was addressed to.
const FEEDBACK_OVERDUE = `
  SELECT e.recommendation_id || '/feedback_overdue' AS ref, e.recommendation_id, r.kind, r.issued_by, r.issued_date::VARCHAR AS issued_date,
         o.code AS organ, o.name_zh AS organ_name, o.region_code,
         e.due_date::VARCHAR AS due_date,
         (SELECT ${localDay('min(d.occurred_at)', 'o.jurisdiction')} FROM recommendation_events d
           WHERE d.recommendation_id = e.recommendation_id AND d.event_type = 'feedback' AND d.occurred_at >= e.occurred_at)::VARCHAR AS done_on,
         e.rule,
         strftime(timezone('UTC', e.occurred_at), '%Y-%m-%dT%H:%M:%SZ') AS found_at
    FROM recommendation_events e JOIN recommendations r ON r.recommendation_id = e.recommendation_id JOIN ${organNamed('o', 'e.organ')}
   WHERE e.event_type = 'feedback_overdue' AND e.due_date IS NOT NULL`;

/** The open recommendation findings within `scope` as of `today` (a China date), the longest late first. */
export async function openRecommendationFindings(
  store: AnalyticsStore,
  scope: AccountabilityScope,
  today: string,
  limit: number,
): Promise<{ findings: RecommendationFinding[]; total: number }> {
  const { sql, params } = lateRecordsQuery(FEEDBACK_OVERDUE, 'recommendation', scope, today, limit);
  return withTotal(await store.all(recommendationFindingRow.extend({ total: z.number() }), sql, params));
}

/** One recommendation's feedback_overdue record as a finding: its organ and what was decided on it. Null: no such record of a registry organ. */
export const recommendationFinding = (store: AnalyticsStore, ref: string) => recordFinding(store, FEEDBACK_OVERDUE, 'recommendation', ref);

/**
 * One duty period as a finding: whether it is one (its standing), and what was decided on it:
 * the decision kept here, or a case opened from it outside this table. Null: no such period.
 */
export async function dutyFinding(store: AnalyticsStore, ref: string): Promise<{ organ: string; status: 'open' | 'met' | 'missed' | 'late'; decision: FindingDecision | null } | null> {
  const [period] = await store.all(
    z.object({ organ: z.string(), status: z.enum(['open', 'met', 'missed', 'late']) }),
    `SELECT any_value(organ) AS organ,
            CASE WHEN bool_or(event_type = 'met') THEN 'met'
                 WHEN bool_or(event_type = 'missed') AND bool_or(event_type = 'late_evidence') THEN 'late'
                 WHEN bool_or(event_type = 'missed') THEN 'missed' ELSE 'open' END AS status
       FROM duty_events WHERE organ || '/' || duty_id || '/' || period_label = $ref
     HAVING count(*) > 0`,
    { ref },
  );
  if (!period) return null;
  return { ...period, decision: await decisionOn(store, 'duty', ref) };
}

/** What was decided on a finding: the decision kept here, or a case opened from it outside this table. */
async function decisionOn(store: AnalyticsStore, source: FindingSource, ref: string): Promise<FindingDecision | null> {
  const [kept] = await store.all(
    decisionRow,
    `SELECT decision, case_id, reason, actor, strftime(timezone('UTC', decided_at), '%Y-%m-%dT%H:%M:%SZ') AS decided_at
       FROM accountability_findings WHERE finding_source = $source AND finding_ref = $ref`,
    { source, ref },
  );
  if (kept) return kept;
  const [opened] = await store.all(
    decisionRow,
    `SELECT 'opened' AS decision, case_id, NULL AS reason, coalesce(actor, '') AS actor, strftime(timezone('UTC', occurred_at), '%Y-%m-%dT%H:%M:%SZ') AS decided_at
       FROM accountability_events WHERE event_type = 'opened' AND (detail->>'$.finding') = ($source || ':' || $ref)
      ORDER BY occurred_at LIMIT 1`,
    { source, ref },
  );
  return opened ?? null;
}

/**
 * Keeps the decision on a finding; false when one is kept already (the first decision stands).
 */
export async function recordFindingDecision(
  store: AnalyticsStore,
  d: { source: FindingSource; ref: string; organ: string; decision: 'opened' | 'declined'; caseId?: string; reason?: string; actor: string; at: Date },
): Promise<boolean> {
  const inserted = await store.all(
    z.object({ finding_ref: z.string() }),
    `INSERT INTO accountability_findings (finding_source, finding_ref, organ, decision, case_id, reason, actor, decided_at)
     VALUES ($source, $ref, $organ, $decision, $caseId, $reason, $actor, $at::TIMESTAMPTZ)
     ON CONFLICT DO NOTHING RETURNING finding_ref`,
    { source: d.source, ref: d.ref, organ: d.organ, decision: d.decision, caseId: d.caseId ?? null, reason: d.reason ?? null, actor: d.actor, at: d.at.toISOString() },
  );
  return inserted.length > 0;
}
