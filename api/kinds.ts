/**
 * What the API knows of each onboarding kind: how a start body is validated and pre-checked,
 * which workflow runs it (by function reference) with which typed input, at which id, and its
 * actions (who takes them: `contract/actions.ts`; what they carry: the zod schemas in `domain/`).
 * Everything a workflow needs decided (numbers normalised and formatted, catalogue look-ups,
 * sizing, eligibility) is decided here, before the start or before an action is sent.
 */
import type { z } from 'zod';
import type { Config } from '../config';
import { ACTIONS, type ActingKind, type ActionDeclaration } from '../contract/actions';
import type { CaseReport, CaseStatus, OnboardingKind, VerifiedEnterprise as VerifiedFacts } from '../contract/case';
import { journeyIdOf } from '../contract/case';
import type {
  EnterpriseOnboardingInput,
  InstanceRequest,
  NumberPurchaseInput,
  NumberRecoveryInput,
  Numbers,
  RealNameInput,
  ThirdPartyLineInput,
  VerificationInput,
} from '../contract/inputs';
import { STAGES } from '../contract/stages';
import { chinaDate, type RuleFailure } from '../domain/common';
import { productById } from '../domain/catalog';
import {
  callingRules,
  checkEligibility,
  describeCallingRules,
  thirdPartyLinePayloads,
  thirdPartyLineStartSchema,
  validOpenedNumber,
} from '../domain/eligibility';
import { verificationId } from '../domain/ids';
import {
  formatNumber,
  is400Number,
  numberPurchasePayloads,
  numberPurchaseStartSchema,
  numberSubscriptionPayloads,
  own400ApplicationNote,
  purchaseEligibility,
  sizeOrder,
  toE164,
} from '../domain/numbers';
import { FORWARD_MAX_LINES, own400LandingStartSchema, own400Payloads } from '../domain/own400';
import { precheckRealName, realNameId, realNamePayloads, realNameStartSchema } from '../domain/real-name';
import { numberRecoveryStartSchema } from '../domain/recovery';
import { enterpriseRealName } from '../workflows/enterprise-real-name';
import { numberRecovery } from '../workflows/number-recovery';
import { applyResubmission } from '../domain/resubmission';
import {
  checkGatewayAddress,
  providerAddresses,
  sipRegistrationPayloads,
  sipRegistrationStartSchema,
  sipTrunkPayloads,
  sipTrunkStartSchema,
  trunk400Failures,
} from '../domain/sip';
import {
  applicationFacts,
  precheckApplication,
  verificationPayloads,
  verificationStartSchema,
  type Application,
  type Resubmission,
  type VerificationResult,
} from '../domain/verification';
import type { SipGateway } from '../activities/sip-gateway';
import type { BillingNumberReader } from './billing-numbers';
import { centerNameKey } from '../activities/contact-center';
import type { ContactCenterLookups } from './contact-center';
import {
  contactCenterInstancePayloads,
  contactCenterInstanceStartSchema,
  CURRENT_AGREEMENT_VERSION,
} from '../domain/contact-center';
import { contactCenterInstance } from '../workflows/contact-center-instance';
import type { DocumentStore } from '../storage/documents';
import { enterpriseVerification } from '../workflows/enterprise-verification';
import { enterpriseOnboarding } from '../workflows/enterprise-onboarding';
import { enterpriseOnboardingStartSchema, journeyPayloads } from '../domain/journey';
import { numberPurchase } from '../workflows/number-purchase';
import { numberSubscription } from '../workflows/number-subscription';
import { own400Landing } from '../workflows/own-400-landing';
import { sipRegistration } from '../workflows/sip-registration';
import { sipTrunk } from '../workflows/sip-trunk';
import { thirdPartyLine } from '../workflows/third-party-line';
import { usageBilling } from '../workflows/usage-billing';
import { usageBillingPayloads } from '../domain/usage-schemas';
import { HttpProblem } from './problem';

