/**
 * The organ registry: the organs that handle cases, owe duties and answer in accountability,
 * each with its level (rules/pack.ts ORGAN_LEVELS), the district or city it belongs to and, for
 * a street's or township's leadership, its street. It is data, domain/organs/<jurisdiction>.json:
 * the city's organs listed, and templates applied to every district and every street of the
 * jurisdiction's region hierarchy, so a district or street added to the hierarchy gets its
 * organs without an edit here. A district is any county-level division (区, 县, 县级市), whose
 * templates name its leadership with its own suffix ({suffix}: 区委、区政府, 县委、县政府,
 * 市委、市政府). A department may name the petition fields (领域) it handles, one department a
 * field at each level: the organ a field's cases go to. A malformed file is refused naming the
 * path of the problem.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ORGAN_LEVELS } from '../rules/pack.js';
import { FIELDS, type Field } from './case.js';
import { jurisdictionFiles } from './jurisdiction-files.js';
import { beijingRegions, type RegionHierarchy, type RegionNode } from './region-hierarchy.js';

/** The levels an organ can be of; a pack's `organ` (any organ) is no organ's own level. */
export type OrganLevel = Exclude<(typeof ORGAN_LEVELS)[number], 'organ'>;

export interface Organ {
  code: string;
  nameZh: string;
  level: OrganLevel;
  /** The district or city it belongs to (regions.code): duties and accountability roll up there. */
  regionCode: string;
  /** A street's or township's leadership: the street it leads (regions.code). */
  streetCode?: string;
  /** The other names records give it (abbreviations, the full official name). */
  aliases: readonly string[];
  /** A department's petition fields (领域): its level's cases of these fields are its to handle. */
  fields?: readonly Field[];
}

/** The node of the region hierarchy an organ sits at: its street, else its district or city. */
export const organSeat = (organ: Organ): string => organ.streetCode ?? organ.regionCode;

export class OrganRegistryError extends Error {
  override name = 'OrganRegistryError';
}

const ORGAN_CODE = /^[A-Za-z0-9_-]{1,40}$/;
const name = z.string().trim().min(1).max(80);
const entry = z
  .object({
    code: z.string().regex(/^[A-Za-z0-9{}_-]{1,40}$/, 'letters, digits, - and _ (and {placeholders}), at most 40'),
    nameZh: name,
    aliases: z.array(name).default([]),
  })
  .strict();
const department = entry.extend({ fields: z.array(z.enum(FIELDS)).default([]) }).strict();
const comment = z.string().optional();

const registryFile = z
  .object({
    '//': comment,
    jurisdiction: z.string().min(1),
    city: z.object({ leadership: entry, petitionOffice: entry, departments: z.array(department).min(1) }).strict(),
    /**
     * Applied to each district: {code} and {name} are the district's, {short} its name without
     * its 区/县/市 and {suffix} that 区, 县 or 市.
     */
    districts: z.object({ leadership: entry, petitionOffice: entry, departments: z.array(department) }).strict(),
    /**
     * Applied to each street: the first template whose suffix its name ends with ({code} and
     * {name} the street's, {district} its district's name); the last must have none, so every
     * street is led by an organ.
     */
    streets: z
      .object({
        '//': comment,
        leadership: z
          .array(entry.extend({ suffix: z.string() }).strict())
          .min(1)
          .refine((t) => t.at(-1)?.suffix === '', 'the last template has suffix "" so that every street matches one'),
      })
      .strict(),
  })
  .strict();
type Entry = z.infer<typeof entry>;

