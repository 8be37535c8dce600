/**
 * What every onboarding workflow shares: its visible state (stage, awaited actions, steps), the search
 * attributes and the memo that mirror it (reads need no worker), human actions received as updates
 * (answered at once by a validator) or as signals of the same name (refusals recorded in `steps`),
 * and the one way a case ends (`run`): compensations, the ending's email, final state, the failure.
 *
 * Payloads are validated once, in the API, before they are sent. A signal sent with Temporal's own
 * tooling is still checked here for the actor's role and tenant and for whether it is awaited.
 */
import {
  ApplicationFailure,
  condition,
  type SignalDefinition,
  CancellationScope,
  ContinueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  ActionFailureType,
  ACTIONS,
  handlesOf,
  type ActingKind,
  type ActionName,
  type ActionRequest,
} from '../../contract/actions';
import {
  cancelRequestedSignal,
  caseReportSignal,
  journeyAttachedSignal,
  openedUpdate,
  reportQuery,
  stateQuery,
  type Actor,
  type CaseReport,
  type CaseState,
  type Step,
} from '../../contract/case';
import type { FailureOf, ResultOf, Stage } from '../../contract/kinds';
import type { CaseState as AnyCaseState } from '../../domain/onboarding';
import { AwaitingRoleKey, OnboardingStageKey } from '../../domain/search-attributes';
import type { UpdateDefinition } from '@temporalio/common';
import type { EventType } from '../../domain/webhooks';
import { Compensations } from './saga';
import { Notifier } from './notify';
import { CaseEvents } from './case-events';
import { ViewMemo } from './case-memo';
import { checkAction, refusal } from './case-actions';
import {
  actorOrUndefined,
  failureOf,
  isoAt,
  now,
  summarise,
  type Awaiting,
  type CaseRules,
  type Ending,
  type Received,
  type ServiceFacts,
  type Wait,
  type WaitOptions,
} from './case-types';

export { CASE_EVENTS_PATCH } from './case-events';
export { CASE_MEMO_PATCH } from './case-memo';
export {
  failureOf,
  isoAt,
  now,
  type Awaiting,
  type CaseRules,
  type Ending,
  type Received,
  type RuleFailure,
  type ServiceFacts,
  type Wait,
  type WaitOptions,
} from './case-types';

interface Inbox<K extends ActingKind> {
  seq: number;
  message: Received<K, ActionName<K>>;
}

export class OnboardingCase<K extends ActingKind> {
  readonly state: AnyCaseState<K, ResultOf<K>>;
  readonly mail: Notifier;
  readonly undo: Compensations;
  /** Set by the cancel-requested signal, for the cancellation email. */
  cancelReason: string | undefined;
  /** Reported to the journey with every change; set by the workflow as it brings things into service. */
  readonly facts: ServiceFacts = {};
  private journeyId: string | undefined;
  private reports = 0;
  /** The latest report on its way: a case must not close before its last one is delivered. */
  private reporting: Promise<void> = Promise.resolve();
  private readonly rules: CaseRules<K>;
  private inbox: Inbox<K>[] = [];
  private received = 0;
  /** Highest sequence number whose consequences are reflected in `state`. */
  private settled = 0;
  private consumed = 0;
  /** Actions validated while awaited but overtaken by the case before it read them. */
  private readonly dropped = new Set<number>();
  private readonly events: CaseEvents;
  /** What readers see, kept in the memo so a read needs no worker. */
  private readonly memo: ViewMemo;

