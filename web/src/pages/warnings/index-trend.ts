/**
 * The petition index for the city's users: the chosen year with its method and rank intervals,
 * and its trend over the last five years, each district's rank drawn as a line (the chosen
 * district strongest) with a table of index and rank per year. A year without data is said so,
 * never drawn as a result.
 */
import { LineChart } from 'echarts/charts';
import { api, ApiError, type PetitionIndex } from '../../api.js';
import { cityCode, divisionWord, placeName, useApp } from '../../context.js';
import { chinaToday } from '../../format.js';
import { html } from '../../html.js';
import { capitalised, t } from '../../i18n.js';
import { useLoad } from '../../use-load.js';
import { Chart, echarts } from '../../ui/chart.js';
import { Missing, Panel, refusalText } from '../../ui/panel.js';
import { indexEmptyText, PetitionIndexView } from '../../ui/petition-index.js';
import type { Scope } from '../../ui/scope-bar.js';

echarts.use([LineChart]);

export const TREND_YEARS = 5;

/**
 * The index of a year, asked once for the panel and the trend alike (the chosen year is in
 * both), and again only after a minute: each answer is a Monte Carlo run on the server.
 */
const asked = new Map<string, { at: number; answer: Promise<PetitionIndex> }>();
const INDEX_FRESH_MS = 60_000;
function indexOf(user: string, year: number): Promise<PetitionIndex> {
  const key = `${user} ${year}`;
  const held = asked.get(key);
  if (held && Date.now() - held.at < INDEX_FRESH_MS) return held.answer;
  const answer = api.petitionIndex({ year });
  asked.set(key, { at: Date.now(), answer });
  answer.catch(() => asked.delete(key));
  return answer;
}

/** The city whose districts the index compares. */

/** Months (1-12) of each year with at least one case received in the city: what tells an index from an absence of data. */
async function monthsWithCases(city: string, from: number, to: number): Promise<Map<number, number>> {
  const answer = await api.metrics({ measure: ['cases'], by: ['month'], from: `${from}-01-01`, to: `${to}-12-31`, region: city });
  const months = new Map<number, number>();
  for (const r of answer.rows) {
    const year = Number(String(r.dims.month ?? '').slice(0, 4));
    if ((r.value ?? 0) > 0) months.set(year, (months.get(year) ?? 0) + 1);
  }
  return months;
}

const noCasesText = (year: number) =>
  t(`${year} 年没有信访事项数据：不计算信访指数、不排名，以免把数据缺失当作结果。`, `No case data in ${year}: no petition index is computed and nothing is ranked, so that missing data is not read as a result.`);

/**
 * Why a year's index is no result, or null when it is one: no case that year (every count is
 * zero, every district would tie first), every indicator imputed, or no difference at all.
 */
function indexMissing(index: PetitionIndex, months: number, word: ReturnType<typeof divisionWord>): string | null {
  if (months === 0) return noCasesText(index.year);
  const empty = indexEmptyText(index, word);
  if (empty) return empty;
  const first = index.units[0]?.index;
  if (index.units.every((u) => u.index === first)) return t(`${index.year} 年各${word.zh}指数完全相同，无从排名。`, `In ${index.year} every ${word.en} has the same index: there is nothing to rank.`);
  return null;
}

const partialText = (year: number, months: number) =>
  t(`${year} 年仅 ${months} 个月有数据，该年名次据此计算，与全年不可比。`, `${year} has data in ${months} months only: its ranks are computed from them and do not compare with a whole year.`);

export function PetitionIndexPanel({ scope }: { scope: Scope }) {
  const state = useApp();
  const city = cityCode(state);
  const loaded = useLoad(async () => {
    const [index, months] = await Promise.all([indexOf(state.session.user.username, scope.year), monthsWithCases(city, scope.year, scope.year)]);
    return { index, months: months.get(scope.year) ?? 0 };
  }, [scope.year, city]);
  const thisYear = Number(chinaToday().slice(0, 4));
  return html`<${Panel} id="petition-index" title=${`${t('信访指数', 'Petition index')} · ${scope.year}`} loaded=${loaded} wide empty=${(d: { index: PetitionIndex; months: number }) => indexMissing(d.index, d.months, divisionWord(state))}
      note=${t('指数越高、信访压力越大；名次区间宽者，名次取决于方法的选择。悬停查看各指标数值。', `A higher index means more petition pressure; a wide rank interval means the rank depends on the choice of method. Hover a ${divisionWord(state).en} for each indicator.`)}>
    ${(d: { index: PetitionIndex; months: number }) => html`${d.months < 12 && scope.year < thisYear ? html`<${Missing}>${partialText(scope.year, d.months)}<//>` : null}
      <${PetitionIndexView} data=${d.index} current=${scope.region} />`}
  <//>`;
}

/** One year of the trend: its index, or why it has none. */
type Year = { year: number; index: PetitionIndex; months: number } | { year: number; missing: string };

async function yearOf(user: string, year: number, months: number, word: ReturnType<typeof divisionWord>): Promise<Year> {
  // A year without a case has no index to ask for.
  if (months === 0) {
    return { year, missing: noCasesText(year) };
  }
  try {
    const index = await indexOf(user, year);
    const missing = indexMissing(index, months, word);
    return missing ? { year, missing } : { year, index, months };
  } catch (error) {
    // A year the API refuses (before the data, say) is a year without an index, not a failed panel.
    if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 403) {
      return { year, missing: `${year}: ${refusalText(error)}` };
    }
    throw error;
  }
}

