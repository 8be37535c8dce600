/** A supplier's lines: eligibility (API), review, supplier hand-off, import and binding. */
import type { ThirdPartyLineInput } from '../inputs';
import type { ThirdPartyLineResult, thirdPartyLinePayloads, thirdPartyLineStartSchema } from '../../domain/eligibility';
import { kind, perRequestId, support, supportReview, supportReviewActions } from './define';

export const thirdPartyLine = kind<{
  input: ThirdPartyLineInput;
  result: ThirdPartyLineResult;
  payloads: typeof thirdPartyLinePayloads;
  start: typeof thirdPartyLineStartSchema;
}>()({
  name: 'third-party-line',
  workflowType: 'thirdPartyLine',
  stages: ['awaiting-review', 'awaiting-supplier', 'awaiting-numbers', 'importing', 'binding'],
  actions: {
    ...supportReviewActions('Approve the application and send it to the supplier'),
    'supplier-approved': { roles: support, summary: 'Record that the supplier accepted the application' },
    'supplier-rejected': { roles: support, summary: "Record the supplier's refusal and its reason" },
    'numbers-opened': { roles: support, summary: 'Record the numbers the supplier opened' },
  },
  failures: ['RejectedBySupport', 'RejectedBySupplier'],
  workflowId: perRequestId('third-party-line'),
  fixedId: false,
  // The API checked eligibility: support reviews at once.
  opening: (input) => ({
    stage: 'awaiting-review',
    awaiting: supportReview(input.timings.reviewSlaMs),
    steps: [{ name: 'eligibility', status: 'done', detail: `${input.product.id}: every rule passed` }],
  }),
});
