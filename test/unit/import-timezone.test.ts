/**
 * Issue 18: every date basis in the jurisdiction's time zone. Requests of a jurisdiction west of
 * UTC (America/Toronto), in the evening around both daylight-saving changes of 2014 and on 31
 * August, land on their local dates: the cases' received_date, their facts' days (replied,
 * closed, pressed), the duty and accountability days of the catalog, and the metrics by month.
 * The same instants under an Asia/Shanghai mapping land on China's dates. Expected dates are
 * computed here with Intl.DateTimeFormat from the instants, not by the code under test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exportCases } from '../../analytics/export/export.js';
import { refreshCaseFacts } from '../../analytics/facts.js';
import { importFiles } from '../../analytics/import/importer.js';
import { loadMapping } from '../../analytics/import/mapping.js';
import { petitionerKeys } from '../../analytics/import/pseudonym.js';
import { ImportFileError } from '../../analytics/import/readers.js';
import { hierarchyFor } from '../../analytics/import/run.js';
import { recordJurisdictionZone } from '../../analytics/jurisdiction-zones.js';
import { queryMetrics } from '../../analytics/metrics/query.js';
import { recordBuiltInJurisdiction } from '../../analytics/region-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { parsePlainDate } from '../../rules/plain-date.js';

const dirs: string[] = [];
const stores: AnalyticsStore[] = [];
afterEach(() => {
  stores.splice(0).forEach((s) => s.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'xinfang-tz-'));
  dirs.push(dir);
  return dir;
};
const openStore = async () => {
  const store = await AnalyticsStore.open(':memory:');
  stores.push(store);
  return store;
};
const keys = petitionerKeys(Buffer.alloc(32, 7));
const now = () => new Date('2026-01-01T00:00:00Z');

const TORONTO = 'America/Toronto';
const SHANGHAI = 'Asia/Shanghai';
const HOUR = 3_600_000;

/**
 * The requests, as instants. Toronto's clocks went forward at 02:00 on 9 March 2014 and back
 * at 02:00 on 2 November 2014: evenings either side of both, the first minutes after midnight
 * (which a fixed UTC-5 would put on the day before in summer), a late evening after the change
 * back (which a fixed UTC-4 would put on the next day), and 31 August at 21:30.
 */
const REQUESTS: Record<string, string> = {
  'mar08-evening': '2014-03-09T02:30:00Z', // 21:30 EST on 8 March
  'mar09-evening': '2014-03-10T01:30:00Z', // 21:30 EDT on 9 March
  'mar10-night': '2014-03-10T04:30:00Z', // 00:30 EDT on 10 March
  'nov01-evening': '2014-11-02T01:30:00Z', // 21:30 EDT on 1 November
  'nov02-night': '2014-11-02T04:30:00Z', // 00:30 EDT on 2 November, before the change back
  'nov02-evening': '2014-11-03T02:30:00Z', // 21:30 EST on 2 November
  'nov02-late': '2014-11-03T04:30:00Z', // 23:30 EST on 2 November
  'aug31-evening': '2014-09-01T01:30:00Z', // 21:30 EDT on 31 August
};
const caseIds = Object.keys(REQUESTS).map((k) => `TZ-${k}`);

/** The wall-clock date and time of an instant in a zone, by Intl: the test's own computation. */
function wallClock(instant: number, zone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(instant));
  const p = (type: string) => parts.find((x) => x.type === type)!.value;
  return { date: `${p('year')}-${p('month')}-${p('day')}`, time: `${p('hour')}:${p('minute')}:${p('second')}` };
}

/** Each case's events, as offsets from its receipt: replied the morning after, pressed a quarter of an hour later, closed a day later. */
const REPLIED_AFTER = 12 * HOUR;
const PRESSED_AFTER = HOUR / 4;
const CLOSED_AFTER = 24 * HOUR;

const expected = (zone: string) =>
  Object.fromEntries(
    Object.entries(REQUESTS).map(([k, iso]) => {
      const at = Date.parse(iso);
      return [
        `TZ-${k}`,
        {
          received_date: wallClock(at, zone).date,
          replied_date: wallClock(at + REPLIED_AFTER, zone).date,
          closed_date: wallClock(at + CLOSED_AFTER, zone).date,
          pressed_date: wallClock(at + PRESSED_AFTER, zone).date,
        },
      ];
    }),
  );

