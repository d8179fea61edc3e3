import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { RenderingUnavailable } from '../../analytics/reports/pdf.js';
import { generateReport } from '../../analytics/reports/generate.js';
import { REPORT_FORMATS } from '../../analytics/reports/report-store.js';
import { reportQuery } from '../../analytics/metrics/request.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { chinaDateOf } from '../../rules/plain-date.js';
import { callApi, DEFAULT_URL } from '../api-client.js';
import { parseOptions, UsageError, type Command } from '../command.js';

const KINDS = ['annual'] as const;

const usage = `usage: xinfang report annual --year YYYY [--region CODE] [--as-of YYYY-MM-DD] --format docx|pdf|html --out FILE
                     [--url ${DEFAULT_URL} | --db FILE [--jurisdiction NAME]]
Generates the annual report (2022 Regulations art. 41) of a region (default: the city) as of a
date (default: today, China time) and writes it to FILE. Through the running system (--url, an API
token in XINFANG_TOKEN; the report is kept there and listed by GET /api/v1/reports), or from a
database file directly (--db; its policy packs those of --jurisdiction, default beijing).`;

const options = z
  .object({
    kind: z.enum(KINDS, { error: `the report is one of: ${KINDS.join(', ')}` }),
    year: reportQuery.shape.year,
    region: reportQuery.shape.region,
    asOf: reportQuery.shape.asOf,
    format: z.enum(REPORT_FORMATS, { error: `--format is one of: ${REPORT_FORMATS.join(', ')}` }),
    out: z.string().min(1, '--out FILE is needed'),
  })
  .strict();

export const command: Command = {
  summary: 'the annual report as Word, PDF or HTML, written to a file',
  usage,
  async run(args) {
    const { values, positionals } = parseOptions({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        year: { type: 'string' },
        region: { type: 'string' },
        'as-of': { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        url: { type: 'string' },
        db: { type: 'string' },
        jurisdiction: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError(`name one report: ${KINDS.join(', ')}`);
    const parsed = options.safeParse({ kind: positionals[0], year: values.year, region: values.region, asOf: values['as-of'], format: values.format, out: values.out });
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') === 'asOf' ? '--as-of' : `--${i.path.join('.')}`}: ${i.message}`).join('; '));
    const request = parsed.data;
    if (values.db !== undefined && values.url !== undefined) throw new UsageError('give --url or --db, not both');
    if (values.db === undefined && values.jurisdiction !== undefined) throw new UsageError('--jurisdiction goes with --db: the running system knows its own');

    const bytes = values.db !== undefined ? await fromFile(values.db, request, values.jurisdiction ?? 'beijing') : await throughSystem(values.url ?? DEFAULT_URL, request);
    writeFileSync(request.out, bytes);
    process.stdout.write(`${request.out}: ${request.kind} report, ${request.format}, ${bytes.length} bytes\n`);
    return 0;
  },
};

type Request = z.infer<typeof options>;

async function throughSystem(base: string, request: Request): Promise<Buffer> {
  const { kind, year, region, asOf, format } = request;
  const made = await callApi(base, '/api/v1/reports', { method: 'POST', body: { kind, year, format, ...(region ? { region } : {}), ...(asOf ? { asOf } : {}) } });
  if (made.status !== 201) throw new UsageError(reason(made.body, made.status));
  const { download } = made.body as { download: string };
  // The stored bytes, as any later download gives them: not JSON, so not through callApi.
  const response = await fetch(new URL(download, base), { headers: process.env.XINFANG_TOKEN ? { authorization: `Bearer ${process.env.XINFANG_TOKEN}` } : {} });
  if (!response.ok) throw new UsageError(reason(await response.json().catch(() => ({})), response.status));
  return Buffer.from(await response.arrayBuffer());
}

function reason(body: unknown, status: number): string {
  const { error, problems } = body as { error?: string; problems?: { at: string; problem: string }[] };
  const detail = problems?.map((p) => `${p.at}: ${p.problem}`).join('; ');
  return detail ? `${error}: ${detail}` : (error ?? `HTTP ${status}`);
}

const cityRow = z.object({ code: z.string() });

async function fromFile(path: string, request: Request, jurisdiction: string): Promise<Buffer> {
  let store: AnalyticsStore;
  try {
    store = await AnalyticsStore.open(path);
  } catch (error) {
    if (/lock/i.test((error as Error).message)) throw new UsageError(`${path} is in use (is the system running? then leave out --db)`);
    throw error;
  }
  try {
    const [city] = await store.all(cityRow, "SELECT code FROM regions WHERE level = 'city' ORDER BY code LIMIT 1");
    const region = request.region ?? city?.code;
    if (!region) throw new UsageError(`${path} has no region hierarchy; give --region`);
    const asOf = request.asOf ?? chinaDateOf(new Date());
    return (await generateReport(store, { kind: request.kind, year: request.year, region, asOf, format: request.format }, jurisdiction)).bytes;
  } catch (error) {
    if (error instanceof RenderingUnavailable) throw new UsageError(error.message);
    throw error;
  } finally {
    store.close();
  }
}
