/**
 * Warnings (预警): the alerts of the user's jurisdiction, filtered by status and severity; the
 * selected one with its weekly series drawn (observed, expected, the band up to the threshold,
 * the alarmed weeks marked) and its method explained in words from the figures; acknowledge or
 * dismiss with a reason; a scan on demand with its progress; and, for the city's users, the
 * petition index with its method and its trend over the years. Region, filters and the
 * selected alert are in the URL (region, status, severity, alert; year for the index).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Alert, type AlertStatus, type Severity } from '../api.js';
import { can, placeName, useApp } from '../context.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { setParams, useLocation } from '../router.js';
import { useLoad } from '../use-load.js';
import { Panel } from '../ui/panel.js';
import { ScopeBar, useScope, type Scope } from '../ui/scope-bar.js';
import { AlertDetail } from './warnings/alert-detail.js';
import { IndexTrend, PetitionIndexPanel } from './warnings/index-trend.js';
import { decisionText, figuresText, figuresTitle, kindName, levelName, seriesName, SEVERITIES, severityName, statusName, STATUSES } from './warnings/names.js';
import { ScanNow } from './warnings/scan-now.js';
import './warnings.css';

const LIMIT = 200;
/** The status shown when the URL names none: what still needs a decision. */
const DEFAULT_STATUS: AlertStatus = 'open';

const statusParam = (params: URLSearchParams): AlertStatus | null => {
  const asked = params.get('status');
  if (asked === 'all') return null;
  return (Object.keys(STATUSES) as AlertStatus[]).find((s) => s === asked) ?? DEFAULT_STATUS;
};
const severityParam = (params: URLSearchParams): Severity | null => (Object.keys(SEVERITIES) as Severity[]).find((s) => s === params.get('severity')) ?? null;

function Filters({ status, severity }: { status: AlertStatus | null; severity: Severity | null }) {
  return html`<div class="controls">
    <label>${t('状态', 'Status')}
      <select id="alert-status" value=${status ?? 'all'} onChange=${(e: Event) => {
        const value = (e.target as HTMLSelectElement).value;
        setParams({ status: value === DEFAULT_STATUS ? null : value });
      }}>
        ${Object.entries(STATUSES).map(([id, n]) => html`<option value=${id}>${t(...n)}</option>`)}
        <option value="all">${t('全部状态', 'every status')}</option>
      </select></label>
    <label>${t('严重程度', 'Severity')}
      <select id="alert-severity" value=${severity ?? ''} onChange=${(e: Event) => setParams({ severity: (e.target as HTMLSelectElement).value || null })}>
        <option value="">${t('全部', 'all')}</option>
        ${Object.entries(SEVERITIES).map(([id, n]) => html`<option value=${id}>${t(...n)}</option>`)}
      </select></label>
  </div>`;
}

function AlertTable({ alerts, selected, status, severity, region, view }: { alerts: Alert[]; selected: string | null; status: AlertStatus | null; severity: Severity | null; region: string; view: (id: string) => void }) {
  const state = useApp();
  return html`<div class="scroll alerts-scroll">
    <table id="alerts-table" data-count=${alerts.length} data-status=${status ?? 'all'} data-severity=${severity ?? 'all'} data-region=${region}>
      <caption class="sr-only">${t('预警列表；“查看”打开该预警的序列与处理', 'The alerts; “View” opens an alert’s series and decision')}</caption>
      <thead><tr>
        <th scope="col">${t('周', 'Week')}</th><th scope="col">${t('级别', 'Level')}</th><th scope="col">${t('序列', 'Series')}</th><th scope="col">${t('类型 · 方法', 'Kind · method')}</th>
        <th scope="col" class="num">${t('观测 / 预期', 'Observed / expected')}</th><th scope="col">${t('严重程度', 'Severity')}</th><th scope="col">${t('状态', 'Status')}</th>
        <th scope="col"><span class="sr-only">${t('查看', 'View')}</span></th>
      </tr></thead>
      <tbody>${alerts.map((a) => html`<tr key=${a.alert_id} data-alert=${a.alert_id} data-status=${a.status} data-severity=${a.severity} data-sensitive=${a.sensitive_period ?? undefined} class=${a.alert_id === selected ? 'current' : undefined}>
        <td>${a.period}${a.run_length > 1 ? html`<br /><small>${t(`自 ${a.first_period} 连续 ${a.run_length} 周`, `${a.run_length} weeks since ${a.first_period}`)}</small>` : null}</td>
        <td>${levelName(a.level)}</td>
        <td>${seriesName(state, a)}</td>
        <td>${kindName(a)}<br /><small>${a.method}</small></td>
        <td class="num" title=${figuresTitle(a) || undefined}>${figuresText(a)}</td>
        <td><span class=${`severity ${a.severity}`}>${severityName(a.severity)}</span>${a.severity !== a.base_severity ? html`<br /><small>${t(`由${severityName(a.base_severity)}上调`, `raised from ${severityName(a.base_severity)}`)}</small>` : null}
          ${a.sensitive_period ? html`<br /><span class="flag sensitive">${t('敏感期', 'sensitive')} ${a.sensitive_period}</span>` : null}</td>
        <td>${a.status === 'open' ? statusName(a.status) : html`${statusName(a.status)}<br /><small class="decision">${decisionText(a)}</small>`}</td>
        <td><button type="button" class="link" data-view=${a.alert_id} aria-pressed=${a.alert_id === selected}
          aria-label=${t(`查看 ${a.period} ${seriesName(state, a)}`, `View ${a.period} ${seriesName(state, a)}`)} onClick=${() => view(a.alert_id)}>${t('查看', 'View')}</button></td>
      </tr>`)}</tbody>
    </table>
  </div>`;
}

