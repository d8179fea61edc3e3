/**
 * One case (信访事项): where it stands and who owes the step, every deadline with its
 * explanation (rule, article, pack version, extension, hearing days, roll-forward), the event
 * log as a timeline with the reminders and supervision (督办) records, the petitioner masked
 * (revealed only with a reason, for the roles allowed), whether it is a first, repeat or
 * skip-level petition with the reason the derivation gave, and the forms of the actions its stage
 * allows. A generated or imported case has no workflow: its log and due dates are shown, no forms.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CasePetitionKind } from '../../../../analytics/petition-kinds.js';
import type { StoredIdentity } from '../../../../domain/petitioner.js';
import type { Deadline } from '../../../../rules/deadline.js';
import type { CaseDetail } from '../../../../server/case-routes.js';
import { can, placeName, useApp } from '../../context.js';
import { formatTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { linkHandler } from '../../router.js';
import { eventName, STAGES, stepName } from '../../ui/case-names.js';
import { Panel, refusalText } from '../../ui/panel.js';
import { ProvisionalMark } from '../../ui/provisional.js';
import { useLoad } from '../../use-load.js';
import type { CaseState } from '../../../../workflows/case-actions.js';
import { ACTION_TITLES, CaseActions } from './actions.js';
import { caseApi, type ActionName } from './api.js';
import { organName } from './organ-picker.js';

const IDENTITY_FIELDS: Record<string, [string, string]> = {
  name: ['姓名/名称', 'name'], idNumber: ['身份证号', 'ID number'], creditCode: ['统一社会信用代码', 'credit code'], contact: ['联系人', 'contact'],
  phone: ['电话', 'phone'], address: ['地址', 'address'], text: ['导入的身份信息', 'imported identity'],
};

function IdentityList({ identity, id }: { identity: StoredIdentity; id: string }) {
  return html`<dl class="facts" id=${id}>
    ${Object.entries(identity).filter(([k]) => k !== 'kind' && k !== 'masked').map(([k, v]) => html`<dt>${t(...(IDENTITY_FIELDS[k] ?? [k, k]))}</dt><dd data-field=${k}>${String(v)}</dd>`)}
  </dl>`;
}

function Petitioner({ detail }: { detail: CaseDetail }) {
  const state = useApp();
  const [revealed, setRevealed] = useState<{ identity: StoredIdentity; representatives: string[] } | null>(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  if (detail.petitionerWithheld) return html`<p class="note" id="petitioner-withheld">${t('检举控告涉及本机关：不显示检举控告人（《信访工作条例》第四十六条）。', 'An accusation against your organ: who brought it is not shown (2022 Regulations art. 46).')}</p>`;
  if (!detail.petitioner) return html`<p class="note" id="petitioner-none">${t('未记录信访人身份（匿名或未登记）。', 'No petitioner identity recorded (anonymous or not given).')}</p>`;
  const reveal = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const reason = String(new FormData(event.target as HTMLFormElement).get('reason') ?? '');
      const answer = await caseApi.reveal(detail.caseId, reason);
      setRevealed({ identity: answer.petitioner, representatives: answer.representatives });
      setMessage('');
    } catch (error) {
      setMessage(refusalText(error as Error));
    } finally {
      setBusy(false);
    }
  };
  return html`<div id="petitioner">
    ${revealed
      ? html`<p class="note">${t('已显示身份；本次查看已记入审计日志。', 'Identity shown; this reveal is in the audit log.')}</p><${IdentityList} identity=${revealed.identity} id="petitioner-revealed" />
        ${revealed.representatives.length ? html`<p id="petitioner-representatives">${t('代表', 'Representatives')}: ${revealed.representatives.join(t('、', ', '))}</p>` : null}`
      : html`<${IdentityList} identity=${detail.petitioner} id="petitioner-masked" />
        ${can(state, 'identity.reveal')
          ? html`<form id="reveal-form" class="inline" onSubmit=${reveal}>
              <label for="reveal-reason">${t('查看理由', 'Reason to reveal')}</label>
              <input id="reveal-reason" name="reason" required maxlength="500" />
              <button type="submit" disabled=${busy}>${t('显示身份', 'Reveal')}</button>
              <output class="error" role="alert">${message}</output>
            </form>`
          : null}`}
  </div>`;
}

const KIND_NAMES = [
  ['first', '初信初访', 'First petition'],
  ['repeat', '重复信访', 'Repeat petition'],
  ['skipLevel', '越级信访', 'Skip-level petition'],
] as const;

/** 初信初访, 重复信访, 越级信访: derived at intake or import, never typed; each with why. */
function PetitionKindList({ kind }: { kind: CasePetitionKind }) {
  const answer = (v: boolean | null) => (v === null ? t('无法判断', 'cannot tell') : v ? t('是', 'yes') : t('否', 'no'));
  return html`<dl class="facts" id="case-petition-kind" data-derived-by=${kind.derivedBy}>
    ${KIND_NAMES.map(([key, zh, en]) => {
      const f = kind[key];
      return html`<dt>${t(zh, en)}</dt><dd data-kind=${key} data-value=${String(f.value)}><strong>${answer(f.value)}</strong> <small>${f.reason}${f.cite ? ` · ${f.cite}` : ''}</small></dd>`;
    })}
  </dl>`;
}

