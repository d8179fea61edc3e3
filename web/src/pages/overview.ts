/**
 * The leaders' overview (总览): the key indicators year on year and the three declines, the
 * monthly trend against the year before, channels and fields, the map of the districts, the
 * fair ranking, the petition index, and what needs attention: open warnings, overdue cases,
 * missed duties and open accountability cases. A click on a district of the map makes it the
 * page's region, and every panel follows.
 */
import { BarChart, LineChart, MapChart, PieChart } from 'echarts/charts';
import { VisualMapComponent } from 'echarts/components';
import { chartOption } from '../../../domain/chart-options.js';
import { api, type Boundaries, type CatalogMeasure, type ComparedRow, type DutyCalendar, type Measure } from '../api.js';
import { can, channelName, childrenOf, cityCode, divisionWord, measureOf, placeName, useApp, type AppState } from '../context.js';
import { formatCount, formatTime, formatValue, lastDayOf, measureTitle, yearBefore } from '../format.js';
import { html } from '../html.js';
import { capitalised, label, t } from '../i18n.js';
import { linkHandler, setParams, useLocation } from '../router.js';
import { useLoad } from '../use-load.js';
import { stepName } from '../ui/case-names.js';
import { Chart, echarts } from '../ui/chart.js';
import { comparisonCaveat, coverageOf, noDataText, type Coverage } from '../ui/coverage.js';
import { Declines, KPI_MEASURES, Tiles } from '../ui/indicators.js';
import { indexEmptyText, PetitionIndexView } from '../ui/petition-index.js';
import { Missing, Panel, refusalText } from '../ui/panel.js';
import { RankingTable } from '../ui/ranking.js';
import { ScopeBar, useScope, type Scope } from '../ui/scope-bar.js';

echarts.use([LineChart, BarChart, PieChart, MapChart, VisualMapComponent]);

function useCoverage(scope: Scope) {
  return useLoad(() => coverageOf(scope.region, scope.year), [scope.region, scope.year]);
}

function KeyIndicators({ scope, coverage }: { scope: Scope; coverage: Coverage | undefined }) {
  const state = useApp();
  const loaded = useLoad(() => api.compare({ measure: [...KPI_MEASURES], year: scope.year, region: scope.region }, 'yoy'), [scope.region, scope.year]);
  const caveat = coverage ? comparisonCaveat(coverage) : null;
  return html`<${Panel} id="kpis" title=${`${t('主要指标', 'Key indicators')} · ${placeName(state, scope.region)} · ${scope.year}`} loaded=${loaded} wide
    empty=${() => (coverage ? noDataText(coverage, placeName(state, scope.region)) : null)}
    note=${loaded.data ? t(`截至 ${loaded.data.request.asOf}，与上年同期截至 ${yearBefore(loaded.data.request.asOf)} 比较；比率变化以百分点计；绿色向好、红色变差；悬停查看定义。`, `As of ${loaded.data.request.asOf}, against last year as of ${yearBefore(loaded.data.request.asOf)}; rate changes in percentage points; green is better, red worse; hover for definitions.`) : null}>
    ${(data: { measures: Measure[]; rows: ComparedRow[]; request: { asOf: string } }) => html`
      ${caveat ? html`<${Missing}>${caveat}<//>` : null}
      <${Tiles} measures=${data.measures} rows=${data.rows} previousAsOf=${yearBefore(data.request.asOf)} comparable=${!caveat} />`}
  <//>`;
}

function ThreeDeclinesPanel({ scope, coverage }: { scope: Scope; coverage: Coverage | undefined }) {
  const state = useApp();
  const loaded = useLoad(() => api.threeDeclines({ year: scope.year, region: scope.region }), [scope.region, scope.year]);
  const measures = state.catalog?.measures ?? [];
  return html`<${Panel} id="declines" title=${t('三个下降', 'Three declines')} loaded=${loaded} empty=${() => (coverage ? noDataText(coverage, placeName(state, scope.region)) : null)}>
    ${(data: Awaited<ReturnType<typeof api.threeDeclines>>) => html`${coverage && comparisonCaveat(coverage) ? html`<${Missing}>${comparisonCaveat(coverage)}<//>` : null}
      <${Declines} measures=${measures} data=${data} comparable=${!coverage || !comparisonCaveat(coverage)} />`}
  <//>`;
}

