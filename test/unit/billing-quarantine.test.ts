import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBillingSandbox, type BillingSandbox } from '../../sandboxes/billing/app';

const AUTH = 'Bearer test-billing-key';
const N1 = '+862066240001';
const N2 = '+862066240002';
const N3 = '+862066240003';

let dir: string;
let sandbox: BillingSandbox;
let customerId: string;
let keys = 0;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-quarantine-'));
  sandbox = createBillingSandbox({ dataFile: path.join(dir, 'billing.json'), apiKey: 'test-billing-key' });
  // The seed inventory is written asynchronously on a fresh store.
  await sandbox.store.flush();
  const res = await post('/v1/customers', { enterpriseId: 'ent-1', name: 'Acme Telecom Ltd' });
  customerId = res.body.id as string;
});

afterEach(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function post(url: string, body: object, key = `key-${++keys}`) {
  return request(sandbox.app).post(url).set('Authorization', AUTH).set('Idempotency-Key', key).send(body);
}

function get(url: string) {
  return request(sandbox.app).get(url).set('Authorization', AUTH);
}

const numberPath = (n: string) => `/v1/numbers/${encodeURIComponent(n)}`;

function reserve(quantity: number, reference = 'case-1') {
  return post('/v1/reservations', { customerId, type: 'fixed-line', areaCode: '020', quantity, reference });
}

describe('billing sandbox: one number', () => {
  it('answers whom a number is held for, and 404 for a number it does not know', async () => {
    const free = await get(numberPath(N1));
    expect(free.status).toBe(200);
    expect(free.body).toMatchObject({ number: N1, status: 'available', areaCode: '020' });
    const reserved = await reserve(1);
    expect((await get(numberPath(N1))).body).toMatchObject({
      status: 'reserved',
      customerId,
      reservationId: reserved.body.id,
    });
    const unknown = await get(numberPath('+862099999999'));
    expect(unknown.status).toBe(404);
  });
});

describe('billing sandbox: quarantine', () => {
  it('sets a number aside with its reason and case; reservations then skip it', async () => {
    const res = await post(`${numberPath(N1)}/quarantine`, {
      reason: 'routed by the SBC to instance cc-x',
      reference: 'purchase-1',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      number: N1,
      status: 'quarantined',
      quarantine: { reason: 'routed by the SBC to instance cc-x', reference: 'purchase-1' },
    });
    expect(typeof res.body.quarantine.at).toBe('string');

    const reservation = await reserve(2);
    expect(reservation.status).toBe(201);
    expect(reservation.body.numbers).toEqual([N2, N3]);

    const listed = await get('/v1/numbers?status=quarantined');
    expect(listed.body.map((n: { number: string }) => n.number)).toEqual([N1]);
  });

  it('is idempotent: quarantining again keeps the first finding', async () => {
    await post(`${numberPath(N1)}/quarantine`, { reason: 'first', reference: 'purchase-1' });
    const again = await post(`${numberPath(N1)}/quarantine`, { reason: 'second', reference: 'purchase-2' });
    expect(again.status).toBe(200);
    expect(again.body.quarantine).toMatchObject({ reason: 'first', reference: 'purchase-1' });
    const replay = await post(`${numberPath(N1)}/quarantine`, { reason: 'first', reference: 'purchase-1' }, 'same-key');
    const replayed = await post(
      `${numberPath(N1)}/quarantine`,
      { reason: 'first', reference: 'purchase-1' },
      'same-key',
    );
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(replay.body);
  });

  it('takes a reserved number out of its reservation: releasing it leaves the number quarantined, and it cannot be ordered', async () => {
    const reservation = await reserve(2);
    expect(reservation.body.numbers).toEqual([N1, N2]);
    const q = await post(`${numberPath(N1)}/quarantine`, { reason: 'in service', reference: 'case-1' });
    expect(q.status).toBe(200);
    expect(q.body.customerId).toBeUndefined();
    expect(q.body.reservationId).toBeUndefined();

    const order = await post('/v1/orders', {
      customerId,
      reservationId: reservation.body.id,
      prepaidMonths: 3,
      reference: 'case-1',
    });
    expect(order.status).toBe(409);
    expect(order.body.detail).toContain(N1);

    const released = await request(sandbox.app)
      .delete(`/v1/reservations/${reservation.body.id}`)
      .set('Authorization', AUTH)
      .set('Idempotency-Key', 'release-1');
    expect(released.status).toBe(200);
    expect((await get(numberPath(N1))).body.status).toBe('quarantined');
    expect((await get(numberPath(N2))).body.status).toBe('available');
  });

  it('refuses numbers an order or a customer holds, and unknown numbers', async () => {
    const reservation = await reserve(1);
    await post('/v1/orders', { customerId, reservationId: reservation.body.id, prepaidMonths: 3, reference: 'case-1' });
    const ordered = await post(`${numberPath(N1)}/quarantine`, { reason: 'x', reference: 'case-2' });
    expect(ordered.status).toBe(409);
    expect(ordered.body.detail).toMatch(/order ord_/);
    const unknown = await post(`${numberPath('+862099999999')}/quarantine`, { reason: 'x', reference: 'case-2' });
    expect(unknown.status).toBe(404);
    const invalid = await post(`${numberPath(N2)}/quarantine`, { reference: 'case-2' });
    expect(invalid.status).toBe(400);
    expect((await get(numberPath(N2))).body.status).toBe('available');
  });

  it('releases a quarantined number back to sale, recording who and why', async () => {
    await post(`${numberPath(N1)}/quarantine`, { reason: 'routed elsewhere', reference: 'purchase-1' });
    const res = await post(`${numberPath(N1)}/release-quarantine`, { by: 'support: ops', reason: 'line moved away' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('available');
    expect(res.body.quarantine).toBeUndefined();
    expect(res.body.quarantineHistory).toEqual([
      expect.objectContaining({
        reason: 'routed elsewhere',
        reference: 'purchase-1',
        releasedBy: 'support: ops',
        releaseReason: 'line moved away',
      }),
    ]);
    expect((await reserve(1)).body.numbers).toEqual([N1]);
    expect((await get('/v1/numbers?status=quarantined')).body).toEqual([]);
  });

  it('refuses to release a number that is not quarantined', async () => {
    const res = await post(`${numberPath(N1)}/release-quarantine`, { by: 'support: ops', reason: 'x' });
    expect(res.status).toBe(409);
    expect((await get(numberPath(N1))).body.status).toBe('available');
  });

  it('keeps quarantines across a restart', async () => {
    await post(`${numberPath(N1)}/quarantine`, { reason: 'routed elsewhere', reference: 'purchase-1' });
    await sandbox.close();
    sandbox = createBillingSandbox({ dataFile: path.join(dir, 'billing.json'), apiKey: 'test-billing-key' });
    expect((await get(numberPath(N1))).body).toMatchObject({
      status: 'quarantined',
      quarantine: { reference: 'purchase-1' },
    });
  });
});
