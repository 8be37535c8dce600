/**
 * Whether a case takes an action now: a well-formed actor whose role and tenant may take it, in a
 * running case that awaits it and is not busy with another, with an object payload that keeps the
 * case's own rules. A refusal is a non-retryable failure that says what the case awaits instead.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import {
  ActionFailureType,
  ACTIONS,
  type ActingKind,
  type ActionFailureDetails,
  type ActionName,
  type ActionRequest,
  type Payload,
} from '../../contract/actions';
import type { CaseState, Role } from '../../contract/case';
import { actorOrUndefined, type CaseRules } from './case-types';

export function checkAction<K extends ActingKind, A extends ActionName<K>>(
  state: CaseState,
  rules: CaseRules<K>,
  busy: boolean,
  kind: K,
  name: A,
  request: ActionRequest | undefined,
): void {
  const actor = actorOrUndefined(request?.actor);
  if (!actor) {
    throw refusal(state, name, ActionFailureType.InvalidPayload, 'the actor is missing or malformed', [
      { path: 'actor', message: 'role, name and (for enterprises) enterpriseId' },
    ]);
  }
  if (state.status !== 'running')
    throw refusal(state, name, ActionFailureType.NotAwaited, `the case is ${state.status}`);
  if (!state.awaiting.some((a) => a.action === name)) {
    throw refusal(state, name, ActionFailureType.NotAwaited, `${name} is not awaited in stage ${state.stage}`);
  }
  const roles: readonly Role[] = (ACTIONS[kind] as Record<string, { roles: readonly Role[] }>)[name]!.roles;
  if (
    (actor.role !== 'admin' && !roles.includes(actor.role)) ||
    (actor.role === 'enterprise' && actor.enterpriseId !== state.enterpriseId)
  ) {
    throw refusal(
      state,
      name,
      ActionFailureType.Forbidden,
      `${name} is taken by ${roles.join(' or ')} of this case, not ${actor.role}`,
    );
  }
  if (busy) throw refusal(state, name, ActionFailureType.Busy, 'another action is being processed; try again');
  const payload: unknown = request?.payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw refusal(state, name, ActionFailureType.InvalidPayload, 'the action payload is not an object', [
      { path: 'payload', message: 'an object' },
    ]);
  }
  const broken = rules[name]?.(payload as Payload<K, A>) ?? [];
  if (broken.length > 0)
    throw refusal(state, name, ActionFailureType.RuleViolation, `${name} breaks ${broken.length} rule(s)`, broken);
}

export function refusal(
  state: CaseState,
  name: string,
  type: string,
  message: string,
  errors?: ActionFailureDetails['errors'],
): ApplicationFailure {
  const details: ActionFailureDetails = { awaiting: state.awaiting, ...(errors ? { errors } : {}) };
  return ApplicationFailure.create({
    type,
    message: `${name} refused: ${message}`,
    details: [details],
    nonRetryable: true,
  });
}
