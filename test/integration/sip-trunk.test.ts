/**
 * A whole SIP trunk case through the API on the real SBC: Kamailio on its own loopback address
 * and database, SIPp as the customer's gateway, the platform's own OPTIONS and test-call agents.
 */
import { describe, expect, inject, it } from 'vitest';
import type { OnboardingResource } from '../../domain/onboarding';
import { expectErrors } from '../support/api';
import { platformCall } from '../support/fixtures';
import { recordHistory } from '../support/histories';
import { activityRunning, bearer, caseWhen, completedAttempt } from '../support/harness';
import { callFrom, useSipOnboarding } from '../support/sip';
import { WorkerProcess } from '../support/stack';
import { startSippServer } from '../support/sipp';
import { loopbackNet } from '../support/net';

const {
  net: NET,
  gateway: GATEWAY,
  sbc,
  h,
  instance: instanceA,
  start,
  attemptStart,
  act,
  stageWhen,
  cancel,
  attemptCancel,
  mailWhen,
  bodyOf,
} = useSipOnboarding(
  loopbackNet(72),
  { host: 2, port: 5062 },
  {
    SIP_ALLOW_PRIVATE_GATEWAYS: 'true',
    SIP_OPTIONS_TIMEOUT: '1500ms',
    SIP_CONNECTIVITY_WINDOW: '2s',
    SIP_INBOUND_TEST_WINDOW: '30s',
  },
);

const trunk = bodyOf('sip-trunk', () => ({
  instanceId: instanceA.instanceId,
  gateway: { ip: GATEWAY.ip, port: GATEWAY.port, transport: 'udp' },
  numbers: ['020-66001111', '02066001112'],
  callerIdPrefix: '9',
  boundAppId: instanceA.defaults.appId,
  contact: { name: '王工', phone: '13800138000', email: 'noc@example.cn' },
  testCallee: '13900139000',
}));

