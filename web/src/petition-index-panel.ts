/**
 * The petition index (信访指数) as HTML: the city's districts by index with the rank interval of
 * the uncertainty analysis, and beside them the method exactly as the API serves it
 * (indicators, direction, weights, normalisation, aggregation, imputation), because a
 * composite score read without its method is a number nobody can challenge (DOMAIN §9).
 */
import type { Aggregation, IndexedRegion, IndexIndicator, Normalisation, PetitionIndex } from './api.js';
import { measureTitle } from './panels.js';
import { attr, escape, formatCount, formatRate, rangeBar } from './format.js';

const NORMALISATIONS: Record<Normalisation, string> = { 'min-max': '最小-最大 min-max', 'z-score': '标准分 z-score', rank: '秩 rank' };
const AGGREGATIONS: Record<Aggregation, string> = { arithmetic: '加权算术平均 weighted arithmetic mean', geometric: '加权几何平均 weighted geometric mean' };
const DIRECTIONS: Record<IndexIndicator['direction'], string> = { pressure: '↑ 压力 pressure', relief: '↓ 缓解 relief' };
const IMPUTED = '缺失，以其他区均值插补 missing, imputed with the mean of the other districts';

/** An indicator's value as the method takes it: a rate, or a count per 10,000 residents. */
function rawText(indicator: IndexIndicator, raw: number | null): string {
  if (raw == null) return '—';
  if (indicator.kind === 'rate') return formatRate(raw);
  return indicator.perTenThousand ? `${raw.toFixed(2)} /万人 per 10k` : formatCount(raw);
}

/** Quantile ranks are interpolated, so they may fall between two ranks. */
const rankText = (r: number) => formatCount(Math.round(r * 10) / 10);

const label = (i: IndexIndicator) => `${i.labelZh} ${i.labelEn}`;

function districtRow(data: PetitionIndex, u: IndexedRegion, scale: { lo: number; hi: number }): string {
  const imputed = data.indicators.filter((_, j) => u.indicators[j]?.imputed);
  const [low, high] = u.rankInterval;
  const ranks = data.units.length;
  // Every indicator's value and its normalised score, for whoever wants to see why a district sits where it does.
  const title = data.indicators
    .map((ind, j) => {
      const v = u.indicators[j];
      return v ? `${label(ind)}: ${rawText(ind, v.raw)}${v.imputed ? ` (${IMPUTED})` : ''} → ${v.normalised.toFixed(3)}` : '';
    })
    .join('\n');
  const width = (((u.index - scale.lo) / (scale.hi - scale.lo || 1)) * 100).toFixed(2);
  return `<tr title="${escape(title)}"${attr('unit', u.unit)}${attr('rank', u.rank)}${attr('index', u.index)}${attr('rank-low', low)}${attr('rank-high', high)}${attr('median-rank', u.medianRank)}${attr('imputed', imputed.map((i) => i.id).join(','))}>
      <td class="num">${escape(u.rank)}</td>
      <td class="name">${escape(u.name ?? u.unit)}${
        imputed.length ? `<br><span class="flag" title="${escape(IMPUTED)}">插补 imputed: ${escape(imputed.map((i) => i.labelZh).join('、'))}</span>` : ''
      }</td>
      <td class="num">${escape(u.index.toFixed(3))}</td>
      <td class="bar-cell"><div class="bar"><span data-width="${width}"></span></div></td>
      <td class="num rank-interval">${escape(low === high ? rankText(low) : `${rankText(low)}–${rankText(high)}`)}</td>
      <td class="ci-cell">${rangeBar([low, high], u.rank, 1, Math.max(ranks, 2), `名次区间 rank interval ${rankText(low)}–${rankText(high)}, 名次 rank ${u.rank}`)}</td>
    </tr>`;
}

function methodHtml(data: PetitionIndex): string {
  const { method } = data;
  const u = method.uncertainty;
  const total = data.indicators.reduce((s, i) => s + i.weight, 0);
  const rows = data.indicators
    .map((ind, j) => {
      const imputedIn = data.units.filter((unit) => unit.indicators[j]?.imputed).length;
      return `<tr title="${escape(measureTitle(ind))}"${attr('measure', ind.id)}${attr('weight', ind.weight)}${attr('direction', ind.direction)}${attr('imputed-in', imputedIn)}>
        <td>${escape(ind.labelZh)} <small>${escape(ind.labelEn)}</small>${ind.perTenThousand ? ' <small>/万人 per 10k residents</small>' : ''}</td>
        <td class="${ind.direction === 'pressure' ? 'bad' : 'good'}">${escape(DIRECTIONS[ind.direction])}</td>
        <td class="num">${escape(ind.weight)} <small>(${escape(formatRate(ind.weight / total, 0))})</small></td>
        <td class="num">${imputedIn ? `<span class="flag">${escape(imputedIn)}</span>` : '0'}</td>
        <td class="why">${escape(ind.why)}</td>
      </tr>`;
    })
    .join('');
  const list = (xs: readonly string[]) => xs.join(' / ');
  return `<table id="index-indicators">
      <thead><tr><th>指标 Indicator</th><th>方向 Direction</th><th class="num">权重 Weight</th><th class="num" title="缺失并以均值插补的区数 districts where it was missing and imputed">插补 Imputed</th><th>理由 Why</th></tr></thead>
      <tbody>${rows}</tbody>
    </table>
    <dl class="method"${attr('method', method.id)}${attr('normalisation', method.normalisation)}${attr('aggregation', method.aggregation)}>
      <dt>方法 Method</dt><dd>${escape(method.id)} · ${escape(method.orientation)}</dd>
      <dt>标准化 Normalisation</dt><dd>${escape(NORMALISATIONS[method.normalisation])}</dd>
      <dt>汇总 Aggregation</dt><dd>${escape(AGGREGATIONS[method.aggregation])}</dd>
      <dt>缺失值 Missing values</dt><dd>${escape(IMPUTED)}</dd>
      <dt>不确定性 Uncertainty</dt><dd>${escape(
        `${formatCount(u.runs)} 次蒙特卡洛 Monte Carlo runs (seed ${u.seed}): 标准化 normalisation ∈ {${list(u.normalisations)}}, 汇总 aggregation ∈ {${list(u.aggregations)}}, ` +
          `权重 weights ×(1 ± ${u.weightJitter}); 名次区间 rank interval = ${formatRate(u.rankInterval[0], 0)}–${formatRate(u.rankInterval[1], 0)} 分位 quantiles of the ranks`,
      )}</dd>
    </dl>
    ${method.$comment ? `<p class="note">${escape(method.$comment)}</p>` : ''}`;
}

export function petitionIndexHtml(data: PetitionIndex): string {
  const indices = data.units.map((u) => u.index);
  const scale = { lo: Math.min(0, ...indices), hi: Math.max(...indices) };
  return `<div class="split">
      <div>
        <table id="index-table">
          <thead><tr><th class="num">名次 Rank</th><th>区 District</th><th class="num">指数 Index</th><th class="bar-cell"></th>
            <th class="num">名次区间 Rank interval</th><th class="ci-cell"><span class="scale"><span>1</span><span>${escape(data.units.length)}</span></span></th></tr></thead>
          <tbody>${data.units.map((u) => districtRow(data, u, scale)).join('')}</tbody>
        </table>
      </div>
      <div>
        <h3>方法 <small>Method: ${escape(data.method.titleZh)} ${escape(data.method.titleEn)}</small></h3>
        ${methodHtml(data)}
      </div>
    </div>`;
}
