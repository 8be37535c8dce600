/**
 * An enterprise's own 400 number, landed on fixed lines bought here: the purchase states the 400
 * number, the invoice for it names the fixed lines in its remark, and with that invoice the 400
 * operator re-points ("lands") the number. Pure.
 */
import { z } from 'zod';
import { enterpriseIdSchema } from './common';
import {
  areaCodeSchema,
  bindingSchema,
  CALLS_PER_FIXED_LINE,
  MAX_NUMBERS_PER_ORDER,
  own400NumberSchema,
} from './numbers';

export const own400LandingStartSchema = z.strictObject({
  kind: z.literal('own-400-landing'),
  enterpriseId: enterpriseIdSchema,
  own400Number: own400NumberSchema,
  operator: z.string().trim().min(2).max(100).describe('the 400 operator, e.g. 中国电信'),
  operatorConfirmsRelanding: z.literal(true, {
    message: 'confirm first that the 400 operator can re-point the number to another fixed line',
  }),
  peakConcurrentInbound: z
    .number()
    .int()
    .min(1)
    .max(MAX_NUMBERS_PER_ORDER * CALLS_PER_FIXED_LINE),
  areaCode: areaCodeSchema,
  binding: bindingSchema,
  autoRenew: z.boolean().default(true),
});
export type Own400LandingStart = z.infer<typeof own400LandingStartSchema>;

export const own400Payloads = {
  'confirm-400-landed': z.strictObject({ note: z.string().max(1000).optional() }),
  'confirm-test-call': z.strictObject({ note: z.string().max(1000).optional() }),
};
