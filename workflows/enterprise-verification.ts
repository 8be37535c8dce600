/**
 * Enterprise verification: real-name verification and qualification review.
 *
 * submit -> automatic pre-check -> awaiting-review (support approves or rejects, reminded past the
 * SLA) -> rejected: awaiting-resubmission (enterprise corrects within the window, back to review)
 * -> approved: billing customer created, enterprise told. One case holds every round.
 */
import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { DocumentActivities } from '../activities/documents';
import { chinaDate } from '../domain/common';
import {
  applicationSchema,
  applyResubmission,
  precheckApplication,
  verificationActions,
  verificationResult,
  type Application,
  type VerificationResult,
} from '../domain/verification';
import { action, failureOf, isoAt, now, OnboardingCase } from './lib/case';
import { billing } from './lib/activities';
import { Notifier, runKey } from './lib/notify';

const { checkDocuments } = proxyActivities<DocumentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 },
});

export interface VerificationInput {
  enterpriseId: string;
  application: Application;
  timings: { reviewSlaMs: number; resubmissionWindowMs: number };
}

export const VERIFICATION_STAGES = ['prechecking', 'awaiting-review', 'awaiting-resubmission', 'approving'] as const;

export async function enterpriseVerification(input: VerificationInput): Promise<VerificationResult> {
  const c = new OnboardingCase({ kind: 'enterprise-verification', enterpriseId: input.enterpriseId, stage: 'prechecking' });
  const mail = new Notifier(c);
  const parsed = applicationSchema.safeParse(input.application);
  if (!parsed.success) {
    throw c.fail('InvalidInput', `the application is malformed: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  let application = parsed.data;
  const today = () => chinaDate(now());

  c.handle([
    action('approve', verificationActions.approve),
    action('reject', verificationActions.reject),
    action('resubmit', verificationActions.resubmit, (patch) => precheckApplication(applyResubmission(application, patch), today())),
  ]);

  try {
    for (let round = 1; ; round++) {
      const company = application.company.name;
      c.enter('prechecking');
      const failures = [
        ...precheckApplication(application, today()),
        ...(await checkDocuments.executeWithOptions({ summary: `check ${application.documents.length} documents (round ${round})` }, [
          { enterpriseId: input.enterpriseId, documents: application.documents },
        ])),
      ];

      let rejectedAt: number;
      if (failures.length > 0) {
        c.step(`pre-check round ${round}`, 'failed', failures.map((f) => `${f.path}: ${f.code}`).join('; '));
        rejectedAt = now();
        mail.send(`precheck-failed/${round}`, application.contact.email, 'verification-precheck-failed', {
          caseId: c.state.id,
          companyName: company,
          failures,
          resubmitBy: isoAt(rejectedAt + input.timings.resubmissionWindowMs),
        });
      } else {
        c.step(`pre-check round ${round}`, 'done', `${application.documents.length} documents, all rules passed`);
        const decision = await review(c, mail, application, round, input.timings.reviewSlaMs);
        if (decision.name === 'approve') {
          c.enter('approving');
          const { customerId } = await billing.ensureBillingCustomer.executeWithOptions({ summary: `billing customer for ${company}` }, [
            { enterpriseId: input.enterpriseId, name: company, contactEmail: application.contact.email, idempotencyKey: runKey('billing-customer') },
          ]);
          c.step('billing customer ready', 'done', customerId);
          const result = verificationResult(application, input.enterpriseId, {
            rounds: round,
            approvedAt: isoAt(now()),
            approvedBy: `${decision.actor.role}:${decision.actor.name}`,
            note: decision.payload.note,
            billingCustomerId: customerId,
          });
          mail.send('approved', application.contact.email, 'verification-approved', {
            caseId: c.state.id,
            companyName: company,
            licenceEffectiveEnd: result.licence.effectiveEnd,
            mayHoldFixedLines: result.mayHoldFixedLines,
          });
          await mail.flush();
          c.complete(result);
          return result;
        }
        rejectedAt = now();
        mail.send(`rejected/${round}`, application.contact.email, 'verification-rejected', {
          caseId: c.state.id,
          companyName: company,
          reasons: decision.payload.reasons,
          resubmitBy: isoAt(rejectedAt + input.timings.resubmissionWindowMs),
        });
      }

      const resubmitBy = rejectedAt + input.timings.resubmissionWindowMs;
      const resubmission = await c.awaitAction('awaiting-resubmission', [{ action: 'resubmit', role: 'enterprise' }], {
        deadlineMs: resubmitBy - now(),
      });
      if (!resubmission) {
        mail.send('expired', application.contact.email, 'verification-expired', {
          caseId: c.state.id,
          companyName: company,
          rejectedAt: isoAt(rejectedAt),
        });
        await mail.flush();
        throw c.fail('ResubmissionWindowExpired', `no resubmission by ${isoAt(resubmitBy)}`);
      }
      application = applyResubmission(application, resubmission.payload);
    }
  } catch (err) {
    if (isCancellation(err)) {
      mail.send('cancelled', application.contact.email, 'case-cancelled', {
        caseId: c.state.id,
        companyName: application.company.name,
        kindLabel: '企业资质审核 / enterprise verification',
        reason: c.cancelReason,
      });
      await mail.flush();
      c.cancelled();
    } else if (c.state.status === 'running') {
      const failure = failureOf(err);
      c.fail(failure.type, failure.message);
    }
    throw err;
  }
}

/** Support reviews; past the SLA, support is reminded, again every SLA period. */
async function review(c: OnboardingCase, mail: Notifier, application: Application, round: number, slaMs: number) {
  const company = application.company.name;
  const decision = await c.awaitAction(
    'awaiting-review',
    [
      { action: 'approve', role: 'support' },
      { action: 'reject', role: 'support' },
    ],
    {
      onEnter: (dueAt) =>
        mail.send(`submitted/${round}`, 'support', 'verification-submitted', {
          caseId: c.state.id,
          companyName: company,
          applicantType: application.applicantType,
          round,
          dueAt: isoAt(dueAt!),
        }),
      remindEveryMs: slaMs,
      onReminder: (reminder, since) => {
        c.step(`review reminder ${reminder}`, 'done', `waiting since ${isoAt(since)}`);
        mail.send(`review-reminder/${round}/${reminder}`, 'support', 'verification-review-reminder', {
          caseId: c.state.id,
          companyName: company,
          waitingSince: isoAt(since),
          reminder,
        });
      },
    },
  );
  // No deadline: review always ends in a decision.
  return decision!;
}
