/**
 * The 2022 Regulations' failures (arts. 42, 44-46) as grounds wherever the Regulations are in
 * force, beside the local ladder's grounds, each entering the ladder in force at the step that
 * carries out 责令改正, or art. 42's at the mildest carrying out the serious handling; and which
 * measures one decision may impose together, by rule.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { composePacks, composeRules } from '../../rules/compose.js';
import { combinationOf, combinationRefusal, type ComposedLadder } from '../../rules/ladder.js';
import { loadPolicyLibrary, type PolicyLibrary } from '../../rules/library.js';
import { parsePlainDate } from '../../rules/plain-date.js';

const BUILT_IN = fileURLToPath(new URL('../../rules/packs/', import.meta.url));
const JURISDICTIONS = fileURLToPath(new URL('../../rules/jurisdictions.json', import.meta.url));
const library = loadPolicyLibrary({ packDirs: [BUILT_IN], jurisdictionFiles: [JURISDICTIONS] });
const ladderOf = (jurisdiction: string, on: string, lib: PolicyLibrary = library): ComposedLadder => composeRules(lib, jurisdiction, parsePlainDate(on)).accountability!.rule;
const REGULATIONS = '信访工作条例 [regulations-2022]';
const builtIn = (id: string) => JSON.parse(readFileSync(join(BUILT_IN, `${id}.json`), 'utf8'));

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
/** The built-in packs plus `pack`, which Beijing's packs end with. */
function withLocalPack(pack: unknown): PolicyLibrary {
  const dir = mkdtempSync(join(tmpdir(), 'xinfang-grounds-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'local'));
  writeFileSync(join(dir, 'local', 'local.json'), JSON.stringify(pack));
  writeFileSync(join(dir, 'j.json'), JSON.stringify({ local: ['regulations-2005', 'regulations-2022', 'national-2016', 'local-test'] }));
  return loadPolicyLibrary({ packDirs: [BUILT_IN, join(dir, 'local')], jurisdictionFiles: [JURISDICTIONS, join(dir, 'j.json')] });
}

// Each ground and its article and item, as the seed copy of the Regulations numbers them (seed 003).
const ARTICLES: Record<string, string> = {
  powerAbused: '第四十二条第（一）项',
  inaction: '第四十二条第（二）项',
  lawMisapplied: '第四十二条第（三）项',
  supportingOpinionDefied: '第四十二条第（四）项',
  notRegistered: '第四十四条第（一）项',
  notAccepted: '第四十四条第（二）项',
  acceptanceNotNotified: '第四十四条第（三）项',
  handlingDelayed: '第四十五条第（一）项',
  claimNotSupported: '第四十五条第（二）项',
  recommendationsNeglected: '第四十五条第（三）项',
  otherHandlingFailure: '第四十五条第（四）项',
  hostileConduct: '第四十六条第（一）项',
  seekingGain: '第四十六条第（二）项',
  escalationMishandled: '第四十六条第（三）项',
  informationConcealed: '第四十六条第（四）项',
  accusationDisclosed: '第四十六条第（五）项',
};

describe('the 2022 Regulations arts. 42, 44-46 as grounds', () => {
  it('Beijing and Xianning both have every 2022 ground with its article, beside their own', () => {
    for (const jurisdiction of ['beijing', 'xianning', 'national']) {
      const { grounds } = ladderOf(jurisdiction, '2025-06-01');
      const fromRegulations = Object.entries(grounds).filter(([, g]) => g.cite === REGULATIONS);
      expect(Object.fromEntries(fromRegulations.map(([id, g]) => [id, g.source.article])), jurisdiction).toEqual(ARTICLES);
    }
    expect(ladderOf('beijing', '2025-06-01').grounds['acceptanceNotNotified']?.labelZh).toBe('未在规定期限内书面告知信访人是否受理信访事项');
    expect(ladderOf('beijing', '2025-06-01').grounds['procedure']).toMatchObject({ cite: '北京市信访工作责任制实施细则 [beijing-2017]', source: { article: '第十九条第一款第（二）项' } });
    const xianning = Object.values(ladderOf('xianning', '2025-06-01').grounds).filter((g) => g.cite === '咸宁市信访工作责任制实施办法 [xianning-2013]');
    expect(xianning.map((g) => g.source.article)).toEqual(Array.from({ length: 13 }, (_, i) => `第十二条第（${'一二三四五六七八九十'[i] ?? `十${'一二三'[i - 10]}`}）项`));
  });

  it('only from the day the Regulations took effect', () => {
    expect(Object.keys(ladderOf('beijing', '2022-04-30').grounds)).not.toContain('acceptanceNotNotified');
    expect(Object.keys(ladderOf('beijing', '2022-05-01').grounds)).toContain('acceptanceNotNotified');
  });

  it('enters each ladder at the step that carries out 责令改正, or at the Regulations’ own, added', () => {
    const beijing = ladderOf('beijing', '2025-06-01');
    // Beijing has no order to correct: the Regulations' step joins its ladder, and goes nowhere after.
    expect(beijing.grounds['acceptanceNotNotified']).toMatchObject({ startsAt: 'correction', seriousStartsAt: ['admonition', 'organisational', 'disciplinary'] });
    expect(beijing.steps['correction']).toMatchObject({ labelZh: '责令改正', cite: REGULATIONS, rectification: { setBy: 'decision' }, escalatesTo: null });
    expect(beijing.steps['seriousHandling']).toBeUndefined();
    expect(beijing.start).toBe('notice');
    // Xianning's 责令整改 is the order to correct; its 诫勉谈话 and 党纪政纪处分 and the national 组织处理 the serious handling.
    const xianning = ladderOf('xianning', '2025-06-01');
    expect(xianning.grounds['acceptanceNotNotified']).toMatchObject({ startsAt: 'rectificationOrder', seriousStartsAt: ['admonitionTalk', 'disciplinary', 'organisational'] });
    expect(xianning.steps['correction']).toBeUndefined();
    expect(xianning.steps['organisational']).toMatchObject({ cite: '信访工作责任制实施办法 [national-2016]', escalatesTo: 'disciplinary' });
    // The national measures' grounds enter Xianning's ladder at the steps standing for theirs.
    expect(xianning.grounds['procedure']).toMatchObject({ startsAt: 'criticism', seriousStartsAt: ['admonitionTalk', 'organisational'] });
    // Every step a composed ground, escalation or combination names is a step of the composed ladder.
    for (const jurisdiction of ['beijing', 'xianning', 'national']) {
      const ladder = ladderOf(jurisdiction, '2025-06-01');
      const named = [
        ladder.start,
        ...Object.values(ladder.steps).flatMap((s) => (s.escalatesTo ? [s.escalatesTo] : [])),
        ...Object.values(ladder.grounds).flatMap((g) => [g.startsAt, ...(g.seriousStartsAt ?? [])]),
        ...ladder.combinations.flatMap((c) => c.steps),
      ];
      expect(named.filter((s) => !Object.hasOwn(ladder.steps, s)), jurisdiction).toEqual([]);
    }
  });

  it('arts. 42 and 46 send crimes out of the ladder; arts. 44 and 45 do not', () => {
    const { grounds } = ladderOf('beijing', '2025-06-01');
    const referred = Object.entries(grounds).filter(([, g]) => g.referral === '构成犯罪的，依法追究刑事责任').map(([id]) => id);
    expect(referred.sort()).toEqual(Object.keys(ARTICLES).filter((id) => /^第四十[二六]条/.test(ARTICLES[id]!)).sort());
  });

  it('art. 42 names no order to correct: its grounds enter at the mildest step standing for the serious handling', () => {
    const art42 = Object.keys(ARTICLES).filter((id) => ARTICLES[id]!.startsWith('第四十二条'));
    const expected: Record<string, { startsAt: string; seriousStartsAt: string[] }> = {
      // 诫勉 (rank 2), then 组织处理 and 纪律处分: Beijing's and the national measures' steps for 依规依纪依法严肃处理.
      beijing: { startsAt: 'admonition', seriousStartsAt: ['organisational', 'disciplinary'] },
      national: { startsAt: 'admonition', seriousStartsAt: ['organisational', 'disciplinary'] },
      // Xianning's 诫勉谈话 and the national 组织处理 are both rank 3: the ladder in force's own step first.
      xianning: { startsAt: 'admonitionTalk', seriousStartsAt: ['organisational', 'disciplinary'] },
    };
    for (const [jurisdiction, entry] of Object.entries(expected)) {
      const ladder = ladderOf(jurisdiction, '2025-06-01');
      for (const id of art42) expect(ladder.grounds[id], `${jurisdiction} ${id}`).toMatchObject({ ...entry, cite: REGULATIONS, referral: '构成犯罪的，依法追究刑事责任' });
      // No finding proposes them: nothing on record says what caused a petition.
      expect(Object.values(ladder.proposals).filter((g) => art42.includes(g!)), jurisdiction).toEqual([]);
    }
    // Neither the Regulations' 责令改正 nor Xianning's 责令整改 standing for it may be imposed on them.
    const beijing = ladderOf('beijing', '2025-06-01');
    expect(combinationRefusal(beijing, 'powerAbused', 'admonition', ['correction'])).toMatchObject({ code: 'measureNotForGround', params: { step: 'correction', allowed: ['admonition', 'organisational', 'disciplinary'] } });
    expect(combinationRefusal(beijing, 'powerAbused', 'admonition', ['disciplinary'])).toBeNull();
    expect(combinationRefusal(ladderOf('xianning', '2025-06-01'), 'powerAbused', 'admonitionTalk', ['rectificationOrder'])).toMatchObject({ code: 'measureNotForGround' });
    // The Regulations' ladder alone: the ground starts at the serious handling itself.
    const regulations = library.packs.get('regulations-2022')!.at(-1)!;
    const own = composePacks([regulations], 'regulations-2022', parsePlainDate('2025-06-01'), { requireAll: false }).accountability!.rule;
    expect(own.grounds['powerAbused']).toMatchObject({ startsAt: 'seriousHandling', source: { article: '第四十二条第（一）项' } });
    expect(own.grounds['powerAbused']).not.toHaveProperty('seriousStartsAt');
  });

  it('a late notice of acceptance proposes art. 44(三), a late handling art. 45(一), late feedback on a recommendation art. 45(三); routing and duties keep their local grounds', () => {
    expect(ladderOf('beijing', '2025-06-01').proposals).toEqual({
      recommendationFeedback: 'recommendationsNeglected',
      notify: 'acceptanceNotNotified',
      handle: 'handlingDelayed',
      assigned: 'handlingDelayed',
      review: 'handlingDelayed',
      reReview: 'handlingDelayed',
      route: 'procedure',
      missedDuty: 'other',
    });
    expect(ladderOf('xianning', '2025-06-01').proposals).toMatchObject({ notify: 'acceptanceNotNotified', handle: 'handlingDelayed', recommendationFeedback: 'recommendationsNeglected', route: 'situation3', missedDuty: 'situation1' });
    // Art. 45(三) enters each ladder at its step for 责令改正, the local grounds on recommendations (national art. 11(1)(5), Beijing art. 19(1)(5), Xianning art. 12(七)) still open to the deciding organ.
    expect(ladderOf('beijing', '2025-06-01').grounds['recommendationsNeglected']).toMatchObject({ startsAt: 'correction', cite: REGULATIONS, source: { article: '第四十五条第（三）项' } });
    expect(ladderOf('xianning', '2025-06-01').grounds['recommendationsNeglected']).toMatchObject({ startsAt: 'rectificationOrder' });
    expect(ladderOf('beijing', '2025-06-01').grounds['recommendations']?.source.article).toBe('第十九条第一款第（五）项');
    expect(ladderOf('xianning', '2025-06-01').grounds['situation7']?.source.article).toBe('第十二条第（七）项');
    // Before the Regulations, the local grounds answer for what they claim, and nothing for a late notice.
    expect(ladderOf('beijing', '2020-01-01').proposals).toEqual({ route: 'procedure', missedDuty: 'other' });
  });

  it("a later pack's ground of the same id replaces the Regulations', and its claim with it", () => {
    const local = { ...builtIn('beijing-2017'), id: 'local-test', version: '1' };
    local.accountability.grounds.acceptanceNotNotified = {
      labelZh: '逾期未告知受理情况',
      labelEn: 'Late notice of acceptance',
      startsAt: 'notice',
      source: { article: '第九十九条' },
    };
    const ladder = ladderOf('local', '2025-06-01', withLocalPack(local));
    expect(ladder.grounds['acceptanceNotNotified']).toMatchObject({ labelZh: '逾期未告知受理情况', startsAt: 'notice', cite: `${local.titleZh} [local-test]` });
    expect(ladder.proposals.notify).toBeUndefined();
  });

  it('refuses a composition where two steps of the ladder in force stand for the step a ground starts at', () => {
    const local = { ...builtIn('beijing-2017'), id: 'local-test', version: '1' };
    local.accountability.steps.notice.standsFor = ['correction'];
    local.accountability.steps.admonition.standsFor = ['correction', 'seriousHandling'];
    expect(() => ladderOf('local', '2025-06-01', withLocalPack(local))).toThrow(
      /accountability\.grounds\.notRegistered\.startsAt: steps notice, admonition of the ladder in force all stand for "correction" of regulations-2022/,
    );
    const own = { ...builtIn('beijing-2017'), id: 'local-test', version: '1' };
    own.accountability.steps.notice.standsFor = ['admonition'];
    expect(() => withLocalPack(own)).toThrow(/accountability\.steps\.notice\.standsFor: "admonition" is a step of this ladder/);
  });
});

describe('measures combined where the measures say so', () => {
  const beijing = ladderOf('beijing', '2025-06-01');

  it('Beijing art. 20 combines its four measures; the Regulations combine 责令改正 with the serious handling', () => {
    expect(combinationOf(beijing, ['notice', 'admonition'])).toMatchObject({ source: { article: '第二十条' }, cite: '北京市信访工作责任制实施细则 [beijing-2017]' });
    expect(combinationOf(beijing, ['correction', 'admonition', 'disciplinary'])).toMatchObject({ source: { article: '第四十四条至第四十六条' }, cite: REGULATIONS });
    // No rule lets the Regulations' order to correct go with Beijing's 通报.
    expect(combinationOf(beijing, ['correction', 'notice'])).toBeUndefined();
    expect(combinationRefusal(beijing, 'procedure', 'notice', ['admonition', 'organisational'])).toBeNull();
    expect(combinationRefusal(beijing, 'acceptanceNotNotified', 'correction', ['admonition'])).toBeNull();
  });

  it('refuses a measure the ground does not lead to, or one named twice, with a coded refusal', () => {
    expect(combinationRefusal(beijing, 'acceptanceNotNotified', 'correction', ['notice'])).toEqual({
      code: 'measureNotForGround',
      params: {
        step: 'notice',
        stepZh: '通报',
        ground: 'acceptanceNotNotified',
        groundZh: '未在规定期限内书面告知信访人是否受理信访事项',
        allowed: ['correction', 'admonition', 'organisational', 'disciplinary'],
        allowedZh: ['责令改正', '诫勉', '组织调整或者组织处理', '纪律处分'],
      },
    });
    expect(combinationRefusal(beijing, 'procedure', 'notice', ['admonition', 'admonition'])).toMatchObject({ code: 'measureRepeated', params: { step: 'admonition' } });
    expect(combinationRefusal(beijing, 'procedure', 'admonition', ['admonition'])).toMatchObject({ code: 'measureRepeated' });
  });

  it('Xianning’s own rules say nothing of combining: before the national measures, 通报批评 and 党纪政纪处分 are not imposed together', () => {
    const alone = ladderOf('xianning', '2015-06-01');
    expect(alone.combinations).toEqual([]);
    expect(combinationRefusal(alone, 'situation1', 'criticism', ['disciplinary'])).toEqual({
      code: 'measuresNotCombinable',
      params: { steps: ['criticism', 'disciplinary'], stepsZh: ['通报批评', '党纪政纪处分'] },
    });
    // Since 2016 the national art. 12 lets its measures, which Xianning's steps carry out, be combined.
    const now = ladderOf('xianning', '2025-06-01');
    expect(combinationRefusal(now, 'situation1', 'criticism', ['disciplinary'])).toBeNull();
    expect(combinationOf(now, ['criticism', 'disciplinary'])?.cite).toBe('信访工作责任制实施办法 [national-2016]');
    // 通报批评 and 责令整改 come from rules that do not combine with each other.
    expect(combinationOf(now, ['criticism', 'rectificationOrder'])).toBeUndefined();
  });
});
