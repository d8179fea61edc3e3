/**
 * Early-warning alerts (预警) as HTML: what was found where, by which method, the figures
 * against what was expected, how serious, and the open ones with their acknowledge and dismiss
 * controls. Names of regions, channels and measures come from the page's reference data.
 */
import { PETITION_CLASSES } from '../../domain/case.js';
import type { Alert, ScanState, Severity } from './api.js';
import { attr, escape, formatCount, formatRate } from './format.js';

export interface AlertNames {
  region: (code: string) => string;
  channel: (code: string) => string;
  measure: (id: string) => string;
}

const LEVELS: Record<Alert['level'], string> = { city: '市 city', district: '区 district', street: '街道 street' };
const SEVERITIES: Record<Severity, string> = { info: '提示 info', warning: '警告 warning', serious: '严重 serious' };
const KINDS: Record<string, string> = {
  'count-aberration': '数量异常 count aberration',
  'collective-growth': '集体访增长 collective growth',
  'petitioner-escalation': '信访人越级上行 petitioner escalation',
  'organ-rate-rise': '机关比率上升 organ rate rise',
  'space-time-cluster': '时空聚集 space-time cluster',
};
const STATUSES: Record<Alert['status'], string> = { open: '待处理 open', acknowledged: '已确认 acknowledged', dismissed: '已驳回 dismissed' };
const ESCALATION_LEVELS: Record<string, string> = { district: '区 district', city: '市 city', 'skip-level': '越级 skip-level' };

const isClass = (code: string): code is keyof typeof PETITION_CLASSES => code in PETITION_CLASSES;

/** The series an alert is about: region, field, channel, class, and its subject (organ, petitioner, districts). */
function seriesHtml(a: Alert, names: AlertNames): string {
  const parts = [
    names.region(a.region_code),
    a.field ?? '全部领域 all fields',
    a.channel ? names.channel(a.channel) : '全部渠道 all channels',
    ...(a.petition_class ? [isClass(a.petition_class) ? PETITION_CLASSES[a.petition_class] : a.petition_class] : []),
  ];
  let subject = '';
  if (a.subject && a.kind === 'organ-rate-rise') {
    const [organ, measure] = a.subject.split('|');
    subject = `机关 organ ${organ ?? ''} · ${names.measure(measure ?? '')}`;
  } else if (a.subject && a.kind === 'petitioner-escalation') subject = `信访人 petitioner ${a.subject}`;
  else if (a.subject && a.kind === 'space-time-cluster') subject = a.subject.split(',').map(names.region).join('、');
  else if (a.subject) subject = a.subject;
  return `${escape(parts.join(' · '))}${subject ? `<br><small>${escape(subject)}</small>` : ''}`;
}

/** Observed against expected, in the signal's own unit: cases, a share, or the levels a petitioner reached. */
function figuresText(a: Alert): string {
  if (a.kind === 'petitioner-escalation') {
    const { from, to } = a.detail;
    return typeof from === 'string' && typeof to === 'string' ? `${ESCALATION_LEVELS[from] ?? from} → ${ESCALATION_LEVELS[to] ?? to}` : '—';
  }
  const value = (n: number | null) => (n == null ? '—' : a.kind === 'organ-rate-rise' ? formatRate(n) : formatCount(Math.round(n * 10) / 10));
  return `${value(a.observed)} / ${value(a.expected)}`;
}

function figuresTitle(a: Alert): string {
  return [
    a.upperbound != null ? `阈值 threshold ${a.kind === 'organ-rate-rise' ? formatRate(a.upperbound) : a.upperbound.toFixed(1)}` : '',
    a.p_value != null ? `p = ${a.p_value.toPrecision(2)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

function statusHtml(a: Alert): string {
  if (a.status === 'open') return escape(STATUSES.open);
  const when = a.decided_at ? a.decided_at.slice(0, 16) : '';
  return `${escape(STATUSES[a.status])}<br><small>${escape(`${a.decided_by ?? ''} ${when}`)}${a.decision_reason ? `: ${escape(a.decision_reason)}` : ''}</small>`;
}

/** `decidable`: the user may acknowledge and dismiss (alerts.decide), so open alerts get the controls. */
export function alertRowHtml(a: Alert, names: AlertNames, decidable: boolean): string {
  const weeks = a.run_length > 1 ? `<br><small>${escape(`自 since ${a.first_period}，连续 ${a.run_length} 周 weeks`)}</small>` : '';
  const raised = a.severity !== a.base_severity ? ` <small>(${escape(`由 ${SEVERITIES[a.base_severity]} 上调 raised`)})</small>` : '';
  const actions =
    a.status === 'open' && decidable
      ? `<div class="decide"><input name="reason" maxlength="500" placeholder="理由 Reason (驳回必填 required to dismiss)" aria-label="理由 Reason" />
          <button type="button" data-decide="acknowledge">确认 Acknowledge</button><button type="button" class="secondary" data-decide="dismiss">驳回 Dismiss</button></div>
          <output class="error"></output>`
      : '';
  return `<tr${attr('alert', a.alert_id)}${attr('status', a.status)}${attr('severity', a.severity)}${attr('sensitive', a.sensitive_period)}>
      <td>${escape(a.period)}${weeks}</td>
      <td>${escape(LEVELS[a.level])}</td>
      <td>${seriesHtml(a, names)}</td>
      <td>${escape(KINDS[a.kind] ?? a.kind)}<br><small>${escape(a.method)}</small></td>
      <td class="num" title="${escape(figuresTitle(a))}">${escape(figuresText(a))}</td>
      <td><span class="severity ${a.severity}">${escape(SEVERITIES[a.severity])}</span>${raised}${
        a.sensitive_period ? `<br><span class="flag sensitive">敏感期 ${escape(a.sensitive_period)}</span>` : ''
      }</td>
      <td>${statusHtml(a)}</td>
      <td class="actions">${actions}</td>
    </tr>`;
}

export function alertsHtml(alerts: Alert[], names: AlertNames, limit: number, decidable: boolean): string {
  if (!alerts.length) return '<p class="note">没有符合条件的预警 no alerts match. 每周一 06:00 自动扫描上一周，也可立即扫描 the scan runs every Monday 06:00 for the week before; or scan now.</p>';
  return `<table id="alerts-table">
      <thead><tr><th>周 Week</th><th>级别 Level</th><th>序列 Series</th><th>类型 Kind · 方法 method</th><th class="num">观测 / 预期 Observed / expected</th>
        <th>严重程度 Severity</th><th>状态 Status</th><th>处理 Decision</th></tr></thead>
      <tbody>${alerts.map((a) => alertRowHtml(a, names, decidable)).join('')}</tbody>
    </table>
    ${alerts.length >= limit ? `<p class="note">${escape(`仅显示最近 ${limit} 条 showing the latest ${limit}; 按区域缩小范围 narrow by region`)}</p>` : ''}`;
}

/** A scan's outcome in one line, or where it stands while it runs. */
export function scanText(scan: ScanState): string {
  if (scan.status !== 'finished') return `扫描中 scanning (${scan.status}) · ${scan.scan_id}`;
  if (scan.alerts_raised === undefined) return `扫描完成 scan finished · ${scan.scan_id}`;
  return (
    `扫描完成 scan finished: ${scan.week_from} – ${scan.week_to}, ${formatCount(scan.series_scanned ?? 0)} 个序列 series, ` +
    `新预警 ${scan.alerts_raised} new, 延续 ${scan.alerts_continued ?? 0} continued · ${scan.scan_id}`
  );
}
