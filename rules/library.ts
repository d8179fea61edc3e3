/**
 * The policy library: every pack version from rules/packs/ (and $XINFANG_PACKS_DIR for a
 * deployment's local packs) and the jurisdictions that compose them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PackError, parsePack, type PolicyPack } from './pack.js';

export interface PolicyLibrary {
  /** Every version of each pack, oldest effective date first. */
  packs: ReadonlyMap<string, readonly PolicyPack[]>;
  /** Pack ids per jurisdiction, earliest first. */
  jurisdictions: Readonly<Record<string, readonly string[]>>;
}

const BUILT_IN = fileURLToPath(new URL('./packs/', import.meta.url));
const BUILT_IN_JURISDICTIONS = fileURLToPath(new URL('./jurisdictions.json', import.meta.url));
const jurisdictionsFile = z.record(z.string(), z.union([z.array(z.string().min(1)).min(1), z.string()]));

export function loadPolicyLibrary(options: { packDirs?: string[]; jurisdictionFiles?: string[] } = {}): PolicyLibrary {
  const packDirs = options.packDirs ?? [BUILT_IN, ...(process.env.XINFANG_PACKS_DIR ? [process.env.XINFANG_PACKS_DIR] : [])];
  const jurisdictionFiles = options.jurisdictionFiles ?? [
    BUILT_IN_JURISDICTIONS,
    ...(process.env.XINFANG_JURISDICTIONS ? [process.env.XINFANG_JURISDICTIONS] : []),
  ];
  const packs = new Map<string, PolicyPack[]>();
  for (const dir of packDirs) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const path = join(dir, file);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        throw new PackError(file, '(file)', `not valid JSON: ${(error as Error).message}`);
      }
      const pack = parsePack(raw, file);
      const versions = packs.get(pack.id) ?? [];
      if (versions.some((v) => v.version === pack.version)) {
        throw new PackError(pack.id, 'version', `version ${pack.version} is defined twice (${path})`);
      }
      if (versions.some((v) => v.effective === pack.effective)) {
        throw new PackError(pack.id, 'effective', `two versions take effect on ${pack.effective} (${path})`);
      }
      versions.push(pack);
      versions.sort((a, b) => a.effective.localeCompare(b.effective));
      packs.set(pack.id, versions);
    }
  }
  const jurisdictions: Record<string, string[]> = {};
  for (const file of jurisdictionFiles) {
    const parsed = jurisdictionsFile.parse(JSON.parse(readFileSync(file, 'utf8')));
    for (const [name, ids] of Object.entries(parsed)) {
      if (name.startsWith('//') || typeof ids === 'string') continue;
      for (const id of ids) {
        if (!packs.has(id)) throw new PackError(id, `jurisdiction ${name}`, `no such pack (in ${file})`);
      }
      jurisdictions[name] = ids;
    }
  }
  return { packs, jurisdictions };
}

let shared: PolicyLibrary | undefined;
/** The process-wide library, loaded and validated once. */
export function policyLibrary(): PolicyLibrary {
  shared ??= loadPolicyLibrary();
  return shared;
}
