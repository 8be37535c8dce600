/**
 * What every case is made of before any rule: its kinds, the roles people act in, and who acts.
 * Plain TypeScript with no dependency, so workflow code (through `contract/case.ts`) and the
 * schemas in `onboarding.ts` share one definition.
 */

export const ONBOARDING_KINDS = [
  'enterprise-real-name',
  'enterprise-verification',
  'number-purchase',
  'number-subscription',
  'own-400-landing',
  'sip-trunk',
  'sip-registration',
  'third-party-line',
  'contact-center-instance',
  'enterprise-onboarding',
  'usage-billing',
  'number-recovery',
] as const;
export type OnboardingKind = (typeof ONBOARDING_KINDS)[number];

export const ROLES = ['enterprise', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who takes an action: carried with every update and signal so history shows who did what. */
export interface Actor {
  role: Role;
  name: string;
  enterpriseId?: string;
}