function Trend({ scope, coverage }: { scope: Scope; coverage: Coverage | undefined }) {
  const state = useApp();
  const loaded = useLoad(() => api.metrics({ measure: ['cases'], by: ['month'], from: `${scope.year - 1}-01-01`, to: lastDayOf(`${scope.year}-12`), region: scope.region }), [scope.region, scope.year]);
  const months = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));
  return html`<${Panel} id="trend" title=${`${t('信访事项数（按月）', 'Cases by month')} · ${scope.year} / ${scope.year - 1}`} loaded=${loaded}
      empty=${() => (coverage ? noDataText(coverage, placeName(state, scope.region)) : null)}
      note=${t('本年实线，上年同月虚线；未到的月份不画。', 'This year solid, the same month a year before dashed; months still to come are not drawn.')}>
    ${(data: Awaited<ReturnType<typeof api.metrics>>) => {
      const value = (y: number, mm: string) => {
        const row = data.rows.find((r) => r.dims.month === `${y}-${mm}`);
        const asOf = data.request.asOf;
        return `${y}-${mm}` > asOf.slice(0, 7) ? null : (row?.value ?? 0);
      };
      const current = months.map((mm) => value(scope.year, mm));
      const previous = months.map((mm) => value(scope.year - 1, mm));
      const m = measureOf(state, 'cases');
      return html`<${Chart} id="trend-chart" label=${t('按月信访事项数折线图', 'line chart of cases by month')} height=${280}
        data=${{ total: current.reduce<number>((s, v) => s + (v ?? 0), 0), previousTotal: previous.reduce<number>((s, v) => s + (v ?? 0), 0), points: current.filter((v) => v !== null).length }}
        option=${chartOption({ type: 'line', unit: t('件', 'cases'), categories: months.map((mm) => t(`${Number(mm)}月`, mm)),
          series: [{ name: String(scope.year), values: current }, { name: String(scope.year - 1), values: previous, dashed: true }] }, 'screen')} />
        ${m ? html`<p class="note" title=${measureTitle(m)}>${m.description} ${t('日期口径', 'Date basis')}: ${m.basis}.</p>` : null}`;
    }}
  <//>`;
}

/** Cases of the year by one dimension: the channel mix as a ring, the fields as bars (the ten largest). */
function Breakdown({ scope, coverage, dimension }: { scope: Scope; coverage: Coverage | undefined; dimension: 'channel' | 'field' }) {
  const state = useApp();
  const loaded = useLoad(() => api.metrics({ measure: ['cases'], by: [dimension], year: scope.year, region: scope.region }), [scope.region, scope.year, dimension]);
  const title = dimension === 'channel' ? t('渠道构成', 'Channel mix') : t('涉及领域（前十）', 'Fields (top ten)');
  return html`<${Panel} id=${`${dimension}-mix`} title=${`${title} · ${scope.year}`} loaded=${loaded}
      empty=${() => (coverage ? noDataText(coverage, placeName(state, scope.region)) : null)}>
    ${(data: Awaited<ReturnType<typeof api.metrics>>) => {
      const rows = data.rows.filter((r) => (r.value ?? 0) > 0).sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
      const name = (v: string | null | undefined) => (dimension === 'channel' ? channelName(state, v ?? null) : (v ?? t('未记录', 'not recorded')));
      const total = rows.reduce((s, r) => s + (r.value ?? 0), 0);
      if (dimension === 'channel') {
        return html`<${Chart} id="channel-chart" label=${t('渠道构成环形图', 'ring chart of the channel mix')} height=${260} data=${{ total, slices: rows.length }}
          option=${{ tooltip: { trigger: 'item', renderMode: 'richText' }, legend: { bottom: 0 },
            series: [{ type: 'pie', radius: ['40%', '70%'], data: rows.map((r) => ({ name: name(r.dims.channel), value: r.value })), label: { formatter: '{b} {d}%' } }] }} />`;
      }
      const top = rows.slice(0, 10);
      return html`<${Chart} id="field-chart" label=${t('涉及领域条形图', 'bar chart of the fields')} height=${280} data=${{ total, bars: top.length }}
        option=${chartOption({ type: 'bar', horizontal: true, unit: t('件', 'cases'), categories: top.map((r) => name(r.dims.field)), series: [{ name: t('信访事项', 'cases'), values: top.map((r) => r.value) }] }, 'screen')} />`;
    }}
  <//>`;
}

/** Measures of cases the map can colour: every one that is recorded by district. */
const mappable = (state: AppState) => (state.catalog?.measures ?? []).filter((m) => m.source === 'cases' && (m.dimensions as readonly string[]).includes('district'));

