import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadDemoData } from '../../analytics/demo-data.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { FIELDS, type Field } from '../../domain/case.js';
import { jurisdictionData, JurisdictionDataError } from '../../domain/jurisdiction-data.js';
import { OrganRegistryError, parseOrganRegistry, type OrganLevel } from '../../domain/organs.js';
import { parsePlainDate } from '../../rules/plain-date.js';
import { loadConfig } from '../../server/config.js';
import { dutiesOwed } from '../../server/duty-routes.js';
import { startSystem } from '../../server/system.js';

const DOMAIN = new URL('../../domain/', import.meta.url);
const csvRows = (file: string) => readFileSync(new URL(file, DOMAIN), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
const dir = mkdtempSync(join(tmpdir(), 'xinfang-jurisdiction-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A data folder holding Beijing's files under `name`, less those left out, with settings changed as given. */
function dataFolder(name: string, leaveOut: Array<'settings' | 'regions' | 'organs'>, settings: Record<string, unknown> = {}): URL {
  const root = join(dir, `${name}-${leaveOut.join('-') || 'all'}-${Object.keys(settings).join('-')}`);
  for (const sub of ['jurisdictions', 'regions', 'organs']) mkdirSync(join(root, sub), { recursive: true });
  if (!leaveOut.includes('settings')) {
    const beijing = JSON.parse(readFileSync(new URL('jurisdictions/beijing.json', DOMAIN), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(root, 'jurisdictions', `${name}.json`), JSON.stringify({ ...beijing, jurisdiction: name, ...settings }));
  }
  if (!leaveOut.includes('regions')) copyFileSync(new URL('regions/beijing.csv', DOMAIN), join(root, 'regions', `${name}.csv`));
  if (!leaveOut.includes('organs')) {
    const organs = JSON.parse(readFileSync(new URL('organs/beijing.json', DOMAIN), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(root, 'organs', `${name}.json`), JSON.stringify({ ...organs, jurisdiction: name }));
  }
  return pathToFileURL(root + '/');
}

describe("Beijing's jurisdiction data", () => {
  const beijing = jurisdictionData('beijing');

  it('has its city and its 16 districts from the region file', () => {
    const rows = csvRows('regions/beijing.csv');
    expect(beijing.city).toMatchObject({ code: '110000', level: 'city', nameZh: '北京市', nameEn: 'Beijing', parentCode: null });
    expect(beijing.districts).toHaveLength(16);
    expect(beijing.districts.map((d) => d.code)).toEqual(rows.filter((r) => r[2] === 'district').map((r) => r[0]));
    expect(beijing.districts.every((d) => d.parentCode === '110000')).toBe(true);
    expect(beijing.districts.find((d) => d.code === '110105')).toMatchObject({ nameZh: '朝阳区', nameEn: 'Chaoyang', population10k: 345.2 });
    expect(beijing.regions.nodes.filter((n) => n.level === 'street')).toHaveLength(rows.filter((r) => r[2] === 'street').length);
    expect(beijing.regions.nodes.filter((n) => n.level === 'street')).toHaveLength(349);
  });

  it("has as many organs as its registry's listed organs and templates make over its regions", () => {
    const file = JSON.parse(readFileSync(new URL('organs/beijing.json', DOMAIN), 'utf8')) as { city: { departments: unknown[] }; districts: { departments: unknown[] } };
    const rows = csvRows('regions/beijing.csv');
    const districts = rows.filter((r) => r[2] === 'district').length;
    const streets = rows.filter((r) => r[2] === 'street').length;
    const expected = 2 + file.city.departments.length + districts * (2 + file.districts.departments.length) + streets;
    expect(beijing.organs.organs).toHaveLength(expected);
    expect(beijing.organs.jurisdiction).toBe('beijing');
    expect(beijing.organs.byCode('BJ-XFB')).toMatchObject({ level: 'petition-office', regionCode: '110000' });
  });

  it('keeps its time zone in its settings file', () => {
    expect(beijing.timeZone).toBe('Asia/Shanghai');
    expect(jurisdictionData('beijing')).toBe(beijing);
  });
});

describe("Xianning's jurisdiction data", () => {
  const xianning = jurisdictionData('xianning');
  const rows = csvRows('regions/xianning.csv');
  const file = JSON.parse(readFileSync(new URL('organs/xianning.json', DOMAIN), 'utf8')) as { city: { departments: unknown[] }; districts: { departments: unknown[] } };

  it('has the city, its six county-level divisions with their census population, and all their towns, townships and streets', () => {
    expect(xianning.city).toMatchObject({ code: '421200', level: 'city', nameZh: '咸宁市', parentCode: null, population10k: 265.83 });
    // GB/T 2260 codes; resident population of the Seventh National Census (2020), ten-thousands.
    expect(xianning.districts.map((d) => [d.code, d.nameZh, d.population10k])).toEqual([
      ['421202', '咸安区', 65.76],
      ['421221', '嘉鱼县', 28.56],
      ['421222', '通城县', 42.63],
      ['421223', '崇阳县', 42.71],
      ['421224', '通山县', 39.13],
      ['421281', '赤壁市', 47.04],
    ]);
    // The divisions add up to the city's 2,658,316 residents.
    expect(xianning.districts.reduce((sum, d) => sum + d.population10k!, 0)).toBeCloseTo(265.83, 2);
    const streets = xianning.regions.nodes.filter((n) => n.level === 'street');
    expect(streets).toHaveLength(rows.filter((r) => r[2] === 'street').length);
    expect(streets).toHaveLength(89);
    for (const s of streets) expect(s.code.slice(0, 6), s.code).toBe(s.parentCode);
    expect(streets.filter((s) => s.parentCode === '421223').map((s) => s.nameZh)).toEqual(['天城镇', '沙坪镇', '石城镇', '桂花泉镇', '白霓镇', '路口镇', '金塘镇', '青山镇', '肖岭乡', '铜钟乡', '港口乡', '高枧乡', '崇阳县工业园区']);
    expect(xianning.timeZone).toBe('Asia/Shanghai');
  });

  it("has the organs its registry lists and its templates make over its regions, each division led by its own 区委/县委/市委", () => {
    const districts = rows.filter((r) => r[2] === 'district').length;
    const streets = rows.filter((r) => r[2] === 'street').length;
    expect(xianning.organs.organs).toHaveLength(2 + file.city.departments.length + districts * (2 + file.districts.departments.length) + streets);
    expect(xianning.organs.organs).toHaveLength(2 + 13 + 6 * 15 + 89);
    const named = (code: string) => xianning.organs.byCode(code)?.nameZh;
    expect([named('XN'), named('XN-XFJ'), named('D421202'), named('D421223'), named('D421281'), named('D421223-XFJ')]).toEqual([
      '咸宁市委、市政府',
      '咸宁市信访局',
      '咸安区委、区政府',
      '崇阳县委、县政府',
      '赤壁市委、市政府',
      '崇阳县信访局',
    ]);
    expect(xianning.organs.byCode('XN-XFJ')).toMatchObject({ level: 'petition-office', regionCode: '421200' });
    expect([named('S421223100'), named('S421202001'), named('S421222200'), named('S421222500'), named('S421223570')]).toEqual([
      '崇阳县天城镇党委、政府',
      '咸安区温泉街道党工委、办事处',
      '通城县四庄乡党委、政府',
      '鹿角山林场',
      '崇阳县工业园区管委会',
    ]);
    expect(xianning.organs.byName('咸宁市人民政府')?.code).toBe('XN');
    // Every name is one organ's, and no code is Beijing's.
    const names = xianning.organs.organs.flatMap((o) => [...new Set([o.nameZh, ...o.aliases])]);
    expect(new Set(names).size).toBe(names.length);
    expect(xianning.organs.organs.filter((o) => o.code.startsWith('BJ') || o.regionCode.startsWith('11'))).toEqual([]);
  });

  it('gives every petition field one department in the city and in each division', () => {
    for (const region of [xianning.city, ...xianning.districts]) {
      for (const field of FIELDS) {
        const organ = xianning.organs.handling(region.code, field);
        expect(organ?.regionCode, `${region.code} ${field}`).toBe(region.code);
        expect(organ?.level).toBe(region.level === 'city' ? 'city-department' : 'district-department');
      }
    }
    expect(xianning.organs.handling('421223', '教育')?.nameZh).toBe('崇阳县教育局');
  });

  it('refuses a registry in which two departments of a level claim one field, naming both', () => {
    const twice = JSON.parse(readFileSync(new URL('organs/xianning.json', DOMAIN), 'utf8')) as { districts: { departments: { fields: string[] }[] } };
    twice.districts.departments[2]!.fields.push('劳动社保');
    expect(() => parseOrganRegistry(twice, xianning.regions, 'test.json')).toThrow(OrganRegistryError);
    expect(() => parseOrganRegistry(twice, xianning.regions, 'test.json')).toThrow('test.json: districts.departments.2.fields.1: the field 劳动社保 is also districts.departments.0\'s');
  });

  it("owes every periodic duty of the Xianning pack at every organ of the levels it names, and each level has organs", () => {
    const pack = JSON.parse(readFileSync(new URL('../../rules/packs/xianning-2013.json', import.meta.url), 'utf8')) as {
      duties: Record<string, { appliesTo: string[]; period: string }>;
    };
    const owed = dutiesOwed('xianning', xianning.organs.organs, parsePlainDate('2026-06-15'));
    const periodic = Object.entries(pack.duties).filter(([, d]) => d.period !== 'as-needed');
    expect(periodic.map(([id]) => id).sort()).toEqual(['analysisReport', 'departmentMeeting', 'grassrootsResearch', 'standingCommitteeMeeting', 'targetResponsibilityLetter']);
    for (const [dutyId, duty] of periodic) {
      for (const level of duty.appliesTo as OrganLevel[]) {
        const organs = xianning.organs.organs.filter((o) => o.level === level).map((o) => o.code);
        expect(organs.length, `${dutyId} at ${level}`).toBeGreaterThan(0);
        expect(owed.filter((d) => d.dutyId === dutyId && d.organ.level === level).map((d) => d.organ.code), `${dutyId} at ${level}`).toEqual(organs);
      }
    }
    // 第六条: each division's quarterly standing-committee meeting; 第十五条: the city's yearly target letter.
    expect(owed.filter((d) => d.dutyId === 'standingCommitteeMeeting').map((d) => [d.organ.code, d.period])).toEqual(xianning.districts.map((d) => [`D${d.code}`, 'quarter']));
    expect(owed.filter((d) => d.dutyId === 'targetResponsibilityLetter' && d.organ.level === 'city').map((d) => [d.organ.code, d.period])).toEqual([['XN', 'year']]);
  });
});

describe("Xianning's demo data", () => {
  const xianning = jurisdictionData('xianning');
  let store: AnalyticsStore;
  beforeAll(async () => {
    store = await AnalyticsStore.open(':memory:');
    await loadDemoData(store, { anchorMonth: '2026-01', jurisdiction: 'xianning', cases: 2000, months: 12 });
  }, 120_000);
  afterAll(() => store?.close());

  it('lies in its divisions and their streets, in proportion to their population', async () => {
    const rows = await store.all(
      z.object({ region: z.string(), n: z.number(), outside: z.number() }),
      `SELECT c.region_code AS region, count(*)::INTEGER AS n,
              count(*) FILTER (WHERE s.parent_code IS DISTINCT FROM c.region_code)::INTEGER AS outside
         FROM cases c LEFT JOIN regions s ON s.code = c.street_code GROUP BY 1 ORDER BY 1`,
    );
    expect(rows.map((r) => r.region)).toEqual(xianning.districts.map((d) => d.code));
    expect(rows.every((r) => r.outside === 0)).toBe(true);
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    const people = xianning.districts.reduce((sum, d) => sum + d.population10k!, 0);
    for (const d of xianning.districts) {
      const share = rows.find((r) => r.region === d.code)!.n / total;
      expect(Math.abs(share - d.population10k! / people), d.code).toBeLessThan(0.03);
    }
  });

  it("names only organs of Xianning's registry, each where its case lies", async () => {
    const named = await store.all(
      z.object({ name: z.string() }),
      `SELECT DISTINCT name FROM (
         SELECT organ_code AS name FROM cases
         UNION ALL SELECT actor FROM case_events WHERE actor <> 'petitioner'
         UNION ALL SELECT detail->>'$.organ' FROM case_events
         UNION ALL SELECT detail->>'$.toOrgan' FROM case_events
         UNION ALL SELECT issued_by FROM recommendations
         UNION ALL SELECT to_organ FROM recommendations) WHERE name IS NOT NULL`,
    );
    expect(named.filter((r) => !xianning.organs.byName(r.name)).map((r) => r.name)).toEqual([]);
    // The city's office and departments, its leadership (re-reviews), each division's office and departments.
    expect(named.length).toBeGreaterThan(6 * 13);
    const placed = await store.all(z.object({ organ: z.string(), region: z.string(), field: z.string() }), 'SELECT DISTINCT organ_code AS organ, region_code AS region, field FROM cases');
    expect(placed.filter((r) => xianning.organs.byName(r.organ)?.regionCode !== r.region)).toEqual([]);
    expect(placed.filter((r) => !xianning.organs.byName(r.organ)?.fields?.includes(r.field as Field))).toEqual([]);
  });
});

describe('A jurisdiction without its data', () => {
  it('is refused naming the missing settings file', () => {
    expect(() => jurisdictionData('atlantis')).toThrow(JurisdictionDataError);
    expect(() => jurisdictionData('atlantis')).toThrow(/jurisdiction atlantis has no data: \/.*\/domain\/jurisdictions\/atlantis\.json is missing/);
  });

  it('stops the system at start, naming the file, though its packs are known', async () => {
    // `national` has packs (rules/jurisdictions.json) but no regions or organs of its own.
    const config = loadConfig({ XINFANG_JURISDICTION: 'national', XINFANG_DATA_DIR: join(dir, 'data'), XINFANG_DEMO: '0' });
    const log: string[] = [];
    await expect(startSystem(config, (line) => log.push(line))).rejects.toThrow(/jurisdiction national has no data: \/.*\/domain\/jurisdictions\/national\.json is missing/);
    // Refused before anything is started or written.
    expect(log).toEqual([]);
  });

  it('is refused naming its missing region hierarchy or organ registry', () => {
    expect(() => jurisdictionData('testland', dataFolder('testland', ['regions']))).toThrow(/regions\/testland\.csv is missing/);
    expect(() => jurisdictionData('testland', dataFolder('testland', ['organs']))).toThrow(/organs\/testland\.json is missing/);
  });

  it('loads once its three files are there', () => {
    const data = jurisdictionData('testland', dataFolder('testland', []));
    expect(data).toMatchObject({ jurisdiction: 'testland', timeZone: 'Asia/Shanghai', city: { code: '110000' } });
    expect(data.organs.organs).toHaveLength(jurisdictionData('beijing').organs.organs.length);
  });

  it('is refused for an unknown time zone, a settings file of another jurisdiction, or a name that is not one', () => {
    expect(() => jurisdictionData('testland', dataFolder('testland', [], { timeZone: 'Asia/Beijing' }))).toThrow(/testland\.json: timeZone: an IANA time zone such as Asia\/Shanghai/);
    expect(() => jurisdictionData('testland', dataFolder('testland', [], { jurisdiction: 'beijing' }))).toThrow(/testland\.json: jurisdiction: the file says beijing, its name testland/);
    expect(() => jurisdictionData('../organs/beijing')).toThrow(/lower-case letters, digits and -/);
  });
});
