import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request, { type Response } from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { is400Number, isFixedLine } from '../../domain/numbers';
import { createBillingSandbox, type BillingSandbox, type BillingSandboxOptions } from '../../sandboxes/billing/app';
import { WEBHOOK_SIGNATURE_HEADER, verifyWebhookSignature } from '../../sandboxes/billing/webhook-signature';
import { errorPaths, requestLog } from './sandbox-harness';

const API_KEY = 'test-billing-key';
const AUTH = `Bearer ${API_KEY}`;
const SECRET = 'whsec-test-0123456789abcdef';
const PROBLEM_JSON = /^application\/problem\+json/;
const START = Date.parse('2025-03-01T08:00:00.000Z');
const FAST_RETRIES = [10, 10, 10, 10];

let dir: string;
let dataFile: string;
let nowMs: number;
const opened: BillingSandbox[] = [];
const servers: http.Server[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-orders-'));
  dataFile = path.join(dir, 'billing.json');
  nowMs = START;
});

afterEach(async () => {
  for (const sandbox of opened.splice(0)) await sandbox.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

const clock = () => new Date(nowMs);
const advance = (ms: number) => {
  nowMs += ms;
};

function open(options: Partial<BillingSandboxOptions> = {}): BillingSandbox {
  const sandbox = createBillingSandbox({
    dataFile,
    apiKey: API_KEY,
    now: clock,
    random: () => 0.5,
    webhookRetryDelaysMs: FAST_RETRIES,
    ...options,
  });
  opened.push(sandbox);
  return sandbox;
}

async function reopen(sandbox: BillingSandbox, options: Partial<BillingSandboxOptions> = {}): Promise<BillingSandbox> {
  await sandbox.close();
  opened.splice(opened.indexOf(sandbox), 1);
  return open(options);
}

let keys = 0;
function post(sandbox: BillingSandbox, url: string, body: unknown = {}, key = `key-${++keys}`) {
  return request(sandbox.app)
    .post(url)
    .set('Authorization', AUTH)
    .set('Idempotency-Key', key)
    .send(body as object);
}

function del(sandbox: BillingSandbox, url: string, key = `key-${++keys}`) {
  return request(sandbox.app).delete(url).set('Authorization', AUTH).set('Idempotency-Key', key);
}

function get(sandbox: BillingSandbox, url: string) {
  return request(sandbox.app).get(url).set('Authorization', AUTH);
}

interface Received {
  raw: string;
  event: { id: string; type: string; createdAt: string; data: Record<string, any> };
  verified: boolean;
}

/** A webhook endpoint on port 0 that checks every signature and answers as told. */
async function startReceiver() {
  const received: Received[] = [];
  let answer: (attempt: number) => number = () => 200;
  const app = express();
  app.post('/hooks', express.raw({ type: () => true }), (req, res) => {
    const raw = (req.body as Buffer).toString('utf8');
    const status = answer(received.length + 1);
    received.push({
      raw,
      event: JSON.parse(raw),
      verified: verifyWebhookSignature(SECRET, req.get(WEBHOOK_SIGNATURE_HEADER), raw, Math.floor(nowMs / 1000)),
    });
    res.status(status).end();
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    answerWith(fn: (attempt: number) => number) {
      answer = fn;
    },
    ofType(type: string) {
      return received.filter((r) => r.event.type === type);
    },
  };
}

async function eventually<T>(probe: () => T | undefined | false, timeoutMs = 3_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A problem answer (application/problem+json) with this status, its type ending in `type`, and these members. */
function expectProblem(res: Response, status: number, type: string, members: object) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
  expect(res.body).toMatchObject({ type: expect.stringMatching(new RegExp(`${type}$`)), ...members });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const ACME = { enterpriseId: 'ent-1', name: 'Acme Telecom Ltd', contactEmail: 'billing@acme.example' };

const OTHER = { enterpriseId: 'ent-2', name: 'Other Co', contactEmail: 'o@other.example' };

async function createCustomer(sandbox: BillingSandbox, customer = ACME): Promise<string> {
  const res = await post(sandbox, '/v1/customers', customer);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function credit(sandbox: BillingSandbox, customerId: string, amountFen: number) {
  await post(sandbox, `/v1/customers/${customerId}/credits`, { amountFen }).expect(201);
}

async function balance(sandbox: BillingSandbox, customerId: string): Promise<number> {
  return (await get(sandbox, `/v1/customers/${customerId}`)).body.balanceFen as number;
}

async function reserve(sandbox: BillingSandbox, customerId: string, body: Record<string, unknown> = {}) {
  const res = await post(sandbox, '/v1/reservations', {
    customerId,
    type: 'fixed-line',
    areaCode: '020',
    quantity: 2,
    reference: 'case-1',
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; numbers: string[]; status: string; expiresAt: string };
}

/** Asks for an order on a reservation (three months prepaid unless `fields` say otherwise); the answer as it comes. */
function placeOrder(sandbox: BillingSandbox, customerId: string, reservationId: string, fields: object = {}) {
  return post(sandbox, '/v1/orders', { customerId, reservationId, prepaidMonths: 3, reference: 'case-1', ...fields });
}

/** Asks for an invoice of an order under this title, itemised by consumption unless `fields` say otherwise. */
function requestInvoice(
  sandbox: BillingSandbox,
  customerId: string,
  orderId: string,
  title: string,
  fields: object = {},
) {
  return post(sandbox, '/v1/invoices', { customerId, orderId, title, itemisation: 'by-consumption', ...fields });
}

async function order(
  sandbox: BillingSandbox,
  customerId: string,
  reserveBody: Record<string, unknown> = {},
  prepaidMonths = 3,
) {
  const reservation = await reserve(sandbox, customerId, reserveBody);
  const res = await placeOrder(sandbox, customerId, reservation.id, { prepaidMonths });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; numbers: string[]; amountFen: number; status: string };
}

async function paidOrder(sandbox: BillingSandbox, customerId: string, reserveBody: Record<string, unknown> = {}) {
  const created = await order(sandbox, customerId, reserveBody);
  await credit(sandbox, customerId, created.amountFen);
  const res = await post(sandbox, `/v1/orders/${created.id}/charge`);
  expect(res.status).toBe(200);
  return res.body as { id: string; numbers: string[]; amountFen: number; status: string; reference: string };
}

async function numbersOf(sandbox: BillingSandbox, query: Record<string, string>) {
  return (await get(sandbox, `/v1/numbers?${new URLSearchParams(query)}`)).body as {
    number: string;
    status: string;
    customerId?: string;
    orderId?: string;
  }[];
}

describe('billing sandbox: prices and inventory', () => {
  it('lists the price list', async () => {
    const res = await get(open(), '/v1/prices');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ 'fixed-line': { monthlyRentFen: 3500 }, '400': { monthlyRentFen: 5000 } });
  });

  it('seeds 30 valid numbers per area code and 30 400 numbers, the same on every fresh store', async () => {
    const sandbox = open();
    const all = await numbersOf(sandbox, {});
    expect(all).toHaveLength(7 * 30);
    const area020 = await numbersOf(sandbox, { type: 'fixed-line', areaCode: '020' });
    expect(area020.map((n) => n.number).slice(0, 2)).toEqual(['+862066240001', '+862066240002']);
    expect(area020[0]).toEqual({ number: '+862066240001', type: 'fixed-line', areaCode: '020', status: 'available' });
    for (const areaCode of ['010', '020', '021', '0755', '0571', '028']) {
      const block = await numbersOf(sandbox, { areaCode });
      expect(block).toHaveLength(30);
      for (const n of block) {
        expect(isFixedLine(n.number), n.number).toBe(true);
        expect(n.number.startsWith(`+86${areaCode.slice(1)}`)).toBe(true);
      }
    }
    const tollFree = await numbersOf(sandbox, { type: '400' });
    expect(tollFree[0]).toEqual({ number: '4008200001', type: '400', areaCode: null, status: 'available' });
    expect(tollFree.every((n) => is400Number(n.number))).toBe(true);

    const again = createBillingSandbox({ dataFile: path.join(dir, 'other.json'), apiKey: API_KEY });
    opened.push(again);
    expect(await numbersOf(again, {})).toEqual(all);
    expect((await get(sandbox, '/v1/numbers?status=sold&type=fixed-line')).body).toEqual([]);
    expect((await get(sandbox, '/v1/numbers?type=mobile')).status).toBe(400);
  });
});

describe('billing sandbox: reservations', () => {
  it('reserves the lowest available numbers, and refuses what it cannot stock with the available count', async () => {
    const sandbox = open();
    const customerId = await createCustomer(sandbox);
    const reservation = await reserve(sandbox, customerId);
    expect(reservation).toMatchObject({
      customerId,
      type: 'fixed-line',
      areaCode: '020',
      numbers: ['+862066240001', '+862066240002'],
      status: 'active',
      expiresAt: new Date(START + 900_000).toISOString(),
      reference: 'case-1',
    });
    expect((await get(sandbox, `/v1/reservations/${reservation.id}`)).body).toEqual(reservation);
    expect(await numbersOf(sandbox, { status: 'reserved' })).toEqual([
      expect.objectContaining({ number: '+862066240001', reservationId: reservation.id, customerId }),
      expect.objectContaining({ number: '+862066240002', reservationId: reservation.id, customerId }),
    ]);
    const next = await reserve(sandbox, customerId, { quantity: 1 });
    expect(next.numbers).toEqual(['+862066240003']);

    const toll = await reserve(sandbox, customerId, { type: '400', areaCode: undefined, quantity: 1 });
    expect(toll).toMatchObject({ type: '400', areaCode: null, numbers: ['4008200001'] });

    // 27 numbers left in 020; asking for 28 changes nothing, and the same key works once stock frees up.
    const reserve28 = () =>
      post(
        sandbox,
        '/v1/reservations',
        { customerId, type: 'fixed-line', areaCode: '020', quantity: 28, reference: 'case-2' },
        'reserve-28',
      );
    const short = await reserve28();
    expectProblem(short, 409, 'insufficient-stock', { available: 27, status: 409 });
    expect((await numbersOf(sandbox, { areaCode: '020', status: 'available' })).length).toBe(27);
    await del(sandbox, `/v1/reservations/${next.id}`).expect(200);
    const retried = await reserve28();
    expect(retried.status).toBe(201);
    expect(retried.body.numbers).toHaveLength(28);

    const unstocked = await post(sandbox, '/v1/reservations', {
      customerId,
      type: 'fixed-line',
      areaCode: '0311',
      quantity: 1,
      reference: 'case-3',
    });
    expect(unstocked.status).toBe(409);
    expect(unstocked.body.available).toBe(0);
  });

  it('validates every field, including cross-field rules', async () => {
    const sandbox = open();
    const res = await post(sandbox, '/v1/reservations', { type: 'fixed-line', quantity: 31, ttlSeconds: 10, extra: 1 });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect((res.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      'areaCode',
      'customerId',
      'extra',
      'quantity',
      'reference',
      'ttlSeconds',
    ]);
    const toll = await post(sandbox, '/v1/reservations', {
      customerId: 'cus_x',
      type: '400',
      areaCode: '020',
      quantity: 1,
      reference: 'r',
    });
    expect(toll.body.errors).toEqual([{ path: 'areaCode', message: '400 numbers have no area code' }]);
    const nobody = await post(sandbox, '/v1/reservations', {
      customerId: 'cus_x',
      type: '400',
      quantity: 1,
      reference: 'r',
    });
    expect(nobody.status).toBe(422);
    expect(nobody.body.errors).toEqual([{ path: 'customerId', message: 'no customer cus_x' }]);
  });

  it('lets reservations expire lazily, freeing their numbers', async () => {
    const sandbox = open();
    const customerId = await createCustomer(sandbox);
    const reservation = await reserve(sandbox, customerId, { ttlSeconds: 60 });
    advance(59_000);
    expect((await numbersOf(sandbox, { status: 'reserved' })).length).toBe(2);
    advance(1_000);
    expect(await numbersOf(sandbox, { status: 'reserved' })).toEqual([]);
    expect((await get(sandbox, `/v1/reservations/${reservation.id}`)).body).toMatchObject({
      status: 'expired',
      releasedAt: reservation.expiresAt,
    });
    // Persisted by the read, not only computed.
    expect(sandbox.store.data.numbers['+862066240001']).toEqual({
      number: '+862066240001',
      type: 'fixed-line',
      areaCode: '020',
      status: 'available',
    });

    const late = await placeOrder(sandbox, customerId, reservation.id);
    expect(late.status).toBe(409);
    expect(late.body.type).toMatch(/reservation-not-active$/);
    const released = await del(sandbox, `/v1/reservations/${reservation.id}`);
    expect(released.status).toBe(200);
    expect(released.body.status).toBe('expired');
    expect((await reserve(sandbox, customerId)).numbers).toEqual(reservation.numbers);
  });

  it('expires reservations on writes too, before picking numbers', async () => {
    const sandbox = open();
    const customerId = await createCustomer(sandbox);
    await reserve(sandbox, customerId, { type: '400', areaCode: undefined, quantity: 30, ttlSeconds: 30 });
    const full = await post(sandbox, '/v1/reservations', { customerId, type: '400', quantity: 1, reference: 'r' });
    expect(full.status).toBe(409);
    advance(30_000);
    expect((await reserve(sandbox, customerId, { type: '400', areaCode: undefined, quantity: 1 })).numbers).toEqual([
      '4008200001',
    ]);
  });

  it('releases a reservation, idempotently, but not one that became an order', async () => {
    const sandbox = open();
    const customerId = await createCustomer(sandbox);
    const reservation = await reserve(sandbox, customerId);
    const released = await del(sandbox, `/v1/reservations/${reservation.id}`, 'release-1');
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'released', releasedAt: new Date(START).toISOString() });
    expect(await numbersOf(sandbox, { status: 'reserved' })).toEqual([]);
    expect((await del(sandbox, `/v1/reservations/${reservation.id}`, 'release-2')).status).toBe(200);
    expect((await del(sandbox, '/v1/reservations/res_unknown')).status).toBe(404);

    const ordered = await order(sandbox, customerId);
    const reservationId = (await get(sandbox, `/v1/orders/${ordered.id}`)).body.reservationId as string;
    expect((await get(sandbox, `/v1/reservations/${reservationId}`)).body).toMatchObject({
      status: 'ordered',
      orderId: ordered.id,
    });
    const refused = await del(sandbox, `/v1/reservations/${reservationId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(ordered.id);
    // Ordered numbers never expire.
    advance(86_400_000);
    expect((await numbersOf(sandbox, { status: 'reserved' })).map((n) => n.orderId)).toEqual([ordered.id, ordered.id]);
  });
});

describe('billing sandbox: orders', () => {
  it('orders a reservation, charges it once the balance allows, and exactly once per key', async () => {
    const receiver = await startReceiver();
    const sandbox = open({ webhookUrl: receiver.url, webhookSecret: SECRET });
    const customerId = await createCustomer(sandbox);
    const reservation = await reserve(sandbox, customerId);
    const note = '用于绑定自有400号码 4008001234 的固话';
    const created = await placeOrder(sandbox, customerId, reservation.id, { applicationNote: note });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^ord_[0-9a-f]{24}$/),
      checkoutUrl: `/_sandbox/checkout/${created.body.id}`,
      customerId,
      reservationId: reservation.id,
      numbers: reservation.numbers,
      type: 'fixed-line',
      areaCode: '020',
      prepaidMonths: 3,
      monthlyRentFen: 3500,
      amountFen: 3500 * 3 * 2,
      status: 'unpaid',
      applicationNote: note,
      reference: 'case-1',
      createdAt: new Date(START).toISOString(),
      paidAt: null,
      voidedAt: null,
      refundedAt: null,
      refundReason: null,
    });
    const orderId = created.body.id as string;
    const chargeUrl = `/v1/orders/${orderId}/charge`;

    const short = await post(sandbox, chargeUrl, {}, 'charge-1');
    expectProblem(short, 402, 'insufficient-balance', { balanceFen: 0, amountFen: 21_000 });
    expect((await get(sandbox, `/v1/orders/${orderId}`)).body.status).toBe('unpaid');

    await credit(sandbox, customerId, 25_000);
    const paid = await post(sandbox, chargeUrl, {}, 'charge-1');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', paidAt: new Date(START).toISOString() });
    const replay = await post(sandbox, chargeUrl, {}, 'charge-1');
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // Paid already: a new key is answered by the state, without a second debit.
    const again = await Promise.all([1, 2, 3].map((i) => post(sandbox, chargeUrl, {}, `charge-new-${i}`)));
    expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await balance(sandbox, customerId)).toBe(4_000);
    const debits = Object.values(sandbox.store.data.ledgerEntries).filter((e) => e.type === 'debit');
    expect(debits).toEqual([
      expect.objectContaining({ customerId, amountFen: 21_000, balanceAfterFen: 4_000, orderId }),
    ]);

    expect(await numbersOf(sandbox, { customerId })).toEqual(
      reservation.numbers.map((number) => ({
        number,
        type: 'fixed-line',
        areaCode: '020',
        status: 'sold',
        orderId,
        customerId,
      })),
    );
    expect((await get(sandbox, `/v1/orders?reference=case-1`)).body.map((o: { id: string }) => o.id)).toEqual([
      orderId,
    ]);
    expect((await get(sandbox, `/v1/orders?customerId=${customerId}&reference=other`)).body).toEqual([]);

    const event = (await eventually(() => receiver.ofType('order.paid')[0], 3_000, 'order.paid')).event;
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'order.paid',
      createdAt: new Date(START).toISOString(),
      data: paid.body,
    });
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    await sleep(50);
    expect(receiver.received).toHaveLength(1);

    const log = await requestLog(sandbox, { path: chargeUrl });
    expect(log.requests.map((r) => [r.status, r.replayed])).toEqual([
      [402, false],
      [200, false],
      [200, true],
      [200, false],
      [200, false],
      [200, false],
    ]);
  });

  it('refuses orders for unknown, foreign or spent reservations', async () => {
    const sandbox = open();
    const acme = await createCustomer(sandbox);
    const other = await createCustomer(sandbox, OTHER);
    const reservation = await reserve(sandbox, acme);
    const foreign = await placeOrder(sandbox, other, reservation.id);
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors).toEqual([
      { path: 'reservationId', message: expect.stringContaining('another customer') },
    ]);
    const unknown = await placeOrder(sandbox, 'cus_x', 'res_x');
    expect(errorPaths(unknown)).toEqual(['customerId', 'reservationId']);
    const bad = await post(sandbox, '/v1/orders', {
      customerId: acme,
      reservationId: reservation.id,
      prepaidMonths: 37,
      applicationNote: 'x'.repeat(501),
    });
    expect(bad.status).toBe(400);
    expect(errorPaths(bad).sort()).toEqual(['applicationNote', 'prepaidMonths', 'reference']);
    await placeOrder(sandbox, acme, reservation.id, { prepaidMonths: 1 }).expect(201);
    const twice = await placeOrder(sandbox, acme, reservation.id, { prepaidMonths: 1 });
    expect(twice.status).toBe(409);
    expect(twice.body.type).toMatch(/reservation-ordered$/);
  });

  it('voids an unpaid order and frees its numbers; a paid order cannot be voided', async () => {
    const sandbox = open();
    const customerId = await createCustomer(sandbox);
    const unpaid = await order(sandbox, customerId);
    const voided = await post(sandbox, `/v1/orders/${unpaid.id}/void`);
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ status: 'void', voidedAt: new Date(START).toISOString() });
    expect(await numbersOf(sandbox, { areaCode: '020', status: 'available' })).toHaveLength(30);
    expect((await post(sandbox, `/v1/orders/${unpaid.id}/void`)).body.status).toBe('void');
    expect((await post(sandbox, `/v1/orders/${unpaid.id}/charge`)).status).toBe(409);
    expect((await post(sandbox, `/v1/orders/${unpaid.id}/refund`, { reason: 'x' })).status).toBe(409);

    const paid = await paidOrder(sandbox, customerId);
    const refused = await post(sandbox, `/v1/orders/${paid.id}/void`);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/order-not-voidable$/);
    expect((await post(sandbox, '/v1/orders/ord_unknown/void')).status).toBe(404);
  });

  it('refunds a paid order: credits the amount back, frees the numbers, once', async () => {
    const receiver = await startReceiver();
    const sandbox = open({ webhookUrl: receiver.url, webhookSecret: SECRET });
    const customerId = await createCustomer(sandbox);
    const paid = await paidOrder(sandbox, customerId);
    expect(await balance(sandbox, customerId)).toBe(0);
    expect((await post(sandbox, `/v1/orders/${paid.id}/refund`, {})).status).toBe(400);

    const refunded = await post(sandbox, `/v1/orders/${paid.id}/refund`, { reason: 'purchase not completed' });
    expect(refunded.status).toBe(200);
    expect(refunded.body).toMatchObject({
      status: 'refunded',
      refundReason: 'purchase not completed',
      refundedAt: new Date(START).toISOString(),
    });
    const again = await post(sandbox, `/v1/orders/${paid.id}/refund`, { reason: 'purchase not completed' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(refunded.body);
    expect(await balance(sandbox, customerId)).toBe(paid.amountFen);
    expect(Object.values(sandbox.store.data.ledgerEntries).filter((e) => e.type === 'refund')).toHaveLength(1);
    expect(await numbersOf(sandbox, { customerId })).toEqual([]);
    expect(await numbersOf(sandbox, { areaCode: '020', status: 'available' })).toHaveLength(30);

    const event = await eventually(() => receiver.ofType('order.refunded')[0], 3_000, 'order.refunded');
    expect(event.event.data).toMatchObject({ id: paid.id, status: 'refunded', reference: 'case-1' });
    expect(event.verified).toBe(true);
    await sleep(50);
    expect(receiver.ofType('order.refunded')).toHaveLength(1);
  });

  it('takes an online payment through the portal: credits the shortfall and charges the order', async () => {
    const receiver = await startReceiver();
    const sandbox = open({ webhookUrl: receiver.url, webhookSecret: SECRET });
    const customerId = await createCustomer(sandbox);
    await credit(sandbox, customerId, 5_000);
    const unpaid = await order(sandbox, customerId, { type: '400', areaCode: undefined, quantity: 1 });
    expect(unpaid.amountFen).toBe(15_000);
    expect((await post(sandbox, `/v1/orders/${unpaid.id}/charge`)).status).toBe(402);

    // As the portal does it: no API key, no idempotency key, no body.
    const paid = await request(sandbox.app).post(`/_sandbox/orders/${unpaid.id}/pay`);
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ id: unpaid.id, status: 'paid' });
    expect(await balance(sandbox, customerId)).toBe(0);
    const entries = Object.values(sandbox.store.data.ledgerEntries).map((e) => [
      e.type,
      e.amountFen,
      e.balanceAfterFen,
    ]);
    expect(entries).toEqual([
      ['credit', 5_000, 5_000],
      ['credit', 10_000, 15_000],
      ['debit', 15_000, 0],
    ]);
    expect((await numbersOf(sandbox, { type: '400', status: 'sold' })).map((n) => n.number)).toEqual(['4008200001']);
    const event = await eventually(() => receiver.ofType('order.paid')[0], 3_000, 'order.paid');
    expect(event.event.data).toMatchObject({ id: unpaid.id, status: 'paid', reference: 'case-1' });

    expect((await request(sandbox.app).post(`/_sandbox/orders/${unpaid.id}/pay`)).status).toBe(200);
    expect(await balance(sandbox, customerId)).toBe(0);
    expect((await request(sandbox.app).post('/_sandbox/orders/ord_unknown/pay')).status).toBe(404);
    await sleep(50);
    expect(receiver.ofType('order.paid')).toHaveLength(1);
  });
});

describe('billing sandbox: charges and number release', () => {
  it('charges rent from the balance, 402 with nothing changed when short, once per key', async () => {
    const sandbox = open();
    const customerId = await createCustomer(sandbox);
    const body = { customerId, amountFen: 7_000, description: 'monthly rent 020-66240001', reference: 'sub-1' };
    const short = await post(sandbox, '/v1/charges', body, 'rent-1');
    expect(short.status).toBe(402);
    expect(short.body).toMatchObject({
      balanceFen: 0,
      amountFen: 7_000,
      type: expect.stringMatching(/insufficient-balance$/),
    });
    expect(Object.keys(sandbox.store.data.charges)).toHaveLength(0);

    await credit(sandbox, customerId, 10_000);
    const charged = await post(sandbox, '/v1/charges', body, 'rent-1');
    expect(charged.status).toBe(201);
    expect(charged.body).toEqual({
      id: expect.stringMatching(/^ch_/),
      customerId,
      amountFen: 7_000,
      description: body.description,
      reference: 'sub-1',
      status: 'succeeded',
      balanceAfterFen: 3_000,
      createdAt: new Date(START).toISOString(),
    });
    expect((await post(sandbox, '/v1/charges', body, 'rent-1')).headers['idempotent-replayed']).toBe('true');
    expect(await balance(sandbox, customerId)).toBe(3_000);
    expect((await get(sandbox, '/v1/charges?reference=sub-1')).body).toEqual([charged.body]);
    expect((await get(sandbox, `/v1/charges?customerId=${customerId}&reference=sub-2`)).body).toEqual([]);
    const bad = await post(sandbox, '/v1/charges', { customerId, amountFen: 1.5, description: '' });
    expect(errorPaths(bad).sort()).toEqual(['amountFen', 'description', 'reference']);
  });

  it('imports numbers for a customer, idempotently per number, and refuses numbers held by others', async () => {
    const sandbox = open();
    const acme = await createCustomer(sandbox);
    const other = await createCustomer(sandbox, OTHER);
    const numbers = [
      { number: '4008001234', type: '400', supplier: 'carrier-x' },
      { number: '+862088001234', type: 'fixed-line', areaCode: '020' },
    ];
    const imported = await post(sandbox, '/v1/numbers/import', { customerId: acme, numbers, reference: 'case-9' });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ imported: ['4008001234', '+862088001234'], unchanged: [] });
    expect(imported.body.numbers[0]).toEqual({
      number: '4008001234',
      type: '400',
      areaCode: null,
      status: 'imported',
      customerId: acme,
      supplier: 'carrier-x',
      reference: 'case-9',
    });

    const again = await post(sandbox, '/v1/numbers/import', {
      customerId: acme,
      numbers: numbers.slice(0, 1),
      reference: 'case-9',
    });
    expect(again.body).toMatchObject({ imported: [], unchanged: ['4008001234'] });
    const foreign = await post(sandbox, '/v1/numbers/import', { customerId: other, numbers, reference: 'case-10' });
    expect(foreign.status).toBe(409);
    expect(errorPaths(foreign)).toEqual(['numbers.0.number', 'numbers.1.number']);
    const seeded = await post(sandbox, '/v1/numbers/import', {
      customerId: other,
      numbers: [{ number: '4008200001', type: '400' }],
      reference: 'r',
    });
    expect(seeded.status).toBe(409);
    expect((await numbersOf(sandbox, { status: 'imported', customerId: acme })).length).toBe(2);

    const invalid = await post(sandbox, '/v1/numbers/import', {
      customerId: acme,
      numbers: [
        { number: '020-88001234', type: 'fixed-line', areaCode: '020' },
        { number: '+862188001234', type: 'fixed-line', areaCode: '020' },
        { number: '4008001234', type: '400', areaCode: '010' },
        { number: '4008001234', type: '400' },
      ],
      reference: 'r',
    });
    expect(invalid.status).toBe(400);
    expect(errorPaths(invalid)).toEqual([
      'numbers.0.number',
      'numbers.1.areaCode',
      'numbers.2.areaCode',
      'numbers.3.number',
    ]);
  });

  it('releases sold numbers off sale while the operator holds them (003 Q9: 商品实例在到期后有7天的保留期) and removes imported ones; available ones are no-ops, reserved ones refused', async () => {
    const sandbox = open();
    const customerId = await createCustomer(sandbox);
    const paid = await paidOrder(sandbox, customerId);
    await post(sandbox, '/v1/numbers/import', {
      customerId,
      numbers: [{ number: '4008001234', type: '400' }],
      reference: 'case-9',
    }).expect(200);
    const held = await reserve(sandbox, customerId, { quantity: 1 });

    const refused = await post(sandbox, '/v1/numbers/release', {
      numbers: [...paid.numbers, held.numbers[0]],
      reference: 'sub-1',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([{ path: 'numbers.2', message: expect.stringContaining(held.id) }]);
    expect((await numbersOf(sandbox, { status: 'sold' })).length).toBe(2);

    const body = { numbers: [...paid.numbers, '4008001234', '+862066240030'], reference: 'sub-1' };
    const released = await post(sandbox, '/v1/numbers/release', body);
    expect(released.status).toBe(200);
    expect(released.body).toEqual({
      reference: 'sub-1',
      released: paid.numbers,
      removed: ['4008001234'],
      unchanged: ['+862066240030'],
    });
    expect((await numbersOf(sandbox, { status: 'sold' })).length).toBe(0);
    expect(sandbox.store.data.numbers['4008001234']).toBeUndefined();
    expect(sandbox.store.data.numbers[paid.numbers[0]!]).toEqual({
      number: paid.numbers[0],
      type: 'fixed-line',
      areaCode: '020',
      status: 'released',
      releasedFrom: { customerId, orderId: paid.id, at: expect.any(String) },
    });
    // Not reservable by anyone: of the 30 numbers in 020, 2 are released and 1 reserved.
    expect((await numbersOf(sandbox, { areaCode: '020', status: 'available' })).length).toBe(27);
    const again = await post(sandbox, '/v1/numbers/release', body);
    expect(again.body).toMatchObject({ released: [], removed: [], unchanged: body.numbers });
  });
});

describe('billing sandbox: invoices', () => {
  it('refuses a title other than the customer name, naming the expected one, and an unpaid order', async () => {
    const sandbox = open();
    const customerId = await createCustomer(sandbox);
    const unpaid = await order(sandbox, customerId);
    const res = await requestInvoice(sandbox, customerId, unpaid.id, 'Acme Telecom', { remark: '' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body.errors).toEqual([
      { path: 'title', message: 'must be exactly the customer\'s name "Acme Telecom Ltd"' },
      { path: 'orderId', message: expect.stringContaining('only paid orders') },
    ]);
    const spaced = await requestInvoice(sandbox, customerId, unpaid.id, 'Acme Telecom Ltd ');
    expect(errorPaths(spaced)).toEqual(['title', 'orderId']);
    const bad = await requestInvoice(sandbox, customerId, unpaid.id, ACME.name, {
      itemisation: 'by-line',
      remark: 'x'.repeat(201),
    });
    expect(bad.status).toBe(400);
    expect(errorPaths(bad).sort()).toEqual(['itemisation', 'remark']);
    expect(Object.keys(sandbox.store.data.invoices)).toHaveLength(0);
  });

  it('issues a requested invoice after the delay, with a webhook and a PDF; one invoice per order', async () => {
    const receiver = await startReceiver();
    const sandbox = open({ webhookUrl: receiver.url, webhookSecret: SECRET, invoiceDelayMs: 300 });
    const customerId = await createCustomer(sandbox);
    const paid = await paidOrder(sandbox, customerId);
    const body = {
      customerId,
      orderId: paid.id,
      title: ACME.name,
      itemisation: 'by-consumption',
      remark: 'Q1 (prepaid)',
    };
    const startedAt = Date.now();
    const requested = await post(sandbox, '/v1/invoices', body);
    advance(5_000);
    expect(requested.status).toBe(201);
    expect(requested.body).toEqual({
      id: expect.stringMatching(/^inv_/),
      customerId,
      orderId: paid.id,
      reference: 'case-1',
      title: ACME.name,
      itemisation: 'by-consumption',
      remark: 'Q1 (prepaid)',
      amountFen: paid.amountFen,
      status: 'requested',
      requestedAt: new Date(START).toISOString(),
      issuedAt: null,
      pdfUrl: null,
    });
    const invoiceId = requested.body.id as string;
    const second = await post(sandbox, '/v1/invoices', { ...body, remark: 'again' });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(requested.body);
    expect((await get(sandbox, `/v1/invoices/${invoiceId}/pdf`)).status).toBe(404);

    const event = await eventually(() => receiver.ofType('invoice.issued')[0], 3_000, 'invoice.issued');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(event.verified).toBe(true);
    const issued = (await get(sandbox, `/v1/invoices/${invoiceId}`)).body;
    expect(issued).toMatchObject({
      status: 'issued',
      issuedAt: new Date(START + 5_000).toISOString(),
      pdfUrl: `/v1/invoices/${invoiceId}/pdf`,
    });
    expect(event.event.data).toEqual(issued);
    expect((await get(sandbox, `/v1/invoices?orderId=${paid.id}`)).body).toEqual([issued]);

    const pdf = await get(sandbox, issued.pdfUrl as string)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toMatch(/^application\/pdf/);
    const bytes = pdf.body as Buffer;
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = bytes.toString('latin1');
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(text).toContain("(Title: Acme Telecom Ltd) '");
    expect(text).toContain('Remark: Q1 \\(prepaid\\)');
    expect(text).toContain(`CNY 210.00 \\(${paid.amountFen} fen\\)`);
    // The cross-reference table points at the objects it names.
    const startxref = Number(/startxref\n(\d+)/.exec(text)?.[1]);
    expect(text.slice(startxref, startxref + 4)).toBe('xref');
    const firstOffset = Number(/0000000000 65535 f \n(\d{10}) 00000 n/.exec(text)?.[1]);
    expect(text.slice(firstOffset, firstOffset + 7)).toBe('1 0 obj');
  });

  it('keeps CJK titles exact in the PDF metadata', async () => {
    const sandbox = open({ invoiceDelayMs: 0 });
    const customerId = await createCustomer(sandbox, {
      enterpriseId: 'ent-cn',
      name: '示例科技有限公司',
      contactEmail: 'c@example.cn',
    });
    const paid = await paidOrder(sandbox, customerId);
    const invoice = await requestInvoice(sandbox, customerId, paid.id, '示例科技有限公司');
    expect(invoice.status).toBe(201);
    await eventually(() => sandbox.store.data.invoices[invoice.body.id]?.status === 'issued', 3_000, 'issued');
    const pdf = await get(sandbox, `/v1/invoices/${invoice.body.id}/pdf`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    const text = (pdf.body as Buffer).toString('latin1');
    const expected = Buffer.from('示例科技有限公司', 'utf16le').swap16().toString('hex').toUpperCase();
    expect(text).toContain(`/Title <FEFF${expected}>`);
    expect(text).toContain('\\\\u793A');
  });
});

describe('billing sandbox: webhook delivery', () => {
  it('retries failed deliveries with backoff and logs every attempt', async () => {
    const receiver = await startReceiver();
    receiver.answerWith((attempt) => (attempt <= 2 ? 500 : 204));
    const sandbox = open({ webhookUrl: receiver.url, webhookSecret: SECRET });
    const customerId = await createCustomer(sandbox);
    const paid = await paidOrder(sandbox, customerId);
    const delivery = await eventually(() => sandbox.webhookDeliveries().find((d) => d.delivered), 3_000, 'delivered');
    expect(delivery).toMatchObject({
      type: 'order.paid',
      attempts: 3,
      delivered: true,
      lastStatus: 204,
      dropped: false,
      duplicated: false,
      gaveUp: false,
    });
    expect(delivery.attemptLog.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 204],
    ]);
    // Every attempt carries the same event, freshly signed.
    expect(new Set(receiver.received.map((r) => r.raw)).size).toBe(1);
    expect(receiver.received.every((r) => r.verified && r.event.data.id === paid.id)).toBe(true);

    const listed = (await request(sandbox.app).get('/_sandbox/webhooks')).body;
    expect(listed.count).toBe(1);
    expect(listed.deliveries[0]).toMatchObject({
      eventId: delivery.eventId,
      type: 'order.paid',
      attempts: 3,
      delivered: true,
      lastStatus: 204,
      dropped: false,
    });
  });

  it('gives up after five attempts on an unreachable receiver', async () => {
    const receiver = await startReceiver();
    receiver.answerWith(() => 503);
    const sandbox = open({ webhookUrl: receiver.url, webhookSecret: SECRET });
    const customerId = await createCustomer(sandbox);
    await paidOrder(sandbox, customerId);
    const delivery = await eventually(() => sandbox.webhookDeliveries().find((d) => d.gaveUp), 3_000, 'given up');
    expect(delivery).toMatchObject({ attempts: 5, delivered: false, lastStatus: 503 });
    await sleep(50);
    expect(receiver.received).toHaveLength(5);
  });

  it('drops events when told to (the client must poll), and redelivers on request', async () => {
    const receiver = await startReceiver();
    const sandbox = open({ webhookUrl: receiver.url, webhookSecret: SECRET });
    const faults = await request(sandbox.app).put('/_sandbox/faults').send({ webhookDropRate: 1 });
    expect(faults.body).toMatchObject({ webhookDropRate: 1, webhookDuplicateRate: 0 });
    const customerId = await createCustomer(sandbox);
    const paid = await paidOrder(sandbox, customerId);
    await sleep(100);
    expect(receiver.received).toHaveLength(0);
    // The change itself happened: polling finds it.
    expect((await get(sandbox, `/v1/orders/${paid.id}`)).body.status).toBe('paid');
    const [dropped] = (await request(sandbox.app).get('/_sandbox/webhooks?type=order.paid')).body.deliveries;
    expect(dropped).toMatchObject({
      type: 'order.paid',
      attempts: 0,
      delivered: false,
      lastStatus: null,
      dropped: true,
    });

    const redelivered = await request(sandbox.app).post(`/_sandbox/webhooks/${dropped.eventId}/redeliver`);
    expect(redelivered.status).toBe(202);
    const received = await eventually(() => receiver.received[0], 3_000, 'redelivery');
    expect(received.event).toMatchObject({ id: dropped.eventId, type: 'order.paid', data: { id: paid.id } });
    expect(received.verified).toBe(true);
    expect((await request(sandbox.app).post('/_sandbox/webhooks/evt_unknown/redeliver')).status).toBe(404);
  });

  it('duplicates events when told to: two deliveries with one id, and one more per redelivery', async () => {
    const receiver = await startReceiver();
    const sandbox = open({ webhookUrl: receiver.url, webhookSecret: SECRET, webhookDuplicateRate: 1 });
    const customerId = await createCustomer(sandbox);
    const paid = await paidOrder(sandbox, customerId);
    await eventually(() => sandbox.webhookDeliveries()[0]?.deliveredCopies === 2, 3_000, 'two deliveries');
    const [first, second] = receiver.received;
    expect(first!.event.id).toBe(second!.event.id);
    expect(first!.raw).toBe(second!.raw);
    expect(first!.event.data.id).toBe(paid.id);
    expect(sandbox.webhookDeliveries()[0]).toMatchObject({
      duplicated: true,
      deliveredCopies: 2,
      attempts: 2,
      delivered: true,
    });

    await request(sandbox.app).post(`/_sandbox/webhooks/${first!.event.id}/redeliver`).expect(202);
    await eventually(() => receiver.received.length === 3, 3_000, 'third delivery');
    expect(receiver.received[2]!.event.id).toBe(first!.event.id);
    await sleep(50);
    expect(receiver.received).toHaveLength(3);
  });

  it('takes the webhook switches and the invoice delay from the environment', () => {
    expect(loadConfig({}).billing).toMatchObject({
      webhookDropRate: 0,
      webhookDuplicateRate: 0,
      invoiceDelayMs: 5_000,
    });
    const c = loadConfig({
      BILLING_WEBHOOK_DROP_RATE: '0.25',
      BILLING_WEBHOOK_DUPLICATE_RATE: '0.5',
      BILLING_INVOICE_DELAY_MS: '250',
    });
    expect(c.billing).toMatchObject({ webhookDropRate: 0.25, webhookDuplicateRate: 0.5, invoiceDelayMs: 250 });
    expect(() => loadConfig({ BILLING_WEBHOOK_DROP_RATE: '2' })).toThrow(/BILLING_WEBHOOK_DROP_RATE/);
  });

  it('validates the webhook switches', async () => {
    const sandbox = open();
    const bad = await request(sandbox.app)
      .put('/_sandbox/faults')
      .send({ webhookDropRate: 1.5, webhookDuplicateRate: -1 });
    expect(bad.status).toBe(400);
    expect(errorPaths(bad).sort()).toEqual(['webhookDropRate', 'webhookDuplicateRate']);
    expect(() => open({ webhookUrl: 'http://127.0.0.1:1/hooks' })).toThrow(/webhookSecret/);
  });
});

describe('billing sandbox: persistence of orders and their follow-ups', () => {
  it('keeps inventory, reservations, orders, charges, invoices, ledger and events across a restart', async () => {
    const receiver = await startReceiver();
    const first = open({ webhookUrl: receiver.url, webhookSecret: SECRET, invoiceDelayMs: 0 });
    const customerId = await createCustomer(first);
    const paid = await paidOrder(first, customerId);
    const active = await reserve(first, customerId, { areaCode: '0755', quantity: 1, ttlSeconds: 600 });
    await credit(first, customerId, 1_000);
    await post(
      first,
      '/v1/charges',
      { customerId, amountFen: 400, description: 'rent', reference: 'sub-1' },
      'rent-1',
    ).expect(201);
    await post(first, '/v1/numbers/import', {
      customerId,
      numbers: [{ number: '4008001234', type: '400' }],
      reference: 'case-9',
    }).expect(200);
    const invoice = await requestInvoice(first, customerId, paid.id, ACME.name);
    await eventually(
      () => first.webhookDeliveries().filter((d) => d.delivered).length === 2,
      3_000,
      'both events delivered',
    );
    const before = {
      numbers: await numbersOf(first, {}),
      order: (await get(first, `/v1/orders/${paid.id}`)).body,
      reservation: (await get(first, `/v1/reservations/${active.id}`)).body,
      charges: (await get(first, '/v1/charges')).body,
      invoice: (await get(first, `/v1/invoices/${invoice.body.id}`)).body,
      deliveries: first.webhookDeliveries(),
      balance: await balance(first, customerId),
    };

    const second = await reopen(first, { webhookUrl: receiver.url, webhookSecret: SECRET });
    expect(await numbersOf(second, {})).toEqual(before.numbers);
    expect((await get(second, `/v1/orders/${paid.id}`)).body).toEqual(before.order);
    expect((await get(second, `/v1/reservations/${active.id}`)).body).toEqual(before.reservation);
    expect((await get(second, '/v1/charges')).body).toEqual(before.charges);
    expect((await get(second, `/v1/invoices/${invoice.body.id}`)).body).toEqual(before.invoice);
    expect(second.webhookDeliveries()).toEqual(before.deliveries);
    expect(await balance(second, customerId)).toBe(before.balance);
    expect(
      (
        await post(
          second,
          '/v1/charges',
          { customerId, amountFen: 400, description: 'rent', reference: 'sub-1' },
          'rent-1',
        )
      ).headers['idempotent-replayed'],
    ).toBe('true');
    // Not reseeded: sold and imported numbers stay as they were.
    expect((await numbersOf(second, { status: 'sold' })).map((n) => n.number)).toEqual(paid.numbers);
    expect(await numbersOf(second, { status: 'imported' })).toHaveLength(1);
    // The reservation's clock kept running while the sandbox was down.
    advance(600_000);
    expect((await get(second, `/v1/reservations/${active.id}`)).body.status).toBe('expired');
    await sleep(50);
    expect(receiver.received).toHaveLength(2);
  });

  it('issues invoices and delivers events left pending by the previous run', async () => {
    const receiver = await startReceiver();
    receiver.answerWith(() => 503);
    const first = open({
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
      webhookRetryDelaysMs: [60_000],
      invoiceDelayMs: 60_000,
    });
    const customerId = await createCustomer(first);
    const paid = await paidOrder(first, customerId);
    await eventually(() => receiver.received.length === 1, 3_000, 'first attempt');
    const invoice = await requestInvoice(first, customerId, paid.id, ACME.name);
    expect(invoice.body.status).toBe('requested');

    receiver.answerWith(() => 200);
    advance(60_000);
    const second = await reopen(first, { webhookUrl: receiver.url, webhookSecret: SECRET, invoiceDelayMs: 60_000 });
    await eventually(() => receiver.ofType('invoice.issued')[0], 3_000, 'invoice.issued after restart');
    await eventually(() => second.webhookDeliveries().every((d) => d.delivered), 3_000, 'every event delivered');
    const paidEvent = second.webhookDeliveries().find((d) => d.type === 'order.paid');
    expect(paidEvent?.attemptLog.map((a) => a.status)).toEqual([503, 200]);
    expect((await get(second, `/v1/invoices/${invoice.body.id}`)).body).toMatchObject({
      status: 'issued',
      issuedAt: new Date(START + 60_000).toISOString(),
    });
  });
});
