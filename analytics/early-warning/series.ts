/**
 * Weekly count series of every region × field × channel × class grouping at each level, out of
 * case_facts in one SQL statement: cases are first counted per (district, street, field,
 * channel, class, week) cell, the cells rolled up by GROUPING SETS for each level, and each
 * series comes back as two lists (weeks with cases, their counts) that the scan densifies.
 * Series with too few cases over the look-back never leave DuckDB.
 */
import { listValue } from '@duckdb/node-api';
import { z } from 'zod';
import type { PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import type { Level, SeriesDimension } from './config.js';
import { weekEnd, weekIndex, weekIndexSql, weekStart } from './weeks.js';

/** A value the case did not record, kept apart from null (which means "all" in a series key). */
export const UNRECORDED = '(unrecorded)';

export interface SeriesKey {
  level: Level;
  region: string;
  field: string | null;
  channel: string | null;
  petitionClass: string | null;
}

export interface CountSeries extends SeriesKey {
  /** Week index of counts[0]. */
  firstWeek: number;
  counts: Int32Array;
}

export interface SeriesRequest {
  /** First and last week (indices) to read. */
  fromWeek: number;
  toWeek: number;
  groupings: Partial<Record<Level, readonly (readonly SeriesDimension[])[]>>;
  /** The city's code, the region of city-level series. */
  city: string;
  /** District codes: district-level series are built for these only (city-level rows are the city's). */
  districts: readonly string[];
  minCases: number;
}

const COLUMN: Record<SeriesDimension, string> = { field: 'field', channel: 'channel', class: 'class' };
const REGION: Record<Level, string> = { city: '$city', district: 'district', street: 'street' };

const seriesRow = z.object({
  level: z.enum(['city', 'district', 'street']),
  region: z.string(),
  field: z.string().nullable(),
  channel: z.string().nullable(),
  class: z.string().nullable(),
  ws: z.array(z.number()),
  ns: z.array(z.number()),
});

/** The SQL; exported so the benchmark can time its parts. */
export function seriesSql(request: SeriesRequest): string {
  const levels = (Object.entries(request.groupings) as [Level, readonly (readonly SeriesDimension[])[]][]).filter(([, g]) => g.length);
  const parts = levels.map(([level, groupings]) => {
    const region = REGION[level];
    const sets = groupings.map((dims) => `(${[...(level === 'city' ? [] : [region]), 'w', ...dims.map((d) => COLUMN[d])].join(', ')})`);
    const where = level === 'street' ? 'WHERE street IS NOT NULL' : level === 'district' ? 'WHERE list_contains($districts::VARCHAR[], district)' : '';
    // A dimension in none of the level's groupings is "all" throughout, and SQL wants it spelt so.
    const dims = (['field', 'channel', 'class'] as const).map((d) => (groupings.some((g) => g.includes(d)) ? COLUMN[d] : `NULL::VARCHAR AS ${COLUMN[d]}`));
    return `SELECT '${level}' AS level, ${region} AS region, ${dims.join(', ')}, w, sum(n) AS n
              FROM cells ${where} GROUP BY GROUPING SETS (${sets.join(', ')})`;
  });
  return `
    WITH cells AS (
      SELECT region_code AS district, street_code AS street,
             coalesce(field, '${UNRECORDED}') AS field, coalesce(channel, '${UNRECORDED}') AS channel,
             coalesce(petition_class, '${UNRECORDED}') AS class,
             ${weekIndexSql('received_date')} AS w, count(*) AS n
        FROM case_facts
       WHERE received_date BETWEEN $from::DATE AND $to::DATE
       GROUP BY ALL
    )
    SELECT level, region, field, channel, class, list(w ORDER BY w) AS ws, list(CAST(n AS INTEGER) ORDER BY w) AS ns
      FROM (${parts.join('\n UNION ALL \n')})
     GROUP BY ALL
    HAVING sum(n) >= $minCases`;
}

export async function weeklyCountSeries(store: AnalyticsStore, request: SeriesRequest): Promise<CountSeries[]> {
  const sql = seriesSql(request);
  const params: Record<string, string | number | ReturnType<typeof listValue>> = {
    from: weekStart(request.fromWeek),
    to: weekEnd(weekStart(request.toWeek)),
    minCases: request.minCases,
  };
  if (sql.includes('$city')) params.city = request.city;
  if (sql.includes('$districts')) params.districts = listValue([...request.districts]);
  const rows = await store.all(seriesRow, sql, params);
  const length = request.toWeek - request.fromWeek + 1;
  return rows.map((r) => {
    const counts = new Int32Array(length);
    r.ws.forEach((w, i) => (counts[w - request.fromWeek] = r.ns[i]!));
    return { level: r.level, region: r.region, field: r.field, channel: r.channel, petitionClass: r.class, firstWeek: request.fromWeek, counts };
  });
}

const firstDay = z.object({ first: z.string().nullable() });

/**
 * The first week the data covers whole: weeks before it are unknown, not zero, so no method
 * takes them as history. A first case on a Monday makes its week whole.
 */
export async function firstWholeWeek(store: AnalyticsStore): Promise<number | null> {
  const [row] = await store.all(firstDay, 'SELECT CAST(min(received_date) AS VARCHAR) AS first FROM case_facts');
  if (!row?.first) return null;
  const date = row.first as PlainDate;
  const w = weekIndex(date);
  return weekStart(w) === date ? w : w + 1;
}