/** A deadline as the clerk reads it: the due day first, then how the rules reach it. */
function DeadlineRow({ step, d }: { step: string; d: Deadline }) {
  const basis = d.basis === 'working' ? t('个工作日', ' working days') : t('日', ' days');
  const rule = d.rule ? `${d.rule.labelZh} · ${d.rule.article ?? ''} [${d.rule.pack} ${d.rule.version}]` : t('由交办机关确定', 'set by the assigning office');
  return html`<tr data-step=${step} data-due=${d.due} data-provisional=${d.provisional ? 'true' : 'false'}>
    <th scope="row">${stepName(step)}</th>
    <td><strong>${d.due}</strong>${d.provisional ? html`<${ProvisionalMark} years=${d.provisionalYears} />` : null}${d.rolledForward ? html` <small>${t(`（${d.rawDue} 逢节假日顺延）`, `(from ${d.rawDue}, rolled past a holiday)`)}</small>` : null}</td>
    <td>${t(`自 ${d.start} 起 ${d.days}${basis}`, `${d.days}${basis} from ${d.start}`)}${d.extensionDays ? t(`，延长 ${d.extensionDays} 日`, `, extended ${d.extensionDays} days`) : ''}${d.suspendedDays ? t(`，听证 ${d.suspendedDays} 日不计`, `, ${d.suspendedDays} hearing days not counted`) : ''}</td>
    <td>${rule}<details><summary>${t('计算过程', 'How it is computed')}</summary><ol class="explanation">${d.explanation.map((line) => html`<li>${line}</li>`)}</ol></details></td>
  </tr>`;
}

function Deadlines({ detail }: { detail: CaseDetail }) {
  const deadlines = Object.entries(detail.state?.deadlines ?? {}).filter((e): e is [string, Deadline] => e[1] !== undefined);
  // A case without a workflow has only the due dates its events stored.
  const stored = detail.state ? [] : detail.events.filter((e) => e.due_date);
  if (!deadlines.length && !stored.length) return html`<p class="note">${t('没有记录期限。', 'No deadline recorded.')}</p>`;
  return html`<div class="scroll"><table id="case-deadlines">
    <thead><tr><th scope="col">${t('环节', 'Step')}</th><th scope="col">${t('期限', 'Due')}</th><th scope="col">${t('计算', 'Count')}</th><th scope="col">${t('依据', 'Rule')}</th></tr></thead>
    <tbody>
      ${deadlines.map(([step, d]) => html`<${DeadlineRow} step=${step} d=${d} />`)}
      ${stored.map((e) => html`<tr data-step=${e.event_type} data-due=${e.due_date}><th scope="row">${eventName(e.event_type)}</th><td><strong>${e.due_date}</strong></td><td colspan="2">${t('事件记录的期限', 'due date stored with the event')}</td></tr>`)}
    </tbody>
  </table></div>`;
}

