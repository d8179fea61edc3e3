/**
 * The periodic and as-needed duties the packs compose for Xianning and for the national
 * composition (rules/jurisdictions.json), each with its level, period and article as the seeds
 * say: the national measures' arts. 4(1), 4(3), 9 and 10 (seed 002) where no local rule replaces
 * them, and the Xianning measures' arts. 6, 7, 8, 9 and 15 (seed 001). The expected tables are
 * written from the seeds, not from the packs.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Organ, OrganLevel } from '../../domain/organs.js';
import { dutyPlan } from '../../rules/case-rules.js';
import { composeRules } from '../../rules/compose.js';
import { loadPolicyLibrary } from '../../rules/library.js';
import { parsePlainDate } from '../../rules/plain-date.js';
import { dutiesOwed } from '../../server/duty-routes.js';

const library = loadPolicyLibrary({
  packDirs: [fileURLToPath(new URL('../../rules/packs/', import.meta.url))],
  jurisdictionFiles: [fileURLToPath(new URL('../../rules/jurisdictions.json', import.meta.url))],
});
const on = (date: string) => parsePlainDate(date);
const TODAY = on('2026-06-15');
const NATIONAL = '信访工作责任制实施办法';
const XIANNING = '咸宁市信访工作责任制实施办法';
const LEVELS: readonly OrganLevel[] = ['city', 'district', 'city-department', 'district-department', 'street-township', 'petition-office'];
const PERIODIC = ['city', 'district', 'city-department', 'district-department'] as const;

/** What a duty composes to: the fields a period workflow and the duty records go by. */
const composed = (jurisdiction: string, day: string, dutyId: string) => {
  const duty = composeRules(library, jurisdiction, on(day)).duties[dutyId];
  if (!duty) return undefined;
  const { appliesTo, period, minCount, minDays, evidence } = duty.rule;
  return { appliesTo, period, minCount, ...(minDays ? { minDays } : {}), evidence, pack: duty.from.pack, article: duty.from.article, overrides: duty.from.overrides };
};

/** One organ of each level, as a registry would list it. */
const organs: Organ[] = LEVELS.map((level) => ({ code: `T-${level}`, nameZh: `${level} 测试机关`, level, regionCode: '421202', aliases: [] }));
/** The periodic duties scheduled for each level, as "level: duty (period)", sorted. */
const scheduled = (jurisdiction: string) =>
  dutiesOwed(jurisdiction, organs, TODAY)
    .map((d) => `${d.organ.level}: ${d.dutyId} (${d.period})`)
    .sort();

describe('the national measures (2016) where they are in force', () => {
  it('art. 4(1): hearing reports on petition work, as needed, for every organ, in Xianning and the national composition', () => {
    for (const jurisdiction of ['xianning', 'national']) {
      expect(composed(jurisdiction, '2026-06-15', 'hearReport'), jurisdiction).toEqual({
        appliesTo: ['organ'],
        period: 'as-needed',
        minCount: 1,
        evidence: ['meeting'],
        pack: 'national-2016',
        article: '第四条第一款',
        overrides: [],
      });
      // As needed: recorded for any level, never a period of its own.
      expect(dutyPlan(jurisdiction, 'hearReport', 'street-township', TODAY).cite).toBe(`${NATIONAL} 第四条第一款 [national-2016]`);
      expect(scheduled(jurisdiction).filter((d) => d.includes('hearReport'))).toEqual([]);
    }
    // Before the measures took effect no composition owes it.
    expect(composed('national', '2016-10-07', 'hearReport')).toBeUndefined();
    expect(composed('national', '2016-10-08', 'hearReport')?.article).toBe('第四条第一款');
  });

  it('art. 4(3): leaders’ reception days and annotated letters, in force in the national composition only', () => {
    expect(composed('national', '2026-06-15', 'leaderReception')).toEqual({
      appliesTo: ['organ'],
      period: 'as-needed',
      minCount: 1,
      evidence: ['reception', 'letter'],
      pack: 'national-2016',
      article: '第四条第三款',
      overrides: [],
    });
    expect(dutyPlan('national', 'leaderReception', 'district', TODAY).cite).toBe(`${NATIONAL} 第四条第三款 [national-2016]`);
    // Xianning art. 9 and Beijing art. 12 replace it.
    expect(composed('xianning', '2026-06-15', 'leaderReception')).toMatchObject({ pack: 'xianning-2013', article: '第九条', overrides: ['national-2016'] });
    expect(composed('beijing', '2026-06-15', 'leaderReception')).toMatchObject({ pack: 'beijing-2017', article: '第十二条', overrides: ['national-2016'] });
  });

  it('arts. 9 and 10: a special inspection and an assessment every year for cities, districts and departments, over the 2022 arts. 38-39', () => {
    for (const jurisdiction of ['xianning', 'national']) {
      for (const [dutyId, article, evidence] of [
        ['specialInspection', '第九条', ['inspection']],
        ['assessment', '第十条', ['report']],
      ] as const) {
        const expected = { appliesTo: [...PERIODIC], period: 'year', minCount: 1, evidence, pack: 'national-2016', article };
        expect(composed(jurisdiction, '2026-06-15', dutyId), `${jurisdiction} ${dutyId}`).toEqual({ ...expected, overrides: ['regulations-2022'] });
        // Before 2022-05-01 the Regulations of 2022 had nothing to override.
        expect(composed(jurisdiction, '2020-01-01', dutyId), `${jurisdiction} ${dutyId} 2020`).toEqual({ ...expected, overrides: [] });
        expect(dutyPlan(jurisdiction, dutyId, 'district-department', TODAY).cite).toBe(`${NATIONAL} ${article} [national-2016]`);
        expect(() => dutyPlan(jurisdiction, dutyId, 'petition-office', TODAY)).toThrow(/the duty is not owed at level petition-office/);
      }
    }
  });

  it('schedules, for an organ of each level of the national composition, exactly its periodic duties', () => {
    expect(scheduled('national')).toEqual(
      [
        ...PERIODIC.flatMap((level) => [`${level}: specialInspection (year)`, `${level}: assessment (year)`]),
        'petition-office: annualReport (year)', // 2022 art. 41
      ].sort(),
    );
  });
});