export interface KindContext {
  config: Config;
  documents: DocumentStore;
  now: () => number;
  /** The enterprise's approved, unexpired verification, or a 409 naming what is missing. */
  approvedVerification: (enterpriseId: string) => Promise<VerificationResult>;
  /** Real-name verification (or an approved verification, which counts as one), or a 409. */
  approvedRealName: (enterpriseId: string) => Promise<VerifiedFacts>;
  /** The input a case was started with, if it is still there. */
  startInput: <T>(id: string) => Promise<T | undefined>;
  /** The application a running verification holds now (to pre-check a resubmission merged with it). */
  currentApplication: (caseId: string) => Promise<Application>;
  /** Read-only use: which numbers are already assigned. */
  sipGateway: SipGateway;
  /** Read-only use: whom billing sells or reserves a number to. */
  billingNumbers: BillingNumberReader;
  /** Read-only use: the enterprise's instances and what a binding names in them. */
  contactCenter: ContactCenterLookups;
  /** How a case stands, if it exists. */
  caseStatus: (id: string) => Promise<CaseStatus | undefined>;
  /** The enterprise's cases as a journey adopting them sees them. */
  reportsOf: (enterpriseId: string) => Promise<CaseReport[]>;
}

/** The case an action is for, as the API finds it. */
export interface CaseRef {
  id: string;
  enterpriseId: string;
  facts: Record<string, string>;
}

/** A human step as the API documents and validates it. */
export interface ActionSpec<P = unknown> extends ActionDeclaration {
  payload: z.ZodType<P>;
}

/**
 * One kind: its start schema and the workflow it starts, tied by the workflow's input type, so a
 * changed input or a renamed workflow is a compile error here.
 */
export interface KindDefinition<S extends { enterpriseId: string } = { enterpriseId: string }, I = unknown> {
  kind: OnboardingKind;
  summary: string;
  /** Who may start it, where not the enterprise and support alike. */
  startRoles?: readonly ('enterprise' | 'support')[];
  /** Absent for kinds that other cases start (e.g. a subscription, started by its purchase). */
  startSchema?: z.ZodType<S>;
  workflow: (input: I) => Promise<unknown>;
  /** A fixed id makes the case unique per enterprise; otherwise each request gets its own id. */
  fixedId?: (body: S) => string;
  /** Every business rule the start body breaks, all at once (422). */
  precheck?: (body: S, ctx: KindContext) => Promise<RuleFailure[]>;
  workflowInput?: (body: S, ctx: KindContext) => Promise<I> | I;
  stages: readonly string[];
  actions: Record<string, ActionSpec>;
  /**
   * Checks that need I/O or the domain's libraries before an action reaches the workflow (422),
   * and the payload as the workflow receives it (e.g. numbers in E.164).
   */
  actionPrecheck?: (
    action: string,
    payload: unknown,
    c: CaseRef,
    ctx: KindContext,
  ) => Promise<{ failures: RuleFailure[]; payload: unknown }>;
  /**
   * What the start binds numbers to on the contact-center platform, each id with the field that
   * names it: an instance of the same enterprise and, in it, the app, IVR flow or skill group.
   */
  binding?: (body: S) => BindingRef;
  /** Facts of the start body kept with the case (Temporal memo) for later actions' checks. */
  facts?: (body: S) => Record<string, string>;
}

/** Ids a start names on the platform, each with the path of the field that names it. */
export interface BindingRef {
  instanceId: { id: string; path: string };
  appId?: { id: string; path: string };
  ivrFlowId?: { id: string; path: string };
  skillGroupId?: { id: string; path: string };
}

/** A binding's ids under the paths of a `binding` object in the start body. */
function bindingAt(
  prefix: string,
  b: { instanceId: string; ivrFlowId?: string | undefined; skillGroupId?: string | undefined },
): BindingRef {
  return {
    instanceId: { id: b.instanceId, path: `${prefix}instanceId` },
    ...(b.ivrFlowId !== undefined ? { ivrFlowId: { id: b.ivrFlowId, path: `${prefix}ivrFlowId` } } : {}),
    ...(b.skillGroupId !== undefined ? { skillGroupId: { id: b.skillGroupId, path: `${prefix}skillGroupId` } } : {}),
  };
}

/**
 * Whatever the binding names that the platform lacks, addressed to the start's own fields: an
 * instance that is not the enterprise's (another's reads as absent), or an app, IVR flow or skill
 * group not in it.
 */
