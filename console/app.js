// @ts-check
/**
 * The console: sign-in, then the shell with its navigation and one page per route. Hash routes
 * keep every view a link: #/queue, #/case/<id>, #/cases, #/start[/<kind>], #/journey,
 * #/webhooks[/<enterpriseId>]. Each page is its own module under pages/; what several pages
 * show is under components/.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html, call, setCsrf, label, go, loading } from './lib.js';
import { useRoute } from './hooks.js';
import { SignIn } from './pages/sign-in.js';
import { Queue } from './pages/queue.js';
import { CasePage } from './pages/case.js';
import { MyCases } from './pages/my-cases.js';
import { StartMenu } from './pages/start-menu.js';
import { StartPage } from './pages/start.js';
import { VerificationStart } from './pages/verification-start.js';
import { Journey } from './pages/journey.js';
import { WebhookEnterprisePicker, Webhooks } from './pages/webhooks.js';

/** @typedef {{ name: string, role: 'enterprise' | 'support' | 'admin', enterpriseId?: string }} Principal */

function App() {
  const [principal, setPrincipal] = useState(/** @type {Principal | null | undefined} */ (undefined));
  const route = useRoute();
  useEffect(() => {
    call('GET', '/console/api/session').then((a) => {
      if (a.ok) setCsrf(a.body.csrfToken);
      setPrincipal(a.ok ? a.body.principal : null);
    });
    const out = () => {
      setCsrf(null);
      setPrincipal(null);
    };
    window.addEventListener('console:signed-out', out);
    return () => window.removeEventListener('console:signed-out', out);
  }, []);
  if (principal === undefined) return loading();
  if (principal === null) return html`<${SignIn} onSignedIn=${setPrincipal} />`;
  const signOut = async () => {
    await call('DELETE', '/console/api/session');
    setCsrf(null);
    setPrincipal(null);
    go('/');
  };
  const staff = principal.role !== 'enterprise';
  return html`<div class="shell">
    <header>
      <h1>开通控制台 <span lang="en">Onboarding console</span></h1>
      <nav aria-label="主导航 Main">
        ${
          staff
            ? html`<a href="#/queue">工作队列 Work queue</a> <a href="#/webhooks">Webhooks</a>`
            : html`<a href="#/cases">我的案件 My cases</a> <a href="#/start">发起申请 Start</a>
                <a href="#/journey">开通旅程 Journey</a> <a href="#/webhooks">Webhooks</a>`
        }
      </nav>
      <p class="who">
        ${principal.name} · ${label(principal.role)}${principal.enterpriseId ? ` · ${principal.enterpriseId}` : ''}
      </p>
      <button type="button" class="secondary" onClick=${signOut}>退出登录 Sign out</button>
    </header>
    <main>${view(route, principal)}</main>
  </div>`;
}

/** The page of a route. @param {string} route @param {Principal} principal */
function view(route, principal) {
  const [, first, ...rest] = route.split('/');
  const arg = decodeURIComponent(rest.join('/'));
  if (first === 'case' && arg) return html`<${CasePage} id=${arg} principal=${principal} key=${arg} />`;
  if (first === 'webhooks') {
    const enterpriseId = principal.role === 'enterprise' ? principal.enterpriseId : arg;
    return enterpriseId
      ? html`<${Webhooks} enterpriseId=${enterpriseId} key=${enterpriseId} />`
      : html`<${WebhookEnterprisePicker} />`;
  }
  if (principal.role === 'enterprise') {
    if (first === 'start' && arg === 'enterprise-verification')
      return html`<${VerificationStart} principal=${principal} />`;
    if (first === 'start' && arg) return html`<${StartPage} kind=${arg} principal=${principal} key=${arg} />`;
    if (first === 'start') return html`<${StartMenu} />`;
    if (first === 'journey') return html`<${Journey} enterpriseId=${principal.enterpriseId} />`;
    return html`<${MyCases} principal=${principal} />`;
  }
  return html`<${Queue} />`;
}

render(html`<${App} />`, /** @type {HTMLElement} */ (document.getElementById('app')));
