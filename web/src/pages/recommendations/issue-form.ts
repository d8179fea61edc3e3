/**
 * Issuing a recommendation (三项建议) in the name of the office of the region in view, to an
 * organ picked from the registry. The answer is the workflow's start; the form waits until the
 * workflow has put the recommendation on record with its feedback clock, then shows it.
 */
import { useState } from 'preact/hooks';
import { divisionWord, placeOf, useApp } from '../../context.js';
import { chinaToday } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { refusalText } from '../../ui/panel.js';
import { issueRecommendation, recommendation, type Addressee, type RecommendationKind } from './api.js';
import { KINDS, kindName } from './names.js';

/** Until the workflow's first step has recorded it (a few seconds at most on a healthy system). */
async function recorded(id: string): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    const d = await recommendation(id);
    if (d.record && d.state?.stage !== 'issuing') return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

export function IssueForm({ region, addressees, issued }: { region: string; addressees: Addressee[]; issued: (id: string) => void }) {
  const state = useApp();
  const place = placeOf(state, region);
  const [organ, setOrgan] = useState('');
  const [kind, setKind] = useState<RecommendationKind>('improve_work');
  // The region's petition office as the organ registry names it (北京市信访办, 咸宁市信访局).
  const office = state.reference.organs.find((o) => o.level === 'petition-office' && o.regionCode === region);
  const [issuedBy, setIssuedBy] = useState(office?.nameZh ?? '');
  const [date, setDate] = useState(chinaToday());
  const [caseId, setCaseId] = useState('');
  const [summary, setSummary] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState('');
  const [verdict, setVerdict] = useState('');
  if (place?.level === 'street') {
    return html`<section class="card" id="rec-issue" aria-labelledby="rec-issue-title"><h2 id="rec-issue-title">${t('签发建议', 'Issue a recommendation')}</h2>
      <p class="note">${t(`三项建议由市、${divisionWord(state).zh}信访部门签发：选择${divisionWord(state).zh}或全市后签发。`, `Recommendations are issued by the city’s or a ${divisionWord(state).en}’s office: choose a ${divisionWord(state).en} or the city to issue one.`)}</p></section>`;
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefusal('');
    setVerdict('');
    try {
      const { recommendationId } = await issueRecommendation({
        regionCode: region,
        issuedBy: issuedBy.trim(),
        toOrgan: organ,
        kind,
        ...(date ? { issuedDate: date } : {}),
        ...(caseId.trim() ? { caseId: caseId.trim() } : {}),
        ...(summary.trim() ? { summary: summary.trim() } : {}),
      });
      const onRecord = await recorded(recommendationId);
      setVerdict(
        onRecord
          ? t(`已签发 ${recommendationId}，反馈期限已起算。`, `Issued ${recommendationId}; its feedback clock has started.`)
          : t(`已签发 ${recommendationId}；工作流尚未入库，稍后刷新查看。`, `Issued ${recommendationId}; the workflow has not recorded it yet: look again shortly.`),
      );
      setSummary('');
      setCaseId('');
      issued(recommendationId);
    } catch (error) {
      setRefusal(`${t('未签发', 'Not issued')}: ${refusalText(error as Error)}`);
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="card" id="rec-issue" aria-labelledby="rec-issue-title">
    <h2 id="rec-issue-title">${t('签发建议', 'Issue a recommendation')} <small>${t(`以${place?.nameZh ?? region}信访部门名义`, `for the petition office of ${place?.nameEn ?? place?.nameZh ?? region}`)}</small></h2>
    <form id="rec-issue-form" class="rec-form" aria-busy=${busy} onSubmit=${submit}>
      <label for="issue-organ">${t('致送机关（机关名录）', 'To organ (registry)')} <span aria-hidden="true">*</span></label>
      <select id="issue-organ" required value=${organ} onChange=${(e: Event) => setOrgan((e.target as HTMLSelectElement).value)}>
        <option value="">${t('选择机关', 'choose an organ')}</option>
        ${addressees.map((o) => html`<option value=${o.name_zh} data-code=${o.code}>${o.name_zh} (${o.code})</option>`)}
      </select>
      <label for="issue-kind">${t('建议类型', 'Kind')} <span aria-hidden="true">*</span></label>
      <select id="issue-kind" required value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value as RecommendationKind)}>
        ${KINDS.map((k) => html`<option value=${k}>${kindName(k)}</option>`)}
      </select>
      <label for="issue-by">${t('签发部门', 'Issued by')} <span aria-hidden="true">*</span></label>
      <input id="issue-by" required maxlength="80" value=${issuedBy} onInput=${(e: Event) => setIssuedBy((e.target as HTMLInputElement).value)} />
      <label for="issue-date">${t('签发日期', 'Date of issue')}</label>
      <input id="issue-date" type="date" max=${chinaToday()} value=${date} onInput=${(e: Event) => setDate((e.target as HTMLInputElement).value)} />
      <label for="issue-case">${t('所涉信访事项编号（可选）', 'Case id (optional)')}</label>
      <input id="issue-case" maxlength="64" autocomplete="off" value=${caseId} onInput=${(e: Event) => setCaseId((e.target as HTMLInputElement).value)} />
      <label for="issue-summary" class="wide">${t('建议内容（可选）', 'What is recommended (optional)')}</label>
      <input id="issue-summary" class="wide" maxlength="2000" autocomplete="off" value=${summary} onInput=${(e: Event) => setSummary((e.target as HTMLInputElement).value)} />
      <button type="submit" id="issue-submit" disabled=${busy || !addressees.length}>${busy ? t('签发中…', 'Issuing…') : t('签发', 'Issue')}</button>
      ${addressees.length ? null : html`<p class="note">${t('机关名录中没有该区域的机关。', 'The registry has no organ of this region.')}</p>`}
      <p class="error" role="alert" id="issue-refusal">${refusal}</p>
      ${verdict ? html`<p class="good" role="status" id="issue-verdict">${verdict}</p>` : null}
    </form>
  </section>`;
}
