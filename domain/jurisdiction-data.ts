/**
 * A jurisdiction's own data, the one lookup intake, `/api/reference`, the duty schedules, the
 * dashboard and the metrics take its regions, organs and time zone from: its settings, region
 * hierarchy and organ registry, each a file (domain/jurisdiction-files.ts). A jurisdiction
 * without them is refused naming the missing file, so a deployment on it fails at start.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DOMAIN_DIR, jurisdictionFiles } from './jurisdiction-files.js';
import { loadOrganRegistry, type OrganRegistry } from './organs.js';
import { districtOf, loadRegionHierarchy, type RegionHierarchy, type RegionNode } from './region-hierarchy.js';

export interface JurisdictionData {
  jurisdiction: string;
  /** The IANA zone its Schedules' calendars are read in (Asia/Shanghai for China's). */
  timeZone: string;
  /** The top of its region hierarchy: its code and names. */
  city: RegionNode;
  districts: readonly RegionNode[];
  regions: RegionHierarchy;
  organs: OrganRegistry;
}

export class JurisdictionDataError extends Error {
  override name = 'JurisdictionDataError';
}

const knownZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const settingsFile = z
  .object({
    '//': z.string().optional(),
    jurisdiction: z.string().min(1),
    timeZone: z.string().refine(knownZone, 'an IANA time zone such as Asia/Shanghai'),
  })
  .strict();

const loaded = new Map<string, JurisdictionData>();

/** The data of jurisdiction `name`, read once; `root` is the folder holding the data (domain/ by default). */
export function jurisdictionData(name: string, root: URL = DOMAIN_DIR): JurisdictionData {
  const key = `${root.href}|${name}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  const files = jurisdictionFiles(name, root);
  for (const file of [files.settings, files.regions, files.organs]) {
    if (!existsSync(file)) {
      throw new JurisdictionDataError(
        `jurisdiction ${name} has no data: ${fileURLToPath(file)} is missing (a jurisdiction needs its settings jurisdictions/${name}.json, its region hierarchy regions/${name}.csv and its organ registry organs/${name}.json)`,
      );
    }
  }
  const source = fileURLToPath(files.settings);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(files.settings, 'utf8'));
  } catch (error) {
    throw new JurisdictionDataError(`${source}: ${(error as Error).message}`);
  }
  const parsed = settingsFile.safeParse(raw);
  if (!parsed.success) throw new JurisdictionDataError(`${source}: ${parsed.error.issues.map((x) => `${x.path.join('.') || '(file)'}: ${x.message}`).join('; ')}`);
  if (parsed.data.jurisdiction !== name) throw new JurisdictionDataError(`${source}: jurisdiction: the file says ${parsed.data.jurisdiction}, its name ${name}`);

  const regions = loadRegionHierarchy(name, files.regions);
  // The registry's parser refuses a hierarchy without exactly one city.
  const organs = loadOrganRegistry(files.organs, regions);
  const data: JurisdictionData = {
    jurisdiction: name,
    timeZone: parsed.data.timeZone,
    city: regions.nodes.find((n) => n.level === 'city')!,
    districts: regions.nodes.filter((n) => n.level === 'district'),
    regions,
    organs,
  };
  loaded.set(key, data);
  return data;
}

/**
 * The organ a case is received by when the intake names none: the petition office (信访部门) of
 * the region it is registered in, from the jurisdiction's organ registry: a district's for the
 * district and its streets (the registry has no street offices), the city's for the city.
 */
export function receivingOffice(jurisdiction: string, regionCode: string): { organ: string; kind: 'petition-office' } {
  const { regions, organs, city } = jurisdictionData(jurisdiction);
  const office = organs.petitionOffice(districtOf(regions, regionCode)?.code ?? city.code) ?? organs.petitionOffice(city.code);
  // The registry's file requires the city's petition office: without it the system does not start.
  if (!office) throw new Error(`the organ registry of ${jurisdiction} has no petition office of ${city.code}`);
  return { organ: office.nameZh, kind: 'petition-office' };
}