function writeMapping(dir: string, zone: string, name = 'tz-test'): string {
  writeFileSync(join(dir, 'regions.csv'), ['code,parent_code,level,name_zh,name_en,population10k', 'TZ,,city,时区市,Tz City,', 'TZ-1,TZ,district,一区,Ward 1,', ''].join('\n'));
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      name,
      jurisdiction: 'tzland',
      regions: 'regions.csv',
      timezone: zone,
      id: { column: 'id', prefix: 'TZ-' },
      columns: {
        received_at: { from: 'created', parse: 'datetime', formats: ['yyyy-MM-dd HH:mm:ss'] },
        channel: { value: 'phone' },
        region_code: { value: 'TZ-1' },
      },
    }),
  );
  return path;
}

/**
 * Imports the requests as a source local to `zone` writes them (its wall-clock times, through a
 * mapping), then their events as a file in the project's schema: the replies as local times
 * without an offset (read in the jurisdiction's zone), presses and closures as UTC instants.
 * An organ of the jurisdiction then meets a duty and is imposed an accountability step at
 * 21:30 local on 31 August.
 */
async function importIn(zone: string) {
  const dir = tempDir();
  const mapping = loadMapping(writeMapping(dir, zone));
  const cases = join(dir, 'requests.csv');
  writeFileSync(cases, ['id,created', ...Object.entries(REQUESTS).map(([k, iso]) => { const w = wallClock(Date.parse(iso), zone); return `${k},${w.date} ${w.time}`; }), ''].join('\n'));
  const events = join(dir, 'events.csv');
  const utc = (ms: number) => new Date(ms).toISOString();
  writeFileSync(
    events,
    [
      'case_id,event_type,occurred_at,detail',
      ...Object.entries(REQUESTS).flatMap(([k, iso]) => {
        const at = Date.parse(iso);
        const replied = wallClock(at + REPLIED_AFTER, zone);
        return [
          `TZ-${k},replied,${replied.date} ${replied.time},"{""outcome"":""supported""}"`,
          `TZ-${k},pressed,${utc(at + PRESSED_AFTER)},"{""step"":""handle"",""organ"":""TZ-ORG""}"`,
          `TZ-${k},closed,${utc(at + CLOSED_AFTER)},"{""reason"":""replied""}"`,
        ];
      }),
      '',
    ].join('\n'),
  );
  const store = await openStore();
  const hierarchy = hierarchyFor(mapping);
  const caseReport = await importFiles(store, { sources: [{ path: cases }], mapping, hierarchy, keys, now });
  expect(caseReport.cases).toEqual({ read: caseIds.length, imported: caseIds.length, quarantined: 0, duplicate: 0 });
  const eventReport = await importFiles(store, { sources: [{ path: events }], hierarchy, keys, now });
  expect(eventReport.events).toEqual({ read: caseIds.length * 3, imported: caseIds.length * 3, quarantined: 0, duplicate: 0 });

  const aug31 = REQUESTS['aug31-evening']!;
  await store.run(`INSERT INTO organs (code, name_zh, level, region_code, jurisdiction) VALUES ('TZ-ORG', '一区办', 'district', 'TZ-1', 'tzland')`);
  await store.run(
    `INSERT INTO duty_events (event_id, organ, duty_id, period_label, period_start, period_end, event_type, occurred_at)
     VALUES ('d1', 'TZ-ORG', 'monthly-meeting', '2014-08', DATE '2014-08-01', DATE '2014-08-31', 'met', $at::TIMESTAMPTZ)`,
    { at: aug31 },
  );
  await store.run(
    `INSERT INTO accountability_events (event_id, case_id, event_type, occurred_at, organ, ground, ladder_step)
     VALUES ('a1', 'ACC-1', 'step_imposed', $at::TIMESTAMPTZ, 'TZ-ORG', 'handle_overdue', 'criticism')`,
    { at: aug31 },
  );
  return { store, dir, mapping, hierarchy, cases };
}

const factsRow = z.object({ case_id: z.string(), received_date: z.string(), replied_date: z.string(), closed_date: z.string(), pressed_date: z.string() });
const facts = async (store: AnalyticsStore) =>
  Object.fromEntries(
    (
      await store.all(
        factsRow,
        `SELECT c.case_id, c.received_date::VARCHAR AS received_date, f.replied_date::VARCHAR AS replied_date, f.closed_date::VARCHAR AS closed_date,
                p.pressed_date::VARCHAR AS pressed_date
           FROM cases c JOIN case_facts f USING (case_id) JOIN case_presses p USING (case_id) ORDER BY c.case_id`,
      )
    ).map(({ case_id, ...days }) => [case_id, days]),
  );

