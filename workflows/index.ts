/** Every onboarding process, one file each (one line per kind in the registry, checked below). The worker bundles this module. */
export { enterpriseRealName } from './enterprise-real-name';
export { enterpriseVerification } from './enterprise-verification';
export { numberPurchase } from './number-purchase';
export { numberSubscription } from './number-subscription';
export { own400Landing } from './own-400-landing';
export { thirdPartyLine } from './third-party-line';
export { sipTrunk } from './sip-trunk';
export { sipRegistration } from './sip-registration';
export { contactCenterInstance } from './contact-center-instance';
export { enterpriseOnboarding } from './enterprise-onboarding';
export { usageBilling } from './usage-billing';
export { numberRecovery } from './number-recovery';
export { webhookDelivery } from './webhook-delivery';

import type { OnboardingKind, WorkflowTypeOf } from '../contract/kinds';
import type * as bundle from './index';

/** Compiles only while every kind in the registry has its workflow exported here, under its type. */
type Exported<Missing extends never> = Missing;
export type EveryKindExported = Exported<Exclude<WorkflowTypeOf<OnboardingKind>, keyof typeof bundle>>;
