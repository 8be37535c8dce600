/**
 * Number purchase: from an application to active numbers on the enterprise's instance.
 *
 * script screening and review (every number type and scenario) -> reserve numbers -> order with three
 * months' rent -> charge (or wait for payment) -> assign to the instance -> (400) support routes the
 * number -> the paid order lives on as a number-subscription. A failure or cancel after any billing
 * or gateway step undoes it (each undo registered before its step).
 */
import { condition, patched } from '@temporalio/workflow';
import type { NumberPurchaseInput } from '../contract/inputs';
import type { Order, Reservation } from '../activities/billing';
import { isoAt, now, type OnboardingCase } from './lib/case';
import { contactEnding } from './lib/case-types';
import { openCase } from './lib/open-case';
import { BillingEvents } from './lib/billing-events';
import { billing, checks, gateway } from './lib/activities';
import { putNumbersInService } from './lib/numbers';
import { runKey } from './lib/notify';
import { startSubscription } from './lib/subscriptions';
import type { NumberPurchaseResult } from '../domain/numbers';

export { subscriptionIdFor } from './lib/subscriptions';

/** First purchase prepays three months of rent; later months renew one at a time. */
const FIRST_PREPAID_MONTHS = 3;

/** Reservations tried before giving up on finding numbers not in service elsewhere. */
export const MAX_CLEAN_RESERVATION_ROUNDS = 10;

export async function numberPurchase(input: NumberPurchaseInput): Promise<NumberPurchaseResult> {
  const { request, timings, sizing } = input;
  const c = openCase('number-purchase', input, 'submitted', {
    instanceId: request.binding.instanceId,
  });
  const { mail, undo } = c;
  const billingEvents = new BillingEvents();
  const base = { caseId: c.state.id, companyName: input.companyName };
  c.step('sized', 'done', sizing.explanation);

  return c.run(
    contactEnding(input, '号码申请 / number purchase', (error, undone) =>
      mail.send('failed', input.contactEmail, 'purchase-failed', { ...base, reason: error.message, undone }),
    ),
    async () => {
      // Every number bought here passes the call-script review, 400 and inbound-only lines too (a
      // case started before that rule keeps its review for outbound fixed lines only).
      if (
        patched('script-review-every-number') ||
        (request.numberType === 'fixed-line' && request.scenario !== 'inbound')
      )
        await scriptReview(c, input);

      // Whatever billing comes to hold for this case (reservation, order, payment) is undone by reference.
      undo.add('undo billing', () =>
        billing.undoPurchase.executeWithOptions({ summary: 'compensate: refund, void or release in billing' }, [
          { reference: c.state.id, reason: 'purchase not completed', idempotencyKey: runKey('undo-billing') },
        ]),
      );
      c.enter('reserving');
      const reservation = await reserveClean(c, input);

      let order = await placeOrder(c, input, reservation);
      c.step('order created', 'done', `${order.id}: ${order.amountFen} fen for ${FIRST_PREPAID_MONTHS} months`);

      c.enter('charging');
      order = await pay(c, input, order, billingEvents);

      c.enter('activating');
      const { binding } = request;
      const assigned = await putNumbersInService(c, {
        verb: 'assign',
        instanceId: binding.instanceId,
        numbers: order.numbers,
        // The contact center answers the calls: the numbers go to the instance there, bound as asked.
        route: binding,
        // Lines bought to carry an own 400 number are the enterprise's 400's: its operator bills them (000).
        origin: request.bindOwn400 ? 'own-400' : 'purchased',
        ...(request.bindOwn400 ? { carries400: request.bindOwn400 } : {}),
        summary: `assign ${order.numbers.length} number(s) to ${binding.instanceId}`,
        platformSummary: `bind ${order.numbers.length} number(s) in contact center ${binding.instanceId}`,
      });
      c.step('numbers assigned', 'done', `${assigned.length} on ${binding.instanceId}`);

      const display = order.display;
      if (request.numberType === '400') await confirm400Routing(c, input, display);

      // Paid and live: from here the numbers belong to their subscription, not to this case.
      const paidAt = order.paidAt ? Date.parse(order.paidAt) : now();
      const paidThrough = paidAt + FIRST_PREPAID_MONTHS * timings.subscription.periodMs;
      const subscriptionId = await startSubscription(
        c,
        input,
        {
          orderId: order.id,
          numbers: { e164: order.numbers, display },
          numberType: request.numberType,
          instanceId: binding.instanceId,
          monthlyRentFen: order.monthlyRentFen * order.numbers.length,
          paidThrough,
          autoRenew: request.autoRenew,
          timings: timings.subscription,
        },
        { summary: `numbers ${display.join(', ')} for ${input.enterpriseId}`, relation: "the numbers' subscription" },
      );
      undo.retireAll();
      c.step('subscription started', 'done', subscriptionId);
      Object.assign(c.facts, { numbers: display, inService: true });

      mail.send('activated', input.contactEmail, 'purchase-activated', {
        ...base,
        numbers: display,
        instanceId: binding.instanceId,
        paidThrough: isoAt(paidThrough),
        autoRenew: request.autoRenew,
      });
      return {
        orderId: order.id,
        numbers: display,
        numbersE164: order.numbers,
        numberType: request.numberType,
        sizing,
        amountFen: order.amountFen,
        monthlyRentFen: order.monthlyRentFen,
        paidAt: isoAt(paidAt),
        paidThrough: isoAt(paidThrough),
        instanceId: binding.instanceId,
        subscriptionId,
      };
    },
  );
}

