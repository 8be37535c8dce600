/**
 * Enterprise real-name verification (seed 002 step 2): the company and its legal representative,
 * checked by the API (the code's and the ID's check characters, the licence document) before the
 * case starts, then decided by support unless the enterprise's approved qualification of the same
 * company decided it already. Approved: billing customer ready, enterprise told; its instance can
 * be created now, its numbers wait for the qualification review.
 */
import { setHandler } from '@temporalio/workflow';
import { realNameQuery } from '../contract/kinds/enterprise-real-name';
import type { RealNameInput } from '../contract/inputs';
import type { RealNameResult } from '../domain/real-name';
import { billingCustomerReady, ensureBillingCustomer } from './lib/billing-customer';
import { isoAt, now } from './lib/case';
import { openCase } from './lib/open-case';

export async function enterpriseRealName(input: RealNameInput): Promise<RealNameResult> {
  const { request } = input;
  const company = request.company.name;
  const c = openCase('enterprise-real-name', input, 'awaiting-review');
  setHandler(realNameQuery, () => ({ company: request.company, legalRepresentative: request.legalRepresentative }));
  const { mail } = c;
  const base = { caseId: c.state.id, companyName: company };
  const enterprise = { enterpriseId: input.enterpriseId, companyName: company, contactEmail: request.contact.email };

  return c.run(
    {
      kindLabel: '企业实名认证 / real-name verification',
      to: () => request.contact.email,
      companyName: () => company,
    },
    async () => {
      let decidedBy: string;
      if (input.decidedBy) {
        decidedBy = input.decidedBy;
        c.step('decided at once', 'done', decidedBy);
      } else {
        const decision = await c.awaitAction(
          'awaiting-review',
          [
            { action: 'approve', role: 'support' },
            { action: 'reject', role: 'support' },
          ],
          {
            onEnter: (dueAt) =>
              mail.send('submitted', 'support', 'real-name-submitted', {
                ...base,
                unifiedSocialCreditCode: request.company.unifiedSocialCreditCode,
                legalRepresentative: request.legalRepresentative.name,
                dueAt: isoAt(dueAt ?? now()),
              }),
            remindEveryMs: input.timings.reviewSlaMs,
            onReminder: (reminder, since) =>
              c.step(`review reminder ${reminder}`, 'done', `waiting since ${isoAt(since)}`),
          },
        );
        if (decision.name === 'reject') {
          mail.send('rejected', request.contact.email, 'real-name-rejected', {
            ...base,
            reasons: decision.payload.reasons,
          });
          throw c.fail(
            'Rejected',
            decision.payload.reasons.map((r) => `${r.field ? `${r.field}: ` : ''}${r.code}: ${r.message}`).join('; '),
          );
        }
        decidedBy = `${decision.actor.role}:${decision.actor.name}`;
      }

      c.enter('approving');
      const { customerId } = await ensureBillingCustomer(enterprise);
      billingCustomerReady(c, enterprise, customerId);
      mail.send('approved', request.contact.email, 'real-name-approved', base);
      return {
        decision: 'approved',
        enterpriseId: input.enterpriseId,
        company: request.company,
        legalRepresentative: { name: request.legalRepresentative.name },
        contact: { name: request.contact.name, email: request.contact.email },
        decidedBy,
        approvedAt: isoAt(now()),
        billingCustomerId: customerId,
      };
    },
  );
}
