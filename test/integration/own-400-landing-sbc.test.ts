/**
 * An own 400 landing on the real SBC: once the enterprise says the 400 number is landed, the case
 * completes from the SBC's record of a call arriving on the fixed line, with no one confirming.
 * The 400 operator's forwarded call comes in over the provider's carrier interconnect, configured
 * on the SBC (the product's own SIP test-call agent plays the carrier), which delivers only the
 * numbers we hold.
 */
import { describe, expect, it } from 'vitest';
import { testCall } from '../../sip/test-call';
import { bearer, caseApi, caseWhen, eventually, useSbcHarness, useVerifiedInstance } from '../support/harness';
import { operatorCarrier } from '../support/sbc';
import { loopbackNet } from '../support/net';

const NET = loopbackNet(79);
/** The 400 operator's carrier, delivering forwarded calls to the provider's fixed lines. */
const CARRIER = { ip: `${NET}.2`, port: 5062 };

const { sbc, h } = useSbcHarness(
  NET,
  { BILLING_INVOICE_DELAY_MS: '300', LANDING_INVOICE_POLL: '1s', LANDING_TEST_CALL_WINDOW: '60s' },
  { carriers: [operatorCarrier(CARRIER)] },
);
const instanceA = useVerifiedInstance(h, { creditFen: 1_000_000 });

const { start, attempt, stageWhen } = caseApi(() => h);

/** A call from the carrier to `callee` through the SBC. */
function carrierCall(callee: string) {
  return testCall({
    target: { host: sbc.address.ip, port: sbc.address.sipPort, transport: 'udp' },
    localAddress: CARRIER.ip,
    localPort: CARRIER.port,
    callee,
    caller: '13800138000',
    timeoutMs: 5_000,
  });
}

describe('own 400 landing on the real SBC', () => {
  it('completes from the call record of a call arriving on the fixed line, without confirm-test-call', async () => {
    const id = await start({
      kind: 'own-400-landing',
      enterpriseId: h.enterprises.a,
      own400Number: '4008002468',
      operator: '中国联通',
      operatorConfirmsRelanding: true,
      peakConcurrentInbound: 10,
      areaCode: '020',
      binding: { instanceId: instanceA.instanceId },
    });
    const purchaseId = `${id}-fixed-line`;
    await stageWhen(purchaseId, 'awaiting-script-review');
    expect((await attempt(purchaseId, 'approve-script', h.tokens.support)).status).toBe(200);

    const handedOff = await stageWhen(id, 'awaiting-400-landing', 30_000);
    expect(handedOff.related).toEqual([expect.objectContaining({ id: purchaseId, status: 'completed' })]);
    const purchase = (await h.api.get(`/v1/onboardings/${purchaseId}`).set(...bearer(h.tokens.entA))).body;
    const fixedLine = (purchase.result.numbers as string[])[0]!;
    expect(fixedLine).toMatch(/^020-\d{8}$/);

    expect((await attempt(id, 'confirm-400-landed', h.tokens.entA)).status).toBe(200);
    const verifying = await stageWhen(id, 'verifying');
    // The enterprise is to call its 400 number; no one is asked to confirm anything.
    expect(verifying.awaiting).toEqual([
      expect.objectContaining({ for: 'test-call', role: 'enterprise', detail: expect.stringContaining(fixedLine) }),
    ]);
    const mail = await eventually(
      () => h.mail.forCase(id).find((m) => m.event === 'landing-test-call-record'),
      10_000,
      'test-call email',
    );
    expect(mail.to).not.toBe(h.config.email.supportAddress);
    expect(mail.text).toContain(fixedLine);
    expect((await attempt(id, 'confirm-test-call', h.tokens.support)).status).toBe(409);

    // A call the carrier brings for a number we do not hold is refused, and proves nothing.
    expect(await carrierCall('02066009999')).toMatchObject({ outcome: 'rejected', finalCode: 404 });
    // Once the SBC's accounting holds the refusal, the case is still waiting (and the step that
    // completes it below names the fixed line, not this call).
    await eventually(
      async () =>
        (await sbc.gateway.callRecords({ since: new Date(Date.now() - 600_000).toISOString() })).some(
          (r) => r.sourceIp === CARRIER.ip && r.reason === 'not-your-number',
        ) || undefined,
      10_000,
      'the refused call in the SBC accounting',
    );
    expect((await caseWhen(h, id, () => true)).stage).toBe('verifying');

    // The 400 number's call, forwarded by the operator's carrier to the fixed line: the SBC's record completes the case.
    expect((await carrierCall(fixedLine.replace(/\D/g, ''))).outcome).toBe('answered');
    const done = await caseWhen(h, id, (c) => c.status === 'completed', 'completed', 30_000);
    expect(done.result).toMatchObject({ verifiedBy: 'sbc-call-record', fixedLines: [fixedLine] });
    const recorded = done.steps.find((s) => s.name === 'test call recorded');
    expect(recorded?.detail).toContain(`from ${CARRIER.ip}`);
    expect(recorded?.detail).toContain(fixedLine.replace(/\D/g, '').slice(1));
    expect(done.steps.map((s) => s.name)).not.toContain('confirm-test-call');
    const records = await sbc.gateway.callRecords({ since: new Date(Date.now() - 600_000).toISOString() });
    expect(records.filter((r) => r.sourceIp === CARRIER.ip).map((r) => [r.admitted, r.reason])).toEqual([
      [false, 'not-your-number'],
      [true, 'to-platform'],
    ]);
    // The fixed line carries an own 400 number: its calls are the enterprise's operator's to bill.
    expect((await sbc.gateway.assignments({ number: `+86${fixedLine.replace(/\D/g, '').slice(1)}` }))[0]?.origin).toBe(
      'own-400',
    );
  });
});
