import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createBillingSandbox, type BillingSandbox } from '../../sandboxes/billing/app';
import { errorPaths, sandboxDataFiles, withApiKey } from './sandbox-harness';

const API_KEY = 'test-billing-key';
const AUTH = `Bearer ${API_KEY}`;

const files = sandboxDataFiles('billing-usage', 'billing.json');
const { post } = withApiKey(API_KEY);

function open(): BillingSandbox {
  return files.track(createBillingSandbox({ dataFile: files.dataFile, apiKey: API_KEY }));
}

async function customer(sandbox: BillingSandbox): Promise<string> {
  const res = await post(sandbox, '/v1/customers', { enterpriseId: 'ent-u', name: 'Usage Ltd' }, 'cus-u');
  return (res.body as { id: string }).id;
}

const LINE = {
  number: '+862066240001',
  numberType: 'fixed-line',
  direction: 'inbound',
  calls: 2,
  minutes: 3,
  fenPerMinute: 6,
  amountFen: 18,
};

describe('billing sandbox: per-minute prices', () => {
  it('publishes a price for every number type and direction, and keeps changes in its file', async () => {
    const sandbox = open();
    const res = await request(sandbox.app).get('/v1/prices/usage').set('Authorization', AUTH);
    expect(res.status).toBe(200);
    const prices = (res.body as { prices: { numberType: string; direction: string; fenPerMinute: number }[] }).prices;
    for (const t of ['fixed-line', '400', 'mobile'])
      for (const d of ['inbound', 'outbound'])
        expect(prices.find((p) => p.numberType === t && p.direction === d)?.fenPerMinute).toBeGreaterThan(0);
    const changed = await request(sandbox.app)
      .put('/_sandbox/prices/usage')
      .send({ prices: [{ numberType: 'mobile', direction: 'outbound', fenPerMinute: 20 }] });
    expect(changed.status).toBe(200);
    await files.close(sandbox);
    const reopened = open();
    const again = await request(reopened.app).get('/v1/prices/usage').set('Authorization', AUTH);
    const mobileOut = (
      again.body as { prices: { numberType: string; direction: string; fenPerMinute: number }[] }
    ).prices.find((p) => p.numberType === 'mobile' && p.direction === 'outbound');
    expect(mobileOut?.fenPerMinute).toBe(20);
  });

  it('needs the API key', async () => {
    expect((await request(open().app).get('/v1/prices/usage')).status).toBe(401);
  });
});

describe('billing sandbox: usage charges', () => {
  it('charges a month once: the same amount answers the first, another amount is 409', async () => {
    const sandbox = open();
    const id = await customer(sandbox);
    const body = { month: '2026-10', amountFen: 18, lines: [LINE] };
    const first = await post(sandbox, `/v1/customers/${id}/usage-charges`, body, 'ent-u/2026-10');
    expect(first.status).toBe(201);
    const replay = await post(sandbox, `/v1/customers/${id}/usage-charges`, body, 'ent-u/2026-10');
    expect(replay.status).toBe(201);
    expect(replay.get('Idempotent-Replayed')).toBe('true');
    // Another key, same month and amount: the first charge, not a second.
    const sameMonth = await post(sandbox, `/v1/customers/${id}/usage-charges`, body, 'other-key-1');
    expect(sameMonth.status).toBe(200);
    expect(sameMonth.body.id).toBe(first.body.id);
    const other = await post(
      sandbox,
      `/v1/customers/${id}/usage-charges`,
      { month: '2026-10', amountFen: 24, lines: [{ ...LINE, minutes: 4, amountFen: 24 }] },
      'other-key-2',
    );
    expect(other.status).toBe(409);
    expect(other.body.type).toMatch(/usage-charge-exists/);
    // A supplement for late records is a charge of its own.
    const supplement = await post(
      sandbox,
      `/v1/customers/${id}/usage-charges`,
      { month: '2026-10', amountFen: 6, supplement: 1, lines: [{ ...LINE, calls: 1, minutes: 1, amountFen: 6 }] },
      'ent-u/2026-10/rerun-1',
    );
    expect(supplement.status).toBe(201);
    const list = await request(sandbox.app)
      .get(`/v1/customers/${id}/usage-charges?month=2026-10`)
      .set('Authorization', AUTH);
    expect(
      (list.body as { items: { amountFen: number; supplement: number }[] }).items.map((c) => [
        c.supplement,
        c.amountFen,
      ]),
    ).toEqual([
      [0, 18],
      [1, 6],
    ]);
  });

  it('refuses lines that do not add up, a bad month and a write without a key, listing every field', async () => {
    const sandbox = open();
    const id = await customer(sandbox);
    const wrong = await post(
      sandbox,
      `/v1/customers/${id}/usage-charges`,
      { month: '2026-10', amountFen: 99, lines: [{ ...LINE, amountFen: 17 }] },
      'k-wrong-1',
    );
    expect(wrong.status).toBe(422);
    expect(errorPaths(wrong).sort()).toEqual(['amountFen', 'lines.0.amountFen']);
    const badMonth = await post(
      sandbox,
      `/v1/customers/${id}/usage-charges`,
      { month: '2026-13', amountFen: 0, lines: [] },
      'k-bad',
    );
    expect(badMonth.status).toBe(400);
    const noKey = await post(sandbox, `/v1/customers/${id}/usage-charges`, {
      month: '2026-10',
      amountFen: 0,
      lines: [],
    });
    expect(noKey.status).toBe(400);
    const unknown = await post(
      sandbox,
      '/v1/customers/cus_nobody/usage-charges',
      { month: '2026-10', amountFen: 0, lines: [] },
      'k-nobody',
    );
    expect(unknown.status).toBe(404);
  });

  it('keeps the fault switches: an outage changes nothing and a retry with the key charges once', async () => {
    const sandbox = open();
    const id = await customer(sandbox);
    sandbox.setFaults({ failureRate: 1 });
    const body = { month: '2026-11', amountFen: 18, lines: [LINE] };
    expect((await post(sandbox, `/v1/customers/${id}/usage-charges`, body, 'ent-u/2026-11')).status).toBe(503);
    sandbox.setFaults({ failureRate: 0 });
    expect((await post(sandbox, `/v1/customers/${id}/usage-charges`, body, 'ent-u/2026-11')).status).toBe(201);
    expect((await post(sandbox, `/v1/customers/${id}/usage-charges`, body, 'ent-u/2026-11')).status).toBe(201);
    expect(Object.values(sandbox.store.data.usageCharges).filter((c) => c.month === '2026-11')).toHaveLength(1);
  });
});
