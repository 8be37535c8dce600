/**
 * Onboarding cases as Temporal workflows: start (idempotent), act through updates, cancel; reads
 * are in `case-reads.ts`. Translates Temporal's answers into the API's problems.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes } from '@temporalio/common';
import { fromHistoryPayload } from '../config/payload-encryption';
import { chinaDate } from '../domain/common';
import { caseId, verificationId } from '../domain/ids';
import { KIND_REGISTRY, ONBOARDING_KINDS, openingState, type OnboardingKind, type WorkflowOf } from '../contract/kinds';
import type { Application, VerificationResult } from '../domain/verification';
import { realNameId } from '../domain/real-name';
import type { VerifiedEnterprise as VerifiedFacts } from '../contract/case';
import type { BillingWebhook } from './schemas';
import {
  ActionFailureType,
  handlesOf,
  type ActingKind,
  type ActionFailureDetails,
  type ActionName,
  type Payload,
} from '../contract/actions';
import {
  billingEventSignal,
  cancelRequestedSignal,
  openedUpdate,
  type Actor,
  type CaseState,
  type OnboardingResource,
} from '../contract/case';
import { applicationQuery } from '../contract/kinds/enterprise-verification';
import { EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey } from '../domain/search-attributes';
import type { Principal } from './auth';
import type { KindDefinition } from './kinds';
import { HttpProblem } from './problem';
import { asResource, CaseReads, memoOf, STATUS_FROM_TEMPORAL, withTimeout, type CaseMemo } from './case-reads';

export type { ListFilters } from './case-reads';

/** Stable JSON (sorted keys), so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function requestHashOf(body: unknown): string {
  return createHash('sha256').update(canonical(body)).digest('hex');
}

/**
 * An Idempotency-Key as its sender's: a case id's suffix per enterprise (the same for every kind),
 * an action's update id per sender.
 */
function keySuffix(sender: string, idempotencyKey: string): string {
  return createHash('sha256').update(`${sender}\u0000${idempotencyKey}`).digest('hex').slice(0, 20);
}

export class CaseService extends CaseReads {
  /**
   * The case an enterprise already started with this Idempotency-Key, of any kind: a key names one
   * request per enterprise, so the same key with a body of another kind is a different body (409),
   * not a second case. Answers the earlier case (a replay) or `undefined` when the key is new.
   */
  async replayByKey(
    body: { enterpriseId: string },
    idempotencyKey: string,
  ): Promise<{ resource: OnboardingResource; replayed: boolean } | undefined> {
    const suffix = keySuffix(body.enterpriseId, idempotencyKey);
    const ids = ONBOARDING_KINDS.map((kind) => KIND_REGISTRY[kind].workflowId(body.enterpriseId, suffix));
    const found = (await Promise.all(ids.map((id) => this.describe(id)))).find((d) => {
      const memo = d && memoOf(d);
      return memo?.idempotencyKey === idempotencyKey && memo.enterpriseId === body.enterpriseId;
    });
    return found && this.replay(found, requestHashOf(body));
  }

