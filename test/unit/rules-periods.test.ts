import { describe, expect, it } from 'vitest';
import { periodContaining, periodsOfYear } from '../../rules/periods.js';
import { parsePlainDate } from '../../rules/plain-date.js';

describe('duty periods', () => {
  it('finds the quarter, half-year and year of a date', () => {
    expect(periodContaining(parsePlainDate('2025-08-05'), 'quarter')).toEqual({ kind: 'quarter', label: '2025Q3', start: '2025-07-01', end: '2025-09-30' });
    expect(periodContaining(parsePlainDate('2024-02-29'), 'quarter')).toMatchObject({ label: '2024Q1', end: '2024-03-31' });
    expect(periodContaining(parsePlainDate('2025-12-31'), 'half-year')).toEqual({ kind: 'half-year', label: '2025H2', start: '2025-07-01', end: '2025-12-31' });
    expect(periodContaining(parsePlainDate('2025-01-01'), 'year')).toEqual({ kind: 'year', label: '2025', start: '2025-01-01', end: '2025-12-31' });
  });

  it('lists the periods of a year', () => {
    expect(periodsOfYear(2025, 'quarter').map((p) => `${p.start}..${p.end}`)).toEqual([
      '2025-01-01..2025-03-31',
      '2025-04-01..2025-06-30',
      '2025-07-01..2025-09-30',
      '2025-10-01..2025-12-31',
    ]);
    expect(periodsOfYear(2026, 'half-year').map((p) => p.label)).toEqual(['2026H1', '2026H2']);
  });
});
