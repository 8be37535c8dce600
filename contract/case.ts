/**
 * What every case shares across the API/workflow boundary: the kinds, the roles, the visible
 * state (its zod schema lives in `domain/onboarding.ts`, for OpenAPI), and the queries and signals
 * every kind answers. Plain TypeScript: workflow code imports it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AwaitedAction, CaseState, CaseStatus } from '../domain/onboarding';

export type { AwaitedAction, CaseError, CaseState, CaseStatus, RelatedCase, Step } from '../domain/onboarding';

export const ONBOARDING_KINDS = [
  'enterprise-real-name',
  'enterprise-verification',
  'number-purchase',
  'number-subscription',
  'own-400-landing',
  'sip-trunk',
  'sip-registration',
  'third-party-line',
  'contact-center-instance',
  'enterprise-onboarding',
  'usage-billing',
  'number-recovery',
] as const;
export type OnboardingKind = (typeof ONBOARDING_KINDS)[number];

export const ROLES = ['enterprise', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who takes an action: carried with every update and signal so history shows who did what. */
export interface Actor {
  role: Role;
  name: string;
  enterpriseId?: string;
}

/** The case's visible state, as the API returns it. Works on closed cases too. */
export const stateQuery = defineQuery<CaseState>('state');

/**
 * Sent with the start (update-with-start): answers with the state the case shows once its first
 * workflow task has run, so the API's answer to a start shows the stage and what it awaits.
 */
export const openedUpdate = defineUpdate<CaseState>('opened');

/** Sent by the API just before it requests cancellation, so history records who cancelled and why. */
export const cancelRequestedSignal = defineSignal<[{ actor: Actor; reason?: string }]>('cancel-requested');

/** A billing event the API has verified (signature) and routed to the case its `reference` names. */
export interface BillingEvent {
  eventId: string;
  type: string;
  orderId?: string;
  invoiceId?: string;
}
export const billingEventSignal = defineSignal<[BillingEvent]>('billing-event');

/** The enterprise's journey: one per enterprise, at a well-known id. */
export function journeyIdOf(enterpriseId: string): string {
  return `journey-${enterpriseId}`;
}

/** The tenant as its approved verification knows it: billing customer and who to tell. */
export interface VerifiedEnterprise {
  enterpriseId: string;
  customerId: string;
  companyName: string;
  contactEmail: string;
}

/**
 * What a case tells its enterprise's journey each time its stage, awaited actions or status
 * change: enough for the journey to show who must act next and by when, and which numbers work.
 */
export interface CaseReport {
  caseId: string;
  enterpriseId: string;
  kind: OnboardingKind;
  status: CaseStatus;
  stage: string;
  awaiting: AwaitedAction[];
  /** Workflow time of the report (epoch ms) and a counter within the run: later reports win. */
  at: number;
  seq: number;
  /** The instance the case works on, or created. */
  instanceId?: string;
  /** Numbers (as people write them) the case brings into service or takes out of it. */
  numbers?: string[];
  /** Whether `numbers` (or, for an instance, the instance) are in service now. */
  inService?: boolean;
  /** An approved verification: the facts later cases need. */
  verified?: VerifiedEnterprise;
}

/** A case reporting to its journey. */
export const caseReportSignal = defineSignal<[CaseReport]>('case-report');
/** The journey adopting a case that was started before it: the case reports from then on. */
export const journeyAttachedSignal = defineSignal<[{ journeyId: string }]>('journey-attached');
/** The report the case would send now (the API reads it when a journey adopts existing cases). */
export const reportQuery = defineQuery<CaseReport>('report');
