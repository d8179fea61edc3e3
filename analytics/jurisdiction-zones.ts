/**
 * Each jurisdiction's time zone in the store (migration 024): the zone its cases' days are
 * counted in, by the import's received_date, the facts' views and the catalog's duty and
 * accountability days (the SQL macro `local_day`). The deployment's jurisdiction records its
 * zone from its data at start; an import records its mapping's. A jurisdiction with no zone
 * recorded is counted in China's, as every case was before the zones were data. The SQL of a
 * day in a jurisdiction's zone is analytics/local-day.ts.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { jurisdictionData, JurisdictionDataError } from '../domain/jurisdiction-data.js';
import { refreshCaseFacts } from './facts.js';

export const CHINA_ZONE = 'Asia/Shanghai';

export class JurisdictionZoneError extends Error {
  override name = 'JurisdictionZoneError';
}

export interface RecordedZone {
  zone: string;
  /** 'data', 'mapping NAME' or 'import' (migration 024). */
  source: string;
}

const zoneRow = z.object({ time_zone: z.string(), source: z.string() });
// What an IANA name is made of: SET TimeZone takes no parameter, so the name is checked before it is written into the statement.
const ZONE_NAME = /^[A-Za-z0-9_+\-/]{1,64}$/;

const knownZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return ZONE_NAME.test(zone);
  } catch {
    return false;
  }
};

async function zoneRows(conn: DuckDBConnection, sql: string, params: Record<string, string> = {}): Promise<RecordedZone[]> {
  const rows = (await conn.runAndReadAll(sql, params)).getRowObjectsJson().map((r) => zoneRow.parse(r));
  return rows.map((r) => ({ zone: r.time_zone, source: r.source }));
}

/** The zone recorded for `jurisdiction`, or null. */
export async function recordedZone(conn: DuckDBConnection, jurisdiction: string): Promise<RecordedZone | null> {
  const [row] = await zoneRows(conn, 'SELECT time_zone, source FROM jurisdiction_zones WHERE jurisdiction = $jurisdiction', { jurisdiction });
  return row ?? null;
}

/**
 * The zone `jurisdiction`'s days are counted in: the one recorded, else the one of its data
 * files (domain/jurisdictions/), else null: a data-only jurisdiction no import has named yet.
 */
export async function zoneOf(conn: DuckDBConnection, jurisdiction: string): Promise<RecordedZone | null> {
  return (await recordedZone(conn, jurisdiction)) ?? dataZone(jurisdiction);
}

function dataZone(jurisdiction: string): RecordedZone | null {
  try {
    return { zone: jurisdictionData(jurisdiction).timeZone, source: 'data' };
  } catch (error) {
    if (error instanceof JurisdictionDataError) return null;
    throw error;
  }
}

/**
 * Records that `jurisdiction`'s days are counted in `zone`, as `source` gives it. Another zone
 * than the one recorded (or than its data's) is refused, naming both: the days derived in the
 * first would no longer match the cases counted in the second. `source` 'data' is the
 * jurisdiction's data recorded at start, which makes its zone the deployment's.
 */
export async function recordJurisdictionZone(conn: DuckDBConnection, jurisdiction: string, zone: string, source: string): Promise<void> {
  if (!knownZone(zone)) throw new JurisdictionZoneError(`jurisdiction ${jurisdiction}: ${source} gives time zone ${zone}, which is not a known IANA time zone`);
  const recorded = await recordedZone(conn, jurisdiction);
  const known = recorded ?? dataZone(jurisdiction);
  if (known && known.zone !== zone) {
    const from = known.source === 'data' ? `its data (domain/jurisdictions/${jurisdiction}.json)` : known.source;
    const fix = source.startsWith('mapping ') ? ` (give the mapping "timezone": "${known.zone}", or another jurisdiction)` : '';
    throw new JurisdictionZoneError(
      `jurisdiction ${jurisdiction}: ${source} gives time zone ${zone}, but its dates are counted in ${known.zone}, as ${from} gave it; ` +
        `a jurisdiction's dates are counted in one zone${fix}`,
    );
  }
  await conn.run(
    `INSERT INTO jurisdiction_zones (jurisdiction, time_zone, source, recorded_at) VALUES ($jurisdiction, $zone, $source, current_timestamp)
     ON CONFLICT (jurisdiction) DO UPDATE SET source = excluded.source, recorded_at = excluded.recorded_at WHERE excluded.source = 'data'`,
    { jurisdiction, zone, source },
  );
  // Cases of the jurisdiction written before it had a zone (before migration 024) were counted in
  // China's: their days are recounted in this one, in the same transaction.
  if (!recorded && zone !== CHINA_ZONE) await recount(conn, jurisdiction, zone);
}

async function recount(conn: DuckDBConnection, jurisdiction: string, zone: string): Promise<void> {
  const cases = (await conn.run('UPDATE cases SET received_date = local_day(received_at, $zone) WHERE jurisdiction = $jurisdiction', { jurisdiction, zone })).rowsChanged;
  if (cases > 0) await refreshCaseFacts(conn, { jurisdiction });
}

/**
 * The deployment's zone: that of the jurisdiction whose data was recorded at the last start,
 * China's in a database no system has started on (one only imported into from the CLI).
 */
export async function deploymentZone(conn: DuckDBConnection): Promise<string> {
  const [row] = await zoneRows(conn, "SELECT time_zone, source FROM jurisdiction_zones WHERE source = 'data' ORDER BY recorded_at DESC LIMIT 1");
  return row?.zone ?? CHINA_ZONE;
}

/**
 * Sets the connection's TimeZone, which casts, date_trunc and timestamps written as text follow,
 * to `zone`: a session presenting times shows them in its jurisdiction's zone.
 */
export async function useZone(conn: DuckDBConnection, zone: string): Promise<void> {
  if (!knownZone(zone)) throw new JurisdictionZoneError(`${zone} is not a known IANA time zone`);
  await conn.run(`SET TimeZone = '${zone}'`);
}
