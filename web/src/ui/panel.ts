/**
 * The frame every panel shares: a titled card whose data-state says loading, ready, empty or
 * error, a refusal in the user's language with where it came from, and a line that says when
 * data is missing or partial instead of drawing it as a figure.
 */
import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';
import { html } from '../html.js';
import { lang, t } from '../i18n.js';
import type { Loaded } from '../use-load.js';

/** A refusal as the user reads it: what kind of refusal in their language, then the server's words. */
export function refusalText(error: Error): string {
  if (!(error instanceof ApiError)) return t(`无法连接服务器：${error.message}`, `could not reach the server: ${error.message}`);
  // A workflow's refusal is the rule's reason, in the user's language, not the server's English.
  if (error.refusal) return `${t('操作被拒绝', 'Refused')}: ${error.refusal[lang()]}`;
  const where = error.problems.map((p) => p.at).filter(Boolean);
  const lead =
    error.code === 'outside_jurisdiction' ? t('超出您的辖区', 'Outside your jurisdiction')
    : error.status === 403 ? t('您的角色无权查看', 'Your role may not see this')
    : error.status === 404 ? t('未找到', 'Not found')
    : error.status === 409 ? t('与现有记录冲突', 'Conflicts with what is recorded')
    : error.status === 429 ? t(`请求过多，请 ${error.retryAfter ?? 60} 秒后再试`, `Too many requests; try again in ${error.retryAfter ?? 60} s`)
    : error.status === 503 ? t('系统暂时不可用', 'The system is unavailable for now')
    : error.status === 400 ? t(`请求有误${where.length ? `（${where.join('、')}）` : ''}`, `The request is not valid${where.length ? ` (${where.join(', ')})` : ''}`)
    : t(`服务器错误 ${error.status}`, `Server error ${error.status}`);
  return `${lead}: ${error.message}`;
}

export function ErrorLine({ error }: { error: Error }) {
  return html`<p class="error" role="alert">${refusalText(error)}</p>`;
}

/** Said in place of a figure that the data cannot give. */
export function Missing({ children }: { children: ComponentChildren }) {
  return html`<p class="missing" role="note">${children}</p>`;
}

export interface PanelProps<T> {
  title: string;
  id: string;
  loaded: Loaded<T>;
  /** What to say instead of a figure, or null when the data is there. */
  empty?: (data: T) => string | null;
  children: (data: T) => ComponentChildren;
  tools?: ComponentChildren;
  note?: ComponentChildren;
  wide?: boolean;
}

export function Panel<T>({ title, id, loaded, empty, children, tools, note, wide }: PanelProps<T>) {
  const emptyText = loaded.data !== undefined && empty ? empty(loaded.data) : null;
  const state = loaded.state === 'ready' && emptyText ? 'empty' : loaded.state;
  return html`<section class=${`card${wide ? ' wide' : ''}`} id=${id} data-state=${state} aria-busy=${loaded.state === 'loading'} aria-labelledby=${`${id}-title`}>
    <div class="card-head">
      <h2 id=${`${id}-title`}>${title}</h2>
      ${tools}
    </div>
    ${loaded.state === 'error' ? html`<${ErrorLine} error=${loaded.error} />` : null}
    ${loaded.state === 'loading' && loaded.data === undefined ? html`<p class="loading" role="status">${t('加载中…', 'Loading…')}</p>` : null}
    ${emptyText ? html`<${Missing}>${emptyText}<//>` : null}
    ${loaded.data !== undefined && !emptyText ? children(loaded.data) : null}
    ${note ? html`<p class="note">${note}</p>` : null}
  </section>`;
}
