/**
 * Own 400 number landed through an invoice remark, or forwarded from its base number.
 *
 * buy fixed line(s) for the 400 number (a number-purchase child case, its application stating the
 * 400 number) -> invoice for that order, titled with the company name, the fixed lines in its
 * remark -> the enterprise takes the invoice to its 400 operator, who re-points the 400 number ->
 * confirm-400-landed -> a test call to the 400 number arrives on the fixed line, proven by the SBC's
 * call record (support confirms it only where the SBC cannot observe calls) -> done.
 *
 * Forwarding (seed 003 Q3's second way): a fixed line bought (or one the enterprise holds) -> the
 * enterprise is told how to have the 400's base number forwarded to it, with the caveats (one line
 * is busy for a second caller; the operator's trunk function carries at most 20 lines; callers
 * show only if the operator passes them through) -> confirm-400-forwarded -> the same test call.
 */
import { condition, executeChild, patched } from '@temporalio/workflow';
import type { LandingTimings } from '../config';
import type { Own400LandingInput } from '../contract/inputs';
import type { Invoice } from '../activities/billing';
import type { CallRecord } from '../activities/sip-gateway';
import { billing, gateway, sipWatch } from './lib/activities';
import { BillingEvents } from './lib/billing-events';
import { childCase } from './lib/children';
import { isoAt, now, type OnboardingCase } from './lib/case';
import { contactEnding } from './lib/case-types';
import { openCase } from './lib/open-case';
import { runKey } from './lib/notify';
import { numberPurchase } from './number-purchase';
import { fixedLinePurchaseId } from '../contract/kinds/own-400-landing';
import type { Own400LandingResult } from '../domain/own400';
import type { NumberPurchaseResult } from '../domain/numbers';

export async function own400Landing(input: Own400LandingInput): Promise<Own400LandingResult> {
  const { request, timings } = input;
  const own400 = input.own400Display;
  const c = openCase('own-400-landing', input, 'purchasing-fixed-line', {
    instanceId: request.binding.instanceId,
  });
  const { mail } = c;
  const billingEvents = new BillingEvents();
  const base = { caseId: c.state.id, companyName: input.companyName, own400Number: own400 };
  const timeline: Record<string, string> = { started: isoAt(now()) };

  return c.run(
    // A running fixed-line purchase is cancelled with this case and undoes its own billing steps;
    // once the lines are paid they stay, as a subscription.
    contactEnding(input, '自有400号码接入 / own 400 number landing', (error) =>
      mail.send('failed', input.contactEmail, 'landing-failed', { ...base, reason: error.message }),
    ),
    async () => {
      // Only cases started with mode "forward" reach the marker: every earlier case re-binds.
      const forward = request.mode === 'forward' && patched('own-400-forward-mode');
      if (forward && input.existingLines) {
        const lines = input.existingLines;
        c.step('fixed line chosen', 'done', `${lines.display.join(', ')}, held by the enterprise already`);
        await forwarded(c, input, lines.display, timeline);
        return verifyAndFinish(c, input, { lines, purchaseId: undefined, orderId: undefined, invoice: null }, timeline);
      }
      // 1-2. Fixed lines for the 400 number.
      const purchaseId = fixedLinePurchaseId(c.state.id);
      const purchase: NumberPurchaseResult = await buyFixedLines(c, input, purchaseId);
      const fixedLines = purchase.numbers;
      timeline.fixedLinesActive = purchase.paidAt;
      c.step('fixed lines bought', 'done', `${fixedLines.join(', ')} (order ${purchase.orderId})`);
      if (forward) {
        await forwarded(c, input, fixedLines, timeline);
        const lines = { e164: purchase.numbersE164, display: fixedLines };
        return verifyAndFinish(c, input, { lines, purchaseId, orderId: purchase.orderId, invoice: null }, timeline);
      }

      // 3-4. The invoice the operator is shown.
      c.enter('awaiting-invoice');
      const requested = await requestInvoice(c, input, purchase);
      timeline.invoiceRequested = requested.requestedAt;
      c.step('invoice requested', 'done', `${requested.id}: "${requested.title}", remark "${requested.remark ?? ''}"`);
      const invoice = await issuedInvoice(c, requested, billingEvents, timings);
      timeline.invoiceIssued = invoice.issuedAt ?? isoAt(now());

      // 5. Hand-off: the enterprise takes the invoice to its 400 operator.
      const confirmBy = now() + timings.landingDeadlineMs;
      const landing = { ...base, operator: request.operator, fixedLines };
      const landed = await c.awaitAction(
        'awaiting-400-landing',
        [
          { action: 'confirm-400-landed', role: 'enterprise' },
          { action: 'confirm-400-landed', role: 'support' },
        ],
        {
          onEnter: () =>
            mail.send(
              'invoice-ready',
              input.contactEmail,
              'landing-invoice-ready',
              { ...landing, invoiceId: invoice.id, confirmBy: isoAt(confirmBy) },
              [{ filename: `invoice-${invoice.id}.pdf`, source: 'billing-invoice', id: invoice.id }],
            ),
          remindEveryMs: timings.reminderIntervalMs,
          onReminder: (n) =>
            mail.send(`landing-reminder/${n}`, input.contactEmail, 'landing-reminder', {
              ...landing,
              reminder: n,
              confirmBy: isoAt(confirmBy),
            }),
          deadlineMs: timings.landingDeadlineMs,
        },
      );
      if (!landed) {
        throw c.fail(
          'LandingDeadlinePassed',
          `${own400} was not confirmed as landed on ${fixedLines.join(', ')} by ${isoAt(confirmBy)}; the fixed lines stay active`,
        );
      }
      timeline.landed = isoAt(now());
      return verifyAndFinish(
        c,
        input,
        {
          lines: { e164: purchase.numbersE164, display: fixedLines },
          purchaseId,
          orderId: purchase.orderId,
          invoice: {
            id: invoice.id,
            title: invoice.title,
            remark: invoice.remark ?? undefined,
            issuedAt: invoice.issuedAt,
          },
        },
        timeline,
      );
    },
  );
}

