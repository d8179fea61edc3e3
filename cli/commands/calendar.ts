import { z } from 'zod';
import { calendarStatus } from '../../analytics/provisional-deadlines.js';
import { callApi, DEFAULT_URL } from '../api-client.js';
import { parseOptions, UsageError, type Command } from '../command.js';
import { openDatabaseFile } from '../database-file.js';

const usage = `usage: xinfang calendar [--url ${DEFAULT_URL} | --db FILE]
Prints JSON: the years of the holiday calendar that are published (the chinese-days package and
the override file XINFANG_CALENDAR_OVERRIDES), the provisional years after them (暂定: counted
from the statutory holidays and weekends until the State Council's schedule is added), and how
many open cases, recommendations and accountability cases hold a provisional due date. Asks the running system
(--url, no login needed); --db reads a database file directly, when the system is not running.`;

// The calendar part of GET /api/health (server/app.ts), as far as this command prints it.
const healthCalendar = z.object({
  calendar: z.union([
    z.object({ ok: z.literal(true) }).loose(),
    z.object({ ok: z.literal(false), error: z.string() }),
  ]),
});

export const command: Command = {
  summary: 'which years the holiday calendar covers, which are provisional, and who holds a provisional due date',
  usage,
  async run(args) {
    const { values } = parseOptions({ args, strict: true, options: { url: { type: 'string' }, db: { type: 'string' } } });
    if (values.url !== undefined && values.db !== undefined) throw new UsageError('give --url or --db, not both');
    if (values.db !== undefined) return fromFile(values.db);
    const base = values.url ?? DEFAULT_URL;
    const { body } = await callApi(base, '/api/health');
    const parsed = healthCalendar.safeParse(body);
    if (!parsed.success) throw new UsageError(`${base} answered /api/health without the calendar: is it Xinfang Watch?`);
    if (!parsed.data.calendar.ok) throw new UsageError(`${base}: the calendar's figures are not available (${parsed.data.calendar.error})`);
    const { ok: _ok, ...calendar } = parsed.data.calendar;
    process.stdout.write(`${JSON.stringify(calendar, null, 2)}\n`);
    return 0;
  },
};

async function fromFile(path: string): Promise<number> {
  const store = await openDatabaseFile(path);
  try {
    process.stdout.write(`${JSON.stringify(await calendarStatus(store), null, 2)}\n`);
    return 0;
  } finally {
    store.close();
  }
}
