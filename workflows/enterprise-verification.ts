/**
 * Enterprise verification: real-name verification and qualification review.
 *
 * submitted (the API pre-checked it) -> awaiting-review (support approves or rejects, reminded past
 * the SLA) -> rejected: awaiting-resubmission (the enterprise corrects within the window) ->
 * prechecking (the corrected application, by an activity) -> back to review -> approved: billing
 * customer created, enterprise told. One case holds every round.
 */
import { setHandler } from '@temporalio/workflow';
import { applicationQuery } from '../contract/kinds/enterprise-verification';
import type { ApplicationFacts, VerificationInput } from '../contract/inputs';
import type { Application, VerificationResult } from '../domain/verification';
import { applyResubmission } from '../domain/resubmission';
import { checks } from './lib/activities';
import { billingCustomerReady, ensureBillingCustomer } from './lib/billing-customer';
import { isoAt, now, type OnboardingCase, type Received } from './lib/case';
import { openCase } from './lib/open-case';

export async function enterpriseVerification(input: VerificationInput): Promise<VerificationResult> {
  const c = openCase('enterprise-verification', input, 'awaiting-review');
  const { mail } = c;
  let application = input.application;
  let facts: ApplicationFacts = input.facts;
  setHandler(applicationQuery, () => application);

  return c.run(
    {
      kindLabel: '企业资质审核 / enterprise verification',
      to: () => application.contact.email,
      companyName: () => application.company.name,
    },
    async () => {
      for (let round = 1; ; round++) {
        const company = application.company.name;
        let rejectedAt: number;
        // The first round was pre-checked by the API; each resubmission is pre-checked here.
        const precheck =
          round === 1
            ? { failures: [], facts }
            : await checks.precheckApplication.executeWithOptions(
                { summary: `pre-check the application (round ${round})` },
                [{ enterpriseId: input.enterpriseId, application }],
              );
        if (precheck.failures.length > 0) {
          c.step(`pre-check round ${round}`, 'failed', precheck.failures.map((f) => `${f.path}: ${f.code}`).join('; '));
          rejectedAt = now();
          mail.send(`precheck-failed/${round}`, application.contact.email, 'verification-precheck-failed', {
            caseId: c.state.id,
            companyName: company,
            failures: precheck.failures,
            resubmitBy: isoAt(rejectedAt + input.timings.resubmissionWindowMs),
          });
        } else {
          facts = precheck.facts;
          c.step(`pre-check round ${round}`, 'done', `${application.documents.length} documents, all rules passed`);
          const decision = await review(c, input, application, round);
          if (decision.name === 'approve') {
            c.enter('approving');
            const enterprise = {
              enterpriseId: input.enterpriseId,
              companyName: company,
              contactEmail: application.contact.email,
            };
            const { customerId } = await ensureBillingCustomer(enterprise);
            billingCustomerReady(c, enterprise, customerId);
            return approved(c, input, application, facts, decision, round, customerId);
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
        const resubmission = await c.awaitAction(
          'awaiting-resubmission',
          [{ action: 'resubmit', role: 'enterprise' }],
          {
            deadlineMs: resubmitBy - now(),
          },
        );
        if (!resubmission) {
          mail.send('expired', application.contact.email, 'verification-expired', {
            caseId: c.state.id,
            companyName: company,
            rejectedAt: isoAt(rejectedAt),
          });
          throw c.fail('ResubmissionWindowExpired', `no resubmission by ${isoAt(resubmitBy)}`);
        }
        application = applyResubmission(application, resubmission.payload);
        c.enter('prechecking');
      }
    },
  );
}

type VerificationCase = OnboardingCase<'enterprise-verification'>;

/** Support reviews the pre-checked application, reminded every SLA period it waits. */
function review(c: VerificationCase, input: VerificationInput, application: Application, round: number) {
  const { mail } = c;
  const company = application.company.name;
  return c.awaitAction(
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
          dueAt: isoAt(dueAt ?? now()),
        }),
      remindEveryMs: input.timings.reviewSlaMs,
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
}

/** The approved application's result; the enterprise is told. */
function approved(
  c: VerificationCase,
  input: VerificationInput,
  application: Application,
  facts: ApplicationFacts,
  decision: Received<'enterprise-verification', 'approve'>,
  round: number,
  customerId: string,
): VerificationResult {
  const company = application.company.name;
  const result: VerificationResult = {
    decision: 'approved',
    enterpriseId: input.enterpriseId,
    company: {
      name: company,
      unifiedSocialCreditCode: application.company.unifiedSocialCreditCode,
      entityType: application.company.entityType,
    },
    mayHoldFixedLines: facts.mayHoldFixedLines,
    licence: facts.licence,
    applicantType: application.applicantType,
    contact: { name: application.contact.name, email: application.contact.email },
    rounds: round,
    approvedAt: isoAt(now()),
    approvedBy: `${decision.actor.role}:${decision.actor.name}`,
    ...(decision.payload.note ? { note: decision.payload.note } : {}),
    billingCustomerId: customerId,
  };
  c.mail.send('approved', application.contact.email, 'verification-approved', {
    caseId: c.state.id,
    companyName: company,
    licenceEffectiveEnd: result.licence.effectiveEnd,
    licenceLongTerm: result.licence.longTerm,
    mayHoldFixedLines: result.mayHoldFixedLines,
  });
  return result;
}
