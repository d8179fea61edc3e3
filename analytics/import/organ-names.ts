/**
 * Organ names of foreign data resolved against the jurisdiction's organ registry
 * (domain/organs/<jurisdiction>.json), for a mapping's `organNames`: the case keeps the organ's
 * registry code, whichever of its names the source wrote, so every variant counts as one organ.
 *
 * In order, the first that gives exactly one organ:
 * 1. `exact`: the organ's code, name or an alias, as written (trimmed).
 * 2. `normalised`: the same after both sides are brought to one form (`organKey`): Unicode NFKC
 *    (full-width letters, digits and spaces to half-width), spaces and the separators 、 , · .
 *    removed, Latin letters lower-cased; a leading 中共 removed; the city's and a district's short
 *    name standing alone expanded to the full name (北京信访办 → 北京市信访办, 朝阳信访办 →
 *    朝阳区信访办); the city's name removed before a district's (北京市朝阳区信访办 →
 *    朝阳区信访办); and the abbreviations 办公室 → 办, 委员会 → 委, 人民政府 → 政府.
 * 3. `edit-distance`: one character inserted, deleted or replaced in the normalised form, for
 *    forms of 6 characters or more, when only one organ is that close (a typo, 朝阳区信仿办).
 * A form two organs share resolves to neither. Anything else is unknown: the mapping says
 * whether its row is quarantined or kept with the name as written.
 */
import type { Organ } from '../../domain/organs.js';
import type { RegionHierarchy } from '../../domain/region-hierarchy.js';

export type OrganMatchRule = 'exact' | 'normalised' | 'edit-distance';

export interface OrganMatch {
  code: string;
  by: OrganMatchRule;
}

const ABBREVIATIONS: ReadonlyArray<[string, string]> = [
  ['办公室', '办'],
  ['委员会', '委'],
  ['人民政府', '政府'],
];

/** The shortest normalised form the edit-distance rule applies to: shorter names are too alike. */
const EDIT_DISTANCE_MIN = 6;

export class OrganNameResolver {
  private readonly exact = new Map<string, string | null>();
  private readonly normalised = new Map<string, string | null>();
  private readonly cache = new Map<string, OrganMatch | null>();
  private readonly city: { name: string; short: string } | null;
  private readonly districts: Array<{ name: string; short: string }>;

  constructor(organs: readonly Organ[], hierarchy: RegionHierarchy) {
    const city = hierarchy.nodes.find((n) => n.level === 'city');
    this.city = city && city.nameZh.replace(/市$/, '') !== city.nameZh ? { name: city.nameZh, short: city.nameZh.replace(/市$/, '') } : null;
    // Longest first, so that a short name that begins another (a 门头沟 and a 门头) expands the right one.
    this.districts = hierarchy.nodes
      .filter((n) => n.level === 'district')
      .map((n) => ({ name: n.nameZh, short: n.nameZh.replace(/[区县市]$/, '') }))
      .filter((d) => d.short !== d.name && d.short.length > 0)
      .sort((a, b) => b.short.length - a.short.length);
    // A form claimed by two organs is kept as null: it names neither.
    const claim = (map: Map<string, string | null>, key: string, code: string) => {
      const before = map.get(key);
      map.set(key, before === undefined || before === code ? code : null);
    };
    for (const organ of organs) {
      for (const name of [organ.code, organ.nameZh, ...organ.aliases]) {
        claim(this.exact, name.trim(), organ.code);
        claim(this.normalised, this.key(name), organ.code);
      }
    }
  }

  /** The organ a source name means, and by which rule; null when none or more than one. */
  resolve(text: string): OrganMatch | null {
    const name = text.trim();
    if (this.cache.has(name)) return this.cache.get(name)!;
    const match = this.find(name);
    this.cache.set(name, match);
    return match;
  }

  private find(name: string): OrganMatch | null {
    const exact = this.exact.get(name);
    if (exact !== undefined) return exact === null ? null : { code: exact, by: 'exact' };
    const key = this.key(name);
    const normalised = this.normalised.get(key);
    if (normalised !== undefined) return normalised === null ? null : { code: normalised, by: 'normalised' };
    if ([...key].length < EDIT_DISTANCE_MIN) return null;
    const near = new Set<string | null>();
    for (const [form, code] of this.normalised) if (withinOneEdit(key, form)) near.add(code);
    if (near.size !== 1) return null;
    const [code] = near;
    return code ? { code, by: 'edit-distance' } : null;
  }

  /** The one form names are compared in (rule 2 above). */
  key(name: string): string {
    let k = name.normalize('NFKC').replace(/[\s、,·.]/g, '').toLowerCase();
    if (k.startsWith('中共')) k = k.slice(2);
    if (this.city) {
      if (k.startsWith(this.city.short) && !k.startsWith(this.city.name)) k = this.city.name + k.slice(this.city.short.length);
      // The city's name before a district's says nothing more: 北京市朝阳区信访办 is 朝阳区信访办.
      const rest = k.slice(this.city.name.length);
      if (k.startsWith(this.city.name) && this.districts.some((d) => rest.startsWith(d.short))) k = rest;
    }
    const district = this.districts.find((d) => k.startsWith(d.short) && !k.startsWith(d.name));
    if (district) k = district.name + k.slice(district.short.length);
    for (const [long, short] of ABBREVIATIONS) k = k.replaceAll(long, short);
    return k;
  }
}

/** Whether two strings differ by at most one inserted, deleted or replaced character (by code point). */
export function withinOneEdit(a: string, b: string): boolean {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > 1) return false;
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i += 1;
  let j = 0;
  while (j < x.length - i && j < y.length - i && x[x.length - 1 - j] === y[y.length - 1 - j]) j += 1;
  return x.length - i - j <= 1 && y.length - i - j <= 1;
}
