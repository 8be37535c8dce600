// @ts-check
/** What a case (or the journey) awaits, from whom and by when. */
import { html, label, when } from '../lib.js';

/** @param {{ awaiting: any[] }} p */
export function Awaiting({ awaiting }) {
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
