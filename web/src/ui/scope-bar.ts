/**
 * The region and year every figure of a page is for, read from and written to the URL. The
 * region defaults to the user's own node; the year to the last complete one.
 */
import { homeRegion, regionChoices, useApp, type AppState } from '../context.js';
import { chinaToday } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { setParams, useLocation } from '../router.js';

export interface Scope {
  region: string;
  year: number;
}

const thisYear = () => Number(chinaToday().slice(0, 4));

/** The scope in the URL, confined to what the user may choose (a hand-edited URL falls back to the defaults). */
export function readScope(state: AppState, params: URLSearchParams): Scope {
  const choices = regionChoices(state).map((c) => c.code);
  const asked = params.get('region') ?? '';
  const year = Number(params.get('year'));
  return {
    region: choices.includes(asked) ? asked : homeRegion(state),
    year: Number.isInteger(year) && year >= 2000 && year <= thisYear() ? year : thisYear() - 1,
  };
}

export function useScope(): Scope {
  const state = useApp();
  return readScope(state, useLocation().params);
}

export function ScopeBar({ withYear = true, note }: { withYear?: boolean; note?: string }) {
  const state = useApp();
  const scope = useScope();
  const years = [0, 1, 2, 3, 4, 5, 6].map((back) => thisYear() - back);
  return html`<section class="card toolbar" aria-label=${t('范围', 'scope')}>
    <label>${t('区域', 'Region')}
      <select id="region" value=${scope.region} onChange=${(e: Event) => setParams({ region: (e.target as HTMLSelectElement).value })}>
        ${regionChoices(state).map((c) => html`<option value=${c.code}>${c.name}</option>`)}
      </select>
    </label>
    ${withYear
      ? html`<label>${t('年度', 'Year')}
          <select id="year" value=${String(scope.year)} onChange=${(e: Event) => setParams({ year: (e.target as HTMLSelectElement).value })}>
            ${years.map((y) => html`<option value=${String(y)}>${y === thisYear() ? t(`${y}（截至 ${chinaToday().slice(5)}）`, `${y} (to ${chinaToday().slice(5)})`) : String(y)}</option>`)}
          </select>
        </label>`
      : null}
    ${note ? html`<p class="note">${note}</p>` : null}
  </section>`;
}
