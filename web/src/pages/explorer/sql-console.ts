/**
 * The read-only SQL console (permission sql.console): one SELECT over the console's views of
 * the user's jurisdiction, confined by the server in the data layer, with its time and row
 * limits. A refusal (a table outside the views, not a SELECT, too slow) is shown as the server
 * words it, through refusalText.
 */
import { useState } from 'preact/hooks';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { useLoad } from '../../use-load.js';
import { ErrorLine, Panel } from '../../ui/panel.js';
import { runSql, sqlViews, type ConsoleAnswer } from './api.js';

const example = (year: number) => `SELECT channel, count(*) AS cases\n  FROM cases\n WHERE received_date BETWEEN DATE '${year}-01-01' AND DATE '${year}-12-31'\n GROUP BY channel\n ORDER BY cases DESC`;

const cellText = (cell: unknown) => (cell === null ? '∅' : typeof cell === 'object' ? JSON.stringify(cell) : String(cell));

export function SqlConsole({ year }: { year: number }) {
  const views = useLoad(sqlViews, []);
  const [sql, setSql] = useState(() => example(year));
  const [limit, setLimit] = useState('');
  const [answer, setAnswer] = useState<ConsoleAnswer | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [running, setRunning] = useState(false);
  const run = async () => {
    if (running) return;
    setRunning(true);
    setError(null);
    try {
      setAnswer(await runSql(sql, /^\d+$/.test(limit) ? Number(limit) : undefined));
    } catch (e) {
      setAnswer(null);
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setRunning(false);
    }
  };
  const state = running ? 'loading' : error ? 'error' : answer ? 'ready' : 'idle';
  return html`<${Panel} id="sql-console" title=${t('SQL 查询（只读）', 'SQL console (read-only)')} loaded=${views} wide
      note=${t('只能查询下列视图，视图只含本辖区的数据、不含信访人身份；每条语句有时间和行数上限，并记入审计日志。', 'Only the views below, which hold your jurisdiction’s rows only and no petitioner’s identity; each statement has a time and a row limit and is written to the audit log.')}>
    ${(v: Awaited<ReturnType<typeof sqlViews>>) => html`<div class="sql">
      <details id="sql-views"><summary>${t(`可查询的视图（${v.views.length} 个，辖区 ${v.region}）`, `Views (${v.views.length}, jurisdiction ${v.region})`)}</summary>
        <dl class="sql-views">${v.views.map((view) => html`<dt><code>${view.name}</code></dt><dd>${view.description}<br /><small>${view.columns.map((c) => `${c.name} ${c.type}`).join(', ')}</small></dd>`)}</dl>
      </details>
      <form id="sql-form" class="stack" onSubmit=${(e: Event) => { e.preventDefault(); void run(); }}>
        <label for="sql-text">${t('SQL 语句（一条 SELECT；Ctrl+Enter 运行）', 'SQL statement (one SELECT; Ctrl+Enter runs it)')}</label>
        <textarea id="sql-text" name="sql" rows="7" spellcheck=${false} autocomplete="off" value=${sql}
          onInput=${(e: Event) => setSql((e.target as HTMLTextAreaElement).value)}
          onKeyDown=${(e: KeyboardEvent) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void run(); } }}></textarea>
        <div class="controls">
          <label>${t('最多行数（留空为默认）', 'Row limit (empty: the default)')}
            <input id="sql-limit" type="number" min="1" step="1" inputmode="numeric" value=${limit} onInput=${(e: Event) => setLimit((e.target as HTMLInputElement).value)} /></label>
          <button type="submit" disabled=${running}>${running ? t('运行中…', 'Running…') : t('运行', 'Run')}</button>
        </div>
      </form>
      <div id="sql-result" data-state=${state} aria-live="polite" aria-busy=${running}>
        ${running ? html`<p class="loading" role="status">${t('查询运行中…', 'Running the statement…')}</p>` : null}
        ${error ? html`<${ErrorLine} error=${error} />` : null}
        ${answer
          ? html`<p class="note" id="sql-summary" data-rows=${answer.rows.length} data-truncated=${String(answer.truncated)} data-elapsed=${answer.elapsedMs}>
              ${t(`${answer.rows.length} 行，用时 ${answer.elapsedMs} 毫秒；读取视图：${answer.views.join('、') || '无'}。`, `${answer.rows.length} rows in ${answer.elapsedMs} ms; views read: ${answer.views.join(', ') || 'none'}.`)}
              ${answer.truncated ? html` <strong class="late">${t(`结果已截断：只显示前 ${answer.rowLimit} 行。`, `Truncated: only the first ${answer.rowLimit} rows are shown.`)}</strong>` : null}</p>
            <div class="scroll"><table id="sql-table">
              <caption class="sr-only">${t('查询结果', 'Query result')}</caption>
              <thead><tr>${answer.columns.map((c) => html`<th scope="col" title=${c.type}>${c.name}</th>`)}</tr></thead>
              <tbody>${answer.rows.map((row) => html`<tr>${row.map((cell) => html`<td>${cellText(cell)}</td>`)}</tr>`)}</tbody></table></div>`
          : null}
      </div>
    </div>`}
  <//>`;
}