  constructor(init: {
    kind: K;
    enterpriseId: string;
    stage: Stage<K>;
    rules?: CaseRules<K>;
    steps?: Step[];
    /** The enterprise's journey, when it existed as the case started: the case reports to it. */
    journeyId?: string | undefined;
  }) {
    this.state = {
      id: workflowInfo().workflowId,
      kind: init.kind,
      enterpriseId: init.enterpriseId,
      status: 'running',
      stage: init.stage,
      awaiting: [],
      steps: [...(init.steps ?? [])],
      related: [],
      result: null,
      error: null,
    };
    this.rules = init.rules ?? {};
    this.journeyId = init.journeyId;
    this.events = new CaseEvents(this.view(), this.facts);
    this.memo = new ViewMemo(() => {
      const { caseId: _i, enterpriseId: _e, kind: _k, status: _s, stage: _t, awaiting: _a, ...report } = this.report();
      return { v: 1, state: this.view(), report };
    });
    this.mail = new Notifier(this);
    this.undo = new Compensations(this);
    setHandler(stateQuery, () => this.view());
    setHandler(openedUpdate, () => this.view());
    setHandler(cancelRequestedSignal, ({ actor, reason }) => {
      this.cancelReason = reason;
      this.step('cancel requested', 'done', reason ?? 'no reason given', actorOrUndefined(actor));
    });
    setHandler(reportQuery, () => this.report());
    setHandler(journeyAttachedSignal, ({ journeyId }) => {
      if (this.journeyId === journeyId || journeyId !== `journey-${this.state.enterpriseId}`) return;
      this.journeyId = journeyId;
      this.tellJourney();
    });
    for (const name of Object.keys(ACTIONS[init.kind]) as ActionName<K>[]) this.listen(init.kind, name);
    this.publish();
  }

  /** The state as readers see it (a generic kind is past what the compiler follows in the per-kind union). */
  private view(): CaseState {
    return this.state as CaseState;
  }

  /** The journey the case reports to, if any (carried across continue-as-new). */
  get journey(): string | undefined {
    return this.journeyId;
  }

  /** The case as its journey sees it now. */
  private report(): CaseReport {
    const { id, kind, enterpriseId, status, stage, awaiting } = this.state;
    return { caseId: id, enterpriseId, kind, status, stage, awaiting, at: now(), seq: this.reports, ...this.facts };
  }

  /**
   * Tells the journey (if any) where the case stands. Never awaited on the way: a journey that has
   * ended or never existed must not hold up or fail the case. Outside cancellation, so a cancelled
   * case still reports how it ended.
   */
  private tellJourney(): void {
    if (!this.journeyId) return;
    this.reports++;
    const { journeyId } = this;
    const report = this.report();
    const sent = CancellationScope.nonCancellable(() =>
      getExternalWorkflowHandle(journeyId).signal(caseReportSignal, report),
    ).catch(() => undefined);
    this.reporting = Promise.all([this.reporting, sent]).then(() => undefined);
  }

  /** Each action of the kind is an update (validated, answered with the new state) and a signal. */
  private listen<A extends ActionName<K>>(kind: K, name: A): void {
    // Widened to any payload (checked by the compiler): the API validates it, `awaitAction` types it.
    const handles = handlesOf(kind, name);
    const update: UpdateDefinition<CaseState, [ActionRequest]> = handles.update;
    const signal: SignalDefinition<[ActionRequest]> = handles.signal;
    const accept = (request: ActionRequest): number => {
      const seq = ++this.received;
      this.inbox.push({
        seq,
        message: { name, actor: request.actor, payload: request.payload } as Received<K, ActionName<K>>,
      });
      return seq;
    };
    setHandler(
      update,
      async (request) => {
        const seq = accept(request);
        await condition(() => this.settled >= seq || this.dropped.has(seq));
        if (this.dropped.has(seq))
          throw refusal(
            this.view(),
            name,
            ActionFailureType.NotAwaited,
            'the case moved on before this action was taken',
          );
        return this.view();
      },
      { validator: (request) => checkAction(this.view(), this.rules, this.inbox.length > 0, kind, name, request) },
    );
    setHandler(signal, (request) => {
      try {
        checkAction(this.view(), this.rules, this.inbox.length > 0, kind, name, request);
      } catch (err) {
        this.step(
          `signal ${name} refused`,
          'failed',
          err instanceof Error ? err.message : String(err),
          actorOrUndefined(request?.actor),
        );
        return;
      }
      accept(request);
    });
  }

  /**
   * Moves to a stage and states what it waits for. Everything received before is now settled, so
   * the update that caused the move returns this new state.
   */
  enter(stage: Stage<K>, awaits: (Awaiting<ActionName<K>> & { dueAt?: number })[] = [], waits: Wait[] = []): void {
    const since = isoAt(now());
    this.state.stage = stage;
    this.state.awaiting = [
      ...awaits.map((a) => ({
        action: a.action,
        role: a.role,
        since,
        ...(a.dueAt !== undefined && Number.isFinite(a.dueAt) ? { dueAt: isoAt(a.dueAt) } : {}),
      })),
      ...waits.map((w) => ({ ...w, since: w.since ?? since })),
    ];
    this.settle();
    this.publish();
  }

