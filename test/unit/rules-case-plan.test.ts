/**
 * The rules a case runs under (rules/case-rules.ts) where no other test looks: the review
 * opinion's clock and the window to ask for re-review, the accusation routing a case's plan
 * carries, and the 2005 Regulations governing a case received before the 2022 Regulations took
 * effect (a pack governs only cases received on or after its effective date). Due dates are
 * worked by hand from the State Council's holiday notices: 2025 春节 28 Jan-4 Feb (work Sat 8
 * Feb); 国庆/中秋 1-8 Oct (work Sat 11 Oct).
 */
import { describe, expect, it } from 'vitest';
import { caseDeadline, casePlan, caseRules } from '../../rules/case-rules.js';
import { parsePlainDate } from '../../rules/plain-date.js';

const on = (date: string) => parsePlainDate(date);
const beijing2025 = { jurisdiction: 'beijing', receivedDate: on('2025-01-06') };

describe('the review opinion and the re-review window (2022 Regulations ch. 4, 2005 arts. 34-35)', () => {
  it('review opinion (复查意见): 30 calendar days from the request, a rest day rolled forward, reminded 5 days before, never extended', () => {
    expect(caseDeadline({ ...beijing2025, step: 'review', start: on('2025-03-03') })).toMatchObject({
      days: 30,
      basis: 'calendar',
      rawDue: '2025-04-02',
      due: '2025-04-02',
      rolledForward: false,
      rule: { step: 'review', labelZh: '提出复查意见', pack: 'regulations-2022', article: '第四章' },
    });
    // 3 Oct 2025 is 国庆: the opinion is due on the first working day after the holiday.
    expect(caseDeadline({ ...beijing2025, step: 'review', start: on('2025-09-03') })).toMatchObject({ rawDue: '2025-10-03', due: '2025-10-09' });
    expect(casePlan('beijing', beijing2025.receivedDate).clocks.review).toEqual({
      labelZh: '提出复查意见',
      extension: null,
      suspensions: [],
      reminders: [{ daysBefore: 5, to: 'handler' }],
    });
    expect(() => caseDeadline({ ...beijing2025, step: 'review', start: on('2025-03-03'), extensionDays: 10 })).toThrow(/review \(regulations-2022 第四章\): this clock cannot be extended/);
    // Hearing days are left out of a re-review only.
    const hearing = [{ from: on('2025-03-10'), to: on('2025-03-14'), reason: 'hearing' }];
    expect(() => caseDeadline({ ...beijing2025, step: 'review', start: on('2025-03-03'), suspensions: hearing })).toThrow(/no time may be left out/);
  });

  it('re-review window (请求复核期限): 30 calendar days from the review opinion, the petitioner’s own, reminded of nothing', () => {
    // 29 Jan 2025 is 春节: the window stays open to 5 February.
    expect(caseDeadline({ ...beijing2025, step: 'reReviewRequest', start: on('2024-12-30') })).toMatchObject({
      days: 30,
      basis: 'calendar',
      rawDue: '2025-01-29',
      due: '2025-02-05',
      rolledForward: true,
      rule: { step: 'reReviewRequest', labelZh: '请求复核期限', pack: 'regulations-2022', article: '第四章' },
    });
    expect(caseDeadline({ ...beijing2025, step: 'reReviewRequest', start: on('2025-03-03') })).toMatchObject({ due: '2025-04-02', rolledForward: false });
    expect(casePlan('beijing', beijing2025.receivedDate).clocks.reReviewRequest).toEqual({
      labelZh: '请求复核期限',
      extension: null,
      suspensions: [],
      reminders: [],
    });
  });

  it('before 2022-05-01 both come from the 2005 Regulations, arts. 34 and 35', () => {
    const in2021 = { jurisdiction: 'beijing', receivedDate: on('2021-06-01') };
    expect(caseDeadline({ ...in2021, step: 'review', start: on('2021-06-01') })).toMatchObject({
      rawDue: '2021-07-01',
      rule: { pack: 'regulations-2005', article: '第三十四条' },
    });
    expect(caseDeadline({ ...in2021, step: 'reReviewRequest', start: on('2021-06-01') })).toMatchObject({
      rawDue: '2021-07-01',
      rule: { pack: 'regulations-2005', article: '第三十五条' },
    });
  });
});

describe('accusations go to discipline inspection (2022 Regulations art. 22(2))', () => {
  it('a case received from 2022-05-01 carries the routing and its article in its plan, in every jurisdiction', () => {
    for (const jurisdiction of ['beijing', 'xianning', 'national']) {
      expect(casePlan(jurisdiction, on('2025-08-05')).routing.accusation, jurisdiction).toEqual({
        action: 'forward-to-discipline-inspection',
        cite: '信访工作条例 第二十二条第二款 [regulations-2022]',
      });
      expect(casePlan(jurisdiction, on('2022-05-01')).routing.accusation?.action, jurisdiction).toBe('forward-to-discipline-inspection');
    }
  });
});

describe('the 2005 Regulations govern a case received before 2022-05-01', () => {
  it('at most 5 representatives (2005 art. 18), then the 2022 art. 20(3) from its effective date', () => {
    for (const jurisdiction of ['beijing', 'xianning', 'national']) {
      for (const day of ['2016-01-04', '2021-06-01', '2022-04-30']) {
        expect(caseRules(jurisdiction, on(day)).thresholds['representativesMax'], `${jurisdiction} ${day}`).toMatchObject({
          key: 'thresholds.representativesMax',
          rule: { value: 5 },
          from: { pack: 'regulations-2005', article: '第十八条', titleZh: '信访条例', overrides: [] },
        });
      }
      expect(caseRules(jurisdiction, on('2022-05-01')).thresholds['representativesMax']).toMatchObject({
        rule: { value: 5 },
        from: { pack: 'regulations-2022', article: '第二十条第三款', overrides: ['regulations-2005'] },
      });
    }
  });

  it('after re-review the same claim is not taken again (2005 art. 35(3)), cited as the 2005 article', () => {
    for (const jurisdiction of ['beijing', 'xianning', 'national']) {
      for (const day of ['2016-01-04', '2021-06-01', '2022-04-30']) {
        expect(casePlan(jurisdiction, on(day)).routing['concluded-after-re-review'], `${jurisdiction} ${day}`).toEqual({
          action: 'refuse-same-claim',
          cite: '信访条例 第三十五条第三款 [regulations-2005]',
        });
      }
      expect(casePlan(jurisdiction, on('2022-05-01')).routing['concluded-after-re-review']).toEqual({
        action: 'refuse-same-claim',
        cite: '信访工作条例 第四章 [regulations-2022]',
      });
    }
  });

  it('and no routing rule of the 2022 Regulations reaches such a case', () => {
    const routing = casePlan('beijing', on('2022-04-30')).routing;
    expect(Object.keys(routing)).toEqual(['concluded-after-re-review']);
  });
});
