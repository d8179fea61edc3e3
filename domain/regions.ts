/**
 * Beijing's 16 districts with their resident population in ten-thousands, from its region
 * hierarchy (domain/regions/beijing.csv): the demo generator sizes its data by them and the
 * map's boundaries are checked against them.
 */
import { beijingRegions } from './region-hierarchy.js';

export interface Region {
  code: string;
  nameZh: string;
  nameEn: string;
  population10k: number;
}

export const BEIJING_DISTRICTS: readonly Region[] = beijingRegions()
  .nodes.filter((n) => n.level === 'district')
  .map((d) => {
    if (d.population10k === null) throw new Error(`domain/regions/beijing.csv: district ${d.code} ${d.nameZh} has no population10k (the demo data is sized by it)`);
    return { code: d.code, nameZh: d.nameZh, nameEn: d.nameEn, population10k: d.population10k };
  });