  async start<S extends { enterpriseId: string }, I>(
    def: KindDefinition<S, I>,
    body: S,
    input: I,
    principal: Principal,
    idempotencyKey: string | undefined,
    /** The enterprise's running journey (`journeyFor`), looked up while the request was checked. */
    journey: Promise<string | undefined>,
  ): Promise<{ resource: OnboardingResource; replayed: boolean }> {
    const requestHash = requestHashOf(body);
    const id = def.fixedId
      ? def.fixedId(body)
      : caseId(
          def.kind,
          body.enterpriseId,
          idempotencyKey ? keySuffix(body.enterpriseId, idempotencyKey) : randomUUID(),
        );

    if (idempotencyKey && def.fixedId) {
      // A fixed id is reused by later cases, so an earlier answer is found by its key, not its id.
      const previous = await this.describe(id);
      if (previous && memoOf(previous)?.idempotencyKey === idempotencyKey) return this.replay(previous, requestHash);
    }
    // A case started while the enterprise has a journey reports to it.
    const journeyId = await journey;
    const args = [journeyId ? { ...(input as object), journeyId } : input] as Parameters<typeof def.workflow>;
    const facts = def.facts?.(body);
    const memo: CaseMemo = {
      kind: def.kind,
      enterpriseId: body.enterpriseId,
      requestHash,
      createdBy: `${principal.role}:${principal.name}`,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...(facts ? { facts } : {}),
    };
    const startedAt = Date.now();
    const createdAt = new Date(startedAt).toISOString();
    const opening = openingState(def.kind, args[0], { id, at: startedAt });
    const options = {
      workflowId: id,
      taskQueue: this.config.temporal.taskQueue,
      args,
      memo,
      workflowIdConflictPolicy: 'FAIL' as const,
      workflowIdReusePolicy: def.fixedId ? ('ALLOW_DUPLICATE' as const) : ('REJECT_DUPLICATE' as const),
      typedSearchAttributes: new TypedSearchAttributes([
        { key: EnterpriseIdKey, value: body.enterpriseId },
        { key: OnboardingKindKey, value: def.kind },
        { key: OnboardingStageKey, value: opening?.stage ?? 'submitted' },
      ]),
      staticSummary: `${def.kind} for ${body.enterpriseId}`,
    };
    try {
      if (opening) {
        // The kind's input says how it opens: answered once the server has started it, no worker.
        await this.client.workflow.start(def.workflow, options);
        const state: CaseState = {
          id,
          kind: def.kind,
          enterpriseId: body.enterpriseId,
          status: 'running',
          ...opening,
          result: null,
          error: null,
        };
        return { resource: asResource(state, createdAt, this.links(id)), replayed: false };
      }
      // A journey opens on the cases it adopts: started with an update that answers once its first
      // workflow task has run, one round trip that gives its stage and what it awaits.
      const state = await this.client.workflow.executeUpdateWithStart(openedUpdate, {
        startWorkflowOperation: new WithStartWorkflowOperation(def.workflow, options),
      });
      return { resource: asResource(state, createdAt, this.links(id)), replayed: false };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const existing = await this.describe(id);
      if (existing && idempotencyKey && memoOf(existing)?.idempotencyKey === idempotencyKey)
        return this.replay(existing, requestHash);
      throw new HttpProblem(
        409,
        'Conflict',
        def.fixedId ? `an active ${def.kind} case exists for ${body.enterpriseId}: ${id}` : `case ${id} already exists`,
        {
          existingId: id,
        },
      );
    }
  }

  private async replay(existing: WorkflowExecutionDescription, requestHash: string) {
    if (memoOf(existing)?.requestHash !== requestHash) {
      throw new HttpProblem(
        409,
        'Idempotency key reused',
        'this Idempotency-Key was used with a different request body',
      );
    }
    return { resource: await this.read(existing.workflowId), replayed: true };
  }

  /**
   * The running journey a new case of this kind reports to (none for a journey itself). Started
   * before the pre-check so the two overlap; a request the pre-check refuses leaves it unread.
   */
  journeyFor(kind: OnboardingKind, enterpriseId: string): Promise<string | undefined> {
    const journey = kind === 'enterprise-onboarding' ? Promise.resolve(undefined) : this.journeyOf(enterpriseId);
    journey.catch(() => undefined);
    return journey;
  }

  /**
   * Sends an action as its update; the workflow's validator decides at once. Under an
   * Idempotency-Key (`updateId` from `keyedAction`) the server takes the update once, however often
   * it is sent.
   */
  async act<K extends ActingKind, A extends ActionName<K>>(
    id: string,
    kind: K,
    action: A,
    actor: Actor,
    payload: Payload<K, A>,
    updateId?: string,
  ): Promise<CaseState> {
    const { update } = handlesOf(kind, action);
    try {
      return await this.client.workflow
        .getHandle(id)
        .executeUpdate(update, { args: [{ actor, payload }], ...(updateId ? { updateId } : {}) });
    } catch (err) {
      throw updateProblem(err, action);
    }
  }

