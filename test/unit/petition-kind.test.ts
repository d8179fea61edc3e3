/**
 * 初信初访, 重复信访 and 越级信访 derived from the petitioner's history and the level of the organ the
 * petition is brought to (rules/petition-kind.ts), each with its reason and article.
 */
import { describe, expect, it } from 'vitest';
import { derivePetitionKind, PETITION_KIND_CITES, type PetitionFacts, type PriorPetition } from '../../rules/petition-kind.js';

const CITY = { code: '110000', level: 'city' } as const;
const CHAOYANG = { code: '110105', level: 'district' } as const;
const JIANWAI = { code: '110105001', level: 'street' } as const;

const facts = (extra: Partial<PetitionFacts> = {}): PetitionFacts => ({
  caseId: 'NEW',
  receivedAt: '2025-06-10T02:00:00.000Z',
  channel: 'visit',
  regionCode: '110105',
  field: '劳动社保',
  petitionerId: 'P1',
  sameClaimAs: null,
  broughtTo: CHAOYANG,
  ...extra,
});
const prior = (caseId: string, receivedAt: string, extra: Partial<PriorPetition> = {}): PriorPetition => ({ caseId, receivedAt, regionCode: '110105', field: '劳动社保', ...extra });

describe('first and repeat petitions (初信初访, 重复信访)', () => {
  it('a petitioner without earlier petitions brings a first petition', () => {
    const kind = derivePetitionKind(facts(), []);
    expect(kind.repeat).toEqual({ value: false, reason: 'not a repeat: the petitioner has no earlier petition', cite: PETITION_KIND_CITES.repeat });
    expect(kind.first).toEqual({ value: true, reason: "初信初访: the petitioner's first petition on this matter (the petitioner has no earlier petition)", cite: PETITION_KIND_CITES.first });
    expect(kind.sameMatterAs).toBeNull();
  });

  it('the same district and field again is a repeat, naming the first petition on the matter and how many there were', () => {
    const history = [prior('B', '2025-03-01T00:00:00.000Z'), prior('A', '2024-11-20T00:00:00.000Z'), prior('OTHER', '2025-01-01T00:00:00.000Z', { field: '教育' })];
    const kind = derivePetitionKind(facts(), history);
    expect(kind.repeat.value).toBe(true);
    expect(kind.repeat.reason).toBe('重复信访: the petitioner brought the same matter (劳动社保 in 110105) before, first in case A, 2 times before in all');
    expect(kind.first).toMatchObject({ value: false, reason: 'not a first petition: the matter was brought before (case A)' });
    expect(kind.sameMatterAs).toBe('A');
  });

  it('earlier petitions on other matters (another field, another district) leave it a first petition', () => {
    const history = [prior('EDU', '2025-01-01T00:00:00.000Z', { field: '教育' }), prior('HD', '2025-02-01T00:00:00.000Z', { regionCode: '110108' })];
    const kind = derivePetitionKind(facts(), history);
    expect(kind.repeat).toMatchObject({ value: false, reason: "not a repeat: none of the petitioner's 2 earlier petition(s) concerns this matter (劳动社保 in 110105)" });
    expect(kind.first.value).toBe(true);
  });

  it('counts only what came before: not the case itself, not later ones; one instant is ordered by case id', () => {
    const at = facts().receivedAt;
    const history = [prior('NEW', at), prior('LATER', '2025-07-01T00:00:00.000Z'), prior('ZZZ', at)];
    expect(derivePetitionKind(facts(), history).repeat.value).toBe(false);
    expect(derivePetitionKind(facts(), [...history, prior('AAA', at)]).sameMatterAs).toBe('AAA');
  });

  it('two petitions without a field are about the same field', () => {
    expect(derivePetitionKind(facts({ field: null }), [prior('A', '2025-01-01T00:00:00.000Z', { field: null })]).repeat.value).toBe(true);
    expect(derivePetitionKind(facts({ field: null }), [prior('A', '2025-01-01T00:00:00.000Z')]).repeat.value).toBe(false);
  });

  it('an anonymous petition cannot be told first or repeat', () => {
    const kind = derivePetitionKind(facts({ petitionerId: null }), [prior('A', '2025-01-01T00:00:00.000Z')]);
    expect(kind.repeat.value).toBeNull();
    expect(kind.first.value).toBeNull();
    expect(kind.repeat.reason).toMatch(/no petitioner is known/);
  });

  it('a claim linked by sameClaimAs is a repeat, with or without a known petitioner', () => {
    for (const petitionerId of [null, 'P1']) {
      const kind = derivePetitionKind(facts({ petitionerId, sameClaimAs: 'OLD' }), []);
      expect(kind.repeat).toMatchObject({ value: true, reason: '重复信访: the same claim as case OLD, as intake linked it (sameClaimAs)' });
      expect(kind.sameMatterAs).toBe('OLD');
    }
  });
});

describe('skip-level petitions (越级信访, 2022 Regulations art. 20(1))', () => {
  it('a first visit on a district matter at the city skips the district', () => {
    const kind = derivePetitionKind(facts({ broughtTo: CITY }), []);
    expect(kind.skipLevel).toEqual({
      value: true,
      reason: '越级信访: a first visit on the matter brought to 110000 (city), above the district 110105 whose organs have the matter, which never had it',
      cite: PETITION_KIND_CITES.skipLevel,
    });
  });

  it('the city may take a visit on a matter the district has had', () => {
    const kind = derivePetitionKind(facts({ broughtTo: CITY }), [prior('A', '2025-01-01T00:00:00.000Z')]);
    expect(kind.skipLevel).toMatchObject({ value: false, reason: 'brought to 110000 (city), above the district 110105 whose organs have the matter, on a matter the district has had (case A): the level above may take it' });
  });

  it('a visit at the district or at one of its streets is at the competent level', () => {
    for (const broughtTo of [CHAOYANG, JIANWAI]) {
      const kind = derivePetitionKind(facts({ broughtTo }), []);
      expect(kind.skipLevel.value).toBe(false);
      expect(kind.skipLevel.reason).toBe(`brought to ${broughtTo.code} (${broughtTo.level}), at the level of the district 110105 whose organs have the matter, or below it`);
    }
  });

  it('a letter, a call or an online petition at the city is no skip-level visit', () => {
    for (const channel of ['letter', 'phone', 'online'] as const) {
      const kind = derivePetitionKind(facts({ channel, broughtTo: CITY }), []);
      expect(kind.skipLevel).toMatchObject({ value: false, reason: `not a visit (${channel}): only a visit is bound to the competent level or the one above; other petitions are forwarded` });
    }
  });

  it('cannot tell for an anonymous visitor at the city, or where the organ is unknown', () => {
    expect(derivePetitionKind(facts({ broughtTo: CITY, petitionerId: null }), []).skipLevel.value).toBeNull();
    expect(derivePetitionKind(facts({ broughtTo: null }), []).skipLevel).toMatchObject({ value: null, reason: 'the organ the visit was brought to is not known' });
  });
});
