/**
 * Screened disputes (矛盾纠纷排查化解) of the year in the region in view: the resolution rate
 * with what it counts, the list, recording one found by screening, and resolving one (the
 * selected dispute, in the URL).
 */
import { useState } from 'preact/hooks';
import { FIELDS } from '../../../../domain/case.js';
import { can, childrenOf, divisionWord, placeName, placeOf, useApp } from '../../context.js';
import { chinaToday, formatCount, formatRate } from '../../format.js';
import { html } from '../../html.js';
import { capitalised, t } from '../../i18n.js';
import { setParams, useLocation } from '../../router.js';
import { useLoad } from '../../use-load.js';
import { Missing, Panel, refusalText } from '../../ui/panel.js';
import type { Scope } from '../../ui/scope-bar.js';
import { disputes, recordDispute, resolveDispute, type DisputeList, type DisputeRow } from './api.js';

const LIMIT = 200;

function Rate({ list }: { list: DisputeList }) {
  const { totals, resolutionRate: r } = list;
  return html`<div class="tiles dispute-totals" data-screened=${totals.screened} data-resolved=${totals.resolved} data-open=${totals.open}>
    <div class="tile" id="dispute-rate"><h3>${t('矛盾纠纷排查化解率', 'Resolution rate')}</h3><p class="value">${formatRate(r.rate)}</p>
      <p class="counts">${r.denominator ? t(`排查 ${formatCount(r.denominator)} 件，化解 ${formatCount(r.numerator)} 件`, `${formatCount(r.numerator)} resolved of ${formatCount(r.denominator)} screened`) : t('本年尚无排查记录', 'none screened this year')}</p></div>
    <div class="tile" id="dispute-open"><h3>${t('尚未化解', 'Open')}</h3><p class="value">${formatCount(totals.open)}</p></div>
  </div>`;
}

function where(state: ReturnType<typeof useApp>, d: DisputeRow): string {
  return d.street_code ? `${placeName(state, d.region_code)} · ${placeName(state, d.street_code)}` : placeName(state, d.region_code);
}

function DisputeTable({ list, selected, mayWrite }: { list: DisputeList; selected: string | null; mayWrite: boolean }) {
  const state = useApp();
  // Focusable, so the list scrolls by keyboard when no button in it takes the focus (a reader's view).
  return html`<div class="scroll dispute-scroll" tabindex="0" role="region" aria-label=${t('矛盾纠纷列表', 'the disputes')}>
    <table id="dispute-table" data-count=${list.disputes.length} data-year=${list.year} data-region=${list.region}>
      <caption class="sr-only">${t('本年排查的矛盾纠纷', 'Disputes screened this year')}</caption>
      <thead><tr><th scope="col">${t('编号', 'Id')}</th><th scope="col">${t('地区', 'Where')}</th><th scope="col">${t('领域', 'Field')}</th>
        <th scope="col">${t('排查日期', 'Screened')}</th><th scope="col">${t('化解', 'Resolved')}</th>${mayWrite ? html`<th scope="col"><span class="sr-only">${t('化解', 'Resolve')}</span></th>` : null}</tr></thead>
      <tbody>${list.disputes.map(
        (d) => html`<tr key=${d.dispute_id} data-dispute=${d.dispute_id} data-resolved=${d.resolved_date ? 'yes' : 'no'} class=${d.dispute_id === selected ? 'current' : undefined}>
          <td class="name">${d.dispute_id}</td><td>${where(state, d)}</td><td>${d.field ?? '—'}</td><td>${d.screened_date}</td>
          <td>${d.resolved_date ? html`${d.resolved_date}${d.resolution_note ? html`<br /><small>${d.resolution_note}</small>` : null}` : html`<span class="late">${t('未化解', 'open')}</span>`}</td>
          ${mayWrite
            ? html`<td>${d.resolved_date ? null : html`<button type="button" class="link" data-resolve=${d.dispute_id} aria-pressed=${d.dispute_id === selected}
                aria-label=${t(`记录化解 ${d.dispute_id}`, `Resolve ${d.dispute_id}`)} onClick=${() => setParams({ dispute: d.dispute_id })}>${t('记录化解', 'Resolve')}</button>`}</td>`
            : null}
        </tr>`,
      )}</tbody>
    </table>
  </div>`;
}