/** The fixed lines, bought in a number-purchase case of their own whose actions are taken on it. */
function buyFixedLines(
  c: OnboardingCase<'own-400-landing'>,
  input: Own400LandingInput,
  purchaseId: string,
): Promise<NumberPurchaseResult> {
  const { request, timings } = input;
  c.relate(purchaseId, 'number-purchase', 'fixed lines for the 400 number');
  c.step('fixed-line purchase started', 'running', purchaseId);
  return executeChild(numberPurchase, {
    args: [
      {
        enterpriseId: input.enterpriseId,
        customerId: input.customerId,
        companyName: input.companyName,
        contactEmail: input.contactEmail,
        journeyId: c.journey,
        ...input.fixedLines,
        timings: { ...timings.purchase, subscription: timings.subscription },
      },
    ],
    ...childCase({
      kind: 'number-purchase',
      enterpriseId: input.enterpriseId,
      workflowId: purchaseId,
      parentId: c.state.id,
      firstStage: 'submitted',
      summary: `fixed lines in ${request.areaCode} for own 400 number ${input.own400Display}`,
    }),
  });
}

/** The invoice: company name as title, the fixed lines in the remark (as on the seed: 020-6624XXXX). */
function requestInvoice(
  c: OnboardingCase<'own-400-landing'>,
  input: Own400LandingInput,
  purchase: NumberPurchaseResult,
): Promise<Invoice> {
  const fixedLines = purchase.numbers;
  return billing.requestInvoice.executeWithOptions({ summary: `invoice for order ${purchase.orderId}` }, [
    {
      customerId: input.customerId,
      orderId: purchase.orderId,
      title: input.companyName,
      // Seed 000: the remark is the purchased fixed-line number(s), as the operator reads them.
      remark: patched('invoice-remark-numbers-only')
        ? fixedLines.join(', ')
        : `固话号码 / fixed line: ${fixedLines.join(', ')}`,
      reference: c.state.id,
      idempotencyKey: runKey('invoice'),
    },
  ]);
}

/**
 * Forwarding's hand-off: the enterprise is told how to have the 400's base number forwarded to the
 * fixed line, and what forwarding cannot do; it (or support) confirms once the operator has.
 */
async function forwarded(
  c: OnboardingCase<'own-400-landing'>,
  input: Own400LandingInput,
  fixedLines: string[],
  timeline: Record<string, string>,
): Promise<void> {
  const { timings } = input;
  const confirmBy = now() + timings.landingDeadlineMs;
  const data = {
    caseId: c.state.id,
    companyName: input.companyName,
    own400Number: input.own400Display,
    operator: input.request.operator,
    fixedLines,
    peakConcurrentInbound: input.request.peakConcurrentInbound,
    confirmBy: isoAt(confirmBy),
  };
  const done = await c.awaitAction(
    'awaiting-400-forwarding',
    [
      { action: 'confirm-400-forwarded', role: 'enterprise' },
      { action: 'confirm-400-forwarded', role: 'support' },
    ],
    {
      onEnter: () => c.mail.send('forward-ready', input.contactEmail, 'landing-forward-ready', data),
      remindEveryMs: timings.reminderIntervalMs,
      onReminder: (n) =>
        c.mail.send(`landing-reminder/${n}`, input.contactEmail, 'landing-reminder', { ...data, reminder: n }),
      deadlineMs: timings.landingDeadlineMs,
    },
  );
  if (!done)
    throw c.fail(
      'LandingDeadlinePassed',
      `forwarding of ${input.own400Display} to ${fixedLines.join(', ')} was not confirmed by ${isoAt(confirmBy)}; the fixed lines stay active`,
    );
  timeline.landed = isoAt(now());
}

/**
 * The test call to the 400 number must arrive on the fixed line: the SBC's record proves it where
 * the SBC accounts calls; only where it cannot does support confirm by hand. Then the case is done.
 */
