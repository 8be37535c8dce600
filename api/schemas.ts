/** Request schemas of the API's own (kinds' schemas live in `domain/`). */
import { z } from 'zod';
import { enterpriseIdSchema } from '../domain/common';
import { caseStatusSchema, onboardingKindSchema, roleSchema } from '../domain/onboarding';
import { documentKindSchema } from '../domain/verification';
import { productIdSchema } from '../domain/catalog';

export const listQuerySchema = z.strictObject({
  kind: onboardingKindSchema.optional(),
  status: caseStatusSchema.optional(),
  stage: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/)
    .optional(),
  awaiting: roleSchema.optional(),
  enterpriseId: enterpriseIdSchema.optional(),
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