describe('the Xianning measures (2013)', () => {
  it('art. 6: a county’s standing-committee or executive meeting every quarter, and its leaders’ month of grassroots research a year', () => {
    expect(composed('xianning', '2026-06-15', 'standingCommitteeMeeting')).toEqual({
      appliesTo: ['district'],
      period: 'quarter',
      minCount: 1,
      evidence: ['meeting'],
      pack: 'xianning-2013',
      article: '第六条',
      overrides: [],
    });
    expect(composed('xianning', '2026-06-15', 'grassrootsResearch')).toEqual({
      appliesTo: ['district'],
      period: 'year',
      minCount: 1,
      minDays: 30,
      evidence: ['research'],
      pack: 'xianning-2013',
      article: '第六条',
      overrides: [],
    });
    expect(dutyPlan('xianning', 'standingCommitteeMeeting', 'district', TODAY).cite).toBe(`${XIANNING} 第六条 [xianning-2013]`);
    expect(() => dutyPlan('xianning', 'standingCommitteeMeeting', 'city', TODAY)).toThrow(/not owed at level city/);
  });

  it('art. 7: the petition office’s analysis report, every quarter', () => {
    expect(composed('xianning', '2026-06-15', 'analysisReport')).toEqual({
      appliesTo: ['petition-office'],
      period: 'quarter',
      minCount: 1,
      evidence: ['report'],
      pack: 'xianning-2013',
      article: '第七条',
      overrides: [],
    });
    expect(dutyPlan('xianning', 'analysisReport', 'petition-office', TODAY).cite).toBe(`${XIANNING} 第七条 [xianning-2013]`);
  });

  it('art. 8: a department’s party-group or office meeting, every quarter, at both levels', () => {
    expect(composed('xianning', '2026-06-15', 'departmentMeeting')).toEqual({
      appliesTo: ['city-department', 'district-department'],
      period: 'quarter',
      minCount: 1,
      evidence: ['meeting'],
      pack: 'xianning-2013',
      article: '第八条',
      overrides: [],
    });
    expect(() => dutyPlan('xianning', 'departmentMeeting', 'district', TODAY)).toThrow(/not owed at level district/);
  });

  it('art. 9: leaders read letters and receive visitors, as needed, recorded for any organ', () => {
    expect(composed('xianning', '2026-06-15', 'leaderReception')).toEqual({
      appliesTo: ['organ'],
      period: 'as-needed',
      minCount: 1,
      evidence: ['reception', 'letter'],
      pack: 'xianning-2013',
      article: '第九条',
      overrides: ['national-2016'],
    });
    expect(dutyPlan('xianning', 'leaderReception', 'street-township', TODAY).cite).toBe(`${XIANNING} 第九条 [xianning-2013]`);
  });

  it('art. 15: the target-responsibility letter the city and the counties sign every year', () => {
    expect(composed('xianning', '2026-06-15', 'targetResponsibilityLetter')).toEqual({
      appliesTo: ['city', 'district'],
      period: 'year',
      minCount: 1,
      evidence: ['letter'],
      pack: 'xianning-2013',
      article: '第十五条',
      overrides: [],
    });
  });

  it('are in force from 2013-06-14, before any national rule', () => {
    expect(composed('xianning', '2013-06-13', 'standingCommitteeMeeting')).toBeUndefined();
    const early = composeRules(library, 'xianning', on('2013-06-14'));
    expect(early.packs.map((p) => p.id)).toEqual(['regulations-2005', 'xianning-2013']);
    expect(Object.keys(early.duties).sort()).toEqual(['analysisReport', 'departmentMeeting', 'grassrootsResearch', 'leaderReception', 'standingCommitteeMeeting', 'targetResponsibilityLetter']);
  });

  it('schedules, for an organ of each level, exactly its periodic duties', () => {
    expect(scheduled('xianning')).toEqual(
      [
        'city: specialInspection (year)', // national art. 9
        'city: assessment (year)', // national art. 10
        'city: targetResponsibilityLetter (year)', // art. 15
        'district: specialInspection (year)',
        'district: assessment (year)',
        'district: standingCommitteeMeeting (quarter)', // art. 6
        'district: grassrootsResearch (year)', // art. 6
        'district: targetResponsibilityLetter (year)',
        'city-department: specialInspection (year)',
        'city-department: assessment (year)',
        'city-department: departmentMeeting (quarter)', // art. 8
        'district-department: specialInspection (year)',
        'district-department: assessment (year)',
        'district-department: departmentMeeting (quarter)',
        'petition-office: annualReport (year)', // 2022 art. 41
        'petition-office: analysisReport (quarter)', // art. 7
      ].sort(),
    );
  });
});
