import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { strToU8, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { importFiles, type ImportSource } from '../../analytics/import/importer.js';
import { loadMapping } from '../../analytics/import/mapping.js';
import { petitionerKeys } from '../../analytics/import/pseudonym.js';
import { ImportFileError } from '../../analytics/import/readers.js';
import { expandPaths, hierarchyFor } from '../../analytics/import/run.js';
import { queryMetrics } from '../../analytics/metrics/query.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { parsePlainDate } from '../../rules/plain-date.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'xinfang-import-'));
  dirs.push(dir);
  return dir;
};
const keys = petitionerKeys(Buffer.alloc(32, 7));
const now = () => new Date('2026-01-01T00:00:00Z');
const run = (store: AnalyticsStore, paths: string[], extra: Partial<Parameters<typeof importFiles>[1]> = {}) =>
  importFiles(store, { sources: paths.map((path): ImportSource => ({ path })), hierarchy: beijingRegions(), keys, now, ...extra });

const count = async (store: AnalyticsStore, sql: string) =>
  (await store.all(z.object({ n: z.coerce.number() }), `SELECT count(*)::INTEGER AS n FROM ${sql}`))[0]!.n;
const quarantine = (store: AnalyticsStore) =>
  store.all(
    z.object({ file: z.string(), line: z.coerce.number(), kind: z.string(), reason: z.string() }),
    'SELECT file, line, kind, reason FROM import_quarantine ORDER BY file, line',
  );

const HEADER = 'case_id,received_at,channel,region_code,street_code,field,petition_class,collective_size,summary';

