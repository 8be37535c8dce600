/**
 * The contact-center platform's HTTP client and what it answers: instances, numbers with their
 * bindings, and the typed failures its refusals become.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { CallingRules } from '../../domain/eligibility';
import { HttpServiceClient, type HttpServiceDeps } from '../http-client';

export type ContactCenterDeps = HttpServiceDeps;

export interface ContactCenterInstance {
  instanceId: string;
  enterpriseId: string;
  centerName: string;
  status: 'active' | 'suspended';
  admin: { name: string; email: string; passwordSet: boolean; passwordSetAt: string | null; passwordVersion: number };
  agreement: { version: string; acceptedAt: string };
  /** The app, IVR flow and skill group every instance starts with. */
  defaults: { appId: string; ivrFlowId: string; skillGroupId: string };
  createdAt: string;
  suspendedAt: string | null;
}

export interface NumberBinding {
  appId?: string;
  ivrFlowId?: string;
  skillGroupId?: string;
  callingRules?: CallingRules;
}

export interface AssignedNumber {
  /** E.164. */
  number: string;
  instanceId: string;
  enterpriseId: string;
  binding: {
    appId: string | null;
    ivrFlowId: string | null;
    skillGroupId: string | null;
    callingRules: CallingRules | null;
  };
  reference: string | null;
  assignedAt: string;
  updatedAt: string;
}

/** Failure types callers may branch on (`ApplicationFailure.type`). */
export const CONTACT_CENTER_FAILURES = {
  /** 5xx, 408, 429, no answer: retried. */
  unavailable: 'ContactCenterUnavailable',
  notFound: 'ContactCenterNotFound',
  centerNameTaken: 'CenterNameTaken',
  instanceSuspended: 'InstanceSuspended',
  numberAssignedElsewhere: 'NumberAssignedElsewhere',
  unknownReference: 'ContactCenterUnknownReference',
  /** Any other refusal (validation, reused idempotency key). */
  rejected: 'ContactCenterRejected',
} as const;

const FAILURE_BY_PROBLEM: Record<string, string> = {
  'not-found': CONTACT_CENTER_FAILURES.notFound,
  'center-name-taken': CONTACT_CENTER_FAILURES.centerNameTaken,
  'instance-suspended': CONTACT_CENTER_FAILURES.instanceSuspended,
  'number-assigned-elsewhere': CONTACT_CENTER_FAILURES.numberAssignedElsewhere,
  unprocessable: CONTACT_CENTER_FAILURES.unknownReference,
};

/** The platform's HTTP API; refusals become the typed failures above. */
export class ContactCenterClient extends HttpServiceClient {
  constructor(deps: ContactCenterDeps) {
    super('contact center', deps, {
      unavailable: (message) => ApplicationFailure.retryable(message, CONTACT_CENTER_FAILURES.unavailable),
      refused: ({ status, body, problem, message }) =>
        ApplicationFailure.create({
          type: FAILURE_BY_PROBLEM[problem] ?? CONTACT_CENTER_FAILURES.rejected,
          message,
          details: [{ status, body }],
          nonRetryable: true,
        }),
    });
  }
}

export function isFailure(err: unknown, type: string): boolean {
  return err instanceof ApplicationFailure && err.type === type;
}

export const seg = encodeURIComponent;
