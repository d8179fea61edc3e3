/**
 * The users of the administrator's jurisdiction: who holds which role for which region or
 * organ, enabled or not, when last logged in; creating one (each refusal shown at its field),
 * disabling and enabling, and resetting a password (the server's generated one shown once).
 * The user whose password is being reset is in the URL (reset=USERNAME).
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../../api.js';
import { placeName, useApp } from '../../context.js';
import { formatTime } from '../../format.js';
import { html } from '../../html.js';
import { label, t } from '../../i18n.js';
import { setParams, useLocation } from '../../router.js';
import { useLoad } from '../../use-load.js';
import { Panel, refusalText } from '../../ui/panel.js';
import { adminApi, type ListedUser, type NewUser, type ResetAnswer, type RoleId, type Roles } from './api.js';

type Verdict = { ok: boolean; text: string } | null;

function Verdict({ id, verdict }: { id: string; verdict: Verdict }) {
  return html`<output id=${id} class=${verdict && !verdict.ok ? 'error' : 'verdict-ok'} role=${verdict && !verdict.ok ? 'alert' : 'status'}
    data-state=${verdict ? (verdict.ok ? 'ok' : 'refused') : ''}>${verdict?.text ?? ''}</output>`;
}

function scopeText(state: ReturnType<typeof useApp>, u: Pick<ListedUser, 'region_code' | 'organ_code'>): string {
  if (u.organ_code) {
    const organ = state.reference.organs.find((o) => o.code === u.organ_code);
    return `${t('机关', 'organ')} ${organ ? `${organ.nameZh} (${u.organ_code})` : u.organ_code}`;
  }
  return u.region_code ? `${placeName(state, u.region_code)} (${u.region_code})` : '—';
}

const FIELDS = ['username', 'displayName', 'role', 'regionCode', 'organCode', 'password'] as const;
type Field = (typeof FIELDS)[number];

function CreateUser({ roles, created }: { roles: Roles; created: (username: string) => void }) {
  const state = useApp();
  const empty = { username: '', displayName: '', role: 'clerk' as RoleId, regionCode: state.session.regionCode ?? '', organCode: '', password: '' };
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [verdict, setVerdict] = useState<Verdict>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const scopeKind = roles.roles[form.role].scope;
  const set = (key: keyof typeof form) => (e: Event) => setForm({ ...form, [key]: (e.target as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setVerdict(null);
    setFieldErrors({});
    const body: NewUser = {
      username: form.username.trim(),
      displayName: form.displayName,
      role: form.role,
      password: form.password,
      ...(scopeKind === 'region' ? { regionCode: form.regionCode } : { organCode: form.organCode }),
    };
    try {
      const user = await adminApi.createUser(body);
      setVerdict({ ok: true, text: t(`已创建用户 ${user.username}（${label(roles.roles[user.role])}）。`, `User ${user.username} created (${label(roles.roles[user.role])}).`) });
      setForm(empty);
      created(user.username);
    } catch (error) {
      const problems = error instanceof ApiError ? error.problems : [];
      const at: Partial<Record<Field, string>> = {};
      for (const p of problems) {
        const field = FIELDS.find((f) => f === p.at);
        if (field) at[field] = p.problem;
      }
      setFieldErrors(at);
      setVerdict({ ok: false, text: `${t('未创建', 'Not created')}: ${refusalText(error as Error)}` });
    } finally {
      setBusy(false);
    }
  };

  const field = (name: Field, caption: string, input: unknown, hint?: string) => html`<label for=${`new-${name}`} class=${name === 'displayName' ? 'wide' : undefined}>
      <span>${caption} <abbr title=${t('必填', 'required')} aria-hidden="true">*</abbr></span>
      ${input}
      ${hint ? html`<small id=${`new-${name}-hint`} class="hint">${hint}</small>` : null}
      <small id=${`new-${name}-error`} class="field-error" data-field=${name}>${fieldErrors[name] ?? ''}</small>
    </label>`;
  const aria = (name: Field, hint = false) => ({
    'aria-invalid': fieldErrors[name] ? 'true' : undefined,
    'aria-describedby': [hint ? `new-${name}-hint` : '', `new-${name}-error`].filter(Boolean).join(' '),
  });
  const places = state.reference.places;
  return html`<form id="create-user" class="admin-form" aria-labelledby="create-user-title" aria-busy=${busy} onSubmit=${submit}>
    <h3 id="create-user-title">${t('新建用户', 'Create a user')}</h3>
    ${field('username', t('用户名', 'User name'), html`<input id="new-username" name="username" required maxlength="40" autocomplete="off" value=${form.username} onInput=${set('username')} ...${aria('username', true)} />`, t('小写字母、数字、. _ -，2 至 40 个字符', 'lower-case letters, digits, . _ -; 2 to 40 characters'))}
    ${field('displayName', t('姓名或名称', 'Display name'), html`<input id="new-displayName" name="displayName" required maxlength="80" autocomplete="off" value=${form.displayName} onInput=${set('displayName')} ...${aria('displayName')} />`)}
    ${field('role', t('角色', 'Role'), html`<select id="new-role" name="role" required value=${form.role} onChange=${set('role')} ...${aria('role')}>
      ${(Object.keys(roles.roles) as RoleId[]).map((id) => html`<option value=${id}>${label(roles.roles[id])}</option>`)}
    </select>`)}
    ${scopeKind === 'region'
      ? field('regionCode', t('辖区（区域）', 'Jurisdiction (region)'), html`<select id="new-regionCode" name="regionCode" required value=${form.regionCode} onChange=${set('regionCode')} ...${aria('regionCode')}>
          ${places.map((p) => html`<option value=${p.code}>${p.level === 'street' ? '　　' : p.level === 'district' ? '　' : ''}${placeName(state, p.code)} (${p.code})</option>`)}
        </select>`)
      : field('organCode', t('辖区（机关）', 'Jurisdiction (organ)'), html`<select id="new-organCode" name="organCode" required value=${form.organCode} onChange=${set('organCode')} ...${aria('organCode')}>
          <option value="">${t('请选择机关', 'Choose an organ')}</option>
          ${state.reference.organs.map((o) => html`<option value=${o.code}>${o.nameZh} (${o.code})</option>`)}
        </select>`)}
    ${field('password', t('初始密码', 'Initial password'), html`<input id="new-password" name="password" type="password" required maxlength="200" autocomplete="new-password" value=${form.password} onInput=${set('password')} ...${aria('password', true)} />`, t('至少 10 个字符', 'at least 10 characters'))}
    <div class="buttons"><button type="submit" id="create-user-submit" disabled=${busy}>${busy ? t('提交中…', 'Sending…') : t('创建用户', 'Create user')}</button></div>
    <${Verdict} id="create-user-verdict" verdict=${verdict} />
  </form>`;
}

function ResetPassword({ user, done }: { user: ListedUser; done: () => void }) {
  const [mode, setMode] = useState<'generate' | 'enter'>('generate');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [verdict, setVerdict] = useState<Verdict>(null);
  const [answer, setAnswer] = useState<ResetAnswer | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setVerdict(null);
    try {
      const reset = await adminApi.resetPassword(user.username, mode === 'generate' ? null : password);
      setAnswer(reset);
      setPassword('');
      setVerdict({ ok: true, text: t(`已重置 ${user.username} 的密码，其所有会话已结束。`, `The password of ${user.username} is reset; its sessions have ended.`) });
      done();
    } catch (error) {
      setVerdict({ ok: false, text: `${t('未重置', 'Not reset')}: ${refusalText(error as Error)}` });
    } finally {
      setBusy(false);
    }
  };
  return html`<form id="reset-password" class="admin-form" data-user=${user.username} aria-labelledby="reset-title" aria-busy=${busy} onSubmit=${submit}>
    <h3 id="reset-title">${t(`重置 ${user.username} 的密码`, `Reset the password of ${user.username}`)}</h3>
    <fieldset>
      <legend>${t('新密码', 'New password')}</legend>
      <label class="check" for="reset-generate"><input type="radio" id="reset-generate" name="reset-mode" checked=${mode === 'generate'} onChange=${() => setMode('generate')} /> ${t('由系统生成（只显示一次）', 'generated by the server (shown once)')}</label>
      <label class="check" for="reset-enter"><input type="radio" id="reset-enter" name="reset-mode" checked=${mode === 'enter'} onChange=${() => setMode('enter')} /> ${t('手动输入', 'entered here')}</label>
    </fieldset>
    ${mode === 'enter'
      ? html`<label for="reset-password-input">${t('新密码（至少 10 个字符）', 'New password (at least 10 characters)')} <abbr title=${t('必填', 'required')} aria-hidden="true">*</abbr>
          <input id="reset-password-input" type="password" required maxlength="200" autocomplete="new-password" value=${password} onInput=${(e: Event) => setPassword((e.target as HTMLInputElement).value)} /></label>`
      : null}
    <div class="buttons">
      <button type="submit" id="reset-submit" disabled=${busy}>${busy ? t('提交中…', 'Sending…') : t('重置密码', 'Reset password')}</button>
      <button type="button" class="secondary" id="reset-close" onClick=${() => setParams({ reset: null })}>${t('关闭', 'Close')}</button>
    </div>
    <${Verdict} id="reset-verdict" verdict=${verdict} />
    ${answer?.password
      ? html`<p class="generated" id="generated-password-line">${t('新密码', 'New password')}: <code id="generated-password">${answer.password}</code>
          <br /><small>${t('请现在交给该用户：此密码不会再显示。', 'Give it to the user now: it is not shown again.')}</small></p>`
      : null}
  </form>`;
}

function UserRow({ user, roles, self, changed }: { user: ListedUser; roles: Roles; self: boolean; changed: () => void }) {
  const state = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const toggle = async () => {
    setBusy(true);
    setError('');
    try {
      await adminApi.setEnabled(user.username, user.disabled);
      changed();
    } catch (e) {
      setError(refusalText(e as Error));
    } finally {
      setBusy(false);
    }
  };
  return html`<tr data-user=${user.username} data-enabled=${String(!user.disabled)}>
    <td>${user.username}</td>
    <td>${user.display_name}</td>
    <td>${label(roles.roles[user.role])}</td>
    <td>${scopeText(state, user)}</td>
    <td class="enabled">${user.disabled ? html`<span class="bad">${t('已停用', 'disabled')}</span>` : t('启用', 'enabled')}</td>
    <td class="last-login">${user.lastLoginAt ? formatTime(user.lastLoginAt) : t('从未登录', 'never')}</td>
    <td class="actions">
      <button type="button" class="secondary" data-toggle=${user.username} disabled=${busy || (self && !user.disabled)} onClick=${() => void toggle()}
        aria-label=${user.disabled ? t(`启用 ${user.username}`, `Enable ${user.username}`) : t(`停用 ${user.username}`, `Disable ${user.username}`)}>
        ${user.disabled ? t('启用', 'Enable') : t('停用', 'Disable')}</button>
      <button type="button" class="secondary" data-reset=${user.username} onClick=${() => setParams({ reset: user.username })}
        aria-label=${t(`重置密码：${user.username}`, `Reset password: ${user.username}`)}>${t('重置密码', 'Reset password')}</button>
      <button type="button" class="link" data-audit=${user.username} onClick=${() => setParams({ tab: 'audit', object: user.user_id, user: null, action: null, outcome: null, from: null, to: null })}
        aria-label=${t(`审计：${user.username}`, `Audit: ${user.username}`)}>${t('审计', 'Audit')}</button>
      ${error ? html`<span class="error" role="alert">${error}</span>` : null}
    </td>
  </tr>`;
}

export function UsersTab() {
  const state = useApp();
  const { params } = useLocation();
  const loaded = useLoad(async () => {
    const [users, roles] = await Promise.all([adminApi.users(), adminApi.roles()]);
    return { ...users, roles };
  }, []);
  const resetting = params.get('reset');
  return html`<div class="admin-users">
    <${Panel} id="users" title=${`${t('用户与角色', 'Users and roles')}${loaded.data ? t(` · ${loaded.data.users.length} 个`, ` · ${loaded.data.users.length}`) : ''}`} loaded=${loaded} wide
        note=${t('停用立即结束该用户的会话和令牌；重置密码结束其会话。', 'Disabling ends the user’s sessions and tokens at once; a password reset ends its sessions.')}>
      ${(d: { users: ListedUser[]; roles: Roles }) => html`<div class="scroll">
          <table id="users-table" data-count=${d.users.length}>
            <caption class="sr-only">${t('您辖区内的用户', 'The users of your jurisdiction')}</caption>
            <thead><tr>
              <th scope="col">${t('用户名', 'User name')}</th><th scope="col">${t('姓名', 'Name')}</th><th scope="col">${t('角色', 'Role')}</th>
              <th scope="col">${t('辖区', 'Jurisdiction')}</th><th scope="col">${t('状态', 'Status')}</th><th scope="col">${t('最近登录', 'Last login')}</th>
              <th scope="col">${t('操作', 'Actions')}</th>
            </tr></thead>
            <tbody>${d.users.map((u) => html`<${UserRow} key=${u.user_id} user=${u} roles=${d.roles} self=${u.user_id === state.session.user.userId} changed=${loaded.reload} />`)}</tbody>
          </table>
        </div>
        ${resetting
          ? (() => {
              const user = d.users.find((u) => u.username === resetting);
              return user
                ? html`<${ResetPassword} key=${user.username} user=${user} done=${loaded.reload} />`
                : html`<p class="error" role="alert">${t(`您的辖区内没有用户 ${resetting}。`, `No user ${resetting} in your jurisdiction.`)}</p>`;
            })()
          : null}
        <${CreateUser} roles=${d.roles} created=${loaded.reload} />`}
    <//>
  </div>`;
}
