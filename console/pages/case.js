// @ts-check
/**
 * A case's page: its facts, what it awaits, the action forms of the signed-in person's role,
 * cancellation, related cases and the timeline. It re-reads the case every 5 s.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { html, call, label, when, caseHref, loading } from '../lib.js';
import { loadMeta, loadOpenApi, useLoaded, usePolling } from '../hooks.js';
import { SchemaForm } from '../forms.js';
import { Awaiting } from '../components/awaiting.js';
import { Application, RejectionReasons } from '../components/application.js';
import { DocumentChecklist } from '../components/document-checklist.js';
import { LandingProofs } from '../components/number-proofs.js';

/** @typedef {import('../app.js').Principal} Principal */

/** @param {{ id: string, principal: Principal }} p */
export function CasePage({ id, principal }) {
  const [c, setCase] = useState(/** @type {any} */ (null));
  const [problem, setProblem] = useState(/** @type {any} */ (null));
  const [application, setApplication] = useState(/** @type {any} */ (null));
  const doc = useLoaded(loadOpenApi);
  const meta = useLoaded(loadMeta);
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
  if (!c) return loading();
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
    <${Facts} c=${c} />
    ${c.error && html`<p class="error">${c.error.type}: ${c.error.message}</p>`}
    <${Awaiting} awaiting=${c.awaiting} />
    ${rejection && c.stage === 'awaiting-resubmission' && html`<${RejectionReasons} rejection=${rejection} />`}
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

/** @param {{ c: any }} p */
function Facts({ c }) {
  return html`<dl class="facts">
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
  </dl>`;
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
            ${r.relation}: <a href=${caseHref(r.id)}>${label(r.kind)} ${r.id}</a>
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
