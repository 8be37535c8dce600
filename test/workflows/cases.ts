/**
 * Acting on a case under test and reading it back, as the API and the console would: actions as
 * updates or signals, the state query, waits for a stage, and how a case ended.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { handlesOf, type ActingKind, type ActionName, type Payload } from '../../contract/actions';
import { stateQuery, type Actor, type CaseState } from '../../contract/case';
import { eventually } from '../support/stack';

/** Takes an action as the API does: an update, answered with the state once the case took it. */
export function act<K extends ActingKind, A extends ActionName<K>>(
  handle: WorkflowHandle,
  kind: K,
  action: A,
  actor: Actor,
  payload: Payload<K, A>,
): Promise<CaseState> {
  return handle.executeUpdate(handlesOf(kind, action).update, { args: [{ actor, payload }] });
}

/** Takes an action as Temporal's own tooling does: a signal, refused only in the case's steps. */
export function signal<K extends ActingKind, A extends ActionName<K>>(
  handle: WorkflowHandle,
  kind: K,
  action: A,
  actor: Actor,
  payload: Payload<K, A>,
): Promise<void> {
  return handle.signal(handlesOf(kind, action).signal, { actor, payload });
}

export function stateOf(handle: WorkflowHandle): Promise<CaseState> {
  return handle.query(stateQuery);
}

/** Polls until `check` returns something, or fails saying what it waited for. */
export function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  return eventually(check, timeoutMs, what, 25);
}

/** Waits until the case is in `stage` (and awaits something there, when it waits on people). */
export function stageOf(handle: WorkflowHandle, stage: string, timeoutMs?: number): Promise<CaseState> {
  return until(
    async () => {
      const s = await stateOf(handle);
      return s.stage === stage ? s : undefined;
    },
    `stage ${stage}`,
    timeoutMs,
  );
}

/** The failure a case ended with: the ApplicationFailure the workflow threw. */
export async function failureOf(handle: WorkflowHandle): Promise<ApplicationFailure> {
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof WorkflowFailedError) || !(err.cause instanceof ApplicationFailure))
    throw new Error(`expected the case to fail with an ApplicationFailure, got ${String(err)}`);
  return err.cause;
}

/** Asserts the case ended cancelled (the workflow's own result). */
export async function cancelledOutcome(handle: WorkflowHandle): Promise<boolean> {
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure;
}

/** The failure a refused update was refused with. */
export async function refusalOf(attempt: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  if (!(cause instanceof ApplicationFailure))
    throw new Error(`expected a refusal, got ${err === undefined ? 'an accepted action' : String(err)}`);
  return cause;
}

/** Names of the case's steps, in order. */
export function stepNames(state: CaseState): string[] {
  return state.steps.map((s) => s.name);
}

/** Waits until the case awaits someone's action, or has stopped running. */
export function awaitingOrStopped(handle: WorkflowHandle, what: string): Promise<CaseState> {
  return until(async () => {
    const state = await stateOf(handle);
    return state.awaiting.length > 0 || state.status !== 'running' ? state : undefined;
  }, what);
}
