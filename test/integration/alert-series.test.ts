/**
 * An alert's series for drawing (GET /early-warning/alerts/:id/series), after a real scan over
 * seeded case_facts: the figures recomputed for the alarmed week are the alert row's own, for
 * each method the scan ran (EARS C3 and the improved Farrington, which needs years of history),
 * and the alert is scoped like every other (404 outside the caller's jurisdiction).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAlerts, type AlertRow } from '../../analytics/early-warning/alerts.js';
import { runScan } from '../../analytics/early-warning/scan.js';
import { weekIndex, weekStart } from '../../analytics/early-warning/weeks.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { parsePlainDate } from '../../rules/plain-date.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { as, seedUsers, type Answer } from '../support/login.js';

/**
 * Chaoyang (110105), labour (劳动社保) visits, every Monday from 2021-01-04: 9 to 13 a week
 * (9 + 7w mod 5) until 2025-10-13, then 40 and 45 in the weeks of 2025-10-20 and 2025-10-27.
 * Nearly five years: enough for the improved Farrington (3 years back) as well as EARS C3.
 */
const FIRST = weekIndex(parsePlainDate('2021-01-04'));
const SPIKE = weekIndex(parsePlainDate('2025-10-20'));
const LAST = SPIKE + 1;
const countOf = (w: number) => (w === SPIKE ? 40 : w === LAST ? 45 : 9 + ((w * 7) % 5));

let store: AnalyticsStore;
let app: RunningApp;
let alerts: AlertRow[];
const COLLECTIVE = 'AL-20251020-0000000c0111';

beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await seedUsers(store);
  const counts = Array.from({ length: LAST - FIRST + 1 }, (_, i) => countOf(FIRST + i));
  await store.run(
    `INSERT INTO case_facts (case_id, jurisdiction, received_date, channel, region_code, field, petition_class, collective_size)
     SELECT 'AS-' || w || '-' || i, 'beijing', DATE '${weekStart(FIRST)}' + CAST(7 * w AS INTEGER), 'visit', '110105', '劳动社保', 'claim', 1
       FROM (SELECT unnest(range(${counts.length})) AS w) JOIN (SELECT unnest(range(50)) AS i) ON TRUE
      WHERE i < ([${counts.join(', ')}])[w + 1]`,
  );
  const summary = await runScan(store, { scanId: 'alert-series-scan', trigger: 'test', week: weekStart(LAST), weeks: 2, signals: ['counts'] });
  expect(summary.raised).toBeGreaterThan(0);
  // Only a count aberration has a detector series: another kind is refused by name.
  await store.run(
    `INSERT INTO alerts (alert_id, dedup_key, kind, method, level, region_code, first_period, period, run_length, severity, base_severity, scan_id, last_scan_id, first_seen, last_seen)
     VALUES ('${COLLECTIVE}', 'test|collective', 'collective-growth', 'poisson-rate', 'district', '110105', DATE '2025-10-20', DATE '2025-10-20', 1, 'warning', 'warning', 'test', 'test', now(), now())`,
  );
  alerts = await listAlerts(store, { kind: 'count-aberration', limit: 1000 });
  app = await startApiApp({ store });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
});

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

interface Point {
  period: string;
  observed: number;
  expected: number | null;
  upperbound: number | null;
  alarm: boolean;
}