  /**
   * An action under an Idempotency-Key: the update id that names the key (per sender) and the
   * request, and, when the case already took an action under that key, its first answer. The same
   * key with another action or body is a 409. So a client whose answer was lost (a timeout) sends
   * the action again and gets what the first one did, never "not awaited" for its own step.
   */
  async keyedAction(
    id: string,
    principal: Principal,
    key: string,
    request: { action: string; body: unknown },
  ): Promise<{ updateId: string; replay?: CaseState }> {
    const sender = principal.role === 'enterprise' ? `enterprise:${principal.enterpriseId}` : principal.name;
    const prefix = `key-${keySuffix(sender, key)}-`;
    const updateId = `${prefix}${requestHashOf(request).slice(0, 32)}`;
    const earlier = await this.acceptedUpdate(id, prefix);
    if (!earlier) return { updateId };
    if (earlier !== updateId) {
      throw new HttpProblem(409, 'Idempotency key reused', 'this Idempotency-Key was used with a different request');
    }
    try {
      return {
        updateId,
        replay: await this.client.workflow.getHandle(id).getUpdateHandle<CaseState>(updateId).result(),
      };
    } catch (err) {
      throw updateProblem(err, request.action);
    }
  }

  /** The id of the update the case accepted whose id starts with `prefix` (its history, page by page). */
  private async acceptedUpdate(id: string, prefix: string): Promise<string | undefined> {
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.client.workflowService.getWorkflowExecutionHistory({
        namespace: this.config.temporal.namespace,
        execution: { workflowId: id },
        maximumPageSize: 1_000,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      for (const event of page.history?.events ?? []) {
        const updateId = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId;
        if (updateId?.startsWith(prefix)) return updateId;
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return undefined;
  }

  /** The application a verification holds now, for pre-checking a resubmission merged with it. */
  async currentApplication(id: string): Promise<Application> {
    return this.client.workflow.getHandle(id).query(applicationQuery);
  }

  async cancel(id: string, actor: Actor, reason: string | undefined): Promise<OnboardingResource> {
    const handle = this.client.workflow.getHandle(id);
    await handle.signal(cancelRequestedSignal, { actor, ...(reason ? { reason } : {}) });
    await handle.cancel();
    // Compensations run inside the workflow; wait a little so the answer usually shows the outcome.
    await withTimeout(handle.result(), 10_000).catch(() => undefined);
    return this.read(id);
  }

  /**
   * The enterprise's approved verification (the latest run at its well-known id), or a 409 that
   * names it and says why it does not count.
   */
  async approvedVerification(enterpriseId: string, nowMs: number): Promise<VerificationResult> {
    const id = verificationId(enterpriseId);
    const description = await this.describe(id);
    if (!description)
      throw new HttpProblem(
        409,
        'Verification required',
        `enterprise ${enterpriseId} has no verification; start ${id} first`,
        { verificationId: id },
      );
    if (description.status.name !== 'COMPLETED') {
      const stage = description.typedSearchAttributes.get(OnboardingStageKey);
      throw new HttpProblem(
        409,
        'Verification required',
        `verification ${id} is ${STATUS_FROM_TEMPORAL[description.status.name] ?? description.status.name.toLowerCase()}${stage ? ` (${stage})` : ''}, not approved`,
        {
          verificationId: id,
        },
      );
    }
    const result = await this.client.workflow.getHandle<WorkflowOf<'enterprise-verification'>>(id).result();
    // A long-term licence's recorded end is the form's placeholder, not an expiry.
    if (!result.licence.longTerm && result.licence.effectiveEnd < chinaDate(nowMs)) {
      throw new HttpProblem(
        409,
        'Verification required',
        `verification ${id} approved a licence that ended on ${result.licence.effectiveEnd}; verify again`,
        { verificationId: id },
      );
    }
    return result;
  }

  /**
   * The enterprise's approved real-name verification (seed 002 step 2), as an instance needs it.
   * An enterprise whose qualification review is approved counts as real-named (it passed both
   * before the two were apart). Otherwise a 409 naming the real-name case.
   */
  async approvedRealName(enterpriseId: string, nowMs: number): Promise<VerifiedFacts> {
    const id = realNameId(enterpriseId);
    const description = await this.describe(id);
    if (description?.status.name === 'COMPLETED') {
      const r = await this.client.workflow.getHandle<WorkflowOf<'enterprise-real-name'>>(id).result();
      return {
        enterpriseId,
        customerId: r.billingCustomerId,
        companyName: r.company.name,
        contactEmail: r.contact.email,
      };
    }
    const verified = await this.approvedVerification(enterpriseId, nowMs).catch(() => undefined);
    if (verified)
      return {
        enterpriseId,
        customerId: verified.billingCustomerId,
        companyName: verified.company.name,
        contactEmail: verified.contact.email,
      };
    throw new HttpProblem(
      409,
      'Real-name verification required',
      `enterprise ${enterpriseId} has no approved real-name verification: ${id} is ${
        description
          ? (STATUS_FROM_TEMPORAL[description.status.name] ?? description.status.name.toLowerCase())
          : 'not started'
      }`,
      { realNameId: id },
    );
  }

  /** The input a case was started with (its first history event), or undefined when it is gone. */
  async startInput<T>(id: string): Promise<T | undefined> {
    try {
      const history = await this.client.workflow.getHandle(id).fetchHistory();
      const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      return payload ? await fromHistoryPayload<T>(this.client, payload) : undefined;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** Hands a verified billing event to the case it names; events for unknown or closed cases are noted and dropped. */
  async deliverBillingEvent(event: BillingWebhook): Promise<{ delivered: boolean; caseId?: string }> {
    const caseId = event.data.reference;
    if (!caseId) return { delivered: false };
    try {
      await this.client.workflow.getHandle(caseId).signal(billingEventSignal, {
        eventId: event.id,
        type: event.type,
        ...(event.type.startsWith('order.') ? { orderId: event.data.id } : {}),
        ...(event.type.startsWith('invoice.') ? { invoiceId: event.data.id, orderId: event.data.orderId } : {}),
      });
      return { delivered: true, caseId };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { delivered: false, caseId };
      throw err;
    }
  }
}

const PROBLEM_FOR_ACTION_FAILURE: Record<string, [number, string]> = {
  [ActionFailureType.NotAwaited]: [409, 'Action not awaited'],
  [ActionFailureType.Busy]: [409, 'Action not awaited'],
  [ActionFailureType.Forbidden]: [403, 'Forbidden'],
  [ActionFailureType.InvalidPayload]: [400, 'Validation failed'],
  [ActionFailureType.RuleViolation]: [422, 'Rules not met'],
};

function updateProblem(err: unknown, action: string): unknown {
  if (err instanceof WorkflowNotFoundError)
    return new HttpProblem(409, 'Action not awaited', 'the case is closed', { awaiting: [] });
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const failure = err.cause;
    const mapped = PROBLEM_FOR_ACTION_FAILURE[failure.type ?? ''];
    if (mapped) {
      const details = (failure.details?.[0] ?? { awaiting: [] }) as ActionFailureDetails;
      return new HttpProblem(mapped[0], mapped[1], failure.message, {
        awaiting: details.awaiting,
        ...(details.errors ? { errors: details.errors } : {}),
      });
    }
  }
  // Any other refusal of the update (e.g. the case is being cancelled) is the case's answer, not a server fault.
  if (err instanceof WorkflowUpdateFailedError) {
    return new HttpProblem(409, 'Action not awaited', `${action} was not taken: ${err.cause?.message ?? err.message}`, {
      awaiting: [],
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/workflow execution already completed|already completed/i.test(message)) {
    return new HttpProblem(409, 'Action not awaited', `the case is closed; ${action} is not awaited`, { awaiting: [] });
  }
  return err;
}
