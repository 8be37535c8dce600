/**
 * The human steps of every kind: who may take each one, and the Temporal update and signal that
 * carry it. Declared once here, in plain TypeScript, so workflow code and the API share the same
 * handles and a renamed action or changed payload is a compile error on both sides. The payload
 * schemas (zod) live in `domain/` and are only referred to here by type.
 */
import { defineSignal, defineUpdate, type SignalDefinition } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { verificationPayloads } from '../domain/verification';
import type { realNamePayloads } from '../domain/real-name';
import type { numberPurchasePayloads, numberSubscriptionPayloads } from '../domain/numbers';
import type { own400Payloads } from '../domain/own400';
import type { sipRegistrationPayloads, sipTrunkPayloads } from '../domain/sip';
import type { thirdPartyLinePayloads } from '../domain/eligibility';
import type { contactCenterInstancePayloads } from '../domain/contact-center';
import type { journeyPayloads } from '../domain/journey';
import type { usageBillingPayloads } from '../domain/usage-schemas';
import type { Actor, CaseState, Role } from './case';

export interface ActionDeclaration {
  roles: readonly Role[];
  summary: string;
}

const support = ['support'] as const;
const enterprise = ['enterprise'] as const;
const confirmSbcChange = {
  roles: support,
  summary: 'Confirm a change made by hand on an SBC without an API (manual SBC mode)',
};

/** Every action of every kind that has actions. Admin may take any of them. */
export const ACTIONS = {
  'enterprise-real-name': {
    approve: { roles: support, summary: 'Approve the real-name verification' },
    reject: { roles: support, summary: 'Reject it with coded reasons' },
  },
  'enterprise-verification': {
    approve: { roles: support, summary: 'Approve the application' },
    reject: { roles: support, summary: 'Reject the application with coded reasons per document or field' },
    resubmit: { roles: enterprise, summary: 'Resubmit corrected fields and documents after a rejection' },
  },
  'number-purchase': {
    'approve-script': { roles: support, summary: 'Approve the call script' },
    'reject-script': { roles: support, summary: 'Reject the call script with a reason' },
    'resubmit-script': { roles: enterprise, summary: 'Resubmit a corrected call script' },
    'confirm-400-routing': { roles: support, summary: 'Confirm the 400 number is routed to the contact center' },
  },
  'number-subscription': {
    renew: { roles: enterprise, summary: 'Pay the next month of rent now' },
    release: { roles: enterprise, summary: 'Release the numbers now' },
    'set-auto-renew': { roles: enterprise, summary: 'Turn automatic renewal on or off' },
  },
  'own-400-landing': {
    'confirm-400-landed': {
      roles: ['enterprise', 'support'],
      summary: 'Confirm the 400 operator has landed the 400 number on the fixed line(s)',
    },
    'confirm-test-call': {
      roles: support,
      summary: 'Confirm a test call to the 400 number arrived on the fixed line (where the SBC cannot observe calls)',
    },
    'confirm-400-forwarded': {
      roles: ['enterprise', 'support'],
      summary: "Confirm the 400 operator forwards the 400 number's base number to the fixed line",
    },
  },
  'sip-trunk': {
    approve: { roles: support, summary: 'Approve the SIP trunk application' },
    reject: { roles: support, summary: 'Reject the application with a reason' },
    'confirm-gateway-ready': {
      roles: enterprise,
      summary:
        'Confirm a SIP gateway that supports loose routing and same-path signalling is in place (a carrier without SIP trunking)',
    },
    'confirm-whitelist': {
      roles: enterprise,
      summary: "Confirm the provider's signalling addresses are allowed on the customer side",
    },
    'retry-connectivity': { roles: enterprise, summary: 'Retry the connectivity check after fixing the gateway' },
    'confirm-inbound-test': {
      roles: support,
      summary: 'Confirm the inbound test call arrived (where the SBC cannot observe calls)',
    },
    'confirm-sbc-change': confirmSbcChange,
  },
  'sip-registration': {
    approve: { roles: support, summary: 'Approve the SIP registration application' },
    reject: { roles: support, summary: 'Reject the application with a reason' },
    'rotate-credentials': { roles: enterprise, summary: 'Issue a new gateway password; the old one stops working' },
    'confirm-registration': {
      roles: support,
      summary: 'Confirm the gateway registered (where the SBC cannot observe registrations)',
    },
    'confirm-inbound-test': {
      roles: support,
      summary: 'Confirm the inbound test call arrived (where the SBC cannot observe calls)',
    },
    'confirm-sbc-change': confirmSbcChange,
  },
  'third-party-line': {
    approve: { roles: support, summary: 'Approve the application and send it to the supplier' },
    reject: { roles: support, summary: 'Reject the application with a reason' },
    'supplier-approved': { roles: support, summary: 'Record that the supplier accepted the application' },
    'supplier-rejected': { roles: support, summary: "Record the supplier's refusal and its reason" },
    'numbers-opened': { roles: support, summary: 'Record the numbers the supplier opened' },
  },
  'contact-center-instance': {
    'reissue-admin-password': {
      roles: ['enterprise', 'support'],
      summary: 'Email the administrator a new console password; the old one stops working',
    },
  },
  // People act on the journey's cases, not on the journey.
  'enterprise-onboarding': {},
  // Support starts a recovery; billing and the platform answer it.
  'number-recovery': {},
  'usage-billing': {
    'rerun-month': {
      roles: support,
      summary:
        "Read a billed month's call records again (e.g. after the SBC was down) and charge what late records add",
    },
  },
} as const satisfies Record<string, Record<string, ActionDeclaration>>;

