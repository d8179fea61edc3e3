/**
 * Report batches (issue 16) on the real Temporal servers: the city's and every district's
 * annual reports as one workflow through the API, its progress item by item and every report
 * stored; a rendering that cannot be made (no Chromium at the path the system is given) failing
 * after its retries and made by retryFailed once Chromium is there, without the others being
 * made again; and the report Schedules on the Temporal CLI dev server (the time-skipping server
 * has no Schedules), whose arguments, run as the Schedule would run them, take their period
 * from the workflow's start.
 */
import { existsSync, rmSync, symlinkSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { loadDemoData } from '../../analytics/demo-data.js';
import { findBatch } from '../../analytics/reports/batch-store.js';
import { generateReport } from '../../analytics/reports/generate.js';
import { findReport, reportBytes } from '../../analytics/reports/report-store.js';
import { chinaDateOf, type PlainDate } from '../../rules/plain-date.js';
import { ensureReportSchedules, REPORT_SCHEDULES, reportScheduleId } from '../../server/report-schedules.js';
import { reportBatchProgressQuery, reportBatchWorkflow, RETRY_WINDOW_MS, type ReportBatchInput, type ReportBatchProgress } from '../../workflows/report-batch.js';
import { startApiApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';
import { temporalCliPath } from '../support/tools.js';

// Where this process's reports look for Chromium (server/pdf.ts reads it when loaded): nothing
// there until the test "installs" it, as an operator would, by linking Debian's.
const CHROMIUM_AT = vi.hoisted(() => {
  const path = `/tmp/xinfang-batch-chromium-${process.pid}`;
  process.env.XINFANG_CHROMIUM = path;
  return path;
});

const t = timeSkippingSuite();
const YEAR = 2025;
const NOW = new Date('2026-01-31T04:00:00Z');

beforeAll(async () => {
  rmSync(CHROMIUM_AT, { force: true });
  await seedUsers(t.store);
  await loadDemoData(t.store, { anchorMonth: '2026-01', jurisdiction: 'beijing', cases: 3000, months: 24 });
}, 180_000);
afterAll(() => rmSync(CHROMIUM_AT, { force: true }));

const codes = z.object({ code: z.string() });
/** The city and its districts as the regions table has them: what a city's batch must cover. */
const cityAndDistricts = async () =>
  (await t.store.all(codes, "SELECT code FROM regions WHERE (level = 'city' AND jurisdiction = 'beijing') OR parent_code = '110000' ORDER BY code")).map((r) => r.code);

const reportsOf = async (asOf: string, format: string) =>
  t.store.all(z.object({ region: z.string(), version: z.number(), n: z.number() }), `SELECT region_code AS region, max(version)::INTEGER AS version, count(*)::INTEGER AS n FROM reports WHERE as_of = $asOf::DATE AND format = $format GROUP BY ALL ORDER BY region`, { asOf, format });

async function caller(base: string, username: string) {
  const headers = await tokenHeaders(t.store, username);
  return async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

/** The batch's counts agree with its items, and no more than two run at once. */
function consistent(p: ReportBatchProgress): void {
  const by = (s: string) => p.items.filter((i) => i.status === s).length;
  expect([p.pending, p.running, p.done, p.failed]).toEqual([by('pending'), by('running'), by('done'), by('failed')]);
  expect(p.pending + p.running + p.done + p.failed).toBe(p.total);
  expect(p.running).toBeLessThanOrEqual(2);
}

describe('a batch of annual reports', () => {
  it('makes the city’s and every district’s report through the API, with its progress right and every report stored', async () => {
    await t.withWorker(async (taskQueue) => {
      const app = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue, now: () => NOW });
      try {
        const leader = await caller(app.base, 'leader');
        const chaoyang = await caller(app.base, 'leader-chaoyang');
        // A district's user may not start a batch of every district; bad periods and formats are refused, naming the field.
        expect(await chaoyang('POST', '/reports/batches', { kind: 'annual', year: YEAR, formats: ['html'] })).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
        expect((await leader('POST', '/reports/batches', { kind: 'annual', year: YEAR, formats: ['html'], asOf: '2026-02-01' })).body).toMatchObject({ problems: [{ at: 'asOf' }] });
        expect((await leader('POST', '/reports/batches', { kind: 'annual', year: 2027, formats: ['html'] })).body).toMatchObject({ problems: [{ at: 'asOf' }] });
        expect((await leader('POST', '/reports/batches', { kind: 'annual', year: YEAR, quarter: 2, formats: ['html'] })).status).toBe(400);
        expect((await leader('POST', '/reports/batches', { kind: 'quarterly', year: YEAR, formats: ['html'] })).body).toMatchObject({ problems: [{ at: 'quarter' }] });
        expect((await leader('POST', '/reports/batches', { kind: 'annual', year: YEAR, formats: ['html', 'html'] })).status).toBe(400);

        const started = await leader('POST', '/reports/batches', { kind: 'annual', year: YEAR, formats: ['html'] });
        expect(started).toMatchObject({ status: 202, body: { kind: 'annual', year: YEAR, asOf: '2026-01-31', region: '110000', formats: ['html'] } });
        const batchId = String(started.body.batchId);
        expect(batchId).toMatch(/^RB-20260131-[0-9A-F]{8}$/);

        let progress: ReportBatchProgress | null = null;
        for (let i = 0; i < 600 && progress?.phase !== 'closed'; i++) {
          const answer = await leader('GET', `/reports/batches/${batchId}`);
          expect(answer.status).toBe(200);
          progress = answer.body.progress as ReportBatchProgress | null;
          if (progress && progress.phase !== 'planning') consistent(progress);
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(progress).toMatchObject({ phase: 'closed', kind: 'annual', year: YEAR, asOf: '2026-01-31', origin: 'api', requestedBy: 'leader', failed: 0, running: 0, pending: 0 });
        const regions = await cityAndDistricts();
        expect(regions).toHaveLength(17);
        expect(progress!.total).toBe(17);
        expect(progress!.done).toBe(17);
        expect(progress!.items.map((i) => i.region)).toEqual(regions);

        // Two at a time, from the workflow's own history: reports scheduled and not yet finished never exceed two.
        const { events } = await t.env.client.workflow.getHandle(batchId).fetchHistory();
        let inFlight = 0;
        let most = 0;
        const generating = new Set<string>();
        for (const e of events ?? []) {
          if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'generateStoredReport') {
            generating.add(String(e.eventId));
            most = Math.max(most, ++inFlight);
          }
          const ended = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
          if (ended && generating.has(String(ended.scheduledEventId))) inFlight--;
        }
        expect([generating.size, most, inFlight]).toEqual([17, 2, 0]);

        // Every item is a stored report of its region, as the item says; and the same as one generated alone.
        for (const item of progress!.items) {
          expect(item).toMatchObject({ status: 'done', format: 'html', version: 1, attempts: 1 });
          const stored = await findReport(t.store, item.reportId!);
          expect(stored).toMatchObject({ kind: 'annual', regionCode: item.region, asOf: '2026-01-31', format: 'html', version: 1, requestedBy: 'leader', sha256: item.sha256, parameters: { year: YEAR } });
        }
        expect(await reportsOf('2026-01-31', 'html')).toEqual(regions.map((region) => ({ region, version: 1, n: 1 })));
        const chaoyangItem = progress!.items.find((i) => i.region === '110105')!;
        const alone = await generateReport(t.store, { kind: 'annual', year: YEAR, region: '110105', asOf: '2026-01-31' as PlainDate, format: 'html' }, 'beijing');
        // ECharts' server-side renderer numbers its SVG classes per process (zr0-cls-0, zr2-cls-4): all else is the same.
        const unnumbered = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8').replace(/zr\d+-cls-\d+/g, 'zr-cls');
        expect(unnumbered((await reportBytes(t.store, chaoyangItem.reportId!))!)).toBe(unnumbered(alone.bytes));
        expect(Buffer.from((await reportBytes(t.store, chaoyangItem.reportId!))!).toString('utf8')).toContain(alone.document.title);

        // Listed with its counts on record; not the district's to see or retry.
        const listed = await leader('GET', '/reports/batches');
        expect(listed.body.batches).toEqual([expect.objectContaining({ batchId, kind: 'annual', regionCode: '110000', origin: 'api', items: 17, done: 17, failed: 0, closedAt: expect.any(String), progress: null })]);
        expect((await chaoyang('GET', '/reports/batches')).body.batches).toEqual([]);
        expect(await chaoyang('GET', `/reports/batches/${batchId}`)).toMatchObject({ status: 404 });
        expect(await chaoyang('POST', `/reports/batches/${batchId}/retry`)).toMatchObject({ status: 404 });
        expect(await leader('POST', `/reports/batches/${batchId}/retry`)).toMatchObject({ status: 409, body: { error: expect.stringMatching(/has closed/) } });
        expect(await leader('GET', '/reports/batches/RB-20990101-00000000')).toMatchObject({ status: 404 });
        // Another workflow's id is no batch, whether or not it runs.
        expect(await leader('GET', '/reports/batches/early-warning-scan-20260126-0000')).toMatchObject({ status: 404 });
      } finally {
        await app.close();
      }
    });
  }, 300_000);

  it('retries a failed rendering with retryFailed, without making the others again', async () => {
    const AS_OF = '2026-01-30';
    expect(existsSync(CHROMIUM_AT)).toBe(false);
    await t.withWorker(async (taskQueue) => {
      const app = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue, now: () => NOW });
      try {
        const leader = await caller(app.base, 'leader');
        const input: ReportBatchInput = {
          jurisdiction: 'beijing',
          kind: 'annual',
          year: YEAR,
          formats: ['html', 'pdf'],
          regions: ['110105', '110108'],
          asOf: AS_OF,
          requestedBy: { username: 'analyst', role: 'analyst' },
          origin: 'test',
        };
        const handle = await t.env.client.workflow.start(reportBatchWorkflow, { workflowId: 'RB-test-retry', taskQueue, args: [input] });
        // The PDFs fail at once and wait out their retry policy's backoffs: skip over those.
        let progress = await handle.query(reportBatchProgressQuery);
        for (let i = 0; i < 200 && progress.phase !== 'awaiting-retry'; i++) {
          await t.env.sleep('20 seconds');
          progress = await handle.query(reportBatchProgressQuery);
          if (progress.phase !== 'planning') consistent(progress);
        }
        const started = Date.parse(progress.retryUntil!) - RETRY_WINDOW_MS;
        expect(progress).toMatchObject({ phase: 'awaiting-retry', region: '110000', total: 4, done: 2, failed: 2 });
        expect(started).toBeLessThanOrEqual(await t.env.currentTimeMs());
        const html = progress.items.filter((i) => i.format === 'html');
        expect(html.map((i) => [i.region, i.status, i.version, i.attempts])).toEqual([
          ['110105', 'done', 1, 1],
          ['110108', 'done', 1, 1],
        ]);
        for (const item of progress.items.filter((i) => i.format === 'pdf')) {
          // Four attempts: the policy's (workflows/retry-policies.ts REPORT_GENERATION).
          expect(item).toMatchObject({ status: 'failed', errorType: 'RenderingUnavailable', attempts: 4, error: expect.stringContaining(`${CHROMIUM_AT} is missing`) });
          expect(item.reportId).toBeUndefined();
        }
        expect(await reportsOf(AS_OF, 'pdf')).toEqual([]);
        // The record's region is the batch's; the city's leader sees its progress.
        expect(await findBatch(t.store, 'RB-test-retry')).toMatchObject({ regionCode: '110000', origin: 'test', items: 4, closedAt: null });
        expect((await leader('GET', '/reports/batches/RB-test-retry')).body.progress).toMatchObject({ failed: 2 });

        // The operator installs Chromium; a user asks for the failed items again.
        symlinkSync('/usr/bin/chromium', CHROMIUM_AT);
        expect(await leader('POST', '/reports/batches/RB-test-retry/retry')).toMatchObject({ status: 200, body: { retried: 2 } });
        const result = await handle.result();
        expect(result).toMatchObject({ phase: 'closed', total: 4, done: 4, failed: 0 });
        for (const item of result.items.filter((i) => i.format === 'pdf')) {
          expect(item).toMatchObject({ status: 'done', version: 1, attempts: 5 });
          expect(item.error).toBeUndefined();
          expect(Buffer.from((await reportBytes(t.store, item.reportId!))!).subarray(0, 5).toString()).toBe('%PDF-');
        }
        // The HTML reports were not made again: the same ids, one rendering each, version 1.
        expect(result.items.filter((i) => i.format === 'html').map((i) => i.reportId)).toEqual(html.map((i) => i.reportId));
        expect(await reportsOf(AS_OF, 'html')).toEqual([
          { region: '110105', version: 1, n: 1 },
          { region: '110108', version: 1, n: 1 },
        ]);
        expect(await reportsOf(AS_OF, 'pdf')).toEqual([
          { region: '110105', version: 1, n: 1 },
          { region: '110108', version: 1, n: 1 },
        ]);
        expect(await findBatch(t.store, 'RB-test-retry')).toMatchObject({ done: 4, failed: 0, closedAt: expect.any(String) });
      } finally {
        await app.close();
      }
    });
  }, 300_000);

  // As a Schedule starts it: no period, no as-of date, the jurisdiction's city (narrowed here to the city alone, in HTML).
  const scheduled = (kind: ReportBatchInput['kind'], formats: ReportBatchInput['formats']): ReportBatchInput => ({
    jurisdiction: 'beijing',
    kind,
    formats,
    regions: ['110000'],
    requestedBy: { username: 'schedule', role: 'system' },
    origin: 'schedule',
  });

  it('takes its as-of date and period from its start when a Schedule starts it', async () => {
    await t.withWorker(async (taskQueue) => {
      const today = chinaDateOf(new Date(await t.env.currentTimeMs()));
      const year = Number(today.slice(0, 4));
      const month = Number(today.slice(5, 7));
      const lastQuarter = month <= 3 ? { year: year - 1, quarter: 4 } : { year, quarter: Math.ceil(month / 3) - 1 };
      const quarterly = await t.env.client.workflow.execute(reportBatchWorkflow, { workflowId: 'RB-test-quarterly', taskQueue, args: [scheduled('quarterly', ['html'])] });
      expect(quarterly).toMatchObject({ phase: 'closed', region: '110000', asOf: today, year: lastQuarter.year, quarter: lastQuarter.quarter, done: 1, failed: 0 });
      expect(await findReport(t.store, quarterly.items[0]!.reportId!)).toMatchObject({
        kind: 'quarterly',
        regionCode: '110000',
        asOf: today,
        requestedBy: 'schedule',
        parameters: { year: lastQuarter.year, quarter: lastQuarter.quarter },
      });
    });
  });

  it('makes the assessment of the city alone, the year before its start', async () => {
    await t.withWorker(async (taskQueue) => {
      const today = chinaDateOf(new Date(await t.env.currentTimeMs()));
      const { regions: _all, ...wholeCity } = scheduled('assessment', ['html']);
      const assessment = await t.env.client.workflow.execute(reportBatchWorkflow, { workflowId: 'RB-test-assessment', taskQueue, args: [wholeCity] });
      expect(assessment).toMatchObject({ phase: 'closed', region: '110000', asOf: today, year: Number(today.slice(0, 4)) - 1, total: 1, done: 1, items: [{ region: '110000', format: 'html', status: 'done' }] });
      expect(await findReport(t.store, assessment.items[0]!.reportId!)).toMatchObject({ kind: 'assessment', regionCode: '110000', parameters: { year: Number(today.slice(0, 4)) - 1 } });
    });
  });

  it('closes a week after a failure nobody retries, the failure on record', async () => {
    rmSync(CHROMIUM_AT, { force: true });
    await t.withWorker(async (taskQueue) => {
      const today = chinaDateOf(new Date(await t.env.currentTimeMs()));
      const annual = await t.env.client.workflow.execute(reportBatchWorkflow, { workflowId: 'RB-test-unretried', taskQueue, args: [scheduled('annual', ['pdf'])] });
      expect(annual).toMatchObject({ phase: 'closed', asOf: today, year: Number(today.slice(0, 4)) - 1, quarter: null, done: 0, failed: 1, items: [{ status: 'failed', errorType: 'RenderingUnavailable', attempts: 4 }] });
      const record = (await findBatch(t.store, 'RB-test-unretried'))!;
      expect(record).toMatchObject({ origin: 'schedule', items: 1, done: 0, failed: 1, closedAt: expect.any(String) });
      expect(Date.parse(record.closedAt!) - Date.parse(record.startedAt)).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    });
  });
});

