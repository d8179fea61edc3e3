/**
 * 登记: a clerk registers a case with its channel, place, field, petitioner (a person or an
 * organisation, or anonymous), a collective case's representatives, and its class (涉法涉诉,
 * 检举控告 against an organ). The identity goes to the vault; the case gets the pseudonym. Whether
 * it is a first, repeat or skip-level petition the server derives: the form does not ask. A
 * refusal says which field is wrong.
 */
import { useState } from 'preact/hooks';
import type { PetitionerIdentity } from '../../../../domain/petitioner.js';
import { ApiError } from '../../api.js';
import { channelName, childrenOf, divisionWord, placeName, placeOf, regionChoices, useApp } from '../../context.js';
import { html } from '../../html.js';
import { capitalised, t } from '../../i18n.js';
import { refusalText } from '../../ui/panel.js';
import { caseApi, type Intake } from './api.js';
import { optional, strip, text } from './form-data.js';
import { OrganPicker } from './organ-picker.js';

type Kind = 'person' | 'organisation' | 'anonymous';

function identityOf(form: FormData, kind: Kind): PetitionerIdentity | undefined {
  const common = { phone: optional(form, 'phone'), address: optional(form, 'address') };
  if (kind === 'person') return strip({ kind: 'person' as const, name: text(form, 'name'), idNumber: optional(form, 'idNumber'), ...common });
  if (kind === 'organisation') return strip({ kind: 'organisation' as const, name: text(form, 'name'), creditCode: text(form, 'creditCode'), contact: optional(form, 'contact'), ...common });
  return undefined;
}

