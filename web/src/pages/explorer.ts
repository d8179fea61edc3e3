/**
 * The analysts' explorer (分析): any measure of the catalog by any dimension the catalog allows
 * for it (among them the source dimensions, src:NAME, that imports of the user's data declared),
 * over a year or a period, compared year on year or with the period before (drawn side by
 * side), with filters; drill-down along the region hierarchy (city → district → street: a
 * breadcrumb, and a click on a district's bar while broken down by district); cross-filtering
 * (a click on a slice, a point or a bar of a small chart filters every other chart and the
 * table, while that chart keeps all its values and highlights the chosen); the table of exactly
 * the main chart's numbers and its export as CSV, Excel, Parquet or Arrow; and, for trained
 * analysts, the read-only SQL console. Everything is in the URL (explorer/view.ts), so a link
 * reproduces the view.
 */
import { useState } from 'preact/hooks';
import { can, childrenOf, pathTo, placeName, useApp, type AppState } from '../context.js';
import { chinaToday } from '../format.js';
import { html } from '../html.js';
import { label, t } from '../i18n.js';
import { setParams, useLocation } from '../router.js';
import { useLoad, type Loaded } from '../use-load.js';
import { comparisonCaveat, coverageOf } from '../ui/coverage.js';
import { Missing } from '../ui/panel.js';
import { figures, type Figures } from './explorer/api.js';
import { CrossChart, MainChart, type ChartKind } from './explorer/charts.js';
import { SqlConsole } from './explorer/sql-console.js';
import { NumbersTable } from './explorer/table.js';
import {
  allowedDimensions,
  childDimension,
  dimensionLabel,
  keyOf,
  nothingIn,
  periodText,
  question,
  readView,
  regionPatch,
  sourceDimensionOf,
  thisYear,
  TIME_GRAINS,
  toggleFilter,
  valueName,
  valueOf,
  type View,
} from './explorer/view.js';
import './explorer.css';

const selected = (e: Event) => (e.target as HTMLSelectElement | HTMLInputElement).value;

/** The URL change of another measure: a breakdown or a filter it does not allow is dropped. */
function measurePatch(state: AppState, view: View, id: string): Record<string, string | null> {
  const next = state.catalog?.measures.find((m) => m.id === id);
  if (!next) return {};
  const allowed = allowedDimensions(next);
  const patch: Record<string, string | null> = { measure: id };
  if (!allowed.includes(view.by)) patch.by = null;
  for (const d of Object.keys(view.filters)) if (!allowed.includes(d)) patch[`f.${d}`] = null;
  return patch;
}

/** Dimensions as options: the catalog's own, then those imports declared (src:NAME), grouped apart. */
function dimensionOptions(state: AppState, ids: readonly string[]) {
  const option = (d: string) => html`<option value=${d}>${dimensionLabel(state, d)}</option>`;
  const declared = ids.filter((d) => sourceDimensionOf(state, d));
  return html`${ids.filter((d) => !sourceDimensionOf(state, d)).map(option)}
    ${declared.length ? html`<optgroup label=${t('导入数据的维度', 'Dimensions of imported data')}>${declared.map(option)}</optgroup>` : null}`;
}

/** Where each source dimension the view breaks down or filters by comes from: the import mapping and its column. */
function sourceNote(state: AppState, view: View) {
  const used = [...new Set([view.by, ...Object.keys(view.filters)])].flatMap((d) => sourceDimensionOf(state, d) ?? []);
  if (!used.length) return null;
  return html`<p class="note" id="source-dimensions">${used.map((d) =>
    t(`“${d.labelZh}”是导入映射 ${d.declaredBy.mapping} 保留的源数据列 ${d.declaredBy.column}。`, `“${d.labelEn}” is the source column ${d.declaredBy.column} kept by the import mapping ${d.declaredBy.mapping}. `),
  )}</p>`;
}

