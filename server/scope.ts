/**
 * Jurisdiction scoping in the data layer (DOMAIN §10): a region-scoped user sees its node of
 * the region hierarchy and everything under it; an organ-scoped user sees its organ's cases.
 * A region outside the jurisdiction is refused naming the user's own; an object outside it is
 * answered as if it did not exist.
 */
import { z } from 'zod';
import type { CaseScope } from '../analytics/case-log.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { Principal } from '../domain/roles.js';
import { HttpError } from './http-error.js';

const within = z.object({ n: z.number() });

/** True when `code` is `ancestor` or lies under it in the hierarchy (at most two levels down). */
export async function regionContains(store: AnalyticsStore, ancestor: string, code: string): Promise<boolean> {
  if (ancestor === code) return true;
  const [row] = await store.all(
    within,
    `SELECT count(*)::INTEGER AS n FROM regions r LEFT JOIN regions p ON p.code = r.parent_code
      WHERE r.code = $code AND (r.parent_code = $ancestor OR p.parent_code = $ancestor)`,
    { code, ancestor },
  );
  return (row?.n ?? 0) > 0;
}

function jurisdictionLabel(p: Principal): string {
  return p.organCode ? `organ ${p.organCode}` : `region ${p.regionCode}`;
}

/**
 * The region a region-scoped request reads: the one asked for when it lies in the principal's
 * jurisdiction, else the principal's own node. An organ-scoped user has no region to read.
 */
export async function confineRegion(store: AnalyticsStore, p: Principal, requested: string | undefined): Promise<string> {
  if (!p.regionCode) throw new HttpError(403, `your jurisdiction is ${jurisdictionLabel(p)}: region figures are not yours to read`, 'outside_jurisdiction');
  if (requested === undefined) return p.regionCode;
  if (!(await regionNode(store, requested))) throw new HttpError(400, `unknown region code "${requested}" (not in the region hierarchy)`, undefined, 'region');
  if (!(await regionContains(store, p.regionCode, requested))) {
    throw new HttpError(403, `region ${requested} lies outside your jurisdiction (${jurisdictionLabel(p)})`, 'outside_jurisdiction', 'region');
  }
  return requested;
}

export interface ScopedObject {
  regionCode: string | null;
  streetCode?: string | null;
  /** Organs the object is assigned to (codes or names, as the record keeps them). */
  organs?: readonly (string | null | undefined)[];
}

/** Whether `p` may see an object with this region and these organs. */
export async function visibleTo(store: AnalyticsStore, p: Principal, o: ScopedObject): Promise<boolean> {
  if (p.organCode) {
    if (!o.organs?.length) return false;
    const mine = new Set(await organAliases(store, p.organCode));
    return o.organs.some((x) => x != null && mine.has(x));
  }
  if (!p.regionCode) return false;
  if (o.streetCode && (await regionContains(store, p.regionCode, o.streetCode))) return true;
  return o.regionCode !== null && (await regionContains(store, p.regionCode, o.regionCode));
}

const organName = z.object({ name_zh: z.string(), aliases: z.array(z.string()).nullable() });

/** An organ's names as cases record them (routing names the organ as typed; the registry has its code): its name and aliases. */
export async function organNamesOf(store: AnalyticsStore, code: string): Promise<string[]> {
  return (await store.all(organName, 'SELECT name_zh, aliases FROM organs WHERE code = $code', { code })).flatMap((r) => [r.name_zh, ...(r.aliases ?? [])]);
}

/** Everything a record may call the organ by: its code and its names. */
const organAliases = async (store: AnalyticsStore, code: string) => [code, ...(await organNamesOf(store, code))];

const regionRow = z.object({ code: z.string(), level: z.enum(['city', 'district', 'street']), parent_code: z.string().nullable() });

/** A node of the region hierarchy kept in DuckDB (Beijing's at start-up, another's with its import). */
export async function regionNode(store: AnalyticsStore, code: string) {
  const [row] = await store.all(regionRow, 'SELECT code, level, parent_code FROM regions WHERE code = $code', { code });
  return row ?? null;
}

/**
 * The principal's jurisdiction as a case list's filter, narrowed to `requested` when given. A
 * region-scoped user's region is confined as everywhere (outside it: 403). An organ's user
 * keeps its organ's cases, which may lie anywhere: a region only narrows them, revealing nothing.
 */
export async function caseScopeOf(store: AnalyticsStore, p: Principal, requested?: string): Promise<CaseScope> {
  if (p.organCode) {
    const organs = await organAliases(store, p.organCode);
    if (requested === undefined) return { organs };
    const node = await regionNode(store, requested);
    if (!node) throw new HttpError(400, `unknown region code "${requested}" (not in the region hierarchy)`, undefined, 'region');
    return { organs, within: { region: node.code, level: node.level } };
  }
  const code = p.regionCode ? await confineRegion(store, p, requested) : null;
  const node = code ? await regionNode(store, code) : null;
  if (!node) throw new HttpError(403, `your region ${p.regionCode ?? '(none)'} is not in the region hierarchy`, 'outside_jurisdiction');
  return { region: node.code, level: node.level };
}
