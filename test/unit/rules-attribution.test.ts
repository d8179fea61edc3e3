import { describe, expect, it } from 'vitest';
import { attributeResponsibility } from '../../rules/attribution.js';
import { caseRules } from '../../rules/case-rules.js';
import { parsePlainDate } from '../../rules/plain-date.js';

const beijing = caseRules('beijing', parsePlainDate('2025-06-01'));

describe('responsibility attribution (信访工作责任制实施办法 第十一条第二款)', () => {
  it('collective failure: principal and directly responsible leader principal, members important, the dissenter none', () => {
    const result = attributeResponsibility(
      'collective',
      [
        { person: '王书记', role: 'principal' },
        { person: '李副区长', role: 'directlyInCharge' },
        { person: '张委员', role: 'participatingMember' },
        { person: '赵委员', role: 'participatingMember', dissented: true },
      ],
      beijing.responsibility['collective'],
    );
    expect(result.map((a) => [a.person, a.responsibility])).toEqual([
      ['王书记', 'principal-leadership'],
      ['李副区长', 'principal-leadership'],
      ['张委员', 'important-leadership'],
      ['赵委员', 'none'],
    ]);
    expect(result[3]?.why).toMatch(/recorded objection, overruled \(北京市信访工作责任制实施细则 第十九条第二款 \[beijing-2017\]\)/);
  });

  it('individual failure: the officer direct, the leaders leadership; dissent does not apply', () => {
    const result = attributeResponsibility(
      'individual',
      [
        { person: '刘科员', role: 'officerInCharge' },
        { person: '王书记', role: 'principal', dissented: true },
      ],
      beijing.responsibility['individual'],
    );
    expect(result.map((a) => a.responsibility)).toEqual(['direct', 'leadership']);
  });

  it('refuses a role the rule does not know, and a jurisdiction without the rule', () => {
    expect(() =>
      attributeResponsibility('individual', [{ person: 'x', role: 'participatingMember' }], beijing.responsibility['individual']),
    ).toThrow(/assigns no individual responsibility to the role participatingMember/);
    const before2016 = caseRules('beijing', parsePlainDate('2015-01-01'));
    expect(() => attributeResponsibility('collective', [], before2016.responsibility['collective'])).toThrow(/no collective responsibility rule/);
  });
});
