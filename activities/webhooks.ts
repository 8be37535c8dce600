/**
 * Events and their delivery to enterprises' webhook endpoints. `recordEvent` stores an event once
 * (keyed by its id, so a retried activity never makes two) and wakes the delivery workflows of
 * the endpoints that want it. `deliverEvent` makes one signed attempt (Standard Webhooks) to the
 * endpoint's URL, resolving and checking its addresses every time and connecting only to an
 * address it checked: no redirects followed, 10 s at most, 64 KiB of response read at most.
 * Every attempt is recorded, whatever its outcome; a failed one throws so Temporal retries it.
 */
import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import {
  addressProblem,
  urlProblem,
  wantsEvent,
  type DeliveryAttempt,
  type ProductEvent,
  type StoredEndpoint,
  type WebhookUrlPolicy,
} from '../domain/webhooks';
import type { WebhookStore } from '../storage/webhooks';
import { deliveryWorkflowId, eventsAvailableSignal } from '../contract/webhook-delivery';

export const DELIVERY_TIMEOUT_MS = 10_000;
export const RESPONSE_CAP_BYTES = 64 * 1024;
/** What an attempt keeps of the response, for the attempts list. */
const EXCERPT_BYTES = 1024;

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export interface WebhookDeps {
  store: WebhookStore;
  /** Off: events are neither stored nor delivered. */
  enabled: boolean;
  policy: WebhookUrlPolicy;
  /** Name resolution (tests substitute their own names). */
  resolve?: Resolver;
  now?: () => number;
}

/** The signature headers of one delivery: every secret still valid signs, so a rotation loses nothing. */
export function signatureHeaders(
  endpoint: Pick<StoredEndpoint, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  eventId: string,
  body: string,
  at: Date,
): Record<string, string> {
  const secrets = [endpoint.secret];
  if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && Date.parse(endpoint.previousSecretExpiresAt) > +at)
    secrets.push(endpoint.previousSecret);
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(+at / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(eventId, at, body)).join(' '),
  };
}

export interface PostOutcome {
  status: number | null;
  ok: boolean;
  latencyMs: number;
  response: string;
}

/**
 * Resolves the URL's host, refuses it if any address is not allowed, and posts to the first
 * address it checked (never resolving again: a name cannot change between check and connect).
 */
