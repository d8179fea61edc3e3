/**
 * Duties (责任落实, DOMAIN §5): the duty calendar of a region's organs for a year, each period
 * met, late, missed or still open, with its evidence and the article that imposes the duty;
 * per organ its count per status; and, for users who record evidence, the form that records
 * it for a chosen period (meetings, reports, inspections, leaders' reception days, annotated
 * letters: the kinds the duty's rule takes), answered with the server's verdict; the duties
 * owed as needed (reception days, annotated letters) with their records and counts per organ
 * (duties/records.ts). Region, year, status, organ, the chosen period and the chosen organ's
 * as-needed duty are in the URL (region, year, status, organ, period, record).
 */
import { useState } from 'preact/hooks';
import { can, divisionWord, placeName, useApp } from '../context.js';
import { chinaToday } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { setParams, useLocation } from '../router.js';
import { useLoad } from '../use-load.js';
import { Panel, refusalText } from '../ui/panel.js';
import { ScopeBar, useScope } from '../ui/scope-bar.js';
import { dutyCalendar, periodRef, recordEvidence, type CalendarPeriod, type DutyCalendarAnswer, type DutyRuleInfo, type DutyStatus, type EvidenceKind } from './duties/api.js';
import { actorName, DUTY_STATUS_NAMES, dutyStatusName, evidenceKindName, periodKindName } from './duties/names.js';
import { RecordForm, RecordList, RecordSummary } from './duties/records.js';
import './duties.css';

const STATUSES = Object.keys(DUTY_STATUS_NAMES) as DutyStatus[];
const thisYear = () => Number(chinaToday().slice(0, 4));
const YEARS = () => [0, 1, 2, 3, 4].map((back) => thisYear() - back);

function readFilters(params: URLSearchParams) {
  const year = Number(params.get('year'));
  const status = STATUSES.find((s) => s === params.get('status')) ?? null;
  return {
    // The duties of this year are what is still to do: the default, unlike the figures' last complete year.
    year: Number.isInteger(year) && YEARS().includes(year) ? year : thisYear(),
    status,
    organ: params.get('organ'),
    period: params.get('period'),
    record: params.get('record'),
  };
}

/** The duty's name and the article imposing it, from the pack in force; the period workflow's cite when the pack is not known. */
function DutyName({ period, rule }: { period: CalendarPeriod; rule: DutyRuleInfo | undefined }) {
  return html`<span class="duty-name">${rule ? t(rule.labelZh, rule.labelEn) : period.duty_id}</span>
    <br /><small class="duty-rule" data-rule=${period.rule ?? ''}>${rule ? `${rule.title} ${rule.article ?? ''} · ${periodKindName(rule.period)}${rule.minCount > 1 ? t(`至少 ${rule.minCount} 次`, ` at least ${rule.minCount}`) : ''}` : (period.rule ?? '')}</small>`;
}

function EvidenceList({ period }: { period: CalendarPeriod }) {
  if (period.evidence_items.length === 0) return html`<span class="none">${t('无', 'none')}</span>`;
  return html`<ul class="evidence">
    ${period.evidence_items.map((e, i) => html`<li key=${i} data-kind=${e.kind ?? ''} data-late=${String(e.late)}>
      ${evidenceKindName(e.kind)} · ${e.date ?? '—'} · <span class="reference">${e.reference ?? ''}</span>
      ${e.late ? html` <span class="flag">${t('逾期补录，不改变认定', 'late: does not change the finding')}</span>` : null}
      <br /><small>${t('记录人', 'recorded by')} ${actorName(e.actor)}</small></li>`)}
  </ul>`;
}