/** The districts by a measure's value, highest first, each a button that makes it the page's region. */
function DistrictValues({ values, m, ranked }: { values: { name: string; value: number | null }[]; m: CatalogMeasure; ranked: boolean }) {
  const state = useApp();
  const word = divisionWord(state);
  const sorted = [...values].sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
  return html`<table><thead><tr>${ranked ? html`<th scope="col" class="num">${t('位次', 'Order')}</th>` : null}<th scope="col">${t(word.zh, capitalised(word.en))}</th><th scope="col" class="num">${label(m)}</th></tr></thead>
    <tbody>${sorted.map((v, i) => html`<tr data-unit=${v.name} data-value=${v.value ?? ''}>${ranked ? html`<td class="num">${i + 1}</td>` : null}
      <td><button type="button" class="link" onClick=${() => setParams({ region: v.name })}>${placeName(state, v.name)}</button></td><td class="num">${formatValue(m, v.value)}</td></tr>`)}</tbody></table>`;
}

/**
 * The city's districts coloured by a measure on their boundaries; where the city's boundaries
 * are not installed (reference.districtBoundaries), the same figures as a ranked list, and the
 * boundaries are never asked for.
 */
function DistrictMap({ scope, coverage }: { scope: Scope; coverage: Coverage | undefined }) {
  const state = useApp();
  const { params } = useLocation();
  const choices = mappable(state);
  const measureId = choices.some((m) => m.id === params.get('mapMeasure')) ? params.get('mapMeasure')! : 'cases';
  const m = measureOf(state, measureId);
  const city = cityCode(state);
  const atCity = scope.region === city;
  const drawable = state.reference.districtBoundaries;
  const word = divisionWord(state);
  const loaded = useLoad(async () => {
    if (!atCity) return null;
    const [geo, figures] = await Promise.all([drawable ? api.geo(city) : null, api.metrics({ measure: [measureId], by: ['district'], year: scope.year, region: city })]);
    if (geo) echarts.registerMap(`districts-${city}`, geo as never);
    return { geo, figures };
  }, [city, measureId, scope.year, atCity, drawable]);
  const tools = html`<label>${drawable ? t('着色指标', 'Colour by') : t('排列指标', 'Order by')}
    <select id="map-measure" value=${measureId} onChange=${(e: Event) => setParams({ mapMeasure: (e.target as HTMLSelectElement).value })}>
      ${choices.map((c) => html`<option value=${c.id}>${label(c)}</option>`)}
    </select></label>`;
  const source = loaded.data?.geo?.source;
  const note = !atCity
    ? null
    : source
      ? t(`点击一个${word.zh}即把它设为本页区域。边界：${source.package} 的 ${source.file}（${source.license}，${source.datum}）。`, `Click a ${word.en} to make it the page’s region. Boundaries: ${source.file} of ${source.package} (${source.license}, ${source.datum}).`)
      : t(`点击一个${word.zh}即把它设为本页区域。`, `Click a ${word.en} to make it the page’s region.`);
  return html`<${Panel} id="map" title=${`${t(`各${word.zh}分布`, capitalised(word.enPlural))} · ${scope.year}`} loaded=${loaded} tools=${atCity ? tools : null}
      empty=${(data: unknown) => (coverage && noDataText(coverage, placeName(state, scope.region))) || (data === null ? t(`街道、乡镇没有公开的边界数据；${placeName(state, scope.region)}各街道见排名。`, `Streets and townships have no published boundaries; the streets of ${placeName(state, scope.region)} are in the ranking.`) : null)}
      note=${note}>
    ${(data: { geo: Boundaries | null; figures: Awaited<ReturnType<typeof api.metrics>> } | null) => {
      if (!data || !m) return null;
      const values = data.figures.rows.map((r) => ({ name: String(r.dims.district ?? ''), value: r.value }));
      if (!data.geo) {
        return html`<p class="note" id="map-fallback">${t(
          `没有${state.reference.city.nameZh}的${word.zh}边界数据，不画地图：各${word.zh}按${label(m)}从高到低排列。`,
          `No ${word.en} boundaries of ${state.reference.city.nameEn} are installed, so no map is drawn: the ${word.enPlural} in order of ${label(m)}, highest first.`,
        )}</p>
          <div id="map-list"><${DistrictValues} values=${values} m=${m} ranked /></div>`;
      }
      const numbers = values.map((v) => v.value ?? 0);
      return html`<${Chart} id="map-chart" label=${t(`各${word.zh}${m.labelZh}地图`, `map of ${m.labelEn} by ${word.en}`)} height=${380}
        data=${{ measure: measureId, districts: values.length, coloured: values.filter((v) => v.value != null).length }}
        onClick=${(click: { data?: unknown }) => {
          const code = (click.data as { name?: string } | undefined)?.name;
          if (code) setParams({ region: code });
        }}
        option=${{
          tooltip: { trigger: 'item', renderMode: 'richText', formatter: (p: { data?: { name: string; value: number | null } }) => (p.data ? `${placeName(state, p.data.name)}: ${formatValue(m, p.data.value)}` : '') },
          visualMap: { min: Math.min(...numbers), max: Math.max(...numbers, Math.min(...numbers) + 1e-9), calculable: true, left: 0, bottom: 0, inRange: { color: m.better === 'higher' ? ['#f6d5d3', '#fff7e6', '#2f7d32'] : ['#fff7e6', '#f0a39d', '#8c1c13'] }, formatter: (v: number) => formatValue(m, v) },
          series: [{ type: 'map', map: `districts-${city}`, nameProperty: 'code', roam: false, label: { show: true, formatter: (p: { name: string }) => (placeName(state, p.name) ?? '').slice(0, 3), fontSize: 10 }, data: values }],
        }} />
        <details id="map-table"><summary>${t(`各${word.zh}数值（可用键盘选择区域）`, `Values by ${word.en} (choose a region by keyboard)`)}</summary>
          <${DistrictValues} values=${values} m=${m} ranked=${false} />
        </details>`;
    }}
  <//>`;
}

