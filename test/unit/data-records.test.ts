/**
 * The offices' records beside the cases: generated recommendations (三项建议) and screened
 * disputes, as Parquet and in the store, and their import with quarantine of bad rows.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadDemoData } from '../../analytics/demo-data.js';
import { generateToParquet, type GenerateSummary } from '../../analytics/generator/generate.js';
import { importFiles } from '../../analytics/import/importer.js';
import { petitionerKeys } from '../../analytics/import/pseudonym.js';
import { expandPaths, formatReport } from '../../analytics/import/run.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { caseDeadline } from '../../rules/case-rules.js';
import { parsePlainDate, type PlainDate } from '../../rules/plain-date.js';

const dir = mkdtempSync(join(tmpdir(), 'xinfang-records-'));
const options = { cases: 5_000, from: parsePlainDate('2023-01-01'), to: parsePlainDate('2024-12-31'), seed: 11, batchSize: 2_000 };
const keys = petitionerKeys(Buffer.alloc(32, 5));
let summary: GenerateSummary;
let store: AnalyticsStore;
const parquet = (sub: string, kind: string) => `read_parquet('${join(dir, sub, kind)}/*/*.parquet')`;

beforeAll(async () => {
  summary = await generateToParquet(join(dir, 'a'), options);
  store = await AnalyticsStore.open(':memory:');
  const report = await importFiles(store, { sources: expandPaths([join(dir, 'a')]).map((path) => ({ path })), hierarchy: beijingRegions(), keys });
  // Everything the generator writes passes the import's validation.
  expect(report.recommendations).toEqual({ read: summary.recommendations, imported: summary.recommendations, quarantined: 0, duplicate: 0 });
  expect(report.disputes).toEqual({ read: summary.disputes, imported: summary.disputes, quarantined: 0, duplicate: 0 });
  expect(formatReport(report)).toMatch(/recommendations +read \d+, imported \d+, quarantined 0/);
}, 120_000);
afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = <T extends z.ZodRawShape>(shape: T, sql: string) => store.all(z.object(shape), sql);