function Calendar({ data, organ, selected, mayRecord }: { data: DutyCalendarAnswer; organ: string | null; selected: string | null; mayRecord: boolean }) {
  const periods = data.periods.filter((p) => !organ || p.organ === organ);
  return html`<div class="scroll">
    <table id="duty-table" data-count=${periods.length} data-status=${data.status ?? 'all'} data-year=${data.year}>
      <caption class="sr-only">${t('定期职责的各履行期：机关、职责及其依据、期间、状态与证据', 'The duty periods: organ, duty and its article, period, status and evidence')}</caption>
      <thead><tr>
        <th scope="col">${t('机关', 'Organ')}</th><th scope="col">${t('职责 · 依据', 'Duty · article')}</th><th scope="col">${t('期间', 'Period')}</th>
        <th scope="col">${t('状态', 'Status')}</th><th scope="col">${t('证据', 'Evidence')}</th>
        ${mayRecord ? html`<th scope="col"><span class="sr-only">${t('记录证据', 'Record evidence')}</span></th>` : null}
      </tr></thead>
      <tbody>${periods.map((p) => {
        const ref = periodRef(p);
        return html`<tr key=${ref} data-period=${ref} data-status=${p.status} data-organ=${p.organ} data-duty=${p.duty_id} class=${ref === selected ? 'current' : undefined}>
          <td>${p.organ_name ?? p.organ}<br /><small>${p.organ}</small></td>
          <td><${DutyName} period=${p} rule=${data.duties[p.duty_id]} /></td>
          <td>${p.period_label}<br /><small>${p.period_start} – ${p.period_end}</small></td>
          <td><span class=${`duty-status ${p.status}`}>${dutyStatusName(p.status)}</span></td>
          <td><${EvidenceList} period=${p} /></td>
          ${mayRecord
            ? html`<td><button type="button" class="link" data-record=${ref} aria-pressed=${ref === selected}
                aria-label=${t(`为 ${p.organ_name ?? p.organ} ${p.period_label} 记录证据`, `Record evidence for ${p.organ_name ?? p.organ} ${p.period_label}`)}
                onClick=${() => setParams({ period: ref })}>${t('记录证据', 'Record evidence')}</button></td>`
            : null}
        </tr>`;
      })}</tbody>
    </table>
  </div>`;
}

function Summary({ data, organ }: { data: DutyCalendarAnswer; organ: string | null }) {
  return html`<div class="scroll"><table id="duty-summary-table">
    <caption class="sr-only">${t('各机关各状态的履行期数', 'Periods per organ and status')}</caption>
    <thead><tr><th scope="col">${t('机关', 'Organ')}</th>${STATUSES.map((s) => html`<th scope="col" class="num">${dutyStatusName(s)}</th>`)}</tr></thead>
    <tbody>${data.summary.map((o) => html`<tr key=${o.organ} data-organ=${o.organ} data-missed=${o.missed} class=${o.organ === organ ? 'current' : undefined}>
      <th scope="row"><button type="button" class="link" aria-pressed=${o.organ === organ} onClick=${() => setParams({ organ: o.organ === organ ? null : o.organ })}>${o.organ_name}</button></th>
      ${STATUSES.map((s) => html`<td class=${`num${s === 'missed' && o[s] > 0 ? ' late' : ''}`}>${o[s]}</td>`)}
    </tr>`)}</tbody>
  </table></div>`;
}