/** Orders the reserved numbers with the first months' rent prepaid. */
function placeOrder(
  c: OnboardingCase<'number-purchase'>,
  input: NumberPurchaseInput,
  reservation: Reservation,
): Promise<Order> {
  const { request } = input;
  return billing.createOrder.executeWithOptions({ summary: `order with ${FIRST_PREPAID_MONTHS} months prepaid` }, [
    {
      customerId: input.customerId,
      reservationId: reservation.id,
      prepaidMonths: FIRST_PREPAID_MONTHS,
      ...(request.applicationNote ? { applicationNote: request.applicationNote } : {}),
      reference: c.state.id,
      idempotencyKey: runKey('order'),
    },
  ]);
}

/** A 400 number rings nowhere until support has routed it at the operator. */
function confirm400Routing(c: OnboardingCase<'number-purchase'>, input: NumberPurchaseInput, display: string[]) {
  const { mail } = c;
  const routing = {
    caseId: c.state.id,
    companyName: input.companyName,
    numbers: display,
    instanceId: input.request.binding.instanceId,
  };
  return c.awaitAction('awaiting-400-routing', [{ action: 'confirm-400-routing', role: 'support' }], {
    onEnter: () => mail.send('routing', 'support', 'purchase-400-routing', routing),
    remindEveryMs: input.timings.routingSlaMs,
    onReminder: (n) => mail.send(`routing-reminder/${n}`, 'support', 'purchase-400-routing', routing),
  });
}

/**
 * Reserves numbers none of which is in service elsewhere (the SBC routes it, or another platform
 * uses it), before anything is ordered or charged. A conflicting number is quarantined in billing
 * with the reason and this case, the reservation released and a replacement reserved; the case
 * fails (`NoCleanNumbers`) only when the area code has no clean number left.
 */
