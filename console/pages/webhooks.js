// @ts-check
/**
 * Webhooks: the enterprise manages its endpoints (a new one's signing secret is shown once);
 * support picks an enterprise and sees its endpoints, their recent attempts and their health.
 */
import { useCallback, useState } from 'preact/hooks';
import { html, call, go, when, loading } from '../lib.js';
import { usePolling } from '../hooks.js';
import { Table, hiddenHeader } from '../components/table.js';

export function WebhookEnterprisePicker() {
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

/**
 * A request that changes an endpoint, then a fresh read of them all.
 * @typedef {(method: string, url: string, body?: unknown) => Promise<import('../lib.js').Answer>} Act
 */

/** @param {{ enterpriseId: string }} p */
export function Webhooks({ enterpriseId }) {
  const base = `/v1/enterprises/${encodeURIComponent(enterpriseId)}/webhook-endpoints`;
  const [endpoints, setEndpoints] = useState(/** @type {any[] | null} */ (null));
  const [attempts, setAttempts] = useState(/** @type {Record<string, any[]>} */ ({}));
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
  /** @type {Act} */
  const act = async (method, url, body) => {
    const a = await call(method, url, body);
    setProblem(a.ok ? null : a.body);
    if (a.ok && a.body?.secret) setSecret({ id: a.body.id, secret: a.body.secret });
    await load();
    return a;
  };
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
    <${NewEndpoint} create=${(/** @type {unknown} */ body) => act('POST', base, body)} />
    ${
      endpoints === null
        ? loading()
        : endpoints.length === 0
          ? html`<p>还没有端点 No endpoints yet.</p>`
          : endpoints.map(
              (/** @type {any} */ e) =>
                html`<${Endpoint}
                  key=${e.id}
                  endpoint=${e}
                  attempts=${attempts[e.id] ?? []}
                  url=${`${base}/${e.id}`}
                  act=${act}
                />`,
            )
    }
  </section>`;
}

const EMPTY = { url: '', types: '', description: '' };

/** @param {{ create: (body: unknown) => ReturnType<Act> }} p */
function NewEndpoint({ create }) {
  const [form, setForm] = useState(EMPTY);
  const submit = async (/** @type {Event} */ e) => {
    e.preventDefault();
    const types = form.types
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const a = await create({ url: form.url, types, description: form.description });
    if (a.ok) setForm(EMPTY);
  };
  const set = (/** @type {'url' | 'types' | 'description'} */ k) => (/** @type {any} */ e) =>
    setForm({ ...form, [k]: e.currentTarget.value });
  return html`<form class="filters" aria-label="新建端点 New endpoint" onSubmit=${submit}>
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
  </form>`;
}

/** One endpoint: its state, its buttons and its recent attempts. @param {{ endpoint: any, attempts: any[], url: string, act: Act }} p */
function Endpoint({ endpoint: e, attempts, url, act }) {
  return html`<article class="endpoint" aria-label=${e.url}>
    <h3>${e.url}</h3>
    <p>
      <strong class=${`badge ${e.status}`}>${e.status === 'enabled' ? '启用 Enabled' : '已停用 Disabled'}</strong>
      · ${e.types.length ? e.types.join(', ') : '全部事件 every event'} · ${e.description} · 健康 Health:
      ${health(attempts)}
    </p>
    ${e.disabledReason && html`<p class="error">${e.disabledReason}</p>`}
    ${e.previousSecretExpiresAt && html`<p class="hint">旧密钥有效至 Previous secret valid until ${when(e.previousSecretExpiresAt)}</p>`}
    <p>
      ${
        e.status === 'disabled' &&
        html`<button type="button" onClick=${() => act('PATCH', url, { enabled: true })}>重新启用 Enable</button>`
      }
      <button type="button" class="secondary" onClick=${() => act('POST', `${url}/rotate-secret`)}>
        轮换密钥 Rotate secret
      </button>
      <button
        type="button"
        class="secondary"
        onClick=${() => window.confirm(`删除 Delete ${e.url}?`) && act('DELETE', url)}
      >
        删除 Delete
      </button>
    </p>
    <${Table}
      className="queue"
      caption="最近的投递 Recent attempts"
      columns=${[
        '时间 At',
        '事件 Event',
        '次数 Attempt',
        '状态 Status',
        '耗时 Latency',
        '应答 Response',
        hiddenHeader('重发 Resend'),
      ]}
    >
      ${attempts.map(
        (a) =>
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
                onClick=${() => act('POST', `${url}/resend`, { eventId: a.eventId })}
              >
                重发 Resend
              </button>
            </td>
          </tr>`,
      )}
    <//>
  </article>`;
}
