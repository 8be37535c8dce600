/**
 * The life of purchased numbers after activation: monthly rent, renewal (automatic or by the
 * enterprise, reminded before expiry), expiry, a 7-day grace in which a renewal still keeps the
 * numbers, then release. Each paid period continues as new, so history stays bounded for years.
 * Numbers are never kept without a live subscription: a cancelled one releases them at once.
 */
import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { SubscriptionInput } from '../contract/inputs';
import { isoAt, now, type OnboardingCase, type Received } from './lib/case';
import { contactEnding } from './lib/case-types';
import { openCase } from './lib/open-case';
import { billing, gateway, platform } from './lib/activities';
import type { SubscriptionResult, SubscriptionView } from '../domain/numbers';

/** Steps carried across continue-as-new, so the case's recent log survives each period. */
const CARRIED_STEPS = 20;

export async function numberSubscription(input: SubscriptionInput): Promise<SubscriptionResult> {
  const c = openCase('number-subscription', input, 'active', {
    steps: input.carriedSteps,
  });
  const { mail, undo } = c;
  const numbers = input.numbers.display;
  Object.assign(c.facts, { instanceId: input.instanceId, numbers, inService: true });
  const base = mailBase(c, input);
  let autoRenew = input.autoRenew;
  const { remindersBeforeMs, graceMs } = input.timings;
  const awaited = [
    { action: 'renew', role: 'enterprise' },
    { action: 'release', role: 'enterprise' },
    { action: 'set-auto-renew', role: 'enterprise' },
  ] as const;
  if (input.renewals === 0 && input.carriedSteps.length === 0)
    c.step('subscription started', 'done', `paid until ${isoAt(input.paidThrough)}`);
  c.state.result = { paidThrough: isoAt(input.paidThrough), autoRenew, renewals: input.renewals, numbers };

  // However the subscription ends (cancelled, or a failure), the numbers go with it.
  const releasing = undo.add('release the numbers', () =>
    releaseNumbers(c, input, c.cancelReason ? `cancelled: ${c.cancelReason}` : 'the subscription ended'),
  );

  return c.run(contactEnding(input, '号码订阅 / number subscription'), async () => {
    const release = async (reason: string): Promise<SubscriptionResult> => {
      c.enter('releasing');
      releasing.retire();
      c.step('numbers released', 'done', await releaseNumbers(c, input, reason));
      return {
        status: 'released',
        numbers,
        releasedAt: isoAt(now()),
        reason,
        paidThrough: isoAt(input.paidThrough),
        renewals: input.renewals,
      };
    };

    /** Handles one action; returns a result when the subscription ends. */
    const onAction = async (
      a: Received<'number-subscription', 'renew' | 'release' | 'set-auto-renew'>,
    ): Promise<SubscriptionResult | undefined> => {
      switch (a.name) {
        case 'set-auto-renew':
          autoRenew = a.payload.autoRenew;
          c.state.result = { ...(c.state.result as SubscriptionView), autoRenew };
          return undefined;
        case 'release':
          return release(a.payload.reason ?? 'released by the enterprise');
        case 'renew':
          c.enter('renewing');
          await renew(c, input, autoRenew, 'by the enterprise');
          return undefined;
      }
    };

    // Active: reminders before expiry unless renewing automatically (those already past are skipped).
    const reminderTimes = remindersBeforeMs.map((before) => input.paidThrough - before).sort((a, b) => a - b);
    let nextReminder = reminderTimes.filter((at) => at <= now()).length;
    while (now() < input.paidThrough) {
      const reminderAt = autoRenew ? undefined : reminderTimes[nextReminder];
      const wakeAt = Math.min(input.paidThrough, reminderAt ?? Infinity);
      const got = await c.awaitAction('active', awaited, { deadlineMs: wakeAt - now() });
      if (got) {
        const ended = await onAction(got);
        if (ended) return ended;
      } else if (reminderAt !== undefined && now() >= reminderAt && now() < input.paidThrough) {
        c.step('renewal reminder', 'done', `expires ${isoAt(input.paidThrough)}`);
        mail.send(`reminder/${input.paidThrough}/${nextReminder}`, input.contactEmail, 'subscription-reminder', {
          ...base,
          expiresAt: isoAt(input.paidThrough),
          amountFen: input.monthlyRentFen,
        });
        nextReminder++;
      }
    }

    // Expired.
    let why = 'not renewed';
    if (autoRenew) {
      c.enter('renewing');
      await renew(c, input, autoRenew, 'automatic');
      why = 'automatic renewal failed: insufficient balance';
    }
    const releaseAt = input.paidThrough + graceMs;
    c.step('expired', 'done', `${why}; kept until ${isoAt(releaseAt)}`);
    mail.send(`grace/${input.paidThrough}`, input.contactEmail, 'subscription-in-grace', {
      ...base,
      releaseAt: isoAt(releaseAt),
      amountFen: input.monthlyRentFen,
      reason: why,
    });
    while (now() < releaseAt) {
      const got = await c.awaitAction('grace', awaited, { deadlineMs: releaseAt - now() });
      if (!got) break;
      const ended = await onAction(got);
      if (ended) return ended;
      c.enter('grace');
    }
    return release(`not renewed by ${isoAt(releaseAt)}, the end of the grace period`);
  });
}