function FairRanking({ scope, coverage }: { scope: Scope; coverage: Coverage | undefined }) {
  const state = useApp();
  const { params } = useLocation();
  const rankable = (state.catalog?.measures ?? []).filter((m) => m.kind === 'rate' && m.source === 'cases');
  const measureId = rankable.some((m) => m.id === params.get('rankBy')) ? params.get('rankBy')! : 'satisfaction_rate';
  const rawMin = params.get('minVolume');
  const minValid = rawMin === null || /^\d{1,6}$/.test(rawMin);
  const by = childrenOf(state, scope.region)[0]?.level === 'street' ? 'street' : 'district';
  const loaded = useLoad(
    () => (minValid ? api.ranking({ measure: measureId, by, year: scope.year, region: scope.region, ...(rawMin !== null ? { minVolume: Number(rawMin) } : {}) }) : Promise.reject(new Error(t('最少件数须为不小于 0 的整数', 'the minimum volume must be a whole number, 0 or more')))),
    [measureId, by, scope.year, scope.region, rawMin],
  );
  const m = measureOf(state, measureId);
  const word = divisionWord(state);
  const tools = html`<div class="controls">
    <label>${t('指标', 'Measure')} <select id="ranking-measure" value=${measureId} onChange=${(e: Event) => setParams({ rankBy: (e.target as HTMLSelectElement).value })}>
      ${rankable.map((r) => html`<option value=${r.id}>${label(r)}</option>`)}</select></label>
    <label>${t('最少件数', 'Min. volume')} <input id="min-volume" type="number" min="0" step="1" value=${rawMin ?? '30'} aria-invalid=${!minValid}
      onChange=${(e: Event) => setParams({ minVolume: (e.target as HTMLInputElement).value })} /></label>
  </div>`;
  return html`<${Panel} id="ranking" title=${`${t('公平排名', 'Fair ranking')} · ${by === 'district' ? t(`各${word.zh}`, word.enPlural) : t('各街道（乡镇）', 'streets')} · ${scope.year}`} loaded=${loaded} tools=${tools}
      empty=${() => (coverage ? noDataText(coverage, placeName(state, scope.region)) : null)}
      note=${m && loaded.data ? t(`${m.description} ${m.better === 'lower' ? '越低越好' : '越高越好'}；分母不足 ${loaded.data.request.minVolume} 件不排名；档次按分母三等分、档内另排名；截至 ${loaded.data.request.asOf}。`, `${m.description} ${m.better === 'lower' ? 'Lower is better' : 'Higher is better'}; units with fewer than ${loaded.data.request.minVolume} cases in the denominator are not ranked; tiers are thirds by volume; as of ${loaded.data.request.asOf}.`) : null}>
    ${(ranking: Awaited<ReturnType<typeof api.ranking>>) => (m ? html`<${RankingTable} measure=${m} ranking=${ranking} unitLabel=${by === 'district' ? t(word.zh, capitalised(word.en)) : t('街道（乡镇）', 'Street')} name=${(u: { unit: string; name: string | null }) => u.name ?? placeName(state, u.unit)} />` : null)}
  <//>`;
}