/** The selected alert when the list does not hold it (another status, a shared link): looked up in the region. */
function UnlistedAlert({ id, scope, decided }: { id: string; scope: Scope; decided: (a: Alert) => void }) {
  const state = useApp();
  const loaded = useLoad(async () => (await api.alerts({ region: scope.region, limit: 1000 })).alerts.find((a) => a.alert_id === id) ?? null, [id, scope.region]);
  if (loaded.state === 'ready' && loaded.data) return html`<${AlertDetail} key=${id} alert=${loaded.data} decided=${decided} />`;
  return html`<${Panel} id="alert-detail" title=${t('预警', 'Alert')} loaded=${loaded}
      empty=${(a: Alert | null) => (a ? null : t(`${placeName(state, scope.region)}没有预警 ${id}（不存在，或不在您的辖区）。`, `${placeName(state, scope.region)} has no alert ${id} (it does not exist, or is outside your jurisdiction).`))}>
    ${() => null}
  <//>`;
}

function Alerts({ scope }: { scope: Scope }) {
  const state = useApp();
  const { params } = useLocation();
  const status = statusParam(params);
  const severity = severityParam(params);
  const selected = params.get('alert');
  // The answer carries what it was asked for, so the table says which list it shows while the next one loads.
  const loaded = useLoad(async () => ({ ...(await api.alerts({ ...(status ? { status } : {}), region: scope.region, limit: LIMIT })), status, region: scope.region }), [status, scope.region]);
  // What the server answered to a decision made here: shown until the list is read again, and after when the list no longer holds it.
  const [decidedHere, setDecidedHere] = useState<Record<string, Alert>>({});
  const decided = (a: Alert) => {
    setDecidedHere((before) => ({ ...before, [a.alert_id]: a }));
    loaded.reload();
  };
  const all = loaded.data?.alerts ?? [];
  const shown = all.filter((a) => !severity || a.severity === severity);
  const listed = selected ? (decidedHere[selected] ?? all.find((a) => a.alert_id === selected)) : undefined;

  // A click on "View" brings the detail into sight; a link opened cold is left where it lands.
  const asked = useRef(false);
  useEffect(() => {
    if (!asked.current) return;
    asked.current = false;
    document.getElementById('alert-detail')?.scrollIntoView({ block: 'start' });
  }, [selected]);
  const view = (id: string) => {
    asked.current = true;
    setParams({ alert: id });
  };

  const filtered = severity && all.length > shown.length ? t(`另有 ${all.length - shown.length} 条其他严重程度的预警未显示。`, `${all.length - shown.length} alerts of other severities are not shown.`) : null;
  const capped = all.length >= LIMIT ? t(`仅显示最近 ${LIMIT} 条；按区域缩小范围。`, `Showing the latest ${LIMIT}; narrow by region.`) : null;
  const tools = html`<div class="alert-tools">
    <${Filters} status=${status} severity=${severity} />
    ${can(state, 'scans.start') ? html`<${ScanNow} scanned=${loaded.reload} />` : null}
  </div>`;
  return html`<div class="warnings-alerts">
    <${Panel} id="alerts" title=${`${t('预警', 'Alerts')} · ${placeName(state, scope.region)}${loaded.data ? t(` · ${shown.length} 条`, ` · ${shown.length}`) : ''}`} loaded=${loaded} tools=${tools} wide
        empty=${() =>
          shown.length
            ? null
            : `${t(`${placeName(state, scope.region)}没有${status ? statusName(status) : ''}${severity ? `、${severityName(severity)}级` : ''}的预警。`, `${placeName(state, scope.region)} has no ${status ? `${statusName(status)} ` : ''}${severity ? `${severityName(severity)} ` : ''}alerts.`)}${t('每周一 06:00 自动扫描上一周，也可立即扫描。', ' The scan runs every Monday 06:00 for the week before; or scan now.')}`}
        note=${[filtered, capped].filter(Boolean).join(' ') || null}>
      ${(d: { status: AlertStatus | null; region: string }) => html`<${AlertTable} alerts=${shown} selected=${selected} status=${d.status} severity=${severity} region=${d.region} view=${view} />`}
    <//>
    ${selected
      ? listed
        ? html`<${AlertDetail} key=${selected} alert=${listed} decided=${decided} />`
        : loaded.state !== 'loading'
          ? html`<${UnlistedAlert} key=${selected} id=${selected} scope=${scope} decided=${decided} />`
          : null
      : shown.length
        ? html`<p class="note pick-alert">${t('选择一条预警的“查看”，查看其序列、方法说明与处理。', 'Choose “View” on an alert for its series, its method in words and its decision.')}</p>`
        : null}
  </div>`;
}

export default function Warnings() {
  const state = useApp();
  const scope = useScope();
  const cityUser = state.session.regionLevel === 'city' && can(state, 'metrics.read');
  return html`<div class="page" id="warnings">
    <${ScopeBar} withYear=${cityUser}
      note=${cityUser ? t('区域用于预警；年度用于信访指数。', 'The region applies to the alerts; the year to the petition index.') : t('区域用于预警。', 'The region applies to the alerts.')} />
    <${Alerts} scope=${scope} />
    ${cityUser ? html`<${PetitionIndexPanel} scope=${scope} /><${IndexTrend} scope=${scope} />` : null}
  </div>`;
}
