/**
 * Number purchase with mocked billing and gateway: the happy path of a 400 number, and every
 * way a purchase fails or is cancelled, with the billing undo it registered before its steps.
 */
import { describe, expect, it } from 'vitest';
import { billingEventSignal, cancelRequestedSignal } from '../../contract/case';
import { numberPurchase, subscriptionIdFor } from '../../workflows/number-purchase';
import { purchaseInput } from './inputs';
import { enterprise, support } from './actors';
import { act, cancelledOutcome, failureOf, stageOf, stateOf, stepNames, until } from './cases';
import { gate, NUMBERS, order, type Scenario, starter, useWorkflowEnv } from './support';
import type { ChargeOutcome, Order } from '../../activities/billing';

const env = useWorkflowEnv();

const insufficient = async () => ({ status: 'insufficient-balance' as const, balanceFen: 100, amountFen: 30_000 });
const unpaid = async () => order({ status: 'unpaid' });

const start = starter(env, numberPurchase, purchaseInput, 'number-purchase');

/** Starts a purchase and approves its call script, as support does for every number type. */
async function startApproved(
  s: Scenario,
  ...rest: Parameters<typeof purchaseInput> extends [unknown, ...infer R] ? R : never
) {
  const h = await start(s, ...rest);
  await stageOf(h, 'awaiting-script-review');
  await act(h, 'number-purchase', 'approve-script', support, {});
  return h;
}

/** The billing undo, as the purchase registered it before its first billing write. */
function expectBillingUndone(s: Scenario) {
  expect(s.argsOf('undoPurchase')).toEqual([
    {
      reference: s.id('number-purchase'),
      reason: 'purchase not completed',
      idempotencyKey: expect.stringMatching(new RegExp(`^${s.id('number-purchase')}/.+/undo-billing$`)),
    },
  ]);
}