export function IntakeForm({ registered }: { registered: (caseId: string) => void }) {
  const state = useApp();
  const [kind, setKind] = useState<Kind>('person');
  const [accusation, setAccusation] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string; at: string[] } | null>(null);
  const own = state.session.regionCode ?? '';
  const ownPlace = placeOf(state, own);
  // A street's office registers its street's cases, in the street's district.
  const districts = ownPlace?.level === 'street' ? [{ code: ownPlace.parent ?? '', name: placeName(state, ownPlace.parent ?? '') }] : regionChoices(state).filter((c) => placeOf(state, c.code)?.level === 'district');
  const [district, setDistrict] = useState(districts[0]?.code ?? '');
  const streets = ownPlace?.level === 'street' ? [ownPlace] : childrenOf(state, district);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const petitioner = identityOf(form, kind);
    const representatives = text(form, 'representatives').split(/[、,，;；\s]+/).filter((r) => r !== '');
    const intake: Intake = strip({
      channel: text(form, 'channel'),
      regionCode: text(form, 'regionCode'),
      streetCode: optional(form, 'streetCode'),
      field: optional(form, 'field'),
      collectiveSize: Number(text(form, 'collectiveSize') || 1),
      summary: optional(form, 'summary'),
      ...(form.get('litigationRelated') ? { litigationRelated: true } : {}),
      ...(accusation ? { accusation: true, accusedOrgan: optional(form, 'accusedOrgan') } : {}),
      ...(kind === 'anonymous' ? { anonymous: true } : {}),
      ...(petitioner ? { petitioner } : {}),
      ...(representatives.length ? { representatives } : {}),
    });
    setBusy(true);
    try {
      const { caseId } = await caseApi.register(intake);
      setResult({ ok: true, text: t(`已登记 ${caseId}，转送期限开始计算。`, `Registered ${caseId}; the routing clock has started.`), at: [] });
      (event.target as HTMLFormElement).reset();
      registered(caseId);
    } catch (error) {
      const at = error instanceof ApiError ? error.problems.map((p) => p.at) : [];
      setResult({ ok: false, text: `${t('未登记', 'Not registered')}: ${refusalText(error as Error)}`, at });
    } finally {
      setBusy(false);
    }
  };
  // A field the server named as wrong is marked where it is.
  const invalid = (name: string) => (result && !result.ok && result.at.some((a) => a === name || a.startsWith(`${name}.`) || a === `petitioner.${name}`) ? 'true' : undefined);

  return html`<section class="card" id="intake-card" aria-labelledby="intake-title">
    <h2 id="intake-title">${t('登记信访事项', 'Register a case')}</h2>
    <form id="intake" class="form-grid" onSubmit=${submit}>
      <label for="intake-channel">${t('渠道', 'Channel')}</label>
      <select name="channel" id="intake-channel">${Object.keys(state.reference.channels).map((code) => html`<option value=${code}>${channelName(state, code)}</option>`)}</select>
      <label for="intake-region">${t(divisionWord(state).zh, capitalised(divisionWord(state).en))}</label>
      <select name="regionCode" id="intake-region" value=${district} onChange=${(e: Event) => setDistrict((e.target as HTMLSelectElement).value)}>
        ${districts.map((c) => html`<option value=${c.code}>${c.name}</option>`)}
      </select>
      <label for="intake-street">${t('街道乡镇', 'Street or township')}</label>
      <select name="streetCode" id="intake-street" aria-invalid=${invalid('streetCode')}>
        ${ownPlace?.level === 'street' ? null : html`<option value="">${t('（未指明）', '(not given)')}</option>`}
        ${streets.map((p) => html`<option value=${p.code}>${p.nameZh ?? p.code}</option>`)}
      </select>
      <label for="intake-field">${t('领域', 'Field')}</label>
      <input name="field" id="intake-field" placeholder="劳动社保" maxlength="40" />
      <label for="intake-size">${t('人数', 'People')}</label>
      <input name="collectiveSize" id="intake-size" type="number" min="1" value="1" aria-describedby="intake-size-note" />
      <small id="intake-size-note" class="span">${t('5 人及以上为集体访', 'Five or more is a collective petition')}</small>
      <label for="intake-representatives">${t('代表', 'Representatives')}</label>
      <input name="representatives" id="intake-representatives" maxlength="300" autocomplete="off" aria-describedby="intake-representatives-note" aria-invalid=${invalid('representatives')} />
      <small id="intake-representatives-note" class="span">${t('多人信访推选代表，以“、”分隔，人数以规则为限（《信访工作条例》第二十条）', 'Several petitioners choose representatives, separated by 、, as many as the rules allow (2022 Regulations art. 20)')}</small>
      <label for="intake-summary">${t('诉求', 'Matter')}</label>
      <textarea name="summary" id="intake-summary" maxlength="2000" rows="2"></textarea>

      <fieldset class="span" id="intake-class">
        <legend>${t('类别', 'Class')}</legend>
        <label class="check"><input type="checkbox" name="litigationRelated" id="intake-litigation" /> ${t('涉法涉诉（导入政法机关）', 'Litigation-related (to the political-legal organs)')}</label>
        <label class="check"><input type="checkbox" name="accusation" id="intake-accusation" checked=${accusation} onChange=${(e: Event) => setAccusation((e.target as HTMLInputElement).checked)} /> ${t('检举控告（转纪检监察）', 'Accusation (to discipline inspection)')}</label>
        ${accusation ? html`<${OrganPicker} id="intake-accused" name="accusedOrgan" label=${t('被检举控告机关', 'Accused organ')} optional />` : null}
      </fieldset>

      <fieldset class="span" id="intake-petitioner">
        <legend>${t('信访人', 'Petitioner')}</legend>
        <div class="choices" role="radiogroup">
          ${(['person', 'organisation', 'anonymous'] as const).map((k) => html`<label class="check"><input type="radio" name="kind" value=${k} id=${`intake-kind-${k}`} checked=${kind === k} onChange=${() => setKind(k)} />
            ${k === 'person' ? t('自然人', 'Person') : k === 'organisation' ? t('法人或其他组织', 'Organisation') : t('匿名', 'Anonymous')}</label>`)}
        </div>
        ${kind === 'anonymous'
          ? html`<p class="note">${t('匿名信访不留姓名和地址，无须书面告知。', 'An anonymous petition leaves no name or address; no written notice is owed.')}</p>`
          : html`<div class="form-grid">
              <label for="intake-name">${kind === 'person' ? t('姓名', 'Name') : t('名称', 'Name')} *</label>
              <input name="name" id="intake-name" required maxlength=${kind === 'person' ? 50 : 100} aria-invalid=${invalid('name')} />
              ${kind === 'person'
                ? html`<label for="intake-id">${t('身份证号', 'ID number')}</label><input name="idNumber" id="intake-id" maxlength="18" autocomplete="off" aria-invalid=${invalid('idNumber')} />`
                : html`<label for="intake-credit">${t('统一社会信用代码', 'Credit code')} *</label><input name="creditCode" id="intake-credit" required maxlength="18" aria-invalid=${invalid('creditCode')} />
                    <label for="intake-contact">${t('联系人', 'Contact')}</label><input name="contact" id="intake-contact" maxlength="50" />`}
              <label for="intake-phone">${t('电话', 'Phone')}</label><input name="phone" id="intake-phone" type="tel" maxlength="20" aria-invalid=${invalid('phone')} />
              <label for="intake-address">${t('地址', 'Address')}</label><input name="address" id="intake-address" maxlength="200" />
              <small class="span">${t('自然人须填身份证号、电话或地址之一，以便识别重复信访。身份信息加密保存，分析只见化名。', 'A person needs an ID number, phone or address so repeat petitions link up. The identity is stored encrypted; analysis sees only a pseudonym.')}</small>
            </div>`}
      </fieldset>
      <div class="span actions">
        <button type="submit" id="intake-submit" disabled=${busy}>${busy ? t('登记中…', 'Registering…') : t('登记', 'Register')}</button>
        <output id="intake-result" class=${result?.ok === false ? 'error' : 'ok'} role=${result?.ok === false ? 'alert' : 'status'}>${result?.text ?? ''}</output>
      </div>
    </form>
  </section>`;
}
