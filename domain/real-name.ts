/**
 * Enterprise real-name verification (企业实名认证, seed 002 step 2): the company, its unified
 * social credit code and legal representative, and the business licence. It comes before the
 * contact-center instance; the qualification review (`enterprise-verification`, step 4) comes
 * after it and is what numbers need. Pure.
 */
import { z } from 'zod';
import { checkResidentId, checkUnifiedSocialCreditCode } from './checks';
import { contactSchema, enterpriseIdSchema, type RuleFailure } from './common';
import { ENTITY_TYPES } from './verification';

export const realNameStartSchema = z.strictObject({
  kind: z.literal('enterprise-real-name'),
  enterpriseId: enterpriseIdSchema,
  company: z.strictObject({
    name: z.string().trim().min(2).max(200),
    unifiedSocialCreditCode: z.string().trim().toUpperCase().min(1).max(32),
    entityType: z.enum(ENTITY_TYPES),
  }),
  legalRepresentative: z.strictObject({
    name: z.string().trim().min(1).max(100),
    residentId: z.string().trim().min(1).max(32),
  }),
  businessLicence: z.string().trim().min(1).max(64).describe('the uploaded business licence (a document id)'),
  contact: contactSchema,
});
export type RealNameStart = z.infer<typeof realNameStartSchema>;

export const realNamePayloads = {
  approve: z.strictObject({ note: z.string().max(1000).optional() }),
  reject: z.strictObject({
    reasons: z
      .array(
        z.strictObject({
          field: z.string().min(1).max(100).optional(),
          code: z.enum(['information-mismatch', 'unreadable', 'expired', 'wrong-document', 'other']),
          message: z.string().trim().min(1).max(500),
        }),
      )
      .min(1)
      .max(10),
  }),
};

/** The checks that decide at once: the code's check character (GB 32100) and the ID's (GB 11643). */
export function precheckRealName(
  body: Pick<RealNameStart, 'company' | 'legalRepresentative'>,
  today: string,
): RuleFailure[] {
  const failures: RuleFailure[] = [];
  const uscc = checkUnifiedSocialCreditCode(body.company.unifiedSocialCreditCode);
  if (uscc) failures.push({ path: 'company.unifiedSocialCreditCode', ...uscc });
  const id = checkResidentId(body.legalRepresentative.residentId, today);
  if (id) failures.push({ path: 'legalRepresentative.residentId', ...id });
  return failures;
}

/** What an approved real-name verification records; an instance needs it. */
export const realNameResultSchema = z.object({
  decision: z.literal('approved'),
  enterpriseId: z.string(),
  company: z.object({ name: z.string(), unifiedSocialCreditCode: z.string(), entityType: z.enum(ENTITY_TYPES) }),
  legalRepresentative: z.object({ name: z.string() }),
  contact: z.object({ name: z.string(), email: z.string() }),
  decidedBy: z
    .string()
    .describe("support, or the enterprise's approved qualification of the same company (decided at once)"),
  approvedAt: z.string(),
  billingCustomerId: z.string(),
});
export type RealNameResult = z.infer<typeof realNameResultSchema>;

export { realNameId } from './ids';
