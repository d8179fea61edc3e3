import './style.css';
import { alertRowHtml, alertsHtml, scanText, type AlertNames } from './alerts-panel.js';
import { api, type AlertStatus, type CaseSummary, type Measure, type Reference } from './api.js';
import { drawByMonth } from './chart.js';
import { chinaToday, escape, lastDayOf, shiftMonth } from './format.js';
import { declinesHtml, KPI_MEASURES, measureTitle, rankingHtml, tilesHtml } from './panels.js';
import { petitionIndexHtml } from './petition-index-panel.js';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

let reference: Reference;
/** The metrics catalog by measure id: every label, description and date basis on the page. */
let measures = new Map<string, Measure>();
const chinaTime = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' });

const region = () => $<HTMLSelectElement>('#region').value;
const year = () => Number($<HTMLSelectElement>('#year').value);
const regionName = (code: string) => reference.regions.find((r) => r.code === code)?.nameZh ?? code;
const scopeText = () => (region() ? `${regionName(region())}` : '全市 All Beijing');

/**
 * Runs a panel's load with its element's data-state (loading, ready, error); an answer that
 * arrives after a newer request for the same panel is dropped.
 */
const generations = new Map<string, number>();
async function load(element: HTMLElement, work: (current: () => boolean) => Promise<void>, errorTarget = element): Promise<void> {
  const generation = (generations.get(element.id) ?? 0) + 1;
  generations.set(element.id, generation);
  const current = () => generations.get(element.id) === generation;
  element.dataset.state = 'loading';
  try {
    await work(current);
    if (current()) element.dataset.state = 'ready';
  } catch (error) {
    if (!current()) return;
    element.dataset.state = 'error';
    errorTarget.innerHTML = `<p class="error">无法加载 could not load: ${escape((error as Error).message)}</p>`;
  }
}

async function showHealth(): Promise<void> {
  const health = await api.health();
  const item = (name: string, ok: boolean, detail: string) =>
    `<li class="${ok ? 'ok' : 'bad'}" title="${escape(detail)}">${escape(name)} ${ok ? '●' : '✕'}</li>`;
  $('#health').innerHTML =
    item('Temporal', health.temporal.ok, health.temporal.error ?? 'serving') +
    item('DuckDB', health.duckdb.ok, health.duckdb.error ?? `${health.duckdb.cases ?? 0} cases`);
}

/** Cases by month over the last 24 months (this month included, drawn lighter while under way). */
async function showChart(): Promise<void> {
  const element = $('#cases-by-month');
  await load(element, async (current) => {
    const thisMonth = chinaToday().slice(0, 7);
    const from = `${shiftMonth(thisMonth, -23)}-01`;
    const answer = await api.metrics({ measure: ['cases'], by: ['month'], from, to: lastDayOf(thisMonth), region: region() });
    if (!current()) return;
    const m = measures.get('cases') ?? answer.measures[0]!;
    drawByMonth(element, m, answer.rows, thisMonth);
    element.dataset.region = region();
    $('#chart-scope').textContent = scopeText();
    const note = $('#measure-note');
    note.title = measureTitle(m);
    note.textContent =
      `${m.labelZh} ${m.labelEn}, ${answer.request.from} – ${answer.request.to}（截至 as of ${answer.request.asOf}；本月未完，浅色 this month is partial, lighter）: ` +
      `${m.description} 日期口径 Date basis: ${m.basis}. 依据 Based on: ${m.basedOn}.`;
  }, $('#measure-note')); // the chart's canvas stays; a failure is told under it
}

/** The same China date a year earlier, as the API compares year on year (29 February becomes 28 February). */
const yearBefore = (date: string) => {
  const y = Number(date.slice(0, 4)) - 1;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return `${y}-${date.slice(5) === '02-29' && !leap ? '02-28' : date.slice(5)}`;
};

