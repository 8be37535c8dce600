/**
 * Own 400 landing with mocked billing and gateway: the child fixed-line purchase, the invoice,
 * the landing and the test call; each failure ending, and a cancel during the child purchase
 * (the child is cancelled and undoes its billing).
 */
import { describe, expect, it } from 'vitest';
import { cancelRequestedSignal } from '../../contract/case';
import { own400Landing } from '../../workflows/own-400-landing';
import { subscriptionIdFor } from '../../workflows/number-purchase';
import { landingInput } from './inputs';
import { enterprise, support } from './actors';
import { act, cancelledOutcome, failureOf, stageOf, stateOf, stepNames, until } from './cases';
import { gate, invoice, type Scenario, useWorkflowEnv } from './support';
import type { ChargeOutcome, Order } from '../../activities/billing';

const env = useWorkflowEnv();

/** Starts a landing; support approves its fixed-line purchase's call script, which names the 400 number. */
async function start(s: Scenario, ...rest: Parameters<typeof landingInput> extends [unknown, ...infer R] ? R : never) {
  const h = await env.start(own400Landing, landingInput(s, ...rest), s.id('own-400-landing'));
  const purchase = env.client.workflow.getHandle(`${s.id('own-400-landing')}-fixed-line`);
  await stageOf(purchase, 'awaiting-script-review');
  await act(purchase, 'number-purchase', 'approve-script', support, {});
  return h;
}

/** The fixed lines, once paid, live on as a subscription of their own. */
async function endSubscription(s: Scenario) {
  const subscription = env.client.workflow.getHandle(subscriptionIdFor(s.enterpriseId, 'ORD-1'));
  await stageOf(subscription, 'active');
  await subscription.terminate('test over');
}

/** Emails of the landing case itself (not of its fixed-line purchase). */
const landingEmails = (s: Scenario) => s.emails().filter((e) => e.caseId === s.id('own-400-landing'));

