/**
 * Recommendations and disputes (建议与纠纷): the year's recommendations (三项建议: improve work,
 * improve policy, pursue accountability; 2022 Regulations art. 40, 2005 art. 36) with their
 * feedback clocks, status and adoption; the selected one's deadline and history; issuing one
 * (offices) and giving the organ's written feedback (the addressed organ's officers); and the
 * year's screened disputes with their resolution rate, recorded and resolved by the offices.
 * Region, year, kind, status and the selected recommendation and dispute are in the URL
 * (region, year, kind, status, rec, dispute).
 */
import { useEffect, useRef } from 'preact/hooks';
import { can, placeName, useApp } from '../context.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { setParams, useLocation } from '../router.js';
import { useLoad } from '../use-load.js';
import { Panel } from '../ui/panel.js';
import { ScopeBar, useScope, type Scope } from '../ui/scope-bar.js';
import { recommendations, type RecommendationKind, type RecommendationList, type RecommendationStatus } from './recommendations/api.js';
import { RecommendationView } from './recommendations/detail.js';
import { Disputes } from './recommendations/disputes.js';
import { IssueForm } from './recommendations/issue-form.js';
import { Filters, RecommendationTable, Totals } from './recommendations/list.js';
import { KINDS, kindName, STATUSES, statusName } from './recommendations/names.js';
import './recommendations.css';

const LIMIT = 200;

const kindParam = (params: URLSearchParams): RecommendationKind | null => KINDS.find((k) => k === params.get('kind')) ?? null;
const statusParam = (params: URLSearchParams): RecommendationStatus | null => (Object.keys(STATUSES) as RecommendationStatus[]).find((s) => s === params.get('status')) ?? null;

function Recommendations({ scope }: { scope: Scope }) {
  const state = useApp();
  const { params } = useLocation();
  const kind = kindParam(params);
  const status = statusParam(params);
  const selected = params.get('rec');
  const organ = state.session.organCode;
  const loaded = useLoad(
    () => recommendations({ year: scope.year, region: scope.region, limit: LIMIT, ...(kind ? { kind } : {}), ...(status ? { status } : {}) }),
    [scope.year, scope.region, kind, status],
  );

  // A click on "View" brings the detail into sight; a link opened cold is left where it lands.
  const asked = useRef(false);
  useEffect(() => {
    if (!asked.current) return;
    asked.current = false;
    document.getElementById('rec-detail')?.scrollIntoView({ block: 'start' });
  }, [selected]);
  const view = (id: string) => {
    asked.current = true;
    setParams({ rec: id });
  };
  const issued = (id: string) => {
    loaded.reload();
    view(id);
  };

  const whose = organ ? t(`致送本机关（${organ}）`, `addressed to your organ (${organ})`) : placeName(state, scope.region);
  const filtered = [kind ? kindName(kind) : null, status ? statusName(status) : null].filter(Boolean).join(t('、', ', '));
  const capped = (loaded.data?.recommendations.length ?? 0) >= LIMIT ? t(`仅列出最近 ${LIMIT} 件；合计按全年计算。`, `Listing the latest ${LIMIT}; the totals count the whole year.`) : null;
  return html`<${Panel} id="recommendations" wide loaded=${loaded}
      title=${`${t('三项建议', 'Recommendations')} · ${whose} · ${scope.year}`}
      tools=${html`<${Filters} kind=${kind} status=${status} />`}
      note=${[t('合计与采纳率为全年全部建议，不受筛选影响。', 'The totals and adoption rate are of the whole year, whatever the filters.'), capped].filter(Boolean).join(' ')}>
    ${(list: RecommendationList) => html`
      <${Totals} list=${list} />
      ${list.recommendations.length
        ? html`<${RecommendationTable} list=${list} selected=${selected} view=${view} />`
        : html`<p class="missing" role="note" id="rec-none">${t(`${whose} ${scope.year} 年没有${filtered ? `${filtered}的` : ''}建议。`, `${whose}: no ${filtered ? `${filtered} ` : ''}recommendations in ${scope.year}.`)}</p>`}
    `}
  <//>
  ${selected ? html`<${RecommendationView} key=${selected} id=${selected} changed=${loaded.reload} />` : null}
  ${can(state, 'recommendations.issue') && !organ
    ? loaded.data
      ? html`<${IssueForm} key=${scope.region} region=${scope.region} addressees=${loaded.data.addressees} issued=${issued} />`
      : null
    : null}`;
}

export default function RecommendationsPage() {
  const state = useApp();
  const scope = useScope();
  return html`<div class="page" id="recommendations-page">
    <${ScopeBar} note=${state.session.organCode ? t('区域按签发建议的信访部门所在地缩小范围。', 'The region narrows by the issuing office’s region.') : undefined} />
    ${can(state, 'recommendations.read') ? html`<${Recommendations} scope=${scope} />` : null}
    ${can(state, 'disputes.read') ? html`<${Disputes} scope=${scope} />` : null}
  </div>`;
}
