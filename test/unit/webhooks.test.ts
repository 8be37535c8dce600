/**
 * Webhooks without a stack: signatures against the Standard Webhooks published vector and across
 * a secret rotation; the URL and address rules; a delivery's refusals (a name resolving to
 * loopback, a redirect, an oversized answer); and the event store, files and PostgreSQL.
 */
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { postChecked, RESPONSE_CAP_BYTES, signatureHeaders } from '../../activities/webhooks';
import {
  addressProblem,
  urlProblem,
  type ProductEvent,
  type StoredEndpoint,
  type WebhookUrlPolicy,
} from '../../domain/webhooks';
import { FileWebhookStore, type WebhookStore } from '../../storage/webhooks';
import { PgWebhookStore } from '../../storage/webhooks-postgres';
import { useTestDatabase } from '../support/postgres';

// The vector published with the Standard Webhooks specification (and its libraries' tests).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const production: WebhookUrlPolicy = { allowHttp: false, allowPrivate: false, forbidden: ['203.0.113.9'] };
const local: WebhookUrlPolicy = { allowHttp: true, allowPrivate: true, forbidden: [] };

describe('signatures', () => {
  it('match the published Standard Webhooks vector', () => {
    const headers = signatureHeaders(
      { secret: VECTOR.secret, previousSecret: null, previousSecretExpiresAt: null },
      VECTOR.id,
      VECTOR.payload,
      new Date(VECTOR.timestamp * 1000),
    );
    expect(headers).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    });
  });

  it('carry both secrets during a rotation, and only the new one after 24 h', () => {
    const oldSecret = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    const newSecret = `whsec_${Buffer.alloc(24, 2).toString('base64')}`;
    const now = new Date();
    const body = '{"id":"evt_1"}';
    const during = signatureHeaders(
      {
        secret: newSecret,
        previousSecret: oldSecret,
        previousSecretExpiresAt: new Date(+now + 3600_000).toISOString(),
      },
      'evt_1',
      body,
      now,
    );
    expect(during['webhook-signature']!.split(' ')).toHaveLength(2);
    // A receiver still on the old secret, and one already on the new, both verify.
    expect(new Webhook(oldSecret).verify(body, during)).toEqual({ id: 'evt_1' });
    expect(new Webhook(newSecret).verify(body, during)).toEqual({ id: 'evt_1' });
    const after = signatureHeaders(
      { secret: newSecret, previousSecret: oldSecret, previousSecretExpiresAt: new Date(+now - 1).toISOString() },
      'evt_1',
      body,
      now,
    );
    expect(() => new Webhook(oldSecret).verify(body, after)).toThrow();
    // A body changed on the way fails against the right secret.
    expect(() => new Webhook(newSecret).verify('{"id":"evt_2"}', after)).toThrow();
  });
});