describe.concurrent('number purchase', () => {
  it('buys 400 numbers: script reviewed, reserve, order, charge, assign, routing confirmed, subscription started', async () => {
    const s = env.scenario();
    const h = await start(s, { numberType: '400', areaCode: undefined, scenario: 'inbound' });
    // Inbound-only 400 numbers pass the script review too: nothing is reserved before it.
    await stageOf(h, 'awaiting-script-review');
    expect(s.calls('reserveNumbers')).toHaveLength(0);
    expect(s.argsOf('screenCallScript')).toEqual([
      { callScript: '您好，这里是示例科技客服中心，请问有什么可以帮您？' },
    ]);
    await act(h, 'number-purchase', 'approve-script', support, {});
    await stageOf(h, 'awaiting-400-routing');
    const routed = await act(h, 'number-purchase', 'confirm-400-routing', support, { note: 'routed' });
    expect(routed.stage).not.toBe('awaiting-400-routing');

    const result = await h.result();
    const subscriptionId = subscriptionIdFor(s.enterpriseId, 'ORD-1');
    expect(result).toMatchObject({
      orderId: 'ORD-1',
      numbers: NUMBERS.display,
      numbersE164: NUMBERS.e164,
      numberType: '400',
      subscriptionId,
      instanceId: 'cc-1',
    });
    const id = s.id('number-purchase');
    expect(s.argsOf('reserveNumbers')).toEqual([
      {
        customerId: 'cust-1',
        type: '400',
        quantity: 2,
        ttlSeconds: 900,
        reference: id,
        idempotencyKey: expect.stringContaining(`${id}/`),
      },
    ]);
    expect(s.argsOf('createOrder')).toEqual([
      {
        customerId: 'cust-1',
        reservationId: 'RES-1',
        prepaidMonths: 3,
        reference: id,
        idempotencyKey: expect.stringContaining(`${id}/`),
      },
    ]);
    expect(s.argsOf('chargeOrder')).toEqual([{ orderId: 'ORD-1', idempotencyKey: expect.stringMatching(/\/charge$/) }]);
    expect(s.argsOf('assignNumbers')).toEqual([
      { instanceId: 'cc-1', numbers: NUMBERS.e164, ivrFlowId: 'ivr-1', origin: 'purchased', reference: id },
    ]);
    expect(s.argsOf('platformAssignNumbers')).toEqual([
      {
        instanceId: 'cc-1',
        numbers: NUMBERS.e164,
        binding: { ivrFlowId: 'ivr-1' },
        reference: id,
        idempotencyKey: `${id}/platform-assign`,
      },
    ]);
    expect(s.calls('undoPurchase')).toHaveLength(0);
    expect(s.calls('unassignNumbers')).toHaveLength(0);
    expect(s.emails().map((e) => [e.template, e.to])).toEqual([
      ['purchase-script-review', 'support'],
      ['purchase-400-routing', 'support'],
      ['purchase-activated', 'ops@example.cn'],
    ]);
    const state = await stateOf(h);
    expect(state.related).toEqual([
      { id: subscriptionId, kind: 'number-subscription', relation: "the numbers' subscription" },
    ]);

    // The numbers now live in their subscription, which outlives the purchase.
    const subscription = env.client.workflow.getHandle(subscriptionId);
    expect((await stageOf(subscription, 'active')).enterpriseId).toBe(s.enterpriseId);
    await subscription.terminate('test over');
  });

  it('rejects a script with a banned phrase at once; the corrected one is reviewed and the fixed lines bought', async () => {
    const s = env.scenario({
      screenCallScript: async ({ callScript }) => ({ banned: callScript.includes('加微信') ? ['加微信'] : [] }),
    });
    const h = await start(s, { scenario: 'outbound', callScript: '您好，请加微信了解我们的课程优惠。' });
    await stageOf(h, 'awaiting-script-resubmission');
    const rejectedMail = await until(() => s.emails('purchase-script-rejected')[0], 'the rejection email');
    expect(rejectedMail.data).toMatchObject({ automatic: true, reason: expect.stringContaining('"加微信"') });
    const resubmitted = await act(h, 'number-purchase', 'resubmit-script', enterprise(s.enterpriseId), {
      callScript: '您好，这里是示例教育的课程回访电话。',
    });
    expect(resubmitted.stage).not.toBe('awaiting-script-resubmission');
    await stageOf(h, 'awaiting-script-review');
    await act(h, 'number-purchase', 'approve-script', support, {});

    const result = await h.result();
    expect(result).toMatchObject({ numberType: 'fixed-line', orderId: 'ORD-1' });
    expect(s.argsOf('screenCallScript').map((x) => x.callScript)).toEqual([
      '您好，请加微信了解我们的课程优惠。',
      '您好，这里是示例教育的课程回访电话。',
    ]);
    expect(s.argsOf('reserveNumbers')[0]).toMatchObject({ type: 'fixed-line', areaCode: '020' });
    const state = await stateOf(h);
    expect(state.steps.find((x) => x.name === 'script check round 1')).toMatchObject({ status: 'failed' });
    expect(state.steps.find((x) => x.name === 'script check round 2')).toMatchObject({ status: 'done' });
    await env.client.workflow.getHandle(subscriptionIdFor(s.enterpriseId, 'ORD-1')).terminate('test over');
  });

  it('fails at the payment deadline and voids the order (undoPurchase)', async () => {
    const s = env.scenario({ chargeOrder: insufficient, getOrder: unpaid });
    const h = await startApproved(s, {}, { paymentWindowMs: 600, paymentPollMs: 150 });

    const failure = await failureOf(h);
    expect(failure.type).toBe('PaymentDeadlinePassed');
    expectBillingUndone(s);
    // Polled billing while it waited (how often depends on how loaded the machine is).
    expect(s.argsOf('getOrder').length).toBeGreaterThanOrEqual(1);
    expect(new Set(s.argsOf('getOrder'))).toEqual(new Set(['ORD-1']));
    expect(s.calls('assignNumbers')).toHaveLength(0);
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'failed', stage: 'failed', error: { type: 'PaymentDeadlinePassed' } });
    expect(state.steps.find((x) => x.name === 'compensation: undo billing')).toMatchObject({
      status: 'done',
      detail: 'order ORD-1 voided',
    });
    expect(stepNames(state).filter((n) => n.startsWith('compensation'))).toEqual(['compensation: undo billing']);
    expect(s.templates()).toEqual(['purchase-script-review', 'purchase-payment-required', 'purchase-failed']);
    expect(s.emails('purchase-failed')[0]?.data).toMatchObject({
      undone: ['undo billing'],
      reason: expect.stringContaining('ORD-1 was not paid'),
    });
  });

  it('fails when no corrected script comes within the window, with nothing in billing to undo', async () => {
    const s = env.scenario();
    const h = await start(
      s,
      { scenario: 'outbound', callScript: '您好，这里是示例科技的客户回访电话。' },
      { scriptResubmissionWindowMs: 400 },
    );
    await stageOf(h, 'awaiting-script-review');
    const rejected = await act(h, 'number-purchase', 'reject-script', support, { reason: '话术缺少公司名称' });
    expect(rejected.stage).toBe('awaiting-script-resubmission');

    const failure = await failureOf(h);
    expect(failure.type).toBe('ScriptResubmissionWindowExpired');
    expect(s.argsOf('screenCallScript')).toEqual([{ callScript: '您好，这里是示例科技的客户回访电话。' }]);
    expect(s.calls('reserveNumbers')).toHaveLength(0);
    expect(s.calls('undoPurchase')).toHaveLength(0);
    const state = await stateOf(h);
    expect(stepNames(state).filter((n) => n.startsWith('compensation'))).toEqual([]);
    expect(s.templates()).toEqual(['purchase-script-review', 'purchase-script-rejected', 'purchase-failed']);
    expect(s.emails('purchase-script-rejected')[0]?.data).toMatchObject({
      reason: '话术缺少公司名称',
      automatic: false,
    });
    expect(s.emails('purchase-failed')[0]?.data).toMatchObject({ undone: [] });
  });

  it('takes an order.paid event only as a prompt: billing says unpaid, nothing activates, the deadline voids the order', async () => {
    const s = env.scenario({ chargeOrder: insufficient, getOrder: unpaid });
    const h = await startApproved(s, {}, { paymentWindowMs: 2_000, paymentPollMs: 60_000 });
    await stageOf(h, 'awaiting-payment');
    await h.signal(billingEventSignal, { eventId: 'evt-forged', type: 'order.paid', orderId: 'ORD-1' });

    const prompted = await until(async () => {
      const state = await stateOf(h);
      return state.steps.find((x) => x.name === 'order.paid not confirmed');
    }, 'the unconfirmed order.paid');
    expect(prompted.detail).toContain('ORD-1 is unpaid');
    expect(s.argsOf('getOrder')[0]).toBe('ORD-1');

    expect((await failureOf(h)).type).toBe('PaymentDeadlinePassed');
    expect(s.calls('assignNumbers')).toHaveLength(0);
    expectBillingUndone(s);
    expect(s.templates()).not.toContain('purchase-activated');
  });

  it('undoes billing when cancelled while the charge is in flight', async () => {
    const charge = gate<ChargeOutcome<Order>>();
    const s = env.scenario({ chargeOrder: charge.behaviour });
    const h = await startApproved(s);
    await charge.started;
    await h.signal(cancelRequestedSignal, { actor: enterprise(s.enterpriseId), reason: '改用其他号码' });
    await h.cancel();

    expect(await cancelledOutcome(h)).toBe(true);
    expect(await charge.ended).toBe('cancelled');
    expectBillingUndone(s);
    expect(s.calls('assignNumbers')).toHaveLength(0);
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'cancelled', stage: 'cancelled', error: { type: 'Cancelled' } });
    expect(stepNames(state)).toEqual([
      'sized',
      'script check round 1',
      'approve-script',
      'numbers reserved',
      'order created',
      'cancel requested',
      'compensation: undo billing',
    ]);
    expect(s.emails().map((e) => [e.template, e.to])).toEqual([
      ['purchase-script-review', 'support'],
      ['case-cancelled', 'ops@example.cn'],
    ]);
    expect(s.emails('case-cancelled')[0]?.data).toMatchObject({
      reason: '改用其他号码',
      caseId: s.id('number-purchase'),
    });
  });
});
