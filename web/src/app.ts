/**
 * The application: the header (health, who is logged in, language, logout), the navigation
 * the role is entitled to, and the page the URL names, each page's code loaded when first
 * opened so the first view carries only its own.
 */
import type { ComponentType } from 'preact';
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { PERMISSIONS, type Permission } from '../../domain/roles.js';
import { api, ApiError, whenSignedOut, type Health, type Session } from './api.js';
import { AppContext, can, placeName, type AppState } from './context.js';
import { setTimeZone } from './format.js';
import { html } from './html.js';
import { lang, onLangChange, setLang, t } from './i18n.js';
import { Login } from './login.js';
import { linkHandler, PAGES, redirect, useLocation, type PageId } from './router.js';
import { refusalText } from './ui/panel.js';

interface PageEntry {
  titleZh: string;
  titleEn: string;
  /** The page is for a role holding any of these. */
  permission: Permission | readonly Permission[];
  load: () => Promise<{ default: ComponentType }>;
}

const PAGE_TABLE: Record<PageId, PageEntry> = {
  overview: { titleZh: '总览', titleEn: 'Overview', permission: 'metrics.read', load: () => import('./pages/overview.js') },
  explorer: { titleZh: '分析', titleEn: 'Explorer', permission: 'metrics.read', load: () => import('./pages/explorer.js') },
  warnings: { titleZh: '预警', titleEn: 'Warnings', permission: 'alerts.read', load: () => import('./pages/warnings.js') },
  cases: { titleZh: '信访事项', titleEn: 'Cases', permission: 'cases.read', load: () => import('./pages/cases.js') },
  duties: { titleZh: '责任落实', titleEn: 'Duties', permission: 'duties.read', load: () => import('./pages/duties.js') },
  accountability: { titleZh: '责任追究', titleEn: 'Accountability', permission: 'accountability.read', load: () => import('./pages/accountability.js') },
  recommendations: { titleZh: '建议与纠纷', titleEn: 'Recommendations', permission: ['recommendations.read', 'disputes.read'], load: () => import('./pages/recommendations.js') },
  reports: { titleZh: '报告', titleEn: 'Reports', permission: 'metrics.read', load: () => import('./pages/reports.js') },
  admin: { titleZh: '系统管理', titleEn: 'Administration', permission: ['users.manage', 'audit.read'], load: () => import('./pages/admin.js') },
};

/** Where each role lands: analysts explore, officers work cases, administrators administer, everyone else starts at the overview. */
const LANDING: Partial<Record<string, PageId>> = { analyst: 'explorer', officer: 'cases', clerk: 'cases', admin: 'admin' };

const pagesFor = (state: AppState) => PAGES.filter((p) => ([] as Permission[]).concat(PAGE_TABLE[p].permission).some((permission) => can(state, permission)));

function HealthLine() {
  const [health, setHealth] = useState<Health | null>(null);
  useEffect(() => void api.health().then(setHealth, () => undefined), []);
  if (!health) return html`<ul id="health" aria-label=${t('系统状态', 'system health')}></ul>`;
  const item = (name: string, ok: boolean, detail: string) =>
    html`<li class=${ok ? 'ok' : 'bad'} title=${detail}>${name} ${ok ? '●' : '✕'}</li>`;
  return html`<ul id="health" aria-label=${t('系统状态', 'system health')}>
    ${item('Temporal', health.temporal.ok, health.temporal.ok ? 'serving' : health.temporal.error)}
    ${item('DuckDB', health.duckdb.ok, health.duckdb.ok ? `${health.duckdb.cases} cases` : health.duckdb.error)}
  </ul>`;
}

function LanguageSwitch() {
  const other = lang() === 'zh' ? 'en' : 'zh';
  return html`<button type="button" id="lang" class="secondary" lang=${other === 'en' ? 'en' : 'zh-CN'} onClick=${() => setLang(other)}>
    ${other === 'en' ? 'English' : '中文'}
  </button>`;
}

/** For a role no page is for (the administrator): what the role may do, in place of empty pages. */
function RoleNote({ session }: { session: Session }) {
  return html`<section class="card" id="role-note">
    <h2>${t(session.role.labelZh, session.role.labelEn)}</h2>
    <p>${t('看板上没有本角色可查看的页面；本角色可以：', 'No page of the dashboard is for this role. The role may:')}</p>
    <ul>${session.role.permissions.map((p) => html`<li data-grant=${p}>${PERMISSIONS[p]}</li>`)}</ul>
    <p class="note">${t('这些功能通过 API 和 xinfang 命令提供：', 'These are served by the API and the xinfang command:')} /api/v1/openapi.json</p>
  </section>`;
}

const loaded = new Map<PageId, ComponentType>();

