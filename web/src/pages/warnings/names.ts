/** How an alert is named on the page: its kind, level, severity, status and the series it watches. */
import { ALERT_KINDS, ALERT_SEVERITIES, ALERT_STATUSES } from '../../../../domain/alert-names.js';
import { PETITION_CLASSES } from '../../../../domain/case.js';
import type { Alert, Severity } from '../../api.js';
import { channelName, measureOf, placeName, type AppState } from '../../context.js';
import { formatCount, formatRate, formatTime } from '../../format.js';
import { label, t } from '../../i18n.js';

const pair = (names: Record<string, readonly [string, string]>, key: string) => t(...(names[key] ?? [key, key]));

export const LEVELS: Record<Alert['level'], [string, string]> = { city: ['市', 'city'], district: ['区', 'district'], street: ['街道', 'street'] };
export const SEVERITIES: Record<Severity, readonly [string, string]> = ALERT_SEVERITIES;
export const STATUSES: Record<Alert['status'], readonly [string, string]> = ALERT_STATUSES;
const KINDS = ALERT_KINDS;
const ESCALATION: Record<string, [string, string]> = { district: ['区', 'district'], city: ['市', 'city'], 'skip-level': ['越级', 'skip-level'] };

export const kindName = (a: Alert) => pair(KINDS, a.kind);
export const severityName = (s: string) => pair(SEVERITIES, s);
export const statusName = (s: string) => pair(STATUSES, s);
export const levelName = (l: string) => pair(LEVELS, l);

const isClass = (code: string): code is keyof typeof PETITION_CLASSES => code in PETITION_CLASSES;

/** The series an alert is about: region, field, channel, class, and its subject (organ, petitioner, districts). */
export function seriesName(state: AppState, a: Alert): string {
  const parts = [
    placeName(state, a.region_code),
    a.field ?? t('全部领域', 'all fields'),
    a.channel ? channelName(state, a.channel) : t('全部渠道', 'all channels'),
    ...(a.petition_class ? [isClass(a.petition_class) ? t(PETITION_CLASSES[a.petition_class], a.petition_class) : a.petition_class] : []),
  ];
  if (a.subject && a.kind === 'organ-rate-rise') {
    const [organ, measureId] = a.subject.split('|');
    const m = measureId ? measureOf(state, measureId) : undefined;
    parts.push(`${t('机关', 'organ')} ${organ ?? ''}${measureId ? ` · ${m ? label(m) : measureId}` : ''}`);
  }
  else if (a.subject && a.kind === 'organ-presses') parts.push(`${t('机关', 'organ')} ${a.subject}`);
  else if (a.subject && a.kind === 'petitioner-escalation') parts.push(`${t('信访人', 'petitioner')} ${a.subject}`);
  else if (a.subject && a.kind === 'space-time-cluster') parts.push(a.subject.split(',').map((c) => placeName(state, c)).join(t('、', ', ')));
  else if (a.subject) parts.push(a.subject);
  return parts.join(' · ');
}

/** Observed against expected, in the signal's own unit: cases, a share, or the levels a petitioner reached. */
export function figuresText(a: Alert): string {
  if (a.kind === 'petitioner-escalation') {
    const { from, to } = a.detail as { from?: unknown; to?: unknown };
    return typeof from === 'string' && typeof to === 'string' ? `${pair(ESCALATION, from)} → ${pair(ESCALATION, to)}` : '—';
  }
  const value = (n: number | null) => (n == null ? '—' : a.kind === 'organ-rate-rise' ? formatRate(n) : formatCount(Math.round(n * 10) / 10));
  return `${value(a.observed)} / ${value(a.expected)}`;
}

/** The threshold and p-value behind the figures, for a title. */
export function figuresTitle(a: Alert): string {
  return [
    a.upperbound != null ? `${t('阈值', 'threshold')} ${a.kind === 'organ-rate-rise' ? formatRate(a.upperbound) : a.upperbound.toFixed(1)}` : '',
    a.p_value != null ? `p = ${a.p_value.toPrecision(2)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** Who decided, as people read it: the actor's name and user name (the server records role, scope and id too). */
export function deciderName(decidedBy: string): string {
  const m = /^(.*?) \(([^;]*);/.exec(decidedBy);
  return m ? `${m[1]} (${m[2]})` : decidedBy;
}

/** A stored instant in China time, labelled; as stored when it does not parse. */
export const whenText = (at: string): string => (Number.isNaN(new Date(at).getTime()) ? at : formatTime(at));

/** Who decided a decided alert, when and why, in one line; null for an open one. */
export function decisionText(a: Alert): string | null {
  if (a.status === 'open') return null;
  const parts = [statusName(a.status), a.decided_by ? deciderName(a.decided_by) : null, a.decided_at ? whenText(a.decided_at) : null].filter(Boolean);
  return `${parts.join(' · ')}${a.decision_reason ? t(`，理由：${a.decision_reason}`, `; reason: ${a.decision_reason}`) : t('，未写理由', '; no reason given')}`;
}
