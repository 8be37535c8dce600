/**
 * The onboarding case as every process exposes it: one shape for the API, the OpenAPI document,
 * and tests. Workflow code refers to these types only (`contract/case.ts`). The roles and actor
 * are defined in `case.ts`, the kinds in the registry (`contract/kinds/`, which builds the schemas
 * below with its list); the schemas here satisfy the types.
 */
import { z } from 'zod';
import { ROLES, type Actor, type Role } from './case';

export type { Actor, Role };

export const roleSchema = z.enum(ROLES) satisfies z.ZodType<Role>;

/** Who takes an action: carried with every update and signal so history shows who did what. */
export const actorSchema = z.strictObject({
  role: roleSchema,
  name: z.string().min(1).max(200),
  enterpriseId: z.string().min(1).max(64).optional(),
}) satisfies z.ZodType<Actor>;

export const caseStatusSchema = z.enum(['running', 'completed', 'failed', 'cancelled']);
export type CaseStatus = z.infer<typeof caseStatusSchema>;

/**
 * What a case waits for: an action someone takes (`action`), or something that is not an action
 * (`for`, e.g. a payment, or the enterprise choosing its number access), with a `detail` to act on.
 * A journey lists its cases' waits too, each with the `caseId` it belongs to.
 */
export const awaitedActionSchema = z.object({
  action: z.string().optional(),
  for: z.string().optional(),
  role: roleSchema,
  since: z.string(),
  dueAt: z.string().optional(),
  detail: z.string().optional(),
  /** Where the one awaited acts, when that is elsewhere (e.g. billing's checkout for a payment). */
  link: z.string().optional(),
  caseId: z.string().optional(),
});
export type AwaitedAction = z.infer<typeof awaitedActionSchema>;

export const stepSchema = z.object({
  name: z.string(),
  status: z.enum(['done', 'failed', 'running']),
  at: z.string(),
  detail: z.string().optional(),
  by: z.string().optional(),
});
export type Step = z.infer<typeof stepSchema>;

/** What went wrong, as the case records it: a failure type and its message. */
export const caseErrorSchema = z.object({ type: z.string(), message: z.string() });
export type CaseError = z.infer<typeof caseErrorSchema>;

/**
 * Why a case ended without completing: its kind's own outcome (`business`, the type one its kind
 * declares), an outside system that kept failing past its retries or a stop from outside Temporal's
 * worker (`system`), a bug in the workflow (`internal`), or a cancellation.
 */
export const failureCauseSchema = z.enum(['business', 'system', 'internal', 'cancelled']);
export type FailureCause = z.infer<typeof failureCauseSchema>;

/** A case's error as the API shows it; `F` is the kind's declared failure types. */
export type CaseErrorView<F extends string = string> =
  | { cause: 'business'; type: F; message: string }
  | { cause: Exclude<FailureCause, 'business'>; type: string; message: string };

const otherErrorSchema = caseErrorSchema.extend({ cause: failureCauseSchema.exclude(['business']) });

/** The error schema of a kind declaring `failures`: a business failure's type is one of them. */
export function caseErrorViewSchemaOf(failures: readonly string[]) {
  const [first, ...rest] = failures;
  if (first === undefined) return otherErrorSchema;
  const business = caseErrorSchema.extend({ cause: z.literal('business'), type: z.enum([first, ...rest]) });
  return z.discriminatedUnion('cause', [business, otherErrorSchema]);
}

/** The error of any kind's case. */
export const caseErrorViewSchema = caseErrorSchema.extend({
  cause: failureCauseSchema,
}) satisfies z.ZodType<CaseErrorView>;

/** How a recorded error reads: its cause, from the kind's declared failures and how the case ended. */
export function errorView<F extends string>(
  error: CaseError,
  declared: readonly F[],
  status: CaseStatus,
): CaseErrorView<F> {
  if (status === 'cancelled' || error.type === 'Cancelled') return { ...error, cause: 'cancelled' };
  if ((declared as readonly string[]).includes(error.type))
    return { ...error, type: error.type as F, cause: 'business' };
  return { ...error, cause: error.type === 'InternalError' ? 'internal' : 'system' };
}

