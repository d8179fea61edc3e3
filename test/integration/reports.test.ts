/**
 * The annual report (issue 16) through the API, opened as a reader would: the PDF's text and
 * fonts (poppler's pdftotext and pdffonts), the .docx's XML (page, margins, grid, fonts,
 * headings, page numbers), every figure printed against the metrics layer's own answer, the
 * appendix covering every figure, and the stored bytes downloaded again unchanged. The first
 * page is kept as test/artifacts/report-annual-p1.png.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../analytics/demo-data.js';
import { compareMetrics } from '../../analytics/metrics/compare.js';
import { queryMetrics, type DimensionValues } from '../../analytics/metrics/query.js';
import { annualReportDocument } from '../../analytics/reports/annual-report.js';
import type { ReportDocument } from '../../analytics/reports/document.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { parsePlainDate } from '../../rules/plain-date.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';

const ARTIFACT = fileURLToPath(new URL('../artifacts/report-annual-p1.png', import.meta.url));
const YEAR = 2025;
const AS_OF = '2026-01-31';

let store: AnalyticsStore;
let app: RunningApp;
let dir: string;
const headers = new Map<string, Record<string, string>>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xinfang-reports-'));
  store = await AnalyticsStore.open(':memory:');
  await seedUsers(store);
  await loadDemoData(store, { anchorMonth: '2026-01', jurisdiction: 'beijing', cases: 4000, months: 24 });
  for (const u of ['leader', 'leader-chaoyang', 'analyst-chaoyang', 'officer-education']) headers.set(u, await tokenHeaders(store, u));
  app = await startApiApp({ store });
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
  version: number;
  sha256: string;
  download: string;
  format: string;
  regionCode: string;
  figures: number;
}

async function generate(as: string, body: Record<string, unknown>): Promise<{ report: Created; bytes: Buffer }> {
  const res = await call(as, 'POST', '/reports', { kind: 'annual', year: YEAR, asOf: AS_OF, ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  const report = (await res.json()) as Created;
  const download = await fetch(`${app.base}${report.download}`, { headers: headers.get(as) });
  expect(download.status).toBe(200);
  const bytes = Buffer.from(await download.arrayBuffer());
  return { report, bytes };
}

/** Text without any white space: a PDF's lines break wherever the page does. */
const squeeze = (s: string) => s.replace(/\s+/g, '');
const sameDims = (a: DimensionValues, b: DimensionValues) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

let document: ReportDocument;

