/** What the kinds' API entries share: the context they read, the definition's shape and the common checks. */
import type { z } from 'zod';
import type { Config } from '../../config';
import type { CaseReport, CaseStatus, VerifiedEnterprise as VerifiedFacts } from '../../contract/case';
import type { ActionName, Payload } from '../../contract/actions';
import {
  shapeOf,
  type ActionDeclaration,
  type InputOf,
  type OnboardingKind,
  type PayloadSchemasOf,
  type ResultOf,
  type StartOf,
  type WorkflowOf,
} from '../../contract/kinds';
import type {
  InstanceRequest,
  NumberPurchaseInput,
  NumberRecoveryInput,
  Numbers,
  RealNameInput,
  VerificationInput,
} from '../../contract/inputs';
import { chinaDate, type RuleFailure } from '../../domain/common';
import { verificationId } from '../../domain/ids';
import { formatNumber, type numberPurchaseStartSchema, toE164 } from '../../domain/numbers';
import { FORWARD_MAX_LINES, type own400LandingStartSchema } from '../../domain/own400';
import { precheckRealName } from '../../domain/real-name';
import {
  applicationFacts,
  precheckApplication,
  type Application,
  type VerificationResult,
} from '../../domain/verification';
import type { SipGateway } from '../../activities/sip-gateway';
import type { BillingNumberReader } from '../billing-numbers';
import { centerNameKey } from '../../activities/contact-center';
import type { ContactCenterLookups } from '../contact-center';
import { CURRENT_AGREEMENT_VERSION } from '../../domain/contact-center';
import type { DocumentStore } from '../../storage/documents';
import { HttpProblem } from '../problem';

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
  result: z.ZodType;
  /** A fixed id makes the case unique per enterprise; otherwise each request gets its own id. */
  fixedId?: (body: S) => string;
  /** Every business rule the start body breaks, all at once (422). */
  precheck?: (body: S, ctx: KindContext) => Promise<RuleFailure[]>;
  workflowInput?: (body: S, ctx: KindContext) => Promise<I> | I;
  stages: readonly string[];
  actions: Record<string, ActionSpec>;
  /**
   * What the start binds numbers to on the contact-center platform, each id with the field that
   * names it: an instance of the same enterprise and, in it, the app, IVR flow or skill group.
   */
  binding?: (body: S) => BindingRef;
  /** Facts of the start body kept with the case (Temporal memo) for later actions' checks. */
  facts?: (body: S) => Record<string, string>;
}

/** The start body as validated (every kind's names its enterprise; other cases start some kinds). */
export type StartBody<K extends OnboardingKind> = [StartOf<K>] extends [never]
  ? { enterpriseId: string }
  : StartOf<K> & { enterpriseId: string };

/**
 * A kind's API entry: what the API adds to the registry's declaration (how a start is checked and
 * turned into the workflow's input, the payload schemas, checks that need I/O). Typed by the
 * registry: a start body, input or payload that differs from the declaration does not compile.
 */

export interface KindEntry<K extends OnboardingKind> {
  summary: string;
  startRoles?: readonly ('enterprise' | 'support')[];
  startSchema?: z.ZodType<StartBody<K>>;
  /** The kind's workflow: takes the declared input, completes with the declared result. */
  workflow: WorkflowOf<K>;
  payloads: PayloadSchemasOf<K>;
  /** The schema of the case's `result` (the declared result is its output). */
  result: z.ZodType<ResultOf<K>>;
  precheck?: (body: StartBody<K>, ctx: KindContext) => Promise<RuleFailure[]>;
  workflowInput?: (body: StartBody<K>, ctx: KindContext) => Promise<InputOf<K>> | InputOf<K>;
  /**
   * Checks that need I/O or the domain's libraries before an action reaches the workflow (422),
   * and the payload as the workflow receives it (e.g. numbers in E.164).
   */
  actionPrecheck?: (
    action: ActionName<K>,
    payload: Payload<K, ActionName<K>>,
    c: CaseRef,
    ctx: KindContext,
  ) => Promise<{ failures: RuleFailure[]; payload: Payload<K, ActionName<K>> }>;
  binding?: (body: StartBody<K>) => BindingRef;
  facts?: (body: StartBody<K>) => Record<string, string>;
}