function ResolveForm({ id, done }: { id: string; done: () => void }) {
  const [date, setDate] = useState(chinaToday());
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefusal('');
    try {
      await resolveDispute(id, { ...(date ? { date } : {}), ...(note.trim() ? { note: note.trim() } : {}) });
      done();
    } catch (error) {
      setRefusal(`${t('未记录化解', 'Resolution not recorded')}: ${refusalText(error as Error)}`);
    } finally {
      setBusy(false);
    }
  };
  return html`<form id="dispute-resolve-form" class="rec-form" aria-busy=${busy} aria-labelledby="dispute-resolve-title" onSubmit=${submit}>
    <h3 id="dispute-resolve-title">${t(`记录 ${id} 的化解`, `Record the resolution of ${id}`)}</h3>
    <label for="resolve-date">${t('化解日期', 'Date resolved')}</label>
    <input id="resolve-date" type="date" max=${chinaToday()} value=${date} onInput=${(e: Event) => setDate((e.target as HTMLInputElement).value)} />
    <label for="resolve-note">${t('化解情况（可选）', 'How it was resolved (optional)')}</label>
    <input id="resolve-note" maxlength="2000" autocomplete="off" value=${note} onInput=${(e: Event) => setNote((e.target as HTMLInputElement).value)} />
    <div class="buttons">
      <button type="submit" id="resolve-submit" disabled=${busy}>${busy ? t('提交中…', 'Sending…') : t('记录化解', 'Record the resolution')}</button>
      <button type="button" class="secondary" disabled=${busy} onClick=${() => setParams({ dispute: null })}>${t('取消', 'Cancel')}</button>
    </div>
    <p class="error" role="alert" id="resolve-refusal">${refusal}</p>
  </form>`;
}

/** Where a new dispute is: a district (the user's own, or one under its city), and its street if known. */
function RecordForm({ region, recorded }: { region: string; recorded: (d: DisputeRow) => void }) {
  const state = useApp();
  const place = placeOf(state, region);
  const ownStreet = place?.level === 'street' ? place : null;
  const districts = place?.level === 'city' ? childrenOf(state, region).filter((p) => p.level === 'district') : [];
  const [district, setDistrict] = useState(ownStreet ? (ownStreet.parent ?? '') : place?.level === 'district' ? region : '');
  const [street, setStreet] = useState(ownStreet?.code ?? '');
  const [field, setField] = useState('');
  const [date, setDate] = useState(chinaToday());
  const [summary, setSummary] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState('');
  const streets = district ? childrenOf(state, district).filter((p) => p.level === 'street') : [];
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefusal('');
    try {
      recorded(
        await recordDispute({
          regionCode: district,
          ...(street ? { streetCode: street } : {}),
          ...(field ? { field } : {}),
          ...(date ? { screenedDate: date } : {}),
          ...(summary.trim() ? { summary: summary.trim() } : {}),
        }),
      );
      setSummary('');
    } catch (error) {
      setRefusal(`${t('未记录', 'Not recorded')}: ${refusalText(error as Error)}`);
    } finally {
      setBusy(false);
    }
  };
  return html`<form id="dispute-record-form" class="rec-form" aria-busy=${busy} aria-labelledby="dispute-record-title" onSubmit=${submit}>
    <h3 id="dispute-record-title">${t('记录排查发现的矛盾纠纷', 'Record a dispute found by screening')}</h3>
    <label for="dispute-district">${t(divisionWord(state).zh, capitalised(divisionWord(state).en))} <span aria-hidden="true">*</span></label>
    ${districts.length
      ? html`<select id="dispute-district" required value=${district} onChange=${(e: Event) => {
          setDistrict((e.target as HTMLSelectElement).value);
          setStreet('');
        }}>
          <option value="">${t(`选择${divisionWord(state).zh}`, `choose a ${divisionWord(state).en}`)}</option>
          ${districts.map((p) => html`<option value=${p.code}>${placeName(state, p.code)}</option>`)}
        </select>`
      : html`<input id="dispute-district" readonly value=${district ? placeName(state, district) : ''} />`}
    <label for="dispute-street">${t('街道乡镇（可选）', 'Street or township (optional)')}</label>
    ${ownStreet
      ? html`<input id="dispute-street" readonly value=${placeName(state, ownStreet.code)} />`
      : html`<select id="dispute-street" value=${street} onChange=${(e: Event) => setStreet((e.target as HTMLSelectElement).value)}>
          <option value="">${t('不限', 'none')}</option>
          ${streets.map((p) => html`<option value=${p.code}>${placeName(state, p.code)}</option>`)}
        </select>`}
    <label for="dispute-field">${t('领域（可选）', 'Field (optional)')}</label>
    <select id="dispute-field" value=${field} onChange=${(e: Event) => setField((e.target as HTMLSelectElement).value)}>
      <option value="">${t('未注明', 'not given')}</option>
      ${FIELDS.map((f) => html`<option value=${f}>${f}</option>`)}
    </select>
    <label for="dispute-date">${t('排查日期', 'Date screened')}</label>
    <input id="dispute-date" type="date" max=${chinaToday()} value=${date} onInput=${(e: Event) => setDate((e.target as HTMLInputElement).value)} />
    <label for="dispute-summary">${t('纠纷概况（可选）', 'What it is about (optional)')}</label>
    <input id="dispute-summary" maxlength="2000" autocomplete="off" value=${summary} onInput=${(e: Event) => setSummary((e.target as HTMLInputElement).value)} />
    <button type="submit" id="dispute-submit" disabled=${busy || !district}>${busy ? t('提交中…', 'Sending…') : t('记录', 'Record')}</button>
    <p class="error" role="alert" id="dispute-refusal">${refusal}</p>
  </form>`;
}

