/**
 * The rollups of the case measures (analytics/metrics/rollups.ts) are an optimisation only:
 * every answer with them must equal the answer from `case_facts` alone, for any period,
 * as-of date, grouping, region and filter, before and after the months single-case writes
 * marked dirty are refreshed; and refreshed rollups must equal rollups rebuilt from scratch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { recordEvent, recordIntake } from '../../analytics/case-log.js';
import { loadDemoData } from '../../analytics/demo-data.js';
import { MEASURES, type DimensionId, type MeasureId } from '../../analytics/metrics/catalog.js';
import { queryMetrics, type MetricRequest } from '../../analytics/metrics/query.js';
import { rebuildRollups, refreshRollups, ROLLUPS, rollupTable } from '../../analytics/metrics/rollups.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { parsePlainDate as d } from '../../rules/plain-date.js';

const CASE_MEASURES = MEASURES.filter((m) => m.source === 'cases').map((m) => m.id as MeasureId);
const id = z.object({ case_id: z.string() });

let store: AnalyticsStore;
let street: string;

beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  // Two years ending December 2025; cases still open at the end are those later steps fall after.
  await loadDemoData(store, { anchorMonth: '2026-01', jurisdiction: 'beijing', months: 24, cases: 4000, seed: 7 });
  // Then the single-case path, as workflows write: replies and ratings of open cases in January
  // 2026, a breach, and a new case.
  const open = await store.all(id, 'SELECT case_id FROM case_facts WHERE accepted_date IS NOT NULL AND replied_date IS NULL ORDER BY case_id LIMIT 6');
  expect(open.length).toBe(6);
  for (const [i, { case_id }] of open.entries()) {
    await recordEvent(store, { caseId: case_id, type: 'replied', occurredAt: `2026-01-${10 + i}T02:00:00Z`, detail: { outcome: 'supported' } });
    if (i % 2 === 0) await recordEvent(store, { caseId: case_id, type: 'rated', occurredAt: `2026-01-${20 + i}T02:00:00Z`, detail: { level: (['satisfied', 'basically_satisfied', 'dissatisfied'] as const)[i / 2]! } });
  }
  const unrouted = await store.all(id, 'SELECT case_id FROM case_facts WHERE registered_date IS NULL AND register_overdue_date IS NULL ORDER BY case_id LIMIT 1');
  for (const { case_id } of unrouted) await recordEvent(store, { caseId: case_id, type: 'route_overdue', occurredAt: '2026-01-08T02:00:00Z' });
  await recordIntake(
    store,
    { caseId: 'NEW-1', jurisdiction: 'beijing', receivedAt: '2026-01-05T02:00:00Z', channel: 'online', regionCode: '110105', streetCode: '110105001', field: '教育', collectiveSize: 7 },
    { caseId: 'NEW-1', type: 'received', occurredAt: '2026-01-05T02:00:00Z' },
    'workflow',
  );
  street = (await store.all(z.object({ s: z.string() }), 'SELECT street_code AS s FROM case_facts WHERE street_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1'))[0]!.s;
}, 120_000);

afterAll(() => store?.close());

const rollupRows = async () => {
  const tables: Record<string, unknown[]> = {};
  for (const rollup of ROLLUPS) {
    tables[rollup.id] = await store.all(z.record(z.string(), z.unknown()), `SELECT * FROM ${rollupTable(rollup)} ORDER BY ALL`);
  }
  tables.horizon = await store.all(z.record(z.string(), z.unknown()), 'SELECT * FROM rollup_horizon ORDER BY ALL');
  return tables;
};

describe('metrics rollups', () => {
  const periods: [string, string, string][] = [
    // from, to, as of
    ['2025-01-01', '2025-12-31', '2026-12-01'], // last year as it stands now: rollups alone
    ['2025-01-01', '2025-12-31', '2025-09-30'], // as it stood in September: recent months raw
    ['2024-01-01', '2026-01-31', '2026-01-15'], // into the month the single-case events fall in
    ['2024-03-15', '2025-08-10', '2026-12-01'], // partial first and last months
    ['2024-01-01', '2024-12-31', '2024-06-30'], // as of before most of its period
  ];
  const groupings: DimensionId[][] = [
    [],
    ['month'],
    ['quarter'],
    ['year', 'district'],
    ['district'],
    ['street'],
    ['field'],
    ['organ'],
    ['channel', 'petition_class'],
    ['collective', 'route_mode', 'repeat_petition', 'skip_level'],
    ['week'],
  ];

  /** Every request with and without rollups; the statements that went to rollups and to case_facts. */
  async function compareAll(): Promise<{ requests: number; rollup: number; raw: number }> {
    const sql: string[] = [];
    const all = store.all.bind(store);
    const spy = vi.spyOn(store, 'all').mockImplementation(((row, text, params) => {
      sql.push(text);
      return all(row, text, params);
    }) as AnalyticsStore['all']);
    const regions = [undefined, '110000', '110105', street];
    const requests: MetricRequest[] = [];
    groupings.forEach((by, g) =>
      periods.forEach(([from, to, asOf], p) =>
        requests.push({ measures: CASE_MEASURES, from: d(from), to: d(to), asOf: d(asOf), by, region: regions[(g + p) % regions.length] }),
      ),
    );
    requests.push(
      { measures: CASE_MEASURES, from: d('2024-01-01'), to: d('2025-12-31'), asOf: d('2026-12-01'), by: ['month'], filters: { channel: ['visit', 'letter'] } },
      { measures: CASE_MEASURES, from: d('2024-01-01'), to: d('2025-12-31'), asOf: d('2025-10-01'), by: ['district'], filters: { field: ['教育'], year: ['2025'] } },
      { measures: CASE_MEASURES, from: d('2024-01-01'), to: d('2025-12-31'), asOf: d('2026-12-01'), by: ['organ'], region: '110105', filters: { quarter: ['2025-Q2'] } },
      { measures: CASE_MEASURES, from: d('2025-01-01'), to: d('2026-01-31'), asOf: d('2026-12-01'), region: street, filters: { field: ['教育'] } },
    );
    try {
      for (const request of requests) {
        const withRollups = await queryMetrics(store, request);
        const raw = await queryMetrics(store, request, { rollups: false });
        expect(withRollups, JSON.stringify(request)).toEqual(raw);
      }
    } finally {
      spy.mockRestore();
    }
    return {
      requests: requests.length,
      rollup: sql.filter((s) => /FROM rollup_(?!horizon)/.test(s)).length,
      raw: sql.filter((s) => s.includes('FROM case_facts')).length,
    };
  }

  it('gives the answers case_facts gives, for every period, as-of date, grouping, region and filter', async () => {
    const used = await compareAll();
    // The comparison means something only if the rollups answered, alone and mixed with raw days.
    expect(used.rollup).toBeGreaterThan(used.requests * 2);
    expect(used.raw).toBeGreaterThan(used.requests * 2);
  }, 120_000);

  it('once refreshed, equal the rollups rebuilt from case_facts, and still give the same answers', async () => {
    const dirty = z.object({ n: z.number() });
    const countDirty = async () => (await store.all(dirty, 'SELECT count(*)::INTEGER AS n FROM rollup_dirty'))[0]!.n;
    // The single-case events marked their months (January 2026, and the months of the cases they changed).
    expect(await countDirty()).toBeGreaterThan(3);
    expect(await store.transaction(refreshRollups)).toBeGreaterThan(3);
    expect(await countDirty()).toBe(0);
    const refreshed = await rollupRows();
    expect(refreshed.region!.length).toBeGreaterThan(100);
    await store.transaction(rebuildRollups);
    expect(await rollupRows()).toEqual(refreshed);
    const used = await compareAll();
    expect(used.rollup).toBeGreaterThan(used.requests * 2);
  }, 120_000);

  it('are rebuilt when the store opens with a definition other than theirs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xinfang-rollups-'));
    try {
      const path = join(dir, 'analytics.duckdb');
      const first = await AnalyticsStore.open(path);
      await loadDemoData(first, { anchorMonth: '2026-01', jurisdiction: 'beijing', months: 3, cases: 300 });
      const built = await first.all(z.object({ n: z.number() }), `SELECT count(*)::INTEGER AS n FROM ${rollupTable(ROLLUPS[0]!)}`);
      expect(built[0]!.n).toBeGreaterThan(10);
      // As if an older catalog had built them: other rows, another definition.
      await first.run(`DELETE FROM ${rollupTable(ROLLUPS[0]!)}`);
      await first.run("UPDATE rollup_state SET definition = 'an older catalog'");
      first.close();
      const again = await AnalyticsStore.open(path);
      const rebuilt = await again.all(z.object({ n: z.number() }), `SELECT count(*)::INTEGER AS n FROM ${rollupTable(ROLLUPS[0]!)}`);
      again.close();
      expect(rebuilt).toEqual(built);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
