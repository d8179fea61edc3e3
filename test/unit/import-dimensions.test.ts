import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { importFiles } from '../../analytics/import/importer.js';
import { loadMapping } from '../../analytics/import/mapping.js';
import { petitionerKeys } from '../../analytics/import/pseudonym.js';
import { expandPaths, formatReport, hierarchyFor } from '../../analytics/import/run.js';
import { ImportFileError } from '../../analytics/import/readers.js';
import { MetricsError, queryMetrics } from '../../analytics/metrics/query.js';
import { answerMetrics } from '../../analytics/metrics/request.js';
import { recordBuiltInJurisdiction } from '../../analytics/region-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { parsePlainDate } from '../../rules/plain-date.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'xinfang-dims-'));
  dirs.push(dir);
  return dir;
};
const keys = petitionerKeys(Buffer.alloc(32, 7));
const now = () => new Date('2026-01-01T00:00:00Z');

const writeMapping = (dir: string, extra: object = {}) => {
  const path = join(dir, 'mapping.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'hotline',
      jurisdiction: 'beijing',
      id: { column: 'id', prefix: 'HL-' },
      dimensions: {
        type: { column: 'type', labelZh: '来电类型', labelEn: 'Call type' },
        priority: { column: 'priority', labelZh: '优先级', labelEn: 'Priority' },
      },
      columns: {
        received_at: { from: 'when', parse: 'datetime', formats: ['yyyy-MM-dd HH:mm'] },
        channel: { from: 'how' },
        region_code: { from: 'district' },
      },
      ...extra,
    }),
  );
  return loadMapping(path);
};

const HOTLINE = [
  'id,when,how,district,type,priority',
  'C1,2025-03-01 10:00,visit,110105,Noise,High',
  'C2,2025-03-02 10:00,visit,110108,  Noise   ,Low',
  'C3,2025-03-02 11:00,letter,110105,Pothole,',
  'C4,2025-03-02 12:00,visit,999999,Pothole,High',
  'C5,yesterday,visit,110105,Pothole,High',
  // The same id twice: the first row is quarantined, the second is the case, with its own values.
  'C6,2025-03-03 10:00,visit,999999,Ghost,High',
  'C6,2025-03-03 10:00,visit,110105,Graffiti,Low',
  '',
].join('\n');

const MARCH = { from: parsePlainDate('2025-03-01'), to: parsePlainDate('2025-03-31'), asOf: parsePlainDate('2025-04-01') };

