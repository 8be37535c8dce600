/**
 * The numbers' subscription with mocked billing and gateway: a renewal that continues as new,
 * automatic renewal with too little balance (grace, then release), and a cancel that releases.
 */
import { describe, expect, it } from 'vitest';
import { cancelRequestedSignal } from '../../contract/case';
import { numberSubscription } from '../../workflows/number-subscription';
import { subscriptionInput } from './inputs';
import { enterprise } from './actors';
import { act, cancelledOutcome, stageOf, stateOf, stepNames, until } from './cases';
import { NUMBERS, type Scenario, useWorkflowEnv } from './support';
import type { SubscriptionInput } from '../../contract/inputs';

const env = useWorkflowEnv();

/** The numbers leave the instance and go back to billing, once each, under the case's key. */
function expectNumbersGivenBack(s: Scenario, input: SubscriptionInput) {
  const id = s.id('number-subscription');
  expect(s.argsOf('unassignNumbers')).toEqual([{ numbers: NUMBERS.e164, reference: input.purchaseId }]);
  expect(s.argsOf('releaseNumbers')).toEqual([
    { numbers: NUMBERS.e164, reference: id, idempotencyKey: `${id}/release` },
  ]);
}

function start(s: Scenario, overrides: Partial<SubscriptionInput> = {}) {
  const input = subscriptionInput(s, overrides);
  return {
    input,
    handle: env.start(numberSubscription, input, s.id('number-subscription')),
  };
}

describe.concurrent('number subscription', () => {
  it('renews a period on request and carries on in a new run; auto-renew is turned on', async () => {
    const s = env.scenario();
    const { input, handle } = start(s);
    const h = await handle;
    await stageOf(h, 'active');
    const autoRenew = await act(h, 'number-subscription', 'set-auto-renew', enterprise(s.enterpriseId), {
      autoRenew: true,
    });
    expect(autoRenew).toMatchObject({ stage: 'active', result: { autoRenew: true } });

    await act(h, 'number-subscription', 'renew', enterprise(s.enterpriseId), {});
    const id = s.id('number-subscription');
    const renewed = await until(async () => {
      const state = await stateOf(env.client.workflow.getHandle(id));
      return (state.result as { renewals?: number } | null)?.renewals === 1 ? state : undefined;
    }, 'the next run');
    expect(renewed.result).toMatchObject({
      autoRenew: true,
      paidThrough: new Date(input.paidThrough + input.timings.periodMs).toISOString(),
    });
    expect(stepNames(renewed)).toEqual(
      expect.arrayContaining(['subscription started', 'set-auto-renew', 'renew', 'renewal (by the enterprise)']),
    );
    expect(s.argsOf('chargeRent')).toEqual([
      {
        customerId: 'cust-1',
        amountFen: 10_000,
        description: `monthly rent ${NUMBERS.display.join(', ')}`,
        reference: id,
        idempotencyKey: `${id}/rent/${input.paidThrough}`,
      },
    ]);
    expect(s.templates()).toEqual(['subscription-renewed']);
    expect(s.calls('releaseNumbers')).toHaveLength(0);
    await env.client.workflow.getHandle(id).terminate('test over');
  });

  it('with too little balance for the automatic renewal: grace, then the numbers are released', async () => {
    const s = env.scenario({
      chargeRent: async () => ({ status: 'insufficient-balance', balanceFen: 10, amountFen: 10_000 }),
    });
    const { input, handle } = start(s, {
      paidThrough: Date.now() + 500,
      autoRenew: true,
      timings: { periodMs: 3_600_000, remindersBeforeMs: [], graceMs: 500 },
    });
    const h = await handle;

    const result = await h.result();
    expect(result).toMatchObject({
      status: 'released',
      numbers: NUMBERS.display,
      renewals: 0,
      reason: expect.stringContaining('the end of the grace period'),
    });
    expect(s.argsOf('chargeRent')).toHaveLength(1);
    expectNumbersGivenBack(s, input);
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'completed', stage: 'completed' });
    expect(state.steps.find((x) => x.name === 'renewal (automatic)')).toMatchObject({
      status: 'failed',
      detail: 'balance 10 fen, rent 10000 fen',
    });
    expect(state.steps.find((x) => x.name === 'expired')?.detail).toContain(
      'automatic renewal failed: insufficient balance',
    );
    // Released once, as the ending, not again as a compensation.
    expect(stepNames(state).filter((n) => n.startsWith('compensation'))).toEqual([]);
    expect(s.templates()).toEqual(['subscription-in-grace', 'subscription-released']);
  });

  it('reminds the enterprise before expiry when not renewing automatically, then releases after the grace', async () => {
    const s = env.scenario();
    // Room enough that both reminders fall well after the start, even on a loaded machine.
    const paidThrough = Date.now() + 8_000;
    const before = [4_000, 2_000];
    const { handle } = start(s, {
      paidThrough,
      autoRenew: false,
      timings: { periodMs: 3_600_000, remindersBeforeMs: before, graceMs: 300 },
    });
    const h = await handle;

    expect(await h.result()).toMatchObject({ status: 'released' });
    expect(s.calls('chargeRent')).toHaveLength(0);
    const startedAt = Date.parse((await stateOf(h)).steps[0]!.at);
    expect(paidThrough - before[0]!).toBeGreaterThan(startedAt);
    // Each reminder once, none skipped, none doubled.
    const reminders = s.emails('subscription-reminder');
    expect(reminders).toHaveLength(2);
    expect(reminders.every((r) => r.to === 'ops@example.cn')).toBe(true);
    expect(new Set(reminders.map((r) => r.dedupKey)).size).toBe(reminders.length);
    expect(reminders[0]?.data).toMatchObject({ expiresAt: new Date(paidThrough).toISOString(), amountFen: 10_000 });
    expect(s.templates()).toEqual([
      ...reminders.map(() => 'subscription-reminder'),
      'subscription-in-grace',
      'subscription-released',
    ]);
    expect(s.emails('subscription-in-grace')[0]?.data).toMatchObject({ reason: 'not renewed' });
  });

  it('releases the numbers when cancelled', async () => {
    const s = env.scenario();
    const { input, handle } = start(s);
    const h = await handle;
    await stageOf(h, 'active');
    await h.signal(cancelRequestedSignal, { actor: { role: 'support', name: 'ops' }, reason: '企业注销' });
    await h.cancel();

    expect(await cancelledOutcome(h)).toBe(true);
    expectNumbersGivenBack(s, input);
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'cancelled', stage: 'cancelled' });
    expect(state.steps.find((x) => x.name === 'compensation: release the numbers')).toMatchObject({
      status: 'done',
      detail: expect.stringContaining('released: cancelled: 企业注销'),
    });
    // Both emails go out together (neither waits for the other).
    expect(
      s
        .emails()
        .map((e) => e.template)
        .sort(),
    ).toEqual(['case-cancelled', 'subscription-released']);
    expect(s.emails('subscription-released')[0]?.data).toMatchObject({ reason: 'cancelled: 企业注销' });
  });
});