type SubscriptionCase = OnboardingCase<'number-subscription'>;

function mailBase(c: SubscriptionCase, input: SubscriptionInput) {
  return { caseId: c.state.id, companyName: input.companyName, numbers: input.numbers.display };
}

/** Takes the numbers off the instance and returns them to inventory; idempotent. */
async function releaseNumbers(c: SubscriptionCase, input: SubscriptionInput, reason: string): Promise<string> {
  const numbers = input.numbers.display;
  c.facts.inService = false;
  await gateway.unassignNumbers.executeWithOptions({ summary: `unassign ${numbers.length} number(s)` }, [
    { numbers: input.numbers.e164, reference: input.purchaseId },
  ]);
  await platform.platformUnassignNumbers.executeWithOptions(
    { summary: `unbind ${numbers.length} number(s) in contact center ${input.instanceId}` },
    [
      {
        instanceId: input.instanceId,
        numbers: input.numbers.e164,
        idempotencyKey: `${workflowInfo().workflowId}/platform-release`,
      },
    ],
  );
  await billing.releaseNumbers.executeWithOptions({ summary: 'return numbers to inventory' }, [
    { numbers: input.numbers.e164, reference: c.state.id, idempotencyKey: `${workflowInfo().workflowId}/release` },
  ]);
  c.mail.send('released', input.contactEmail, 'subscription-released', { ...mailBase(c, input), reason });
  return `${numbers.join(', ')} released: ${reason}`;
}

/**
 * Charges one period; a paid period continues as new with rent paid one period further (and
 * `autoRenew` as the enterprise last set it). Returns false when the balance is too low.
 */
async function renew(c: SubscriptionCase, input: SubscriptionInput, autoRenew: boolean, how: string): Promise<boolean> {
  const period = input.paidThrough;
  const outcome = await billing.chargeRent.executeWithOptions(
    { summary: `rent for the period from ${isoAt(period)}` },
    [
      {
        customerId: input.customerId,
        amountFen: input.monthlyRentFen,
        description: `monthly rent ${input.numbers.display.join(', ')}`,
        reference: c.state.id,
        // One charge per paid period, whatever the run or the retry.
        idempotencyKey: `${workflowInfo().workflowId}/rent/${period}`,
      },
    ],
  );
  if (outcome.status !== 'paid') {
    c.step(`renewal (${how})`, 'failed', `balance ${outcome.balanceFen} fen, rent ${input.monthlyRentFen} fen`);
    return false;
  }
  const paidThrough = period + input.timings.periodMs;
  c.step(`renewal (${how})`, 'done', `paid until ${isoAt(paidThrough)}`);
  c.mail.send(`renewed/${period}`, input.contactEmail, 'subscription-renewed', {
    ...mailBase(c, input),
    paidThrough: isoAt(paidThrough),
    amountFen: input.monthlyRentFen,
  });
  await c.mail.flush();
  await c.eventsRecorded();
  await condition(allHandlersFinished);
  return continueAsNew<typeof numberSubscription>({
    ...input,
    paidThrough,
    autoRenew,
    renewals: input.renewals + 1,
    carriedSteps: c.state.steps.slice(-CARRIED_STEPS),
    journeyId: c.journey,
  });
}
