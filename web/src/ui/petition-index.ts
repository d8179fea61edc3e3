/**
 * The petition index (信访指数): the city's districts by index with the rank interval of the
 * uncertainty analysis, beside the method exactly as the API serves it, because a composite
 * score read without its method is a number nobody can challenge (DOMAIN §9).
 */
import type { IndexedRegion, IndexIndicator, PetitionIndex } from '../api.js';
import { divisionWord, useApp } from '../context.js';
import { formatCount, formatRate, measureTitle } from '../format.js';
import { html } from '../html.js';
import { capitalised, label, t } from '../i18n.js';
import { RangeBar } from './ranking.js';

const NORMALISATIONS: Record<string, [string, string]> = { 'min-max': ['最小-最大', 'min-max'], 'z-score': ['标准分', 'z-score'], rank: ['秩', 'rank'] };
const AGGREGATIONS: Record<string, [string, string]> = { arithmetic: ['加权算术平均', 'weighted arithmetic mean'], geometric: ['加权几何平均', 'weighted geometric mean'] };
type Word = ReturnType<typeof divisionWord>;
const imputedText = (word: Word) => t(`缺失，以其他${word.zh}均值插补`, `missing, imputed with the mean of the other ${word.enPlural}`);

function rawText(indicator: IndexIndicator, raw: number | null): string {
  if (raw == null) return '—';
  if (indicator.kind === 'rate') return formatRate(raw);
  return indicator.perTenThousand ? `${raw.toFixed(2)} ${t('/万人', 'per 10k')}` : formatCount(raw);
}
const rankText = (r: number) => formatCount(Math.round(r * 10) / 10);

/** Whether the index has anything to compare: with every indicator imputed everywhere, every district would tie. */
export function indexEmptyText(data: PetitionIndex, word: Word): string | null {
  const measured = data.units.some((u) => u.indicators.some((i) => !i.imputed));
  return measured ? null : t(`${data.year} 年没有可计算信访指数的数据：各${word.zh}每项指标都缺失，不作排名。`, `No data to compute the petition index for ${data.year}: every indicator is missing in every ${word.en}, so nothing is ranked.`);
}

function DistrictRow({ data, u, lo, hi, current, word }: { data: PetitionIndex; u: IndexedRegion; lo: number; hi: number; current: boolean; word: Word }) {
  const imputed = data.indicators.filter((_, j) => u.indicators[j]?.imputed);
  const [low, high] = u.rankInterval;
  const title = data.indicators
    .map((ind, j) => {
      const v = u.indicators[j];
      return v ? `${label(ind)}: ${rawText(ind, v.raw)}${v.imputed ? ` (${imputedText(word)})` : ''} → ${v.normalised.toFixed(3)}` : '';
    })
    .join('\n');
  return html`<tr class=${current ? 'current' : undefined} title=${title} data-unit=${u.unit} data-rank=${u.rank} data-index=${u.index} data-rank-low=${low} data-rank-high=${high} data-median-rank=${u.medianRank} data-imputed=${imputed.map((i) => i.id).join(',')}>
    <td class="num">${u.rank}</td>
    <td class="name">${u.name ?? u.unit}${imputed.length ? html`<br /><span class="flag">${t('插补', 'imputed')}: ${imputed.map((i) => label(i)).join(t('、', ', '))}</span>` : null}</td>
    <td class="num">${u.index.toFixed(3)}</td>
    <td class="bar-cell"><div class="bar"><span style=${{ width: `${(((u.index - lo) / (hi - lo || 1)) * 100).toFixed(2)}%` }}></span></div></td>
    <td class="num rank-interval">${low === high ? rankText(low) : `${rankText(low)}–${rankText(high)}`}</td>
    <td class="ci-cell"><${RangeBar} range=${[low, high]} point=${u.rank} lo=${1} hi=${Math.max(data.units.length, 2)} text=${`${t('名次区间', 'rank interval')} ${rankText(low)}–${rankText(high)}`} /></td>
  </tr>`;
}

