/** The API's entry for `number-purchase`: its start schema, pre-checks, workflow and actions. */
import {
  numberPurchasePayloads,
  numberPurchaseStartSchema,
  purchaseEligibility,
  sizeOrder,
  numberPurchaseResultSchema,
} from '../../domain/numbers';
import { numberPurchase } from '../../workflows/number-purchase';
import { defineKind, purchaseRequest } from './shared';
import { boundVerified } from './verified-starts';

export const numberPurchaseKind = defineKind('number-purchase', {
  summary: 'Buy fixed-line or 400 numbers and bind them to an instance',
  startSchema: numberPurchaseStartSchema,
  workflow: numberPurchase,
  precheck: async (body, ctx) =>
    purchaseEligibility(body.numberType, await ctx.approvedVerification(body.enterpriseId)),
  ...boundVerified((request, ctx) => ({
    request: purchaseRequest(request),
    sizing: sizeOrder(request),
    timings: { ...ctx.config.timings.purchase, subscription: ctx.config.timings.subscription },
  })),
  payloads: numberPurchasePayloads,
  result: numberPurchaseResultSchema,
});
