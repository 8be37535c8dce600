/**
 * What the API knows of each onboarding kind: how a start body is validated and pre-checked,
 * which workflow runs it, at which id, and its actions. Schemas come from `domain/`, the same
 * ones the workflows validate with and the OpenAPI document is generated from.
 */
import type { z } from 'zod';
import type { Config } from '../config';
import { chinaDate, type RuleFailure } from '../domain/common';
import { verificationId, WORKFLOW_TYPES } from '../domain/ids';
import type { ActionSpec, OnboardingKind } from '../domain/onboarding';
import {
  NUMBER_PURCHASE_STAGES,
  NUMBER_SUBSCRIPTION_STAGES,
  numberPurchaseActions,
  numberPurchaseStartSchema,
  numberSubscriptionActions,
  purchaseEligibility,
  type NumberPurchaseStart,
} from '../domain/numbers';
import {
  precheckApplication,
  verificationActions,
  verificationStartSchema,
  type Resubmission,
  type VerificationResult,
  type VerificationStart,
} from '../domain/verification';
import type { DocumentStore } from '../storage/documents';
import type { VerificationInput } from '../workflows/enterprise-verification';
import type { NumberPurchaseInput } from '../workflows/number-purchase';
import type { Own400LandingInput } from '../workflows/own-400-landing';
import type { ThirdPartyLineInput } from '../workflows/third-party-line';
import { productById } from '../domain/catalog';
import { checkEligibility, THIRD_PARTY_STAGES, thirdPartyLineActions, thirdPartyLineStartSchema, type ThirdPartyLineStart } from '../domain/eligibility';
import { HttpProblem } from './problem';
import {
  checkGatewayAddress,
  SIP_REGISTRATION_STAGES,
  SIP_TRUNK_STAGES,
  sipRegistrationActions,
  sipRegistrationStartSchema,
  sipTrunkActions,
  sipTrunkStartSchema,
  type SipRegistrationStart,
  type SipTrunkStart,
} from '../domain/sip';
import type { SipRegistrationInput } from '../workflows/sip-registration';
import { toE164 } from '../domain/numbers';
import type { SipGateway } from '../activities/sip-gateway';
import type { SipTrunkInput } from '../workflows/sip-trunk';
import { OWN_400_STAGES, own400Actions, own400LandingStartSchema, type Own400LandingStart } from '../domain/own400';

export interface KindContext {
  config: Config;
  documents: DocumentStore;
  now: () => number;
  /** The enterprise's approved, unexpired verification, or a 409 naming what is missing. */
  approvedVerification: (enterpriseId: string) => Promise<VerificationResult>;
  /** Read-only use: which numbers are already assigned. */
  sipGateway: SipGateway;
}

/** What every case after verification needs from it: the tenant, its billing customer, who to tell. */
async function verifiedEnterprise(ctx: KindContext, enterpriseId: string) {
  const verification = await ctx.approvedVerification(enterpriseId);
  return {
    enterpriseId,
    customerId: verification.billingCustomerId,
    companyName: verification.company.name,
    contactEmail: verification.contact.email,
  };
}

/** Lines already serving an instance cannot be brought in again. */
async function alreadyAssigned(ctx: KindContext, numbers: string[]): Promise<RuleFailure[]> {
  const failures: RuleFailure[] = [];
  for (const [i, n] of numbers.entries()) {
    const [taken] = await ctx.sipGateway.assignments({ number: toE164(n) });
    if (taken) failures.push({ path: `numbers.${i}`, code: 'number-already-assigned', message: `${n} is already assigned to instance ${taken.instanceId}` });
  }
  return failures;
}

/** The verification's company for emails, or its absence as one more broken rule. */
async function verifiedOr(ctx: KindContext, enterpriseId: string, failures: RuleFailure[]): Promise<void> {
  try {
    await ctx.approvedVerification(enterpriseId);
  } catch (err) {
    if (!(err instanceof HttpProblem)) throw err;
    failures.push({ path: 'enterpriseId', code: 'verification-required', message: err.detail ?? err.message });
  }
}

