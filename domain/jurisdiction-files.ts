/**
 * Where a jurisdiction's data is kept, one file of each kind under domain/: its settings
 * (jurisdictions/<name>.json), its region hierarchy (regions/<name>.csv) and its organ registry
 * (organs/<name>.json). domain/jurisdiction-data.ts reads them; a jurisdiction is added by
 * adding its three files.
 */
export interface JurisdictionFiles {
  settings: URL;
  regions: URL;
  organs: URL;
}

export const DOMAIN_DIR = new URL('./', import.meta.url);

// A name becomes part of a path: letters, digits and - only, so it cannot leave the folder.
const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export function jurisdictionFiles(name: string, root: URL = DOMAIN_DIR): JurisdictionFiles {
  if (!NAME.test(name)) throw new Error(`jurisdiction "${name}": a jurisdiction's name is lower-case letters, digits and -, at most 40`);
  return {
    settings: new URL(`jurisdictions/${name}.json`, root),
    regions: new URL(`regions/${name}.csv`, root),
    organs: new URL(`organs/${name}.json`, root),
  };
}