/** The evidence form for one period: the kinds its duty takes, its date within the period, the reference; days where the duty counts them. */
function EvidenceForm({ period, rule, recorded }: { period: CalendarPeriod; rule: DutyRuleInfo | undefined; recorded: () => void }) {
  const kinds = rule?.evidence ?? [];
  const today = chinaToday();
  const latest = period.period_end < today ? period.period_end : today;
  const [kind, setKind] = useState<EvidenceKind | ''>(kinds[0] ?? '');
  const [date, setDate] = useState(latest);
  const [reference, setReference] = useState('');
  const [participants, setParticipants] = useState('');
  const [days, setDays] = useState('');
  const [busy, setBusy] = useState(false);
  const [verdict, setVerdict] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!kind) return;
    setBusy(true);
    setVerdict(null);
    try {
      const names = participants.split(/[,，、;；\n]/).map((s) => s.trim()).filter(Boolean);
      const state = await recordEvidence(period.organ, period.duty_id, {
        kind,
        date,
        reference: reference.trim(),
        ...(names.length ? { participants: names } : {}),
        ...(days.trim() ? { days: Number(days) } : {}),
      });
      setVerdict({
        ok: true,
        text: t(
          `已记录：${period.period_label} 现有证据 ${state.evidence.length} 项（至少需 ${rule?.minCount ?? 1} 项）`,
          `Recorded: ${period.period_label} now has ${state.evidence.length} items of evidence (at least ${rule?.minCount ?? 1} required)`,
        ),
      });
      setReference('');
      setParticipants('');
      setDays('');
      recorded();
    } catch (error) {
      setVerdict({ ok: false, text: `${t('未记录', 'Not recorded')}: ${refusalText(error as Error)}` });
    } finally {
      setBusy(false);
    }
  };
  const id = (name: string) => `evidence-${name}`;
  return html`<form id="evidence-form" class="evidence-form" aria-busy=${busy} aria-labelledby="evidence-form-title" onSubmit=${submit} data-period=${periodRef(period)}>
    <h3 id="evidence-form-title">${t(`记录证据：${period.organ_name ?? period.organ} · ${rule ? t(rule.labelZh, rule.labelEn) : period.duty_id} · ${period.period_label}`, `Record evidence: ${period.organ_name ?? period.organ} · ${rule ? rule.labelEn : period.duty_id} · ${period.period_label}`)}</h3>
    <p class="note wide-line">${t(`依据 ${rule ? `${rule.title} ${rule.article ?? ''}` : (period.rule ?? '')}；本期 ${period.period_start} 至 ${period.period_end}。期满后补录的证据作为逾期证据保存，不改变认定。`, `Under ${rule ? `${rule.title} ${rule.article ?? ''}` : (period.rule ?? '')}; the period runs ${period.period_start} to ${period.period_end}. Evidence recorded after it closed is kept as late evidence and does not change the finding.`)}</p>
    <label for=${id('kind')}><span>${t('证据类型', 'Kind')} <span aria-hidden="true">*</span></span>
      <select id=${id('kind')} required value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value as EvidenceKind)}>
        ${kinds.map((k) => html`<option value=${k}>${evidenceKindName(k)}</option>`)}
      </select></label>
    <label for=${id('date')}><span>${t('日期', 'Date')} <span aria-hidden="true">*</span></span>
      <input id=${id('date')} type="date" required min=${period.period_start} max=${today} value=${date} onInput=${(e: Event) => setDate((e.target as HTMLInputElement).value)} /></label>
    <label for=${id('reference')} class="wide"><span>${t('文号或纪要编号', 'Reference (minutes, document or report number)')} <span aria-hidden="true">*</span></span>
      <input id=${id('reference')} required maxlength="200" autocomplete="off" value=${reference} onInput=${(e: Event) => setReference((e.target as HTMLInputElement).value)} /></label>
    <label for=${id('participants')} class="wide">${t('参加人员（以顿号或逗号分隔，可选）', 'Participants (separated by commas, optional)')}
      <input id=${id('participants')} maxlength="2000" autocomplete="off" value=${participants} onInput=${(e: Event) => setParticipants((e.target as HTMLInputElement).value)} /></label>
    ${rule?.minDays
      ? html`<label for=${id('days')}><span>${t(`天数（每期至少 ${rule.minDays} 天）`, `Days (at least ${rule.minDays} a period)`)} <span aria-hidden="true">*</span></span>
          <input id=${id('days')} type="number" min="1" max="366" step="1" required value=${days} onInput=${(e: Event) => setDays((e.target as HTMLInputElement).value)} /></label>`
      : null}
    <div class="buttons">
      <button type="submit" disabled=${busy || kinds.length === 0}>${busy ? t('提交中…', 'Sending…') : t('记录', 'Record')}</button>
      <button type="button" class="secondary" onClick=${() => setParams({ period: null })}>${t('关闭', 'Close')}</button>
    </div>
    <p class="note wide-line">${t('* 为必填项', '* required')}</p>
    ${verdict?.ok ? html`<output id="evidence-verdict" role="status" class="ok-line">${verdict.text}</output>` : null}
    ${verdict && !verdict.ok ? html`<p id="evidence-verdict" role="alert" class="error">${verdict.text}</p>` : null}
  </form>`;
}

function Filters({ year, status, organ, data }: { year: number; status: DutyStatus | null; organ: string | null; data: DutyCalendarAnswer | undefined }) {
  return html`<div class="controls duty-filters">
    <label for="duty-year">${t('年度', 'Year')}
      <select id="duty-year" value=${String(year)} onChange=${(e: Event) => {
        const value = Number((e.target as HTMLSelectElement).value);
        setParams({ year: value === thisYear() ? null : String(value), period: null });
      }}>${YEARS().map((y) => html`<option value=${String(y)}>${y}</option>`)}</select></label>
    <label for="duty-status">${t('状态', 'Status')}
      <select id="duty-status" value=${status ?? ''} onChange=${(e: Event) => setParams({ status: (e.target as HTMLSelectElement).value || null })}>
        <option value="">${t('全部', 'all')}</option>
        ${STATUSES.map((s) => html`<option value=${s}>${dutyStatusName(s)}</option>`)}
      </select></label>
    <label for="duty-organ">${t('机关', 'Organ')}
      <select id="duty-organ" value=${organ ?? ''} onChange=${(e: Event) => setParams({ organ: (e.target as HTMLSelectElement).value || null })}>
        <option value="">${t('全部机关', 'every organ')}</option>
        ${(data?.summary ?? []).map((o) => html`<option value=${o.organ}>${o.organ_name}</option>`)}
      </select></label>
  </div>`;
}

