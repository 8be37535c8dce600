import fs from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createBillingSandbox, type BillingSandbox, type BillingSandboxOptions } from '../../sandboxes/billing/app';
import { signWebhook, verifyWebhookSignature } from '../../sandboxes/billing/webhook-signature';
import { errorPaths, requestLog, sandboxDataFiles, withApiKey } from './sandbox-harness';

const API_KEY = 'test-billing-key';
const AUTH = `Bearer ${API_KEY}`;
const PROBLEM_JSON = /^application\/problem\+json/;

const files = sandboxDataFiles('billing-sandbox', 'billing.json');
const { post, get } = withApiKey(API_KEY);

function open(options: Partial<BillingSandboxOptions> = {}): BillingSandbox {
  return files.track(createBillingSandbox({ dataFile: files.dataFile, apiKey: API_KEY, ...options }));
}

const ACME = { enterpriseId: 'ent-1', name: 'Acme Telecom Ltd', contactEmail: 'billing@acme.example' };

async function createCustomer(sandbox: BillingSandbox, key = 'create-acme') {
  const res = await post(sandbox, '/v1/customers', ACME, key);
  expect(res.status).toBe(201);
  return res.body as { id: string; balanceFen: number };
}

describe('billing sandbox: auth and basics', () => {
  it('answers /healthz without auth', async () => {
    const res = await request(open().app).get('/healthz');
    expect(res.status).toBe(200);
  });

  it('refuses /v1 without the bearer API key', async () => {
    const sandbox = open();
    const missing = await request(sandbox.app).get('/v1/customers/cus_x');
    expect(missing.status).toBe(401);
    expect(missing.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(missing.body).toMatchObject({ status: 401, title: 'Unauthorized' });

    const wrong = await request(sandbox.app).get('/v1/customers/cus_x').set('Authorization', 'Bearer nope');
    expect(wrong.status).toBe(401);
  });

  it('creates, reads and looks up a customer by enterprise', async () => {
    const sandbox = open({ now: () => new Date('2025-01-02T03:04:05.000Z') });
    const created = await post(sandbox, '/v1/customers', ACME, 'k1');
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^cus_[0-9a-f]{24}$/),
      enterpriseId: 'ent-1',
      name: 'Acme Telecom Ltd',
      contactEmail: 'billing@acme.example',
      balanceFen: 0,
      createdAt: '2025-01-02T03:04:05.000Z',
      updatedAt: '2025-01-02T03:04:05.000Z',
    });

    const byId = await get(sandbox, `/v1/customers/${created.body.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual(created.body);

    const byEnterprise = await get(sandbox, '/v1/customers?enterpriseId=ent-1');
    expect(byEnterprise.body).toEqual(created.body);

    expect((await get(sandbox, '/v1/customers?enterpriseId=ent-2')).status).toBe(404);
    const unknown = await get(sandbox, '/v1/customers/cus_unknown');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(PROBLEM_JSON);
    expect((await get(sandbox, '/v1/customers/__proto__')).status).toBe(404);
    expect((await get(sandbox, '/v1/customers')).status).toBe(400);
  });

  it('keeps one customer per enterprise: a new create updates the name and answers 200', async () => {
    const sandbox = open();
    const first = await createCustomer(sandbox);
    const second = await post(sandbox, '/v1/customers', { enterpriseId: 'ent-1', name: 'Acme Telecom Group' }, 'k2');
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.id, name: 'Acme Telecom Group', contactEmail: ACME.contactEmail });
    expect(Object.keys(sandbox.store.data.customers)).toHaveLength(1);
  });

  it('tops up a balance with integer fen credits', async () => {
    const sandbox = open();
    const customer = await createCustomer(sandbox);
    const credit = await post(
      sandbox,
      `/v1/customers/${customer.id}/credits`,
      { amountFen: 12_345, note: 'top-up' },
      'c1',
    );
    expect(credit.status).toBe(201);
    expect(credit.body).toMatchObject({
      type: 'credit',
      customerId: customer.id,
      amountFen: 12_345,
      balanceAfterFen: 12_345,
      note: 'top-up',
    });
    await post(sandbox, `/v1/customers/${customer.id}/credits`, { amountFen: 5 }, 'c2').expect(201);
    expect((await get(sandbox, `/v1/customers/${customer.id}`)).body.balanceFen).toBe(12_350);

    for (const amountFen of [0, -1, 1.5, '100']) {
      const bad = await post(
        sandbox,
        `/v1/customers/${customer.id}/credits`,
        { amountFen },
        `bad-${String(amountFen)}`,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ path: 'amountFen', message: expect.any(String) }]);
    }
    expect((await post(sandbox, '/v1/customers/cus_nobody/credits', { amountFen: 1 }, 'c3')).status).toBe(404);
  });

  it('answers problem+json for malformed JSON, non-JSON bodies and unknown routes', async () => {
    const sandbox = open();
    const malformed = await request(sandbox.app)
      .post('/v1/customers')
      .set('Authorization', AUTH)
      .set('Idempotency-Key', 'm1')
      .set('Content-Type', 'application/json')
      .send('{"enterpriseId":');
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toMatch(PROBLEM_JSON);

    const text = await request(sandbox.app)
      .post('/v1/customers')
      .set('Authorization', AUTH)
      .set('Idempotency-Key', 'm2')
      .set('Content-Type', 'text/plain')
      .send('hello');
    expect(text.status).toBe(415);

    const nowhere = await get(sandbox, '/v1/nowhere');
    expect(nowhere.status).toBe(404);
    expect(nowhere.body).toMatchObject({ status: 404, type: expect.stringContaining('not-found') });
  });
});

describe('billing sandbox: idempotency', () => {
  it('replays the first response for the same key and body, without doing the write again', async () => {
    const sandbox = open();
    const customer = await createCustomer(sandbox);
    const url = `/v1/customers/${customer.id}/credits`;

    const first = await post(sandbox, url, { amountFen: 500, note: 'once' }, 'credit-1');
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    // Key order does not make it a different request.
    const retry = await post(sandbox, url, { note: 'once', amountFen: 500 }, 'credit-1');
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);

    expect((await get(sandbox, `/v1/customers/${customer.id}`)).body.balanceFen).toBe(500);
    expect(Object.keys(sandbox.store.data.ledgerEntries)).toHaveLength(1);

    const log = await requestLog(sandbox, { path: url, method: 'post' });
    expect(log.count).toBe(2);
    expect(log.requests.map((r) => [r.status, r.replayed])).toEqual([
      [201, false],
      [201, true],
    ]);
    expect(log.requests[0]).toMatchObject({ method: 'POST', path: url, idempotencyKey: 'credit-1', fault: null });
  });

  it('replays a refusal too: the stored answer is the answer for that key', async () => {
    const sandbox = open();
    const first = await post(sandbox, '/v1/customers/cus_nobody/credits', { amountFen: 1 }, 'k');
    expect(first.status).toBe(404);
    const again = await post(sandbox, '/v1/customers/cus_nobody/credits', { amountFen: 1 }, 'k');
    expect(again.status).toBe(404);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(again.body).toEqual(first.body);
  });

  it('refuses a key reused with another body with 409 and changes nothing', async () => {
    const sandbox = open();
    const customer = await createCustomer(sandbox);
    const url = `/v1/customers/${customer.id}/credits`;
    await post(sandbox, url, { amountFen: 500 }, 'credit-1').expect(201);

    const reused = await post(sandbox, url, { amountFen: 900 }, 'credit-1');
    expect(reused.status).toBe(409);
    expect(reused.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(reused.body).toMatchObject({ status: 409, type: expect.stringContaining('idempotency-key-reused') });

    const otherPath = await post(sandbox, '/v1/customers', { enterpriseId: 'ent-9', name: 'Other' }, 'credit-1');
    expect(otherPath.status).toBe(409);
    expect((await get(sandbox, `/v1/customers/${customer.id}`)).body.balanceFen).toBe(500);
  });

  it('requires an Idempotency-Key on writes', async () => {
    const sandbox = open();
    const res = await post(sandbox, '/v1/customers', ACME);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({ status: 400, type: expect.stringContaining('idempotency-key-required') });
    expect((await post(sandbox, '/v1/customers', ACME, 'has space')).status).toBe(400);
    expect(Object.keys(sandbox.store.data.customers)).toHaveLength(0);
  });

  it('lists every failing field of a bad body, and stores no answer for it', async () => {
    const sandbox = open();
    const res = await post(
      sandbox,
      '/v1/customers',
      { enterpriseId: 42, contactEmail: 'not-an-email', plan: 'gold' },
      'k1',
    );
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({
      type: expect.stringContaining('validation-error'),
      title: expect.any(String),
      status: 400,
      detail: expect.any(String),
    });
    const errors = res.body.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual(['contactEmail', 'enterpriseId', 'name', 'plan']);
    expect(errors.find((e) => e.path === 'name')?.message).toBe('required');
    expect(errors.find((e) => e.path === 'plan')?.message).toBe('unknown field');

    // The client may fix the body and send it again under the same key.
    expect((await post(sandbox, '/v1/customers', ACME, 'k1')).status).toBe(201);
  });

  it('treats odd keys as plain keys', async () => {
    const sandbox = open();
    expect((await post(sandbox, '/v1/customers', ACME, '__proto__')).status).toBe(201);
    const replay = await post(sandbox, '/v1/customers', ACME, '__proto__');
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });
});

describe('billing sandbox: faults', () => {
  it('starts from the given switches and changes them at runtime, validating them', async () => {
    const sandbox = open({ latencyMs: 0, failureRate: 0.25 });
    expect((await request(sandbox.app).get('/_sandbox/faults')).body).toEqual({
      latencyMs: 0,
      failureRate: 0.25,
      timeoutRate: 0,
      webhookDropRate: 0,
      webhookDuplicateRate: 0,
    });

    const changed = await request(sandbox.app).put('/_sandbox/faults').send({ timeoutRate: 0.1 });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({
      latencyMs: 0,
      failureRate: 0.25,
      timeoutRate: 0.1,
      webhookDropRate: 0,
      webhookDuplicateRate: 0,
    });

    const bad = await request(sandbox.app).put('/_sandbox/faults').send({ failureRate: 2, latencyMs: -1, chaos: true });
    expect(bad.status).toBe(400);
    expect(errorPaths(bad).sort()).toEqual(['chaos', 'failureRate', 'latencyMs']);
    expect(sandbox.faults()).toEqual({
      latencyMs: 0,
      failureRate: 0.25,
      timeoutRate: 0.1,
      webhookDropRate: 0,
      webhookDuplicateRate: 0,
    });
  });

  it('answers 503 without performing the write, and the retry with the same key succeeds', async () => {
    let roll = 0.1;
    const sandbox = open({ failureRate: 0.5, random: () => roll });

    const failed = await post(sandbox, '/v1/customers', ACME, 'create-1');
    expect(failed.status).toBe(503);
    expect(failed.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(failed.headers['retry-after']).toBe('1');
    expect(Object.keys(sandbox.store.data.customers)).toHaveLength(0);
    expect(sandbox.store.data.idempotency['create-1']).toBeUndefined();

    roll = 0.9;
    const retried = await post(sandbox, '/v1/customers', ACME, 'create-1');
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(Object.keys(sandbox.store.data.customers)).toHaveLength(1);

    const log = await requestLog(sandbox, { path: '/v1/customers' });
    expect(log.requests.map((r) => [r.status, r.fault])).toEqual([
      [503, 'failure'],
      [201, null],
    ]);
  });

  it('holds a request on a simulated timeout, then answers 504 without performing the write', async () => {
    const sandbox = open({ timeoutRate: 1, timeoutHoldMs: 50, random: () => 0.5 });
    const res = await post(sandbox, '/v1/customers', ACME, 'slow-1');
    expect(res.status).toBe(504);
    expect(Object.keys(sandbox.store.data.customers)).toHaveLength(0);
    expect(sandbox.store.data.requests).toEqual([
      expect.objectContaining({ status: null, fault: 'timeout', idempotencyKey: 'slow-1' }),
    ]);
  });

  it('lets a client give up on a held request, and releases held requests on close', async () => {
    const sandbox = open({ timeoutRate: 1, timeoutHoldMs: 60_000 });
    await expect(post(sandbox, '/v1/customers', ACME, 'slow-1').timeout(100)).rejects.toThrow(/timeout/i);
    expect(Object.keys(sandbox.store.data.customers)).toHaveLength(0);
    sandbox.setFaults({ timeoutRate: 0 });
    expect((await post(sandbox, '/v1/customers', ACME, 'slow-1')).status).toBe(201);
  });

  it('adds latency to /v1 requests', async () => {
    const sandbox = open({ latencyMs: 80 });
    const started = Date.now();
    await get(sandbox, '/v1/customers/cus_x').expect(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  });
});

describe('billing sandbox: persistence', () => {
  it('keeps customers, balances, idempotency records and the request log across a restart', async () => {
    const first = open();
    const customer = await createCustomer(first);
    const url = `/v1/customers/${customer.id}/credits`;
    const credit = await post(first, url, { amountFen: 700 }, 'credit-1');
    await first.close();

    const saved = JSON.parse(fs.readFileSync(files.dataFile, 'utf8'));
    expect(Object.keys(saved.customers)).toEqual([customer.id]);
    expect(fs.readdirSync(files.dir)).toEqual(['billing.json']);

    const second = open();
    expect((await get(second, `/v1/customers/${customer.id}`)).body).toMatchObject({ balanceFen: 700 });
    const replay = await post(second, url, { amountFen: 700 }, 'credit-1');
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(credit.body);
    expect((await get(second, `/v1/customers/${customer.id}`)).body.balanceFen).toBe(700);
    expect((await post(second, url, { amountFen: 1 }, 'credit-1')).status).toBe(409);

    const log = await requestLog(second, { method: 'POST' });
    expect(log.count).toBe(4);
  });

  it('serialises concurrent writes and ends with every change on disk', async () => {
    const first = open();
    const customer = await createCustomer(first);
    const url = `/v1/customers/${customer.id}/credits`;
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => post(first, url, { amountFen: 10 }, `burst-${i}`)),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    await first.close();

    const second = open();
    expect((await get(second, `/v1/customers/${customer.id}`)).body.balanceFen).toBe(250);
    expect(Object.keys(second.store.data.ledgerEntries)).toHaveLength(25);
  });

  it('refuses to start on a corrupt data file rather than losing it', () => {
    fs.writeFileSync(files.dataFile, '{"customers":');
    expect(() => open()).toThrow(/not valid JSON/);
  });
});

describe('webhook signatures', () => {
  const secret = 'whsec-test-0123456789abcdef';
  const body = JSON.stringify({ type: 'payment.succeeded', data: { amountFen: 100 } });
  const t = 1_700_000_000;

  it('signs as t=<ts>,v1=<hex hmac> and verifies within the tolerance', () => {
    const header = signWebhook(secret, body, t);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, header, body, t)).toBe(true);
    expect(verifyWebhookSignature(secret, header, Buffer.from(body), t + 299)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, t - 300)).toBe(true);
  });

  it('rejects stale or future timestamps', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body, t + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, t - 301)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, t + 1_000, 2_000)).toBe(true);
  });

  it('rejects tampered bodies, timestamps, signatures and other secrets', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body.replace('100', '1000'), t)).toBe(false);
    expect(verifyWebhookSignature(secret, header.replace(`t=${t}`, `t=${t + 1}`), body, t)).toBe(false);
    const flipped = header.slice(0, -1) + (header.endsWith('0') ? '1' : '0');
    expect(verifyWebhookSignature(secret, flipped, body, t)).toBe(false);
    expect(verifyWebhookSignature('another-secret-0123456789', header, body, t)).toBe(false);
  });

  it('rejects malformed headers and accepts any matching v1 (secret rotation)', () => {
    for (const header of [undefined, '', 'garbage', `t=${t}`, `v1=${'a'.repeat(64)}`, `t=abc,v1=${'a'.repeat(64)}`]) {
      expect(verifyWebhookSignature(secret, header, body, t)).toBe(false);
    }
    const good = signWebhook(secret, body, t).split(',v1=')[1];
    expect(verifyWebhookSignature(secret, `t=${t},v1=${'0'.repeat(64)},v1=${good}`, body, t)).toBe(true);
    expect(verifyWebhookSignature(secret, `t=${t},t=${t},v1=${good}`, body, t)).toBe(false);
  });
});
