/**
 * Inventory and routing disagreeing: a line an enterprise brought in itself (the SBC routes it)
 * is still on sale in billing. Purchases find it before anything is charged, set it aside in
 * billing and go on with other numbers; support sees it and can release it; numbers billing
 * sells or reserves are refused when an enterprise brings them itself; and a race of two
 * purchases and a trunk case over the same numbers leaves each number with one owner.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { OnboardingResource } from '../../domain/onboarding';
import { instanceFor, verifiedEnterprise } from '../support/fixtures';
import { bearer, billingCall, caseApi, caseWhen, useHarness } from '../support/harness';

let customerA: string;
let customerB: string;
/** Contact-center instances, created on the platform as the contact-center-instance kind would. */
const inst = { aReg: '', aTrunk: '', aTrunkApp: '', aRace: '', b: '', bRace: '' };

const h = useHarness({
  PURCHASE_PAYMENT_POLL: '30s',
  PURCHASE_PAYMENT_WINDOW: '1h',
  SUBSCRIPTION_PERIOD: '1h',
  SIP_ALLOW_PRIVATE_GATEWAYS: 'true',
});
beforeAll(async () => {
  [customerA, customerB] = await Promise.all([
    verifiedEnterprise(h, h.enterprises.a, h.tokens.entA),
    verifiedEnterprise(h, h.enterprises.b, h.tokens.entB),
  ]);
  const [aReg, aTrunk, aRace, b, bRace] = await Promise.all([
    instanceFor(h, h.enterprises.a),
    instanceFor(h, h.enterprises.a),
    instanceFor(h, h.enterprises.a),
    instanceFor(h, h.enterprises.b),
    instanceFor(h, h.enterprises.b),
  ]);
  Object.assign(inst, {
    aReg: aReg.instanceId,
    aTrunk: aTrunk.instanceId,
    aTrunkApp: aTrunk.defaults.appId,
    aRace: aRace.instanceId,
    b: b.instanceId,
    bRace: bRace.instanceId,
  });
  for (const customer of [customerA, customerB]) {
    expect(
      (
        await billingCall(h, 'POST', `/v1/customers/${customer}/credits`, {
          amountFen: 50_000_000,
          note: 'test top-up',
        })
      ).status,
    ).toBe(201);
  }
});

interface Order {
  id: string;
  customerId: string;
  numbers: string[];
  amountFen: number;
  status: string;
  reference: string;
}
interface Ledger {
  type: 'credit' | 'debit' | 'refund';
  amountFen: number;
  orderId?: string;
}

function purchase(enterpriseId: string, areaCode: string, quantity: number, instanceId: string) {
  return {
    kind: 'number-purchase',
    enterpriseId,
    numberType: 'fixed-line',
    areaCode,
    quantity,
    scenario: 'inbound',
    callScript: '您好，这里是示例科技客服中心，请问有什么可以帮您？',
    autoRenew: false,
    binding: { instanceId },
  };
}