export default function Duties() {
  const state = useApp();
  const scope = useScope();
  const { params } = useLocation();
  const { year, status, organ, period, record } = readFilters(params);
  const loaded = useLoad(() => dutyCalendar({ year, region: scope.region, ...(status ? { status } : {}) }), [year, scope.region, status]);
  const mayRecord = can(state, 'duties.evidence');
  const data = loaded.data;
  const selected = period && data ? data.periods.find((p) => periodRef(p) === period) : undefined;
  // ORGAN/DUTY_ID of an organ shown that owes the duty as needed.
  const [recordOrgan, recordDutyId] = record?.split('/') ?? [];
  const recordChosen = recordOrgan && recordDutyId && data?.recordSummary.some((o) => o.organ === recordOrgan && o.duties.includes(recordDutyId)) ? { organ: recordOrgan, dutyId: recordDutyId } : null;
  const place = placeName(state, scope.region);
  const word = divisionWord(state);
  return html`<div class="page" id="duties">
    <${ScopeBar} withYear=${false} note=${t(`区域选定其机关：全市为市级机关，各${word.zh}为其党委和政府、信访部门和所属部门，街道乡镇为其党（工）委和办事处（政府）。`, `The region chooses its organs: the city's own organs; a ${word.en}'s party committee and government, petition office and departments; a street's or township's leadership.`)} />
    <div class="duties-grid">
      <${Panel} id="duty-summary" title=${`${t('各机关履行情况', 'Per organ')} · ${place} · ${year}`} loaded=${loaded}
          empty=${(d: DutyCalendarAnswer) => (d.summary.length ? null : t('该区域没有负有定期职责的机关。', 'No organ of this region owes a periodic duty.'))}>
        ${(d: DutyCalendarAnswer) => html`<${Summary} data=${d} organ=${organ} />`}
      <//>
      <${Panel} id="duty-calendar" title=${`${t('职责日历', 'Duty calendar')} · ${place} · ${year}${status ? ` · ${dutyStatusName(status)}` : ''}`} loaded=${loaded} wide
          tools=${html`<${Filters} year=${year} status=${status} organ=${organ} data=${data} />`}
          empty=${(d: DutyCalendarAnswer) =>
            d.periods.some((p) => !organ || p.organ === organ)
              ? null
              : t(`${year} 年没有${status ? dutyStatusName(status) : ''}的履行期。履行期在期初由系统开启。`, `No ${status ? `${dutyStatusName(status)} ` : ''}period in ${year}. Periods are opened by the system at their start.`)}
          note=${t('未履行：期满时证据不足，构成可启动责任追究的认定；逾期补正：期满后补录了证据，认定不变。', 'Missed: too little evidence when the period closed, a finding that can open an accountability case; late: evidence recorded after the close, which does not change the finding.')}>
        ${(d: DutyCalendarAnswer) => html`<${Calendar} data=${d} organ=${organ} selected=${period} mayRecord=${mayRecord} />`}
      <//>
      ${mayRecord && selected
        ? html`<section class="card wide" id="duty-evidence" aria-label=${t('记录证据', 'Record evidence')}>
            <${EvidenceForm} key=${period} period=${selected} rule=${data?.duties[selected.duty_id]} recorded=${loaded.reload} />
          </section>`
        : null}
      <${Panel} id="duty-records" title=${`${t('领导接访日与阅批来信', "Leaders' reception days and annotated letters")} · ${place} · ${year}`} loaded=${loaded} wide
          empty=${(d: DutyCalendarAnswer) => (d.recordSummary.some((o) => o.duties.length > 0) ? null : t('该区域的机关没有根据需要履行的职责。', 'No organ of this region owes a duty as needed.'))}
          note=${t('根据需要履行的职责（如领导干部阅批群众来信、定期接待群众来访）没有履行期，其记录按年度统计；接访日按不同日期计。', "Duties owed as needed (leaders reading and annotating letters, receiving visitors) have no period; their records are counted by year, reception days by distinct date.")}>
        ${(d: DutyCalendarAnswer) => html`<${RecordSummary} data=${d} organ=${organ} selected=${record} mayRecord=${mayRecord} />
          ${mayRecord && recordChosen
            ? html`<section id="duty-record" aria-label=${t('记录按需职责', 'Record a duty owed as needed')}>
                <${RecordForm} key=${record} data=${d} organ=${recordChosen.organ} dutyId=${recordChosen.dutyId} recorded=${loaded.reload} />
              </section>`
            : null}
          <${RecordList} data=${d} organ=${organ} />`}
      <//>
    </div>
  </div>`;
}
