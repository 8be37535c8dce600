/** Who acts on a case under test (support staff, an administrator, an enterprise's applicant), and support's rejection in review. */
import type { WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import type { ActingKind, ActionName, Payload } from '../../contract/actions';
import type { Actor } from '../../contract/case';
import { act, failureOf, stageOf } from './cases';

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
