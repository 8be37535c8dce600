import { beforeAll, describe, expect, it } from 'vitest';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../sandboxes/billing/webhook-signature';
import { expectErrors } from '../support/api';
import { instanceFor, verifiedEnterprise, type TestInstance } from '../support/fixtures';
import { recordHistory } from '../support/histories';
import { bearer, billingCall, caseApi, caseWhen, eventually, useHarness } from '../support/harness';

// Days in production; seconds here.
let customerA: string;
let instanceA: TestInstance;

const h = useHarness({
  BILLING_INVOICE_DELAY_MS: '800',
  LANDING_INVOICE_POLL: '1s',
  LANDING_REMINDER_INTERVAL: '1s',
  LANDING_DEADLINE: '6s',
  LANDING_TEST_CALL_WINDOW: '1h',
});
beforeAll(async () => {
  customerA = await verifiedEnterprise(h, h.enterprises.a, h.tokens.entA);
  instanceA = await instanceFor(h, h.enterprises.a);
  await billingCall(h, 'POST', `/v1/customers/${customerA}/credits`, { amountFen: 1_000_000 });
});

const { start: startCase, attemptStart, act, attempt, stageWhen, mailWhen, mailsWhen, bodyOf } = caseApi(() => h);

const landing = bodyOf('own-400-landing', () => ({
  own400Number: '4008001234',
  operator: '中国电信',
  operatorConfirmsRelanding: true,
  peakConcurrentInbound: 45,
  areaCode: '020',
  binding: { instanceId: instanceA.instanceId, ivrFlowId: instanceA.defaults.ivrFlowId },
}));

async function start(body: Record<string, unknown>): Promise<string> {
  const id = await startCase(body);
  // The fixed lines' purchase passes the script review like any other: its script names the 400 number.
  const purchase = await stageWhen(`${id}-fixed-line`, 'awaiting-script-review');
  expect(purchase.steps.find((s) => s.name === 'script check round 1')?.status).toBe('done');
  await act(`${id}-fixed-line`, 'approve-script', h.tokens.support);
  return id;
}