export async function postChecked(
  url: string,
  headers: Record<string, string>,
  body: string,
  policy: WebhookUrlPolicy,
  resolve: Resolver,
): Promise<PostOutcome> {
  const started = performance.now();
  const refused = (reason: string): PostOutcome => ({
    status: null,
    ok: false,
    latencyMs: Math.round(performance.now() - started),
    response: `refused: ${reason}`,
  });
  const problem = urlProblem(url, policy);
  if (problem) return refused(problem);
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    return refused(`${host} does not resolve: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (addresses.length === 0) return refused(`${host} has no address`);
  for (const a of addresses) {
    const why = addressProblem(a.address, policy);
    if (why) return refused(`${host} resolves to ${why}`);
  }
  const pinned = addresses[0]!;
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as never as (e: null, a: unknown[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  return new Promise<PostOutcome>((done) => {
    const lib = u.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (outcome: Omit<PostOutcome, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done({ ...outcome, latencyMs: Math.round(performance.now() - started) });
    };
    const req = lib.request(
      u,
      {
        method: 'POST',
        lookup,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'telephony-onboarding-webhooks/1',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const status = res.statusCode ?? 0;
        const end = (note = '') => {
          const text = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
          // A redirect is not followed: it counts as a failed attempt.
          const ok = status >= 200 && status < 300;
          finish({ status, ok, response: `${text}${note}` });
          res.destroy();
        };
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (chunks.reduce((n, c) => n + c.length, 0) < EXCERPT_BYTES) chunks.push(chunk);
          if (size > RESPONSE_CAP_BYTES) end(` [response cut at ${RESPONSE_CAP_BYTES} bytes]`);
        });
        res.on('end', () =>
          end(status >= 300 && status < 400 ? ` [redirect to ${res.headers.location ?? '?'} not followed]` : ''),
        );
        res.on('error', (err) => finish({ status, ok: false, response: `response broken: ${err.message}` }));
      },
    );
    const timer = setTimeout(() => {
      finish({ status: null, ok: false, response: `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s` });
      req.destroy();
    }, DELIVERY_TIMEOUT_MS);
    req.on('error', (err) => finish({ status: null, ok: false, response: `connection failed: ${err.message}` }));
    req.end(body);
  });
}

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Stores the events (once per id, in order) and wakes each endpoint that wants any of them. */
async function recordAll(deps: WebhookDeps, events: ProductEvent[]): Promise<void> {
  const { store } = deps;
  if (!deps.enabled || events.length === 0) return;
  for (const event of events) await store.appendEvent(event);
  const enterprises = [...new Set(events.map((e) => e.enterpriseId))];
  const endpoints = (await Promise.all(enterprises.map((id) => store.endpoints(id))))
    .flat()
    .filter(
      (e) =>
        e.status === 'enabled' && events.some((event) => e.enterpriseId === event.enterpriseId && wantsEvent(e, event)),
    );
  if (endpoints.length === 0) return;
  const { client } = Context.current();
  await Promise.all(
    endpoints.map((e) =>
      client.workflow
        .getHandle(deliveryWorkflowId(e.id))
        .signal(eventsAvailableSignal)
        .catch((err: unknown) => {
          // An endpoint being created or deleted right now: its delivery reads the feed when it starts.
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }),
    ),
  );
}

export function createWebhookActivities(deps: WebhookDeps) {
  const { store } = deps;
  const resolve = deps.resolve ?? systemResolver;
  const now = deps.now ?? Date.now;

  return {
    /** Stores the event (once per id) and wakes the delivery of every endpoint that wants it. */
    async recordEvent(event: ProductEvent): Promise<void> {
      await recordAll(deps, [event]);
    },

    /**
     * Records a case's events of one workflow task together: stored once per id in the order
     * given, the enterprise's endpoints read once, each interested endpoint woken once.
     */
    async recordEvents(events: ProductEvent[]): Promise<void> {
      await recordAll(deps, events);
    },

    /** The endpoint's events (id and cursor) after `after` (up to `limit`), and where the page ends. */
    async pendingEvents(input: { endpointId: string; after: string; limit: number }): Promise<{
      status: 'enabled' | 'disabled' | 'deleted';
      items: { id: string; cursor: string }[];
      cursor: string;
    }> {
      const endpoint = await store.endpoint(input.endpointId);
      if (!endpoint) return { status: 'deleted', items: [], cursor: input.after };
      const { items, nextCursor } = await store.events({
        enterpriseId: endpoint.enterpriseId,
        after: input.after,
        limit: input.limit,
        ...(endpoint.types.length ? { types: endpoint.types } : {}),
      });
      return {
        status: endpoint.status,
        items: items.map((e) => ({ id: e.id, cursor: e.cursor })),
        cursor: nextCursor ?? input.after,
      };
    },

    /**
     * One attempt to deliver one event, recorded in the attempts list. Throws on failure, so the
     * workflow's retry policy decides when to try again. An endpoint deleted meanwhile, or an
     * event past retention, ends the delivery quietly.
     */
    async deliverEvent(input: { endpointId: string; eventId: string }): Promise<'delivered' | 'gone'> {
      const [endpoint, event] = await Promise.all([store.endpoint(input.endpointId), store.event(input.eventId)]);
      if (!endpoint || !event) return 'gone';
      const { cursor: _cursor, ...payload } = event;
      const body = JSON.stringify(payload);
      const at = new Date(now());
      const outcome = await postChecked(
        endpoint.url,
        signatureHeaders(endpoint, event.id, body, at),
        body,
        deps.policy,
        resolve,
      );
      const attempt: DeliveryAttempt = {
        id: `wa_${randomUUID().replace(/-/g, '')}`,
        endpointId: endpoint.id,
        eventId: event.id,
        eventType: event.type,
        attempt: Context.current().info.attempt,
        at: at.toISOString(),
        ...outcome,
      };
      await store.addAttempt(attempt);
      if (!outcome.ok)
        throw ApplicationFailure.retryable(
          `delivery of ${event.id} failed: ${outcome.status ?? 'no status'} ${outcome.response.slice(0, 200)}`,
          'WebhookDeliveryFailed',
        );
      return 'delivered';
    },

    /** Disables the endpoint after deliveries failed for good; says who to tell. */
    async disableEndpoint(input: {
      endpointId: string;
      reason: string;
    }): Promise<{ url: string; enterpriseId: string; contactEmail: string | null; reason: string } | null> {
      const endpoint = await store.endpoint(input.endpointId);
      if (!endpoint) return null;
      // What the receiver last said, for the people told.
      const [last] = await store.attempts(endpoint.id, 1);
      const reason = last
        ? `${input.reason}; last answer: ${last.status ?? 'none'} ${last.response.slice(0, 200)}`
        : input.reason;
      await store.saveEndpoint({
        ...endpoint,
        status: 'disabled',
        disabledReason: reason,
        updatedAt: new Date(now()).toISOString(),
      });
      return { url: endpoint.url, enterpriseId: endpoint.enterpriseId, contactEmail: endpoint.contactEmail, reason };
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
