/** The fair ranking (公平排名): rank, volume tier, rate with its 95% interval, and who is not ranked and why. */
import type { Measure, RankedUnit, Ranking } from '../api.js';
import { formatCount, formatRate, formatValue } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';

const interval = (i: [number, number] | undefined) => (i ? `${formatRate(i[0])}–${formatRate(i[1])}` : '—');
const counts = (n: number | undefined, d: number | undefined) => (d === undefined ? '' : `${formatCount(n ?? 0)} / ${formatCount(d)}`);
const TIERS: Record<'small' | 'medium' | 'large', [string, string]> = { small: ['小', 'small'], medium: ['中', 'medium'], large: ['大', 'large'] };

/** The API's reason for leaving a unit unranked, in the page's language. */
const reasonText = (reason: string) =>
  reason.startsWith('fewer than') ? `${t('件数不足', 'too few')}: ${reason}` : reason.startsWith('nothing to rate') ? `${t('本期无数据', 'no data')}: ${reason}` : reason;

/** A range as a bar on a scale from lo to hi, its point as a tick; placed through the CSSOM (the CSP refuses style attributes). */
export function RangeBar({ range, point, lo, hi, text }: { range: [number, number]; point: number; lo: number; hi: number; text: string }) {
  const x = (v: number) => `${(((v - lo) / (hi - lo || 1)) * 100).toFixed(2)}%`;
  return html`<div class="ci" role="img" aria-label=${text} title=${text}>
    <span class="ci-range" style=${{ left: x(range[0]), width: `${(((range[1] - range[0]) / (hi - lo || 1)) * 100).toFixed(2)}%` }}></span>
    <span class="ci-point" style=${{ left: x(point) }}></span>
  </div>`;
}

export function RankingTable({ measure, ranking, unitLabel, name }: { measure: Measure; ranking: Ranking; unitLabel: string; name: (u: RankedUnit) => string }) {
  const ranked = ranking.units.filter((u) => u.rank !== null);
  const unranked = ranking.units.filter((u) => u.rank === null);
  const bounds = ranking.units.flatMap((u) => u.interval ?? []);
  const lo = bounds.length ? Math.max(0, Math.floor(Math.min(...bounds) * 100) / 100) : 0;
  const hiRaw = bounds.length ? Math.min(1, Math.ceil(Math.max(...bounds) * 100) / 100) : 1;
  const hi = hiRaw > lo ? hiRaw : lo + 0.01;
  const bar = (u: RankedUnit) => (u.interval && u.value != null ? html`<${RangeBar} range=${u.interval} point=${u.value} lo=${lo} hi=${hi} text=${`95% CI ${interval(u.interval)}`} />` : null);
  return html`<div>
    <table id="ranking-table" class="ranking">
      <thead><tr><th scope="col" class="num">${t('名次', 'Rank')}</th><th scope="col">${t('档次 · 档内', 'Tier · in tier')}</th><th scope="col">${unitLabel}</th>
        <th scope="col" class="num">${t(measure.labelZh, measure.labelEn)}</th><th scope="col" class="num">n</th><th scope="col" class="num">95% CI</th>
        <th scope="col" class="ci-cell"><span class="scale"><span>${formatRate(lo, 0)}</span><span>${formatRate(hi, 0)}</span></span></th></tr></thead>
      <tbody>
        ${ranked.length
          ? ranked.map((u) => html`<tr data-unit=${u.unit} data-rank=${u.rank} data-value=${u.value ?? ''} data-numerator=${u.numerator ?? ''} data-denominator=${u.denominator ?? ''}>
              <td class="num">${u.rank}</td><td class="tier">${u.tier ? `${t(...TIERS[u.tier])} · ${u.rankInTier ?? ''}` : ''}</td><td>${name(u)}</td>
              <td class="num">${formatValue(measure, u.value)}</td><td class="num">${counts(u.numerator, u.denominator)}</td><td class="num">${interval(u.interval)}</td><td class="ci-cell">${bar(u)}</td></tr>`)
          : html`<tr><td colspan="7" class="missing">${t(
              `无可排名单位：每个单位的分母都不足 ${ranking.request.minVolume} 件`,
              `Nothing to rank: every unit has fewer than ${ranking.request.minVolume} cases in the denominator`,
            )}</td></tr>`}
      </tbody>
    </table>
    ${unranked.length
      ? html`<details id="unranked" open=${unranked.length <= 10}><summary>${t('未排名', 'Not ranked')} (${unranked.length})</summary>
          <table id="unranked-table" class="ranking">
            <thead><tr><th scope="col">${unitLabel}</th><th scope="col" class="num">${t(measure.labelZh, measure.labelEn)}</th><th scope="col" class="num">n</th><th scope="col">${t('原因', 'Reason')}</th></tr></thead>
            <tbody>${unranked.map((u) => html`<tr data-unit=${u.unit}><td>${name(u)}</td><td class="num">${formatValue(measure, u.value)}</td><td class="num">${counts(u.numerator, u.denominator)}</td><td>${reasonText(u.unranked ?? '')}</td></tr>`)}</tbody>
          </table></details>`
      : null}
  </div>`;
}