function Method({ data, word }: { data: PetitionIndex; word: Word }) {
  const { method } = data;
  const u = method.uncertainty;
  const total = data.indicators.reduce((s, i) => s + i.weight, 0);
  return html`<div>
    <table id="index-indicators">
      <thead><tr><th scope="col">${t('指标', 'Indicator')}</th><th scope="col">${t('方向', 'Direction')}</th><th scope="col" class="num">${t('权重', 'Weight')}</th><th scope="col" class="num">${t('插补', 'Imputed')}</th><th scope="col">${t('理由', 'Why')}</th></tr></thead>
      <tbody>
        ${data.indicators.map((ind, j) => html`<tr title=${measureTitle(ind)} data-measure=${ind.id} data-weight=${ind.weight} data-direction=${ind.direction}>
          <td>${label(ind)}${ind.perTenThousand ? html` <small>${t('/万人', 'per 10k residents')}</small>` : null}</td>
          <td class=${ind.direction === 'pressure' ? 'bad' : 'good'}>${ind.direction === 'pressure' ? t('↑ 压力', '↑ pressure') : t('↓ 缓解', '↓ relief')}</td>
          <td class="num">${ind.weight} <small>(${formatRate(ind.weight / total, 0)})</small></td>
          <td class="num">${data.units.filter((unit) => unit.indicators[j]?.imputed).length}</td>
          <td class="why">${ind.why}</td>
        </tr>`)}
      </tbody>
    </table>
    <dl class="method" data-method=${method.id} data-normalisation=${method.normalisation} data-aggregation=${method.aggregation}>
      <dt>${t('方法', 'Method')}</dt><dd>${method.id} · ${method.orientation}</dd>
      <dt>${t('标准化', 'Normalisation')}</dt><dd>${t(...(NORMALISATIONS[method.normalisation] ?? [method.normalisation, method.normalisation]))}</dd>
      <dt>${t('汇总', 'Aggregation')}</dt><dd>${t(...(AGGREGATIONS[method.aggregation] ?? [method.aggregation, method.aggregation]))}</dd>
      <dt>${t('缺失值', 'Missing values')}</dt><dd>${imputedText(word)}</dd>
      <dt>${t('不确定性', 'Uncertainty')}</dt><dd>${t(
        `${formatCount(u.runs)} 次蒙特卡洛重算（种子 ${u.seed}）：标准化 ∈ {${u.normalisations.join(' / ')}}，汇总 ∈ {${u.aggregations.join(' / ')}}，权重 ×(1 ± ${u.weightJitter})；名次区间为名次的 ${formatRate(u.rankInterval[0], 0)}–${formatRate(u.rankInterval[1], 0)} 分位`,
        `${formatCount(u.runs)} Monte Carlo runs (seed ${u.seed}): normalisation ∈ {${u.normalisations.join(' / ')}}, aggregation ∈ {${u.aggregations.join(' / ')}}, weights ×(1 ± ${u.weightJitter}); the rank interval is the ${formatRate(u.rankInterval[0], 0)}–${formatRate(u.rankInterval[1], 0)} quantiles of the ranks`,
      )}</dd>
    </dl>
    ${method.$comment ? html`<p class="note">${method.$comment}</p>` : null}
  </div>`;
}

export function PetitionIndexView({ data, current }: { data: PetitionIndex; current?: string }) {
  const word = divisionWord(useApp());
  const indices = data.units.map((u) => u.index);
  const lo = Math.min(0, ...indices);
  const hi = Math.max(...indices);
  return html`<div class="split">
    <div class="scroll">
      <table id="index-table">
        <thead><tr><th scope="col" class="num">${t('名次', 'Rank')}</th><th scope="col">${t(word.zh, capitalised(word.en))}</th><th scope="col" class="num">${t('指数', 'Index')}</th><th scope="col" class="bar-cell"><span class="sr-only">${t('指数条', 'index bar')}</span></th>
          <th scope="col" class="num">${t('名次区间', 'Rank interval')}</th><th scope="col" class="ci-cell"><span class="scale"><span>1</span><span>${data.units.length}</span></span></th></tr></thead>
        <tbody>${data.units.map((u) => html`<${DistrictRow} key=${u.unit} data=${data} u=${u} lo=${lo} hi=${hi} current=${u.unit === current} word=${word} />`)}</tbody>
      </table>
    </div>
    <div class="scroll">
      <h3>${t('方法', 'Method')}: ${t(data.method.titleZh, data.method.titleEn)}</h3>
      <${Method} data=${data} word=${word} />
    </div>
  </div>`;
}
