// @ts-check
/** An enterprise's verification: the application form with its materials checklist. */
import { html, loading, startCase } from '../lib.js';
import { loadMeta, loadOpenApi, useLoaded } from '../hooks.js';
import { SchemaForm } from '../forms.js';
import { DocumentChecklist } from '../components/document-checklist.js';

/** @typedef {import('../app.js').Principal} Principal */

/** @param {{ principal: Principal }} p */
export function VerificationStart({ principal }) {
  const doc = useLoaded(loadOpenApi);
  const meta = useLoaded(loadMeta);
  if (!doc || !meta) return loading();
  const submit = async (/** @type {any} */ value) => {
    const required = meta.requiredDocuments[value.applicantType] ?? [];
    // Only the documents the checklist asks for this applicant type.
    const body = {
      ...value,
      documents: (value.documents ?? []).filter((/** @type {any} */ d) => required.includes(d.kind)),
    };
    return startCase(body);
  };
  return html`<section aria-labelledby="verification-title">
    <h2 id="verification-title">企业认证 Enterprise verification</h2>
    <p class="hint">
      提交前会检查所有字段和材料，所有问题一次列出。Every field and document is pre-checked before anything is
      submitted; every failure is listed at once.
    </p>
    <${SchemaForm}
      doc=${doc}
      component="Start_enterprise-verification"
      formId="verification"
      initial=${{
        kind: 'enterprise-verification',
        enterpriseId: principal.enterpriseId,
        applicantType: 'legal-representative',
        company: { licenceValidTo: null },
        documents: [],
      }}
      hidden=${['enterpriseId']}
      overrides=${{
        documents: (/** @type {any} */ p) =>
          html`<${DocumentChecklist}
            kinds=${meta.requiredDocuments[p.top?.applicantType] ?? []}
            value=${p.value ?? []}
            onChange=${p.onChange}
            errors=${p.errors}
            prefix="documents"
          />`,
      }}
      submit=${submit}
      submitLabel="提交认证申请 Submit verification"
    />
  </section>`;
}
