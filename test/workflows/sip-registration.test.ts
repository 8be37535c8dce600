/**
 * SIP registration with mocked SBC, account issuing, probes and watches: in service (with a
 * password rotation) until cancelled, which deletes the account; a rejection; and the
 * registration deadline with its reminders.
 */
import { describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { cancelRequestedSignal } from '../../contract/case';
import type { Registration } from '../../activities/sip-gateway';
import { sipRegistration } from '../../workflows/sip-registration';
import { registrationInput } from './inputs';
import { enterprise, expectSipRejectedInReview, support } from './actors';
import { act, awaitingOrStopped, cancelledOutcome, failureOf, stageOf, stateOf, stepNames } from './cases';
import { gate, NUMBERS, starter, useWorkflowEnv } from './support';

const env = useWorkflowEnv();

const start = starter(env, sipRegistration, registrationInput, 'sip-registration');

const account = { username: 'gw1001', realm: 'cc-1.sip.test' };
/** The test call to the registered account, from the first number. */
const TEST_CALL = {
  host: account.realm,
  port: 0,
  transport: 'tcp',
  callee: account.username,
  caller: NUMBERS.e164[0],
  instanceId: 'cc-1',
  domain: account.realm,
};

describe.concurrent('SIP registration', () => {
  it('rings the testCallee From the main number, and gives a FreeSWITCH gateway its first test call', async () => {
    const s = env.scenario();
    const input = registrationInput(s);
    const h = await env.start(
      sipRegistration,
      {
        ...input,
        request: { ...input.request, gatewayVendor: 'freeswitch' },
        testCallee: '+8613900139000',
      },
      s.id('sip-registration'),
    );
    await stageOf(h, 'awaiting-review');
    await act(h, 'sip-registration', 'approve', support, {});
    await stageOf(h, 'registered');
    expect(s.argsOf('placeTestCall')).toEqual([{ ...TEST_CALL, to: '+8613900139000' }]);
    expect(s.argsOf('issueSipCredentials')[0]).toMatchObject({
      vendor: 'freeswitch',
      firstTestCall: { line: NUMBERS.e164[0], caller: '+8613900139000' },
    });
    await h.terminate('test over');
  });

  it('goes into service, rotates the password on request, and deletes the account when cancelled', async () => {
    const s = env.scenario();
    const h = await start(s);
    const id = s.id('sip-registration');
    await stageOf(h, 'awaiting-review');
    await act(h, 'sip-registration', 'approve', support, {});

    const registered = await stageOf(h, 'registered');
    expect(registered.result).toMatchObject({
      passed: true,
      account,
      registrar: 'sip.test:5060',
      numbers: NUMBERS.display,
      rotations: 0,
    });
    expect(s.argsOf('issueSipCredentials')).toEqual([
      {
        caseId: id,
        companyName: '广州示例科技有限公司',
        instanceId: 'cc-1',
        enterpriseId: s.enterpriseId,
        numbers: NUMBERS.e164,
        to: 'ops@example.cn',
        transport: 'tcp',
        vendor: 'generic',
        rotation: 0,
        dedupKey: expect.stringMatching(/\/email\/sip-credentials\/0$/),
      },
    ]);
    expect(s.argsOf('awaitRegistration')[0]).toMatchObject(account);
    expect(s.argsOf('placeTestCall')).toEqual([TEST_CALL]);
    expect(s.argsOf('awaitCall')[0]).toMatchObject({ callees: NUMBERS.e164 });
    expect(s.argsOf('assignNumbers')).toEqual([
      { instanceId: 'cc-1', numbers: NUMBERS.e164, origin: 'own-registration', reference: id },
    ]);

    const rotated = await act(h, 'sip-registration', 'rotate-credentials', enterprise(s.enterpriseId), {
      note: '密码泄露',
    });
    expect(rotated.stage).toBe('issuing-credentials');
    await stageOf(h, 'registered');
    expect(s.argsOf('issueSipCredentials')[1]).toMatchObject({
      rotation: 1,
      account,
      dedupKey: expect.stringMatching(/\/email\/sip-credentials\/1$/),
    });

    await h.signal(cancelRequestedSignal, { actor: enterprise(s.enterpriseId), reason: '停用网关' });
    await h.cancel();
    expect(await cancelledOutcome(h)).toBe(true);
    expect(s.argsOf('deleteSipAccountsOf')).toEqual([{ reference: id }]);
    expect(s.argsOf('unassignNumbers')).toEqual([{ numbers: NUMBERS.e164, reference: id }]);
    expect(s.argsOf('platformUnassignNumbers')).toEqual([
      { instanceId: 'cc-1', numbers: NUMBERS.e164, idempotencyKey: `${id}/platform-unassign` },
    ]);
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'cancelled', stage: 'cancelled' });
    // Newest first: the numbers come off the contact center, then the SBC, before the account goes.
    expect(stepNames(state).filter((n) => n.startsWith('compensation'))).toEqual([
      'compensation: unassign the numbers in the contact center',
      'compensation: unassign the numbers',
      'compensation: delete the SIP account',
      'compensation: put the numbers back on sale',
    ]);
    expect(state.steps.find((x) => x.name === 'compensation: delete the SIP account')?.detail).toBe(
      'deleted gw1001@cc-1.sip.test',
    );
    expect(s.templates()).toEqual(['sip-review', 'sip-inbound-test', 'sip-report', 'case-cancelled']);
  });

  it('lists the registration it waits for, with the account and the deadline, though it is not an action', async () => {
    const registering = gate<Registration | null>();
    const s = env.scenario({ awaitRegistration: registering.behaviour });
    const h = await start(s);
    await stageOf(h, 'awaiting-review');
    await act(h, 'sip-registration', 'approve', support, {});
    const waiting = await stageOf(h, 'awaiting-registration');
    expect(waiting.awaiting).toEqual([
      expect.objectContaining({
        for: 'registration',
        role: 'enterprise',
        dueAt: expect.any(String),
        detail: expect.stringMatching(/^register gw1001@cc-1\.sip\.test$/),
      }),
    ]);
    await registering.started;
    registering.release({
      contact: 'sip:gw1001@198.51.100.7:5060',
      transport: 'tcp',
      expiresAt: new Date().toISOString(),
    });
    await stageOf(h, 'awaiting-inbound-test');
    await h.cancel();
  });

  it('takes support’s word for the registration where the SBC cannot see registrations', async () => {
    const s = env.scenario({ sipGatewayObserves: async () => ({ calls: false, registrations: false }) });
    const h = await start(s);
    await stageOf(h, 'awaiting-review');
    await act(h, 'sip-registration', 'approve', support, {});
    await stageOf(h, 'awaiting-registration');
    await act(h, 'sip-registration', 'confirm-registration', support, {});
    await stageOf(h, 'awaiting-inbound-test');
    await act(h, 'sip-registration', 'confirm-inbound-test', support, {});

    const registered = await stageOf(h, 'registered');
    expect(registered.result).toMatchObject({ passed: true });
    expect(registered.steps.find((x) => x.name === 'outbound test call')?.detail).toContain('not placed');
    expect(s.calls('awaitRegistration')).toHaveLength(0);
    expect(s.calls('placeTestCall')).toHaveLength(0);
    await h.terminate('test over');
  });

  it('waits, with an SBC changed by hand, for support to confirm the account was made', async () => {
    const s = env.scenario({
      issueSipCredentials: async (i) => ({
        username: 'gw1001',
        realm: `${i.instanceId}.sip.test`,
        state: 'pending-manual',
      }),
    });
    const h = await start(s);
    await stageOf(h, 'awaiting-review');
    await act(h, 'sip-registration', 'approve', support, {});

    const manual = await awaitingOrStopped(h, 'the wait for the hand-made account');
    expect(manual).toMatchObject({
      status: 'running',
      stage: 'issuing-credentials',
      error: null,
      awaiting: [{ action: 'confirm-sbc-change', role: 'support' }],
    });
    const confirmed = await act(h, 'sip-registration', 'confirm-sbc-change', support, { change: 'create-account' });
    expect(confirmed.stage).not.toBe('issuing-credentials');
    await stageOf(h, 'registered');
    await h.terminate('test over');
  });

  it('ends on a support rejection with no account made and no report', async () => {
    const s = env.scenario();
    await expectSipRejectedInReview(s, await start(s), 'sip-registration', { reason: '号码不属于该企业' });
  });

  it('reminds the enterprise while the gateway does not register, fails at the deadline and deletes the account', async () => {
    const s = env.scenario({
      // Watches the whole slice it is given, as the real watch does, and sees nothing.
      awaitRegistration: async (w) => {
        await delay(w.maxWaitMs);
        return null;
      },
    });
    const h = await start(s, { registrationReminderMs: 300, registrationDeadlineMs: 6_000 });
    await stageOf(h, 'awaiting-review');
    await act(h, 'sip-registration', 'approve', support, {});

    const failure = await failureOf(h);
    expect(failure.type).toBe('NotRegistered');
    expect(failure.message).toContain('gw1001@cc-1.sip.test did not register by');
    const reminders = s.emails('sip-registration-reminder');
    expect(reminders.length).toBeGreaterThanOrEqual(2);
    expect(reminders.map((r) => (r.data as { reminder: number }).reminder)).toEqual(reminders.map((_, i) => i + 1));
    expect(reminders.every((r) => r.to === 'ops@example.cn')).toBe(true);
    expect(s.argsOf('deleteSipAccountsOf')).toEqual([{ reference: s.id('sip-registration') }]);
    expect(s.calls('placeTestCall')).toHaveLength(0);
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'failed', error: { type: 'NotRegistered' } });
    expect(stepNames(state).filter((n) => n.startsWith('compensation'))).toEqual([
      'compensation: delete the SIP account',
      'compensation: put the numbers back on sale',
    ]);
    expect(stepNames(state)).toEqual(expect.arrayContaining(['registration reminder 1', 'registration reminder 2']));
    expect(s.emails('sip-report')[0]?.data).toMatchObject({ passed: false });
  });
});
