/**
 * What every case shares across the API/workflow boundary: the kinds (the registry's), the roles
 * and the visible state (defined in `domain/`, its zod schema in `domain/onboarding.ts` for
 * OpenAPI), typed per kind, and the queries and signals every kind answers. Plain TypeScript:
 * workflow code imports it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../domain/case';
import type {
  AwaitedAction,
  CaseState as AnyCaseState,
  CaseStatus,
  OnboardingResource as AnyResource,
} from '../domain/onboarding';
import type { OnboardingKind, ResultOf } from './kinds';

export { ROLES, type Actor, type Role } from '../domain/case';
export { journeyIdOf } from '../domain/ids';
export { ONBOARDING_KINDS, type OnboardingKind } from './kinds';
export type { AwaitedAction, CaseError, CaseErrorView, CaseStatus, RelatedCase, Step } from '../domain/onboarding';

/** A case's visible state, its `result` typed by its kind (narrow on `kind`). */
export type CaseState<K extends OnboardingKind = OnboardingKind> = {
  [P in K]: AnyCaseState<P, ResultOf<P>>;
}[K];

/**
 * A case as the API answers it, its `result` typed by its kind (narrow on `kind`). Its error's
 * business types are the kind's in the OpenAPI document and the client; here, any string.
 */
export type OnboardingResource<K extends OnboardingKind = OnboardingKind> = {
  [P in K]: AnyResource<P, ResultOf<P>>;
}[K];

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

/**
 * The memo key under which a case keeps what readers see (its state, the facts it reports to its
 * journey), so the API answers from the server alone, with every worker stopped. Cases started
 * before it, and a state too large for a memo, are read with `stateQuery` instead.
 */
export const CASE_VIEW_MEMO = 'caseView';

export type CaseView =
  | {
      v: 1;
      state: CaseState;
      /** The report the case would send its journey now, less the state it repeats. */
      report: Omit<CaseReport, 'caseId' | 'enterpriseId' | 'kind' | 'status' | 'stage' | 'awaiting'>;
    }
  | { v: 1; state?: undefined; omitted: 'too-large' };