describe('import in the project schema', () => {
  it('takes good rows, quarantines bad ones with file, line and reason, and counts each', async () => {
    const dir = tempDir();
    const file = join(dir, 'cases.csv');
    writeFileSync(
      file,
      [
        HEADER,
        'A1,2025-03-01T10:00:00+08:00,visit,110105,110105001,城乡建设,claim,1,plain',
        'A2,2025-03-02 09:00:00,online,110108,,劳动社保,,3,"quoted, with a comma and a',
        'line break"',
        'A3,not a date,visit,110105,,,,1,',
        'A4,2025-03-02T10:00:00Z,pigeon,110105,,,,1,',
        'A5,2025-03-02T10:00:00Z,visit,999999,,,,1,',
        'A6,2025-03-02T10:00:00Z,visit,110108,110105001,,,1,',
        'A7,2025-03-02T10:00:00Z,visit,110105,,,,0,',
        'A8,2025-03-02T10:00:00Z,visit,110105,,,,1',
        'A1,2025-03-01T10:00:00+08:00,visit,110105,,城乡建设,claim,1,same id again',
        '',
      ].join('\r\n'),
    );
    const store = await AnalyticsStore.open(':memory:');
    const report = await run(store, [file]);
    expect(report.cases).toEqual({ read: 9, imported: 2, quarantined: 6, duplicate: 1 });
    expect(await quarantine(store)).toEqual([
      { file, line: 5, kind: 'case', reason: 'received_at: "not a date" is not a date and time' },
      { file, line: 6, kind: 'case', reason: 'channel: "pigeon" is not one of letter, visit, phone, online, fax, email' },
      { file, line: 7, kind: 'case', reason: 'region_code: "999999" is not a city or district of the region hierarchy' },
      { file, line: 8, kind: 'case', reason: 'street_code: 110105001 lies in 110105, not in 110108' },
      { file, line: 9, kind: 'case', reason: 'collective_size: "0" is not a whole number from 1 to 100000' },
      { file, line: 10, kind: 'case', reason: '8 fields where the header has 9' },
    ]);
    const rows = await store.all(
      z.object({ case_id: z.string(), received_date: z.string(), summary: z.string().nullable(), collective_size: z.number() }),
      `SELECT case_id, received_date::VARCHAR AS received_date, summary, collective_size FROM cases ORDER BY case_id`,
    );
    // A local time without an offset is China time; the multi-line field keeps its line break as written (CRLF here).
    expect(rows).toEqual([
      { case_id: 'A1', received_date: '2025-03-01', summary: 'plain', collective_size: 1 },
      { case_id: 'A2', received_date: '2025-03-02', summary: 'quoted, with a comma and a\r\nline break', collective_size: 3 },
    ]);
    // Each imported case has its received event; the batch is recorded with its counts.
    expect(await count(store, `case_events WHERE event_type = 'received'`)).toBe(2);
    expect(await count(store, `import_batches WHERE read = 9 AND imported = 2 AND quarantined = 6 AND duplicate = 1`)).toBe(1);
    store.close();
  });

  it('imports nothing twice when the same file comes again', async () => {
    const dir = tempDir();
    const file = join(dir, 'cases.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ case_id: 'J1', received_at: '2025-04-01T02:00:00Z', channel: 'letter', region_code: '110101' }),
        '{"case_id": "J2", oops',
        JSON.stringify({ case_id: 'J3', received_at: '2025-04-02T02:00:00Z', channel: 'phone', region_code: '110119', collective_size: 12 }),
      ].join('\n'),
    );
    const store = await AnalyticsStore.open(':memory:');
    const first = await run(store, [file]);
    expect(first.cases).toEqual({ read: 3, imported: 2, quarantined: 1, duplicate: 0 });
    expect((await quarantine(store))[0]).toMatchObject({ line: 2, reason: expect.stringMatching(/^not valid JSON/) });
    const second = await run(store, [file]);
    expect(second.cases).toEqual({ read: 3, imported: 0, quarantined: 1, duplicate: 2 });
    expect(await count(store, 'cases')).toBe(2);
    expect(await count(store, 'case_events')).toBe(2);
    store.close();
  });

  it('leaves the database exactly as it was when any file fails', async () => {
    const dir = tempDir();
    const good = join(dir, 'a.csv');
    writeFileSync(good, `${HEADER}\nG1,2025-03-01T10:00:00Z,visit,110105,,,,1,\nG2,bad,visit,110105,,,,1,\n`);
    const foreign = join(dir, 'b.csv');
    writeFileSync(foreign, 'ticket,opened\n1,2025-01-01\n');
    const store = await AnalyticsStore.open(':memory:');
    await expect(run(store, [good, foreign])).rejects.toThrow(ImportFileError);
    await expect(run(store, [good, foreign])).rejects.toThrow(/columns ticket, opened not in the project's cases schema/);
    for (const table of ['cases', 'case_events', 'import_quarantine', 'import_batches']) expect(await count(store, table)).toBe(0);
    store.close();
  });

  it('reads Parquet directly, with events that must refer to a known case', async () => {
    const dir = tempDir();
    const cases = join(dir, 'cases.parquet');
    const events = join(dir, 'events.parquet');
    const store = await AnalyticsStore.open(':memory:');
    await store.run(
      `COPY (SELECT * FROM (VALUES ('P1', TIMESTAMPTZ '2025-05-01 10:00:00+08', 'online', '110106', 2, 'P${'a'.repeat(32)}'),
                                   ('P2', TIMESTAMPTZ '2025-05-02 10:00:00+08', 'online', '110106', 1, 'Zhang San'))
              t(case_id, received_at, channel, region_code, collective_size, petitioner_id))
       TO '${cases}' (FORMAT parquet)`,
    );
    await store.run(
      `COPY (SELECT * FROM (VALUES ('P1', 'received', NULL, TIMESTAMPTZ '2025-05-01 10:00:00+08', 'office', DATE '2025-05-16', '{"organ":"x"}'),
                                   ('P1', 'routed', NULL, TIMESTAMPTZ '2025-05-03 10:00:00+08', 'office', NULL, NULL),
                                   ('P1', 'teleported', NULL, TIMESTAMPTZ '2025-05-03 10:00:00+08', NULL, NULL, NULL),
                                   ('P9', 'routed', NULL, TIMESTAMPTZ '2025-05-03 10:00:00+08', NULL, NULL, NULL))
              t(case_id, event_type, key, occurred_at, actor, due_date, detail))
       TO '${events}' (FORMAT parquet)`,
    );
    const report = await run(store, [events, cases]);
    expect(report.cases).toEqual({ read: 2, imported: 1, quarantined: 1, duplicate: 0 });
    expect(report.events).toEqual({ read: 4, imported: 2, quarantined: 2, duplicate: 0 });
    expect((await quarantine(store)).map((q) => [q.line, q.kind, q.reason.split(';')[0]])).toEqual([
      [2, 'case', 'petitioner_id: not a pseudonym (P and 32 hex digits)'],
      [3, 'event', 'event_type: "teleported" is not an event type of domain/case.ts'],
      [4, 'event', 'case_id: no case "P9" in the database or in this import'],
    ]);
    expect(await count(store, `case_events WHERE event_id = 'P1/received' AND due_date = DATE '2025-05-16'`)).toBe(1);
    store.close();
  });

  it('reads Arrow IPC', async () => {
    const dir = tempDir();
    const file = join(dir, 'cases.arrow');
    const table = tableFromArrays({
      case_id: ['R1', 'R2'],
      received_at: ['2025-06-01T01:00:00Z', '2025-06-02T01:00:00Z'],
      channel: ['visit', 'email'],
      region_code: ['110111', '110112'],
      collective_size: Int32Array.from([1, 40]),
    });
    writeFileSync(file, tableToIPC(table, 'file'));
    const store = await AnalyticsStore.open(':memory:');
    expect((await run(store, [file])).cases).toEqual({ read: 2, imported: 2, quarantined: 0, duplicate: 0 });
    expect(await count(store, `cases WHERE case_id = 'R2' AND collective_size = 40 AND channel = 'email'`)).toBe(1);
    store.close();
  });
});