function Question({ view }: { view: View }) {
  const state = useApp();
  const { params } = useLocation();
  const measures = state.catalog?.measures ?? [];
  const years = Array.from({ length: 7 }, (_, back) => thisYear() - back);
  if (!years.includes(view.year)) years.push(view.year);
  const period = Boolean(view.from && view.to);
  const today = chinaToday();
  return html`<section class="card toolbar explorer-question" aria-label=${t('分析条件', 'question')}>
    <label>${t('指标', 'Measure')}
      <select id="explore-measure" value=${view.measure.id} onChange=${(e: Event) => setParams(measurePatch(state, view, selected(e)))}>
        ${measures.map((m) => html`<option value=${m.id}>${label(m)}</option>`)}
      </select></label>
    <label>${t('分组维度', 'Break down by')}
      <select id="explore-by" value=${view.by} onChange=${(e: Event) => setParams({ by: selected(e) })}>
        ${dimensionOptions(state, allowedDimensions(view.measure))}
      </select></label>
    <label>${t('年度', 'Year')}
      <select id="year" value=${String(view.year)} onChange=${(e: Event) => setParams({ year: selected(e), from: null, to: null })}>
        ${years.map((y) => html`<option value=${String(y)}>${y === thisYear() ? t(`${y}（截至 ${today.slice(5)}）`, `${y} (to ${today.slice(5)})`) : String(y)}</option>`)}
      </select></label>
    <fieldset class="period">
      <legend>${t('或起止日期', 'or a period')}</legend>
      <label>${t('起', 'From')} <input id="explore-from" type="date" value=${params.get('from') ?? ''} max=${today}
        onChange=${(e: Event) => setParams({ from: selected(e) })} /></label>
      <label>${t('止', 'To')} <input id="explore-to" type="date" value=${params.get('to') ?? ''}
        onChange=${(e: Event) => setParams({ to: selected(e) })} /></label>
      ${params.has('from') || params.has('to')
        ? html`<button type="button" class="secondary" id="explore-use-year" onClick=${() => setParams({ from: null, to: null })}>${t('改按年度', 'Use the year')}</button>`
        : null}
    </fieldset>
    <label>${t('时间比较', 'Compare')}
      <select id="explore-compare" value=${view.compare ?? ''} onChange=${(e: Event) => setParams({ compare: selected(e) || null })}>
        <option value="">${t('不比较', 'none')}</option>
        <option value="yoy">${t('同比（上年同期）', 'year on year')}</option>
        <option value="pop">${t('环比（上一期）', 'period on period')}</option>
      </select></label>
    <p class="note" title=${view.measure.basedOn}>${view.measure.description} ${t('日期口径', 'Date basis')}: ${view.measure.basis}.
      ${period ? t(` 按起止日期 ${periodText(view)}，年度不适用。`, ` The period ${periodText(view)} applies; the year does not.`) : ''}</p>
    ${sourceNote(state, view)}
  </section>`;
}

/** Where the view is in the region hierarchy, and the way down by keyboard. */
function RegionBar({ view }: { view: View }) {
  const state = useApp();
  const path = pathTo(state, view.region);
  const children = childrenOf(state, view.region);
  return html`<section class="card region-bar" aria-label=${t('区域', 'region')}>
    <nav aria-label=${t('区域层级', 'region hierarchy')} class="breadcrumb" id="breadcrumb"><ol>
      ${path.map((code, i) => html`<li data-region=${code}>${i === path.length - 1
        ? html`<span aria-current="location">${placeName(state, code)}</span>`
        : html`<button type="button" class="link" onClick=${() => setParams(regionPatch(state, view, code))}>${placeName(state, code)}</button>`}</li>`)}
    </ol></nav>
    ${children.length
      ? html`<label class="inline">${t('下钻到', 'Drill into')}
          <select id="explore-child" value="" onChange=${(e: Event) => selected(e) && setParams(regionPatch(state, view, selected(e)))}>
            <option value="">${t(`（${children.length} 个下级区域）`, `(${children.length} regions under it)`)}</option>
            ${children.map((c) => html`<option value=${c.code}>${placeName(state, c.code)}</option>`)}
          </select></label>`
      : null}
  </section>`;
}