async function verifyAndFinish(
  c: OnboardingCase<'own-400-landing'>,
  input: Own400LandingInput,
  got: Pick<Own400LandingResult, 'purchaseId' | 'orderId' | 'invoice'> & {
    lines: { e164: string[]; display: string[] };
  },
  timeline: Record<string, string>,
): Promise<Own400LandingResult> {
  const { request, timings } = input;
  const { mail } = c;
  const own400 = input.own400Display;
  const fixedLines = got.lines.display;
  const base = { caseId: c.state.id, companyName: input.companyName, own400Number: own400 };
  let callerIdPassedThrough: boolean | undefined;
  // 6. Verification: a test call to the 400 number must arrive on the fixed line. Where the SBC
  // accounts calls its record proves it; only where it cannot does support confirm by hand.
  const testBy = now() + timings.testCallWindowMs;
  const recorded = patched('landing-test-call-record')
    ? (await gateway.sipGatewayObserves.executeWithOptions({ summary: 'what the SBC can observe' }, [])).calls
    : false;
  let verifiedBy: Own400LandingResult['verifiedBy'] = 'support-confirmation';
  if (recorded) {
    c.enter(
      'verifying',
      [],
      [
        {
          for: 'test-call',
          role: 'enterprise',
          dueAt: isoAt(testBy),
          detail: `call ${own400}; the call must arrive on ${fixedLines.join(' or ')}`,
        },
      ],
    );
    mail.send('test-call', input.contactEmail, 'landing-test-call-record', {
      ...base,
      fixedLines,
      until: isoAt(testBy),
    });
    const call = await recordedCall(got.lines.e164, fixedLines, timeline.landed, testBy);
    if (!call) {
      throw c.fail(
        'TestCallNotConfirmed',
        `no call to ${own400} arrived on ${fixedLines.join(', ')} in the SBC's call records by ${isoAt(testBy)}`,
      );
    }
    c.step(
      'test call recorded',
      'done',
      `${call.caller} -> ${call.callee} from ${call.sourceIp}, SIP ${call.sipCode} ${call.sipReason}, at ${call.at}`,
    );
    verifiedBy = 'sbc-call-record';
    // Forwarded calls show the base number unless the operator passes the caller through (003 Q3).
    if (request.baseNumber !== undefined)
      callerIdPassedThrough =
        call.caller.replace(/\D/g, '').slice(-8) !== request.baseNumber.replace(/\D/g, '').slice(-8);
  } else {
    const tested = await c.awaitAction('verifying', [{ action: 'confirm-test-call', role: 'support' }], {
      onEnter: () =>
        mail.send('test-call', 'support', 'landing-test-call', { ...base, fixedLines, confirmBy: isoAt(testBy) }),
      deadlineMs: timings.testCallWindowMs,
    });
    if (!tested) throw c.fail('TestCallNotConfirmed', `no test call to ${own400} was confirmed by ${isoAt(testBy)}`);
  }
  timeline.verified = isoAt(now());

  // 7. Done.
  Object.assign(c.facts, { numbers: [own400, ...fixedLines], inService: true });
  mail.send('completed', input.contactEmail, 'landing-completed', { ...base, fixedLines });
  return {
    own400Number: own400,
    operator: request.operator,
    mode: request.mode ?? 'rebind',
    fixedLines,
    purchaseId: got.purchaseId,
    orderId: got.orderId,
    invoice: got.invoice,
    verifiedBy,
    ...(callerIdPassedThrough !== undefined ? { callerIdPassedThrough } : {}),
    timeline,
  };
}

/**
 * The first call the SBC admitted to one of the fixed lines since the landing, watched in slices
 * (each within its activity's timeout) until `until`; null when none came.
 */
async function recordedCall(
  callees: string[],
  fixedLines: string[],
  since: string | undefined,
  until: number,
): Promise<CallRecord | null> {
  const from = since ?? isoAt(now());
  while (now() < until) {
    const call = await sipWatch.awaitCall.executeWithOptions(
      { summary: `watch call records for a test call arriving on ${fixedLines.join(', ')}` },
      [{ callees, since: from, maxWaitMs: Math.min(until - now(), 5 * 60_000) }],
    );
    if (call) return call;
  }
  return null;
}

/**
 * Waits for billing to issue the invoice: its webhook ends the wait at once; polling finds an
 * invoice whose webhook was lost; past the window the case fails.
 */
async function issuedInvoice(
  c: OnboardingCase<'own-400-landing'>,
  invoice: Invoice,
  events: BillingEvents,
  timings: LandingTimings,
): Promise<Invoice> {
  if (invoice.status === 'issued') return invoice;
  const deadline = now() + timings.invoiceWindowMs;
  for (;;) {
    const wait = Math.max(1, Math.min(timings.invoicePollMs, deadline - now()));
    const byWebhook = await condition(() => events.has('invoice.issued', (e) => e.invoiceId === invoice.id), wait);
    const current = await billing.getInvoice.executeWithOptions(
      { summary: byWebhook ? 'read the issued invoice' : 'poll billing for the invoice' },
      [invoice.id],
    );
    if (current.status === 'issued') {
      c.step('invoice issued', 'done', byWebhook ? 'billing webhook invoice.issued' : 'found by polling billing');
      return current;
    }
    if (now() >= deadline)
      throw c.fail('InvoiceNotIssued', `billing did not issue invoice ${invoice.id} by ${isoAt(deadline)}`);
  }
}
