/**
 * The event feed (`GET /v1/events`) and enterprises' webhook endpoints: create (the signing
 * secret is shown in that answer only), read, change, delete, rotate the secret (the previous one
 * stays valid 24 h), list delivery attempts, resend. Each endpoint's deliveries are one workflow
 * (`webhook-delivery-<endpointId>`). Another tenant's endpoints, events and attempts are 404.
 */
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import type { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../config';
import {
  addressProblem,
  attemptSchema,
  endpointCreateSchema,
  endpointPatchSchema,
  endpointView,
  endpointViewSchema,
  eventSchema,
  eventsPageSchema,
  eventsQuerySchema,
  EVENT_RETENTION_MS,
  resendSchema,
  ROTATION_OVERLAP_MS,
  urlProblem,
  type StoredEndpoint,
  type WebhookUrlPolicy,
} from '../domain/webhooks';
import { webhookUrlPolicy } from '../config/webhooks';
import { canonicalIp } from '../domain/sip';
import type { WebhookStore } from '../storage/webhooks';
import type { Resolver } from '../activities/webhooks';
import {
  deliveryWorkflowId,
  eventsAvailableSignal,
  resendSignal,
  webhookDelivery,
  type ResendRequest,
} from '../workflows/webhook-delivery';
import { enterpriseInPath, requireRole } from './auth';
import { HttpProblem, parseOr400 } from './problem';
import {
  answering,
  ENTERPRISE_PROBLEMS,
  enterpriseParam,
  jsonSchema,
  operation,
  refContent,
  type Json,
  type OperationSpec,
} from './openapi-parts';

const endpointIdParam = z.string().regex(/^we_[0-9a-f]{32}$/, 'not a webhook endpoint id');
const eventIdParam = z.string().min(1).max(300);
const attemptsQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export class WebhookService {
  private readonly policy: WebhookUrlPolicy;

  constructor(
    private readonly client: Client,
    private readonly config: Config,
    private readonly store: WebhookStore,
    private readonly now: () => number,
    /** The enterprise's contact email, told when an endpoint is disabled; null when not known yet. */
    private readonly contactOf: (enterpriseId: string) => Promise<string | null>,
    private readonly resolve: Resolver = (host) => lookup(host, { all: true, verbatim: true }),
  ) {
    this.policy = webhookUrlPolicy(config);
  }

  /** Refuses a URL by its scheme, its literal address, or an address its name resolves to now. */
  async checkUrl(url: string): Promise<void> {
    const refuse = (message: string) =>
      new HttpProblem(422, 'Endpoint URL refused', message, {
        errors: [{ path: 'url', code: 'webhook-url-refused', message }],
      });
    const problem = urlProblem(url, this.policy);
    if (problem) throw refuse(problem);
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (canonicalIp(host)) return;
    // A name that does not resolve yet is accepted; every delivery resolves and checks again.
    const addresses = await this.resolve(host).catch(() => []);
    for (const a of addresses) {
      const why = addressProblem(a.address, this.policy);
      if (why) throw refuse(`${host} resolves to ${why}`);
    }
  }

  async owned(enterpriseId: string, endpointId: string): Promise<StoredEndpoint> {
    const id = parseOr400(endpointIdParam, endpointId, 'endpointId');
    const endpoint = await this.store.endpoint(id);
    if (!endpoint || endpoint.enterpriseId !== enterpriseId)
      throw new HttpProblem(404, 'Not found', `no webhook endpoint ${id}`);
    return endpoint;
  }

  async create(enterpriseId: string, body: z.output<typeof endpointCreateSchema>) {
    await this.checkUrl(body.url);
    const at = new Date(this.now()).toISOString();
    const endpoint: StoredEndpoint = {
      id: `we_${randomBytes(16).toString('hex')}`,
      enterpriseId,
      url: body.url,
      types: [...new Set(body.types)],
      description: body.description,
      status: 'enabled',
      disabledReason: null,
      createdAt: at,
      updatedAt: at,
      contactEmail: await this.contactOf(enterpriseId).catch(() => null),
      secret: newSecret(),
      previousSecret: null,
      previousSecretExpiresAt: null,
    };
    await this.store.saveEndpoint(endpoint);
    try {
      await this.startDelivery(endpoint);
    } catch (err) {
      await this.store.deleteEndpoint(endpoint.id);
      throw err;
    }
    return endpointView(endpoint, this.now(), true);
  }

  /** Delivers the events recorded from now on (a re-enabled endpoint: from now too; resend covers the gap). */
  private async startDelivery(endpoint: StoredEndpoint): Promise<void> {
    const w = this.config.webhooks;
    await this.client.workflow.start(webhookDelivery, {
      workflowId: deliveryWorkflowId(endpoint.id),
      taskQueue: this.config.temporal.taskQueue,
      args: [
        {
          endpointId: endpoint.id,
          enterpriseId: endpoint.enterpriseId,
          cursor: await this.store.head(),
          resends: [],
          retry: { initialMs: w.retryInitialMs, maxIntervalMs: w.retryMaxIntervalMs, giveUpAfterMs: w.giveUpAfterMs },
        },
      ],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `webhook deliveries to ${endpoint.url} for ${endpoint.enterpriseId}`,
    });
  }

  async update(endpoint: StoredEndpoint, patch: z.output<typeof endpointPatchSchema>) {
    if (patch.url !== undefined) await this.checkUrl(patch.url);
    const reenable = patch.enabled === true && endpoint.status === 'disabled';
    const next: StoredEndpoint = {
      ...endpoint,
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.types !== undefined ? { types: [...new Set(patch.types)] } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(reenable ? { status: 'enabled' as const, disabledReason: null } : {}),
      updatedAt: new Date(this.now()).toISOString(),
    };
    await this.store.saveEndpoint(next);
    if (reenable) await this.startDelivery(next);
    return endpointView(next, this.now());
  }

  async remove(endpoint: StoredEndpoint): Promise<void> {
    await this.store.deleteEndpoint(endpoint.id);
    await this.client.workflow
      .getHandle(deliveryWorkflowId(endpoint.id))
      .terminate('webhook endpoint deleted')
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
  }

  async rotate(endpoint: StoredEndpoint) {
    const now = this.now();
    const next: StoredEndpoint = {
      ...endpoint,
      secret: newSecret(),
      previousSecret: endpoint.secret,
      previousSecretExpiresAt: new Date(now + ROTATION_OVERLAP_MS).toISOString(),
      updatedAt: new Date(now).toISOString(),
    };
    await this.store.saveEndpoint(next);
    return endpointView(next, now, true);
  }

  async resend(endpoint: StoredEndpoint, body: z.output<typeof resendSchema>) {
    if (endpoint.status !== 'enabled')
      throw new HttpProblem(409, 'Endpoint disabled', 'enable the endpoint first (PATCH with enabled: true)');
    let request: ResendRequest;
    if ('eventId' in body) {
      const event = await this.store.event(body.eventId);
      if (!event || event.enterpriseId !== endpoint.enterpriseId || this.expired(event.occurredAt))
        throw new HttpProblem(404, 'Not found', `no event ${body.eventId}`);
      request = { eventId: event.id };
    } else {
      request = { after: body.after, until: await this.store.head() };
    }
    const handle = this.client.workflow.getHandle(deliveryWorkflowId(endpoint.id));
    await handle.signal(resendSignal, request);
    await handle.signal(eventsAvailableSignal);
    return { endpointId: endpoint.id, queued: request };
  }

  private expired(occurredAt: string): boolean {
    return Date.parse(occurredAt) < this.now() - EVENT_RETENTION_MS;
  }

  async feed(query: z.output<typeof eventsQuerySchema>, enterpriseId: string | undefined) {
    return this.store.events({
      ...(enterpriseId !== undefined ? { enterpriseId } : {}),
      ...(query.after !== undefined ? { after: query.after } : {}),
      ...(query.types ? { types: query.types } : {}),
      limit: query.limit,
      notBefore: this.now() - EVENT_RETENTION_MS,
    });
  }

  async event(id: string, enterpriseId: string | undefined) {
    const event = await this.store.event(id);
    if (!event || (enterpriseId !== undefined && event.enterpriseId !== enterpriseId) || this.expired(event.occurredAt))
      throw new HttpProblem(404, 'Not found', `no event ${id}`);
    return event;
  }

  list(enterpriseId: string) {
    return this.store.endpoints(enterpriseId);
  }

  attempts(endpointId: string, limit: number) {
    return this.store.attempts(endpointId, limit);
  }

  view(endpoint: StoredEndpoint) {
    return endpointView(endpoint, this.now());
  }
}

export function mountWebhookRoutes(v1: Router, service: WebhookService): void {
  v1.get('/events', async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const query = parseOr400(eventsQuerySchema, req.query, 'query');
    if (principal.role === 'enterprise' && query.enterpriseId && query.enterpriseId !== principal.enterpriseId)
      throw new HttpProblem(404, 'Not found', `no enterprise ${query.enterpriseId}`);
    const enterpriseId = principal.role === 'enterprise' ? principal.enterpriseId! : query.enterpriseId;
    res.json(await service.feed(query, enterpriseId));
  });
  v1.get('/events/:eventId', async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const id = parseOr400(eventIdParam, req.params.eventId, 'eventId');
    res.json(await service.event(id, principal.role === 'enterprise' ? principal.enterpriseId! : undefined));
  });

  const base = '/enterprises/:enterpriseId/webhook-endpoints';
  v1.post(base, async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    const body = parseOr400(endpointCreateSchema, req.body ?? {});
    const created = await service.create(enterpriseId, body);
    res.status(201).location(`/v1/enterprises/${enterpriseId}/webhook-endpoints/${created.id}`).json(created);
  });
  v1.get(base, async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    res.json({ items: (await service.list(enterpriseId)).map((e) => service.view(e)) });
  });
  v1.get(`${base}/:endpointId`, async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    res.json(service.view(await service.owned(enterpriseId, String(req.params.endpointId))));
  });
  v1.patch(`${base}/:endpointId`, async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    const endpoint = await service.owned(enterpriseId, String(req.params.endpointId));
    const patch = parseOr400(endpointPatchSchema, req.body ?? {});
    res.json(await service.update(endpoint, patch));
  });
  v1.delete(`${base}/:endpointId`, async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    await service.remove(await service.owned(enterpriseId, String(req.params.endpointId)));
    res.status(204).end();
  });
  v1.post(`${base}/:endpointId/rotate-secret`, async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    res.json(await service.rotate(await service.owned(enterpriseId, String(req.params.endpointId))));
  });
  v1.get(`${base}/:endpointId/attempts`, async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    const endpoint = await service.owned(enterpriseId, String(req.params.endpointId));
    const { limit } = parseOr400(attemptsQuerySchema, req.query, 'query');
    res.json({ items: await service.attempts(endpoint.id, limit) });
  });
  v1.post(`${base}/:endpointId/resend`, async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    const endpoint = await service.owned(enterpriseId, String(req.params.endpointId));
    const body = parseOr400(resendSchema, req.body ?? {});
    res.status(202).json(await service.resend(endpoint, body));
  });
}

