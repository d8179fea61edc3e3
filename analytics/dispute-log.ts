/**
 * Screened disputes (矛盾纠纷排查化解) in DuckDB: a dispute found by screening in a district or
 * street, and the date it was resolved. No workflow owns them: they are records the office
 * keeps, so the checks live here, in the statements that write them (a resolution is set only
 * while none is recorded, so two at once cannot both succeed).
 */
import { z } from 'zod';
import type { CaseOrigin } from './case-log.js';
import type { AnalyticsStore } from './store.js';

export interface DisputeRecord {
  disputeId: string;
  jurisdiction: string;
  /** District code. */
  regionCode: string;
  streetCode?: string;
  field?: string;
  /** China date of the screening that found it. */
  screenedDate: string;
  caseId?: string;
  summary?: string;
  recordedBy?: string;
}

export interface DisputeResolution {
  actor: string;
  /** China date it was resolved. */
  date: string;
  note?: string;
}

/** A write the dispute's state refuses: 404 when there is no such dispute, 409 otherwise. */
export class DisputeError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export async function recordDispute(store: AnalyticsStore, d: DisputeRecord, origin: CaseOrigin): Promise<void> {
  const inserted = await store.transaction(async (conn) => {
    const result = await conn.run(
      `INSERT INTO disputes (dispute_id, jurisdiction, region_code, street_code, field, screened_date, case_id, summary, recorded_by, origin)
       VALUES ($1, $2, $3, $4, $5, $6::DATE, $7, $8, $9, $10)
       ON CONFLICT DO NOTHING`,
      [d.disputeId, d.jurisdiction, d.regionCode, d.streetCode ?? null, d.field ?? null, d.screenedDate, d.caseId ?? null, d.summary ?? null, d.recordedBy ?? null, origin],
    );
    return result.rowsChanged > 0;
  });
  if (!inserted) throw new DisputeError(409, `dispute ${d.disputeId} is already recorded`);
}

/** Records the resolution once; refuses a second one and a date before the screening, saying why. */
export async function resolveDispute(store: AnalyticsStore, id: string, resolution: DisputeResolution): Promise<DisputeRow> {
  const resolved = await store.transaction(async (conn) => {
    const result = await conn.run(
      `UPDATE disputes SET resolved_date = $2::DATE, resolved_by = $3, resolution_note = $4
        WHERE dispute_id = $1 AND resolved_date IS NULL AND screened_date <= $2::DATE`,
      [id, resolution.date, resolution.actor, resolution.note ?? null],
    );
    return result.rowsChanged > 0;
  });
  const row = await getDispute(store, id);
  if (!row) throw new DisputeError(404, `no dispute ${id}`);
  if (resolved) return row;
  if (row.resolved_date !== null) {
    throw new DisputeError(
      409,
      `dispute ${id} was already resolved on ${row.resolved_date}${row.resolved_by ? ` by ${row.resolved_by}` : ''}; a resolution is recorded once`,
    );
  }
  throw new DisputeError(409, `dispute ${id} was screened on ${row.screened_date}; it cannot be resolved on ${resolution.date}, before it was screened`);
}

const disputeRow = z.object({
  dispute_id: z.string(),
  jurisdiction: z.string(),
  region_code: z.string(),
  street_code: z.string().nullable(),
  field: z.string().nullable(),
  screened_date: z.string(),
  resolved_date: z.string().nullable(),
  case_id: z.string().nullable(),
  summary: z.string().nullable(),
  recorded_by: z.string().nullable(),
  resolved_by: z.string().nullable(),
  resolution_note: z.string().nullable(),
  origin: z.string(),
});
export type DisputeRow = z.infer<typeof disputeRow>;

const COLUMNS = `dispute_id, jurisdiction, region_code, street_code, field, screened_date::VARCHAR AS screened_date,
  resolved_date::VARCHAR AS resolved_date, case_id, summary, recorded_by, resolved_by, resolution_note, origin`;

export async function getDispute(store: AnalyticsStore, id: string): Promise<DisputeRow | null> {
  const [row] = await store.all(disputeRow, `SELECT ${COLUMNS} FROM disputes WHERE dispute_id = $1`, [id]);
  return row ?? null;
}

const totalsRow = z.object({ screened: z.number(), resolved: z.number(), open: z.number() });

/** Disputes screened in a year in a region (city, district or street; null: all), newest first, with the year's totals. */
export async function listDisputes(store: AnalyticsStore, filter: { region: string | null; year: number; limit: number }) {
  // A city rolls up its districts through the region hierarchy; a street is matched as such.
  const where = `($1::VARCHAR IS NULL OR region_code = $1 OR street_code = $1
                  OR region_code IN (SELECT code FROM regions WHERE parent_code = $1))
                 AND year(screened_date) = $2::INTEGER`;
  const params = [filter.region, filter.year];
  const [totals] = await store.all(
    totalsRow,
    `SELECT count(*)::INTEGER AS screened, count(resolved_date)::INTEGER AS resolved,
            count(*) FILTER (WHERE resolved_date IS NULL)::INTEGER AS open
       FROM disputes WHERE ${where}`,
    params,
  );
  const rows = await store.all(
    disputeRow,
    `SELECT ${COLUMNS} FROM disputes WHERE ${where} ORDER BY screened_date DESC, dispute_id LIMIT $3::INTEGER`,
    [...params, filter.limit],
  );
  return { totals: totals!, disputes: rows };
}