describe('an alert’s series', () => {
  it('recomputes the alarmed week as the scan did, for every count alert and method', async () => {
    const methods = new Set(alerts.map((a) => a.method));
    expect(methods).toEqual(new Set(['ears-c3', 'farrington-flexible']));
    const leader = await as(app.base, 'leader');
    for (const alert of alerts) {
      const { status, body } = await leader(`/early-warning/alerts/${alert.alert_id}/series`);
      expect(status, `${alert.alert_id}: ${JSON.stringify(body).slice(0, 300)}`).toBe(200);
      const points = body.points as Point[];
      const last = points.at(-1)!;
      const label = `${alert.method} ${alert.level} ${alert.field ?? '*'} ${alert.channel ?? '*'} ${alert.petition_class ?? '*'}`;
      expect(last.period, label).toBe(alert.period);
      expect(last.observed, label).toBe(alert.observed);
      expect(last.expected, label).toBe(alert.expected);
      expect(last.upperbound, label).toBe(alert.upperbound);
      expect(last.alarm, label).toBe(true);
      expect(body.matchesAlert, label).toBe(true);
      expect(body.alert).toMatchObject({ alert_id: alert.alert_id });
      // Consecutive weeks, ending with the run, the baseline window without figures.
      expect(points.map((p) => p.period)).toEqual(points.map((_, i) => weekStart(weekIndex(parsePlainDate(alert.period)) - points.length + 1 + i)));
      const run = points.filter((p) => p.period >= alert.first_period);
      expect(run.length, label).toBe(alert.run_length);
      expect(points.filter((p) => p.period < alert.first_period).every((p) => p.expected === null && p.upperbound === null && !p.alarm)).toBe(true);
      // The explanation's figures are the week's own, its parameters the scan's.
      const method = body.method as Record<string, string>;
      expect(method).toMatchObject({ id: alert.method, nameZh: expect.any(String), nameEn: expect.any(String) });
      if (alert.upperbound! >= 0) {
        expect(method.explanationZh).toContain(`${alert.period} 当周 ${alert.observed} 件，高于阈值 ${fmt(alert.upperbound!)} 件`);
        expect(method.explanationEn).toContain(`${alert.observed} cases, above the threshold of ${fmt(alert.upperbound!)}`);
      } else {
        // EARS C3 after the spike: the week before's excess alone crosses the line.
        expect(alert.method).toBe('ears-c3');
        expect(method.explanationZh).toContain(`${alert.period} 当周 ${alert.observed} 件；此前两周超出基线的累积幅度已越过告警线（本周阈值 ${fmt(alert.upperbound!)} 件为负）`);
      }
      expect(method.explanationZh).toContain(`${alert.method === 'ears-c3' ? '均值' : '预期'} ${fmt(alert.expected!)} 件`);
    }
  });

  it('shows the whole run and the method’s baseline window', async () => {
    const ears = alerts.find((a) => a.method === 'ears-c3' && a.level === 'district' && a.field === null && a.channel === null && a.petition_class === null)!;
    expect(ears).toMatchObject({ region_code: '110105', first_period: weekStart(SPIKE), period: weekStart(LAST), run_length: 2 });
    const { body } = await (await as(app.base, 'leader-chaoyang'))(`/early-warning/alerts/${ears.alert_id}/series`);
    const points = body.points as Point[];
    // EARS C3 with a 28-week baseline reads 28 + 4 weeks before the week it tests.
    expect(points.length).toBe(32 + 2);
    expect(points.slice(0, 32).map((p) => p.observed)).toEqual(Array.from({ length: 32 }, (_, i) => countOf(SPIKE - 32 + i)));
    expect(points.slice(32).map((p) => [p.observed, p.alarm])).toEqual([
      [40, true],
      [45, true],
    ]);
    expect(points[32]!.expected).toBeGreaterThan(9);
    expect(points[32]!.expected).toBeLessThan(13);
    expect((body.method as Record<string, string>).explanationZh).toMatch(/^EARS C3 法：以隔开 2 周保护带的前 28 周为基线.*α=0\.001.*该告警自 2025-10-20 起已持续 2 周。/);
    expect(body).toHaveProperty('sensitive');
  });

  it('answers 404 outside the caller’s jurisdiction, as for an alert that does not exist', async () => {
    const district = alerts.find((a) => a.level === 'district')!;
    const city = alerts.find((a) => a.level === 'city')!;
    const expectNotFound = (answer: Answer) => expect(answer).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expectNotFound(await (await as(app.base, 'leader-jianwai'))(`/early-warning/alerts/${district.alert_id}/series`));
    expectNotFound(await (await as(app.base, 'leader-chaoyang'))(`/early-warning/alerts/${city.alert_id}/series`));
    // An organ's officer holds no alerts.read at all.
    expect((await (await as(app.base, 'officer-chaoyang'))(`/early-warning/alerts/${district.alert_id}/series`)).status).toBe(403);
    expectNotFound(await (await as(app.base, 'leader'))('/early-warning/alerts/AL-20990101-000000000000/series'));
  });

  it('refuses, by name, an alert that has no count series', async () => {
    const answer = await (await as(app.base, 'leader-chaoyang'))(`/early-warning/alerts/${COLLECTIVE}/series`);
    expect(answer).toMatchObject({ status: 404, body: { code: 'no_series', error: expect.stringMatching(/collective-growth alert: only count aberrations/) } });
  });
});