const endpointIdPath = {
  name: 'endpointId',
  in: 'path',
  required: true,
  schema: jsonSchema(endpointIdParam),
};
const body = (name: string) => ({ required: true, content: refContent(name) });
/** An optional query parameter. */
const query = (name: string, schema: Json, description?: string) => ({
  name,
  in: 'query',
  required: false,
  ...(description === undefined ? {} : { description }),
  schema,
});
const limitQuery = query('limit', { type: 'integer', minimum: 1, maximum: 500 });
const theEndpoint = answering('WebhookEndpoint', 'the endpoint');

/** An operation on the enterprise's endpoints (`parameters` in the place the document lists them). */
const onEnterprise = ({ operationId, summary, ...rest }: Omit<OperationSpec, 'parameters'>, extra: unknown[] = []) =>
  operation({ operationId, summary, parameters: [enterpriseParam, ...extra], ...rest });
/** An operation on one of the enterprise's endpoints. */
const onEndpoint = (spec: Omit<OperationSpec, 'parameters'>, extra: unknown[] = []) =>
  onEnterprise(spec, [endpointIdPath, ...extra]);

/** OpenAPI components and paths of these routes. */
export const webhookOpenApi = {
  schemas: {
    Event: jsonSchema(eventSchema.extend({ cursor: z.string() }), 'output'),
    EventsPage: jsonSchema(eventsPageSchema, 'output'),
    WebhookEndpoint: jsonSchema(endpointViewSchema, 'output'),
    WebhookEndpoints: jsonSchema(z.object({ items: z.array(endpointViewSchema) }), 'output'),
    WebhookEndpointCreate: jsonSchema(endpointCreateSchema),
    WebhookEndpointPatch: jsonSchema(endpointPatchSchema),
    WebhookAttempts: jsonSchema(z.object({ items: z.array(attemptSchema) }), 'output'),
    WebhookResend: jsonSchema(resendSchema),
  } as Json,
  paths: {
    '/v1/events': {
      get: operation({
        operationId: 'listEvents',
        summary:
          "The event feed, oldest first, after a cursor (owner: its own events; support: all, or one enterprise's). Kept 30 days.",
        parameters: [
          query('after', { type: 'string' }, 'nextCursor of the previous page'),
          query('types', { type: 'string' }, 'comma-separated event types'),
          query('enterpriseId', { type: 'string' }),
          limitQuery,
        ],
        ok: {
          description: 'a page of events; pass nextCursor as after for the next',
          content: refContent('EventsPage'),
        },
        problems: [400, 401, 403, 404],
      }),
    },
    '/v1/events/{eventId}': {
      get: operation({
        operationId: 'getEvent',
        summary: "One event (another tenant's: 404)",
        parameters: [{ name: 'eventId', in: 'path', required: true, schema: { type: 'string' } }],
        ok: { description: 'the event', content: refContent('Event') },
        problems: [400, 401, 403, 404],
      }),
    },
    '/v1/enterprises/{enterpriseId}/webhook-endpoints': {
      post: onEnterprise({
        operationId: 'createWebhookEndpoint',
        summary: 'Register a webhook endpoint; the answer holds its signing secret, shown this once',
        requestBody: body('WebhookEndpointCreate'),
        ok: answering('WebhookEndpoint', 'the endpoint, with `secret`', 201),
        problems: [...ENTERPRISE_PROBLEMS, 422],
      }),
      get: onEnterprise({
        operationId: 'listWebhookEndpoints',
        summary: "The enterprise's webhook endpoints and their status (owner or support)",
        ok: answering('WebhookEndpoints', 'the endpoints'),
      }),
    },
    '/v1/enterprises/{enterpriseId}/webhook-endpoints/{endpointId}': {
      get: onEndpoint({
        operationId: 'getWebhookEndpoint',
        summary: 'One webhook endpoint (never its secret)',
        ok: theEndpoint,
      }),
      patch: onEndpoint({
        operationId: 'updateWebhookEndpoint',
        summary: 'Change the URL, types or description, or enable a disabled endpoint again',
        requestBody: body('WebhookEndpointPatch'),
        ok: theEndpoint,
        problems: [...ENTERPRISE_PROBLEMS, 422],
      }),
      delete: onEndpoint({
        operationId: 'deleteWebhookEndpoint',
        summary: 'Delete the endpoint; its deliveries stop',
        ok: { status: 204, description: 'deleted' },
      }),
    },
    '/v1/enterprises/{enterpriseId}/webhook-endpoints/{endpointId}/rotate-secret': {
      post: onEndpoint({
        operationId: 'rotateWebhookSecret',
        summary: 'A new signing secret, shown this once; the previous one stays valid for 24 h',
        ok: answering('WebhookEndpoint', 'the endpoint, with the new `secret`'),
      }),
    },
    '/v1/enterprises/{enterpriseId}/webhook-endpoints/{endpointId}/attempts': {
      get: onEndpoint(
        {
          operationId: 'listWebhookAttempts',
          summary: 'Delivery attempts, newest first: status, latency, the start of the response',
          ok: answering('WebhookAttempts', 'the attempts'),
        },
        [limitQuery],
      ),
    },
    '/v1/enterprises/{enterpriseId}/webhook-endpoints/{endpointId}/resend': {
      post: onEndpoint({
        operationId: 'resendWebhookEvents',
        summary: 'Deliver one event again (`eventId`), or every event since a cursor (`after`)',
        requestBody: body('WebhookResend'),
        ok: { status: 202, description: "queued on the endpoint's delivery" },
        problems: [...ENTERPRISE_PROBLEMS, 409],
      }),
    },
  } as Json,
};