describe('the report Schedules', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: temporalCliPath() }, ip: '127.0.0.1' } });
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('exist once each, in China time, for the period just ended, after ensureReportSchedules', async () => {
    const first = await ensureReportSchedules(env.client, 'reports-q', 'beijing');
    expect(first).toEqual({ created: 3, kinds: ['annual', 'quarterly', 'assessment'], notMade: [] });
    const expected: Record<string, { months: string[]; day: number }> = {
      annual: { months: ['JANUARY'], day: 5 },
      quarterly: { months: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'], day: 10 },
      assessment: { months: ['JANUARY'], day: 31 },
    };
    for (const { kind } of REPORT_SCHEDULES) {
      const schedule = await env.client.schedule.getHandle(reportScheduleId(kind)).describe();
      expect(schedule.spec.timezone).toBe('Asia/Shanghai');
      const [calendar] = schedule.spec.calendars!;
      expect(calendar!.month.flatMap((r) => [r.start, r.end])).toEqual(expected[kind]!.months.flatMap((m) => [m, m]));
      expect(calendar!.dayOfMonth).toEqual([{ start: expected[kind]!.day, end: expected[kind]!.day, step: 1 }]);
      expect(calendar!.hour).toEqual([{ start: 8, end: 8, step: 1 }]);
      expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reportBatchWorkflow', workflowId: `RB-${kind}`, taskQueue: 'reports-q' });
      if (schedule.action.type !== 'startWorkflow') throw new Error('not a workflow start');
      expect(schedule.action.args).toEqual([{ jurisdiction: 'beijing', kind, formats: ['docx', 'pdf'], requestedBy: { username: 'schedule', role: 'system' }, origin: 'schedule' }]);
      // The next run: 08:00 China time (00:00 UTC) on the day, in one of the months.
      const next = schedule.info.nextActionTimes[0]!;
      expect(next.toISOString()).toMatch(new RegExp(`T00:00:00\\.000Z$`));
      expect(next.getUTCDate()).toBe(expected[kind]!.day);
      expect(expected[kind]!.months).toContain(next.toLocaleString('en', { month: 'long', timeZone: 'UTC' }).toUpperCase());
      expect(next.getTime()).toBeGreaterThan(Date.now());
    }
    expect(await ensureReportSchedules(env.client, 'reports-q', 'beijing')).toEqual({ created: 0, kinds: ['annual', 'quarterly', 'assessment'], notMade: [] });
  });
});
