/**
 * A report's charts, drawn on the server from ECharts options: ECharts' server-side renderer
 * gives SVG (inline in HTML and PDF), resvg rasterises it to PNG for Word, which has no SVG of
 * its own in every version. The text in a chart is the CJK sans face from fonts-noto-cjk.
 */
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

/** What a chart shows, as data: the report document keeps this, not a picture. */
export interface ChartSpec {
  type: 'bar' | 'line';
  categories: string[];
  series: { name: string; values: (number | null)[] }[];
  /** The y axis' unit (件). */
  unit: string;
  /** Long category names (fields, organs) read better as horizontal bars. */
  horizontal?: boolean;
}

export const CHART_SIZE = { width: 640, height: 320 } as const;
const CHART_FONT = 'Noto Sans CJK SC';

/** The ECharts option of a chart: plain data, as the dashboard's charts are. */
export function echartsOption(spec: ChartSpec): echarts.EChartsCoreOption {
  const category = { type: 'category', data: spec.categories, axisLabel: { interval: 0, fontSize: 11 } };
  const value = { type: 'value', name: spec.unit, minInterval: 1 };
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT },
    legend: spec.series.length > 1 ? { top: 0 } : undefined,
    grid: { left: spec.horizontal ? 110 : 50, right: 24, top: spec.series.length > 1 ? 36 : 28, bottom: 36 },
    xAxis: spec.horizontal ? value : category,
    yAxis: spec.horizontal ? { ...category, inverse: true } : value,
    series: spec.series.map((s) => ({
      type: spec.type,
      name: s.name,
      data: s.values,
      label: { show: spec.type === 'bar', position: spec.horizontal ? 'right' : 'top', fontSize: 10 },
      ...(spec.type === 'line' ? { symbolSize: 6 } : {}),
    })),
  };
}

export function chartSvg(spec: ChartSpec, size: { width: number; height: number } = CHART_SIZE): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption(echartsOption(spec));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The chart as PNG at twice its size, sharp when printed. */
export function chartPng(spec: ChartSpec, size: { width: number; height: number } = CHART_SIZE): Buffer {
  const resvg = new Resvg(chartSvg(spec, size), {
    font: { loadSystemFonts: true, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    fitTo: { mode: 'zoom', value: 2 },
    background: '#ffffff',
  });
  return resvg.render().asPng();
}
