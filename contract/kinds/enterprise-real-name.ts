/** Real-name verification of the enterprise (seed 002 step 2): support decides, or an approved qualification of the same company already did. */
import { defineQuery } from '@temporalio/workflow';
import type { RealNameInput } from '../inputs';
import type { RealNameResult, RealNameStart, realNamePayloads, realNameStartSchema } from '../../domain/real-name';
import { realNameId } from '../../domain/ids';
import { kind, supportReview, supportReviewActions } from './define';

/** The company as the enterprise gave it (the forms it prints are made out to it). */
export const realNameQuery = defineQuery<Pick<RealNameStart, 'company' | 'legalRepresentative'>>('real-name');

export const enterpriseRealName = kind<{
  input: RealNameInput;
  result: RealNameResult;
  payloads: typeof realNamePayloads;
  start: typeof realNameStartSchema;
}>()({
  name: 'enterprise-real-name',
  workflowType: 'enterpriseRealName',
  stages: ['awaiting-review', 'approving'],
  actions: {
    ...supportReviewActions('Approve the real-name verification', 'Reject it with coded reasons'),
  },
  failures: ['Rejected'],
  workflowId: realNameId,
  fixedId: true,
  // An approved qualification of the same company decides it at once; otherwise support reviews it.
  opening: (input) =>
    input.decidedBy
      ? {
          stage: 'approving',
          awaiting: [],
          steps: [{ name: 'decided at once', status: 'done', detail: input.decidedBy }],
        }
      : { stage: 'awaiting-review', awaiting: supportReview(input.timings.reviewSlaMs) },
});
