/**
 * Webhooks end to end on the real stack: an enterprise registers an endpoint served by the
 * receiver example in docs/ (a real HTTP server), which fails for a minute and then recovers,
 * while its verification is rejected, resubmitted and approved; then its signing secret is
 * rotated and the receiver switches to the new one, and a number is bought through to
 * activation. Every event of the feed reaches the receiver once per id, signed, in order per
 * case; attempts show the failures; resend brings an event again, handled once. Endpoints are
 * refused at loopback, private and metadata addresses, and at a name resolving to loopback.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { sha256Hex, TokenRegistry } from '../../api/auth';
import { loadConfig } from '../../config';
import { verificationId } from '../../domain/ids';
import type { DeliveryAttempt, EndpointView } from '../../domain/webhooks';
import { webhookReceiver, type ReceivedEvent } from '../../docs/webhook-receiver';
import { deliveryWorkflowId } from '../../workflows/webhook-delivery';
import { instanceFor, legalRepApplication, purchasedFixedLine, upload } from '../support/fixtures';
import { bearer, billingCall, caseApi, caseWhen, eventually, useHarness } from '../support/harness';
import { recordHistory } from '../support/histories';

/** How long the receiver answers 503 before it recovers. */
const OUTAGE_MS = 60_000;

type FeedEvent = ReceivedEvent & { cursor: string };

let receiver: http.Server;
let receiverUrl: string;
let failing = true;
let secret = '';
/** Events the receiver example handed on (once per id), in arrival order. */
const handled: ReceivedEvent[] = [];
/** Every request that reached the receiver: its id, and the answer it got. */
const arrivals: { id: string; status: number; signatures: number }[] = [];

const h = useHarness({
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  WEBHOOK_RETRY_INITIAL: '1s',
  WEBHOOK_RETRY_MAX_INTERVAL: '5s',
});
beforeAll(async () => {
  const app = express();
  app.use((req, res, next) => {
    const id = String(req.headers['webhook-id'] ?? '');
    const signatures = String(req.headers['webhook-signature'] ?? '').split(' ').length;
    res.on('finish', () => arrivals.push({ id, status: res.statusCode, signatures }));
    if (failing) {
      res.status(503).send('receiver down for maintenance');
      return;
    }
    next();
  });
  app.use('/hooks', webhookReceiver({ secret: () => secret, handle: (e) => void handled.push(e) }));
  receiver = http.createServer(app);
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
}, 60_000);

afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

const asA = () => bearer(h.tokens.entA);
const asB = () => bearer(h.tokens.entB);
const asSupport = () => bearer(h.tokens.support);
const { start, act, stageWhen } = caseApi(() => h);

/** The whole feed as `token` sees it, page by page. */
async function feed(token: string, query = ''): Promise<FeedEvent[]> {
  const out: FeedEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const res = await h.api.get(`/v1/events?limit=7${query}${after ? `&after=${after}` : ''}`).set(...bearer(token));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const page = res.body as { items: FeedEvent[]; nextCursor: string | null };
    out.push(...page.items);
    if (page.items.length < 7) return out;
    after = page.nextCursor;
  }
}

