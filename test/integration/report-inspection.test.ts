/**
 * The inspection brief (巡视巡察信访情况简报; issue 16): of a region and of an organ over a period
 * that is no calendar month, quarter or year. Every figure printed is checked against the
 * metrics layer's own answer and the headline ones against SQL counts; the organ's brief against
 * the duties, accountability and recommendations recorded for it; the brief through the API
 * (PDF and Word, stored under the organ's region, downloaded again unchanged), an organ outside
 * the caller's jurisdiction answered as one the registry lacks, bad periods refused naming the
 * field, and `xinfang report inspection --organ --db`. The first page is kept as
 * test/artifacts/report-inspection-p1.png.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { recordAccountabilityEvent } from '../../analytics/accountability-log.js';
import { loadDemoData } from '../../analytics/demo-data.js';
import { recordDutyEvent, type DutyEvent } from '../../analytics/duty-log.js';
import { compareMetrics } from '../../analytics/metrics/compare.js';
import { queryMetrics, type DimensionValues } from '../../analytics/metrics/query.js';
import type { ReportDocument } from '../../analytics/reports/document.js';
import { reportNames } from '../../analytics/reports/figures.js';
import { INSPECTION_TEMPLATE, inspectionReportDocument } from '../../analytics/reports/inspection-report.js';
import { reportRequest } from '../../analytics/reports/kinds.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { beijingOrganRegistry } from '../../domain/organs.js';
import { parsePlainDate } from '../../rules/plain-date.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';

const ARTIFACT = fileURLToPath(new URL('../artifacts/report-inspection-p1.png', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const FROM = parsePlainDate('2025-03-15');
const TO = parsePlainDate('2025-09-30');
const AS_OF = parsePlainDate('2025-10-31');
const DUTY = 'hearReport.district';

// District departments of the registry, named as the generator's cases name them.
const CY_ZJW = beijingOrganRegistry().byCode('D110105-ZJW')!;
const HD_ZJW = beijingOrganRegistry().byCode('D110108-ZJW')!;

let store: AnalyticsStore;
let app: RunningApp;
let dir: string;
const headers = new Map<string, Record<string, string>>();

const at = (date: string) => `${date}T04:00:00Z`;
const quarter = (q: number) => {
  const end = ['03-31', '06-30', '09-30', '12-31'][q - 1]!;
  return { label: `2025Q${q}`, start: `2025-${String(q * 3 - 2).padStart(2, '0')}-01`, end: `2025-${end}` };
};

/** Duty periods as the period workflows record them: opened, then met or missed at the period's end. */
async function seedDuties(target: AnalyticsStore) {
  const outcomes: [string, number, 'met' | 'missed'][] = [
    [CY_ZJW.code, 1, 'met'],
    [CY_ZJW.code, 2, 'missed'],
    [CY_ZJW.code, 3, 'met'],
    ['D110105', 2, 'met'],
    [HD_ZJW.code, 2, 'missed'],
  ];
  for (const [organ, q, outcome] of outcomes) {
    const period = quarter(q);
    const record = (type: DutyEvent['type'], date: string) => recordDutyEvent(target, { organ, dutyId: DUTY, period, type, key: type, occurredAt: at(date) });
    await record('period_opened', period.start);
    await record(outcome, period.end);
  }
}

/** An accountability case against the Chaoyang bureau (opened, a notice imposed) and one against Haidian's. */
async function seedAccountability(target: AnalyticsStore) {
  const event = (caseId: string, organ: string, type: 'opened' | 'step_imposed', date: string, ladderStep?: string) =>
    recordAccountabilityEvent(target, { caseId, type, key: type, occurredAt: at(date), organ, ground: 'procedure', ...(ladderStep ? { ladderStep } : {}) });
  await event('ACC-CY-1', CY_ZJW.code, 'opened', '2025-06-10');
  await event('ACC-CY-1', CY_ZJW.code, 'step_imposed', '2025-07-01', 'notice');
  await event('ACC-HD-1', HD_ZJW.code, 'opened', '2025-05-20');
}

