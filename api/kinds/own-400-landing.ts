/** The API's entry for `own-400-landing`: its start schema, pre-checks, workflow and actions. */
import { formatNumber, own400ApplicationNote, purchaseEligibility, sizeOrder } from '../../domain/numbers';
import { own400LandingStartSchema, own400Payloads, own400LandingResultSchema } from '../../domain/own400';
import { own400Landing } from '../../workflows/own-400-landing';
import { defineKind, numbersOf, forwardFailures } from './shared';
import { boundVerified } from './verified-starts';

export const own400LandingKind = defineKind('own-400-landing', {
  summary: "Land the enterprise's own 400 number on fixed lines bought here, through an invoice remark",
  startSchema: own400LandingStartSchema,
  workflow: own400Landing,
  async precheck(body, ctx) {
    // The 400 number lands on fixed lines, which the enterprise must be allowed to hold.
    const verification = await ctx.approvedVerification(body.enterpriseId);
    return [...purchaseEligibility('fixed-line', verification), ...(await forwardFailures(ctx, body, verification))];
  },
  ...boundVerified((request, ctx) => ({
    request,
    ...(request.fixedLine ? { existingLines: numbersOf([request.fixedLine]) } : {}),
    own400Display: formatNumber(request.own400Number),
    fixedLines: {
      request: {
        numberType: 'fixed-line' as const,
        areaCode: request.areaCode,
        scenario: 'inbound' as const,
        autoRenew: request.autoRenew,
        binding: request.binding,
        bindOwn400: request.own400Number,
        // The call scenario states the 400 number the lines carry, as the seed asks; it is
        // what support reviews as the script.
        callScript: own400ApplicationNote(request.own400Number),
        applicationNote: own400ApplicationNote(request.own400Number),
      },
      sizing: sizeOrder({ peakConcurrentCalls: request.peakConcurrentInbound }),
    },
    timings: {
      ...ctx.config.timings.landing,
      purchase: ctx.config.timings.purchase,
      subscription: ctx.config.timings.subscription,
    },
  })),
  payloads: own400Payloads,
  result: own400LandingResultSchema,
});