const PERIOD = { from: parsePlainDate('2014-03-01'), to: parsePlainDate('2014-11-30'), asOf: parsePlainDate('2014-12-31') };

/** Per month of the period, how many of `dates` fall in it: the metrics' answer, computed here. */
const byMonth = (dates: string[]) => {
  const months: Record<string, number> = {};
  for (let m = 3; m <= 11; m++) months[`2014-${String(m).padStart(2, '0')}`] = 0;
  for (const d of dates) months[d.slice(0, 7)]! += 1;
  return months;
};
const monthly = async (store: AnalyticsStore, measure: 'cases' | 'presses' | 'accountability_steps') =>
  Object.fromEntries((await queryMetrics(store, { measures: [measure], ...PERIOD, by: ['month'] })).map((r) => [String(r.dims.month), r.value]));

describe('dates of a jurisdiction west of UTC, across both daylight-saving changes', () => {
  it('puts every request, its events and its organ’s duty and accountability days on their Toronto dates', async () => {
    const { store } = await importIn(TORONTO);
    const want = expected(TORONTO);
    expect(await facts(store)).toEqual(want);
    // The test's fixture does what it says: each of these is another day in China.
    const china = expected(SHANGHAI);
    for (const id of caseIds.filter((id) => !id.endsWith('-night'))) expect(want[id]!.received_date).not.toBe(china[id]!.received_date);
    expect(want['TZ-aug31-evening']!.received_date).toBe('2014-08-31');
    expect(want['TZ-nov02-late']!.received_date).toBe('2014-11-02');
    expect(want['TZ-mar10-night']!.received_date).toBe('2014-03-10');

    // The metrics count by the same days: 31 August's request in August, not September.
    const received = byMonth(Object.values(want).map((d) => d.received_date));
    expect(received['2014-08']).toBe(1);
    expect(await monthly(store, 'cases')).toEqual(received);
    expect(await monthly(store, 'presses')).toEqual(byMonth(Object.values(want).map((d) => d.pressed_date)));
    // The accountability step of 21:30 on 31 August is August's; the duty met then is met by 31 August.
    expect(await monthly(store, 'accountability_steps')).toEqual(byMonth([wallClock(Date.parse(REQUESTS['aug31-evening']!), TORONTO).date]));
    const [duties] = await queryMetrics(store, { measures: ['duties_on_time_rate'], from: parsePlainDate('2014-08-01'), to: parsePlainDate('2014-08-31'), asOf: parsePlainDate('2014-08-31') });
    expect(duties).toMatchObject({ value: 1, denominator: 1 });
  });

  it('puts the same instants under an Asia/Shanghai mapping on China’s dates', async () => {
    const { store } = await importIn(SHANGHAI);
    const want = expected(SHANGHAI);
    expect(await facts(store)).toEqual(want);
    expect(want['TZ-aug31-evening']!.received_date).toBe('2014-09-01');
    expect(await monthly(store, 'cases')).toEqual(byMonth(Object.values(want).map((d) => d.received_date)));
    expect(await monthly(store, 'accountability_steps')).toEqual(byMonth(['2014-09-01']));
    // In China the duty was met on 1 September: not yet as of 31 August.
    const [duties] = await queryMetrics(store, { measures: ['duties_on_time_rate'], from: parsePlainDate('2014-08-01'), to: parsePlainDate('2014-08-31'), asOf: parsePlainDate('2014-08-31') });
    expect(duties).toMatchObject({ value: null, denominator: 0 });
  });

  it('writes an export’s times in the deployment’s zone', async () => {
    const { store } = await importIn(TORONTO);
    // As at the start of a deployment whose data gives Toronto's zone.
    await store.transaction((conn) => recordJurisdictionZone(conn, 'tzland', TORONTO, 'data'));
    const out = tempDir();
    await exportCases(store, 'csv', out, {});
    const csv = readFileSync(join(out, 'cases.csv'), 'utf8');
    const aug31 = wallClock(Date.parse(REQUESTS['aug31-evening']!), TORONTO);
    const mar08 = wallClock(Date.parse(REQUESTS['mar08-evening']!), TORONTO);
    expect(csv).toContain(`TZ-aug31-evening,${aug31.date} ${aug31.time}-04`);
    expect(csv).toContain(`TZ-mar08-evening,${mar08.date} ${mar08.time}-05`);
  });
});

