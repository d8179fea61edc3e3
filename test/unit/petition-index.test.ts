import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHistory } from '../../analytics/case-log.js';
import { aggregate, loadIndexMethod, normalise, petitionIndex, ranks } from '../../analytics/petition-index/petition-index.js';
import { recordRegions } from '../../analytics/region-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import type { CaseEvent, CaseIntake } from '../../domain/case.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { parsePlainDate } from '../../rules/plain-date.js';

describe('the steps of the index, by hand', () => {
  it('normalises each indicator: min-max, z-score, fractional rank with ties averaged', () => {
    expect(normalise([[1, 10], [2, 20], [3, 40]], 'min-max')).toEqual([[0, 0], [0.5, 1 / 3], [1, 1]]);
    expect(normalise([[1], [2], [3]], 'z-score')).toEqual([[-1], [0], [1]]); // mean 2, sample sd 1
    expect(normalise([[5], [5], [7]], 'rank')).toEqual([[0.5], [0.5], [1]]); // ranks 1.5, 1.5, 3 of 3
    expect(normalise([[4], [4]], 'min-max')).toEqual([[0.5], [0.5]]); // no spread: the middle
  });

  it('aggregates with weights, arithmetically or geometrically on [1, 100]', () => {
    const x = [[0, 0], [0.5, 1 / 3], [1, 1]];
    expect(aggregate(x, [2, 1], 'arithmetic')).toEqual([0, (2 * 0.5 + 1 / 3) / 3, 1]);
    const g = aggregate(x, [2, 1], 'geometric');
    expect(g[0]).toBeCloseTo(1, 12);
    expect(g[1]).toBeCloseTo(Math.cbrt(50.5 * 50.5 * 34), 10);
    expect(g[2]).toBeCloseTo(100, 12);
  });

  it('ranks the highest score first, ties sharing a rank', () => {
    expect(ranks([0.3, 0.9, 0.3, 0.1])).toEqual([2, 1, 2, 4]);
  });
});

describe('the method file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xinfang-index-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const withChange = (change: (m: Record<string, unknown> & { indicators: Record<string, unknown>[] }) => void) => {
    const method = JSON.parse(JSON.stringify(loadIndexMethod())) as Record<string, unknown> & { indicators: Record<string, unknown>[] };
    change(method);
    const path = join(dir, 'm.json');
    writeFileSync(path, JSON.stringify(method));
    return () => loadIndexMethod(path);
  };

  it('is validated, naming the indicator and the problem', () => {
    expect(withChange((m) => (m.indicators[0]!.measure = 'volume'))).toThrow('indicators.0.measure: unknown measure "volume"');
    expect(withChange((m) => (m.indicators[2]!.perTenThousand = true))).toThrow('indicators.2: perTenThousand applies to counts and sums, not rates');
    expect(withChange((m) => (m.aggregation = 'median'))).toThrow('aggregation');
  });
});

describe('the petition index of a city', () => {
  let store: AnalyticsStore;
  // Dongcheng (70.9 ten-thousand residents): 60 cases, a third of ratings dissatisfied.
  // Chaoyang (345.2): 30 cases, all satisfied. Every other district: nothing recorded.
  const kase = (id: string, regionCode: string, satisfied: boolean): { intake: CaseIntake; events: CaseEvent[] } => ({
    intake: { caseId: id, jurisdiction: 'beijing', receivedAt: '2025-04-01T02:00:00Z', channel: 'visit', regionCode, collectiveSize: 1 },
    events: [
      { caseId: id, type: 'received', occurredAt: '2025-04-01T02:00:00Z' },
      { caseId: id, type: 'replied', occurredAt: '2025-05-01T02:00:00Z', detail: { outcome: 'supported' } },
      { caseId: id, type: 'rated', occurredAt: '2025-05-02T02:00:00Z', detail: { satisfied } },
    ],
  });
  beforeAll(async () => {
    store = await AnalyticsStore.open(':memory:');
    await store.transaction((conn) => recordRegions(conn, beijingRegions()));
    await recordHistory(
      store,
      [
        ...Array.from({ length: 60 }, (_, i) => kase(`DC-${i}`, '110101', i % 3 !== 0)),
        ...Array.from({ length: 30 }, (_, i) => kase(`CY-${i}`, '110105', true)),
      ],
      'import',
    );
  });
  afterAll(() => store.close());

  it('ranks by pressure, shows the method and indicators, imputes and says so, and gives rank intervals', async () => {
    const options = { year: 2025, region: '110000', asOf: parsePlainDate('2026-06-30') };
    const result = await petitionIndex(store, options);
    expect(result.units).toHaveLength(16);
    expect(result.method.id).toBe('petition-index-2026.1');
    expect(result.indicators.map((i) => i.id)).toEqual(result.method.indicators.map((i) => i.measure));
    const dongcheng = result.units.find((u) => u.unit === '110101')!;
    const chaoyang = result.units.find((u) => u.unit === '110105')!;
    expect(dongcheng.rank).toBe(1);
    expect(dongcheng.indicators.find((i) => i.measure === 'cases')!.raw).toBeCloseTo(60 / 70.9, 12);
    expect(dongcheng.indicators.find((i) => i.measure === 'satisfaction_rate')!.raw).toBeCloseTo(40 / 60, 12);
    expect(chaoyang.indicators.find((i) => i.measure === 'satisfaction_rate')).toMatchObject({ raw: 1, imputed: false });
    // Districts with nothing to rate take the mean of those that had: (40/60 + 1) / 2.
    const yanqing = result.units.find((u) => u.unit === '110119')!;
    expect(yanqing.indicators.find((i) => i.measure === 'satisfaction_rate')).toMatchObject({ raw: null, imputed: true });
    expect(yanqing.indicators.find((i) => i.measure === 'cases')).toMatchObject({ raw: 0, imputed: false });
    for (const u of result.units) {
      expect(u.rankInterval[0]).toBeLessThanOrEqual(u.medianRank);
      expect(u.medianRank).toBeLessThanOrEqual(u.rankInterval[1]);
    }
    expect(dongcheng.rankInterval).toEqual([1, 1]); // most pressure under every scenario
    // The uncertainty analysis is seeded: the same answer every time.
    expect((await petitionIndex(store, options)).units).toEqual(result.units);
  });

  it('compares the districts of a city only', async () => {
    await expect(petitionIndex(store, { year: 2025, region: '110105', asOf: parsePlainDate('2026-06-30') })).rejects.toThrow(
      'the petition index compares the districts of a city; 110105 is a district',
    );
  });
});
