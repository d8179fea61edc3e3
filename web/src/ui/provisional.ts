/**
 * The mark of a provisional due date (暂定): its year's holiday schedule is not published yet, so
 * it was counted with the statutory holidays alone and may move when the schedule is added.
 */
import { html } from '../html.js';
import { t } from '../i18n.js';

export function ProvisionalMark({ years }: { years: readonly number[] | undefined }) {
  const list = (years ?? []).join('、');
  return html`<span class="provisional" data-years=${list}
    title=${t(`暂按法定节假日推算，待国务院公布${list}年放假安排后重新计算`, `counted with the statutory holidays only; computed again once the State Council publishes the ${list} schedule`)}>${t('暂定', 'provisional')}</span>`;
}
