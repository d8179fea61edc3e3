/**
 * The demo users come from the jurisdiction's data: Beijing's are the ones the README, the
 * browser tests and the authorisation matrix know, plus the officer of the district department
 * the demo data gives cases; another jurisdiction's are derived from its region hierarchy and
 * organ registry, shown on a small jurisdiction written to a temp folder and created in a store
 * whose scope checks (server/identity/users.ts) accept every one of them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { recordOrgans, recordRegions } from '../../analytics/region-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { jurisdictionData, type JurisdictionData } from '../../domain/jurisdiction-data.js';
import { BEIJING_DEMO_USERS, demoUsersOf, DemoUsersError, ensureDemoUsers, type DemoUser } from '../../server/identity/demo-users.js';
import { findUser } from '../../server/identity/users.js';

const dir = mkdtempSync(join(tmpdir(), 'xinfang-demo-users-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (u: DemoUser) => [u.username, u.displayName, u.role, u.regionCode ?? u.organCode];

/** Every user holds a node of the hierarchy or an organ of the registry, never both. */
function expectHeld(data: JurisdictionData, users: readonly DemoUser[]) {
  for (const u of users) {
    expect(u.regionCode === undefined, u.username).not.toBe(u.organCode === undefined);
    if (u.regionCode !== undefined) expect(data.regions.nodes.some((n) => n.code === u.regionCode), `${u.username} holds ${u.regionCode}`).toBe(true);
    if (u.organCode !== undefined) expect(data.organs.byCode(u.organCode), `${u.username} holds ${u.organCode}`).toBeDefined();
  }
}

describe("Beijing's demo users", () => {
  const beijing = jurisdictionData('beijing');

  it('are the users they have always been, with the officer of Chaoyang’s housing commission added', () => {
    expect(BEIJING_DEMO_USERS.map(row)).toEqual([
      ['admin', '系统管理员', 'admin', '110000'],
      ['leader', '市领导', 'leader', '110000'],
      ['leader-chaoyang', '朝阳区领导', 'leader', '110105'],
      ['leader-jianwai', '建外街道领导', 'leader', '110105001'],
      ['analyst', '市信访矛盾分析研究中心', 'analyst', '110000'],
      ['analyst-chaoyang', '朝阳区分析员', 'analyst', '110105'],
      ['clerk', '市信访办办理人员', 'clerk', '110000'],
      ['clerk-chaoyang', '朝阳区信访办办理人员', 'clerk', '110105'],
      ['clerk-jianwai', '建外街道信访办办理人员', 'clerk', '110105001'],
      ['officer-education', '市教委承办人', 'officer', 'BJ-JW'],
      ['officer-chaoyang', '朝阳区承办人', 'officer', 'D110105'],
      ['officer-chaoyang-housing', '朝阳区住房城乡建设委承办人', 'officer', 'D110105-ZJW'],
      ['inspector', '市督查人员', 'inspector', '110000'],
      ['inspector-chaoyang', '朝阳区督查人员', 'inspector', '110105'],
    ]);
    expect(demoUsersOf(beijing)).toEqual(BEIJING_DEMO_USERS);
  });

  it('hold regions and organs of Beijing’s data, the officers organs of the kinds their names say', () => {
    expectHeld(beijing, BEIJING_DEMO_USERS);
    const level = (username: string) => beijing.organs.byCode(BEIJING_DEMO_USERS.find((u) => u.username === username)!.organCode!)!.level;
    expect(['officer-education', 'officer-chaoyang', 'officer-chaoyang-housing'].map(level)).toEqual(['city-department', 'district', 'district-department']);
  });

  it('sit where the defaults would put them: Chaoyang is the most populous district and Jianwai its first street', () => {
    const byPopulation = [...beijing.districts].sort((a, b) => (b.population10k ?? 0) - (a.population10k ?? 0));
    expect(byPopulation[0]!.code).toBe('110105');
    expect(beijing.regions.nodes.find((n) => n.level === 'street' && n.parentCode === '110105')!.code).toBe('110105001');
  });
});

interface TestJurisdiction {
  regions: string[];
  cityDepartments?: Array<{ code: string; nameZh: string }>;
  districtDepartments?: Array<{ code: string; nameZh: string }>;
}

