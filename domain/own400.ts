/**
 * An enterprise's own 400 number, landed on fixed lines bought here: the purchase states the 400
 * number, the invoice for it names the fixed lines in its remark, and with that invoice the 400
 * operator re-points ("lands") the number. Pure.
 */
import { z } from 'zod';
import { enterpriseIdSchema } from './common';
import { areaCodeSchema, bindingSchema, CALLS_PER_FIXED_LINE, formatNumber, MAX_NUMBERS_PER_ORDER, own400NumberSchema } from './numbers';
import type { ActionSpec } from './onboarding';

export const own400LandingStartSchema = z.strictObject({
  kind: z.literal('own-400-landing'),
  enterpriseId: enterpriseIdSchema,
  own400Number: own400NumberSchema,
  operator: z.string().trim().min(2).max(100).describe('the 400 operator, e.g. 中国电信'),
  operatorConfirmsRelanding: z.literal(true, { message: 'confirm first that the 400 operator can re-point the number to another fixed line' }),
  peakConcurrentInbound: z.number().int().min(1).max(MAX_NUMBERS_PER_ORDER * CALLS_PER_FIXED_LINE),
  areaCode: areaCodeSchema,
  binding: bindingSchema,
  autoRenew: z.boolean().default(true),
});
export type Own400LandingStart = z.infer<typeof own400LandingStartSchema>;

export const OWN_400_STAGES = ['purchasing-fixed-line', 'awaiting-invoice', 'awaiting-400-landing', 'verifying'] as const;

/** The invoice remark: the purchased fixed lines written as on the seed's example (020-6624XXXX). */
export function invoiceRemark(fixedLines: string[]): string {
  return `固话号码 / fixed line: ${fixedLines.map(formatNumber).join(', ')}`;
}

export const own400Actions = {
  'confirm-400-landed': {
    roles: ['enterprise', 'support'],
    payload: z.strictObject({ note: z.string().max(1000).optional() }),
    summary: 'Confirm the 400 operator has landed the 400 number on the fixed line(s)',
  },
  'confirm-test-call': {
    roles: ['support'],
    payload: z.strictObject({ note: z.string().max(1000).optional() }),
    summary: 'Confirm a test call to the 400 number arrived on the fixed line (where the SBC cannot observe calls)',
  },
} satisfies Record<string, ActionSpec>;
