// @ts-check
/** The kinds an enterprise can start, each linking to its start form. */
import { html, label } from '../lib.js';
import { loadMeta, useLoaded } from '../hooks.js';

export function StartMenu() {
  const meta = useLoaded(loadMeta);
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
