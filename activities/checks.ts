/**
 * Rules the workflows ask for once a case has moved on (a resubmitted application, a corrected
 * call script): they need the domain's libraries, which stay out of workflow code. Pure but for
 * the document store.
 */
import type { RuleFailure } from '../domain/common';
import { chinaDate } from '../domain/common';
import { bannedPhrases } from '../domain/numbers';
import { applicationFacts, precheckApplication, type Application } from '../domain/verification';
import type { ApplicationFacts } from '../contract/inputs';
import type { DocumentStore } from '../storage/documents';

export function createCheckActivities(deps: { documents: DocumentStore; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return {
    /** Every rule an application breaks (fields and documents), and what it establishes when none. */
    async precheckApplication(input: {
      enterpriseId: string;
      application: Application;
    }): Promise<{ failures: RuleFailure[]; facts: ApplicationFacts }> {
      const failures = [
        ...precheckApplication(input.application, chinaDate(now())),
        ...(await deps.documents.check(input.enterpriseId, input.application.documents)),
      ];
      return { failures, facts: applicationFacts(input.application) };
    },

    /** Banned phrases in a call script (matched ignoring case and spaces). */
    async screenCallScript(input: { callScript: string }): Promise<{ banned: string[] }> {
      return { banned: bannedPhrases(input.callScript) };
    },
  };
}

export type CheckActivities = ReturnType<typeof createCheckActivities>;
