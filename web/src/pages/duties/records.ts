/**
 * The duties owed as needed (责任落实, DOMAIN §5): leaders' reception days (领导接访日), annotated
 * letters (阅批来信), reports of case ownership. No period holds them: per organ, how many
 * reception days and annotated letters the year has, the records with the article imposing the
 * duty, and for users who record evidence the form for an organ's duty, chosen in the URL
 * (record=ORGAN/DUTY_ID), answered with the server's verdict.
 */
import { useState } from 'preact/hooks';
import { chinaToday } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { setParams } from '../../router.js';
import { refusalText } from '../../ui/panel.js';
import { recordDuty, type AsNeededDuty, type DutyCalendarAnswer, type EvidenceKind, type ReceptionMode } from './api.js';
import { actorName, evidenceKindName, RECEPTION_MODE_NAMES, receptionModeName } from './names.js';

const dutyName = (data: DutyCalendarAnswer, dutyId: string) => {
  const d = data.asNeeded[dutyId];
  return d ? t(d.labelZh, d.labelEn) : dutyId;
};
const articleOf = (d: AsNeededDuty | undefined) => (d ? `${d.title} ${d.article ?? ''}`.trim() : '');

/** Per organ: the year's reception days, annotated letters and records, and a button per duty it owes as needed. */
export function RecordSummary({ data, organ, selected, mayRecord }: { data: DutyCalendarAnswer; organ: string | null; selected: string | null; mayRecord: boolean }) {
  const rows = data.recordSummary.filter((o) => !organ || o.organ === organ);
  return html`<div class="scroll"><table id="duty-record-summary-table">
    <caption class="sr-only">${t(`各机关 ${data.year} 年的领导接访日、阅批来信与记录数`, `Reception days, annotated letters and records per organ in ${data.year}`)}</caption>
    <thead><tr><th scope="col">${t('机关', 'Organ')}</th><th scope="col" class="num">${t('领导接访日（天）', 'Reception days')}</th>
      <th scope="col" class="num">${t('阅批来信（件）', 'Annotated letters')}</th><th scope="col" class="num">${t('记录合计', 'Records')}</th>
      ${mayRecord ? html`<th scope="col">${t('记录', 'Record')}</th>` : null}</tr></thead>
    <tbody>${rows.map((o) => html`<tr key=${o.organ} data-organ=${o.organ} data-reception-days=${o.reception_days} data-letters=${o.letters} data-records=${o.records}>
      <th scope="row">${o.organ_name}<br /><small>${o.organ}</small></th>
      <td class="num">${o.reception_days}</td><td class="num">${o.letters}</td><td class="num">${o.records}</td>
      ${mayRecord
        ? html`<td>${o.duties.map((dutyId) => {
            const ref = `${o.organ}/${dutyId}`;
            return html`<button type="button" class="link" key=${dutyId} data-record-duty=${ref} aria-pressed=${ref === selected}
              aria-label=${t(`为 ${o.organ_name} 记录：${dutyName(data, dutyId)}`, `Record for ${o.organ_name}: ${dutyName(data, dutyId)}`)}
              onClick=${() => setParams({ record: ref })}>${dutyName(data, dutyId)}</button> `;
          })}</td>`
        : null}
    </tr>`)}</tbody>
  </table></div>`;
}

/** The year's records, newest first, each with the duty and the article imposing it. */
export function RecordList({ data, organ }: { data: DutyCalendarAnswer; organ: string | null }) {
  const rows = data.records.filter((r) => !organ || r.organ === organ);
  if (rows.length === 0) return html`<p class="note" id="duty-records-none">${t(`${data.year} 年尚无记录。`, `No record in ${data.year} yet.`)}</p>`;
  return html`<div class="scroll"><table id="duty-records-table" data-count=${rows.length}>
    <caption class="sr-only">${t('按需职责的记录：机关、职责及其依据、类型、日期、文号与记录人', 'Records of the duties owed as needed: organ, duty and its article, kind, date, reference and who recorded it')}</caption>
    <thead><tr><th scope="col">${t('日期', 'Date')}</th><th scope="col">${t('机关', 'Organ')}</th><th scope="col">${t('职责 · 依据', 'Duty · article')}</th>
      <th scope="col">${t('类型', 'Kind')}</th><th scope="col">${t('文号或登记号', 'Reference')}</th><th scope="col">${t('记录人', 'Recorded by')}</th></tr></thead>
    <tbody>${rows.map((r, i) => html`<tr key=${i} data-organ=${r.organ} data-duty=${r.duty_id} data-kind=${r.kind} data-reference=${r.reference}>
      <td>${r.date}</td>
      <td>${r.organ_name ?? r.organ}</td>
      <td>${dutyName(data, r.duty_id)}<br /><small class="record-rule">${r.rule}</small></td>
      <td>${evidenceKindName(r.kind)}${r.mode ? `（${receptionModeName(r.mode)}）` : ''}${r.participants ? html`<br /><small>${r.participants}</small>` : null}</td>
      <td class="reference">${r.reference}</td>
      <td><small>${actorName(r.actor)}</small></td>
    </tr>`)}</tbody>
  </table></div>`;
}

