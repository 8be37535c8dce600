/** The onboarding cases' routes: start and list, read one, act on it, cancel it. */
import type express from 'express';
import { type Request } from 'express';
import { z } from 'zod';
import { isActionOf } from '../contract/actions';
import type { OnboardingKind } from '../contract/kinds';
import type { CaseState, OnboardingResource } from '../contract/case';
import type { SipGateway } from '../activities/sip-gateway';
import { actorOf, requireRole, type Principal } from './auth';
import { asResource } from './case-reads';
import type { CaseService } from './cases';
import { bindingFailures, KINDS, type CaseRef, type KindContext, type TypedKind } from './kinds';
import { HttpProblem, parseOr400 } from './problem';
import { cancelBodySchema, listQuerySchema, onboardingKindSchema } from './schemas';
import { NUMBER_KINDS, type UsageBillingService } from './usage';

const idParam = z.string().regex(/^[a-z0-9][a-z0-9-]{2,150}$/, 'not an onboarding id');
const actionParam = z.string().regex(/^[a-z0-9-]{2,40}$/, 'not an action name');
const idempotencyKeySchema = z
  .string()
  .min(8)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** Starting a case of any kind (pre-checked, idempotent by key) and listing cases. */
export function mountStartRoutes(
  v1: express.Router,
  { cases, ctx, usage }: { cases: CaseService; ctx: KindContext; usage: UsageBillingService },
): void {
  v1.post('/onboardings', async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const key = idempotencyKey(req);
    const raw = req.body as unknown;
    const kind = parseOr400(z.object({ kind: onboardingKindSchema }), raw).kind;
    const { resource, replayed } = await startCase(kind, raw, principal, key, { cases, ctx, usage });
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
}

/** One case: read it, take one of its actions, cancel it. */
export function mountCaseRoutes(v1: express.Router, { cases, ctx }: { cases: CaseService; ctx: KindContext }): void {
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
    const key = idempotencyKey(req);
    const { memo, description } = await cases.authorise(id, principal);
    const { state, replayed } = await actOn(
      memo.kind,
      actionName,
      req.body ?? {},
      { id, enterpriseId: memo.enterpriseId, facts: memo.facts ?? {} },
      principal,
      key,
      { cases, ctx },
    );
    if (replayed) res.set('Idempotent-Replayed', 'true');
    res.json(asResource(state, description.startTime.toISOString(), cases.links(id)));
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
}

/**
 * A registration-mode case shows whether its gateway is registered now, from where and until
 * when, read from the SBC at request time (where the SBC can be read).
 */
async function withLiveRegistration(
  resource: OnboardingResource,
  gateway: SipGateway,
): Promise<OnboardingResource & { registration?: unknown }> {
  if (resource.kind !== 'sip-registration') return resource;
  // A registration that failed before its account was issued shows its report only.
  const account = resource.result && 'account' in resource.result ? resource.result.account : undefined;
  if (!account) return resource;
  if (!gateway.observes?.registrations || !gateway.registration)
    return { ...resource, registration: { observable: false } };
  const now = await gateway.registration(account).catch(() => undefined);
  if (now === undefined) return { ...resource, registration: { observable: true, error: 'the SBC could not be read' } };
  return {
    ...resource,
    registration: { observable: true, registered: now !== null, ...(now ?? {}), checkedAt: new Date().toISOString() },
  };
}

/** Starts a case of one kind, typed by it: its start body, pre-checks and workflow input. */
async function startCase<K extends OnboardingKind>(
  kind: K,
  raw: unknown,
  principal: Principal,
  key: string | undefined,
  { cases, ctx, usage }: { cases: CaseService; ctx: KindContext; usage: UsageBillingService },
): Promise<{ resource: OnboardingResource; replayed: boolean }> {
  const def: TypedKind<K> = KINDS[kind];
  if (!def.startSchema) {
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
  if (earlier) return earlier;
  const journey = cases.journeyFor(kind, body.enterpriseId);
  const failures = [
    ...((await def.precheck?.(body, ctx)) ?? []),
    ...(def.binding ? await bindingFailures(ctx, body.enterpriseId, def.binding(body)) : []),
  ];
  if (failures.length > 0) {
    throw new HttpProblem(422, 'Pre-check failed', `${failures.length} rule(s) not met; nothing was started`, {
      errors: failures,
    });
  }
  const started = await cases.start(def, body, await def.workflowInput?.(body, ctx), principal, key, journey);
  // The enterprise's calls are billed from its first number case on; the case itself need not know.
  if (NUMBER_KINDS.has(def.kind)) {
    await usage.ensureStarted(body.enterpriseId).catch((err: unknown) => {
      // Started again by the next number case; the case just started stands either way.
      console.error(`usage billing for ${body.enterpriseId} not started:`, err);
    });
  }
  return started;
}

/**
 * Takes one action of a case of one kind: its payload validated (400) and checked (422) by the
 * kind's schemas. Under an Idempotency-Key an action the case already took answers as it did then,
 * before the checks, which judge the case as it is now.
 */
async function actOn<K extends OnboardingKind>(
  kind: K,
  actionName: string,
  rawPayload: unknown,
  c: CaseRef,
  principal: Principal,
  key: string | undefined,
  { cases, ctx }: { cases: CaseService; ctx: KindContext },
): Promise<{ state: CaseState; replayed: boolean }> {
  const def: TypedKind<K> = KINDS[kind];
  const spec = def.actions[actionName];
  if (!spec || !isActionOf(kind, actionName))
    throw new HttpProblem(404, 'Unknown action', `${kind} has no action ${actionName}`);
  if (principal.role !== 'admin' && !spec.roles.includes(principal.role)) {
    throw new HttpProblem(403, 'Forbidden', `${actionName} is taken by ${spec.roles.join(' or ')}`);
  }
  const parsed = parsePayload(def.payloads, actionName, rawPayload);
  const keyed = key
    ? await cases.keyedAction(c.id, principal, key, { action: actionName, body: rawPayload })
    : undefined;
  if (keyed?.replay) return { state: keyed.replay, replayed: true };
  const { failures, payload } = (await def.actionPrecheck?.(actionName, parsed, c, ctx)) ?? {
    failures: [],
    payload: parsed,
  };
  if (failures.length > 0)
    throw new HttpProblem(422, 'Rules not met', `${failures.length} rule(s) not met`, { errors: failures });
  return {
    state: await cases.act(c.id, kind, actionName, actorOf(principal), payload, keyed?.updateId),
    replayed: false,
  };
}

/** An action's payload by its own schema (400 listing every failing field). */
function parsePayload<P extends Record<string, z.ZodType>, A extends keyof P>(
  payloads: P,
  action: A,
  value: unknown,
): z.output<P[A]> {
  return parseOr400(payloads[action], value, 'payload');
}

function idempotencyKey(req: Request): string | undefined {
  const value = req.get('idempotency-key');
  if (value === undefined) return undefined;
  return parseOr400(idempotencyKeySchema, value, 'Idempotency-Key');
}
