/** Where people read a case: the API resource and its history in the Temporal UI. */
export interface LinkConfig {
  api: { publicUrl: string };
  temporal: { uiUrl: string; namespace: string };
}

export function caseLinks(config: LinkConfig, caseId: string): { api: string; temporalUi: string } {
  const id = encodeURIComponent(caseId);
  return {
    api: `${config.api.publicUrl}/v1/onboardings/${id}`,
    temporalUi: `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${id}`,
  };
}
