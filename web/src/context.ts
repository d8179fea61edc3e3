/**
 * What every page knows about the logged-in user and the platform: the session (role,
 * permissions, jurisdiction), the reference data and the metrics catalog; and the names of
 * places, channels and measures built from them.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Permission } from '../../domain/roles.js';
import type { CatalogMeasure, Catalog, Reference, Session } from './api.js';
import { t } from './i18n.js';

export interface AppState {
  session: Session;
  reference: Reference;
  catalog: Catalog | null;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp() {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside the logged-in application');
  return state;
}

export const can = (state: AppState, permission: Permission) => (state.session.role.permissions as readonly string[]).includes(permission);

export const measureOf = (state: AppState, id: string): CatalogMeasure | undefined => state.catalog?.measures.find((m) => m.id === id);

export const placeOf = (state: AppState, code: string) => state.reference.places.find((p) => p.code === code);

/** The city's code, as the regions table holds it ('' when the user sees no city node). */
export const cityCode = (state: AppState): string => state.reference.places.find((p) => p.level === 'city')?.code ?? '';

/** The region a page shows when none is chosen: the user's own node, else the city. */
export const homeRegion = (state: AppState): string => state.session.regionCode ?? cityCode(state);

/** A region's name from the regions table, in the page's language (its code when unnamed). */
export function placeName(state: AppState, code: string): string {
  const place = placeOf(state, code);
  if (!place) return code;
  const name = t(place.nameZh ?? place.nameEn ?? code, place.nameEn ?? place.nameZh ?? code);
  return place.level === 'city' ? t(`${name}（全市）`, `${name} (whole city)`) : name;
}

export const childrenOf = (state: AppState, code: string) => state.reference.places.filter((p) => p.parent === code);

const DIVISION_KINDS: readonly { suffix: string; zh: string; en: string; enPlural: string }[] = [
  { suffix: '县', zh: '县', en: 'county', enPlural: 'counties' },
  { suffix: '市', zh: '市', en: 'county-level city', enPlural: 'county-level cities' },
  { suffix: '区', zh: '区', en: 'district', enPlural: 'districts' },
];

/**
 * What the city's county-level divisions are called, from their names: 区 where every one is a
 * 区 (Beijing's), 县（市、区） where they are of several kinds, as a prefecture's documents say
 * (Xianning: 咸安区, 嘉鱼县 … 赤壁市). The platform calls every one a district in its data.
 */
export function divisionWord(state: AppState): { zh: string; en: string; enPlural: string } {
  const kinds = DIVISION_KINDS.filter((k) => state.reference.regions.some((r) => r.nameZh.endsWith(k.suffix)));
  if (kinds.length === 1) return kinds[0]!;
  // Names of none of these kinds (旗, a test's made-up names): the platform's own word.
  if (kinds.length === 0) return { zh: '区', en: 'district', enPlural: 'districts' };
  return { zh: `${kinds[0]!.zh}（${kinds.slice(1).map((k) => k.zh).join('、')}）`, en: 'county or district', enPlural: 'counties and districts' };
}

/** The regions a user may choose: its own node and the nodes one level under it. */
export function regionChoices(state: AppState): { code: string; name: string }[] {
  const own = homeRegion(state);
  return [own, ...childrenOf(state, own).map((p) => p.code)].map((code) => ({ code, name: placeName(state, code) }));
}

/** The path from the user's own node down to `code`, for a breadcrumb. */
export function pathTo(state: AppState, code: string): string[] {
  const own = homeRegion(state);
  const path: string[] = [];
  for (let at: string | null | undefined = code; at; at = placeOf(state, at)?.parent) {
    path.unshift(at);
    if (at === own) return path;
  }
  return [own];
}

export function channelName(state: AppState, code: string | null): string {
  if (!code) return t('未记录', 'not recorded');
  const zh = (state.reference.channels as Record<string, string>)[code];
  return zh ? t(zh, code) : code;
}
