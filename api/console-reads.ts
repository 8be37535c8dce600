/** What the console reads beyond the public API: form metadata, the support queue, an application, eligibility. */
import type express from 'express';
import { type RequestHandler } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { fromHistoryPayload } from '../config/payload-encryption';
import type { ActionRequest } from '../contract/actions';
import type { Config } from '../config';
import { REJECTION_CODES, REQUIRED_DOCUMENTS, DOCUMENT_KINDS } from '../domain/verification';
import { MATERIALS } from '../domain/materials';
import { authenticate, requireRole, type TokenRegistry } from './auth';
import type { CaseService } from './cases';
import { KINDS } from './kinds';
import { checkEligibility, thirdPartyLineStartSchema } from '../domain/eligibility';
import { productById, quote } from '../domain/catalog';
import { CALLS_PER_FIXED_LINE } from '../domain/numbers';
import { HttpProblem, parseOr400 } from './problem';
import { onboardingKindSchema } from './schemas';

export interface ConsoleReadDeps {
  config: Config;
  client: Client;
  tokens: TokenRegistry;
  cases: CaseService;
  /** Signs a request in by its console session before the bearer check. */
  sessionAuth: RequestHandler;
  now?: () => number;
}

export function mountConsoleReads(consoleApi: express.Router, deps: ConsoleReadDeps): void {
  const { config, tokens, cases, sessionAuth } = deps;
  // What the forms need beyond the OpenAPI document: who takes each action, the materials lists.
  consoleApi.get('/meta', (_req, res) => {
    res.json({
      kinds: Object.values(KINDS).map((def) => ({
        kind: def.kind,
        summary: def.summary,
        startable: def.startSchema !== undefined,
        stages: def.stages,
        actions: Object.fromEntries(
          Object.entries(def.actions).map(([name, spec]) => [name, { roles: spec.roles, summary: spec.summary }]),
        ),
      })),
      requiredDocuments: REQUIRED_DOCUMENTS,
      materials: MATERIALS,
      documentKinds: DOCUMENT_KINDS,
      rejectionCodes: REJECTION_CODES,
      callsPerFixedLine: CALLS_PER_FIXED_LINE,
      temporalUi: config.temporal.uiUrl,
    });
  });

  const queueQuery = z.strictObject({
    kind: onboardingKindSchema.optional(),
    stage: z
      .string()
      .regex(/^[a-z0-9-]{1,60}$/)
      .optional(),
    enterpriseId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
  });
  // Every running case that awaits support, soonest due first, each with what it awaits.
  consoleApi.get('/queue', sessionAuth, authenticate(tokens), async (req, res) => {
    const principal = requireRole(req.principal, ['support']);
    const q = parseOr400(queueQuery, req.query, 'query');
    const listed = await cases.list(
      {
        status: 'running',
        awaiting: 'support',
        limit: 200,
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.stage ? { stage: q.stage } : {}),
        ...(q.enterpriseId ? { enterpriseId: q.enterpriseId } : {}),
      },
      principal,
    );
    const now = (deps.now ?? Date.now)();
    const items = await Promise.all(
      listed.map(async (c) => {
        const full = await cases.read(c.id).catch(() => undefined);
        const awaiting = (full?.awaiting ?? []).filter((a) => a.role === 'support' || a.role === 'admin');
        const dues = awaiting.map((a) => a.dueAt).filter((d): d is string => typeof d === 'string');
        const dueAt = dues.sort()[0] ?? null;
        return {
          id: c.id,
          kind: c.kind,
          enterpriseId: c.enterpriseId,
          stage: full?.stage ?? c.stage,
          createdAt: c.createdAt,
          awaiting,
          dueAt,
          overdue: dueAt !== null && Date.parse(dueAt) < now,
        };
      }),
    );
    items.sort(
      (a, b) => (a.dueAt ?? '\uffff').localeCompare(b.dueAt ?? '\uffff') || a.createdAt.localeCompare(b.createdAt),
    );
    res.json({ items, at: new Date(now).toISOString() });
  });
  /**
   * A verification's application as it stands and the last rejection's reasons, each tied to its
   * document or field: the reasons are read from the `reject` update in the case's history (the
   * case's steps hold only their summary).
   */
  consoleApi.get('/cases/:id/application', sessionAuth, authenticate(tokens), async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const id = parseOr400(z.string().regex(/^[a-z0-9][a-z0-9-]{2,150}$/), req.params.id, 'id');
    const { memo } = await cases.authorise(id, principal);
    if (memo.kind !== 'enterprise-verification')
      throw new HttpProblem(404, 'Not found', `${memo.kind} has no application`);
    const [application, rejection] = await Promise.all([
      cases.currentApplication(id).catch(() => null),
      lastRejection(deps.client, id),
    ]);
    res.json({ application, rejection });
  });
  // A third-party line's eligibility and quote while the enterprise fills the form (the start's
  // own pre-check runs the same rules again).
  const eligibilityBody = thirdPartyLineStartSchema.pick({
    productId: true,
    industry: true,
    scenario: true,
    callScript: true,
    regions: true,
  });
  consoleApi.post('/eligibility', sessionAuth, authenticate(tokens), (req, res) => {
    requireRole(req.principal, ['enterprise', 'support']);
    const request = parseOr400(eligibilityBody, req.body ?? {});
    const product = productById(request.productId)!;
    const failures = checkEligibility(product, request);
    const quantity = request.regions.reduce((sum, r) => sum + r.quantity, 0);
    res.json({ eligible: failures.length === 0, failures, quote: quote(product, quantity) });
  });
}

async function lastRejection(
  client: Client,
  id: string,
): Promise<{ reasons: unknown[]; by?: string; at?: string } | null> {
  const history = await client.workflow.getHandle(id).fetchHistory();
  let last: { reasons: unknown[]; by?: string; at?: string } | null = null;
  for (const e of history.events ?? []) {
    const accepted = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    const signalled = e.workflowExecutionSignaledEventAttributes;
    const name = accepted?.name ?? signalled?.signalName;
    const payloads = accepted?.args?.payloads ?? signalled?.input?.payloads;
    if (name !== 'reject' || !payloads?.[0]) continue;
    try {
      const request = await fromHistoryPayload<ActionRequest<{ reasons?: unknown[] }>>(client, payloads[0]);
      if (Array.isArray(request.payload?.reasons))
        last = {
          reasons: request.payload.reasons,
          by: request.actor?.name,
          at: e.eventTime ? new Date(Number(e.eventTime.seconds ?? 0) * 1000).toISOString() : undefined,
        };
    } catch {
      // A payload this converter cannot read says nothing about reasons.
    }
  }
  return last;
}
