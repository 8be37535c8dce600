// @ts-check
/**
 * The materials checklist: one upload per required document, each uploaded at once, with the
 * API's failures for that document beside it.
 */
import { useRef, useState } from 'preact/hooks';
import { html, call, english, zh } from '../lib.js';
import { loadMeta, useLoaded } from '../hooks.js';

/**
 * @param {{ kinds: string[], value: any[], onChange: (v: any[]) => void, errors: any[], prefix: string,
 *   existing?: any[], rejected?: string[] }} p
 */
export function DocumentChecklist({ kinds, value, onChange, errors, prefix, existing = [], rejected = [] }) {
  const [uploadErrors, setUploadErrors] = useState(/** @type {Record<string, string>} */ ({}));
  // Whether each scan needs the company seal, and the form and example to print from (seed 002).
  const materials = useLoaded(loadMeta)?.materials ?? {};
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
        return checklistItem({
          kind,
          uploaded: index >= 0 ? value[index] : undefined,
          before: existing.find((d) => d.kind === kind),
          rejected: rejected.includes(kind),
          material: materials[kind],
          uploadError: uploadErrors[kind],
          errors: [
            ...errors.filter((e) => index >= 0 && e.path.startsWith(`${prefix}.${index}`)),
            ...errors.filter((e) => e.path === prefix && e.message.includes(kind)),
          ],
          upload,
        });
      })}
    </ul>
  </fieldset>`;
}

/**
 * One document of the checklist: its seal, its papers, its upload and what became of it.
 * @param {{ kind: string, uploaded: any, before: any, rejected: boolean, material: any, uploadError?: string,
 *   errors: any[], upload: (kind: string, file: File) => Promise<void> }} p
 */
function checklistItem({ kind, uploaded, before, rejected, material, uploadError, errors, upload }) {
  const id = `upload-${kind}`;
  return html`<li class=${errors.length || uploadError ? 'invalid' : ''} key=${kind}>
    <label for=${id}>上传${zh(kind) ?? ''} Upload ${english(kind).toLowerCase()}</label>
    <span class="seal" data-testid=${`seal-${kind}`}>
      ${material ? (material.seal ? '需加盖公司公章 Seal required' : '无需盖章 No seal') : ''}
    </span>
    <span class="papers">
      ${
        material?.template &&
        html`<a href=${`/v1/templates/${material.template}`} target="_blank" rel="noopener">下载模板 Template (PDF)</a>`
      }
      <a href=${`/v1/templates/${material?.template ?? kind}?example=1`} target="_blank" rel="noopener">示例 Example</a>
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
            ? rejected
              ? html`<strong class="error">需重新上传 Rejected: upload a new one</strong>`
              : html`沿用已提交 kept as submitted`
            : html`未上传 not uploaded`
      }
    </span>
    ${uploadError && html`<p class="error" role="alert">${uploadError}</p>`}
    ${errors.map((e) => html`<p class="error">${e.message} <code>${e.code ?? ''}</code></p>`)}
  </li>`;
}
