/** The API's entry for `number-purchase`: its start schema, pre-checks, workflow and actions. */
import { STAGES } from '../../contract/stages';
import {
  numberPurchasePayloads,
  numberPurchaseStartSchema,
  purchaseEligibility,
  sizeOrder,
} from '../../domain/numbers';
import { numberPurchase } from '../../workflows/number-purchase';
import { bindingAt, defineKind, actionSpecs, verifiedEnterprise, purchaseRequest } from './shared';

export const numberPurchaseKind = defineKind({
  kind: 'number-purchase',
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
  stages: STAGES['number-purchase'],
  actions: actionSpecs('number-purchase', numberPurchasePayloads),
});
