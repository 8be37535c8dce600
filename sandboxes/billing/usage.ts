/**
 * Call charges, billed after the month: the per-minute price list by number type and direction,
 * and one usage charge per customer and month (plus supplements for records that arrived late).
 * A second post for the same month and supplement with the same amount answers the first; with
 * another amount it is refused (409), so a month is never billed twice.
 */
import { z } from 'zod';
import { conflict, notFound, unprocessable } from '../common/problem';
import type { Result, Tx } from './tx';
import { newId, type BillingData, type UsageCharge, type UsagePriceRecord } from './store';

export const USAGE_NUMBER_TYPES = ['fixed-line', '400', 'mobile'] as const;
/** Prices are per number type, plus the platform's usage fee on third-party supplier lines (004 §2). */
export const USAGE_PRICE_KINDS = [...USAGE_NUMBER_TYPES, 'platform-usage'] as const;
export const USAGE_DIRECTIONS = ['inbound', 'outbound'] as const;
export const NUMBER_ORIGINS = ['purchased', 'own-400', 'supplier', 'own-trunk', 'own-registration'] as const;

/** The list a fresh store starts with, in fen per minute. */
export const DEFAULT_USAGE_PRICES: readonly UsagePriceRecord[] = [
  { numberType: 'fixed-line', direction: 'inbound', fenPerMinute: 6 },
  { numberType: 'fixed-line', direction: 'outbound', fenPerMinute: 10 },
  { numberType: '400', direction: 'inbound', fenPerMinute: 12 },
  { numberType: '400', direction: 'outbound', fenPerMinute: 12 },
  { numberType: 'mobile', direction: 'inbound', fenPerMinute: 8 },
  { numberType: 'mobile', direction: 'outbound', fenPerMinute: 15 },
  { numberType: 'platform-usage', direction: 'inbound', fenPerMinute: 4 },
  { numberType: 'platform-usage', direction: 'outbound', fenPerMinute: 4 },
];

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');
const fen = z.int().min(0).max(1_000_000_000_000);

const usageLineSchema = z.strictObject({
  number: z.string().trim().min(3).max(32),
  numberType: z.enum(USAGE_NUMBER_TYPES),
  direction: z.enum(USAGE_DIRECTIONS),
  calls: z.int().min(0),
  minutes: z.int().min(0),
  fenPerMinute: fen,
  amountFen: fen,
  seconds: z.int().min(0).optional(),
  origin: z.enum(NUMBER_ORIGINS).optional(),
  basis: z.string().max(500).optional(),
});

export const createUsageChargeSchema = z.strictObject({
  month,
  amountFen: fen,
  lines: z.array(usageLineSchema).max(10_000),
  /** Absent: the month's charge. 1, 2, ...: a supplement for calls accounted after it. */
  supplement: z.int().min(1).max(1_000).optional(),
  reference: z.string().trim().min(1).max(200).optional(),
});

export const usageChargesQuerySchema = z.strictObject({ month: month.optional() });

export const setUsagePricesSchema = z.strictObject({
  prices: z
    .array(
      z.strictObject({
        numberType: z.enum(USAGE_PRICE_KINDS),
        direction: z.enum(USAGE_DIRECTIONS),
        fenPerMinute: fen,
      }),
    )
    .min(1),
});

export function usagePrices(data: Readonly<BillingData>): {
  currency: 'CNY';
  unit: 'fen/minute';
  prices: UsagePriceRecord[];
} {
  return { currency: 'CNY', unit: 'fen/minute', prices: Object.values(data.usagePrices) };
}

export function seedUsagePrices(data: BillingData): void {
  for (const p of DEFAULT_USAGE_PRICES) data.usagePrices[`${p.numberType}/${p.direction}`] ??= { ...p };
}

/** Replaces the prices named; the others stay. */
export function setUsagePrices(data: BillingData, input: z.output<typeof setUsagePricesSchema>): void {
  for (const p of input.prices) data.usagePrices[`${p.numberType}/${p.direction}`] = { ...p };
}

export function createUsageCharge(
  tx: Tx,
  customerId: string,
  input: z.output<typeof createUsageChargeSchema>,
): Result<UsageCharge> {
  const customer = tx.data.customers[customerId];
  if (!customer) throw notFound('customer', customerId);
  const errors = input.lines.flatMap((line, i) =>
    line.amountFen === line.minutes * line.fenPerMinute
      ? []
      : [
          {
            path: `lines.${i}.amountFen`,
            message: `must be minutes x fenPerMinute (${line.minutes * line.fenPerMinute})`,
          },
        ],
  );
  const sum = input.lines.reduce((n, l) => n + l.amountFen, 0);
  if (input.supplement === undefined && sum !== input.amountFen)
    errors.push({ path: 'amountFen', message: `must be the sum of the lines (${sum})` });
  if (errors.length > 0) throw unprocessable('the usage charge does not add up', errors);

  const supplement = input.supplement ?? 0;
  const existing = Object.values(tx.data.usageCharges).find(
    (c) => c.customerId === customer.id && c.month === input.month && c.supplement === supplement,
  );
  if (existing) {
    if (existing.amountFen === input.amountFen) return { status: 200, body: existing };
    throw conflict(
      'usage-charge-exists',
      'Month already charged',
      `${input.month}${supplement ? ` supplement ${supplement}` : ''} was charged ${existing.amountFen} fen (${existing.id}); a month is charged once`,
      { extensions: { existing } },
    );
  }
  const charge: UsageCharge = {
    id: newId('uc'),
    customerId: customer.id,
    month: input.month,
    supplement,
    amountFen: input.amountFen,
    lines: input.lines,
    reference: input.reference ?? null,
    status: 'billed',
    createdAt: tx.now,
  };
  tx.data.usageCharges[charge.id] = charge;
  return { status: 201, body: charge };
}

export function listUsageCharges(data: Readonly<BillingData>, customerId: string, month?: string): UsageCharge[] {
  if (!data.customers[customerId]) throw notFound('customer', customerId);
  return Object.values(data.usageCharges)
    .filter((c) => c.customerId === customerId && (month === undefined || c.month === month))
    .sort((a, b) => a.month.localeCompare(b.month) || a.supplement - b.supplement);
}