describe('webhooks', () => {
  it('refuses endpoints that point at the internal network', async () => {
    // A deployment without the local-testing switch, on the same Temporal; one name resolves to loopback.
    const config = loadConfig({ ...h.env, WEBHOOK_ALLOW_PRIVATE_URLS: 'false' });
    const tokens = new TokenRegistry([
      { principal: { name: 'A', role: 'enterprise', enterpriseId: h.enterprises.a }, tokenSha256: sha256Hex('t-a') },
    ]);
    const strict = createApp({
      config,
      client: h.client,
      tokens,
      resolve: async (host) =>
        host === 'rebound.hooks.example' ? [{ address: '127.0.0.1', family: 4 }] : Promise.reject(new Error('no DNS')),
    });
    const { default: request } = await import('supertest');
    const post = (url: string) =>
      request(strict)
        .post(`/v1/enterprises/${h.enterprises.a}/webhook-endpoints`)
        .set('Authorization', 'Bearer t-a')
        .send({ url });
    for (const [url, why] of [
      // The stack's own services run on loopback: refused as the provider's, and as loopback anyway.
      ['https://127.0.0.1/hooks', /loopback|provider's/],
      ['https://10.0.0.8/hooks', /private/],
      ['https://169.254.169.254/latest/meta-data', /linkLocal/],
      ['https://rebound.hooks.example/hooks', /rebound\.hooks\.example resolves to 127\.0\.0\.1/],
      ['https://localhost/hooks', /not a public host name/],
    ] as const) {
      const res = await post(url);
      expect(res.status, url).toBe(422);
      expect(res.body.errors, url).toEqual([expect.objectContaining({ path: 'url', code: 'webhook-url-refused' })]);
      expect(res.body.errors[0].message, url).toMatch(why);
    }
    // Nothing was kept.
    const listed = await request(strict)
      .get(`/v1/enterprises/${h.enterprises.a}/webhook-endpoints`)
      .set('Authorization', 'Bearer t-a');
    expect(listed.body.items).toEqual([]);
    // Even the local-testing switch never admits the metadata address.
    const metadata = await h.api
      .post(`/v1/enterprises/${h.enterprises.a}/webhook-endpoints`)
      .set(...asA())
      .send({ url: 'http://169.254.169.254/latest/meta-data' });
    expect(metadata.status).toBe(422);
  });

  it('delivers every event once per id, signed, in order per case, through an outage and a secret rotation', async () => {
    const created = await h.api
      .post(`/v1/enterprises/${h.enterprises.a}/webhook-endpoints`)
      .set(...asA())
      .send({ url: receiverUrl, description: 'operations' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const endpoint = created.body as EndpointView;
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    secret = endpoint.secret!;
    const base = `/v1/enterprises/${h.enterprises.a}/webhook-endpoints/${endpoint.id}`;
    // The secret is shown once: never again on reads.
    const read = await h.api.get(base).set(...asA());
    expect(read.status).toBe(200);
    expect(read.body.secret).toBeUndefined();
    expect(JSON.stringify((await h.api.get(base.replace(/\/we_.*/, '')).set(...asSupport())).body)).not.toContain(
      secret,
    );
    const outageStart = Date.now();

    // A verification rejected once, resubmitted and approved, while the receiver is down.
    const vid = await start(await legalRepApplication(h, h.enterprises.a, h.tokens.entA));
    expect(vid).toBe(verificationId(h.enterprises.a));
    await stageWhen(vid, 'awaiting-review');
    await act(vid, 'reject', h.tokens.support, {
      reasons: [{ documentKind: 'business-licence', code: 'seal-missing', message: '营业执照扫描件未加盖公章' }],
    });
    const licence = await upload(h, h.tokens.entA, 'business-licence');
    await act(vid, 'resubmit', h.tokens.entA, { documents: [licence] });
    await stageWhen(vid, 'awaiting-review');
    await act(vid, 'approve', h.tokens.support);
    await caseWhen(h, vid, (c) => c.status === 'completed', 'approved');

    // The outage landed: deliveries were refused and retried, and the attempts list says so.
    await eventually(() => arrivals.filter((a) => a.status === 503).length >= 3, 30_000, 'refused deliveries');
    const during = await h.api.get(`${base}/attempts`).set(...asA());
    expect(during.status).toBe(200);
    const failed = (during.body.items as DeliveryAttempt[]).filter((a) => !a.ok);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed[0]).toMatchObject({ status: 503, ok: false, response: 'receiver down for maintenance' });
    expect(Math.max(...failed.map((a) => a.attempt))).toBeGreaterThan(1);
    expect(handled).toEqual([]);
    await new Promise((r) => setTimeout(r, Math.max(0, outageStart + OUTAGE_MS - Date.now())));
    failing = false;

    const verificationEvents = (await feed(h.tokens.entA)).filter((e) => e.caseId === vid);
    await eventually(
      () => verificationEvents.every((e) => handled.some((x) => x.id === e.id)),
      30_000,
      'the verification events after the outage',
    );
    const types = verificationEvents.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['case.awaiting', 'case.action_taken', 'case.stage_changed', 'case.completed']),
    );
    // An awaited action says who must act and by when.
    const review = verificationEvents.find((e) => e.type === 'case.awaiting')!;
    expect(review.data.awaiting).toEqual([
      expect.objectContaining({ action: 'approve', role: 'support', dueAt: expect.any(String) }),
      expect.objectContaining({ action: 'reject', role: 'support' }),
    ]);
    const rejection = verificationEvents.find((e) => e.type === 'case.action_taken' && e.data.action === 'reject')!;
    expect(rejection.data.by).toBe('support:test support');

    // The secret rotated: the receiver holds only the new one; deliveries still verify.
    const rotated = await h.api.post(`${base}/rotate-secret`).set(...asA());
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    secret = rotated.body.secret as string;
    const beforePurchase = arrivals.length;

    // A number bought through to activation.
    const instance = await instanceFor(h, h.enterprises.a);
    const customer = (await billingCall<{ id: string }>(h, 'GET', `/v1/customers?enterpriseId=${h.enterprises.a}`))
      .body;
    await billingCall(h, 'POST', `/v1/customers/${customer.id}/credits`, { amountFen: 100_000 });
    const purchase = await purchasedFixedLine(h, h.enterprises.a, h.tokens.entA, { instanceId: instance.instanceId });

    // Everything in the feed arrives, each id handled once, in feed order within each case.
    const everything = await eventually(
      async () => {
        const all = await feed(h.tokens.entA);
        const ids = new Set(handled.map((e) => e.id));
        const activated = all.some((e) => e.type === 'number.activated' && e.caseId === purchase.id);
        return activated && all.every((e) => ids.has(e.id)) ? all : undefined;
      },
      60_000,
      'every event delivered',
    );
    expect(new Set(handled.map((e) => e.id)).size).toBe(handled.length);
    expect(everything.map((e) => e.id)).toEqual(handled.slice(0, everything.length).map((e) => e.id));
    const byCase = new Map<string, string[]>();
    for (const e of handled) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e.id]);
    for (const [caseId, ids] of byCase) {
      const inFeed = everything.filter((e) => e.caseId === caseId).map((e) => e.id);
      expect(ids.slice(0, inFeed.length), caseId).toEqual(inFeed);
    }
    // Every delivery after the rotation carried both signatures, and verified with the new secret alone.
    const afterRotation = arrivals.slice(beforePurchase);
    expect(afterRotation.length).toBeGreaterThan(0);
    expect(afterRotation.every((a) => a.signatures === 2 && a.status < 300)).toBe(true);
    expect(arrivals.some((a) => a.status === 401)).toBe(false);
    const activated = everything.find((e) => e.type === 'number.activated' && e.caseId === purchase.id)!;
    expect(activated.data.numbers).toEqual(purchase.numbers);
    expect(everything.some((e) => e.type === 'case.completed' && e.caseId === purchase.id)).toBe(true);

    // Resend: the same id arrives again, the receiver handles it once.
    const again = everything.find((e) => e.caseId === vid && e.type === 'case.completed')!;
    const resent = await h.api
      .post(`${base}/resend`)
      .set(...asA())
      .send({ eventId: again.id });
    expect(resent.status).toBe(202);
    await eventually(() => arrivals.filter((a) => a.id === again.id).length === 2, 20_000, 'resent event');
    expect(handled.filter((e) => e.id === again.id)).toHaveLength(1);
    // Resend since a cursor: every later event again, still handled once.
    const since = everything[everything.length - 3]!.cursor;
    const from = arrivals.length;
    expect(
      (
        await h.api
          .post(`${base}/resend`)
          .set(...asSupport())
          .send({ after: since })
      ).status,
    ).toBe(202);
    await eventually(() => arrivals.length - from >= 2, 20_000, 'resent since a cursor');
    expect(new Set(handled.map((e) => e.id)).size).toBe(handled.length);

    // Another tenant sees none of it.
    const other = await feed(h.tokens.entB);
    expect(other.filter((e) => e.enterpriseId === h.enterprises.a)).toEqual([]);
    expect((await h.api.get(`/v1/events/${encodeURIComponent(again.id)}`).set(...asB())).status).toBe(404);
    expect((await h.api.get(`/v1/events/${encodeURIComponent(again.id)}`).set(...asA())).status).toBe(200);
    expect((await h.api.get(base).set(...asB())).status).toBe(404);
    expect((await h.api.get(`${base}/attempts`).set(...asB())).status).toBe(404);
    const crossPath = `/v1/enterprises/${h.enterprises.b}/webhook-endpoints/${endpoint.id}`;
    expect((await h.api.get(crossPath).set(...asB())).status).toBe(404);
    expect((await h.api.get(crossPath).set(...asSupport())).status).toBe(404);

    // Histories with events, for replay.
    await recordHistory(h.client, vid, 'enterprise-verification-with-events-reject-resubmit-approve');
    await recordHistory(h.client, purchase.id, 'number-purchase-with-events-activated');
    await recordHistory(h.client, vid, 'enterprise-verification-events-batched-reject-resubmit-approve');
    await recordHistory(h.client, purchase.id, 'number-purchase-events-batched-activated');
    await recordHistory(h.client, deliveryWorkflowId(endpoint.id), 'webhook-delivery-outage-rotation-resend');

    // Deleted: its deliveries stop.
    expect((await h.api.delete(base).set(...asA())).status).toBe(204);
    expect((await h.api.get(base).set(...asA())).status).toBe(404);
    const { status } = await h.client.workflow.getHandle(deliveryWorkflowId(endpoint.id)).describe();
    expect(status.name).toBe('TERMINATED');
  }, 240_000);
});
