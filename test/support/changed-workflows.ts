/**
 * The current workflows with one change that alters their command sequence and is not guarded by
 * `patched`: the replay test proves that such a change is caught.
 */
import { sleep } from '@temporalio/workflow';
import type { VerificationInput } from '../../contract/inputs';
import { enterpriseVerification as current } from '../../workflows/enterprise-verification';

export async function enterpriseVerification(input: VerificationInput) {
  await sleep('1 second');
  return current(input);
}