function PetitionIndexPanel({ scope, coverage }: { scope: Scope; coverage: Coverage | undefined }) {
  const state = useApp();
  const loaded = useLoad(() => api.petitionIndex({ year: scope.year }), [scope.year]);
  // The index compares the city's districts: a city without cases that year has nothing to compare, whatever other sources hold.
  const city = cityCode(state) || scope.region;
  const empty = (data: Awaited<ReturnType<typeof api.petitionIndex>>) => (coverage && scope.region === city ? noDataText(coverage, placeName(state, city)) : null) ?? indexEmptyText(data, divisionWord(state));
  return html`<${Panel} id="petition-index" title=${`${t('信访指数', 'Petition index')} · ${scope.year}`} loaded=${loaded} wide empty=${empty}
      note=${t('指数越高、信访压力越大；名次区间宽者，名次取决于方法的选择。悬停查看各指标数值。', `A higher index means more petition pressure; a wide rank interval means the rank depends on the choice of method. Hover a ${divisionWord(state).en} for each indicator.`)}>
    ${(data: Awaited<ReturnType<typeof api.petitionIndex>>) => html`<${PetitionIndexView} data=${data} current=${scope.region} />`}
  <//>`;
}

/** What needs attention now, each a short list with a link to its page. */
function Attention({ scope }: { scope: Scope }) {
  const state = useApp();
  return html`<div class="row four">
    ${can(state, 'alerts.read') ? html`<${OpenWarnings} scope=${scope} />` : null}
    ${can(state, 'cases.read') ? html`<${OverdueCases} scope=${scope} />` : null}
    ${can(state, 'duties.read') ? html`<${MissedDuties} scope=${scope} />` : null}
    ${can(state, 'accountability.read') ? html`<${OpenAccountability} scope=${scope} />` : null}
  </div>`;
}

const SEVERITY: Record<string, [string, string]> = { info: ['提示', 'info'], warning: ['警告', 'warning'], serious: ['严重', 'serious'] };

function OpenWarnings({ scope }: { scope: Scope }) {
  const state = useApp();
  const loaded = useLoad(() => api.alerts({ status: 'open', region: scope.region, limit: 5 }), [scope.region]);
  return html`<${Panel} id="open-warnings" title=${t('待处理预警', 'Open warnings')} loaded=${loaded}
      empty=${(d: { alerts: unknown[] }) => (d.alerts.length ? null : t('没有待处理的预警。', 'No open warnings.'))}>
    ${(d: Awaited<ReturnType<typeof api.alerts>>) => html`<ul class="list">
      ${d.alerts.map((a) => html`<li data-alert=${a.alert_id}><a href=${`/warnings?alert=${a.alert_id}`} onClick=${linkHandler('warnings', { alert: a.alert_id })}>
        <span class=${`severity ${a.severity}`}>${t(...(SEVERITY[a.severity] ?? [a.severity, a.severity]))}</span> ${placeName(state, a.region_code)} · ${a.field ?? t('全部领域', 'all fields')} · ${a.period}</a></li>`)}
    </ul>`}
  <//>`;
}

function OverdueCases({ scope }: { scope: Scope }) {
  const state = useApp();
  const loaded = useLoad(() => api.cases({ overdue: true, region: scope.region, limit: 8 }), [scope.region]);
  return html`<${Panel} id="overdue" title=${t('逾期事项', 'Overdue cases')} loaded=${loaded}
      empty=${(d: Awaited<ReturnType<typeof api.cases>>) => (d.cases.length ? null : t('没有逾期的信访事项。', 'No overdue cases.'))}>
    ${(d: Awaited<ReturnType<typeof api.cases>>) => html`<p class="count">${t(`共 ${formatCount(d.total)} 件`, `${formatCount(d.total)} in all`)}</p><ul class="list">
      ${d.cases.map((c) => html`<li data-case=${c.case_id}><a href=${`/cases?case=${c.case_id}`} onClick=${linkHandler('cases', { case: c.case_id })}>${c.case_id}</a>
        · ${placeName(state, c.region_code)}${c.overdue ? html` · <span class="late">${t(`${stepName(c.overdue.step)}逾期 ${c.overdue.daysLate} 天（应于 ${c.overdue.due}）`, `${stepName(c.overdue.step)} ${c.overdue.daysLate} days late (due ${c.overdue.due})`)}</span>` : null}</li>`)}
    </ul>`}
  <//>`;
}