describe('import with a mapping', () => {
  const mappingFile = (dir: string, extra: object = {}) => {
    const path = join(dir, 'mapping.json');
    writeFileSync(
      path,
      JSON.stringify({
        name: 'office-sheet',
        jurisdiction: 'beijing',
        timezone: 'Asia/Shanghai',
        id: { column: '编号', prefix: 'OFF-' },
        petitioner: { from: ['姓名', '身份证'], keepIdentity: true },
        columns: {
          received_at: { from: '登记时间', parse: 'datetime', formats: ['yyyy-MM-ddTHH:mm:ss', 'yyyy/M/d H:mm', 'd MMM yyyy'] },
          channel: { from: '方式', synonyms: { 来信: 'letter', 来访: 'visit', 网上: 'online' }, unmatched: 'quarantine' },
          region_code: { from: '区', synonyms: { 朝阳: '110105', 海淀: '110108' }, unmatched: 'quarantine' },
          field: { from: '类别', synonyms: { 拆迁: '城乡建设', 欠薪: '劳动社保' }, unmatched: 'default', default: '其他' },
          collective_size: { from: '人数', parse: 'integer', default: '1' },
          summary: { template: '{类别}: {内容}' },
          petition_class: { value: 'claim' },
        },
        ...extra,
      }),
    );
    return path;
  };

  /** A minimal .xlsx: shared strings, an inline string, numbers and a date-formatted cell. */
  const writeXlsx = (path: string, rows: Array<Array<string | number | { date: number }>>) => {
    const shared: string[] = [];
    const col = (i: number) => String.fromCharCode(65 + i);
    const sheetRows = rows
      .map((cells, r) => {
        const xml = cells.map((cell, i) => {
          const ref = `${col(i)}${r + 1}`;
          if (typeof cell === 'number') return `<c r="${ref}"><v>${cell}</v></c>`;
          if (typeof cell === 'object') return `<c r="${ref}" s="1"><v>${cell.date}</v></c>`;
          shared.push(cell);
          return `<c r="${ref}" t="s"><v>${shared.length - 1}</v></c>`;
        });
        return `<row r="${r + 1}">${xml.join('')}</row>`;
      })
      .join('');
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    writeFileSync(
      path,
      zipSync({
        'xl/workbook.xml': strToU8('<workbook xmlns:r="r"><sheets><sheet name="登记" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        'xl/_rels/workbook.xml.rels': strToU8('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'),
        'xl/worksheets/sheet1.xml': strToU8(`<worksheet><sheetData>${sheetRows}</sheetData></worksheet>`),
        'xl/sharedStrings.xml': strToU8(`<sst>${shared.map((s) => `<si><t>${esc(s)}</t></si>`).join('')}</sst>`),
        'xl/styles.xml': strToU8('<styleSheet><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="22"/></cellXfs></styleSheet>'),
      }),
    );
  };

  it('renames, parses several date formats, translates synonyms, pseudonymises and quarantines what it cannot map', async () => {
    const dir = tempDir();
    const file = join(dir, '登记表.xlsx');
    // 45748.5 is 2025-04-01 12:00 in Excel's date system.
    writeXlsx(file, [
      ['编号', '登记时间', '方式', '区', '类别', '人数', '内容', '姓名', '身份证'],
      ['1', { date: 45748.5 }, '来访', '朝阳', '拆迁', 6, '补偿', '张三', '110105199001011234'],
      ['2', '2025/4/2 9:05', '网上', '海淀', '欠薪', 1, '工资', '张三', '110105199001011234'],
      ['3', '3 Apr 2025', '来信', '海淀', '噪音', 1, '夜间施工', '李四', '110108198502021111'],
      ['4', 'yesterday', '来信', '海淀', '欠薪', 1, '', '王五', '1'],
      ['5', '2025/4/3 9:05', '传真机', '海淀', '欠薪', 1, '', '王五', '1'],
      ['6', '2025/4/3 9:05', '来信', '通州', '欠薪', 1, '', '王五', '1'],
    ]);
    const store = await AnalyticsStore.open(':memory:');
    const mapping = loadMapping(mappingFile(dir));
    const report = await run(store, [file], { mapping });
    expect(report.cases).toEqual({ read: 6, imported: 3, quarantined: 3, duplicate: 0 });
    expect((await quarantine(store)).map((q) => [q.line, q.reason])).toEqual([
      [5, 'received_at: "yesterday" matches none of the formats yyyy-MM-ddTHH:mm:ss | yyyy/M/d H:mm | d MMM yyyy'],
      [6, 'channel: "传真机" matches no synonym or pattern'],
      [7, 'region_code: "通州" matches no synonym or pattern'],
    ]);
    const rows = await store.all(
      z.object({
        case_id: z.string(),
        received_at: z.string(),
        channel: z.string(),
        region_code: z.string(),
        field: z.string(),
        collective_size: z.number(),
        summary: z.string(),
        petitioner_id: z.string(),
      }),
      `SELECT case_id, strftime(timezone('UTC', received_at), '%Y-%m-%dT%H:%M:%SZ') AS received_at, channel, region_code, field,
              collective_size, summary, petitioner_id FROM cases ORDER BY case_id`,
    );
    const zhang = keys.pseudonym('张三 / 110105199001011234');
    expect(rows).toEqual([
      { case_id: 'OFF-1', received_at: '2025-04-01T04:00:00Z', channel: 'visit', region_code: '110105', field: '城乡建设', collective_size: 6, summary: '拆迁: 补偿', petitioner_id: zhang },
      { case_id: 'OFF-2', received_at: '2025-04-02T01:05:00Z', channel: 'online', region_code: '110108', field: '劳动社保', collective_size: 1, summary: '欠薪: 工资', petitioner_id: zhang },
      { case_id: 'OFF-3', received_at: '2025-04-02T16:00:00Z', channel: 'letter', region_code: '110108', field: '其他', collective_size: 1, summary: '噪音: 夜间施工', petitioner_id: keys.pseudonym('李四 / 110108198502021111') },
    ]);
    // No name reaches an analytics table; identities are kept encrypted and can be opened with the key.
    const text = JSON.stringify(await store.all(z.record(z.string(), z.unknown()), 'SELECT * EXCLUDE (received_at) FROM cases'));
    expect(text).not.toContain('张三');
    const sealed = await store.all(
      z.object({ petitioner_id: z.string(), iv: z.string(), ciphertext: z.string(), tag: z.string() }),
      `SELECT petitioner_id, hex(iv) AS iv, hex(ciphertext) AS ciphertext, hex(tag) AS tag FROM petitioner_identities ORDER BY petitioner_id`,
    );
    expect(sealed).toHaveLength(2);
    const opened = sealed.map((s) =>
      keys.decrypt({ iv: Buffer.from(s.iv, 'hex'), ciphertext: Buffer.from(s.ciphertext, 'hex'), tag: Buffer.from(s.tag, 'hex') }),
    );
    expect(opened.sort()).toEqual(['张三 / 110105199001011234', '李四 / 110108198502021111'].sort());
    store.close();
  });

  it('derives first, repeat and skip-level petitions from the petitioners and where each was brought, unless the source carries them', async () => {
    const dir = tempDir();
    const file = join(dir, '登记表.csv');
    writeFileSync(
      file,
      [
        '编号,登记时间,方式,区,类别,人数,内容,姓名,身份证,登记单位,重复',
        '1,2025/4/1 9:00,来访,朝阳,拆迁,1,补偿,张三,110105199001011234,朝阳区信访办,否',
        '2,2025/4/8 9:00,来信,朝阳,拆迁,1,补偿,张三,110105199001011234,朝阳区信访办,否',
        '3,2025/4/2 9:00,来访,海淀,欠薪,1,工资,李四,110108198502021111,市信访办,是',
        '4,2025/4/3 9:00,来访,海淀,欠薪,1,工资,王五,110108198502021112,某公司,否',
      ].join('\n'),
    );
    const receivedIn = { from: '登记单位', synonyms: { 朝阳区信访办: '110105', 市信访办: '110000' } };
    const flags = (store: AnalyticsStore) =>
      store.all(z.object({ case_id: z.string(), repeat_petition: z.boolean().nullable(), skip_level: z.boolean().nullable() }), 'SELECT case_id, repeat_petition, skip_level FROM cases ORDER BY case_id');

    const store = await AnalyticsStore.open(':memory:');
    const report = await run(store, [file], { mapping: loadMapping(mappingFile(dir, { receivedIn })) });
    expect(report.petitionKinds).toEqual({ derived: ['repeat_petition', 'skip_level'], carried: [], cases: 4, repeat: 1, skipLevel: 1 });
    expect(await flags(store)).toEqual([
      { case_id: 'OFF-1', repeat_petition: false, skip_level: false },
      { case_id: 'OFF-2', repeat_petition: true, skip_level: false },
      { case_id: 'OFF-3', repeat_petition: false, skip_level: true },
      // Brought to an organ neither the hierarchy nor the registry knows: whether it skipped a level cannot be told.
      { case_id: 'OFF-4', repeat_petition: false, skip_level: null },
    ]);
    // The measures count what was derived; the reasons are kept beside the case.
    const measured = await store.all(z.object({ repeats: z.number(), skips: z.number() }), 'SELECT count(*) FILTER (repeat_petition)::INTEGER AS repeats, count(*) FILTER (skip_level)::INTEGER AS skips FROM case_facts');
    expect(measured).toEqual([{ repeats: 1, skips: 1 }]);
    const why = await store.all(z.object({ reason: z.string() }), `SELECT kind->>'$.repeat.reason' AS reason FROM petition_kinds WHERE case_id = 'OFF-2'`);
    expect(why).toEqual([{ reason: '重复信访: the petitioner brought the same matter (城乡建设 in 110105) before, first in case OFF-1' }]);
    store.close();

    // A mapping that takes 重复 from the source keeps it as it came, and derives only skip_level.
    const carrying = await AnalyticsStore.open(':memory:');
    const mapping = loadMapping(mappingFile(dir, { receivedIn, columns: { ...loadMapping(mappingFile(dir)).columns, repeat_petition: { from: '重复', parse: 'boolean' } } }));
    const carried = await run(carrying, [file], { mapping });
    expect(carried.petitionKinds).toEqual({ derived: ['skip_level'], carried: ['repeat_petition'], cases: 4, repeat: 0, skipLevel: 1 });
    expect((await flags(carrying)).map((f) => [f.case_id, f.repeat_petition, f.skip_level])).toEqual([
      ['OFF-1', false, false],
      ['OFF-2', false, false],
      ['OFF-3', true, true],
      ['OFF-4', false, null],
    ]);
    carrying.close();
  });

  it('refuses a mapping that does not say where required columns come from', () => {
    const dir = tempDir();
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ name: 'bad', jurisdiction: 'beijing', id: { column: 'x' }, columns: { channel: { value: 'visit' } } }));
    expect(() => loadMapping(path)).toThrow(/columns.received_at is required/);
  });
});