async function reserveClean(c: OnboardingCase<'number-purchase'>, input: NumberPurchaseInput): Promise<Reservation> {
  const { request, sizing, timings } = input;
  const ask = {
    customerId: input.customerId,
    type: request.numberType,
    ...(request.numberType === 'fixed-line' && request.areaCode ? { areaCode: request.areaCode } : {}),
    quantity: sizing.quantity,
    ttlSeconds: Math.ceil(timings.reservationTtlMs / 1000),
    reference: c.state.id,
  };
  const where =
    request.numberType === 'fixed-line' && request.areaCode
      ? `fixed lines in ${request.areaCode}`
      : `${request.numberType} numbers`;
  const quarantined: string[] = [];
  let reservation = await billing.reserveNumbers.executeWithOptions(
    { summary: `reserve ${sizing.quantity} ${request.numberType} number(s)` },
    [{ ...ask, idempotencyKey: runKey('reserve') }],
  );
  for (let round = 1; ; round++) {
    c.step(
      round === 1 ? 'numbers reserved' : `numbers reserved (round ${round})`,
      'done',
      `${reservation.display.join(', ')} until ${reservation.expiresAt}`,
    );
    // Cases started before this check existed replay without it.
    if (!patched('numbers-in-service-check')) return reservation;
    const conflicts = await gateway.numbersInService.executeWithOptions(
      { summary: `check ${reservation.numbers.length} number(s) are not in service elsewhere` },
      [{ numbers: reservation.numbers, reference: c.state.id }],
    );
    if (conflicts.length === 0) return reservation;
    const found = conflicts.map((x) => `${x.display} (${x.where}: ${x.owner})`).join(', ');
    c.step(`numbers in service elsewhere (round ${round})`, 'failed', found);
    await billing.quarantineNumbers.executeWithOptions(
      { summary: `quarantine ${conflicts.length} number(s) in billing` },
      [
        {
          numbers: conflicts.map((x) => x.number),
          reason: `in service elsewhere: ${found}`,
          reference: c.state.id,
          idempotencyKey: runKey(`quarantine/${round}`),
        },
      ],
    );
    quarantined.push(...conflicts.map((x) => x.display));
    await billing.releaseReservation.executeWithOptions({ summary: `release reservation ${reservation.id}` }, [
      { reservationId: reservation.id, idempotencyKey: runKey(`release/${round}`) },
    ]);
    c.step(
      `numbers quarantined (round ${round})`,
      'done',
      `${conflicts.map((x) => x.display).join(', ')} set aside; reservation ${reservation.id} released`,
    );
    if (round >= MAX_CLEAN_RESERVATION_ROUNDS) {
      throw c.fail(
        'NoCleanNumbers',
        `no clean ${where} after ${round} reservations: ${quarantined.join(', ')} are in service elsewhere and were quarantined`,
      );
    }
    const next = await billing.tryReserveNumbers.executeWithOptions(
      { summary: `reserve ${sizing.quantity} replacement number(s)` },
      [{ ...ask, idempotencyKey: runKey(`reserve/${round + 1}`) }],
    );
    if (next.status === 'insufficient-stock') {
      throw c.fail(
        'NoCleanNumbers',
        `no clean ${where} left: ${next.requested} asked, ${next.available} available; ${quarantined.join(', ')} are in service elsewhere and were quarantined`,
      );
    }
    reservation = next.reservation;
  }
}

/** Banned phrases reject a script at once; otherwise support reviews it. */
async function scriptReview(c: OnboardingCase<'number-purchase'>, input: NumberPurchaseInput): Promise<void> {
  const { timings, sizing } = input;
  const { mail } = c;
  const base = { caseId: c.state.id, companyName: input.companyName };
  let script = input.request.callScript ?? '';
  for (let round = 1; ; round++) {
    const { banned } = await checks.screenCallScript.executeWithOptions(
      { summary: `screen the call script (round ${round})` },
      [{ callScript: script }],
    );
    let reason: string;
    if (banned.length > 0) {
      reason = `the script contains banned phrase(s): ${banned.map((p) => `"${p}"`).join(', ')}`;
      c.step(`script check round ${round}`, 'failed', reason);
    } else {
      c.step(`script check round ${round}`, 'done', 'no banned phrases');
      const decision = await c.awaitAction(
        'awaiting-script-review',
        [
          { action: 'approve-script', role: 'support' },
          { action: 'reject-script', role: 'support' },
        ],
        {
          onEnter: (dueAt) =>
            mail.send(`script-review/${round}`, 'support', 'purchase-script-review', {
              ...base,
              numberType: input.request.numberType,
              quantity: sizing.quantity,
              round,
              dueAt: isoAt(dueAt ?? now()),
            }),
          remindEveryMs: timings.scriptReviewSlaMs,
          onReminder: (n, since) =>
            mail.send(`script-reminder/${round}/${n}`, 'support', 'purchase-script-reminder', {
              ...base,
              waitingSince: isoAt(since),
              reminder: n,
            }),
        },
      );
      if (decision.name === 'approve-script') return;
      reason = decision.payload.reason;
    }
    const resubmitBy = now() + timings.scriptResubmissionWindowMs;
    mail.send(`script-rejected/${round}`, input.contactEmail, 'purchase-script-rejected', {
      ...base,
      reason,
      automatic: banned.length > 0,
      resubmitBy: isoAt(resubmitBy),
    });
    const resubmitted = await c.awaitAction(
      'awaiting-script-resubmission',
      [{ action: 'resubmit-script', role: 'enterprise' }],
      {
        deadlineMs: timings.scriptResubmissionWindowMs,
      },
    );
    if (!resubmitted) throw c.fail('ScriptResubmissionWindowExpired', `no corrected script by ${isoAt(resubmitBy)}`);
    script = resubmitted.payload.callScript;
  }
}

