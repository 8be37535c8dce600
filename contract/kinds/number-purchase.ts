/** Buying fixed-line or 400 numbers: script review, reservation, payment, activation and binding. */
import type { NumberPurchaseInput } from '../inputs';
import type { NumberPurchaseResult, numberPurchasePayloads, numberPurchaseStartSchema } from '../../domain/numbers';

import { enterprise, kind, perRequestId, support } from './define';

export const numberPurchase = kind<{
  input: NumberPurchaseInput;
  result: NumberPurchaseResult;
  payloads: typeof numberPurchasePayloads;
  start: typeof numberPurchaseStartSchema;
}>()({
  name: 'number-purchase',
  workflowType: 'numberPurchase',
  stages: [
    'submitted',
    'awaiting-script-review',
    'awaiting-script-resubmission',
    'reserving',
    'charging',
    'awaiting-payment',
    'activating',
    'awaiting-400-routing',
  ],
  actions: {
    'approve-script': { roles: support, summary: 'Approve the call script' },
    'reject-script': { roles: support, summary: 'Reject the call script with a reason' },
    'resubmit-script': { roles: enterprise, summary: 'Resubmit a corrected call script' },
    'confirm-400-routing': { roles: support, summary: 'Confirm the 400 number is routed to the contact center' },
  },
  failures: ['ScriptResubmissionWindowExpired', 'NoCleanNumbers', 'PaymentDeadlinePassed'],
  workflowId: perRequestId('number-purchase'),
  fixedId: false,
  // The script is screened (an activity) before anyone is asked.
  opening: (input) => ({
    stage: 'submitted',
    awaiting: [],
    steps: [{ name: 'sized', status: 'done', detail: input.sizing.explanation }],
  }),
});
