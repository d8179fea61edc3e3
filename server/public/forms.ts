/** The site's forms and the receipt: submission, look-up, and what the petitioner keeps. */
import { FIELDS } from '../../domain/case.js';
import { html, type Html } from './html.js';
import { describedBy, fieldError, OPEN_PREFIX, say, type Lang } from './layout.js';
import { ATTACHMENT_LIMITS, MAX_REPRESENTATIVES, type FormValues, type Problem } from './submission.js';

export interface Place {
  code: string;
  parent: string | null;
  level: string;
  nameZh: string | null;
  nameEn: string | null;
}

const placeName = (lang: Lang, p: Place) => (lang === 'en' ? (p.nameEn ?? p.nameZh ?? p.code) : (p.nameZh ?? p.code));

/** Problems as a summary linking to each field, and a lookup of each field's message. */
function problemsOf(lang: Lang, problems: readonly Problem[]) {
  const t = say(lang);
  const byField = new Map<string, string>();
  for (const p of problems) byField.set(p.field, [byField.get(p.field), p[lang]].filter(Boolean).join('; '));
  const summary = problems.length
    ? html`<div class="notice refused" role="alert" id="problems"><p>${t('请修改以下内容后再提交：', 'Please correct the following:')}</p>
        <ul>${problems.map((p) => html`<li><a href="#${p.field === 'form' ? 'matter' : p.field}">${p[lang]}</a></li>`)}</ul></div>`
    : '';
  return { summary, error: (field: string) => byField.get(field) };
}