function PageView({ page }: { page: PageId }) {
  const [component, setComponent] = useState<ComponentType | null>(() => loaded.get(page) ?? null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (loaded.has(page)) return setComponent(() => loaded.get(page)!);
    setComponent(null);
    let live = true;
    PAGE_TABLE[page].load().then(
      (module) => {
        loaded.set(page, module.default);
        if (live) setComponent(() => module.default);
      },
      (e: unknown) => live && setError(e as Error),
    );
    return () => void (live = false);
  }, [page]);
  if (error) return html`<p class="error" role="alert">${t('页面加载失败', 'The page failed to load')}: ${error.message}</p>`;
  // A section in the loading state, so whoever waits for the page's panels waits for its module too.
  if (!component) return html`<section id="page-loading" data-state="loading" aria-busy="true"><p class="loading" role="status">${t('加载中…', 'Loading…')}</p></section>`;
  const Component = component;
  return html`<${Component} />`;
}

function Shell({ state, logOut }: { state: AppState; logOut: () => void }) {
  const { page } = useLocation();
  const allowed = pagesFor(state);
  const landing = LANDING[state.session.role.id] ?? 'overview';
  const target = page && allowed.includes(page) ? page : allowed.includes(landing) ? landing : allowed[0];
  // Before anything can read the page: a page shown under another page's address would be a lie, however brief.
  useLayoutEffect(() => {
    if (target !== page && (target || location.pathname !== '/')) redirect(target ?? null);
  }, [target, page]);
  useEffect(() => {
    if (target) document.title = `${t(PAGE_TABLE[target].titleZh, PAGE_TABLE[target].titleEn)} · ${t('信访责任制监测平台', 'Xinfang Watch')}`;
  }, [target, lang()]);
  const s = state.session;
  const scope = s.organCode ? `${t('机关', 'organ')} ${s.organCode}` : s.regionCode ? `${placeName(state, s.regionCode)} (${s.regionCode})` : '';
  return html`<${AppContext.Provider} value=${state}>
    <header>
      <h1><a href="/" onClick=${target ? linkHandler(target) : undefined}>${t('信访责任制监测平台', 'Xinfang Watch')}</a></h1>
      <div class="header-side">
        <${HealthLine} />
        <div id="who" data-user=${s.user.username} data-role=${s.role.id}>
          <span id="who-name">${s.user.displayName}</span> <span id="who-role">${t(s.role.labelZh, s.role.labelEn)}</span> <span id="who-scope">${scope}</span>
        </div>
        <${LanguageSwitch} />
        <button id="logout" type="button" class="secondary" onClick=${logOut}>${t('退出', 'Log out')}</button>
      </div>
    </header>
    ${allowed.length
      ? html`<nav aria-label=${t('页面', 'pages')}><ul>
          ${allowed.map((p) => html`<li><a href=${`/${p}`} id=${`nav-${p}`} aria-current=${p === target ? 'page' : undefined} onClick=${linkHandler(p)}>${t(PAGE_TABLE[p].titleZh, PAGE_TABLE[p].titleEn)}</a></li>`)}
        </ul></nav>`
      : null}
    <main id="dashboard" data-role=${s.role.id} data-page=${target ?? 'none'}>
      ${target ? html`<${PageView} key=${target} page=${target} />` : html`<${RoleNote} session=${s} />`}
    </main>
  <//>`;
}

export function App() {
  const [state, setState] = useState<AppState | null>(null);
  const [phase, setPhase] = useState<'starting' | 'login' | 'opening' | 'open'>('starting');
  const [notice, setNotice] = useState('');
  const [fatal, setFatal] = useState<string | null>(null);
  const [, setLangTick] = useState(0);
  useEffect(() => onLangChange(() => setLangTick((n) => n + 1)), []);

  const open = async (session: Session) => {
    setPhase('opening');
    try {
      const [reference, catalog] = await Promise.all([api.reference(), (session.role.permissions as readonly string[]).includes('metrics.read') ? api.catalog() : null]);
      setTimeZone(reference.timeZone);
      setState({ session, reference, catalog });
      setPhase('open');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      setFatal(refusalText(error as Error));
    }
  };
  const close = (message = '') => {
    setState(null);
    setNotice(message);
    setPhase('login');
  };
  useEffect(() => {
    whenSignedOut(() => close(t('会话已结束，请重新登录', 'Your session has ended; log in again')));
    api.session().then((s) => (s ? void open(s) : setPhase('login')), (e: unknown) => setFatal(refusalText(e as Error)));
  }, []);
  const logOut = () => void api.logout().then(() => close(), (e: unknown) => setFatal(refusalText(e as Error)));

  return html`
    ${fatal ? html`<p class="fatal" role="alert">${fatal}</p>` : null}
    ${phase === 'open' && state
      ? html`<${Shell} state=${state} logOut=${logOut} />`
      : html`<header><h1>${t('信访责任制监测平台', 'Xinfang Watch')}</h1><div class="header-side"><${LanguageSwitch} /></div></header>
          <main id="dashboard">${phase === 'login' ? html`<${Login} notice=${notice} loggedIn=${(s: Session) => void open(s)} />` : html`<p class="loading" role="status">${t('加载中…', 'Loading…')}</p>`}</main>`}
  `;
}
