/**
 * Numbers: what an enterprise may buy, how many, how they are written, and the scripts that
 * outbound numbers may speak. Phone numbers are judged by libphonenumber-js's metadata, never by
 * hand-written patterns. Pure.
 */
import { parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js/max';
import { z } from 'zod';
import { enterpriseIdSchema, type RuleFailure } from './common';

/** About 30 concurrent calls per fixed-line number. */
export const CALLS_PER_FIXED_LINE = 30;
/** First purchase prepays three months of rent; later months renew one at a time. */
export const FIRST_PREPAID_MONTHS = 3;
export const MAX_NUMBERS_PER_ORDER = 30;

export const NUMBER_TYPES = ['fixed-line', '400'] as const;
export type NumberType = (typeof NUMBER_TYPES)[number];
export const SCENARIOS = ['inbound', 'outbound', 'both'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/**
 * Phrases the carriers forbid in call scripts (steering callees to WeChat/QQ, Douyin start-up
 * training); a script containing one is rejected automatically. Matched ignoring case and spaces.
 */
export const BANNED_SCRIPT_PHRASES = ['加微信', '加QQ', '抖音培训', 'add WeChat', 'add QQ'] as const;

function parseCn(value: string): PhoneNumber | undefined {
  return parsePhoneNumberFromString(value.replace(/[\s-]/g, ''), 'CN');
}

/** `020`, `0755`: a real mainland area code, as the library's metadata knows them. */
export function isAreaCode(areaCode: string): boolean {
  if (!/^0\d{2,3}$/.test(areaCode)) return false;
  // Local numbers are 7 or 8 digits; the code is real if a local number under it is a valid fixed line.
  return [8, 7].some((digits) => {
    const sample = parseCn(`${areaCode}6${'2'.repeat(digits - 1)}`);
    return !!sample && sample.isValid() && sample.getType() === 'FIXED_LINE' && nationalParts(sample)[0] === areaCode;
  });
}

function nationalParts(n: PhoneNumber): string[] {
  return n.formatNational().split(' ');
}

export function isFixedLine(value: string): boolean {
  const n = parseCn(value);
  return !!n && n.isValid() && n.getType() === 'FIXED_LINE';
}

/** A mainland mobile number (seed 003 Q1: an enterprise's own mobile cannot be connected). */
export function isMobile(value: string): boolean {
  const n = parseCn(value);
  return !!n && n.isValid() && n.getType() === 'MOBILE';
}

/** Said of an own mobile number wherever the enterprise brings its own lines (seed 003 Q1). */
export const OWN_MOBILE_REFUSAL =
  "自有手机号码不支持接入（云呼不支持自己手机号接入使用）: own mobile numbers cannot be connected; bring a fixed line, or apply for a supplier's mobile numbers (third-party-line)";

export function is400Number(value: string): boolean {
  const n = parseCn(value);
  return !!n && n.isValid() && n.nationalNumber.startsWith('400') && n.nationalNumber.length === 10;
}

/** The way numbers are written on invoices and forms: `020-66240001`, `400-820-0001`. */
export function formatNumber(value: string): string {
  const n = parseCn(value);
  if (!n || !n.isValid()) return value;
  const [head, ...rest] = nationalParts(n);
  return is400Number(value) ? [head, ...rest].join('-') : `${head}-${rest.join('')}`;
}

/** `020` for a fixed line, else undefined. */
export function areaCodeOf(value: string): string | undefined {
  return isFixedLine(value) ? formatNumber(value).split('-')[0] : undefined;
}

export function toNational(value: string): string {
  return parseCn(value)?.nationalNumber ?? value;
}

export function toE164(value: string): string {
  return parseCn(value)?.number ?? value;
}

export const areaCodeSchema = z
  .string()
  .trim()
  .refine(isAreaCode, { message: 'not a mainland China area code (e.g. 010, 020, 0755)' });
export const own400NumberSchema = z
  .string()
  .trim()
  .refine(is400Number, { message: 'not a 400 number (e.g. 4008001234)' });

export const bindingSchema = z.strictObject({
  instanceId: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'a contact-center instance id'),
  ivrFlowId: z.string().min(1).max(64).optional(),
  skillGroupId: z.string().min(1).max(64).optional(),
});
export type Binding = z.infer<typeof bindingSchema>;

const callScriptSchema = z.string().trim().min(10, 'describe the call script in at least 10 characters').max(5000);

export const numberPurchaseStartSchema = z
  .strictObject({
    kind: z.literal('number-purchase'),
    enterpriseId: enterpriseIdSchema,
    numberType: z.enum(NUMBER_TYPES),
    areaCode: areaCodeSchema.optional(),
    quantity: z.number().int().min(1).max(MAX_NUMBERS_PER_ORDER).optional(),
    peakConcurrentCalls: z
      .number()
      .int()
      .min(1)
      .max(MAX_NUMBERS_PER_ORDER * CALLS_PER_FIXED_LINE)
      .optional(),
    scenario: z.enum(SCENARIOS),
    callScript: callScriptSchema.optional(),
    // Seed 003 Q8 recommends automatic renewal, so that rent falling due never stops a number.
    autoRenew: z.boolean().default(true),
    binding: bindingSchema,
    bindOwn400: own400NumberSchema.optional().describe('the own 400 number these fixed lines will carry'),
    applicationNote: z.string().trim().max(500).optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.quantity === undefined) === (b.peakConcurrentCalls === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'give either quantity or peakConcurrentCalls' });
    }
    if (b.numberType === 'fixed-line' && !b.areaCode) {
      ctx.addIssue({ code: 'custom', path: ['areaCode'], message: 'fixed-line numbers need an area code' });
    }
    // Fixed lines and 400 numbers alike need the call-script review, inbound-only ones too.
    if (!b.callScript) {
      ctx.addIssue({
        code: 'custom',
        path: ['callScript'],
        message: 'every number needs a call script for review (for inbound lines, what agents say when answering)',
      });
    }
    if (b.numberType === '400' && b.areaCode) {
      ctx.addIssue({
        code: 'custom',
        path: ['areaCode'],
        message: '400 numbers are national: leave out the area code',
      });
    }
    if (b.numberType === '400' && b.scenario !== 'inbound') {
      ctx.addIssue({ code: 'custom', path: ['scenario'], message: '400 numbers are inbound only' });
    }
    if (b.bindOwn400 && b.numberType !== 'fixed-line') {
      ctx.addIssue({ code: 'custom', path: ['bindOwn400'], message: 'an own 400 number lands on fixed lines' });
    }
  });
