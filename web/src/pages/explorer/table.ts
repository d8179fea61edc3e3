/**
 * The table of exactly the main chart's numbers (the same answer, not a second request), with
 * numerator, denominator and interval for a rate and the compared period's figure and the
 * change when comparing; and the export of the same question as a file. A row's first cell
 * does what a click on its bar does (drill into a region, or filter by the value), by keyboard.
 */
import type { MetricsQuery } from '../../api.js';
import { placeName, useApp } from '../../context.js';
import { changeTone, formatChange, formatCount, formatRate, formatValue, measureTitle } from '../../format.js';
import { html } from '../../html.js';
import { label, t } from '../../i18n.js';
import { setParams } from '../../router.js';
import type { Loaded } from '../../use-load.js';
import { Panel } from '../../ui/panel.js';
import { EXPORT_FORMATS, exportHref, type Figures } from './api.js';
import { emptyText } from './charts.js';
import { currentOf, dimensionLabel, keyOf, periodText, regionPatch, toggleFilter, valueName, type View } from './view.js';

function Exports({ q, disabled }: { q: MetricsQuery; disabled: boolean }) {
  return html`<div class="controls" id="exports" role="group" aria-label=${t('导出本表', 'export this table')}>
    ${EXPORT_FORMATS.map(([format, name]) =>
      disabled
        ? html`<span class="button disabled" data-format=${format} aria-disabled="true">${t('导出', 'Export')} ${name}</span>`
        : html`<a class="button" href=${exportHref(q, format)} download data-format=${format}>${t('导出', 'Export')} ${name}</a>`,
    )}
  </div>`;
}

export function NumbersTable({ view, q, loaded, absent }: { view: View; q: MetricsQuery; loaded: Loaded<Figures>; absent: string | null }) {
  const state = useApp();
  const m = view.measure;
  const rate = m.kind === 'rate';
  const comparing = Boolean(view.compare);
  const region = view.by === 'district' || view.by === 'street';
  const chosen = new Set(view.filters[view.by] ?? []);
  const empty = loaded.data ? emptyText(state, view, absent, loaded.data.rows) : null;
  const previousName = view.compare === 'yoy' ? t('上年同期', 'A year before') : t('上一期', 'Period before');
  return html`<${Panel} id="numbers" title=${`${t('数据表', 'Table')} · ${label(m)} · ${t('按', 'by ')}${dimensionLabel(state, view.by)}`} loaded=${loaded} wide
      tools=${html`<${Exports} q=${q} disabled=${loaded.state !== 'ready' || Boolean(empty)} />`}
      empty=${() => empty}
      note=${loaded.data
        ? t(`即主图中的数字。${placeName(state, view.region)}，${loaded.data.request.from} 至 ${loaded.data.request.to}，截至 ${loaded.data.request.asOf}。导出的文件即本表（同一查询）。`, `The numbers of the main chart. ${placeName(state, view.region)}, ${loaded.data.request.from} to ${loaded.data.request.to}, as of ${loaded.data.request.asOf}. The export is this table (the same query).`)
        : null}>
    ${(d: Figures) => html`<div class="scroll"><table id="numbers-table" title=${measureTitle(m)} data-rows=${d.rows.length}>
      <caption class="sr-only">${label(m)} · ${dimensionLabel(state, view.by)} · ${periodText(view)}</caption>
      <thead><tr>
        <th scope="col">${dimensionLabel(state, view.by)}</th>
        <th scope="col" class="num">${label(m)}</th>
        ${rate ? html`<th scope="col" class="num">${t('分子', 'Numerator')}</th><th scope="col" class="num">${t('分母', 'Denominator')}</th><th scope="col" class="num">${t('95% 区间', '95% interval')}</th>` : null}
        ${comparing ? html`<th scope="col" class="num">${previousName}</th><th scope="col" class="num">${t('变化', 'Change')}</th>` : null}
      </tr></thead>
      <tbody>${d.rows.map((r) => {
        const current = currentOf(r);
        const code = keyOf(r, view.by);
        const previous = 'current' in r ? r.previous : null;
        const act = code == null ? null : () => setParams(region ? regionPatch(state, view, code) : toggleFilter(view, view.by, code));
        return html`<tr data-key=${code ?? ''} data-value=${current.value ?? ''} data-previous=${previous?.value ?? ''}
          data-numerator=${current.numerator ?? ''} data-denominator=${current.denominator ?? ''} class=${code != null && chosen.has(code) ? 'chosen' : ''}>
          <th scope="row">${act
            ? html`<button type="button" class="link" onClick=${act} aria-pressed=${region ? undefined : chosen.has(code!)}
                title=${region ? t('下钻到该区域', 'drill down into it') : t('按此值筛选其他图表', 'filter the other charts by it')}>${valueName(state, view.by, code)}</button>`
            : valueName(state, view.by, code)}</th>
          <td class="num">${formatValue(m, current.value)}</td>
          ${rate
            ? html`<td class="num">${current.numerator === undefined ? '—' : formatCount(current.numerator)}</td>
                <td class="num">${current.denominator === undefined ? '—' : formatCount(current.denominator)}</td>
                <td class="num">${current.interval && current.denominator ? `${formatRate(current.interval[0])} – ${formatRate(current.interval[1])}` : '—'}</td>`
            : null}
          ${comparing ? html`<td class="num">${formatValue(m, previous?.value)}</td><td class=${`num ${'current' in r ? changeTone(m.better, r.change) : ''}`}>${'current' in r ? formatChange(m, r.change, r.relative) : '—'}</td>` : null}
        </tr>`;
      })}</tbody></table></div>`}
  <//>`;
}
