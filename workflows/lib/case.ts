/**
 * What every onboarding workflow shares: its visible state (stage, awaited actions, steps), the
 * search attributes that mirror it, and human actions received as updates (answered at once by a
 * validator) or as signals of the same name (refusals recorded in `steps`).
 */
import {
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { z } from 'zod';
import {
  ActionFailureType,
  actorSchema,
  type ActionFailureDetails,
  type ActionRequest,
  type ActionSpec,
  type Actor,
  type AwaitedAction,
  type CaseState,
  type OnboardingKind,
  type Role,
  type Step,
} from '../../domain/onboarding';
import { AwaitingRoleKey, OnboardingStageKey } from '../../domain/search-attributes';

export const stateQuery = defineQuery<CaseState>('state');
/** Sent by the API just before it requests cancellation, so history records who cancelled and why. */
export const cancelRequestedSignal = defineSignal<[{ actor: Actor; reason?: string }]>('cancel-requested');

/** The workflow's clock. Deterministic inside the workflow sandbox (time of the current task). */
export function now(): number {
  // eslint-disable-next-line no-restricted-syntax -- the one sanctioned read; the sandbox makes it deterministic
  return Date.now();
}
export function isoAt(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export interface ActionDefinition<P = unknown> extends ActionSpec<P> {
  name: string;
  /** Rules beyond the payload's shape that depend on the case (e.g. the merged application). */
  rules?: (payload: P) => { path: string; message: string; code?: string }[];
}

/** An action of this case: its spec from `domain/` (admin may take every action), plus case rules. */
export function action<P>(name: string, spec: ActionSpec<P>, rules?: ActionDefinition<P>['rules']): ActionDefinition<P> {
  return { name, ...spec, rules };
}

/** Every action of a kind, as declared in `domain/`. */
export function actions(specs: Record<string, ActionSpec<any>>): ActionDefinition<unknown>[] {
  return Object.entries(specs).map(([name, spec]) => action<unknown>(name, spec));
}

export interface Await {
  action: string;
  role: Role;
  dueAt?: number;
}

interface Received {
  seq: number;
  name: string;
  actor: Actor;
  payload: unknown;
}

export class OnboardingCase {
  readonly state: CaseState;
  /** Set by the cancel-requested signal, for the cancellation email. */
  cancelReason: string | undefined;
  private readonly actions = new Map<string, ActionDefinition<unknown>>();
  private inbox: Received[] = [];
  private received = 0;
  /** Highest sequence number whose consequences are reflected in `state`. */
  private settled = 0;
  private consumed = 0;
  /** Actions validated while awaited but overtaken by the case before it read them. */
  private readonly dropped = new Set<number>();

  constructor(init: { kind: OnboardingKind; enterpriseId: string; stage: string }) {
    this.state = {
      id: workflowInfo().workflowId,
      kind: init.kind,
      enterpriseId: init.enterpriseId,
      status: 'running',
      stage: init.stage,
      awaiting: [],
      steps: [],
      related: [],
      result: null,
      error: null,
    };
    setHandler(stateQuery, () => this.state);
    setHandler(cancelRequestedSignal, ({ actor, reason }) => {
      this.cancelReason = reason;
      this.step('cancel requested', 'done', reason ?? 'no reason given', actor);
    });
    this.publish();
  }

  /** Registers each action as an update (validated) and a signal (refusals recorded). */
  handle(defs: readonly ActionDefinition<any>[]): void {
    for (const def of defs) {
      this.actions.set(def.name, def);
      const update = defineUpdate<CaseState, [ActionRequest]>(def.name);
      const signal = defineSignal<[ActionRequest]>(def.name);
      setHandler(
        update,
        async (request) => {
          const seq = this.enqueue(def.name, request);
          await condition(() => this.settled >= seq || this.dropped.has(seq));
          if (this.dropped.has(seq)) throw this.refusal(def.name, ActionFailureType.NotAwaited, 'the case moved on before this action was taken');
          return this.state;
        },
        { validator: (request) => this.validate(def, request) },
      );
      setHandler(signal, (request) => {
        try {
          this.validate(def, request);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          this.step(`signal ${def.name} refused`, 'failed', message, safeActor(request));
          return;
        }
        this.enqueue(def.name, request);
      });
    }
  }

  private enqueue(name: string, request: ActionRequest): number {
    const seq = ++this.received;
    this.inbox.push({ seq, name, actor: request.actor, payload: this.actions.get(name)!.payload.parse(request.payload) });
    return seq;
  }

  private validate(def: ActionDefinition<unknown>, request: ActionRequest): void {
    const actor = actorSchema.safeParse(request?.actor);
    if (!actor.success) {
      throw this.refusal(def.name, ActionFailureType.InvalidPayload, 'the actor is missing or malformed', issues(actor.error, 'actor'));
    }
    if (this.state.status !== 'running') {
      throw this.refusal(def.name, ActionFailureType.NotAwaited, `the case is ${this.state.status}`);
    }
    const awaited = this.state.awaiting.filter((a) => a.action === def.name);
    if (awaited.length === 0) {
      throw this.refusal(def.name, ActionFailureType.NotAwaited, `${def.name} is not awaited in stage ${this.state.stage}`);
    }
    const who = actor.data;
    const roleAllowed = who.role === 'admin' || def.roles.includes(who.role);
    if (!roleAllowed || (who.role === 'enterprise' && who.enterpriseId !== this.state.enterpriseId)) {
      throw this.refusal(def.name, ActionFailureType.Forbidden, `${def.name} is taken by ${def.roles.join(' or ')}, not ${who.role}`);
    }
    if (this.inbox.length > 0) {
      throw this.refusal(def.name, ActionFailureType.Busy, 'another action is being processed; try again');
    }
    const payload = def.payload.safeParse(request.payload ?? {});
    if (!payload.success) {
      throw this.refusal(def.name, ActionFailureType.InvalidPayload, 'the action payload is invalid', issues(payload.error, 'payload'));
    }
    const broken = def.rules?.(payload.data) ?? [];
    if (broken.length > 0) {
      throw this.refusal(def.name, ActionFailureType.RuleViolation, `${def.name} breaks ${broken.length} rule(s)`, broken);
    }
  }

  private refusal(name: string, type: string, message: string, errors?: ActionFailureDetails['errors']): ApplicationFailure {
    const details: ActionFailureDetails = { awaiting: this.state.awaiting, errors };
    return ApplicationFailure.create({ type, message: `${name} refused: ${message}`, details: [details], nonRetryable: true });
  }

  /**
   * Moves to a stage and states what it waits for. Everything received before is now settled, so
   * the update that caused the move returns this new state.
   */
  enter(stage: string, awaits: Await[] = []): void {
    const since = isoAt(now());
    this.state.stage = stage;
    this.state.awaiting = awaits.map(
      (a): AwaitedAction => ({ action: a.action, role: a.role, since, ...(a.dueAt !== undefined ? { dueAt: isoAt(a.dueAt) } : {}) }),
    );
    this.settle();
    this.publish();
  }

  /**
   * Waits for one of the awaited actions, or until `timeoutMs` passes (then `undefined`).
   */
  async next<T extends string>(names: readonly T[], timeoutMs?: number): Promise<{ name: T; actor: Actor; payload: any } | undefined> {
    const arrived = () => this.inbox.length > 0;
    const got = timeoutMs === undefined ? (await condition(arrived), true) : await condition(arrived, Math.max(timeoutMs, 1));
    if (!got) return undefined;
    const message = this.inbox.shift()!;
    this.consumed = message.seq;
    if (!(names as readonly string[]).includes(message.name)) {
      this.dropped.add(message.seq);
      return this.next(names, timeoutMs);
    }
    this.step(message.name, 'done', summarise(message.payload), message.actor);
    return { name: message.name as T, actor: message.actor, payload: message.payload };
  }

  /**
   * Enters `stage` awaiting one of `awaits` (then runs `onEnter`, e.g. to tell whoever must act),
   * and waits: every `remindEveryMs` without an answer calls `onReminder` (the first one after
   * `firstReminderMs` if given); at `deadlineMs` (from now) it gives up and returns `undefined`.
   */
  async awaitAction<T extends string>(
    stage: string,
    awaits: { action: T; role: Role }[],
    options: {
      onEnter?: (dueAt: number | undefined) => void;
      remindEveryMs?: number;
      firstReminderMs?: number;
      onReminder?: (n: number, since: number) => void;
      deadlineMs?: number;
    } = {},
  ): Promise<{ name: T; actor: Actor; payload: any } | undefined> {
    const since = now();
    const deadline = options.deadlineMs === undefined ? undefined : since + options.deadlineMs;
    let nextReminder = options.remindEveryMs === undefined ? undefined : since + (options.firstReminderMs ?? options.remindEveryMs);
    const dueAt = nextReminder ?? deadline;
    this.enter(stage, awaits.map((a) => ({ ...a, dueAt })));
    options.onEnter?.(dueAt);
    const names = awaits.map((a) => a.action);
    for (let reminder = 1; ; ) {
      const wakeAt = Math.min(nextReminder ?? Infinity, deadline ?? Infinity);
      const got = await this.next(names, wakeAt === Infinity ? undefined : wakeAt - now());
      if (got) return got;
      if (deadline !== undefined && now() >= deadline) return undefined;
      if (nextReminder !== undefined && now() >= nextReminder) {
        options.onReminder?.(reminder++, since);
        nextReminder += options.remindEveryMs!;
      }
    }
  }

  /** Names a case this one started, so readers can follow it (the API adds its live stage). */
  relate(id: string, kind: OnboardingKind, relation: string): void {
    if (!this.state.related.some((r) => r.id === id)) this.state.related.push({ id, kind, relation });
  }

  /** Records a step. Steps are the case's own log, readable in the API and in the query. */
  step(name: string, status: Step['status'], detail?: string, actor?: Actor): void {
    this.state.steps.push({
      name,
      status,
      at: isoAt(now()),
      ...(detail ? { detail } : {}),
      ...(actor ? { by: `${actor.role}:${actor.name}` } : {}),
    });
  }

  complete(result: unknown): void {
    this.state.status = 'completed';
    this.state.result = result;
    this.finish('completed');
  }

  /** Records the failure and returns the non-retryable failure the workflow throws. */
  fail(type: string, message: string): ApplicationFailure {
    this.state.status = 'failed';
    this.state.error = { type, message };
    this.step('failed', 'failed', message);
    this.finish('failed');
    return ApplicationFailure.create({ type, message, nonRetryable: true });
  }

  cancelled(): void {
    this.state.status = 'cancelled';
    this.state.error = { type: 'Cancelled', message: 'the case was cancelled' };
    this.finish('cancelled');
  }

  private finish(stage: string): void {
    this.state.stage = stage;
    this.state.awaiting = [];
    this.settle();
    this.publish();
  }

  private settle(): void {
    this.settled = this.consumed;
  }

  private publish(): void {
    const role = this.state.awaiting[0]?.role ?? null;
    upsertSearchAttributes([
      { key: OnboardingStageKey, value: this.state.stage },
      { key: AwaitingRoleKey, value: role },
    ]);
    const waits = this.state.awaiting.map((a) => `${a.action} (${a.role})`).join(', ');
    setCurrentDetails(`**Stage:** ${this.state.stage}${waits ? `\n\n**Awaiting:** ${waits}` : ''}`);
  }
}

/**
 * What went wrong, for the case's `error`: activity and child failures wrap the failure that
 * says it, so unwrap to the innermost application failure.
 */
export function failureOf(err: unknown): { type: string; message: string } {
  let e: unknown = err;
  while (e instanceof Error && !(e instanceof ApplicationFailure) && (e as { cause?: unknown }).cause instanceof Error) e = (e as { cause?: unknown }).cause;
  if (e instanceof ApplicationFailure) return { type: e.type ?? 'Failed', message: e.message };
  return { type: 'Failed', message: e instanceof Error ? e.message : String(e) };
}

function issues(error: z.ZodError, prefix: string): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), message: i.message }));
}

function safeActor(request: ActionRequest | undefined): Actor | undefined {
  const parsed = actorSchema.safeParse(request?.actor);
  return parsed.success ? parsed.data : undefined;
}

/** A one-line, secret-free account of an action's payload for `steps`. */
function summarise(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const p = payload as Record<string, unknown>;
  if (typeof p.note === 'string') return p.note;
  if (typeof p.reason === 'string') return p.reason;
  if (Array.isArray(p.reasons)) return p.reasons.map((r: { code?: string; message?: string }) => `${r.code}: ${r.message}`).join('; ');
  const keys = Object.keys(p);
  return keys.length ? `with ${keys.join(', ')}` : undefined;
}
