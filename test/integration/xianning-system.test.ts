/**
 * The whole system started on Xianning (seed 001) as `XINFANG_JURISDICTION=xianning npm start`
 * starts it: the embedded Temporal dev server, the worker, DuckDB on disk and the demo data. It
 * names Xianning's city, six county-level divisions and organs; takes a case in 崇阳县 only with
 * Xianning's codes; runs the case's clocks and the duties under the Xianning packs; and its
 * figures are what a SQL count over its cases table gives. Expectations come from the data and
 * pack files themselves, read here, not from the code under test.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AnalyticsStore } from '../../analytics/store.js';
import { caseDeadline } from '../../rules/case-rules.js';
import { chinaDateOf, type PlainDate } from '../../rules/plain-date.js';
import { loadConfig } from '../../server/config.js';
import { startSystem, type RunningSystem } from '../../server/system.js';
import { DUTY_WORKFLOW_ID_PREFIX } from '../../workflows/duty-period.js';
import { coverFutureYearsWithWeekendsOnly } from '../support/future-calendar.js';
import { loginAs } from '../support/login.js';
import { freePort } from '../support/ports.js';

// The demo's open cases and the case below start clocks that can end in a year the holiday package lacks.
coverFutureYearsWithWeekendsOnly();

const PASSWORD = 'xianning-demo-pw';
const ROOT = new URL('../../', import.meta.url);
const json = <T>(path: string) => JSON.parse(readFileSync(new URL(path, ROOT), 'utf8')) as T;

// ── what the files say ────────────────────────────────────────────────────────────────
const regionRows = readFileSync(new URL('domain/regions/xianning.csv', ROOT), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const CITY = regionRows.find((r) => r[2] === 'city')!;
const DIVISIONS = regionRows.filter((r) => r[2] === 'district').map((r) => ({ code: r[0]!, nameZh: r[3]! }));
const CHONGYANG = DIVISIONS.find((d) => d.nameZh === '崇阳县')!;
const TIANCHENG = regionRows.find((r) => r[2] === 'street' && r[1] === CHONGYANG.code && r[3] === '天城镇')!;
const organFile = json<{ city: { leadership: { code: string }; petitionOffice: { code: string }; departments: { code: string }[] }; districts: { departments: unknown[] } }>('domain/organs/xianning.json');
const streetCount = regionRows.filter((r) => r[2] === 'street').length;

interface PackFile {
  id: string;
  version: string;
  clocks?: Record<string, { source: { article?: string } }>;
  duties?: Record<string, { period: string; appliesTo: string[]; source: { article?: string } }>;
}
const PACK_IDS = json<Record<string, string[]>>('rules/jurisdictions.json').xianning!;
const PACKS = PACK_IDS.map((id) => json<PackFile>(`rules/packs/${id}.json`));
const XIANNING_PACK = PACKS.find((p) => p.id === 'xianning-2013')!;
/** The pack whose clock governs a step: the latest of the jurisdiction's packs that defines it (all are in force for a case received today). */
const clockPack = (step: string) => {
  const pack = PACKS.filter((p) => p.clocks?.[step]).at(-1)!;
  return { pack: pack.id, version: pack.version, article: pack.clocks![step]!.source.article };
};