function MissedDuties({ scope }: { scope: Scope }) {
  const loaded = useLoad(() => api.duties({ year: scope.year, status: 'missed', region: scope.region }), [scope.region, scope.year]);
  return html`<${Panel} id="missed-duties" title=${`${t('未履行职责', 'Duties missed')} · ${scope.year}`} loaded=${loaded}
      empty=${(d: DutyCalendar) => (d.periods.length ? null : t('没有未履行的定期职责。', 'No periodic duty missed.'))}>
    ${(d: DutyCalendar) => html`<p class="count">${t(`共 ${d.periods.length} 项`, `${d.periods.length} in all`)}</p><ul class="list">
      ${d.periods.slice(0, 8).map((p) => html`<li data-duty=${p.duty_id} data-organ=${p.organ}>${p.organ_name ?? p.organ} · ${p.duty_id} · ${p.period_label}${p.rule ? html` <small>${p.rule}</small>` : null}</li>`)}
    </ul>`}
  <//>`;
}

function OpenAccountability({ scope }: { scope: Scope }) {
  const loaded = useLoad(() => api.accountability({ status: 'open', region: scope.region, limit: 8 }), [scope.region]);
  type List = Awaited<ReturnType<typeof api.accountability>>;
  return html`<${Panel} id="open-accountability" title=${t('在办责任追究', 'Accountability cases open')} loaded=${loaded}
      empty=${(d: List) => (d.cases.length ? null : t('没有在办的责任追究案件。', 'No accountability case open.'))}>
    ${(d: List) => html`<p class="count">${t(`共 ${d.total} 件`, `${d.total} in all`)}</p><ul class="list">
      ${d.cases.map((a) => html`<li data-accountability=${a.case_id}>${a.organ_name ?? a.organ} · ${a.step ?? t('待决定', 'awaiting decision')}${a.rectify_by ? ` · ${t('整改期限', 'rectify by')} ${a.rectify_by}` : ''}${a.opened_at ? html` <small>${formatTime(a.opened_at)}</small>` : null}</li>`)}
    </ul>`}
  <//>`;
}

export default function Overview() {
  const state = useApp();
  const scope = useScope();
  const coverage = useCoverage(scope);
  const c = coverage.data;
  const cityUser = state.session.regionLevel === 'city';
  const word = divisionWord(state);
  const pick = state.reference.districtBoundaries
    ? t(`在地图上点击一个${word.zh}可切换区域`, `click a ${word.en} on the map to switch region`)
    : t(`在分布列表中点击一个${word.zh}可切换区域`, `click a ${word.en} in the list to switch region`);
  return html`<div class="page" id="overview">
    <${ScopeBar} note=${t(`区域与年度用于本页全部数字；${pick}。`, `Region and year apply to every figure on the page; ${pick}.`)} />
    ${c && c.toDate ? html`<p class="note banner">${t(`${c.year} 年尚未结束：数字截至今日，本月未完。`, `${c.year} is not over: figures are to date, this month is partial.`)}</p>` : null}
    ${coverage.state === 'error' ? html`<p class="error" role="alert">${refusalText(coverage.error)}</p>` : null}
    ${c === undefined || c.year !== scope.year
      ? html`<section class="card" id="coverage" data-state="loading" aria-busy="true"><p class="loading" role="status">${t('加载中…', 'Loading…')}</p></section>`
      : html`<${KeyIndicators} scope=${scope} coverage=${c} />
        <div class="row"><${Trend} scope=${scope} coverage=${c} /><${ThreeDeclinesPanel} scope=${scope} coverage=${c} /></div>
        <div class="row even"><${Breakdown} scope=${scope} coverage=${c} dimension="channel" /><${Breakdown} scope=${scope} coverage=${c} dimension="field" /></div>
        <div class="row even"><${DistrictMap} scope=${scope} coverage=${c} /><${FairRanking} scope=${scope} coverage=${c} /></div>
        ${cityUser ? html`<${PetitionIndexPanel} scope=${scope} coverage=${c} />` : null}`}
    <${Attention} scope=${scope} />
  </div>`;
}