const PLACEHOLDERS = ['code', 'name', 'short', 'suffix', 'district'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

export interface OrganRegistry {
  jurisdiction: string;
  organs: readonly Organ[];
  byCode(code: string): Organ | undefined;
  /** The organ a record names, by its name or an alias (exact, after trimming). */
  byName(name: string): Organ | undefined;
  /** The organ a record names by code or by name. */
  resolve(codeOrName: string): Organ | undefined;
  /** The department of a district or the city (regions.code) that handles a field's cases, if one does. */
  handling(regionCode: string, field: Field): Organ | undefined;
  /** The petition office (信访部门) of the city or a district (regions.code), if it has one. */
  petitionOffice(regionCode: string): Organ | undefined;
}

/**
 * The registry a parsed file describes over `hierarchy`; `source` names the file in errors.
 * Codes and names (name or alias) must each be unique across the registry.
 */
export function parseOrganRegistry(raw: unknown, hierarchy: RegionHierarchy, source: string): OrganRegistry {
  const parsed = registryFile.safeParse(raw);
  if (!parsed.success) {
    throw new OrganRegistryError(`${source}: ${parsed.error.issues.map((x) => `${x.path.join('.') || '(file)'}: ${x.message}`).join('; ')}`);
  }
  const file = parsed.data;
  if (file.jurisdiction !== hierarchy.jurisdiction) {
    throw new OrganRegistryError(`${source}: jurisdiction: the file is ${file.jurisdiction}'s, the region hierarchy ${hierarchy.jurisdiction}'s`);
  }
  const cities = hierarchy.nodes.filter((n) => n.level === 'city');
  if (cities.length !== 1) throw new OrganRegistryError(`${source}: the region hierarchy of ${hierarchy.jurisdiction} has ${cities.length} cities, not one`);
  const city = cities[0]!;
  const byRegion = new Map(hierarchy.nodes.map((n) => [n.code, n]));

  const organs: Organ[] = [];
  const where = new Map<string, string>();
  const add = (template: Entry & { fields?: readonly Field[] }, path: string, level: OrganLevel, values: Partial<Record<Placeholder, string>>, regionCode: string, streetCode?: string) => {
    const fill = (text: string, at: string) =>
      text.replace(/\{([^}]*)\}/g, (_, key: string) => {
        const value = values[key as Placeholder];
        if (value === undefined) throw new OrganRegistryError(`${source}: ${at}: {${key}} is not a placeholder here (${Object.keys(values).map((k) => `{${k}}`).join(', ') || 'none'})`);
        return value;
      });
    const organ: Organ = {
      code: fill(template.code, `${path}.code`),
      nameZh: fill(template.nameZh, `${path}.nameZh`),
      level,
      regionCode,
      ...(streetCode ? { streetCode } : {}),
      aliases: template.aliases.map((a, i) => fill(a, `${path}.aliases.${i}`)),
      ...(template.fields?.length ? { fields: template.fields } : {}),
    };
    const label = values.code ? `${path} for ${values.code}` : path;
    if (!ORGAN_CODE.test(organ.code)) throw new OrganRegistryError(`${source}: ${label}: code ${organ.code}: letters, digits, - and _, at most 40`);
    const claim = (key: string, what: string) => {
      const before = where.get(key);
      if (before) throw new OrganRegistryError(`${source}: ${label}: ${what} is also ${before}`);
      where.set(key, label);
    };
    claim(`code:${organ.code}`, `code ${organ.code}`);
    for (const n of new Set([organ.nameZh, ...organ.aliases])) claim(`name:${n}`, `the name ${n}`);
    organs.push(organ);
  };

  // One department a field at a level: a field's cases have one organ to go to.
  for (const [at, departments] of [['city', file.city.departments], ['districts', file.districts.departments]] as const) {
    const owner = new Map<Field, number>();
    departments.forEach((d, i) =>
      d.fields.forEach((f, j) => {
        const before = owner.get(f);
        if (before !== undefined) throw new OrganRegistryError(`${source}: ${at}.departments.${i}.fields.${j}: the field ${f} is also ${at}.departments.${before}'s`);
        owner.set(f, i);
      }),
    );
  }

  add(file.city.leadership, 'city.leadership', 'city', {}, city.code);
  add(file.city.petitionOffice, 'city.petitionOffice', 'petition-office', {}, city.code);
  file.city.departments.forEach((d, i) => add(d, `city.departments.${i}`, 'city-department', {}, city.code));

  for (const district of hierarchy.nodes.filter((n) => n.level === 'district')) {
    const short = district.nameZh.replace(/[区县市]$/, '');
    const values = { code: district.code, name: district.nameZh, short, suffix: district.nameZh.slice(short.length) };
    add(file.districts.leadership, 'districts.leadership', 'district', values, district.code);
    add(file.districts.petitionOffice, 'districts.petitionOffice', 'petition-office', values, district.code);
    file.districts.departments.forEach((d, i) => add(d, `districts.departments.${i}`, 'district-department', values, district.code));
  }

  for (const street of hierarchy.nodes.filter((n) => n.level === 'street')) {
    const district: RegionNode | undefined = street.parentCode ? byRegion.get(street.parentCode) : undefined;
    if (district?.level !== 'district') throw new OrganRegistryError(`${source}: street ${street.code} of the region hierarchy has no district`);
    const i = file.streets.leadership.findIndex((t) => street.nameZh.endsWith(t.suffix));
    add(file.streets.leadership[i]!, `streets.leadership.${i}`, 'street-township', { code: street.code, name: street.nameZh, district: district.nameZh }, district.code, street.code);
  }

  const codes = new Map(organs.map((o) => [o.code, o]));
  const names = new Map(organs.flatMap((o) => [o.nameZh, ...o.aliases].map((n) => [n, o] as const)));
  const handlers = new Map(organs.flatMap((o) => (o.fields ?? []).map((f) => [`${o.regionCode}|${f}`, o] as const)));
  const offices = new Map(organs.filter((o) => o.level === 'petition-office').map((o) => [o.regionCode, o]));
  return {
    jurisdiction: file.jurisdiction,
    organs,
    byCode: (code) => codes.get(code),
    byName: (n) => names.get(n.trim()),
    resolve: (x) => codes.get(x.trim()) ?? names.get(x.trim()),
    handling: (regionCode, field) => handlers.get(`${regionCode}|${field}`),
    petitionOffice: (regionCode) => offices.get(regionCode),
  };
}

/** Reads a registry file (JSON) over a jurisdiction's region hierarchy. */
export function loadOrganRegistry(path: string | URL, hierarchy: RegionHierarchy): OrganRegistry {
  const source = path instanceof URL ? fileURLToPath(path) : path;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new OrganRegistryError(`${source}: ${(error as Error).message}`);
  }
  return parseOrganRegistry(raw, hierarchy, source);
}

let beijing: OrganRegistry | undefined;

/** Beijing's registry, the default jurisdiction's, over its region hierarchy. */
export function beijingOrganRegistry(): OrganRegistry {
  beijing ??= loadOrganRegistry(jurisdictionFiles('beijing').organs, beijingRegions());
  return beijing;
}

export const BEIJING_ORGANS: readonly Organ[] = beijingOrganRegistry().organs;