describe('own 400 number landing through the API', () => {
  it('buys the fixed lines, invoices them with the company title and the lines in the remark, hands off, and completes on confirmation', async () => {
    // Every webhook arrives twice: duplicates must change nothing.
    h.billing.setFaults({ webhookDuplicateRate: 1 });
    const id = await start(landing());

    const invoiceWait = await stageWhen(id, 'awaiting-400-landing', 30_000);
    const child = invoiceWait.related.find((r) => r.kind === 'number-purchase')!;
    expect(child).toMatchObject({ id: `${id}-fixed-line`, status: 'completed' });
    const purchase = await h.api.get(`/v1/onboardings/${child.id}`).set(...bearer(h.tokens.entA));
    expect(purchase.body.result.sizing).toMatchObject({ quantity: 2, peakConcurrentCalls: 45 });
    const fixedLines = purchase.body.result.numbers as string[];
    for (const n of fixedLines) expect(n).toMatch(/^020-\d{8}$/);

    // The order states the own 400 number in the seed's wording.
    const order = (
      await billingCall<{ applicationNote: string }>(h, 'GET', `/v1/orders/${purchase.body.result.orderId}`)
    ).body;
    expect(order.applicationNote).toContain('用于绑定自有400号码 4008001234');

    // The invoice in billing: company name as title, every fixed line in the remark.
    const invoices = (
      await billingCall<{ title: string; remark: string; status: string; itemisation: string }[]>(
        h,
        'GET',
        `/v1/invoices?customerId=${customerA}`,
      )
    ).body;
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({
      title: '广州示例通信科技有限公司',
      status: 'issued',
      itemisation: 'by-consumption',
    });
    for (const n of fixedLines) expect(invoices[0]!.remark).toContain(n);
    expect(invoiceWait.steps.filter((s) => s.name === 'invoice issued')).toEqual([
      expect.objectContaining({ detail: 'billing webhook invoice.issued' }),
    ]);

    const handoff = await mailWhen(id, 'landing-invoice-ready');
    expect(handoff.attachments).toHaveLength(1);
    expect(handoff.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(handoff.text).toContain('中国电信');
    for (const n of fixedLines) expect(handoff.text).toContain(n);
    await mailsWhen(id, 'landing-reminder', 2);

    // Support may not confirm the test call before the landing; then the enterprise confirms.
    expect((await attempt(id, 'confirm-test-call', h.tokens.support)).status).toBe(409);
    const verifying = await act(id, 'confirm-400-landed', h.tokens.entA);
    expect(verifying.stage).toBe('verifying');
    await eventually(
      () => h.mail.forCase(id).find((m) => m.event === 'landing-test-call' && m.to === h.config.email.supportAddress),
      10_000,
      'test-call request',
    );
    expect((await attempt(id, 'confirm-test-call', h.tokens.entA)).status).toBe(403);
    await act(id, 'confirm-test-call', h.tokens.support);

    const done = await caseWhen(h, id, (c) => c.status === 'completed', 'completed');
    expect(done.result).toMatchObject({
      own400Number: '400-800-1234',
      operator: '中国电信',
      fixedLines,
      purchaseId: child.id,
      invoice: { title: '广州示例通信科技有限公司' },
      verifiedBy: 'support-confirmation',
    });
    expect(Object.keys((done.result as { timeline: object }).timeline)).toEqual([
      'started',
      'fixedLinesActive',
      'invoiceRequested',
      'invoiceIssued',
      'landed',
      'verified',
    ]);
    const webhooks = await fetch(`${h.config.billing.url}/_sandbox/webhooks?type=invoice.issued`).then(
      (r) => r.json() as Promise<{ deliveries: { deliveredCopies: number }[] }>,
    );
    expect(webhooks.deliveries.at(-1)!.deliveredCopies).toBe(2);
    h.billing.setFaults({ webhookDuplicateRate: 0 });

    // In the Temporal UI, parent and child read as what they are.
    const parentSummary = await (await h.client.workflow.getHandle(id).describe()).staticSummary();
    const childSummary = await (await h.client.workflow.getHandle(child.id).describe()).staticSummary();
    expect(parentSummary).toBe(`own-400-landing for ${h.enterprises.a}`);
    expect(childSummary).toBe('fixed lines in 020 for own 400 number 400-800-1234');
    await recordHistory(h.client, id, 'own-400-landing-complete');
  });

  it('finds the invoice by polling when its webhook is lost, and fails cleanly when the landing deadline passes', async () => {
    h.billing.setFaults({ webhookDropRate: 1 });
    const id = await start(
      landing({
        own400Number: '4008005678',
        peakConcurrentInbound: 10,
        binding: { instanceId: (await instanceFor(h, h.enterprises.a)).instanceId },
      }),
    );
    const waiting = await stageWhen(id, 'awaiting-400-landing', 30_000);
    expect(waiting.steps.find((s) => s.name === 'invoice issued')?.detail).toBe('found by polling billing');
    h.billing.setFaults({ webhookDropRate: 0 });

    const failed = await caseWhen(h, id, (c) => c.status === 'failed', 'failed at the deadline', 20_000);
    expect(failed.error).toMatchObject({ type: 'LandingDeadlinePassed' });
    expect(failed.error!.message).toContain('400-800-5678');
    expect((await mailWhen(id, 'landing-failed')).text).toContain('400-800-5678');
  });

  it('refuses an invoice titled with anything but the company name, and a landing the operator has not agreed to', async () => {
    const orders = (
      await billingCall<{ id: string; status: string }[]>(h, 'GET', `/v1/orders?customerId=${customerA}&status=paid`)
    ).body;
    const wrong = await billingCall<{ errors: { path: string; message: string }[] }>(h, 'POST', '/v1/invoices', {
      customerId: customerA,
      orderId: orders[0]!.id,
      title: '广州示例通信科技',
      itemisation: 'by-consumption',
      remark: 'x',
    });
    expectErrors(wrong, 422, [{ path: 'title', message: expect.stringContaining('广州示例通信科技有限公司') }]);

    const unconfirmed = await attemptStart(landing({ operatorConfirmsRelanding: false, own400Number: '02066240001' }));
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'operatorConfirmsRelanding',
      'own400Number',
    ]);
  });

  it('refuses tampered and stale webhook signatures with 401 and ignores unknown cases', async () => {
    const event = JSON.stringify({
      id: 'evt_test_1',
      type: 'invoice.issued',
      data: { id: 'inv_x', reference: 'own-400-landing-nobody' },
    });
    const now = Math.floor(Date.now() / 1000);
    const post = (body: string, signature: string) =>
      h.api
        .post('/v1/webhooks/billing')
        .set('content-type', 'application/json')
        .set(WEBHOOK_SIGNATURE_HEADER, signature)
        .send(body);
    const secret = h.config.billing.webhookSecret;
    expect((await post(event, signWebhook(secret, event, now))).status).toBe(200);
    expect((await post(event.replace('inv_x', 'inv_y'), signWebhook(secret, event, now))).status).toBe(401);
    expect((await post(event, signWebhook(secret, event, now - 3600))).status).toBe(401);
    expect((await post(event, signWebhook('another-secret-of-16+', event, now))).status).toBe(401);
    expect((await h.api.post('/v1/webhooks/billing').set('content-type', 'application/json').send(event)).status).toBe(
      401,
    );
  });
});