/** The filters as removable chips, and a form to add one by dimension and value. */
function Filters({ view }: { view: View }) {
  const state = useApp();
  const entries = Object.entries(view.filters);
  const offered = allowedDimensions(view.measure).filter((d) => !TIME_GRAINS.has(d) || d === 'month');
  const [dimension, setDimension] = useState('');
  const [value, setValue] = useState('');
  const chosenDimension = offered.includes(dimension) ? dimension : '';
  const q = chosenDimension ? question(view, chosenDimension) : null;
  // The answer names its dimension: until the one chosen has come, the previous one's values are not offered.
  const values = useLoad(() => (q ? figures(q).then((f) => ({ dimension: chosenDimension, rows: f.rows })) : Promise.resolve(null)), [JSON.stringify(q)]);
  const current = values.state === 'ready' && values.data?.dimension === chosenDimension ? values.data : null;
  const choices = (current?.rows ?? []).filter((r) => keyOf(r, chosenDimension) != null && valueOf(r));
  const add = (e: Event) => {
    e.preventDefault();
    if (!chosenDimension || !value || (view.filters[chosenDimension] ?? []).includes(value)) return;
    setParams(toggleFilter(view, chosenDimension, value));
    setValue('');
  };
  return html`<section class="card filters" id="filters" aria-label=${t('筛选条件', 'filters')} data-count=${entries.reduce((n, [, v]) => n + v.length, 0)}>
    <div class="chips">
      <span class="chips-label">${t('筛选：', 'Filters:')}</span>
      ${entries.length ? null : html`<span class="note">${t('无（点击图中的扇区、点或柱即可添加）', 'none (click a slice, a point or a bar to add one)')}</span>`}
      ${entries.flatMap(([d, vs]) => vs.map((v) => html`<button type="button" class="chip" data-filter=${`${d}=${v}`} onClick=${() => setParams(toggleFilter(view, d, v))}
          aria-label=${t(`移除筛选 ${dimensionLabel(state, d)}：${valueName(state, d, v)}`, `remove the filter ${dimensionLabel(state, d)}: ${valueName(state, d, v)}`)}>
          ${dimensionLabel(state, d)}: ${valueName(state, d, v)} <span aria-hidden="true">✕</span></button>`))}
      ${entries.length ? html`<button type="button" class="link" id="filters-clear" onClick=${() => setParams(Object.fromEntries(entries.map(([d]) => [`f.${d}`, null])))}>${t('清除全部筛选', 'clear all filters')}</button>` : null}
    </div>
    <form class="inline add-filter" onSubmit=${add}>
      <label>${t('筛选维度', 'Filter by')}
        <select id="filter-dimension" value=${chosenDimension} onChange=${(e: Event) => { setDimension(selected(e)); setValue(''); }}>
          <option value="">${t('（选择维度）', '(choose)')}</option>
          ${dimensionOptions(state, offered)}
        </select></label>
      <label>${t('取值', 'Value')}
        <select id="filter-value" value=${value} disabled=${!current} aria-busy=${Boolean(chosenDimension) && values.state === 'loading'} onChange=${(e: Event) => setValue(selected(e))}>
          <option value="">${!chosenDimension ? '—' : values.state === 'error' ? t('取值加载失败', 'could not load the values') : !current ? t('加载中…', 'Loading…') : t(`（${choices.length} 个取值）`, `(${choices.length} values)`)}</option>
          ${choices.map((r) => {
            const code = keyOf(r, chosenDimension)!;
            return html`<option value=${code}>${valueName(state, chosenDimension, code)}</option>`;
          })}
        </select></label>
      <button type="submit" id="filter-add" disabled=${!chosenDimension || !value}>${t('添加筛选', 'Add the filter')}</button>
    </form>
  </section>`;
}

/** The period has no data at all for the measure's source: said instead of any chart. */
function usePresence(state: AppState, view: View) {
  const probe = view.measure.source === 'cases' ? 'cases' : view.measure.id;
  const q = question({ ...view, measure: state.catalog?.measures.find((m) => m.id === probe) ?? view.measure }, null, { filters: false });
  const loaded = useLoad(() => figures(q), [JSON.stringify(q)]);
  const row = loaded.state === 'ready' ? loaded.data.rows[0] : undefined;
  if (loaded.state !== 'ready') return null;
  const current = row && ('current' in row ? row.current : row);
  const some = current ? (current.denominator ?? current.value ?? 0) > 0 : false;
  if (some) return null;
  const place = placeName(state, view.region);
  return view.measure.source === 'cases'
    ? t(`${place} ${periodText(view)} 没有数据（没有收到任何信访事项）：不显示图表，以免把数据缺失当作结果。`, `No data for ${place} in ${periodText(view)} (no case received): no chart is shown, so that missing data is not read as a result.`)
    : t(`${place} ${periodText(view)} 没有数据（${label(view.measure)}无记录）：不显示图表，以免把数据缺失当作结果。`, `No data for ${place} in ${periodText(view)} (no record of ${label(view.measure)}): no chart is shown, so that missing data is not read as a result.`);
}

