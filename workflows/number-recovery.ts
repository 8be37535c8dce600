/**
 * Recovering a released number (seed 003 Q9), started by support: checking (billing still holds
 * it for the operator, released by this enterprise; cancelled by the operator: it cannot come
 * back) -> a recovery order, charged -> reimporting (assigned on the SBC and bound again in the
 * contact center to the IVR flow and skill group it had) -> back in service under a new
 * subscription. A failure or cancel refunds or voids the order and unassigns what was assigned.
 */
import type { NumberRecoveryInput } from '../contract/inputs';
import { billing } from './lib/activities';
import { putNumbersInService } from './lib/numbers';
import { isoAt, now } from './lib/case';
import { contactEnding } from './lib/case-types';
import { openCase } from './lib/open-case';
import { runKey } from './lib/notify';
import { startSubscription } from './lib/subscriptions';
import type { NumberRecoveryResult } from '../domain/recovery';

/** Rent prepaid by a recovery order, as by a first purchase (seed 003 Q8). */
const RECOVERY_PREPAID_MONTHS = 3;

export async function numberRecovery(input: NumberRecoveryInput): Promise<NumberRecoveryResult> {
  const { binding } = input;
  const [number] = input.number.display;
  const e164 = input.number.e164;
  const c = openCase('number-recovery', input, 'checking');
  const { mail, undo } = c;
  const base = { caseId: c.state.id, companyName: input.companyName, number: number! };

  return c.run(
    contactEnding(input, '号码找回 / number recovery', (error) =>
      mail.send('failed', input.contactEmail, 'recovery-failed', { ...base, reason: error.message }),
    ),
    async () => {
      const held = await billing.getNumber.executeWithOptions({ summary: `is ${number} still held by the operator` }, [
        e164[0]!,
      ]);
      if (held?.status === 'cancelled')
        throw c.fail(
          'NumberCancelledByOperator',
          `${number} was cancelled by the operator${held.releasedFrom?.cancelledAt ? ` at ${held.releasedFrom.cancelledAt}` : ''}; it cannot be recovered`,
        );
      if (held?.status !== 'released' || held.releasedFrom?.customerId !== input.customerId)
        throw c.fail(
          'NotRecoverable',
          `${number} is ${held?.status ?? 'unknown to billing'}, not released by this enterprise`,
        );
      c.step('held by the operator', 'done', `released ${held.releasedFrom.at}, not cancelled`);

      // Registered before the first write: a failure or cancel refunds or voids what billing holds.
      undo.add('undo billing', () =>
        billing.undoPurchase.executeWithOptions({ summary: 'compensate: refund or void the recovery order' }, [
          { reference: c.state.id, reason: 'number recovery ended without the number', idempotencyKey: runKey('undo') },
        ]),
      );
      const order = await billing.createRecoveryOrder.executeWithOptions({ summary: `recovery order for ${number}` }, [
        {
          number: e164[0]!,
          customerId: input.customerId,
          prepaidMonths: RECOVERY_PREPAID_MONTHS,
          reference: c.state.id,
          idempotencyKey: runKey('order'),
        },
      ]);
      c.step('order created', 'done', `${order.id}: ${order.amountFen} fen for ${RECOVERY_PREPAID_MONTHS} months`);
      const charged = await billing.chargeOrder.executeWithOptions({ summary: `charge ${order.amountFen} fen` }, [
        { orderId: order.id, idempotencyKey: runKey('charge') },
      ]);
      if (charged.status !== 'paid')
        throw c.fail(
          'PaymentRequired',
          `balance ${charged.balanceFen} fen is short of ${charged.amountFen} fen for order ${order.id}; top up and start the recovery again`,
        );
      c.step('order paid', 'done', `${order.amountFen} fen`);

      c.enter('reimporting');
      await putNumbersInService(c, {
        verb: 'assign',
        instanceId: binding.instanceId,
        numbers: e164,
        route: binding,
        // A recovered number is bought again from the provider.
        origin: 'purchased',
        summary: `assign ${number} to ${binding.instanceId}`,
        platformSummary: `bind ${number} in contact center ${binding.instanceId}`,
      });
      c.step(
        're-imported',
        'done',
        `${number} on ${binding.instanceId}, IVR ${binding.ivrFlowId ?? '-'}, skill group ${binding.skillGroupId ?? '-'}`,
      );

      // In service again: the number lives on in a subscription of its own.
      const paidAt = now();
      const subscriptionId = await startSubscription(
        c,
        input,
        {
          orderId: order.id,
          numbers: input.number,
          numberType: input.numberType,
          instanceId: binding.instanceId,
          monthlyRentFen: order.monthlyRentFen,
          paidThrough: paidAt + RECOVERY_PREPAID_MONTHS * input.timings.subscription.periodMs,
          autoRenew: true,
          timings: input.timings.subscription,
        },
        { summary: `recovered ${number}`, relation: 'the recovered number in service' },
      );
      Object.assign(c.facts, { instanceId: binding.instanceId, numbers: [number!], inService: true });
      mail.send('recovered', input.contactEmail, 'recovery-completed', {
        ...base,
        instanceId: binding.instanceId,
        paidThrough: isoAt(paidAt + RECOVERY_PREPAID_MONTHS * input.timings.subscription.periodMs),
      });
      return { number: number!, orderId: order.id, amountFen: order.amountFen, binding, subscriptionId };
    },
  );
}