let dir: string;
let system: RunningSystem;
let stopped = false;
const log: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xinfang-xianning-'));
  const config = loadConfig({
    PORT: '0',
    XINFANG_DATA_DIR: dir,
    XINFANG_JURISDICTION: 'xianning',
    XINFANG_DEMO_PASSWORD: PASSWORD,
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_TASK_QUEUE: 'xianning-system-test',
  });
  system = await startSystem(config, (line) => log.push(line));
}, 240_000);
afterAll(async () => {
  if (!stopped) await system?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const call = async (username: string) => {
  const { headers } = await loginAs(system.url, username, PASSWORD);
  return async (path: string, body?: unknown) => {
    const res = await fetch(new URL(`/api/v1${path}`, system.url), body === undefined ? { headers } : { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
};

const today = () => chinaDateOf(new Date());

describe('the system started on Xianning', () => {
  it('says so at start and names its city, its six divisions and its organs', async () => {
    expect(log.join('\n')).toMatch(/loaded demo data: 20000 past cases/);
    expect(log.join('\n')).toMatch(/demo: 6 open cases started/);
    const clerk = await call('clerk');
    const { status, body } = await clerk('/reference');
    expect(status).toBe(200);
    expect(body.jurisdiction).toBe('xianning');
    expect(body.timeZone).toBe('Asia/Shanghai');
    expect(body.city).toEqual({ code: CITY[0], nameZh: CITY[3], nameEn: CITY[4] });
    expect(body.city).toMatchObject({ code: '421200', nameZh: '咸宁市' });
    expect(body.regions.map((r: { code: string; nameZh: string }) => [r.code, r.nameZh])).toEqual(DIVISIONS.map((d) => [d.code, d.nameZh]));
    expect(DIVISIONS.map((d) => d.nameZh)).toEqual(['咸安区', '嘉鱼县', '通城县', '崇阳县', '通山县', '赤壁市']);
    // The city clerk's places: the city, its divisions and every town, township and street.
    expect(body.places).toHaveLength(regionRows.length);
    const organs = body.organs as { code: string; nameZh: string; level: string; regionCode: string }[];
    expect(organs).toHaveLength(2 + organFile.city.departments.length + DIVISIONS.length * (2 + organFile.districts.departments.length) + streetCount);
    const byCode = new Map(organs.map((o) => [o.code, o]));
    expect([organFile.city.leadership.code, organFile.city.petitionOffice.code, ...organFile.city.departments.map((d) => d.code)].every((c) => byCode.get(c)?.regionCode === '421200')).toBe(true);
    expect(byCode.get('XN-XFJ')).toMatchObject({ nameZh: '咸宁市信访局', level: 'petition-office' });
    expect(byCode.get(`D${CHONGYANG.code}`)).toMatchObject({ nameZh: '崇阳县委、县政府', level: 'district' });
    expect(byCode.get('D421281')).toMatchObject({ nameZh: '赤壁市委、市政府', level: 'district' });
    expect(byCode.get(`S${TIANCHENG[0]}`)).toMatchObject({ nameZh: '崇阳县天城镇党委、政府', level: 'street-township', regionCode: CHONGYANG.code });
    expect(organs.filter((o) => o.code.startsWith('BJ') || !o.regionCode.startsWith('4212'))).toEqual([]);
  });

  let caseId: string;

  it("takes a case in 崇阳县 with Xianning's codes only: a Beijing district, street or organ is refused", async () => {
    const clerk = await call('clerk');
    const beijingDistrict = await clerk('/cases', { channel: 'letter', regionCode: '110105' });
    expect(beijingDistrict.status).toBe(400);
    expect(beijingDistrict.body.error).toMatch(/110105.*not in the region hierarchy/);
    const beijingStreet = await clerk('/cases', { channel: 'letter', regionCode: CHONGYANG.code, streetCode: '110105001' });
    expect(beijingStreet.status).toBe(400);
    expect(beijingStreet.body.error).toMatch(/110105001/);
    const beijingOrgan = await clerk('/cases', { channel: 'letter', regionCode: CHONGYANG.code, accusation: true, accusedOrgan: 'BJ-JW' });
    expect(beijingOrgan.status).toBe(400);
    expect(beijingOrgan.body.error).toMatch(/BJ-JW is not an organ of the registry/);

    const taken = await clerk('/cases', { channel: 'letter', regionCode: CHONGYANG.code, streetCode: TIANCHENG[0], field: '教育' });
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    caseId = taken.body.caseId as string;
  });

  it("runs the case's clocks under the Xianning packs", async () => {
    const clerk = await call('clerk');
    const read = await clerk(`/cases/${caseId}`);
    expect(read.status).toBe(200);
    const state = read.body.state;
    expect(state).toMatchObject({ jurisdiction: 'xianning', regionCode: CHONGYANG.code, streetCode: TIANCHENG[0], stage: 'awaiting_route' });
    // Governed by every pack rules/jurisdictions.json gives Xianning, its own last.
    expect(state.plan.packs).toEqual(PACKS.map((p) => `${p.id}@${p.version}`));
    // The Xianning measures set no clock of their own (seed 001 cites the 信访条例): each clock is the latest pack's that has it.
    expect(XIANNING_PACK.clocks).toBeUndefined();
    const received = today() as PlainDate;
    expect(state.deadlines.route.rule).toMatchObject({ step: 'route', ...clockPack('route') });
    expect(state.deadlines.route.due).toBe(caseDeadline({ jurisdiction: 'xianning', receivedDate: received, step: 'route', start: received }).due);

    const routed = await clerk(`/cases/${caseId}/route`, { mode: 'forward', toOrgan: `D${CHONGYANG.code}-JYJ` });
    expect(routed.status, JSON.stringify(routed.body)).toBe(200);
    expect(routed.body).toMatchObject({ stage: 'awaiting_acceptance', responsibleOrgan: `D${CHONGYANG.code}-JYJ` });
    const accepted = await clerk(`/cases/${caseId}/accept`, { accepted: true, organ: `D${CHONGYANG.code}-JYJ` });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.stage).toBe('handling');
    const handle = accepted.body.deadlines.handle;
    expect(handle.rule).toMatchObject({ step: 'handle', ...clockPack('handle') });
    expect(handle.due).toBe(caseDeadline({ jurisdiction: 'xianning', receivedDate: received, step: 'handle', start: handle.start }).due);
  });

  it("schedules each division's quarterly standing-committee meeting and the city's target-responsibility letter, under the Xianning pack's articles", async () => {
    const meeting = XIANNING_PACK.duties!.standingCommitteeMeeting!;
    const letter = XIANNING_PACK.duties!.targetResponsibilityLetter!;
    expect([meeting.period, meeting.appliesTo, letter.period, letter.appliesTo]).toEqual(['quarter', ['district'], 'year', ['city', 'district']]);
    const schedule = async (organ: string, dutyId: string) => (await system.temporalClient.schedule.getHandle(`${DUTY_WORKFLOW_ID_PREFIX}${organ}/${dutyId}`).describe());
    for (const d of DIVISIONS) {
      const described = await schedule(`D${d.code}`, 'standingCommitteeMeeting');
      expect(described.spec.timezone).toBe('Asia/Shanghai');
      expect(described.action).toMatchObject({ type: 'startWorkflow', args: [{ jurisdiction: 'xianning', organ: `D${d.code}`, level: 'district', dutyId: 'standingCommitteeMeeting' }] });
      expect(described.spec.calendars?.[0]?.comment).toBe('each quarter');
    }
    const cityLetter = await schedule('XN', 'targetResponsibilityLetter');
    expect(cityLetter.action).toMatchObject({ args: [{ jurisdiction: 'xianning', organ: 'XN', level: 'city', dutyId: 'targetResponsibilityLetter' }] });
    expect(cityLetter.spec.calendars?.[0]?.comment).toBe('each year');
    // Reports: the annual and quarterly batches, but no assessment batch, since Xianning has no method to score by.
    await expect(system.temporalClient.schedule.getHandle('report-batch-quarterly').describe()).resolves.toMatchObject({ spec: { timezone: 'Asia/Shanghai' } });
    await expect(system.temporalClient.schedule.getHandle('report-batch-assessment').describe()).rejects.toThrow(/not found/i);

    // The current periods are open and the duty calendar names the pack and article imposing each.
    const clerk = await call('clerk');
    const year = Number(today().slice(0, 4));
    let body: Record<string, any> = {};
    for (let i = 0; i < 100; i++) {
      body = (await clerk(`/duties?year=${year}&organ=D${CHONGYANG.code}`)).body;
      if (body.periods?.some((p: { duty_id: string }) => p.duty_id === 'standingCommitteeMeeting')) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const period = (body.periods as { duty_id: string; period_label: string; status: string }[]).find((p) => p.duty_id === 'standingCommitteeMeeting');
    expect(period).toMatchObject({ status: 'open', period_label: expect.stringMatching(new RegExp(`^${year}Q[1-4]$`)) });
    expect(body.duties.standingCommitteeMeeting).toMatchObject({ pack: 'xianning-2013', article: meeting.source.article, period: 'quarter' });
    expect(body.duties.grassrootsResearch).toMatchObject({ pack: 'xianning-2013', article: XIANNING_PACK.duties!.grassrootsResearch!.source.article, minDays: 30 });
    const city = (await clerk(`/duties?year=${year}&organ=XN`)).body;
    expect(city.duties.targetResponsibilityLetter).toMatchObject({ pack: 'xianning-2013', article: letter.source.article, period: 'year' });
  });

  it("answers the metrics on Xianning's demo data as a SQL count over its cases table gives them", async () => {
    // Two years back: the demo's 36 months cover it, and no live case falls in it.
    const year = Number(today().slice(0, 4)) - 2;
    const analyst = await call('analyst');
    const total = await analyst(`/metrics?measure=cases&year=${year}`);
    expect(total.status).toBe(200);
    expect(total.body.request.region).toBe('421200');
    const byDivision = await analyst(`/metrics?measure=cases&year=${year}&by=district`);
    expect(byDivision.status).toBe(200);
    const answered = Object.fromEntries((byDivision.body.rows as { dims: { district: string }; value: number }[]).map((r) => [r.dims.district, r.value]));

    // The system holds the database file: stopped, the file is read directly.
    await system.stop();
    stopped = true;
    const store = await AnalyticsStore.open(join(dir, 'xinfang.duckdb'));
    try {
      const counted = await store.all(
        z.object({ region: z.string(), n: z.number() }),
        'SELECT region_code AS region, count(*)::INTEGER AS n FROM cases WHERE year(received_date) = $year GROUP BY region_code ORDER BY region_code',
        { year },
      );
      expect(counted.map((r) => r.region)).toEqual(DIVISIONS.map((d) => d.code).sort());
      expect(answered).toEqual(Object.fromEntries(counted.map((r) => [r.region, r.n])));
      expect(total.body.rows).toEqual([{ measure: 'cases', dims: {}, value: counted.reduce((s, r) => s + r.n, 0) }]);
      // Every case is Xianning's.
      const [other] = await store.all(z.object({ n: z.number() }), "SELECT count(*)::INTEGER AS n FROM cases WHERE jurisdiction <> 'xianning' OR region_code NOT LIKE '4212%'");
      expect(other!.n).toBe(0);
    } finally {
      store.close();
    }
  }, 60_000);
});
