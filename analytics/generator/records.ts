/**
 * The petition offices' own records beside the cases: recommendations (三项建议) with the
 * organs' feedback, and screened disputes (矛盾纠纷排查化解). Calibration in calibration.ts.
 *
 * Each kind draws from its own seeded stream, so adding these records changed none of the
 * cases a seed gives, and they do not depend on the batch size. Rows are drawn as integers
 * (day numbers, list indexes) into temp tables and expanded to the import schema by SQL, as
 * the cases are; a step after the as-of instant is not recorded yet.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { RECOMMENDATION_KINDS } from '../../domain/recommendation.js';
import type { CaseOrigin } from '../case-log.js';
import { DISPUTES, FIELD_LIST, FIELD_WEIGHTS, RECOMMENDATIONS } from './calibration.js';
import { generatorPlaces } from './places.js';
import { cumulative, mulberry32, pick } from './sampling.js';

export interface RecordsOptions {
  /** Whose offices, organs and streets (domain/jurisdiction-data.ts). */
  jurisdiction: string;
  /** Day numbers (days since 1970-01-01) of the first and last day. */
  fromDay: number;
  toDay: number;
  /** Epoch second after which nothing is recorded. */
  asOf: number;
  seed: number;
  /** The feedback clock of a recommendation issued on a day: due day and breach second, or null outside the calendar. */
  feedbackDue: (day: number) => { due: number; breach: number } | null;
}

export interface RecordsSummary {
  recommendations: number;
  disputes: number;
}

const CHINA_OFFSET = 8 * 3600;
// Independent streams: the cases' stream is mulberry32(seed) itself.
const RECOMMENDATION_STREAM = 0x52454331;
const DISPUTE_STREAM = 0x44495331;

/** Working days as Monday to Friday: the offices' records are dated on them. */
const weekday = (day: number) => {
  const d = new Date(day * 86_400_000).getUTCDay();
  return d !== 0 && d !== 6;
};

