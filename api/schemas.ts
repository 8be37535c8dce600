/** Request schemas of the API's own (kinds' schemas live in `domain/`). */
import { z } from 'zod';
import { calleeNumberSchema } from '../domain/calling-rules';
import { enterpriseIdSchema } from '../domain/common';
import { ONBOARDING_KINDS } from '../contract/kinds';
import { caseStatusSchema, onboardingSchemas, roleSchema } from '../domain/onboarding';
import { documentKindSchema } from '../domain/verification';
import { productIdSchema } from '../domain/catalog';
import { currentUsageSchema, monthSchema, usageStatementSchema } from '../domain/usage-schemas';

/** A case's schemas over the registry's kinds (the API validates and documents with them). */
export const { onboardingKindSchema, onboardingResourceSchemaOf, onboardingSummarySchema } =
  onboardingSchemas(ONBOARDING_KINDS);

export const listQuerySchema = z.strictObject({
  kind: onboardingKindSchema.optional(),
  status: caseStatusSchema.optional(),
  stage: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/)
    .optional(),
  awaiting: roleSchema.optional(),
  enterpriseId: enterpriseIdSchema.optional(),
  stalled: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('journeys waiting past their time (`true`) or on track (`false`)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const cancelBodySchema = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });
export const documentUploadSchema = z.strictObject({
  kind: documentKindSchema,
  enterpriseId: enterpriseIdSchema.optional(),
});

/** A billing webhook event; the resource in `data` names the case in `reference`. */
export const billingWebhookSchema = z.object({
  id: z.string().min(1).max(100),
  type: z.string().min(1).max(100),
  createdAt: z.string().optional(),
  data: z
    .object({
      id: z.string().min(1).max(100),
      reference: z.string().max(200).optional(),
      orderId: z.string().max(100).optional(),
    })
    .passthrough(),
});
export type BillingWebhook = z.infer<typeof billingWebhookSchema>;

export const catalogQuerySchema = z.strictObject({
  productId: productIdSchema.optional(),
  quantity: z.coerce.number().int().min(1).max(10_000).optional(),
  months: z.coerce.number().int().min(1).max(36).optional(),
});

/** A callee the enterprise's numbers never call (a past complainant), as added. */
export const blockedCalleeBodySchema = z.strictObject({
  number: calleeNumberSchema.describe('the callee, e.g. 13800138000, 020-66240001 or +8613800138000; kept in E.164'),
  reason: z.string().trim().min(1).max(500).describe('why it must not be called, e.g. the complaint'),
});

/** A blocked callee as the API answers it. */
export const blockedCalleeSchema = z.strictObject({
  number: z.string().describe('E.164'),
  reason: z.string(),
  addedBy: z.string().describe('`<role>: <name>` of who added it'),
  addedAt: z.iso.datetime(),
});

/** The `{number}` of `.../blocked-callees/{number}`, written any way the body accepts. */
export const blockedCalleeNumberParam = calleeNumberSchema;

/** Why a callee is unblocked (`DELETE .../blocked-callees/{number}?reason=`). */
export const blockedCalleeRemovalQuerySchema = z.strictObject({
  reason: z.string().trim().min(1).max(500).optional(),
});

/** One change to the blocked callees, as kept. */
export const blockedCalleeChangeSchema = z.strictObject({
  number: z.string().describe('E.164'),
  change: z.enum(['added', 'removed']),
  reason: z.string(),
  by: z.string().describe('`<role>: <name>` of who made it'),
  at: z.iso.datetime(),
});

/** The `{month}` of `.../usage-statements/{month}`. */
export const usageMonthParam = monthSchema;

/** An enterprise's monthly call-charge statements, newest last, with when the next month is billed. */
export const usageStatementsSchema = z.object({
  enterpriseId: z.string(),
  caseId: z.string().describe('the usage-billing case, `usage-billing-<enterpriseId>`'),
  nextMonth: z.string().nullable().describe('the month billed next (YYYY-MM); null before the first number case'),
  billsAt: z.string().nullable().describe('when: after the month closes (China time) and a grace for late records'),
  items: z.array(usageStatementSchema),
});
export { currentUsageSchema, usageStatementSchema };
