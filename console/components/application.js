// @ts-check
/** A verification's application as support reviews it, and the reasons of its last rejection. */
import { html, label, english } from '../lib.js';

/** The application's fields beside the documents they rest on. @param {{ application: any }} p */
export function Application({ application }) {
  const a = application;
  const rows = [
    ['applicantType', label(a.applicantType)],
    ['company', `${a.company?.name} · ${a.company?.unifiedSocialCreditCode} · ${label(a.company?.entityType ?? '')}`],
    ['licenceValidTo', `${a.company?.licenceValidFrom} → ${a.company?.licenceValidTo ?? '长期 long-term'}`],
    ['legalRepresentative', `${a.legalRepresentative?.name} · ${a.legalRepresentative?.idNumber}`],
    ...(a.agent ? [['agent', `${a.agent.name} · ${a.agent.idNumber}`]] : []),
    ['contact', `${a.contact?.name} · ${a.contact?.phone} · ${a.contact?.email}`],
  ];
  return html`<section aria-labelledby="application-title" class="application">
    <h3 id="application-title">申请材料 Application</h3>
    <dl class="facts">
      ${rows.map(
        ([k, v]) =>
          html`<dt>${label(k)}</dt>
            <dd>${v}</dd>`,
      )}
    </dl>
    <div class="documents">
      ${(a.documents ?? []).map(
        (/** @type {any} */ d) =>
          html`<figure key=${d.documentId}>
            <iframe src=${`/v1/documents/${d.documentId}`} title=${`${label(d.kind)} document`} loading="lazy"></iframe>
            <figcaption>
              ${label(d.kind)} ·
              <a href=${`/v1/documents/${d.documentId}`} target="_blank" rel="noopener"
                >查看 View ${english(d.kind).toLowerCase()}</a
              >
            </figcaption>
          </figure>`,
      )}
    </div>
  </section>`;
}

/** Each reason tied to its document or field. @param {{ rejection: { reasons: any[] } }} p */
export function RejectionReasons({ rejection }) {
  return html`<section aria-labelledby="reasons-title" class="rejection">
    <h3 id="reasons-title">驳回原因 Rejection reasons</h3>
    <ul>
      ${rejection.reasons.map(
        (/** @type {any} */ r) =>
          html`<li>
            <strong>${r.documentKind ? label(r.documentKind) : r.field}</strong>: ${r.message}
            <code>${r.code}</code>
          </li>`,
      )}
    </ul>
  </section>`;
}
