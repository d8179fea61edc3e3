// Only the pieces this chart uses, so the bundle stays small.
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { CasesByMonth } from './api.js';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export function drawCasesByMonth(element: HTMLElement, data: CasesByMonth): void {
  const chart = echarts.getInstanceByDom(element) ?? echarts.init(element);
  chart.setOption({
    color: ['#b8322f'],
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 16, top: 16, bottom: 40 },
    xAxis: { type: 'category', data: data.rows.map((r) => r.month) },
    yAxis: { type: 'value', name: '件' },
    series: [{ type: 'bar', name: data.measure.labelZh, data: data.rows.map((r) => r.cases) }],
    animation: false,
  });
  element.dataset.state = 'ready';
  element.dataset.points = String(data.rows.length);
  element.dataset.total = String(data.rows.reduce((sum, r) => sum + r.cases, 0));
  window.addEventListener('resize', () => chart.resize());
}
