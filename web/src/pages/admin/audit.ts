/**
 * The audit log: who did what, to which objects, with what outcome and when, newest first,
 * filtered by user, action (or a family such as "user"), object id, outcome and China dates,
 * every filter in the URL; and the verification of its hash chain on demand.
 */
import { useState } from 'preact/hooks';
import { formatTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { setParams, useLocation } from '../../router.js';
import { useLoad } from '../../use-load.js';
import { Panel, refusalText } from '../../ui/panel.js';
import { adminApi, type AuditOutcome, type AuditQuery, type AuditRecord, type AuditVerification } from './api.js';

const OUTCOMES: Record<AuditOutcome, [string, string]> = { ok: ['成功', 'ok'], denied: ['拒绝', 'denied'], failed: ['失败', 'failed'] };
const LIMITS = [50, 200, 1000] as const;
const DEFAULT_LIMIT = 200;
const TEXT_FILTERS = ['user', 'action', 'object', 'from', 'to'] as const;
const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

export function auditQueryOf(params: URLSearchParams): AuditQuery {
  const text = (k: string) => params.get(k)?.trim() || undefined;
  const outcome = (Object.keys(OUTCOMES) as AuditOutcome[]).find((o) => o === params.get('outcome'));
  const limit = LIMITS.find((l) => String(l) === params.get('limit')) ?? DEFAULT_LIMIT;
  const from = text('from');
  const to = text('to');
  return {
    ...(text('user') ? { user: text('user') } : {}),
    ...(text('action') ? { action: text('action') } : {}),
    ...(text('object') ? { object: text('object') } : {}),
    ...(outcome ? { outcome } : {}),
    ...(from && isDate(from) ? { from } : {}),
    ...(to && isDate(to) ? { to } : {}),
    limit,
  };
}

function Filters({ q }: { q: AuditQuery }) {
  // Typed into the form, applied to the URL on submit: one request per question, not per keystroke.
  const [draft, setDraft] = useState<Record<(typeof TEXT_FILTERS)[number], string>>({ user: q.user ?? '', action: q.action ?? '', object: q.object ?? '', from: q.from ?? '', to: q.to ?? '' });
  const input = (name: (typeof TEXT_FILTERS)[number], caption: string, extra: Record<string, string> = {}) => html`<label for=${`audit-${name}`}>${caption}
      <input id=${`audit-${name}`} name=${name} value=${draft[name]} autocomplete="off" maxlength="200" ...${extra}
        onInput=${(e: Event) => setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value })} /></label>`;
  const apply = (e: Event) => {
    e.preventDefault();
    setParams(Object.fromEntries(TEXT_FILTERS.map((k) => [k, draft[k].trim() || null])));
  };
  return html`<form id="audit-filters" class="admin-form filters" aria-label=${t('审计日志筛选', 'audit log filters')} onSubmit=${apply}>
    ${input('user', t('用户（用户名或编号）', 'User (name or id)'))}
    ${input('action', t('操作（如 user 或 user.create）', 'Action (e.g. user or user.create)'))}
    ${input('object', t('对象编号', 'Object id'))}
    <label for="audit-outcome">${t('结果', 'Outcome')}
      <select id="audit-outcome" value=${q.outcome ?? ''} onChange=${(e: Event) => setParams({ outcome: (e.target as HTMLSelectElement).value || null })}>
        <option value="">${t('全部', 'all')}</option>
        ${(Object.keys(OUTCOMES) as AuditOutcome[]).map((o) => html`<option value=${o}>${t(...OUTCOMES[o])}</option>`)}
      </select></label>
    ${input('from', t('自（日期）', 'From (date)'), { type: 'date' })}
    ${input('to', t('至（日期，含当日）', 'To (date, inclusive)'), { type: 'date' })}
    <label for="audit-limit">${t('条数上限', 'At most')}
      <select id="audit-limit" value=${String(q.limit)} onChange=${(e: Event) => setParams({ limit: (e.target as HTMLSelectElement).value === String(DEFAULT_LIMIT) ? null : (e.target as HTMLSelectElement).value })}>
        ${LIMITS.map((l) => html`<option value=${String(l)}>${l}</option>`)}
      </select></label>
    <div class="buttons">
      <button type="submit" id="audit-apply">${t('筛选', 'Filter')}</button>
      <button type="button" class="secondary" id="audit-clear" onClick=${() => setParams({ user: null, action: null, object: null, outcome: null, from: null, to: null, limit: null })}>${t('清除', 'Clear')}</button>
    </div>
  </form>`;
}

function detailText(e: AuditRecord): string {
  if (e.detail === null || e.detail === undefined) return '';
  return JSON.stringify(e.detail);
}

function Entries({ entries, q }: { entries: AuditRecord[]; q: AuditQuery }) {
  return html`<div class="scroll audit-scroll">
    <table id="audit-table" data-count=${entries.length}>
      <caption class="sr-only">${t('审计日志，最新在前', 'The audit log, newest first')}</caption>
      <thead><tr>
        <th scope="col" class="num">#</th><th scope="col">${t('时间', 'Time')}</th><th scope="col">${t('用户', 'User')}</th><th scope="col">${t('操作', 'Action')}</th>
        <th scope="col">${t('结果', 'Outcome')}</th><th scope="col">${t('对象', 'Objects')}</th><th scope="col">${t('详情', 'Detail')}</th>
      </tr></thead>
      <tbody>${entries.map((e) => html`<tr key=${e.seq} data-seq=${e.seq} data-action=${e.action} data-outcome=${e.outcome} data-at=${e.at}>
        <td class="num">${e.seq}</td>
        <td class="time">${formatTime(e.at)}</td>
        <td>${e.username ?? t('（未知用户）', '(unknown user)')}${e.role ? html`<br /><small>${e.role} · ${e.scope ?? ''}</small>` : null}</td>
        <td><code>${e.action}</code>${e.route ? html`<br /><small>${e.route}</small>` : null}</td>
        <td><span class=${`outcome ${e.outcome}`}>${t(...OUTCOMES[e.outcome])}</span>${e.status !== null ? html` <small>${e.status}</small>` : null}</td>
        <td class="objects">${e.objectIds.map((id) => html`<button type="button" class="link" onClick=${() => setParams({ object: id })} aria-label=${t(`按对象 ${id} 筛选`, `Filter by object ${id}`)}>${id}</button> `)}</td>
        <td class="detail"><small>${detailText(e)}${e.reason ? html`<br />${t('理由', 'Reason')}: ${e.reason}` : null}${e.personalFields.length ? html`<br />${t('读取个人信息', 'Personal fields read')}: ${e.personalFields.join(', ')}` : null}</small></td>
      </tr>`)}</tbody>
    </table>
    ${entries.length >= q.limit ? html`<p class="note">${t(`仅显示最近 ${q.limit} 条；用筛选缩小范围或提高上限。`, `Showing the latest ${q.limit}; narrow with the filters or raise the limit.`)}</p>` : null}
  </div>`;
}

function VerifyChain() {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: true; v: AuditVerification } | { ok: false; text: string } | null>(null);
  const verify = async () => {
    setBusy(true);
    setResult(null);
    try {
      setResult({ ok: true, v: await adminApi.verifyAudit() });
    } catch (error) {
      setResult({ ok: false, text: refusalText(error as Error) });
    } finally {
      setBusy(false);
    }
  };
  const text = !result
    ? ''
    : !result.ok
      ? `${t('无法校验', 'Could not verify')}: ${result.text}`
      : result.v.ok
        ? t(`哈希链完整：${result.v.rows} 条记录，末条哈希 ${result.v.lastHash.slice(0, 16)}…`, `The hash chain is intact: ${result.v.rows} rows, last hash ${result.v.lastHash.slice(0, 16)}…`)
        : t(`哈希链断裂于第 ${result.v.brokenAt} 条（此前 ${result.v.rows} 条完整）：${result.v.problem}`, `The hash chain is broken at row ${result.v.brokenAt} (${result.v.rows} rows intact before it): ${result.v.problem}`);
  const state = !result ? '' : result.ok && result.v.ok ? 'intact' : result.ok ? 'broken' : 'error';
  return html`<div class="verify-chain">
    <button type="button" id="audit-verify" disabled=${busy} onClick=${() => void verify()}>${busy ? t('校验中…', 'Verifying…') : t('校验哈希链', 'Verify the hash chain')}</button>
    <output id="audit-verify-result" role=${state === 'intact' || state === '' ? 'status' : 'alert'} data-state=${state} class=${state === 'intact' ? 'good' : state ? 'error' : undefined}>${text}</output>
  </div>`;
}

export function AuditTab() {
  const { params } = useLocation();
  const q = auditQueryOf(params);
  const key = JSON.stringify(q);
  const loaded = useLoad(() => adminApi.audit(q), [key]);
  return html`<div class="admin-audit">
    <section class="card" aria-labelledby="audit-tools-title">
      <h2 id="audit-tools-title">${t('审计日志', 'Audit log')}</h2>
      <${Filters} key=${key} q=${q} />
      <${VerifyChain} />
    </section>
    <${Panel} id="audit" title=${`${t('记录', 'Entries')}${loaded.data ? ` · ${loaded.data.entries.length}` : ''}`} loaded=${loaded} wide
        empty=${(d: { entries: AuditRecord[] }) => (d.entries.length ? null : t('没有符合筛选条件的记录。', 'No entry matches the filters.'))}>
      ${(d: { entries: AuditRecord[] }) => html`<${Entries} entries=${d.entries} q=${q} />`}
    <//>
  </div>`;
}
