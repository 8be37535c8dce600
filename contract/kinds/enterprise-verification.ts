/** Qualification review of an enterprise: pre-checked by the API, decided by support, resubmitted after a rejection. */
import { defineQuery } from '@temporalio/workflow';
import type { VerificationInput } from '../inputs';
import type {
  Application,
  VerificationResult,
  verificationPayloads,
  verificationStartSchema,
} from '../../domain/verification';
import { verificationId } from '../../domain/ids';
import { enterprise, kind, supportReview, supportReviewActions } from './define';

/** The application as it stands after every resubmission (the API merges a resubmission with it). */
export const applicationQuery = defineQuery<Application>('application');

export const enterpriseVerification = kind<{
  input: VerificationInput;
  result: VerificationResult;
  payloads: typeof verificationPayloads;
  start: typeof verificationStartSchema;
}>()({
  name: 'enterprise-verification',
  workflowType: 'enterpriseVerification',
  stages: ['prechecking', 'awaiting-review', 'awaiting-resubmission', 'approving'],
  actions: {
    ...supportReviewActions(
      'Approve the application',
      'Reject the application with coded reasons per document or field',
    ),
    resubmit: { roles: enterprise, summary: 'Resubmit corrected fields and documents after a rejection' },
  },
  failures: ['ResubmissionWindowExpired'],
  workflowId: verificationId,
  fixedId: true,
  // The API pre-checked the first round: it goes straight to review.
  opening: (input) => ({
    stage: 'awaiting-review',
    awaiting: supportReview(input.timings.reviewSlaMs),
    steps: [
      {
        name: 'pre-check round 1',
        status: 'done',
        detail: `${input.application.documents.length} documents, all rules passed`,
      },
    ],
  }),
});
