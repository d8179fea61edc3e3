import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChinaCalendar } from '../../rules/calendar.js';

/**
 * Workflow tests run at today's date on the test server, and their clocks (up to ~200 days)
 * may reach a year the holiday package does not cover yet. For those tests only, this
 * installs an override that covers the following years with weekends and no holidays. It is
 * a fixture, not a schedule: tests that assert holiday behaviour use published years.
 */
export function coverFutureYearsWithWeekendsOnly(): void {
  const packaged = loadChinaCalendar();
  const lastNeeded = new Date().getUTCFullYear() + 2;
  const years: Record<string, { holidays: Record<string, string>; workdays: Record<string, string> }> = {};
  for (let year = packaged.lastYear + 1; year <= lastNeeded; year++) years[String(year)] = { holidays: {}, workdays: {} };
  const file = join(tmpdir(), `xinfang-test-calendar-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ source: 'test fixture: weekends only, no holidays', years }));
  process.env.XINFANG_CALENDAR_OVERRIDES = file;
}
