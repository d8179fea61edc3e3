/**
 * Column mappings for foreign data (another system's export, a city's hotline data): each
 * target column of the project's case schema says where its value comes from (a source
 * column, several in order of preference, a constant or a template), how it is normalised
 * (trim, case, spaces, Excel's escapes), translated (synonyms, patterns) and parsed (several
 * date formats in the data's time zone), and its default. A value that cannot be mapped makes
 * the row's quarantine reason; it never becomes a guess.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { SOURCE_DIMENSION_NAME } from '../metrics/catalog.js';
import type { OrganMatch, OrganNameResolver } from './organ-names.js';
import type { Fields } from './readers.js';

/** Target columns a mapping can fill; the same names as a native file's columns. */
export const CASE_TARGETS = [
  'case_id',
  'received_at',
  'channel',
  'region_code',
  'street_code',
  'field',
  'petition_class',
  'collective_size',
  'summary',
  'jurisdiction',
  'repeat_petition',
  'skip_level',
  'organ_code',
] as const;
export type CaseTarget = (typeof CASE_TARGETS)[number];

const normaliser = z.enum(['trim', 'upper', 'lower', 'collapse-spaces', 'strip-excel-escapes']);

const rule = z
  .object({
    from: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    value: z.string().optional(),
    template: z.string().optional(),
    normalise: z.array(normaliser).default(['trim']),
    synonyms: z.record(z.string(), z.string()).optional(),
    patterns: z.array(z.object({ match: z.string(), to: z.string() }).strict()).optional(),
    /** What to do with a value that no synonym or pattern matches. */
    unmatched: z.enum(['keep', 'default', 'quarantine']).default('keep'),
    parse: z.enum(['datetime', 'integer', 'boolean']).optional(),
    /** Date formats tried in order: yyyy, MMM (Jan), MM/M, dd/d, HH/H, mm, ss; other characters literal. */
    formats: z.array(z.string()).optional(),
    default: z.string().optional(),
  })
  .strict()
  .refine((r) => [r.from, r.value, r.template].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of from, value or template',
  });
export type FieldRule = z.infer<typeof rule>;

const mappingSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lower-case letters, digits and -'),
    description: z.string().optional(),
    /** Jurisdiction of the cases (rules/jurisdictions.json name, or a data-only one). */
    jurisdiction: z.string().min(1),
    /** Region hierarchy CSV (relative to the mapping file); default Beijing's. */
    regions: z.string().optional(),
    /**
     * IANA time zone of local date-times in the data, and the jurisdiction's: its cases' dates are
     * counted in it (analytics/jurisdiction-zones.ts); another zone than the one recorded is refused.
     */
    timezone: z.string().default('Asia/Shanghai'),
    /** Stable case id: a source column, or a hash of source columns with a prefix. */
    id: z.union([
      z.object({ column: z.string(), prefix: z.string().default('') }).strict(),
      z.object({ hash: z.array(z.string()).min(1), prefix: z.string() }).strict(),
    ]),
    /** Source columns that together identify the petitioner; pseudonymised, never stored. */
    petitioner: z.object({ from: z.array(z.string()).min(1), keepIdentity: z.boolean().default(false) }).strict().optional(),
    /**
     * The organ each case was brought to (登记机关), as a region code of the hierarchy or an organ
     * of the registry (code or name): read to derive skip_level (越级信访), not stored.
     */
    receivedIn: rule.optional(),
    columns: z.partialRecord(z.enum(CASE_TARGETS), rule),
    /**
     * Source columns kept as they are, beside the mapped fields, as declared dimensions the
     * metrics break cases down and filter by (`src:<name>`): a 311 call type, a priority.
     */
    dimensions: z
      .record(
        z.string(),
        z
          .object({
            column: z.string().min(1),
            labelZh: z.string().min(1),
            labelEn: z.string().min(1),
            normalise: z.array(normaliser).default(['collapse-spaces']),
          })
          .strict(),
      )
      .default({}),
    /**
     * Resolve the mapped organ_code against the jurisdiction's organ registry (organ-names.ts):
     * the case keeps the organ's code; a name no rule resolves is quarantined, or kept as
     * written (`mark`: it is then no registry code, and the import report lists it).
     */
    organNames: z.object({ unknown: z.enum(['quarantine', 'mark']) }).strict().optional(),
  })
  .strict();
export type Mapping = z.infer<typeof mappingSchema> & { regionsPath: string | null };

