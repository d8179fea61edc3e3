import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { jurisdictionData, JurisdictionDataError } from '../../domain/jurisdiction-data.js';
import { loadConfig } from '../../server/config.js';
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