describe.concurrent('own 400 landing', () => {
  it('buys the fixed lines, gets the invoice whose remark is the fixed lines (000: 在发票备注中填写您购买的固话号码（如：020-6624XXXX）), and completes once landed and the test call is in the call records', async () => {
    const s = env.scenario();
    const h = await start(s);
    const id = s.id('own-400-landing');
    await stageOf(h, 'awaiting-400-landing');
    const landed = await act(h, 'own-400-landing', 'confirm-400-landed', enterprise(s.enterpriseId), {
      note: '电信已改接',
    });
    expect(landed.stage).toBe('verifying');

    // No one confirms: the SBC's record of a call arriving on a fixed line proves the landing.
    const result = await h.result();
    expect(result).toMatchObject({
      own400Number: '400-820-0001',
      fixedLines: ['020-66240001', '020-66240002'],
      purchaseId: `${id}-fixed-line`,
      orderId: 'ORD-1',
      verifiedBy: 'sbc-call-record',
    });
    expect(s.argsOf('awaitCall')).toEqual([
      expect.objectContaining({ callees: ['+862066240001', '+862066240002'], since: result.timeline.landed }),
    ]);
    expect(stepNames(await stateOf(h))).toContain('test call recorded');
    // The child's call script, reviewed by support, states the 400 number the lines carry.
    expect(s.argsOf('screenCallScript')).toEqual([{ callScript: 'fixed line for binding own 400 number 4008200001' }]);
    // The child bought the lines with the application note naming the 400 number.
    expect(s.argsOf('createOrder')).toEqual([
      expect.objectContaining({
        reference: `${id}-fixed-line`,
        applicationNote: 'fixed line for binding own 400 number 4008200001',
      }),
    ]);
    expect(s.argsOf('requestInvoice')).toEqual([
      {
        customerId: 'cust-1',
        orderId: 'ORD-1',
        title: '广州示例科技有限公司',
        remark: '020-66240001, 020-66240002',
        reference: id,
        idempotencyKey: expect.stringMatching(/\/invoice$/),
      },
    ]);
    expect(landingEmails(s).map((e) => [e.template, e.to])).toEqual([
      ['landing-invoice-ready', 'ops@example.cn'],
      ['landing-test-call-record', 'ops@example.cn'],
      ['landing-completed', 'ops@example.cn'],
    ]);
    expect(landingEmails(s)[0]?.attachments).toEqual([
      { filename: 'invoice-INV-1.pdf', source: 'billing-invoice', id: 'INV-1' },
    ]);
    await endSubscription(s);
  });

  it('fails when billing does not issue the invoice in time; the bought lines stay', async () => {
    const requested = invoice({ status: 'requested', issuedAt: null });
    const s = env.scenario({ requestInvoice: async () => requested, getInvoice: async () => requested });
    const h = await start(s, { invoiceWindowMs: 500, invoicePollMs: 150 });

    expect((await failureOf(h)).type).toBe('InvoiceNotIssued');
    expect(s.argsOf('getInvoice').every((i) => i === 'INV-1')).toBe(true);
    expect(s.calls('undoPurchase')).toHaveLength(0);
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'failed', error: { type: 'InvoiceNotIssued' } });
    expect(stepNames(state).filter((n) => n.startsWith('compensation'))).toEqual([]);
    expect(landingEmails(s).map((e) => e.template)).toEqual(['landing-failed']);
    expect(landingEmails(s)[0]?.data).toMatchObject({ reason: expect.stringContaining('did not issue invoice INV-1') });
    await endSubscription(s);
  });

  it('fails at the landing deadline after reminding the enterprise', async () => {
    const s = env.scenario();
    // Reminders at 1 s and 2 s of the wait, the deadline at 2.5 s: exactly two, with room.
    const h = await start(s, { landingDeadlineMs: 2_500, reminderIntervalMs: 1_000 });

    expect((await failureOf(h)).type).toBe('LandingDeadlinePassed');
    const templates = landingEmails(s).map((e) => e.template);
    expect(templates[0]).toBe('landing-invoice-ready');
    expect(templates.at(-1)).toBe('landing-failed');
    expect(templates.filter((t) => t === 'landing-reminder')).toHaveLength(2);
    expect((await stateOf(h)).error?.message).toContain('the fixed lines stay active');
    await endSubscription(s);
  });

  it("takes support's confirmation of the test call only where the SBC cannot observe calls", async () => {
    const s = env.scenario({ sipGatewayObserves: async () => ({ calls: false, registrations: false }) });
    const h = await start(s);
    await stageOf(h, 'awaiting-400-landing');
    await act(h, 'own-400-landing', 'confirm-400-landed', enterprise(s.enterpriseId), {});
    const verifying = await stageOf(h, 'verifying');
    expect(verifying.awaiting).toEqual([expect.objectContaining({ action: 'confirm-test-call', role: 'support' })]);
    await act(h, 'own-400-landing', 'confirm-test-call', support, {});

    expect(await h.result()).toMatchObject({ verifiedBy: 'support-confirmation' });
    expect(s.calls('awaitCall')).toHaveLength(0);
    // Support's request goes out beside the wait, so a quick confirmation may pass it: each once.
    expect(
      landingEmails(s)
        .map((e) => `${e.template} ${e.to}`)
        .sort(),
    ).toEqual([
      'landing-completed ops@example.cn',
      'landing-invoice-ready ops@example.cn',
      'landing-test-call support',
    ]);
    await endSubscription(s);
  });

  it('fails when no test call arrives on the fixed lines in the window, and refuses a confirmation by hand', async () => {
    const s = env.scenario({ awaitCall: async () => null });
    const h = await start(s, { testCallWindowMs: 1_500 });
    await stageOf(h, 'awaiting-400-landing');
    await act(h, 'own-400-landing', 'confirm-400-landed', support, {});
    await stageOf(h, 'verifying');
    // The record is the proof here: support's word is not awaited.
    await expect(act(h, 'own-400-landing', 'confirm-test-call', support, {})).rejects.toThrow();

    expect((await failureOf(h)).type).toBe('TestCallNotConfirmed');
    expect((await stateOf(h)).error?.message).toContain("SBC's call records");
    expect(landingEmails(s).map((e) => e.template)).toEqual([
      'landing-invoice-ready',
      'landing-test-call-record',
      'landing-failed',
    ]);
    await endSubscription(s);
  });

  it('cancels the running fixed-line purchase with it, which undoes its billing', async () => {
    const charge = gate<ChargeOutcome<Order>>();
    const s = env.scenario({ chargeOrder: charge.behaviour });
    const h = await start(s);
    const id = s.id('own-400-landing');
    await charge.started;
    await h.signal(cancelRequestedSignal, { actor: enterprise(s.enterpriseId), reason: '400号码暂不迁移' });
    await h.cancel();

    expect(await cancelledOutcome(h)).toBe(true);
    expect(await charge.ended).toBe('cancelled');
    const child = env.client.workflow.getHandle(`${id}-fixed-line`);
    expect(await cancelledOutcome(child)).toBe(true);
    expect(s.argsOf('undoPurchase')).toEqual([
      {
        reference: `${id}-fixed-line`,
        reason: 'purchase not completed',
        idempotencyKey: expect.stringMatching(/\/undo-billing$/),
      },
    ]);
    const childState = await until(async () => {
      const state = await stateOf(child);
      return state.status === 'cancelled' ? state : undefined;
    }, 'the child cancelled');
    expect(childState.steps.find((x) => x.name === 'compensation: undo billing')).toMatchObject({ status: 'done' });
    expect(s.calls('assignNumbers')).toHaveLength(0);
    expect(s.calls('requestInvoice')).toHaveLength(0);

    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'cancelled', stage: 'cancelled' });
    expect(landingEmails(s).map((e) => e.template)).toEqual(['case-cancelled']);
    expect(landingEmails(s)[0]?.data).toMatchObject({ reason: '400号码暂不迁移' });
  });
});
