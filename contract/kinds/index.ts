/**
 * The registry of kinds: every kind, declared once in its own file here. The kinds' names, stages,
 * actions, workflow types and ids, and the typed handles, are read from it; so are the API's kind
 * table and the workflow bundle's exports, each checked against it.
 */
import type { z } from 'zod';
import type { AwaitedAction, RelatedCase, Step } from '../../domain/onboarding';
import type { KindDeclaration, KindShape, OpeningOf } from './define';
import { contactCenterInstance } from './contact-center-instance';
import { enterpriseOnboarding } from './enterprise-onboarding';
import { enterpriseRealName } from './enterprise-real-name';
import { enterpriseVerification } from './enterprise-verification';
import { numberPurchase } from './number-purchase';
import { numberRecovery } from './number-recovery';
import { numberSubscription } from './number-subscription';
import { own400Landing } from './own-400-landing';
import { sipRegistration } from './sip-registration';
import { sipTrunk } from './sip-trunk';
import { thirdPartyLine } from './third-party-line';
import { usageBilling } from './usage-billing';

export type { ActionDeclaration, KindDeclaration, KindShape, Opening, OpeningStep, OpeningWait } from './define';

/** Every kind by name; a new kind is one line here beside its file. */
export const KIND_REGISTRY = byName(
  enterpriseRealName,
  enterpriseVerification,
  numberPurchase,
  numberSubscription,
  own400Landing,
  sipTrunk,
  sipRegistration,
  thirdPartyLine,
  contactCenterInstance,
  enterpriseOnboarding,
  usageBilling,
  numberRecovery,
);

type ByName<T extends readonly KindShape[]> = { readonly [D in T[number] as D['name']]: D };

/** Declarations keyed by their names, in the order given. */
function byName<const T extends readonly KindShape[]>(...kinds: T): ByName<T> {
  return Object.fromEntries(kinds.map((k) => [k.name, k])) as ByName<T>;
}

export type Registry = typeof KIND_REGISTRY;
export type OnboardingKind = keyof Registry & string;
type Declared<K extends OnboardingKind> = Registry[K] extends KindDeclaration<infer T> ? T : never;

/** What the kind's workflow is started with. */
export type InputOf<K extends OnboardingKind> = Declared<K>['input'];
/** What the kind's case shows as its `result`. */
export type ResultOf<K extends OnboardingKind> = Declared<K>['result'];
/** The kind's workflow as a client sees it: started with its input, completing with its result. */
export type WorkflowOf<K extends OnboardingKind> = (input: InputOf<K>) => Promise<ResultOf<K>>;
/** The kind's action payload schemas (zod), by action name. */
export type PayloadSchemasOf<K extends OnboardingKind> = Declared<K>['payloads'];
/** The body that starts a case of the kind (`never` where other cases start it). */
export type StartSchemaOf<K extends OnboardingKind> = Declared<K>['start'];
export type StartOf<K extends OnboardingKind> = z.output<StartSchemaOf<K>>;
/** The business failures a case of the kind ends with. */
export type FailureOf<K extends OnboardingKind> = Registry[K]['failures'][number];
export type Stage<K extends OnboardingKind> = Registry[K]['stages'][number];
export type ActionName<K extends OnboardingKind> = keyof Registry[K]['actions'] & string;
export type WorkflowTypeOf<K extends OnboardingKind> = Registry[K]['workflowType'];

/** The kinds, in the registry's order. */
export const ONBOARDING_KINDS = Object.keys(KIND_REGISTRY) as [OnboardingKind, ...OnboardingKind[]];

/** A kind's declaration. */
export function kindOf<K extends OnboardingKind>(name: K): Registry[K] {
  return KIND_REGISTRY[name];
}

/** What a new case shows once its first workflow task has run, as a read shows it. */
export interface OpeningState {
  stage: string;
  awaiting: AwaitedAction[];
  steps: Step[];
  related: RelatedCase[];
}

/**
 * The state a case of the kind opens in, when its input alone decides it: its declared opening,
 * timed from its start (`at`, ms) as the workflow times it. `undefined` where the case decides.
 */
export function openingState(
  name: OnboardingKind,
  input: unknown,
  start: { id: string; at: number },
): OpeningState | undefined {
  // Each declaration's `opening` takes its own kind's input (the caller's, for `name`); a kind
  // known only at run time is past what the compiler follows.
  const declared: { opening?: OpeningOf<unknown> } = KIND_REGISTRY[name] as KindDeclaration;
  const opening = declared.opening?.(input, start.id);
  if (!opening) return undefined;
  const at = new Date(start.at).toISOString();
  return {
    stage: opening.stage,
    awaiting: opening.awaiting.map(({ action, role, dueInMs }) => ({
      action,
      role,
      since: at,
      ...(dueInMs !== undefined ? { dueAt: new Date(start.at + dueInMs).toISOString() } : {}),
    })),
    steps: (opening.steps ?? []).map((step) => ({ ...step, at })),
    related: opening.related ?? [],
  };
}

/** The declaration's shape, for code that serves every kind alike. */
export function shapeOf(name: OnboardingKind): KindShape {
  return KIND_REGISTRY[name];
}

/** Whether a string names a kind. */
export function isOnboardingKind(name: string): name is OnboardingKind {
  return Object.hasOwn(KIND_REGISTRY, name);
}

/** Each kind's workflow type (the workflow function's name). */
export const WORKFLOW_TYPES = Object.fromEntries(ONBOARDING_KINDS.map((k) => [k, KIND_REGISTRY[k].workflowType])) as {
  [K in OnboardingKind]: WorkflowTypeOf<K>;
};
