/**
 * An ECharts chart as a component. Only echarts/core and the canvas renderer are shared; each
 * page registers the chart types it draws (`echarts.use` in the page's module), so a page
 * loads only its own charts. The options are plain data the page builds from API answers.
 */
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { GridComponent, TooltipComponent, LegendComponent } from 'echarts/components';
import { useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';

echarts.use([CanvasRenderer, GridComponent, TooltipComponent, LegendComponent]);
export { echarts };

export type ChartOption = echarts.EChartsCoreOption;
/** What a click on a bar, slice or region gives: its category name and the series' data. */
export interface ChartClick {
  name: string;
  seriesName?: string;
  data?: unknown;
}

export interface ChartProps {
  option: ChartOption;
  /** What the chart shows, for screen readers (a canvas says nothing by itself). */
  label: string;
  onClick?: (click: ChartClick) => void;
  id?: string;
  height?: number;
  /** Attributes for tests and for reading the figures off the page. */
  data?: Record<string, string | number>;
}

export function Chart({ option, label, onClick, id, height = 300, data = {} }: ChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;
  useEffect(() => {
    const element = ref.current!;
    const instance = echarts.init(element);
    chart.current = instance;
    instance.on('click', (params) => click.current?.(params as unknown as ChartClick));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    // Drawn on the canvas: the HTML tooltip writes style attributes, which the page's CSP refuses.
    chart.current?.setOption({ animation: false, tooltip: { renderMode: 'richText' }, ...option }, true);
    ref.current!.dataset.drawn = 'true';
  }, [option]);
  const attributes = Object.fromEntries(Object.entries(data).map(([k, v]) => [`data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)]));
  return html`<div ref=${ref} id=${id} class="chart" role="img" aria-label=${label} style=${{ height: `${height}px` }} ...${attributes}></div>`;
}
