/**
 * Weekly count series of every region × field × channel × class grouping at each level, out of
 * case_facts in one SQL statement: cases are counted per cell (region, dimensions, week) at each
 * level, the cells rolled up by GROUPING SETS, and each series comes back as two lists (weeks
 * with cases, their counts) that the scan densifies. Series with too few cases over the
 * look-back never leave DuckDB.
 */
import { listValue } from '@duckdb/node-api';
import { z } from 'zod';
import type { PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import { SERIES_DIMENSIONS, type Level, type SeriesDimension } from './config.js';
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
  /** First and last week (indices) to read; a grouping may start later (fromWeekOf). */
  fromWeek: number;
  toWeek: number;
  /**
   * The first week a level's grouping needs, at or after fromWeek: the series Farrington reads
   * need years, the rest of the cube (EARS) months, and reading years for all would cost.
   */
  fromWeekOf?: (level: Level, dims: readonly SeriesDimension[]) => number;
  groupings: Partial<Record<Level, readonly (readonly SeriesDimension[])[]>>;
  /** The city's code, the region of city-level series. */
  city: string;
  /** District codes: district-level series are built for these only (city-level rows are the city's). */
  districts: readonly string[];
  minCases: number;
}

const VALUE: Record<SeriesDimension, string> = {
  field: `coalesce(field, '${UNRECORDED}')`,
  channel: `coalesce(channel, '${UNRECORDED}')`,
  class: `coalesce(petition_class, '${UNRECORDED}')`,
};
const REGION: Record<Level, string | null> = { city: null, district: 'region_code', street: 'street_code' };

const seriesRow = z.object({
  level: z.enum(['city', 'district', 'street']),
  region: z.string(),
  field: z.string().nullable(),
  channel: z.string().nullable(),
  class: z.string().nullable(),
  ws: z.array(z.number()),
  ns: z.array(z.number()),
});

interface Part {
  level: Level;
  from: number;
  groupings: (readonly SeriesDimension[])[];
}

/** The level's groupings, split by the first week each needs. */
function partsOf(request: SeriesRequest): Part[] {
  const parts: Part[] = [];
  for (const [level, groupings] of Object.entries(request.groupings) as [Level, readonly (readonly SeriesDimension[])[]][]) {
    for (const dims of groupings) {
      const from = Math.max(request.fromWeek, request.fromWeekOf?.(level, dims) ?? request.fromWeek);
      const part = parts.find((p) => p.level === level && p.from === from);
      if (part) part.groupings.push(dims);
      else parts.push({ level, from, groupings: [dims] });
    }
  }
  return parts;
}

/**
 * The SQL; exported so the benchmark can time it. Each part (a level's groupings that need the
 * same weeks) counts its own cells (its region, the dimensions its groupings use, the week) over
 * its own weeks, so the city and districts never carry the street column and only the series a
 * long-memory method reads cover years; GROUPING SETS then roll each part's cells up.
 */
export function seriesSql(request: SeriesRequest): string {
  const parts = partsOf(request).map((part, i) => {
    const { level, groupings } = part;
    const region = REGION[level];
    const used = SERIES_DIMENSIONS.filter((d) => groupings.some((g) => g.includes(d)));
    const where = [
      `received_date BETWEEN $from${i}::DATE AND $to::DATE`,
      ...(level === 'street' ? ['street_code IS NOT NULL'] : level === 'district' ? ['list_contains($districts::VARCHAR[], region_code)'] : []),
    ];
    const cells = `SELECT ${[...(region ? [`${region} AS region`] : []), ...used.map((d) => `${VALUE[d]} AS ${d}`), `${weekIndexSql('received_date')} AS w`].join(', ')},
                          count(*) AS n
                     FROM case_facts WHERE ${where.join(' AND ')} GROUP BY ALL`;
    const sets = groupings.map((dims) => `(${[...(region ? ['region'] : []), 'w', ...dims].join(', ')})`);
    // A dimension in none of the part's groupings is "all" throughout, and SQL wants it spelt so.
    const dims = SERIES_DIMENSIONS.map((d) => (used.includes(d) ? d : `NULL::VARCHAR AS ${d}`));
    return `SELECT '${level}' AS level, ${region ? 'region' : '$city'} AS region, ${dims.join(', ')}, w, sum(n) AS n
              FROM (${cells}) GROUP BY GROUPING SETS (${sets.join(', ')})`;
  });
  return `
    SELECT level, region, field, channel, class, list(w ORDER BY w) AS ws, list(CAST(n AS INTEGER) ORDER BY w) AS ns
      FROM (${parts.join('\n UNION ALL \n')})
     GROUP BY ALL
    HAVING sum(n) >= $minCases`;
}

export async function weeklyCountSeries(store: AnalyticsStore, request: SeriesRequest): Promise<CountSeries[]> {
  const parts = partsOf(request);
  if (!parts.length) return [];
  const sql = seriesSql(request);
  const params: Record<string, string | number | ReturnType<typeof listValue>> = { to: weekEnd(weekStart(request.toWeek)), minCases: request.minCases };
  parts.forEach((p, i) => (params[`from${i}`] = weekStart(p.from)));
  if (sql.includes('$city')) params.city = request.city;
  if (sql.includes('$districts')) params.districts = listValue([...request.districts]);
  const rows = await store.all(seriesRow, sql, params);
  return rows.map((r) => {
    const dims = SERIES_DIMENSIONS.filter((d) => r[d] !== null);
    const firstWeek = parts.find((p) => p.level === r.level && p.groupings.some((g) => g.length === dims.length && g.every((d) => dims.includes(d))))!.from;
    const counts = new Int32Array(request.toWeek - firstWeek + 1);
    r.ws.forEach((w, i) => (counts[w - firstWeek] = r.ns[i]!));
    return { level: r.level, region: r.region, field: r.field, channel: r.channel, petitionClass: r.class, firstWeek, counts };
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
