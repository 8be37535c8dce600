/**
 * Enterprise verification (real-name verification plus qualification review): the application,
 * the reviewers' actions, and the pre-check that runs before any person looks at it.
 * Pure: the same rules run in the API at submit time and in the workflow's update validators.
 */
import { z } from 'zod';
import { checkLicence, checkResidentId, checkUnifiedSocialCreditCode, licenceEffectiveEnd } from './checks';
import { contactSchema, enterpriseIdSchema, isoDateSchema, type RuleFailure } from './common';

export const APPLICANT_TYPES = ['agent', 'legal-representative'] as const;
export type ApplicantType = (typeof APPLICANT_TYPES)[number];

export const DOCUMENT_KINDS = [
  'business-licence',
  'legal-rep-id',
  'agent-id',
  'agent-holding-id',
  'legal-rep-holding-id',
  'acceptance-form',
  'network-access-commitment',
  'power-of-attorney',
] as const;
export const documentKindSchema = z.enum(DOCUMENT_KINDS);
export type DocumentKind = z.infer<typeof documentKindSchema>;

/** Materials each applicant type must provide, all stamped with the company seal except photos. */
export const REQUIRED_DOCUMENTS: Record<ApplicantType, readonly DocumentKind[]> = {
  agent: [
    'business-licence',
    'legal-rep-id',
    'agent-id',
    'agent-holding-id',
    'acceptance-form',
    'network-access-commitment',
    'power-of-attorney',
  ],
  'legal-representative': [
    'business-licence',
    'legal-rep-id',
    'legal-rep-holding-id',
    'acceptance-form',
    'network-access-commitment',
  ],
};

/**
 * `sole-proprietorship` is a sole proprietorship owned by a natural person: it may hold 400 numbers
 * but not fixed-line numbers.
 */
export const ENTITY_TYPES = [
  'company',
  'sole-proprietorship',
  'partnership',
  'individual-business',
  'public-institution',
  'other',
] as const;

const personSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  idNumber: z.string().trim().min(1).max(32),
});

export const companySchema = z.strictObject({
  name: z.string().trim().min(2).max(200),
  unifiedSocialCreditCode: z.string().trim().toUpperCase().min(1).max(32),
  entityType: z.enum(ENTITY_TYPES),
  licenceValidFrom: isoDateSchema,
  licenceValidTo: isoDateSchema.nullable().describe('null for a long-term licence'),
});

export const documentRefSchema = z.strictObject({
  kind: documentKindSchema,
  documentId: z.string().trim().min(1).max(64),
});
export type DocumentRef = z.infer<typeof documentRefSchema>;

export const applicationSchema = z.strictObject({
  applicantType: z.enum(APPLICANT_TYPES),
  company: companySchema,
  legalRepresentative: personSchema,
  agent: personSchema.optional(),
  contact: contactSchema,
  documents: z.array(documentRefSchema).min(1).max(30),
});
export type Application = z.infer<typeof applicationSchema>;

export const verificationStartSchema = applicationSchema.extend({
  kind: z.literal('enterprise-verification'),
  enterpriseId: enterpriseIdSchema,
});
export type VerificationStart = z.infer<typeof verificationStartSchema>;

export const REJECTION_CODES = [
  'unreadable',
  'seal-missing',
  'information-mismatch',
  'expired',
  'wrong-document',
  'incomplete',
  'other',
] as const;

export const rejectionReasonSchema = z
  .strictObject({
    documentKind: documentKindSchema.optional(),
    field: z.string().min(1).max(100).optional(),
    code: z.enum(REJECTION_CODES),
    message: z.string().trim().min(1).max(500),
  })
  .refine((r) => r.documentKind !== undefined || r.field !== undefined, {
    message: 'name the documentKind or the field the reason is about',
  });

/** The corrected parts; a resubmitted document replaces every earlier one of its kind. */
export const resubmissionSchema = z
  .strictObject({
    company: companySchema.optional(),
    legalRepresentative: personSchema.optional(),
    agent: personSchema.optional(),
    contact: contactSchema.optional(),
    documents: z.array(documentRefSchema).max(30).optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'nothing to resubmit' });

