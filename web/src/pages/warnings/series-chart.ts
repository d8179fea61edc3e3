/**
 * A count alert's weekly series drawn: the area up to the method's upper bound (the threshold
 * band), the expected line, the observed line, the alarmed weeks marked, and the alert's run
 * shaded; beside it the same figures as a table for keyboards and screen readers.
 */
import { LineChart, ScatterChart } from 'echarts/charts';
import { MarkAreaComponent } from 'echarts/components';
import { formatCount } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { Chart, echarts } from '../../ui/chart.js';
import type { AlertSeries } from './api.js';

echarts.use([LineChart, ScatterChart, MarkAreaComponent]);

const RED = '#b8322f';
const AMBER = '#9a6700';
const GREY = '#57606a';

const figure = (x: number | null) => (x === null ? '—' : formatCount(Math.round(x * 10) / 10));

export function SeriesChart({ series }: { series: AlertSeries }) {
  const { points, alert } = series;
  const weeks: string[] = points.map((p) => p.period);
  const alarms = points.filter((p) => p.alarm);
  const run = weeks.includes(alert.first_period) && weeks.includes(alert.period) ? [[{ xAxis: alert.first_period }, { xAxis: alert.period }]] : [];
  return html`<${Chart} id="series-chart" height=${300}
    label=${t(
      `预警序列图：${weeks[0] ?? ''} 至 ${weeks.at(-1) ?? ''} 共 ${points.length} 周的观测、预期与阈值，告警 ${alarms.length} 周；数字见下表`,
      `the alert’s series: observed, expected and threshold for ${points.length} weeks from ${weeks[0] ?? ''} to ${weeks.at(-1) ?? ''}, ${alarms.length} alarmed; the figures are in the table below`,
    )}
    data=${{
      points: points.length,
      alarms: alarms.length,
      evaluated: points.filter((p) => p.expected !== null).length,
      observed: points.map((p) => p.observed).join(','),
      alarmPeriods: alarms.map((p) => p.period).join(','),
      from: weeks[0] ?? '',
      to: weeks.at(-1) ?? '',
    }}
    option=${{
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: weeks },
      yAxis: { type: 'value', name: t('件/周', 'per week') },
      series: [
        {
          type: 'line', name: t('阈值（上界）', 'threshold (upper bound)'), data: points.map((p) => p.upperbound), connectNulls: false, symbol: 'none',
          lineStyle: { type: 'dashed', color: AMBER }, itemStyle: { color: AMBER }, areaStyle: { color: 'rgba(212, 167, 44, 0.18)' },
        },
        { type: 'line', name: t('预期', 'expected'), data: points.map((p) => p.expected), symbol: 'none', lineStyle: { color: GREY }, itemStyle: { color: GREY } },
        {
          type: 'line', name: t('观测', 'observed'), data: points.map((p) => p.observed), lineStyle: { color: RED, width: 2 }, itemStyle: { color: RED },
          markArea: { silent: true, itemStyle: { color: 'rgba(184, 50, 47, 0.07)' }, label: { show: true, position: 'insideTop', color: RED, fontSize: 11, formatter: t('预警期', 'alert run') }, data: run },
        },
        { type: 'scatter', name: t('告警周', 'alarmed week'), data: points.map((p) => (p.alarm ? p.observed : null)), symbol: 'diamond', symbolSize: 13, itemStyle: { color: RED, borderColor: '#fff', borderWidth: 1 } },
      ],
    }} />`;
}

export function SeriesTable({ series }: { series: AlertSeries }) {
  return html`<details id="series-table" class="series-values">
    <summary>${t(`各周数字（${series.points.length} 周）`, `The weekly figures (${series.points.length} weeks)`)}</summary>
    <div class="scroll"><table>
      <thead><tr><th scope="col">${t('周（周一）', 'Week (Monday)')}</th><th scope="col" class="num">${t('观测', 'Observed')}</th><th scope="col" class="num">${t('预期', 'Expected')}</th><th scope="col" class="num">${t('阈值', 'Threshold')}</th><th scope="col">${t('告警', 'Alarm')}</th></tr></thead>
      <tbody>${series.points.map((p) => html`<tr data-period=${p.period} data-observed=${p.observed} data-alarm=${String(p.alarm)} class=${p.alarm ? 'alarm' : undefined}>
        <th scope="row">${p.period}</th><td class="num">${formatCount(p.observed)}</td><td class="num">${figure(p.expected)}</td><td class="num">${figure(p.upperbound)}</td>
        <td>${p.alarm ? t('告警', 'alarm') : p.expected === null ? html`<small>${t('基线', 'baseline')}</small>` : ''}</td></tr>`)}</tbody>
    </table></div>
  </details>`;
}