/** Support approves a purchase's call script, which every number type needs before it is reserved. */
async function approveScript(id: string): Promise<void> {
  const c = await caseWhen(
    h,
    id,
    (x) => x.stage === 'awaiting-script-review' || x.status !== 'running',
    `${id} review`,
  );
  if (c.status !== 'running') return;
  const res = await attempt(id, 'approve-script', h.tokens.support);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const { start, attemptStart, attempt, stageWhen } = caseApi(() => h);

const finished = (id: string, timeoutMs = 90_000) =>
  caseWhen(h, id, (c) => c.status !== 'running', `${id} finished`, timeoutMs);

async function ordersOf(customerId: string): Promise<Order[]> {
  return (await billingCall<Order[]>(h, 'GET', `/v1/orders?customerId=${customerId}`)).body;
}

/** Money a customer paid and was not given back, per order (top-ups aside). */
async function netPaid(customerId: string): Promise<number> {
  const billingState = h.billing.store.data;
  const entries = Object.values(billingState.ledgerEntries).filter((e) => e.customerId === customerId) as Ledger[];
  return entries.reduce(
    (sum, e) => sum + (e.type === 'debit' ? e.amountFen : e.type === 'refund' ? -e.amountFen : 0),
    0,
  );
}

const e164 = (areaCode: string, local: string) => `+86${areaCode.slice(1)}${local}`;

describe('a line brought in through registration is never sold again (recording SIP gateway double)', () => {
  const OWN = '+862066240011';
  let purchaseId: string;

  it('registers the own line: billing offers it, so the start is accepted; the SBC then routes it to the enterprise', async () => {
    const regId = await start(
      {
        kind: 'sip-registration',
        enterpriseId: h.enterprises.a,
        instanceId: inst.aReg,
        numbers: ['020-6624 0011'],
        transport: 'udp',
        gatewayVendor: 'freeswitch',
        contact: { name: '王工', phone: '13800138000', email: 'noc@example.cn' },
      },
      h.tokens.entA,
    );
    // As the registration case does at assigning-numbers.
    await h.sipGateway.assignNumbers({ instanceId: inst.aReg, numbers: [OWN], origin: 'purchased', reference: regId });
    expect((await h.sipGateway.assignments({ number: OWN }))[0]?.instanceId).toBe(inst.aReg);
  });

  it('a purchase in 020 completes with other numbers; the own line is quarantined with the case, and never ordered or charged', async () => {
    const before = await netPaid(customerB);
    purchaseId = await start(purchase(h.enterprises.b, '020', 12, inst.b), h.tokens.entB);
    await approveScript(purchaseId);
    const done = await finished(purchaseId);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    const result = done.result as { numbersE164: string[]; orderId: string; amountFen: number };
    expect(result.numbersE164).toHaveLength(12);
    expect(result.numbersE164).not.toContain(OWN);
    expect(done.steps.map((s) => s.name)).toEqual(
      expect.arrayContaining(['numbers in service elsewhere (round 1)', 'numbers quarantined (round 1)']),
    );

    // No order ever held the own line, and B paid exactly the one order.
    const orders = await ordersOf(customerB);
    expect(orders.filter((o) => o.numbers.includes(OWN))).toEqual([]);
    expect(orders.filter((o) => o.reference === purchaseId).map((o) => o.status)).toEqual(['paid']);
    expect((await netPaid(customerB)) - before).toBe(result.amountFen);
    expect(Object.values(h.billing.store.data.ledgerEntries).filter((e) => e.type === 'refund')).toEqual([]);

    // Still routed to A, and set aside in billing with the reason and the case that found it.
    expect((await h.sipGateway.assignments({ number: OWN }))[0]?.instanceId).toBe(inst.aReg);
    const listed = await h.api.get('/v1/numbers/quarantined').set(...bearer(h.tokens.support));
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        number: OWN,
        display: '020-66240011',
        status: 'quarantined',
        quarantine: expect.objectContaining({ caseId: purchaseId, reason: expect.stringContaining(inst.aReg) }),
      }),
    ]);
  });

  it('ten purchases after it all complete, none with the own line and none refunded', async () => {
    const ids = await Promise.all(
      Array.from({ length: 10 }, () => start(purchase(h.enterprises.b, '020', 1, inst.b), h.tokens.entB)),
    );
    await Promise.all(ids.map(approveScript));
    const results = await Promise.all(ids.map((id) => finished(id, 120_000)));
    for (const r of results) expect(r.status, `${r.id}: ${JSON.stringify(r.error)}`).toBe('completed');
    const numbers = results.flatMap((r) => (r.result as { numbersE164: string[] }).numbersE164);
    expect(new Set(numbers).size).toBe(10);
    expect(numbers).not.toContain(OWN);
    // Found once, then never offered again: no later case had to check it.
    for (const r of results) expect(r.steps.map((s) => s.name)).not.toContain('numbers in service elsewhere (round 1)');
    expect(Object.values(h.billing.store.data.ledgerEntries).filter((e) => e.type === 'refund')).toEqual([]);
  });

  it('support lists and releases the quarantined number, recorded with who and why; enterprises may not', async () => {
    const path = `/v1/numbers/${encodeURIComponent(OWN)}/release`;
    expect((await h.api.get('/v1/numbers/quarantined').set(...bearer(h.tokens.entA))).status).toBe(403);
    expect(
      (
        await h.api
          .post(path)
          .set(...bearer(h.tokens.entA))
          .send({ reason: 'mine' })
      ).status,
    ).toBe(403);
    const missing = await h.api
      .post(path)
      .set(...bearer(h.tokens.support))
      .send({});
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toContain('reason');

    const released = await h.api
      .post(path)
      .set(...bearer(h.tokens.support))
      .send({ reason: 'line ported out of the registration' });
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect(released.body).toMatchObject({ number: OWN, status: 'available' });
    expect(released.body.quarantineHistory).toEqual([
      expect.objectContaining({
        reference: purchaseId,
        releasedBy: 'support: test support',
        releaseReason: 'line ported out of the registration',
      }),
    ]);
    expect((await h.api.get('/v1/numbers/quarantined').set(...bearer(h.tokens.support))).body.items).toEqual([]);
    const again = await h.api
      .post(path)
      .set(...bearer(h.tokens.support))
      .send({ reason: 'twice' });
    expect(again.status).toBe(409);
  });
});