  /** Waits for one of the awaited actions, or until `timeoutMs` passes (then `undefined`). */
  private async next<A extends ActionName<K>>(
    names: readonly A[],
    timeoutMs?: number,
  ): Promise<Received<K, A> | undefined> {
    for (;;) {
      const arrived = () => this.inbox.length > 0;
      const got =
        timeoutMs === undefined ? (await condition(arrived), true) : await condition(arrived, Math.max(timeoutMs, 1));
      if (!got) return undefined;
      const { seq, message } = this.inbox.shift()!;
      this.consumed = seq;
      if (!(names as readonly string[]).includes(message.name)) {
        this.dropped.add(seq);
        continue;
      }
      this.step(message.name, 'done', summarise(message.payload), message.actor);
      return message as Received<K, A>;
    }
  }

  /**
   * Enters `stage` awaiting one of `awaits` (then runs `onEnter`) and waits: every `remindEveryMs`
   * without an answer calls `onReminder` (the first after `firstReminderMs` if given). With a
   * `deadlineMs` (from now) it gives up then and returns `undefined`; without one it always
   * returns an action.
   */
  awaitAction<A extends ActionName<K>>(
    stage: Stage<K>,
    awaits: readonly Awaiting<A>[],
    options: WaitOptions & { deadlineMs: number },
  ): Promise<Received<K, A> | undefined>;
  awaitAction<A extends ActionName<K>>(
    stage: Stage<K>,
    awaits: readonly Awaiting<A>[],
    options?: WaitOptions & { deadlineMs?: undefined },
  ): Promise<Received<K, A>>;
  async awaitAction<A extends ActionName<K>>(
    stage: Stage<K>,
    awaits: readonly Awaiting<A>[],
    options: WaitOptions & { deadlineMs?: number } = {},
  ): Promise<Received<K, A> | undefined> {
    const since = now();
    const deadline = options.deadlineMs === undefined ? undefined : since + options.deadlineMs;
    const every = options.remindEveryMs;
    let nextReminder = every === undefined ? undefined : since + (options.firstReminderMs ?? every);
    const dueAt = nextReminder ?? deadline;
    this.enter(
      stage,
      awaits.map((a) => ({ ...a, dueAt })),
    );
    options.onEnter?.(dueAt);
    const names = awaits.map((a) => a.action);
    for (let reminder = 1; ;) {
      const wakeAt = Math.min(nextReminder ?? Infinity, deadline ?? Infinity);
      const got = await this.next(names, wakeAt === Infinity ? undefined : wakeAt - now());
      if (got) return got;
      if (deadline !== undefined && now() >= deadline) return undefined;
      if (nextReminder !== undefined && every !== undefined && now() >= nextReminder) {
        options.onReminder?.(reminder++, since);
        nextReminder += every;
      }
    }
  }

  /** Names a case this one started, so readers can follow it (the API adds its live stage). */
  relate(id: string, kind: CaseState['kind'], relation: string): void {
    if (!this.state.related.some((r) => r.id === id)) this.state.related.push({ id, kind, relation });
    this.memo.touch();
  }

  /** Records a step. Steps are the case's own log, readable in the API and in the query. */
  step(name: string, status: Step['status'], detail?: string, actor?: Actor): void {
    const step = {
      name,
      status,
      at: isoAt(now()),
      ...(detail ? { detail } : {}),
      ...(actor ? { by: `${actor.role}:${actor.name}` } : {}),
    };
    this.state.steps.push(step);
    this.memo.touch();
    if (actor && status === 'done')
      this.emit('case.action_taken', { action: name, by: step.by, detail: detail ?? null });
    else if (status === 'failed')
      this.emit('case.step_failed', { step: name, detail: detail ?? null, by: step.by ?? null });
    else if (status === 'done') this.emit('case.step_done', { step: name, detail: detail ?? null });
  }

