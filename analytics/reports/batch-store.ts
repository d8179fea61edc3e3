/**
 * The record of report batches (migration 019): written by the batch workflow's activities
 * when it opens and when it closes, read by GET /api/v1/reports/batches. The live progress is
 * the workflow's own (its query); this is what lists the batches of a region, scheduled or not.
 */
import { listValue } from '@duckdb/node-api';
import { z } from 'zod';
import type { AnalyticsStore } from '../store.js';
import { REPORT_FORMATS, type ReportFormat } from './report-store.js';
import { inRegionSubtree } from '../region-subtree.js';

export const BATCH_ORIGINS = ['schedule', 'api', 'test'] as const;
export type BatchOrigin = (typeof BATCH_ORIGINS)[number];

export interface NewBatch {
  batchId: string;
  kind: string;
  regionCode: string;
  /** The period, as the reports' parameters name it. */
  parameters: Record<string, number>;
  formats: readonly ReportFormat[];
  asOf: string;
  origin: BatchOrigin;
  requestedBy: string;
  requestedRole: string;
  items: number;
  startedAt: string;
}

const batchRow = z.object({
  batchId: z.string(),
  kind: z.string(),
  regionCode: z.string(),
  parameters: z.string().transform((s) => JSON.parse(s) as Record<string, number>),
  formats: z.array(z.enum(REPORT_FORMATS)),
  asOf: z.string(),
  origin: z.enum(BATCH_ORIGINS),
  requestedBy: z.string(),
  requestedRole: z.string(),
  items: z.number(),
  startedAt: z.string(),
  closedAt: z.string().nullable(),
  done: z.number().nullable(),
  failed: z.number().nullable(),
});
export type BatchRecord = z.infer<typeof batchRow>;

const iso = (column: string) => `strftime(timezone('UTC', ${column}), '%Y-%m-%dT%H:%M:%SZ')`;
const COLUMNS = `batch_id AS batchId, kind, region_code AS regionCode, parameters::VARCHAR AS parameters, formats, strftime(as_of, '%Y-%m-%d') AS asOf,
  origin, requested_by AS requestedBy, requested_role AS requestedRole, items, ${iso('started_at')} AS startedAt, ${iso('closed_at')} AS closedAt, done, failed`;

/** Keeps a batch as it opens; a retried activity finds its row and leaves it. */
export async function recordBatchOpened(store: AnalyticsStore, batch: NewBatch): Promise<void> {
  await store.run(
    `INSERT INTO report_batches (batch_id, kind, region_code, parameters, formats, as_of, origin, requested_by, requested_role, items, started_at)
     VALUES ($id, $kind, $region, $parameters::JSON, $formats::VARCHAR[], $asOf::DATE, $origin, $by, $role, $items, $startedAt::TIMESTAMPTZ)
     ON CONFLICT DO NOTHING`,
    {
      id: batch.batchId,
      kind: batch.kind,
      region: batch.regionCode,
      parameters: JSON.stringify(batch.parameters),
      formats: listValue([...batch.formats]),
      asOf: batch.asOf,
      origin: batch.origin,
      by: batch.requestedBy,
      role: batch.requestedRole,
      items: batch.items,
      startedAt: batch.startedAt,
    },
  );
}

/** Marks a batch closed with what it made and what failed for good. */
export async function recordBatchClosed(store: AnalyticsStore, batchId: string, closed: { closedAt: string; done: number; failed: number }): Promise<void> {
  await store.run('UPDATE report_batches SET closed_at = $closedAt::TIMESTAMPTZ, done = $done, failed = $failed WHERE batch_id = $id', { id: batchId, ...closed });
}

export async function findBatch(store: AnalyticsStore, batchId: string): Promise<BatchRecord | null> {
  const [row] = await store.all(batchRow, `SELECT ${COLUMNS} FROM report_batches WHERE batch_id = $id`, { id: batchId });
  return row ?? null;
}

/** The batches of a region and the regions under it (two levels), newest first. */
export async function listBatches(store: AnalyticsStore, region: string, limit = 50): Promise<BatchRecord[]> {
  return store.all(
    batchRow,
    `SELECT ${COLUMNS} FROM report_batches
      WHERE ${inRegionSubtree('region_code')}
      ORDER BY started_at DESC, batch_id LIMIT $limit`,
    { region, limit },
  );
}
