/**
 * The early-warning scan on the real time-skipping Temporal test server: the workflow writes
 * alerts and its record through its activity, and the API starts a scan, reports it, lists
 * the alerts and takes one decision per alert.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { getScan, listAlerts } from '../../analytics/early-warning/alerts.js';
import { startApiApp } from '../support/api-app.js';
import { earlyWarningScanWorkflow } from '../../workflows/early-warning.js';
import { as, seedUsers, tokenHeaders } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();
const XINFANG = fileURLToPath(new URL('../../bin/xinfang.js', import.meta.url));

/**
 * Chaoyang (110105), labour (劳动社保) visits, on the Monday of each week from 2025-02-10:
 * 10,12 alternating for 36 weeks, then 40 in the week of 2025-10-20. The scan's default EARS C3
 * (published alarm, 28-week baseline) sees 40 far above the baseline; the city does too.
 */
const WEEKS = [...Array.from({ length: 36 }, (_, i) => (i % 2 ? 12 : 10)), 40];
beforeAll(async () => {
  await seedUsers(t.store);
  await t.store.transaction(async (conn) => {
    await conn.run(
      `INSERT INTO case_facts (case_id, jurisdiction, received_date, channel, region_code, field, petition_class, collective_size)
       SELECT 'EW-' || w || '-' || i, 'beijing', DATE '2025-02-10' + CAST(7 * w AS INTEGER), 'visit', '110105', '劳动社保', 'claim', 1
         FROM (SELECT unnest(range(${WEEKS.length})) AS w) JOIN (SELECT unnest(range(100)) AS i) ON TRUE
        WHERE i < ([${WEEKS.join(', ')}])[w + 1]`,
    );
  });
});

const listen = (taskQueue: string, today: string) =>
  startApiApp({ store: t.store, temporal: t.env.client, taskQueue, now: () => new Date(`${today}T04:00:00Z`) });

