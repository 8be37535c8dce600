/**
 * The back office's request bodies and query strings, checked before any operation runs: every
 * failing field is listed, and cross-field rules run even when single fields failed.
 */
import { z } from 'zod';
import { NUMBER_TYPES } from './catalog';

export const MAX_NUMBERS_PER_RESERVATION = 30;
export const DEFAULT_RESERVATION_TTL_SECONDS = 900;

const text = (max: number) => z.string().trim().min(1).max(max);
const id = text(100);
const reference = text(200);
const numberType = z.enum(NUMBER_TYPES);
const areaCode = z.string().regex(/^0\d{2,3}$/, 'an area code such as 020 or 0755');
const FIXED_LINE_E164 = /^\+86[1-9]\d{9,10}$/;
const TOLL_FREE_NATIONAL = /^400\d{7}$/;

/** Cross-field rules run even when single fields failed, so the answer lists every failing field. */
const always = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null };

export const createReservationSchema = z
  .strictObject({
    customerId: id,
    type: numberType,
    areaCode: areaCode.optional(),
    quantity: z.int().min(1).max(MAX_NUMBERS_PER_RESERVATION),
    ttlSeconds: z.int().min(30).max(86_400).default(DEFAULT_RESERVATION_TTL_SECONDS),
    reference,
  })
  .superRefine((body, ctx) => {
    if (body.type === 'fixed-line' && body.areaCode === undefined) {
      ctx.addIssue({ code: 'custom', path: ['areaCode'], message: 'required for fixed-line numbers' });
    }
    if (body.type === '400' && body.areaCode !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['areaCode'], message: '400 numbers have no area code' });
    }
  }, always);

export const createOrderSchema = z.strictObject({
  customerId: id,
  reservationId: id,
  prepaidMonths: z.int().min(1).max(36),
  applicationNote: z.string().trim().max(500).optional(),
  reference,
});

export const emptyBodySchema = z.strictObject({});

export const refundOrderSchema = z.strictObject({ reason: text(500) });

export const createChargeSchema = z.strictObject({
  customerId: id,
  amountFen: z.int().positive(),
  description: text(500),
  reference,
});

export const quarantineNumberSchema = z.strictObject({ reason: text(500), reference });

export const releaseQuarantineSchema = z.strictObject({ by: text(200), reason: text(500) });

export const recoveryOrderSchema = z.strictObject({
  customerId: id,
  prepaidMonths: z.int().min(1).max(36),
  reference,
});

export const releaseNumbersSchema = z.strictObject({
  numbers: z.array(text(20)).min(1).max(100),
  reference,
});

/** Suppliers' numbers come in more kinds than the provider's own stock. */
const IMPORTED_TYPES = [...NUMBER_TYPES, '95', 'mobile', 'virtual-mobile'] as const;
const OTHER_E164 = /^\+86\d{8,12}$/;

const importedNumberSchema = z
  .strictObject({
    number: z.string().trim(),
    type: z.enum(IMPORTED_TYPES),
    areaCode: areaCode.optional(),
    supplier: text(200).optional(),
  })
  .superRefine((item, ctx) => {
    if (item.type === 'fixed-line') {
      if (typeof item.number === 'string' && !FIXED_LINE_E164.test(item.number)) {
        ctx.addIssue({ code: 'custom', path: ['number'], message: 'a fixed line in E.164, e.g. +862066240001' });
      }
      if (item.areaCode === undefined) {
        ctx.addIssue({ code: 'custom', path: ['areaCode'], message: 'required for fixed-line numbers' });
      } else if (
        typeof item.number === 'string' &&
        FIXED_LINE_E164.test(item.number) &&
        !item.number.startsWith(`+86${item.areaCode.slice(1)}`)
      ) {
        ctx.addIssue({ code: 'custom', path: ['areaCode'], message: `does not match the number ${item.number}` });
      }
    }
    if (item.type === '400') {
      if (typeof item.number === 'string' && !TOLL_FREE_NATIONAL.test(item.number)) {
        ctx.addIssue({ code: 'custom', path: ['number'], message: 'a 400 number in national format, e.g. 4008001234' });
      }
      if (item.areaCode !== undefined)
        ctx.addIssue({ code: 'custom', path: ['areaCode'], message: '400 numbers have no area code' });
    }
    if (
      item.type !== 'fixed-line' &&
      item.type !== '400' &&
      typeof item.number === 'string' &&
      !OTHER_E164.test(item.number)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['number'],
        message: `a ${item.type} number in E.164, e.g. +8613800138000`,
      });
    }
  }, always);

export const importNumbersSchema = z
  .strictObject({
    customerId: id,
    numbers: z.array(importedNumberSchema).min(1).max(100),
    reference,
  })
  .superRefine((body, ctx) => {
    if (!Array.isArray(body.numbers)) return;
    const seen = new Set<string>();
    body.numbers.forEach((item, i) => {
      if (typeof item?.number !== 'string') return;
      if (seen.has(item.number))
        ctx.addIssue({ code: 'custom', path: ['numbers', i, 'number'], message: 'listed twice' });
      seen.add(item.number);
    });
  }, always);

export const createInvoiceSchema = z.strictObject({
  customerId: id,
  orderId: id,
  // Not trimmed: the title must be the customer's name exactly.
  title: z.string().min(1).max(200),
  itemisation: z.literal('by-consumption'),
  remark: z.string().trim().max(200).optional(),
  reference: reference.optional(),
});

const optionalFilter = z.string().optional();

export const numbersQuerySchema = z.strictObject({
  type: numberType.optional(),
  areaCode: optionalFilter,
  status: z.enum(['available', 'reserved', 'sold', 'imported', 'quarantined', 'released', 'cancelled']).optional(),
  customerId: optionalFilter,
});

export const reservationsQuerySchema = z.strictObject({
  customerId: optionalFilter,
  reference: optionalFilter,
  status: z.enum(['active', 'released', 'expired', 'ordered']).optional(),
});

export const ordersQuerySchema = z.strictObject({
  customerId: optionalFilter,
  reference: optionalFilter,
  status: z.enum(['unpaid', 'paid', 'void', 'refunded']).optional(),
});

export const chargesQuerySchema = z.strictObject({ customerId: optionalFilter, reference: optionalFilter });

export const invoicesQuerySchema = z.strictObject({
  customerId: optionalFilter,
  orderId: optionalFilter,
  status: z.enum(['requested', 'issued']).optional(),
});

export const createCreditSchema = z.strictObject({
  amountFen: z.int().positive(),
  note: z.string().trim().max(500).optional(),
});

export const createCustomerSchema = z.strictObject({
  enterpriseId: text(100),
  name: text(200),
  contactEmail: z.email().optional(),
});

export const customerQuerySchema = z.strictObject({ enterpriseId: text(100) });

export const webhooksQuerySchema = z.strictObject({ type: z.string().optional() });

export type QuarantineInput = z.output<typeof quarantineNumberSchema>;
export type ReleaseQuarantineInput = z.output<typeof releaseQuarantineSchema>;
export type RecoveryOrderInput = z.output<typeof recoveryOrderSchema>;
export type CreditInput = z.output<typeof createCreditSchema>;
