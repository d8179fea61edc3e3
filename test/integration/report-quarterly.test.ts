/**
 * The quarterly analysis (季度信访形势分析, Xianning measures art. 7): every figure against the
 * metrics layer's own answer (环比 and 同比 alike), the emerging fields against a count of
 * case_facts worked out here, the warnings against the alerts a real scan raised as they stood
 * on the as-of date, sentences left out when the periods compared have no data, a quarter still
 * running said so, and the report through the API (PDF text, Word XML, stored bytes downloaded
 * again unchanged) and `xinfang report quarterly --db`. The first PDF page is kept as
 * test/artifacts/report-quarterly-p1.png.
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
import { loadDemoData } from '../../analytics/demo-data.js';
import { decideAlert } from '../../analytics/early-warning/alerts.js';
import { runScan } from '../../analytics/early-warning/scan.js';
import { compareMetrics } from '../../analytics/metrics/compare.js';
import { EMERGING_LIMIT, EMERGING_MIN_GROWTH, EMERGING_MIN_INCREASE } from '../../analytics/metrics/quarterly.js';
import { queryMetrics, type DimensionValues } from '../../analytics/metrics/query.js';
import type { ReportDocument } from '../../analytics/reports/document.js';
import { quarterlyReportDocument, QUARTERLY_TEMPLATE } from '../../analytics/reports/quarterly-report.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { parsePlainDate } from '../../rules/plain-date.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';

const ARTIFACT = fileURLToPath(new URL('../artifacts/report-quarterly-p1.png', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const AS_OF = '2025-10-31';

let store: AnalyticsStore;
let app: RunningApp;
let dir: string;
let leader: Record<string, string>;
/** The alert first recorded after the as-of date, one acknowledged before it and one dismissed after it. */
let late: string;
let acknowledged: string;
let dismissedLater: string;

const alertIds = z.object({ alert_id: z.string() });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xinfang-report-quarterly-'));
  store = await AnalyticsStore.open(':memory:');
  await seedUsers(store);
  await loadDemoData(store, { anchorMonth: '2026-01', jurisdiction: 'beijing', cases: 3000, months: 24 });
  // The thirteen weeks of 2025 Q3 scanned at once; a weekly scan would have recorded each alert
  // the Monday after its first week, and the latest one only after the as-of date.
  const scan = await runScan(store, { scanId: 'quarterly-test', trigger: 'test', week: parsePlainDate('2025-09-29'), weeks: 13 });
  expect(scan.raised).toBeGreaterThanOrEqual(4);
  await store.run("UPDATE alerts SET first_seen = CAST(first_period AS TIMESTAMPTZ) + INTERVAL 7 DAY, last_seen = CAST(period AS TIMESTAMPTZ) + INTERVAL 7 DAY");
  const ids = (await store.all(alertIds, 'SELECT alert_id FROM alerts ORDER BY first_period DESC, alert_id')).map((r) => r.alert_id);
  [late, acknowledged, dismissedLater] = ids as [string, string, string];
  await store.run("UPDATE alerts SET first_seen = TIMESTAMPTZ '2025-11-05 09:00:00+08' WHERE alert_id = $id", { id: late });
  await decideAlert(store, acknowledged, { status: 'acknowledged', actor: 'test', reason: '已核实', at: new Date('2025-10-20T02:00:00Z') });
  await decideAlert(store, dismissedLater, { status: 'dismissed', actor: 'test', reason: '误报', at: new Date('2025-11-20T02:00:00Z') });
  leader = await tokenHeaders(store, 'leader');
  app = await startApiApp({ store });
}, 180_000);

afterAll(async () => {
  await app?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sameDims = (a: DimensionValues, b: DimensionValues) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
const squeeze = (s: string) => s.replace(/\s+/g, '');
const textOf = (doc: ReportDocument) => doc.blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : [])).join('');
const percent = (x: number) => `${(Math.abs(x) * 100).toFixed(1)}%`;