async function showTiles(): Promise<void> {
  const element = $('#kpis');
  await load(element, async (current) => {
    const answer = await api.compare({ measure: [...KPI_MEASURES], year: year(), region: region() }, 'yoy');
    if (!current()) return;
    const known = new Map(measures);
    for (const m of answer.measures) if (!known.has(m.id)) known.set(m.id, m);
    element.innerHTML = tilesHtml(known, answer.rows, yearBefore(answer.request.asOf));
    element.dataset.year = String(year());
    element.dataset.region = region();
    const { from, to, asOf } = answer.request;
    $('#kpi-scope').textContent = `${scopeText()} · ${from} – ${to}`;
    $('#kpi-note').textContent =
      `截至 as of ${asOf}，与上年同期截至 ${yearBefore(asOf)} 的数据比较（同等成熟度）compared year on year with last year as it stood on ${yearBefore(asOf)}. ` +
      '比率的变化以百分点计 rate changes in percentage points; 绿色为向好、红色为变差 green is better, red worse, by each measure’s direction. ' +
      '悬停查看定义、计数与 95% 区间 hover for the definition, counts and 95% interval.';
  });
}

async function showDeclines(): Promise<void> {
  const element = $('#declines');
  await load(element, async (current) => {
    const data = await api.threeDeclines({ year: year(), region: region() });
    if (!current()) return;
    element.innerHTML = declinesHtml(measures, data);
    element.dataset.achieved = String(data.achieved);
    element.dataset.year = String(year());
    $('#declines-scope').textContent = `${scopeText()} · ${year()}`;
  });
}

/** Rates measured on cases: they can be ranked by district and by street. */
const rankable = () => [...measures.values()].filter((m) => m.kind === 'rate' && m.source === 'cases');

async function showRanking(): Promise<void> {
  const element = $('#ranking');
  await load(element, async (current) => {
    const measureId = $<HTMLSelectElement>('#ranking-measure').value;
    const minVolume = $<HTMLInputElement>('#min-volume').valueAsNumber;
    // The city ranks its districts; a district ranks its streets and townships.
    const by = region() ? 'street' : 'district';
    const ranking = await api.ranking({
      measure: measureId,
      by,
      year: year(),
      region: region(),
      ...(Number.isInteger(minVolume) && minVolume >= 0 ? { minVolume } : {}),
    });
    if (!current()) return;
    const m = measures.get(measureId)!;
    const unitLabel = by === 'district' ? '区 District' : '街道（乡镇） Street';
    element.innerHTML = rankingHtml(m, ranking, unitLabel);
    element.dataset.measure = measureId;
    element.dataset.by = by;
    element.dataset.minVolume = String(ranking.request.minVolume);
    element.dataset.ranked = String(ranking.units.filter((u) => u.rank !== null).length);
    element.dataset.unranked = String(ranking.units.filter((u) => u.rank === null).length);
    $('#ranking-scope').textContent = `${by === 'district' ? '各区 districts of Beijing' : `${regionName(region())}各街道（乡镇） streets`} · ${year()}`;
    const note = $('#ranking-note');
    note.title = measureTitle(m);
    note.textContent =
      `${m.labelZh} ${m.labelEn}: ${m.description} 日期口径 Date basis: ${m.basis}. ` +
      `${m.better === 'lower' ? '越低越好，低者在前 lower is better, lowest first' : '越高越好，高者在前 higher is better, highest first'}; ` +
      `分母不足 ${ranking.request.minVolume} 件不排名 units with fewer than ${ranking.request.minVolume} cases in the denominator are not ranked; ` +
      '比率相同时以 95% Wilson 区间的保守端排序 ties go to the more certain rate; 档次按分母三等分、档内另排名 tiers are thirds by volume, ranked within. 截至 as of ' +
      ranking.request.asOf +
      '.';
  });
}

async function showPetitionIndex(): Promise<void> {
  const element = $('#petition-index');
  await load(element, async (current) => {
    const data = await api.petitionIndex({ year: year() });
    if (!current()) return;
    element.innerHTML = petitionIndexHtml(data);
    markIndexDistrict();
    element.dataset.year = String(data.year);
    $('#index-scope').textContent = `${placeName(data.region)} · 各区 districts · ${data.year}`;
    $('#index-note').textContent =
      `${data.method.titleZh} ${data.method.titleEn}: ${data.method.orientation}（指数越高、信访压力越大）. ` +
      `名次区间为不确定性分析 ${data.method.uncertainty.runs} 次重算中名次的分位 the rank interval is where the district ranked when the uncertainty analysis re-computed the index; ` +
      `区间宽者名次取决于方法的选择 a wide interval means the rank depends on choices of method. 悬停查看各指标数值 hover a district for the value of each indicator. 截至 as of ${data.asOf}.`;
  });
}

