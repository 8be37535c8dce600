/**
 * The HTTP API (contract: shared API.md). Routes are thin: authenticate, validate with the
 * domain's zod schemas, then hand over to the case service.
 */
import express, { type Request } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { onboardingKindSchema, type OnboardingResource } from '../domain/onboarding';
import { UnsupportedContentError, type DocumentStore } from '../storage/documents';
import { createDocumentStore } from '../storage';
import { actorOf, authenticate, enterpriseInPath, requireRole, type TokenRegistry } from './auth';
import { CaseService } from './cases';
import { mountCodec } from './codec';
import { mountConsole } from './console';
import { bindingFailures, kindDefinition, KINDS, type KindContext } from './kinds';
import type { ActingKind, ActionName } from '../contract/actions';
import { buildOpenApi } from './openapi';
import {
  billingWebhookSchema,
  cancelBodySchema,
  catalogQuerySchema,
  documentUploadSchema,
  listQuerySchema,
} from './schemas';
import { CATALOG, productById, quote } from '../domain/catalog';
import { createSipGateway } from '../activities';
import { BillingClient } from '../activities/billing';
import { createUsageActivities } from '../activities/usage';
import { contactCenterLookups, instancesOf } from './contact-center';
import type { SipGateway } from '../activities/sip-gateway';
import { providerAddresses } from './sip';
import { BillingNumbers } from './billing-numbers';
import { mountNumberRoutes } from './numbers';
import { mountPaperRoutes } from './papers';
import { verificationId } from '../domain/ids';
import { realNameId } from '../domain/real-name';
import { realNameQuery } from '../workflows/enterprise-real-name';
import { mountBlockedCalleeRoutes } from './blocked-callees';
import { mountUsageRoutes, NUMBER_KINDS, UsageBillingService } from './usage';
import { BILLING_SIGNATURE_HEADER, verifyBillingSignature } from './webhook-signature';
import { HttpProblem, invalid, parseOr400, problemHandler } from './problem';
import { createApiMetrics, type ApiMetrics } from './metrics';
import { mountWebhookRoutes, WebhookService } from './webhooks';
import { createWebhookStore } from '../storage';
import type { Resolver } from '../activities/webhooks';

export interface ApiDeps {
  config: Config;
  client: Client;
  tokens: TokenRegistry;
  documents?: DocumentStore;
  sipGateway?: SipGateway;
  billingNumbers?: BillingNumbers;
  /** The API's metrics, served on their own port (api/main.ts); default: a registry of this app's own. */
  metrics?: ApiMetrics;
  now?: () => number;
  /** Name resolution for webhook URLs (tests substitute their own names). */
  resolve?: Resolver;
}

/** The API's metrics for this deployment: requests timed by the app, the support queue counted in Temporal. */
export function apiMetricsFor(config: Config, client: Client): ApiMetrics {
  return createApiMetrics({
    countWorkflows: async (query) => (await client.workflow.count(query)).count,
    cacheMs: config.metrics.casesCacheMs,
    taskQueue: config.temporal.taskQueue,
  });
}