describe('numbers an enterprise brings itself are refused when billing sells or reserves them (recording SIP gateway double)', () => {
  it('refuses a registration naming a number billing sold to another customer, and a trunk naming one reserved for a purchase', async () => {
    const [sold] = (await ordersOf(customerB)).filter((o) => o.status === 'paid').flatMap((o) => o.numbers);
    expect(sold).toBeDefined();
    const reg = await attemptStart({
      kind: 'sip-registration',
      enterpriseId: h.enterprises.a,
      instanceId: inst.aReg,
      numbers: [sold],
      transport: 'udp',
      gatewayVendor: 'freeswitch',
      contact: { name: '王工', phone: '13800138000', email: 'noc@example.cn' },
    });
    expect(reg.status).toBe(422);
    expect(reg.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'numbers.0',
          code: 'number-sold-to-another-customer',
          message: expect.stringContaining(sold!),
        }),
      ]),
    );

    const reservation = await billingCall<{ numbers: string[] }>(h, 'POST', '/v1/reservations', {
      customerId: customerB,
      type: 'fixed-line',
      areaCode: '021',
      quantity: 1,
      reference: 'manual-hold',
    });
    expect(reservation.status).toBe(201);
    const held = reservation.body.numbers[0]!;
    const trunk = await attemptStart(trunkBody(h.enterprises.a, [held]));
    expect(trunk.status).toBe(422);
    expect(trunk.body.errors).toEqual([
      expect.objectContaining({
        path: 'numbers.0',
        code: 'number-reserved-in-billing',
        message: expect.stringContaining(held),
      }),
    ]);
    // Nothing started: no case for enterprise A beside its verification and registration.
    const cases = await h.api
      .get(`/v1/onboardings?kind=sip-trunk&enterpriseId=${h.enterprises.a}`)
      .set(...bearer(h.tokens.support));
    expect(cases.body.items).toEqual([]);
  });
});

