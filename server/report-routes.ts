/**
 * Reports (issue 16): generated on demand as HTML, PDF or Word, stored, listed and downloaded
 * again unchanged. A report is of a region in the caller's jurisdiction, as the annual dataset
 * it is made from (GET /reports/annual-data); a stored report outside it is answered 404.
 */
import { z } from 'zod';
import { registeredOrgan } from '../analytics/metrics/inspection.js';
import { MetricsError } from '../analytics/metrics/query.js';
import { reportQuery } from '../analytics/metrics/request.js';
import { generateReport } from '../analytics/reports/generate.js';
import { reportParameters, reportRequest } from '../analytics/reports/kinds.js';
import { RenderingUnavailable } from '../analytics/reports/pdf.js';
import { findReport, listReports, reportBytes, saveReport, type StoredReport } from '../analytics/reports/report-store.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { Principal } from '../domain/roles.js';
import { chinaDateOf } from '../rules/plain-date.js';
import type { Api } from './api.js';
import type { Auditor } from './audit.js';
import { HttpError } from './http-error.js';
import { confineRegion, regionContains } from './scope.js';

export interface ReportRouteDeps {
  store: AnalyticsStore;
  jurisdiction: string;
  audit: Auditor;
  now: () => Date;
}

const listQuery = z.object({ region: reportQuery.shape.region }).strict();
const idParams = z.object({ id: z.string().regex(/^RPT-[0-9a-f-]{36}$/, 'a report id such as RPT-0f8c…') }).strict();

const described = (r: StoredReport) => ({ ...r, download: `/api/v1/reports/${r.id}/download` });
/** A stored report as the API lists it: what it is, who asked, and where to download it again. */
export type ListedReport = ReturnType<typeof described>;

export function reportRoutes(api: Api, deps: ReportRouteDeps): void {
  const { store, audit } = deps;
  /**
   * An organ's brief is kept under the organ's region (the registry's): an organ outside the
   * caller's jurisdiction is answered as one the registry does not have, so it cannot be probed.
   */
  const organRegion = async (principal: Principal, code: string): Promise<string> => {
    const own = await confineRegion(store, principal, undefined);
    const organ = await registeredOrgan(store, code);
    if (!organ || !(await regionContains(store, own, organ.regionCode))) {
      throw new HttpError(400, `unknown organ code "${code}" (not in the organ registry of your jurisdiction)`, undefined, 'organ');
    }
    return organ.regionCode;
  };

  api.add(
    { method: 'post', path: '/reports', summary: 'Generate a report (annual, quarterly, assessment, inspection) as HTML, PDF or Word, and keep it', access: 'metrics.read', scope: 'region', body: reportRequest, status: 201, expensive: true },
    async ({ req, body, principal }) => {
      const region = body.kind === 'inspection' && body.organ ? await organRegion(principal, body.organ) : await confineRegion(store, principal, body.region);
      const request = { ...body, region, asOf: body.asOf ?? chinaDateOf(deps.now()) };
      let made: Awaited<ReturnType<typeof generateReport>>;
      try {
        made = await generateReport(store, request, deps.jurisdiction);
      } catch (error) {
        if (error instanceof MetricsError) throw new HttpError(400, error.message);
        // A machine without Chromium or the fonts cannot print: the operator's to fix, said as such.
        if (error instanceof RenderingUnavailable) throw new HttpError(503, error.message, 'unavailable', 'format');
        throw error;
      }
      const stored = await saveReport(
        store,
        {
          kind: body.kind,
          regionCode: region,
          parameters: reportParameters(request),
          asOf: request.asOf,
          format: body.format,
          template: made.document.meta.template,
          requestedBy: principal.username,
          requestedRole: principal.role,
          filename: made.filename,
          bytes: made.bytes,
        },
        deps.now(),
      );
      await audit.record(req, principal, { action: 'report.generate', outcome: 'ok', status: 201, objectIds: [stored.id], detail: { ...reportParameters(request), kind: body.kind, asOf: request.asOf, format: body.format } });
      return { ...described(stored), figures: made.document.figures.length };
    },
  );

  api.add(
    { method: 'get', path: '/reports', summary: "The stored reports of the caller's region (or a region in it), newest first", access: 'metrics.read', scope: 'region', query: listQuery },
    async ({ query, principal }) => ({ reports: (await listReports(store, await confineRegion(store, principal, query.region))).map(described) }),
  );

  api.add(
    { method: 'get', path: '/reports/:id/download', summary: 'A stored report, byte for byte as it was generated', access: 'metrics.read', scope: 'case', params: idParams },
    async ({ res, params, principal }) => {
      const report = await findReport(store, params.id);
      // Outside the jurisdiction is the same answer as not there at all.
      if (!report || !principal.regionCode || !(await regionContains(store, principal.regionCode, report.regionCode))) {
        throw new HttpError(404, `no report ${params.id}`);
      }
      const bytes = await reportBytes(store, report.id);
      if (!bytes) throw new HttpError(404, `no report ${params.id}`);
      res
        .status(200)
        .type(report.mediaType)
        .set('content-disposition', `attachment; filename="${report.filename}"; filename*=UTF-8''${encodeURIComponent(report.filename)}`)
        .set('x-content-sha256', report.sha256)
        .send(Buffer.from(bytes));
      return undefined;
    },
  );
}
