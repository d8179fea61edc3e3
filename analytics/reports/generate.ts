/**
 * Generating a report: the dataset as of a date, the document made from it, the rendering in
 * the format asked for. The API (POST /api/v1/reports), `xinfang report --db` and the report
 * workflows share it.
 */
import type { PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import { annualReportDocument } from './annual-report.js';
import { assessmentReportDocument } from './assessment-report.js';
import type { ReportDocument } from './document.js';
import { reportDocx } from './docx.js';
import { reportHtml } from './html.js';
import { inspectionReportDocument } from './inspection-report.js';
import type { ResolvedReportRequest } from './kinds.js';
import { quarterlyReportDocument } from './quarterly-report.js';
import { reportPdf } from './pdf.js';
import type { ReportFormat } from './report-store.js';

export async function render(document: ReportDocument, format: ReportFormat): Promise<Buffer> {
  switch (format) {
    case 'html':
      return Buffer.from(reportHtml(document), 'utf8');
    case 'pdf':
      return reportPdf(document);
    case 'docx':
      return reportDocx(document);
  }
}

/** The document of a request: each kind from its own dataset, as of the request's date. */
export async function reportDocument(store: AnalyticsStore, request: ResolvedReportRequest, jurisdiction: string): Promise<ReportDocument> {
  const asOf = request.asOf as PlainDate;
  switch (request.kind) {
    case 'annual':
      return (await annualReportDocument(store, { year: request.year, region: request.region, asOf, jurisdiction })).document;
    case 'quarterly':
      return (await quarterlyReportDocument(store, { year: request.year, quarter: request.quarter, region: request.region, asOf, jurisdiction })).document;
    case 'inspection': {
      // An organ's brief is of the organ's own region, whatever region the caller's defaults filled in.
      const subject = request.organ ? { organ: request.organ } : { region: request.region };
      return (await inspectionReportDocument(store, { from: request.from, to: request.to, asOf, subject, jurisdiction })).document;
    }
    case 'assessment':
      return (await assessmentReportDocument(store, { year: request.year, region: request.region, asOf, jurisdiction })).document;
  }
}

/** The file name of a rendering: what it is, of where, for when, as of when. */
export function reportFilename(request: ResolvedReportRequest): string {
  const period = Object.entries(request)
    .filter(([key]) => !['kind', 'region', 'asOf', 'format'].includes(key))
    .map(([, value]) => String(value))
    .join('-');
  return `${request.kind}-report-${request.region}${period ? `-${period}` : ''}-asof-${request.asOf}.${request.format}`;
}

export async function generateReport(store: AnalyticsStore, request: ResolvedReportRequest, jurisdiction: string) {
  const document = await reportDocument(store, request, jurisdiction);
  const bytes = await render(document, request.format);
  return { document, bytes, filename: reportFilename(request) };
}
