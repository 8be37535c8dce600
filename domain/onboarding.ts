/**
 * The onboarding case as every process exposes it: one shape for the API, the OpenAPI document,
 * and tests. Workflow code refers to these types only (`contract/case.ts`). The kinds, roles and
 * actor are defined in `case.ts`; the schemas here satisfy them.
 */
import { z } from 'zod';
import { ONBOARDING_KINDS, ROLES, type Actor, type OnboardingKind, type Role } from './case';

export type { Actor, OnboardingKind, Role };

export const onboardingKindSchema = z.enum(ONBOARDING_KINDS) satisfies z.ZodType<OnboardingKind>;

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

export const caseErrorSchema = z.object({ type: z.string(), message: z.string() });
export type CaseError = z.infer<typeof caseErrorSchema>;

/** Another case this one started or depends on (e.g. a landing's fixed-line purchase). */
export const relatedCaseSchema = z.object({
  id: z.string(),
  kind: onboardingKindSchema,
  relation: z.string(),
  stage: z.string().optional(),
  status: caseStatusSchema.optional(),
});
export type RelatedCase = z.infer<typeof relatedCaseSchema>;

/** What names a case and says where it stands, in its state and in lists alike. */
const caseHeadShape = {
  id: z.string(),
  kind: onboardingKindSchema,
  enterpriseId: z.string(),
  status: caseStatusSchema,
  stage: z.string(),
};

/** What a workflow reports through its `state` query. */
export const caseStateSchema = z.object({
  ...caseHeadShape,
  awaiting: z.array(awaitedActionSchema),
  steps: z.array(stepSchema),
  related: z.array(relatedCaseSchema),
  result: z.unknown().nullable(),
  error: caseErrorSchema.nullable(),
});
export type CaseState = z.infer<typeof caseStateSchema>;

/** The API resource: the case state plus links. */
export const onboardingResourceSchema = caseStateSchema.extend({
  createdAt: z.string().optional(),
  links: z.object({ self: z.string(), temporalUi: z.string() }),
});
export type OnboardingResource = z.infer<typeof onboardingResourceSchema>;

export const onboardingSummarySchema = z.object({
  ...caseHeadShape,
  awaitingRole: roleSchema.nullable(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  links: z.object({ self: z.string(), temporalUi: z.string() }),
});
export type OnboardingSummary = z.infer<typeof onboardingSummarySchema>;