/** Ids a start names on the platform, each with the path of the field that names it. */
export interface BindingRef {
  instanceId: { id: string; path: string };
  appId?: { id: string; path: string };
  ivrFlowId?: { id: string; path: string };
  skillGroupId?: { id: string; path: string };
}

/** A binding's ids under the paths of a `binding` object in the start body. */
export function bindingAt(
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

/**
 * A kind as the API serves it: the registry's declaration (name, stages, actions and who takes
 * them, its id) joined with its API entry, its payload schemas and checks typed by its kind.
 */
export type TypedKind<K extends OnboardingKind> = KindDefinition<StartBody<K>, InputOf<K>> &
  Pick<KindEntry<K>, 'payloads' | 'actionPrecheck'>;

export function defineKind<K extends OnboardingKind>(name: K, entry: KindEntry<K>): TypedKind<K> {
  const declared = shapeOf(name);
  const { payloads } = entry;
  const schemas: Record<string, z.ZodType> = payloads;
  const actions: Record<string, ActionDeclaration> = declared.actions;
  return {
    ...entry,
    kind: name,
    stages: declared.stages,
    actions: Object.fromEntries(
      Object.entries(actions).map(([action, d]) => [action, { ...d, payload: schemas[action]! }]),
    ),
    ...(declared.fixedId
      ? { fixedId: (body: { enterpriseId: string }) => declared.workflowId(body.enterpriseId, '') }
      : {}),
  };
}

export function numbersOf(values: string[]): Numbers {
  const e164 = values.map(toE164);
  return { e164, display: e164.map(formatNumber) };
}

/** What every case after verification needs from it: the tenant, its billing customer, who to tell. */
export async function verifiedEnterprise(ctx: KindContext, enterpriseId: string) {
  const verification = await ctx.approvedVerification(enterpriseId);
  return {
    enterpriseId,
    customerId: verification.billingCustomerId,
    companyName: verification.company.name,
    contactEmail: verification.contact.email,
  };
}

/** Lines already serving an instance cannot be brought in again. */
export async function alreadyAssigned(ctx: KindContext, numbers: string[]): Promise<RuleFailure[]> {
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
export async function heldInBilling(
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

/**
 * The enterprise's own lines it brings in (a SIP trunk or registration): not serving an instance
 * already, not sold or reserved in billing for someone else, and a verification to bring them
 * under, each as broken rules beside `failures` (all at once).
 */
export async function ownLinesFailures(
  ctx: KindContext,
  body: { enterpriseId: string; numbers: string[] },
  failures: RuleFailure[] = [],
): Promise<RuleFailure[]> {
  failures.push(...(await alreadyAssigned(ctx, body.numbers)));
  failures.push(...(await heldInBilling(ctx, body.enterpriseId, body.numbers)));
  await verifiedOr(ctx, body.enterpriseId, failures);
  return failures;
}

/** The verification's absence as one more broken rule, beside the others. */
export async function verifiedOr(ctx: KindContext, enterpriseId: string, failures: RuleFailure[]): Promise<void> {
  try {
    await ctx.approvedVerification(enterpriseId);
  } catch (err) {
    if (!(err instanceof HttpProblem)) throw err;
    failures.push({ path: 'enterpriseId', code: 'verification-required', message: err.detail ?? err.message });
  }
}

/** The workflow's purchase request: the start body less what the API turned into a sizing. */
export function purchaseRequest(
  body: Omit<z.output<typeof numberPurchaseStartSchema>, 'kind' | 'enterpriseId'>,
): NumberPurchaseInput['request'] {
  const { quantity: _q, peakConcurrentCalls: _p, ...request } = body;
  return request;
}

/** Every rule an application breaks, its documents' included, under `prefix` (all at once). */
export async function verificationFailures(
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

export function verificationInput(ctx: KindContext, enterpriseId: string, application: Application): VerificationInput {
  return {
    enterpriseId,
    application,
    facts: applicationFacts(application),
    timings: ctx.config.timings.verification,
  };
}

/** A contact center of the same name the enterprise already has, as a broken rule at `path`. */
export async function centerNameTaken(
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
export function instanceRequest(
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
export async function forwardFailures(
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
export async function realNameFailures(
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

export async function realNameInput(
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
export async function formerBinding(ctx: KindContext, orderId: string): Promise<NumberRecoveryInput['binding']> {
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
export const DEFAULT_LEAD_WORKING_DAYS = 5;
