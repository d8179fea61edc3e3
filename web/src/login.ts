/**
 * The login form. The server decides everything about the login; the form shows its answer
 * (a wrong password, how long to wait), and offers the identity provider only where one is
 * configured.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Session } from './api.js';
import { html } from './html.js';
import { t } from './i18n.js';
import { refusalText } from './ui/panel.js';

export function Login({ notice, loggedIn }: { notice: string; loggedIn: (s: Session) => void }) {
  const [message, setMessage] = useState(notice);
  const [busy, setBusy] = useState(false);
  const [oidc, setOidc] = useState(false);
  const username = useRef<HTMLInputElement>(null);
  const password = useRef<HTMLInputElement>(null);
  useEffect(() => {
    username.current?.focus();
    void api.loginMethods().then((m) => setOidc(m.oidc), () => undefined);
  }, []);
  const submit = async (event: Event) => {
    event.preventDefault();
    setMessage('');
    setBusy(true);
    try {
      const session = await api.login(username.current!.value, password.current!.value);
      loggedIn(session);
    } catch (error) {
      setMessage(`${t('登录失败', 'Login failed')}: ${error instanceof ApiError && error.status === 401 ? error.message : refusalText(error as Error)}`);
      password.current!.value = '';
      // Trying again before the throttle's wait is over only lengthens it.
      const wait = error instanceof ApiError ? (error.retryAfter ?? 0) : 0;
      setTimeout(() => setBusy(false), wait * 1000);
    }
  };
  return html`<section id="login" class="card" aria-labelledby="login-title">
    <h2 id="login-title">${t('登录', 'Log in')}</h2>
    <form id="login-form" onSubmit=${submit}>
      <label>${t('用户名', 'User name')} <input ref=${username} name="username" id="login-username" autocomplete="username" maxlength="100" required /></label>
      <label>${t('密码', 'Password')} <input ref=${password} name="password" id="login-password" type="password" autocomplete="current-password" maxlength="200" required /></label>
      <button type="submit" disabled=${busy}>${t('登录', 'Log in')}</button>
      <output id="login-error" class="error" role="alert">${message}</output>
    </form>
    ${oidc ? html`<p id="login-oidc"><a href="/api/v1/session/oidc">${t('使用统一身份认证登录', 'Log in with the identity provider')}</a></p>` : null}
  </section>`;
}
