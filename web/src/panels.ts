/**
 * The dashboard's metric panels as HTML: key-indicator tiles, the three declines and the fair
 * ranking. Every label, description and figure comes from the API (the metrics catalog and
 * its answers); every piece of text is escaped.
 */
import type { ComparedRow, Measure, RankedUnit, Ranking, ThreeDeclines } from './api.js';
import { attr, betterText, changeTone, escape, formatChange, formatCount, formatRate, formatValue, rangeBar } from './format.js';

/** The tiles, in order: volume, then the clocks, then the petitioner's view, then repeats. */
export const KPI_MEASURES = [
  'cases',
  'timely_acceptance_rate',
  'on_time_completion_rate',
  'participation_rate',
  'satisfaction_rate',
  'repeat_rate',
] as const;

const interval = (i: [number, number] | undefined) => (i ? `${formatRate(i[0])}–${formatRate(i[1])}` : '—');
const counts = (n: number | undefined, d: number | undefined) => (d === undefined ? '' : `${formatCount(n ?? 0)} / ${formatCount(d)}`);

/** What the catalog says about a measure, for a title (tooltip). */
export function measureTitle(m: Measure): string {
  return [
    `${m.labelZh} ${m.labelEn}`,
    m.description,
    `日期口径 Date basis: ${m.basis}`,
    betterText(m.better),
    `依据 Based on: ${m.basedOn}`,
  ].join('\n');
}

export function tilesHtml(measures: Map<string, Measure>, rows: ComparedRow[], previousAsOf: string): string {
  return KPI_MEASURES.map((id) => {
    const m = measures.get(id);
    const row = rows.find((r) => r.measure === id);
    if (!m || !row) return '';
    const { current, previous } = row;
    const tone = changeTone(m.better, row.change);
    const rate = m.kind === 'rate';
    const title = [
      measureTitle(m),
      ...(rate
        ? [
            `本期 This period: ${formatValue(m, current.value)} = ${counts(current.numerator, current.denominator)}, 95% 区间 CI ${interval(current.interval)}`,
            `上年同期 Last year (as of ${previousAsOf}): ${formatValue(m, previous?.value)}${previous ? ` = ${counts(previous.numerator, previous.denominator)}, 95% 区间 CI ${interval(previous.interval)}` : ''}`,
          ]
        : [`上年同期 Last year (as of ${previousAsOf}): ${formatValue(m, previous?.value)}`]),
    ].join('\n');
    const detail = rate
      ? `<p class="counts">n = ${escape(counts(current.numerator, current.denominator))} · 95% CI ${escape(interval(current.interval))}</p>`
      : `<p class="counts">上年同期 last year ${escape(formatValue(m, previous?.value))}</p>`;
    return `<article class="tile" title="${escape(title)}"${attr('measure', id)}${attr('value', current.value)}${attr('previous', previous?.value)}${attr('change', row.change)}${attr('numerator', current.numerator)}${attr('denominator', current.denominator)}${attr('tone', tone)}>
      <h3>${escape(m.labelZh)} <small>${escape(m.labelEn)}</small></h3>
      <p class="value">${escape(formatValue(m, current.value))}</p>
      <p class="change ${tone}">同比 YoY ${escape(formatChange(m, row.change, row.relative))}</p>
      ${detail}
    </article>`;
  }).join('');
}

export function declinesHtml(measures: Map<string, Measure>, data: ThreeDeclines): string {
  const declined = data.items.filter((i) => i.declined).length;
  const year = (p: { from: string; to: string }) => (p.from.slice(0, 4) === p.to.slice(0, 4) ? p.from.slice(0, 4) : `${p.from}–${p.to}`);
  const rows = data.items
    .map((item) => {
      const m = measures.get(item.measure);
      const label = m ? `${escape(m.labelZh)} <small>${escape(m.labelEn)}</small>` : escape(item.measure);
      const kind = { kind: 'count' } as const;
      return `<tr title="${escape(m ? measureTitle(m) : item.measure)}"${attr('measure', item.measure)}${attr('current', item.current)}${attr('previous', item.previous)}${attr('declined', String(item.declined))}>
        <td>${label}</td>
        <td class="num">${escape(formatCount(item.current))}</td>
        <td class="num">${escape(formatCount(item.previous))}</td>
        <td class="num ${item.declined ? 'good' : 'bad'}">${escape(formatChange(kind, item.change, item.relative))}</td>
        <td class="${item.declined ? 'good' : 'bad'}">${item.declined ? '✓ 下降 declined' : '✗ 未下降 not declined'}</td>
      </tr>`;
    })
    .join('');
  return `<p class="verdict ${data.achieved ? 'good' : 'bad'}">${data.achieved ? '已实现 Achieved' : '未实现 Not achieved'}: ${declined} / ${data.items.length} 项下降 declined</p>
    <table>
      <thead><tr><th>指标 Measure</th><th class="num">${escape(year(data.period))}</th><th class="num">${escape(year(data.previous))}</th><th class="num">变化 Change</th><th>下降 Declined</th></tr></thead>
      <tbody>${rows}</tbody>
    </table>
    <p class="note">本期截至 ${escape(data.period.asOf)}，上年同期截至 ${escape(data.previous.asOf)}（同等成熟度 equally mature）. Period ${escape(data.period.from)} – ${escape(data.period.to)} as of ${escape(data.period.asOf)}; last year as of ${escape(data.previous.asOf)}.</p>`;
}

