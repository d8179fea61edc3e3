/**
 * The data's coverage: which years the holiday calendar covers (published, provisional, or
 * missing, when a deadline falling in them waits), which months hold case data and where the
 * gaps are, the imports with their quarantine, and a batch's quarantined rows with the reason
 * for each. The batch shown and its page are in the URL (batch, qoffset).
 */
import { placeName, useApp } from '../../context.js';
import { formatCount, formatTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { setParams, useLocation } from '../../router.js';
import { useLoad, type Loaded } from '../../use-load.js';
import { Missing, Panel } from '../../ui/panel.js';
import { adminApi, type BatchQuarantine, type DataCoverage, type ImportBatch } from './api.js';

type CalendarYear = DataCoverage['calendar']['years'][number];
const PAGE = 100;

const STATUS: Record<CalendarYear['status'], [string, string]> = {
  published: ['已覆盖', 'covered'],
  provisional: ['暂定（按法定节假日推算）', 'provisional (statutory holidays only)'],
  missing: ['未覆盖', 'not covered'],
};

function yearSource(y: CalendarYear, c: DataCoverage['calendar']): string {
  if (y.source === 'package') return t(`${c.package.name} 数据包（国务院公布）`, `the ${c.package.name} package (as the State Council published it)`);
  if (y.source === 'override') return `${t('补充文件', 'override file')}: ${c.override?.source ?? ''}${y.holidays !== null ? t(`，${y.holidays} 个节假日`, `, ${y.holidays} holidays`) : ''}`;
  if (y.source === 'statutory') return t(`国务院尚未公布放假安排：按《全国年节及纪念日放假办法》的 ${y.holidays ?? 0} 天法定节假日和周末推算，无调休；公布后期限重新计算`, `no published schedule yet: the ${y.holidays ?? 0} statutory holidays and weekends, no adjusted working days; deadlines are computed again once it is published`);
  return t('无节假日安排：落在该年的期限将等待，直到补充文件加入该年', 'no holiday schedule: a deadline falling in this year waits until the override file adds it');
}

function CalendarPanel({ loaded }: { loaded: Loaded<DataCoverage> }) {
  return html`<${Panel} id="calendar-coverage" title=${t('节假日日历覆盖', 'Holiday calendar coverage')} loaded=${loaded}
      note=${t('期限按国务院公布的节假日和调休计算。暂定年份只按法定节假日和周末推算，公布后期限可能变化。', 'Deadlines count the public holidays and adjusted working days the State Council publishes. A provisional year counts the statutory holidays and weekends only; its deadlines may move once the schedule is published.')}>
    ${(d: DataCoverage) => html`<p id="calendar-range" data-first=${d.calendar.firstYear} data-last=${d.calendar.lastYear}>
        ${t(`日历覆盖 ${d.calendar.firstYear}–${d.calendar.lastYear} 年（数据包 ${d.calendar.package.firstYear}–${d.calendar.package.lastYear}${d.calendar.override ? `，补充文件 ${d.calendar.override.years.join('、')}` : ''}）。`, `The calendar covers ${d.calendar.firstYear}–${d.calendar.lastYear} (package ${d.calendar.package.firstYear}–${d.calendar.package.lastYear}${d.calendar.override ? `, override file ${d.calendar.override.years.join(', ')}` : ''}).`)}
      </p>
      <p id="calendar-provisional" data-cases=${d.calendar.provisionalDeadlines.cases} data-recommendations=${d.calendar.provisionalDeadlines.recommendations} data-accountability=${d.calendar.provisionalDeadlines.accountability}>
        ${t(`暂定年份：${d.calendar.provisionalYears.join('、') || '无'}；持有暂定期限的信访事项 ${d.calendar.provisionalDeadlines.cases} 件、建议 ${d.calendar.provisionalDeadlines.recommendations} 件、追责案件 ${d.calendar.provisionalDeadlines.accountability} 件。`, `Provisional years: ${d.calendar.provisionalYears.join(', ') || 'none'}; ${d.calendar.provisionalDeadlines.cases} cases, ${d.calendar.provisionalDeadlines.recommendations} recommendations and ${d.calendar.provisionalDeadlines.accountability} accountability cases hold a provisional due date.`)}
      </p>
      <table id="calendar-years">
        <caption class="sr-only">${t('数据年份至明年的日历覆盖', 'Calendar coverage from the data’s first year to next year')}</caption>
        <thead><tr><th scope="col">${t('年份', 'Year')}</th><th scope="col">${t('状态', 'Status')}</th><th scope="col">${t('来源', 'Source')}</th></tr></thead>
        <tbody>${d.calendar.years.map((y) => html`<tr data-year=${y.year} data-status=${y.status}>
          <th scope="row">${y.year}</th>
          <td><span class=${`coverage ${y.status}`}>${t(...STATUS[y.status])}</span></td>
          <td>${yearSource(y, d.calendar)}</td>
        </tr>`)}</tbody>
      </table>`}
  <//>`;
}

const MONTHS = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));

