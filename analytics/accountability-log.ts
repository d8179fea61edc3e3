import { z } from 'zod';
import type { AnalyticsStore } from './store.js';

export interface AccountabilityEvent {
  caseId: string;
  type: 'opened' | 'step_imposed' | 'deadline_set' | 'rectification_submitted' | 'rectification_rejected' | 'escalated' | 'closed';
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
