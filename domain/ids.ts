/**
 * Workflow ids: the onboarding id is the Temporal workflow id. Pure helpers; each kind's
 * declaration (`contract/kinds/`) names the one its cases use.
 */

/** One usage-billing case per enterprise, for as long as it has numbers. */
export function usageBillingId(enterpriseId: string): string {
  return `usage-billing-${enterpriseId}`;
}

/**
 * One verification per enterprise at a time, at a well-known id: starting a second while one runs
 * conflicts, and a number purchase finds the enterprise's verification by this id.
 */
export function verificationId(enterpriseId: string): string {
  return `verification-${enterpriseId}`;
}

/** One real-name verification per enterprise at a time. */
export function realNameId(enterpriseId: string): string {
  return `real-name-${enterpriseId}`;
}

/** The enterprise's journey: one per enterprise, at a well-known id. */
export function journeyIdOf(enterpriseId: string): string {
  return `journey-${enterpriseId}`;
}

/** Other cases: kind, tenant and a suffix (derived from an Idempotency-Key, or random). */
export function caseId(kind: string, enterpriseId: string, suffix: string): string {
  return `${kind}-${enterpriseId}-${suffix}`;
}