async function seed(target: AnalyticsStore, cases: number) {
  await seedUsers(target);
  await loadDemoData(target, { anchorMonth: '2025-11', jurisdiction: 'beijing', cases, months: 24 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xinfang-report-inspection-'));
  store = await AnalyticsStore.open(':memory:');
  await seed(store, 3000);
  await seedDuties(store);
  await seedAccountability(store);
  for (const u of ['leader', 'leader-chaoyang', 'analyst-chaoyang', 'officer-education']) headers.set(u, await tokenHeaders(store, u));
  app = await startApiApp({ store });

  // A file of its own for --db: the server's store is in memory and stays the server's.
  const file = await AnalyticsStore.open(join(dir, 'copy.duckdb'));
  await seed(file, 1500);
  file.close();
}, 180_000);

afterAll(async () => {
  await app?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (as: string, method: string, path: string, body?: unknown) =>
  fetch(`${app.base}/api/v1${path}`, {
    method,
    headers: { ...headers.get(as), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

interface Created {
  id: string;
  kind: string;
  sha256: string;
  download: string;
  regionCode: string;
  parameters: Record<string, string>;
  template: string;
  figures: number;
}
interface Refused {
  error: string;
  code: string;
  problems?: { at: string; problem: string }[];
}

async function generate(as: string, body: Record<string, unknown>): Promise<{ report: Created; bytes: Buffer }> {
  const res = await call(as, 'POST', '/reports', { kind: 'inspection', from: FROM, to: TO, asOf: AS_OF, ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  const report = (await res.json()) as Created;
  const download = await fetch(`${app.base}${report.download}`, { headers: headers.get(as) });
  expect(download.status).toBe(200);
  return { report, bytes: Buffer.from(await download.arrayBuffer()) };
}

const refusal = async (as: string, body: Record<string, unknown>) => {
  const res = await call(as, 'POST', '/reports', { kind: 'inspection', format: 'html', ...body });
  return { status: res.status, body: (await res.json()) as Refused };
};

/** Text without any white space: a PDF's lines break wherever the page does. */
const squeeze = (s: string) => s.replace(/\s+/g, '');
const sameDims = (a: DimensionValues, b: DimensionValues) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
const paragraphs = (d: ReportDocument) => d.blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : [])).join('');
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Every figure printed is what the metrics layer answers to the figure's own request, re-run here. */
async function expectTraced(document: ReportDocument) {
  for (const f of document.figures) {
    const request = { ...f.request, measures: [f.measure] };
    if (f.derivation === 'value') {
      const row = (await queryMetrics(store, request)).find((r) => sameDims(r.dims, f.dims));
      expect(row?.value, `${f.id} ${f.measure} ${JSON.stringify(f.dims)}`).toBe(f.value);
    } else {
      const row = (await compareMetrics(store, request, f.against ?? 'yoy')).find((r) => sameDims(r.dims, f.dims));
      expect(f.derivation === 'change' ? row?.change : row?.relative, `${f.id} ${f.measure}`).toBe(f.value);
    }
  }
  // The appendix lists every figure, in the order printed, by its id.
  const sources = document.appendix.find((b) => b.kind === 'table' && b.caption.startsWith('表A2'));
  expect(sources?.kind === 'table' ? sources.rows.map((r) => r[0]) : []).toEqual(document.figures.map((f) => f.id));
  const defined = document.appendix.find((b) => b.kind === 'table' && b.caption.startsWith('表A1'));
  expect(defined?.kind === 'table' ? defined.rows.length : 0).toBe(new Set(document.figures.map((f) => f.measure)).size);
}

const count = z.object({ n: z.number() });
const sqlCount = async (sql: string, params: Record<string, string>) => (await store.all(count, sql, params))[0]!.n;

let organDoc: ReportDocument;

describe('the inspection brief of a region', () => {
  it('is made of the metrics layer’s figures for the period and the same period a year before, month by month', async () => {
    const { document, dataset } = await inspectionReportDocument(store, { from: FROM, to: TO, asOf: AS_OF, subject: { region: '110105' }, jurisdiction: 'beijing' });
    expect(document.title).toBe('关于朝阳区信访工作情况的简报（供巡视巡察参考）');
    expect(document.subtitle).toBe('（统计期间：2025年3月15日至9月30日；数据截至2025年10月31日）');
    expect(document.meta).toEqual({ region: '110105', regionName: '朝阳区', from: FROM, to: TO, asOf: AS_OF, template: INSPECTION_TEMPLATE });
    expect(dataset.grain).toBe('month');
    expect(document.figures.length).toBeGreaterThan(60);
    await expectTraced(document);

    // The headline, worked out here: a count of case_facts, and the same dates a year before.
    const received = (from: string, to: string) =>
      sqlCount("SELECT count(*)::INTEGER AS n FROM case_facts WHERE region_code = $region AND received_date BETWEEN $from::DATE AND $to::DATE", { region: '110105', from, to });
    const now = await received('2025-03-15', '2025-09-30');
    const before = await received('2024-03-15', '2024-09-30');
    expect(now).toBeGreaterThan(50);
    const text = paragraphs(document);
    expect(text).toContain(`2025年3月15日至9月30日，朝阳区共登记信访事项${now}件`);
    const relative = (now - before) / before;
    expect(text).toContain(`信访总量同比${relative > 0 ? '上升' : '下降'}${percent(Math.abs(relative))}，上年同期${before}件。`);

    // Month by month, the half month at the start named as such and left out of the comparison.
    const chart = document.blocks.find((b) => b.kind === 'chart' && b.caption.includes('各月'));
    expect(chart?.kind === 'chart' ? chart.chart.categories : []).toEqual(['3月15日至31日', '4月', '5月', '6月', '7月', '8月', '9月']);
    expect(text).toContain('从统计期间内的整月看，登记量最多的是');
    // The streets of the district, the duties of its organs (the bureau's three quarters and the district's one).
    const numbers = document.blocks.flatMap((b) => (b.kind === 'heading' ? [`${b.number}${b.text}`] : []));
    expect(numbers).toEqual(expect.arrayContaining(['一、信访总量和走势', '（三）街道（乡镇）分布', '五、三项建议及反馈']));
    const names = await reportNames(store, 'beijing', AS_OF);
    expect(text).toContain(`未全部按期履行的定期职责有：${names.duty(DUTY)}（按期履行率75.0%）。`);
    expect(text).toContain('责任追究案件1件');

    // As of the same date, the same figures.
    const again = await inspectionReportDocument(store, { from: FROM, to: TO, asOf: AS_OF, subject: { region: '110105' }, jurisdiction: 'beijing' });
    expect(again.document.figures).toEqual(document.figures);
  });

  it('goes week by week over a short period, and leaves out every sentence whose figure is missing', async () => {
    const short = await inspectionReportDocument(store, { from: parsePlainDate('2025-07-01'), to: parsePlainDate('2025-08-31'), asOf: AS_OF, subject: { region: '110105' }, jurisdiction: 'beijing' });
    expect(short.dataset.grain).toBe('week');
    const weeks = short.document.blocks.find((b) => b.kind === 'chart' && b.caption.includes('各周'));
    // 1 July 2025 is a Tuesday: the first week counts its days from then.
    expect(weeks?.kind === 'chart' ? weeks.chart.categories.slice(0, 2) : []).toEqual(['7月1日至6日', '7月7日至13日']);

    // Years before the data: counts are 0, rates and changes have nothing to stand on.
    const empty = await inspectionReportDocument(store, { from: parsePlainDate('2020-01-01'), to: parsePlainDate('2020-06-30'), asOf: AS_OF, subject: { region: '110105' }, jurisdiction: 'beijing' });
    const text = paragraphs(empty.document);
    expect(text).toContain('2020年1月1日至6月30日，朝阳区共登记信访事项0件');
    for (const left of ['同比', '按期办结率', '满意率', '采纳率', '登记量最多', '涉及领域']) expect(text).not.toContain(left);
    expect(empty.document.blocks.some((b) => b.kind === 'chart' || b.kind === 'table')).toBe(false);
    await expectTraced(empty.document);
  });
});

describe('the inspection brief of an organ', () => {
  it('counts the organ’s cases, presses, supervision, duties, accountability and recommendations, in its region', async () => {
    const { document, dataset } = await inspectionReportDocument(store, { from: FROM, to: TO, asOf: AS_OF, subject: { organ: CY_ZJW.code }, jurisdiction: 'beijing' });
    organDoc = document;
    expect(document.title).toBe('关于朝阳区住房城乡建设委信访工作情况的简报');
    expect(document.meta.organ).toBe(CY_ZJW.code);
    expect(document.meta.region).toBe('110105');
    expect(dataset.distribution.byArea).toBeNull();
    // Every figure is of the organ, by its code or its name as routing recorded it, within its region.
    for (const f of document.figures) {
      expect(f.request.region, f.id).toBe('110105');
      expect(f.request.filters, f.id).toEqual({ organ: [CY_ZJW.code, CY_ZJW.nameZh] });
    }
    await expectTraced(document);

    const aliases = [CY_ZJW.code, CY_ZJW.nameZh];
    const organ = { code: CY_ZJW.code, name: CY_ZJW.nameZh };
    const handled = await sqlCount(
      "SELECT count(*)::INTEGER AS n FROM case_facts WHERE organ IN ($code, $name) AND region_code = '110105' AND received_date BETWEEN DATE '2025-03-15' AND DATE '2025-09-30'",
      organ,
    );
    const pressed = await sqlCount(
      "SELECT count(*)::INTEGER AS n FROM case_presses WHERE organ IN ($code, $name) AND region_code = '110105' AND pressed_date BETWEEN DATE '2025-03-15' AND DATE '2025-09-30'",
      organ,
    );
    const issued = await sqlCount(
      "SELECT count(*)::INTEGER AS n FROM recommendations WHERE to_organ IN ($code, $name) AND region_code = '110105' AND issued_date BETWEEN DATE '2025-03-15' AND DATE '2025-09-30'",
      organ,
    );
    expect(handled).toBeGreaterThan(10);
    expect(issued).toBeGreaterThan(0);
    const text = paragraphs(document);
    expect(text).toContain(`2025年3月15日至9月30日，朝阳区住房城乡建设委经办信访事项${handled}件`);
    expect(text).toContain(`信访人就该单位超期未办的事项催办${pressed}次`);
    expect(text).toContain(`信访部门向该单位提出改进工作、完善政策、追究责任建议${issued}件`);
    const names = await reportNames(store, 'beijing', AS_OF);
    // Met in the first and third quarters, missed in the second: Haidian's bureau and the district's organ are not in it.
    expect(text).toContain(`未全部按期履行的定期职责有：${names.duty(DUTY)}（按期履行率66.7%）。`);
    expect(text).toContain(`涉及该单位的责任追究案件1件；追责处理1次。按处理方式分：${names.ladderStep('notice')}1次。`);
    const [onTime] = await queryMetrics(store, { measures: ['on_time_completion_rate'], from: FROM, to: TO, asOf: AS_OF, region: '110105', filters: { organ: aliases } });
    expect(text).toContain(`按期办结率${percent(onTime!.value!)}`);
    // The appendix says every figure is the organ's.
    const sources = document.appendix.find((b) => b.kind === 'table' && b.caption.startsWith('表A2'));
    expect(sources?.kind === 'table' ? sources.rows.every((r) => r[4]!.includes(`机关、单位：${CY_ZJW.code}或${CY_ZJW.nameZh}`)) : false).toBe(true);
  });
});

describe('the inspection brief through the API', () => {
  it('prints an organ’s brief as PDF, kept under the organ’s region, every sentence in it, downloaded again unchanged', async () => {
    const { report, bytes } = await generate('leader-chaoyang', { organ: CY_ZJW.code, format: 'pdf' });
    expect(report).toMatchObject({ kind: 'inspection', regionCode: '110105', template: INSPECTION_TEMPLATE, figures: organDoc.figures.length });
    expect(report.parameters).toEqual({ from: FROM, to: TO, organ: CY_ZJW.code, region: '110105' });
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(report.sha256);
    const file = join(dir, 'organ.pdf');
    writeFileSync(file, bytes);
    const text = squeeze(execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }));
    expect(text).toContain(squeeze(organDoc.title));
    for (const b of organDoc.blocks) {
      if (b.kind === 'paragraph') expect(text).toContain(squeeze(b.text));
      if (b.kind === 'heading') expect(text).toContain(squeeze(`${b.number}${b.text}`));
    }
    const appendix = text.slice(text.indexOf('附件：数据来源与口径说明'));
    expect(appendix).toContain(`F${organDoc.figures.length}`);

    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'p1')]);
    copyFileSync(join(dir, 'p1.png'), ARTIFACT);

    const again = await fetch(`${app.base}${report.download}`, { headers: headers.get('leader-chaoyang') });
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    const listed = (await (await call('leader-chaoyang', 'GET', '/reports')).json()) as { reports: Created[] };
    expect(listed.reports.map((r) => r.id)).toContain(report.id);
  }, 120_000);

  it('writes a region’s brief as Word for a city user', async () => {
    const { report, bytes } = await generate('leader', { region: '110105', format: 'docx' });
    expect(report.regionCode).toBe('110105');
    const file = join(dir, 'region.docx');
    writeFileSync(file, bytes);
    const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(xml).toContain('关于朝阳区信访工作情况的简报（供巡视巡察参考）');
    expect(xml).toMatch(/<w:pStyle w:val="Heading1"\/>.*?一、信访总量和走势/s);
    expect(xml).toMatch(/<w:pStyle w:val="Heading2"\/>.*?（三）街道（乡镇）分布/s);
  }, 60_000);

  it('answers an organ outside the caller’s jurisdiction as one the registry lacks', async () => {
    const outside = await refusal('analyst-chaoyang', { from: FROM, to: TO, organ: HD_ZJW.code });
    const unknown = await refusal('analyst-chaoyang', { from: FROM, to: TO, organ: 'NO-SUCH' });
    expect(outside.status).toBe(400);
    expect(unknown.status).toBe(400);
    const same = (r: Refused, code: string) => JSON.parse(JSON.stringify(r).replaceAll(code, 'ORGAN')) as Refused;
    expect(same(outside.body, HD_ZJW.code)).toEqual(same(unknown.body, 'NO-SUCH'));
    expect(outside.body.problems?.[0]?.at).toBe('organ');
    // The city's leader has Haidian in its jurisdiction; an organ's own user has no region to read.
    const city = await generate('leader', { organ: HD_ZJW.code, format: 'html' });
    expect(city.report.regionCode).toBe('110108');
    expect(city.bytes.toString('utf8')).toContain('关于海淀区住房城乡建设委信访工作情况的简报');
    expect((await refusal('officer-education', { from: FROM, to: TO, organ: 'BJ-JW' })).status).toBe(403);
  }, 60_000);

  it('refuses a bad period naming the field', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ from: '2025-09-30', to: '2025-03-15' }, 'to', /ends \(2025-03-15\) before it begins \(2025-09-30\)/],
      [{ from: '2019-01-01', to: '2025-09-30' }, 'to', /at most 5 years: from 2019-01-01, the period ends by 2023-12-31/],
      [{ from: '2025-02-30', to: '2025-09-30' }, 'from', /./],
      [{ from: FROM }, 'to', /./],
      [{ from: FROM, to: TO, asOf: '2025-01-31' }, 'asOf', /lies before the period begins/],
      [{ from: FROM, to: TO, region: '110105', organ: CY_ZJW.code }, 'organ', /region or organ, not both/],
    ];
    for (const [body, at, message] of cases) {
      const { status, body: answer } = await refusal('leader', body);
      expect(status, JSON.stringify(body)).toBe(400);
      const problem = answer.problems?.find((p) => p.at === at);
      expect(problem?.problem, JSON.stringify(answer)).toMatch(message);
    }
    expect((await refusal('leader', { from: FROM, to: TO, year: 2025 })).status).toBe(400);
    // Five years to the day is a brief; a day more is not.
    expect(reportRequest.safeParse({ kind: 'inspection', from: '2021-01-01', to: '2025-12-31', format: 'html' }).success).toBe(true);
    expect(reportRequest.safeParse({ kind: 'inspection', from: '2021-01-01', to: '2026-01-01', format: 'html' }).success).toBe(false);
  });
});

