/**
 * OpenAPI 3.1, generated from the same zod schemas that validate requests, so the document
 * cannot drift from what the API accepts.
 */
import { z } from 'zod';
import type { Config } from '../config';
import { onboardingResourceSchema, onboardingSummarySchema } from '../domain/onboarding';
import { cancelBodySchema, documentUploadSchema, listQuerySchema } from './schemas';
import { KINDS } from './kinds';

type Json = Record<string, unknown>;

function schema(s: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), problem]));

export function buildOpenApi(config: Config): Json {
  const kinds = Object.values(KINDS);
  const startable = kinds.filter((def) => def.startSchema);
  const actions = kinds.flatMap((def) =>
    Object.entries(def.actions).map(([name, spec]) => ({ kind: def.kind, name, spec })),
  );
  const queryParams = Object.entries((listQuerySchema as z.ZodObject).shape).map(([name, s]) => ({
    name,
    in: 'query',
    required: false,
    schema: schema(s as z.ZodType),
  }));

  return {
    openapi: '3.1.0',
    info: {
      title: 'Telephony onboarding API',
      version: '1.0.0',
      description:
        'Onboarding an enterprise onto the cloud contact center: each onboarding is a long-running Temporal workflow. ' +
        'Errors are application/problem+json. Mutating POSTs accept Idempotency-Key.',
    },
    servers: [{ url: config.api.publicUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
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
              items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } } },
            },
            awaiting: { type: 'array', items: { type: 'object' } },
          },
        },
        Onboarding: schema(onboardingResourceSchema, 'output'),
        OnboardingSummary: schema(onboardingSummarySchema, 'output'),
        ...Object.fromEntries(startable.map((def) => [`Start_${def.kind}`, schema(def.startSchema!)])),
        ...Object.fromEntries(actions.map((a) => [`Action_${a.kind}_${a.name}`, schema(a.spec.payload)])),
      },
    },
    paths: {
      '/healthz': {
        get: { summary: 'Health: 200 when Temporal is reachable', security: [], responses: { 200: { description: 'healthy' }, ...errors(503) } },
      },
      '/v1/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/v1/documents': {
        post: {
          summary: 'Upload one document (PDF, JPEG or PNG by content)',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file', 'kind'],
                  properties: { file: { type: 'string', format: 'binary' }, ...((schema(documentUploadSchema).properties as Json) ?? {}) },
                },
              },
            },
          },
          responses: { 201: { description: 'stored: {documentId, kind, sha256, contentType, size}' }, ...errors(400, 401, 403, 413, 415) },
        },
      },
      '/v1/onboardings': {
        post: {
          summary: 'Start an onboarding (kind in the body)',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 8, maxLength: 200 } }],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { oneOf: startable.map((def) => ({ $ref: `#/components/schemas/Start_${def.kind}` })) } },
            },
          },
          responses: {
            202: { description: 'started', content: { 'application/json': { schema: { $ref: '#/components/schemas/Onboarding' } } } },
            ...errors(400, 401, 403, 409, 413, 422),
          },
        },
        get: {
          summary: 'List onboardings (enterprises see their own)',
          parameters: queryParams,
          responses: {
            200: {
              description: 'cases from Temporal visibility',
              content: {
                'application/json': {
                  schema: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/OnboardingSummary' } } } },
                },
              },
            },
            ...errors(400, 401, 403),
          },
        },
      },
      '/v1/onboardings/{id}': {
        get: {
          summary: "A case's current state, from the workflow itself",
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: { description: 'the case', content: { 'application/json': { schema: { $ref: '#/components/schemas/Onboarding' } } } },
            ...errors(401, 403, 404),
          },
        },
      },
      '/v1/onboardings/{id}/actions/{action}': {
        post: {
          summary: 'Take a human step; refused at once (409) when not awaited now',
          description: actions.map((a) => `- \`${a.kind}\` / \`${a.name}\` (${a.spec.roles.join(', ')}): ${a.spec.summary}`).join('\n'),
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'action', in: 'path', required: true, schema: { type: 'string', enum: [...new Set(actions.map((a) => a.name))] } },
          ],
          requestBody: {
            content: {
              'application/json': { schema: { oneOf: actions.map((a) => ({ $ref: `#/components/schemas/Action_${a.kind}_${a.name}` })) } },
            },
          },
          responses: {
            200: { description: 'the new state', content: { 'application/json': { schema: { $ref: '#/components/schemas/Onboarding' } } } },
            ...errors(400, 401, 403, 404, 409, 422),
          },
        },
      },
      '/v1/sip/provider-addresses': {
        get: {
          summary: "The provider's signalling addresses: where customers send calls (inbound) and what they allow (outbound)",
          responses: { 200: { description: '{inbound: [{host?, ip, port, transport}], outbound: [...]}' }, ...errors(401) },
        },
      },
      '/v1/catalog/third-party-products': {
        get: {
          summary: 'The supplier catalogue; with productId and quantity (and months), an itemised quote in fen',
          parameters: ['productId', 'quantity', 'months'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
          responses: { 200: { description: '{items} or {product, quote?}' }, ...errors(400, 401) },
        },
      },
      '/v1/onboardings/{id}/cancel': {
        post: {
          summary: 'Cancel; compensations run',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { content: { 'application/json': { schema: schema(cancelBodySchema) } } },
          responses: {
            200: { description: 'the cancelled case', content: { 'application/json': { schema: { $ref: '#/components/schemas/Onboarding' } } } },
            ...errors(401, 403, 404, 409),
          },
        },
      },
    },
  };
}
