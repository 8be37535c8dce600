/**
 * Contact-center instances with the platform and the password activity mocked: created once and
 * handed over (`active`, result shown while it waits), re-issues numbered in order and taken by
 * the enterprise or support only, a platform refusal failing the case with its own type, and a
 * cancel undoing the instance before hand-over but not after.
 */
import { describe, expect, it } from 'vitest';
import { ActionFailureType } from '../../contract/actions';
import { contactCenterInstance } from '../../workflows/contact-center-instance';
import { enterprise, support } from './actors';
import { act, cancelledOutcome, failureOf, refusalOf, stageOf, stateOf, stepNames, until } from './cases';
import { gate, refuse, starter, useWorkflowEnv } from './support';
import type { ContactCenterInstance } from '../../activities/contact-center';
import { instanceInput } from './inputs';

const env = useWorkflowEnv();

const start = starter(env, contactCenterInstance, instanceInput, 'contact-center-instance');

describe.concurrent('contact-center instance', () => {
  it('creates the instance once, issues the password, then re-issues it on request in order', async () => {
    const s = env.scenario();
    const h = await start(s);
    const active = await stageOf(h, 'active');
    expect(active.result).toEqual({
      instanceId: 'cc-1',
      centerName: '广州客服中心',
      admin: { name: '王五', email: 'admin@example.cn' },
      defaults: { appId: 'app-default', ivrFlowId: 'ivr-default', skillGroupId: 'sg-default' },
      passwordsIssued: 1,
    });
    expect(active.awaiting.map((a) => [a.action, a.role])).toEqual([
      ['reissue-admin-password', 'enterprise'],
      ['reissue-admin-password', 'support'],
    ]);
    expect(s.argsOf('platformCreateInstance')).toEqual([
      {
        enterpriseId: s.enterpriseId,
        centerName: '广州客服中心',
        admin: { name: '王五', email: 'admin@example.cn' },
        agreement: instanceInput(s).agreement,
        idempotencyKey: `${h.workflowId}/create`,
      },
    ]);

    // Another enterprise may not; the owner and support may.
    const foreign = await refusalOf(
      act(h, 'contact-center-instance', 'reissue-admin-password', enterprise('ent-other'), {}),
    );
    expect(foreign.type).toBe(ActionFailureType.Forbidden);
    await act(h, 'contact-center-instance', 'reissue-admin-password', enterprise(s.enterpriseId), { reason: 'lost' });
    await until(
      async () => ((await stateOf(h)).result as { passwordsIssued: number }).passwordsIssued === 2 || undefined,
      'first re-issue',
    );
    await act(h, 'contact-center-instance', 'reissue-admin-password', support, {});
    const again = await until(async () => {
      const st = await stateOf(h);
      return st.stage === 'active' && (st.result as { passwordsIssued: number }).passwordsIssued === 3 ? st : undefined;
    }, 'second re-issue');

    const issues = s.argsOf('issueAdminPassword');
    expect(issues.map((i) => i.reissue)).toEqual([0, 1, 2]);
    expect(new Set(issues.map((i) => i.dedupKey)).size).toBe(3);
    for (const i of issues)
      expect(i).toMatchObject({ caseId: h.workflowId, instanceId: 'cc-1', adminEmail: 'admin@example.cn' });
    expect(stepNames(again)).toEqual(
      expect.arrayContaining([
        'instance created',
        'administrator password emailed',
        'administrator password re-issued (1)',
        'administrator password re-issued (2)',
      ]),
    );
    expect(s.calls('platformCreateInstance')).toHaveLength(1);

    // Handed over: a cancel ends the case and leaves the instance.
    await h.cancel();
    expect(await cancelledOutcome(h)).toBe(true);
    expect(s.calls('platformWithdrawInstance')).toHaveLength(0);
  });

  it('fails with the platform’s refusal, undoing nothing it did not do', async () => {
    const s = env.scenario({
      platformCreateInstance: () =>
        refuse('CenterNameTaken', 'enterprise already has a contact center named 广州客服中心'),
    });
    const h = await start(s);
    const failure = await failureOf(h);
    expect(failure.type).toBe('CenterNameTaken');
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'failed', error: { type: 'CenterNameTaken' } });
    expect(stepNames(state)).toContain('compensation: withdraw the instance');
    expect(s.calls('issueAdminPassword')).toHaveLength(0);
  });

  it('suspends the instance when cancelled while it is being created', async () => {
    const creating = gate<ContactCenterInstance>();
    const s = env.scenario({
      platformCreateInstance: creating.behaviour,
      platformWithdrawInstance: async () => 'instance cc-1 suspended',
    });
    const h = await start(s);
    await creating.started;
    await h.cancel();
    expect(await cancelledOutcome(h)).toBe(true);
    expect(await creating.ended).toBe('cancelled');
    expect(s.argsOf('platformWithdrawInstance')).toEqual([
      {
        enterpriseId: s.enterpriseId,
        centerName: '广州客服中心',
        reason: expect.stringContaining(h.workflowId),
        idempotencyKey: `${h.workflowId}/withdraw`,
      },
    ]);
    expect(s.calls('issueAdminPassword')).toHaveLength(0);
    expect(s.emails('case-cancelled')).toHaveLength(1);
  });
});
