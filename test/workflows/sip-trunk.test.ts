/**
 * SIP trunk with mocked SBC, probes and call records: the happy path, every failure ending with
 * the allowlist row removed, and a cancel while the row is being written.
 */
import { describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { cancelRequestedSignal } from '../../contract/case';
import { sipTrunk } from '../../workflows/sip-trunk';
import { GATEWAY, trunkInput } from './inputs';
import { enterprise, expectSipRejectedInReview, support } from './actors';
import { act, awaitingOrStopped, cancelledOutcome, failureOf, stageOf, stateOf, stepNames, until } from './cases';
import { allowGatewayAs, gate, NUMBERS, type Scenario, starter, testCallEnded, useWorkflowEnv } from './support';
import type { AllowlistEntry } from '../../activities/sip-gateway';

const env = useWorkflowEnv();

const start = starter(env, sipTrunk, trunkInput, 'sip-trunk');

/** Approved, allowlisted and whitelisted: the case is past the people and on to the checks. */
async function approveAndWhitelist(s: Scenario, h: Awaited<ReturnType<typeof start>>) {
  await stageOf(h, 'awaiting-review');
  await act(h, 'sip-trunk', 'approve', support, {});
  await stageOf(h, 'awaiting-customer-whitelist');
  await act(h, 'sip-trunk', 'confirm-whitelist', enterprise(s.enterpriseId), {});
}

/** The allowlist row was removed by its compensation, and the report says what failed. */
async function expectAllowlistRemoved(s: Scenario, h: Awaited<ReturnType<typeof start>>, type: string) {
  expect(s.argsOf('disallowGateway')).toEqual([{ ip: GATEWAY.ip, port: GATEWAY.port, reference: s.id('sip-trunk') }]);
  const state = await stateOf(h);
  expect(state).toMatchObject({ status: 'failed', stage: 'failed', error: { type } });
  expect(stepNames(state).filter((n) => n.startsWith('compensation'))).toEqual([
    'compensation: remove the allowlist entry',
    'compensation: put the numbers back on sale',
  ]);
  expect(s.argsOf('releaseOwnNumbers')).toEqual([
    expect.objectContaining({ numbers: NUMBERS.e164, reference: s.id('sip-trunk') }),
  ]);
  const reports = s.emails('sip-report');
  expect(reports).toHaveLength(1);
  expect(reports[0]?.data).toMatchObject({ passed: false });
  expect((reports[0]?.data as { checks: { name: string; passed: boolean }[] }).checks.at(-1)).toMatchObject({
    name: 'result',
    passed: false,
  });
  expect(state.result).toMatchObject({ passed: false });
}

describe.concurrent('SIP trunk', () => {
  it('waits, where the carrier cannot trunk, for a gateway that can before review, telling the enterprise what it must support', async () => {
    const s = env.scenario();
    const input = trunkInput(s, { whitelistReminderMs: 60_000 });
    const h = await env.start(
      sipTrunk,
      { ...input, request: { ...input.request, carrierSupportsSipTrunk: false } },
      s.id('sip-trunk'),
    );
    const waiting = await stageOf(h, 'awaiting-gateway');
    expect(waiting.awaiting).toEqual([
      expect.objectContaining({ action: 'confirm-gateway-ready', role: 'enterprise' }),
    ]);
    const mail = await until(() => s.emails('trunk-gateway-needed')[0], 'the gateway email');
    expect(mail.to).toBe('ops@example.cn');
    // Support cannot review before the gateway is there; nothing is written to the SBC.
    await expect(act(h, 'sip-trunk', 'approve', support, {})).rejects.toThrow();
    expect(s.calls('allowGateway')).toHaveLength(0);
    expect(s.emails('sip-review')).toHaveLength(0);

    const ready = await act(h, 'sip-trunk', 'confirm-gateway-ready', enterprise(s.enterpriseId), {});
    expect(ready.stage).toBe('awaiting-review');
    await approveAndWhitelist(s, h);
    expect(await h.result()).toMatchObject({ passed: true });
    expect(stepNames(await stateOf(h))).toContain('gateway ready');
  });

  it('goes straight to review where the carrier trunks', async () => {
    const s = env.scenario();
    const input = trunkInput(s);
    const h = await env.start(
      sipTrunk,
      { ...input, request: { ...input.request, carrierSupportsSipTrunk: true } },
      s.id('sip-trunk'),
    );
    await stageOf(h, 'awaiting-review');
    expect(s.emails('trunk-gateway-needed')).toHaveLength(0);
    await h.terminate('test over');
  });

  it('passes: allowlisted, whitelisted, OPTIONS answered, both test calls, numbers assigned', async () => {
    const s = env.scenario();
    const h = await start(s);
    await approveAndWhitelist(s, h);
    const result = await h.result();
    const id = s.id('sip-trunk');
    expect(result).toMatchObject({
      passed: true,
      gateway: '198.51.100.7:5060/udp',
      numbers: NUMBERS.display,
      instanceId: 'cc-1',
    });
    expect(result.checks.map((c) => [c.name, c.passed])).toEqual([
      ['connectivity (OPTIONS)', true],
      ['outbound test call', true],
      ['inbound test call', true],
      ['numbers assigned', true],
    ]);
    // The gateway may dial the case's numbers (its test calls) and the instance's.
    expect(s.argsOf('allowGateway')).toEqual([
      { ...GATEWAY, reference: id, instanceId: 'cc-1', enterpriseId: s.enterpriseId, numbers: NUMBERS.e164 },
    ]);
    expect(s.argsOf('sendOptions')).toEqual([{ host: GATEWAY.ip, port: GATEWAY.port, transport: GATEWAY.transport }]);
    expect(s.argsOf('placeTestCall')).toEqual([
      {
        host: GATEWAY.ip,
        port: GATEWAY.port,
        transport: GATEWAY.transport,
        callee: '+8613800138000',
        caller: NUMBERS.e164[0],
        instanceId: 'cc-1',
      },
    ]);
    expect(s.argsOf('awaitCall')[0]).toMatchObject({ callees: NUMBERS.e164, sourceIp: GATEWAY.ip });
    expect(s.argsOf('assignNumbers')).toEqual([
      { instanceId: 'cc-1', numbers: NUMBERS.e164, origin: 'own-trunk', reference: id },
    ]);
    expect(s.calls('disallowGateway')).toHaveLength(0);
    expect(s.emails().map((e) => [e.template, e.to])).toEqual([
      ['sip-review', 'support'],
      ['trunk-whitelist', 'ops@example.cn'],
      ['sip-inbound-test', 'ops@example.cn'],
      ['sip-report', 'ops@example.cn'],
    ]);
  });

  it('waits, with an SBC changed by hand, for support to confirm the allowlist row, and for support to confirm the inbound call it cannot see', async () => {
    const s = env.scenario({
      allowGateway: allowGatewayAs('pending-manual'),
      sipGatewayObserves: async () => ({ calls: false, registrations: false }),
    });
    const h = await start(s);
    await stageOf(h, 'awaiting-review');
    await act(h, 'sip-trunk', 'approve', support, {});

    const manual = await awaitingOrStopped(h, 'the wait for the hand-made change');
    expect(manual).toMatchObject({ status: 'running', stage: 'allowlisting', error: null });
    expect(manual.awaiting).toMatchObject([{ action: 'confirm-sbc-change', role: 'support' }]);
    const other = await act(h, 'sip-trunk', 'confirm-sbc-change', support, { change: 'create-account' });
    expect(other.stage).toBe('allowlisting');
    expect(other.steps.find((x) => x.name === 'confirm-sbc-change ignored')?.detail).toContain('allowlist-gateway');
    const confirmed = await act(h, 'sip-trunk', 'confirm-sbc-change', support, { change: 'allowlist-gateway' });
    expect(confirmed.stage).toBe('awaiting-customer-whitelist');
    // Asked once, and again after the confirmation of another change.
    await until(() => s.emails('sbc-manual-change').length === 2, 'two requests for the hand-made change');

    await act(h, 'sip-trunk', 'confirm-whitelist', enterprise(s.enterpriseId), {});
    await stageOf(h, 'awaiting-inbound-test');
    await act(h, 'sip-trunk', 'confirm-inbound-test', support, { note: '已接通' });
    const result = await h.result();
    expect(result.checks.find((c) => c.name === 'inbound test call')).toMatchObject({
      passed: true,
      detail: expect.stringContaining('confirmed by ops: 已接通'),
    });
    expect(s.calls('awaitCall')).toHaveLength(0);
  });

  it('ends on a support rejection with the rejection email and no report', async () => {
    const s = env.scenario();
    await expectSipRejectedInReview(s, await start(s), 'sip-trunk', { reason: '网关地址不是公网地址' });
  });

  it('fails when the whitelist is not confirmed in time, removing the allowlist row', async () => {
    const s = env.scenario();
    const h = await start(s, { whitelistDeadlineMs: 1_000 });
    await stageOf(h, 'awaiting-review');
    await act(h, 'sip-trunk', 'approve', support, {});

    expect((await failureOf(h)).type).toBe('WhitelistNotConfirmed');
    await expectAllowlistRemoved(s, h, 'WhitelistNotConfirmed');
    expect(s.calls('sendOptions')).toHaveLength(0);
    expect(s.templates()).toEqual(['sip-review', 'trunk-whitelist', 'sip-report']);
  });

  it('fails when the gateway never answers OPTIONS, after a retry and the retry deadline', async () => {
    const s = env.scenario({
      sendOptions: async (o) => ({
        outcome: 'timeout',
        attempts: 3,
        sent: `OPTIONS sip:${o.host}:${o.port}`,
        from: '127.0.0.1:5090',
      }),
    });
    const h = await start(s, { connectivityWindowMs: 100, connectivityRetryDeadlineMs: 3_500 });
    await approveAndWhitelist(s, h);
    await stageOf(h, 'connectivity-failed');
    const retried = await act(h, 'sip-trunk', 'retry-connectivity', enterprise(s.enterpriseId), {
      note: '防火墙已放行',
    });
    expect(retried.stage).toBe('connectivity-check');

    expect((await failureOf(h)).type).toBe('ConnectivityFailed');
    await expectAllowlistRemoved(s, h, 'ConnectivityFailed');
    expect(s.calls('sendOptions')).toHaveLength(2);
    expect(s.calls('placeTestCall')).toHaveLength(0);
    const failedMails = s.emails('trunk-connectivity-failed');
    expect(failedMails).toHaveLength(2);
    expect(failedMails[0]?.data).toMatchObject({
      target: '198.51.100.7:5060/udp',
      attempts: 3,
      result: 'no SIP response (timeout)',
    });
  });

  it('fails on a failed outbound test call', async () => {
    const s = env.scenario({
      placeTestCall: async () => testCallEnded(403, 'Forbidden', 40),
    });
    const h = await start(s);
    await approveAndWhitelist(s, h);

    const failure = await failureOf(h);
    expect(failure).toMatchObject({
      type: 'OutboundTestFailed',
      message: 'the outbound test call failed: 403 Forbidden',
    });
    await expectAllowlistRemoved(s, h, 'OutboundTestFailed');
    expect(s.calls('awaitCall')).toHaveLength(0);
  });

  it('fails when no inbound test call is seen in the window', async () => {
    const s = env.scenario({
      awaitCall: async (w) => {
        await delay(w.maxWaitMs);
        return null;
      },
    });
    const h = await start(s, { inboundTestWindowMs: 800 });
    await approveAndWhitelist(s, h);

    const failure = await failureOf(h);
    expect(failure.type).toBe('InboundTestFailed');
    expect(failure.message).toContain('no admitted call to 020-66240001, 020-66240002 seen by');
    await expectAllowlistRemoved(s, h, 'InboundTestFailed');
    expect(s.calls('awaitCall').length).toBeGreaterThanOrEqual(1);
    expect(s.calls('assignNumbers')).toHaveLength(0);
    expect(s.calls('unassignNumbers')).toHaveLength(0);
  });

  it('removes the allowlist row when cancelled while it is being written (its undo was registered first)', async () => {
    const allow = gate<AllowlistEntry>();
    const s = env.scenario({ allowGateway: allow.behaviour });
    const h = await start(s);
    await stageOf(h, 'awaiting-review');
    await act(h, 'sip-trunk', 'approve', support, {});
    await allow.started;
    await h.signal(cancelRequestedSignal, { actor: enterprise(s.enterpriseId), reason: '改用注册模式' });
    await h.cancel();

    expect(await cancelledOutcome(h)).toBe(true);
    expect(await allow.ended).toBe('cancelled');
    expect(s.argsOf('disallowGateway')).toEqual([{ ip: GATEWAY.ip, port: GATEWAY.port, reference: s.id('sip-trunk') }]);
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'cancelled', stage: 'cancelled' });
    expect(stepNames(state).slice(-3)).toEqual([
      'cancel requested',
      'compensation: remove the allowlist entry',
      'compensation: put the numbers back on sale',
    ]);
    expect(s.templates()).toEqual(['sip-review', 'case-cancelled']);
  });
});
