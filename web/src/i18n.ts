/**
 * The page's language: Chinese by default, English on the user's choice (kept in the
 * browser, not the URL: a shared link opens in the reader's own language). Every text is
 * written once with both languages side by side at its place of use, `t('年度', 'Year')`,
 * so a label can never exist in one language only.
 */
export type Lang = 'zh' | 'en';

const STORAGE_KEY = 'xinfang.lang';
let current: Lang = readStored();
const listeners = new Set<() => void>();

function readStored(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export const lang = (): Lang => current;

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // A browser refusing storage still switches for this page.
  }
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The text in the page's language. */
export const t = (zh: string, en: string): string => (current === 'zh' ? zh : en);

/** An English word as a heading begins it: "district" → "District". */
export const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** A catalog entry's label (measure, dimension, role) in the page's language. */
export const label = (x: { labelZh: string; labelEn: string }): string => (current === 'zh' ? x.labelZh : x.labelEn);

document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