describe('a database from before the zones were data', () => {
  it('recounts a jurisdiction’s cases, counted in China’s zone, when its zone is first recorded', async () => {
    const { store, mapping, hierarchy, cases } = await importIn(TORONTO);
    // As migration 024 finds them: no zone recorded, every day China's.
    await store.transaction(async (conn) => {
      await conn.run('DELETE FROM jurisdiction_zones');
      await conn.run("UPDATE cases SET received_date = CAST(timezone('Asia/Shanghai', received_at) AS DATE)");
      await refreshCaseFacts(conn, { jurisdiction: 'tzland' });
    });
    expect(await facts(store)).toEqual(expected(SHANGHAI));
    // The same file again brings no case, but records the mapping's zone: the cases are recounted in it.
    const report = await importFiles(store, { sources: [{ path: cases }], mapping, hierarchy, keys, now });
    expect(report.cases).toMatchObject({ imported: 0, duplicate: caseIds.length });
    expect(await facts(store)).toEqual(expected(TORONTO));
    expect(await monthly(store, 'cases')).toEqual(byMonth(Object.values(expected(TORONTO)).map((d) => d.received_date)));
  });
});

describe('one zone per jurisdiction', () => {
  const counts = (store: AnalyticsStore) =>
    store.all(
      z.object({ cases: z.number(), batches: z.number(), quarantined: z.number(), zones: z.string() }),
      `SELECT (SELECT count(*)::INTEGER FROM cases) AS cases, (SELECT count(*)::INTEGER FROM import_batches) AS batches,
              (SELECT count(*)::INTEGER FROM import_quarantine) AS quarantined,
              (SELECT string_agg(jurisdiction || '=' || time_zone || ' (' || source || ')', ', ' ORDER BY jurisdiction) FROM jurisdiction_zones) AS zones`,
    );

  it('refuses a mapping whose zone is not the one its jurisdiction’s dates are counted in, naming both, and writes nothing', async () => {
    const { store, dir, hierarchy } = await importIn(TORONTO);
    const before = await counts(store);
    expect(before[0]!.zones).toBe('tzland=America/Toronto (mapping tz-test)');
    const other = loadMapping(writeMapping(dir, SHANGHAI, 'tz-other'));
    const more = join(dir, 'more.csv');
    writeFileSync(more, 'id,created\nlater,2014-12-01 10:00:00\n');
    const attempt = importFiles(store, { sources: [{ path: more }], mapping: other, hierarchy, keys, now });
    await expect(attempt).rejects.toThrow(ImportFileError);
    await expect(attempt).rejects.toThrow(
      'jurisdiction tzland: mapping tz-other gives time zone Asia/Shanghai, but its dates are counted in America/Toronto, as mapping tz-test gave it',
    );
    expect(await counts(store)).toEqual(before);
  });

  it('refuses a mapping for a jurisdiction with data that gives another zone than its data', async () => {
    const store = await openStore();
    await recordBuiltInJurisdiction(store, 'beijing');
    const dir = tempDir();
    const file = join(dir, 'x.csv');
    writeFileSync(file, 'id,created\n1,2025-03-01 10:00:00\n');
    const path = join(dir, 'bj.json');
    writeFileSync(
      path,
      JSON.stringify({
        name: 'bj-toronto',
        jurisdiction: 'beijing',
        timezone: TORONTO,
        id: { column: 'id', prefix: 'BJ-' },
        columns: { received_at: { from: 'created', parse: 'datetime', formats: ['yyyy-MM-dd HH:mm:ss'] }, channel: { value: 'visit' }, region_code: { value: '110105' } },
      }),
    );
    const before = await counts(store);
    await expect(importFiles(store, { sources: [{ path: file }], mapping: loadMapping(path), hierarchy: beijingRegions(), keys, now })).rejects.toThrow(
      'jurisdiction beijing: mapping bj-toronto gives time zone America/Toronto, but its dates are counted in Asia/Shanghai, as its data (domain/jurisdictions/beijing.json) gave it',
    );
    expect(await counts(store)).toEqual(before);
    expect(before[0]!.zones).toBe('beijing=Asia/Shanghai (data)');
  });
});