export async function bindingFailures(ctx: KindContext, enterpriseId: string, ref: BindingRef): Promise<RuleFailure[]> {
  const resolved = await ctx.contactCenter.resolveBinding({
    enterpriseId,
    instanceId: ref.instanceId.id,
    ...(ref.appId ? { appId: ref.appId.id } : {}),
    ...(ref.ivrFlowId ? { ivrFlowId: ref.ivrFlowId.id } : {}),
    ...(ref.skillGroupId ? { skillGroupId: ref.skillGroupId.id } : {}),
  });
  if (resolved.ok) return [];
  return resolved.problems.map((p) => ({ path: ref[p.field]?.path ?? p.field, code: p.code, message: p.message }));
}

function defineKind<S extends { enterpriseId: string }, I>(def: KindDefinition<S, I>): KindDefinition<S, I> {
  return def;
}

/** Who takes each action (contract) beside what it carries (domain). */
function actionSpecs<K extends ActingKind>(
  kind: K,
  payloads: { [A in keyof (typeof ACTIONS)[K]]: z.ZodType },
): Record<string, ActionSpec> {
  const declared = ACTIONS[kind] as Record<string, ActionDeclaration>;
  return Object.fromEntries(
    Object.entries(declared).map(([name, d]) => [
      name,
      { ...d, payload: (payloads as Record<string, z.ZodType>)[name]! },
    ]),
  );
}

function numbersOf(values: string[]): Numbers {
  const e164 = values.map(toE164);
  return { e164, display: e164.map(formatNumber) };
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
    if (taken)
      failures.push({
        path: `numbers.${i}`,
        code: 'number-already-assigned',
        message: `${n} is already assigned to instance ${taken.instanceId}`,
      });
  }
  return failures;
}

/** Lines billing sells to another customer, or holds reserved for a purchase, are not the enterprise's to bring in. */
async function heldInBilling(
  ctx: KindContext,
  enterpriseId: string,
  numbers: string[],
  path = 'numbers',
): Promise<RuleFailure[]> {
  // Without an approved verification there is no billing customer: any sale is someone else's.
  const own = await ctx.approvedVerification(enterpriseId).then(
    (v) => v.billingCustomerId,
    () => undefined,
  );
  const failures: RuleFailure[] = [];
  for (const [i, n] of numbers.entries()) {
    const record = await ctx.billingNumbers.number(n);
    if (record?.status === 'reserved') {
      failures.push({
        path: `${path}.${i}`,
        code: 'number-reserved-in-billing',
        message: `${n} is reserved in billing for a number purchase`,
      });
    } else if ((record?.status === 'sold' || record?.status === 'imported') && record.customerId !== own) {
      failures.push({
        path: `${path}.${i}`,
        code: 'number-sold-to-another-customer',
        message: `${n} is sold by billing to another customer`,
      });
    }
  }
  return failures;
}

/** The verification's absence as one more broken rule, beside the others. */
async function verifiedOr(ctx: KindContext, enterpriseId: string, failures: RuleFailure[]): Promise<void> {
  try {
    await ctx.approvedVerification(enterpriseId);
  } catch (err) {
    if (!(err instanceof HttpProblem)) throw err;
    failures.push({ path: 'enterpriseId', code: 'verification-required', message: err.detail ?? err.message });
  }
}

/** The workflow's purchase request: the start body less what the API turned into a sizing. */
function purchaseRequest(
  body: Omit<z.output<typeof numberPurchaseStartSchema>, 'kind' | 'enterpriseId'>,
): NumberPurchaseInput['request'] {
  const { quantity: _q, peakConcurrentCalls: _p, ...request } = body;
  return request;
}

/** Every rule an application breaks, its documents' included, under `prefix` (all at once). */
async function verificationFailures(
  ctx: KindContext,
  enterpriseId: string,
  application: Application,
  prefix = '',
): Promise<RuleFailure[]> {
  const failures = [
    ...precheckApplication(application, chinaDate(ctx.now())),
    ...(await ctx.documents.check(enterpriseId, application.documents)),
  ];
  return failures.map((f) => ({ ...f, path: `${prefix}${f.path}` }));
}

function verificationInput(ctx: KindContext, enterpriseId: string, application: Application): VerificationInput {
  return {
    enterpriseId,
    application,
    facts: applicationFacts(application),
    timings: ctx.config.timings.verification,
  };
}

