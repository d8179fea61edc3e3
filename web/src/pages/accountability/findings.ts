/**
 * Findings that propose an accountability case: the missed duty periods of the jurisdiction
 * with the duty, its article, the period and its evidence; the supervision records (督办)
 * of case steps gone overdue with the case, step, deadline, days late and article; and the
 * recommendations (三项建议) whose written feedback is late (2022 art. 40(3)) with the
 * recommendation, the feedback's due date and the ground proposed; for the deciding organ, the
 * chosen finding's two answers: open a case from it (ground, who answers, an optional
 * deadline) or decline it with the reason. Either takes it off the open findings.
 */
import { useState } from 'preact/hooks';
import { chinaToday } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { linkHandler, setParams } from '../../router.js';
import { refusalText } from '../../ui/panel.js';
import { actorName, dutyStatusName, evidenceKindName, whenText } from '../duties/names.js';
import { kindName } from '../recommendations/names.js';
import { declineFinding, openCase, type AccountabilityOpening, type AnyFinding, type CaseFinding, type Finding, type FindingsAnswer, type RecommendationFinding } from './api.js';

const dutyText = (f: Finding) => (f.duty ? `${t(f.duty.labelZh, f.duty.labelEn)}` : f.duty_id);
const articleText = (f: Finding) => (f.duty ? `${f.duty.title} ${f.duty.article ?? ''}` : (f.rule ?? ''));

const STEP_NAMES: Record<CaseFinding['step'], [string, string]> = {
  route: ['转送交办', 'routing'],
  notify: ['告知', 'notice'],
  handle: ['办理答复', 'handling and reply'],
  assigned: ['交办结果报送', 'assigned result report'],
  review: ['复查', 'review'],
  reReview: ['复核', 're-review'],
};
const stepName = (step: CaseFinding['step']) => t(...STEP_NAMES[step]);
const caseArticle = (f: CaseFinding) => (f.rule === 'decided' ? t('决定设定的期限', 'a deadline set by decision') : (f.rule ?? ''));
/** What the finding is about, in a line: the duty and period, the case and its overdue step, or the recommendation. */
function aboutText(f: AnyFinding): string {
  if (f.source === 'duty') return `${dutyText(f)} · ${f.period_label}`;
  if (f.source === 'case') return `${f.case_id} · ${stepName(f.step)}${t('逾期', ' overdue')}`;
  return `${f.recommendation_id} · ${t('建议反馈逾期', 'feedback overdue')}`;
}
/** A ground as the ladder in force names it, with its article ("… 第四十五条第（三）项"). */
function groundName(id: string, data: FindingsAnswer): string {
  const g = data.grounds.find((x) => x.id === id);
  return g ? `${t(g.labelZh, g.labelEn)}${g.article ? ` ${g.article}` : ''}` : id;
}
// The ground the packs name for the finding's breach (e.g. 2022 art. 44(三) for a late notice of acceptance); else the user picks.
const groundOf = (f: AnyFinding, data: FindingsAnswer) => f.ground ?? data.grounds[0]?.id ?? '';

