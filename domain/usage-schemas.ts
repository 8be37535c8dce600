/**
 * Usage billing's schemas for the API and OpenAPI: support's `rerun-month` action, the month in a
 * path, and the itemised statements the API answers with.
 */
import { z } from 'zod';
import { NUMBER_ORIGINS } from './carriers';
import { CALL_DIRECTIONS, USAGE_NUMBER_TYPES, type UsageStatement } from './usage';

export const monthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
  .describe('a calendar month in China time, YYYY-MM');

export const usageBillingPayloads = {
  'rerun-month': z.strictObject({
    month: monthSchema,
    note: z.string().trim().min(1).max(500).optional().describe('why, e.g. the SBC was down'),
  }),
};

export const statementLineSchema = z.object({
  number: z.string().describe('E.164'),
  display: z.string().describe('as people write it, e.g. 020-66240001'),
  numberType: z.enum(USAGE_NUMBER_TYPES),
  direction: z.enum(CALL_DIRECTIONS),
  calls: z.int(),
  seconds: z.int().describe('answered seconds, summed'),
  minutes: z.int().describe("each call's minutes rounded up, summed"),
  fenPerMinute: z.int(),
  amountFen: z.int(),
  origin: z
    .enum(NUMBER_ORIGINS)
    .optional()
    .describe('where the number came from: it decides the rate (own lines are not charged)'),
  basis: z.string().optional().describe("why this rate, by the seed's rule for the origin"),
});

export const usageStatementSchema = z.object({
  month: monthSchema,
  status: z
    .enum(['charged', 'nothing-to-charge', 'unobservable', 'unrated'])
    .describe(
      'unobservable: the SBC cannot be read in this deployment (manual mode); unrated: reading or rating was refused; nothing was billed in either',
    ),
  calls: z.int(),
  minutes: z.int(),
  amountFen: z.int(),
  lines: z.array(statementLineSchema),
  unfinishedCalls: z.int().describe('answered calls whose end was not accounted yet: billed by a re-run'),
  unreconciled: z
    .array(z.object({ callId: z.string(), number: z.string(), answeredAt: z.string() }))
    .optional()
    .describe('those calls (at most 100), reported to support'),
  chargedFen: z.int().describe('posted to billing for the month: its charge plus any supplements'),
  charges: z.array(
    z.object({
      chargeId: z.string(),
      idempotencyKey: z.string(),
      supplement: z.int().describe('0: the month, 1, 2, ...: supplements for late records'),
      amountFen: z.int(),
      at: z.string(),
    }),
  ),
  ratedAt: z.string(),
  reruns: z.int(),
});

/** The statement the case keeps (`UsageStatement`) and its schema agree both ways, or this does not compile. */
const _statementsAgree: [z.output<typeof usageStatementSchema>, UsageStatement] extends [
  UsageStatement,
  z.output<typeof usageStatementSchema>,
]
  ? true
  : false = true;

/** The current month so far: rated from the SBC's records now, charged only once the month closes. */
export const currentUsageSchema = z.object({
  month: monthSchema,
  provisional: z.literal(true).describe('not a bill: the month is charged after it ends (see `billsAt`)'),
  observable: z.boolean().describe('false where the SBC cannot be read (manual mode): no calls can be shown'),
  calls: z.int(),
  minutes: z.int(),
  amountFen: z.int().describe('what the month would charge if it ended now'),
  lines: z.array(statementLineSchema),
  unfinishedCalls: z.int().describe('answered calls still up, or whose end was not accounted yet'),
  unreconciled: z.array(z.object({ callId: z.string(), number: z.string(), answeredAt: z.string() })).optional(),
  ratedAt: z.string(),
  billsAt: z.string().nullable().describe('when the month is charged; null before the first number case'),
});

/** A usage-billing case's `result`: the months billed so far and the next one. */
export const usageBillingViewSchema = z.object({
  nextMonth: z.string(),
  billsAt: z.string(),
  statements: z.array(usageStatementSchema),
});
export type UsageBillingView = z.infer<typeof usageBillingViewSchema>;