/** Why the comparison is not like for like, or null: a time filter, a year before without (all) its months, a previous period without data. */
function useComparisonCaveat(view: View, main: Loaded<Figures>) {
  const yearly = view.compare === 'yoy' && !view.from && view.measure.source === 'cases';
  const coverage = useLoad(() => (yearly ? coverageOf(view.region, view.year) : Promise.resolve(null)), [yearly, view.region, view.year]);
  if (!view.compare) return null;
  const timeFilter = Object.keys(view.filters).find((d) => TIME_GRAINS.has(d));
  if (timeFilter) return t('按时间筛选时，比较期用同一时间值筛选，没有可比数据：请去掉时间筛选再比较。', 'With a time filter the compared period is filtered by the same time value and has no comparable data: remove the time filter to compare.');
  if (coverage.data) {
    const caveat = comparisonCaveat(coverage.data);
    if (caveat) return caveat;
  }
  const rows = main.state === 'ready' ? main.data.rows : [];
  if (rows.length && !nothingIn(rows) && rows.every((r) => !('current' in r) || !r.previous?.value)) {
    return t('比较期没有数据：无法比较。', 'The compared period has no data: no comparison.');
  }
  return null;
}

export default function Explorer() {
  const state = useApp();
  const { params } = useLocation();
  if (!state.catalog?.measures.length) return html`<${Missing}>${t('指标目录不可用。', 'The metrics catalog is not available.')}<//>`;
  const view = readView(state, params);
  return html`<${ExplorerView} view=${view} />`;
}

function ExplorerView({ view }: { view: View }) {
  const state = useApp();
  const q = question(view, view.by, { compare: true });
  const main = useLoad(() => figures(q), [JSON.stringify(q)]);
  const absent = usePresence(state, view);
  const caveat = useComparisonCaveat(view, main);
  const allowed = allowedDimensions(view.measure);
  const child = childDimension(state, view.region);
  const side: [string, ChartKind, string][] = [
    ['channel', 'pie', 'by-channel'],
    ['month', 'line', 'by-month'],
    ...(child ? [[child, 'bar', 'by-region'] as [string, ChartKind, string]] : []),
  ];
  const cross = side.filter(([d]) => allowed.includes(d) && d !== view.by);
  const toDate = !view.from && view.year === thisYear();
  return html`<div class="page" id="explorer" data-measure=${view.measure.id} data-by=${view.by} data-region=${view.region}>
    <${Question} view=${view} />
    <${RegionBar} view=${view} />
    <${Filters} view=${view} />
    ${view.problems.length ? html`<${Missing}>${view.problems.join(t('；', '; '))}<//>` : null}
    ${toDate ? html`<p class="note banner">${t(`${view.year} 年尚未结束：数字截至今日，本月未完。`, `${view.year} is not over: figures are to date, this month is partial.`)}</p>` : null}
    ${caveat && !absent ? html`<div id="compare-caveat"><${Missing}>${caveat}<//></div>` : null}
    <${MainChart} view=${view} loaded=${main} absent=${absent} />
    ${cross.length
      ? html`<div class=${`row explorer-cross n${cross.length}`}>${cross.map(([d, kind, id]) => html`<${CrossChart} key=${id} view=${view} by=${d} kind=${kind} id=${id} absent=${absent} />`)}</div>`
      : null}
    <${NumbersTable} view=${view} q=${q} loaded=${main} absent=${absent} />
    ${can(state, 'sql.console') ? html`<${SqlConsole} year=${view.year} />` : null}
  </div>`;
}