export function Disputes({ scope }: { scope: Scope }) {
  const state = useApp();
  const { params } = useLocation();
  const selected = params.get('dispute');
  const mayWrite = can(state, 'disputes.write');
  const loaded = useLoad(() => disputes({ year: scope.year, region: scope.region, limit: LIMIT }), [scope.year, scope.region]);
  const [verdict, setVerdict] = useState('');
  const open = selected ? loaded.data?.disputes.find((d) => d.dispute_id === selected && !d.resolved_date) : undefined;
  const resolved = () => {
    setVerdict(t(`已记录 ${selected} 的化解。`, `The resolution of ${selected} is recorded.`));
    setParams({ dispute: null });
    loaded.reload();
  };
  const recorded = (d: DisputeRow) => {
    setVerdict(t(`已记录 ${d.dispute_id}（排查日期 ${d.screened_date}）。`, `${d.dispute_id} is recorded (screened ${d.screened_date}).`));
    loaded.reload();
  };
  const capped = (loaded.data?.disputes.length ?? 0) >= LIMIT ? t(`仅列出最近 ${LIMIT} 件；合计与化解率按全年计算。`, `Listing the latest ${LIMIT}; the totals and rate count the whole year.`) : null;
  return html`<${Panel} id="disputes" title=${`${t('矛盾纠纷排查化解', 'Screened disputes')} · ${placeName(state, scope.region)} · ${scope.year}`} loaded=${loaded} wide note=${capped}>
    ${(list: DisputeList) => html`<div class="disputes">
      <${Rate} list=${list} />
      ${verdict ? html`<p class="good" role="status" id="dispute-verdict">${verdict}</p>` : null}
      ${list.disputes.length ? html`<${DisputeTable} list=${list} selected=${selected} mayWrite=${mayWrite} />` : html`<${Missing}>${t(`${placeName(state, scope.region)} ${scope.year} 年没有排查记录。`, `${placeName(state, scope.region)} has no screened disputes in ${scope.year}.`)}<//>`}
      ${mayWrite && open ? html`<${ResolveForm} key=${open.dispute_id} id=${open.dispute_id} done=${resolved} />` : null}
      ${mayWrite && selected && !open && loaded.state === 'ready' ? html`<p class="note">${t(`${selected} 不在列表中，或已化解。`, `${selected} is not listed, or is resolved.`)}</p>` : null}
      ${mayWrite ? html`<${RecordForm} key=${scope.region} region=${scope.region} recorded=${recorded} />` : null}
    </div>`}
  <//>`;
}
