/** Bringing the enterprise's own fixed lines in over a SIP trunk: review, allowlists, connectivity, test calls, numbers. */
import type { SipTrunkInput } from '../inputs';
import type { SipReport, SipTrunkResult, sipTrunkPayloads, sipTrunkStartSchema } from '../../domain/sip';

import {
  confirmInboundTest,
  confirmSbcChange,
  enterprise,
  kind,
  perRequestId,
  supportReview,
  supportReviewActions,
} from './define';

export const sipTrunk = kind<{
  input: SipTrunkInput;
  result: SipTrunkResult | SipReport;
  payloads: typeof sipTrunkPayloads;
  start: typeof sipTrunkStartSchema;
}>()({
  name: 'sip-trunk',
  workflowType: 'sipTrunk',
  stages: [
    'awaiting-gateway',
    'awaiting-review',
    'allowlisting',
    'awaiting-customer-whitelist',
    'connectivity-check',
    'connectivity-failed',
    'test-calls',
    'awaiting-inbound-test',
    'assigning-numbers',
  ],
  actions: {
    ...supportReviewActions('Approve the SIP trunk application'),
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
    'confirm-inbound-test': confirmInboundTest,
    'confirm-sbc-change': confirmSbcChange,
  },
  failures: ['Rejected', 'WhitelistNotConfirmed', 'ConnectivityFailed', 'OutboundTestFailed', 'InboundTestFailed'],
  workflowId: perRequestId('sip-trunk'),
  fixedId: false,
  // A carrier that cannot trunk puts in a gateway that can before review.
  opening: ({ request, timings }) =>
    request.carrierSupportsSipTrunk === false
      ? {
          stage: 'awaiting-gateway',
          awaiting: [{ action: 'confirm-gateway-ready', role: 'enterprise', dueInMs: timings.whitelistReminderMs }],
        }
      : { stage: 'awaiting-review', awaiting: supportReview(timings.reviewSlaMs) },
});
