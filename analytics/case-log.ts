import { z } from 'zod';
import { caseEventId, type CaseEvent, type CaseIntake } from '../domain/case.js';
import type { AnalyticsStore } from './store.js';
import { chinaDateOf } from '../rules/plain-date.js';

// Both writes are idempotent: a case or event already present is left as it is, so an
// activity retried after a lost acknowledgement never writes twice.
const INSERT_CASE = `
  INSERT INTO cases (case_id, received_at, received_date, channel, region_code, field,
                     collective_size, summary, origin)
  VALUES ($caseId, $receivedAt::TIMESTAMPTZ, $receivedDate::DATE, $channel, $regionCode, $field,
          $collectiveSize, $summary, $origin)
  ON CONFLICT DO NOTHING`;

const INSERT_EVENT = `
  INSERT INTO case_events (event_id, case_id, event_type, occurred_at, actor, due_date, detail)
  VALUES ($eventId, $caseId, $type, $occurredAt::TIMESTAMPTZ, $actor, $dueDate::DATE, $detail::JSON)
  ON CONFLICT DO NOTHING`;

export type CaseOrigin = 'workflow' | 'demo' | 'import';

/** Records a case at receipt together with its `received` event, in one transaction. */
export async function recordIntake(
  store: AnalyticsStore,
  intake: CaseIntake,
  received: CaseEvent,
  origin: CaseOrigin,
): Promise<void> {
  await store.transaction(async (conn) => {
    await conn.run(INSERT_CASE, intakeParams(intake, origin));
    await conn.run(INSERT_EVENT, eventParams(received));
  });
}

export async function recordEvent(store: AnalyticsStore, event: CaseEvent): Promise<void> {
  await store.run(INSERT_EVENT, eventParams(event));
}

export function intakeParams(intake: CaseIntake, origin: CaseOrigin) {
  return {
    caseId: intake.caseId,
    receivedAt: intake.receivedAt,
    receivedDate: chinaDateOf(new Date(intake.receivedAt)),
    channel: intake.channel,
    regionCode: intake.regionCode,
    field: intake.field ?? null,
    collectiveSize: intake.collectiveSize,
    summary: intake.summary ?? null,
    origin,
  };
}

export function eventParams(event: CaseEvent) {
  return {
    eventId: caseEventId(event),
    caseId: event.caseId,
    type: event.type,
    occurredAt: event.occurredAt,
    actor: event.actor ?? null,
    dueDate: event.dueDate ?? null,
    detail: event.detail ? JSON.stringify(event.detail) : null,
  };
}

const eventRow = z.object({
  event_type: z.string(),
  occurred_at: z.string(),
  due_date: z.string().nullable(),
  actor: z.string().nullable(),
});
export type CaseEventRow = z.infer<typeof eventRow>;

export async function eventsOfCase(store: AnalyticsStore, caseId: string): Promise<CaseEventRow[]> {
  return store.all(
    eventRow,
    `SELECT event_type, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S%z') AS occurred_at,
            due_date::VARCHAR AS due_date, actor
       FROM case_events WHERE case_id = $caseId ORDER BY occurred_at, event_type`,
    { caseId },
  );
}
