/**
 * The login form, and the header's account line: who is logged in, in which role, over which
 * jurisdiction, with the logout button. The server decides everything about the login; the
 * form shows its answer as the server words it (a wrong password, how long to wait).
 */
import { api, ApiError, type Session } from './api.js';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

export interface LoginHandlers {
  loggedIn: (session: Session) => void;
  logOut: () => void;
}

/** Wires the form and the logout button once; they stay on the page across logins. */
export function setUpLogin(handlers: LoginHandlers): void {
  const form = $<HTMLFormElement>('#login-form');
  const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    const output = $('#login-error');
    output.textContent = '';
    submit.disabled = true;
    let session: Session;
    try {
      session = await api.login(String(fields.get('username') ?? ''), String(fields.get('password') ?? ''));
    } catch (error) {
      output.textContent = `登录失败 login failed: ${(error as Error).message}`;
      $<HTMLInputElement>('#login-password').value = '';
      // Trying again before the throttle's wait is over only lengthens it.
      const wait = error instanceof ApiError ? (error.retryAfter ?? 0) : 0;
      setTimeout(() => (submit.disabled = false), wait * 1000);
      return;
    }
    submit.disabled = false;
    form.reset();
    $('#login').hidden = true;
    handlers.loggedIn(session);
  });
  $('#logout').addEventListener('click', () => handlers.logOut());
  // Offered only where the deployment has an identity provider; without one the link would lead to a 404.
  void api
    .loginMethods()
    .then((methods) => ($('#login-oidc').hidden = !methods.oidc))
    .catch(() => undefined);
}

/** The form in place of the dashboard; `notice` says why the user is asked again (the session ended). */
export function showLogin(notice = ''): void {
  $('#who').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = notice;
  $<HTMLInputElement>('#login-username').focus();
}

/** `scope`: the jurisdiction as the page names it (the region's name, or the organ). */
export function showWho(session: Session, scope: string): void {
  $('#who-name').textContent = session.user.displayName;
  $('#who-role').textContent = `${session.role.labelZh} ${session.role.labelEn}`;
  $('#who-scope').textContent = scope;
  $('#who').dataset.user = session.user.username;
  $('#who').hidden = false;
}