export function submitForm(lang: Lang, places: readonly Place[], values: FormValues = {}, problems: readonly Problem[] = []): Html {
  const t = say(lang);
  const { summary, error } = problemsOf(lang, problems);
  const v = (k: keyof FormValues) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  const input = (id: keyof FormValues & string, label: string, opts: { type?: string; hint?: string; autocomplete?: string; inputmode?: string; required?: boolean } = {}) => html`
    <div class="field">
      <label for="${id}">${label}${opts.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
      ${opts.hint ? html`<p class="hint" id="${id}-hint">${opts.hint}</p>` : ''}
      <input id="${id}" name="${id}" type="${opts.type ?? 'text'}" value="${v(id)}"${opts.autocomplete ? html` autocomplete="${opts.autocomplete}"` : ''}${opts.inputmode ? html` inputmode="${opts.inputmode}"` : ''}${opts.required ? html` required` : ''}${describedBy(id, error(id), Boolean(opts.hint))}>
      ${fieldError(id, error(id))}
    </div>`;
  const districts = places.filter((p) => p.level === 'district');
  const kind = v('kind') || 'person';
  const reps = values.representative ?? [];
  return html`${summary}
  <p>${t(
    '请如实填写。提交后您将获得信访事项编号和查询码，凭此查询办理情况、评价和催办。您的身份信息加密保存，只有依法办理的工作人员可以查看。',
    'Please answer truthfully. You will receive a case code and a verification code to follow, rate and press the case. Your identity is stored encrypted and shown only to the staff who handle it by law.',
  )}</p>
  <form method="post" action="${OPEN_PREFIX}/submit" enctype="multipart/form-data" class="stack" novalidate>
    <input type="hidden" name="lang" value="${lang}">
    <fieldset><legend>${t('信访事项', 'The matter')}</legend>
      <div class="field">
        <label for="matter">${t('事项内容', 'What the matter is')} <span aria-hidden="true">*</span></label>
        <p class="hint" id="matter-hint">${t('写明诉求、事实和理由，10 至 2000 字', 'Your request, the facts and your reasons: 10 to 2000 characters')}</p>
        <textarea id="matter" name="matter" rows="6" required${describedBy('matter', error('matter') ?? error('form'), true)}>${v('matter')}</textarea>
        ${fieldError('matter', error('matter') ?? error('form'))}
      </div>
      <div class="field">
        <label for="field">${t('所属领域', 'Field')} <span aria-hidden="true">*</span></label>
        <select id="field" name="field" required${describedBy('field', error('field'))}>
          <option value="">${t('请选择', 'Choose')}</option>
          ${FIELDS.map((f) => html`<option value="${f}"${v('field') === f ? html` selected` : ''}>${f}</option>`)}
        </select>
        ${fieldError('field', error('field'))}
      </div>
      <div class="field">
        <label for="district">${t('事项发生地（区）', 'Where it arose (district)')} <span aria-hidden="true">*</span></label>
        <select id="district" name="district" required${describedBy('district', error('district'))}>
          <option value="">${t('请选择', 'Choose')}</option>
          ${districts.map((d) => html`<option value="${d.code}"${v('district') === d.code ? html` selected` : ''}>${placeName(lang, d)}</option>`)}
        </select>
        ${fieldError('district', error('district'))}
      </div>
      <div class="field">
        <label for="street">${t('街道（乡镇），可不选', 'Street or township (optional)')}</label>
        <select id="street" name="street"${describedBy('street', error('street'))}>
          <option value="">${t('不选择', 'None')}</option>
          ${districts.map(
            (d) => html`<optgroup label="${placeName(lang, d)}" data-district="${d.code}">${places
              .filter((s) => s.level === 'street' && s.parent === d.code)
              .map((s) => html`<option value="${s.code}"${v('street') === s.code ? html` selected` : ''}>${placeName(lang, s)}</option>`)}</optgroup>`,
          )}
        </select>
        ${fieldError('street', error('street'))}
      </div>
      <div class="field">
        <label class="choice"><input type="checkbox" name="accusation" value="yes"${v('accusation') === 'yes' ? html` checked` : ''}${describedBy('accusation', error('accusation'), true)} id="accusation"> ${t('这是检举控告', 'This is an accusation (检举控告)')}</label>
        <p class="hint" id="accusation-hint">${t('检举控告依法转纪检监察机关处理，不向被检举控告的单位透露您的身份。', 'An accusation goes to discipline inspection; your identity is never disclosed to the accused.')}</p>
        ${fieldError('accusation', error('accusation'))}
      </div>
    </fieldset>

    <fieldset><legend>${t('信访人', 'Who petitions')}</legend>
      <div class="field" role="radiogroup" aria-labelledby="kind-label"${describedBy('kind', error('kind'))}>
        <p id="kind-label">${t('以何种名义提出', 'You petition as')}</p>
        <label class="choice"><input type="radio" name="kind" value="person" id="kind"${kind === 'person' ? html` checked` : ''}> ${t('个人', 'A person')}</label>
        <label class="choice"><input type="radio" name="kind" value="organisation"${kind === 'organisation' ? html` checked` : ''}> ${t('单位', 'An organisation')}</label>
        ${fieldError('kind', error('kind'))}
      </div>
      ${input('name', t('姓名或单位名称', 'Name (of the person or organisation)'), { autocomplete: 'name', required: true })}
      ${input('idNumber', t('身份证号码（个人）', 'Resident ID number (a person)'), { hint: t('个人须填写身份证号码、电话或地址中至少一项', 'A person gives at least one of ID number, phone or address'), inputmode: 'text' })}
      ${input('creditCode', t('统一社会信用代码（单位）', 'Unified social credit code (an organisation)'))}
      ${input('contact', t('联系人（单位）', 'Contact person (an organisation)'))}
      ${input('phone', t('联系电话', 'Phone'), { type: 'tel', autocomplete: 'tel', inputmode: 'tel' })}
      ${input('address', t('通信地址', 'Address'), { autocomplete: 'street-address' })}
    </fieldset>

    <fieldset><legend>${t('联名信访（多人）', 'A collective petition')}</legend>
      <div class="field">
        <label class="choice"><input type="checkbox" name="collective" value="yes" id="collective"${v('collective') === 'yes' ? html` checked` : ''}${describedBy('collective', error('collective'))}> ${t('多人共同提出', 'Several people bring it together')}</label>
        ${fieldError('collective', error('collective'))}
      </div>
      ${input('collectiveSize', t('共同提出的人数', 'How many people'), { type: 'text', inputmode: 'numeric' })}
      <div class="field" role="group" aria-labelledby="reps-label"${describedBy('representative', error('representative'), true)}>
        <p id="reps-label">${t('代表姓名', 'Representatives')}</p>
        <p class="hint" id="representative-hint">${t(`推选代表不超过 ${MAX_REPRESENTATIVES} 人（《信访工作条例》第二十条）`, `At most ${MAX_REPRESENTATIVES} representatives (2022 Regulations art. 20)`)}</p>
        ${Array.from({ length: MAX_REPRESENTATIVES }, (_, i) => html`<label for="${i === 0 ? 'representative' : `representative-${i + 1}`}" class="small">${t(`代表 ${i + 1}`, `Representative ${i + 1}`)}</label>
          <input id="${i === 0 ? 'representative' : `representative-${i + 1}`}" name="representative" type="text" value="${reps[i] ?? ''}">`)}
        ${fieldError('representative', error('representative'))}
      </div>
    </fieldset>

    <fieldset><legend>${t('附件', 'Attachments')}</legend>
      <div class="field">
        <label for="attachment">${t('上传材料（可不传）', 'Documents (optional)')}</label>
        <p class="hint" id="attachment-hint">${t(`PDF、PNG 或 JPEG，最多 ${ATTACHMENT_LIMITS.files} 个，每个不超过 2 MB`, `PDF, PNG or JPEG, up to ${ATTACHMENT_LIMITS.files} files of 2 MB each`)}</p>
        <input id="attachment" name="attachment" type="file" multiple accept="application/pdf,image/png,image/jpeg"${describedBy('attachment', error('attachment'), true)}>
        ${fieldError('attachment', error('attachment'))}
      </div>
    </fieldset>
    <button type="submit">${t('提交信访事项', 'Submit the petition')}</button>
  </form>`;
}