/** A contact center of the same name the enterprise already has, as a broken rule at `path`. */
async function centerNameTaken(
  ctx: KindContext,
  enterpriseId: string,
  centerName: string,
  path: string,
): Promise<RuleFailure[]> {
  const taken = (await ctx.contactCenter.listInstances(enterpriseId)).find(
    (i) => centerNameKey(i.centerName) === centerNameKey(centerName),
  );
  return taken
    ? [
        {
          path,
          code: 'center-name-taken',
          message: `the enterprise already has a contact center named "${taken.centerName}" (${taken.instanceId})`,
        },
      ]
    : [];
}

/** The instance as the platform records it: the accepted agreement's version and time. */
function instanceRequest(
  ctx: KindContext,
  body: { centerName: string; admin: { name: string; email: string }; agreementVersion?: string | undefined },
): InstanceRequest {
  return {
    centerName: body.centerName,
    admin: body.admin,
    agreement: {
      version: body.agreementVersion ?? CURRENT_AGREEMENT_VERSION,
      acceptedAt: new Date(ctx.now()).toISOString(),
    },
  };
}

/**
 * Forwarding's own rules (seed 003 Q3): its fields only with it, the operator's trunk function's
 * 20 lines, and a line to forward to that the enterprise holds here.
 */
async function forwardFailures(
  ctx: KindContext,
  body: z.output<typeof own400LandingStartSchema>,
  verification: VerificationResult,
): Promise<RuleFailure[]> {
  if (body.mode !== 'forward')
    return (['fixedLine', 'baseNumber'] as const)
      .filter((f) => body[f] !== undefined)
      .map((f) => ({ path: f, code: 'forward-only', message: `${f} is for mode "forward" only` }));
  const failures: RuleFailure[] = [];
  if (body.peakConcurrentInbound > FORWARD_MAX_LINES)
    failures.push({
      path: 'peakConcurrentInbound',
      code: 'forward-trunk-capped',
      message: `forwarded calls are carried by the 400 operator's trunk function, at most ${FORWARD_MAX_LINES} lines (003 Q3); re-bind the landing line (mode "rebind") for ${body.peakConcurrentInbound}`,
    });
  if (body.fixedLine) {
    const record = await ctx.billingNumbers.number(body.fixedLine);
    if (record?.status !== 'sold' || record.customerId !== verification.billingCustomerId)
      failures.push({
        path: 'fixedLine',
        code: 'fixed-line-not-yours',
        message: `${body.fixedLine} is not a fixed line the enterprise holds here`,
      });
  }
  return failures;
}

/** Every rule a real-name application breaks, at once, under `prefix`. */
async function realNameFailures(
  ctx: KindContext,
  enterpriseId: string,
  body: RealNameInput['request'],
  prefix = '',
): Promise<RuleFailure[]> {
  const licence = await ctx.documents.check(
    enterpriseId,
    [{ kind: 'business-licence', documentId: body.businessLicence }],
    'businessLicence',
  );
  return [
    ...precheckRealName(body, chinaDate(ctx.now())),
    ...licence.map((f) => ({ ...f, path: 'businessLicence' })),
  ].map((f) => ({ ...f, path: `${prefix}${f.path}` }));
}

async function realNameInput(
  ctx: KindContext,
  enterpriseId: string,
  request: RealNameInput['request'],
): Promise<RealNameInput> {
  // The same company's approved qualification review decides it at once.
  const verified = await ctx.approvedVerification(enterpriseId).catch(() => undefined);
  const same = verified?.company.unifiedSocialCreditCode === request.company.unifiedSocialCreditCode;
  return {
    enterpriseId,
    request,
    ...(same ? { decidedBy: `approved verification ${verificationId(enterpriseId)} of the same company` } : {}),
    timings: { reviewSlaMs: ctx.config.timings.verification.reviewSlaMs },
  };
}

/**
 * Where a released number was bound: the binding of the purchase that ordered it (the order's
 * reference), or a 422 asking support to name it when that case is gone.
 */