describe('where an endpoint may point', () => {
  it.each([
    ['http://hooks.example.com/in', 'only https'],
    ['https://127.0.0.1/in', 'loopback'],
    ['https://10.1.2.3/in', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['https://[::1]/in', 'loopback'],
    ['https://[::ffff:127.0.0.1]/in', 'loopback'],
    ['https://localhost/in', 'not a public host name'],
    ['https://user:pw@hooks.example.com/in', 'credentials'],
    ['https://203.0.113.9/in', "provider's"],
  ])('production refuses %s', (url, why) => {
    expect(urlProblem(url, production)).toContain(why);
  });

  it('production takes a public https URL', () => {
    expect(urlProblem('https://hooks.example.com/in', production)).toBeNull();
    expect(urlProblem('https://93.184.216.34:8443/in', production)).toBeNull();
  });

  it('local testing takes loopback and http, never link-local', () => {
    expect(urlProblem('http://127.0.0.1:9999/in', local)).toBeNull();
    expect(addressProblem('169.254.169.254', local)).toContain('linkLocal');
    expect(addressProblem('0.0.0.0', local)).not.toBeNull();
  });
});

describe('a delivery', () => {
  const servers: http.Server[] = [];
  const hits: Record<string, number> = {};
  const listen = async (name: string, handler: http.RequestListener): Promise<string> => {
    const server = http.createServer((req, res) => {
      hits[name] = (hits[name] ?? 0) + 1;
      handler(req, res);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  afterAll(async () => {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('is refused when the name resolves to loopback, and never connects', async () => {
    const url = await listen('rebound', (_req, res) => res.end('ok'));
    const port = new URL(url).port;
    const outcome = await postChecked(
      `http://hooks.example.com:${port}/in`,
      {},
      '{}',
      { ...production, allowHttp: true },
      async () => [{ address: '127.0.0.1', family: 4 }],
    );
    expect(outcome).toMatchObject({ ok: false, status: null });
    expect(outcome.response).toMatch(/refused: hooks\.example\.com resolves to 127\.0\.0\.1 is in the loopback range/);
    expect(hits.rebound ?? 0).toBe(0);
  });

  it('is refused when any address of the name is private', async () => {
    const outcome = await postChecked('https://hooks.example.com/in', {}, '{}', production, async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ]);
    expect(outcome.response).toContain('10.0.0.7 is in the private range');
  });

  it('does not follow a redirect to the metadata address or anywhere', async () => {
    const target = await listen('target', (_req, res) => res.end('reached'));
    const redirecting = await listen('redirecting', (_req, res) => {
      res.writeHead(302, { location: `${target}/in` });
      res.end();
    });
    const outcome = await postChecked(`${redirecting}/in`, {}, '{}', local, async () => [
      { address: '127.0.0.1', family: 4 },
    ]);
    expect(outcome).toMatchObject({ ok: false, status: 302 });
    expect(outcome.response).toContain('not followed');
    expect(hits.redirecting).toBe(1);
    expect(hits.target ?? 0).toBe(0);
  });

  it('reads at most 64 KiB of the answer and keeps an excerpt', async () => {
    const big = await listen('big', (_req, res) => {
      res.writeHead(200);
      res.end(Buffer.alloc(4 * RESPONSE_CAP_BYTES, 0x61));
    });
    const outcome = await postChecked(`${big}/in`, {}, '{}', local, async () => [{ address: '127.0.0.1', family: 4 }]);
    expect(outcome.ok).toBe(true);
    expect(outcome.response).toContain('[response cut at 65536 bytes]');
    expect(outcome.response.length).toBeLessThan(1200);
  });

  it('posts the body and headers it was given to the address it checked', async () => {
    let seen: { headers: http.IncomingHttpHeaders; body: string } | undefined;
    const receiver = await listen('receiver', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = { headers: req.headers, body: Buffer.concat(chunks).toString() };
        res.writeHead(204).end();
      });
    });
    const port = new URL(receiver).port;
    // The name resolves (here) to loopback, which this policy admits: the request goes to that address.
    const outcome = await postChecked(
      `http://receiver.test:${port}/in`,
      { 'webhook-id': 'evt_x' },
      '{"a":1}',
      local,
      async () => [{ address: '127.0.0.1', family: 4 }],
    );
    expect(outcome).toMatchObject({ ok: true, status: 204 });
    expect(seen?.body).toBe('{"a":1}');
    expect(seen?.headers['webhook-id']).toBe('evt_x');
    expect(seen?.headers.host).toBe(`receiver.test:${port}`);
  });
});

const event = (n: number, over: Partial<ProductEvent> = {}): ProductEvent => ({
  id: `evt_case-${n}`,
  type: 'case.step_done',
  occurredAt: new Date().toISOString(),
  enterpriseId: 'ent-a',
  caseId: 'case-1',
  kind: 'number-purchase',
  data: { n },
  ...over,
});

const database = useTestDatabase();

describe.each([
  ['files', async (): Promise<WebhookStore> => new FileWebhookStore(await mkdtemp(path.join(os.tmpdir(), 'events-')))],
  ['PostgreSQL', async (): Promise<WebhookStore> => new PgWebhookStore(database.connect())],
])('the event store (%s)', (_name, make) => {
  it('keeps one event per id, in order, paged and filtered', async () => {
    const store = await make();
    const first = await store.appendEvent(event(1));
    const again = await store.appendEvent(event(1, { data: { n: 'retried' } }));
    expect(again).toEqual({ cursor: first.cursor, inserted: false });
    await store.appendEvent(event(2, { type: 'case.completed' }));
    await store.appendEvent(event(3, { enterpriseId: 'ent-b' }));
    await store.appendEvent(event(4));
    const all = await store.events({ enterpriseId: 'ent-a', limit: 10 });
    expect(all.items.map((e) => e.id)).toEqual(['evt_case-1', 'evt_case-2', 'evt_case-4']);
    expect(all.items[0]!.data).toEqual({ n: 1 });
    const page1 = await store.events({ enterpriseId: 'ent-a', limit: 2 });
    const page2 = await store.events({ enterpriseId: 'ent-a', limit: 2, after: page1.nextCursor! });
    expect([...page1.items, ...page2.items].map((e) => e.id)).toEqual(all.items.map((e) => e.id));
    const completed = await store.events({ enterpriseId: 'ent-a', types: ['case.completed'], limit: 10 });
    expect(completed.items.map((e) => e.id)).toEqual(['evt_case-2']);
    expect((await store.events({ enterpriseId: 'ent-b', limit: 10 })).items.map((e) => e.id)).toEqual(['evt_case-3']);
    expect(await store.head()).toBe(all.items[2]!.cursor);
  });

  it('keeps order and every event when appends and reads overlap', async () => {
    const store = await make();
    const ids = Array.from({ length: 200 }, (_, i) => `evt_overlap-${i}`);
    // Reads racing the appends, several at once, as the feed, the deliveries and the recorder do.
    await Promise.all(
      ids.map(async (id, i) => {
        const reads = Array.from({ length: 3 }, () => store.events({ enterpriseId: 'ent-overlap', limit: 500 }));
        await store.appendEvent(event(100 + i, { id, enterpriseId: 'ent-overlap' }));
        await Promise.all([...reads, store.head(), store.event(id)]);
      }),
    );
    const { items } = await store.events({ enterpriseId: 'ent-overlap', limit: 500 });
    expect(items.map((e) => e.id).sort()).toEqual([...ids].sort());
    const cursors = items.map((e) => Number(e.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(new Set(cursors).size).toBe(200);
  });

  it("lists an enterprise's endpoints only, and forgets a deleted one", async () => {
    const store = await make();
    const at = new Date().toISOString();
    const endpoint = (id: string, enterpriseId: string): StoredEndpoint => ({
      id,
      enterpriseId,
      url: 'https://hooks.example.com/in',
      types: [],
      description: '',
      status: 'enabled',
      disabledReason: null,
      createdAt: at,
      updatedAt: at,
      contactEmail: null,
      secret: 'whsec_x',
      previousSecret: null,
      previousSecretExpiresAt: null,
    });
    const [a1, a2, b1] = ['a1', 'a2', 'b1'].map((n) => `we_${n.padEnd(32, '0')}`);
    await store.saveEndpoint(endpoint(a1!, 'ent-ep-a'));
    await store.saveEndpoint(endpoint(a2!, 'ent-ep-a'));
    await store.saveEndpoint(endpoint(b1!, 'ent-ep-b'));
    await store.saveEndpoint({ ...endpoint(a1!, 'ent-ep-a'), status: 'disabled' });
    expect((await store.endpoints('ent-ep-a')).map((e) => [e.id, e.status]).sort()).toEqual([
      [a1, 'disabled'],
      [a2, 'enabled'],
    ]);
    expect(await store.deleteEndpoint(a2!)).toBe(true);
    expect(await store.deleteEndpoint(a2!)).toBe(false);
    expect((await store.endpoints('ent-ep-a')).map((e) => e.id)).toEqual([a1]);
    expect((await store.endpoints('ent-ep-b')).map((e) => e.id)).toEqual([b1]);
    expect(await store.endpoint(a2!)).toBeNull();
  });

  it('lists nothing past retention', async () => {
    const store = await make();
    const past = new Date(Date.now() - 31 * 86400_000).toISOString();
    await store.appendEvent(event(10, { id: 'evt_old', enterpriseId: 'ent-retention', occurredAt: past }));
    await store.appendEvent(event(11, { id: 'evt_new', enterpriseId: 'ent-retention' }));
    const notBefore = Date.now() - 30 * 86400_000;
    const listed = await store.events({ enterpriseId: 'ent-retention', limit: 10, notBefore });
    expect(listed.items.map((e) => e.id)).not.toContain('evt_old');
    expect(listed.items.map((e) => e.id)).toContain('evt_new');
  });
});
