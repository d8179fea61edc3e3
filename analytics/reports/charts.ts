/**
 * A report's charts, drawn on the server from ECharts options: ECharts' server-side renderer
 * gives SVG (inline in HTML and PDF), resvg rasterises it to PNG for Word, which has no SVG of
 * its own in every version. The text in a chart is the CJK sans face from fonts-noto-cjk.
 */
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { chartOption, type ChartSpec } from '../../domain/chart-options.js';

export type { ChartSpec } from '../../domain/chart-options.js';

export const CHART_SIZE = { width: 640, height: 320 } as const;
const CHART_FONT = 'Noto Sans CJK SC';

/** The dashboard's option of the chart (domain/chart-options.ts), for paper, in the report's face. */
const echartsOption = (spec: ChartSpec): echarts.EChartsCoreOption => ({ ...chartOption(spec, 'print'), textStyle: { fontFamily: CHART_FONT } });

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
