/**
 * The explorer's charts: the main chart of the view (compared side by side when asked), and
 * the small charts of the same measure by channel, by month and by the level under the region
 * that cross-filter. A small chart obeys every filter but its own dimension's: it keeps
 * showing all its values and highlights the chosen ones, while the other charts and the table
 * show only them. Each small chart lists its values as buttons too, so the same choice can be
 * made by keyboard (a canvas takes no focus).
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { setParams } from '../../router.js';
import { placeName, useApp, type AppState } from '../../context.js';
import { formatValue } from '../../format.js';
import { html } from '../../html.js';
import { label, t } from '../../i18n.js';
import { CHART_COLORS } from '../../../../domain/chart-options.js';
import { useLoad, type Loaded } from '../../use-load.js';
import { Chart, echarts, type ChartClick } from '../../ui/chart.js';
import { Panel } from '../../ui/panel.js';
import { figures, type Figures } from './api.js';
import { dimensionLabel, keyOf, nothingIn, periodText, question, regionPatch, TIME_GRAINS, toggleFilter, valueName, valueOf, type Row, type View } from './view.js';

echarts.use([BarChart, LineChart, PieChart]);

const [RED, GREY] = CHART_COLORS;
const INK = '#1f2328';
/** The plot area of the bar and line charts, in pixels (also on the element, as data-grid). */
export const GRID = { left: 56, right: 16, top: 32, bottom: 64 };

export type ChartKind = 'bar' | 'line' | 'pie';

/** What a chart says instead of drawing: the period has no data at all, or the selection has none. */
export function emptyText(state: AppState, view: View, absent: string | null, rows: readonly Row[]): string | null {
  if (absent) return absent;
  if (!rows.length || nothingIn(rows)) {
    const filtered = Object.keys(view.filters).length > 0;
    return filtered
      ? t(`${placeName(state, view.region)} ${periodText(view)} 在所选筛选条件下没有数据（${label(view.measure)}为空或为 0）：不画零值图。`, `No data for ${placeName(state, view.region)} in ${periodText(view)} under the chosen filters (${label(view.measure)} is empty or 0): nothing is drawn as zeros.`)
      : t(`${placeName(state, view.region)} ${periodText(view)} 没有数据（${label(view.measure)}为空或为 0）：不画零值图。`, `No data for ${placeName(state, view.region)} in ${periodText(view)} (${label(view.measure)} is empty or 0): nothing is drawn as zeros.`);
  }
  return null;
}

const scaled = (view: View, v: number | null | undefined) => (v == null ? null : view.measure.kind === 'rate' ? Math.round(v * 1000) / 10 : v);

interface Drawing {
  state: AppState;
  view: View;
  by: string;
  kind: ChartKind;
  rows: readonly Row[];
  id: string;
  label: string;
  height: number;
  /** The previous period's series beside the current one (the main chart when comparing). */
  previous?: boolean;
  onPick: (code: string) => void;
}

/** The chart of `rows` (a plain function, not a component: it is called inside a panel's render, so it uses no hook). */
function drawing({ state, view, by, kind, rows, id, label: title, height, previous, onPick }: Drawing) {
  const codes = rows.map((r) => keyOf(r, by));
  const names = codes.map((c) => valueName(state, by, c));
  const chosen = new Set(view.filters[by] ?? []);
  const dim = (i: number) => chosen.size > 0 && !chosen.has(String(codes[i]));
  const pick = (click: ChartClick & { dataIndex?: number }) => {
    const code = click.dataIndex === undefined ? null : codes[click.dataIndex];
    if (code != null) onPick(code);
  };
  const counts = view.measure.kind !== 'rate';
  const total = rows.reduce((s, r) => s + (valueOf(r) ?? 0), 0);
  const data: Record<string, string | number> = {
    by,
    measure: view.measure.id,
    rows: rows.length,
    keys: JSON.stringify(codes),
    values: JSON.stringify(rows.map(valueOf)),
    chosen: [...chosen].join(','),
    ...(counts ? { total } : {}),
    ...(kind !== 'pie' ? { grid: `${GRID.left},${GRID.right},${GRID.top},${GRID.bottom}` } : {}),
  };
  const format = (v: number | null) => (v == null ? '—' : counts ? formatValue(view.measure, v) : `${v}%`);

  if (kind === 'pie') {
    return html`<${Chart} id=${id} label=${title} height=${height} data=${data} onClick=${pick}
      option=${{
        tooltip: { trigger: 'item', renderMode: 'richText' },
        series: [{
          type: 'pie', radius: ['35%', '68%'], center: ['50%', '50%'], startAngle: 90, clockwise: true, avoidLabelOverlap: true,
          label: { formatter: '{b}\n{d}%', fontSize: 11 },
          data: rows.map((r, i) => ({ name: names[i], value: scaled(view, valueOf(r)), itemStyle: dim(i) ? { opacity: 0.3 } : chosen.size ? { borderColor: INK, borderWidth: 2 } : {} })),
        }],
      }} />`;
  }
  const item = (v: number | null, i: number) => ({ value: scaled(view, v), itemStyle: dim(i) ? { opacity: 0.3 } : chosen.size ? { borderColor: INK, borderWidth: 2 } : {} });
  const series = [
    { type: kind, name: t('本期', 'this period'), data: rows.map((r, i) => item(valueOf(r), i)), itemStyle: { color: RED }, lineStyle: { color: RED }, barMaxWidth: 48 },
    ...(previous && view.compare
      ? [{ type: kind, name: view.compare === 'yoy' ? t('上年同期', 'a year before') : t('上一期', 'the period before'), data: rows.map((r) => scaled(view, 'current' in r ? (r.previous?.value ?? null) : null)), itemStyle: { color: GREY }, lineStyle: { color: GREY, type: 'dashed' }, barMaxWidth: 48 }]
      : []),
  ];
  if (previous && view.compare) data['previous-total'] = rows.reduce((s, r) => s + ('current' in r ? (r.previous?.value ?? 0) : 0), 0);
  return html`<${Chart} id=${id} label=${title} height=${height} data=${data} onClick=${pick}
    option=${{
      tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (v: number | null) => format(v) },
      legend: { top: 0, show: series.length > 1 },
      grid: { ...GRID, containLabel: false },
      xAxis: { type: 'category', data: names, axisLabel: { rotate: names.length > 6 ? 40 : 0, fontSize: 10, interval: names.length > 40 ? 'auto' : 0 } },
      yAxis: { type: 'value', name: counts ? '' : '%', ...(counts ? {} : { max: 100 }) },
      series,
    }} />`;
}

