/**
 * Export of cases and their events, in the project's schema (what `xinfang import` reads back
 * without a mapping): OUT/cases.{parquet|csv} and OUT/events.{parquet|csv}. Petitioners
 * appear only as their pseudonym; the identities table is never read.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deploymentZone, useZone } from '../jurisdiction-zones.js';
import type { AnalyticsStore } from '../store.js';

export interface ExportFilters {
  /** First and last China date of receipt, inclusive. */
  from?: string;
  to?: string;
  region?: string;
  field?: string;
  origin?: string;
}

export interface ExportResult {
  cases: number;
  events: number;
  files: string[];
}

const SELECTED = `
SELECT case_id FROM cases
 WHERE ($from::DATE IS NULL OR received_date >= $from::DATE)
   AND ($to::DATE IS NULL OR received_date <= $to::DATE)
   AND ($region::VARCHAR IS NULL OR region_code = $region::VARCHAR OR street_code LIKE $region::VARCHAR || '%')
   AND ($field::VARCHAR IS NULL OR field = $field::VARCHAR)
   AND ($origin::VARCHAR IS NULL OR origin = $origin::VARCHAR)`;

// The columns are listed, never *, so a column added later (or an identity) is not exported by accident.
const CASES = `
SELECT case_id, received_at, received_date, channel, region_code, street_code, field, petition_class, collective_size, summary,
       jurisdiction, petitioner_id, repeat_petition, skip_level, organ_code, origin
  FROM cases WHERE case_id IN (${SELECTED}) ORDER BY received_at, case_id`;
const EVENTS = `
SELECT event_id, case_id, event_type,
       CASE WHEN length(event_id) > length(case_id) + length(event_type) + 1
            THEN substr(event_id, length(case_id) + length(event_type) + 3) END AS key,
       occurred_at, actor, due_date, CAST(detail AS VARCHAR) AS detail
  FROM case_events WHERE case_id IN (${SELECTED}) ORDER BY case_id, occurred_at, recorded_at, event_id`;

const COPY = {
  parquet: (select: string) => `COPY (${select}) TO $path (FORMAT parquet, COMPRESSION zstd)`,
  csv: (select: string) => `COPY (${select}) TO $path (FORMAT csv, HEADER true)`,
};

export async function exportCases(store: AnalyticsStore, format: 'parquet' | 'csv', outDir: string, filters: ExportFilters): Promise<ExportResult> {
  mkdirSync(outDir, { recursive: true });
  const params = {
    from: filters.from ?? null,
    to: filters.to ?? null,
    region: filters.region ?? null,
    field: filters.field ?? null,
    origin: filters.origin ?? null,
  };
  const files = [join(outDir, `cases.${format}`), join(outDir, `events.${format}`)];
  return store.transaction(async (conn) => {
    // One snapshot for both files; times written with their offset in the deployment's zone.
    await useZone(conn, await deploymentZone(conn));
    const cases = (await conn.run(COPY[format](CASES), { ...params, path: files[0]! })).rowsChanged;
    const events = (await conn.run(COPY[format](EVENTS), { ...params, path: files[1]! })).rowsChanged;
    return { cases, events, files };
  });
}
