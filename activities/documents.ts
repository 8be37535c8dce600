/** Qualification documents: checks run by workflows on what was uploaded (ids only in history). */
import type { RuleFailure } from '../domain/common';
import type { DocumentRef } from '../domain/verification';
import type { DocumentStore } from '../storage/documents';

export function createDocumentActivities(store: DocumentStore) {
  return {
    async checkDocuments(input: { enterpriseId: string; documents: DocumentRef[] }): Promise<RuleFailure[]> {
      return store.check(input.enterpriseId, input.documents);
    },
  };
}

export type DocumentActivities = ReturnType<typeof createDocumentActivities>;