/**
 * A case's own schemas, for the kinds the registry (`contract/kinds/`) declares: the API builds them
 * once with its list of kinds. The types below hold for any list.
 */
export function onboardingSchemas<const K extends readonly [string, ...string[]]>(kinds: K) {
  const onboardingKindSchema = z.enum(kinds);

  /** What names a case and says where it stands, in its state and in lists alike. */
  const caseHeadShape = {
    id: z.string(),
    kind: onboardingKindSchema,
    enterpriseId: z.string(),
    status: caseStatusSchema,
    stage: z.string(),
  };

  /** Another case this one started or depends on (e.g. a landing's fixed-line purchase). */
  const relatedCaseSchema = z.object({
    id: z.string(),
    kind: onboardingKindSchema,
    relation: z.string(),
    stage: z.string().optional(),
    status: caseStatusSchema.optional(),
  }) satisfies z.ZodType<RelatedCase<K[number]>>;

  /** What a workflow reports through its `state` query. */
  const caseStateSchema = z.object({
    ...caseHeadShape,
    awaiting: z.array(awaitedActionSchema),
    steps: z.array(stepSchema),
    related: z.array(relatedCaseSchema),
    result: z.unknown().nullable(),
    error: caseErrorSchema.nullable(),
  }) satisfies z.ZodType<CaseState<K[number]>>;

  /** The API resource: the case state plus links, its error with its cause. */
  const onboardingResourceSchema = caseStateSchema.extend({
    error: caseErrorViewSchema.nullable(),
    createdAt: z.string().optional(),
    links: linksSchema,
  }) satisfies z.ZodType<OnboardingResource<K[number]>>;

  /** The API resource of one kind: the resource above, its `result` and failures the kind's own. */
  function onboardingResourceSchemaOf<const N extends K[number], R extends z.ZodType>(
    kind: N,
    result: R,
    failures: readonly string[],
  ) {
    return onboardingResourceSchema.extend({
      kind: z.literal(kind),
      result: result.nullable(),
      error: caseErrorViewSchemaOf(failures).nullable(),
    });
  }

  const onboardingSummarySchema = z.object({
    ...caseHeadShape,
    awaitingRole: roleSchema.nullable(),
    createdAt: z.string(),
    closedAt: z.string().nullable(),
    links: linksSchema,
  }) satisfies z.ZodType<OnboardingSummary<K[number]>>;

  return {
    onboardingKindSchema,
    relatedCaseSchema,
    caseStateSchema,
    onboardingResourceSchema,
    onboardingResourceSchemaOf,
    onboardingSummarySchema,
  };
}

const linksSchema = z.object({ self: z.string(), temporalUi: z.string() });

/** Another case this one started or depends on (e.g. a landing's fixed-line purchase). */
export interface RelatedCase<K extends string = string> {
  id: string;
  kind: K;
  relation: string;
  stage?: string | undefined;
  status?: CaseStatus | undefined;
}

/** What a workflow reports through its `state` query; `R` is the kind's result. */
export interface CaseState<K extends string = string, R = unknown> {
  id: string;
  kind: K;
  enterpriseId: string;
  status: CaseStatus;
  stage: string;
  awaiting: AwaitedAction[];
  steps: Step[];
  related: RelatedCase[];
  result: R | null;
  error: CaseError | null;
}

/** The API resource: the case state plus links, its error with its cause; `F` is the kind's failure types. */
export type OnboardingResource<K extends string = string, R = unknown, F extends string = string> = Omit<
  CaseState<K, R>,
  'error'
> & {
  error: CaseErrorView<F> | null;
  createdAt?: string | undefined;
  links: { self: string; temporalUi: string };
};

export interface OnboardingSummary<K extends string = string> {
  id: string;
  kind: K;
  enterpriseId: string;
  status: CaseStatus;
  stage: string;
  awaitingRole: Role | null;
  createdAt: string;
  closedAt: string | null;
  links: { self: string; temporalUi: string };
}
