/**
 * Reports (报告): the annual report's dataset (2022 Regulations art. 41) for the chosen region
 * and year, each figure with the request that made it, to read and to download as JSON. The
 * written documents (Word, PDF) come with the reports issue; until then this page says so.
 */
import { api } from '../api.js';
import { placeName, useApp } from '../context.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { query } from '../api.js';
import { useLoad } from '../use-load.js';
import { Panel } from '../ui/panel.js';
import { ScopeBar, useScope } from '../ui/scope-bar.js';

export default function Reports() {
  const state = useApp();
  const scope = useScope();
  const loaded = useLoad(() => api.annualData({ year: scope.year, region: scope.region }), [scope.year, scope.region]);
  const href = `/api/v1/reports/annual-data?${query({ year: scope.year, region: scope.region })}`;
  return html`<div class="page" id="reports-page">
    <${ScopeBar} />
    <${Panel} id="annual-data" title=${`${t('年度工作报告数据', 'Annual report dataset')} · ${placeName(state, scope.region)} · ${scope.year}`} loaded=${loaded} wide
        note=${t('依据《信访工作条例》第四十一条的四部分内容；每个数字附生成它的请求。Word/PDF 文稿由报告功能生成（尚未提供）。', 'The four parts of art. 41 of the 2022 Regulations; every figure comes with the request that made it. Word and PDF documents come with the reports feature (not yet available).')}>
      ${(data: unknown) => html`<p><a id="annual-download" href=${href} download=${`annual-data-${scope.region}-${scope.year}.json`}>${t('下载数据集（JSON）', 'Download the dataset (JSON)')}</a></p>
        <details><summary>${t('查看数据集', 'Show the dataset')}</summary><pre class="scroll">${JSON.stringify(data, null, 2)}</pre></details>`}
    <//>
  </div>`;
}
