/**
 * Issue 17's measures on a hand-built log: the rating in three levels (基本满意 counted as the
 * catalog says, ratings before the levels read as their yes/no), presses (催办) counted against
 * the organ that owed the step, and the early-warning signal of presses rising for an organ,
 * written through a scan into the alerts table; and a store made before migration 016 upgraded.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { recordEvent, recordHistory } from '../../analytics/case-log.js';
import { loadScanConfig } from '../../analytics/early-warning/config.js';
import { pressSignal } from '../../analytics/early-warning/presses.js';
import { runScan } from '../../analytics/early-warning/scan.js';
import { measure } from '../../analytics/metrics/catalog.js';
import { queryMetrics, type MetricRequest } from '../../analytics/metrics/query.js';
import { answerMetrics } from '../../analytics/metrics/request.js';
import { recordOrgans, recordRegions } from '../../analytics/region-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import type { CaseEvent, CaseIntake } from '../../domain/case.js';
import { BEIJING_ORGANS } from '../../domain/organs.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { addDays, parsePlainDate as d, type PlainDate } from '../../rules/plain-date.js';

type History = { intake: CaseIntake; events: CaseEvent[] };
const kase = (caseId: string, regionCode: string, receivedAt: string, events: Omit<CaseEvent, 'caseId'>[]): History => ({
  intake: { caseId, jurisdiction: 'beijing', receivedAt, channel: 'online', regionCode, collectiveSize: 1 },
  events: [{ caseId, type: 'received', occurredAt: receivedAt }, ...events.map((e) => ({ ...e, caseId }))],
});
const replied = (at: string): Omit<CaseEvent, 'caseId'> => ({ type: 'replied', occurredAt: at, detail: { outcome: 'supported' } });
const rated = (at: string, detail: CaseEvent['detail']): Omit<CaseEvent, 'caseId'> => ({ type: 'rated', occurredAt: at, detail: detail! });
const pressed = (at: string, step: string, organ: string): Omit<CaseEvent, 'caseId'> => ({
  type: 'pressed',
  key: `${step}:${at.slice(0, 10)}`,
  occurredAt: at,
  detail: { step, organ, note: null },
});

// Ratings in March 2025 (China dates; 02:00Z is 10:00 in Beijing).
const RATINGS = [
  kase('R1', '110105', '2025-01-05T02:00:00Z', [replied('2025-03-01T02:00:00Z'), rated('2025-03-03T02:00:00Z', { level: 'satisfied' })]),
  kase('R2', '110105', '2025-01-05T02:00:00Z', [replied('2025-03-01T02:00:00Z'), rated('2025-03-04T02:00:00Z', { level: 'basically_satisfied', comment: '还行' })]),
  kase('R3', '110105', '2025-01-05T02:00:00Z', [replied('2025-03-01T02:00:00Z'), rated('2025-03-05T02:00:00Z', { level: 'dissatisfied' })]),
  // Rated before the three levels: a yes/no.
  kase('R4', '110108', '2025-01-05T02:00:00Z', [replied('2025-03-01T02:00:00Z'), rated('2025-03-06T02:00:00Z', { satisfied: true })]),
  kase('R5', '110108', '2025-01-05T02:00:00Z', [replied('2025-03-01T02:00:00Z'), rated('2025-03-07T02:00:00Z', { satisfied: false })]),
  kase('R6', '110108', '2025-01-05T02:00:00Z', [replied('2025-03-01T02:00:00Z')]),
];

// Presses in March and April 2025, each against the organ that owed the step.
const PRESSES = [
  kase('P1', '110105', '2025-02-01T02:00:00Z', [
    pressed('2025-03-10T02:00:00Z', 'route', '朝阳区信访办'),
    pressed('2025-03-11T02:00:00Z', 'route', '朝阳区信访办'),
    pressed('2025-04-20T02:00:00Z', 'handle', '朝阳区住建委'),
  ]),
  kase('P2', '110108', '2025-02-01T02:00:00Z', [pressed('2025-04-21T15:30:00Z', 'review', '北京市住建委')]), // 23:30 on 21 April in Beijing
];

let store: AnalyticsStore;
beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await store.transaction(async (conn) => {
    await recordRegions(conn, beijingRegions());
    await recordOrgans(conn, 'beijing', BEIJING_ORGANS);
  });
  await recordHistory(store, [...RATINGS, ...PRESSES], 'import');
});
afterAll(() => store.close());

const spring: Omit<MetricRequest, 'measures'> = { from: d('2025-01-01'), to: d('2025-06-30'), asOf: d('2025-12-31') };

describe('the rating in three levels', () => {
  it('the facts keep each level; a yes/no rating reads as 满意 or 不满意', async () => {
    const rows = await store.all(
      z.object({ case_id: z.string(), rating_level: z.string().nullable(), satisfied: z.boolean().nullable() }),
      "SELECT case_id, rating_level, satisfied FROM case_facts WHERE case_id LIKE 'R%' ORDER BY case_id",
    );
    expect(rows).toEqual([
      { case_id: 'R1', rating_level: 'satisfied', satisfied: true },
      { case_id: 'R2', rating_level: 'basically_satisfied', satisfied: true },
      { case_id: 'R3', rating_level: 'dissatisfied', satisfied: false },
      { case_id: 'R4', rating_level: 'satisfied', satisfied: true },
      { case_id: 'R5', rating_level: 'dissatisfied', satisfied: false },
      { case_id: 'R6', rating_level: null, satisfied: null },
    ]);
  });

  it('satisfaction counts 满意 and 基本满意, as the catalog says; participation counts every level', async () => {
    expect(measure('satisfaction_rate').description).toMatch(/基本满意 counts as satisfied/);
    for (const rollups of [true, false]) {
      const rows = await queryMetrics(store, { ...spring, measures: ['satisfaction_rate', 'participation_rate'], by: ['district'] }, { rollups });
      const of = (id: string, district: string) => rows.find((r) => r.measure === id && r.dims.district === district);
      // Chaoyang: R1 满意, R2 基本满意, R3 不满意. Haidian: R4 yes, R5 no, R6 not rated.
      expect(of('satisfaction_rate', '110105')).toMatchObject({ numerator: 2, denominator: 3 });
      expect(of('satisfaction_rate', '110108')).toMatchObject({ numerator: 1, denominator: 2 });
      expect(of('participation_rate', '110105')).toMatchObject({ numerator: 3, denominator: 3 });
      expect(of('participation_rate', '110108')).toMatchObject({ numerator: 2, denominator: 3 });
    }
  });
});

describe('presses (催办次数)', () => {
  const presses = async (request: Partial<MetricRequest>) =>
    (await queryMetrics(store, { ...spring, measures: ['presses'], ...request })).filter((r) => r.value).map((r) => [r.dims, r.value]);

  it('by the organ that owed the step, by district, by month', async () => {
    expect(await presses({ by: ['organ'] })).toEqual(
      expect.arrayContaining([
        [{ organ: '朝阳区信访办' }, 2],
        [{ organ: '朝阳区住建委' }, 1],
        [{ organ: '北京市住建委' }, 1],
      ]),
    );
    expect(await presses({ by: ['organ'] })).toHaveLength(3);
    expect(await presses({ by: ['district'] })).toEqual(expect.arrayContaining([[{ district: '110105' }, 3], [{ district: '110108' }, 1]]));
    expect(await presses({ by: ['month'] })).toEqual([[{ month: '2025-03' }, 2], [{ month: '2025-04' }, 2]]);
    expect(await presses({ region: '110105' })).toEqual([[{}, 3]]);
    // As of a day: a press counts once it happened (P2's is 21 April in Beijing, 15:30Z).
    expect(await presses({ asOf: d('2025-04-20') })).toEqual([[{}, 3]]);
  });

  it('through the API request, filtered by organ', async () => {
    const answer = await answerMetrics(store, { measure: 'presses', year: '2025', organ: '朝阳区信访办' }, d('2026-01-15'));
    expect(answer.rows).toEqual([expect.objectContaining({ measure: 'presses', value: 2 })]);
  });
});

describe('presses written one at a time, as the workflow writes them', () => {
  it('the press counts at once; the table equals its derivation from the log', async () => {
    await recordEvent(store, { caseId: 'R6', ...pressed('2025-05-06T02:00:00Z', 'handle', '海淀区住建委') });
    await recordEvent(store, { caseId: 'R6', type: 'reminder', key: 'x', occurredAt: '2025-05-07T02:00:00Z', detail: { step: 'handle' } });
    const [row] = await queryMetrics(store, { ...spring, measures: ['presses'], filters: { organ: ['海淀区住建委'] } });
    expect(row?.value).toBe(1);
    const table = z.object({ event_id: z.string(), organ: z.string(), pressed_date: z.string(), region_code: z.string() });
    const cols = "event_id, organ, CAST(pressed_date AS VARCHAR) AS pressed_date, region_code";
    const kept = await store.all(table, `SELECT ${cols} FROM case_presses ORDER BY event_id`);
    expect(kept).toHaveLength(5);
    expect(kept).toEqual(await store.all(table, `SELECT ${cols} FROM case_presses_source ORDER BY event_id`));
    expect(kept.find((r) => r.organ === '海淀区住建委')).toEqual({ event_id: 'R6/pressed/handle:2025-05-06', organ: '海淀区住建委', pressed_date: '2025-05-06', region_code: '110108' });
  });
});

describe('early warning: presses rising for an organ', () => {
  const config = loadScanConfig().presses; // 4 recent weeks against 26, at least 5 presses, alpha 0.001

  it('the Poisson test against the baseline rate', () => {
    expect(pressSignal(4, 0, config)).toEqual({ skipped: 'few-recent' });
    // 6 baseline presses over 26 weeks expect (6.5 / 26) × 4 = 1 in 4 weeks; 12 are far beyond.
    const burst = pressSignal(12, 6, config);
    expect(burst).toMatchObject({ expected: 1, signal: true });
    // A steady 1.5 a week: 6 in 4 weeks is what 39 over 26 weeks expect.
    expect(pressSignal(6, 39, config)).toMatchObject({ signal: false });
  });

  it('a scan raises it for the organ pressed more, at the organ’s district, and writes the alert', async () => {
    const ew = await AnalyticsStore.open(':memory:');
    try {
      await ew.transaction(async (conn) => {
        await recordRegions(conn, beijingRegions());
        await recordOrgans(conn, 'beijing', BEIJING_ORGANS);
      });
      const first = d('2025-01-06'); // a Monday: the first press anywhere is this week
      const scanWeek = addDays(first, 30 * 7);
      const histories: History[] = [];
      const press = (caseId: string, region: string, organ: string, day: PlainDate) =>
        histories.push(kase(caseId, region, '2024-12-02T02:00:00Z', [pressed(`${day}T02:00:00Z`, 'handle', organ)]));
      // 朝阳区住建委: one press every 4 weeks of the baseline, then 12 in the 4 recent weeks.
      for (let w = 0; w < 26; w += 4) press(`A-${w}`, '110105', '朝阳区住建委', addDays(first, (w + 1) * 7));
      for (let i = 0; i < 12; i++) press(`A-r${i}`, '110105', '朝阳区住建委', addDays(scanWeek, -21 + i));
      // 海淀区教委: pressed 1.5 times a week throughout, the recent weeks too.
      for (let i = 0; i < 45; i++) press(`B-${i}`, '110108', '海淀区教委', addDays(first, 7 + Math.floor((i * 7) / 1.5)));
      await recordHistory(ew, histories, 'import');

      const summary = await runScan(ew, { scanId: 'presses-1', trigger: 'test', week: scanWeek, signals: ['presses'] });
      expect(summary.signals.presses).toMatchObject({ scanned: 2, candidates: 1 });
      const alerts = await ew.all(
        z.object({ kind: z.string(), method: z.string(), level: z.string(), region_code: z.string(), subject: z.string(), observed: z.number(), severity: z.string() }),
        'SELECT kind, method, level, region_code, subject, observed, severity FROM alerts',
      );
      expect(alerts).toEqual([
        { kind: 'organ-presses', method: 'poisson-rate', level: 'district', region_code: '110105', subject: '朝阳区住建委', observed: 12, severity: expect.any(String) },
      ]);
      expect(alerts[0]!.severity).not.toBe('info'); // 12 against 1 expected

      // A week whose baseline reaches before the first press is not tested: those weeks are unknown, not quiet.
      const early = await runScan(ew, { scanId: 'presses-2', trigger: 'test', week: addDays(first, 10 * 7), signals: ['presses'] });
      expect(early.signals.presses).toMatchObject({ candidates: 0, skippedBy: { 'before-presses': expect.any(Number) } });
    } finally {
      ew.close();
    }
  });
});

describe('migration 016 on a store made before it', () => {
  it('fills the level from the yes/no, keeps the facts rebuildable and the alerts, and takes the new alert kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xinfang-016-'));
    const path = join(dir, 'old.duckdb');
    try {
      const migrations = new URL('../../analytics/migrations/', import.meta.url);
      const instance = await DuckDBInstance.create(path);
      const conn = await instance.connect();
      await conn.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)');
      for (const file of readdirSync(migrations).filter((f) => f.endsWith('.sql') && Number(f.slice(0, 3)) < 16).sort()) {
        await conn.run(readFileSync(new URL(file, migrations), 'utf8'));
        await conn.run('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [Number(file.slice(0, 3)), file]);
      }
      // A case rated yes before the levels, its facts as 005 derived them, and an alert.
      await conn.run(`INSERT INTO cases (case_id, jurisdiction, received_at, received_date, channel, region_code, collective_size, origin)
                      VALUES ('OLD-1', 'beijing', TIMESTAMPTZ '2025-01-05 10:00:00+08', DATE '2025-01-05', 'visit', '110105', 1, 'import')`);
      await conn.run(`INSERT INTO case_events (event_id, case_id, event_type, occurred_at, detail, recorded_at) VALUES
                      ('OLD-1/received', 'OLD-1', 'received', TIMESTAMPTZ '2025-01-05 10:00:00+08', NULL, current_timestamp),
                      ('OLD-1/replied', 'OLD-1', 'replied', TIMESTAMPTZ '2025-03-01 10:00:00+08', '{"outcome":"supported"}', current_timestamp),
                      ('OLD-1/rated', 'OLD-1', 'rated', TIMESTAMPTZ '2025-03-02 10:00:00+08', '{"satisfied":true}', current_timestamp)`);
      await conn.run("INSERT INTO case_facts SELECT * FROM case_facts_source WHERE case_id = 'OLD-1'");
      await conn.run(`INSERT INTO alerts (alert_id, dedup_key, kind, method, level, region_code, first_period, period, run_length, severity, base_severity,
                                          scan_id, last_scan_id, first_seen, last_seen)
                      VALUES ('a-1', 'k', 'collective-growth', 'm', 'district', '110105', DATE '2025-03-03', DATE '2025-03-03', 1, 'info', 'info',
                              's', 's', current_timestamp, current_timestamp)`);
      conn.closeSync();
      instance.closeSync();

      const upgraded = await AnalyticsStore.open(path);
      try {
        const facts = z.object({ rating_level: z.string().nullable(), satisfied: z.boolean().nullable() });
        expect(await upgraded.all(facts, "SELECT rating_level, satisfied FROM case_facts WHERE case_id = 'OLD-1'")).toEqual([{ rating_level: 'satisfied', satisfied: true }]);
        // The view and the table still line up column for column: a rebuild gives the same row.
        expect(await upgraded.all(facts, "SELECT rating_level, satisfied FROM case_facts_source WHERE case_id = 'OLD-1'")).toEqual([{ rating_level: 'satisfied', satisfied: true }]);
        const columns = z.object({ n: z.number() });
        const [table] = await upgraded.all(columns, "SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_name = 'case_facts'");
        const [view] = await upgraded.all(columns, "SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_name = 'case_facts_source'");
        expect(view).toEqual(table);
        expect(await upgraded.all(z.object({ alert_id: z.string() }), 'SELECT alert_id FROM alerts')).toEqual([{ alert_id: 'a-1' }]);
        await upgraded.run(`INSERT INTO alerts (alert_id, dedup_key, kind, method, level, region_code, first_period, period, run_length, severity, base_severity,
                                                scan_id, last_scan_id, first_seen, last_seen)
                            VALUES ('a-2', 'k2', 'organ-presses', 'poisson-rate', 'district', '110105', DATE '2025-03-03', DATE '2025-03-03', 1, 'info', 'info',
                                    's', 's', current_timestamp, current_timestamp)`);
        await expect(upgraded.run("UPDATE alerts SET kind = 'no-such-kind' WHERE alert_id = 'a-2'")).rejects.toThrow(/CHECK/i);
      } finally {
        upgraded.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
