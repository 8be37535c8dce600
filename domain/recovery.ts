/**
 * Recovering a released number (seed 003 Q9): within the 7-day retention, or later while the
 * operator has not cancelled it, support orders it again for the enterprise that held it; once
 * paid it is re-imported and re-bound to the IVR flow and skill group it had. Pure.
 */
import { z } from 'zod';
import { enterpriseIdSchema } from './common';
import { bindingSchema, is400Number, isFixedLine } from './numbers';

export const numberRecoveryStartSchema = z.strictObject({
  kind: z.literal('number-recovery'),
  enterpriseId: enterpriseIdSchema,
  number: z
    .string()
    .trim()
    .refine((n) => isFixedLine(n) || is400Number(n), { message: 'not a fixed line or 400 number' }),
  binding: bindingSchema
    .optional()
    .describe('where to bind it again; by default the instance, IVR flow and skill group it had'),
});
export type NumberRecoveryStart = z.infer<typeof numberRecoveryStartSchema>;

/** What a recovered number records. */
export const numberRecoveryResultSchema = z.object({
  number: z.string(),
  orderId: z.string(),
  amountFen: z.number(),
  binding: bindingSchema,
  subscriptionId: z.string(),
});
export type NumberRecoveryResult = z.infer<typeof numberRecoveryResultSchema>;
