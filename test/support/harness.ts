/**
 * A whole product stack for one test file, on the suite's Temporal server and workflow bundle
 * (from global-setup through vitest's `inject`): see `stack.ts`, which holds everything that does
 * not need vitest, for `npm run bench` and `npm run chaos` too. Tenants get fresh ids per harness.
 */
import { inject } from 'vitest';
import type { SipGateway } from '../../activities/sip-gateway';
import { startStack, type Stack, type StackOptions } from './stack';

export { caseApi, type CaseApi } from './api';

export {
  activityRunning,
  bearer,
  billingCall,
  caseWhen,
  completedAttempt,
  eventually,
  MailCatcher,
  sandboxRequests,
  type ReceivedEmail,
} from './stack';

export type Harness = Stack;

export interface HarnessOptions extends Omit<StackOptions, 'temporalAddress' | 'workflowBundlePath' | 'env'> {
  /** A SIP gateway double, e.g. one that fails, in place of the recording gateway. */
  sipGateway?: SipGateway;
}

export async function startHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  return startStack({
    ...options,
    env,
    temporalAddress: inject('temporalAddress'),
    workflowBundlePath: inject('workflowBundlePath'),
  });
}
