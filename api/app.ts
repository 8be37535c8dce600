/**
 * The HTTP API (contract: shared API.md). Routes are thin: authenticate, validate with the
 * domain's zod schemas, then hand over to the case service.
 */
import express from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { DocumentStore } from '../storage/documents';
import { createDocumentStore } from '../storage';
import { authenticate, enterpriseInPath, requireRole, type TokenRegistry } from './auth';
import { CaseService } from './cases';
import { mountCodec } from './codec';
import { mountConsole } from './console';
import type { KindContext } from './kinds';
import { buildOpenApi } from './openapi';
import { billingWebhookSchema, catalogQuerySchema } from './schemas';
import { CATALOG, productById, quote } from '../domain/catalog';
import { createSipGateway } from '../activities';
import { BillingClient } from '../activities/billing';
import { createUsageActivities } from '../activities/usage';
import { contactCenterLookups, instancesOf } from './contact-center';
import type { SipGateway } from '../activities/sip-gateway';
import { providerAddresses } from './sip';
import { BillingNumbers } from './billing-numbers';
import { mountDocumentRoutes } from './documents';
import { mountNumberRoutes } from './numbers';
import { mountCaseRoutes, mountStartRoutes } from './onboarding-routes';
import { mountPaperRoutes } from './papers';
import { verificationId } from '../domain/ids';
import { realNameId } from '../domain/real-name';
import { realNameQuery } from '../contract/kinds/enterprise-real-name';
import { mountBlockedCalleeRoutes } from './blocked-callees';
import { mountUsageRoutes, UsageBillingService } from './usage';
import { BILLING_SIGNATURE_HEADER, verifyBillingSignature } from './webhook-signature';
import { HttpProblem, parseOr400, problemHandler } from './problem';
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

export function createApp(deps: ApiDeps): express.Express {
  const { config, client } = deps;
  const documents = deps.documents ?? createDocumentStore(config);
  const cases = new CaseService(client, config);
  const now = deps.now ?? Date.now;
  const billingNumbers = deps.billingNumbers ?? BillingNumbers.fromConfig(config);
  const sipGateway = deps.sipGateway ?? createSipGateway(config);
  const contactCenter = contactCenterLookups(config);
  const { usage, webhooks } = caseServices(deps, cases, contactCenter, sipGateway, now);
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

  mountHealth(app, client);
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(buildOpenApi(config));
  });

  const v1 = express.Router();
  v1.use(authenticate(deps.tokens));
  acceptJsonBodies(v1, config);
  mountDocumentRoutes(v1, config, documents);
  mountStartRoutes(v1, { cases, ctx, usage });
  mountLookupRoutes(v1, config, cases, ctx);
  mountCaseRoutes(v1, { cases, ctx });
  mountNumberRoutes(v1, billingNumbers);
  mountPaperRoutes(v1, {
    billing: billingNumbers,
    approvedVerification: ctx.approvedVerification,
    now,
    companyOf: (enterpriseId) => companyOf(client, cases, enterpriseId),
  });
  mountBlockedCalleeRoutes(v1, ctx.sipGateway);
  mountUsageRoutes(v1, usage);
  mountWebhookRoutes(v1, webhooks);

  mountBillingWebhook(app, config, cases, now);

  const consoleMount = mountConsole(app, v1, { config, client, tokens: deps.tokens, documents, now });
  mountCodec(app, { config, client, tokens: deps.tokens, sessionPrincipal: consoleMount.sessionPrincipal });
  app.use('/v1', v1);
  app.use((_req, _res, next) => next(new HttpProblem(404, 'Not found', 'no such route')));
  app.use(problemHandler);
  return app;
}

/** The services beside the cases: usage billing and the enterprises' webhooks. */
function caseServices(
  deps: ApiDeps,
  cases: CaseService,
  contactCenter: KindContext['contactCenter'],
  sipGateway: SipGateway,
  now: () => number,
): { usage: UsageBillingService; webhooks: WebhookService } {
  const { config, client } = deps;
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
  return { usage, webhooks };
}

/** Liveness for load balancers: answers 503 while Temporal cannot be reached. */
function mountHealth(app: express.Express, client: Client): void {
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
}

/** Request bodies are JSON (documents aside), within the size limit. */
function acceptJsonBodies(v1: express.Router, config: Config): void {
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
}

/** What a case is started from: provider addresses, the product catalog, instances, the journey. */
function mountLookupRoutes(v1: express.Router, config: Config, cases: CaseService, ctx: KindContext): void {
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
}

/** The company as the enterprise gave it in its application, for the forms it must seal. */
async function companyOf(client: Client, cases: CaseService, enterpriseId: string) {
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
}

function mountBillingWebhook(app: express.Express, config: Config, cases: CaseService, now: () => number): void {
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
}
