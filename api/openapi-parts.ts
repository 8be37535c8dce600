/**
 * What every route module's OpenAPI paths share: the JSON type, a zod schema as JSON Schema, the
 * problem-details response, and the `enterpriseId` path parameter. `openapi.ts` assembles them.
 */
import { z } from 'zod';
import { enterpriseIdSchema } from '../domain/common';

export type Json = Record<string, unknown>;

/** A zod schema as JSON Schema (its `$schema` left out: the document says which dialect). */
export function jsonSchema(s: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io }) as Json;
  return rest;
}

const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/** Problem-details responses for these status codes. */
export const errors = (...codes: (number | '4XX')[]) => Object.fromEntries(codes.map((c) => [String(c), problem]));

export const enterpriseParam = {
  name: 'enterpriseId',
  in: 'path',
  required: true,
  schema: jsonSchema(enterpriseIdSchema),
};

/** A JSON body of this schema. */
export const jsonContent = (schema: Json) => ({ 'application/json': { schema } });

/** A JSON body of a schema in `components.schemas`. */
export const refContent = (name: string) => jsonContent({ $ref: `#/components/schemas/${name}` });

/** A JSON body `{items: [...]}` of a schema in `components.schemas`. */
export const itemsContent = (name: string) =>
  jsonContent({
    type: 'object',
    required: ['items'],
    properties: { items: { type: 'array', items: { $ref: `#/components/schemas/${name}` } } },
  });

/** A required string path parameter. */
export const pathParam = (name: string, description?: string) => ({
  name,
  in: 'path',
  required: true,
  ...(description === undefined ? {} : { description }),
  schema: { type: 'string' },
});

/** What a route scoped to one enterprise can answer besides success: bad input, no or wrong credentials, another tenant's (404). */
export const ENTERPRISE_PROBLEMS = [400, 401, 403, 404] as const;

/** An operation with one success answer; the rest of its answers are problem details. */
export interface OperationSpec {
  operationId: string;
  summary: string;
  parameters?: unknown[];
  requestBody?: Json;
  /** The success answer: its status (200 unless said), description and body. */
  ok: { status?: number; description: string; content?: Json };
  /** The problem-details status codes; those of a route scoped to one enterprise unless said. */
  problems?: readonly (number | '4XX')[];
}

/** The operation object, its fields in the order the document has always listed them. */
export const operation = ({
  ok: { status = 200, ...ok },
  problems = ENTERPRISE_PROBLEMS,
  ...op
}: OperationSpec): Json => ({
  ...op,
  responses: { [status]: ok, ...errors(...problems) },
});

/** An operation answering with one schema of `components.schemas`. */
export const answering = (schemaName: string, description: string, status?: number) => ({
  ...(status === undefined ? {} : { status }),
  description,
  content: refContent(schemaName),
});