export type NumberPurchaseStart = z.infer<typeof numberPurchaseStartSchema>;

/** How many numbers an order holds, and how that count was reached. */
export const sizingSchema = z.object({
  quantity: z.number(),
  method: z.enum(['quantity', 'peak-concurrency']),
  peakConcurrentCalls: z.number().optional(),
  callsPerNumber: z.number().optional(),
  explanation: z.string(),
});
export type Sizing = z.infer<typeof sizingSchema>;

/** How many numbers an order holds, and how that count was reached. */
export function sizeOrder(b: Pick<NumberPurchaseStart, 'quantity' | 'peakConcurrentCalls'>): Sizing {
  if (b.quantity !== undefined)
    return { quantity: b.quantity, method: 'quantity', explanation: `${b.quantity} number(s) as requested` };
  const peak = b.peakConcurrentCalls ?? 1;
  const quantity = Math.ceil(peak / CALLS_PER_FIXED_LINE);
  return {
    quantity,
    method: 'peak-concurrency',
    peakConcurrentCalls: peak,
    callsPerNumber: CALLS_PER_FIXED_LINE,
    explanation: `ceil(${peak} peak concurrent calls / ${CALLS_PER_FIXED_LINE} per number) = ${quantity}`,
  };
}

/** Every banned phrase in a script, matched without regard to case or spaces. */
export function bannedPhrases(script: string): string[] {
  const squeeze = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  const text = squeeze(script);
  return [...new Set(BANNED_SCRIPT_PHRASES.filter((p) => text.includes(squeeze(p))))];
}

/** The seed's wording for a fixed line that will carry the enterprise's own 400 number. */
export function own400ApplicationNote(own400: string): string {
  return `用于绑定自有400号码 ${own400.replace(/\D/g, '')} 的固话 / fixed line for binding own 400 number ${own400.replace(/\D/g, '')}`;
}

/** What a verified enterprise may buy (natural-person sole proprietorships: 400 numbers only). */
export function purchaseEligibility(
  numberType: NumberType,
  verification: { mayHoldFixedLines: boolean },
): RuleFailure[] {
  if (numberType === 'fixed-line' && !verification.mayHoldFixedLines) {
    return [
      {
        path: 'numberType',
        code: 'sole-proprietorship-fixed-line',
        message: 'a sole proprietorship owned by a natural person may apply for 400 numbers but not fixed-line numbers',
      },
    ];
  }
  return [];
}

export const numberPurchasePayloads = {
  'approve-script': z.strictObject({ note: z.string().max(1000).optional() }),
  'reject-script': z.strictObject({ reason: z.string().trim().min(1).max(1000) }),
  'resubmit-script': z.strictObject({ callScript: callScriptSchema }),
  'confirm-400-routing': z.strictObject({ note: z.string().max(1000).optional() }),
};

export const numberSubscriptionPayloads = {
  renew: z.strictObject({}),
  release: z.strictObject({ reason: z.string().max(500).optional() }),
  'set-auto-renew': z.strictObject({ autoRenew: z.boolean() }),
};

/** What a completed purchase records. */
export const numberPurchaseResultSchema = z.object({
  orderId: z.string(),
  numbers: z.array(z.string()),
  numbersE164: z.array(z.string()),
  numberType: z.enum(NUMBER_TYPES),
  sizing: sizingSchema,
  amountFen: z.number(),
  monthlyRentFen: z.number(),
  paidAt: z.string(),
  paidThrough: z.string(),
  instanceId: z.string(),
  subscriptionId: z.string(),
});
export type NumberPurchaseResult = z.infer<typeof numberPurchaseResultSchema>;

/** How a number subscription stands while it runs. */
export const subscriptionViewSchema = z.object({
  paidThrough: z.string(),
  autoRenew: z.boolean(),
  renewals: z.number(),
  numbers: z.array(z.string()),
});
export type SubscriptionView = z.infer<typeof subscriptionViewSchema>;

/** What a released subscription records. */
export const subscriptionReleasedSchema = z.object({
  status: z.literal('released'),
  numbers: z.array(z.string()),
  releasedAt: z.string(),
  reason: z.string(),
  paidThrough: z.string(),
  renewals: z.number(),
});
export type SubscriptionResult = z.infer<typeof subscriptionReleasedSchema>;

/** A number subscription's `result`: how it stands while it runs, what it recorded once released. */
export const numberSubscriptionResultSchema = z.union([subscriptionViewSchema, subscriptionReleasedSchema]);
