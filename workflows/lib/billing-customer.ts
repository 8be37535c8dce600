/**
 * An approved enterprise's billing customer: created once (idempotent within the run), then
 * recorded as the case's verified facts for the journey. Two calls, so the case's own steps stay
 * in the workflow's activation order: ensure it, then say it is ready.
 */
import type { ActingKind } from '../../contract/actions';
import { billing } from './activities';
import type { OnboardingCase } from './case';
import { runKey } from './notify';

export interface VerifiedEnterprise {
  enterpriseId: string;
  companyName: string;
  contactEmail: string;
}

export function ensureBillingCustomer(enterprise: VerifiedEnterprise): Promise<{ customerId: string }> {
  const { enterpriseId, companyName, contactEmail } = enterprise;
  return billing.ensureBillingCustomer.executeWithOptions({ summary: `billing customer for ${companyName}` }, [
    { enterpriseId, name: companyName, contactEmail, idempotencyKey: runKey('billing-customer') },
  ]);
}

export function billingCustomerReady<K extends ActingKind>(
  c: OnboardingCase<K>,
  enterprise: VerifiedEnterprise,
  customerId: string,
): void {
  c.step('billing customer ready', 'done', customerId);
  c.facts.verified = {
    enterpriseId: enterprise.enterpriseId,
    customerId,
    companyName: enterprise.companyName,
    contactEmail: enterprise.contactEmail,
  };
}