describe('source dimensions declared by a mapping', () => {
  it('keeps each case’s values, first row not quarantined, and the metrics break down and filter by them', async () => {
    const dir = tempDir();
    const file = join(dir, 'hotline.csv');
    writeFileSync(file, HOTLINE);
    const mapping = writeMapping(dir);
    const store = await AnalyticsStore.open(':memory:');
    const report = await importFiles(store, { sources: [{ path: file }], mapping, hierarchy: beijingRegions(), keys, now });
    expect(report.cases).toEqual({ read: 7, imported: 4, quarantined: 3, duplicate: 0 });

    const stored = await store.all(
      z.object({ case_id: z.string(), dimension: z.string(), value: z.string() }),
      'SELECT case_id, dimension, value FROM case_source_dimensions ORDER BY case_id, dimension',
    );
    expect(stored).toEqual([
      { case_id: 'HL-C1', dimension: 'priority', value: 'High' },
      { case_id: 'HL-C1', dimension: 'type', value: 'Noise' },
      { case_id: 'HL-C2', dimension: 'priority', value: 'Low' },
      { case_id: 'HL-C2', dimension: 'type', value: 'Noise' },
      { case_id: 'HL-C3', dimension: 'type', value: 'Pothole' },
      { case_id: 'HL-C6', dimension: 'priority', value: 'Low' },
      { case_id: 'HL-C6', dimension: 'type', value: 'Graffiti' },
    ]);
    const declared = await store.all(
      z.object({ dimension: z.string(), label_en: z.string(), mapping: z.string(), source_column: z.string() }),
      'SELECT dimension, label_en, mapping, source_column FROM source_dimensions ORDER BY dimension',
    );
    expect(declared).toEqual([
      { dimension: 'priority', label_en: 'Priority', mapping: 'hotline', source_column: 'priority' },
      { dimension: 'type', label_en: 'Call type', mapping: 'hotline', source_column: 'type' },
    ]);

    const byType = await queryMetrics(store, { measures: ['cases'], ...MARCH, by: ['src:type'] });
    expect(byType.map((r) => [r.dims['src:type'], r.value])).toEqual([
      ['Graffiti', 1],
      ['Noise', 2],
      ['Pothole', 1],
    ]);
    // A case without a value for the dimension is a row of its own (null), as for any dimension.
    const byPriority = await queryMetrics(store, { measures: ['cases'], ...MARCH, by: ['src:priority', 'district'] });
    expect(byPriority.map((r) => [r.dims['src:priority'], r.dims.district, r.value])).toEqual([
      [null, '110105', 1],
      ['High', '110105', 1],
      ['Low', '110105', 1],
      ['Low', '110108', 1],
    ]);
    // Filter and breakdown by the same source dimension, and by two of them.
    const filtered = await queryMetrics(store, { measures: ['cases'], ...MARCH, by: ['src:type'], filters: { 'src:priority': ['Low'], 'src:type': ['Noise', 'Graffiti'] } });
    expect(filtered.map((r) => [r.dims['src:type'], r.value])).toEqual([
      ['Graffiti', 1],
      ['Noise', 1],
    ]);

    // Through the API's validation: the same answer from query-string text.
    const answer = await answerMetrics(store, { measure: 'cases', from: '2025-03-01', to: '2025-03-31', asOf: '2025-04-01', by: 'src:type', 'src:priority': 'High' }, parsePlainDate('2025-04-01'));
    expect(answer.rows.map((r) => [r.dims['src:type'], 'value' in r ? r.value : null])).toEqual([['Noise', 1]]);
    store.close();
  });

  it('refuses a source dimension no import declared, one on rows that are not cases, and a malformed name', async () => {
    const dir = tempDir();
    const file = join(dir, 'hotline.csv');
    writeFileSync(file, HOTLINE);
    const store = await AnalyticsStore.open(':memory:');
    const ask = (by: string[]) => queryMetrics(store, { measures: ['cases'], ...MARCH, by: by as `src:${string}`[] });
    await expect(ask(['src:type'])).rejects.toThrow('unknown source dimension "src:type"; no import has declared any (mapping "dimensions")');
    await importFiles(store, { sources: [{ path: file }], mapping: writeMapping(dir), hierarchy: beijingRegions(), keys, now });
    await expect(ask(['src:colour'])).rejects.toThrow('unknown source dimension "src:colour"; declared by imports: src:priority, src:type');
    await expect(queryMetrics(store, { measures: ['recommendations_issued'], ...MARCH, by: ['src:type'] })).rejects.toThrow(
      new MetricsError('measure recommendations_issued cannot be broken down or filtered by src:type (its rows are recommendations, not cases)'),
    );
    await expect(answerMetrics(store, { measure: 'cases', year: '2025', by: 'src:Type-1' }, parsePlainDate('2025-04-01'))).rejects.toThrow(/unknown dimension \\"src:Type-1\\"; one of day, .*, or src:<name> for a source dimension an import declared/);
    store.close();
  });

  it('refuses a second source declaring a dimension another mapping declared, before writing a row; the first may declare it again', async () => {
    const dir = tempDir();
    const file = join(dir, 'hotline.csv');
    writeFileSync(file, HOTLINE);
    const store = await AnalyticsStore.open(':memory:');
    await importFiles(store, { sources: [{ path: file }], mapping: writeMapping(dir), hierarchy: beijingRegions(), keys, now });
    const counts = () => store.all(z.object({ cases: z.number(), dims: z.number() }), 'SELECT (SELECT count(*)::INTEGER FROM cases) AS cases, (SELECT count(*)::INTEGER FROM case_source_dimensions) AS dims');
    const before = await counts();

    const otherDir = tempDir();
    const other = join(otherDir, 'other.csv');
    writeFileSync(other, HOTLINE.replaceAll('C', 'K'));
    const second = writeMapping(otherDir, { name: 'city-hotline', id: { column: 'id', prefix: 'CH-' }, dimensions: { type: { column: 'type', labelZh: '诉求类型', labelEn: 'Request type' } } });
    await expect(importFiles(store, { sources: [{ path: other }], mapping: second, hierarchy: beijingRegions(), keys, now })).rejects.toThrow(
      "dimensions.type: src:type is already declared by mapping hotline (its column type); give this source's category a name of its own, such as city_hotline_type",
    );
    expect(await counts()).toEqual(before);
    const declared = await store.all(z.object({ mapping: z.string(), label_en: z.string() }), `SELECT mapping, label_en FROM source_dimensions WHERE dimension = 'type'`);
    expect(declared).toEqual([{ mapping: 'hotline', label_en: 'Call type' }]);

    // The mapping that declared it may import again, relabelling it.
    const relabelled = writeMapping(dir, { dimensions: { type: { column: 'type', labelZh: '来电类别', labelEn: 'Call category' } } });
    await importFiles(store, { sources: [{ path: file }], mapping: relabelled, hierarchy: beijingRegions(), keys, now });
    expect(await store.all(z.object({ label_en: z.string() }), `SELECT label_en FROM source_dimensions WHERE dimension = 'type'`)).toEqual([{ label_en: 'Call category' }]);
    store.close();
  });

  it('refuses a mapping whose dimension name is not a plain lower-case name', () => {
    const dir = tempDir();
    expect(() => writeMapping(dir, { dimensions: { 'Call Type': { column: 'type', labelZh: '类型', labelEn: 'Type' } } })).toThrow(
      /dimensions\.Call Type: a dimension name is a lower-case letter/,
    );
  });
});

