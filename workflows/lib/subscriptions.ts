/**
 * Paid numbers live on in a subscription of their own (rent, renewals, release), started by the
 * case that put them in service and outliving it.
 */
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { ActingKind } from '../../contract/actions';
import type { SubscriptionInput, VerifiedEnterprise } from '../../contract/inputs';
import type { OnboardingCase } from './case';
import { childCase } from './children';
import { numberSubscription } from '../number-subscription';

export function subscriptionIdFor(enterpriseId: string, orderId: string): string {
  return `number-subscription-${enterpriseId}-${orderId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

/** What the subscription holds: the order, its numbers, where they are and how far they are paid. */
export type SubscriptionTerms = Pick<
  SubscriptionInput,
  'orderId' | 'numbers' | 'numberType' | 'instanceId' | 'monthlyRentFen' | 'paidThrough' | 'autoRenew' | 'timings'
>;

/** Starts the numbers' subscription for `owner` and links it to the case; returns its id. */
export async function startSubscription<K extends ActingKind>(
  c: OnboardingCase<K>,
  owner: VerifiedEnterprise,
  terms: SubscriptionTerms,
  shown: { summary: string; relation: string },
): Promise<string> {
  const subscriptionId = subscriptionIdFor(owner.enterpriseId, terms.orderId);
  await startChild(numberSubscription, {
    args: [
      {
        enterpriseId: owner.enterpriseId,
        customerId: owner.customerId,
        companyName: owner.companyName,
        contactEmail: owner.contactEmail,
        orderId: terms.orderId,
        purchaseId: c.state.id,
        numbers: terms.numbers,
        numberType: terms.numberType,
        instanceId: terms.instanceId,
        monthlyRentFen: terms.monthlyRentFen,
        paidThrough: terms.paidThrough,
        autoRenew: terms.autoRenew,
        timings: terms.timings,
        renewals: 0,
        carriedSteps: [],
        journeyId: owner.journeyId,
      },
    ],
    // The subscription outlives the case that created it.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    ...childCase({
      kind: 'number-subscription',
      enterpriseId: owner.enterpriseId,
      workflowId: subscriptionId,
      parentId: c.state.id,
      firstStage: 'active',
      summary: shown.summary,
    }),
  });
  c.relate(subscriptionId, 'number-subscription', shown.relation);
  return subscriptionId;
}