describe('generated recommendations and disputes', () => {
  it('are deterministic for a seed, whatever the batch size, and leave the cases as they were', async () => {
    const again = await generateToParquet(join(dir, 'b'), { ...options, batchSize: 700 });
    expect([again.recommendations, again.disputes]).toEqual([summary.recommendations, summary.disputes]);
    const digest = async (sub: string) => {
      const [row] = await rows(
        { r: z.string(), d: z.string(), c: z.string() },
        `SELECT (SELECT md5(string_agg(r::VARCHAR, ',' ORDER BY recommendation_id)) FROM ${parquet(sub, 'recommendations')} r) AS r,
                (SELECT md5(string_agg(d::VARCHAR, ',' ORDER BY dispute_id)) FROM ${parquet(sub, 'disputes')} d) AS d,
                (SELECT md5(string_agg(c::VARCHAR, ',' ORDER BY case_id)) FROM ${parquet(sub, 'cases')} c) AS c`,
      );
      return row!;
    };
    expect(await digest('b')).toEqual(await digest('a'));
    const manifest = JSON.parse(readFileSync(join(dir, 'a', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ recommendations: summary.recommendations, disputes: summary.disputes });
  }, 60_000);

  it('follow the calibration: tens to hundreds a district a year, kinds mixed, 70-85% adopted, some late', async () => {
    const byDistrict = await rows(
      { region_code: z.string(), per_year: z.number() },
      `SELECT region_code, (count(*) / 2)::DOUBLE AS per_year FROM recommendations WHERE region_code <> '110000' GROUP BY 1 ORDER BY 2 DESC`,
    );
    expect(byDistrict).toHaveLength(16);
    expect(byDistrict[0]!.region_code).toBe('110105'); // 朝阳, the most residents
    expect(byDistrict[0]!.per_year).toBeGreaterThan(100);
    expect(byDistrict.at(-1)!.per_year).toBeGreaterThan(5);
    const [r] = await rows(
      { adopted: z.number(), late: z.number(), overdue: z.number(), kinds: z.number(), awaiting: z.number() },
      `SELECT avg(adopted::INTEGER)::DOUBLE AS adopted,
              avg((feedback_date > feedback_due)::INTEGER)::DOUBLE AS late,
              avg((feedback_overdue_date IS NOT NULL)::INTEGER)::DOUBLE AS overdue,
              count(DISTINCT kind)::INTEGER AS kinds,
              count(*) FILTER (WHERE feedback_date IS NULL)::INTEGER AS awaiting
         FROM recommendations`,
    );
    expect(r!.adopted).toBeGreaterThan(0.7);
    expect(r!.adopted).toBeLessThan(0.85);
    expect(r!.late).toBeGreaterThan(0.04);
    expect(r!.late).toBeLessThan(0.15);
    expect(r!.overdue).toBeGreaterThan(r!.late);
    expect(r!.kinds).toBe(3);
    expect(r!.awaiting).toBeGreaterThan(0); // never answered, or not yet at the end of the data
    // Every breach is the day after the due date, and only feedback after the due date (or none) has one.
    const [bad] = await rows(
      { n: z.number() },
      `SELECT count(*)::INTEGER AS n FROM recommendations
        WHERE (feedback_overdue_date IS NOT NULL AND feedback_overdue_date <> feedback_due + 1)
           OR (feedback_date <= feedback_due AND feedback_overdue_date IS NOT NULL)
           OR (feedback_date > feedback_due AND feedback_overdue_date IS NULL)
           OR feedback_date < issued_date OR feedback_date > DATE '${options.to}'`,
    );
    expect(bad!.n).toBe(0);
  });

  it('take the feedback due date from the packs through the deadline engine', async () => {
    const sample = await rows(
      { issued: z.string(), due: z.string() },
      `SELECT issued_date::VARCHAR AS issued, feedback_due::VARCHAR AS due FROM recommendations ORDER BY hash(recommendation_id) LIMIT 200`,
    );
    for (const s of sample) {
      const issued = s.issued as PlainDate;
      expect(s.due).toBe(caseDeadline({ jurisdiction: 'beijing', receivedDate: issued, step: 'recommendationFeedback', start: issued }).due);
    }
  });

  it('screen several disputes a street a month and resolve about 96% within weeks', async () => {
    const [d] = await rows(
      { per_street_month: z.number(), resolved: z.number(), within_42: z.number(), bad_street: z.number(), fields: z.number() },
      `SELECT count(*)::DOUBLE / (SELECT count(*) FROM regions WHERE level = 'street') / 24 AS per_street_month,
              avg((resolved_date IS NOT NULL)::INTEGER) FILTER (WHERE screened_date < DATE '2024-09-01')::DOUBLE AS resolved,
              avg((resolved_date - screened_date <= 42)::INTEGER) FILTER (WHERE resolved_date IS NOT NULL)::DOUBLE AS within_42,
              count(*) FILTER (WHERE r.parent_code IS DISTINCT FROM d.region_code)::INTEGER AS bad_street,
              count(DISTINCT field)::INTEGER AS fields
         FROM disputes d LEFT JOIN regions r ON r.code = d.street_code`,
    );
    expect(d!.per_street_month).toBeGreaterThan(2);
    expect(d!.per_street_month).toBeLessThan(8);
    expect(d!.resolved).toBeGreaterThan(0.94);
    expect(d!.resolved).toBeLessThan(0.98);
    expect(d!.within_42).toBeGreaterThan(0.9);
    expect(d!.bad_street).toBe(0);
    expect(d!.fields).toBeGreaterThan(8);
  });

  it('are in the demo data too, with origin demo', async () => {
    const demo = await AnalyticsStore.open(':memory:');
    try {
      await loadDemoData(demo, { anchorMonth: '2025-07', jurisdiction: 'beijing', months: 6, cases: 1_000 });
      const [r] = await demo.all(
        z.object({ recs: z.number(), disputes: z.number(), origins: z.string(), last: z.string() }),
        `SELECT (SELECT count(*) FROM recommendations)::INTEGER AS recs, (SELECT count(*) FROM disputes)::INTEGER AS disputes,
                (SELECT string_agg(DISTINCT origin, ',') FROM (SELECT origin FROM recommendations UNION ALL SELECT origin FROM disputes)) AS origins,
                (SELECT max(screened_date)::VARCHAR FROM disputes) AS last`,
      );
      expect(r!.recs).toBeGreaterThan(300);
      expect(r!.disputes).toBeGreaterThan(5_000);
      expect(r!.origins).toBe('demo');
      expect(r!.last <= '2025-06-30').toBe(true);
    } finally {
      demo.close();
    }
  });
});

describe('importing recommendations and disputes', () => {
  it('quarantines bad rows with file, line and reason, takes the rest, and counts duplicates', async () => {
    const csv = mkdtempSync(join(tmpdir(), 'xinfang-records-csv-'));
    try {
      const recs = join(csv, 'recommendations.csv');
      writeFileSync(
        recs,
        [
          'recommendation_id,region_code,issued_by,to_organ,kind,issued_date,feedback_due,feedback_date,adopted,feedback_overdue_date',
          'R1,110105,朝阳区信访办,朝阳区教委,improve_work,2025-03-03,2025-04-02,2025-03-20,true,',
          'R2,110000,北京市信访办,北京市住建委,improve_policy,2025-03-03,2025-04-02,,,2025-04-03',
          'R3,110105,朝阳区信访办,朝阳区教委,scold,2025-03-03,,,,',
          'R4,110105001,朝阳区信访办,朝阳区教委,improve_work,2025-03-03,,,,',
          'R5,110105,朝阳区信访办,朝阳区教委,accountability,2025-03-03,,2025-03-01,false,',
          'R6,110105,朝阳区信访办,朝阳区教委,accountability,2025-03-03,,,true,',
          'R7,110105,,朝阳区教委,improve_work,2025-03-03,,,,',
          'R8,110105,朝阳区信访办,朝阳区教委,improve_work,2099-01-01,,,,',
          '',
        ].join('\n'),
      );
      const disputes = join(csv, 'disputes.csv');
      writeFileSync(
        disputes,
        [
          'dispute_id,region_code,street_code,field,screened_date,resolved_date',
          'D1,110105,110105001,城乡建设,2025-03-03,2025-03-10',
          'D2,110105,,,2025-03-04,',
          'D3,110108,110105001,,2025-03-04,',
          'D4,110000,,,2025-03-04,',
          'D5,110105,,天气,2025-03-04,',
          'D6,110105,,,2025-03-04,2025-03-01',
          'D7,110105,,,someday,',
          '',
        ].join('\n'),
      );
      const db = await AnalyticsStore.open(':memory:');
      try {
        const report = await importFiles(db, { sources: [{ path: recs }, { path: disputes }], hierarchy: beijingRegions(), keys });
        expect(report.files.map((f) => f.kind)).toEqual(['recommendations', 'disputes']);
        expect(report.recommendations).toEqual({ read: 8, imported: 2, quarantined: 6, duplicate: 0 });
        expect(report.disputes).toEqual({ read: 7, imported: 2, quarantined: 5, duplicate: 0 });
        const quarantined = await db.all(
          z.object({ line: z.coerce.number(), kind: z.string(), reason: z.string() }),
          'SELECT line, kind, reason FROM import_quarantine ORDER BY kind DESC, line',
        );
        expect(quarantined).toEqual([
          { line: 4, kind: 'recommendation', reason: 'kind: "scold" is not improve_work, improve_policy or accountability' },
          { line: 5, kind: 'recommendation', reason: 'region_code: "110105001" is not a city or district of the region hierarchy' },
          { line: 6, kind: 'recommendation', reason: 'feedback_date: 2025-03-01 is before issued_date 2025-03-03' },
          { line: 7, kind: 'recommendation', reason: 'adopted: known with the feedback only; give both feedback_date and adopted, or neither' },
          { line: 8, kind: 'recommendation', reason: 'issued_by: missing' },
          { line: 9, kind: 'recommendation', reason: 'issued_date: 2099-01-01 lies in the future' },
          { line: 4, kind: 'dispute', reason: 'street_code: 110105001 lies in 110105, not in 110108' },
          { line: 5, kind: 'dispute', reason: 'region_code: "110000" is not a district of the region hierarchy' },
          { line: 6, kind: 'dispute', reason: 'field: "天气" is not one of the fields (领域) in domain/case.ts' },
          { line: 7, kind: 'dispute', reason: 'resolved_date: 2025-03-01 is before screened_date 2025-03-04' },
          { line: 8, kind: 'dispute', reason: 'screened_date: "someday" is not a date' },
        ]);
        const [r] = await db.all(
          z.object({ ids: z.string(), adopted: z.boolean(), overdue: z.string(), origin: z.string(), batch: z.boolean() }),
          `SELECT string_agg(recommendation_id, ',' ORDER BY recommendation_id) AS ids, bool_or(adopted) AS adopted,
                  max(feedback_overdue_date)::VARCHAR AS overdue, any_value(origin) AS origin, bool_and(import_batch IS NOT NULL) AS batch
             FROM recommendations`,
        );
        expect(r).toEqual({ ids: 'R1,R2', adopted: true, overdue: '2025-04-03', origin: 'import', batch: true });
        const again = await importFiles(db, { sources: [{ path: recs }, { path: disputes }], hierarchy: beijingRegions(), keys });
        expect(again.recommendations).toEqual({ read: 8, imported: 0, quarantined: 6, duplicate: 2 });
        expect(again.disputes).toEqual({ read: 7, imported: 0, quarantined: 5, duplicate: 2 });
      } finally {
        db.close();
      }
    } finally {
      rmSync(csv, { recursive: true, force: true });
    }
  });

  it('refuses a file missing a required column, changing nothing', async () => {
    const csv = mkdtempSync(join(tmpdir(), 'xinfang-records-csv-'));
    try {
      const file = join(csv, 'disputes.csv');
      writeFileSync(file, 'dispute_id,region_code\nD1,110105\n');
      const db = await AnalyticsStore.open(':memory:');
      try {
        await expect(importFiles(db, { sources: [{ path: file }], hierarchy: beijingRegions(), keys })).rejects.toThrow(
          /required disputes column\(s\) screened_date missing/,
        );
        const [n] = await db.all(z.object({ n: z.number() }), 'SELECT count(*)::INTEGER AS n FROM disputes');
        expect(n!.n).toBe(0);
      } finally {
        db.close();
      }
    } finally {
      rmSync(csv, { recursive: true, force: true });
    }
  });
});

