import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { MetricsError } from '../../analytics/metrics/query.js';
import { RenderingUnavailable } from '../../analytics/reports/pdf.js';
import { generateReport } from '../../analytics/reports/generate.js';
import { reportRequest, type ReportRequestInput } from '../../analytics/reports/kinds.js';
import { chinaDateOf } from '../../rules/plain-date.js';
import { callApi, DEFAULT_URL } from '../api-client.js';
import { parseOptions, UsageError, type Command } from '../command.js';
import { openDatabaseFile } from '../database-file.js';

const KINDS = reportRequest.options.map((o) => o.shape.kind.value);

const usage = `usage: xinfang report annual --year YYYY [--region CODE] [--as-of YYYY-MM-DD] --format docx|pdf|html --out FILE
                     [--url ${DEFAULT_URL} | --db FILE [--jurisdiction NAME]]
Generates a report of a region (default: the city) as of a date (default: today, China time) and
writes it to FILE: annual (2022 Regulations art. 41). Through the running system (--url, an API
token in XINFANG_TOKEN; the report is kept there and listed by GET /api/v1/reports), or from a
database file directly (--db; its policy packs those of --jurisdiction, default beijing).
  quarterly --year YYYY --quarter 1-4: the quarter's situation analysis (Xianning measures art. 7)
    against the quarter before and the same quarter a year before; a quarter still running is
    analysed up to the as-of date, and its subtitle says so.
  inspection --from YYYY-MM-DD --to YYYY-MM-DD [--region CODE | --organ CODE]: the inspection brief
    (巡视巡察) of a region or of an organ of the registry (of the organ's own region) over any
    period of at most 5 years, against the same period a year before.
  assessment --year YYYY: the annual assessment of the city's districts and city departments and
    its notice of praise and criticism (Beijing rules arts. 16-17), scored by the method in
    rules/assessment/JURISDICTION.json.`;

const out = z.string({ error: '--out FILE is needed' }).min(1, '--out FILE is needed');
/** The option a request's key is given by: asOf is --as-of. */
const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export const command: Command = {
  summary: 'a report (annual, quarterly, assessment, inspection) as Word, PDF or HTML, written to a file',
  usage,
  async run(args) {
    const { values, positionals } = parseOptions({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        year: { type: 'string' },
        quarter: { type: 'string' },
        region: { type: 'string' },
        organ: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'as-of': { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        url: { type: 'string' },
        db: { type: 'string' },
        jurisdiction: { type: 'string' },
      },
    });
    if (positionals.length !== 1 || !KINDS.includes(positionals[0] as (typeof KINDS)[number])) throw new UsageError(`the report is one of: ${KINDS.join(', ')}`);
    const { out: file, url, db, jurisdiction, 'as-of': asOf, ...given } = values;
    // The same validation as POST /api/v1/reports: an option the report does not take is refused.
    const parsed = reportRequest.safeParse(Object.fromEntries(Object.entries({ kind: positionals[0], ...given, asOf }).filter(([, v]) => v !== undefined)));
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => (i.code === 'unrecognized_keys' ? `${positionals[0]} takes no ${i.keys.map(flag).join(', ')}` : `${flag(String(i.path[0] ?? 'kind'))}: ${i.message}`)).join('; '));
    const request = parsed.data;
    const outFile = out.safeParse(file);
    if (!outFile.success) throw new UsageError(outFile.error.issues[0]!.message);
    if (db !== undefined && url !== undefined) throw new UsageError('give --url or --db, not both');
    if (db === undefined && jurisdiction !== undefined) throw new UsageError('--jurisdiction goes with --db: the running system knows its own');

    const bytes = db !== undefined ? await fromFile(db, request, jurisdiction ?? 'beijing') : await throughSystem(url ?? DEFAULT_URL, request);
    writeFileSync(outFile.data, bytes);
    process.stdout.write(`${outFile.data}: ${request.kind} report, ${request.format}, ${bytes.length} bytes\n`);
    return 0;
  },
};

async function throughSystem(base: string, request: ReportRequestInput): Promise<Buffer> {
  const made = await callApi(base, '/api/v1/reports', { method: 'POST', body: request });
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

async function fromFile(path: string, request: ReportRequestInput, jurisdiction: string): Promise<Buffer> {
  const store = await openDatabaseFile(path);
  try {
    const [city] = await store.all(cityRow, "SELECT code FROM regions WHERE level = 'city' ORDER BY code LIMIT 1");
    const region = request.region ?? city?.code;
    if (!region) throw new UsageError(`${path} has no region hierarchy; give --region`);
    const asOf = request.asOf ?? chinaDateOf(new Date());
    return (await generateReport(store, { ...request, region, asOf }, jurisdiction)).bytes;
  } catch (error) {
    // A region or organ the file does not have is the user's to fix, said in one line.
    if (error instanceof RenderingUnavailable || error instanceof MetricsError) throw new UsageError(error.message);
    throw error;
  } finally {
    store.close();
  }
}