const OTTAWA = new URL('../../../shared/data/ottawa-311-2014/', import.meta.url).pathname;

describe.skipIf(!existsSync(OTTAWA))('the Ottawa 311 data with the shipped mapping', () => {
  it('takes every one of the 127,188 rows: each request once, the overlapping export recognised as duplicates', async () => {
    const mapping = loadMapping(new URL('../../examples/ottawa-311/mapping.json', import.meta.url).pathname);
    const store = await AnalyticsStore.open(':memory:');
    const files = expandPaths([OTTAWA]);
    expect(files).toHaveLength(8);
    const report = await importFiles(store, {
      sources: files.map((path) => ({ path })),
      mapping,
      hierarchy: hierarchyFor(mapping),
      keys,
      now,
    });
    expect(report.cases.read).toBe(127_188);
    expect(report.cases.quarantined).toBe(0);
    // AugSR-2014.csv repeats 2,286 January requests of JanSR-2014.csv, byte for byte.
    expect(report.cases.duplicate).toBe(2_286);
    expect(report.cases.imported).toBe(124_902);
    const byWard = await store.all(
      z.object({ region_code: z.string(), n: z.number() }),
      `SELECT region_code, count(*)::INTEGER AS n FROM cases GROUP BY region_code ORDER BY region_code`,
    );
    expect(byWard).toHaveLength(24); // 23 wards and the city for undetermined or missing wards
    // Both date formats land in Ottawa local time: the first request of the year at 00:01:06 EST.
    expect(await count(store, `cases WHERE received_at = TIMESTAMPTZ '2014-01-01 05:01:06+00'`)).toBeGreaterThan(0);
    // The quoted maintenance-yard value with an Excel-escaped line break is cleaned up.
    expect(await count(store, `cases WHERE organ_code = 'Ottawa Zone 3 Tuesday A'`)).toBeGreaterThan(0);
    // Counted by Ottawa's calendar (issue 18): August's total is the requests whose local date is in August.
    const instants = await store.all(z.object({ at: z.string() }), `SELECT strftime(timezone('UTC', received_at), '%Y-%m-%dT%H:%M:%SZ') AS at FROM cases`);
    const inAugust = (zone: string) => {
      const month = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit' });
      return instants.filter((r) => month.format(new Date(r.at)) === '2014-08').length;
    };
    const [august] = await queryMetrics(store, { measures: ['cases'], from: parsePlainDate('2014-08-01'), to: parsePlainDate('2014-08-31'), asOf: parsePlainDate('2026-01-01') });
    expect(august!.value).toBe(inAugust('America/Toronto'));
    expect(august!.value).not.toBe(inAugust('Asia/Shanghai'));
    store.close();
  }, 120_000); // 127,188 rows through the whole import: a volume test, not a speed target
});