/** The index compares the city's districts whatever the page's region, so choosing a district marks its row rather than asking again. */
function markIndexDistrict(): void {
  for (const row of document.querySelectorAll<HTMLElement>('#index-table tr[data-unit]')) row.classList.toggle('current', row.dataset.unit === region());
}

/** Any region's name: the reference data names the districts only, so the city is named as the scope selector names it, and a street by its district and code. */
function placeName(code: string): string {
  if (code.length === 6 && code.endsWith('0000')) return '全市 All Beijing';
  // Streets and townships carry their district's code as a prefix.
  return code.length > 6 ? `${regionName(code.slice(0, 6))} ${code}` : regionName(code);
}

const ALERT_LIMIT = 100;
const alertNames = (): AlertNames => ({
  region: placeName,
  channel: (code) => reference.channels[code] ?? code,
  measure: (id) => {
    const m = measures.get(id);
    return m ? `${m.labelZh} ${m.labelEn}` : id;
  },
});

async function showAlerts(): Promise<void> {
  const element = $('#alerts');
  await load(element, async (current) => {
    const status = $<HTMLSelectElement>('#alert-status').value as AlertStatus | '';
    const { alerts } = await api.alerts({ ...(status ? { status } : {}), region: region(), limit: ALERT_LIMIT });
    if (!current()) return;
    element.innerHTML = alertsHtml(alerts, alertNames(), ALERT_LIMIT);
    element.dataset.status = status;
    element.dataset.region = region();
    element.dataset.count = String(alerts.length);
    $('#alerts-scope').textContent = `${scopeText()} · ${alerts.length} 条 alerts`;
  });
}

/** Acknowledges or dismisses one alert; the row shows the decision as the API recorded it, or the API's refusal. */
async function decideAlert(button: HTMLButtonElement): Promise<void> {
  const row = button.closest<HTMLTableRowElement>('tr[data-alert]')!;
  const output = row.querySelector('output')!;
  const reason = row.querySelector<HTMLInputElement>('input[name=reason]')!.value.trim();
  const action = button.dataset.decide === 'dismiss' ? 'dismiss' : 'acknowledge';
  output.textContent = '';
  row.querySelectorAll('button').forEach((b) => (b.disabled = true));
  try {
    const decided = await api.decideAlert(row.dataset.alert!, action, { actor: $<HTMLInputElement>('#alert-actor').value.trim(), ...(reason ? { reason } : {}) });
    row.outerHTML = alertRowHtml(decided, alertNames());
  } catch (error) {
    output.textContent = `未${action === 'dismiss' ? '驳回 not dismissed' : '确认 not acknowledged'}: ${(error as Error).message}`;
    row.querySelectorAll('button').forEach((b) => (b.disabled = false));
  }
}