const OTTAWA = new URL('../../../shared/data/ottawa-311-2014/', import.meta.url).pathname;

describe.skipIf(!existsSync(OTTAWA))('the Ottawa 311 call types as a source dimension', () => {
  it('counts cases by call type exactly as a direct count of the source CSV files', async () => {
    const mapping = loadMapping(new URL('../../examples/ottawa-311/mapping.json', import.meta.url).pathname);
    const store = await AnalyticsStore.open(':memory:');
    await importFiles(store, { sources: expandPaths([OTTAWA]).map((path) => ({ path })), mapping, hierarchy: hierarchyFor(mapping), keys, now });
    const rows = await queryMetrics(store, { measures: ['cases'], from: parsePlainDate('2013-12-01'), to: parsePlainDate('2015-01-31'), asOf: parsePlainDate('2026-01-01'), by: ['src:call_type'] });
    const metrics = Object.fromEntries(rows.map((r) => [r.dims['src:call_type'], r.value]));

    // DuckDB's own CSV reader, not the importer's: a request is a distinct row of a file counted
    // with its repeats in that file (the overlapping August export repeats January's rows).
    const csv = `read_csv($glob, all_varchar = true, filename = true, quote = '"', escape = '"', header = true, delim = ',', union_by_name = true)`;
    const direct = await store.all(
      z.object({ call_type: z.string(), n: z.number() }),
      `SELECT regexp_replace(trim(call_type), '\\s+', ' ', 'g') AS call_type, count(*)::INTEGER AS n
         FROM (SELECT DISTINCT creation_date, ward, call_description, call_type, maintenance_yard, priority_name,
                      row_number() OVER (PARTITION BY filename, creation_date, ward, call_description, call_type, maintenance_yard, priority_name) AS occurrence
                 FROM ${csv})
        GROUP BY 1 ORDER BY 1`,
      { glob: `${OTTAWA}*.csv` },
    );
    expect(direct.length).toBeGreaterThan(30);
    expect(direct.reduce((a, r) => a + r.n, 0)).toBe(124_902);
    expect(metrics).toEqual(Object.fromEntries(direct.map((r) => [r.call_type, r.n])));
    store.close();
  }, 180_000); // the whole year through the import: a volume test, not a speed target
});

