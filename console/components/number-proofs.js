// @ts-check
/** Number proofs (号码证明, seed 003 Q3, Q7) of the numbers an enterprise holds. */
import { useEffect, useState } from 'preact/hooks';
import { html, call } from '../lib.js';

/** @param {{ numbers: string[], children?: any }} p */
export function NumberProofs({ numbers, children }) {
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
export function LandingProofs({ id }) {
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