/** Starts a scan on demand and follows it until its record is written, then lists the alerts again. */
async function scanNow(): Promise<void> {
  const button = $<HTMLButtonElement>('#scan-now');
  const line = $('#scan-status');
  button.disabled = true;
  line.dataset.state = 'loading';
  line.classList.remove('error');
  try {
    const weeks = $<HTMLInputElement>('#scan-weeks').valueAsNumber;
    const started = await api.startScan(weeks);
    line.textContent = `扫描中 scanning ${started.weeks} 周 weeks to ${started.week} · ${started.scanId}`;
    for (;;) {
      const scan = await api.scan(started.scanId);
      line.textContent = scanText(scan);
      if (scan.status === 'finished') break;
      if (scan.status !== 'running') throw new Error(`scan ${started.scanId} ended ${scan.status}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    line.dataset.state = 'ready';
    await showAlerts();
  } catch (error) {
    line.dataset.state = 'error';
    line.classList.add('error');
    line.textContent = `扫描失败 scan failed: ${(error as Error).message}`;
  } finally {
    button.disabled = false;
  }
}

function status(c: CaseSummary): string {
  if (c.routed) return c.route_overdue ? '<span class="late">逾期后转送 routed late</span>' : '已转送 routed';
  return c.route_overdue ? '<span class="late">逾期未转送 overdue</span>' : '待转送 awaiting route';
}

async function showRecent(): Promise<void> {
  const rows = await api.recentCases();
  $('#recent tbody').innerHTML = rows
    .map(
      (c) => `<tr>
        <td>${escape(c.case_id)}</td><td>${escape(chinaTime.format(new Date(c.received_at)))}</td>
        <td>${escape(reference.channels[c.channel] ?? c.channel)}</td><td>${escape(regionName(c.region_code))}</td>
        <td>${escape(c.route_due ?? '')}</td><td>${status(c)}</td>
        <td>${c.routed ? '' : `<button data-route="${escape(c.case_id)}">转送 Route</button>`}</td>
      </tr>`,
    )
    .join('');
}

function describeRouteClock(): void {
  const clock = reference.clocks.route;
  if (!clock) return;
  $('#route-clock').textContent = `${clock.labelZh}: ${clock.days} ${clock.basis === 'working' ? '工作日 working' : '日 calendar'} days (${clock.titleZh} ${clock.article ?? ''})`;
}

const options = (pairs: [string, string][], selected?: string) =>
  pairs.map(([v, l]) => `<option value="${escape(v)}"${v === selected ? ' selected' : ''}>${escape(l)}</option>`).join('');

function fillSelects(): void {
  const regions = reference.regions.map((r): [string, string] => [r.code, `${r.nameZh} ${r.nameEn}`]);
  $('#region').insertAdjacentHTML('beforeend', options(regions));
  $('#intake-region').innerHTML = options(regions);
  $('#channel').innerHTML = options(Object.entries(reference.channels));
  // Default: the last complete year; the current one is offered to date.
  const today = chinaToday();
  const thisYear = Number(today.slice(0, 4));
  const years = [0, 1, 2, 3, 4].map((back): [string, string] => {
    const y = thisYear - back;
    return [String(y), back === 0 ? `${y}（截至 ${today.slice(5)} to date）` : String(y)];
  });
  $('#year').innerHTML = options(years, String(thisYear - 1));
  $('#ranking-measure').innerHTML = options(
    rankable().map((m): [string, string] => [m.id, `${m.labelZh} ${m.labelEn}`]),
    'satisfaction_rate',
  );
}

const showAnalytics = () => Promise.all([showChart(), showTiles(), showDeclines(), showRanking(), showAlerts()]);

async function refresh(): Promise<void> {
  await Promise.all([showHealth(), showAnalytics(), showPetitionIndex(), showRecent()]);
}

async function start(): Promise<void> {
  const [ref, catalog] = await Promise.all([api.reference(), api.catalog()]);
  reference = ref;
  measures = new Map(catalog.measures.map((m) => [m.id, m]));
  fillSelects();
  describeRouteClock();
  $('#region').addEventListener('change', () => {
    markIndexDistrict();
    void showAnalytics();
  });
  $('#year').addEventListener('change', () => void Promise.all([showTiles(), showDeclines(), showRanking(), showPetitionIndex()]));
  $('#ranking-measure').addEventListener('change', () => void showRanking());
  $('#min-volume').addEventListener('change', () => void showRanking());
  $('#alert-status').addEventListener('change', () => void showAlerts());
  $('#scan-now').addEventListener('click', () => void scanNow());
  $('#alerts').addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-decide]');
    if (button) void decideAlert(button);
  });
  $<HTMLFormElement>('#intake').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const output = $('#intake-result');
    try {
      const { caseId } = await api.register({
        channel: form.get('channel'),
        regionCode: form.get('regionCode'),
        collectiveSize: Number(form.get('collectiveSize') || 1),
        ...(form.get('field') ? { field: form.get('field') } : {}),
        ...(form.get('summary') ? { summary: form.get('summary') } : {}),
      });
      output.textContent = `已登记 registered ${caseId}`;
      // The workflow records the case through an activity; give it a moment to land.
      setTimeout(() => void Promise.all([showHealth(), showRecent(), showChart()]), 800);
    } catch (error) {
      output.textContent = `未登记 not registered: ${(error as Error).message}`;
    }
  });
  $('#recent').addEventListener('click', async (event) => {
    const button = event.target as HTMLButtonElement;
    const caseId = button.dataset.route;
    if (!caseId) return;
    try {
      await api.route(caseId);
      await Promise.all([showHealth(), showRecent()]);
    } catch (error) {
      // A refusal (the case moved on, the workflow is gone) belongs on the row it came from.
      button.insertAdjacentHTML('afterend', `<span class="error">未转送 not routed: ${escape((error as Error).message)}</span>`);
    }
  });
  await refresh();
}

start().catch((error: Error) => {
  document.body.insertAdjacentHTML('afterbegin', `<p class="fatal">${escape(error.message)}</p>`);
});