/** What each action carries (who may take it: `contract/actions.ts`). */
export const verificationPayloads = {
  approve: z.strictObject({ note: z.string().max(1000).optional() }),
  reject: z.strictObject({ reasons: z.array(rejectionReasonSchema).min(1).max(30) }),
  resubmit: resubmissionSchema,
};
export type RejectionReason = z.infer<typeof rejectionReasonSchema>;
export type Resubmission = z.infer<typeof resubmissionSchema>;

/**
 * Every rule an application must pass before review, all at once. Document existence and content
 * need storage and are checked beside this (API and workflow activity).
 */
export function precheckApplication(app: Application, today: string): RuleFailure[] {
  const failures: RuleFailure[] = [];
  const present = new Set(app.documents.map((d) => d.kind));
  for (const kind of REQUIRED_DOCUMENTS[app.applicantType]) {
    if (!present.has(kind)) {
      failures.push({
        path: 'documents',
        code: 'document-missing',
        message: `${kind} is required when the applicant is ${app.applicantType === 'agent' ? 'an authorised agent' : 'the legal representative'}`,
      });
    }
  }
  const uscc = checkUnifiedSocialCreditCode(app.company.unifiedSocialCreditCode);
  if (uscc) failures.push({ path: 'company.unifiedSocialCreditCode', ...uscc });

  const legalRepId = checkResidentId(app.legalRepresentative.idNumber, today);
  if (legalRepId) failures.push({ path: 'legalRepresentative.idNumber', ...legalRepId });

  if (app.applicantType === 'agent') {
    if (!app.agent) {
      failures.push({ path: 'agent', code: 'agent-required', message: 'an agent application names the agent' });
    } else {
      const agentId = checkResidentId(app.agent.idNumber, today);
      if (agentId) failures.push({ path: 'agent.idNumber', ...agentId });
    }
  }
  for (const f of checkLicence(app.company.licenceValidFrom, app.company.licenceValidTo, today)) {
    failures.push({
      path: f.code === 'licence-not-started' ? 'company.licenceValidFrom' : 'company.licenceValidTo',
      ...f,
    });
  }
  return failures;
}

/** What an approved verification records; number purchases read it. */
export const verificationResultSchema = z.object({
  decision: z.literal('approved'),
  enterpriseId: z.string(),
  company: z.object({ name: z.string(), unifiedSocialCreditCode: z.string(), entityType: z.enum(ENTITY_TYPES) }),
  mayHoldFixedLines: z.boolean().describe('natural-person sole proprietorships may buy 400 numbers only'),
  licence: z.object({
    validFrom: z.string(),
    validTo: z.string().nullable(),
    longTerm: z.boolean(),
    effectiveEnd: z.string(),
  }),
  applicantType: z.enum(APPLICANT_TYPES),
  contact: z.object({ name: z.string(), email: z.string() }).describe("who hears about this enterprise's later cases"),
  rounds: z.number(),
  approvedAt: z.string(),
  approvedBy: z.string(),
  note: z.string().optional(),
  billingCustomerId: z.string(),
});
export type VerificationResult = z.infer<typeof verificationResultSchema>;

/** What the rules concluded about an application that passed its pre-check. */
export interface ApplicationFacts {
  licence: { validFrom: string; validTo: string | null; longTerm: boolean; effectiveEnd: string };
  /** Natural-person sole proprietorships may buy 400 numbers only. */
  mayHoldFixedLines: boolean;
}

/** What the rules conclude about an application that passed its pre-check. */
export function applicationFacts(app: Application): ApplicationFacts {
  return {
    mayHoldFixedLines: app.company.entityType !== 'sole-proprietorship',
    licence: {
      validFrom: app.company.licenceValidFrom,
      validTo: app.company.licenceValidTo,
      longTerm: app.company.licenceValidTo === null,
      effectiveEnd: licenceEffectiveEnd(app.company.licenceValidFrom, app.company.licenceValidTo),
    },
  };
}