describe('numbers a supplier opened are refused when billing sells them to another customer (recording SIP gateway double)', () => {
  it('refuses numbers-opened naming a number sold to B, and takes clean ones', async () => {
    const [sold] = (await ordersOf(customerB)).filter((o) => o.status === 'paid').flatMap((o) => o.numbers);
    const instance = await instanceFor(h, h.enterprises.a);
    const id = await start({
      kind: 'third-party-line',
      enterpriseId: h.enterprises.a,
      productId: 'a-invitation-fixed',
      industry: 'saas',
      scenario: 'both',
      callScript: '您好，这里是示例科技，邀请您参加下周的产品发布会，请问您是否方便参加？',
      regions: [{ region: '广东', quantity: 2 }],
      binding: {
        instanceId: instance.instanceId,
        ivrFlowId: instance.defaults.ivrFlowId,
        skillGroupId: instance.defaults.skillGroupId,
      },
    });
    const support = async (action: string, payload: object) => {
      const res = await h.api
        .post(`/v1/onboardings/${id}/actions/${action}`)
        .set(...bearer(h.tokens.support))
        .send(payload);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await stageWhen(id, 'awaiting-review');
    await support('approve', {});
    await stageWhen(id, 'awaiting-supplier');
    await support('supplier-approved', {});
    await stageWhen(id, 'awaiting-numbers');

    const refused = await attempt(id, 'numbers-opened', h.tokens.support, { numbers: ['02087650001', sold] });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        path: 'payload.numbers.1',
        code: 'number-sold-to-another-customer',
        message: expect.stringContaining(sold!),
      }),
    ]);
    expect((await caseWhen(h, id, () => true)).stage).toBe('awaiting-numbers');
    await support('numbers-opened', { numbers: ['02087650001', '02087650002'] });
  });
});

function trunkBody(enterpriseId: string, numbers: string[]) {
  return {
    kind: 'sip-trunk',
    enterpriseId,
    instanceId: inst.aTrunk,
    gateway: { ip: '10.20.30.40', port: 5060, transport: 'udp' },
    numbers,
    callerIdPrefix: '9',
    boundAppId: inst.aTrunkApp,
    contact: { name: '王工', phone: '13800138000', email: 'noc@example.cn' },
    testCallee: '13900139000',
  };
}