/** Knuth's Poisson draw: the rates here are below a few per day. */
function poisson(random: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

/** The issuing offices (every district's and the city's), each with the departments of its level by field, and the streets. */
const regions = (jurisdiction: string) => {
  const { city, districts, streets } = generatorPlaces(jurisdiction);
  return {
    offices: [
      ...districts.map((d) => ({ code: d.code, office: d.office, departments: d.departments, perYear: d.population10k * RECOMMENDATIONS.perTenThousandPerYear })),
      { code: city.code, office: city.office, departments: city.departments, perYear: RECOMMENDATIONS.cityPerYear },
    ],
    streets,
  };
};

/** Draws both kinds into temp.main.gen_recommendations and temp.main.gen_disputes. */
export async function generateRecords(conn: DuckDBConnection, options: RecordsOptions): Promise<RecordsSummary> {
  const { fromDay, toDay, asOf } = options;
  // The last China day that has begun before the as-of instant (by default the end of `to`).
  const asOfDay = Math.floor((asOf - 1 + CHINA_OFFSET) / 86_400);
  const { offices, streets } = regions(options.jurisdiction);
  const fieldCum = cumulative(FIELD_LIST.map((f) => FIELD_WEIGHTS[f]));
  const kindCum = cumulative(RECOMMENDATIONS.kinds.map(([, w]) => w));
  // Rates per working day: about 261 working days a year, 21.75 a month.
  const perWorkingDay = (perYear: number) => perYear / 261;

  await conn.run(`CREATE OR REPLACE TEMP TABLE gen_recommendations (serial INTEGER, office INTEGER, kind INTEGER, field INTEGER,
    issued INTEGER, due INTEGER, feedback INTEGER, adopted INTEGER, overdue INTEGER)`);
  const recs = await conn.createAppender('gen_recommendations', 'main', 'temp');
  let random = mulberry32((options.seed ^ RECOMMENDATION_STREAM) >>> 0);
  let recommendations = 0;
  for (let day = fromDay; day <= Math.min(toDay, asOfDay); day++) {
    if (!weekday(day)) continue;
    for (let office = 0; office < offices.length; office++) {
      const n = poisson(random, perWorkingDay(offices[office]!.perYear));
      for (let k = 0; k < n; k++) {
        const kind = pick(kindCum, random());
        const field = pick(fieldCum, random());
        const clock = options.feedbackDue(day);
        const u = random();
        let feedback = -1;
        let overdue = -1;
        if (!clock) feedback = day + 1 + Math.floor(random() * 30);
        else if (u < RECOMMENDATIONS.feedbackOnTime) feedback = day + 1 + Math.floor(random() * (clock.due - day));
        else {
          if (u < RECOMMENDATIONS.feedbackOnTime + RECOMMENDATIONS.feedbackLate) feedback = clock.due + 1 + Math.floor(random() * RECOMMENDATIONS.lateDaysMax);
          if (clock.breach <= asOf) overdue = clock.due + 1;
        }
        const adopted = random() < RECOMMENDATIONS.adopted[RECOMMENDATIONS.kinds[kind]![0]] ? 1 : 0;
        const given = feedback >= 0 && feedback <= asOfDay;
        recs.appendInteger(++recommendations);
        recs.appendInteger(office);
        recs.appendInteger(kind);
        recs.appendInteger(field);
        recs.appendInteger(day);
        recs.appendInteger(clock?.due ?? -1);
        recs.appendInteger(given ? feedback : -1);
        recs.appendInteger(given ? adopted : -1);
        recs.appendInteger(overdue);
        recs.endRow();
      }
    }
  }
  recs.closeSync();

  await conn.run(`CREATE OR REPLACE TEMP TABLE gen_disputes (serial INTEGER, street INTEGER, field INTEGER, screened INTEGER, resolved INTEGER)`);
  const disputes = await conn.createAppender('gen_disputes', 'main', 'temp');
  random = mulberry32((options.seed ^ DISPUTE_STREAM) >>> 0);
  const perStreet = DISPUTES.perStreetPerMonth / 21.75;
  let count = 0;
  for (let day = fromDay; day <= Math.min(toDay, asOfDay); day++) {
    if (!weekday(day)) continue;
    for (let street = 0; street < streets.length; street++) {
      const n = poisson(random, perStreet);
      for (let k = 0; k < n; k++) {
        const field = pick(fieldCum, random());
        let resolved = -1;
        if (random() < DISPUTES.resolved) {
          const days = 1 + Math.min(DISPUTES.resolveMaxDays - 1, Math.floor(-Math.log(1 - random()) * DISPUTES.resolveMeanDays));
          if (day + days <= asOfDay) resolved = day + days;
        }
        disputes.appendInteger(++count);
        disputes.appendInteger(street);
        disputes.appendInteger(field);
        disputes.appendInteger(day);
        disputes.appendInteger(resolved);
        disputes.endRow();
      }
    }
  }
  disputes.closeSync();
  return { recommendations, disputes: count };
}

const DAY_0 = `DATE '1970-01-01'`;
const date = (column: string) => `CASE WHEN ${column} >= 0 THEN ${DAY_0} + ${column} END`;

// The import schema of each kind (analytics/import/sql.ts), from the drawn integers.
const RECOMMENDATIONS_SELECT = `
SELECT $prefix || 'R' || year(${DAY_0} + r.issued)::VARCHAR || '-' || lpad(r.serial::VARCHAR, 6, '0') AS recommendation_id,
       $jurisdiction AS jurisdiction,
       ($officeCodes::VARCHAR[])[r.office + 1] AS region_code,
       ($offices::VARCHAR[])[r.office + 1] AS issued_by,
       ($departments::VARCHAR[])[r.office * $fieldCount + r.field + 1] AS to_organ,
       ($kinds::VARCHAR[])[r.kind + 1] AS kind,
       ${DAY_0} + r.issued AS issued_date,
       ${date('r.due')} AS feedback_due,
       ${date('r.feedback')} AS feedback_date,
       CASE WHEN r.adopted >= 0 THEN r.adopted = 1 END AS adopted,
       ${date('r.overdue')} AS feedback_overdue_date,
       NULL::VARCHAR AS case_id,
       ($fields::VARCHAR[])[r.field + 1] || '领域：' || ($kindLabels::VARCHAR[])[r.kind + 1] || '建议' AS summary
  FROM temp.main.gen_recommendations r`;

const DISPUTES_SELECT = `
SELECT $prefix || 'D' || year(${DAY_0} + d.screened)::VARCHAR || '-' || lpad(d.serial::VARCHAR, 7, '0') AS dispute_id,
       $jurisdiction AS jurisdiction,
       ($streetDistricts::VARCHAR[])[d.street + 1] AS region_code,
       ($streets::VARCHAR[])[d.street + 1] AS street_code,
       ($fields::VARCHAR[])[d.field + 1] AS field,
       ${DAY_0} + d.screened AS screened_date,
       ${date('d.resolved')} AS resolved_date,
       NULL::VARCHAR AS case_id
  FROM temp.main.gen_disputes d`;

function recordParams(jurisdiction: string, prefix: string) {
  const { offices, streets } = regions(jurisdiction);
  return {
    recommendations: {
      prefix,
      jurisdiction,
      officeCodes: listValue(offices.map((o) => o.code)),
      offices: listValue(offices.map((o) => o.office)),
      // Office by field: the department of the office's level handling the field, row by row.
      departments: listValue(offices.flatMap((o) => o.departments)),
      fieldCount: FIELD_LIST.length,
      kinds: listValue(RECOMMENDATIONS.kinds.map(([k]) => k)),
      kindLabels: listValue(RECOMMENDATIONS.kinds.map(([k]) => RECOMMENDATION_KINDS[k])),
      fields: listValue([...FIELD_LIST]),
    },
    disputes: {
      prefix,
      jurisdiction,
      streets: listValue(streets.map((s) => s.code)),
      streetDistricts: listValue(streets.map((s) => s.parentCode ?? '')),
      fields: listValue([...FIELD_LIST]),
    },
  };
}

/** Ids are PREFIX + R|D + year + serial. Writes OUT/recommendations/year=YYYY/part-00000.parquet and OUT/disputes/year=YYYY/..., one file a year. */
export async function recordsToParquet(conn: DuckDBConnection, outDir: string, jurisdiction: string, prefix: string): Promise<void> {
  const params = recordParams(jurisdiction, prefix);
  for (const [kind, select, dateColumn] of [
    ['recommendations', RECOMMENDATIONS_SELECT, 'issued_date'],
    ['disputes', DISPUTES_SELECT, 'screened_date'],
  ] as const) {
    const reader = await conn.runAndReadAll(`SELECT DISTINCT year(${dateColumn})::INTEGER AS year FROM (${select}) ORDER BY 1`, params[kind]);
    for (const { year } of reader.getRowObjectsJson()) {
      const dir = join(outDir, kind, `year=${String(year)}`);
      mkdirSync(dir, { recursive: true });
      await conn.run(`COPY (SELECT * FROM (${select}) WHERE year(${dateColumn}) = $year ORDER BY 1) TO $path (FORMAT parquet, COMPRESSION zstd)`, {
        ...params[kind],
        year: Number(year),
        path: join(dir, 'part-00000.parquet'),
      });
    }
  }
}

/** Inserts them into the store's tables with the given origin (the demo data). */
export async function recordsToStore(conn: DuckDBConnection, origin: CaseOrigin, jurisdiction: string, prefix: string): Promise<void> {
  const params = recordParams(jurisdiction, prefix);
  await conn.run(
    `INSERT INTO recommendations (recommendation_id, jurisdiction, region_code, issued_by, to_organ, kind, issued_date, feedback_due,
                                  feedback_date, adopted, feedback_overdue_date, case_id, summary, origin)
     SELECT *, $origin FROM (${RECOMMENDATIONS_SELECT}) ON CONFLICT DO NOTHING`,
    { ...params.recommendations, origin },
  );
  await conn.run(
    `INSERT INTO disputes (dispute_id, jurisdiction, region_code, street_code, field, screened_date, resolved_date, case_id, origin)
     SELECT *, $origin FROM (${DISPUTES_SELECT}) ON CONFLICT DO NOTHING`,
    { ...params.disputes, origin },
  );
}

export async function dropRecords(conn: DuckDBConnection): Promise<void> {
  await conn.run('DROP TABLE IF EXISTS temp.main.gen_recommendations');
  await conn.run('DROP TABLE IF EXISTS temp.main.gen_disputes');
}
