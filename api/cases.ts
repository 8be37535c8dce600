/**
 * Onboarding cases as Temporal workflows: start (idempotent), read, list from visibility, act
 * through updates, cancel. Translates Temporal's answers into the API's problems.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes } from '@temporalio/common';
import type { Config } from '../config';
import { fromHistoryPayload } from '../config/payload-encryption';
import { chinaDate } from '../domain/common';
import { caseId, verificationId, WORKFLOW_TYPES } from '../domain/ids';
import type { Application, VerificationResult } from '../domain/verification';
import { realNameId, type RealNameResult } from '../domain/real-name';
import type { VerifiedEnterprise as VerifiedFacts } from '../contract/case';
import type { BillingWebhook } from './schemas';
import { caseLinks } from '../domain/links';
import type { OnboardingResource, OnboardingSummary } from '../domain/onboarding';
import type { JourneySummary, JourneyView } from '../domain/journey';
import {
  ActionFailureType,
  handlesOf,
  type ActingKind,
  type ActionFailureDetails,
  type ActionName,
} from '../contract/actions';
import {
  billingEventSignal,
  cancelRequestedSignal,
  journeyIdOf,
  openedUpdate,
  reportQuery,
  stateQuery,
  type CaseReport,
  type Actor,
  type CaseState,
  type CaseStatus,
  type OnboardingKind,
  type Role,
} from '../contract/case';
import { applicationQuery } from '../workflows/enterprise-verification';
import { AwaitingRoleKey, EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey } from '../domain/search-attributes';
import type { Principal } from './auth';
import type { KindDefinition } from './kinds';
import { HttpProblem } from './problem';

interface CaseMemo {
  kind: OnboardingKind;
  enterpriseId: string;
  requestHash: string;
  idempotencyKey?: string;
  createdBy: string;
  /** Facts of the start body later actions are checked against (e.g. a supplier line's product). */
  facts?: Record<string, string>;
}

const STATUS_FROM_TEMPORAL: Record<string, CaseStatus> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  CONTINUED_AS_NEW: 'completed',
  FAILED: 'failed',
  TERMINATED: 'failed',
  TIMED_OUT: 'failed',
  CANCELLED: 'cancelled',
};

const STATUS_TO_QUERY: Record<CaseStatus, string> = {
  running: `ExecutionStatus = 'Running'`,
  completed: `ExecutionStatus = 'Completed'`,
  failed: `(ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut')`,
  cancelled: `ExecutionStatus = 'Canceled'`,
};

export interface ListFilters {
  kind?: OnboardingKind;
  /** Journeys waiting past their time (on the enterprise or on support), or on track. */
  stalled?: boolean;
  status?: CaseStatus;
  stage?: string;
  awaiting?: Role;
  enterpriseId?: string;
  limit: number;
}

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

/** A case id's suffix from an Idempotency-Key: per enterprise, the same for every kind. */
function keySuffix(enterpriseId: string, idempotencyKey: string): string {
  return createHash('sha256').update(`${enterpriseId}\u0000${idempotencyKey}`).digest('hex').slice(0, 20);
}

/** How long a journey seen running is taken to still run (journeys last for years). */
const JOURNEY_SEEN_MS = 60_000;

/** Cases a journey adopts when it starts: the enterprise's most recent ones. */
const ADOPTED_CASES = 200;

export class CaseService {
  private readonly journeysSeen = new Map<string, number>();

  constructor(
    private readonly client: Client,
    private readonly config: Config,
  ) {}

  /** The enterprise's running journey, which a new case reports to. */
  async journeyOf(enterpriseId: string): Promise<string | undefined> {
    const id = journeyIdOf(enterpriseId);
    if ((this.journeysSeen.get(enterpriseId) ?? 0) > Date.now()) return id;
    const d = await this.describe(id);
    if (d?.status.name !== 'RUNNING') return undefined;
    this.journeysSeen.set(enterpriseId, Date.now() + JOURNEY_SEEN_MS);
    return id;
  }

  /** The enterprise's journey as one view: milestones, instances, working numbers, who acts next. */
  async journey(enterpriseId: string): Promise<JourneyView> {
    const id = journeyIdOf(enterpriseId);
    const description = await this.describe(id);
    if (!description) throw new HttpProblem(404, 'Not found', `enterprise ${enterpriseId} has no journey; start ${id}`);
    const state = await this.read(id, description);
    const summary = (state.result as JourneySummary | null) ?? {
      milestones: [],
      instances: [],
      numbers: [],
      cases: [],
      stalledOn: null,
    };
    return {
      id,
      enterpriseId,
      status: state.status,
      stage: state.stage,
      ...summary,
      next: state.awaiting,
      links: state.links,
    };
  }

