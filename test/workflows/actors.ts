/** Who acts on a case under test (support staff, an administrator, an enterprise's applicant), and support's rejection in review. */
import type { WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';
import type { ActingKind, ActionName, Payload } from '../../contract/actions';
import type { Actor } from '../../contract/case';
import { act, failureOf, stageOf } from './cases';
import type { MockedName, Scenario } from './support';

export const support: Actor = { role: 'support', name: 'ops' };
export const admin: Actor = { role: 'admin', name: 'root' };
export function enterprise(enterpriseId: string): Actor {
  return { role: 'enterprise', name: 'applicant', enterpriseId };
}

/** The kinds whose review support can reject with a reason. */
type RejectingKind = { [K in ActingKind]: 'reject' extends ActionName<K> ? K : never }[ActingKind];

/** Support rejects the case in its review with this payload (its reason): the failure the case then ended with. */
export async function rejectedInReview<K extends RejectingKind>(
  handle: WorkflowHandle,
  kind: K,
  payload: Payload<K, 'reject' & ActionName<K>>,
): Promise<ApplicationFailure> {
  await stageOf(handle, 'awaiting-review');
  await act(handle, kind, 'reject', support, payload);
  return failureOf(handle);
}

/**
 * Support rejects the case in its review for a reason: the case ends failing with `type` and the
 * reason, having emailed the review request and then the rejection, which gives the reason.
 */
export async function expectRejectedInReview<K extends RejectingKind>(
  s: Scenario,
  handle: WorkflowHandle,
  kind: K,
  payload: Payload<K, 'reject' & ActionName<K>> & { reason: string },
  ending: { type: string; emails: [review: string, rejection: string] },
): Promise<void> {
  const { reason } = payload;
  expect(await rejectedInReview(handle, kind, payload)).toMatchObject({ type: ending.type, message: reason });
  expect(s.templates()).toEqual(ending.emails);
  expect(s.emails(ending.emails[1])[0]?.data).toMatchObject({ reason });
}

/** What a SIP case writes to the SBC: its allowlist row or account, and their removal. */
const SBC_WRITES: MockedName[] = ['allowGateway', 'disallowGateway', 'issueSipCredentials', 'deleteSipAccountsOf'];

/** A SIP case (trunk or registration) rejected in review: nothing written to the SBC, no report sent. */
export async function expectSipRejectedInReview<K extends 'sip-trunk' | 'sip-registration'>(
  s: Scenario,
  handle: WorkflowHandle,
  kind: K,
  payload: Payload<K, 'reject' & ActionName<K>> & { reason: string },
): Promise<void> {
  await expectRejectedInReview(s, handle, kind, payload, { type: 'Rejected', emails: ['sip-review', 'sip-rejected'] });
  for (const name of SBC_WRITES) expect(s.calls(name), name).toHaveLength(0);
}
