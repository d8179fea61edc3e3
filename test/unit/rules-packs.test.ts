import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadChinaCalendar, PROVISIONAL_YEARS } from '../../rules/calendar.js';
import { composeRules } from '../../rules/compose.js';
import { computeDeadline } from '../../rules/deadline.js';
import { loadPolicyLibrary } from '../../rules/library.js';
import { parsePlainDate } from '../../rules/plain-date.js';

const BUILT_IN = fileURLToPath(new URL('../../rules/packs/', import.meta.url));
const JURISDICTIONS = fileURLToPath(new URL('../../rules/jurisdictions.json', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const on = (date: string) => parsePlainDate(date);
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xinfang-packs-'));
  dirs.push(dir);
  return dir;
}

/** A library of the built-in packs plus one extra pack file written from `pack`. */
function withExtraPack(pack: unknown, jurisdictions?: Record<string, string[]>) {
  const dir = scratch();
  const local = join(dir, 'local');
  mkdirSync(local);
  writeFileSync(join(local, 'extra.json'), typeof pack === 'string' ? pack : JSON.stringify(pack));
  const files = [JURISDICTIONS];
  if (jurisdictions) {
    writeFileSync(join(dir, 'j.json'), JSON.stringify(jurisdictions));
    files.push(join(dir, 'j.json'));
  }
  return () => loadPolicyLibrary({ packDirs: [BUILT_IN, local], jurisdictionFiles: files });
}

const builtIn = (id: string) => JSON.parse(readFileSync(join(BUILT_IN, `${id}.json`), 'utf8'));

describe('loading packs', () => {
  it('loads every built-in pack and jurisdiction', () => {
    const library = loadPolicyLibrary({ packDirs: [BUILT_IN], jurisdictionFiles: [JURISDICTIONS] });
    expect([...library.packs.keys()].sort()).toEqual(['beijing-2017', 'national-2016', 'regulations-2005', 'regulations-2022', 'xianning-2013']);
    expect(Object.keys(library.jurisdictions).sort()).toEqual(['beijing', 'national', 'xianning']);
  });

  it('rejects a file that is not JSON, naming the file', () => {
    expect(withExtraPack('{ "id": ')).toThrow(/policy pack extra.json: \(file\): not valid JSON/);
  });

  it('rejects a malformed rule, naming the pack, the rule and the problem', () => {
    const pack = { ...builtIn('regulations-2022'), id: 'local-test', version: '1' };
    pack.clocks.handle.days = -60;
    expect(withExtraPack(pack)).toThrow(/policy pack local-test: clocks\.handle\.days: .*>0/);
  });

  it('rejects a clock for an unknown step', () => {
    const pack = { ...builtIn('regulations-2022'), id: 'local-test', version: '1' };
    pack.clocks.answer = pack.clocks.handle;
    expect(withExtraPack(pack)).toThrow(/policy pack local-test: clocks/);
  });

  it('rejects a ladder that escalates to an unknown step', () => {
    const pack = { ...builtIn('national-2016'), id: 'local-test', version: '1' };
    pack.accountability.steps.notice.escalatesTo = 'reprimand';
    expect(withExtraPack(pack)).toThrow(
      'policy pack local-test: accountability.steps.notice.escalatesTo: unknown ladder step "reprimand"',
    );
  });

  it('rejects a ground that enters the ladder at an unknown step', () => {
    const pack = { ...builtIn('xianning-2013'), id: 'local-test', version: '1' };
    pack.accountability.grounds.situation3.startsAt = 'fine';
    expect(withExtraPack(pack)).toThrow(/accountability\.grounds\.situation3\.startsAt: unknown ladder step "fine"/);
  });

  it('rejects a second copy of a version, and a jurisdiction naming an unknown pack', () => {
    expect(withExtraPack(builtIn('beijing-2017'))).toThrow(/policy pack beijing-2017: version: version 2017.2 is defined twice/);
    const pack = { ...builtIn('regulations-2022'), id: 'local-test', version: '1' };
    expect(withExtraPack(pack, { shanghai: ['regulations-2022', 'shanghai-2018'] })).toThrow(
      /policy pack shanghai-2018: jurisdiction shanghai: no such pack/,
    );
  });

  it('rejects a composition that leaves a required rule undefined', () => {
    const library = withExtraPack({ ...builtIn('national-2016'), id: 'local-test', version: '1' }, { duties: ['local-test'] })();
    expect(() => composeRules(library, 'duties', on('2020-01-01'))).toThrow(
      /policy pack local-test: clocks\.route: required rule is not defined by any pack of duties in force on 2020-01-01/,
    );
  });
});

describe('composition and provenance', () => {
  const library = loadPolicyLibrary({ packDirs: [BUILT_IN], jurisdictionFiles: [JURISDICTIONS] });

  it('Beijing in 2025: 2022 clocks over the 2005 ones, Beijing duties and ladder, national responsibility rule replaced', () => {
    const rules = composeRules(library, 'beijing', on('2025-08-05'));
    expect(rules.packs.map((p) => p.id)).toEqual(['regulations-2005', 'regulations-2022', 'national-2016', 'beijing-2017']);
    expect(rules.clocks.route?.from).toMatchObject({ pack: 'regulations-2022', article: '第二十二条', overrides: ['regulations-2005'] });
    expect(rules.duties['hearReport']).toMatchObject({
      rule: { period: 'half-year', appliesTo: ['city'] },
      from: { pack: 'beijing-2017', article: '第四条', overrides: ['national-2016'] },
    });
    expect(rules.duties['hearReport.district']?.rule.period).toBe('quarter');
    expect(rules.accountability?.from).toMatchObject({ pack: 'beijing-2017', overrides: ['regulations-2022', 'national-2016'] });
    expect(rules.accountability?.rule.steps['admonition']?.consequences).toContain('取消该地区、部门和单位本年度评选综合性荣誉称号的资格');
    expect(rules.responsibility['collective']?.rule.roles['recordedDissenter']).toBe('none');
    expect(rules.routing['litigation']?.rule.action).toBe('forward-to-political-legal');
    expect(rules.thresholds['collectiveVisitMinPeople']?.rule.value).toBe(5);
  });

  it('a case is governed by the packs in force when it was received', () => {
    const in2015 = composeRules(library, 'beijing', on('2015-06-01'));
    expect(in2015.packs.map((p) => p.id)).toEqual(['regulations-2005']);
    expect(in2015.clocks.handle?.from).toMatchObject({ pack: 'regulations-2005', article: '第三十三条' });
    expect(in2015.accountability).toBeNull();
    expect(composeRules(library, 'beijing', on('2017-06-21')).accountability?.from.pack).toBe('national-2016');
    expect(composeRules(library, 'beijing', on('2017-06-22')).accountability?.from.pack).toBe('beijing-2017');
  });

  it("Xianning maps its 13 situations onto its own four-step ladder", () => {
    const rules = composeRules(library, 'xianning', on('2020-01-01'));
    const accountability = rules.accountability!.rule;
    expect(rules.accountability!.from.pack).toBe('xianning-2013');
    expect(Object.values(accountability.grounds).filter((g) => g.cite === '咸宁市信访工作责任制实施办法 [xianning-2013]')).toHaveLength(13);
    expect(accountability.start).toBe('criticism');
    expect(accountability.grounds['situation1']?.startsAt).toBe('criticism');
    expect(accountability.grounds['situation5']?.startsAt).toBe('rectificationOrder');
    expect(accountability.grounds['situation9']?.startsAt).toBe('admonitionTalk');
    expect(accountability.grounds['situation11']?.startsAt).toBe('disciplinary');
    expect(rules.duties['grassrootsResearch']?.rule).toMatchObject({ period: 'year', minDays: 30 });
  });

  it('a new pack version changes cases received from its date on, and no earlier case', () => {
    const v2 = { ...builtIn('regulations-2022'), version: '2026.1', effective: '2026-07-01' };
    v2.clocks.route.days = 10;
    const library2 = withExtraPack(v2)();
    expect(composeRules(library2, 'beijing', on('2026-06-30')).clocks.route?.rule.days).toBe(15);
    const after = composeRules(library2, 'beijing', on('2026-07-01'));
    expect(after.clocks.route).toMatchObject({ rule: { days: 10 }, from: { version: '2026.1' } });
  });
});

describe('the calendar override file', () => {
  // A fixture, not the real 2027 schedule: it proves an override extends the covered years.
  const fixture = {
    source: 'test fixture',
    years: { '2027': { holidays: { '2027-01-01': '元旦', '2027-01-04': '元旦' }, workdays: { '2027-01-09': '元旦' } } },
  };

  it('adds a year the package lacks', () => {
    const file = join(scratch(), 'calendar.json');
    writeFileSync(file, JSON.stringify(fixture));
    const calendar = loadChinaCalendar(file);
    expect(calendar.lastYear).toBe(2027);
    expect(computeDeadline({ start: on('2026-12-20'), days: 15, basis: 'calendar' }, calendar)).toMatchObject({
      rawDue: '2027-01-04',
      due: '2027-01-05',
    });
    expect(calendar.isWorkingDay(on('2027-01-09'))).toBe(true);
  });

  it('refuses a date filed under the wrong year', () => {
    const file = join(scratch(), 'calendar.json');
    writeFileSync(file, JSON.stringify({ ...fixture, years: { '2027': { holidays: { '2028-01-01': '元旦' } } } }));
    expect(() => loadChinaCalendar(file)).toThrow(/2028-01-01 is listed under 2027/);
  });
});

describe('xinfang deadline', () => {
  // Only the packaged calendar: no override another test file may have set in this process.
  const { XINFANG_CALENDAR_OVERRIDES: _override, ...baseEnv } = process.env;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    promisify(execFile)(process.execPath, [join(ROOT, 'bin/xinfang.js'), 'deadline', ...args], {
      cwd: ROOT,
      env: { ...baseEnv, ...env },
    });

  it('prints the due date and explanation, the same in every host time zone', async () => {
    const args = ['--from', '2025-09-16', '--days', '15', '--basis', 'calendar'];
    const [shanghai, losAngeles] = await Promise.all([cli(args, { TZ: 'Asia/Shanghai' }), cli(args, { TZ: 'America/Los_Angeles' })]);
    const result = JSON.parse(shanghai.stdout);
    expect(result).toMatchObject({ due: '2025-10-09', basis: 'calendar', rule: { days: 15, basis: 'calendar' } });
    expect(result.explanation.at(-1)).toBe('due 2025-10-09; missed from 2025-10-10 00:00 China time');
    expect(losAngeles.stdout).toBe(shanghai.stdout);
  });

  it('takes a step from a pack, with the rule and its provenance', async () => {
    const { stdout } = await cli(['--pack', 'regulations-2022', '--step', 'handle', '--from', '2025-08-05']);
    const result = JSON.parse(stdout);
    expect(result.due).toBe('2025-10-09');
    expect(result.rule).toMatchObject({ step: 'handle', days: 60, pack: 'regulations-2022', extension: { maxDays: 30, times: 1 } });
  });

  it('exits non-zero with a one-line reason for bad arguments', async () => {
    for (const args of [
      ['--from', '2025-02-30', '--days', '3'],
      ['--from', '2025-08-05'],
      ['--pack', 'nope', '--step', 'handle', '--from', '2025-08-05'],
      ['--pack', 'regulations-2022', '--step', 'handle', '--from', '2025-08-05', '--extension', '31'],
      // Beyond the provisional years after the package's last: no calendar at all.
      ['--from', `${loadChinaCalendar().lastYear + PROVISIONAL_YEARS + 1}-03-01`, '--days', '15'],
    ]) {
      const failure = await cli(args).then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure, args.join(' ')).not.toBeNull();
      expect(failure!.code).toBe(2);
      expect(failure!.stderr.trim().split('\n')).toHaveLength(1);
      expect(failure!.stderr).toMatch(/^xinfang: /);
    }
  });
});