export interface KindDefinition<S extends { enterpriseId: string } = any> {
  kind: OnboardingKind;
  summary: string;
  /** Absent for kinds that other cases start (e.g. a subscription, started by its purchase). */
  startSchema?: z.ZodType<S>;
  workflowType: string;
  /** A fixed id makes the case unique per enterprise; otherwise each request gets its own id. */
  fixedId?: (body: S) => string;
  /** Every business rule the start body breaks, all at once (422). */
  precheck?: (body: S, ctx: KindContext) => Promise<RuleFailure[]>;
  workflowInput?: (body: S, ctx: KindContext) => Promise<unknown> | unknown;
  stages: readonly string[];
  actions: Record<string, ActionSpec>;
  /** Checks that need I/O before an action reaches the workflow (422). */
  actionPrecheck?: (action: string, payload: unknown, enterpriseId: string, ctx: KindContext) => Promise<RuleFailure[]>;
}

const enterpriseVerification: KindDefinition<VerificationStart> = {
  kind: 'enterprise-verification',
  summary: 'Real-name verification and qualification review of an enterprise',
  startSchema: verificationStartSchema,
  workflowType: WORKFLOW_TYPES['enterprise-verification'],
  fixedId: (body) => verificationId(body.enterpriseId),
  async precheck(body, ctx) {
    const { kind: _kind, enterpriseId, ...application } = body;
    return [
      ...precheckApplication(application, chinaDate(ctx.now())),
      ...(await ctx.documents.check(enterpriseId, application.documents)),
    ];
  },
  workflowInput: (body, ctx): VerificationInput => {
    const { kind: _kind, enterpriseId, ...application } = body;
    return { enterpriseId, application, timings: ctx.config.timings.verification };
  },
  stages: ['prechecking', 'awaiting-review', 'awaiting-resubmission', 'approving'],
  actions: verificationActions,
  async actionPrecheck(action, payload, enterpriseId, ctx) {
    if (action !== 'resubmit') return [];
    return ctx.documents.check(enterpriseId, (payload as Resubmission).documents ?? [], 'payload.documents');
  },
};

const numberPurchase: KindDefinition<NumberPurchaseStart> = {
  kind: 'number-purchase',
  summary: 'Buy fixed-line or 400 numbers and bind them to an instance',
  startSchema: numberPurchaseStartSchema,
  workflowType: WORKFLOW_TYPES['number-purchase'],
  async precheck(body, ctx) {
    return purchaseEligibility(body.numberType, await ctx.approvedVerification(body.enterpriseId));
  },
  async workflowInput(body, ctx): Promise<NumberPurchaseInput> {
    const { kind: _kind, enterpriseId, ...request } = body;
    return {
      ...(await verifiedEnterprise(ctx, enterpriseId)),
      request,
      timings: { ...ctx.config.timings.purchase, subscription: ctx.config.timings.subscription },
    };
  },
  stages: NUMBER_PURCHASE_STAGES,
  actions: numberPurchaseActions,
};

const numberSubscription: KindDefinition = {
  kind: 'number-subscription',
  summary: 'Purchased numbers: rent, renewal, grace and release (started by a number purchase)',
  workflowType: WORKFLOW_TYPES['number-subscription'],
  stages: NUMBER_SUBSCRIPTION_STAGES,
  actions: numberSubscriptionActions,
};

const own400Landing: KindDefinition<Own400LandingStart> = {
  kind: 'own-400-landing',
  summary: "Land the enterprise's own 400 number on fixed lines bought here, through an invoice remark",
  startSchema: own400LandingStartSchema,
  workflowType: WORKFLOW_TYPES['own-400-landing'],
  async precheck(body, ctx) {
    // The 400 number lands on fixed lines, which the enterprise must be allowed to hold.
    return purchaseEligibility('fixed-line', await ctx.approvedVerification(body.enterpriseId));
  },
  async workflowInput(body, ctx): Promise<Own400LandingInput> {
    const { kind: _kind, enterpriseId, ...request } = body;
    return {
      ...(await verifiedEnterprise(ctx, enterpriseId)),
      request,
      timings: { ...ctx.config.timings.landing, purchase: ctx.config.timings.purchase, subscription: ctx.config.timings.subscription },
    };
  },
  stages: OWN_400_STAGES,
  actions: own400Actions,
};

