/**
 * Number purchase: from an application to active numbers on the enterprise's instance.
 *
 * (fixed lines) script check and review -> reserve numbers -> order with three months' rent ->
 * charge (or wait for payment) -> assign to the instance -> (400) support routes the number ->
 * the paid order lives on as a number-subscription. A failure or cancel after any billing or
 * gateway step undoes it in reverse order.
 */
import { ApplicationFailure, condition, isCancellation, ParentClosePolicy, startChild } from '@temporalio/workflow';
import { TypedSearchAttributes } from '@temporalio/common';
import type { PurchaseTimings, SubscriptionTimings } from '../config';
import type { Order } from '../activities/billing';
import {
  bannedPhrases,
  FIRST_PREPAID_MONTHS,
  formatNumber,
  numberPurchaseActions,
  sizeOrder,
  type NumberPurchaseStart,
  type Sizing,
} from '../domain/numbers';
import { EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey } from '../domain/search-attributes';
import { actions, failureOf, isoAt, now, OnboardingCase } from './lib/case';
import { BillingEvents } from './lib/billing-events';
import { billing, gateway } from './lib/activities';
import { Notifier, runKey } from './lib/notify';
import { Compensations } from './lib/saga';
import { numberSubscription } from './number-subscription';

export interface NumberPurchaseInput {
  enterpriseId: string;
  customerId: string;
  companyName: string;
  contactEmail: string;
  request: Omit<NumberPurchaseStart, 'kind' | 'enterpriseId'>;
  timings: PurchaseTimings & { subscription: SubscriptionTimings };
}

export interface NumberPurchaseResult {
  orderId: string;
  numbers: string[];
  numbersE164: string[];
  numberType: NumberPurchaseStart['numberType'];
  sizing: Sizing;
  amountFen: number;
  monthlyRentFen: number;
  paidAt: string;
  paidThrough: string;
  instanceId: string;
  subscriptionId: string;
}

