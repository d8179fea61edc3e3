import { DOUBLE, LIST, listValue, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { jurisdictionData } from '../domain/jurisdiction-data.js';
import type { Organ } from '../domain/organs.js';
import type { RegionHierarchy } from '../domain/region-hierarchy.js';
import { recordJurisdictionZone } from './jurisdiction-zones.js';
import type { AnalyticsStore } from './store.js';

/**
 * Writes a jurisdiction's region hierarchy into `regions`, keeping rows already there: the
 * metrics layer rolls figures up along this table, so every writer of cases (system start,
 * demo data, imports) makes sure the regions its cases name are in it.
 */
export async function recordRegions(conn: DuckDBConnection, hierarchy: RegionHierarchy): Promise<void> {
  const column = <T>(pick: (n: RegionHierarchy['nodes'][number]) => T) => hierarchy.nodes.map(pick);
  await conn.run(
    `INSERT INTO regions (code, parent_code, level, name_zh, name_en, population10k, jurisdiction)
     SELECT unnest($codes::VARCHAR[]), unnest($parents::VARCHAR[]), unnest($levels::VARCHAR[]), unnest($namesZh::VARCHAR[]),
            unnest($namesEn::VARCHAR[]), unnest($populations::DOUBLE[]), $jurisdiction
     ON CONFLICT DO NOTHING`,
    {
      codes: listValue(column((n) => n.code)),
      parents: listValue(column((n) => n.parentCode)),
      levels: listValue(column((n) => n.level)),
      namesZh: listValue(column((n) => n.nameZh)),
      namesEn: listValue(column((n) => n.nameEn)),
      populations: listValue(column((n) => n.population10k)),
      jurisdiction: hierarchy.jurisdiction,
    },
    // Explicit types: a list that starts with null (the city has no parent) is otherwise typed as all-null.
    { parents: LIST(VARCHAR), populations: LIST(DOUBLE) },
  );
}

/**
 * Writes the organ registry (migrations 007, 021). The registry's file is the source of its
 * organs: a row already there takes the file's name, level, place and aliases.
 */
export async function recordOrgans(conn: DuckDBConnection, jurisdiction: string, organs: readonly Organ[]): Promise<void> {
  await conn.run(
    `INSERT INTO organs (code, name_zh, level, region_code, street_code, aliases, jurisdiction)
     SELECT unnest($codes::VARCHAR[]), unnest($names::VARCHAR[]), unnest($levels::VARCHAR[]), unnest($regions::VARCHAR[]),
            unnest($streets::VARCHAR[]), unnest($aliases::VARCHAR[][]), $jurisdiction
     ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, level = excluded.level, region_code = excluded.region_code,
                                      street_code = excluded.street_code, aliases = excluded.aliases`,
    {
      codes: listValue(organs.map((o) => o.code)),
      names: listValue(organs.map((o) => o.nameZh)),
      levels: listValue(organs.map((o) => o.level)),
      regions: listValue(organs.map((o) => o.regionCode)),
      streets: listValue(organs.map((o) => o.streetCode ?? null)),
      aliases: listValue(organs.map((o) => listValue([...o.aliases]))),
      jurisdiction,
    },
    // Explicit types: a list of nulls or of empty lists is otherwise typed as all-null.
    { streets: LIST(VARCHAR), aliases: LIST(LIST(VARCHAR)) },
  );
}

/**
 * The hierarchy, organs and time zone of the jurisdiction's data files (domain/jurisdiction-data.ts); a
 * jurisdiction without them is refused naming the missing file.
 */
export async function recordBuiltInJurisdiction(store: AnalyticsStore, jurisdiction: string): Promise<void> {
  const data = jurisdictionData(jurisdiction);
  await store.transaction(async (conn) => {
    await recordRegions(conn, data.regions);
    await recordOrgans(conn, jurisdiction, data.organs.organs);
    // Its zone, which its cases' days are counted in and which makes the deployment's (refused if its cases are counted in another).
    await recordJurisdictionZone(conn, jurisdiction, data.timeZone, 'data');
  });
}