describe('SIP trunk onboarding on the real SBC', () => {
  it('allowlists, finds a silent gateway, retries once it answers, rings out, sees the inbound call, assigns the numbers and reports', async () => {
    const id = await start(trunk());
    await stageWhen(id, 'awaiting-review');
    expect(await sbc.gateway.allowlist({ reference: id })).toEqual([]);
    await act(id, 'approve', h.tokens.support);

    await stageWhen(id, 'awaiting-customer-whitelist');
    expect(await sbc.gateway.allowlist({ reference: id })).toEqual([
      expect.objectContaining({ ip: GATEWAY.ip, port: GATEWAY.port, state: 'live' }),
    ]);
    const whitelist = await mailWhen(id, 'trunk-whitelist');
    expect(whitelist.text).toContain(`${sbc.address.ip}:${sbc.address.sipPort}`);
    await act(id, 'confirm-whitelist', h.tokens.entA);

    // Nobody answers yet: the check fails with a diagnosis.
    const failed = await stageWhen(id, 'connectivity-failed', 30_000);
    expect(failed.awaiting).toEqual([expect.objectContaining({ action: 'retry-connectivity', role: 'enterprise' })]);
    const diagnosis = await mailWhen(id, 'trunk-connectivity-failed');
    expect(diagnosis.text).toContain(`OPTIONS sip:${GATEWAY.ip}:${GATEWAY.port}`);
    expect(diagnosis.text).toContain(sbc.probe);

    // The customer fixes its side: the gateway answers OPTIONS and rings on INVITE.
    const customerGateway = await startSippServer('uas-gateway.xml', GATEWAY);
    try {
      await act(id, 'retry-connectivity', h.tokens.entA);
      await stageWhen(id, 'awaiting-inbound-test', 40_000);
    } finally {
      await customerGateway.stop();
    }
    const state = (await h.api.get(`/v1/onboardings/${id}`).set(...bearer(h.tokens.entA))).body as OnboardingResource;
    expect(state.steps.find((s) => s.name === 'connectivity round 2')?.detail).toMatch(/^200 OK, \d+ ms$/);
    expect(state.steps.find((s) => s.name === 'outbound test call')).toMatchObject({
      status: 'done',
      detail: expect.stringContaining('cancelled'),
    });

    // The enterprise calls one of its numbers from the gateway; the SBC admits and records it.
    const inbound = await callFrom(sbc.address, GATEWAY, '02066001112');
    expect(inbound.outcome).toBe('answered');

    const done = await caseWhen(h, id, (c) => c.status === 'completed', 'completed', 30_000);
    const result = done.result as {
      passed: boolean;
      checks: { name: string; passed: boolean; code?: number; rttMs?: number }[];
    };
    expect(result.passed).toBe(true);
    expect(result.checks.map((c) => [c.name, c.passed])).toEqual([
      ['connectivity (OPTIONS)', true],
      ['outbound test call', true],
      ['inbound test call', true],
      ['numbers assigned', true],
    ]);
    expect(result.checks[0]).toMatchObject({ code: 200, rttMs: expect.any(Number) });
    const assigned = await sbc.gateway.assignments({ instanceId: instanceA.instanceId });
    expect(assigned.map((a) => a.number).sort()).toEqual(['+862066001111', '+862066001112']);
    expect(assigned[0]).toMatchObject({ callerIdPrefix: '9', reference: id });
    const inPlatform = (
      await platformCall<{ items: { number: string; binding: { appId: string | null } }[] }>(
        h,
        'GET',
        `/v1/instances/${instanceA.instanceId}/numbers`,
      )
    ).body.items;
    expect(inPlatform.map((n) => [n.number, n.binding.appId])).toEqual([
      ['+862066001111', instanceA.defaults.appId],
      ['+862066001112', instanceA.defaults.appId],
    ]);
    const report = await mailWhen(id, 'sip-report');
    expect(report.text).toContain('[PASS] inbound test call');
    await recordHistory(h.client, id, 'sip-trunk-retry-then-pass-with-own-numbers-held');

    // The numbers now serve an instance: a second trunk cannot bring them again.
    const again = await attemptStart(trunk({ gateway: { ip: `${NET}.9`, port: 5062 } }));
    expect(again.status).toBe(422);
    expect(again.body.errors.map((e: { code: string }) => e.code)).toEqual([
      'number-already-assigned',
      'number-already-assigned',
    ]);
  });

  it('brings 400 numbers the enterprise says it owns (refusing one it does not declare), and waits for a gateway where the carrier cannot trunk', async () => {
    const numbers = ['02066005551', '400-612-3456'];
    const undeclared = await attemptStart(trunk({ numbers, gateway: { ip: `${NET}.9`, port: 5062 } }));
    expectErrors(undeclared, 422, [{ path: 'numbers.1', code: 'own-400-not-declared' }]);

    const owned = await attemptStart(
      trunk({
        numbers,
        owns400Numbers: true,
        carrierSupportsSipTrunk: false,
        gateway: { ip: `${NET}.9`, port: 5062 },
      }),
    );
    expect(owned.status, JSON.stringify(owned.body)).toBe(202);
    const id = owned.body.id as string;
    // The carrier cannot trunk: the enterprise is told what its gateway must support, and review waits.
    expect(owned.body.stage).toBe('awaiting-gateway');
    const needed = await mailWhen(id, 'trunk-gateway-needed');
    expect(needed.text).toContain('loose routing');
    expect(needed.text).toContain('信令原路返回');
    await act(id, 'confirm-gateway-ready', h.tokens.entA);
    const review = await stageWhen(id, 'awaiting-review');
    expect(review.awaiting.map((a) => a.action)).toContain('approve');
    await cancel(id, h.tokens.entA, { reason: '先接入固话' });
  });

  it('leaves no allowlist row after a cancel mid-way, and refuses private addresses when not allowed', async () => {
    const id = await start(trunk({ numbers: ['02066002221'], gateway: { ip: `${NET}.3`, port: 5062 } }));
    await stageWhen(id, 'awaiting-review');
    await act(id, 'approve', h.tokens.support);
    await stageWhen(id, 'awaiting-customer-whitelist');
    expect(await sbc.gateway.allowlist({ reference: id })).toHaveLength(1);
    const cancelled = await cancel(id, h.tokens.entA, { reason: '改用注册模式' });
    await recordHistory(h.client, id, 'sip-trunk-cancelled-allowlist-removed-with-own-numbers-held');
    expect(cancelled.steps.map((s) => s.name)).toContain('compensation: remove the allowlist entry');
    expect(await sbc.gateway.allowlist({ reference: id })).toEqual([]);
    const rows = await sbc.pool.query('SELECT 1 FROM address WHERE tag = $1', [id]);
    expect(rows.rowCount).toBe(0);

    // Private ranges are allowed here (a lab), carrier-grade NAT never: the refusal names the range.
    const cgnat = await attemptStart(trunk({ numbers: ['02066003331'], gateway: { ip: '100.64.7.7', port: 5060 } }));
    expectErrors(cgnat, 422, [
      { path: 'gateway.ip', code: 'gateway-ip-range', message: expect.stringContaining('carrierGradeNat') },
    ]);
  });

  it('leaves exactly one allowlist row when the worker is killed with SIGKILL mid-case', async () => {
    const ip = `${NET}.8`;
    await h.stopWorker();
    const child = await WorkerProcess.spawn({ ...h.env, WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath') });
    try {
      const id = await start(trunk({ numbers: ['02066005551'], gateway: { ip, port: 5062 } }));
      await stageWhen(id, 'awaiting-review');
      // The allowlist table is locked, so the allowlisting activity blocks inside its write.
      const lock = await sbc.pool.connect();
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE address IN ACCESS EXCLUSIVE MODE');
      try {
        await act(id, 'approve', h.tokens.support);
        expect((await activityRunning(h.client, id, 'allowGateway')).attempt).toBe(1);
        await child.kill('SIGKILL');
      } finally {
        await lock.query('COMMIT');
        lock.release();
      }
      await h.startWorker();
      await stageWhen(id, 'awaiting-customer-whitelist', 90_000);
      const rows = await sbc.pool.query('SELECT ip_addr, port FROM address WHERE tag = $1', [id]);
      expect(rows.rows).toEqual([{ ip_addr: ip, port: 5062 }]);
      // The write the kill interrupted was retried by the new worker.
      expect(await completedAttempt(h.client, id, 'allowGateway')).toBeGreaterThanOrEqual(2);
      expect((await attemptCancel(id, h.tokens.entA)).status).toBe(200);
      // An email lost with the worker is retried after its timeout; the case closes once its mail is out.
      await caseWhen(h, id, (c) => c.status === 'cancelled', 'cancelled', 90_000);
      expect((await sbc.pool.query('SELECT 1 FROM address WHERE tag = $1', [id])).rowCount).toBe(0);
    } finally {
      await child.kill('SIGKILL').catch(() => undefined);
    }
  }, 240_000);
});
