/**
 * The frame of every page of the petitioner's site: Chinese by default, English by `lang=en`
 * (carried by every link and form, since the site keeps no cookie), phone-first CSS, and one
 * small script that only adds conveniences (the page works without it).
 */
import { html, type Html } from './html.js';

export const OPEN_PREFIX = '/open';
export type Lang = 'zh' | 'en';

export const langOf = (value: unknown): Lang => (value === 'en' ? 'en' : 'zh');
/** The text in the page's language. */
export const say = (lang: Lang) => (zh: string, en: string) => (lang === 'en' ? en : zh);
/** A path of the site in the page's language. */
export const href = (lang: Lang, path: string) => `${OPEN_PREFIX}${path}${lang === 'en' ? `${path.includes('?') ? '&' : '?'}lang=en` : ''}`;

export interface PageOptions {
  lang: Lang;
  title: string;
  body: Html;
  /** The switch to the other language: a link for GET pages, a form for pages reached by POST (it re-posts their pass). */
  switcher?: Html;
  /** This GET page's own path, for the language link. */
  path?: string;
}

export function page({ lang, title, body, switcher, path = '/' }: PageOptions): string {
  const t = say(lang);
  const other: Lang = lang === 'en' ? 'zh' : 'en';
  const otherLink = html`<a href="${href(other, path)}" lang="${other === 'en' ? 'en' : 'zh-CN'}">${other === 'en' ? 'English' : '中文'}</a>`;
  return `<!doctype html>${html`<html lang="${lang === 'en' ? 'en' : 'zh-CN'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · ${t('阳光信访', 'Open petitioning')}</title>
<link rel="stylesheet" href="${OPEN_PREFIX}/assets/open.css">
<script src="${OPEN_PREFIX}/assets/open.js" defer></script>
</head>
<body>
<header class="site">
  <p class="brand"><a href="${href(lang, '/')}">${t('阳光信访', 'Open petitioning')}</a></p>
  <nav aria-label="${t('网站导航', 'Site')}">
    <a href="${href(lang, '/')}">${t('网上信访', 'Submit')}</a>
    <a href="${href(lang, '/lookup')}">${t('查询办理情况', 'Look up')}</a>
    ${switcher ?? otherLink}
  </nav>
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
<footer class="site"><p>${t(
    '依据《信访工作条例》（2022）第十七条、第二十一条提供网上信访和查询。请勿在此提交涉密信息。',
    'Online petitions and look-ups under the 2022 Regulations on Petition Work, arts. 17 and 21. Do not submit classified information here.',
  )}</p></footer>
</body>
</html>`}`;
}

/** A form field's label, control and error, tied together for screen readers. */
export function fieldError(id: string, error: string | undefined): Html {
  return error ? html`<p class="error" id="${`${id}-error`}">${error}</p>` : html``;
}
/** `aria-describedby` (and `aria-invalid`) for a control with an optional hint and error. */
export function describedBy(id: string, error: string | undefined, hint = false): Html {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids ? html` aria-describedby="${ids}"${error ? html` aria-invalid="true"` : ''}` : html``;
}
