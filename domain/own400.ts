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
  isFixedLine,
  MAX_NUMBERS_PER_ORDER,
  own400NumberSchema,
} from './numbers';

/**
 * Seed 003 Q3's two ways to bring an own 400 number: the operator re-binds (lands) it on our fixed
 * line, or the 400's base number forwards to our fixed line.
 */
export const LANDING_MODES = ['rebind', 'forward'] as const;

/** The most lines a 400 operator's trunk function carries for forwarded calls (seed 003 Q3). */
export const FORWARD_MAX_LINES = 20;

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
  mode: z
    .enum(LANDING_MODES)
    .default('rebind')
    .describe('rebind: the operator lands the 400 number on our fixed line; forward: its base number forwards to it'),
  fixedLine: z
    .string()
    .trim()
    .refine(isFixedLine, { message: 'not a mainland fixed-line number (e.g. 020-66240001)' })
    .optional()
    .describe('forward only: a fixed line the enterprise already holds here, used instead of buying one'),
  baseNumber: z
    .string()
    .trim()
    .min(5)
    .max(20)
    .optional()
    .describe(
      "forward only: the 400 number's base number (底号), shown as the caller unless the operator passes callers through",
    ),
});
export type Own400LandingStart = z.infer<typeof own400LandingStartSchema>;

export const own400Payloads = {
  'confirm-400-landed': z.strictObject({ note: z.string().max(1000).optional() }),
  'confirm-400-forwarded': z.strictObject({ note: z.string().max(1000).optional() }),
  'confirm-test-call': z.strictObject({ note: z.string().max(1000).optional() }),
};

/** What a landed 400 number records. */
export const own400LandingResultSchema = z.object({
  own400Number: z.string(),
  operator: z.string(),
  mode: z.enum(LANDING_MODES).optional().describe('absent in cases started before forwarding existed (they re-bound)'),
  fixedLines: z.array(z.string()),
  purchaseId: z.string().optional().describe('absent where a forwarding case used a line the enterprise held already'),
  orderId: z.string().optional(),
  invoice: z
    .object({ id: z.string(), title: z.string(), remark: z.string().optional(), issuedAt: z.string().nullable() })
    .nullable()
    .describe('re-binding only: the invoice the operator is shown'),
  verifiedBy: z.enum(['support-confirmation', 'sbc-call-record']),
  callerIdPassedThrough: z
    .boolean()
    .optional()
    .describe('forwarding with a known base number: whether the test call showed the real caller'),
  timeline: z.record(z.string(), z.string()),
});
export type Own400LandingResult = z.infer<typeof own400LandingResultSchema>;
