/**
 * One typed input per kind: what the API (or a parent case) decided before the workflow starts.
 * Validation, number normalisation and formatting, eligibility and catalogue look-ups happen
 * before this point; workflows receive their outcome. Types only.
 */
import type {
  LandingTimings,
  PurchaseTimings,
  SipTimings,
  SubscriptionTimings,
  ThirdPartyTimings,
  UsageTimings,
} from '../config';
import type { CallingRules } from '../domain/eligibility';
import type { NumberPurchaseStart, NumberType, Sizing } from '../domain/numbers';
import type { Own400LandingStart } from '../domain/own400';
import type { RealNameStart } from '../domain/real-name';
import type { SipRegistrationStart, SipTrunkStart } from '../domain/sip';
import type { UsageStatement } from '../domain/usage';
import type { Application, ApplicationFacts } from '../domain/verification';

export type { ApplicationFacts };
import type { CaseReport, Step, VerifiedEnterprise as VerifiedFacts } from './case';

/** Numbers as the SBC and billing know them (E.164) and as people read them (`020-66240001`). */
export interface Numbers {
  e164: string[];
  display: string[];
}

export interface VerificationInput extends JourneyLink {
  enterpriseId: string;
  /** Passed the API's pre-check (rules and documents): the first round goes straight to review. */
  application: Application;
  facts: ApplicationFacts;
  timings: { reviewSlaMs: number; resubmissionWindowMs: number };
}

/** Every case may report to its enterprise's journey, when one exists as it starts. */
export interface JourneyLink {
  journeyId?: string;
}

export interface VerifiedEnterprise extends VerifiedFacts, JourneyLink {}

export interface NumberPurchaseInput extends VerifiedEnterprise {
  request: Omit<NumberPurchaseStart, 'kind' | 'enterpriseId' | 'quantity' | 'peakConcurrentCalls'>;
  sizing: Sizing;
  timings: PurchaseTimings & { subscription: SubscriptionTimings };
}

export interface SubscriptionInput extends VerifiedEnterprise {
  orderId: string;
  /** The purchase case that assigned the numbers (the gateway rows carry its id). */
  purchaseId: string;
  numbers: Numbers;
  numberType: NumberType;
  instanceId: string;
  /** Rent for all the numbers, per period. */
  monthlyRentFen: number;
  /** Epoch ms until which rent is paid. */
  paidThrough: number;
  autoRenew: boolean;
  timings: SubscriptionTimings;
  renewals: number;
  carriedSteps: Step[];
}

export interface Own400LandingInput extends VerifiedEnterprise {
  request: Omit<Own400LandingStart, 'kind' | 'enterpriseId' | 'mode'> & {
    /** Absent in cases started before forwarding existed (they re-bind). */
    mode?: Own400LandingStart['mode'];
  };
  /** The 400 number as people write it (`400-820-0001`). */
  own400Display: string;
  /** The fixed lines' purchase, decided in full (sizing, application note stating the 400 number). */
  fixedLines: Pick<NumberPurchaseInput, 'request' | 'sizing'>;
  /** Forward mode: a line the enterprise holds already, used instead of buying one. */
  existingLines?: Numbers;
  timings: LandingTimings & { purchase: PurchaseTimings; subscription: SubscriptionTimings };
}

export interface SipTrunkInput extends JourneyLink {
  enterpriseId: string;
  companyName: string;
  request: Omit<
    SipTrunkStart,
    'kind' | 'enterpriseId' | 'numbers' | 'testCallee' | 'owns400Numbers' | 'carrierSupportsSipTrunk'
  > & {
    /** Absent in cases started before the question was asked (they went on as if it were true). */
    carrierSupportsSipTrunk?: boolean;
  };
  numbers: Numbers;
  /** E.164. */
  testCallee: string;
  provider: { inbound: string[]; outbound: string[] };
  timings: SipTimings;
}