export function loadMapping(path: string): Mapping {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MappingError(`${path}: ${(error as Error).message}`);
  }
  const parsed = mappingSchema.safeParse(json);
  if (!parsed.success) {
    throw new MappingError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  }
  const mapping = parsed.data;
  for (const required of ['received_at', 'channel', 'region_code'] as const) {
    if (!mapping.columns[required]) throw new MappingError(`${path}: columns.${required} is required`);
  }
  if (mapping.organNames && !mapping.columns.organ_code) throw new MappingError(`${path}: organNames needs columns.organ_code, the organ names to resolve`);
  for (const name of Object.keys(mapping.dimensions)) {
    if (!SOURCE_DIMENSION_NAME.test(name)) {
      throw new MappingError(`${path}: dimensions.${name}: a dimension name is a lower-case letter, then lower-case letters, digits and _ (at most 40)`);
    }
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: mapping.timezone });
  } catch {
    throw new MappingError(`${path}: timezone ${mapping.timezone} is not a known IANA time zone`);
  }
  const rules: Array<[string, FieldRule]> = [...Object.entries(mapping.columns).map(([t, r]) => [`columns.${t}`, r] as [string, FieldRule]), ...(mapping.receivedIn ? [['receivedIn', mapping.receivedIn] as [string, FieldRule]] : [])];
  for (const [target, r] of rules) {
    for (const p of r.patterns ?? []) {
      try {
        new RegExp(p.match);
      } catch (error) {
        throw new MappingError(`${path}: ${target}.patterns: ${(error as Error).message}`);
      }
    }
    if (r.parse === 'datetime' && !r.formats?.length) throw new MappingError(`${path}: ${target}: a datetime needs formats`);
    const folded = new Map<string, string>();
    for (const [from, to] of Object.entries(r.synonyms ?? {})) {
      const before = folded.get(foldForm(from));
      if (before !== undefined && before !== to) {
        throw new MappingError(`${path}: ${target}.synonyms: "${from}" is another form of a synonym that maps to "${before}", not "${to}"`);
      }
      folded.set(foldForm(from), to);
    }
  }
  return { ...mapping, regionsPath: mapping.regions ? resolve(dirname(path), mapping.regions) : null };
}

export class MappingError extends Error {}

export interface MappedRow {
  values: Partial<Record<CaseTarget, string | null>>;
  /** Identity text for the pseudonym (never stored in analytics). */
  identity: string | null;
  /** The organ the case was brought to (mapping `receivedIn`), for deriving skip_level. */
  receivedIn: string | null;
  /** The declared source dimensions' values (mapping `dimensions`), empty ones left out. */
  dimensions: Record<string, string>;
  /** First problem found, as the quarantine reason. */
  problem: string | null;
}

/**
 * The form a synonym is also looked up in, so that every form of a value the mapping names
 * ("Test", "test ", "ＴＥＳＴ") is translated, or dropped, alike: Unicode NFKC (full-width to
 * half-width), runs of spaces as one, trimmed, lower-cased.
 */
export function foldForm(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();
}

interface CompiledRule {
  rule: FieldRule;
  patterns: RegExp[];
  /** Per pattern whose `to` is "" (a drop): the same pattern, case-insensitive, tried on the NFKC, space-collapsed form. */
  drops: Array<RegExp | null>;
  /** Synonyms by their folded form (foldForm), after an exact match failed. */
  folded: Map<string, string>;
}

function compileRule(r: FieldRule): CompiledRule {
  return {
    rule: r,
    patterns: (r.patterns ?? []).map((p) => new RegExp(p.match)),
    drops: (r.patterns ?? []).map((p) => (p.to === '' ? new RegExp(p.match, 'i') : null)),
    folded: new Map(Object.entries(r.synonyms ?? {}).map(([from, to]) => [foldForm(from), to])),
  };
}

/** A compiled mapping: applies to one record at a time. */
export class RowMapper {
  private readonly compiled: Array<[CaseTarget, CompiledRule]>;
  private readonly receivedIn: CompiledRule | null;
  private readonly zone: ZoneOffsets;
  /** Occurrences of each content hash per file, so identical rows get distinct, stable ids. */
  private readonly seen = new Map<string, number>();
  /** Each organ name read (after the organ_code rule), what it resolved to and in how many rows. */
  readonly organNames = new Map<string, { match: OrganMatch | null; rows: number }>();

  constructor(
    readonly mapping: Mapping,
    private readonly organs: OrganNameResolver | null = null,
  ) {
    this.compiled = Object.entries(mapping.columns).map(([t, r]) => [t as CaseTarget, compileRule(r)]);
    this.receivedIn = mapping.receivedIn ? compileRule(mapping.receivedIn) : null;
    this.zone = new ZoneOffsets(mapping.timezone);
  }

