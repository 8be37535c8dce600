/** A gateway without a public IP: it registers to the provider with a digest account, which the enterprise may rotate. */
import type { SipRegistrationInput } from '../inputs';
import type {
  SipRegistrationView,
  SipReport,
  sipRegistrationPayloads,
  sipRegistrationStartSchema,
} from '../../domain/sip';
import {
  confirmInboundTest,
  confirmSbcChange,
  enterprise,
  kind,
  perRequestId,
  support,
  supportReview,
  supportReviewActions,
} from './define';

export const sipRegistration = kind<{
  input: SipRegistrationInput;
  result: SipRegistrationView | SipReport;
  payloads: typeof sipRegistrationPayloads;
  start: typeof sipRegistrationStartSchema;
}>()({
  name: 'sip-registration',
  workflowType: 'sipRegistration',
  stages: [
    'awaiting-review',
    'issuing-credentials',
    'awaiting-registration',
    'test-calls',
    'awaiting-inbound-test',
    'assigning-numbers',
    'registered',
  ],
  actions: {
    ...supportReviewActions('Approve the SIP registration application'),
    'rotate-credentials': { roles: enterprise, summary: 'Issue a new gateway password; the old one stops working' },
    'confirm-registration': {
      roles: support,
      summary: 'Confirm the gateway registered (where the SBC cannot observe registrations)',
    },
    'confirm-inbound-test': confirmInboundTest,
    'confirm-sbc-change': confirmSbcChange,
  },
  failures: ['Rejected', 'NotRegistered', 'OutboundTestFailed', 'InboundTestFailed'],
  workflowId: perRequestId('sip-registration'),
  fixedId: false,
  opening: (input) => ({ stage: 'awaiting-review', awaiting: supportReview(input.timings.reviewSlaMs) }),
});
