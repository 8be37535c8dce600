import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NumberAssignment, SipGateway } from '../../activities/sip-gateway';
import type { OnboardingResource } from '../../domain/onboarding';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../sandboxes/billing/webhook-signature';
import { RecordingSipGateway } from '../../activities/sip-gateway-recording';
import { instanceFor, platformCall, verifiedEnterprise, type TestInstance } from '../support/fixtures';
import { bindingOf, expectErrors } from '../support/api';
import { recordHistory } from '../support/histories';
import { crashMidActivity, expectCompletedOnRetry, workerInItsOwnProcess } from '../support/worker-crash';
import {
  bearer,
  billingCall,
  caseApi,
  caseWhen,
  eventually,
  sandboxRequests,
  startHarness,
  type Harness,
} from '../support/harness';

/** Instances the SBC refuses numbers for (real on the platform, so the API lets the purchase start). */
const brokenInstances = new Set<string>();

/** The recording gateway, except for instances named to fail: activation then fails for good. */
class FailingForSomeInstances implements SipGateway {
  readonly mode = 'recording';
  constructor(private readonly inner: RecordingSipGateway) {}
  async assignNumbers(a: NumberAssignment) {
    if (brokenInstances.has(a.instanceId))
      throw ApplicationFailure.create({
        type: 'InstanceNotFound',
        message: `no instance ${a.instanceId}`,
        nonRetryable: true,
      });
    return this.inner.assignNumbers(a);
  }
  unassignNumbers(input: { numbers: string[]; reference: string }) {
    return this.inner.unassignNumbers(input);
  }
  assignments(filter?: { instanceId?: string; number?: string }) {
    return this.inner.assignments(filter);
  }
}

let h: Harness;
let customerA: string;
/** The enterprises' contact-center instances, created on the platform first. */
let mainA: TestInstance;
let mainB: TestInstance;
const SCRIPT = '您好，这里是示例科技客服中心，来电回访您近期的售后服务体验，耽误您一分钟时间。';

beforeAll(async () => {
  const recorder = new RecordingSipGateway(
    path.join(process.env.TMPDIR ?? '/tmp', `sip-${Date.now()}-${Math.random()}.json`),
  );
  h = await startHarness(
    { PURCHASE_PAYMENT_POLL: '30s', PURCHASE_PAYMENT_WINDOW: '1h', SUBSCRIPTION_PERIOD: '1h' },
    { sipGateway: new FailingForSomeInstances(recorder) },
  );
  customerA = await verifiedEnterprise(h, h.enterprises.a, h.tokens.entA);
  mainA = await instanceFor(h, h.enterprises.a);
  mainB = await instanceFor(h, h.enterprises.b);
});

afterAll(async () => {
  await h?.stop();
});

const asA = () => bearer(h.tokens.entA);
const { start, attemptStart, act, attempt, cancel, stageWhen, mailWhen, bodyOf } = caseApi(() => h);

const purchase = bodyOf('number-purchase', () => ({
  numberType: 'fixed-line',
  areaCode: '020',
  peakConcurrentCalls: 40,
  scenario: 'both',
  callScript: SCRIPT,
  autoRenew: true,
  binding: bindingOf(mainA),
}));

async function topUp(customerId: string, amountFen: number) {
  const res = await billingCall(h, 'POST', `/v1/customers/${customerId}/credits`, { amountFen, note: 'test top-up' });
  expect(res.status).toBe(201);
}

async function balance(customerId: string): Promise<number> {
  return (await billingCall<{ balanceFen: number }>(h, 'GET', `/v1/customers/${customerId}`)).body.balanceFen;
}

