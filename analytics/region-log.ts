import { DOUBLE, LIST, listValue, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { BEIJING_ORGANS, type Organ } from '../domain/organs.js';
import { beijingRegions, type RegionHierarchy } from '../domain/region-hierarchy.js';
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

/** Writes the organ registry, keeping rows already there (see migration 007). */
export async function recordOrgans(conn: DuckDBConnection, jurisdiction: string, organs: readonly Organ[]): Promise<void> {
  await conn.run(
    `INSERT INTO organs (code, name_zh, level, region_code, jurisdiction)
     SELECT unnest($codes::VARCHAR[]), unnest($names::VARCHAR[]), unnest($levels::VARCHAR[]), unnest($regions::VARCHAR[]), $jurisdiction
     ON CONFLICT DO NOTHING`,
    {
      codes: listValue(organs.map((o) => o.code)),
      names: listValue(organs.map((o) => o.nameZh)),
      levels: listValue(organs.map((o) => o.level)),
      regions: listValue(organs.map((o) => o.regionCode)),
      jurisdiction,
    },
  );
}

/**
 * The hierarchy and organs that ship with the code: Beijing's. Another jurisdiction's arrive
 * with its import, so for it this writes nothing.
 */
export async function recordBuiltInJurisdiction(store: AnalyticsStore, jurisdiction: string): Promise<void> {
  if (jurisdiction !== 'beijing') return;
  await store.transaction(async (conn) => {
    await recordRegions(conn, beijingRegions());
    await recordOrgans(conn, 'beijing', BEIJING_ORGANS);
  });
}
