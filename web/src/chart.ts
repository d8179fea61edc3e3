// Only the pieces this chart uses, so the bundle stays small.
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { Measure, MetricRow } from './api.js';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

const BAR = '#b8322f';
const PARTIAL = '#e3a29f';

/**
 * One measure by month as bars. A month still under way (`partialMonth`) is drawn lighter:
 * its count is not comparable with a whole month's yet.
 */
export function drawByMonth(element: HTMLElement, measure: Measure, rows: MetricRow[], partialMonth?: string): void {
  const chart = echarts.getInstanceByDom(element) ?? echarts.init(element);
  const months = rows.map((r) => r.dims.month ?? '');
  chart.setOption({
    color: [BAR],
    // Drawn on the canvas: the HTML tooltip writes style attributes, which the page's CSP refuses.
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    grid: { left: 52, right: 16, top: 24, bottom: 40 },
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', name: measure.kind === 'rate' ? '%' : '件' },
    series: [
      {
        type: 'bar',
        name: `${measure.labelZh} ${measure.labelEn}`,
        data: rows.map((r) => ({
          value: r.value,
          ...(r.dims.month === partialMonth ? { itemStyle: { color: PARTIAL } } : {}),
        })),
      },
    ],
    animation: false,
  });
  element.dataset.state = 'ready';
  element.dataset.points = String(rows.length);
  element.dataset.from = months[0] ?? '';
  element.dataset.to = months[months.length - 1] ?? '';
  element.dataset.total = String(rows.reduce((sum, r) => sum + (r.value ?? 0), 0));
  if (!resizers.has(element)) {
    const resize = () => chart.resize();
    resizers.set(element, resize);
    window.addEventListener('resize', resize);
  }
}

const resizers = new Map<HTMLElement, () => void>();

/** Lets go of every chart drawn, before their elements leave the page (at logout). */
export function disposeCharts(): void {
  for (const [element, resize] of resizers) {
    window.removeEventListener('resize', resize);
    echarts.dispose(element);
  }
  resizers.clear();
}
