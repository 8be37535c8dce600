/**
 * Number purchase when the inventory offers numbers already in service elsewhere: they are
 * quarantined and replaced before anything is ordered or charged; the case fails (NoCleanNumbers)
 * only when no clean number is left.
 */
import { describe, expect, it } from 'vitest';
import type { Reservation } from '../../activities/billing';
import { MAX_CLEAN_RESERVATION_ROUNDS, numberPurchase, subscriptionIdFor } from '../../workflows/number-purchase';
import { purchaseInput } from './inputs';
import { support } from './actors';
import { act, failureOf, stageOf, stateOf, stepNames } from './cases';
import { order, type Scenario, useWorkflowEnv } from './support';

const env = useWorkflowEnv();

const TAKEN = '+862066240011';
const CLEAN = ['+862066240012', '+862066240013'];

function reservation(id: string, numbers: string[]): Reservation {
  return {
    id,
    numbers,
    display: numbers.map((n) => `020-${n.slice(5)}`),
    status: 'active',
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
  };
}

/** Starts a purchase and approves its call script, as support does before numbers are reserved. */
async function start(s: Scenario) {
  const h = await env.start(numberPurchase, purchaseInput(s), s.id('number-purchase'));
  await stageOf(h, 'awaiting-script-review');
  await act(h, 'number-purchase', 'approve-script', support, {});
  return h;
}

describe.concurrent('number purchase: numbers in service elsewhere', () => {
  it('quarantines a conflicting number, releases the reservation and goes on with a clean one; only clean numbers are ordered', async () => {
    const s = env.scenario({
      reserveNumbers: async () => reservation('RES-1', [TAKEN, CLEAN[0]!]),
      tryReserveNumbers: async () => ({ status: 'reserved', reservation: reservation('RES-2', CLEAN) }),
      numbersInService: async (q) =>
        q.numbers.includes(TAKEN)
          ? [
              {
                number: TAKEN,
                display: '020-66240011',
                where: 'sbc',
                owner: 'instance cc-other (case sip-registration-x)',
              },
            ]
          : [],
      createOrder: async (o) => order({ reference: o.reference, numbers: CLEAN }),
      chargeOrder: async () => ({
        status: 'paid',
        value: order({ status: 'paid', numbers: CLEAN, paidAt: new Date().toISOString() }),
      }),
    });
    const h = await start(s);
    const result = await h.result();
    expect(result.numbersE164).toEqual(CLEAN);
    const caseId = s.id('number-purchase');

    expect(s.argsOf('numbersInService')).toEqual([
      { numbers: [TAKEN, CLEAN[0]], reference: caseId },
      { numbers: CLEAN, reference: caseId },
    ]);
    expect(s.argsOf('quarantineNumbers')).toEqual([
      {
        numbers: [TAKEN],
        reason: expect.stringContaining('instance cc-other'),
        reference: caseId,
        idempotencyKey: expect.stringMatching(/\/quarantine\/1$/),
      },
    ]);
    expect(s.argsOf('releaseReservation')).toEqual([
      { reservationId: 'RES-1', idempotencyKey: expect.stringMatching(/\/release\/1$/) },
    ]);
    expect(s.argsOf('createOrder').map((o) => o.reservationId)).toEqual(['RES-2']);
    // The check came before anything was ordered or charged.
    const order_ = s.calls().map((c) => c.name);
    expect(order_.indexOf('quarantineNumbers')).toBeLessThan(order_.indexOf('createOrder'));
    expect(s.calls('chargeOrder')).toHaveLength(1);

    const state = await stateOf(h);
    expect(stepNames(state)).toEqual(
      expect.arrayContaining([
        'numbers reserved',
        'numbers in service elsewhere (round 1)',
        'numbers quarantined (round 1)',
        'numbers reserved (round 2)',
      ]),
    );
    await env.client.workflow.getHandle(subscriptionIdFor(s.enterpriseId, 'ORD-1')).terminate('test over');
  });

  it('fails NoCleanNumbers when the area code has no clean number left: nothing ordered or charged, the reservation undone', async () => {
    const s = env.scenario({
      reserveNumbers: async () => reservation('RES-1', [TAKEN, CLEAN[0]!]),
      tryReserveNumbers: async () => ({ status: 'insufficient-stock', available: 1, requested: 2 }),
      numbersInService: async () => [
        { number: TAKEN, display: '020-66240011', where: 'sbc', owner: 'instance cc-other (case x)' },
      ],
    });
    const h = await start(s);
    const failure = await failureOf(h);
    expect(failure.type).toBe('NoCleanNumbers');
    expect(failure.message).toContain('020');
    expect(failure.message).toContain('020-66240011');
    expect(s.calls('createOrder')).toHaveLength(0);
    expect(s.calls('chargeOrder')).toHaveLength(0);
    expect(s.calls('undoPurchase')).toHaveLength(1);
    expect(s.argsOf('quarantineNumbers').flatMap((q) => q.numbers)).toEqual([TAKEN]);
    expect(s.emails('purchase-failed')[0]?.data).toMatchObject({
      reason: expect.stringContaining('no clean fixed lines in 020'),
    });
  });

  it('gives up after a bounded number of reservations when every replacement is in service too', async () => {
    let n = 0;
    const s = env.scenario({
      tryReserveNumbers: async () => ({
        status: 'reserved',
        reservation: reservation(`RES-${++n + 1}`, [`+8620662401${String(n).padStart(2, '0')}`]),
      }),
      numbersInService: async (q) =>
        q.numbers.map((number) => ({ number, display: number, where: 'sbc', owner: 'instance cc-other (case x)' })),
    });
    const h = await start(s);
    const failure = await failureOf(h);
    expect(failure.type).toBe('NoCleanNumbers');
    expect(s.calls('numbersInService')).toHaveLength(MAX_CLEAN_RESERVATION_ROUNDS);
    expect(s.calls('releaseReservation')).toHaveLength(MAX_CLEAN_RESERVATION_ROUNDS);
    expect(s.calls('createOrder')).toHaveLength(0);
  });
});