  /** How a case stands (`undefined`: no such case). */
  async caseStatus(id: string): Promise<CaseStatus | undefined> {
    const d = await this.describe(id);
    return d && (STATUS_FROM_TEMPORAL[d.status.name] ?? 'running');
  }

  /**
   * The enterprise's cases as a journey adopting them needs them: each one's own report, or, for a
   * case that cannot answer, what visibility says of it.
   */
  async reportsOf(enterpriseId: string): Promise<CaseReport[]> {
    const infos: WorkflowExecutionInfo[] = [];
    for await (const info of this.client.workflow.list({
      // Usage billing follows the numbers on its own; the journey does not adopt it.
      query: `EnterpriseId = '${enterpriseId}' AND OnboardingKind IS NOT NULL AND OnboardingKind NOT IN ('enterprise-onboarding', 'usage-billing')`,
      pageSize: 100,
    })) {
      infos.push(info);
      if (infos.length >= ADOPTED_CASES) break;
    }
    return Promise.all(
      infos.map(async (info): Promise<CaseReport> => {
        const handle = this.client.workflow.getHandle(info.workflowId);
        const report = await withTimeout(handle.query(reportQuery), 5_000).catch(() => undefined);
        return (
          report ?? {
            caseId: info.workflowId,
            enterpriseId,
            kind: info.typedSearchAttributes.get(OnboardingKindKey) as OnboardingKind,
            status: STATUS_FROM_TEMPORAL[info.status.name] ?? 'running',
            stage: info.typedSearchAttributes.get(OnboardingStageKey) ?? 'unknown',
            awaiting: [],
            at: (info.closeTime ?? info.startTime).getTime(),
            seq: 0,
          }
        );
      }),
    );
  }

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
    const ids = (Object.keys(WORKFLOW_TYPES) as OnboardingKind[]).map((kind) =>
      kind === 'enterprise-verification'
        ? verificationId(body.enterpriseId)
        : kind === 'enterprise-onboarding'
          ? journeyIdOf(body.enterpriseId)
          : caseId(kind, body.enterpriseId, suffix),
    );
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
    const journeyId = def.kind === 'enterprise-onboarding' ? undefined : await this.journeyOf(body.enterpriseId);
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
    const createdAt = new Date().toISOString();
    try {
      // Started with an update that answers once the first workflow task has run: one round trip
      // gives the new case's stage and what it awaits.
      const state = await this.client.workflow.executeUpdateWithStart(openedUpdate, {
        startWorkflowOperation: new WithStartWorkflowOperation(def.workflow, {
          workflowId: id,
          taskQueue: this.config.temporal.taskQueue,
          args,
          memo: memo as unknown as Record<string, unknown>,
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: def.fixedId ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
          typedSearchAttributes: new TypedSearchAttributes([
            { key: EnterpriseIdKey, value: body.enterpriseId },
            { key: OnboardingKindKey, value: def.kind },
            { key: OnboardingStageKey, value: 'submitted' },
          ]),
          staticSummary: `${def.kind} for ${body.enterpriseId}`,
        }),
      });
      return { resource: { ...state, createdAt, links: this.links(id) }, replayed: false };
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

  async describe(id: string): Promise<WorkflowExecutionDescription | undefined> {
    try {
      return await this.client.workflow.getHandle(id).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** The case if this principal may see it; another tenant's case is as good as absent (404). */
  async authorise(
    id: string,
    principal: Principal,
  ): Promise<{ description: WorkflowExecutionDescription; memo: CaseMemo }> {
    const description = await this.describe(id);
    const memo = description && memoOf(description);
    if (!description || !memo || (principal.role === 'enterprise' && memo.enterpriseId !== principal.enterpriseId)) {
      throw new HttpProblem(404, 'Not found', `no onboarding ${id}`);
    }
    return { description, memo };
  }

  /**
   * The case as the API shows it: its own state (a query, which works on closed cases too) read
   * beside its description (how Temporal says it ended, when it started), in parallel.
   */
  async read(id: string, known?: WorkflowExecutionDescription): Promise<OnboardingResource> {
    const handle = this.client.workflow.getHandle(id);
    const [description, state] = await Promise.all([
      known ?? handle.describe(),
      withTimeout(handle.query(stateQuery), 5_000).catch(() => undefined),
    ]);
    return this.resource(id, description, state);
  }

  private async resource(
    id: string,
    description: WorkflowExecutionDescription,
    state: CaseState | undefined,
  ): Promise<OnboardingResource> {
    const memo = memoOf(description);
    const status = STATUS_FROM_TEMPORAL[description.status.name] ?? 'running';
    const base: CaseState = state ?? {
      id,
      kind: memo?.kind ?? (description.typedSearchAttributes.get(OnboardingKindKey) as OnboardingKind),
      enterpriseId: memo?.enterpriseId ?? description.typedSearchAttributes.get(EnterpriseIdKey) ?? '',
      status,
      stage: description.typedSearchAttributes.get(OnboardingStageKey) ?? 'unknown',
      awaiting: [],
      steps: [],
      related: [],
      result: null,
      error: null,
    };
    // Related cases carry their live stage and status, read from visibility-backed descriptions.
    const related = await Promise.all(
      (base.related ?? []).map(async (r) => {
        const d = await this.describe(r.id).catch(() => undefined);
        return d
          ? {
              ...r,
              stage: d.typedSearchAttributes.get(OnboardingStageKey) ?? r.stage,
              status: STATUS_FROM_TEMPORAL[d.status.name] ?? r.status,
            }
          : r;
      }),
    );
    return {
      ...base,
      related,
      id,
      // Temporal's word is final on how the case ended (e.g. terminated by an operator).
      status,
      error:
        base.error ??
        (status === 'failed'
          ? { type: 'Failed', message: `the workflow ${description.status.name.toLowerCase()}` }
          : null),
      createdAt: description.startTime.toISOString(),
      links: this.links(id),
    };
  }

  async list(filters: ListFilters, principal: Principal): Promise<OnboardingSummary[]> {
    const clauses: string[] = [`OnboardingKind IS NOT NULL`];
    const enterpriseId = principal.role === 'enterprise' ? principal.enterpriseId : filters.enterpriseId;
    if (enterpriseId) clauses.push(`EnterpriseId = '${enterpriseId}'`);
    if (filters.kind) clauses.push(`OnboardingKind = '${filters.kind}'`);
    if (filters.stage) clauses.push(`OnboardingStage = '${filters.stage}'`);
    if (filters.awaiting) clauses.push(`AwaitingRole = '${filters.awaiting}'`);
    if (filters.status) clauses.push(STATUS_TO_QUERY[filters.status]);
    if (filters.stalled !== undefined)
      clauses.push(filters.stalled ? `StalledOn IN ('enterprise', 'support')` : `StalledOn IS NULL`);
    const out: OnboardingSummary[] = [];
    for await (const info of this.client.workflow.list({
      query: clauses.join(' AND '),
      pageSize: Math.min(filters.limit, 100),
    })) {
      out.push(this.summary(info));
      if (out.length >= filters.limit) break;
    }
    return out;
  }

  private summary(info: WorkflowExecutionInfo): OnboardingSummary {
    const sa = info.typedSearchAttributes;
    const awaiting = sa.get(AwaitingRoleKey);
    return {
      id: info.workflowId,
      kind: sa.get(OnboardingKindKey) as OnboardingKind,
      enterpriseId: sa.get(EnterpriseIdKey) ?? '',
      status: STATUS_FROM_TEMPORAL[info.status.name] ?? 'running',
      stage: sa.get(OnboardingStageKey) ?? 'unknown',
      awaitingRole: (awaiting as Role | undefined) ?? null,
      createdAt: info.startTime.toISOString(),
      closedAt: info.closeTime?.toISOString() ?? null,
      links: this.links(info.workflowId),
    };
  }

  /** Sends an action as its update; the workflow's validator decides at once. */
  async act<K extends ActingKind, A extends ActionName<K>>(
    id: string,
    kind: K,
    action: A,
    actor: Actor,
    payload: unknown,
  ): Promise<CaseState> {
    const { update } = handlesOf(kind, action);
    try {
      // The payload was validated against this action's schema by the caller.
      return await this.client.workflow
        .getHandle(id)
        .executeUpdate(update, { args: [{ actor, payload: payload as never }] });
    } catch (err) {
      throw updateProblem(err, action);
    }
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
    const result = (await this.client.workflow.getHandle(id).result()) as VerificationResult;
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
      const r = (await this.client.workflow.getHandle(id).result()) as RealNameResult;
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

  links(id: string): { self: string; temporalUi: string } {
    const l = caseLinks(this.config, id);
    return { self: `/v1/onboardings/${encodeURIComponent(id)}`, temporalUi: l.temporalUi };
  }
}

function memoOf(d: WorkflowExecutionDescription | WorkflowExecutionInfo): CaseMemo | undefined {
  const memo = d.memo as Partial<CaseMemo> | undefined;
  return memo?.kind && memo.enterpriseId ? (memo as CaseMemo) : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
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
