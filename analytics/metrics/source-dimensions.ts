/**
 * The source dimensions imports declared (mapping `dimensions`, migration 023), as the catalog
 * lists them and the metrics layer accepts them. A declaration records its mapping and source
 * column, not a jurisdiction: what confines a dimension is where the cases that carry it lie,
 * the test every figure passes (a region's own node and the nodes under it). Within a region,
 * a dimension is known when one of the region's cases has a value for it; without a region
 * (the CLI on a database file), every declared one is.
 */
import { z } from 'zod';
import { inRegionSubtree } from '../region-subtree.js';
import type { AnalyticsStore } from '../store.js';
import { MEASURES, SOURCES, type Dimension, type MeasureId, type SourceDimensionId } from './catalog.js';

export interface DeclaredSourceDimension extends Dimension {
  id: SourceDimensionId;
  /** The name the mapping declared (`call_type` of `src:call_type`). */
  name: string;
  /** The import mapping whose source column it keeps, and when an import last declared it. */
  declaredBy: { mapping: string; column: string; at: string };
  /** The measures it breaks down and filters: those whose rows are cases' (query.ts reads a case's value). */
  measures: MeasureId[];
}

const CASE_MEASURES: MeasureId[] = MEASURES.filter((m) => SOURCES[m.source].caseId !== undefined).map((m) => m.id);

const declaredRow = z.object({
  dimension: z.string(),
  label_zh: z.string(),
  label_en: z.string(),
  mapping: z.string(),
  source_column: z.string(),
  declared_at: z.string(),
});

const COLUMNS = `d.dimension, d.label_zh, d.label_en, d.mapping, d.source_column,
  strftime(timezone('UTC', d.declared_at), '%Y-%m-%dT%H:%M:%SZ') AS declared_at`;

/** The source dimensions known within `region` (its cases carry them), or every declared one for null; by name. */
export async function declaredSourceDimensions(store: AnalyticsStore, region: string | null): Promise<DeclaredSourceDimension[]> {
  const rows =
    region === null
      ? await store.all(declaredRow, `SELECT ${COLUMNS} FROM source_dimensions d ORDER BY d.dimension`)
      : await store.all(
          declaredRow,
          `SELECT ${COLUMNS} FROM source_dimensions d
            WHERE EXISTS (SELECT 1 FROM case_source_dimensions sd JOIN cases c ON c.case_id = sd.case_id
                           WHERE sd.dimension = d.dimension
                             AND (${inRegionSubtree('c.region_code')} OR ${inRegionSubtree('c.street_code')}))
            ORDER BY d.dimension`,
          { region },
        );
  return rows.map((r) => ({
    id: `src:${r.dimension}`,
    name: r.dimension,
    labelZh: r.label_zh,
    labelEn: r.label_en,
    description: `Column ${r.source_column} of the data imported with mapping ${r.mapping}, kept as it was (declared by the mapping's "dimensions").`,
    declaredBy: { mapping: r.mapping, column: r.source_column, at: r.declared_at },
    measures: [...CASE_MEASURES],
  }));
}
