/**
 * Everything the user chose lives in the URL (page, region, year, filters, the selected
 * alert), so a view can be bookmarked, shared and gone back to. The page is the path
 * (/overview, /explorer, ...), the rest the query string. A change of view pushes a history
 * entry; typing in a field replaces it, so Back does not step through keystrokes.
 */
import { useEffect, useState } from 'preact/hooks';

export const PAGES = ['overview', 'explorer', 'warnings', 'cases', 'duties', 'accountability', 'recommendations', 'reports', 'admin'] as const;
export type PageId = (typeof PAGES)[number];

export interface Location {
  page: PageId | null;
  params: URLSearchParams;
}

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener('popstate', notify);

export function currentLocation(): Location {
  const path = location.pathname.replace(/^\/+|\/+$/g, '');
  const page = (PAGES as readonly string[]).includes(path) ? (path as PageId) : null;
  return { page, params: new URLSearchParams(location.search) };
}

function go(url: string, replace: boolean): void {
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  notify();
}

const urlOf = (page: PageId, params: URLSearchParams) => {
  const search = params.toString();
  return `/${page}${search ? `?${search}` : ''}`;
};

/** Another page; the region and year travel with the user unless `params` says otherwise. */
export function navigate(page: PageId, params: Record<string, string> = {}): void {
  const now = currentLocation().params;
  const next = new URLSearchParams();
  for (const key of ['region', 'year']) {
    const value = now.get(key);
    if (value) next.set(key, value);
  }
  for (const [key, value] of Object.entries(params)) next.set(key, value);
  go(urlOf(page, next), false);
}

/** Sets (a string) or clears (null) parameters of the current page. */
export function setParams(patch: Record<string, string | null>, options: { replace?: boolean } = {}): void {
  const { page, params } = currentLocation();
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === '') params.delete(key);
    else params.set(key, value);
  }
  go(urlOf(page ?? 'overview', params), options.replace ?? false);
}

/** Replaces an unknown path by the page the user should land on (keeping the query), or by the root when no page is the user's. */
export function redirect(page: PageId | null): void {
  go(page ? urlOf(page, currentLocation().params) : '/', true);
}

/** The location, re-rendering the component whenever it changes. */
export function useLocation(): Location {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return currentLocation();
}

/** A link that navigates without reloading the page, and opens in a new tab when asked to. */
export function linkHandler(page: PageId, params: Record<string, string> = {}) {
  return (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(page, params);
  };
}