describe('organ names resolved against the registry', () => {
  const ORGANS = [
    'id,when,organ',
    'O1,2025-03-01 10:00,朝阳区信访办', // the name
    'O2,2025-03-01 11:00,朝阳区信访办公室', // an alias
    'O3,2025-03-01 12:00,朝阳信访办', // the district's short name
    'O4,2025-03-02 10:00,北京市朝阳区信访办', // with the city's name
    'O5,2025-03-02 11:00,朝阳区　信访办', // a full-width space
    'O6,2025-03-02 12:00,ＢＪ－ＸＦＢ', // the city office's code in full-width letters
    'O7,2025-03-03 10:00,朝阳区信仿办', // a typo, one character off
    'O8,2025-03-03 11:00,南城区信访办', // one character off both 东城区信访办 and 西城区信访办: neither
    'O9,2025-03-03 12:00,信访办', // too short to guess
    'O10,2025-03-04 10:00,火星局',
    'O11,2025-03-04 11:00,火星局',
    'O12,2025-03-04 12:00,',
    '',
  ].join('\n');
  const setUp = async (unknown: 'quarantine' | 'mark') => {
    const dir = tempDir();
    const file = join(dir, 'organs.csv');
    writeFileSync(file, ORGANS);
    const mapping = writeMapping(dir, {
      dimensions: {},
      organNames: { unknown },
      columns: {
        received_at: { from: 'when', parse: 'datetime', formats: ['yyyy-MM-dd HH:mm'] },
        channel: { value: 'visit' },
        region_code: { value: '110105' },
        organ_code: { from: 'organ' },
      },
    });
    const store = await AnalyticsStore.open(':memory:');
    // The registry in the store, as the system writes it at start.
    await recordBuiltInJurisdiction(store, 'beijing');
    const report = await importFiles(store, { sources: [{ path: file }], mapping, hierarchy: beijingRegions(), keys, now });
    const organs = await store.all(
      z.object({ case_id: z.string(), organ_code: z.string().nullable() }),
      `SELECT case_id, organ_code FROM cases ORDER BY CAST(substr(case_id, 5) AS INTEGER)`,
    );
    return { store, report, organs: Object.fromEntries(organs.map((o) => [o.case_id.slice(3), o.organ_code])) };
  };

  it('merges names, variants and a unique typo into the organ’s code, and quarantines the unknown with counts', async () => {
    const { store, report, organs } = await setUp('quarantine');
    expect(organs).toEqual({
      O1: 'D110105-XFB',
      O2: 'D110105-XFB',
      O3: 'D110105-XFB',
      O4: 'D110105-XFB',
      O5: 'D110105-XFB',
      O6: 'BJ-XFB',
      O7: 'D110105-XFB',
      O12: null,
    });
    expect(report.cases).toEqual({ read: 12, imported: 8, quarantined: 4, duplicate: 0 });
    // Merged names to check, most rows first, then by name (localeCompare).
    expect(report.organNames).toEqual({
      resolved: { exact: 2, normalised: 4, 'edit-distance': 1 },
      merged: [
        { name: 'ＢＪ－ＸＦＢ', code: 'BJ-XFB', by: 'normalised', rows: 1 },
        { name: '北京市朝阳区信访办', code: 'D110105-XFB', by: 'normalised', rows: 1 },
        { name: '朝阳信访办', code: 'D110105-XFB', by: 'normalised', rows: 1 },
        { name: '朝阳区　信访办', code: 'D110105-XFB', by: 'normalised', rows: 1 },
        { name: '朝阳区信仿办', code: 'D110105-XFB', by: 'edit-distance', rows: 1 },
      ],
      // Most rows first, then by name.
      unknown: [
        { name: '火星局', rows: 2 },
        { name: '信访办', rows: 1 },
        { name: '南城区信访办', rows: 1 },
      ],
      unknownRows: 4,
    });
    expect(formatReport(report)).toContain('organ names: 2 rows as written, 4 by normalised form, 1 by one edit; 4 rows unknown\n');
    expect(formatReport(report)).toContain('       2  火星局 (unknown)');
    expect(formatReport(report)).toContain('       1  朝阳区信仿办 → D110105-XFB (edit-distance)');
    const reasons = await store.all(z.object({ reason: z.string(), n: z.number() }), 'SELECT reason, count(*)::INTEGER AS n FROM import_quarantine GROUP BY 1 ORDER BY 1');
    expect(reasons).toContainEqual({ reason: 'organ_code: "火星局" is no organ of the beijing registry (by code, name, alias or their normalised form)', n: 2 });
    // The metrics count the merged variants as one organ.
    const byOrgan = await queryMetrics(store, { measures: ['cases'], ...MARCH, by: ['organ'] });
    expect(byOrgan.map((r) => [r.dims.organ, r.value])).toEqual([
      [null, 1],
      ['BJ-XFB', 1],
      ['D110105-XFB', 6],
    ]);
    store.close();
  });

  it('keeps an unknown name as written when the mapping says mark', async () => {
    const { store, report, organs } = await setUp('mark');
    expect(report.cases).toEqual({ read: 12, imported: 12, quarantined: 0, duplicate: 0 });
    expect([organs.O8, organs.O9, organs.O10, organs.O11]).toEqual(['南城区信访办', '信访办', '火星局', '火星局']);
    expect(report.organNames?.unknownRows).toBe(4);
    // Marked: a kept name is no registry code.
    const marked = await store.all(
      z.object({ n: z.number() }),
      `SELECT count(*)::INTEGER AS n FROM cases WHERE organ_code IS NOT NULL AND organ_code NOT IN (SELECT code FROM organs)`,
    );
    expect(marked).toEqual([{ n: 4 }]);
    store.close();
  });
});

