/**
 * OpenAPI 3.1, generated from the same zod schemas that validate requests, so the document
 * cannot drift from what the API accepts.
 */
import { z } from 'zod';
import type { Config } from '../config';
import { documentKindSchema } from '../domain/verification';
import {
  cancelBodySchema,
  documentUploadSchema,
  listQuerySchema,
  onboardingResourceSchemaOf,
  onboardingSummarySchema,
} from './schemas';
import { shapeOf } from '../contract/kinds';
import { KINDS } from './kinds';
import { numberOpenApi } from './numbers';
import { paperOpenApi } from './papers';
import { blockedCalleeOpenApi } from './blocked-callees';
import { usageOpenApi } from './usage';
import { webhookOpenApi } from './webhooks';
import { instanceSummarySchema } from '../domain/contact-center';
import { journeyViewSchema } from '../domain/journey';
import { errors, itemsContent, jsonContent, operation, pathParam, refContent, type Json } from './openapi-parts';

function schema(s: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return withoutVacuousAnyOf(rest) as Json;
}

/**
 * `z.unknown().nullable()` becomes `anyOf: [{}, {type: 'null'}]`: the empty branch already matches
 * everything, so the whole `anyOf` says "any value", which is what is written instead (linters and
 * client generators read an empty branch as a mistake).
 */
function withoutVacuousAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutVacuousAnyOf);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node as Json).map(([key, value]) => [key, withoutVacuousAnyOf(value)] as const);
  const out = Object.fromEntries(entries) as Json;
  const anyOf = out.anyOf;
  if (
    Array.isArray(anyOf) &&
    anyOf.some((branch) => branch && typeof branch === 'object' && Object.keys(branch).length === 0)
  ) {
    delete out.anyOf;
  }
  return out;
}

/**
 * Where clients are told to send requests. A public URL on this machine (the development default)
 * is left out in favour of `/`, which resolves against wherever the document was fetched from:
 * a generated client or a docs viewer elsewhere would otherwise point at its own localhost.
 */
function serverUrl(publicUrl: string): string {
  const host = new URL(publicUrl).hostname.replace(/^\[|\]$/g, '');
  const local =
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '0.0.0.0' ||
    host === '::1' ||
    host === '::' ||
    host.startsWith('127.');
  return local ? '/' : publicUrl.replace(/\/+$/, '');
}

const idPath = pathParam('id', 'the onboarding id (its Temporal workflow id)');
const enterpriseIdPath = pathParam('enterpriseId');

export function buildOpenApi(config: Config): Json {
  const kinds = Object.values(KINDS);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Telephony onboarding API',
      version: '1.0.0',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      description:
        'Onboarding an enterprise onto the cloud contact center: each onboarding is a long-running Temporal workflow. ' +
        'Errors are application/problem+json. Mutating POSTs accept Idempotency-Key.',
    },
    servers: [{ url: serverUrl(config.api.publicUrl) }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: componentSchemas(kinds),
    },
    paths: {
      ...servicePaths(),
      ...documentPaths(),
      ...onboardingPaths(kinds),
      ...enterprisePaths(),
      ...numberOpenApi.paths,
      ...paperOpenApi.paths,
      ...blockedCalleeOpenApi.paths,
      ...usageOpenApi.paths,
      ...webhookOpenApi.paths,
      ...cancelPath(),
    },
  };
}

type KindDefinition = (typeof KINDS)[keyof typeof KINDS];

function actionsOf(kinds: KindDefinition[]) {
  return kinds.flatMap((def) => Object.entries(def.actions).map(([name, spec]) => ({ kind: def.kind, name, spec })));
}

function startableOf(kinds: KindDefinition[]) {
  return kinds.filter((def) => def.startSchema);
}