  /** Emits an event (the feed and webhooks), never holding up the case. */
  emit(type: EventType, data: Record<string, unknown>): void {
    this.events.emit(type, data);
  }

  /** Waits until every event emitted so far is recorded (before a continue-as-new, say). */
  async eventsRecorded(): Promise<void> {
    await this.events.recorded();
  }

  /**
   * A business failure: records it and returns the non-retryable failure to throw, which `run`
   * then ends the case with (compensations, emails). `failWith` records any (an activity's, in `run`).
   */
  readonly fail = (type: FailureOf<K>, message: string): ApplicationFailure => this.failWith(type, message);

  private failWith(type: string, message: string): ApplicationFailure {
    if (this.state.status === 'running') {
      this.state.status = 'failed';
      this.state.error = { type, message };
      this.step('failed', 'failed', message);
    }
    return ApplicationFailure.create({ type, message, nonRetryable: true });
  }

  /**
   * The one way a case ends. `body` runs the process and returns its result once the completion
   * emails are sent. A failure (a business failure from `fail`, an activity's non-retryable
   * failure, or a programming error) runs the compensations newest first, tells people, and fails
   * the workflow with an `ApplicationFailure` whose type says why (`InternalError` for a bug, so it
   * fails visibly instead of retrying its task forever). A cancellation runs the compensations,
   * sends the cancellation email and ends the workflow cancelled.
   */
  async run<R extends ResultOf<K>>(ending: Ending, body: () => Promise<R>): Promise<R> {
    let result: R;
    try {
      result = await body();
    } catch (err) {
      // A long-lived case carries on in a new run: nothing ends.
      if (err instanceof ContinueAsNew) throw err;
      const undone = await this.undo.run();
      if (isCancellation(err)) {
        this.mail.send('cancelled', ending.to(), 'case-cancelled', {
          caseId: this.state.id,
          companyName: ending.companyName(),
          kindLabel: ending.kindLabel,
          reason: this.cancelReason,
        });
        await this.mail.flush();
        this.finish('cancelled', { type: 'Cancelled', message: 'the case was cancelled' });
        await Promise.all([this.reporting, this.events.recorded()]);
        throw err;
      }
      const error = this.state.status === 'failed' && this.state.error ? this.state.error : failureOf(err);
      this.failWith(error.type, error.message);
      ending.onFailure?.(error, undone);
      await this.mail.flush();
      this.finish('failed', error);
      await Promise.all([this.reporting, this.events.recorded()]);
      throw ApplicationFailure.create({
        type: error.type,
        message: error.message,
        nonRetryable: true,
        ...(err instanceof Error ? { cause: err } : {}),
      });
    }
    await this.mail.flush();
    this.state.result = result;
    this.finish('completed', null);
    // A signal from a closed workflow is never delivered: the journey hears the ending first.
    await Promise.all([this.reporting, this.events.recorded()]);
    return result;
  }

  private finish(status: 'completed' | 'failed' | 'cancelled', error: CaseState['error']): void {
    this.state.status = status;
    this.state.error = error;
    this.state.stage = status;
    this.state.awaiting = [];
    this.settle();
    this.publish();
    if (status === 'completed') this.emit('case.completed', { stage: status });
    else if (status === 'failed') this.emit('case.failed', { error });
    else this.emit('case.cancelled', { reason: this.cancelReason ?? null });
  }

  private settle(): void {
    this.settled = this.consumed;
  }

  /** Tells readers and the journey what changed beyond the stage (e.g. facts, a wait's detail). */
  publish(): void {
    this.tellJourney();
    this.events.tellChanges();
    this.memo.touch();
    // A journey lists its cases' waits too; it awaits someone only for its own.
    const role = this.state.awaiting.find((a) => !a.caseId)?.role ?? null;
    upsertSearchAttributes([
      { key: OnboardingStageKey, value: this.state.stage },
      { key: AwaitingRoleKey, value: role },
    ]);
    const waits = this.state.awaiting.map((a) => `${a.action ?? a.for} (${a.role})`).join(', ');
    setCurrentDetails(`**Stage:** ${this.state.stage}${waits ? `\n\n**Awaiting:** ${waits}` : ''}`);
  }
}