function CaseMonthsPanel({ loaded }: { loaded: Loaded<DataCoverage> }) {
  const state = useApp();
  return html`<${Panel} id="case-months" title=${`${t('信访事项数据月份', 'Months of case data')}${loaded.data ? ` · ${placeName(state, loaded.data.cases.region)}` : ''}`} loaded=${loaded} wide
      empty=${(d: DataCoverage) => (d.cases.months.length ? null : t('辖区内没有信访事项数据。', 'No case data in your jurisdiction.'))}>
    ${(d: DataCoverage) => {
      const byMonth = new Map(d.cases.months.map((m) => [m.month, m]));
      return html`${d.cases.gaps.length
          ? html`<${Missing}>${t(`数据中断的月份（首末月之间没有任何事项）：${d.cases.gaps.join('、')}`, `Months with no case between the first and the last (gaps in the data): ${d.cases.gaps.join(', ')}`)}<//>`
          : null}
        <div class="scroll"><table id="case-months-table">
          <caption class="sr-only">${t('各年各月收到的信访事项数', 'Cases received per month of each year')}</caption>
          <thead><tr><th scope="col">${t('年份', 'Year')}</th>${MONTHS.map((m) => html`<th scope="col" class="num">${t(`${Number(m)}月`, m)}</th>`)}<th scope="col" class="num">${t('有数据月数', 'Months')}</th><th scope="col" class="num">${t('合计', 'Total')}</th></tr></thead>
          <tbody>${d.cases.years.map((y) => html`<tr data-year=${y.year} data-months=${y.months}>
            <th scope="row">${y.year}</th>
            ${MONTHS.map((m) => {
              const month = byMonth.get(`${y.year}-${m}`);
              const gap = d.cases.gaps.includes(`${y.year}-${m}`);
              return html`<td class=${`num${gap ? ' gap' : ''}`} data-month=${`${y.year}-${m}`} title=${month ? Object.entries(month.byOrigin).map(([o, n]) => `${o}: ${n}`).join(', ') : undefined}>${month ? formatCount(month.cases) : '—'}</td>`;
            })}
            <td class="num">${y.months}</td><td class="num">${formatCount(y.cases)}</td>
          </tr>`)}</tbody>
        </table></div>`;
    }}
  <//>`;
}

const counts = (c: ImportBatch['cases']) => `${formatCount(c.read)} / ${formatCount(c.imported)} / ${formatCount(c.quarantined)} / ${formatCount(c.duplicate)}`;