/** Every figure is the metrics layer's answer to the figure's own request: the value, or its 环比 or 同比 change. */
async function expectTraced(doc: ReportDocument): Promise<void> {
  for (const f of doc.figures) {
    const request = { ...f.request, measures: [f.measure] };
    const label = `${f.id} ${f.measure} ${JSON.stringify(f.dims)} at ${f.place}`;
    if (f.derivation === 'value') {
      const row = (await queryMetrics(store, request)).find((r) => sameDims(r.dims, f.dims));
      expect(row?.value, label).toBe(f.value);
    } else {
      const row = (await compareMetrics(store, request, f.against!)).find((r) => sameDims(r.dims, f.dims));
      expect(f.derivation === 'change' ? row?.change : row?.relative, label).toBe(f.value);
    }
  }
  // The appendix lists every figure once, in order.
  const sources = doc.appendix.find((b) => b.kind === 'table' && b.caption === '表A2 数字来源');
  expect(sources?.kind === 'table' && sources.rows.map((r) => r[0])).toEqual(doc.figures.map((f) => f.id));
}

const fieldRow = z.object({ field: z.string(), n: z.number() });
/** Cases by field received in [from, to] and by the as-of date, counted here from case_facts. */
async function casesByField(from: string, to: string, asOf: string): Promise<Map<string, number>> {
  const rows = await store.all(
    fieldRow,
    `SELECT field, count(*)::DOUBLE AS n FROM case_facts
      WHERE received_date BETWEEN CAST($from AS DATE) AND CAST($to AS DATE) AND received_date <= CAST($asOf AS DATE) AND field IS NOT NULL GROUP BY field`,
    { from, to, asOf },
  );
  return new Map(rows.map((r) => [r.field, r.n]));
}

let document: ReportDocument;

