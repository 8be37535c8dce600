/**
 * An own 400 number brought by forwarding (seed 003 Q3's second way) on the real SBC: the 400's base
 * number forwards to a fixed line bought here; the enterprise is told forwarding's caveats; the case
 * completes from the SBC's record of the test call arriving from the 400 operator's side (over the
 * provider's carrier interconnect, which delivers only numbers we hold), and records whether the
 * caller's number was passed through.
 */
import { describe, expect, it } from 'vitest';
import { testCall } from '../../sip/test-call';
import { recordHistory } from '../support/histories';
import { bearer, caseApi, caseWhen, eventually, useSbcHarness, useVerifiedInstance } from '../support/harness';
import { operatorCarrier } from '../support/sbc';
import { loopbackNet } from '../support/net';

const NET = loopbackNet(150);
/** The 400 operator's carrier, delivering forwarded calls to the provider's fixed lines. */
const CARRIER = { ip: `${NET}.2`, port: 5062 };
/** The 400 number's base number (底号), which forwarded calls show unless callers are passed through. */
const BASE_NUMBER = '02087654321';

const { sbc, h } = useSbcHarness(NET, { LANDING_TEST_CALL_WINDOW: '60s' }, { carriers: [operatorCarrier(CARRIER)] });
const instanceA = useVerifiedInstance(h, { creditFen: 1_000_000 });

const { start, attemptStart, attempt, stageWhen } = caseApi(() => h);

const forwarding = (overrides: Record<string, unknown> = {}) => ({
  kind: 'own-400-landing',
  enterpriseId: h.enterprises.a,
  own400Number: '4008003579',
  operator: '中国电信',
  operatorConfirmsRelanding: true,
  peakConcurrentInbound: 10,
  areaCode: '020',
  binding: { instanceId: instanceA.instanceId },
  mode: 'forward',
  baseNumber: BASE_NUMBER,
  ...overrides,
});

describe('own 400 number by forwarding, on the real SBC (003 Q3: 通过400绑定的底号转移到呼叫中心的固话)', () => {
  it('refuses more than the operator trunk function carries (003 Q3: 中继功能的最大线路为20线), and forwarding fields without forwarding', async () => {
    const tooMany = await attemptStart(forwarding({ peakConcurrentInbound: 25 }));
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors).toEqual([
      expect.objectContaining({ path: 'peakConcurrentInbound', code: 'forward-trunk-capped' }),
    ]);
    const notForward = await attemptStart(forwarding({ mode: 'rebind' }));
    expect(notForward.status).toBe(422);
    expect(notForward.body.errors).toEqual([expect.objectContaining({ path: 'baseNumber', code: 'forward-only' })]);
    const notYours = await attemptStart(forwarding({ fixedLine: '020-66248888' }));
    expect(notYours.status).toBe(422);
    expect(notYours.body.errors).toEqual([
      expect.objectContaining({ path: 'fixedLine', code: 'fixed-line-not-yours' }),
    ]);
  });

  it('buys the line, tells the caveats, and completes from the call the operator forwards, showing the base number', async () => {
    const id = await start(forwarding());
    const purchaseId = `${id}-fixed-line`;
    await stageWhen(purchaseId, 'awaiting-script-review');
    expect((await attempt(purchaseId, 'approve-script', h.tokens.support)).status).toBe(200);

    const handedOff = await stageWhen(id, 'awaiting-400-forwarding', 30_000);
    expect(handedOff.awaiting.map((a) => [a.action, a.role])).toEqual([
      ['confirm-400-forwarded', 'enterprise'],
      ['confirm-400-forwarded', 'support'],
    ]);
    const fixedLine = (
      (await h.api.get(`/v1/onboardings/${purchaseId}`).set(...bearer(h.tokens.entA))).body.result.numbers as string[]
    )[0]!;
    // The seed's caveats, in the email: busy for a second caller, 20 trunk lines, caller ID only if passed through.
    const mail = await eventually(
      () => h.mail.forCase(id).find((m) => m.event === 'landing-forward-ready'),
      10_000,
      'forwarding email',
    );
    expect(mail.text).toContain(fixedLine);
    expect(mail.text).toContain('忙线');
    expect(mail.text).toContain('中继最大线路为 20 线');
    expect(mail.text).toContain('号码透传');
    expect(mail.text).toContain('base number shows');
    // Forwarding has no invoice and no landing step.
    expect((await attempt(id, 'confirm-400-landed', h.tokens.entA)).status).toBe(409);
    expect((await attempt(id, 'confirm-400-forwarded', h.tokens.entA)).status).toBe(200);
    await stageWhen(id, 'verifying');

    // The 400 operator's carrier delivers the forwarded call to the fixed line.
    const call = await eventually(
      async () => {
        const c = await testCall({
          target: { host: sbc.address.ip, port: sbc.address.sipPort, transport: 'udp' },
          localAddress: CARRIER.ip,
          localPort: CARRIER.port,
          callee: fixedLine.replace(/\D/g, ''),
          // Without caller pass-through the call shows the 400's base number.
          caller: BASE_NUMBER,
          timeoutMs: 5_000,
        });
        return c.outcome === 'answered' ? c : undefined;
      },
      15_000,
      'the forwarded call admitted by the SBC',
    );
    expect(call.outcome).toBe('answered');
    const done = await caseWhen(h, id, (c) => c.status === 'completed', 'completed', 30_000);
    expect(done.result).toMatchObject({
      mode: 'forward',
      verifiedBy: 'sbc-call-record',
      fixedLines: [fixedLine],
      invoice: null,
      callerIdPassedThrough: false,
    });
    expect(done.steps.find((s) => s.name === 'test call recorded')?.detail).toContain(`from ${CARRIER.ip}`);
    expect(done.steps.map((s) => s.name)).not.toContain('invoice requested');
    await recordHistory(h.client, id, 'own-400-landing-forward-complete');
  });
});
