/** The API's entry for `number-purchase`: its start schema, pre-checks, workflow and actions. */
import {
  numberPurchasePayloads,
  numberPurchaseStartSchema,
  purchaseEligibility,
  sizeOrder,
} from '../../domain/numbers';
import { numberPurchase } from '../../workflows/number-purchase';
import { bindingAt, defineKind, verifiedEnterprise, purchaseRequest } from './shared';

export const numberPurchaseKind = defineKind('number-purchase', {
  summary: 'Buy fixed-line or 400 numbers and bind them to an instance',
  startSchema: numberPurchaseStartSchema,
  workflow: numberPurchase,
  binding: (body) => bindingAt('binding.', body.binding),
  async precheck(body, ctx) {
    return purchaseEligibility(body.numberType, await ctx.approvedVerification(body.enterpriseId));
  },
  async workflowInput(body, ctx) {
    const { kind: _kind, enterpriseId, ...request } = body;
    return {
      ...(await verifiedEnterprise(ctx, enterpriseId)),
      request: purchaseRequest(request),
      sizing: sizeOrder(request),
      timings: { ...ctx.config.timings.purchase, subscription: ctx.config.timings.subscription },
    };
  },
  payloads: numberPurchasePayloads,
});