let roots = 0;
/** A data folder holding one jurisdiction `testland`: its settings, region file and organ registry. */
function testland(j: TestJurisdiction): JurisdictionData {
  const root = join(dir, `root-${++roots}`);
  for (const sub of ['jurisdictions', 'regions', 'organs']) mkdirSync(join(root, sub), { recursive: true });
  writeFileSync(join(root, 'jurisdictions', 'testland.json'), JSON.stringify({ jurisdiction: 'testland', timeZone: 'Asia/Shanghai' }));
  writeFileSync(join(root, 'regions', 'testland.csv'), ['code,parent_code,level,name_zh,name_en,population10k', ...j.regions].join('\n'));
  writeFileSync(
    join(root, 'organs', 'testland.json'),
    JSON.stringify({
      jurisdiction: 'testland',
      city: {
        leadership: { code: 'TL', nameZh: '测试市委、市政府' },
        petitionOffice: { code: 'TL-XFJ', nameZh: '测试市信访局' },
        departments: j.cityDepartments ?? [
          { code: 'TL-RSJ', nameZh: '测试市人力资源和社会保障局' },
          { code: 'TL-JYJ', nameZh: '测试市教育局' },
        ],
      },
      districts: {
        leadership: { code: 'D{code}', nameZh: '{name}委、政府' },
        petitionOffice: { code: 'D{code}-XFJ', nameZh: '{name}信访局' },
        departments: j.districtDepartments ?? [
          { code: 'D{code}-ZJJ', nameZh: '{name}住房和城乡建设局' },
          { code: 'D{code}-RSJ', nameZh: '{name}人力资源和社会保障局' },
        ],
      },
      streets: { leadership: [{ suffix: '', code: 'S{code}', nameZh: '{district}{name}' }] },
    }),
  );
  return jurisdictionData('testland', pathToFileURL(`${root}/`));
}

const REGIONS = [
  '900000,,city,测试市,Testland,100',
  '900001,900000,district,甲区,Jia,20',
  '900002,900000,district,乙县,Yi,50',
  '900003,900000,district,丙县,Bing,',
  '900001001,900001,street,甲一街道,,',
  // The first of 乙县's streets in the file, though not the lowest code.
  '900002002,900002,street,乙二镇,,',
  '900002001,900002,street,乙一乡,,',
];

describe("another jurisdiction's demo users", () => {
  it('sit at its most populous district, that district’s first street, its first city department and the district’s first department, named by codes', () => {
    const data = testland({ regions: REGIONS });
    const users = demoUsersOf(data);
    expect(users.map(row)).toEqual([
      ['admin', '系统管理员', 'admin', '900000'],
      ['leader', '测试市领导', 'leader', '900000'],
      ['leader-900002', '乙县领导', 'leader', '900002'],
      ['leader-900002002', '乙二镇领导', 'leader', '900002002'],
      ['analyst', '测试市信访矛盾分析研究中心', 'analyst', '900000'],
      ['analyst-900002', '乙县分析员', 'analyst', '900002'],
      ['clerk', '测试市信访局办理人员', 'clerk', '900000'],
      ['clerk-900002', '乙县信访局办理人员', 'clerk', '900002'],
      ['clerk-900002002', '乙二镇信访办办理人员', 'clerk', '900002002'],
      ['officer-tl-rsj', '测试市人力资源和社会保障局承办人', 'officer', 'TL-RSJ'],
      ['officer-900002', '乙县承办人', 'officer', 'D900002'],
      ['officer-d900002-zjj', '乙县住房和城乡建设局承办人', 'officer', 'D900002-ZJJ'],
      ['inspector', '测试市督查人员', 'inspector', '900000'],
      ['inspector-900002', '乙县督查人员', 'inspector', '900002'],
    ]);
    expectHeld(data, users);
  });

  it('are created in a store holding its regions and organs, each passing the scope check', async () => {
    const data = testland({ regions: REGIONS });
    const users = demoUsersOf(data);
    const store = await AnalyticsStore.open(':memory:');
    try {
      await store.transaction(async (conn) => {
        await recordRegions(conn, data.regions);
        await recordOrgans(conn, 'testland', data.organs.organs);
      });
      expect(await ensureDemoUsers(store, 'testland', 'demo-password-1234', users)).toEqual(users.map((u) => u.username));
      for (const u of users) {
        expect(await findUser(store, u.username)).toMatchObject({ jurisdiction: 'testland', role: u.role, region_code: u.regionCode ?? null, organ_code: u.organCode ?? null });
      }
    } finally {
      store.close();
    }
  });

  it('leave out the street’s users when the district has no street, and its department’s officer when the registry gives districts none', () => {
    const data = testland({ regions: REGIONS.filter((r) => !r.includes(',900002,street')), districtDepartments: [] });
    expect(demoUsersOf(data).map((u) => u.username)).toEqual([
      'admin', 'leader', 'leader-900002', 'analyst', 'analyst-900002', 'clerk', 'clerk-900002',
      'officer-tl-rsj', 'officer-900002', 'inspector', 'inspector-900002',
    ]);
  });

  it('refuse an organ code too long to make a user name, naming it', () => {
    const code = `TL-${'X'.repeat(37)}`;
    const data = testland({ regions: REGIONS, cityDepartments: [{ code, nameZh: '测试市长名局' }] });
    expect(() => demoUsersOf(data)).toThrow(DemoUsersError);
    expect(() => demoUsersOf(data)).toThrow(`testland: demo user name officer-${code.toLowerCase()}:`);
  });
});
