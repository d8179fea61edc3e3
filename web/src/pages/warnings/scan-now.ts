/**
 * A scan on demand (scans.start): started through the API, then followed until its record is
 * written, the progress shown all the while (the workflow reports no fraction done, so the
 * bar is indeterminate and the time it has taken is counted); then the list is read again.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type ScanState } from '../../api.js';
import { formatCount } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { refusalText } from '../../ui/panel.js';

const POLL_MS = 1000;

function finishedText(s: ScanState): string {
  if (s.alerts_raised === undefined) return t(`扫描完成 · ${s.scan_id}`, `Scan finished · ${s.scan_id}`);
  return t(
    `扫描完成：${s.week_from} – ${s.week_to}，${formatCount(s.series_scanned ?? 0)} 个序列，新预警 ${s.alerts_raised} 条，延续 ${s.alerts_continued ?? 0} 条`,
    `Scan finished: ${s.week_from} – ${s.week_to}, ${formatCount(s.series_scanned ?? 0)} series, ${s.alerts_raised} new alerts, ${s.alerts_continued ?? 0} continued`,
  );
}

export function ScanNow({ scanned }: { scanned: () => void }) {
  const [weeks, setWeeks] = useState('1');
  const [line, setLine] = useState('');
  const [phase, setPhase] = useState<'idle' | 'running' | 'finished' | 'failed'>('idle');
  const [elapsed, setElapsed] = useState(0);
  // Polling stops when the page is left.
  const live = useRef(true);
  useEffect(() => () => void (live.current = false), []);

  const scan = async () => {
    const n = Number(weeks);
    if (!Number.isInteger(n) || n < 1 || n > 104) {
      setPhase('failed');
      return setLine(t('周数须为 1 至 104 的整数', 'The weeks must be a whole number from 1 to 104'));
    }
    setPhase('running');
    setElapsed(0);
    setLine(t('正在启动扫描', 'Starting the scan'));
    const began = Date.now();
    try {
      const started = await api.startScan(n);
      for (;;) {
        if (!live.current) return;
        setElapsed(Math.round((Date.now() - began) / 1000));
        setLine(t(`扫描中：截至 ${started.week} 的 ${started.weeks} 周`, `Scanning ${started.weeks} weeks to ${started.week}`));
        const s = await api.scan(started.scanId);
        if (s.status === 'finished') {
          setLine(finishedText(s));
          setPhase('finished');
          break;
        }
        if (s.status !== 'running') throw new Error(t(`扫描 ${started.scanId} 结束于 ${s.status}`, `scan ${started.scanId} ended ${s.status}`));
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      if (live.current) scanned();
    } catch (error) {
      if (!live.current) return;
      setPhase('failed');
      setLine(`${t('扫描失败', 'Scan failed')}: ${refusalText(error as Error)}`);
    }
  };
  const running = phase === 'running';
  return html`<div class="scan-now" aria-busy=${running}>
    <label>${t('扫描周数', 'Weeks to scan')} <input id="scan-weeks" type="number" min="1" max="104" step="1" value=${weeks} disabled=${running} onInput=${(e: Event) => setWeeks((e.target as HTMLInputElement).value)} /></label>
    <button id="scan-now" type="button" disabled=${running} onClick=${() => void scan()}>${running ? t('扫描中…', 'Scanning…') : t('立即扫描', 'Scan now')}</button>
    ${running ? html`<progress id="scan-progress" aria-label=${t('扫描进度', 'scan progress')}></progress>` : null}
    <output id="scan-status" role="status" data-state=${phase === 'idle' ? '' : phase === 'running' ? 'loading' : phase === 'finished' ? 'ready' : 'error'} class=${phase === 'failed' ? 'error' : undefined}>
      ${line}${running && elapsed > 0 ? t(`，已用 ${elapsed} 秒…`, `, ${elapsed} s so far…`) : running ? '…' : ''}
    </output>
  </div>`;
}
