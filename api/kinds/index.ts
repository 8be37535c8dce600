/** The API's table of kinds, one file per kind; each entry says how the API starts and acts on its cases. */
import { enterpriseRealNameKind } from './enterprise-real-name';
import { numberRecoveryKind } from './number-recovery';
import { enterpriseVerificationKind } from './enterprise-verification';
import { numberPurchaseKind } from './number-purchase';
import { numberSubscriptionKind } from './number-subscription';
import { own400LandingKind } from './own-400-landing';
import { thirdPartyLineKind } from './third-party-line';
import { sipTrunkKind } from './sip-trunk';
import { sipRegistrationKind } from './sip-registration';
import { contactCenterInstanceKind } from './contact-center-instance';
import { enterpriseOnboardingKind } from './enterprise-onboarding';
import { usageBillingKind } from './usage-billing';
import { isOnboardingKind, type OnboardingKind } from '../../contract/kinds';
import type { TypedKind } from './shared';

export {
  bindingFailures,
  type ActionSpec,
  type BindingRef,
  type CaseRef,
  type KindContext,
  type KindDefinition,
  type TypedKind,
} from './shared';

/** Each kind's API entry, typed by its kind. */
export const KINDS: { [K in OnboardingKind]: TypedKind<K> } = {
  'enterprise-real-name': enterpriseRealNameKind,
  'number-recovery': numberRecoveryKind,
  'enterprise-verification': enterpriseVerificationKind,
  'number-purchase': numberPurchaseKind,
  'number-subscription': numberSubscriptionKind,
  'own-400-landing': own400LandingKind,
  'third-party-line': thirdPartyLineKind,
  'sip-trunk': sipTrunkKind,
  'sip-registration': sipRegistrationKind,
  'contact-center-instance': contactCenterInstanceKind,
  'enterprise-onboarding': enterpriseOnboardingKind,
  'usage-billing': usageBillingKind,
};

/** A kind's API entry, if the string names a kind. */
export function kindDefinition(kind: string): (typeof KINDS)[OnboardingKind] | undefined {
  return isOnboardingKind(kind) ? KINDS[kind] : undefined;
}
