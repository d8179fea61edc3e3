import './style.css';
import { api, type CaseSummary, type Reference } from './api.js';
import { drawCasesByMonth } from './chart.js';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

let reference: Reference;
const chinaTime = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' });

async function showHealth(): Promise<void> {
  const health = await api.health();
  const item = (name: string, ok: boolean, detail: string) =>
    `<li class="${ok ? 'ok' : 'bad'}" title="${escape(detail)}">${name} ${ok ? '●' : '✕'}</li>`;
  $('#health').innerHTML =
    item('Temporal', health.temporal.ok, health.temporal.error ?? 'serving') +
    item('DuckDB', health.duckdb.ok, health.duckdb.error ?? `${health.duckdb.cases ?? 0} cases`);
}

async function showChart(): Promise<void> {
  const data = await api.casesByMonth($<HTMLSelectElement>('#region').value);
  drawCasesByMonth($('#cases-by-month'), data);
  $('#measure-note').textContent = `${data.measure.labelEn}, ${data.from} – ${data.to}: ${data.measure.description} Date basis: ${data.measure.dateBasis}.`;
}

function status(c: CaseSummary): string {
  if (c.routed) return c.route_overdue ? '<span class="late">逾期后转送 routed late</span>' : '已转送 routed';
  return c.route_overdue ? '<span class="late">逾期未转送 overdue</span>' : '待转送 awaiting route';
}

async function showRecent(): Promise<void> {
  const regionName = (code: string) => reference.regions.find((r) => r.code === code)?.nameZh ?? code;
  const rows = await api.recentCases();
  $('#recent tbody').innerHTML = rows
    .map(
      (c) => `<tr>
        <td>${escape(c.case_id)}</td><td>${chinaTime.format(new Date(c.received_at))}</td>
        <td>${escape(reference.channels[c.channel] ?? c.channel)}</td><td>${escape(regionName(c.region_code))}</td>
        <td>${c.route_due ?? ''}</td><td>${status(c)}</td>
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

function fillSelects(): void {
  const options = (pairs: [string, string][]) => pairs.map(([v, l]) => `<option value="${escape(v)}">${escape(l)}</option>`).join('');
  const regions = reference.regions.map((r): [string, string] => [r.code, `${r.nameZh} ${r.nameEn}`]);
  $('#region').insertAdjacentHTML('beforeend', options(regions));
  $('#intake-region').innerHTML = options(regions);
  $('#channel').innerHTML = options(Object.entries(reference.channels));
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

async function refresh(): Promise<void> {
  await Promise.all([showHealth(), showChart(), showRecent()]);
}

async function start(): Promise<void> {
  reference = await api.reference();
  fillSelects();
  describeRouteClock();
  $('#region').addEventListener('change', () => void showChart());
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
      setTimeout(() => void refresh(), 800);
    } catch (error) {
      output.textContent = `未登记 not registered: ${(error as Error).message}`;
    }
  });
  $('#recent').addEventListener('click', async (event) => {
    const caseId = (event.target as HTMLElement).dataset.route;
    if (!caseId) return;
    await api.route(caseId);
    await refresh();
  });
  await refresh();
}

start().catch((error: Error) => {
  document.body.insertAdjacentHTML('afterbegin', `<p class="fatal">${escape(error.message)}</p>`);
});
