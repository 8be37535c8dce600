/** The API's entry for `number-recovery`: its start schema, pre-checks, workflow and actions. */
import type { NumberRecoveryInput } from '../../contract/inputs';
import { is400Number } from '../../domain/numbers';
import { numberRecoveryStartSchema, numberRecoveryResultSchema } from '../../domain/recovery';
import { numberRecovery } from '../../workflows/number-recovery';
import { defineKind, numbersOf, verifiedEnterprise, formerBinding } from './shared';

export const numberRecoveryKind = defineKind('number-recovery', {
  summary: 'Recover a released number the operator still holds: order, charge, re-import and re-bind it (support)',
  startRoles: ['support'],
  startSchema: numberRecoveryStartSchema,
  workflow: numberRecovery,
  async precheck(body, ctx) {
    const verification = await ctx.approvedVerification(body.enterpriseId);
    const record = await ctx.billingNumbers.number(body.number);
    // Only a number this enterprise held; anyone else's reads as unknown.
    return record?.releasedFrom?.customerId === verification.billingCustomerId
      ? []
      : [
          {
            path: 'number',
            code: 'number-not-released-by-enterprise',
            message: `${body.number} was not released by ${body.enterpriseId}`,
          },
        ];
  },
  async workflowInput(body, ctx): Promise<NumberRecoveryInput> {
    const record = (await ctx.billingNumbers.number(body.number))!;
    return {
      ...(await verifiedEnterprise(ctx, body.enterpriseId)),
      number: numbersOf([body.number]),
      numberType: is400Number(body.number) ? '400' : 'fixed-line',
      binding: body.binding ?? (await formerBinding(ctx, record.releasedFrom!.orderId)),
      timings: { subscription: ctx.config.timings.subscription },
    };
  },
  payloads: {},
  result: numberRecoveryResultSchema,
});