describe('the annual report', () => {
  it('is made of the figures the metrics layer gives, every one traced, and re-run gives the same', async () => {
    ({ document } = await annualReportDocument(store, { year: YEAR, region: '110000', asOf: parsePlainDate(AS_OF), jurisdiction: 'beijing' }));
    expect(document.figures.length).toBeGreaterThan(60);
    for (const f of document.figures) {
      const request = { ...f.request, measures: [f.measure] };
      if (f.derivation === 'value') {
        const row = (await queryMetrics(store, request)).find((r) => sameDims(r.dims, f.dims));
        expect(row?.value, `${f.id} ${f.measure} ${JSON.stringify(f.dims)}`).toBe(f.value);
      } else {
        const row = (await compareMetrics(store, request, 'yoy')).find((r) => sameDims(r.dims, f.dims));
        expect(f.derivation === 'change' ? row?.change : row?.relative, `${f.id} ${f.measure}`).toBe(f.value);
      }
    }
    // The headline sentence from the figures, worked out here from the metrics layer.
    const [cases] = await compareMetrics(store, { measures: ['cases'], from: parsePlainDate('2025-01-01'), to: parsePlainDate('2025-12-31'), asOf: parsePlainDate(AS_OF), region: '110000' }, 'yoy');
    const text = document.blocks.filter((b) => b.kind === 'paragraph').map((b) => b.text).join('');
    expect(text).toContain(`共登记信访事项${cases!.current.value}件`);
    const relative = cases!.relative!;
    expect(text).toContain(`信访总量同比${relative > 0 ? '上升' : '下降'}${(Math.abs(relative) * 100).toFixed(1)}%（上年同期${cases!.previous!.value}件）`);
    // Headings numbered 一、（一）1. in order.
    const numbers = document.blocks.flatMap((b) => (b.kind === 'heading' ? [b.number] : []));
    expect(numbers.slice(0, 3)).toEqual(['一、', '（一）', '（二）']);
    expect(numbers).toContain('四、');
    expect(numbers).toContain('1.');
    // As of the same date, the same figures.
    const again = await annualReportDocument(store, { year: YEAR, region: '110000', asOf: parsePlainDate(AS_OF), jurisdiction: 'beijing' });
    expect(again.document.figures).toEqual(document.figures);
  });

  it('prints as PDF with the embedded Fandol faces, every sentence and every figure in it, and downloads again unchanged', async () => {
    const { report, bytes } = await generate('leader', { format: 'pdf' });
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(report.sha256);
    const file = join(dir, 'annual.pdf');
    writeFileSync(file, bytes);

    // Chromium (Skia) embeds the Fandol faces, which are CFF OpenType, as Type 3 fonts: their
    // names are not kept, so what is checked is that every font in the file is embedded.
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) expect(line.split(/\s+/).slice(-5, -4), line).toEqual(['yes']);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)/);

    const text = squeeze(execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }));
    expect(text).toContain(squeeze(document.title));
    for (const b of document.blocks) {
      if (b.kind === 'paragraph') expect(text).toContain(squeeze(b.text));
      if (b.kind === 'heading') expect(text).toContain(squeeze(`${b.number}${b.text}`));
    }
    // The appendix: every figure by its id, the page numbers in the footer.
    const appendix = text.slice(text.indexOf('附件：数据来源与口径说明'));
    for (const f of document.figures) expect(appendix).toContain(`${f.id}`);
    expect(appendix).toContain(`F${document.figures.length}`);
    expect(text).toContain('—1—');

    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'p1')]);
    mkdirSync(dirname(ARTIFACT), { recursive: true });
    copyFileSync(join(dir, 'p1.png'), ARTIFACT);

    const again = await fetch(`${app.base}${report.download}`, { headers: headers.get('leader') });
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    expect(again.headers.get('content-type')).toBe('application/pdf');
  }, 120_000);

  it('writes Word with A4, the GB/T 9704 margins and grid, the faces by name, numbered headings and page numbers', async () => {
    const { report, bytes } = await generate('leader', { format: 'docx' });
    const file = join(dir, 'annual.docx');
    writeFileSync(file, bytes);
    const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    // 37, 35, 28 and 26 mm in twips.
    const margins = /<w:pgMar [^>]*>/.exec(xml)![0];
    for (const [side, twips] of [['top', 2098], ['bottom', 1984], ['left', 1587], ['right', 1474]] as const) expect(margins).toContain(`w:${side}="${twips}"`);
    const grid = /<w:docGrid [^>]*>/.exec(xml)![0];
    expect(grid).toContain('w:type="linesAndChars"');
    expect(grid).toContain('w:linePitch="579"');
    expect(xml).toContain('w:eastAsia="仿宋"');
    expect(xml).toContain('w:eastAsia="宋体"');
    expect(xml).toContain('w:eastAsia="黑体"');
    expect(xml).toContain('w:eastAsia="楷体"');
    expect(xml).toContain('<w:sz w:val="44"/>'); // the title at 二号
    expect(xml).toMatch(/<w:pStyle w:val="Heading1"\/>.*?一、信访事项的数据统计和分析/s);
    expect(xml).toMatch(/<w:pStyle w:val="Heading2"\/>.*?（一）信访总量/s);
    const footer = execFileSync('unzip', ['-p', file, 'word/footer1.xml'], { encoding: 'utf8' });
    expect(footer).toContain('PAGE');
    const images = execFileSync('unzip', ['-l', file], { encoding: 'utf8' });
    expect(images).toMatch(/word\/media\/.*\.png/);
    expect(report.format).toBe('docx');
  }, 60_000);

  it("keeps each rendering as a version of its own, lists a region's reports to its users only, and refuses a region outside", async () => {
    const first = await generate('leader-chaoyang', { format: 'html' });
    const second = await generate('leader-chaoyang', { format: 'html' });
    expect(first.report.regionCode).toBe('110105');
    expect(second.report.version).toBe(first.report.version + 1);
    const html = first.bytes.toString('utf8');
    expect(html).toContain('朝阳区2025年度信访工作情况报告');
    expect(html).toContain('@page { size: A4; margin: 37mm 26mm 35mm 28mm; }');
    expect(html).toContain('<h3>（一）信访总量</h3>');

    const mine = (await (await call('leader-chaoyang', 'GET', '/reports')).json()) as { reports: Created[] };
    expect(mine.reports.map((r) => r.regionCode)).toEqual(['110105', '110105']);
    const city = (await (await call('leader', 'GET', '/reports')).json()) as { reports: Created[] };
    expect(city.reports.length).toBeGreaterThanOrEqual(4);
    const cityReport = city.reports.find((r) => r.regionCode === '110000')!;
    expect((await fetch(`${app.base}${cityReport.download}`, { headers: headers.get('leader-chaoyang') })).status).toBe(404);

    const outside = await call('analyst-chaoyang', 'POST', '/reports', { kind: 'annual', year: YEAR, region: '110108', format: 'html' });
    expect(outside.status).toBe(403);
    expect(((await outside.json()) as { code: string }).code).toBe('outside_jurisdiction');
    const wrong = await call('leader', 'POST', '/reports', { kind: 'annual', year: YEAR, format: 'odt' });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { problems: { at: string }[] }).problems[0]!.at).toBe('format');
    expect((await call('officer-education', 'POST', '/reports', { kind: 'annual', year: YEAR, format: 'html' })).status).toBe(403);
  }, 60_000);
});
