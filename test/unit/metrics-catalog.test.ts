/**
 * The metrics catalog with the source dimensions imports declared (src:NAME): listed with
 * their labels, mapping and column, and on the measures whose rows are cases'; within a
 * region, only those its cases carry (a district without them, another jurisdiction, do not
 * see them), as the metrics layer accepts them; and `xinfang metrics --catalog --db` prints it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../analytics/import/importer.js';
import { loadMapping } from '../../analytics/import/mapping.js';
import { petitionerKeys } from '../../analytics/import/pseudonym.js';
import { hierarchyFor } from '../../analytics/import/run.js';
import { DIMENSIONS, MEASURES, SOURCES, TIME_GRAINS } from '../../analytics/metrics/catalog.js';
import { queryMetrics } from '../../analytics/metrics/query.js';
import { answerCatalog, catalog } from '../../analytics/metrics/request.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { parsePlainDate } from '../../rules/plain-date.js';

const XINFANG = fileURLToPath(new URL('../../bin/xinfang.js', import.meta.url));
const OTTAWA_MAPPING = fileURLToPath(new URL('../../examples/ottawa-311/mapping.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'xinfang-metrics-catalog-'));
const db = join(dir, 'catalog.duckdb');
const keys = petitionerKeys(Buffer.alloc(32, 3));
const now = () => new Date('2026-01-01T00:00:00Z');

// Haidian's hotline: call types in the district and one of its streets, nothing in Chaoyang.
const HOTLINE = ['id,when,district,street,call_type', 'H1,2025-03-01 10:00,110108,,Noise', 'H2,2025-03-02 10:00,110108,110108001,Pothole', 'H3,2025-03-03 10:00,110108,,Noise', ''].join('\n');
// Ottawa's 311 data, another jurisdiction with its own hierarchy and mapping (call_type and call_description).
const OTTAWA = ['creation_date,ward,call_description,call_type,maintenance_yard,priority_name', '4/15/2014 19:49,WARD 14,Animals,Bylaw Services,Priority - 3,CC PHONE', ''].join('\n');

let store: AnalyticsStore;
beforeAll(async () => {
  writeFileSync(join(dir, 'ottawa.csv'), OTTAWA);
  writeFileSync(join(dir, 'hotline.csv'), HOTLINE);
  writeFileSync(
    join(dir, 'hotline.json'),
    JSON.stringify({
      name: 'haidian-hotline',
      jurisdiction: 'beijing',
      id: { column: 'id', prefix: 'HD-' },
      dimensions: { hotline_type: { column: 'call_type', labelZh: '来电类型', labelEn: 'Call type' } },
      columns: {
        received_at: { from: 'when', parse: 'datetime', formats: ['yyyy-MM-dd HH:mm'] },
        channel: { value: 'phone' },
        region_code: { from: 'district' },
        street_code: { from: 'street' },
      },
    }),
  );
  store = await AnalyticsStore.open(db);
  const ottawa = loadMapping(OTTAWA_MAPPING);
  await importFiles(store, { sources: [{ path: join(dir, 'ottawa.csv') }], mapping: ottawa, hierarchy: hierarchyFor(ottawa), keys, now });
  // Its own name: Ottawa's mapping declared call_type, and a name is one source's category.
  await importFiles(store, { sources: [{ path: join(dir, 'hotline.csv') }], mapping: loadMapping(join(dir, 'hotline.json')), hierarchy: beijingRegions(), keys, now });
}, 60_000);
afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const CASE_MEASURES = MEASURES.filter((m) => SOURCES[m.source].caseId !== undefined).map((m) => m.id);

describe('the catalog’s source dimensions', () => {
  it('lists every declared one without a region, with labels, mapping, column and the measures on cases', async () => {
    const all = await catalog(store, null);
    expect(all.dimensions).toEqual(Object.values(DIMENSIONS));
    expect(all.sourceDimensions.map((d) => d.id)).toEqual(['src:call_description', 'src:call_type', 'src:hotline_type']);
    const callType = all.sourceDimensions.find((d) => d.id === 'src:hotline_type')!;
    expect(callType).toMatchObject({
      name: 'hotline_type',
      labelZh: '来电类型',
      labelEn: 'Call type',
      declaredBy: { mapping: 'haidian-hotline', column: 'call_type', at: '2026-01-01T00:00:00Z' },
    });
    expect(callType.description).toContain('haidian-hotline');
    // The measures of cases and of presses (a press is its case's): not recommendations, disputes, duties or accountability.
    expect(callType.measures).toEqual(CASE_MEASURES);
    expect(CASE_MEASURES).toContain('cases');
    expect(CASE_MEASURES).toContain('presses');
    expect(CASE_MEASURES).not.toContain('recommendations_issued');
    const cases = all.measures.find((m) => m.id === 'cases')!;
    expect(cases.dimensions).toEqual([...TIME_GRAINS, ...Object.keys(SOURCES.cases.columns), 'src:call_description', 'src:call_type', 'src:hotline_type']);
    expect(all.measures.find((m) => m.id === 'recommendations_issued')!.dimensions.filter((d) => d.startsWith('src:'))).toEqual([]);
  });

  it('lists within a region only those its cases carry: the city and Haidian and its street, not Chaoyang nor Ottawa’s own', async () => {
    const ids = async (region: string) => (await answerCatalog(store, { region })).sourceDimensions.map((d) => d.id);
    expect(await ids('110000')).toEqual(['src:hotline_type']);
    expect(await ids('110108')).toEqual(['src:hotline_type']);
    expect(await ids('110108001')).toEqual(['src:hotline_type']);
    expect(await ids('110105')).toEqual([]);
    expect(await ids('110108002')).toEqual([]);
    expect(await ids('OTT')).toEqual(['src:call_description', 'src:call_type']);
    // A ward's code has a hyphen, which the metrics' region parameter does not take: asked of the catalog itself.
    expect((await catalog(store, 'OTT-W14')).sourceDimensions.map((d) => d.id)).toEqual(['src:call_description', 'src:call_type']);
    const chaoyang = await answerCatalog(store, { region: '110105' });
    expect(chaoyang.measures.find((m) => m.id === 'cases')!.dimensions.filter((d) => d.startsWith('src:'))).toEqual([]);
    await expect(answerCatalog(store, { region: '999999' })).rejects.toThrow('unknown region code "999999"');
    await expect(answerCatalog(store, { region: '110000', by: 'month' })).rejects.toThrow(/by/);
  });

  it('is what the metrics layer accepts in the region: a breakdown in Haidian, refused in Chaoyang naming what is there', async () => {
    const march = { from: parsePlainDate('2025-03-01'), to: parsePlainDate('2025-03-31'), asOf: parsePlainDate('2025-04-01') };
    const haidian = await queryMetrics(store, { measures: ['cases'], ...march, region: '110108', by: ['src:hotline_type'] });
    expect(haidian.map((r) => [r.dims['src:hotline_type'], r.value])).toEqual([
      ['Noise', 2],
      ['Pothole', 1],
    ]);
    await expect(queryMetrics(store, { measures: ['cases'], ...march, region: '110105', by: ['src:hotline_type'] })).rejects.toThrow(
      'unknown source dimension "src:hotline_type"; no import has declared any for the cases of region 110105 (mapping "dimensions")',
    );
    await expect(queryMetrics(store, { measures: ['cases'], ...march, region: '110000', filters: { 'src:call_description': ['Animals'] } })).rejects.toThrow(
      'unknown source dimension "src:call_description"; declared by imports for the cases of region 110000: src:hotline_type',
    );
  });
});

describe('xinfang metrics --catalog', () => {
  const xinfang = async (...args: string[]) => {
    try {
      const { stdout } = await promisify(execFile)('node', [XINFANG, 'metrics', ...args], { env: { ...process.env, XINFANG_TOKEN: '' } });
      return { code: 0, stdout, stderr: '' };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('prints the catalog of a database file, every declared source dimension or a region’s', async () => {
    const expected = { all: await catalog(store, null), chaoyang: await catalog(store, '110105') };
    store.close();
    const all = await xinfang('--catalog', '--db', db);
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual(expected.all);
    const chaoyang = await xinfang('--catalog', '--region', '110105', '--db', db);
    expect(JSON.parse(chaoyang.stdout)).toEqual(expected.chaoyang);
    const mixed = await xinfang('--catalog', '--year', '2025', '--db', db);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--catalog takes only --region, --url or --db, not --year');
    store = await AnalyticsStore.open(db);
  }, 60_000);
});
