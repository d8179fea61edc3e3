import './style.css';
import { PERMISSIONS, type Permission } from '../../domain/roles.js';
import { alertRowHtml, alertsHtml, scanText, type AlertNames } from './alerts-panel.js';
import { api, ApiError, whenSignedOut, type AlertStatus, type CaseSummary, type Measure, type Reference, type Session } from './api.js';
import { disposeCharts, drawByMonth } from './chart.js';
import { chinaToday, escape, lastDayOf, placeBars, shiftMonth } from './format.js';
import { setUpLogin, showLogin, showWho } from './login.js';
import { declinesHtml, KPI_MEASURES, measureTitle, rankingHtml, tilesHtml } from './panels.js';
import { petitionIndexHtml } from './petition-index-panel.js';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

/** The session the dashboard is open for; null while the login form is shown. */
let session: Session | null = null;
let granted = new Set<Permission>();
const can = (permission: Permission) => granted.has(permission);
let reference: Reference;
/** The metrics catalog by measure id: every label, description and date basis on the page. */
let measures = new Map<string, Measure>();
const chinaTime = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' });

const region = () => $<HTMLSelectElement>('#region').value;
const year = () => Number($<HTMLSelectElement>('#year').value);
const regionName = (code: string) => reference.regions.find((r) => r.code === code)?.nameZh ?? code;
const scopeText = () => (region() ? placeName(region()) : '全市 All Beijing');

/**
 * Runs a panel's load with its element's data-state (loading, ready, error); an answer that
 * arrives after a newer request for the same panel, or after its user logged out, is dropped.
 * A panel the role may not see was never put on the page: nothing is asked for it.
 */
const generations = new Map<string, number>();
async function load(selector: string, work: (element: HTMLElement, current: () => boolean) => Promise<void>, errorSelector = selector): Promise<void> {
  const element = document.querySelector<HTMLElement>(selector);
  if (!element) return;
  const generation = (generations.get(element.id) ?? 0) + 1;
  generations.set(element.id, generation);
  const current = () => element.isConnected && generations.get(element.id) === generation;
  element.dataset.state = 'loading';
  try {
    await work(element, current);
    if (current()) element.dataset.state = 'ready';
  } catch (error) {
    if (!current()) return;
    element.dataset.state = 'error';
    $(errorSelector).innerHTML = `<p class="error">无法加载 could not load: ${escape((error as Error).message)}</p>`;
  }
}

async function showHealth(): Promise<void> {
  const health = await api.health();
  if (!session) return; // logged out meanwhile: the header shows nothing of the system then
  const item = (name: string, ok: boolean, detail: string) =>
    `<li class="${ok ? 'ok' : 'bad'}" title="${escape(detail)}">${escape(name)} ${ok ? '●' : '✕'}</li>`;
  $('#health').innerHTML =
    item('Temporal', health.temporal.ok, health.temporal.error ?? 'serving') +
    item('DuckDB', health.duckdb.ok, health.duckdb.error ?? `${health.duckdb.cases ?? 0} cases`);
}

/** Cases by month over the last 24 months (this month included, drawn lighter while under way). */
async function showChart(): Promise<void> {
  await load('#cases-by-month', async (element, current) => {
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
  }, '#measure-note'); // the chart's canvas stays; a failure is told under it
}

/** The same China date a year earlier, as the API compares year on year (29 February becomes 28 February). */
const yearBefore = (date: string) => {
  const y = Number(date.slice(0, 4)) - 1;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return `${y}-${date.slice(5) === '02-29' && !leap ? '02-28' : date.slice(5)}`;
};

