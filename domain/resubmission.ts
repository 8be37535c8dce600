/**
 * A resubmission merged into the application it corrects: each part given replaces the old one,
 * and a resubmitted document replaces every earlier one of its kind. Plain TypeScript (workflow
 * code runs it; the API runs it to pre-check the merged application before sending it).
 */
import type { Application, Resubmission } from './verification';

export function applyResubmission(application: Application, patch: Resubmission): Application {
  const replaced = new Set((patch.documents ?? []).map((d) => d.kind));
  return {
    ...application,
    company: patch.company ?? application.company,
    legalRepresentative: patch.legalRepresentative ?? application.legalRepresentative,
    agent: patch.agent ?? application.agent,
    contact: patch.contact ?? application.contact,
    documents: [...application.documents.filter((d) => !replaced.has(d.kind)), ...(patch.documents ?? [])],
  };
}
