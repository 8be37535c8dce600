/**
 * The human steps of every kind: who may take each one, and the Temporal update and signal that
 * carry it, read from the registry (`contract/kinds/`), so workflow code and the API share the
 * same handles and a renamed action or changed payload is a compile error on both sides. The
 * payload schemas (zod) live in `domain/` and are only referred to here by type.
 */
import { defineSignal, defineUpdate, type SignalDefinition } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { Actor, CaseState } from './case';
import {
  KIND_REGISTRY,
  ONBOARDING_KINDS,
  type ActionName,
  type OnboardingKind,
  type PayloadSchemasOf,
  type Registry,
} from './kinds';

export type { ActionDeclaration } from './kinds';
export type { ActionName };

/** Every action of every kind (a kind without actions has none). Admin may take any of them. */
export const ACTIONS = Object.fromEntries(ONBOARDING_KINDS.map((k) => [k, KIND_REGISTRY[k].actions])) as {
  [K in OnboardingKind]: Registry[K]['actions'];
};

/** Whether the kind declares an action of this name. */
export function isActionOf<K extends OnboardingKind>(kind: K, name: string): name is ActionName<K> {
  return Object.hasOwn(KIND_REGISTRY[kind].actions, name);
}

/** Every kind has its (possibly empty) set of actions. */
export type ActingKind = OnboardingKind;

/** What an action carries once the API has validated it. */
export type Payload<K extends OnboardingKind, A extends ActionName<K>> = z.output<PayloadSchemasOf<K>[A]>;

/** An action as it travels in an update or signal: who takes it, and what it carries. */
export interface ActionRequest<P = unknown> {
  actor: Actor;
  payload: P;
}

export interface ActionHandles<K extends OnboardingKind, A extends ActionName<K>> {
  update: UpdateDefinition<CaseState, [ActionRequest<Payload<K, A>>], A>;
  signal: SignalDefinition<[ActionRequest<Payload<K, A>>], A>;
}

/**
 * The update and signal of one action of one kind (same name: either one carries the action). A
 * definition is its name and types, so each call makes an equal one.
 */
export function handlesOf<K extends OnboardingKind, A extends ActionName<K>>(_kind: K, name: A): ActionHandles<K, A> {
  return {
    update: defineUpdate<CaseState, [ActionRequest<Payload<K, A>>], A>(name),
    signal: defineSignal<[ActionRequest<Payload<K, A>>], A>(name),
  };
}

/**
 * Failure types that action validators raise; the API maps each to an HTTP status.
 */
export const ActionFailureType = {
  NotAwaited: 'ActionNotAwaited',
  Forbidden: 'ActionForbidden',
  InvalidPayload: 'InvalidActionPayload',
  RuleViolation: 'ActionRuleViolation',
  Busy: 'ActionBusy',
} as const;

/** Details attached to a refused action: what is awaited now, and each failing field. */
export interface ActionFailureDetails {
  awaiting: CaseState['awaiting'];
  errors?: { path: string; message: string; code?: string }[];
}