/** The view's own chart; a district or street bar drills into it, any other value toggles its filter. */
export function MainChart({ view, loaded, absent }: { view: View; loaded: Loaded<Figures>; absent: string | null }) {
  const state = useApp();
  const kind: ChartKind = TIME_GRAINS.has(view.by) ? 'line' : 'bar';
  const title = `${label(view.measure)} · ${t('按', 'by')}${dimensionLabel(state, view.by)} · ${placeName(state, view.region)} · ${periodText(view)}`;
  const region = view.by === 'district' || view.by === 'street';
  const empty = loaded.data ? emptyText(state, view, absent, loaded.data.rows) : null;
  return html`<${Panel} id="main" title=${title} loaded=${loaded} wide empty=${() => empty}
      note=${empty ? null : region ? t('点击一个区域的柱即下钻到该区域。', 'Click a region’s bar to drill down into it.') : t('点击一个值即按它筛选其他图表（再次点击取消）。', 'Click a value to filter the other charts by it (click again to remove).')}>
    ${(d: Figures) => drawing({
      state, view, by: view.by, kind, rows: d.rows, id: 'main-chart', height: 340, previous: true,
      label: t(`${title}${kind === 'line' ? '折线图' : '柱状图'}`, `${kind === 'line' ? 'line' : 'bar'} chart of ${title}`),
      onPick: (code) => setParams(region ? regionPatch(state, view, code) : toggleFilter(view, view.by, code)),
    })}
  <//>`;
}

/** A small chart of the measure by one dimension, that filters the others and shows all of its own values. */
export function CrossChart({ view, by, kind, id, absent }: { view: View; by: string; kind: ChartKind; id: string; absent: string | null }) {
  const state = useApp();
  const q = question(view, by);
  const loaded = useLoad(() => figures(q), [JSON.stringify(q)]);
  const title = `${t('按', 'By ')}${dimensionLabel(state, by)}`;
  const chosen = view.filters[by] ?? [];
  const sorted = (rows: readonly Row[]) => (kind === 'line' ? rows : [...rows].sort((a, b) => (valueOf(b) ?? -1) - (valueOf(a) ?? -1)));
  const pick = (code: string) => setParams(toggleFilter(view, by, code));
  return html`<${Panel} id=${id} title=${title} loaded=${loaded} empty=${(d: Figures) => emptyText(state, view, absent, d.rows)}
      note=${chosen.length ? t('已按本图所选值筛选其他图表和数据表；本图仍显示全部值。', 'The other charts and the table show the chosen values only; this chart still shows all of its values.') : null}>
    ${(d: Figures) => {
      const rows = sorted(d.rows);
      return html`${drawing({ state, view, by, kind, rows, id: `${id}-chart`, height: 260, label: t(`${label(view.measure)}按${dimensionLabel(state, by)}${kind === 'pie' ? '环形图' : kind === 'line' ? '折线图' : '柱状图'}`, `${kind === 'pie' ? 'ring' : kind} chart of ${label(view.measure)} by ${dimensionLabel(state, by)}`), onPick: pick })}
        <details class="values" id=${`${id}-values`}>
          <summary>${t('各值（可用键盘筛选）', 'Values (filter by keyboard)')}</summary>
          <ul>${rows.map((r) => {
            const code = keyOf(r, by);
            return html`<li data-key=${code ?? ''} data-value=${valueOf(r) ?? ''}>
              ${code == null
                ? html`<span>${valueName(state, by, code)}</span>`
                : html`<button type="button" class="link" aria-pressed=${chosen.includes(code)} onClick=${() => pick(code)}>${valueName(state, by, code)}</button>`}
              <span class="num">${formatValue(view.measure, valueOf(r))}</span></li>`;
          })}</ul>
        </details>`;
    }}
  <//>`;
}
