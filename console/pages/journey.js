// @ts-check
/** An enterprise's onboarding journey: its milestones, what comes next, its instances and numbers. */
import { useCallback, useState } from 'preact/hooks';
import { html, call, label, when, caseHref, loading } from '../lib.js';
import { usePolling } from '../hooks.js';
import { Awaiting } from '../components/awaiting.js';
import { NumberProofs } from '../components/number-proofs.js';

/** @param {{ enterpriseId?: string }} p */
export function Journey({ enterpriseId }) {
  const [answer, setAnswer] = useState(/** @type {any} */ (null));
  const load = useCallback(async () => {
    setAnswer(await call('GET', `/v1/enterprises/${encodeURIComponent(enterpriseId ?? '')}/journey`));
  }, [enterpriseId]);
  usePolling(load, 10000, [load]);
  if (!answer) return loading();
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
            ${(m.caseIds ?? []).map((/** @type {string} */ id) => html` <a href=${caseHref(id)}>${id}</a>`)}
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
