/**
 * Support's view of the number inventory: numbers quarantined because a purchase found them in
 * service elsewhere, and returning one to sale once the conflict is resolved (who and why are
 * recorded in billing).
 */
import type { Router } from 'express';
import { z } from 'zod';
import { formatNumber, is400Number, isFixedLine } from '../domain/numbers';
import { requireRole } from './auth';
import type { BillingNumberRecord, BillingNumbers } from './billing-numbers';
import { parseOr400 } from './problem';
import { errors, jsonSchema, type Json, itemsContent } from './openapi-parts';

export const releaseQuarantineBodySchema = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .describe('why the number may be sold again, e.g. how the conflict was resolved'),
});

export const numberParam = z
  .string()
  .trim()
  .refine((v) => isFixedLine(v) || is400Number(v), {
    message: 'not a fixed line or 400 number (e.g. +862066240011, 020-66240011, 4008200001)',
  });

function view(record: BillingNumberRecord) {
  return {
    number: record.number,
    display: formatNumber(record.number),
    type: record.type,
    areaCode: record.areaCode,
    status: record.status,
    ...(record.quarantine
      ? {
          quarantine: {
            reason: record.quarantine.reason,
            caseId: record.quarantine.reference,
            at: record.quarantine.at,
          },
        }
      : {}),
    ...(record.quarantineHistory?.length ? { quarantineHistory: record.quarantineHistory } : {}),
  };
}

export function mountNumberRoutes(v1: Router, billing: BillingNumbers): void {
  v1.get('/numbers/quarantined', async (req, res) => {
    requireRole(req.principal, ['support']);
    res.json({ items: (await billing.quarantined()).map(view) });
  });

  v1.post('/numbers/:number/release', async (req, res) => {
    const principal = requireRole(req.principal, ['support']);
    const number = parseOr400(numberParam, req.params.number, 'number');
    const body = parseOr400(releaseQuarantineBodySchema, req.body ?? {});
    const released = await billing.releaseQuarantine(number, {
      by: `${principal.role}: ${principal.name}`,
      reason: body.reason,
    });
    res.json(view(released));
  });
}

const quarantineSchema: Json = {
  type: 'object',
  required: ['reason', 'caseId', 'at'],
  properties: {
    reason: { type: 'string' },
    caseId: { type: 'string', description: 'the case that found the number in service' },
    at: { type: 'string', format: 'date-time' },
  },
};

/** OpenAPI components and paths of these routes. */
export const numberOpenApi = {
  schemas: {
    InventoryNumber: {
      type: 'object',
      required: ['number', 'display', 'type', 'areaCode', 'status'],
      properties: {
        number: { type: 'string', description: 'as billing writes it: fixed lines in E.164, 400 numbers national' },
        display: { type: 'string', description: 'as people read it, e.g. 020-66240011' },
        type: { type: 'string' },
        areaCode: { type: ['string', 'null'] },
        status: { type: 'string', enum: ['available', 'reserved', 'sold', 'imported', 'quarantined'] },
        quarantine: quarantineSchema,
        quarantineHistory: {
          type: 'array',
          items: {
            type: 'object',
            required: ['reason', 'reference', 'at', 'releasedAt', 'releasedBy', 'releaseReason'],
            properties: {
              reason: { type: 'string' },
              reference: { type: 'string' },
              at: { type: 'string', format: 'date-time' },
              releasedAt: { type: 'string', format: 'date-time' },
              releasedBy: { type: 'string' },
              releaseReason: { type: 'string' },
            },
          },
        },
      },
    },
  } as Json,
  paths: {
    '/v1/numbers/quarantined': {
      get: {
        operationId: 'listQuarantinedNumbers',
        summary: 'Numbers set aside because a purchase found them in service elsewhere (support)',
        responses: {
          200: {
            description: 'the quarantined numbers, with the reason and the case that found each',
            content: itemsContent('InventoryNumber'),
          },
          ...errors(401, 403, 503),
        },
      },
    },
    '/v1/numbers/{number}/release': {
      post: {
        operationId: 'releaseQuarantinedNumber',
        summary:
          'Return a quarantined number to sale once the conflict is resolved (support; who and why are recorded)',
        parameters: [
          {
            name: 'number',
            in: 'path',
            required: true,
            description: 'e.g. +862066240011, 020-66240011 or 4008200001',
            schema: { type: 'string' },
          },
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: jsonSchema(releaseQuarantineBodySchema) } },
        },
        responses: {
          200: {
            description: 'the number, available again',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/InventoryNumber' } } },
          },
          ...errors(400, 401, 403, 404, 409, 503),
        },
      },
    },
  } as Json,
};
