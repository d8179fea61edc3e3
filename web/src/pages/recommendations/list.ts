/**
 * The year's recommendations as a table (kind, organ, issued, feedback due with the rule that
 * set it, status, adoption), their totals and adoption rate as the API counts them, and the
 * kind and status filters, which live in the URL.
 */
import { formatCount, formatRate } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { setParams } from '../../router.js';
import { ProvisionalMark } from '../../ui/provisional.js';
import type { RecommendationItem, RecommendationKind, RecommendationList, RecommendationStatus } from './api.js';
import { adoptionText, KINDS, kindName, STATUSES, statusName } from './names.js';

export function Filters({ kind, status }: { kind: RecommendationKind | null; status: RecommendationStatus | null }) {
  return html`<div class="controls">
    <label for="rec-kind">${t('建议类型', 'Kind')}</label>
    <select id="rec-kind" value=${kind ?? ''} onChange=${(e: Event) => setParams({ kind: (e.target as HTMLSelectElement).value || null, rec: null })}>
      <option value="">${t('全部类型', 'every kind')}</option>
      ${KINDS.map((k) => html`<option value=${k}>${kindName(k)}</option>`)}
    </select>
    <label for="rec-status">${t('状态', 'Status')}</label>
    <select id="rec-status" value=${status ?? ''} onChange=${(e: Event) => setParams({ status: (e.target as HTMLSelectElement).value || null, rec: null })}>
      <option value="">${t('全部状态', 'every status')}</option>
      ${(Object.keys(STATUSES) as RecommendationStatus[]).map((s) => html`<option value=${s}>${statusName(s)}</option>`)}
    </select>
  </div>`;
}

export function Totals({ list }: { list: RecommendationList }) {
  const { totals, adoptionRate } = list;
  const tile = (id: string, label: string, value: string, counts?: string) =>
    html`<div class="tile" id=${id}><h3>${label}</h3><p class="value">${value}</p>${counts ? html`<p class="counts">${counts}</p>` : null}</div>`;
  return html`<div class="tiles rec-totals" data-issued=${totals.issued} data-feedback=${totals.feedback} data-adopted=${totals.adopted}>
    ${tile('rec-issued', t('本年签发', 'Issued this year'), formatCount(totals.issued))}
    ${tile('rec-awaiting', t('尚未反馈', 'Without feedback'), formatCount(totals.awaiting))}
    ${tile('rec-feedback', t('已书面反馈', 'Feedback given'), formatCount(totals.feedback))}
    ${tile('rec-overdue', t('反馈期限被突破', 'Feedback clock breached'), formatCount(totals.overdue), t('含逾期后反馈的', 'including those answered late'))}
    ${tile(
      'rec-rate',
      t('采纳率', 'Adoption rate'),
      formatRate(adoptionRate.rate),
      adoptionRate.denominator
        ? t(`已反馈 ${formatCount(adoptionRate.denominator)} 件中采纳 ${formatCount(adoptionRate.numerator)} 件`, `${formatCount(adoptionRate.numerator)} adopted of ${formatCount(adoptionRate.denominator)} with feedback`)
        : t('尚无反馈，无从计算', 'no feedback yet to rate'),
    )}
  </div>`;
}

/** The due date and where it comes from: the rule the workflow cited, or that no rule is on record. */
function DueCell({ r }: { r: RecommendationItem }) {
  if (!r.feedback_due) return html`<td>${t('尚未计算', 'not yet planned')}</td>`;
  return html`<td class="due" data-provisional=${r.due_provisional ? 'true' : 'false'}>${r.feedback_due}${r.due_provisional ? html`<${ProvisionalMark} years=${[Number(r.feedback_due.slice(0, 4))]} />` : null}<br /><small class="rule">${r.rule ?? t('依据未随记录导入', 'its rule came not with the record')}</small></td>`;
}

export function RecommendationTable({ list, selected, view }: { list: RecommendationList; selected: string | null; view: (id: string) => void }) {
  return html`<div class="scroll rec-scroll" tabindex="0" role="region" aria-label=${t('建议列表', 'the recommendations')}>
    <table id="rec-table" data-count=${list.recommendations.length} data-year=${list.year} data-region=${list.region ?? ''}>
      <caption class="sr-only">${t('本年三项建议；“查看”打开该建议的期限说明、经过与反馈', 'The year’s recommendations; “View” opens its deadline, history and feedback')}</caption>
      <thead><tr>
        <th scope="col">${t('编号', 'Id')}</th><th scope="col">${t('类型', 'Kind')}</th><th scope="col">${t('致送机关', 'To organ')}</th>
        <th scope="col">${t('签发', 'Issued')}</th><th scope="col">${t('反馈期限 · 依据', 'Feedback due · rule')}</th>
        <th scope="col">${t('状态', 'Status')}</th><th scope="col">${t('采纳情况', 'Adoption')}</th>
        <th scope="col"><span class="sr-only">${t('查看', 'View')}</span></th>
      </tr></thead>
      <tbody>${list.recommendations.map(
        (r) => html`<tr key=${r.recommendation_id} data-rec=${r.recommendation_id} data-status=${r.status} data-adopted=${r.adopted === null ? undefined : String(r.adopted)} class=${r.recommendation_id === selected ? 'current' : undefined}>
          <td class="name">${r.recommendation_id}</td>
          <td>${kindName(r.kind)}</td>
          <td class="organ">${r.to_organ}</td>
          <td>${r.issued_date}<br /><small>${r.issued_by}</small></td>
          <${DueCell} r=${r} />
          <td><span class=${`rec-status ${r.status}`}>${statusName(r.status)}</span>${r.feedback_date ? html`<br /><small>${r.feedback_overdue_date ? t(`${r.feedback_date} 逾期反馈`, `${r.feedback_date}, late`) : r.feedback_date}</small>` : null}</td>
          <td class="adoption">${adoptionText(r)}</td>
          <td><button type="button" class="link" data-view=${r.recommendation_id} aria-pressed=${r.recommendation_id === selected}
            aria-label=${t(`查看 ${r.recommendation_id}`, `View ${r.recommendation_id}`)} onClick=${() => view(r.recommendation_id)}>${t('查看', 'View')}</button></td>
        </tr>`,
      )}</tbody>
    </table>
  </div>`;
}