async function showTiles(): Promise<void> {
  await load('#kpis', async (element, current) => {
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
  await load('#declines', async (element, current) => {
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
  await load('#ranking', async (element, current) => {
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
    placeBars(element);
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
  await load('#petition-index', async (element, current) => {
    const data = await api.petitionIndex({ year: year() });
    if (!current()) return;
    element.innerHTML = petitionIndexHtml(data);
    placeBars(element);
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

const isCity = (code: string) => code.length === 6 && code.endsWith('0000');

/** Any region's name: the reference data names the districts only, so the city is named as the scope selector names it, and a street by its district and code. */
function placeName(code: string): string {
  if (isCity(code)) return '全市 All Beijing';
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
  await load('#alerts', async (element, current) => {
    const status = $<HTMLSelectElement>('#alert-status').value as AlertStatus | '';
    const { alerts } = await api.alerts({ ...(status ? { status } : {}), region: region(), limit: ALERT_LIMIT });
    if (!current()) return;
    element.innerHTML = alertsHtml(alerts, alertNames(), ALERT_LIMIT, can('alerts.decide'));
    element.dataset.status = status;
    element.dataset.region = region();
    element.dataset.count = String(alerts.length);
    $('#alerts-scope').textContent = `${scopeText()} · ${alerts.length} 条 alerts`;
  });
}

/** Acknowledges or dismisses one alert as the logged-in user; the row shows the decision as the API recorded it, or the API's refusal. */
async function decideAlert(button: HTMLButtonElement): Promise<void> {
  const row = button.closest<HTMLTableRowElement>('tr[data-alert]')!;
  const output = row.querySelector('output')!;
  const reason = row.querySelector<HTMLInputElement>('input[name=reason]')!.value.trim();
  const action = button.dataset.decide === 'dismiss' ? 'dismiss' : 'acknowledge';
  output.textContent = '';
  row.querySelectorAll('button').forEach((b) => (b.disabled = true));
  try {
    const decided = await api.decideAlert(row.dataset.alert!, action, reason ? { reason } : {});
    row.outerHTML = alertRowHtml(decided, alertNames(), can('alerts.decide'));
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
  const body = document.querySelector('#recent tbody');
  if (!body) return;
  const rows = await api.recentCases();
  if (!rows.length) {
    body.innerHTML = '<tr><td colspan="7" class="note">您的辖区内暂无信访事项 no cases in your jurisdiction yet</td></tr>';
    return;
  }
  body.innerHTML = rows
    .map(
      (c) => `<tr data-case="${escape(c.case_id)}">
        <td>${escape(c.case_id)}</td><td>${escape(chinaTime.format(new Date(c.received_at)))}</td>
        <td>${escape(reference.channels[c.channel] ?? c.channel)}</td><td>${escape(regionName(c.region_code))}</td>
        <td>${escape(c.route_due ?? '')}</td><td>${status(c)}</td>
        <td>${c.routed || !can('cases.act') ? '' : `<button data-route="${escape(c.case_id)}">转送 Route</button>`}</td>
      </tr>`,
    )
    .join('');
}

function describeRouteClock(): void {
  const clock = reference.clocks.route;
  const target = document.querySelector('#route-clock');
  if (!clock || !target) return;
  target.textContent = `${clock.labelZh}: ${clock.days} ${clock.basis === 'working' ? '工作日 working' : '日 calendar'} days (${clock.titleZh} ${clock.article ?? ''})`;
}

const options = (pairs: [string, string][], selected?: string) =>
  pairs.map(([v, l]) => `<option value="${escape(v)}"${v === selected ? ' selected' : ''}>${escape(l)}</option>`).join('');

/**
 * The regions the user may choose: a city user the whole city or any district, anyone else
 * only its own node (the server would refuse the others as outside the jurisdiction).
 */
function regionChoices(own: string): [string, string][] {
  if (isCity(own)) return [['', '全市 All Beijing'], ...reference.regions.map((r): [string, string] => [r.code, `${r.nameZh} ${r.nameEn}`])];
  const district = reference.regions.find((r) => r.code === own);
  return [[own, district ? `${district.nameZh} ${district.nameEn}` : placeName(own)]];
}

/** Streets and townships carry their district's code as a prefix; a street's cases are registered in its district. */
const districtOf = (code: string) => (code.length > 6 ? code.slice(0, 6) : code);

function fillSelects(own: string): void {
  const select = (selector: string, html: string) => {
    const element = document.querySelector(selector);
    if (element) element.innerHTML = html;
  };
  select('#region', options(regionChoices(own)));
  select('#intake-region', options(regionChoices(districtOf(own)).filter(([code]) => code !== '')));
  select('#channel', options(Object.entries(reference.channels)));
  // Default: the last complete year; the current one is offered to date.
  const today = chinaToday();
  const thisYear = Number(today.slice(0, 4));
  const years = [0, 1, 2, 3, 4].map((back): [string, string] => {
    const y = thisYear - back;
    return [String(y), back === 0 ? `${y}（截至 ${today.slice(5)} to date）` : String(y)];
  });
  select('#year', options(years, String(thisYear - 1)));
  select(
    '#ranking-measure',
    options(
      rankable().map((m): [string, string] => [m.id, `${m.labelZh} ${m.labelEn}`]),
      'satisfaction_rate',
    ),
  );
}

const showAnalytics = () => Promise.all([showChart(), showTiles(), showDeclines(), showRanking(), showAlerts()]);

async function refresh(): Promise<void> {
  await Promise.all([showHealth(), showAnalytics(), showPetitionIndex(), showRecent()]);
}

const isPermission = (id: string): id is Permission => Object.hasOwn(PERMISSIONS, id);

/** The dashboard's panels with those the role may not see left out (see data-permission in index.html). */
function panelsFor(): DocumentFragment {
  const panels = $<HTMLTemplateElement>('#panels').content.cloneNode(true) as DocumentFragment;
  for (const element of panels.querySelectorAll<HTMLElement>('[data-permission]')) {
    const needs = element.dataset.permission!.split(' ');
    const unknown = needs.find((id) => !isPermission(id));
    if (unknown) throw new Error(`index.html: data-permission names no permission "${unknown}"`);
    if (!needs.some((id) => can(id as Permission))) element.remove();
  }
  // What compares the city's districts with one another is for users of the city only.
  if (session?.regionLevel !== 'city') for (const element of panels.querySelectorAll('[data-city-only]')) element.remove();
  return panels;
}

/** For a role the dashboard has nothing for (the administrator): what the role may do, in place of empty panels. */
function roleNoteHtml(s: Session): string {
  return `<section class="card" id="role-note">
      <h2>${escape(s.role.labelZh)} <small>${escape(s.role.labelEn)}</small></h2>
      <p>看板上没有本角色可查看的内容；本角色可以 Nothing on the dashboard is for this role. The role may:</p>
      <ul>${s.role.permissions.map((p) => `<li data-grant="${escape(p)}">${escape(PERMISSIONS[p])}</li>`).join('')}</ul>
      <p class="note">这些功能通过 API 提供 These are served by the API: /api/v1/openapi.json.</p>
    </section>`;
}

function jurisdictionText(s: Session): string {
  if (s.organCode) return `机关 organ ${s.organCode}`;
  return s.regionCode ? `${placeName(s.regionCode)} (${s.regionCode})` : '';
}

/** Adds a listener to the element when the role's dashboard has it. */
function on(selector: string, type: string, listener: (event: Event) => void): void {
  document.querySelector(selector)?.addEventListener(type, listener);
}

function listen(): void {
  on('#region', 'change', () => {
    markIndexDistrict();
    void showAnalytics();
  });
  on('#year', 'change', () => void Promise.all([showTiles(), showDeclines(), showRanking(), showPetitionIndex()]));
  on('#ranking-measure', 'change', () => void showRanking());
  on('#min-volume', 'change', () => void showRanking());
  on('#alert-status', 'change', () => void showAlerts());
  on('#scan-now', 'click', () => void scanNow());
  on('#alerts', 'click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-decide]');
    if (button) void decideAlert(button);
  });
  on('#intake', 'submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const output = $('#intake-result');
    const own = session?.regionCode ?? '';
    try {
      const { caseId } = await api.register({
        channel: form.get('channel'),
        regionCode: form.get('regionCode'),
        ...(districtOf(own) !== own ? { streetCode: own } : {}),
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
  on('#recent', 'click', async (event) => {
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
}

/** The dashboard for a logged-in user: the panels of the role, scoped to the user's jurisdiction. */
async function openDashboard(s: Session): Promise<void> {
  session = s;
  granted = new Set(s.role.permissions);
  const board = $('#dashboard');
  board.dataset.state = 'loading';
  board.dataset.role = s.role.id;
  const [ref, catalog] = await Promise.all([api.reference(), can('metrics.read') ? api.catalog() : null]);
  if (session !== s) return; // logged out while these were on their way
  reference = ref;
  measures = new Map((catalog?.measures ?? []).map((m) => [m.id, m]));
  showWho(s, jurisdictionText(s));
  board.replaceChildren(panelsFor());
  if (!board.querySelector('[data-permission]')) board.innerHTML = roleNoteHtml(s);
  fillSelects(s.regionCode ?? '');
  describeRouteClock();
  listen();
  await refresh();
  if (session === s) board.dataset.state = 'ready';
}

function closeDashboard(): void {
  session = null;
  granted = new Set();
  disposeCharts();
  generations.clear();
  const board = $('#dashboard');
  board.replaceChildren();
  delete board.dataset.state;
  delete board.dataset.role;
  $('#health').replaceChildren();
  document.querySelector('.fatal')?.remove();
}

function fatal(error: unknown): void {
  // A lost session has already brought the login form back; that says enough.
  if (error instanceof ApiError && error.status === 401) return;
  document.querySelector('.fatal')?.remove();
  document.body.insertAdjacentHTML('afterbegin', `<p class="fatal">${escape((error as Error).message)}</p>`);
}

const enter = (s: Session) => void openDashboard(s).catch(fatal);

whenSignedOut(() => {
  closeDashboard();
  showLogin('会话已结束，请重新登录 your session has ended; log in again');
});
setUpLogin({
  loggedIn: enter,
  logOut: () =>
    void api
      .logout()
      .then(() => {
        closeDashboard();
        showLogin();
      })
      .catch(fatal),
});
api
  .session()
  .then((s) => (s ? enter(s) : showLogin()))
  .catch(fatal);