describe('organ names of a jurisdiction without a registry', () => {
  it('refuses the import whole, naming what is missing', async () => {
    const dir = tempDir();
    const file = join(dir, 'organs.csv');
    writeFileSync(file, 'id,when,organ\nO1,2025-03-01 10:00,朝阳区信访办\n');
    const mapping = writeMapping(dir, {
      jurisdiction: 'nowhere',
      dimensions: {},
      organNames: { unknown: 'mark' },
      columns: {
        received_at: { from: 'when', parse: 'datetime', formats: ['yyyy-MM-dd HH:mm'] },
        channel: { value: 'visit' },
        region_code: { value: '110105' },
        organ_code: { from: 'organ' },
      },
    });
    const store = await AnalyticsStore.open(':memory:');
    const attempt = importFiles(store, { sources: [{ path: file }], mapping, hierarchy: beijingRegions(), keys, now });
    await expect(attempt).rejects.toBeInstanceOf(ImportFileError);
    await expect(attempt).rejects.toThrow(/^mapping hotline: organNames: jurisdiction nowhere has no data/);
    expect(await store.all(z.object({ n: z.number() }), 'SELECT count(*)::INTEGER AS n FROM cases')).toEqual([{ n: 0 }]);
    store.close();
  });
});

describe('a mapping rule that drops a value', () => {
  it('drops every form of it, by synonym or by pattern, and translates every form of a synonym', async () => {
    const dir = tempDir();
    const file = join(dir, 'drops.csv');
    const values = ['Test', 'test ', 'ＴＥＳＴ', 'TEST', 'Undetermined', 'ＵＮＤＥＴＥＲＭＩＮＥＤ', 'undetermined  ', 'Testing', 'Yard 7'];
    writeFileSync(file, ['id,when,yard,kind', ...values.map((v, i) => `D${i + 1},2025-03-01 10:00,${v},${i % 2 ? 'roads' : 'ＲＯＡＤＳ'}`), ''].join('\n'));
    const mapping = writeMapping(dir, {
      dimensions: {},
      columns: {
        received_at: { from: 'when', parse: 'datetime', formats: ['yyyy-MM-dd HH:mm'] },
        channel: { value: 'phone' },
        region_code: { value: '110105' },
        organ_code: { from: 'yard', synonyms: { Test: '' }, patterns: [{ match: '^Undetermined$', to: '' }] },
        field: { from: 'kind', synonyms: { Roads: '交通运输' }, unmatched: 'quarantine' },
      },
    });
    const store = await AnalyticsStore.open(':memory:');
    const report = await importFiles(store, { sources: [{ path: file }], mapping, hierarchy: beijingRegions(), keys, now });
    expect(report.cases.imported).toBe(values.length);
    const rows = await store.all(
      z.object({ organ_code: z.string().nullable(), field: z.string().nullable() }),
      `SELECT organ_code, field FROM cases ORDER BY CAST(substr(case_id, 5) AS INTEGER)`,
    );
    expect(rows.map((r) => r.organ_code)).toEqual([null, null, null, null, null, null, null, 'Testing', 'Yard 7']);
    expect(new Set(rows.map((r) => r.field))).toEqual(new Set(['交通运输']));
    store.close();
  });

  it('refuses synonyms whose forms collide with different translations', () => {
    const dir = tempDir();
    expect(() =>
      writeMapping(dir, {
        columns: {
          received_at: { from: 'when', parse: 'datetime', formats: ['yyyy-MM-dd HH:mm'] },
          channel: { from: 'how', synonyms: { Phone: 'phone', PHONE: 'visit' } },
          region_code: { from: 'district' },
        },
      }),
    ).toThrow('columns.channel.synonyms: "PHONE" is another form of a synonym that maps to "phone", not "visit"');
  });
});