export function subscriptionIdFor(enterpriseId: string, orderId: string): string {
  return `number-subscription-${enterpriseId}-${orderId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

export async function numberPurchase(input: NumberPurchaseInput): Promise<NumberPurchaseResult> {
  const { request, timings } = input;
  const c = new OnboardingCase({ kind: 'number-purchase', enterpriseId: input.enterpriseId, stage: 'submitted' });
  const mail = new Notifier(c);
  const undo = new Compensations(c);
  const billingEvents = new BillingEvents();
  const sizing = sizeOrder(request);
  const base = { caseId: c.state.id, companyName: input.companyName };
  c.handle(actions(numberPurchaseActions));
  c.step('sized', 'done', sizing.explanation);

  try {
    // Scripts are reviewed for lines that call out; inbound-only lines have none to review.
    if (request.numberType === 'fixed-line' && request.scenario !== 'inbound') await scriptReview(c, mail, input, sizing.quantity);

    c.enter('reserving');
    const reservation = await billing.reserveNumbers.executeWithOptions({ summary: `reserve ${sizing.quantity} ${request.numberType} number(s)` }, [
      {
        customerId: input.customerId,
        type: request.numberType,
        ...(request.numberType === 'fixed-line' ? { areaCode: request.areaCode } : {}),
        quantity: sizing.quantity,
        ttlSeconds: Math.ceil(timings.reservationTtlMs / 1000),
        reference: c.state.id,
        idempotencyKey: runKey('reserve'),
      },
    ]);
    c.step('numbers reserved', 'done', `${reservation.numbers.map(formatNumber).join(', ')} until ${reservation.expiresAt}`);
    const reserved = undo.add('release the reservation', () =>
      billing.releaseReservation.executeWithOptions({ summary: 'compensate: release reservation' }, [{ reservationId: reservation.id, idempotencyKey: runKey('release-reservation') }]),
    );

    let order = await billing.createOrder.executeWithOptions({ summary: `order with ${FIRST_PREPAID_MONTHS} months prepaid` }, [
      {
        customerId: input.customerId,
        reservationId: reservation.id,
        prepaidMonths: FIRST_PREPAID_MONTHS,
        ...(request.applicationNote ? { applicationNote: request.applicationNote } : {}),
        reference: c.state.id,
        idempotencyKey: runKey('order'),
      },
    ]);
    reserved.retire();
    const unpaid = undo.add('void the unpaid order', () =>
      billing.voidOrder.executeWithOptions({ summary: 'compensate: void order' }, [{ orderId: order.id, idempotencyKey: runKey('void-order') }]),
    );
    c.step('order created', 'done', `${order.id}: ${order.amountFen} fen for ${FIRST_PREPAID_MONTHS} months`);

    c.enter('charging');
    order = await pay(c, mail, input, order, billingEvents);
    unpaid.retire();
    undo.add('refund the order', () =>
      billing.refundOrder.executeWithOptions({ summary: 'compensate: refund order' }, [{ orderId: order.id, reason: 'purchase not completed', idempotencyKey: runKey('refund') }]),
    );

    c.enter('activating');
    const assigned = await gateway.assignNumbers.executeWithOptions({ summary: `assign ${order.numbers.length} number(s) to ${request.binding.instanceId}` }, [
      {
        instanceId: request.binding.instanceId,
        numbers: order.numbers,
        ...(request.binding.ivrFlowId ? { ivrFlowId: request.binding.ivrFlowId } : {}),
        ...(request.binding.skillGroupId ? { skillGroupId: request.binding.skillGroupId } : {}),
        reference: c.state.id,
      },
    ]);
    undo.add('unassign the numbers', () =>
      gateway.unassignNumbers.executeWithOptions({ summary: 'compensate: unassign numbers' }, [{ numbers: order.numbers, reference: c.state.id }]),
    );
    c.step('numbers assigned', 'done', `${assigned.length} on ${request.binding.instanceId}`);

    const formatted = order.numbers.map(formatNumber);
    if (request.numberType === '400') {
      await c.awaitAction('awaiting-400-routing', [{ action: 'confirm-400-routing', role: 'support' }], {
        onEnter: () => mail.send('routing', 'support', 'purchase-400-routing', { ...base, numbers: formatted, instanceId: request.binding.instanceId }),
        remindEveryMs: timings.routingSlaMs,
        onReminder: (n) => mail.send(`routing-reminder/${n}`, 'support', 'purchase-400-routing', { ...base, numbers: formatted, instanceId: request.binding.instanceId }),
      });
    }

    const paidAt = Date.parse(order.paidAt ?? isoAt(now()));
    const paidThrough = paidAt + FIRST_PREPAID_MONTHS * timings.subscription.periodMs;
    const subscriptionId = subscriptionIdFor(input.enterpriseId, order.id);
    await startChild(numberSubscription, {
      workflowId: subscriptionId,
      args: [
        {
          enterpriseId: input.enterpriseId,
          customerId: input.customerId,
          companyName: input.companyName,
          contactEmail: input.contactEmail,
          orderId: order.id,
          purchaseId: c.state.id,
          numbers: order.numbers,
          numberType: request.numberType,
          instanceId: request.binding.instanceId,
          monthlyRentFen: order.monthlyRentFen * order.numbers.length,
          paidThrough,
          autoRenew: request.autoRenew,
          timings: timings.subscription,
          renewals: 0,
          carriedSteps: [],
        },
      ],
      // The subscription outlives the purchase that created it.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      memo: { kind: 'number-subscription', enterpriseId: input.enterpriseId, requestHash: '', createdBy: `case:${c.state.id}` },
      typedSearchAttributes: new TypedSearchAttributes([
        { key: EnterpriseIdKey, value: input.enterpriseId },
        { key: OnboardingKindKey, value: 'number-subscription' },
        { key: OnboardingStageKey, value: 'active' },
      ]),
      staticSummary: `numbers ${formatted.join(', ')} for ${input.enterpriseId}`,
    });
    c.relate(subscriptionId, 'number-subscription', 'the numbers\' subscription');
    c.step('subscription started', 'done', subscriptionId);

    mail.send('activated', input.contactEmail, 'purchase-activated', {
      ...base,
      numbers: formatted,
      instanceId: request.binding.instanceId,
      paidThrough: isoAt(paidThrough),
      autoRenew: request.autoRenew,
    });
    await mail.flush();
    const result: NumberPurchaseResult = {
      orderId: order.id,
      numbers: formatted,
      numbersE164: order.numbers,
      numberType: request.numberType,
      sizing,
      amountFen: order.amountFen,
      monthlyRentFen: order.monthlyRentFen,
      paidAt: isoAt(paidAt),
      paidThrough: isoAt(paidThrough),
      instanceId: request.binding.instanceId,
      subscriptionId,
    };
    c.complete(result);
    return result;
  } catch (err) {
    const undone = await undo.run();
    if (isCancellation(err)) {
      mail.send('cancelled', input.contactEmail, 'case-cancelled', { ...base, kindLabel: '号码申请 / number purchase', reason: c.cancelReason });
      await mail.flush();
      c.cancelled();
      throw err;
    }
    const failure = c.state.status === 'failed' ? c.state.error! : failureOf(err);
    if (c.state.status === 'running') c.fail(failure.type, failure.message);
    mail.send('failed', input.contactEmail, 'purchase-failed', { ...base, reason: failure.message, undone });
    await mail.flush();
    throw err instanceof ApplicationFailure ? err : ApplicationFailure.create({ type: failure.type, message: failure.message, nonRetryable: true, cause: err as Error });
  }
}

/** Fixed lines: banned phrases reject a script at once; otherwise support reviews it. */
async function scriptReview(c: OnboardingCase, mail: Notifier, input: NumberPurchaseInput, quantity: number): Promise<void> {
  const { timings } = input;
  const base = { caseId: c.state.id, companyName: input.companyName };
  let script = input.request.callScript ?? '';
  for (let round = 1; ; round++) {
    const banned = bannedPhrases(script);
    let reason: string;
    if (banned.length > 0) {
      reason = `the script contains banned phrase(s): ${banned.map((p) => `"${p}"`).join(', ')}`;
      c.step(`script check round ${round}`, 'failed', reason);
    } else {
      c.step(`script check round ${round}`, 'done', 'no banned phrases');
      const decision = (await c.awaitAction(
        'awaiting-script-review',
        [
          { action: 'approve-script', role: 'support' },
          { action: 'reject-script', role: 'support' },
        ],
        {
          onEnter: (dueAt) => mail.send(`script-review/${round}`, 'support', 'purchase-script-review', { ...base, numberType: input.request.numberType, quantity, round, dueAt: isoAt(dueAt!) }),
          remindEveryMs: timings.scriptReviewSlaMs,
          onReminder: (n, since) => mail.send(`script-reminder/${round}/${n}`, 'support', 'purchase-script-reminder', { ...base, waitingSince: isoAt(since), reminder: n }),
        },
      ))!;
      if (decision.name === 'approve-script') return;
      reason = decision.payload.reason as string;
    }
    const resubmitBy = now() + timings.scriptResubmissionWindowMs;
    mail.send(`script-rejected/${round}`, input.contactEmail, 'purchase-script-rejected', { ...base, reason, automatic: banned.length > 0, resubmitBy: isoAt(resubmitBy) });
    const resubmitted = await c.awaitAction('awaiting-script-resubmission', [{ action: 'resubmit-script', role: 'enterprise' }], { deadlineMs: timings.scriptResubmissionWindowMs });
    if (!resubmitted) throw c.fail('ScriptResubmissionWindowExpired', `no corrected script by ${isoAt(resubmitBy)}`);
    script = resubmitted.payload.callScript as string;
  }
}

/**
 * Charges the order. With too little balance the case waits for payment: the billing webhook
 * (order.paid) ends the wait at once, polling finds a payment whose webhook was lost, and the
 * deadline fails the case (the order is then voided by compensation).
 */
async function pay(c: OnboardingCase, mail: Notifier, input: NumberPurchaseInput, order: Order, events: BillingEvents): Promise<Order> {
  const outcome = await billing.chargeOrder.executeWithOptions({ summary: `charge ${order.amountFen} fen` }, [{ orderId: order.id, idempotencyKey: runKey('charge') }]);
  if (outcome.status === 'paid') {
    c.step('order paid', 'done', `${outcome.value.amountFen} fen from the balance`);
    return outcome.value;
  }
  const payBy = now() + input.timings.paymentWindowMs;
  c.step('balance insufficient', 'failed', `balance ${outcome.balanceFen} fen, order ${outcome.amountFen} fen`);
  c.enter('awaiting-payment');
  mail.send('payment-required', input.contactEmail, 'purchase-payment-required', {
    caseId: c.state.id,
    companyName: input.companyName,
    orderId: order.id,
    amountFen: outcome.amountFen,
    balanceFen: outcome.balanceFen,
    payBy: isoAt(payBy),
  });
  for (;;) {
    const wait = Math.max(1, Math.min(input.timings.paymentPollMs, payBy - now()));
    if (await condition(() => events.has('order.paid', (e) => e.orderId === order.id), wait)) {
      const paid = await billing.getOrder.executeWithOptions({ summary: 'read the paid order' }, [order.id]);
      c.step('order paid', 'done', 'billing webhook order.paid');
      return paid;
    }
    const polled = await billing.getOrder.executeWithOptions({ summary: 'poll the order for payment' }, [order.id]);
    if (polled.status === 'paid') {
      c.step('order paid', 'done', 'found by polling billing');
      return polled;
    }
    if (now() >= payBy) throw c.fail('PaymentDeadlinePassed', `order ${order.id} was not paid by ${isoAt(payBy)}`);
  }
}
