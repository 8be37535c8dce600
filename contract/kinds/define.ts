/**
 * How a kind is declared: its name and workflow type, its stages, its actions (who takes each),
 * its business failures, its workflow id, what a new case shows, and, by type only,
 * its input, result, action payloads and start body. Plain TypeScript at run time (workflow code
 * imports the registry); the zod schemas stay in `domain/` and are named here by `typeof`.
 */
import type { z } from 'zod';
import type { Role } from '../../domain/case';
import type { RelatedCase, Step } from '../../domain/onboarding';
import { caseId } from '../../domain/ids';

export interface ActionDeclaration {
  roles: readonly Role[];
  summary: string;
}

/** A wait a new case shows: an action someone takes, due `dueInMs` after the start when it is reminded or has a deadline. */
export interface OpeningWait {
  action: string;
  role: Role;
  dueInMs?: number;
}

/** A step a new case records in its first workflow task (at its start). */
export type OpeningStep = Omit<Step, 'at' | 'by'>;

/**
 * What a case shows once its first workflow task has run, when its input alone decides it: its
 * stage, its first waits, the steps it records and the cases it starts on the way. The API answers
 * a start with it (`openingState` in the registry) without waiting for a worker.
 */
export interface Opening<S extends string = string> {
  stage: S;
  awaiting: OpeningWait[];
  steps?: OpeningStep[];
  related?: RelatedCase[];
}

/** A kind's opening, from its input and the new case's id. */
export type OpeningOf<I, S extends string = string> = (input: I, id: string) => Opening<S>;

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
  /** What a new case shows after its first workflow task, when the input alone decides it (else ask the case). */
  readonly opening?: OpeningOf<T['input'], D['stages'][number]>;
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
      opening?: OpeningOf<T['input'], D['stages'][number]>;
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

/** A review support decides: approve, or reject (with a reason unless said otherwise). */
export const supportReviewActions = (approve: string, reject = 'Reject the application with a reason') =>
  ({
    approve: { roles: support, summary: approve },
    reject: { roles: support, summary: reject },
  }) as const;

/** Support confirms by hand the inbound test call a SIP case's SBC could not observe. */
export const confirmInboundTest = {
  roles: support,
  summary: 'Confirm the inbound test call arrived (where the SBC cannot observe calls)',
} as const;

/** The two waits of a review support decides, reminded (due) every `slaMs`. */
export function supportReview(slaMs: number): OpeningWait[] {
  return [
    { action: 'approve', role: 'support', dueInMs: slaMs },
    { action: 'reject', role: 'support', dueInMs: slaMs },
  ];
}