function ImportsPanel({ selected }: { selected: string | null }) {
  const loaded = useLoad(() => adminApi.imports(), []);
  return html`<${Panel} id="imports" title=${`${t('导入批次', 'Imports')}${loaded.data ? ` · ${loaded.data.imports.length}` : ''}`} loaded=${loaded} wide
      empty=${(d: { imports: ImportBatch[] }) => (d.imports.length ? null : t('尚无导入。用 xinfang import 或 POST /api/v1/imports 导入数据。', 'No import yet. Import with xinfang import or POST /api/v1/imports.'))}
      note=${t('事项和事件的计数依次为：读取 / 导入 / 隔离 / 重复。', 'Case and event counts read: read / imported / quarantined / duplicate.')}>
    ${(d: { imports: ImportBatch[] }) => html`<div class="scroll"><table id="imports-table" data-count=${d.imports.length}>
        <caption class="sr-only">${t('导入批次，最新在前', 'The imports, newest first')}</caption>
        <thead><tr>
          <th scope="col">${t('批次', 'Batch')}</th><th scope="col">${t('完成时间', 'Finished')}</th><th scope="col">${t('文件', 'Files')}</th>
          <th scope="col" class="num">${t('事项', 'Cases')}</th><th scope="col" class="num">${t('事件', 'Events')}</th>
          <th scope="col" class="num">${t('隔离行', 'Quarantined')}</th><th scope="col">${t('主要原因', 'Main reasons')}</th><th scope="col"><span class="sr-only">${t('查看', 'View')}</span></th>
        </tr></thead>
        <tbody>${d.imports.map((b) => html`<tr key=${b.batchId} data-batch=${b.batchId} data-quarantined=${b.quarantine.total} class=${b.batchId === selected ? 'current' : undefined}>
          <td><code>${b.batchId}</code>${b.mapping ? html`<br /><small>${t('映射', 'mapping')} ${b.mapping}</small>` : null}${b.actor ? html`<br /><small>${b.actor}</small>` : null}</td>
          <td class="time">${formatTime(b.finishedAt)}</td>
          <td>${b.files.map((f) => html`<div>${f.file} <small>(${f.kind}, ${f.format})</small></div>`)}</td>
          <td class="num">${counts(b.cases)}</td>
          <td class="num">${counts(b.events)}</td>
          <td class="num">${formatCount(b.quarantine.total)}${Object.keys(b.quarantine.byKind).length ? html`<br /><small>${Object.entries(b.quarantine.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}</small>` : null}</td>
          <td><small>${b.quarantine.topReasons.map((r) => html`<div>${r.rows} × ${r.reason}</div>`)}</small></td>
          <td>${b.quarantine.total
            ? html`<button type="button" class="link" data-view-batch=${b.batchId} aria-pressed=${b.batchId === selected} onClick=${() => setParams({ batch: b.batchId, qoffset: null })}
                aria-label=${t(`查看隔离行：${b.batchId}`, `Quarantined rows: ${b.batchId}`)}>${t('查看隔离行', 'Quarantined rows')}</button>`
            : null}</td>
        </tr>`)}</tbody>
      </table></div>`}
  <//>`;
}

function QuarantinePanel({ batchId, offset }: { batchId: string; offset: number }) {
  const loaded = useLoad(() => adminApi.quarantine(batchId, offset, PAGE), [batchId, offset]);
  return html`<${Panel} id="quarantine" title=${`${t('隔离行', 'Quarantined rows')} · ${batchId}`} loaded=${loaded} wide
      empty=${(d: BatchQuarantine) => (d.rows.length ? null : t('该批次没有您辖区内的隔离行。', 'This batch has no quarantined row of your jurisdiction.'))}
      tools=${html`<button type="button" class="secondary" id="quarantine-close" onClick=${() => setParams({ batch: null, qoffset: null })}>${t('关闭', 'Close')}</button>`}>
    ${(d: BatchQuarantine) => html`<p class="note" id="quarantine-counts" data-total=${d.total} data-withheld=${d.withheld}>
        ${t(`共 ${d.total} 行，显示第 ${d.offset + 1}–${d.offset + d.rows.length} 行`, `${d.total} rows; showing ${d.offset + 1}–${d.offset + d.rows.length}`)}${d.withheld ? t(`；另有 ${d.withheld} 行不在您的辖区或无法确定区域，未显示`, `; ${d.withheld} more lie outside your jurisdiction or name no known region, not shown`) : ''}。
      </p>
      <div class="scroll"><table id="quarantine-table" data-count=${d.rows.length}>
        <caption class="sr-only">${t('隔离行及原因', 'The quarantined rows and why')}</caption>
        <thead><tr><th scope="col">${t('文件', 'File')}</th><th scope="col" class="num">${t('行', 'Line')}</th><th scope="col">${t('类型', 'Kind')}</th><th scope="col">${t('区域', 'Region')}</th><th scope="col">${t('原因', 'Reason')}</th><th scope="col">${t('原始行', 'Row as read')}</th></tr></thead>
        <tbody>${d.rows.map((r) => html`<tr data-line=${r.line}>
          <td>${r.file}</td><td class="num">${r.line}</td><td>${r.kind}</td><td>${r.streetCode ?? r.regionCode ?? '—'}</td>
          <td class="reason">${r.reason}</td>
          <td><details><summary>${t('查看', 'Show')}</summary><pre>${JSON.stringify(r.raw, null, 1)}</pre></details></td>
        </tr>`)}</tbody>
      </table></div>
      <div class="buttons pager">
        <button type="button" class="secondary" id="quarantine-previous" disabled=${d.offset === 0} onClick=${() => setParams({ qoffset: d.offset - PAGE > 0 ? String(d.offset - PAGE) : null })}>${t('上一页', 'Previous')}</button>
        <button type="button" class="secondary" id="quarantine-next" disabled=${d.offset + d.rows.length >= d.total} onClick=${() => setParams({ qoffset: String(d.offset + PAGE) })}>${t('下一页', 'Next')}</button>
      </div>`}
  <//>`;
}

export function DataTab() {
  const { params } = useLocation();
  const coverage = useLoad(() => adminApi.coverage(), []);
  const batch = params.get('batch');
  const offset = Math.max(0, Math.floor(Number(params.get('qoffset')) || 0));
  return html`<div class="admin-data">
    <div class="row even">
      <${CalendarPanel} loaded=${coverage} />
      <${Panel} id="imports-summary" title=${t('导入概况', 'Imports at a glance')} loaded=${coverage}>
        ${(d: DataCoverage) => html`<dl class="method">
          <dt>${t('导入批次', 'Imports')}</dt><dd id="imports-count">${formatCount(d.imports.batches)}</dd>
          <dt>${t('隔离行合计', 'Rows quarantined')}</dt><dd id="imports-quarantined">${formatCount(d.imports.quarantined)}</dd>
          <dt>${t('最近导入', 'Last import')}</dt><dd>${d.imports.last ? formatTime(d.imports.last) : t('尚无', 'none yet')}</dd>
          <dt>${t('截至', 'As of')}</dt><dd>${d.asOf}</dd>
        </dl>`}
      <//>
    </div>
    <${CaseMonthsPanel} loaded=${coverage} />
    <${ImportsPanel} selected=${batch} />
    ${batch ? html`<${QuarantinePanel} key=${batch} batchId=${batch} offset=${offset} />` : null}
  </div>`;
}