const DETAIL_NAMES: Record<string, [string, string]> = {
  mode: ['方式', 'mode'], toOrgan: ['机关', 'organ'], toKind: ['类别', 'kind'], organ: ['机关', 'organ'], reason: ['理由', 'reason'], days: ['天数', 'days'],
  approvedBy: ['批准人', 'approved by'], outcome: ['结论', 'outcome'], summary: ['摘要', 'summary'], step: ['环节', 'step'], late: ['逾期', 'late'],
  rule: ['依据', 'rule'], leader: ['领导账号', 'leader'], leaderName: ['包案领导', 'leader'], satisfied: ['满意', 'satisfied'], level: ['评价', 'rating'], note: ['留言', 'note'], comment: ['意见', 'comment'], receivedBy: ['接收', 'received by'], packs: ['适用规则', 'rules'],
  oldDue: ['原期限', 'was due'], newDue: ['新期限', 'now due'], provisional: ['仍为暂定', 'still provisional'], years: ['暂定年份', 'provisional years'],
};
/** The workflow's coded values, as the forms name them. */
const VALUE_NAMES: Record<string, [string, string]> = {
  supported: ['支持', 'supported'], partly_supported: ['部分支持', 'partly supported'], not_supported: ['不支持', 'not supported'],
  upheld: ['维持', 'upheld'], changed: ['变更', 'changed'], forward: ['转送', 'forward'], assign: ['交办', 'assign'], report: ['上报', 'report upward'],
  competent: ['有权处理的机关', 'competent organ'], 'political-legal': ['政法机关', 'political-legal organs'], 'discipline-inspection': ['纪检监察机关', 'discipline inspection'],
  'party-government': ['党委政府', 'party committee and government'], 'petition-office': ['信访部门', 'petition office'], organ: ['机关', 'organ'],
  satisfied: ['满意', 'satisfied'], basically_satisfied: ['基本满意', 'basically satisfied'], dissatisfied: ['不满意', 'dissatisfied'],
};
const valueName = (v: string) => (VALUE_NAMES[v] ? t(...VALUE_NAMES[v]) : v);

function Timeline({ detail }: { detail: CaseDetail }) {
  const state = useApp();
  const value = (k: string, v: string | number | boolean | null) =>
    (k === 'toOrgan' || k === 'organ') && typeof v === 'string' ? organName(state, v)
    : k === 'step' && typeof v === 'string' ? stepName(v)
    : typeof v === 'boolean' ? (v ? t('是', 'yes') : t('否', 'no'))
    : typeof v === 'string' ? valueName(v)
    : String(v ?? '—');
  return html`<ol class="timeline" id="case-timeline">
    ${detail.events.map((e) => html`<li data-event=${e.event_type} class=${e.event_type.endsWith('_overdue') ? 'late' : e.event_type === 'reminder' ? 'reminder' : ''}>
      <span class="when">${formatTime(e.occurred_at)}</span> <strong>${eventName(e.event_type)}</strong>
      ${e.due_date ? html` <span class="due">${t('期限', 'due')} ${e.due_date}</span>` : null}
      ${e.actor ? html` <span class="actor">${e.actor}</span>` : null}
      ${e.detail && Object.keys(e.detail).length
        ? html`<ul class="detail">${Object.entries(e.detail).filter(([, v]) => v !== null && v !== '').map(([k, v]) => html`<li>${t(...(DETAIL_NAMES[k] ?? [k, k]))}: ${value(k, v)}</li>`)}</ul>`
        : null}
    </li>`)}
  </ol>`;
}

