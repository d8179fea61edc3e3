/**
 * The annual assessment and its notice (issue 16; Beijing arts. 16-17) on the demo data plus
 * seeded city-department cases and duty periods: every score printed against the engine run on
 * an independent metrics query (case_facts read raw, no rollups), every rate against the metrics
 * layer's own answer, the appendix covering every figure and every score, a year without data
 * leaving its sentences out, the PDF and Word through the API (stored, downloaded unchanged),
 * refusals, and the CLI with --db. The first page is kept as test/artifacts/report-assessment-p1.png.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assess, type Tallies } from '../../analytics/assessment/score.js';
import { recordHistory } from '../../analytics/case-log.js';
import { loadDemoData } from '../../analytics/demo-data.js';
import { recordDutyEvent } from '../../analytics/duty-log.js';
import type { MeasureId } from '../../analytics/metrics/catalog.js';
import { MetricsError, queryMetrics, type DimensionValues, type MetricRequest, type MetricRow } from '../../analytics/metrics/query.js';
import { assessmentReportDocument, pointsOf, scoreText } from '../../analytics/reports/assessment-report.js';
import type { Block, ReportDocument } from '../../analytics/reports/document.js';
import { AnalyticsStore } from '../../analytics/store.js';
import type { CaseEvent, CaseIntake } from '../../domain/case.js';
import { BEIJING_ORGANS } from '../../domain/organs.js';
import { periodsOfYear } from '../../rules/periods.js';
import { addDays, parsePlainDate, type PlainDate } from '../../rules/plain-date.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACT = fileURLToPath(new URL('../artifacts/report-assessment-p1.png', import.meta.url));
const YEAR = 2025;
const AS_OF = parsePlainDate('2026-01-31');
const CITY = '110000';
const at = (day: string) => new Date(`${day}T10:00:00+08:00`).toISOString();

let dir: string;
let dbFile: string;
let store: AnalyticsStore;
let app: RunningApp | undefined;
let open = true;
const headers = new Map<string, Record<string, string>>();

/**
 * City departments' cases, as the workflow (organ by code) and an import (organ by name) write
 * them: 北京市教育委员会 (BJ-JW) 40 cases, every one registered, replied on time and rated 满意;
 * 北京市人力资源和社会保障局 by its name, 6 cases, 2 replied late, 4 rated (1 不满意).
 * 北京市住房和城乡建设委员会 (BJ-ZJW): nothing.
 */
async function seedDepartmentCases(): Promise<void> {
  const kase = (id: string, received: PlainDate, organ: { code?: string; name?: string }, late: boolean, rating: string | null) => {
    const intake: CaseIntake = { caseId: id, jurisdiction: 'beijing', receivedAt: at(received), channel: 'letter', regionCode: '110101', collectiveSize: 1, repeatPetition: false, ...(organ.code ? { organCode: organ.code } : {}) };
    const to = organ.code ?? organ.name!;
    const event = (type: CaseEvent['type'], days: number, detail?: CaseEvent['detail']): CaseEvent => ({ caseId: id, type, occurredAt: at(addDays(received, days)), ...(detail ? { detail } : {}) });
    const events = [
      event('received', 0, { receivedBy: 'petition-office' }),
      event('routed', 2, { mode: 'forward', toOrgan: to, toKind: 'competent', late: false }),
      event('accepted', 3, { organ: to }),
      ...(late ? [event('handle_overdue', 64), event('replied', 70, { outcome: 'supported' })] : [event('replied', 30, { outcome: 'supported' })]),
      ...(rating ? [event('rated', 75, { level: rating })] : []),
    ];
    return { intake, events };
  };
  const day = (n: number) => addDays(parsePlainDate('2025-02-01'), n * 5);
  await recordHistory(
    store,
    [
      ...Array.from({ length: 40 }, (_, i) => kase(`AS-JW-${i}`, day(i), { code: 'BJ-JW' }, false, 'satisfied')),
      ...(['satisfied', 'satisfied', 'basically_satisfied', 'dissatisfied', null, null] as const).map((rating, i) =>
        kase(`AS-RSJ-${i}`, day(i), { name: '北京市人力资源和社会保障局' }, i >= 4, rating),
      ),
    ],
    'import',
  );
}

