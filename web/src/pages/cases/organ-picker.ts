/** An organ picked from the registry (/reference organs), grouped by the region it belongs to. */
import { placeName, useApp } from '../../context.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';

export function organName(state: ReturnType<typeof useApp>, code: string): string {
  return state.reference.organs.find((o) => o.code === code)?.nameZh ?? code;
}

export function OrganPicker({ id, name, label, optional = false }: { id: string; name: string; label: string; optional?: boolean }) {
  const state = useApp();
  const regions = [...new Set(state.reference.organs.map((o) => o.regionCode))];
  return html`<label for=${id}>${label}${optional ? '' : ' *'}</label>
    <select id=${id} name=${name} required=${!optional}>
      <option value="">${t('请选择机关', 'Choose an organ')}</option>
      ${regions.map((region) => html`<optgroup label=${placeName(state, region)}>
        ${state.reference.organs.filter((o) => o.regionCode === region).map((o) => html`<option value=${o.code}>${o.nameZh}</option>`)}
      </optgroup>`)}
    </select>`;
}
