/** The key-indicator tiles and the three declines (三个下降), each year on year. */
import type { ComparedRow, Measure, ThreeDeclines } from '../api.js';
import { changeTone, formatChange, formatCount, formatRate, formatValue, measureTitle } from '../format.js';
import { html } from '../html.js';
import { label, t } from '../i18n.js';

/** The tiles, in order: volume, then the clocks, then the petitioner's view, then repeats. */
export const KPI_MEASURES = ['cases', 'timely_acceptance_rate', 'on_time_completion_rate', 'participation_rate', 'satisfaction_rate', 'repeat_rate'] as const;

const interval = (i: [number, number] | undefined) => (i ? `${formatRate(i[0])}–${formatRate(i[1])}` : '—');
const counts = (n: number | undefined, d: number | undefined) => (d === undefined ? '' : `${formatCount(n ?? 0)} / ${formatCount(d)}`);

/** `comparable`: false when the year before lacks months of data; the change is then not shown as one. */
export function Tiles({ measures, rows, previousAsOf, comparable }: { measures: Measure[]; rows: ComparedRow[]; previousAsOf: string; comparable: boolean }) {
  return html`<div class="tiles">
    ${KPI_MEASURES.map((id) => {
      const m = measures.find((x) => x.id === id);
      const row = rows.find((r) => r.measure === id);
      if (!m || !row) return null;
      const { current, previous } = row;
      const rate = m.kind === 'rate';
      const none = rate && !current.denominator;
      const tone = comparable ? changeTone(m.better, row.change) : 'flat';
      const title = [
        measureTitle(m),
        rate
          ? `${t('本期', 'This period')}: ${formatValue(m, current.value)} = ${counts(current.numerator, current.denominator)}, 95% ${t('区间', 'CI')} ${interval(current.interval)}`
          : '',
        `${t('上年同期', 'Last year')} (${t('截至', 'as of')} ${previousAsOf}): ${formatValue(m, previous?.value)}`,
      ].filter(Boolean).join('\n');
      return html`<article class="tile" title=${title} data-measure=${id} data-value=${current.value ?? ''} data-previous=${previous?.value ?? ''}
          data-change=${comparable ? (row.change ?? '') : ''} data-numerator=${current.numerator ?? ''} data-denominator=${current.denominator ?? ''} data-tone=${tone}>
        <h3>${label(m)}</h3>
        <p class="value">${none ? t('无数据', 'no data') : formatValue(m, current.value)}</p>
        ${none
          ? html`<p class="counts">${t('本期分母为 0：没有可计算的事项', 'nothing to rate this period (denominator 0)')}</p>`
          : html`<p class=${`change ${tone}`}>${t('同比', 'YoY')} ${comparable ? formatChange(m, row.change, row.relative) : t('不可比', 'not comparable')}</p>
              <p class="counts">${rate ? `n = ${counts(current.numerator, current.denominator)} · 95% CI ${interval(current.interval)}` : `${t('上年同期', 'last year')} ${formatValue(m, previous?.value)}`}</p>`}
      </article>`;
    })}
  </div>`;
}

export function Declines({ measures, data, comparable }: { measures: Measure[]; data: ThreeDeclines; comparable: boolean }) {
  const declined = data.items.filter((i) => i.declined).length;
  const year = (p: { from: string; to: string }) => (p.from.slice(0, 4) === p.to.slice(0, 4) ? p.from.slice(0, 4) : `${p.from}–${p.to}`);
  return html`<div>
    ${comparable
      ? html`<p class=${`verdict ${data.achieved ? 'good' : 'bad'}`}>${data.achieved ? t('已实现', 'Achieved') : t('未实现', 'Not achieved')}: ${declined} / ${data.items.length} ${t('项下降', 'declined')}</p>`
      : html`<p class="verdict flat">${t('数据不完整，不作判断', 'Partial data: no verdict')}</p>`}
    <table id="declines-table">
      <caption class="sr-only">${t('三个下降', 'Three declines')}</caption>
      <thead><tr><th scope="col">${t('指标', 'Measure')}</th><th scope="col" class="num">${year(data.period)}</th><th scope="col" class="num">${year(data.previous)}</th><th scope="col" class="num">${t('变化', 'Change')}</th><th scope="col">${t('下降', 'Declined')}</th></tr></thead>
      <tbody>
        ${data.items.map((item) => {
          const m = measures.find((x) => x.id === item.measure);
          return html`<tr title=${m ? measureTitle(m) : item.measure} data-measure=${item.measure} data-current=${item.current} data-previous=${item.previous} data-declined=${String(item.declined)}>
            <td>${m ? label(m) : item.measure}</td>
            <td class="num">${formatCount(item.current)}</td>
            <td class="num">${formatCount(item.previous)}</td>
            <td class=${`num ${comparable ? (item.declined ? 'good' : 'bad') : 'flat'}`}>${formatChange({ kind: 'count' }, item.change, item.relative)}</td>
            <td class=${comparable ? (item.declined ? 'good' : 'bad') : 'flat'}>${comparable ? (item.declined ? t('✓ 下降', '✓ declined') : t('✗ 未下降', '✗ not declined')) : '—'}</td>
          </tr>`;
        })}
      </tbody>
    </table>
    <p class="note">${t(`本期截至 ${data.period.asOf}，上年同期截至 ${data.previous.asOf}（同等成熟度）。`, `Period ${data.period.from} – ${data.period.to} as of ${data.period.asOf}; last year as of ${data.previous.asOf} (equally mature).`)}</p>
  </div>`;
}