/**
 * Charges the order. With too little balance the case waits for payment: the billing webhook
 * (order.paid) ends the wait at once, polling finds a payment whose webhook was lost, and the
 * deadline fails the case (the order is then voided by compensation). Only billing's own word
 * that the order is paid counts: an event is a prompt to ask, not proof.
 */
async function pay(
  c: OnboardingCase<'number-purchase'>,
  input: NumberPurchaseInput,
  order: Order,
  events: BillingEvents,
): Promise<Order> {
  const outcome = await billing.chargeOrder.executeWithOptions({ summary: `charge ${order.amountFen} fen` }, [
    { orderId: order.id, idempotencyKey: runKey('charge') },
  ]);
  if (outcome.status === 'paid') {
    c.step('order paid', 'done', `${outcome.value.amountFen} fen from the balance`);
    return outcome.value;
  }
  const payBy = now() + input.timings.paymentWindowMs;
  c.step('balance insufficient', 'failed', `balance ${outcome.balanceFen} fen, order ${outcome.amountFen} fen`);
  // Not an action: the enterprise pays in billing; readers see what, how much and by when.
  c.enter(
    'awaiting-payment',
    [],
    [
      {
        for: 'payment',
        role: 'enterprise',
        dueAt: isoAt(payBy),
        detail: `order ${order.id} ${(outcome.amountFen / 100).toFixed(2)} 元`,
        ...(order.checkoutUrl ? { link: order.checkoutUrl } : {}),
      },
    ],
  );
  c.mail.send('payment-required', input.contactEmail, 'purchase-payment-required', {
    caseId: c.state.id,
    companyName: input.companyName,
    orderId: order.id,
    amountFen: outcome.amountFen,
    balanceFen: outcome.balanceFen,
    payBy: isoAt(payBy),
  });
  let seen = 0;
  for (;;) {
    const wait = Math.max(1, Math.min(input.timings.paymentPollMs, payBy - now()));
    const prompted = await condition(
      () => events.events.filter((e) => e.type === 'order.paid' && e.orderId === order.id).length > seen,
      wait,
    );
    seen = events.events.filter((e) => e.type === 'order.paid' && e.orderId === order.id).length;
    const current = await billing.getOrder.executeWithOptions(
      { summary: prompted ? 'read the order billing says is paid' : 'poll the order for payment' },
      [order.id],
    );
    if (current.status === 'paid') {
      c.step(
        'order paid',
        'done',
        prompted ? 'billing webhook order.paid, confirmed by billing' : 'found by polling billing',
      );
      return current;
    }
    if (prompted)
      c.step('order.paid not confirmed', 'failed', `billing says order ${order.id} is ${current.status}; waiting on`);
    if (now() >= payBy) throw c.fail('PaymentDeadlinePassed', `order ${order.id} was not paid by ${isoAt(payBy)}`);
  }
}
