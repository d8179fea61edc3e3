/**
 * Generated reports kept in DuckDB (migration 018): the rendered bytes with their kind,
 * parameters, as-of date, version and who asked, so a download gives back exactly what was
 * generated, whatever the data has become since.
 */
import { createHash, randomUUID } from 'node:crypto';
import { blobValue, DuckDBBlobValue } from '@duckdb/node-api';
import { z } from 'zod';
import type { AnalyticsStore } from '../store.js';
import { inRegionSubtree } from '../region-subtree.js';

export const REPORT_FORMATS = ['html', 'pdf', 'docx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const MEDIA_TYPES: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export interface NewReport {
  kind: string;
  regionCode: string;
  parameters: Record<string, string | number>;
  asOf: string;
  format: ReportFormat;
  template: string;
  requestedBy: string;
  requestedRole: string;
  filename: string;
  bytes: Uint8Array;
}

const reportRow = z.object({
  id: z.string(),
  kind: z.string(),
  regionCode: z.string(),
  parameters: z.string().transform((s) => JSON.parse(s) as Record<string, string | number>),
  asOf: z.string(),
  format: z.enum(REPORT_FORMATS),
  version: z.number(),
  template: z.string(),
  requestedBy: z.string(),
  requestedRole: z.string(),
  createdAt: z.string(),
  mediaType: z.string(),
  filename: z.string(),
  sha256: z.string(),
  size: z.number(),
});
export type StoredReport = z.infer<typeof reportRow>;

const COLUMNS = `report_id AS id, kind, region_code AS regionCode, parameters::VARCHAR AS parameters, strftime(as_of, '%Y-%m-%d') AS asOf,
  format, version, template, requested_by AS requestedBy, requested_role AS requestedRole, created_at::VARCHAR AS createdAt,
  media_type AS mediaType, filename, sha256, octet_length(bytes)::INTEGER AS size`;

const versionRow = z.object({ v: z.number() });

/** Keeps a rendering; its version counts the earlier renderings of the same report and format. */
export async function saveReport(store: AnalyticsStore, report: NewReport, now: Date): Promise<StoredReport> {
  // One writer at a time: two requests for the same report must not both take version n.
  return store.serially('reports', async () => {
    const parameters = JSON.stringify(report.parameters);
    const key = { kind: report.kind, region: report.regionCode, parameters, asOf: report.asOf, format: report.format };
    const [last] = await store.all(
      versionRow,
      `SELECT coalesce(max(version), 0)::INTEGER AS v FROM reports
        WHERE kind = $kind AND region_code = $region AND parameters::VARCHAR = $parameters AND as_of = $asOf::DATE AND format = $format`,
      key,
    );
    const id = `RPT-${randomUUID()}`;
    await store.run(
      `INSERT INTO reports VALUES ($id, $kind, $region, $parameters::JSON, $asOf::DATE, $format, $version, $template, $by, $role, $at::TIMESTAMPTZ, $media, $filename, $sha, $bytes)`,
      {
        ...key,
        id,
        version: (last?.v ?? 0) + 1,
        template: report.template,
        by: report.requestedBy,
        role: report.requestedRole,
        at: now.toISOString(),
        media: MEDIA_TYPES[report.format],
        filename: report.filename,
        sha: createHash('sha256').update(report.bytes).digest('hex'),
        bytes: blobValue(report.bytes),
      },
    );
    return (await findReport(store, id))!;
  });
}

export async function findReport(store: AnalyticsStore, id: string): Promise<StoredReport | null> {
  const [row] = await store.all(reportRow, `SELECT ${COLUMNS} FROM reports WHERE report_id = $id`, { id });
  return row ?? null;
}

/** The reports of a region and the regions under it (two levels), newest first. */
export async function listReports(store: AnalyticsStore, region: string, limit = 200): Promise<StoredReport[]> {
  return store.all(
    reportRow,
    `SELECT ${COLUMNS} FROM reports
      WHERE ${inRegionSubtree('region_code')}
      ORDER BY created_at DESC, report_id LIMIT $limit`,
    { region, limit },
  );
}

/** The stored bytes, unchanged. */
export async function reportBytes(store: AnalyticsStore, id: string): Promise<Uint8Array | null> {
  return store.session(async (conn) => {
    const reader = await conn.runAndReadAll('SELECT bytes FROM reports WHERE report_id = $id', { id });
    const value = reader.getRows()[0]?.[0];
    return value instanceof DuckDBBlobValue ? value.bytes : null;
  });
}