function componentSchemas(kinds: KindDefinition[]): Json {
  return {
    Problem: {
      type: 'object',
      required: ['type', 'title', 'status', 'detail'],
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: { path: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
          },
        },
        awaiting: { type: 'array', items: { type: 'object' } },
      },
    },
    Document: {
      type: 'object',
      required: ['documentId', 'kind', 'sha256', 'contentType', 'size'],
      properties: {
        documentId: { type: 'string' },
        kind: schema(documentKindSchema),
        sha256: { type: 'string' },
        contentType: { type: 'string', enum: ['application/pdf', 'image/jpeg', 'image/png'] },
        size: { type: 'integer' },
      },
    },
    // A case's `result` is its kind's: one schema per kind, told apart by `kind`.
    Onboarding: {
      oneOf: kinds.map((def) => ({ $ref: `#/components/schemas/Onboarding_${def.kind}` })),
      discriminator: {
        propertyName: 'kind',
        mapping: Object.fromEntries(kinds.map((def) => [def.kind, `#/components/schemas/Onboarding_${def.kind}`])),
      },
    },
    ...Object.fromEntries(
      kinds.map((def) => [
        `Onboarding_${def.kind}`,
        schema(onboardingResourceSchemaOf(def.kind, def.result, shapeOf(def.kind).failures), 'output'),
      ]),
    ),
    OnboardingSummary: schema(onboardingSummarySchema, 'output'),
    ...numberOpenApi.schemas,
    ...blockedCalleeOpenApi.schemas,
    ...usageOpenApi.schemas,
    ...webhookOpenApi.schemas,
    Instance: schema(instanceSummarySchema, 'output'),
    Journey: schema(journeyViewSchema, 'output'),
    ...Object.fromEntries(startableOf(kinds).map((def) => [`Start_${def.kind}`, schema(def.startSchema!)])),
    ...Object.fromEntries(actionsOf(kinds).map((a) => [`Action_${a.kind}_${a.name}`, schema(a.spec.payload)])),
  };
}

/** Health and this document: open to anyone. */
function servicePaths(): Json {
  return {
    '/healthz': {
      get: {
        operationId: 'getHealth',
        summary: 'Health: 200 when Temporal is reachable',
        security: [],
        responses: {
          200: {
            description: 'healthy',
            content: jsonContent({
              type: 'object',
              required: ['status'],
              properties: { status: { type: 'string' }, temporal: { type: 'string' } },
            }),
          },
          // Nothing in the request can be wrong, but any client error is still problem+json.
          ...errors('4XX', 503),
        },
      },
    },
    '/v1/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document',
        security: [],
        responses: {
          200: { description: 'OpenAPI 3.1', content: jsonContent({ type: 'object' }) },
          ...errors('4XX'),
        },
      },
    },
  };
}

function documentPaths(): Json {
  return {
    '/v1/documents': {
      post: {
        operationId: 'uploadDocument',
        summary: 'Upload one document (PDF, JPEG or PNG by content)',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['file', 'kind'],
                properties: {
                  file: { type: 'string', format: 'binary' },
                  ...((schema(documentUploadSchema).properties as Json) ?? {}),
                },
              },
            },
          },
        },
        responses: {
          201: { description: 'stored', content: refContent('Document') },
          ...errors(400, 401, 403, 413, 415),
        },
      },
    },
    '/v1/documents/{documentId}': {
      get: operation({
        operationId: 'getDocument',
        summary: "An uploaded document's bytes, for viewing inline (owner, support, admin; another tenant's: 404)",
        parameters: [pathParam('documentId')],
        ok: {
          description: 'the file, with its content type',
          content: Object.fromEntries(
            ['application/pdf', 'image/jpeg', 'image/png'].map((type) => [
              type,
              { schema: { type: 'string', format: 'binary' } },
            ]),
          ),
        },
        problems: [400, 401, 403, 404],
      }),
    },
  };
}

/** A mutating POST's Idempotency-Key: the same key and body answer as the first time; another body, 409. */
function idempotencyKeyHeader(replay: string): Json {
  return {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: `Sent again with the same body: ${replay}, with \`Idempotent-Replayed: true\`. With another body: 409.`,
    schema: { type: 'string', minLength: 8, maxLength: 200 },
  };
}

