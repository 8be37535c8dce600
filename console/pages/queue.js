// @ts-check
/** Support's work queue: every running case that awaits support, soonest due first. */
import { useCallback, useState } from 'preact/hooks';
import { html, call, label, when, caseHref } from '../lib.js';
import { loadMeta, useLoaded, usePolling } from '../hooks.js';
import { Table, hiddenHeader } from '../components/table.js';

export function Queue() {
  const [filters, setFilters] = useState({ kind: '', enterpriseId: '', stage: '' });
  const [data, setData] = useState(/** @type {any} */ (null));
  const meta = useLoaded(loadMeta);
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
      (data.items.length === 0 ? html`<p>队列为空 The queue is empty.</p>` : html`<${QueueTable} data=${data} />`)
    }
  </section>`;
}

/** @param {{ data: { items: any[], at: string } }} p */
function QueueTable({ data }) {
  return html`<${Table}
    className="queue"
    caption=${`${data.items.length} 个案件 cases · 更新于 updated ${when(data.at)}`}
    columns=${['到期 Due', '类型 Kind', '企业 Enterprise', '阶段 Stage', '待办 Awaiting', hiddenHeader('打开 Open')]}
  >
    ${data.items.map(
      (c) =>
        html`<tr class=${c.overdue ? 'overdue' : ''} key=${c.id}>
          <td>${when(c.dueAt)} ${c.overdue ? html`<strong class="badge overdue">已逾期 Overdue</strong>` : ''}</td>
          <td>${label(c.kind)}</td>
          <td>${c.enterpriseId}</td>
          <td>${label(c.stage)}</td>
          <td>${c.awaiting.map((/** @type {any} */ a) => label(a.action ?? a.for)).join(', ')}</td>
          <td>
            <a href=${caseHref(c.id)} aria-label=${`打开 Open ${c.id}`}>打开 Open</a>
          </td>
        </tr>`,
    )}
  <//>`;
}