async function formerBinding(ctx: KindContext, orderId: string): Promise<NumberRecoveryInput['binding']> {
  const order = await ctx.billingNumbers.order(orderId);
  // A purchase's request carries it; a recovery (a number recovered and released again) its own.
  const placed = order
    ? await ctx.startInput<{
        request?: { binding?: NumberRecoveryInput['binding'] };
        binding?: NumberRecoveryInput['binding'];
      }>(order.reference)
    : undefined;
  const binding = placed?.request?.binding ?? placed?.binding;
  if (!binding)
    throw new HttpProblem(422, 'Pre-check failed', 'the binding the number had is no longer known: name it', {
      errors: [{ path: 'binding', code: 'binding-unknown', message: `order ${orderId}'s case is gone; give binding` }],
    });
  return binding;
}

/** Without a stated lead time, a supplier is expected to answer within this many working days. */
const DEFAULT_LEAD_WORKING_DAYS = 5;

export const KINDS = {
  'enterprise-real-name': defineKind({
    kind: 'enterprise-real-name',
    summary: 'Real-name verification of the enterprise: company, unified social credit code, legal representative',
    startSchema: realNameStartSchema,
    workflow: enterpriseRealName,
    fixedId: (body) => realNameId(body.enterpriseId),
    precheck: (body, ctx) => realNameFailures(ctx, body.enterpriseId, body),
    workflowInput: (body, ctx) => {
      const { kind: _kind, enterpriseId, ...request } = body;
      return realNameInput(ctx, enterpriseId, request);
    },
    stages: STAGES['enterprise-real-name'],
    actions: actionSpecs('enterprise-real-name', realNamePayloads),
  }),

  'number-recovery': defineKind({
    kind: 'number-recovery',
    summary: 'Recover a released number the operator still holds: order, charge, re-import and re-bind it (support)',
    startRoles: ['support'],
    startSchema: numberRecoveryStartSchema,
    workflow: numberRecovery,
    async precheck(body, ctx) {
      const verification = await ctx.approvedVerification(body.enterpriseId);
      const record = await ctx.billingNumbers.number(body.number);
      // Only a number this enterprise held; anyone else's reads as unknown.
      return record?.releasedFrom?.customerId === verification.billingCustomerId
        ? []
        : [
            {
              path: 'number',
              code: 'number-not-released-by-enterprise',
              message: `${body.number} was not released by ${body.enterpriseId}`,
            },
          ];
    },
    async workflowInput(body, ctx): Promise<NumberRecoveryInput> {
      const record = (await ctx.billingNumbers.number(body.number))!;
      return {
        ...(await verifiedEnterprise(ctx, body.enterpriseId)),
        number: numbersOf([body.number]),
        numberType: is400Number(body.number) ? '400' : 'fixed-line',
        binding: body.binding ?? (await formerBinding(ctx, record.releasedFrom!.orderId)),
        timings: { subscription: ctx.config.timings.subscription },
      };
    },
    stages: STAGES['number-recovery'],
    actions: actionSpecs('number-recovery', {}),
  }),

  'enterprise-verification': defineKind({
    kind: 'enterprise-verification',
    summary: 'Real-name verification and qualification review of an enterprise',
    startSchema: verificationStartSchema,
    workflow: enterpriseVerification,
    fixedId: (body) => verificationId(body.enterpriseId),
    async precheck(body, ctx) {
      const { kind: _kind, enterpriseId, ...application } = body;
      return verificationFailures(ctx, enterpriseId, application);
    },
    workflowInput: (body, ctx) => {
      const { kind: _kind, enterpriseId, ...application } = body;
      return verificationInput(ctx, enterpriseId, application);
    },
    stages: STAGES['enterprise-verification'],
    actions: actionSpecs('enterprise-verification', verificationPayloads),
    async actionPrecheck(action, payload, c, ctx) {
      if (action !== 'resubmit') return { failures: [], payload };
      // The whole application as it would stand, so every rule is judged at once, as at the start.
      const patch = payload as Resubmission;
      const merged = applyResubmission(await ctx.currentApplication(c.id), patch);
      const failures = [
        ...precheckApplication(merged, chinaDate(ctx.now())),
        ...(await ctx.documents.check(c.enterpriseId, patch.documents ?? [], 'payload.documents')),
      ];
      return { failures, payload };
    },
  }),

  'number-purchase': defineKind({
    kind: 'number-purchase',
    summary: 'Buy fixed-line or 400 numbers and bind them to an instance',
    startSchema: numberPurchaseStartSchema,
    workflow: numberPurchase,
    binding: (body) => bindingAt('binding.', body.binding),
    async precheck(body, ctx) {
      return purchaseEligibility(body.numberType, await ctx.approvedVerification(body.enterpriseId));
    },
    async workflowInput(body, ctx) {
      const { kind: _kind, enterpriseId, ...request } = body;
      return {
        ...(await verifiedEnterprise(ctx, enterpriseId)),
        request: purchaseRequest(request),
        sizing: sizeOrder(request),
        timings: { ...ctx.config.timings.purchase, subscription: ctx.config.timings.subscription },
      };
    },
    stages: STAGES['number-purchase'],
    actions: actionSpecs('number-purchase', numberPurchasePayloads),
  }),

  'number-subscription': defineKind({
    kind: 'number-subscription',
    summary: 'Purchased numbers: rent, renewal, grace and release (started by a number purchase)',
    workflow: numberSubscription,
    stages: STAGES['number-subscription'],
    actions: actionSpecs('number-subscription', numberSubscriptionPayloads),
  }),

  'own-400-landing': defineKind({
    kind: 'own-400-landing',
    summary: "Land the enterprise's own 400 number on fixed lines bought here, through an invoice remark",
    startSchema: own400LandingStartSchema,
    workflow: own400Landing,
    binding: (body) => bindingAt('binding.', body.binding),
    async precheck(body, ctx) {
      // The 400 number lands on fixed lines, which the enterprise must be allowed to hold.
      const verification = await ctx.approvedVerification(body.enterpriseId);
      return [...purchaseEligibility('fixed-line', verification), ...(await forwardFailures(ctx, body, verification))];
    },
    async workflowInput(body, ctx) {
      const { kind: _kind, enterpriseId, ...request } = body;
      return {
        ...(await verifiedEnterprise(ctx, enterpriseId)),
        request,
        ...(request.fixedLine ? { existingLines: numbersOf([request.fixedLine]) } : {}),
        own400Display: formatNumber(request.own400Number),
        fixedLines: {
          request: {
            numberType: 'fixed-line' as const,
            areaCode: request.areaCode,
            scenario: 'inbound' as const,
            autoRenew: request.autoRenew,
            binding: request.binding,
            bindOwn400: request.own400Number,
            // The call scenario states the 400 number the lines carry, as the seed asks; it is
            // what support reviews as the script.
            callScript: own400ApplicationNote(request.own400Number),
            applicationNote: own400ApplicationNote(request.own400Number),
          },
          sizing: sizeOrder({ peakConcurrentCalls: request.peakConcurrentInbound }),
        },
        timings: {
          ...ctx.config.timings.landing,
          purchase: ctx.config.timings.purchase,
          subscription: ctx.config.timings.subscription,
        },
      };
    },
    stages: STAGES['own-400-landing'],
    actions: actionSpecs('own-400-landing', own400Payloads),
  }),

  'third-party-line': defineKind({
    kind: 'third-party-line',
    summary: "Apply for a supplier's lines: eligibility, review, supplier hand-off, import and binding",
    startSchema: thirdPartyLineStartSchema,
    workflow: thirdPartyLine,
    binding: (body) => bindingAt('binding.', body.binding),
    async precheck(body, ctx) {
      const { kind: _kind, enterpriseId, ...request } = body;
      const failures = checkEligibility(productById(request.productId)!, request);
      // Every broken rule at once, a missing verification among them.
      await verifiedOr(ctx, enterpriseId, failures);
      return failures;
    },
    async workflowInput(body, ctx): Promise<ThirdPartyLineInput> {
      const { kind: _kind, enterpriseId, productId, ...request } = body;
      const product = productById(productId)!;
      const rules = callingRules(product);
      return {
        ...(await verifiedEnterprise(ctx, enterpriseId)),
        supplierEmail: ctx.config.supplierEmails[product.supplier] ?? ctx.config.email.supportAddress,
        product: {
          id: product.id,
          supplier: product.supplier,
          name: { zh: product.name.zh, en: product.name.en },
          numberKind: product.numberKind,
          leadWorkingDays: product.leadTimeWorkingDays?.max ?? DEFAULT_LEAD_WORKING_DAYS,
          callingRules: rules,
          rulesText: describeCallingRules(rules),
        },
        request,
        timings: ctx.config.timings.thirdParty,
      };
    },
    stages: STAGES['third-party-line'],
    actions: actionSpecs('third-party-line', thirdPartyLinePayloads),
    facts: (body) => ({ productId: body.productId }),
    // Opened numbers are checked against the product's kind and billing's inventory, and handed on in E.164.
    async actionPrecheck(action, payload, c, ctx) {
      if (action !== 'numbers-opened') return { failures: [], payload };
      const { numbers } = payload as { numbers: string[] };
      const product = productById(c.facts.productId ?? '');
      const failures: RuleFailure[] = product
        ? numbers.flatMap((n, i) =>
            validOpenedNumber(product, n)
              ? []
              : [
                  {
                    path: `payload.numbers.${i}`,
                    code: 'number-invalid',
                    message: `${n} is not a valid ${product.numberKind} number`,
                  },
                ],
          )
        : [];
      failures.push(...(await heldInBilling(ctx, c.enterpriseId, numbers, 'payload.numbers')));
      return { failures, payload: { numbers: numbers.map(toE164) } };
    },
  }),

  'sip-trunk': defineKind({
    kind: 'sip-trunk',
    summary: "Bring the enterprise's own fixed lines in over a SIP trunk",
    startSchema: sipTrunkStartSchema,
    workflow: sipTrunk,
    binding: (body) => ({
      instanceId: { id: body.instanceId, path: 'instanceId' },
      appId: { id: body.boundAppId, path: 'boundAppId' },
    }),
    async precheck(body, ctx) {
      const failures: RuleFailure[] = [];
      const range = checkGatewayAddress(body.gateway.ip, {
        allowPrivate: ctx.config.sipGateway.allowPrivateGateways,
        forbidden: providerAddresses(ctx.config.sipGateway),
      });
      if (range) failures.push(range);
      failures.push(...trunk400Failures(body));
      failures.push(...(await alreadyAssigned(ctx, body.numbers)));
      failures.push(...(await heldInBilling(ctx, body.enterpriseId, body.numbers)));
      await verifiedOr(ctx, body.enterpriseId, failures);
      return failures;
    },
    async workflowInput(body, ctx) {
      const { kind: _kind, enterpriseId, numbers, testCallee, owns400Numbers: _owns400, ...request } = body;
      const { provider } = ctx.config.sipGateway;
      const { companyName } = await verifiedEnterprise(ctx, enterpriseId);
      return {
        enterpriseId,
        companyName,
        request,
        numbers: numbersOf(numbers),
        testCallee: toE164(testCallee),
        provider: {
          inbound: [provider.inbound, ...provider.inboundIps.filter((a) => a !== provider.inbound)],
          outbound: provider.outbound,
        },
        timings: ctx.config.timings.sip,
      };
    },
    stages: STAGES['sip-trunk'],
    actions: actionSpecs('sip-trunk', sipTrunkPayloads),
  }),

  'sip-registration': defineKind({
    kind: 'sip-registration',
    summary: 'Onboard a gateway without a public IP: it registers to the provider with a digest account',
    startSchema: sipRegistrationStartSchema,
    workflow: sipRegistration,
    binding: (body) => ({ instanceId: { id: body.instanceId, path: 'instanceId' } }),
    async precheck(body, ctx) {
      const failures = [
        ...(await alreadyAssigned(ctx, body.numbers)),
        ...(await heldInBilling(ctx, body.enterpriseId, body.numbers)),
      ];
      await verifiedOr(ctx, body.enterpriseId, failures);
      return failures;
    },
    async workflowInput(body, ctx) {
      const { kind: _kind, enterpriseId, numbers, testCallee, ...request } = body;
      const { companyName } = await verifiedEnterprise(ctx, enterpriseId);
      return {
        enterpriseId,
        companyName,
        request,
        numbers: numbersOf(numbers),
        ...(testCallee ? { testCallee: toE164(testCallee) } : {}),
        registrar: ctx.config.sipGateway.registrar,
        timings: ctx.config.timings.sip,
      };
    },
    stages: STAGES['sip-registration'],
    actions: actionSpecs('sip-registration', sipRegistrationPayloads),
  }),

  'contact-center-instance': defineKind({
    kind: 'contact-center-instance',
    summary: "Create the enterprise's contact-center instance and email its administrator a password",
    startSchema: contactCenterInstanceStartSchema,
    workflow: contactCenterInstance,
    async precheck(body, ctx) {
      // Seed 002 step 3 follows real-name verification (step 2); without it, a 409 naming it, first.
      await ctx.approvedRealName(body.enterpriseId);
      return centerNameTaken(ctx, body.enterpriseId, body.centerName, 'centerName');
    },
    async workflowInput(body, ctx) {
      return { ...(await ctx.approvedRealName(body.enterpriseId)), ...instanceRequest(ctx, body) };
    },
    stages: STAGES['contact-center-instance'],
    actions: actionSpecs('contact-center-instance', contactCenterInstancePayloads),
  }),

  'enterprise-onboarding': defineKind({
    kind: 'enterprise-onboarding',
    summary: "The enterprise's whole journey, from verification to a working number, linking every case",
    startSchema: enterpriseOnboardingStartSchema,
    workflow: enterpriseOnboarding,
    fixedId: (body) => journeyIdOf(body.enterpriseId),
    async precheck(body, ctx) {
      const vid = verificationId(body.enterpriseId);
      const status = await ctx.caseStatus(vid);
      const failures: RuleFailure[] = [];
      if (body.verification) {
        if (status === 'running' || status === 'completed')
          failures.push({
            path: 'verification',
            code: 'verification-exists',
            message: `verification ${vid} is ${status}: omit verification to follow it`,
          });
        else failures.push(...(await verificationFailures(ctx, body.enterpriseId, body.verification, 'verification.')));
      } else if (!status && !body.realName) {
        failures.push({
          path: 'verification',
          code: 'verification-required',
          message: `enterprise ${body.enterpriseId} has no verification to follow: include one`,
        });
      }
      if (body.realName) {
        const realName = await ctx.caseStatus(realNameId(body.enterpriseId));
        if (realName === 'running' || realName === 'completed')
          failures.push({
            path: 'realName',
            code: 'real-name-exists',
            message: `${realNameId(body.enterpriseId)} is ${realName}: omit realName`,
          });
        else failures.push(...(await realNameFailures(ctx, body.enterpriseId, body.realName, 'realName.')));
      }
      if (body.instance)
        failures.push(
          ...(await centerNameTaken(ctx, body.enterpriseId, body.instance.centerName, 'instance.centerName')),
        );
      return failures;
    },
    async workflowInput(body, ctx): Promise<EnterpriseOnboardingInput> {
      const { enterpriseId } = body;
      // Who the journey speaks to until a case names its contact: the first application it has.
      const application =
        body.verification ?? body.realName ?? (await ctx.currentApplication(verificationId(enterpriseId)));
      const [known, instances] = await Promise.all([
        ctx.reportsOf(enterpriseId),
        ctx.contactCenter.listInstances(enterpriseId),
      ]);
      return {
        enterpriseId,
        contactEmail: application.contact.email,
        companyName: application.company.name,
        verification: body.verification
          ? { start: verificationInput(ctx, enterpriseId, body.verification) }
          : { follow: verificationId(enterpriseId) },
        ...(body.instance ? { instance: instanceRequest(ctx, body.instance) } : {}),
        ...(body.realName ? { realName: { start: await realNameInput(ctx, enterpriseId, body.realName) } } : {}),
        known,
        instances: instances
          .filter((i) => i.status === 'active')
          .map((i) => ({ instanceId: i.instanceId, centerName: i.centerName })),
        timings: ctx.config.timings.journey,
      };
    },
    stages: STAGES['enterprise-onboarding'],
    actions: actionSpecs('enterprise-onboarding', journeyPayloads),
  }),

  'usage-billing': defineKind({
    kind: 'usage-billing',
    summary:
      "The enterprise's call charges, billed monthly from the SBC's call records (started with its first number case)",
    workflow: usageBilling,
    stages: STAGES['usage-billing'],
    actions: actionSpecs('usage-billing', usageBillingPayloads),
  }),
} satisfies Record<OnboardingKind, KindDefinition<any, any>>;

export function kindDefinition(kind: string): KindDefinition | undefined {
  return (KINDS as Record<string, KindDefinition<any, any>>)[kind];
}
