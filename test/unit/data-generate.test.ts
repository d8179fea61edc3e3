import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generateToParquet, type GenerateSummary } from '../../analytics/generator/generate.js';
import { importFiles } from '../../analytics/import/importer.js';
import { petitionerKeys } from '../../analytics/import/pseudonym.js';
import { expandPaths } from '../../analytics/import/run.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { caseDeadline } from '../../rules/case-rules.js';
import { parsePlainDate, type PlainDate } from '../../rules/plain-date.js';

// One generated dataset (60,000 cases over 2021-2025, with 3 surges), imported once, checked many ways.
const dir = mkdtempSync(join(tmpdir(), 'xinfang-generate-'));
const options = { cases: 60_000, from: parsePlainDate('2021-01-01'), to: parsePlainDate('2025-12-31'), seed: 7, anomalies: 3, batchSize: 20_000 };
let summary: GenerateSummary;
let store: AnalyticsStore;

beforeAll(async () => {
  summary = await generateToParquet(join(dir, 'a'), options);
  store = await AnalyticsStore.open(':memory:');
  const report = await importFiles(store, {
    sources: expandPaths([join(dir, 'a')]).map((path) => ({ path })),
    hierarchy: beijingRegions(),
    keys: petitionerKeys(Buffer.alloc(32, 3)),
  });
  // Everything the generator writes passes the import's validation.
  expect(report.cases).toEqual({ read: summary.cases, imported: summary.cases, quarantined: 0, duplicate: 0 });
  expect(report.events).toEqual({ read: summary.events, imported: summary.events, quarantined: 0, duplicate: 0 });
}, 120_000);
afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = <T extends z.ZodRawShape>(shape: T, sql: string) => store.all(z.object(shape), sql);