  /** Call between files: ids from content hashes count repeats within one file. */
  startFile(): void {
    this.seen.clear();
  }

  map(fields: Fields): MappedRow {
    const values: MappedRow['values'] = {};
    let problem: string | null = null;
    for (const [target, compiled] of this.compiled) {
      const result = this.apply(compiled, fields);
      if (typeof result === 'object' && result !== null) {
        problem ??= `${target}: ${result.problem}`;
        values[target] = null;
      } else values[target] = result;
    }
    values.jurisdiction ??= this.mapping.jurisdiction;
    const organ = values.organ_code;
    if (this.organs && this.mapping.organNames && organ) {
      const seen = this.organNames.get(organ) ?? { match: this.organs.resolve(organ), rows: 0 };
      seen.rows += 1;
      this.organNames.set(organ, seen);
      if (seen.match) values.organ_code = seen.match.code;
      else if (this.mapping.organNames.unknown === 'quarantine') problem ??= `organ_code: "${organ}" is no organ of the ${this.mapping.jurisdiction} registry (by code, name, alias or their normalised form)`;
    }
    const id = this.mapping.id;
    if ('column' in id) {
      const raw = fields[id.column]?.trim();
      if (!raw) problem ??= `case_id: ${id.column} is empty`;
      values.case_id = raw ? `${id.prefix}${raw}` : null;
    } else {
      const content = id.hash.map((c) => fields[c] ?? '').join('\u001f');
      const digest = createHash('sha256').update(content).digest('hex').slice(0, 20);
      const n = (this.seen.get(digest) ?? 0) + 1;
      this.seen.set(digest, n);
      values.case_id = `${id.prefix}${digest}${n > 1 ? `-${n}` : ''}`;
    }
    let identity: string | null = null;
    if (this.mapping.petitioner) {
      const parts = this.mapping.petitioner.from.map((c) => fields[c]?.trim() ?? '');
      identity = parts.some((p) => p) ? parts.join(' / ') : null;
    }
    let receivedIn: string | null = null;
    if (this.receivedIn) {
      const result = this.apply(this.receivedIn, fields);
      if (typeof result === 'object' && result !== null) problem ??= `receivedIn: ${result.problem}`;
      else receivedIn = result;
    }
    const dimensions: Record<string, string> = {};
    for (const [name, d] of Object.entries(this.mapping.dimensions)) {
      const value = normalise(fields[d.column] ?? '', d.normalise);
      if (value !== '') dimensions[name] = value;
    }
    return { values, identity, receivedIn, dimensions, problem };
  }

  private apply({ rule: r, patterns, drops, folded }: CompiledRule, fields: Fields): string | null | { problem: string } {
    let text: string | null;
    if (r.value !== undefined) text = r.value;
    else if (r.template !== undefined) text = r.template.replace(/\{([^}]+)\}/g, (_m, name: string) => normalise(fields[name] ?? '', r.normalise));
    else {
      const sources = Array.isArray(r.from) ? r.from : [r.from!];
      text = null;
      for (const s of sources) {
        const v = fields[s];
        if (v !== null && v !== undefined && normalise(v, r.normalise) !== '') {
          text = v;
          break;
        }
      }
    }
    let value = text === null ? '' : normalise(text, r.normalise);
    if (value !== '' && (r.synonyms || patterns.length)) {
      const synonym = (r.synonyms && Object.hasOwn(r.synonyms, value) ? r.synonyms[value] : undefined) ?? folded.get(foldForm(value));
      if (synonym !== undefined) value = synonym;
      else {
        const loose = value.normalize('NFKC').replace(/\s+/g, ' ').trim();
        const index = patterns.findIndex((p, i) => p.test(value) || drops[i]?.test(loose));
        if (index >= 0) {
          // The whole value becomes the pattern's `to`, with $1..$9 from the match.
          const m = patterns[index]!.exec(value) ?? drops[index]!.exec(loose)!;
          value = r.patterns![index]!.to.replace(/\$(\d)/g, (_s, i: string) => m[Number(i)] ?? '');
        }
        else if (r.unmatched === 'default') value = '';
        else if (r.unmatched === 'quarantine') return { problem: `"${value}" matches no synonym or pattern` };
      }
    }
    if (value === '') {
      if (r.default === undefined) return null;
      value = r.default;
    }
    switch (r.parse) {
      case 'datetime': {
        const instant = parseDateTime(value, r.formats!, this.zone);
        return instant ?? { problem: `"${value}" matches none of the formats ${r.formats!.join(' | ')}` };
      }
      case 'integer':
        return /^-?\d+$/.test(value) ? value : { problem: `"${value}" is not a whole number` };
      case 'boolean': {
        const v = BOOLEAN_WORDS[value.toLowerCase()];
        return v ?? { problem: `"${value}" is not yes/no` };
      }
      default:
        return value;
    }
  }
}

