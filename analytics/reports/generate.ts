/**
 * Generating a report: the dataset as of a date, the document made from it, the rendering in
 * the format asked for. The API (POST /api/v1/reports) and `xinfang report --db` share it.
 */
import type { PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import { annualReportDocument } from './annual-report.js';
import type { ReportDocument } from './document.js';
import { reportDocx } from './docx.js';
import { reportHtml } from './html.js';
import { reportPdf } from './pdf.js';
import type { ReportFormat } from './report-store.js';

export interface ReportRequest {
  kind: 'annual';
  year: number;
  region: string;
  asOf: PlainDate;
  format: ReportFormat;
}

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

export async function generateReport(store: AnalyticsStore, request: ReportRequest, jurisdiction: string) {
  const { document } = await annualReportDocument(store, { year: request.year, region: request.region, asOf: request.asOf, jurisdiction });
  const bytes = await render(document, request.format);
  return { document, bytes, filename: `annual-report-${request.region}-${request.year}-asof-${request.asOf}.${request.format}` };
}