describe('the generator', () => {
  it('is deterministic for a seed, whatever the batch size', async () => {
    const again = await generateToParquet(join(dir, 'b'), { ...options, batchSize: 7_000 });
    expect(again.cases).toBe(summary.cases);
    expect(again.events).toBe(summary.events);
    expect(again.anomalies).toEqual(summary.anomalies);
    const digest = async (sub: string) => {
      const [row] = await rows(
        { h: z.string() },
        `SELECT md5(string_agg(case_id || received_at::VARCHAR || channel || region_code || coalesce(street_code, '') || field
                               || petitioner_id || collective_size::VARCHAR, ',' ORDER BY case_id)) AS h
           FROM read_parquet('${join(dir, sub, 'cases')}/*/*.parquet')`,
      );
      return row!.h;
    };
    expect(await digest('b')).toBe(await digest('a'));
    const other = await generateToParquet(join(dir, 'c'), { ...options, seed: 8, anomalies: 0 });
    expect(other.cases).toBe(options.cases);
    expect(await digest('c')).not.toBe(await digest('a'));
  }, 120_000);

  it('writes the labels of the surges it injected, and the surges are in the data', async () => {
    const labels = JSON.parse(readFileSync(join(dir, 'a', 'labels.json'), 'utf8')) as { anomalies: GenerateSummary['anomalies'] };
    expect(labels.anomalies).toEqual(summary.anomalies);
    expect(summary.cases).toBe(options.cases + summary.anomalies.reduce((a, x) => a + x.injectedCases, 0));
    for (const a of summary.anomalies) {
      const [row] = await rows(
        { inside: z.number(), before: z.number() },
        `SELECT count(*) FILTER (WHERE received_date BETWEEN DATE '${a.from}' AND DATE '${a.to}')::INTEGER AS inside,
                count(*) FILTER (WHERE received_date BETWEEN DATE '${a.from}' - INTERVAL 180 DAY AND DATE '${a.from}' - INTERVAL 1 DAY)::INTEGER AS before
           FROM cases WHERE region_code = '${a.regionCode}' AND field = '${a.field}'`,
      );
      const days = (Date.parse(a.to) - Date.parse(a.from)) / 86_400_000 + 1;
      // The surge's daily rate is well above the half year before it.
      expect(row!.inside / days).toBeGreaterThan((1.5 * row!.before) / 180);
    }
  });

  it('follows the calibration: online share by year, district by population, fields led by 城乡建设', async () => {
    const online = await rows(
      { year: z.number(), share: z.number() },
      `SELECT year(received_date)::INTEGER AS year, avg((channel = 'online')::INTEGER)::DOUBLE AS share FROM cases GROUP BY 1 ORDER BY 1`,
    );
    expect(online.map((r) => r.year)).toEqual([2021, 2022, 2023, 2024, 2025]);
    for (const r of online) expect(r.share).toBeGreaterThan(0.5); // over 50% from 2018 on (issue 4)
    const districts = await rows({ region_code: z.string() }, `SELECT region_code FROM cases GROUP BY 1 ORDER BY count(*) DESC`);
    expect(districts[0]!.region_code).toBe('110105'); // 朝阳 most
    expect(districts.at(-1)!.region_code).toBe('110119'); // 延庆 fewest
    const fields = await rows({ field: z.string() }, `SELECT field FROM cases GROUP BY 1 ORDER BY count(*) DESC LIMIT 3`);
    expect(fields.map((f) => f.field)).toEqual(['城乡建设', '劳动社保', '国土资源']);
    // Every street lies in its case's district.
    const [streets] = await rows(
      { bad: z.number() },
      `SELECT count(*)::INTEGER AS bad FROM cases c LEFT JOIN regions r ON r.code = c.street_code WHERE r.parent_code IS DISTINCT FROM c.region_code`,
    );
    expect(streets!.bad).toBe(0);
  });

  it('raises wage-arrears claims before Spring Festival and visits in the March sessions', async () => {
    const [labour] = await rows(
      { before: z.number(), rest: z.number() },
      `SELECT avg((field = '劳动社保')::INTEGER) FILTER (WHERE received_date BETWEEN DATE '2025-01-01' AND DATE '2025-01-28')::DOUBLE AS before,
              avg((field = '劳动社保')::INTEGER) FILTER (WHERE received_date BETWEEN DATE '2025-04-01' AND DATE '2025-10-31')::DOUBLE AS rest
         FROM cases`,
    );
    expect(labour!.before).toBeGreaterThan(1.5 * labour!.rest);
    const [visits] = await rows(
      { sessions: z.number(), april: z.number() },
      `SELECT avg((channel = 'visit')::INTEGER) FILTER (WHERE month(received_date) = 3 AND day(received_date) BETWEEN 3 AND 15)::DOUBLE AS sessions,
              avg((channel = 'visit')::INTEGER) FILTER (WHERE month(received_date) = 4)::DOUBLE AS april
         FROM cases`,
    );
    expect(visits!.sessions).toBeGreaterThan(visits!.april);
  });

  it('has repeat petitioners, skip-level and collective cases in plausible shares', async () => {
    const [r] = await rows(
      { repeat: z.number(), linked: z.number(), skip: z.number(), collective: z.number() },
      `SELECT avg(repeat_petition::INTEGER)::DOUBLE AS repeat,
              (count(*) - count(DISTINCT petitioner_id))::DOUBLE / count(*) AS linked,
              avg(skip_level::INTEGER)::DOUBLE AS skip,
              avg((collective_size >= 5)::INTEGER)::DOUBLE AS collective
         FROM cases`,
    );
    expect(r!.repeat).toBeGreaterThan(0.15);
    expect(r!.repeat).toBeLessThan(0.3);
    expect(r!.linked).toBeCloseTo(r!.repeat, 2); // a repeat petition shares its petitioner's pseudonym
    expect(r!.skip).toBeGreaterThan(0.03);
    expect(r!.collective).toBeGreaterThan(0.01);
  });

  it('rates in three levels and presses (催办) only a step past its deadline, against the organ that owes it', async () => {
    const levels = await rows(
      { level: z.string(), share: z.number() },
      `SELECT detail->>'level' AS level, (count(*) / sum(count(*)) OVER ())::DOUBLE AS share FROM case_events WHERE event_type = 'rated' GROUP BY 1 ORDER BY 1`,
    );
    expect(levels.map((l) => l.level)).toEqual(['basically_satisfied', 'dissatisfied', 'satisfied']);
    const share = Object.fromEntries(levels.map((l) => [l.level, l.share]));
    expect(share['satisfied']).toBeCloseTo(0.6, 1);
    expect(share['basically_satisfied']).toBeCloseTo(0.22, 1);
    const [presses] = await rows(
      { presses: z.number(), outside: z.number(), wrongOrgan: z.number(), steps: z.number() },
      `WITH per AS (
         SELECT case_id,
                min(occurred_at) FILTER (WHERE event_type = 'route_overdue') AS route_breach,
                -- A step still owed when the data ends was pressed while it stayed overdue.
                coalesce(min(occurred_at) FILTER (WHERE event_type = 'routed'), 'infinity') AS routed,
                min(occurred_at) FILTER (WHERE event_type = 'handle_overdue') AS handle_breach,
                coalesce(min(occurred_at) FILTER (WHERE event_type = 'replied'), 'infinity') AS replied,
                any_value(detail->>'organ') FILTER (WHERE event_type = 'accepted') AS handler
           FROM case_events GROUP BY case_id)
       SELECT count(*)::INTEGER AS presses,
              count(*) FILTER (WHERE CASE p.detail->>'step' WHEN 'route' THEN NOT (p.occurred_at > route_breach AND p.occurred_at < routed)
                                                            WHEN 'handle' THEN NOT (p.occurred_at > handle_breach AND p.occurred_at < replied)
                                                            ELSE true END IS NOT false)::INTEGER AS outside,
              count(*) FILTER (WHERE CASE p.detail->>'step' WHEN 'route' THEN NOT ends_with(p.detail->>'organ', '信访办')
                                                            ELSE p.detail->>'organ' IS DISTINCT FROM handler END)::INTEGER AS "wrongOrgan",
              count(DISTINCT p.detail->>'step')::INTEGER AS steps
         FROM case_events p JOIN per USING (case_id) WHERE p.event_type = 'pressed'`,
    );
    expect(presses!.presses).toBeGreaterThan(100);
    expect(presses).toMatchObject({ outside: 0, wrongOrgan: 0, steps: 2 });
  });

  it('writes lifecycles consistent with the deadline engine', async () => {
    const sample = await rows(
      { case_id: z.string(), received: z.string(), route_due: z.string(), accepted: z.string().nullable(), ext_days: z.number().nullable(), ext_due: z.string().nullable() },
      `SELECT c.case_id, c.received_date::VARCHAR AS received,
              max(e.due_date) FILTER (WHERE e.event_type = 'received')::VARCHAR AS route_due,
              max(timezone('Asia/Shanghai', e.occurred_at)::DATE) FILTER (WHERE e.event_type = 'accepted')::VARCHAR AS accepted,
              max((e.detail->>'days')::INTEGER) FILTER (WHERE e.event_type = 'extended') AS ext_days,
              max(e.due_date) FILTER (WHERE e.event_type = 'extended')::VARCHAR AS ext_due
         FROM cases c JOIN case_events e USING (case_id)
        WHERE c.case_id IN (SELECT case_id FROM cases ORDER BY hash(case_id) LIMIT 400)
           OR c.case_id IN (SELECT case_id FROM case_events WHERE event_type = 'extended' ORDER BY hash(case_id) LIMIT 100)
        GROUP BY 1, 2`,
    );
    expect(sample.filter((s) => s.ext_days !== null).length).toBeGreaterThan(50);
    for (const s of sample) {
      const receivedDate = s.received as PlainDate;
      expect(s.route_due).toBe(caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'route', start: receivedDate }).due);
      if (s.ext_days !== null) {
        const extended = caseDeadline({ jurisdiction: 'beijing', receivedDate, step: 'handle', start: s.accepted as PlainDate, extensionDays: s.ext_days });
        expect(s.ext_due).toBe(extended.due);
      }
    }
    // An overdue record exactly when the step came after its breach; replies late exactly when the handling clock ran out.
    const [bad] = await rows(
      { route: z.number(), reply: z.number(), late_routes: z.number(), late_replies: z.number() },
      `WITH per AS (
         SELECT case_id,
                max(occurred_at) FILTER (WHERE event_type = 'routed') AS routed,
                max(occurred_at) FILTER (WHERE event_type = 'route_overdue') AS route_breach,
                max(occurred_at) FILTER (WHERE event_type = 'replied') AS replied,
                max(occurred_at) FILTER (WHERE event_type = 'handle_overdue') AS handle_breach,
                bool_or((detail->>'late')::BOOLEAN) FILTER (WHERE event_type = 'replied') AS reply_late
           FROM case_events GROUP BY case_id)
       SELECT count(*) FILTER (WHERE route_breach IS NOT NULL AND routed < route_breach)::INTEGER AS route,
              count(*) FILTER (WHERE replied IS NOT NULL AND (handle_breach IS NOT NULL) IS DISTINCT FROM reply_late
                                 OR handle_breach IS NOT NULL AND replied < handle_breach)::INTEGER AS reply,
              count(route_breach)::INTEGER AS late_routes, count(handle_breach)::INTEGER AS late_replies
         FROM per`,
    );
    expect(bad!.route).toBe(0);
    expect(bad!.reply).toBe(0);
    expect(bad!.late_routes / summary.cases).toBeGreaterThan(0.02);
    expect(bad!.late_replies).toBeGreaterThan(0);
    // Every step the petitioner takes after a reply happens, with ratings, reviews, re-reviews and hearings.
    const types = await rows({ event_type: z.string() }, `SELECT DISTINCT event_type FROM case_events ORDER BY 1`);
    expect(types.map((t) => t.event_type)).toEqual(
      expect.arrayContaining(['rated', 'review_requested', 'review_opinion', 're_review_requested', 'hearing_started', 'hearing_ended', 're_review_opinion', 'closed', 'extended', 'not_accepted']),
    );
  });
});
