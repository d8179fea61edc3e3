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
    /** IANA time zone of local date-times in the data. */
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
  /** First problem found, as the quarantine reason. */
  problem: string | null;
}

/** A compiled mapping: applies to one record at a time. */
export class RowMapper {
  private readonly compiled: Array<[CaseTarget, FieldRule, RegExp[]]>;
  private readonly receivedIn: [FieldRule, RegExp[]] | null;
  private readonly zone: ZoneOffsets;
  /** Occurrences of each content hash per file, so identical rows get distinct, stable ids. */
  private readonly seen = new Map<string, number>();

  constructor(readonly mapping: Mapping) {
    const patterns = (r: FieldRule) => (r.patterns ?? []).map((p) => new RegExp(p.match));
    this.compiled = Object.entries(mapping.columns).map(([t, r]) => [t as CaseTarget, r, patterns(r)]);
    this.receivedIn = mapping.receivedIn ? [mapping.receivedIn, patterns(mapping.receivedIn)] : null;
    this.zone = new ZoneOffsets(mapping.timezone);
  }

  /** Call between files: ids from content hashes count repeats within one file. */
  startFile(): void {
    this.seen.clear();
  }

  map(fields: Fields): MappedRow {
    const values: MappedRow['values'] = {};
    let problem: string | null = null;
    for (const [target, r, patterns] of this.compiled) {
      const result = this.apply(r, patterns, fields);
      if (typeof result === 'object' && result !== null) {
        problem ??= `${target}: ${result.problem}`;
        values[target] = null;
      } else values[target] = result;
    }
    values.jurisdiction ??= this.mapping.jurisdiction;
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
      const result = this.apply(this.receivedIn[0], this.receivedIn[1], fields);
      if (typeof result === 'object' && result !== null) problem ??= `receivedIn: ${result.problem}`;
      else receivedIn = result;
    }
    return { values, identity, receivedIn, problem };
  }

  private apply(r: FieldRule, patterns: RegExp[], fields: Fields): string | null | { problem: string } {
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
      const synonym = r.synonyms?.[value];
      if (synonym !== undefined) value = synonym;
      else {
        const index = patterns.findIndex((p) => p.test(value));
        if (index >= 0) {
          // The whole value becomes the pattern's `to`, with $1..$9 from the match.
          const m = patterns[index]!.exec(value)!;
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
