/**
 * How a kind is declared: its name and workflow type, its stages, its actions (who takes each),
 * its business failures, its workflow id, what a freshly started case shows, and, by type only,
 * its input, result, action payloads and start body. Plain TypeScript at run time (workflow code
 * imports the registry); the zod schemas stay in `domain/` and are named here by `typeof`.
 */
import type { z } from 'zod';
import type { Role } from '../../domain/case';
import { caseId } from '../../domain/ids';

export interface ActionDeclaration {
  roles: readonly Role[];
  summary: string;
}

/** A wait a freshly started case shows: an action someone takes, or something else (`for`). */
export interface OpeningWait {
  action?: string;
  for?: string;
  role: Role;
}

/** The stage and waits a case shows once its first workflow task has run. */
export interface Opening<S extends string = string> {
  stage: S;
  awaiting: OpeningWait[];
}

/** The types a kind carries across the boundary; none of them exists at run time. */
export interface KindTypes {
  /** What the workflow is started with. */
  input: unknown;
  /** The case's `result`: what it completes with (or shows while it runs, for long-lived kinds). */
  result: unknown;
  /** Each action's payload schema (zod), by action name. */
  payloads: Record<string, z.ZodType>;
  /** The body `POST /v1/onboardings` takes; `never` for kinds other cases start. */
  start: z.ZodType | never;
}

export interface KindShape {
  name: string;
  /** The workflow function's name: the Temporal workflow type (never renamed: histories name it). */
  workflowType: string;
  stages: readonly string[];
  actions: Record<string, ActionDeclaration>;
  /** The business failures the case ends with (`ApplicationFailure` types). */
  failures: readonly string[];
  /**
   * The workflow id of a case started for `enterpriseId`: fixed per enterprise (one at a time), or
   * made unique by `suffix` (from an Idempotency-Key, or random).
   */
  workflowId: (enterpriseId: string, suffix: string) => string;
  /** Whether `workflowId` ignores the suffix (one case per enterprise). */
  fixedId: boolean;
}

/** A declared kind: its shape, with its types attached (`types` is never set; read it with `typeof`). */
export type KindDeclaration<T extends KindTypes = KindTypes, D extends KindShape = KindShape> = D & {
  /** The stage and waits a new case shows, when the input alone decides them (else ask the case). */
  readonly opening?: (input: T['input']) => Opening<D['stages'][number]> | undefined;
  readonly types?: T;
};

/**
 * Declares a kind. The first call takes its types, the second its shape:
 * `kind<{ input: X; result: Y; payloads: typeof p; start: typeof s }>()({ name: 'x', ... })`.
 */
export function kind<T extends KindTypes>() {
  return <const D extends KindShape>(
    shape: D & {
      /** One declaration per payload schema: an action without a payload, or the reverse, does not compile. */
      actions: { [A in keyof T['payloads']]: ActionDeclaration };
      opening?: (input: T['input']) => Opening<D['stages'][number]> | undefined;
    },
  ): KindDeclaration<T, D> => shape;
}

/** A case id of a kind with many cases per enterprise. */
export function perRequestId(kindName: string) {
  return (enterpriseId: string, suffix: string): string => caseId(kindName, enterpriseId, suffix);
}

export const support = ['support'] as const;
export const enterprise = ['enterprise'] as const;
export const enterpriseOrSupport = ['enterprise', 'support'] as const;

/** Manual SBC mode: support confirms a change made by hand on an SBC without an API. */
export const confirmSbcChange = {
  roles: support,
  summary: 'Confirm a change made by hand on an SBC without an API (manual SBC mode)',
} as const;

/** The two waits of a review support decides. */
export const supportReview = [
  { action: 'approve', role: 'support' },
  { action: 'reject', role: 'support' },
] as const satisfies OpeningWait[];