type Run = { code?: number; stdout: string; stderr: string };
const xinfang = (args: string[]): Promise<Run> =>
  promisify(execFile)(process.execPath, [join(root, 'bin/xinfang.js'), 'report', ...args], { maxBuffer: 64 << 20 }).then(
    (r) => ({ ...r, code: 0 }),
    (error: Run) => error,
  );

describe('xinfang report inspection', () => {
  it('writes an organ’s brief from a database file with --db, and says what is wrong with exit code 2', async () => {
    const db = join(dir, 'copy.duckdb');
    const out = join(dir, 'organ.html');
    const run = await xinfang(['inspection', '--organ', CY_ZJW.code, '--from', FROM, '--to', TO, '--as-of', AS_OF, '--format', 'html', '--out', out, '--db', db]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(run.stdout).toBe(`${out}: inspection report, html, ${Buffer.byteLength(html)} bytes\n`);
    expect(html).toContain('关于朝阳区住房城乡建设委信访工作情况的简报');
    // The file's own figure for the organ's cases, asked of the metrics layer here.
    const file = await AnalyticsStore.open(db);
    try {
      const [cases] = await queryMetrics(file, { measures: ['cases'], from: FROM, to: TO, asOf: AS_OF, region: '110105', filters: { organ: [CY_ZJW.code, CY_ZJW.nameZh] } });
      expect(html).toContain(`朝阳区住房城乡建设委经办信访事项${cases!.value}件`);
    } finally {
      file.close();
    }

    const backwards = await xinfang(['inspection', '--organ', CY_ZJW.code, '--from', TO, '--to', FROM, '--format', 'html', '--out', out, '--db', db]);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('--to: the period ends (2025-03-15) before it begins (2025-09-30)');
    const both = await xinfang(['inspection', '--organ', CY_ZJW.code, '--region', '110105', '--from', FROM, '--to', TO, '--format', 'html', '--out', out, '--db', db]);
    expect(both.stderr).toContain('--organ: give region or organ, not both');
    const unknown = await xinfang(['inspection', '--organ', 'NO-SUCH', '--from', FROM, '--to', TO, '--format', 'html', '--out', out, '--db', db]);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toBe('xinfang: unknown organ code "NO-SUCH" (not in the organ registry)\n');
    const year = await xinfang(['inspection', '--year', '2025', '--from', FROM, '--to', TO, '--format', 'html', '--out', out, '--db', db]);
    expect(year.stderr).toContain('inspection takes no --year');
  }, 120_000);
});