export interface SipRegistrationInput extends JourneyLink {
  enterpriseId: string;
  companyName: string;
  request: Omit<SipRegistrationStart, 'kind' | 'enterpriseId' | 'numbers' | 'testCallee'>;
  numbers: Numbers;
  /** E.164; the number the platform's outbound test call rings, From the enterprise's main number. */
  testCallee?: string;
  registrar: string;
  timings: SipTimings;
}

export interface ContactCenterInstanceInput extends VerifiedEnterprise {
  centerName: string;
  admin: { name: string; email: string };
  /** The version accepted and when (the start's time), as the platform records it. */
  agreement: { version: string; acceptedAt: string };
}

/** The catalogue entry, looked up by the API: what the workflow needs of it. */
export interface ThirdPartyProduct {
  id: string;
  supplier: string;
  name: { zh: string; en: string };
  numberKind: string;
  /** The supplier's stated maximum lead time, or the product's default where the seed states none. */
  leadWorkingDays: number;
  callingRules: CallingRules;
  /** The calling rules in words, for the enterprise's email. */
  rulesText: string;
}

export interface ThirdPartyLineInput extends VerifiedEnterprise {
  supplierEmail: string;
  product: ThirdPartyProduct;
  request: {
    industry: string;
    scenario: 'inbound' | 'outbound' | 'both';
    callScript?: string;
    regions: { region: string; quantity: number }[];
    binding: { instanceId: string; ivrFlowId?: string; skillGroupId?: string };
  };
  timings: ThirdPartyTimings;
}

/** Real-name verification: the start as checked by the API, and whether that decided it already. */
export interface RealNameInput extends JourneyLink {
  enterpriseId: string;
  request: Omit<RealNameStart, 'kind' | 'enterpriseId'>;
  /** Set when the enterprise's approved qualification of the same company decides it at once. */
  decidedBy?: string;
  timings: { reviewSlaMs: number };
}

/** A released number support recovers for the enterprise that held it (seed 003 Q9). */
export interface NumberRecoveryInput extends VerifiedEnterprise {
  number: Numbers;
  numberType: NumberType;
  /** Where it was bound before it was released (or where support says). */
  binding: { instanceId: string; ivrFlowId?: string; skillGroupId?: string };
  timings: { subscription: SubscriptionTimings };
}

/** An instance the journey creates once verification passes (the start's `instance`, decided). */
export interface InstanceRequest {
  centerName: string;
  admin: { name: string; email: string };
  agreement: { version: string; acceptedAt: string };
}

/** Milestones the journey keeps across continue-as-new. */
export interface JourneyMilestones {
  startedAt: string;
  realNamedAt?: string;
  verifiedAt?: string;
  instanceAt?: string;
  readyAt?: string;
}

export interface EnterpriseOnboardingInput {
  enterpriseId: string;
  /** Who hears about the journey until the verification names its contact. */
  contactEmail: string;
  companyName: string;
  /** A verification to start as a child, or the id of the enterprise's verification to follow. */
  verification: { start: VerificationInput } | { follow: string };
  /**
   * Seed 002's order: real-name verification (started here, or followed), then the instance, then
   * the qualification review. Absent in journeys started before real-name was its own case.
   */
  realName?: { start: RealNameInput } | { follow: string };
  instance?: InstanceRequest;
  /** The enterprise's cases and instances as they stood when the journey started (or continued). */
  known: CaseReport[];
  instances: { instanceId: string; centerName: string }[];
  milestones?: JourneyMilestones;
  /** Steps carried over from the previous run (the latest few). */
  carriedSteps?: Step[];
  timings: {
    /** A stage waiting on the enterprise this long is stalled: the enterprise is reminded. */
    stallAfterMs: number;
    remindEveryMs: number;
    /** Reports handled before the journey continues as new (its history stays small). */
    reportsPerRun: number;
  };
}

/**
 * An enterprise's monthly call charges: the next month to bill (YYYY-MM, China time) and the
 * statements so far, carried from run to run (the latest few).
 */
export interface UsageBillingInput {
  enterpriseId: string;
  customerId: string;
  companyName: string;
  contactEmail: string;
  nextMonth: string;
  statements: UsageStatement[];
  carriedSteps: Step[];
  timings: UsageTimings;
}