const thirdPartyLine: KindDefinition<ThirdPartyLineStart> = {
  kind: 'third-party-line',
  summary: "Apply for a supplier's lines: eligibility, review, supplier hand-off, import and binding",
  startSchema: thirdPartyLineStartSchema,
  workflowType: WORKFLOW_TYPES['third-party-line'],
  async precheck(body, ctx) {
    const { kind: _kind, enterpriseId, ...request } = body;
    const failures = checkEligibility(productById(request.productId)!, request);
    // Every broken rule at once, a missing verification among them.
    await verifiedOr(ctx, enterpriseId, failures);
    return failures;
  },
  async workflowInput(body, ctx): Promise<ThirdPartyLineInput> {
    const { kind: _kind, enterpriseId, ...request } = body;
    const product = productById(request.productId)!;
    return {
      ...(await verifiedEnterprise(ctx, enterpriseId)),
      supplierEmail: ctx.config.supplierEmails[product.supplier] ?? ctx.config.email.supportAddress,
      request,
      timings: ctx.config.timings.thirdParty,
    };
  },
  stages: THIRD_PARTY_STAGES,
  actions: thirdPartyLineActions,
};

const sipTrunk: KindDefinition<SipTrunkStart> = {
  kind: 'sip-trunk',
  summary: "Bring the enterprise's own fixed lines in over a SIP trunk",
  startSchema: sipTrunkStartSchema,
  workflowType: WORKFLOW_TYPES['sip-trunk'],
  async precheck(body, ctx) {
    const failures: RuleFailure[] = [];
    const range = checkGatewayAddress(body.gateway.ip, { allowPrivate: ctx.config.sipGateway.allowPrivateGateways });
    if (range) failures.push(range);
    failures.push(...(await alreadyAssigned(ctx, body.numbers)));
    await verifiedOr(ctx, body.enterpriseId, failures);
    return failures;
  },
  async workflowInput(body, ctx): Promise<SipTrunkInput> {
    const { kind: _kind, enterpriseId, ...request } = body;
    const { provider } = ctx.config.sipGateway;
    const { companyName } = await verifiedEnterprise(ctx, enterpriseId);
    return {
      enterpriseId,
      companyName,
      request,
      provider: { inbound: [provider.inbound, ...provider.inboundIps.filter((a) => a !== provider.inbound)], outbound: provider.outbound },
      timings: ctx.config.timings.sip,
    };
  },
  stages: SIP_TRUNK_STAGES,
  actions: sipTrunkActions,
};

const sipRegistration: KindDefinition<SipRegistrationStart> = {
  kind: 'sip-registration',
  summary: 'Onboard a gateway without a public IP: it registers to the provider with a digest account',
  startSchema: sipRegistrationStartSchema,
  workflowType: WORKFLOW_TYPES['sip-registration'],
  async precheck(body, ctx) {
    const failures = await alreadyAssigned(ctx, body.numbers);
    await verifiedOr(ctx, body.enterpriseId, failures);
    return failures;
  },
  async workflowInput(body, ctx): Promise<SipRegistrationInput> {
    const { kind: _kind, enterpriseId, ...request } = body;
    const { companyName } = await verifiedEnterprise(ctx, enterpriseId);
    return { enterpriseId, companyName, request, registrar: ctx.config.sipGateway.registrar, timings: ctx.config.timings.sip };
  },
  stages: SIP_REGISTRATION_STAGES,
  actions: sipRegistrationActions,
};

export const KINDS: Partial<Record<OnboardingKind, KindDefinition>> = {
  'enterprise-verification': enterpriseVerification,
  'number-purchase': numberPurchase,
  'number-subscription': numberSubscription,
  'own-400-landing': own400Landing,
  'third-party-line': thirdPartyLine,
  'sip-trunk': sipTrunk,
  'sip-registration': sipRegistration,
};

export function kindDefinition(kind: string): KindDefinition | undefined {
  return KINDS[kind as OnboardingKind];
}