describe('the early-warning scan workflow', () => {
  it('scans a week and writes its alerts and record through the activity', async () => {
    await t.withWorker(async (taskQueue) => {
      const summary = await t.env.client.workflow.execute(earlyWarningScanWorkflow, {
        workflowId: 'early-warning-scan-test-1',
        taskQueue,
        args: [{ trigger: 'test', week: '2025-10-20' }],
      });
      expect(summary).toMatchObject({ scanId: 'early-warning-scan-test-1', weekFrom: '2025-10-20', weekTo: '2025-10-20' });
      expect(summary.raised).toBeGreaterThan(0);
      const alerts = await listAlerts(t.store, { kind: 'count-aberration' });
      const keys = alerts.map((a) => `${a.level} ${a.region_code} ${a.field ?? '*'} ${a.channel ?? '*'} ${a.petition_class ?? '*'} ${a.observed}`);
      expect(keys).toContain('district 110105 * * * 40');
      expect(keys).toContain('district 110105 劳动社保 visit claim 40');
      expect(keys).toContain('city 110000 劳动社保 * * 40');
      for (const a of alerts) {
        expect(a).toMatchObject({ method: 'ears-c3', period: '2025-10-20', run_length: 1, status: 'open', scan_id: 'early-warning-scan-test-1' });
        expect(a.expected).toBeGreaterThan(10);
        expect(a.expected).toBeLessThan(12);
      }
      expect(await getScan(t.store, 'early-warning-scan-test-1')).toMatchObject({ trigger: 'test', alerts_raised: summary.raised });
    });
  });

  it('through the API: start a scan, follow it, list its alerts, decide once', async () => {
    await t.withWorker(async (taskQueue) => {
      const { base, close } = await listen(taskQueue, '2025-10-29');
      try {
        const chaoyang = await as(base, 'leader-chaoyang');
        const city = await as(base, 'leader');
        expect((await chaoyang('/early-warning/scans', { week: '2025-10-27' })).body).toMatchObject({ error: expect.stringMatching(/has not ended/) });
        expect((await chaoyang('/early-warning/scans', { week: '2025-10-21' })).status).toBe(400); // not a Monday
        expect((await chaoyang('/early-warning/scans', { week: '0000-01-03' })).status).toBe(400);
        // Default: the last week that has ended, 20-26 October.
        const started = await chaoyang('/early-warning/scans', {});
        expect(started).toMatchObject({ status: 202, body: { week: '2025-10-20', weeks: 1 } });
        const scanId = String(started.body.scanId);
        let scan = await chaoyang(`/early-warning/scans/${scanId}`);
        for (let i = 0; i < 200 && scan.body.status !== 'finished'; i++) {
          await new Promise((r) => setTimeout(r, 50));
          scan = await chaoyang(`/early-warning/scans/${scanId}`);
        }
        // The week was scanned before (test above): the same alerts continue, none is new.
        expect(scan.body).toMatchObject({ status: 'finished', scan_id: scanId, trigger: 'api', week_to: '2025-10-20', alerts_raised: 0 });
        expect(Number(scan.body.alerts_continued)).toBeGreaterThan(0);

        const listed = await chaoyang('/early-warning/alerts?status=open&level=district&region=110105');
        const alerts = listed.body.alerts as Array<{ alert_id: string; last_scan_id: string }>;
        expect(alerts.length).toBeGreaterThan(0);
        expect(alerts.every((a) => a.last_scan_id === scanId)).toBe(true);
        expect((await chaoyang('/early-warning/alerts?level=province')).status).toBe(400);
        // A district sees its own alerts, not the city's; the city's alerts are not its to decide.
        const own = (await chaoyang('/early-warning/alerts')).body.alerts as Array<{ alert_id: string; region_code: string; level: string }>;
        expect(own.every((a) => a.region_code.startsWith('110105'))).toBe(true);
        expect(await chaoyang('/early-warning/alerts?region=110108')).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
        const cityAlert = ((await city('/early-warning/alerts?level=city')).body.alerts as Array<{ alert_id: string }>)[0]!;
        expect((await chaoyang(`/early-warning/alerts/${cityAlert.alert_id}/acknowledge`, {})).status).toBe(404);

        const [first, second] = alerts;
        // Who decided is the login, never the body.
        expect((await chaoyang(`/early-warning/alerts/${first!.alert_id}/acknowledge`, { actor: '朝阳区信访办 张' })).status).toBe(400);
        expect(await chaoyang(`/early-warning/alerts/${first!.alert_id}/acknowledge`, {})).toMatchObject({
          status: 200,
          body: { status: 'acknowledged', decided_by: expect.stringMatching(/^朝阳区领导 \(leader-chaoyang; leader; region:110105; /) },
        });
        const again = await city(`/early-warning/alerts/${first!.alert_id}/dismiss`, { reason: '重复' });
        expect(again).toMatchObject({ status: 409, body: { error: expect.stringMatching(/already acknowledged by 朝阳区领导 \(leader-chaoyang;/) } });
        expect((await city(`/early-warning/alerts/${second!.alert_id}/dismiss`, {})).body).toMatchObject({
          error: 'invalid request',
          problems: [{ at: 'reason' }],
        });
        expect((await city(`/early-warning/alerts/${second!.alert_id}/dismiss`, { reason: '已知的政策宣传活动' })).body).toMatchObject({
          status: 'dismissed',
          decision_reason: '已知的政策宣传活动',
        });
        expect((await city('/early-warning/alerts/AL-20990101-000000000000/acknowledge', {})).status).toBe(404);
        // The command line lists through the same API, with a user's API token.
        const token = (await tokenHeaders(t.store, 'leader')).authorization!.replace(/^Bearer /, '');
        const { stdout } = await promisify(execFile)(process.execPath, [XINFANG, 'alerts', '--status', 'dismissed', '--url', base], { env: { ...process.env, XINFANG_TOKEN: token } });
        expect((JSON.parse(stdout) as { alerts: Array<{ alert_id: string }> }).alerts.map((a) => a.alert_id)).toEqual([second!.alert_id]);
        expect((await city('/early-warning/scans/no-such-scan')).status).toBe(404);
      } finally {
        await close();
      }
    });
  });
});

