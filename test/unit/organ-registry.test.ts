import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadDemoData } from '../../analytics/demo-data.js';
import { recordOrgans } from '../../analytics/region-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { beijingOrganRegistry, loadOrganRegistry, OrganRegistryError, parseOrganRegistry, type Organ } from '../../domain/organs.js';
import { beijingRegions, type RegionHierarchy } from '../../domain/region-hierarchy.js';
import { BEIJING_DISTRICTS } from '../../domain/regions.js';
import { parsePlainDate } from '../../rules/plain-date.js';
import { dutiesOwed } from '../../server/duty-routes.js';

const registry = beijingOrganRegistry();
const regions = beijingRegions();
const FILE = new URL('../../domain/organs/beijing.json', import.meta.url);
const fileJson = () => JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, any>;
const dir = mkdtempSync(join(tmpdir(), 'xinfang-organs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Beijing's organ registry", () => {
  it('gives every district its leadership, its petition office and its departments', () => {
    const districts = regions.nodes.filter((n) => n.level === 'district');
    expect(districts).toHaveLength(16);
    for (const d of districts) {
      const own = registry.organs.filter((o) => o.regionCode === d.code && o.streetCode === undefined);
      expect(own.filter((o) => o.level === 'district').map((o) => o.nameZh), d.code).toEqual([`${d.nameZh}委、区政府`]);
      expect(own.filter((o) => o.level === 'petition-office').map((o) => o.nameZh), d.code).toEqual([`${d.nameZh}信访办`]);
      // One department for each of the generator's fields (calibration.ts FIELD_DEPARTMENT).
      expect(own.filter((o) => o.level === 'district-department').length, d.code).toBe(13);
    }
  });

  it('gives every street and township its leadership, placed in its district', () => {
    const streets = regions.nodes.filter((n) => n.level === 'street');
    expect(streets).toHaveLength(349);
    for (const s of streets) {
      const led = registry.organs.filter((o) => o.streetCode === s.code);
      expect(led, s.code).toEqual([expect.objectContaining({ code: `S${s.code}`, level: 'street-township', regionCode: s.parentCode })]);
    }
    expect(registry.byCode('S110105001')?.nameZh).toBe('朝阳区建外街道党工委、办事处');
    expect(registry.byCode('S110111101')?.nameZh).toBe('房山区阎村镇党委、政府');
    expect(registry.byCode('S110111208')?.nameZh).toBe('房山区霞云岭乡党委、政府');
    // The first template whose suffix the name ends with: 新镇街道 is a street, not a town.
    expect(registry.byCode('S110111002')?.nameZh).toBe('房山区新镇街道党工委、办事处');
    // A development zone has a management committee, not a township's leadership.
    expect(registry.byCode('S110115403')?.nameZh).toBe('北京经济技术开发区管委会');
  });

  it("has the city's leadership, petition office and departments, and keeps the codes stored data uses", () => {
    const city = registry.organs.filter((o) => o.regionCode === '110000');
    expect(city.filter((o) => o.level === 'city').map((o) => o.code)).toEqual(['BJ']);
    expect(city.filter((o) => o.level === 'petition-office').map((o) => o.code)).toEqual(['BJ-XFB']);
    expect(city.filter((o) => o.level === 'city-department').length).toBe(13);
    const kept = [
      ['BJ', '北京市委、市政府'],
      ['BJ-XFB', '北京市信访办'],
      ['BJ-RSJ', '北京市人力资源和社会保障局'],
      ['BJ-ZJW', '北京市住房和城乡建设委员会'],
      ['BJ-JW', '北京市教育委员会'],
      ...BEIJING_DISTRICTS.map((d) => [`D${d.code}`, `${d.nameZh}委、区政府`]),
    ];
    expect(kept.map(([code]) => registry.byCode(code!)?.nameZh)).toEqual(kept.map(([, name]) => name));
  });

  it('has unique codes and names: every name or alias is one organ', () => {
    const codes = registry.organs.map((o) => o.code);
    expect(new Set(codes).size).toBe(codes.length);
    const names = registry.organs.flatMap((o) => [...new Set([o.nameZh, ...o.aliases])]);
    expect(new Set(names).size).toBe(names.length);
    expect(registry.organs).toHaveLength(1 + 1 + 13 + 16 * (1 + 1 + 13) + 349);
    expect(registry.byName('北京市教委')?.code).toBe('BJ-JW');
    expect(registry.byName('北京市朝阳区住房和城乡建设委员会')?.code).toBe('D110105-ZJW');
    expect(registry.byName('北京市规划和自然资源委员会朝阳分局')?.code).toBe('D110105-GZFJ');
    expect(registry.resolve(' D110108-XFB ')?.nameZh).toBe('海淀区信访办');
    expect(registry.resolve('朝阳区某不存在的局')).toBeUndefined();
  });

  it('schedules every periodic duty the packs give a level for every organ of that level', () => {
    const today = parsePlainDate('2026-06-15');
    const owed = dutiesOwed('beijing', registry.organs, today);
    const count = (level: Organ['level']) => registry.organs.filter((o) => o.level === level).length;
    // beijing-2017 with 2022 and 2016 under it: city 3 (hearReport, specialInspection, assessment),
    // districts and city departments 3 (hearReport.district, specialInspection, assessment),
    // district departments 2 (specialInspection, assessment: their hearings are as needed),
    // petition offices 2 (assessmentNotice, annualReport), streets none (hearReport.street is as needed).
    expect(owed).toHaveLength(3 * count('city') + 3 * (count('district') + count('city-department')) + 2 * count('district-department') + 2 * count('petition-office'));
    expect(owed).toHaveLength(540);
    expect(owed.filter((d) => d.organ.code === 'D110105-XFB').map((d) => d.dutyId).sort()).toEqual(['annualReport', 'assessmentNotice']);
    expect(owed.filter((d) => d.organ.code === 'D110119-ZFB').map((d) => d.dutyId).sort()).toEqual(['assessment', 'specialInspection']);
    expect(owed.some((d) => d.organ.level === 'street-township')).toBe(false);
  });
});

