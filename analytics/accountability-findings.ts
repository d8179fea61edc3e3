/**
 * Findings that propose an accountability case (DOMAIN §5: "a duty not met by the end of its
 * period is a finding that can open an accountability case"): the missed duty periods, each
 * until the deciding organ opens a case from it or declines it with a reason. The decision is
 * kept in accountability_findings, once per finding.
 */
import { z } from 'zod';
import { IN_SUBTREE, type AccountabilityScope } from './accountability-log.js';
import { EVIDENCE_ITEMS, evidenceItems } from './duty-log.js';
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

// Opened from: the decision kept here, or a case whose opening record names the finding.
const UNDECIDED = `NOT EXISTS (SELECT 1 FROM accountability_findings f WHERE f.finding_source = 'duty' AND f.finding_ref = p.ref)
  AND NOT EXISTS (SELECT 1 FROM accountability_events a WHERE a.event_type = 'opened' AND (a.detail->>'$.finding') = ('duty:' || p.ref))`;

/** The open duty findings within `scope`, newest period first. */
export async function openDutyFindings(store: AnalyticsStore, scope: AccountabilityScope, limit: number): Promise<{ findings: DutyFinding[]; total: number }> {
  const params: Record<string, string | number> = { limit };
  const where = [UNDECIDED];
  if ('organ' in scope) {
    params.organ = scope.organ;
    where.push('p.organ = $organ');
    if (scope.within !== undefined) {
      params.region = scope.within;
      where.push(IN_SUBTREE);
    }
  } else {
    params.region = scope.region;
    where.push(IN_SUBTREE);
  }
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
  return { total: rows[0]?.total ?? 0, findings: rows.map(({ total: _total, ...row }) => row) };
}

const decisionRow = z.object({
  decision: z.enum(['opened', 'declined']),
  case_id: z.string().nullable(),
  reason: z.string().nullable(),
  actor: z.string(),
  decided_at: z.string(),
});
export type FindingDecision = z.infer<typeof decisionRow>;

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
  const [kept] = await store.all(
    decisionRow,
    `SELECT decision, case_id, reason, actor, strftime(timezone('UTC', decided_at), '%Y-%m-%dT%H:%M:%SZ') AS decided_at
       FROM accountability_findings WHERE finding_source = 'duty' AND finding_ref = $ref`,
    { ref },
  );
  if (kept) return { ...period, decision: kept };
  const [opened] = await store.all(
    decisionRow,
    `SELECT 'opened' AS decision, case_id, NULL AS reason, coalesce(actor, '') AS actor, strftime(timezone('UTC', occurred_at), '%Y-%m-%dT%H:%M:%SZ') AS decided_at
       FROM accountability_events WHERE event_type = 'opened' AND (detail->>'$.finding') = ('duty:' || $ref)
      ORDER BY occurred_at LIMIT 1`,
    { ref },
  );
  return { ...period, decision: opened ?? null };
}

/**
 * Keeps the decision on a finding; false when one is kept already (the first decision stands).
 */
export async function recordFindingDecision(
  store: AnalyticsStore,
  d: { ref: string; organ: string; decision: 'opened' | 'declined'; caseId?: string; reason?: string; actor: string; at: Date },
): Promise<boolean> {
  const inserted = await store.all(
    z.object({ finding_ref: z.string() }),
    `INSERT INTO accountability_findings (finding_source, finding_ref, organ, decision, case_id, reason, actor, decided_at)
     VALUES ('duty', $ref, $organ, $decision, $caseId, $reason, $actor, $at::TIMESTAMPTZ)
     ON CONFLICT DO NOTHING RETURNING finding_ref`,
    { ref: d.ref, organ: d.organ, decision: d.decision, caseId: d.caseId ?? null, reason: d.reason ?? null, actor: d.actor, at: d.at.toISOString() },
  );
  return inserted.length > 0;
}
