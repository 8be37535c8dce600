// @ts-check
/**
 * The start form of any kind but the verification, generated from its schema, with what helps
 * while typing: the provider's addresses to allow for SIP, the sizing rule for numbers, and the
 * supplier catalogue with an eligibility check and quote for a third-party line.
 */
import { useEffect, useState } from 'preact/hooks';
import { html, call, label, english, loading, startCase } from '../lib.js';
import { loadMeta, loadOpenApi, useLoaded } from '../hooks.js';
import { SchemaForm } from '../forms.js';
import { Table } from '../components/table.js';

/** @typedef {import('../app.js').Principal} Principal */

/** @param {{ kind: string, principal: Principal }} p */
export function StartPage({ kind, principal }) {
  const [extra, setExtra] = useState(/** @type {any} */ (null));
  const [value, setValue] = useState(/** @type {any} */ ({}));
  const meta = useLoaded(loadMeta);
  const doc = useLoaded(loadOpenApi);
  useEffect(() => {
    if (kind === 'sip-trunk' || kind === 'sip-registration')
      call('GET', '/v1/sip/provider-addresses').then((a) => a.ok && setExtra({ addresses: a.body }));
    if (kind === 'third-party-line')
      call('GET', '/v1/catalog/third-party-products').then((a) => a.ok && setExtra({ catalogue: a.body.items }));
  }, [kind]);
  if (!doc) return loading();
  // The sizing rule as the API applies it (numbers = ceil(peak concurrent calls / calls per line)).
  const perLine = meta?.callsPerFixedLine ?? 30;
  /** @type {Record<string, (v: any) => any>} */
  const hints = {
    peakConcurrentCalls: (v) => sizing(v?.peakConcurrentCalls, perLine),
    peakConcurrentInbound: (v) => sizing(v?.peakConcurrentInbound, perLine),
  };
  return html`<section aria-labelledby="start-kind-title">
    <h2 id="start-kind-title">${label(kind)}</h2>
    ${extra?.addresses && html`<${ProviderAddresses} addresses=${extra.addresses} />`}
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
      submit=${startCase}
      submitLabel=${`提交 Submit ${english(kind).toLowerCase()}`}
    />
  </section>`;
}

/** How many numbers a peak of concurrent calls needs. @param {number | undefined} peak @param {number} perLine */
function sizing(peak, perLine) {
  return peak
    ? html`<p class="hint" aria-live="polite">
        按峰值并发 / ${perLine} 计算：需要 ${Math.ceil(peak / perLine)} 个号码 · Sizing: ${peak} peak concurrent calls /
        ${perLine} = ${Math.ceil(peak / perLine)} number(s)
      </p>`
    : html`<p class="hint">号码数量 = 峰值并发呼叫数 / ${perLine} · Numbers = peak concurrent calls / ${perLine}</p>`;
}

/** The provider's addresses a customer's firewall lets through. @param {{ addresses: any }} p */
function ProviderAddresses({ addresses }) {
  return html`<div class="panel">
    <h3>需放行的服务商地址 Provider addresses to allow</h3>
    <ul>
      ${[...(addresses.inbound ?? []), ...(addresses.outbound ?? [])].map(
        (/** @type {any} */ a) => html`<li>${a.host ? `${a.host} ` : ''}${a.ip}:${a.port} ${a.transport}</li>`,
      )}
    </ul>
  </div>`;
}

/** Fen as yuan. @param {number | undefined} fen */
function yuan(fen) {
  return fen === undefined ? '—' : `${(fen / 100).toFixed(2)} 元`;
}

/** The supplier catalogue with prices and lead times. @param {{ items: any[] }} p */
function Catalogue({ items }) {
  return html`<${Table}
    className="catalogue"
    caption="供应商目录 Supplier catalogue"
    columns=${['产品 Product', '场景 Scenarios', '租金 Rent', '每分钟 Per minute', '开通周期 Lead time']}
  >
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
  <//>`;
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