const idParam = z.string().regex(/^[a-z0-9][a-z0-9-]{2,150}$/, 'not an onboarding id');
const actionParam = z.string().regex(/^[a-z0-9-]{2,40}$/, 'not an action name');
const idempotencyKeySchema = z
  .string()
  .min(8)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export function createApp(deps: ApiDeps): express.Express {
  const { config, client } = deps;
  const documents = deps.documents ?? createDocumentStore(config);
  const cases = new CaseService(client, config);
  const now = deps.now ?? Date.now;
  const billingNumbers = deps.billingNumbers ?? BillingNumbers.fromConfig(config);
  const sipGateway = deps.sipGateway ?? createSipGateway(config);
  const contactCenter = contactCenterLookups(config);
  const usage = new UsageBillingService(
    client,
    config,
    (enterpriseId) => cases.approvedVerification(enterpriseId, now()),
    now,
    createUsageActivities({
      gateway: sipGateway,
      billing: new BillingClient({ baseUrl: config.billing.url, apiKey: config.billing.apiKey }),
      instancesOf: async (enterpriseId) => (await contactCenter.listInstances(enterpriseId)).map((i) => i.instanceId),
      now,
    }).rateUsageMonth,
  );
  const webhooks = new WebhookService(
    client,
    config,
    createWebhookStore(config),
    now,
    async (enterpriseId) => (await cases.approvedVerification(enterpriseId, now())).contact.email,
    deps.resolve,
  );
  const ctx: KindContext = {
    config,
    documents,
    now,
    approvedVerification: (enterpriseId) => cases.approvedVerification(enterpriseId, now()),
    approvedRealName: (enterpriseId) => cases.approvedRealName(enterpriseId, now()),
    startInput: (id) => cases.startInput(id),
    currentApplication: (id) => cases.currentApplication(id),
    caseStatus: (id) => cases.caseStatus(id),
    reportsOf: (enterpriseId) => cases.reportsOf(enterpriseId),
    sipGateway,
    billingNumbers,
    contactCenter,
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // First, so every request is timed and counted, refused ones too. Scraped on the metrics port
  // (METRICS_PORT), never this one: a scrape queries Temporal, and nothing internal is public.
  const metrics = deps.metrics ?? apiMetricsFor(config, client);
  app.use(metrics.middleware);

  app.get('/healthz', async (_req, res) => {
    try {
      await Promise.race([
        client.workflowService.getSystemInfo({}),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000)),
      ]);
      res.json({ status: 'ok', temporal: 'reachable' });
    } catch (err) {
      res
        .status(503)
        .type('application/problem+json')
        .json({
          type: 'about:blank',
          title: 'Temporal unreachable',
          status: 503,
          detail: err instanceof Error ? err.message : String(err),
        });
    }
  });

  app.get('/v1/openapi.json', (_req, res) => {
    res.json(buildOpenApi(config));
  });

  const v1 = express.Router();
  v1.use(authenticate(deps.tokens));
  v1.use(express.json({ limit: config.api.bodyLimit, type: ['application/json', 'application/*+json'] }));
  // A body the JSON parser did not read would otherwise be ignored and the request act on `{}`.
  v1.use((req, _res, next) => {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (
      req.method === 'POST' &&
      hasBody &&
      req.path !== '/documents' &&
      !req.is(['application/json', 'application/*+json'])
    ) {
      return next(new HttpProblem(415, 'Unsupported media type', 'send the body as application/json'));
    }
    next();
  });

  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: config.documents.maxBytes, files: 1, fields: 5, fieldSize: 1024 },
  });
  // A broken multipart body (no boundary, cut short, a part without a name) is the client's error.
  const singleFile = upload.single('file');
  const receiveFile: express.RequestHandler = (req, res, next) =>
    singleFile(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as { code?: string; message?: string };
      next(
        typeof e.code === 'string' && e.code.startsWith('LIMIT_')
          ? err
          : new HttpProblem(400, 'Invalid upload', `the multipart body could not be read: ${e.message ?? 'malformed'}`),
      );
    });
  v1.post('/documents', receiveFile, async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const fields = parseOr400(documentUploadSchema, req.body ?? {});
    const enterpriseId = principal.role === 'enterprise' ? principal.enterpriseId! : fields.enterpriseId;
    if (principal.role === 'enterprise' && fields.enterpriseId && fields.enterpriseId !== principal.enterpriseId) {
      throw new HttpProblem(403, 'Forbidden', 'an enterprise uploads its own documents only');
    }
    if (!enterpriseId) throw invalid([{ path: 'enterpriseId', message: 'support uploads name the enterprise' }]);
    if (!req.file) throw invalid([{ path: 'file', message: 'a file is required (multipart field "file")' }]);
    try {
      const doc = await documents.save({ enterpriseId, kind: fields.kind, bytes: req.file.buffer });
      res.status(201).json({
        documentId: doc.documentId,
        kind: doc.kind,
        sha256: doc.sha256,
        contentType: doc.contentType,
        size: doc.size,
      });
    } catch (err) {
      if (err instanceof UnsupportedContentError) throw new HttpProblem(415, 'Unsupported media type', err.message);
      throw err;
    }
  });

  v1.post('/onboardings', async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const key = idempotencyKey(req);
    const raw = req.body as unknown;
    const kind = parseOr400(z.object({ kind: onboardingKindSchema }), raw).kind;
    const def = kindDefinition(kind);
    if (!def?.startSchema) {
      const startable = Object.values(KINDS)
        .filter((k) => k.startSchema)
        .map((k) => k.kind);
      throw new HttpProblem(
        422,
        'Kind not startable',
        `onboarding kind ${kind} cannot be started here; available: ${startable.join(', ')}`,
      );
    }
    if (def.startRoles && principal.role !== 'admin' && !def.startRoles.includes(principal.role as 'support'))
      throw new HttpProblem(403, 'Forbidden', `${kind} is started by ${def.startRoles.join(' or ')}`);
    const body = parseOr400(def.startSchema, raw);
    if (principal.role === 'enterprise' && body.enterpriseId !== principal.enterpriseId) {
      throw new HttpProblem(403, 'Forbidden', 'an enterprise starts onboardings for itself only');
    }
    // A key already used by this enterprise answers with its case (or 409 for another body, of any
    // kind) before the pre-check, which the earlier start may itself have changed.
    const earlier = key ? await cases.replayByKey(body, key) : undefined;
    if (earlier) {
      res.status(202).location(earlier.resource.links.self).set('Idempotent-Replayed', 'true');
      res.json(earlier.resource);
      return;
    }
    const failures = [
      ...((await def.precheck?.(body, ctx)) ?? []),
      ...(def.binding ? await bindingFailures(ctx, body.enterpriseId, def.binding(body)) : []),
    ];
    if (failures.length > 0) {
      throw new HttpProblem(422, 'Pre-check failed', `${failures.length} rule(s) not met; nothing was started`, {
        errors: failures,
      });
    }
    const { resource, replayed } = await cases.start(def, body, await def.workflowInput?.(body, ctx), principal, key);
    // The enterprise's calls are billed from its first number case on; the case itself need not know.
    if (NUMBER_KINDS.has(def.kind)) {
      await usage.ensureStarted(body.enterpriseId).catch((err: unknown) => {
        // Started again by the next number case; the case just started stands either way.
        console.error(`usage billing for ${body.enterpriseId} not started:`, err);
      });
    }
    res.status(202).location(resource.links.self);
    if (replayed) res.set('Idempotent-Replayed', 'true');
    res.json(resource);
  });

  v1.get('/onboardings', async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const filters = parseOr400(listQuerySchema, req.query, 'query');
    if (principal.role === 'enterprise' && filters.enterpriseId && filters.enterpriseId !== principal.enterpriseId) {
      throw new HttpProblem(403, 'Forbidden', 'an enterprise lists its own onboardings only');
    }
    res.json({ items: await cases.list(filters, principal) });
  });

  v1.get('/sip/provider-addresses', (req, res) => {
    requireRole(req.principal, ['enterprise', 'support']);
    res.json(providerAddresses(config));
  });

  v1.get('/catalog/third-party-products', (req, res) => {
    requireRole(req.principal, ['enterprise', 'support']);
    const query = parseOr400(catalogQuerySchema, req.query, 'query');
    if (query.productId === undefined) return res.json({ items: CATALOG });
    const product = productById(query.productId)!;
    res.json({
      product,
      ...(query.quantity !== undefined ? { quote: quote(product, query.quantity, query.months) } : {}),
    });
  });

  v1.get('/enterprises/:enterpriseId/instances', async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    res.json(await instancesOf(ctx.contactCenter, enterpriseId));
  });

  v1.get('/enterprises/:enterpriseId/journey', async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    const [journey, platform] = await Promise.all([
      cases.journey(enterpriseId),
      ctx.contactCenter.listInstances(enterpriseId).catch(() => []),
    ]);
    // The platform's word on each instance's name (the journey knows instances by id).
    const names = new Map(platform.map((i) => [i.instanceId, i.centerName]));
    res.json({
      ...journey,
      instances: journey.instances.map((i) => ({ ...i, centerName: names.get(i.instanceId) ?? i.centerName })),
    });
  });

  v1.get('/onboardings/:id', async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const id = parseOr400(idParam, req.params.id, 'id');
    const { description } = await cases.authorise(id, principal);
    res.json(await withLiveRegistration(await cases.read(id, description), ctx.sipGateway));
  });

  v1.post('/onboardings/:id/actions/:action', async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const id = parseOr400(idParam, req.params.id, 'id');
    const actionName = parseOr400(actionParam, req.params.action, 'action');
    const { memo, description } = await cases.authorise(id, principal);
    const def = kindDefinition(memo.kind);
    const spec = def?.actions[actionName];
    if (!def || !spec) throw new HttpProblem(404, 'Unknown action', `${memo.kind} has no action ${actionName}`);
    if (principal.role !== 'admin' && !spec.roles.includes(principal.role)) {
      throw new HttpProblem(403, 'Forbidden', `${actionName} is taken by ${spec.roles.join(' or ')}`);
    }
    const parsed = parseOr400(spec.payload, req.body ?? {}, 'payload');
    const { failures, payload } = (await def.actionPrecheck?.(
      actionName,
      parsed,
      { id, enterpriseId: memo.enterpriseId, facts: memo.facts ?? {} },
      ctx,
    )) ?? { failures: [], payload: parsed };
    if (failures.length > 0)
      throw new HttpProblem(422, 'Rules not met', `${failures.length} rule(s) not met`, { errors: failures });
    const state = await cases.act(
      id,
      memo.kind as ActingKind,
      actionName as ActionName<ActingKind>,
      actorOf(principal),
      payload,
    );
    res.json({ ...state, createdAt: description.startTime.toISOString(), links: cases.links(id) });
  });

  v1.post('/onboardings/:id/cancel', async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const id = parseOr400(idParam, req.params.id, 'id');
    const body = parseOr400(cancelBodySchema, req.body ?? {});
    const { description, memo } = await cases.authorise(id, principal);
    // An enterprise does not stop its own call charges.
    if (memo.kind === 'usage-billing' && principal.role === 'enterprise')
      throw new HttpProblem(403, 'Forbidden', 'usage billing is stopped by support, not by the enterprise');
    if (description.status.name !== 'RUNNING') {
      throw new HttpProblem(409, 'Not running', `the case is ${description.status.name.toLowerCase()}`, {
        awaiting: [],
      });
    }
    res.json(await cases.cancel(id, actorOf(principal), body.reason));
  });

  mountNumberRoutes(v1, billingNumbers);
  mountPaperRoutes(v1, {
    billing: billingNumbers,
    approvedVerification: ctx.approvedVerification,
    now,
    // The company as the enterprise gave it in its application, for the forms it must seal.
    companyOf: async (enterpriseId) => {
      const realName = await client.workflow
        .getHandle(realNameId(enterpriseId))
        .query(realNameQuery)
        .catch(() => undefined);
      if (realName)
        return {
          name: realName.company.name,
          unifiedSocialCreditCode: realName.company.unifiedSocialCreditCode,
          legalRepresentative: realName.legalRepresentative.name,
        };
      const application = await cases.currentApplication(verificationId(enterpriseId)).catch(() => undefined);
      return (
        application && {
          name: application.company.name,
          unifiedSocialCreditCode: application.company.unifiedSocialCreditCode,
          legalRepresentative: application.legalRepresentative.name,
        }
      );
    },
  });
  mountBlockedCalleeRoutes(v1, ctx.sipGateway);
  mountUsageRoutes(v1, usage);
  mountWebhookRoutes(v1, webhooks);

  // Billing authenticates by signature over the raw body, not by bearer token.
  app.post('/v1/webhooks/billing', express.raw({ type: () => true, limit: config.api.bodyLimit }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verifyBillingSignature(
      config.billing.webhookSecret,
      req.get(BILLING_SIGNATURE_HEADER),
      raw,
      Math.floor(now() / 1000),
    );
    if (!verdict.ok) {
      throw new HttpProblem(
        401,
        'Bad signature',
        `${BILLING_SIGNATURE_HEADER} is ${verdict.reason === 'mismatch' ? 'wrong' : verdict.reason}`,
      );
    }
    let event: unknown;
    try {
      event = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpProblem(400, 'Malformed JSON', 'the webhook body is not valid JSON');
    }
    const parsed = parseOr400(billingWebhookSchema, event);
    res.json(await cases.deliverBillingEvent(parsed));
  });

  const consoleMount = mountConsole(app, v1, { config, client, tokens: deps.tokens, documents, now });
  mountCodec(app, { config, client, tokens: deps.tokens, sessionPrincipal: consoleMount.sessionPrincipal });
  app.use('/v1', v1);
  app.use((_req, _res, next) => next(new HttpProblem(404, 'Not found', 'no such route')));
  app.use(problemHandler);
  return app;
}

/**
 * A registration-mode case shows whether its gateway is registered now, from where and until
 * when, read from the SBC at request time (where the SBC can be read).
 */
async function withLiveRegistration(
  resource: OnboardingResource,
  gateway: SipGateway,
): Promise<OnboardingResource & { registration?: unknown }> {
  const account = (resource.result as { account?: { username: string; realm: string } } | null)?.account;
  if (resource.kind !== 'sip-registration' || !account) return resource;
  if (!gateway.observes?.registrations || !gateway.registration)
    return { ...resource, registration: { observable: false } };
  const now = await gateway.registration(account).catch(() => undefined);
  if (now === undefined) return { ...resource, registration: { observable: true, error: 'the SBC could not be read' } };
  return {
    ...resource,
    registration: { observable: true, registered: now !== null, ...(now ?? {}), checkedAt: new Date().toISOString() },
  };
}

function idempotencyKey(req: Request): string | undefined {
  const value = req.get('idempotency-key');
  if (value === undefined) return undefined;
  return parseOr400(idempotencyKeySchema, value, 'Idempotency-Key');
}
