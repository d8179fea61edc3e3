/** What the CLI and the upload API share: expand paths, pick the hierarchy, run the import. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beijingRegions, loadRegionHierarchy, type RegionHierarchy } from '../../domain/region-hierarchy.js';
import type { AnalyticsStore } from '../store.js';
import { importFiles, type ImportReport, type ImportSource } from './importer.js';
import type { Mapping } from './mapping.js';
import type { PetitionerKeys } from './pseudonym.js';
import { formatOf, ImportFileError } from './readers.js';

/** Files named, and the importable files under directories named (recursively, sorted). */
export function expandPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new ImportFileError(`${path}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) walk(full);
          else if (formatOf(entry.name) && !entry.name.endsWith('.json')) out.push(full);
        }
      };
      walk(path);
    } else out.push(path);
  }
  if (!out.length) throw new ImportFileError(`no importable files in ${paths.join(', ')}`);
  return out;
}

export function hierarchyFor(mapping: Mapping | undefined, regionsFile?: string, jurisdiction?: string): RegionHierarchy {
  if (regionsFile) return loadRegionHierarchy(jurisdiction ?? mapping?.jurisdiction ?? 'local', regionsFile);
  if (mapping?.regionsPath) return loadRegionHierarchy(mapping.jurisdiction, mapping.regionsPath);
  return beijingRegions();
}

export async function runImport(
  store: AnalyticsStore,
  sources: ImportSource[],
  options: { mapping?: Mapping; keys: PetitionerKeys; hierarchy: RegionHierarchy; actor?: string },
): Promise<ImportReport> {
  return importFiles(store, { sources, ...options });
}

/** The report as a person reads it. */
export function formatReport(report: ImportReport): string {
  const lines = [`import ${report.batchId}${report.mapping ? ` (mapping ${report.mapping})` : ''} in ${report.ms} ms`];
  const row = (label: string, c: { read: number; imported: number; quarantined: number; duplicate: number }) =>
    `${label.padEnd(40)} read ${c.read}, imported ${c.imported}, quarantined ${c.quarantined}, duplicate ${c.duplicate}`;
  for (const f of report.files) lines.push(`  ${row(`${f.file} (${f.kind})`, f)}`);
  lines.push(row('cases', report.cases));
  if (report.events.read) lines.push(row('events', report.events));
  if (report.recommendations.read) lines.push(row('recommendations', report.recommendations));
  if (report.disputes.read) lines.push(row('disputes', report.disputes));
  const kinds = report.petitionKinds;
  const carried = kinds.carried.length ? `; carried from the source: ${kinds.carried.join(', ')}` : '';
  lines.push(
    kinds.derived.length
      ? `petition kinds: derived ${kinds.derived.join(', ')} for ${kinds.cases} cases (${kinds.repeat} repeat, ${kinds.skipLevel} skip-level)${carried}`
      : `petition kinds: none derived (${kinds.note ?? ''})${carried}`,
  );
  const organs = report.organNames;
  if (organs) {
    lines.push(
      `organ names: ${organs.resolved.exact} rows as written, ${organs.resolved.normalised} by normalised form, ${organs.resolved['edit-distance']} by one edit; ${organs.unknownRows} rows unknown`,
    );
    for (const m of organs.merged) lines.push(`  ${String(m.rows).padStart(8)}  ${m.name} → ${m.code} (${m.by})`);
    for (const u of organs.unknown) lines.push(`  ${String(u.rows).padStart(8)}  ${u.name} (unknown)`);
  }
  if (report.reasons.length) {
    lines.push('quarantined, by reason:');
    for (const r of report.reasons) lines.push(`  ${String(r.rows).padStart(8)}  ${r.reason}`);
  }
  return lines.join('\n');
}
