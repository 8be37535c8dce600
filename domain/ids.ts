/** Workflow ids and types per onboarding kind. The onboarding id is the Temporal workflow id. */
import type { OnboardingKind } from './onboarding';

export const WORKFLOW_TYPES: Record<OnboardingKind, string> = {
  'enterprise-real-name': 'enterpriseRealName',
  'enterprise-verification': 'enterpriseVerification',
  'number-purchase': 'numberPurchase',
  'number-subscription': 'numberSubscription',
  'own-400-landing': 'own400Landing',
  'sip-trunk': 'sipTrunk',
  'sip-registration': 'sipRegistration',
  'third-party-line': 'thirdPartyLine',
  'contact-center-instance': 'contactCenterInstance',
  'enterprise-onboarding': 'enterpriseOnboarding',
  'usage-billing': 'usageBilling',
  'number-recovery': 'numberRecovery',
};

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

/** Other cases: kind, tenant and a suffix (derived from an Idempotency-Key, or random). */
export function caseId(kind: OnboardingKind, enterpriseId: string, suffix: string): string {
  return `${kind}-${enterpriseId}-${suffix}`;
}