export function CasePage({ caseId }: { caseId: string }) {
  const app = useApp();
  const loaded = useLoad(() => caseApi.get(caseId), [caseId]);
  const [verdict, setVerdict] = useState('');
  // The workflow writes each step to the event log by an activity just after it answers, and a
  // case registered a moment ago reaches the log (and its petitioner's pseudonym) by its first
  // activity: until the log holds what the page waits for, it looks again shortly.
  const [awaited, setAwaited] = useState(0);
  const looks = useRef(0);
  const data = loaded.state === 'ready' ? loaded.data : null;
  const pending = data !== null && data.state !== null && (!data.events.some((e) => e.event_type === 'received') || data.events.length < awaited);
  useEffect(() => {
    // Backing off to 2 s, for about two minutes: a worker busy with a system's start-up may take that long.
    if (!pending || looks.current > 60) return;
    const timer = setTimeout(loaded.reload, Math.min(500 * 2 ** looks.current++, 2_000));
    return () => clearTimeout(timer);
  }, [pending, data]);
  const acted = (state: CaseState, action: ActionName) => {
    setVerdict(t(`${ACTION_TITLES[action][0]}：已记录。现在：${STAGES[state.stage][0]}`, `${ACTION_TITLES[action][1]}: recorded. Now: ${STAGES[state.stage][1]}`));
    setAwaited((data?.events.length ?? 0) + 1);
    looks.current = 0;
    loaded.reload();
  };
  return html`<div class="page" id="case-page" data-case=${caseId} data-settled=${String(data !== null && !pending)}>
    <p><a href="/cases" id="back-to-queue" onClick=${linkHandler('cases')}>${t('← 返回工作台', '← Back to the work queue')}</a></p>
    <p id="case-verdict" class="ok" role="status">${verdict}</p>
    <${Panel} id="case" title=${`${t('信访事项', 'Case')} ${caseId}`} loaded=${loaded} wide>
      ${(d: CaseDetail) => {
        const s = d.state;
        const supervision = d.events.filter((e) => e.event_type.endsWith('_overdue'));
        const reminders = d.events.filter((e) => e.event_type === 'reminder');
        return html`<div class="case-head" data-stage=${s?.stage ?? ''}>
            <dl class="facts">
              <dt>${t('阶段', 'Stage')}</dt><dd id="case-stage">${s ? t(...STAGES[s.stage]) : t('无在办流程（生成或导入的数据）', 'no live workflow (generated or imported data)')}</dd>
              ${s && s.stage !== 'closed' ? html`<dt>${t('当前责任机关', 'Owes the step')}</dt><dd id="case-organ">${organName(app, s.responsibleOrgan)}</dd>` : null}
              ${s?.leader ? html`<dt>${t('包案领导', 'Owning leader')}</dt><dd id="case-leader">${s.leader.name}</dd>` : null}
              ${s?.closeReason ? html`<dt>${t('办结方式', 'Closed as')}</dt><dd>${s.closeReason}</dd>` : null}
              ${s ? html`<dt>${t('区域', 'Region')}</dt><dd>${placeName(app, s.streetCode ?? s.regionCode)}</dd>` : null}
              ${s?.extension ? html`<dt>${t('延期', 'Extension')}</dt><dd id="case-extension">${t(`${s.extension.days} 日，${s.extension.reason}（${s.extension.approvedBy} 批准）`, `${s.extension.days} days: ${s.extension.reason} (approved by ${s.extension.approvedBy})`)}</dd>` : null}
              ${s?.reply ? html`<dt>${t('答复', 'Reply')}</dt><dd id="case-reply">${valueName(s.reply.outcome)}${s.reply.summary ? ` · ${s.reply.summary}` : ''}</dd>` : null}
              ${s?.plan ? html`<dt>${t('适用规则', 'Rules')}</dt><dd>${s.plan.packs.join(', ')}</dd>` : null}
            </dl>
          </div>
          ${s && can(app, 'cases.act') ? html`<${CaseActions} state=${s} done=${acted} />` : null}
          <section class="card-inner" aria-labelledby="deadlines-title"><h3 id="deadlines-title">${t('期限', 'Deadlines')}</h3><${Deadlines} detail=${d} /></section>
          <section class="card-inner" aria-labelledby="petitioner-title"><h3 id="petitioner-title">${t('信访人', 'Petitioner')}</h3><${Petitioner} detail=${d} />
            ${d.petitionKind ? html`<${PetitionKindList} kind=${d.petitionKind} />` : null}
            ${d.attachments.length
              ? html`<p id="case-attachments">${t('网上信访附件', 'Attachments of the online petition')}: ${d.attachments.map((a) => html`<a href=${caseApi.attachmentHref(d.caseId, a.seq)} download=${a.fileName}>${a.fileName}</a> <small>(${Math.max(1, Math.round(a.sizeBytes / 1024))} KB)</small> `)}</p>`
              : null}</section>
          <section class="card-inner" aria-labelledby="supervision-title"><h3 id="supervision-title">${t('提醒与督办', 'Reminders and supervision')}</h3>
            <p id="case-supervision">${supervision.length ? t(`督办记录 ${supervision.length} 条：`, `${supervision.length} supervision record(s): `) : t('没有逾期督办记录。', 'No supervision record.')}
              ${supervision.map((e) => html`<span class="late">${eventName(e.event_type)} ${e.due_date ?? ''}</span> `)}
              ${reminders.length ? t(`提醒 ${reminders.length} 次。`, ` ${reminders.length} reminder(s).`) : ''}</p>
          </section>
          <section class="card-inner" aria-labelledby="timeline-title"><h3 id="timeline-title">${t('办理过程', 'Timeline')}</h3><${Timeline} detail=${d} /></section>`;
      }}
    <//>
  </div>`;
}