describe('number purchase through the API', () => {
  it('sizes 40 concurrent calls as 2 numbers, reviews the script with a manual rejection, charges, activates and starts the subscription', async () => {
    await topUp(customerA, 100_000);
    const before = await balance(customerA);
    const id = await start(purchase());
    await stageWhen(id, 'awaiting-script-review');

    const rejected = await act(id, 'reject-script', h.tokens.support, { reason: '请补充说明外呼对象来源' });
    expect(rejected.stage).toBe('awaiting-script-resubmission');
    const mail = await mailWhen(id, 'purchase-script-rejected');
    expect(mail.text).toContain('请补充说明外呼对象来源');
    await act(id, 'resubmit-script', h.tokens.entA, { callScript: `${SCRIPT} 外呼对象为已购买产品的老客户。` });
    await stageWhen(id, 'awaiting-script-review');
    await act(id, 'approve-script', h.tokens.support, { note: 'ok' });

    const done = await caseWhen(h, id, (c) => c.status === 'completed', 'purchase completed');
    const result = done.result as Record<string, any>;
    expect(result.sizing).toMatchObject({
      quantity: 2,
      method: 'peak-concurrency',
      peakConcurrentCalls: 40,
      callsPerNumber: 30,
    });
    expect(result.sizing.explanation).toContain('ceil(40');
    expect(result.numbers).toHaveLength(2);
    for (const n of result.numbers as string[]) expect(n).toMatch(/^020-\d{8}$/);
    expect(result.amountFen).toBe(2 * 3 * result.monthlyRentFen);
    expect(await balance(customerA)).toBe(before - result.amountFen);

    const assigned = await h.sipGateway.assignments({ instanceId: mainA.instanceId });
    expect(assigned.map((a) => a.number).sort()).toEqual([...result.numbersE164].sort());
    expect(assigned[0]).toMatchObject({
      ivrFlowId: mainA.defaults.ivrFlowId,
      skillGroupId: mainA.defaults.skillGroupId,
      reference: id,
    });
    // The contact center has them too, on the instance and bound as asked.
    const inPlatform = (
      await platformCall<{ items: { number: string; reference: string; binding: Record<string, unknown> }[] }>(
        h,
        'GET',
        `/v1/instances/${mainA.instanceId}/numbers`,
      )
    ).body.items;
    expect(inPlatform.map((n) => n.number).sort()).toEqual([...result.numbersE164].sort());
    for (const n of inPlatform) {
      expect(n).toMatchObject({
        reference: id,
        binding: {
          appId: null,
          ivrFlowId: mainA.defaults.ivrFlowId,
          skillGroupId: mainA.defaults.skillGroupId,
          callingRules: null,
        },
      });
    }

    const activated = await mailWhen(id, 'purchase-activated');
    for (const n of result.numbers as string[]) expect(activated.text).toContain(n);

    const subs = await h.api
      .get('/v1/onboardings')
      .query({ kind: 'number-subscription' })
      .set(...asA());
    expect(subs.body.items.map((i: { id: string }) => i.id)).toContain(result.subscriptionId);
    const sub = await h.api.get(`/v1/onboardings/${result.subscriptionId}`).set(...asA());
    expect(sub.body).toMatchObject({ kind: 'number-subscription', status: 'running', stage: 'active' });
    await recordHistory(h.client, id, 'number-purchase-fixed-line-script-rejected-then-paid');
  });

  it('rejects a script with a banned phrase automatically, naming the phrase', async () => {
    const id = await start(
      purchase({
        callScript: '您好，优惠活动详情请加微信 abc123 了解，谢谢您的接听。',
        peakConcurrentCalls: undefined,
        quantity: 1,
      }),
    );
    const state = await stageWhen(id, 'awaiting-script-resubmission');
    expect(state.steps.find((s) => s.name === 'script check round 1')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('"加微信"'),
    });
    const mail = await mailWhen(id, 'purchase-script-rejected');
    expect(mail.text).toContain('加微信');
    // The review never reached support.
    expect(h.mail.forCase(id).some((m) => m.event === 'purchase-script-review')).toBe(false);
    await act(id, 'resubmit-script', h.tokens.entA, { callScript: SCRIPT });
    await stageWhen(id, 'awaiting-script-review');
    await cancel(id, h.tokens.entA);
  });

  it('refuses fixed lines to a natural-person sole proprietorship but sells it 400 numbers; gates on verification', async () => {
    const none = await attemptStart(purchase({ enterpriseId: h.enterprises.b }), h.tokens.entB);
    expect(none.status).toBe(409);
    expect(none.body.detail).toContain(`verification-${h.enterprises.b}`);

    await verifiedEnterprise(h, h.enterprises.b, h.tokens.entB, 'sole-proprietorship');
    const fixed = await attemptStart(
      purchase({ enterpriseId: h.enterprises.b, binding: bindingOf(mainB) }),
      h.tokens.entB,
    );
    expectErrors(fixed, 422, [{ path: 'numberType', code: 'sole-proprietorship-fixed-line' }]);

    const outbound400 = await attemptStart(
      purchase({ enterpriseId: h.enterprises.b, numberType: '400', areaCode: undefined, scenario: 'outbound' }),
      h.tokens.entB,
    );
    expectErrors(outbound400, 400, [{ path: 'scenario', message: '400 numbers are inbound only' }]);

    const badArea = await attemptStart(purchase({ enterpriseId: h.enterprises.b, areaCode: '099' }), h.tokens.entB);
    expect(badArea.status).toBe(400);
    expect(badArea.body.errors[0].path).toBe('areaCode');
  });

  it('waits for payment when the balance is short, and goes on when billing reports the payment by webhook', async () => {
    const customerB = (await billingCall<{ id: string }>(h, 'GET', `/v1/customers?enterpriseId=${h.enterprises.b}`))
      .body.id;
    const inbound400 = purchase({
      enterpriseId: h.enterprises.b,
      numberType: '400',
      areaCode: undefined,
      scenario: 'inbound',
      callScript: '您好，欢迎致电示例科技客服热线，请问有什么可以帮您？',
      quantity: 1,
      peakConcurrentCalls: undefined,
      binding: { instanceId: mainB.instanceId },
    });
    // A 400 number, inbound only, still needs its script for review.
    const noScript = await attemptStart({ ...inbound400, callScript: undefined }, h.tokens.entB);
    expect(noScript.status).toBe(400);
    expect(noScript.body.errors.map((e: { path: string }) => e.path)).toEqual(['callScript']);
    const id = await start(inbound400, h.tokens.entB);
    await stageWhen(id, 'awaiting-script-review');
    await act(id, 'approve-script', h.tokens.support);
    const waiting = await stageWhen(id, 'awaiting-payment');
    expect(waiting.steps.some((s) => s.name === 'balance insufficient')).toBe(true);
    // Not an action, but a wait all the same: who pays what, by when.
    expect(waiting.awaiting).toEqual([
      expect.objectContaining({
        for: 'payment',
        role: 'enterprise',
        dueAt: expect.any(String),
        detail: expect.stringMatching(/^order \S+ \d+\.\d{2} 元$/),
        link: expect.stringMatching(new RegExp(`^${h.config.billing.url}/_sandbox/checkout/ord_`)),
      }),
    ]);
    const mail = await mailWhen(id, 'purchase-payment-required');
    const orderId = /订单 (\S+) 应付/.exec(mail.text)![1]!;

    // A signed order.paid that billing does not back (forged, or replayed from another order's life)
    // activates nothing: the case asks billing, which says unpaid.
    const forged = JSON.stringify({ id: `evt_forged_${id}`, type: 'order.paid', data: { id: orderId, reference: id } });
    const deliver = (body: string) =>
      h.api
        .post('/v1/webhooks/billing')
        .set('content-type', 'application/json')
        .set(WEBHOOK_SIGNATURE_HEADER, signWebhook(h.config.billing.webhookSecret, body, Math.floor(Date.now() / 1000)))
        .send(body);
    expect((await deliver(forged)).body).toEqual({ delivered: true, caseId: id });
    const unconfirmed = await caseWhen(
      h,
      id,
      (c) => c.steps.some((s) => s.name === 'order.paid not confirmed'),
      'event checked with billing',
    );
    expect(unconfirmed.stage).toBe('awaiting-payment');

    // The enterprise follows the wait's link to billing's checkout, sees what it pays, and pays.
    const link = waiting.awaiting[0]!.link!;
    expect(link).toContain(orderId);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(orderId);
    expect(html).toContain(waiting.awaiting[0]!.detail!.split(' ')[2]!);
    const paid = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    expect(await (await fetch(link)).text()).toContain('paid');
    // The webhook (not the 30 s poll) moves the case on to 400 routing.
    const routing = await stageWhen(id, 'awaiting-400-routing', 15_000);
    expect(routing.steps.find((s) => s.name === 'order paid')?.detail).toContain('webhook');
    // The same event again once the case has moved on changes nothing.
    const replay = JSON.stringify({
      id: `evt_replayed_${id}`,
      type: 'order.paid',
      data: { id: orderId, reference: id },
    });
    expect((await deliver(replay)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const after = (await h.api.get(`/v1/onboardings/${id}`).set(...bearer(h.tokens.support)))
      .body as OnboardingResource;
    expect(after.stage).toBe('awaiting-400-routing');
    expect(after.steps.map((s) => s.name)).toEqual(routing.steps.map((s) => s.name));
    await eventually(
      () =>
        h.mail.forCase(id).find((m) => m.event === 'purchase-400-routing' && m.to === h.config.email.supportAddress),
      10_000,
      'routing email',
    );

    const early = await attempt(id, 'confirm-400-routing', h.tokens.entB);
    expect(early.status).toBe(403);
    await act(id, 'confirm-400-routing', h.tokens.support, { note: '路由已配置' });
    const done = await caseWhen(h, id, (c) => c.status === 'completed', 'completed');
    expect((done.result as { numbers: string[] }).numbers[0]).toMatch(/^400-\d{3}-\d{4}$/);
    expect(await balance(customerB)).toBe(0);
    // And after it closed: nothing to deliver to.
    expect((await deliver(replay)).body).toEqual({ delivered: false, caseId: id });
  });

  it('starts nothing when the binding names another enterprise’s instance, or an IVR flow or skill group not in the instance (422)', async () => {
    const listed = async () =>
      (
        await h.api
          .get(`/v1/onboardings?kind=number-purchase&enterpriseId=${h.enterprises.a}`)
          .set(...bearer(h.tokens.support))
      ).body.items.length as number;
    const before = await listed();
    const naming = (text: string) => expect.stringContaining(text);
    // Another enterprise's instance, an IVR flow and a skill group not in the instance, an invented instance.
    const refusals: [binding: object, errors: object[]][] = [
      [
        { instanceId: mainB.instanceId },
        [{ path: 'binding.instanceId', code: 'instance-not-found', message: naming(mainB.instanceId) }],
      ],
      [
        { instanceId: mainA.instanceId, ivrFlowId: 'ivr-nope', skillGroupId: 'sg-nope' },
        [
          { path: 'binding.ivrFlowId', code: 'ivr-flow-not-found', message: naming('ivr-nope') },
          { path: 'binding.skillGroupId', code: 'skill-group-not-found', message: naming('sg-nope') },
        ],
      ],
      [{ instanceId: 'cc-a-main' }, [{ path: 'binding.instanceId', code: 'instance-not-found' }]],
    ];
    for (const [binding, errors] of refusals) expectErrors(await attemptStart(purchase({ binding })), 422, errors);
    expect(await listed()).toBe(before);
  });

  it('refunds and releases in reverse order when activation fails', async () => {
    await topUp(customerA, 50_000);
    const before = await balance(customerA);
    const broken = await instanceFor(h, h.enterprises.a);
    brokenInstances.add(broken.instanceId);
    const id = await start(
      purchase({ quantity: 1, peakConcurrentCalls: undefined, binding: { instanceId: broken.instanceId } }),
    );
    await stageWhen(id, 'awaiting-script-review');
    await act(id, 'approve-script', h.tokens.support);
    const failed = await caseWhen(h, id, (c) => c.status === 'failed', 'failed');
    expect(failed.error).toMatchObject({ type: 'InstanceNotFound' });
    await recordHistory(h.client, id, 'number-purchase-activation-failed-compensated');
    const names = failed.steps.map((s) => s.name);
    // Newest first: the assignment that failed is undone (nothing there), then billing.
    expect(names.filter((n) => n.startsWith('compensation:'))).toEqual([
      'compensation: unassign the numbers',
      'compensation: undo billing',
    ]);
    const billingUndo = failed.steps.find((s) => s.name === 'compensation: undo billing');
    expect(billingUndo?.detail).toMatch(/^order ord_\w+ refunded \(\d+ fen\)$/);
    expect(await balance(customerA)).toBe(before);
    const orders = await billingCall<{ status: string; reference: string }[]>(h, 'GET', `/v1/orders?reference=${id}`);
    expect(orders.body.map((o) => o.status)).toEqual(['refunded']);
    expect((await mailWhen(id, 'purchase-failed')).text).toContain('undo billing');
  });

  it('charges exactly once when the worker is killed with SIGKILL during the charge', async () => {
    await topUp(customerA, 50_000);
    const before = await balance(customerA);
    const worker = await workerInItsOwnProcess(h);
    try {
      const id = await start(
        purchase({
          quantity: 1,
          peakConcurrentCalls: undefined,
          callScript: SCRIPT,
          binding: { instanceId: (await instanceFor(h, h.enterprises.a)).instanceId },
        }),
      );
      await stageWhen(id, 'awaiting-script-review');
      h.billing.setFaults({ latencyMs: 1_500 });
      await act(id, 'approve-script', h.tokens.support);
      await stageWhen(id, 'charging', 20_000);
      // The charge request is in flight (slowed by the sandbox): kill the worker now.
      await crashMidActivity(h, worker, id, 'chargeOrder');
      const done = await caseWhen(h, id, (c) => c.status === 'completed', 'completed after the crash', 90_000);
      const amount = (done.result as { amountFen: number }).amountFen;
      expect(await balance(customerA)).toBe(before - amount);
      const charges = (await sandboxRequests(h, { method: 'POST' })).filter(
        (r) => r.path.endsWith('/charge') && r.idempotencyKey?.includes(id) && r.status === 200 && !r.replayed,
      );
      expect(charges).toHaveLength(1);
      await expectCompletedOnRetry(h, id, 'chargeOrder');
    } finally {
      await worker.kill();
    }
  }, 150_000);
});
