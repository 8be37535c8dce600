// @ts-check
/**
 * The console: sign-in, the support queue, the case page with its action forms, and the
 * enterprise's cases, start forms and journey, and webhook endpoints. Hash routes (#/queue,
 * #/case/<id>, #/cases, #/start/<kind>, #/journey, #/webhooks[/<enterpriseId>]) keep every view a link.
 */
import { render } from 'preact';
import { useEffect, useState, useCallback, useRef } from 'preact/hooks';
import { html, call, setCsrf, label, english, zh, when, go } from './lib.js';
import { SchemaForm, loadOpenApi } from './forms.js';

/** @typedef {{ name: string, role: 'enterprise' | 'support' | 'admin', enterpriseId?: string }} Principal */

/** @type {Promise<any> | null} */
let metaPromise = null;
const loadMeta = () => (metaPromise ??= call('GET', '/console/api/meta').then((a) => a.body));

/** The current hash route. */
function useRoute() {
  const [route, setRoute] = useState(window.location.hash.slice(1) || '/');
  useEffect(() => {
    const on = () => setRoute(window.location.hash.slice(1) || '/');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Calls `load` now and every `ms` while the view is shown (two agents see the same queue). */
function usePolling(/** @type {() => Promise<void>} */ load, /** @type {number} */ ms, /** @type {unknown[]} */ deps) {
  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      if (!stopped) await load();
    };
    void tick();
    const timer = setInterval(tick, ms);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, deps);
}

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
  if (principal === undefined) return html`<p>正在加载… Loading…</p>`;
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

/** @param {string} route @param {Principal} principal */
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

/** @param {{ onSignedIn: (p: Principal) => void }} p */
function SignIn({ onSignedIn }) {
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

// ------------------------------------------------------------------------------------------
// Support: the work queue
// ------------------------------------------------------------------------------------------

function Queue() {
  const [filters, setFilters] = useState({ kind: '', enterpriseId: '', stage: '' });
  const [data, setData] = useState(/** @type {any} */ (null));
  const [meta, setMeta] = useState(/** @type {any} */ (null));
  useEffect(() => {
    loadMeta().then(setMeta);
  }, []);
  const load = useCallback(async () => {
    const qs = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '')).toString();
    const a = await call('GET', `/console/api/queue${qs ? `?${qs}` : ''}`);
    setData(a.ok ? a.body : { problem: a.body });
  }, [filters]);
  usePolling(load, 4000, [load]);
  const set = (/** @type {string} */ k) => (/** @type {any} */ e) =>
    setFilters({ ...filters, [k]: e.currentTarget.value });
  const stages = [...new Set((meta?.kinds ?? []).flatMap((/** @type {any} */ k) => k.stages))];
  return html`<section aria-labelledby="queue-title">
    <h2 id="queue-title">工作队列 Work queue</h2>
    <p class="hint">
      等待客服处理的案件，最早到期的在前；每 4 秒自动刷新。Cases awaiting support, soonest due first; refreshes every 4
      s.
    </p>
    <form class="filters" aria-label="筛选 Filters" onSubmit=${(/** @type {Event} */ e) => e.preventDefault()}>
      <div class="field">
        <label for="filter-kind">类型 Kind</label>
        <select id="filter-kind" value=${filters.kind} onChange=${set('kind')}>
          <option value="">全部 All</option>
          ${(meta?.kinds ?? []).map((/** @type {any} */ k) => html`<option value=${k.kind}>${label(k.kind)}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="filter-enterprise">企业 Enterprise</label>
        <input id="filter-enterprise" value=${filters.enterpriseId} onChange=${set('enterpriseId')} />
      </div>
      <div class="field">
        <label for="filter-stage">阶段 Stage</label>
        <select id="filter-stage" value=${filters.stage} onChange=${set('stage')}>
          <option value="">全部 All</option>
          ${stages.map((s) => html`<option value=${s}>${label(String(s))}</option>`)}
        </select>
      </div>
    </form>
    ${data?.problem && html`<p class="error" role="alert">${data.problem.detail}</p>`}
    ${
      data?.items &&
      (data.items.length === 0
        ? html`<p>队列为空 The queue is empty.</p>`
        : html`<table class="queue">
            <caption>
              ${data.items.length} 个案件 cases · 更新于 updated ${when(data.at)}
            </caption>
            <thead>
              <tr>
                <th scope="col">到期 Due</th>
                <th scope="col">类型 Kind</th>
                <th scope="col">企业 Enterprise</th>
                <th scope="col">阶段 Stage</th>
                <th scope="col">待办 Awaiting</th>
                <th scope="col"><span class="visually-hidden">打开 Open</span></th>
              </tr>
            </thead>
            <tbody>
              ${data.items.map(
                (/** @type {any} */ c) =>
                  html`<tr class=${c.overdue ? 'overdue' : ''} key=${c.id}>
                    <td>
                      ${when(c.dueAt)} ${c.overdue ? html`<strong class="badge overdue">已逾期 Overdue</strong>` : ''}
                    </td>
                    <td>${label(c.kind)}</td>
                    <td>${c.enterpriseId}</td>
                    <td>${label(c.stage)}</td>
                    <td>${c.awaiting.map((/** @type {any} */ a) => label(a.action ?? a.for)).join(', ')}</td>
                    <td>
                      <a href=${`#/case/${encodeURIComponent(c.id)}`} aria-label=${`打开 Open ${c.id}`}>打开 Open</a>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`)
    }
  </section>`;
}

// ------------------------------------------------------------------------------------------
// The case page
// ------------------------------------------------------------------------------------------

/** @param {{ id: string, principal: Principal }} p */
function CasePage({ id, principal }) {
  const [c, setCase] = useState(/** @type {any} */ (null));
  const [problem, setProblem] = useState(/** @type {any} */ (null));
  const [doc, setDoc] = useState(/** @type {any} */ (null));
  const [meta, setMeta] = useState(/** @type {any} */ (null));
  const [application, setApplication] = useState(/** @type {any} */ (null));
  useEffect(() => {
    loadOpenApi().then(setDoc);
    loadMeta().then(setMeta);
  }, []);
  // A read that started before an action answered is older than the action's answer: dropped.
  const version = useRef(0);
  const acted = useCallback((/** @type {any} */ next) => {
    version.current += 1;
    setCase(next);
  }, []);
  const load = useCallback(async () => {
    const started = version.current;
    const a = await call('GET', `/v1/onboardings/${encodeURIComponent(id)}`);
    if (started !== version.current) return;
    if (!a.ok) return setProblem(a.body);
    setCase(a.body);
  }, [id]);
  usePolling(load, 5000, [load]);
  const kind = c?.kind;
  const stage = c?.stage;
  useEffect(() => {
    if (kind !== 'enterprise-verification') return;
    call('GET', `/console/api/cases/${encodeURIComponent(id)}/application`).then((a) => a.ok && setApplication(a.body));
  }, [kind, stage, id]);
  if (problem) return html`<p class="error" role="alert">${problem.title}: ${problem.detail}</p>`;
  if (!c) return html`<p>正在加载… Loading…</p>`;
  const actionsOfKind = meta?.kinds?.find((/** @type {any} */ k) => k.kind === c.kind)?.actions ?? {};
  const mine = c.awaiting.filter(
    (/** @type {any} */ a) =>
      a.action &&
      // A resubmission starts from the application as it stands, so it waits for it.
      (a.action !== 'resubmit' || application) &&
      (principal.role === 'admin' || (actionsOfKind[a.action]?.roles ?? [a.role]).includes(principal.role)),
  );
  const rejection = application?.rejection;
  return html`<article aria-labelledby="case-title">
    <h2 id="case-title">${label(c.kind)} <code>${c.id}</code></h2>
    <dl class="facts">
      <dt>企业 Enterprise</dt>
      <dd>${c.enterpriseId}</dd>
      <dt>状态 Status</dt>
      <dd>${label(c.status)}</dd>
      <dt>阶段 Stage</dt>
      <dd data-testid="stage" aria-live="polite">${label(c.stage)}</dd>
      <dt>创建 Created</dt>
      <dd>${when(c.createdAt)}</dd>
      <dt>Temporal</dt>
      <dd>
        <a href=${c.links.temporalUi} target="_blank" rel="noopener">在 Temporal UI 中查看 Open in Temporal UI</a>
      </dd>
    </dl>
    ${c.error && html`<p class="error">${c.error.type}: ${c.error.message}</p>`}
    <${Awaiting} awaiting=${c.awaiting} />
    ${
      rejection &&
      c.stage === 'awaiting-resubmission' &&
      html`<section aria-labelledby="reasons-title" class="rejection">
        <h3 id="reasons-title">驳回原因 Rejection reasons</h3>
        <ul>
          ${rejection.reasons.map(
            (/** @type {any} */ r) =>
              html`<li>
                <strong>${r.documentKind ? label(r.documentKind) : r.field}</strong>: ${r.message}
                <code>${r.code}</code>
              </li>`,
          )}
        </ul>
      </section>`
    }
    ${application?.application && html`<${Application} application=${application.application} />`}
    ${
      doc &&
      mine.map(
        (/** @type {any} */ a) =>
          html`<${ActionForm}
            key=${`${a.action}-${c.stage}`}
            doc=${doc}
            c=${c}
            action=${a.action}
            summary=${actionsOfKind[a.action]?.summary}
            application=${application}
            meta=${meta}
            onDone=${acted}
          />`,
      )
    }
    ${c.status === 'running' && html`<${Cancel} id=${c.id} onDone=${acted} />`}
    ${c.kind === 'own-400-landing' && html`<${LandingProofs} id=${c.id} />`}
    <${Related} related=${c.related} />
    <${Timeline} steps=${c.steps} />
    ${
      c.result &&
      html`<details>
        <summary>结果 Result</summary>
        <pre>${JSON.stringify(c.result, null, 2)}</pre>
      </details>`
    }
  </article>`;
}

/** @param {{ awaiting: any[] }} p */
function Awaiting({ awaiting }) {
  if (!awaiting.length) return html`<p>当前无待办 Nothing is awaited now.</p>`;
  return html`<section aria-labelledby="awaiting-title">
    <h3 id="awaiting-title">等待 Awaiting</h3>
    <ul class="awaiting">
      ${awaiting.map(
        (a) =>
          html`<li>
            <strong>${label(a.action ?? a.for)}</strong> · ${label(a.role)} · 截止 due ${when(a.dueAt)}
            ${a.dueAt && Date.parse(a.dueAt) < Date.now() ? html` <strong class="badge overdue">已逾期 Overdue</strong>` : ''}
            ${a.detail ? html` · ${a.detail}` : ''}
            ${
              a.link
                ? html` ·
                    <a href=${a.link} target="_blank" rel="noopener"
                      >${a.for === 'payment' ? '去付款 Pay in the billing portal' : '前往处理 Go there'}</a
                    >`
                : ''
            }
          </li>`,
      )}
    </ul>
  </section>`;
}

/** The application's fields beside the documents they rest on. @param {{ application: any }} p */
function Application({ application }) {
  const a = application;
  const rows = [
    ['applicantType', label(a.applicantType)],
    ['company', `${a.company?.name} · ${a.company?.unifiedSocialCreditCode} · ${label(a.company?.entityType ?? '')}`],
    ['licenceValidTo', `${a.company?.licenceValidFrom} → ${a.company?.licenceValidTo ?? '长期 long-term'}`],
    ['legalRepresentative', `${a.legalRepresentative?.name} · ${a.legalRepresentative?.idNumber}`],
    ...(a.agent ? [['agent', `${a.agent.name} · ${a.agent.idNumber}`]] : []),
    ['contact', `${a.contact?.name} · ${a.contact?.phone} · ${a.contact?.email}`],
  ];
  return html`<section aria-labelledby="application-title" class="application">
    <h3 id="application-title">申请材料 Application</h3>
    <dl class="facts">
      ${rows.map(
        ([k, v]) =>
          html`<dt>${label(k)}</dt>
            <dd>${v}</dd>`,
      )}
    </dl>
    <div class="documents">
      ${(a.documents ?? []).map(
        (/** @type {any} */ d) =>
          html`<figure key=${d.documentId}>
            <iframe src=${`/v1/documents/${d.documentId}`} title=${`${label(d.kind)} document`} loading="lazy"></iframe>
            <figcaption>
              ${label(d.kind)} ·
              <a href=${`/v1/documents/${d.documentId}`} target="_blank" rel="noopener"
                >查看 View ${english(d.kind).toLowerCase()}</a
              >
            </figcaption>
          </figure>`,
      )}
    </div>
  </section>`;
}

/** @param {{ doc: any, c: any, action: string, summary?: string, application: any, meta: any, onDone: (c: any) => void }} p */
function ActionForm({ doc, c, action, summary, application, meta, onDone }) {
  const component = `Action_${c.kind}_${action}`;
  const submit = async (/** @type {any} */ value) => {
    const a = await call('POST', `/v1/onboardings/${encodeURIComponent(c.id)}/actions/${action}`, value);
    if (a.ok) onDone(a.body);
    return a;
  };
  /** @type {any} */
  let initial = {};
  /** @type {Record<string, any>} */
  const overrides = {};
  if (action === 'reject' && c.kind === 'enterprise-verification') initial = { reasons: [{}] };
  if (action === 'resubmit' && application?.application) {
    // Keeps what was right: the form starts from the application as it stands.
    const { documents: _d, applicantType: _t, ...fields } = application.application;
    initial = fields;
    const required = meta?.requiredDocuments?.[application.application.applicantType] ?? [];
    overrides.documents = (/** @type {any} */ p) =>
      html`<${DocumentChecklist}
        kinds=${required}
        value=${p.value ?? []}
        onChange=${p.onChange}
        errors=${p.errors}
        prefix="documents"
        existing=${application.application.documents}
        rejected=${(application.rejection?.reasons ?? []).map((/** @type {any} */ r) => r.documentKind).filter(Boolean)}
      />`;
  }
  return html`<section class="action" aria-labelledby=${`action-${action}`}>
    <h3 id=${`action-${action}`}>${label(action)}</h3>
    ${summary && html`<p class="hint">${summary}</p>`}
    <${SchemaForm}
      doc=${doc}
      component=${component}
      formId=${`action-${action}`}
      initial=${initial}
      submit=${submit}
      errorPrefix="payload."
      overrides=${overrides}
      submitLabel=${label(action)}
    />
  </section>`;
}

/** Cancel with a reason, after a confirmation step. @param {{ id: string, onDone: (c: any) => void }} p */
function Cancel({ id, onDone }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState(/** @type {any} */ (null));
  if (!open)
    return html`<p>
      <button type="button" class="danger" onClick=${() => setOpen(true)}>取消案件 Cancel case</button>
    </p>`;
  const confirm = async () => {
    const a = await call('POST', `/v1/onboardings/${encodeURIComponent(id)}/cancel`, reason ? { reason } : {});
    if (!a.ok) return setProblem(a.body);
    setOpen(false);
    onDone(a.body);
  };
  return html`<section class="confirm" role="group" aria-labelledby="cancel-title">
    <h3 id="cancel-title">确认取消？Cancel this case?</h3>
    <p>补偿操作将会执行，此操作不可撤销。Compensations run; this cannot be undone.</p>
    <div class="field">
      <label for="cancel-reason">取消原因 Cancellation reason</label>
      <input id="cancel-reason" value=${reason} onInput=${(/** @type {any} */ e) => setReason(e.currentTarget.value)} />
    </div>
    ${problem && html`<p class="error" role="alert">${problem.detail}</p>`}
    <button type="button" class="danger" onClick=${confirm}>确认取消 Confirm cancellation</button>
    <button type="button" class="secondary" onClick=${() => setOpen(false)}>保留案件 Keep the case</button>
  </section>`;
}

/** @param {{ related: any[] }} p */
function Related({ related }) {
  if (!related?.length) return null;
  return html`<section aria-labelledby="related-title">
    <h3 id="related-title">相关案件 Related cases</h3>
    <ul>
      ${related.map(
        (r) =>
          html`<li>
            ${r.relation}: <a href=${`#/case/${encodeURIComponent(r.id)}`}>${label(r.kind)} ${r.id}</a>
            ${r.stage ? ` · ${label(r.stage)}` : ''} ${r.status ? ` · ${label(r.status)}` : ''}
          </li>`,
      )}
    </ul>
  </section>`;
}

/** @param {{ steps: any[] }} p */
function Timeline({ steps }) {
  return html`<section aria-labelledby="steps-title">
    <h3 id="steps-title">时间线 Timeline</h3>
    <ol class="timeline">
      ${steps.map(
        (s) =>
          html`<li class=${`step ${s.status}`}>
            <time datetime=${s.at}>${when(s.at)}</time> <strong>${s.name}</strong>
            ${s.by ? html` · ${s.by}` : ''} ${s.detail ? html` · <span>${s.detail}</span>` : ''}
            <span class="status">${label(s.status)}</span>
          </li>`,
      )}
    </ol>
  </section>`;
}

// ------------------------------------------------------------------------------------------
// Enterprises
// ------------------------------------------------------------------------------------------

/** @param {{ principal: Principal }} p */
function MyCases({ principal }) {
  const [items, setItems] = useState(/** @type {any[] | null} */ (null));
  const load = useCallback(async () => {
    const a = await call('GET', '/v1/onboardings');
    if (!a.ok) return;
    // What to do next and by when comes from each running case itself.
    const full = await Promise.all(
      a.body.items.map(async (/** @type {any} */ s) =>
        s.status === 'running' ? ((await call('GET', s.links.self)).body ?? s) : s,
      ),
    );
    setItems(full);
  }, []);
  usePolling(load, 5000, [load]);
  return html`<section aria-labelledby="cases-title">
    <h2 id="cases-title">我的案件 My cases</h2>
    <p><a href="#/start/enterprise-verification">发起企业认证 Start a verification</a></p>
    ${
      items === null
        ? html`<p>正在加载… Loading…</p>`
        : items.length === 0
          ? html`<p>还没有案件 No cases yet.</p>`
          : html`<ul class="cases">
              ${items.map(
                (c) =>
                  html`<li key=${c.id}>
                    <a href=${`#/case/${encodeURIComponent(c.id)}`}>${label(c.kind)} · ${c.id}</a> · ${label(c.status)}
                    · ${label(c.stage)}
                    ${(c.awaiting ?? [])
                      .filter((/** @type {any} */ a) => a.role === principal.role)
                      .map(
                        (/** @type {any} */ a) =>
                          html` ·
                            <strong class="next"
                              >下一步 Next: ${label(a.action ?? a.for)} · 截止 by ${when(a.dueAt)}</strong
                            >`,
                      )}
                  </li>`,
              )}
            </ul>`
    }
  </section>`;
}

function StartMenu() {
  const [meta, setMeta] = useState(/** @type {any} */ (null));
  useEffect(() => {
    loadMeta().then(setMeta);
  }, []);
  return html`<section aria-labelledby="start-title">
    <h2 id="start-title">发起申请 Start an onboarding</h2>
    <ul>
      ${(meta?.kinds ?? [])
        .filter((/** @type {any} */ k) => k.startable)
        .map(
          (/** @type {any} */ k) => html`<li><a href=${`#/start/${k.kind}`}>${label(k.kind)}</a> — ${k.summary}</li>`,
        )}
    </ul>
  </section>`;
}

/**
 * The materials checklist: one upload per required document, each uploaded at once, with the
 * API's failures for that document beside it.
 * @param {{ kinds: string[], value: any[], onChange: (v: any[]) => void, errors: any[], prefix: string,
 *   existing?: any[], rejected?: string[] }} p
 */
function DocumentChecklist({ kinds, value, onChange, errors, prefix, existing = [], rejected = [] }) {
  const [uploadErrors, setUploadErrors] = useState(/** @type {Record<string, string>} */ ({}));
  // Whether each scan needs the company seal, and the form and example to print from (seed 002).
  const [materials, setMaterials] = useState(/** @type {Record<string, any>} */ ({}));
  useEffect(() => {
    loadMeta().then((m) => setMaterials(m?.materials ?? {}));
  }, []);
  // Uploads finish in any order: each one adds to the list as it stands then.
  const current = useRef(value);
  current.current = value;
  const upload = async (/** @type {string} */ kind, /** @type {File} */ file) => {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', file);
    const a = await call('POST', '/v1/documents', form);
    setUploadErrors((errs) => ({ ...errs, [kind]: a.ok ? '' : (a.body?.detail ?? 'upload failed') }));
    if (!a.ok) return;
    current.current = [...current.current.filter((d) => d.kind !== kind), { kind, documentId: a.body.documentId }];
    onChange(current.current);
  };
  const general = errors.filter((e) => e.path === prefix);
  return html`<fieldset class="group checklist">
    <legend>材料清单 Materials checklist</legend>
    <p class="hint">
      模板已按贵公司信息预填；打印、签字、盖章后扫描上传。The forms come filled in with your company; print, sign, stamp
      and upload the scan.
    </p>
    ${general.map((e) => html`<p class="error">${e.message}</p>`)}
    <ul>
      ${kinds.map((kind) => {
        const index = value.findIndex((d) => d.kind === kind);
        const uploaded = index >= 0 ? value[index] : undefined;
        const before = existing.find((d) => d.kind === kind);
        const mine = [
          ...errors.filter((e) => index >= 0 && e.path.startsWith(`${prefix}.${index}`)),
          ...errors.filter((e) => e.path === prefix && e.message.includes(kind)),
        ];
        const id = `upload-${kind}`;
        const material = materials[kind];
        return html`<li class=${mine.length || uploadErrors[kind] ? 'invalid' : ''} key=${kind}>
          <label for=${id}>上传${zh(kind) ?? ''} Upload ${english(kind).toLowerCase()}</label>
          <span class="seal" data-testid=${`seal-${kind}`}>
            ${material ? (material.seal ? '需加盖公司公章 Seal required' : '无需盖章 No seal') : ''}
          </span>
          <span class="papers">
            ${
              material?.template &&
              html`<a href=${`/v1/templates/${material.template}`} target="_blank" rel="noopener"
                >下载模板 Template (PDF)</a
              >`
            }
            <a href=${`/v1/templates/${material?.template ?? kind}?example=1`} target="_blank" rel="noopener"
              >示例 Example</a
            >
          </span>
          <input
            id=${id}
            type="file"
            accept="application/pdf,image/jpeg,image/png"
            aria-describedby=${`${id}-status`}
            onChange=${(/** @type {any} */ e) => e.currentTarget.files?.[0] && upload(kind, e.currentTarget.files[0])}
          />
          <span id=${`${id}-status`} class="status">
            ${
              uploaded
                ? html`✓ 已上传 uploaded`
                : before
                  ? rejected.includes(kind)
                    ? html`<strong class="error">需重新上传 Rejected: upload a new one</strong>`
                    : html`沿用已提交 kept as submitted`
                  : html`未上传 not uploaded`
            }
          </span>
          ${uploadErrors[kind] && html`<p class="error" role="alert">${uploadErrors[kind]}</p>`}
          ${mine.map((e) => html`<p class="error">${e.message} <code>${e.code ?? ''}</code></p>`)}
        </li>`;
      })}
    </ul>
  </fieldset>`;
}

/** @param {{ principal: Principal }} p */
function VerificationStart({ principal }) {
  const [doc, setDoc] = useState(/** @type {any} */ (null));
  const [meta, setMeta] = useState(/** @type {any} */ (null));
  useEffect(() => {
    loadOpenApi().then(setDoc);
    loadMeta().then(setMeta);
  }, []);
  if (!doc || !meta) return html`<p>正在加载… Loading…</p>`;
  const submit = async (/** @type {any} */ value) => {
    const required = meta.requiredDocuments[value.applicantType] ?? [];
    // Only the documents the checklist asks for this applicant type.
    const body = {
      ...value,
      documents: (value.documents ?? []).filter((/** @type {any} */ d) => required.includes(d.kind)),
    };
    const a = await call('POST', '/v1/onboardings', body);
    if (a.ok) go(`/case/${encodeURIComponent(a.body.id)}`);
    return a;
  };
  return html`<section aria-labelledby="verification-title">
    <h2 id="verification-title">企业认证 Enterprise verification</h2>
    <p class="hint">
      提交前会检查所有字段和材料，所有问题一次列出。Every field and document is pre-checked before anything is
      submitted; every failure is listed at once.
    </p>
    <${SchemaForm}
      doc=${doc}
      component="Start_enterprise-verification"
      formId="verification"
      initial=${{
        kind: 'enterprise-verification',
        enterpriseId: principal.enterpriseId,
        applicantType: 'legal-representative',
        company: { licenceValidTo: null },
        documents: [],
      }}
      hidden=${['enterpriseId']}
      overrides=${{
        documents: (/** @type {any} */ p) =>
          html`<${DocumentChecklist}
            kinds=${meta.requiredDocuments[p.top?.applicantType] ?? []}
            value=${p.value ?? []}
            onChange=${p.onChange}
            errors=${p.errors}
            prefix="documents"
          />`,
      }}
      submit=${submit}
      submitLabel="提交认证申请 Submit verification"
    />
  </section>`;
}

/** Start forms of the other kinds, with what helps while typing. @param {{ kind: string, principal: Principal }} p */
function StartPage({ kind, principal }) {
  const [doc, setDoc] = useState(/** @type {any} */ (null));
  const [extra, setExtra] = useState(/** @type {any} */ (null));
  const [value, setValue] = useState(/** @type {any} */ ({}));
  const [meta, setMeta] = useState(/** @type {any} */ (null));
  useEffect(() => {
    loadMeta().then(setMeta);
    loadOpenApi().then(setDoc);
    if (kind === 'sip-trunk' || kind === 'sip-registration')
      call('GET', '/v1/sip/provider-addresses').then((a) => a.ok && setExtra({ addresses: a.body }));
    if (kind === 'third-party-line')
      call('GET', '/v1/catalog/third-party-products').then((a) => a.ok && setExtra({ catalogue: a.body.items }));
  }, [kind]);
  if (!doc) return html`<p>正在加载… Loading…</p>`;
  const submit = async (/** @type {any} */ value) => {
    const a = await call('POST', '/v1/onboardings', value);
    if (a.ok) go(`/case/${encodeURIComponent(a.body.id)}`);
    return a;
  };
  // The sizing rule as the API applies it (numbers = ceil(peak concurrent calls / calls per line)).
  const perLine = meta?.callsPerFixedLine ?? 30;
  const sizing = (/** @type {number | undefined} */ peak) =>
    peak
      ? html`<p class="hint" aria-live="polite">
          按峰值并发 / ${perLine} 计算：需要 ${Math.ceil(peak / perLine)} 个号码 · Sizing: ${peak} peak concurrent calls
          / ${perLine} = ${Math.ceil(peak / perLine)} number(s)
        </p>`
      : html`<p class="hint">号码数量 = 峰值并发呼叫数 / ${perLine} · Numbers = peak concurrent calls / ${perLine}</p>`;
  /** @type {Record<string, (v: any) => any>} */
  const hints = {
    peakConcurrentCalls: (v) => sizing(v?.peakConcurrentCalls),
    peakConcurrentInbound: (v) => sizing(v?.peakConcurrentInbound),
  };
  return html`<section aria-labelledby="start-kind-title">
    <h2 id="start-kind-title">${label(kind)}</h2>
    ${
      extra?.addresses &&
      html`<div class="panel">
        <h3>需放行的服务商地址 Provider addresses to allow</h3>
        <ul>
          ${[...(extra.addresses.inbound ?? []), ...(extra.addresses.outbound ?? [])].map(
            (/** @type {any} */ a) => html`<li>${a.host ? `${a.host} ` : ''}${a.ip}:${a.port} ${a.transport}</li>`,
          )}
        </ul>
      </div>`
    }
    ${extra?.catalogue && html`<${Catalogue} items=${extra.catalogue} />`}
    ${kind === 'third-party-line' && html`<${Eligibility} value=${value} />`}
    <${SchemaForm}
      doc=${doc}
      component=${`Start_${kind}`}
      formId=${`start-${kind}`}
      initial=${{ kind, enterpriseId: principal.enterpriseId }}
      hidden=${['enterpriseId']}
      hints=${hints}
      onValue=${setValue}
      submit=${submit}
      submitLabel=${`提交 Submit ${english(kind).toLowerCase()}`}
    />
  </section>`;
}

/** Fen as yuan. @param {number | undefined} fen */
function yuan(fen) {
  return fen === undefined ? '—' : `${(fen / 100).toFixed(2)} 元`;
}

/** The supplier catalogue with prices and lead times. @param {{ items: any[] }} p */
function Catalogue({ items }) {
  return html`<table class="catalogue">
    <caption>
      供应商目录 Supplier catalogue
    </caption>
    <thead>
      <tr>
        <th scope="col">产品 Product</th>
        <th scope="col">场景 Scenarios</th>
        <th scope="col">租金 Rent</th>
        <th scope="col">每分钟 Per minute</th>
        <th scope="col">开通周期 Lead time</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (p) =>
          html`<tr key=${p.id}>
            <td>${p.name?.zh} ${p.name?.en} <code>${p.id}</code></td>
            <td>${(p.scenarios ?? []).join(', ')}</td>
            <td>
              ${
                p.prices?.annualRentFen !== undefined
                  ? `${yuan(p.prices.annualRentFen)} / 年 year`
                  : `${yuan(p.prices?.monthlyRentFen)} / 月 month`
              }
            </td>
            <td>
              ${p.prices?.outboundPerMinuteFen !== undefined ? `呼出 out ${yuan(p.prices.outboundPerMinuteFen)} ` : ''}
              ${p.prices?.inboundPerMinuteFen !== undefined ? `呼入 in ${yuan(p.prices.inboundPerMinuteFen)}` : ''}
            </td>
            <td>
              ${
                p.leadTimeWorkingDays
                  ? `${p.leadTimeWorkingDays.min}–${p.leadTimeWorkingDays.max} 个工作日 working days`
                  : '—'
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/**
 * A third-party line's eligibility for the industry, scenario and regions typed so far, and its
 * quote, before anything is submitted. @param {{ value: any }} p
 */
function Eligibility({ value }) {
  const [result, setResult] = useState(/** @type {any} */ (null));
  const check = async () => {
    const { productId, industry, scenario, callScript, regions } = value ?? {};
    setResult(await call('POST', '/console/api/eligibility', { productId, industry, scenario, callScript, regions }));
  };
  const errors = result && !result.ok ? (result.body?.errors ?? [{ path: '', message: result.body?.detail }]) : [];
  return html`<div class="panel" aria-live="polite">
    <button type="button" class="secondary" onClick=${check}>检查资格与报价 Check eligibility and quote</button>
    ${
      result?.ok &&
      html`<p>
          ${
            result.body.eligible
              ? html`<strong>符合条件 Eligible</strong>`
              : html`<strong class="error">不符合条件 Not eligible</strong>`
          }
        </p>
        <ul>
          ${result.body.failures.map(
            (/** @type {any} */ f) => html`<li class="error"><code>${f.path}</code>: ${f.message}</li>`,
          )}
        </ul>
        <p>
          报价 Quote: ${yuan(result.body.quote.totalFen)} / ${result.body.quote.months} 个月 months
          ${result.body.quote.priced ? '' : '（未定价 not priced）'}
        </p>`
    }
    <ul>
      ${errors.map((/** @type {any} */ e) => html`<li class="error"><code>${e.path}</code>: ${e.message}</li>`)}
    </ul>
  </div>`;
}

/**
 * Number proofs (号码证明, seed 003 Q3, Q7) of numbers the enterprise holds.
 * @param {{ numbers: string[], children?: any }} p
 */
function NumberProofs({ numbers, children }) {
  if (numbers.length === 0) return null;
  return html`<section class="panel proofs" aria-label="号码证明 Number proof">
    <h3>号码证明 Number proof</h3>
    ${children}
    <ul>
      ${numbers.map(
        (n) =>
          html`<li>
            <a href=${`/v1/numbers/${encodeURIComponent(n)}/proof`} target="_blank" rel="noopener"
              >${n} 号码证明 (PDF) Number proof</a
            >
          </li>`,
      )}
    </ul>
  </section>`;
}

/** The fixed lines an own 400 number lands on, with the proof the 400 operator asks for. @param {{ id: string }} p */
function LandingProofs({ id }) {
  const [lines, setLines] = useState(/** @type {string[]} */ ([]));
  useEffect(() => {
    call('GET', `/v1/onboardings/${encodeURIComponent(`${id}-fixed-line`)}`).then(
      (a) => a.ok && setLines(a.body.result?.numbers ?? []),
    );
  }, [id]);
  return html`<${NumberProofs} numbers=${lines}>
    <p class="hint">
      将号码证明（或发票）交给 400 运营商，请其把 400 号码落地到以下固话。Give the proof (or the invoice) to your 400
      operator to land the 400 number on these lines.
    </p>
  <//>`;
}

/** @param {{ enterpriseId?: string }} p */
function Journey({ enterpriseId }) {
  const [answer, setAnswer] = useState(/** @type {any} */ (null));
  const load = useCallback(async () => {
    setAnswer(await call('GET', `/v1/enterprises/${encodeURIComponent(enterpriseId ?? '')}/journey`));
  }, [enterpriseId]);
  usePolling(load, 10000, [load]);
  if (!answer) return html`<p>正在加载… Loading…</p>`;
  if (!answer.ok)
    return html`<section aria-labelledby="journey-title">
      <h2 id="journey-title">开通旅程 Journey</h2>
      <p>旅程暂不可用 The journey is not available yet${answer.body?.detail ? `: ${answer.body.detail}` : ''}.</p>
    </section>`;
  const j = answer.body;
  return html`<section aria-labelledby="journey-title">
    <h2 id="journey-title">开通旅程 Journey</h2>
    <ol class="progress">
      ${(j.milestones ?? []).map(
        (/** @type {any} */ m) =>
          html`<li class=${`milestone ${m.status}`}>
            <strong>${label(m.name)}</strong> · ${label(m.status)}${m.at ? ` · ${when(m.at)}` : ''}
            ${(m.caseIds ?? []).map((/** @type {string} */ id) => html` <a href=${`#/case/${encodeURIComponent(id)}`}>${id}</a>`)}
          </li>`,
      )}
    </ol>
    ${(j.next ?? []).length > 0 && html`<${Awaiting} awaiting=${j.next} />`}
    <h3>实例 Instances</h3>
    <ul>
      ${(j.instances ?? []).map((/** @type {any} */ i) => html`<li>${i.centerName ?? ''} <code>${i.instanceId}</code></li>`)}
    </ul>
    <h3>号码 Numbers</h3>
    <ul>
      ${(j.numbers ?? []).map((/** @type {any} */ n) => html`<li>${n.number} ${n.instanceId ? `→ ${n.instanceId}` : ''}</li>`)}
    </ul>
    <${NumberProofs} numbers=${(j.numbers ?? []).map((/** @type {any} */ n) => n.number)}>
      <p class="hint">
        号码被标注为骚扰电话？可持号码证明到 360、电话邦等号码认证平台申请认证。A number labelled as harassment? Certify
        it with number certification platforms (360, 电话邦) using its proof.
      </p>
    <//>
  </section>`;
}

// ------------------------------------------------------------------------------------------
// Webhooks: the enterprise manages its endpoints; support sees an enterprise's and their health
// ------------------------------------------------------------------------------------------

function WebhookEnterprisePicker() {
  const [id, setId] = useState('');
  return html`<section aria-labelledby="webhooks-title">
    <h2 id="webhooks-title">Webhooks</h2>
    <form
      class="filters"
      onSubmit=${(/** @type {Event} */ e) => {
        e.preventDefault();
        if (id) go(`/webhooks/${encodeURIComponent(id)}`);
      }}
    >
      <div class="field">
        <label for="webhooks-enterprise">企业 Enterprise</label>
        <input id="webhooks-enterprise" value=${id} onInput=${(/** @type {any} */ e) => setId(e.currentTarget.value)} />
      </div>
      <button type="submit">查看 Show</button>
    </form>
  </section>`;
}

/** Share of the recent attempts that succeeded, and the last success. */
function health(/** @type {any[]} */ attempts) {
  if (attempts.length === 0) return '尚无投递 No deliveries yet';
  const ok = attempts.filter((a) => a.ok).length;
  const last = attempts.find((a) => a.ok);
  return `${ok}/${attempts.length} 成功 succeeded${last ? ` · 最近成功 last success ${when(last.at)}` : ''}`;
}

/** @param {{ enterpriseId: string }} p */
function Webhooks({ enterpriseId }) {
  const base = `/v1/enterprises/${encodeURIComponent(enterpriseId)}/webhook-endpoints`;
  const [endpoints, setEndpoints] = useState(/** @type {any[] | null} */ (null));
  const [attempts, setAttempts] = useState(/** @type {Record<string, any[]>} */ ({}));
  const [form, setForm] = useState({ url: '', types: '', description: '' });
  const [problem, setProblem] = useState(/** @type {any} */ (null));
  const [secret, setSecret] = useState(/** @type {{ id: string, secret: string } | null} */ (null));
  const load = useCallback(async () => {
    const a = await call('GET', base);
    if (!a.ok) return setProblem(a.body);
    setEndpoints(a.body.items);
    const all = await Promise.all(
      a.body.items.map(async (/** @type {any} */ e) => [
        e.id,
        (await call('GET', `${base}/${e.id}/attempts?limit=20`)).body?.items ?? [],
      ]),
    );
    setAttempts(Object.fromEntries(all));
  }, [base]);
  usePolling(load, 5000, [load]);
  const act = async (/** @type {string} */ method, /** @type {string} */ url, /** @type {unknown} */ body) => {
    const a = await call(method, url, body);
    setProblem(a.ok ? null : a.body);
    if (a.ok && a.body?.secret) setSecret({ id: a.body.id, secret: a.body.secret });
    await load();
    return a;
  };
  const create = async (/** @type {Event} */ e) => {
    e.preventDefault();
    const types = form.types
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const a = await act('POST', base, { url: form.url, types, description: form.description });
    if (a.ok) setForm({ url: '', types: '', description: '' });
  };
  const set = (/** @type {'url' | 'types' | 'description'} */ k) => (/** @type {any} */ e) =>
    setForm({ ...form, [k]: e.currentTarget.value });
  return html`<section aria-labelledby="webhooks-title">
    <h2 id="webhooks-title">Webhooks · ${enterpriseId}</h2>
    <p class="hint">
      案件的每次变化都会签名推送到这些地址（Standard Webhooks），失败时按指数退避重试 3 天。Every change of a case is
      pushed, signed (Standard Webhooks), to these endpoints; failures are retried with backoff for 3 days.
    </p>
    ${problem && html`<p class="error" role="alert">${problem.detail}${(problem.errors ?? []).map((/** @type {any} */ e) => html` · ${e.path}: ${e.message}`)}</p>`}
    ${
      secret &&
      html`<div class="secret" role="status">
        <p><strong>签名密钥只显示这一次 The signing secret is shown this once</strong> (${secret.id}):</p>
        <p><code data-testid="webhook-secret">${secret.secret}</code></p>
        <button type="button" class="secondary" onClick=${() => setSecret(null)}>已保存 Saved it</button>
      </div>`
    }
    <form class="filters" aria-label="新建端点 New endpoint" onSubmit=${create}>
      <div class="field">
        <label for="webhook-url">地址 URL</label>
        <input id="webhook-url" type="url" required value=${form.url} onInput=${set('url')} />
      </div>
      <div class="field">
        <label for="webhook-types">事件类型 Event types (逗号分隔 comma-separated; 空 = 全部 empty = all)</label>
        <input id="webhook-types" value=${form.types} onInput=${set('types')} />
      </div>
      <div class="field">
        <label for="webhook-description">说明 Description</label>
        <input id="webhook-description" value=${form.description} onInput=${set('description')} />
      </div>
      <button type="submit">添加端点 Add endpoint</button>
    </form>
    ${
      endpoints === null
        ? html`<p>正在加载… Loading…</p>`
        : endpoints.length === 0
          ? html`<p>还没有端点 No endpoints yet.</p>`
          : endpoints.map(
              (/** @type {any} */ e) =>
                html`<article class="endpoint" key=${e.id} aria-label=${e.url}>
                  <h3>${e.url}</h3>
                  <p>
                    <strong class=${`badge ${e.status}`}
                      >${e.status === 'enabled' ? '启用 Enabled' : '已停用 Disabled'}</strong
                    >
                    · ${e.types.length ? e.types.join(', ') : '全部事件 every event'} · ${e.description} · 健康 Health:
                    ${health(attempts[e.id] ?? [])}
                  </p>
                  ${e.disabledReason && html`<p class="error">${e.disabledReason}</p>`}
                  ${e.previousSecretExpiresAt && html`<p class="hint">旧密钥有效至 Previous secret valid until ${when(e.previousSecretExpiresAt)}</p>`}
                  <p>
                    ${
                      e.status === 'disabled' &&
                      html`<button type="button" onClick=${() => act('PATCH', `${base}/${e.id}`, { enabled: true })}>
                        重新启用 Enable
                      </button>`
                    }
                    <button
                      type="button"
                      class="secondary"
                      onClick=${() => act('POST', `${base}/${e.id}/rotate-secret`)}
                    >
                      轮换密钥 Rotate secret
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      onClick=${() => window.confirm(`删除 Delete ${e.url}?`) && act('DELETE', `${base}/${e.id}`)}
                    >
                      删除 Delete
                    </button>
                  </p>
                  <table class="queue">
                    <caption>
                      最近的投递 Recent attempts
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">时间 At</th>
                        <th scope="col">事件 Event</th>
                        <th scope="col">次数 Attempt</th>
                        <th scope="col">状态 Status</th>
                        <th scope="col">耗时 Latency</th>
                        <th scope="col">应答 Response</th>
                        <th scope="col"><span class="visually-hidden">重发 Resend</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${(attempts[e.id] ?? []).map(
                        (/** @type {any} */ a) =>
                          html`<tr key=${a.id} class=${a.ok ? '' : 'overdue'}>
                            <td>${when(a.at)}</td>
                            <td>${a.eventType}<br /><code>${a.eventId}</code></td>
                            <td>${a.attempt}</td>
                            <td>${a.status ?? '–'}</td>
                            <td>${a.latencyMs} ms</td>
                            <td><code>${a.response.slice(0, 200)}</code></td>
                            <td>
                              <button
                                type="button"
                                class="secondary"
                                onClick=${() => act('POST', `${base}/${e.id}/resend`, { eventId: a.eventId })}
                              >
                                重发 Resend
                              </button>
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </article>`,
            )
    }
  </section>`;
}

render(html`<${App} />`, /** @type {HTMLElement} */ (document.getElementById('app')));