/** 2025's quarterly report-hearing duty: Chaoyang missed Q1, Haidian and BJ-JW met every quarter. */
async function seedDuties(): Promise<void> {
  const duty = 'hearReport.district';
  for (const [organ, missed] of [['D110105', ['2025Q1']], ['D110108', []], ['BJ-JW', []]] as const) {
    for (const period of periodsOfYear(YEAR, 'quarter')) {
      const outcome = (missed as readonly string[]).includes(period.label) ? 'missed' : 'met';
      await recordDutyEvent(store, { organ, dutyId: duty, period, type: 'period_opened', key: 'opened', occurredAt: at(period.start) });
      await recordDutyEvent(store, { organ, dutyId: duty, period, type: outcome, key: 'finding', occurredAt: at(period.end) });
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xinfang-assessment-'));
  dbFile = join(dir, 'assessment.duckdb');
  store = await AnalyticsStore.open(dbFile);
  await seedUsers(store);
  await loadDemoData(store, { anchorMonth: '2026-01', jurisdiction: 'beijing', cases: 3000, months: 24 });
  await seedDepartmentCases();
  await seedDuties();
  for (const u of ['leader', 'leader-chaoyang']) headers.set(u, await tokenHeaders(store, u));
  app = await startApiApp({ store });
}, 180_000);

afterAll(async () => {
  await app?.close();
  if (open) store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const squeeze = (s: string) => s.replace(/\s+/g, '');
const sameDims = (a: DimensionValues, b: DimensionValues) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
const tableOf = (doc: ReportDocument, caption: string) => doc.blocks.find((b): b is Extract<Block, { kind: 'table' }> => b.kind === 'table' && b.caption.includes(caption))!;
const textOf = (doc: ReportDocument) => doc.blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : [])).join('');
const tallies = (rows: MetricRow[]): Tallies => Object.fromEntries(rows.filter((r) => r.denominator).map((r) => [r.measure, { numerator: r.numerator!, denominator: r.denominator! }]));

let made: Awaited<ReturnType<typeof assessmentReportDocument>>;

describe('the assessment', () => {
  it('prints every score as the engine gives it from an independent metrics query, every rate as the metrics layer answers it', async () => {
    made = await assessmentReportDocument(store, { year: YEAR, region: CITY, asOf: AS_OF, jurisdiction: 'beijing' });
    const { dataset, document } = made;
    const method = dataset.method;
    expect(method.version).toBe('2017.1');

    // The engine's input worked out again: case_facts and the duty log read raw, not through the rollups.
    const measures = [...new Set([...method.indicators.map((i) => i.measure), method.notice.criticism.missedDuty.measure])] as MeasureId[];
    const base: MetricRequest = { measures, from: parsePlainDate('2025-01-01'), to: parsePlainDate('2025-12-31'), asOf: AS_OF, region: CITY };
    const raw = { rollups: false };
    const city = tallies(await queryMetrics(store, base, raw));
    const byDistrict = await queryMetrics(store, { ...base, by: ['district'] }, raw);
    const districts = dataset.units.filter((u) => u.type === 'district');
    expect(districts.map((u) => u.code)).toHaveLength(16);
    const departments = dataset.units.filter((u) => u.type === 'city-department');
    // Every city department of the registry is assessed, the seeded three among them.
    expect(departments.map((u) => u.code)).toEqual(BEIJING_ORGANS.filter((o) => o.level === 'city-department').map((o) => o.code).sort());
    expect(departments.map((u) => u.code)).toEqual(expect.arrayContaining(['BJ-JW', 'BJ-RSJ', 'BJ-ZJW']));
    const inputs = [
      ...districts.map((u) => ({ code: u.code, type: u.type, name: u.name, tallies: tallies(byDistrict.filter((r) => r.dims.district === u.code)) })),
      ...(await Promise.all(
        departments.map(async (u) => ({ code: u.code, type: u.type, name: u.name, tallies: tallies(await queryMetrics(store, { ...base, filters: { organ: [u.code, u.name] } }, raw)) })),
      )),
    ];
    // The seeded departments, as constructed: by code, by name, and nothing.
    const input = (code: string) => inputs.find((u) => u.code === code)!.tallies;
    expect(input('BJ-JW')).toEqual({
      timely_acceptance_rate: { numerator: 40, denominator: 40 },
      on_time_completion_rate: { numerator: 40, denominator: 40 },
      repeat_rate: { numerator: 0, denominator: 40 },
      participation_rate: { numerator: 40, denominator: 40 },
      satisfaction_rate: { numerator: 40, denominator: 40 },
      duties_on_time_rate: { numerator: 4, denominator: 4 },
    });
    expect(input('BJ-RSJ')).toEqual({
      timely_acceptance_rate: { numerator: 6, denominator: 6 },
      on_time_completion_rate: { numerator: 4, denominator: 6 },
      repeat_rate: { numerator: 0, denominator: 6 },
      participation_rate: { numerator: 4, denominator: 6 },
      satisfaction_rate: { numerator: 3, denominator: 4 },
    });
    expect(input('BJ-ZJW')).toEqual({});
    expect(input('110105').duties_on_time_rate).toEqual({ numerator: 3, denominator: 4 });

    const expected = assess(method, inputs, city);
    expect(made.assessment).toEqual(expected);
    let table = 2;
    for (const type of method.units) {
      const scores = tableOf(document, `${type.groupZh}考核得分`);
      expect(scores.caption).toBe(`表${table} ${type.groupZh}考核得分（分；各项满分即权重，见表1）`);
      table += 2;
      const units = expected.units.filter((u) => u.type === type.type);
      expect(scores.rows.map((r) => r[1])).toEqual(units.map((u) => u.name));
      for (const [n, u] of units.entries()) {
        const row = scores.rows[n]!;
        expect(row[0]).toBe(u.rank === null ? '—' : String(u.rank));
        expect(row[2], u.name).toBe(u.printed === null ? '不予评分' : scoreText(u.printed));
        expect(row.slice(3)).toEqual(u.indicators.map((i) => (i.points === null ? '—' : pointsOf(i.points))));
      }
    }
    // Chaoyang's missed quarter is in its figures; a department's rates are shrunk on 6 cases.
    const byCode = new Map(expected.units.map((u) => [u.code, u]));
    expect(byCode.get('110105')!.missedDutyPeriods).toBe(1);
    expect(byCode.get('BJ-RSJ')!.indicators[1]).toMatchObject({ raw: 4 / 6, denominator: 6, credibility: Math.sqrt(6 / 30) });
    expect(byCode.get('BJ-ZJW')!.notScored).toBe('no indicator has data for the year');

    // Every rate printed is the metrics layer's own answer for its request and row.
    expect(document.figures.length).toBeGreaterThan(100);
    for (const f of document.figures) {
      expect(f.derivation).toBe('value');
      const row = (await queryMetrics(store, { ...f.request, measures: [f.measure] })).find((r) => sameDims(r.dims, f.dims));
      expect(row?.value, `${f.id} ${f.measure} ${JSON.stringify(f.dims)} ${JSON.stringify(f.request.filters)}`).toBe(f.value);
    }
    // As of the same date, the same document.
    expect((await assessmentReportDocument(store, { year: YEAR, region: CITY, asOf: AS_OF, jurisdiction: 'beijing' })).document).toEqual(document);
  });

  it('gives the notice from the scores, each reason made of its figures, and traces every figure and score in the appendix', () => {
    const { assessment, document } = made;
    const text = textOf(document);
    const name = (code: string) => assessment.units.find((u) => u.code === code)!.name;
    // Chaoyang: criticised for the missed quarter, with its duty rate.
    expect(assessment.criticised.map((e) => e.code)).toContain('110105');
    expect(text).toMatch(/朝阳区（[^）]*职责按期履行率75\.0%，有定期职责未按期履行）/);
    for (const e of assessment.criticised) {
      expect(text).toContain(`${e.name}（`);
      for (const g of e.grounds) if (g.kind === 'low-score') expect(text).toContain(`${e.name}（综合得分${scoreText(g.printed)}分，低于60分，其中${g.weakest.labelZh}`);
    }
    // The education commission: 40 cases, all on time and satisfied, its four quarters met.
    const jw = assessment.units.find((u) => u.code === 'BJ-JW')!;
    expect(jw.printed).toBeGreaterThanOrEqual(90);
    expect(assessment.praised.map((e) => e.code)).toContain('BJ-JW');
    expect(text).toContain(`${name('BJ-JW')}（综合得分${scoreText(jw.printed!)}分，居各市属部门及单位第1名）`);
    for (const e of assessment.praised) expect(assessment.criticised.map((c) => c.code)).not.toContain(e.code);
    expect(text).toContain('北京市住房和城乡建设委员会本年度无可考核数据，不予评分。');
    expect(text).toContain('本年度无职责按期履行率可统计，该项不计分，综合得分按其余指标折算。');
    // The city's rates, what small units are shrunk toward.
    expect(text).toMatch(/2025年全市及时受理率\d+\.\d%，按期办结率\d+\.\d%，重复信访率\d+\.\d%，参评率\d+\.\d%，满意率\d+\.\d%，职责按期履行率\d+\.\d%。/);

    // Appendix: every figure by its id in A2; every point and score in A3/A4, each rate by its figure id.
    const tables = document.appendix.filter((b): b is Extract<Block, { kind: 'table' }> => b.kind === 'table');
    const a2 = tables.find((t) => t.caption === '表A2 数字来源')!;
    expect(a2.rows.map((r) => r[0])).toEqual(document.figures.map((f) => f.id));
    const a3 = tables.find((t) => t.caption === '表A3 各项指标计分')!;
    const a4 = tables.find((t) => t.caption === '表A4 综合得分')!;
    expect(a3.rows).toHaveLength(assessment.units.length * 6);
    for (const u of assessment.units) {
      const rows = a3.rows.filter((r) => r[0] === u.name);
      u.indicators.forEach((i, n) => {
        const row = rows[n]!;
        expect(row[1]).toBe(i.labelZh);
        if (i.points === null) return expect(row[7]).toBe('不计分');
        expect(row[7]).toBe(pointsOf(i.points));
        // The rate's figure id, and that figure is this unit's rate of this measure.
        const id = /（(F\d+)）/.exec(row[2]!)![1]!;
        const f = document.figures.find((x) => x.id === id)!;
        expect([f.measure, f.value]).toEqual([i.measure, i.raw]);
        expect(f.dims.district ?? f.request.filters?.organ?.[0]).toBe(u.code);
      });
      expect(a4.rows.find((r) => r[0] === u.name)![3]).toEqual(u.printed === null ? expect.stringMatching(/^不予评分/) : scoreText(u.printed));
    }
    // A department's figures name it in the appendix by its filter.
    expect(a2.rows.some((r) => r[4]!.includes('机关、单位：BJ-RSJ或北京市人力资源和社会保障局'))).toBe(true);
  });

  it('leaves out every sentence whose figure is missing: a year without data scores nobody', async () => {
    const { document, assessment } = await assessmentReportDocument(store, { year: 2019, region: CITY, asOf: AS_OF, jurisdiction: 'beijing' });
    expect(assessment.units.every((u) => u.printed === null)).toBe(true);
    expect(document.figures).toEqual([]);
    const text = textOf(document);
    expect(text).not.toContain('2019年全市');
    expect(text).toContain('各区本年度均无足够的考核数据，不予评分。');
    expect(text).toContain('本年度没有达到通报表扬标准的地区和单位。');
    expect(text).toContain('本年度没有应予通报批评的地区和单位。');
    // Before the method took effect, and of a district, there is no assessment.
    await expect(assessmentReportDocument(store, { year: 2017, region: CITY, asOf: AS_OF, jurisdiction: 'beijing' })).rejects.toThrow(
      new MetricsError('no assessment method of beijing was in force on 2017-01-01 (the first took effect 2017-06-22)'),
    );
    await expect(assessmentReportDocument(store, { year: YEAR, region: '110105', asOf: AS_OF, jurisdiction: 'beijing' })).rejects.toThrow(/is a district/);
    await expect(assessmentReportDocument(store, { year: YEAR, region: CITY, asOf: AS_OF, jurisdiction: 'xianning' })).rejects.toThrow('jurisdiction xianning has no assessment method');
  });
});

const call = (as: string, body: unknown) =>
  fetch(`${app!.base}/api/v1/reports`, { method: 'POST', headers: { ...headers.get(as), 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function generate(format: string): Promise<{ report: { sha256: string; download: string; figures: number }; bytes: Buffer }> {
  const res = await call('leader', { kind: 'assessment', year: YEAR, asOf: AS_OF, format });
  expect(res.status, await res.clone().text()).toBe(201);
  const report = (await res.json()) as { sha256: string; download: string; figures: number };
  const download = await fetch(`${app!.base}${report.download}`, { headers: headers.get('leader') });
  expect(download.status).toBe(200);
  return { report, bytes: Buffer.from(await download.arrayBuffer()) };
}

describe('the assessment through the API and the CLI', () => {
  it('prints as PDF with every sentence and heading, the appendix, and downloads again unchanged', async () => {
    const { document } = made;
    const { report, bytes } = await generate('pdf');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(report.sha256);
    expect(report.figures).toBe(document.figures.length);
    const file = join(dir, 'assessment.pdf');
    writeFileSync(file, bytes);
    // A paragraph may run over a page break: the page number in the footer (—6—) is not part of it.
    const text = squeeze(execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })).replace(/—\d+—/g, '');
    expect(text).toContain(squeeze(document.title));
    for (const b of document.blocks) {
      if (b.kind === 'paragraph') expect(text).toContain(squeeze(b.text));
      if (b.kind === 'heading') expect(text).toContain(squeeze(`${b.number}${b.text}`));
    }
    const appendix = text.slice(text.indexOf('附件：数据来源与口径说明'));
    expect(appendix).toContain(`F${document.figures.length}`);
    expect(squeeze(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }))).toContain('—1—');
    expect(appendix).toContain('表A3各项指标计分');
    expect(appendix).toContain('表A4综合得分');
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'p1')]);
    copyFileSync(join(dir, 'p1.png'), ARTIFACT);
    const again = await fetch(`${app!.base}${report.download}`, { headers: headers.get('leader') });
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
  }, 120_000);

  it('writes Word with the numbered headings and the score tables', async () => {
    const { bytes } = await generate('docx');
    const file = join(dir, 'assessment.docx');
    writeFileSync(file, bytes);
    const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(xml).toMatch(/<w:pStyle w:val="Heading1"\/>.*?一、考核依据和办法/s);
    expect(xml).toMatch(/<w:pStyle w:val="Heading2"\/>.*?（一）各区/s);
    expect(xml).toContain('表2 各区考核得分');
    const top = made.assessment.units[0]!;
    expect(xml).toMatch(new RegExp(`<w:t(?: [^>]*)?>${scoreText(top.printed!).replace('.', '\\.')}</w:t>`));
  }, 60_000);

  it('refuses a district, a year before the method, and a parameter the assessment does not take', async () => {
    const district = await call('leader-chaoyang', { kind: 'assessment', year: YEAR, format: 'html' });
    expect(district.status).toBe(400);
    expect(((await district.json()) as { error: string }).error).toMatch(/assessment is of a city's districts and departments.*110105 is a district/);
    const early = await call('leader', { kind: 'assessment', year: 2017, format: 'html' });
    expect(early.status).toBe(400);
    expect(((await early.json()) as { error: string }).error).toContain('in force on 2017-01-01');
    const extra = await call('leader', { kind: 'assessment', year: YEAR, quarter: 1, format: 'html' });
    expect(extra.status).toBe(400);
  });

  it('is written by xinfang report assessment from a database file with --db', async () => {
    // The CLI opens the file itself: the server's hold on it is let go first.
    await app!.close();
    app = undefined;
    store.close();
    open = false;
    const out = join(dir, 'assessment.html');
    const run = await promisify(execFile)(
      process.execPath,
      [join(root, 'bin/xinfang.js'), 'report', 'assessment', '--year', String(YEAR), '--as-of', AS_OF, '--format', 'html', '--out', out, '--db', dbFile],
      { maxBuffer: 64 << 20 },
    );
    expect(run.stderr).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(run.stdout).toBe(`${out}: assessment report, html, ${Buffer.byteLength(html)} bytes\n`);
    expect(html).toContain(made.document.title);
    expect(html).toContain('对以下地区和单位予以通报批评：');
  }, 120_000);
});