/** The supervision records of case steps gone overdue against the organs, the longest late first. */
export function CaseFindingsTable({ data, selected, mayDecide }: { data: FindingsAnswer; selected: string | null; mayDecide: boolean }) {
  if (data.caseFindings.length === 0) return html`<p class="note" id="case-findings-none">${t('没有待处理的督办逾期记录。', 'No supervision record of an overdue case awaits a decision.')}</p>`;
  return html`<div class="scroll"><table id="case-findings-table" data-count=${data.caseFindings.length} data-total=${data.caseTotal}>
    <caption>${t(`督办：信访事项办理逾期（${data.caseTotal} 项）`, `Supervision: overdue case steps (${data.caseTotal})`)}</caption>
    <thead><tr><th scope="col">${t('机关', 'Organ')}</th><th scope="col">${t('信访事项', 'Case')}</th><th scope="col">${t('逾期环节 · 依据', 'Overdue step · article')}</th>
      <th scope="col">${t('期限', 'Due')}</th><th scope="col" class="num">${t('逾期天数', 'Days late')}</th>
      ${mayDecide ? html`<th scope="col"><span class="sr-only">${t('处理', 'Decide')}</span></th>` : null}</tr></thead>
    <tbody>${data.caseFindings.map((f) => html`<tr key=${f.ref} data-finding=${f.ref} data-organ=${f.organ} data-case=${f.case_id} data-step=${f.step} data-days-late=${f.days_late} class=${f.ref === selected ? 'current' : undefined}>
      <td>${f.organ_name ?? f.organ}<br /><small>${f.organ}</small></td>
      <td><a href=${`/cases?case=${encodeURIComponent(f.case_id)}`} onClick=${linkHandler('cases', { case: f.case_id })}>${f.case_id}</a></td>
      <td>${stepName(f.step)}<br /><small class="finding-rule">${caseArticle(f)}</small></td>
      <td>${f.due_date}${f.done_on ? html`<br /><small>${t(`${f.done_on} 逾期办结`, `done late on ${f.done_on}`)}</small>` : null}</td>
      <td class="num late">${f.days_late}</td>
      ${mayDecide
        ? html`<td><button type="button" class="link" data-decide-finding=${f.ref} aria-pressed=${f.ref === selected}
            aria-label=${t(`立案或不予立案：${f.organ_name ?? f.organ} ${f.case_id} 的督办记录`, `Open or decline: the supervision record of ${f.organ_name ?? f.organ} ${f.case_id}`)}
            onClick=${() => setParams({ finding: f.ref })}>${t('立案或不予立案', 'Open or decline')}</button></td>`
        : null}
    </tr>`)}</tbody>
  </table></div>`;
}

// The recommendations page lists a year's: the year of issue keeps the linked one in its list.
const recommendationParams = (f: RecommendationFinding) => ({ rec: f.recommendation_id, year: f.issued_date.slice(0, 4) });