/** The kinds people act on, and the payload schemas of their actions (by type only). */
export interface PayloadSchemas {
  'enterprise-real-name': typeof realNamePayloads;
  'enterprise-verification': typeof verificationPayloads;
  'number-purchase': typeof numberPurchasePayloads;
  'number-subscription': typeof numberSubscriptionPayloads;
  'own-400-landing': typeof own400Payloads;
  'sip-trunk': typeof sipTrunkPayloads;
  'sip-registration': typeof sipRegistrationPayloads;
  'third-party-line': typeof thirdPartyLinePayloads;
  'contact-center-instance': typeof contactCenterInstancePayloads;
  'enterprise-onboarding': typeof journeyPayloads;
  'usage-billing': typeof usageBillingPayloads;
  'number-recovery': Record<string, never>;
}

export type ActingKind = keyof typeof ACTIONS;
export type ActionName<K extends ActingKind> = keyof (typeof ACTIONS)[K] & string;
/** What an action carries once the API has validated it. */
export type Payload<K extends ActingKind, A extends ActionName<K>> = A extends keyof PayloadSchemas[K]
  ? PayloadSchemas[K][A] extends z.ZodType
    ? z.output<PayloadSchemas[K][A]>
    : never
  : never;

/** An action as it travels in an update or signal: who takes it, and what it carries. */
export interface ActionRequest<P = unknown> {
  actor: Actor;
  payload: P;
}

export interface ActionHandles<K extends ActingKind, A extends ActionName<K>> {
  update: UpdateDefinition<CaseState, [ActionRequest<Payload<K, A>>], A>;
  signal: SignalDefinition<[ActionRequest<Payload<K, A>>], A>;
}

export type KindHandles<K extends ActingKind> = { [A in ActionName<K>]: ActionHandles<K, A> };

function defineHandles<K extends ActingKind>(kind: K): KindHandles<K> {
  const names = Object.keys(ACTIONS[kind]) as ActionName<K>[];
  // Each name gets its own update and signal; the mapped type ties each to its payload.
  return Object.fromEntries(
    names.map((name) => [name, { update: defineUpdate(name), signal: defineSignal(name) }]),
  ) as unknown as KindHandles<K>;
}

/** The update and signal of each action of each kind (same name: either one carries the action). */
const actionHandles: { [K in ActingKind]: KindHandles<K> } = {
  'enterprise-real-name': defineHandles('enterprise-real-name'),
  'enterprise-verification': defineHandles('enterprise-verification'),
  'number-purchase': defineHandles('number-purchase'),
  'number-subscription': defineHandles('number-subscription'),
  'own-400-landing': defineHandles('own-400-landing'),
  'sip-trunk': defineHandles('sip-trunk'),
  'sip-registration': defineHandles('sip-registration'),
  'third-party-line': defineHandles('third-party-line'),
  'contact-center-instance': defineHandles('contact-center-instance'),
  'enterprise-onboarding': defineHandles('enterprise-onboarding'),
  'usage-billing': defineHandles('usage-billing'),
  'number-recovery': defineHandles('number-recovery'),
};

/** The handles of one action of one kind. */
export function handlesOf<K extends ActingKind, A extends ActionName<K>>(kind: K, name: A): ActionHandles<K, A> {
  // A generic index into the mapped registry is beyond the compiler; the registry's type is the proof.
  return (actionHandles as unknown as Record<string, Record<string, ActionHandles<K, A>>>)[kind]![name]!;
}

/**
 * Failure types that action validators raise; the API maps each to an HTTP status.
 */
export const ActionFailureType = {
  NotAwaited: 'ActionNotAwaited',
  Forbidden: 'ActionForbidden',
  InvalidPayload: 'InvalidActionPayload',
  RuleViolation: 'ActionRuleViolation',
  Busy: 'ActionBusy',
} as const;

/** Details attached to a refused action: what is awaited now, and each failing field. */
export interface ActionFailureDetails {
  awaiting: CaseState['awaiting'];
  errors?: { path: string; message: string; code?: string }[];
}