function onboardingPaths(kinds: KindDefinition[]): Json {
  const actions = actionsOf(kinds);
  const queryParams = Object.entries((listQuerySchema as z.ZodObject).shape).map(([name, s]) => ({
    name,
    in: 'query',
    required: false,
    schema: schema(s as z.ZodType),
  }));
  return {
    '/v1/onboardings': {
      post: {
        operationId: 'startOnboarding',
        summary: 'Start an onboarding (kind in the body)',
        parameters: [idempotencyKeyHeader('the same onboarding id')],
        requestBody: {
          required: true,
          content: jsonContent({
            oneOf: startableOf(kinds).map((def) => ({ $ref: `#/components/schemas/Start_${def.kind}` })),
          }),
        },
        responses: {
          202: { description: 'started', content: refContent('Onboarding') },
          ...errors(400, 401, 403, 409, 413, 422),
        },
      },
      get: operation({
        operationId: 'listOnboardings',
        summary: 'List onboardings (enterprises see their own)',
        parameters: queryParams,
        ok: { description: 'cases from Temporal visibility', content: itemsContent('OnboardingSummary') },
        problems: [400, 401, 403],
      }),
    },
    '/v1/onboardings/{id}': {
      get: {
        operationId: 'getOnboarding',
        summary: "A case's current state, from the workflow itself",
        parameters: [idPath],
        responses: { 200: { description: 'the case', content: refContent('Onboarding') }, ...errors(401, 403, 404) },
      },
    },
    '/v1/onboardings/{id}/actions/{action}': {
      post: {
        operationId: 'takeAction',
        summary: 'Take a human step; refused at once (409) when not awaited now',
        description: actions
          .map((a) => `- \`${a.kind}\` / \`${a.name}\` (${a.spec.roles.join(', ')}): ${a.spec.summary}`)
          .join('\n'),
        parameters: [
          idPath,
          idempotencyKeyHeader("the first action's answer (the case as that action left it)"),
          {
            name: 'action',
            in: 'path',
            required: true,
            schema: { type: 'string', enum: [...new Set(actions.map((a) => a.name))] },
          },
        ],
        requestBody: {
          content: jsonContent({
            oneOf: actions.map((a) => ({ $ref: `#/components/schemas/Action_${a.kind}_${a.name}` })),
          }),
        },
        responses: {
          200: { description: 'the new state', content: refContent('Onboarding') },
          ...errors(400, 401, 403, 404, 409, 422),
        },
      },
    },
  };
}

/** The provider's facts and the enterprise's own views. */
function enterprisePaths(): Json {
  return {
    '/v1/sip/provider-addresses': {
      get: {
        operationId: 'getSipProviderAddresses',
        summary:
          "The provider's signalling addresses: where customers send calls (inbound) and what they allow (outbound)",
        responses: {
          200: { description: '{inbound: [{host?, ip, port, transport}], outbound: [...]}' },
          ...errors(401),
        },
      },
    },
    '/v1/catalog/third-party-products': {
      get: {
        operationId: 'getThirdPartyCatalog',
        summary: 'The supplier catalogue; with productId and quantity (and months), an itemised quote in fen',
        parameters: ['productId', 'quantity', 'months'].map((name) => ({
          name,
          in: 'query',
          required: false,
          schema: { type: 'string' },
        })),
        responses: { 200: { description: '{items} or {product, quote?}' }, ...errors(400, 401) },
      },
    },
    '/v1/enterprises/{enterpriseId}/instances': {
      get: operation({
        operationId: 'listEnterpriseInstances',
        summary:
          "The enterprise's contact-center instances, as the platform has them (owner or support; another tenant's: 404)",
        parameters: [enterpriseIdPath],
        ok: { description: 'the instances, oldest first', content: itemsContent('Instance') },
        problems: [400, 401, 403, 404, 503],
      }),
    },
    '/v1/enterprises/{enterpriseId}/journey': {
      get: operation({
        operationId: 'getEnterpriseJourney',
        summary:
          "The enterprise's whole journey: milestones, instances, working numbers, who must act next and by when (owner or support; another tenant's: 404)",
        parameters: [enterpriseIdPath],
        ok: {
          description: 'the journey (`enterprise-onboarding` at `journey-<enterpriseId>`)',
          content: refContent('Journey'),
        },
        problems: [400, 401, 403, 404],
      }),
    },
  };
}

function cancelPath(): Json {
  return {
    '/v1/onboardings/{id}/cancel': {
      post: {
        operationId: 'cancelOnboarding',
        summary: 'Cancel; compensations run',
        parameters: [idPath],
        requestBody: { content: jsonContent(schema(cancelBodySchema)) },
        responses: {
          200: { description: 'the cancelled case', content: refContent('Onboarding') },
          ...errors(401, 403, 404, 409),
        },
      },
    },
  };
}
