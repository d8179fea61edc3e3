/**
 * Where the generator puts its cases and records, and which organs it names, all from the
 * jurisdiction's data (domain/jurisdiction-data.ts): its districts sized by their resident
 * population, their streets and townships, each district's petition office, the department
 * that handles each petition field in a district and in the city (the registry's `fields`),
 * and the city's leadership, which decides re-reviews (复核). Names are the registry's, so
 * every organ the data names resolves to one organ of the registry.
 */
import { fileURLToPath } from 'node:url';
import { FIELDS } from '../../domain/case.js';
import { jurisdictionData } from '../../domain/jurisdiction-data.js';
import { jurisdictionFiles } from '../../domain/jurisdiction-files.js';
import type { RegionNode } from '../../domain/region-hierarchy.js';

export interface GeneratorDistrict {
  code: string;
  nameZh: string;
  population10k: number;
  /** Its petition office's name: it receives and routes the district's cases. */
  office: string;
  /** The department handling each field (FIELDS order) in the district. */
  departments: readonly string[];
}

export interface GeneratorPlaces {
  jurisdiction: string;
  city: { code: string; nameZh: string; office: string; government: string; departments: readonly string[] };
  districts: readonly GeneratorDistrict[];
  streets: readonly RegionNode[];
}

const cache = new Map<string, GeneratorPlaces>();

export function generatorPlaces(jurisdiction: string): GeneratorPlaces {
  const cached = cache.get(jurisdiction);
  if (cached) return cached;
  const data = jurisdictionData(jurisdiction);
  const files = jurisdictionFiles(jurisdiction);
  const organsFile = fileURLToPath(files.organs);
  const organs = data.organs.organs;
  // The registry gives the city and every district its leadership and petition office (domain/organs.ts).
  const office = (regionCode: string) => data.organs.petitionOffice(regionCode)!.nameZh;
  const departments = (regionCode: string, place: string) =>
    FIELDS.map((field) => {
      const found = data.organs.handling(regionCode, field);
      if (!found) throw new Error(`${organsFile}: no department of ${place} handles the field ${field} (the generator gives each field's cases to the department whose fields name it)`);
      return found.nameZh;
    });
  const places: GeneratorPlaces = {
    jurisdiction,
    city: { code: data.city.code, nameZh: data.city.nameZh, office: office(data.city.code), government: organs.find((o) => o.level === 'city')!.nameZh, departments: departments(data.city.code, data.city.nameZh) },
    districts: data.districts.map((d) => {
      if (d.population10k === null) throw new Error(`${fileURLToPath(files.regions)}: district ${d.code} ${d.nameZh} has no population10k (the generator sizes its data by it)`);
      return { code: d.code, nameZh: d.nameZh, population10k: d.population10k, office: office(d.code), departments: departments(d.code, d.nameZh) };
    }),
    streets: data.regions.nodes.filter((n) => n.level === 'street'),
  };
  cache.set(jurisdiction, places);
  return places;
}
