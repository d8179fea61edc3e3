/**
 * One alert: its series drawn (count aberrations), its method in words, severity and why it is
 * that severe, the sensitive period, its run, and the decision: who acknowledged or dismissed
 * it, when and why, or, for a user who may decide, the controls to do so with a reason.
 */
import { useState } from 'preact/hooks';
import { api, ApiError, type Alert } from '../../api.js';
import { can, useApp } from '../../context.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { useLoad } from '../../use-load.js';
import { Missing, Panel, refusalText } from '../../ui/panel.js';
import { alertSeries, type AlertSeries } from './api.js';
import { decisionText, figuresText, figuresTitle, kindName, levelName, seriesName, severityName } from './names.js';
import { SeriesChart, SeriesTable } from './series-chart.js';

/** What the detail has to draw: the series, or why there is none (another kind of signal, or the server's no_series). */
type Drawn = { series: AlertSeries } | { none: string };

async function drawnOf(alert: Alert): Promise<Drawn> {
  if (alert.kind !== 'count-aberration') {
    return { none: t('此类信号没有按周计数的序列可画；其数字见下。', 'This kind of signal has no weekly count series to draw; its figures are below.') };
  }
  try {
    return { series: await alertSeries(alert.alert_id) };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'no_series') return { none: `${t('无法重算该预警的序列', 'Its series cannot be recomputed')}: ${error.message}` };
    throw error;
  }
}

function Decide({ alert, decided }: { alert: Alert; decided: (alert: Alert) => void }) {
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState<'acknowledge' | 'dismiss' | null>(null);
  const decide = async (action: 'acknowledge' | 'dismiss') => {
    setBusy(action);
    setMessage('');
    try {
      // The reason goes as typed (trimmed); whether one is needed is the server's rule, and its refusal is shown.
      decided(await api.decideAlert(alert.alert_id, action, reason.trim() ? { reason: reason.trim() } : {}));
    } catch (error) {
      setMessage(`${action === 'dismiss' ? t('未驳回', 'Not dismissed') : t('未确认', 'Not acknowledged')}: ${refusalText(error as Error)}`);
    } finally {
      setBusy(null);
    }
  };
  return html`<form class="decide" id="decide" aria-busy=${busy !== null} aria-labelledby="decide-title" onSubmit=${(e: Event) => e.preventDefault()}>
    <h3 id="decide-title">${t('处理', 'Decision')}</h3>
    <label class="wide">${t('理由（驳回必填，确认可选）', 'Reason (required to dismiss, optional to acknowledge)')}
      <input name="reason" maxlength="500" autocomplete="off" value=${reason} onInput=${(e: Event) => setReason((e.target as HTMLInputElement).value)} /></label>
    <div class="buttons">
      <button type="button" data-decide="acknowledge" disabled=${busy !== null} onClick=${() => void decide('acknowledge')}>${busy === 'acknowledge' ? t('提交中…', 'Sending…') : t('确认', 'Acknowledge')}</button>
      <button type="button" class="secondary" data-decide="dismiss" disabled=${busy !== null} onClick=${() => void decide('dismiss')}>${busy === 'dismiss' ? t('提交中…', 'Sending…') : t('驳回', 'Dismiss')}</button>
    </div>
    <output class="error" role="alert">${message}</output>
  </form>`;
}

function Facts({ alert, series }: { alert: Alert; series: AlertSeries | null }) {
  const method = series ? t(series.method.nameZh, series.method.nameEn) : alert.method;
  const raised = alert.severity !== alert.base_severity;
  const sensitive = series?.sensitive ?? null;
  const decision = decisionText(alert);
  return html`<dl class="method alert-facts" data-alert=${alert.alert_id} data-status=${alert.status} data-severity=${alert.severity}>
    <dt>${t('方法', 'Method')}</dt><dd>${method} <small>${alert.method}</small></dd>
    <dt>${t('级别', 'Level')}</dt><dd>${levelName(alert.level)}</dd>
    <dt>${t('严重程度', 'Severity')}</dt><dd id="alert-severity-text"><span class=${`severity ${alert.severity}`}>${severityName(alert.severity)}</span>${
      raised
        ? ` ${alert.sensitive_period ? t(`（因敏感期由${severityName(alert.base_severity)}上调一级）`, `(raised one step from ${severityName(alert.base_severity)} by the sensitive period)`) : t(`（由${severityName(alert.base_severity)}上调）`, `(raised from ${severityName(alert.base_severity)})`)}`
        : ''
    }</dd>
    <dt>${t('敏感期', 'Sensitive period')}</dt><dd id="alert-sensitive">${
      sensitive
        ? `${t(sensitive.nameZh, sensitive.nameEn)} · ${sensitive.from} – ${sensitive.to}${sensitive.leadDays ? t(`（含前 ${sensitive.leadDays} 天）`, ` (and the ${sensitive.leadDays} days before)`) : ''}`
        : (alert.sensitive_period ?? t('不在敏感期', 'not in a sensitive period'))
    }</dd>
    <dt>${t('首个告警周', 'First week')}</dt><dd id="alert-first">${alert.first_period}</dd>
    <dt>${t('持续', 'Run')}</dt><dd id="alert-run" data-run-length=${alert.run_length}>${alert.run_length > 1 ? t(`连续 ${alert.run_length} 周，至 ${alert.period}`, `${alert.run_length} weeks, to ${alert.period}`) : t(`1 周（${alert.period}）`, `1 week (${alert.period})`)}</dd>
    <dt>${t('观测 / 预期', 'Observed / expected')}</dt><dd>${figuresText(alert)}${figuresTitle(alert) ? html` <small>${figuresTitle(alert)}</small>` : null}</dd>
    <dt>${t('状态', 'Status')}</dt><dd id="alert-decision">${decision ?? t('待处理', 'open')}</dd>
  </dl>`;
}

export function AlertDetail({ alert, decided }: { alert: Alert; decided: (alert: Alert) => void }) {
  const state = useApp();
  const loaded = useLoad(() => drawnOf(alert), [alert.alert_id, alert.kind]);
  return html`<${Panel} id="alert-detail" title=${`${kindName(alert)} · ${seriesName(state, alert)}`} loaded=${loaded} wide>
    ${(d: Drawn) => {
      const series = 'series' in d ? d.series : null;
      return html`<div class="alert-detail">
        ${series
          ? html`<${SeriesChart} series=${series} />
              <p class="explanation" lang=${t('zh-CN', 'en')}>${t(series.method.explanationZh, series.method.explanationEn)}</p>
              ${series.matchesAlert ? null : html`<${Missing}>${t('按现有数据重算的最后一周与预警记录不一致（此后导入或更正了数据）。', 'Recomputed on today’s data, the last week differs from the alert as raised (data was imported or corrected since).')}<//>`}
              <${SeriesTable} series=${series} />`
          : html`<${Missing}>${'none' in d ? d.none : ''}<//>`}
        <${Facts} alert=${alert} series=${series} />
        ${alert.status === 'open' && can(state, 'alerts.decide') ? html`<${Decide} key=${alert.alert_id} alert=${alert} decided=${decided} />` : null}
      </div>`;
    }}
  <//>`;
}