/** The API's reason for leaving a unit unranked, with its Chinese beside it. */
const reasonText = (reason: string) =>
  reason.startsWith('fewer than') ? `件数不足 too few: ${reason}` : reason.startsWith('nothing to rate') ? `本期无数据 ${reason}` : reason;

const TIERS = { small: '小 small', medium: '中 medium', large: '大 large' } as const;

/** A 95% interval as a bar on a shared scale, the point rate as a tick. */
const intervalBar = (u: RankedUnit, lo: number, hi: number) =>
  u.interval && u.value != null ? rangeBar(u.interval, u.value, lo, hi, `95% 区间 CI ${interval(u.interval)}`) : '';

export function rankingHtml(m: Measure, ranking: Ranking, unitLabel: string): string {
  const ranked = ranking.units.filter((u) => u.rank !== null);
  const unranked = ranking.units.filter((u) => u.rank === null);
  const bounds = ranking.units.flatMap((u) => u.interval ?? []);
  // A scale just wide enough for every interval, on whole percentage points.
  const lo = bounds.length ? Math.max(0, Math.floor(Math.min(...bounds) * 100) / 100) : 0;
  const hi = bounds.length ? Math.min(1, Math.ceil(Math.max(...bounds) * 100) / 100) : 1;
  const top = hi > lo ? hi : lo + 0.01;
  const name = (u: RankedUnit) => escape(u.name ?? u.unit);
  const row = (u: RankedUnit) => `<tr${attr('unit', u.unit)}${attr('rank', u.rank)}${attr('value', u.value)}${attr('numerator', u.numerator)}${attr('denominator', u.denominator)}>
      <td class="num">${escape(u.rank ?? '')}</td>
      <td>${u.tier ? `${escape(TIERS[u.tier])} · ${escape(u.rankInTier ?? '')}` : ''}</td>
      <td>${name(u)}</td>
      <td class="num">${escape(formatValue(m, u.value))}</td>
      <td class="num">${escape(counts(u.numerator, u.denominator))}</td>
      <td class="num">${escape(interval(u.interval))}</td>
      <td class="ci-cell">${intervalBar(u, lo, top)}</td>
    </tr>`;
  const unrankedRows = unranked
    .map(
      (u) => `<tr${attr('unit', u.unit)}${attr('value', u.value)}${attr('numerator', u.numerator)}${attr('denominator', u.denominator)}>
      <td>${name(u)}</td><td class="num">${escape(formatValue(m, u.value))}</td><td class="num">${escape(counts(u.numerator, u.denominator))}</td>
      <td class="num">${escape(interval(u.interval))}</td><td class="ci-cell">${intervalBar(u, lo, top)}</td><td>${escape(reasonText(u.unranked ?? ''))}</td></tr>`,
    )
    .join('');
  return `<table id="ranking-table" class="ranking">
      <thead><tr><th class="num">名次 Rank</th><th>档次 Tier · 档内 in tier</th><th>${escape(unitLabel)}</th><th class="num">${escape(m.labelZh)} Rate</th>
        <th class="num">n = 分子/分母</th><th class="num">95% 区间 CI</th><th class="ci-cell"><span class="scale"><span>${escape(formatRate(lo, 0))}</span><span>${escape(formatRate(top, 0))}</span></span></th></tr></thead>
      <tbody>${
        ranked.map(row).join('') ||
        `<tr><td colspan="7">无可排名单位：每个单位的分母都不足 ${escape(ranking.request.minVolume)} 件 nothing to rank: every unit has fewer than ${escape(ranking.request.minVolume)} cases in the denominator (a lower minimum ranks them on less evidence)</td></tr>`
      }</tbody>
    </table>
    ${
      unranked.length
        ? `<details id="unranked"${unranked.length <= 10 ? ' open' : ''}><summary>未排名 Not ranked <small>(${escape(unranked.length)})</small></summary>
    <table id="unranked-table" class="ranking">
      <thead><tr><th>${escape(unitLabel)}</th><th class="num">${escape(m.labelZh)} Rate</th><th class="num">n = 分子/分母</th><th class="num">95% 区间 CI</th><th class="ci-cell"></th><th>原因 Reason</th></tr></thead>
      <tbody>${unrankedRows}</tbody>
    </table></details>`
        : ''
    }`;
}
