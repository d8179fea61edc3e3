/**
 * Bar and line charts as data, and the one ECharts option made from them: the dashboard draws
 * it on a canvas, the reports render the same option to SVG on the server (analytics/reports/
 * charts.ts), so a chart in a report is the chart a leader saw on screen. No ECharts code here,
 * only its option type, so the web bundle pays for nothing it does not draw.
 */
import type { EChartsCoreOption } from 'echarts/core';

export interface ChartSpec {
  type: 'bar' | 'line';
  categories: string[];
  /** A dashed series is the comparison (the same month a year before). */
  series: { name: string; values: (number | null)[]; dashed?: boolean }[];
  /** The value axis' unit (件). */
  unit: string;
  /** Long category names (fields, organs) read better as horizontal bars. */
  horizontal?: boolean;
}

/** The series colours: the current period red, its comparison grey, as on every page. */
export const CHART_COLORS = ['#b8322f', '#8c959f'] as const;

/**
 * `screen`: tooltips, no value labels (the dashboard's Chart adds the canvas settings);
 * `print`: values written on the bars and no tooltip, for paper.
 */
export function chartOption(spec: ChartSpec, medium: 'screen' | 'print'): EChartsCoreOption {
  const print = medium === 'print';
  const category = { type: 'category', data: spec.categories, ...(print ? { axisLabel: { interval: 0, fontSize: 11 } } : {}) };
  const value = { type: 'value', name: spec.unit, minInterval: 1 };
  const legend = spec.series.length > 1;
  return {
    color: [...CHART_COLORS],
    ...(print ? { animation: false, backgroundColor: '#ffffff' } : { tooltip: { trigger: 'axis', renderMode: 'richText' } }),
    ...(legend ? { legend: { top: 0 } } : {}),
    grid: { left: spec.horizontal ? (print ? 110 : 96) : 52, right: 24, top: legend ? 32 : spec.horizontal ? 8 : 28, bottom: 32 },
    xAxis: spec.horizontal ? value : category,
    // Horizontal bars read from the top: the largest first.
    yAxis: spec.horizontal ? { ...category, inverse: true } : value,
    series: spec.series.map((s) => ({
      type: spec.type,
      name: s.name,
      data: s.values,
      ...(print && spec.type === 'bar' ? { label: { show: true, position: spec.horizontal ? 'right' : 'top', fontSize: 10 } } : {}),
      ...(spec.type === 'line' ? { symbolSize: 6, connectNulls: false, ...(s.dashed ? { lineStyle: { type: 'dashed' } } : {}) } : {}),
    })),
  };
}