describe('two purchases and a trunk case claim overlapping numbers at once (recording SIP gateway double)', () => {
  it('leaves each number with exactly one owner, and nobody paying for a number they do not get', async () => {
    const AREA = '0755';
    // The first numbers billing offers in 0755: both purchases reach for them, and so does the trunk.
    const claimed = ['86240001', '86240002', '86240003'].map((local) => e164(AREA, local));
    const paidBefore = { a: await netPaid(customerA), b: await netPaid(customerB) };

    const [p1, p2, trunk] = await Promise.all([
      attemptStart(purchase(h.enterprises.a, AREA, 2, inst.aRace)),
      attemptStart(purchase(h.enterprises.b, AREA, 2, inst.bRace), h.tokens.entB),
      attemptStart(trunkBody(h.enterprises.a, claimed)),
    ]);
    expect(p1.status, JSON.stringify(p1.body)).toBe(202);
    expect(p2.status, JSON.stringify(p2.body)).toBe(202);
    // Both scripts approved at once, while the trunk is reviewed: the claims still race.
    const reviewed = Promise.all([approveScript(p1.body.id as string), approveScript(p2.body.id as string)]);
    let trunkGot: string[] = [];
    if (trunk.status === 202) {
      // Approved, the trunk holds its numbers off sale in billing (or fails, naming one a purchase
      // took first); then, as at assigning-numbers, it gets all its numbers on the SBC or none.
      const trunkId = trunk.body.id as string;
      await stageWhen(trunkId, 'awaiting-review');
      await attempt(trunkId, 'approve', h.tokens.support);
      const held = await caseWhen(
        h,
        trunkId,
        (c) => c.status === 'failed' || c.steps.some((x) => x.name === 'own numbers held off sale'),
        'trunk holds its numbers or fails',
      );
      if (held.status === 'failed') {
        // Billing refused the hold: an outside system's answer, not a SIP trunk's own outcome.
        expect(held.error).toMatchObject({ type: 'NumberHeldInBilling', cause: 'system' });
      } else {
        for (const n of claimed) expect(['quarantined', undefined]).toContain(h.billing.store.data.numbers[n]?.status);
      }
      trunkGot =
        held.status === 'failed'
          ? []
          : await h.sipGateway
              .assignNumbers({
                instanceId: inst.aTrunk,
                numbers: claimed,
                origin: 'purchased',
                reference: trunk.body.id as string,
              })
              .then(
                () => claimed,
                () => [],
              );
      if (held.status === 'running')
        await h.client.workflow.getHandle(trunk.body.id as string).terminate('test: the trunk case was driven by hand');
    } else {
      // Refused at the start, naming numbers a purchase had reserved or bought by then.
      expect(trunk.status).toBe(422);
      expect(trunk.body.errors.length).toBeGreaterThan(0);
      for (const e of trunk.body.errors as { code: string }[])
        expect(['number-reserved-in-billing', 'number-sold-to-another-customer', 'number-already-assigned']).toContain(
          e.code,
        );
    }

    await reviewed;
    const cases = (await Promise.all([
      finished(p1.body.id as string),
      finished(p2.body.id as string),
    ])) as OnboardingResource[];
    // The trunk's numbers are held off sale in billing from its approval, so no purchase is charged
    // for one and refunded: each completes, or (if the hold took a number it had just reserved)
    // fails before any charge.
    for (const c of cases) {
      if (c.status !== 'completed') expect(c.status, JSON.stringify(c.error)).toBe('failed');
    }
    const bought = cases.map((c) =>
      c.status === 'completed' ? (c.result as { numbersE164: string[] }).numbersE164 : [],
    );
    // The race has a winner: a run where every claim failed would prove nothing about owners.
    expect(
      cases.filter((c) => c.status === 'completed').length,
      JSON.stringify(cases.map((c) => c.error)),
    ).toBeGreaterThan(0);

    // Each number has one owner: one SBC assignment, and billing sells it to that owner only.
    const everyNumber = [...new Set([...claimed, ...bought.flat()])];
    const owners = new Map<string, string>();
    for (const n of everyNumber) {
      const assigned = await h.sipGateway.assignments({ number: n });
      expect(assigned.length, n).toBeLessThanOrEqual(1);
      if (assigned[0]) owners.set(n, assigned[0].instanceId);
    }
    expect(owners.size, 'numbers that ended with an owner').toBeGreaterThan(0);
    for (const n of bought[0]!) expect(owners.get(n)).toBe(inst.aRace);
    for (const n of bought[1]!) expect(owners.get(n)).toBe(inst.bRace);
    for (const n of trunkGot) expect(owners.get(n)).toBe(inst.aTrunk);
    expect(bought[0]!.filter((n) => bought[1]!.includes(n))).toEqual([]);
    for (const n of trunkGot) {
      const record = h.billing.store.data.numbers[n]!;
      expect(['quarantined', 'available']).toContain(record.status);
    }

    for (const [i, customer] of [customerA, customerB].entries()) {
      const refunded = (await ordersOf(customer)).filter(
        (o) => o.reference === cases[i]!.id && o.status === 'refunded',
      );
      expect(refunded, 'no order taken and refunded').toEqual([]);
      if (cases[i]!.status !== 'completed') {
        const paid = (await ordersOf(customer)).filter((o) => o.reference === cases[i]!.id && o.status === 'paid');
        expect(paid, 'a failed purchase paid nothing').toEqual([]);
      }
    }

    // Nobody paid for a number they did not get: what each paid is what their live orders cost.
    const paidOrders = async (customer: string, reference: string) =>
      (await ordersOf(customer))
        .filter((o) => o.reference === reference && o.status === 'paid')
        .reduce((sum, o) => sum + o.amountFen, 0);
    expect((await netPaid(customerA)) - paidBefore.a).toBe(await paidOrders(customerA, p1.body.id as string));
    expect((await netPaid(customerB)) - paidBefore.b).toBe(await paidOrders(customerB, p2.body.id as string));
    for (const [i, customer] of [customerA, customerB].entries()) {
      for (const o of (await ordersOf(customer)).filter((x) => x.reference === cases[i]!.id && x.status === 'paid')) {
        expect(o.numbers.filter((n) => trunkGot.includes(n))).toEqual([]);
      }
    }
  });
});
