import { describe, expect, it } from 'vitest';
import { routeClock } from '../../rules/case-clocks.js';
import { computeDeadline } from '../../rules/deadline.js';
import { parsePlainDate } from '../../rules/plain-date.js';

describe('the routing deadline (信访工作条例 第二十二条: 15 days from receipt)', () => {
  it('does not count the first day: received 1 March, due 16 March, missed from 17 March 00:00 China time', () => {
    const deadline = computeDeadline(routeClock, parsePlainDate('2025-03-01'));
    expect(deadline.due).toBe('2025-03-16');
    expect(deadline.breachAt.toISOString()).toBe('2025-03-16T16:00:00.000Z');
  });

  it('explains itself: start, rule with pack and article, result', () => {
    const { explanation } = computeDeadline(routeClock, parsePlainDate('2025-03-01'));
    expect(explanation.join('\n')).toMatch(/start 2025-03-01/);
    expect(explanation.join('\n')).toMatch(/第二十二条 \[regulations-2022\]/);
    expect(explanation.join('\n')).toMatch(/due 2025-03-16/);
  });

  it('refuses a working-day clock until the holiday calendar exists', () => {
    expect(() => computeDeadline({ ...routeClock, basis: 'working' }, parsePlainDate('2025-03-01'))).toThrow(
      /holiday calendar/,
    );
  });
});
