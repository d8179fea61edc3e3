/**
 * Administration (系统管理): users and roles, the audit log, and the data's coverage, each a
 * tab in the URL (tab=users|audit|data) shown to the roles its permission names: the
 * administrator sees all three, an inspector (audit.read) the audit log only.
 */
import type { Permission } from '../../../domain/roles.js';
import { can, useApp } from '../context.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { setParams, useLocation } from '../router.js';
import { AuditTab } from './admin/audit.js';
import { DataTab } from './admin/data.js';
import { UsersTab } from './admin/users.js';
import './admin.css';

type TabId = 'users' | 'audit' | 'data';
const TABS: { id: TabId; zh: string; en: string; permission: Permission; view: () => unknown }[] = [
  { id: 'users', zh: '用户与角色', en: 'Users and roles', permission: 'users.manage', view: () => html`<${UsersTab} />` },
  { id: 'audit', zh: '审计日志', en: 'Audit log', permission: 'audit.read', view: () => html`<${AuditTab} />` },
  { id: 'data', zh: '数据覆盖', en: 'Data coverage', permission: 'imports.write', view: () => html`<${DataTab} />` },
];

export default function Admin() {
  const state = useApp();
  const { params } = useLocation();
  const tabs = TABS.filter((tab) => can(state, tab.permission));
  const current = tabs.find((tab) => tab.id === params.get('tab')) ?? tabs[0];
  // Arrow keys move between the tabs, as a tab list is expected to.
  const onKey = (e: KeyboardEvent) => {
    if (!current || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
    const next = tabs[(tabs.indexOf(current) + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]!;
    setParams({ tab: next.id });
    requestAnimationFrame(() => document.getElementById(`admin-tab-${next.id}`)?.focus());
  };
  return html`<div class="page" id="admin-page" data-tab=${current?.id ?? ''}>
    <div class="card admin-tabs" role="tablist" aria-label=${t('系统管理', 'Administration')} onKeyDown=${onKey}>
      ${tabs.map((tab) => html`<button type="button" role="tab" id=${`admin-tab-${tab.id}`} aria-selected=${tab === current ? 'true' : 'false'} aria-controls="admin-panel"
          tabIndex=${tab === current ? 0 : -1} class=${tab === current ? 'tab current' : 'tab'} onClick=${() => setParams({ tab: tab.id })}>${t(tab.zh, tab.en)}</button>`)}
    </div>
    <div id="admin-panel" role="tabpanel" aria-labelledby=${current ? `admin-tab-${current.id}` : undefined}>
      ${current ? html`<div key=${current.id}>${current.view()}</div>` : null}
    </div>
  </div>`;
}
