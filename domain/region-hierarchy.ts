/**
 * Region hierarchies: a jurisdiction's city, districts and streets/townships, each jurisdiction's
 * from its CSV file `code,parent_code,level,name_zh,name_en,population10k` (domain/regions/<name>.csv,
 * read through domain/jurisdiction-data.ts; each file's sources are named in its settings,
 * domain/jurisdictions/<name>.json). The levels are the tiers, whatever a tier's units are called:
 * `district` is any county-level division (a 区, a 县, a 县级市), `street` any unit under it (a
 * 街道, 镇, 乡, or what the statistics list beside them: farms, development zones).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { jurisdictionFiles } from './jurisdiction-files.js';

export type RegionLevel = 'city' | 'district' | 'street';

/** What a region code may be, in the data files and wherever one is asked for: GB/T 2260's digits, or a data-only jurisdiction's own (Ottawa's ward OTT-W14). */
export const REGION_CODE = /^[A-Za-z0-9_-]{1,32}$/;

export interface RegionNode {
  code: string;
  parentCode: string | null;
  level: RegionLevel;
  nameZh: string;
  nameEn: string;
  population10k: number | null;
}

export interface RegionHierarchy {
  jurisdiction: string;
  nodes: readonly RegionNode[];
}

/** The district a code belongs to (itself for a district), or undefined when unknown. */
export function districtOf(hierarchy: RegionHierarchy, code: string): RegionNode | undefined {
  const node = hierarchy.nodes.find((n) => n.code === code);
  if (!node) return undefined;
  if (node.level === 'street') return hierarchy.nodes.find((n) => n.code === node.parentCode);
  return node;
}

export function streetsOf(hierarchy: RegionHierarchy, districtCode: string): RegionNode[] {
  return hierarchy.nodes.filter((n) => n.level === 'street' && n.parentCode === districtCode);
}

let beijing: RegionHierarchy | undefined;

/** Beijing's hierarchy, the default jurisdiction's, which tests build on. */
export function beijingRegions(): RegionHierarchy {
  beijing ??= loadRegionHierarchy('beijing', jurisdictionFiles('beijing').regions);
  return beijing;
}

const regionLine = z.object({
  code: z.string().trim().regex(REGION_CODE, 'letters, digits, - and _, at most 32'),
  parent_code: z.string().trim().transform((v) => v || null),
  level: z.enum(['city', 'district', 'street']),
  name_zh: z.string().trim().default(''),
  name_en: z.string().trim().default(''),
  population10k: z
    .string()
    .trim()
    .transform((v) => (v === '' ? null : Number(v)))
    .refine((v) => v === null || (Number.isFinite(v) && v >= 0), 'a number ≥ 0 or empty'),
});

/** Loads a jurisdiction's hierarchy from CSV; every parent must be in the file. */
export function loadRegionHierarchy(jurisdiction: string, file: string | URL): RegionHierarchy {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const header = lines[0]?.split(',').map((h) => h.trim()) ?? [];
  const expected = ['code', 'parent_code', 'level', 'name_zh', 'name_en', 'population10k'];
  if (header.join(',') !== expected.join(',')) {
    throw new Error(`${path}: the header must be ${expected.join(',')}, not ${header.join(',')}`);
  }
  const nodes = lines.slice(1).map((line, i): RegionNode => {
    const cells = line.split(',');
    const parsed = regionLine.safeParse(Object.fromEntries(expected.map((name, j) => [name, cells[j] ?? ''])));
    if (!parsed.success) {
      throw new Error(`${path} line ${i + 2}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    }
    const r = parsed.data;
    return { code: r.code, parentCode: r.parent_code, level: r.level, nameZh: r.name_zh, nameEn: r.name_en, population10k: r.population10k };
  });
  const codes = new Set(nodes.map((n) => n.code));
  if (codes.size !== nodes.length) throw new Error(`${path}: a region code appears twice`);
  for (const n of nodes) {
    if (n.parentCode && !codes.has(n.parentCode)) throw new Error(`${path}: ${n.code} names parent ${n.parentCode}, which is not in the file`);
  }
  return { jurisdiction, nodes };
}