/** The form recording one organ's as-needed duty: a kind its rule takes, the date (not after today), the reference. */
export function RecordForm({ data, organ, dutyId, recorded }: { data: DutyCalendarAnswer; organ: string; dutyId: string; recorded: () => void }) {
  const duty = data.asNeeded[dutyId];
  const organName = data.recordSummary.find((o) => o.organ === organ)?.organ_name ?? organ;
  const kinds = duty?.evidence ?? [];
  const today = chinaToday();
  const [kind, setKind] = useState<EvidenceKind | ''>(kinds[0] ?? '');
  const [mode, setMode] = useState<ReceptionMode>('at_post');
  const [date, setDate] = useState(today);
  const [reference, setReference] = useState('');
  const [participants, setParticipants] = useState('');
  const [busy, setBusy] = useState(false);
  const [verdict, setVerdict] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!kind) return;
    setBusy(true);
    setVerdict(null);
    try {
      const names = participants.split(/[,，、;；\n]/).map((s) => s.trim()).filter(Boolean);
      const kept = await recordDuty(organ, dutyId, { kind, date, reference: reference.trim(), ...(kind === 'reception' ? { mode } : {}), ...(names.length ? { participants: names } : {}) });
      setVerdict({ ok: true, text: t(`已记录：${organName} ${kept.date} ${evidenceKindName(kept.kind)}（${kept.rule}）`, `Recorded: ${organName} ${kept.date} ${evidenceKindName(kept.kind)} (${kept.rule})`) });
      setReference('');
      setParticipants('');
      recorded();
    } catch (error) {
      setVerdict({ ok: false, text: `${t('未记录', 'Not recorded')}: ${refusalText(error as Error)}` });
    } finally {
      setBusy(false);
    }
  };
  const id = (name: string) => `record-${name}`;
  return html`<form id="record-form" class="evidence-form" aria-busy=${busy} aria-labelledby="record-form-title" onSubmit=${submit} data-record=${`${organ}/${dutyId}`}>
    <h3 id="record-form-title">${t(`记录：${organName} · ${dutyName(data, dutyId)}`, `Record: ${organName} · ${dutyName(data, dutyId)}`)}</h3>
    <p class="note wide-line">${t(`依据 ${articleOf(duty)}；根据需要履行，无履行期，按年度统计。`, `Under ${articleOf(duty)}; owed as needed, with no period, counted by year.`)}</p>
    <label for=${id('kind')}><span>${t('类型', 'Kind')} <span aria-hidden="true">*</span></span>
      <select id=${id('kind')} required value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value as EvidenceKind)}>
        ${kinds.map((k) => html`<option value=${k}>${evidenceKindName(k)}</option>`)}
      </select></label>
    ${kind === 'reception'
      ? html`<label for=${id('mode')}><span>${t('接访方式', 'Form of reception')}</span>
          <select id=${id('mode')} value=${mode} onChange=${(e: Event) => setMode((e.target as HTMLSelectElement).value as ReceptionMode)}>
            ${(Object.keys(RECEPTION_MODE_NAMES) as ReceptionMode[]).map((m) => html`<option value=${m}>${receptionModeName(m)}</option>`)}
          </select></label>`
      : null}
    <label for=${id('date')}><span>${t('日期', 'Date')} <span aria-hidden="true">*</span></span>
      <input id=${id('date')} type="date" required max=${today} value=${date} onInput=${(e: Event) => setDate((e.target as HTMLInputElement).value)} /></label>
    <label for=${id('reference')} class="wide"><span>${t('文号或登记号（接访登记、来信编号、纪要）', 'Reference (reception register, letter number, minutes)')} <span aria-hidden="true">*</span></span>
      <input id=${id('reference')} required maxlength="200" autocomplete="off" value=${reference} onInput=${(e: Event) => setReference((e.target as HTMLInputElement).value)} /></label>
    <label for=${id('participants')} class="wide">${t('领导或参加人员（以顿号或逗号分隔，可选）', 'Leaders or participants (separated by commas, optional)')}
      <input id=${id('participants')} maxlength="2000" autocomplete="off" value=${participants} onInput=${(e: Event) => setParticipants((e.target as HTMLInputElement).value)} /></label>
    <div class="buttons">
      <button type="submit" disabled=${busy || kinds.length === 0}>${busy ? t('提交中…', 'Sending…') : t('记录', 'Record')}</button>
      <button type="button" class="secondary" onClick=${() => setParams({ record: null })}>${t('关闭', 'Close')}</button>
    </div>
    <p class="note wide-line">${t('* 为必填项', '* required')}</p>
    ${verdict?.ok ? html`<output id="record-verdict" role="status" class="ok-line">${verdict.text}</output>` : null}
    ${verdict && !verdict.ok ? html`<p id="record-verdict" role="alert" class="error">${verdict.text}</p>` : null}
  </form>`;
}