/** The recommendations whose organ gave its written feedback late (or not yet), the longest late first. */
export function RecommendationFindingsTable({ data, selected, mayDecide }: { data: FindingsAnswer; selected: string | null; mayDecide: boolean }) {
  if (data.recommendationFindings.length === 0) return html`<p class="note" id="recommendation-findings-none">${t('没有待处理的建议反馈逾期记录。', 'No late feedback on a recommendation awaits a decision.')}</p>`;
  return html`<div class="scroll"><table id="recommendation-findings-table" data-count=${data.recommendationFindings.length} data-total=${data.recommendationTotal}>
    <caption>${t(`建议：书面反馈逾期（${data.recommendationTotal} 项）`, `Recommendations: written feedback overdue (${data.recommendationTotal})`)}</caption>
    <thead><tr><th scope="col">${t('机关', 'Organ')}</th><th scope="col">${t('建议', 'Recommendation')}</th><th scope="col">${t('反馈期限 · 依据', 'Feedback due · article')}</th>
      <th scope="col" class="num">${t('逾期天数', 'Days late')}</th><th scope="col">${t('拟追责情形 · 依据', 'Proposed ground · article')}</th>
      ${mayDecide ? html`<th scope="col"><span class="sr-only">${t('处理', 'Decide')}</span></th>` : null}</tr></thead>
    <tbody>${data.recommendationFindings.map((f) => html`<tr key=${f.ref} data-finding=${f.ref} data-organ=${f.organ} data-recommendation=${f.recommendation_id} data-due=${f.due_date} data-days-late=${f.days_late} data-ground=${f.ground ?? ''} class=${f.ref === selected ? 'current' : undefined}>
      <td>${f.organ_name ?? f.organ}<br /><small>${f.organ}</small></td>
      <td><a href=${`/recommendations?${new URLSearchParams(recommendationParams(f)).toString()}`} onClick=${linkHandler('recommendations', recommendationParams(f))}>${f.recommendation_id}</a>
        <br /><small class="finding-about">${t(`${kindName(f.kind)}建议 · ${f.issued_by} ${f.issued_date} 签发`, `${kindName(f.kind)} · issued by ${f.issued_by} on ${f.issued_date}`)}</small></td>
      <td class="due">${f.due_date}${f.done_on ? html`<br /><small>${t(`${f.done_on} 逾期反馈`, `feedback late on ${f.done_on}`)}</small>` : null}<br /><small class="finding-rule">${f.rule ?? ''}</small></td>
      <td class="num late">${f.days_late}</td>
      <td><small class="finding-ground">${f.ground ? groundName(f.ground, data) : t('未指明，由决定机关选择', 'none named: the deciding organ chooses')}</small></td>
      ${mayDecide
        ? html`<td><button type="button" class="link" data-decide-finding=${f.ref} aria-pressed=${f.ref === selected}
            aria-label=${t(`立案或不予立案：${f.organ_name ?? f.organ} 对建议 ${f.recommendation_id} 反馈逾期`, `Open or decline: ${f.organ_name ?? f.organ}'s late feedback on ${f.recommendation_id}`)}
            onClick=${() => setParams({ finding: f.ref })}>${t('立案或不予立案', 'Open or decline')}</button></td>`
        : null}
    </tr>`)}</tbody>
  </table></div>`;
}

export function FindingsTable({ data, selected, mayDecide }: { data: FindingsAnswer; selected: string | null; mayDecide: boolean }) {
  return html`<div class="scroll"><table id="findings-table" data-count=${data.findings.length}>
    <caption class="sr-only">${t('可启动责任追究的认定：未履行的定期职责', 'Findings that propose an accountability case: missed periodic duties')}</caption>
    <thead><tr><th scope="col">${t('机关', 'Organ')}</th><th scope="col">${t('职责 · 依据', 'Duty · article')}</th><th scope="col">${t('期间', 'Period')}</th>
      <th scope="col">${t('认定', 'Finding')}</th><th scope="col">${t('证据', 'Evidence')}</th>
      ${mayDecide ? html`<th scope="col"><span class="sr-only">${t('处理', 'Decide')}</span></th>` : null}</tr></thead>
    <tbody>${data.findings.map((f) => html`<tr key=${f.ref} data-finding=${f.ref} data-organ=${f.organ} class=${f.ref === selected ? 'current' : undefined}>
      <td>${f.organ_name ?? f.organ}<br /><small>${f.organ}</small></td>
      <td>${dutyText(f)}<br /><small class="finding-rule">${articleText(f)}</small></td>
      <td>${f.period_label}<br /><small>${f.period_start} – ${f.period_end}</small></td>
      <td><span class=${`duty-status ${f.status}`}>${dutyStatusName(f.status)}</span><br /><small>${whenText(f.found_at)}</small></td>
      <td>${f.evidence_items.length
        ? html`<ul class="evidence">${f.evidence_items.map((e, i) => html`<li key=${i}>${evidenceKindName(e.kind)} · ${e.date ?? ''} · ${e.reference ?? ''}${e.late ? html` <span class="flag">${t('逾期', 'late')}</span>` : null}</li>`)}</ul>`
        : t(`无（至少需 ${f.required ?? 1} 项）`, `none (${f.required ?? 1} required)`)}</td>
      ${mayDecide
        ? html`<td><button type="button" class="link" data-decide-finding=${f.ref} aria-pressed=${f.ref === selected}
            aria-label=${t(`处理 ${f.organ_name ?? f.organ} ${f.period_label} 的认定`, `Decide the finding of ${f.organ_name ?? f.organ} ${f.period_label}`)}
            onClick=${() => setParams({ finding: f.ref })}>${t('立案或不予立案', 'Open or decline')}</button></td>`
        : null}
    </tr>`)}</tbody>
  </table></div>`;
}

type Role = AccountabilityOpening['failure']['participants'][number]['role'];

function OpenForm({ finding, data, decided }: { finding: AnyFinding; data: FindingsAnswer; decided: (caseId: string) => void }) {
  const [ground, setGround] = useState(groundOf(finding, data));
  const [kind, setKind] = useState<'collective' | 'individual'>('collective');
  const [principal, setPrincipal] = useState('');
  const [inCharge, setInCharge] = useState('');
  const [officer, setOfficer] = useState('');
  const [rectifyBy, setRectifyBy] = useState('');
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefused(null);
    const people: [string, Role][] = [[principal, 'principal'], [inCharge, 'directlyInCharge'], [officer, 'officerInCharge']];
    try {
      const { caseId } = await openCase({
        organ: finding.organ,
        ground,
        finding: { source: finding.source, ref: finding.ref },
        failure: { kind, participants: people.filter(([person]) => person.trim()).map(([person, role]) => ({ person: person.trim(), role })) },
        ...(rectifyBy ? { rectifyBy } : {}),
      });
      decided(caseId);
    } catch (error) {
      setRefused(`${t('未立案', 'Not opened')}: ${refusalText(error as Error)}`);
    } finally {
      setBusy(false);
    }
  };
  const chosen = data.grounds.find((g) => g.id === ground);
  const first = data.steps.find((st) => st.id === chosen?.startsAt);
  const firstText = first ? `${t(first.labelZh, first.labelEn)}${first.article ? ` ${first.article}` : ''}` : (chosen?.startsAt ?? '');
  return html`<form id="open-case-form" class="finding-form" aria-busy=${busy} aria-labelledby="open-case-title" onSubmit=${submit}>
    <h3 id="open-case-title">${t('立案追责', 'Open an accountability case')}</h3>
    <label for="open-ground" class="wide"><span>${t('追责情形', 'Ground')} <span aria-hidden="true">*</span></span>
      <select id="open-ground" required value=${ground} onChange=${(e: Event) => setGround((e.target as HTMLSelectElement).value)}>
        ${data.grounds.map((g) => html`<option value=${g.id}>${t(g.labelZh, g.labelEn)}${g.article ? ` ${g.article}` : ''}</option>`)}
      </select></label>
    ${chosen ? html`<p class="note wide-line">${t(`起始处理：${firstText}；依据 ${data.cite ?? ''}`, `Starts at: ${firstText}; under ${data.cite ?? ''}`)}</p>` : null}
    <label for="open-kind"><span>${t('责任类型', 'Failure')} <span aria-hidden="true">*</span></span>
      <select id="open-kind" value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value === 'individual' ? 'individual' : 'collective')}>
        <option value="collective">${t('集体责任（班子决策）', 'collective (a leadership decision)')}</option>
        <option value="individual">${t('个人责任', 'individual')}</option>
      </select></label>
    <label for="open-principal"><span>${t('主要负责人', 'Principal')} <span aria-hidden="true">*</span></span>
      <input id="open-principal" aria-required="true" maxlength="80" autocomplete="off" value=${principal} onInput=${(e: Event) => setPrincipal((e.target as HTMLInputElement).value)} /></label>
    <label for="open-in-charge">${t('分管负责人（可选）', 'Leader directly in charge (optional)')}
      <input id="open-in-charge" maxlength="80" autocomplete="off" value=${inCharge} onInput=${(e: Event) => setInCharge((e.target as HTMLInputElement).value)} /></label>
    ${kind === 'individual'
      ? html`<label for="open-officer"><span>${t('直接经办人', 'Officer in charge')} <span aria-hidden="true">*</span></span>
          <input id="open-officer" aria-required="true" maxlength="80" autocomplete="off" value=${officer} onInput=${(e: Event) => setOfficer((e.target as HTMLInputElement).value)} /></label>`
      : null}
    <label for="open-rectify-by">${t('整改期限（可选，本档由决定设定时）', 'Rectify by (optional, where the step leaves it to the decision)')}
      <input id="open-rectify-by" type="date" min=${chinaToday()} value=${rectifyBy} onInput=${(e: Event) => setRectifyBy((e.target as HTMLInputElement).value)} /></label>
    <button type="submit" disabled=${busy}>${busy ? t('提交中…', 'Sending…') : t('立案', 'Open the case')}</button>
    ${refused ? html`<p role="alert" class="error wide-line">${refused}</p>` : null}
  </form>`;
}

function DeclineForm({ finding, declined }: { finding: AnyFinding; declined: (text: string) => void }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefused(null);
    try {
      // Sent as typed (trimmed): a missing reason is the server's refusal, shown as such.
      const d = await declineFinding(finding, reason.trim());
      declined(t(`已不予立案：${d.ref}，${actorName(d.actor)}，理由：${d.reason}`, `Declined: ${d.ref}, by ${actorName(d.actor)}; reason: ${d.reason}`));
    } catch (error) {
      setRefused(`${t('未处理', 'Not declined')}: ${refusalText(error as Error)}`);
    } finally {
      setBusy(false);
    }
  };
  return html`<form id="decline-form" class="finding-form" aria-busy=${busy} aria-labelledby="decline-title" onSubmit=${submit}>
    <h3 id="decline-title">${t('不予立案', 'Decline')}</h3>
    <label for="decline-reason" class="wide"><span>${t('理由', 'Reason')} <span aria-hidden="true">*</span></span>
      <textarea id="decline-reason" rows="3" maxlength="1000" aria-required="true" value=${reason} onInput=${(e: Event) => setReason((e.target as HTMLTextAreaElement).value)}></textarea></label>
    <button type="submit" class="secondary" disabled=${busy}>${busy ? t('提交中…', 'Sending…') : t('不予立案', 'Decline')}</button>
    ${refused ? html`<p role="alert" class="error wide-line">${refused}</p>` : null}
  </form>`;
}

/** Why the finding proposes a case: the article breached, and by how much. */
function basisText(f: AnyFinding): string {
  if (f.source === 'duty') return t(`依据 ${articleText(f)}；期满未履行。`, `Under ${articleText(f)}; not met when the period closed.`);
  if (f.source === 'case') {
    return t(`依据 ${caseArticle(f)}；${stepName(f.step)}期限 ${f.due_date}，逾期 ${f.days_late} 天。`, `Under ${caseArticle(f)}; the ${stepName(f.step)} deadline was ${f.due_date}, ${f.days_late} days late.`);
  }
  return f.done_on
    ? t(`依据 ${f.rule ?? ''}；书面反馈期限 ${f.due_date}，${f.done_on} 才反馈，逾期 ${f.days_late} 天。`, `Under ${f.rule ?? ''}; the written feedback was due ${f.due_date} and came on ${f.done_on}, ${f.days_late} days late.`)
    : t(`依据 ${f.rule ?? ''}；书面反馈期限 ${f.due_date}，至今未反馈，逾期 ${f.days_late} 天。`, `Under ${f.rule ?? ''}; the written feedback was due ${f.due_date} and has not come, ${f.days_late} days late.`);
}

export function FindingDecision({ finding, data, opened, declined }: { finding: AnyFinding; data: FindingsAnswer; opened: (caseId: string) => void; declined: (text: string) => void }) {
  const basis = basisText(finding);
  return html`<section class="card wide" id="finding-decision" aria-labelledby="finding-decision-title" data-finding=${finding.ref} data-source=${finding.source}>
    <div class="card-head"><h2 id="finding-decision-title">${t(`处理认定：${finding.organ_name ?? finding.organ} · ${aboutText(finding)}`, `Decide the finding: ${finding.organ_name ?? finding.organ} · ${aboutText(finding)}`)}</h2>
      <button type="button" class="secondary" onClick=${() => setParams({ finding: null })}>${t('关闭', 'Close')}</button></div>
    <p class="note">${basis}</p>
    <div class="split">
      <${OpenForm} finding=${finding} data=${data} decided=${opened} />
      <${DeclineForm} finding=${finding} declined=${declined} />
    </div>
    <p class="note">${t('* 为必填项', '* required')}</p>
  </section>`;
}
