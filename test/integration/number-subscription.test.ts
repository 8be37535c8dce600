import { randomUUID } from 'node:crypto';
import { TypedSearchAttributes } from '@temporalio/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { EnterpriseIdKey, OnboardingKindKey } from '../../domain/search-attributes';
import type { SubscriptionInput } from '../../contract/inputs';
import { formatNumber } from '../../domain/numbers';
import { instanceFor, platformCall, type TestInstance } from '../support/fixtures';
import { recordHistory } from '../support/histories';
import { billingCall, caseApi, caseWhen, useHarness } from '../support/harness';

// A "month" is 3 seconds here, reminders come 2 s and 1 s before expiry, grace is 3 s.
let customerId: string;
let instance: TestInstance;

const h = useHarness({ SUBSCRIPTION_PERIOD: '3s', SUBSCRIPTION_REMINDERS: '2s,1s', SUBSCRIPTION_GRACE: '3s' });
const { act, attempt, mailWhen } = caseApi(() => h);
beforeAll(async () => {
  const created = await billingCall<{ id: string }>(h, 'POST', '/v1/customers', {
    enterpriseId: h.enterprises.a,
    name: '广州示例科技有限公司',
    contactEmail: 'ops@example.cn',
  });
  customerId = created.body.id;
  instance = await instanceFor(h, h.enterprises.a);
});

async function platformNumbers(): Promise<string[]> {
  return (
    await platformCall<{ items: { number: string }[] }>(h, 'GET', `/v1/instances/${instance.instanceId}/numbers`)
  ).body.items.map((n) => n.number);
}

/** Buys one number in the sandbox, assigns it, and starts its subscription directly. */
async function subscription(opts: { autoRenew: boolean; balanceFen: number; paidForMs: number }) {
  const reference = `test-${randomUUID().slice(0, 8)}`;
  const reservation = await billingCall<{ id: string; numbers: string[] }>(h, 'POST', '/v1/reservations', {
    customerId,
    type: 'fixed-line',
    areaCode: '021',
    quantity: 1,
    reference,
  });
  expect(reservation.status).toBe(201);
  await billingCall(h, 'POST', `/v1/customers/${customerId}/credits`, { amountFen: 1_000_000 });
  const order = await billingCall<{ id: string; amountFen: number; monthlyRentFen: number; numbers: string[] }>(
    h,
    'POST',
    '/v1/orders',
    { customerId, reservationId: reservation.body.id, prepaidMonths: 1, reference },
  );
  expect((await billingCall(h, 'POST', `/v1/orders/${order.body.id}/charge`, {})).status).toBe(200);
  // Leave exactly the balance the test wants.
  const balance = (await billingCall<{ balanceFen: number }>(h, 'GET', `/v1/customers/${customerId}`)).body.balanceFen;
  if (balance > opts.balanceFen)
    await billingCall(h, 'POST', '/v1/charges', {
      customerId,
      amountFen: balance - opts.balanceFen,
      description: 'test: drain',
      reference,
    });
  await h.sipGateway.assignNumbers({
    instanceId: instance.instanceId,
    numbers: order.body.numbers,
    origin: 'purchased',
    reference,
  });
  expect(
    (
      await platformCall(h, 'POST', `/v1/instances/${instance.instanceId}/numbers`, {
        numbers: order.body.numbers,
        binding: {},
        reference,
      })
    ).status,
  ).toBeLessThan(300);

  const id = `number-subscription-${h.enterprises.a}-${reference}`;
  const input: SubscriptionInput = {
    enterpriseId: h.enterprises.a,
    customerId,
    companyName: '广州示例科技有限公司',
    contactEmail: 'ops@example.cn',
    orderId: order.body.id,
    purchaseId: reference,
    numbers: { e164: order.body.numbers, display: order.body.numbers.map(formatNumber) },
    numberType: 'fixed-line',
    instanceId: instance.instanceId,
    monthlyRentFen: order.body.monthlyRentFen,
    paidThrough: Date.now() + opts.paidForMs,
    autoRenew: opts.autoRenew,
    timings: h.config.timings.subscription,
    renewals: 0,
    carriedSteps: [],
  };
  await h.client.workflow.start('numberSubscription', {
    workflowId: id,
    taskQueue: h.config.temporal.taskQueue,
    args: [input],
    memo: { kind: 'number-subscription', enterpriseId: h.enterprises.a, requestHash: '', createdBy: 'test' },
    typedSearchAttributes: new TypedSearchAttributes([
      { key: EnterpriseIdKey, value: h.enterprises.a },
      { key: OnboardingKindKey, value: 'number-subscription' },
    ]),
  });
  return { id, number: order.body.numbers[0]!, rent: order.body.monthlyRentFen, reference };
}

async function numberStatus(number: string): Promise<string> {
  const list = await billingCall<
    { number: string; status: string }[] | { items: { number: string; status: string }[] }
  >(h, 'GET', `/v1/numbers?type=fixed-line&areaCode=021`);
  const items = Array.isArray(list.body) ? list.body : list.body.items;
  return items.find((n) => n.number === number)?.status ?? 'absent';
}