describe('the demo generator and the registry', () => {
  let store: AnalyticsStore;
  beforeAll(async () => {
    store = await AnalyticsStore.open(':memory:');
    await loadDemoData(store, { anchorMonth: '2026-01', jurisdiction: 'beijing', cases: 3000, months: 24 });
  }, 120_000);
  afterAll(() => store?.close());

  it('names only organs of the registry, each where its case lies', async () => {
    const named = await store.all(
      z.object({ name: z.string(), n: z.number() }),
      `SELECT name, count(*)::INTEGER AS n FROM (
         SELECT organ_code AS name FROM cases
         UNION ALL SELECT actor FROM case_events WHERE actor <> 'petitioner'
         UNION ALL SELECT detail->>'$.organ' FROM case_events
         UNION ALL SELECT detail->>'$.toOrgan' FROM case_events
         UNION ALL SELECT issued_by FROM recommendations
         UNION ALL SELECT to_organ FROM recommendations)
        WHERE name IS NOT NULL GROUP BY name`,
    );
    // Every district's departments and office, the city's review organs and its government.
    expect(named.length).toBeGreaterThan(16 * 13);
    expect(named.filter((r) => !registry.byName(r.name)).map((r) => r.name)).toEqual([]);

    const placed = await store.all(z.object({ organ: z.string(), region: z.string() }), 'SELECT DISTINCT organ_code AS organ, region_code AS region FROM cases');
    expect(placed.filter((r) => registry.byName(r.organ)?.regionCode !== r.region)).toEqual([]);
  });

  it('is written to the organs table with its streets and aliases, and a later start brings rows in line with the file', async () => {
    const changed = registry.organs.map((o) => (o.code === 'D110105-ZJW' ? { ...o, aliases: [] } : o));
    await store.transaction((conn) => recordOrgans(conn, 'beijing', changed));
    await store.transaction((conn) => recordOrgans(conn, 'beijing', registry.organs));
    const rows = await store.all(
      z.object({ n: z.number(), streets: z.number(), aliased: z.number() }),
      `SELECT count(*)::INTEGER AS n, count(street_code)::INTEGER AS streets, count(*) FILTER (WHERE len(aliases) > 0)::INTEGER AS aliased FROM organs`,
    );
    expect(rows).toEqual([{ n: registry.organs.length, streets: 349, aliased: registry.organs.filter((o) => o.aliases.length).length }]);
    const [zjw] = await store.all(z.object({ aliases: z.array(z.string()) }), "SELECT aliases FROM organs WHERE code = 'D110105-ZJW'");
    expect(zjw!.aliases).toEqual([...registry.byCode('D110105-ZJW')!.aliases]);
  });
});

describe('a malformed registry file', () => {
  const refused = (raw: unknown, hierarchy: RegionHierarchy = regions) => {
    try {
      parseOrganRegistry(raw, hierarchy, 'test.json');
    } catch (error) {
      expect(error).toBeInstanceOf(OrganRegistryError);
      return (error as Error).message;
    }
    throw new Error('the file was accepted');
  };

  it('is refused naming the path of the problem', () => {
    const noName = fileJson();
    delete noName.city.departments[1].nameZh;
    expect(refused(noName)).toMatch(/^test\.json: city\.departments\.1\.nameZh: /);

    const extra = fileJson();
    extra.districts.petitionOffice.level = 'district';
    expect(refused(extra)).toMatch(/^test\.json: districts\.petitionOffice: .*level/);

    const badCode = fileJson();
    badCode.city.departments[0].code = 'BJ RSJ';
    expect(refused(badCode)).toMatch(/^test\.json: city\.departments\.0\.code: letters, digits/);

    const noFallback = fileJson();
    noFallback.streets.leadership.pop();
    expect(refused(noFallback)).toMatch(/^test\.json: streets\.leadership: the last template has suffix ""/);
  });

  it('is refused when a template names an unknown placeholder, or two organs share a code or a name', () => {
    const placeholder = fileJson();
    placeholder.districts.departments[2].nameZh = '{name}{bureau}';
    expect(refused(placeholder)).toBe('test.json: districts.departments.2.nameZh: {bureau} is not a placeholder here ({code}, {name}, {short}, {suffix})');

    const cityPlaceholder = fileJson();
    cityPlaceholder.city.leadership.aliases = ['{name}政府'];
    expect(refused(cityPlaceholder)).toBe('test.json: city.leadership.aliases.0: {name} is not a placeholder here (none)');

    const sameCode = fileJson();
    sameCode.districts.departments[1].code = 'D{code}-ZJW';
    expect(refused(sameCode)).toBe('test.json: districts.departments.1 for 110101: code D110101-ZJW is also districts.departments.0 for 110101');

    const sameName = fileJson();
    sameName.city.departments[3].aliases.push('北京市教委');
    expect(refused(sameName)).toBe('test.json: city.departments.3: the name 北京市教委 is also city.departments.2');
  });

  it("is refused for another jurisdiction's hierarchy, and as a file that is not JSON, naming the file", () => {
    const xianning: RegionHierarchy = { ...regions, jurisdiction: 'xianning' };
    expect(refused(fileJson(), xianning)).toBe("test.json: jurisdiction: the file is beijing's, the region hierarchy xianning's");
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "jurisdiction": "beijing", ');
    expect(() => loadOrganRegistry(path, regions)).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });
});
