import { z } from 'zod';
import { organNamed } from './organ-match.js';
import type { AnalyticsStore } from './store.js';
import { inRegionSubtree } from './region-subtree.js';

export interface AccountabilityEvent {
  caseId: string;
  /** deadline_provisional / deadline_recomputed: a rectification deadline held provisionally (暂定), and computed again. */
  type: 'opened' | 'step_imposed' | 'deadline_set' | 'rectification_submitted' | 'rectification_rejected' | 'escalated' | 'closed' | 'deadline_provisional' | 'deadline_recomputed';
  /** Distinguishes repeated events of a type (one per ladder step or submission). */
  key: string;
  occurredAt: string;
  organ: string;
  ground: string;
  ladderStep?: string;
  actor?: string;
  dueDate?: string;
  rule?: string;
  detail?: Record<string, string | number | boolean | null>;
}

// Idempotent: an event already present is left as it is, so a retried activity writes once.
const INSERT = `
  INSERT INTO accountability_events
    (event_id, case_id, event_type, occurred_at, organ, ground, ladder_step, actor, due_date, rule, detail)
  VALUES ($1, $2, $3, $4::TIMESTAMPTZ, $5, $6, $7, $8, $9::DATE, $10, $11::JSON)
  ON CONFLICT DO NOTHING`;

export async function recordAccountabilityEvent(store: AnalyticsStore, e: AccountabilityEvent): Promise<void> {
  await store.run(INSERT, [
    `${e.caseId}/${e.type}/${e.key}`,
    e.caseId,
    e.type,
    e.occurredAt,
    e.organ,
    e.ground,
    e.ladderStep ?? null,
    e.actor ?? null,
    e.dueDate ?? null,
    e.rule ?? null,
    e.detail ? JSON.stringify(e.detail) : null,
  ]);
}

const row = z.object({ event_type: z.string(), ladder_step: z.string().nullable(), due_date: z.string().nullable(), actor: z.string().nullable() });

export async function accountabilityEventsOf(store: AnalyticsStore, caseId: string) {
  return store.all(
    row,
    `SELECT event_type, ladder_step, due_date::VARCHAR AS due_date, actor
       FROM accountability_events WHERE case_id = $1
      ORDER BY occurred_at, recorded_at, event_id`,
    [caseId],
  );
}

const historyRow = z.object({
  event_type: z.string(),
  occurred_at: z.string(),
  ladder_step: z.string().nullable(),
  actor: z.string().nullable(),
  due_date: z.string().nullable(),
  /** The article the decision rests on (the ground's at opening, the step's when imposed). */
  rule: z.string().nullable(),
  detail: z
    .string()
    .nullable()
    .transform((d) => (d === null ? {} : (JSON.parse(d) as Record<string, string | number | boolean | null>))),
});
export type AccountabilityHistoryRow = z.infer<typeof historyRow>;

/** A case's record, oldest first: every decision with who, when, the step, its deadline and its article. */
export async function accountabilityHistory(store: AnalyticsStore, caseId: string): Promise<AccountabilityHistoryRow[]> {
  return store.all(
    historyRow,
    `SELECT event_type, strftime(timezone('UTC', occurred_at), '%Y-%m-%dT%H:%M:%SZ') AS occurred_at, ladder_step, actor,
            due_date::VARCHAR AS due_date, rule, detail::VARCHAR AS detail
       FROM accountability_events WHERE case_id = $1
      ORDER BY occurred_at, recorded_at, event_id`,
    [caseId],
  );
}

const listRow = z.object({
  case_id: z.string(),
  organ: z.string(),
  organ_name: z.string().nullable(),
  region_code: z.string().nullable(),
  ground: z.string(),
  /** The ground with its article, as the case was opened on it. */
  ground_rule: z.string().nullable(),
  /** The ladder step now imposed, and the article imposing it. */
  step: z.string().nullable(),
  step_rule: z.string().nullable(),
  /** The current step's rectification deadline; null when the step has none (yet). */
  rectify_by: z.string().nullable(),
  opened_at: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  closed_reason: z.string().nullable(),
  total: z.number(),
});
export type AccountabilityListRow = Omit<z.infer<typeof listRow>, 'total'>;

/**
 * Whose accountability cases a list may show: those of organs registered in a region's subtree,
 * or one organ's own (optionally only if it lies in a region's subtree).
 */
export type AccountabilityScope = { region: string } | { organ: string; within?: string };

// An organ's region lies in `$region`'s subtree when it is the node, a child or a grandchild (as server/scope.ts regionContains).
export const IN_SUBTREE = inRegionSubtree('o.region_code');

/**
 * Accountability cases as their events record them, newest first, within `scope`: open (no
 * `closed` event: rectifying, awaiting a deadline or a decision) or closed; and how many match.
 */
export async function listAccountability(
  store: AnalyticsStore,
  options: { scope: AccountabilityScope; status?: 'open' | 'closed'; limit: number },
): Promise<{ cases: AccountabilityListRow[]; total: number }> {
  const { scope } = options;
  const params: Record<string, string | number | null> = { limit: options.limit, status: options.status ?? null };
  const where = ["($status::VARCHAR IS NULL OR a.status = $status::VARCHAR)"];
  if ('organ' in scope) {
    params.organ = scope.organ;
    where.push('coalesce(o.code, a.organ) = $organ');
    if (scope.within !== undefined) {
      params.region = scope.within;
      where.push(IN_SUBTREE);
    }
  } else {
    params.region = scope.region;
    where.push(IN_SUBTREE);
  }
  const rows = await store.all(
    listRow,
    `WITH a AS (
       SELECT case_id, any_value(organ) AS organ, any_value(ground) AS ground,
              any_value(rule) FILTER (WHERE event_type = 'opened') AS ground_rule,
              -- The last step imposed is the current one; a deadline set later belongs to it.
              (list(ladder_step ORDER BY occurred_at, recorded_at, event_id) FILTER (WHERE event_type = 'step_imposed'))[-1] AS step,
              (list(rule ORDER BY occurred_at, recorded_at, event_id) FILTER (WHERE event_type = 'step_imposed'))[-1] AS step_rule,
              (list(due_date ORDER BY occurred_at, recorded_at, event_id) FILTER (WHERE event_type IN ('step_imposed', 'deadline_set')))[-1] AS rectify_by,
              min(occurred_at) FILTER (WHERE event_type = 'opened') AS opened_at,
              CASE WHEN bool_or(event_type = 'closed') THEN 'closed' ELSE 'open' END AS status,
              any_value(detail->>'$.outcome') FILTER (WHERE event_type = 'closed') AS closed_reason
         FROM accountability_events
        GROUP BY case_id
     )
     SELECT a.case_id, a.organ, o.name_zh AS organ_name, o.region_code, a.ground, a.ground_rule, a.step, a.step_rule,
            a.rectify_by::VARCHAR AS rectify_by, strftime(timezone('UTC', a.opened_at), '%Y-%m-%dT%H:%M:%SZ') AS opened_at,
            a.status, a.closed_reason, count(*) OVER ()::INTEGER AS total
       FROM a LEFT JOIN ${organNamed('o', 'a.organ')}
      WHERE ${where.join(' AND ')}
      ORDER BY a.opened_at DESC NULLS LAST, a.case_id
      LIMIT $limit`,
    params,
  );
  return { total: rows[0]?.total ?? 0, cases: rows.map(({ total: _total, ...row }) => row) };
}