const BOOLEAN_WORDS: Record<string, string> = {
  true: 'true', false: 'false', yes: 'true', no: 'false', y: 'true', n: 'false', '1': 'true', '0': 'false', 是: 'true', 否: 'false',
};

function normalise(text: string, steps: readonly string[]): string {
  let v = text;
  for (const step of steps) {
    if (step === 'trim') v = v.trim();
    else if (step === 'upper') v = v.toUpperCase();
    else if (step === 'lower') v = v.toLowerCase();
    else if (step === 'collapse-spaces') v = v.replace(/\s+/g, ' ').trim();
    else if (step === 'strip-excel-escapes') v = v.replace(/_x000[DA]_/gi, ' ').replace(/[\r\n]+/g, ' ');
  }
  return v;
}

// ── dates ──────────────────────────────────────────────────────────────────────────────

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const TOKEN = /yyyy|MMM|MM|M|dd|d|HH|H|mm|ss/g;
const formatCache = new Map<string, { regex: RegExp; parts: string[] }>();

function compileFormat(format: string) {
  let cached = formatCache.get(format);
  if (cached) return cached;
  const parts: string[] = [];
  let source = '^';
  let last = 0;
  for (const m of format.matchAll(TOKEN)) {
    source += escapeRegex(format.slice(last, m.index));
    const t = m[0];
    parts.push(t);
    source += t === 'yyyy' ? '(\\d{4})' : t === 'MMM' ? '([A-Za-z]{3})' : t.length === 2 ? '(\\d{2})' : '(\\d{1,2})';
    last = m.index! + t.length;
  }
  source += `${escapeRegex(format.slice(last))}$`;
  cached = { regex: new RegExp(source), parts };
  formatCache.set(format, cached);
  return cached;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The ISO instant of a local date-time in the mapping's zone, or null when no format fits. */
export function parseDateTime(text: string, formats: readonly string[], zone: ZoneOffsets): string | null {
  for (const format of formats) {
    const { regex, parts } = compileFormat(format);
    const m = regex.exec(text);
    if (!m) continue;
    const f = { y: 0, mo: 1, d: 1, h: 0, mi: 0, s: 0 };
    let ok = true;
    parts.forEach((p, i) => {
      const v = m[i + 1]!;
      if (p === 'yyyy') f.y = Number(v);
      else if (p === 'MMM') {
        const idx = MONTHS.indexOf(v.toLowerCase());
        if (idx < 0) ok = false;
        f.mo = idx + 1;
      } else if (p.startsWith('M')) f.mo = Number(v);
      else if (p.startsWith('d')) f.d = Number(v);
      else if (p.startsWith('H')) f.h = Number(v);
      else if (p === 'mm') f.mi = Number(v);
      else if (p === 'ss') f.s = Number(v);
    });
    if (!ok || f.mo < 1 || f.mo > 12 || f.h > 23 || f.mi > 59 || f.s > 59) continue;
    const probe = new Date(Date.UTC(f.y, f.mo - 1, f.d));
    if (probe.getUTCMonth() !== f.mo - 1 || probe.getUTCDate() !== f.d) continue;
    return zone.toInstant(f.y, f.mo, f.d, f.h, f.mi, f.s).toISOString();
  }
  return null;
}

/** Local wall-clock time in an IANA zone to an instant, daylight saving included (via Intl). */
export class ZoneOffsets {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();
  constructor(readonly zone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }
  /** Offset of the zone from UTC at an instant, in ms (cached by hour). */
  private offsetAt(ms: number): number {
    const hour = Math.floor(ms / 3_600_000);
    let offset = this.cache.get(hour);
    if (offset === undefined) {
      const p = Object.fromEntries(this.format.formatToParts(new Date(hour * 3_600_000)).map((x) => [x.type, x.value]));
      const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
      offset = asUtc - hour * 3_600_000;
      this.cache.set(hour, offset);
    }
    return offset;
  }
  toInstant(y: number, mo: number, d: number, h: number, mi: number, s: number): Date {
    const wall = Date.UTC(y, mo - 1, d, h, mi, s);
    // Two passes settle the offset on either side of a daylight-saving change.
    let guess = wall - this.offsetAt(wall);
    guess = wall - this.offsetAt(guess);
    return new Date(guess);
  }
}
