// @ts-check
/** An enterprise's cases, each running one with what it awaits of the enterprise and by when. */
import { useCallback, useState } from 'preact/hooks';
import { html, call, label, when, caseHref, loading } from '../lib.js';
import { usePolling } from '../hooks.js';

/** @typedef {import('../app.js').Principal} Principal */

/** @param {{ principal: Principal }} p */
export function MyCases({ principal }) {
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
        ? loading()
        : items.length === 0
          ? html`<p>还没有案件 No cases yet.</p>`
          : html`<ul class="cases">
              ${items.map(
                (c) =>
                  html`<li key=${c.id}>
                    <a href=${caseHref(c.id)}>${label(c.kind)} · ${c.id}</a> · ${label(c.status)} · ${label(c.stage)}
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