async function historyLength(id: string, runId?: string): Promise<number> {
  const history = await h.client.workflow.getHandle(id, runId).fetchHistory();
  return history.events?.length ?? 0;
}

describe('number subscription', () => {
  it('renews automatically each period, continuing as new with a bounded history', async () => {
    const sub = await subscription({ autoRenew: true, balanceFen: 1_000_000, paidForMs: 1_000 });
    const renewed = await caseWhen(
      h,
      sub.id,
      (c) => (c.result as { renewals?: number } | null)?.renewals === 2,
      'two renewals',
      30_000,
    );
    expect(renewed.stage).toBe('active');
    expect(renewed.steps.filter((s) => s.name === 'renewal (automatic)' && s.status === 'done')).toHaveLength(2);

    const charges = await billingCall<
      { reference: string; amountFen: number }[] | { items: { reference: string; amountFen: number }[] }
    >(h, 'GET', `/v1/charges?customerId=${customerId}&reference=${sub.id}`);
    const items = Array.isArray(charges.body) ? charges.body : charges.body.items;
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.every((c) => c.amountFen === sub.rent)).toBe(true);
    expect(await numberStatus(sub.number)).toBe('sold');

    // Each period is its own run; a run's history does not grow with the subscription's age.
    const runs: string[] = [];
    for await (const info of h.client.workflow.list({ query: `WorkflowId = '${sub.id}'` })) runs.push(info.runId);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const runId of runs) expect(await historyLength(sub.id, runId)).toBeLessThan(80);
    const emails = h.mail.forCase(sub.id).filter((m) => m.event === 'subscription-renewed');
    expect(emails.length).toBeGreaterThanOrEqual(2);
    await h.client.workflow.getHandle(sub.id).terminate('test over');
  });

  it('reminds before expiry, keeps the numbers through grace, then releases them when nobody renews', async () => {
    // Paid for 5 s: the reminders (2 s and 1 s before expiry) fall well after the start.
    const sub = await subscription({ autoRenew: false, balanceFen: 0, paidForMs: 5_000 });
    const released = await caseWhen(h, sub.id, (c) => c.status === 'completed', 'released', 30_000);
    expect(released.result).toMatchObject({ status: 'released', renewals: 0 });
    const names = released.steps.map((s) => s.name);
    expect(names.filter((n) => n === 'renewal reminder')).toHaveLength(2);
    expect(h.mail.forCase(sub.id).filter((m) => m.event === 'subscription-reminder')).toHaveLength(2);
    expect(names).toEqual(expect.arrayContaining(['expired', 'numbers released']));
    const events = h.mail.forCase(sub.id).map((m) => m.event);
    expect(events).toEqual(
      expect.arrayContaining(['subscription-reminder', 'subscription-in-grace', 'subscription-released']),
    );
    // Off sale while the operator holds it, for the enterprise to recover (003 Q9).
    expect(await numberStatus(sub.number)).toBe('released');
    expect(await h.sipGateway.assignments({ number: sub.number })).toEqual([]);
    await recordHistory(h.client, sub.id, 'number-subscription-grace-then-release');
  });

  it('keeps the numbers when the enterprise renews inside the grace period', async () => {
    const sub = await subscription({ autoRenew: false, balanceFen: 0, paidForMs: 500 });
    await caseWhen(h, sub.id, (c) => c.stage === 'grace', 'grace', 15_000);
    // Accepted, though the balance cannot pay for it.
    await act(sub.id, 'renew', h.tokens.entA);
    const failedRenewal = await caseWhen(
      h,
      sub.id,
      (c) => c.steps.some((s) => s.name === 'renewal (by the enterprise)' && s.status === 'failed'),
      'renewal refused for balance',
    );
    expect(failedRenewal.status).toBe('running');

    await billingCall(h, 'POST', `/v1/customers/${customerId}/credits`, { amountFen: sub.rent });
    expect((await attempt(sub.id, 'renew', h.tokens.entB)).status).toBe(404);
    await act(sub.id, 'renew', h.tokens.entA);
    const active = await caseWhen(
      h,
      sub.id,
      (c) => c.stage === 'active' && (c.result as { renewals?: number } | null)?.renewals === 1,
      'active again',
      15_000,
    );
    expect(active.status).toBe('running');
    expect(await numberStatus(sub.number)).toBe('sold');
    expect((await h.sipGateway.assignments({ number: sub.number })).length).toBe(1);
    expect(await platformNumbers()).toContain(sub.number);
    await mailWhen(sub.id, 'subscription-renewed');

    await act(sub.id, 'release', h.tokens.entA, { reason: '业务调整' });
    const done = await caseWhen(h, sub.id, (c) => c.status === 'completed', 'released on request');
    expect(done.result).toMatchObject({ status: 'released', reason: '业务调整' });
    // Released everywhere: the SBC and the contact center no longer route it.
    expect(await h.sipGateway.assignments({ number: sub.number })).toEqual([]);
    expect(await platformNumbers()).not.toContain(sub.number);
  });
});