describe('the quarterly analysis', () => {
  it('is made of the metrics layer’s figures against the quarter before and a year before, every one traced', async () => {
    ({ document } = await quarterlyReportDocument(store, { year: 2025, quarter: 3, region: '110000', asOf: parsePlainDate(AS_OF), jurisdiction: 'beijing' }));
    expect(document.title).toBe('北京市2025年第三季度信访形势分析');
    expect(document.subtitle).toBe('（统计期间：2025年7月1日至9月30日；数据截至2025年10月31日）');
    expect(document.meta).toMatchObject({ from: '2025-07-01', to: '2025-09-30', asOf: AS_OF, template: QUARTERLY_TEMPLATE });
    const headings = document.blocks.flatMap((b) => (b.kind === 'heading' && b.level === 1 ? [`${b.number}${b.text}`] : []));
    expect(headings).toEqual(['一、总体情况', '二、突出问题和新情况', '三、集体访和重复访', '四、预警']);
    expect(document.figures.length).toBeGreaterThan(100);
    expect(new Set(document.figures.flatMap((f) => (f.against ? [f.against] : [])))).toEqual(new Set(['pop', 'yoy']));
    await expectTraced(document);

    // The headline, worked out here: Q2 as it stood as many days into it, Q3 2024 as of a year before.
    const period = { measures: ['cases'] as const, from: parsePlainDate('2025-07-01'), to: parsePlainDate('2025-09-30'), asOf: parsePlainDate(AS_OF), region: '110000' };
    const [pop] = await compareMetrics(store, period, 'pop');
    const [yoy] = await compareMetrics(store, period, 'yoy');
    const text = textOf(document);
    expect(text).toContain(`2025年第三季度，北京市共登记信访事项${pop!.current.value}件`);
    const way = (x: number, up: string, down: string) => (x > 0 ? up : down);
    expect(text).toContain(`信访总量环比${way(pop!.relative!, '上升', '下降')}${percent(pop!.relative!)}（上季度${pop!.previous!.value}件）`);
    if (yoy!.relative) expect(text).toContain(`同比${way(yoy!.relative, '上升', '下降')}${percent(yoy!.relative)}（上年同期${yoy!.previous!.value}件）`);
    expect(text).not.toContain('工作建议');

    // Emerging fields by the definition, from counts of case_facts: Q2 as of 1 August (91 days back), Q3 2024 as of a year before.
    const [now, before, yearBefore] = await Promise.all([
      casesByField('2025-07-01', '2025-09-30', AS_OF),
      casesByField('2025-04-01', '2025-06-30', '2025-08-01'),
      casesByField('2024-07-01', '2024-09-30', '2024-10-31'),
    ]);
    const expected = [...now]
      .map(([field, n]) => ({ field, n, pop: n - (before.get(field) ?? 0), yoy: n - (yearBefore.get(field) ?? 0), base: yearBefore.get(field) ?? 0 }))
      .filter((e) => e.yoy >= EMERGING_MIN_INCREASE && (e.base === 0 || e.yoy / e.base >= EMERGING_MIN_GROWTH) && e.pop > 0)
      .sort((a, b) => b.yoy - a.yoy || b.pop - a.pop || a.field.localeCompare(b.field))
      .slice(0, EMERGING_LIMIT);
    const table = document.blocks.find((b) => b.kind === 'table' && b.caption === '表1 新增突出的领域');
    if (expected.length) {
      expect(table?.kind === 'table' && table.rows.map((r) => [r[0], r[1], r[2], r[4]])).toEqual(
        expected.map((e) => [e.field, String(e.n), String(before.get(e.field) ?? '—'), String(yearBefore.get(e.field) ?? '—')]),
      );
      expect(text).toContain(`新增突出的领域有：${expected[0]!.field}（${expected[0]!.n}件`);
    } else {
      expect(table).toBeUndefined();
      expect(text).toContain('按上述标准，本季度没有新增突出的领域。');
    }
    expect(text).toContain(`增加${EMERGING_MIN_INCREASE}件以上、增幅在${Math.round(EMERGING_MIN_GROWTH * 100)}%以上`);
  });

  it('lists the alerts first raised in the quarter as they stood on the as-of date', async () => {
    const raised = await store.all(
      alertIds,
      `SELECT alert_id FROM alerts WHERE first_period BETWEEN DATE '2025-07-01' AND DATE '2025-09-30' AND first_seen < TIMESTAMPTZ '2025-11-01 00:00:00+08'`,
    );
    expect(raised.length).toBeGreaterThanOrEqual(3);
    expect(textOf(document)).toContain(`本季度首次发出预警${raised.length}条`);
    const table = document.blocks.find((b) => b.kind === 'table' && b.caption.startsWith('表4 本季度预警'));
    if (table?.kind !== 'table') throw new Error('no table of alerts');
    expect(table.rows.map((r) => r[0]).sort()).toEqual(raised.map((r) => r.alert_id).sort());
    const status = new Map(table.rows.map((r) => [r[0], r[6]]));
    expect(status.has(late)).toBe(false);
    expect(status.get(acknowledged)).toBe('已确认');
    // Dismissed after the as-of date: open on it.
    expect(status.get(dismissedLater)).toBe('待处理');
    expect(document.appendix.some((b) => b.kind === 'heading' && b.text === '预警来源')).toBe(true);
  });

  it('leaves out the comparisons and the emerging judgement when the periods compared have no data', async () => {
    const { document: first } = await quarterlyReportDocument(store, { year: 2024, quarter: 1, region: '110000', asOf: parsePlainDate('2024-04-30'), jurisdiction: 'beijing' });
    await expectTraced(first);
    expect(first.figures.every((f) => f.derivation === 'value')).toBe(true);
    const text = textOf(first);
    const [cases] = await queryMetrics(store, { measures: ['cases'], from: parsePlainDate('2024-01-01'), to: parsePlainDate('2024-03-31'), asOf: parsePlainDate('2024-04-30'), region: '110000' });
    expect(text).toContain(`共登记信访事项${cases!.value}件`);
    expect(text).not.toMatch(/环比|同比/);
    expect(text).toContain('不作新增突出的判断');
    expect(first.blocks.some((b) => b.kind === 'table' && b.caption.startsWith('表1'))).toBe(false);
    expect(text).toContain('截至2024年4月30日，本季度没有首次发出的预警。');
  });

  it('says a quarter still running is incomplete, and compares it with equal spans of the periods before', async () => {
    const { document: running, dataset } = await quarterlyReportDocument(store, { year: 2025, quarter: 4, region: '110105', asOf: parsePlainDate('2025-11-15'), jurisdiction: 'beijing' });
    expect(dataset.complete).toBe(false);
    expect(running.title).toBe('朝阳区2025年第四季度信访形势分析');
    expect(running.subtitle).toBe('（统计期间：2025年10月1日至12月31日；本季度尚未结束，数据截至2025年11月15日）');
    expect(textOf(running)).toContain('本季度截至2025年11月15日尚未结束');
    const chart = running.blocks.find((b) => b.kind === 'chart' && b.caption.startsWith('图1'));
    expect(chart?.kind === 'chart' && chart.chart.categories).toEqual(['10月', '11月']);
    // The quarter before as it stood 92 days earlier, 15 August: the same span of it.
    const pop = running.figures.find((f) => f.measure === 'cases' && f.request.to === '2025-09-30' && Object.keys(f.dims).length === 0);
    expect(pop?.request).toMatchObject({ from: '2025-07-01', asOf: '2025-08-15' });
    await expectTraced(running);
  });

  it('prints as PDF and Word through the API, kept and downloaded again unchanged, and refuses a quarter not begun', async () => {
    const post = (body: Record<string, unknown>) =>
      fetch(`${app.base}/api/v1/reports`, { method: 'POST', headers: { ...leader, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'quarterly', year: 2025, quarter: 3, asOf: AS_OF, ...body }) });
    const res = await post({ format: 'pdf' });
    expect(res.status, await res.clone().text()).toBe(201);
    const report = (await res.json()) as { download: string; sha256: string; figures: number; regionCode: string };
    expect(report.regionCode).toBe('110000');
    expect(report.figures).toBe(document.figures.length);
    const bytes = Buffer.from(await (await fetch(`${app.base}${report.download}`, { headers: leader })).arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(report.sha256);
    const pdf = join(dir, 'quarterly.pdf');
    writeFileSync(pdf, bytes);
    const text = squeeze(execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }));
    expect(text).toContain(squeeze(document.title));
    for (const b of document.blocks) {
      if (b.kind === 'paragraph') expect(text).toContain(squeeze(b.text));
      if (b.kind === 'heading') expect(text).toContain(squeeze(`${b.number}${b.text}`));
    }
    const appendix = text.slice(text.indexOf('附件：数据来源与口径说明'));
    expect(appendix).toContain(`F${document.figures.length}`);
    expect(appendix).toContain('三、预警来源');
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf, join(dir, 'p1')]);
    copyFileSync(join(dir, 'p1.png'), ARTIFACT);
    const again = Buffer.from(await (await fetch(`${app.base}${report.download}`, { headers: leader })).arrayBuffer());
    expect(again.equals(bytes)).toBe(true);

    const word = await post({ format: 'docx', region: '110105' });
    expect(word.status).toBe(201);
    const docx = join(dir, 'quarterly.docx');
    writeFileSync(docx, Buffer.from(await (await fetch(`${app.base}${((await word.json()) as { download: string }).download}`, { headers: leader })).arrayBuffer()));
    const xml = execFileSync('unzip', ['-p', docx, 'word/document.xml'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(xml).toContain('朝阳区2025年第三季度信访形势分析');
    expect(xml).toMatch(/<w:pStyle w:val="Heading1"\/>.*?三、集体访和重复访/s);

    const problem = async (r: Response) => ((await r.json()) as { problems: { at: string; problem: string }[] }).problems[0]!;
    const fifth = await post({ quarter: 5, format: 'html' });
    expect(fifth.status).toBe(400);
    expect((await problem(fifth)).at).toBe('quarter');
    const early = await post({ year: 2026, quarter: 1, asOf: '2025-12-31', format: 'html' });
    expect(early.status).toBe(400);
    expect(await problem(early)).toMatchObject({ at: 'asOf', problem: expect.stringContaining('2026-01-01') });
  }, 120_000);

  it('is written from a database file by xinfang report quarterly --db', async () => {
    const file = join(dir, 'copy.duckdb');
    const copy = await AnalyticsStore.open(file);
    await loadDemoData(copy, { anchorMonth: '2026-01', jurisdiction: 'beijing', cases: 1000, months: 24 });
    copy.close();
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [join(root, 'bin/xinfang.js'), 'report', 'quarterly', ...args], { maxBuffer: 64 << 20 }).then(
        (r) => ({ ...r, code: 0 }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const out = join(dir, 'q.html');
    const made = await run(['--year', '2025', '--quarter', '3', '--region', '110108', '--as-of', AS_OF, '--format', 'html', '--out', out, '--db', file]);
    expect(made.stderr).toBe('');
    expect(made.stdout).toMatch(/q\.html: quarterly report, html, \d+ bytes/);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('海淀区2025年第三季度信访形势分析');
    expect(html).toContain('一、总体情况');
    const wrong = await run(['--year', '2025', '--quarter', '0', '--format', 'html', '--out', out, '--db', file]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--quarter:');
  }, 120_000);
});