const hasIndex = (y: Year): y is Extract<Year, { index: PetitionIndex }> => 'index' in y;

export function IndexTrend({ scope }: { scope: Scope }) {
  const state = useApp();
  const word = divisionWord(state);
  const years = Array.from({ length: TREND_YEARS }, (_, i) => scope.year - (TREND_YEARS - 1) + i);
  const city = cityCode(state);
  const loaded = useLoad(async () => {
    const months = await monthsWithCases(city, years[0]!, scope.year);
    return Promise.all(years.map((year) => yearOf(state.session.user.username, year, months.get(year) ?? 0, word)));
  }, [scope.year, city]);
  const thisYear = Number(chinaToday().slice(0, 4));
  return html`<${Panel} id="index-trend" title=${`${t('信访指数趋势', 'Petition index over the years')} · ${years[0]}–${scope.year}`} loaded=${loaded} wide
      empty=${(d: Year[]) => (d.some(hasIndex) ? null : t(`${years[0]}–${scope.year} 年都没有可计算信访指数的数据。`, `None of the years ${years[0]}–${scope.year} has data for the petition index.`))}
      note=${t('名次 1 为信访压力最大；没有数据的年份不画、不排名。', 'Rank 1 is the most petition pressure; years without data are neither drawn nor ranked.')}>
    ${(d: Year[]) => {
      const withData = d.filter(hasIndex);
      const missing = d.filter((y): y is { year: number; missing: string } => !hasIndex(y));
      // Every district any year ranked, in the order of the latest year's ranks.
      const units = [...new Set([...withData].reverse().flatMap((y) => y.index.units.map((u) => u.unit)))];
      const unitOf = (y: { index: PetitionIndex }, unit: string) => y.index.units.find((u) => u.unit === unit);
      const chosen = units.includes(scope.region) ? scope.region : null;
      const nameOf = (unit: string) => withData.map((y) => unitOf(y, unit)?.name).find(Boolean) ?? placeName(state, unit);
      return html`<div>
        ${missing.map((y) => html`<${Missing} key=${y.year}><span data-missing-year=${y.year}>${y.missing}</span><//>`)}
        ${withData.filter((y) => y.months < 12 && y.year < thisYear).map((y) => html`<${Missing} key=${`p${y.year}`}><span data-partial-year=${y.year}>${partialText(y.year, y.months)}</span><//>`)}
        ${withData.some((y) => y.year === thisYear) ? html`<p class="note">${t(`${thisYear} 年尚未结束，名次截至今日。`, `${thisYear} is not over: its ranks are to date.`)}</p>` : null}
        <${Chart} id="index-trend-chart" height=${340}
          label=${t(
            `各${word.zh}信访指数名次趋势折线图，${withData.map((y) => y.year).join('、')} 年${chosen ? `，突出显示${nameOf(chosen)}` : ''}；数字见下表`,
            `line chart of the ${word.enPlural}’ index ranks in ${withData.map((y) => y.year).join(', ')}${chosen ? `, ${nameOf(chosen)} highlighted` : ''}; the figures are in the table below`,
          )}
          data=${{ years: withData.map((y) => y.year).join(','), missingYears: missing.map((y) => y.year).join(','), districts: units.length, highlighted: chosen ?? '' }}
          option=${{
            tooltip: { trigger: 'axis', renderMode: 'richText' },
            grid: { left: 44, right: 110, top: 24, bottom: 32 },
            xAxis: { type: 'category', data: withData.map((y) => String(y.year)), boundaryGap: false },
            yAxis: { type: 'value', inverse: true, min: 1, max: Math.max(units.length, 2), interval: 1, name: t('名次', 'rank'), nameLocation: 'start' },
            series: units.map((unit) => {
              const strong = chosen === null || unit === chosen;
              return {
                type: 'line', name: nameOf(unit), data: withData.map((y) => unitOf(y, unit)?.rank ?? null),
                z: unit === chosen ? 10 : 2, symbolSize: unit === chosen ? 8 : 4,
                lineStyle: { width: unit === chosen ? 4 : 1.5, opacity: strong ? 1 : 0.3 }, itemStyle: { opacity: strong ? 1 : 0.3 },
                endLabel: { show: true, formatter: '{a}', fontSize: unit === chosen ? 12 : 10, fontWeight: unit === chosen ? 'bold' : 'normal', opacity: strong ? 1 : 0.5 },
              };
            }),
          }} />
        <div class="scroll"><table id="index-trend-table">
          <caption class="sr-only">${t(`各${word.zh}各年信访指数与名次`, `Each ${word.en}’s index and rank per year`)}</caption>
          <thead><tr><th scope="col">${t(word.zh, capitalised(word.en))}</th>${d.map((y) => html`<th scope="col" class="num">${y.year}<br /><small>${t('名次 · 指数', 'rank · index')}</small></th>`)}</tr></thead>
          <tbody>${units.map((unit) => html`<tr data-unit=${unit} class=${unit === chosen ? 'current' : undefined}>
            <th scope="row">${nameOf(unit)}</th>
            ${d.map((y) => {
              const u = hasIndex(y) ? unitOf(y, unit) : undefined;
              return u
                ? html`<td class="num" data-year=${y.year} data-rank=${u.rank} data-index=${u.index}>${u.rank} <small>· ${u.index.toFixed(3)}</small></td>`
                : html`<td class="num no-data" data-year=${y.year}>${hasIndex(y) ? '—' : t('无数据', 'no data')}</td>`;
            })}
          </tr>`)}</tbody>
        </table></div>
      </div>`;
    }}
  <//>`;
}