export interface Receipt {
  caseId: string;
  code: string;
  receivedAt: string;
  field: string;
  place: string;
  attachments: number;
}

export function receiptPage(lang: Lang, r: Receipt): Html {
  const t = say(lang);
  return html`<div class="receipt" id="receipt">
    <p class="notice ok" role="status">${t('您的信访事项已提交并登记。', 'Your petition was submitted and registered.')}</p>
    <dl class="facts">
      <dt>${t('信访事项编号', 'Case code')}</dt><dd class="code" id="receipt-case">${r.caseId}</dd>
      <dt>${t('查询码', 'Verification code')}</dt><dd class="code" id="receipt-code">${r.code}</dd>
      <dt>${t('提交时间', 'Submitted')}</dt><dd>${r.receivedAt}</dd>
      <dt>${t('所属领域', 'Field')}</dt><dd>${r.field}</dd>
      <dt>${t('事项发生地', 'Place')}</dt><dd>${r.place}</dd>
      <dt>${t('附件', 'Attachments')}</dt><dd>${r.attachments}</dd>
    </dl>
    <p class="warn"><strong>${t('查询码只显示这一次，', 'The verification code is shown only this once: ')}</strong>${t(
      '本机关不保存查询码原文，遗失后无法找回。请打印本页或抄写保存。',
      'the office keeps no readable copy and cannot recover it. Print this page or write it down.',
    )}</p>
    <p>${t(
      '信访工作机构将在规定期限内转送、交办或告知您。您可以凭编号和查询码随时查询办理情况，在答复后评价，在超过期限时催办。',
      'The petition office will forward or assign the matter, or tell you where to go, within the time the rules give. With the two codes you can follow it at any time, rate the reply and press a late step.',
    )}</p>
    <p class="actions"><button type="button" data-print hidden>${t('打印回执', 'Print the receipt')}</button>
      <a href="${OPEN_PREFIX}/lookup${lang === 'en' ? '?lang=en' : ''}">${t('查询办理情况', 'Look up the case')}</a></p>
  </div>`;
}

export function lookupForm(lang: Lang, values: { caseCode?: string } = {}, problem?: Problem, refusal?: string): Html {
  const t = say(lang);
  const err = problem?.[lang];
  return html`${refusal ? html`<p class="notice refused" role="alert" id="lookup-refusal">${refusal}</p>` : ''}
  <form method="post" action="${OPEN_PREFIX}/lookup" class="stack">
    <input type="hidden" name="lang" value="${lang}">
    <div class="field">
      <label for="caseCode">${t('信访事项编号', 'Case code')}</label>
      <p class="hint" id="caseCode-hint">${t('如 XF-20261203-1A2B3C4D', 'such as XF-20261203-1A2B3C4D')}</p>
      <input id="caseCode" name="caseCode" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" value="${values.caseCode ?? ''}" required${describedBy('caseCode', problem?.field === 'caseCode' ? err : undefined, true)}>
      ${fieldError('caseCode', problem?.field === 'caseCode' ? err : undefined)}
    </div>
    <div class="field">
      <label for="verificationCode">${t('查询码', 'Verification code')}</label>
      <input id="verificationCode" name="verificationCode" type="password" autocomplete="off" autocapitalize="characters" spellcheck="false" required${describedBy('verificationCode', problem?.field === 'verificationCode' ? err : undefined)}>
      ${fieldError('verificationCode', problem?.field === 'verificationCode' ? err : undefined)}
    </div>
    <button type="submit">${t('查询', 'Look up')}</button>
  </form>`;
}
