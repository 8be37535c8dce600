/**
 * Callees an enterprise's numbers never call (past complaints): support adds them from
 * complaints, the enterprise may add its own. Kept by the SIP gateway in the SBC's database,
 * where Kamailio reads them on every call out. Adding a number twice keeps the first entry;
 * removing one that is not there is done already. What support added only support removes, and
 * every change is kept (who, when, why) and listed.
 */
import type { Router } from 'express';
import type { SipGateway } from '../activities/sip-gateway';
import { enterpriseInPath } from './auth';
import { HttpProblem, parseOr400 } from './problem';
import {
  blockedCalleeBodySchema,
  blockedCalleeChangeSchema,
  blockedCalleeNumberParam,
  blockedCalleeRemovalQuerySchema,
  blockedCalleeSchema,
} from './schemas';
import { enterpriseParam, errors, jsonSchema, type Json, itemsContent } from './openapi-parts';

/** The gateway's blocklist, or 503 when the SBC cannot be reached. */
function blocklistOf(gateway: SipGateway) {
  const { blockedCallees, blockCallee, unblockCallee, blockedCalleeChanges } = gateway;
  if (!blockedCallees || !blockCallee || !unblockCallee || !blockedCalleeChanges)
    throw new HttpProblem(501, 'Not supported', `the ${gateway.mode} SIP gateway keeps no blocked callees`);
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      console.error('blocked callees: the SIP gateway failed', err);
      throw new HttpProblem(503, 'SBC unavailable', 'the SBC did not answer; try again shortly');
    }
  };
  return {
    list: (enterpriseId: string) => call(() => blockedCallees.call(gateway, { enterpriseId })),
    add: (input: Parameters<typeof blockCallee>[0]) => call(() => blockCallee.call(gateway, input)),
    remove: (input: Parameters<typeof unblockCallee>[0]) => call(() => unblockCallee.call(gateway, input)),
    changes: (enterpriseId: string) => call(() => blockedCalleeChanges.call(gateway, { enterpriseId })),
  };
}

export function mountBlockedCalleeRoutes(v1: Router, gateway: SipGateway): void {
  const base = '/enterprises/:enterpriseId/blocked-callees';

  v1.get(base, async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    res.json({ items: await blocklistOf(gateway).list(enterpriseId) });
  });

  v1.post(base, async (req, res) => {
    const { principal, enterpriseId } = enterpriseInPath(req);
    const body = parseOr400(blockedCalleeBodySchema, req.body ?? {});
    const { entry, created } = await blocklistOf(gateway).add({
      enterpriseId,
      number: body.number,
      reason: body.reason,
      addedBy: `${principal.role}: ${principal.name}`,
      addedAt: new Date().toISOString(),
    });
    res.location(`/v1/enterprises/${enterpriseId}/blocked-callees/${encodeURIComponent(entry.number)}`);
    // Already there: the first entry stands, as a replayed request would find it.
    if (!created) res.set('Idempotent-Replayed', 'true');
    res.status(created ? 201 : 200).json(entry);
  });

  v1.get(`${base}/changes`, async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    res.json({ items: await blocklistOf(gateway).changes(enterpriseId) });
  });

  v1.delete(`${base}/:number`, async (req, res) => {
    const { principal, enterpriseId } = enterpriseInPath(req);
    const number = parseOr400(blockedCalleeNumberParam, req.params.number, 'number');
    const { reason } = parseOr400(blockedCalleeRemovalQuerySchema, req.query);
    const removed = await blocklistOf(gateway).remove({
      enterpriseId,
      number,
      removedBy: `${principal.role}: ${principal.name}`,
      ...(reason ? { reason } : {}),
    });
    if (removed.refused)
      throw new HttpProblem(
        403,
        'Blocked by support',
        'a callee support blocked (a complaint) is unblocked by support only',
      );
    res.status(204).end();
  });
}

const entryContent = { 'application/json': { schema: { $ref: '#/components/schemas/BlockedCallee' } } };

/** OpenAPI components and paths of these routes. */
export const blockedCalleeOpenApi = {
  schemas: {
    BlockedCallee: jsonSchema(blockedCalleeSchema, 'output'),
    BlockedCalleeChange: jsonSchema(blockedCalleeChangeSchema, 'output'),
  } as Json,
  paths: {
    '/v1/enterprises/{enterpriseId}/blocked-callees': {
      get: {
        operationId: 'listBlockedCallees',
        summary:
          "Callees the enterprise's numbers never call, enforced by the SBC (owner or support; another tenant's: 404)",
        parameters: [enterpriseParam],
        responses: {
          200: {
            description: 'the blocked callees, oldest first',
            content: itemsContent('BlockedCallee'),
          },
          ...errors(400, 401, 403, 404, 503),
        },
      },
      post: {
        operationId: 'addBlockedCallee',
        summary:
          'Block a callee for all of the enterprise’s numbers (a past complainant); adding it again answers the first entry',
        parameters: [enterpriseParam],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: jsonSchema(blockedCalleeBodySchema) } },
        },
        responses: {
          201: { description: 'blocked from now on', content: entryContent },
          200: { description: 'already blocked: the first entry (Idempotent-Replayed: true)', content: entryContent },
          ...errors(400, 401, 403, 404, 415, 503),
        },
      },
    },
    '/v1/enterprises/{enterpriseId}/blocked-callees/changes': {
      get: {
        operationId: 'listBlockedCalleeChanges',
        summary: 'Every addition and removal of a blocked callee, oldest first: who, when, why (owner or support)',
        parameters: [enterpriseParam],
        responses: {
          200: {
            description: 'the changes',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: { type: 'array', items: { $ref: '#/components/schemas/BlockedCalleeChange' } },
                  },
                },
              },
            },
          },
          ...errors(400, 401, 403, 404, 503),
        },
      },
    },
    '/v1/enterprises/{enterpriseId}/blocked-callees/{number}': {
      delete: {
        operationId: 'removeBlockedCallee',
        summary:
          'Unblock a callee; one that is not blocked is done already. A callee support blocked is unblocked by support only (403 otherwise)',
        parameters: [
          enterpriseParam,
          {
            name: 'reason',
            in: 'query',
            required: false,
            description: 'why it is unblocked (kept with the change)',
            schema: { type: 'string', maxLength: 500 },
          },
          {
            name: 'number',
            in: 'path',
            required: true,
            description: 'e.g. +8613800138000, 13800138000 or 020-66240001',
            schema: { type: 'string' },
          },
        ],
        responses: { 204: { description: 'not blocked (any more)' }, ...errors(400, 401, 403, 404, 503) },
      },
    },
  } as Json,
};
