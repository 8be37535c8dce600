// @ts-check
/** Sign-in with an API token, which the server exchanges for a session cookie. */
import { useState } from 'preact/hooks';
import { html, call, setCsrf } from '../lib.js';

/** @typedef {import('../app.js').Principal} Principal */

/** @param {{ onSignedIn: (p: Principal) => void }} p */
export function SignIn({ onSignedIn }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState(/** @type {any} */ (null));
  const submit = async (/** @type {Event} */ e) => {
    e.preventDefault();
    const a = await call('POST', '/console/api/session', { token });
    if (!a.ok) return setProblem(a.body);
    setCsrf(a.body.csrfToken);
    onSignedIn(a.body.principal);
  };
  const err = problem?.errors?.find((/** @type {any} */ x) => x.path === 'token');
  return html`<main class="sign-in">
    <h1>开通控制台 <span lang="en">Onboarding console</span></h1>
    <form onSubmit=${submit} aria-label="登录 Sign in">
      <div class=${`field${problem ? ' invalid' : ''}`}>
        <label for="token">API 令牌 API token</label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          value=${token}
          aria-describedby=${problem ? 'token-error' : undefined}
          aria-invalid=${problem ? 'true' : undefined}
          onInput=${(/** @type {any} */ e) => setToken(e.currentTarget.value)}
        />
        ${problem && html`<p class="error" id="token-error" role="alert">${err?.message ?? problem.detail}</p>`}
      </div>
      <button type="submit">登录 Sign in</button>
    </form>
  </main>`;
}
