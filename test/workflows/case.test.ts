/**
 * The case library (workflows/lib/case.ts) through the enterprise verification: the first state,
 * every refusal of an action, signals, reminders, deadlines, the inbox/settle ordering, the
 * verification's endings, and a programming error failing the case visibly.
 */
import { WithStartWorkflowOperation } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { ActionFailureType } from '../../contract/actions';
import { openedUpdate } from '../../contract/case';
import { enterpriseVerification } from '../../workflows/enterprise-verification';
import { verificationInput } from './inputs';
import { admin, enterprise, support } from './actors';
import { act, failureOf, refusalOf, signal, stageOf, stateOf, stepNames, until } from './cases';
import { starter, useWorkflowEnv } from './support';

const env = useWorkflowEnv();

const rejection = {
  reasons: [{ documentKind: 'business-licence' as const, code: 'seal-missing' as const, message: '营业执照缺少公章' }],
};

const start = starter(env, enterpriseVerification, verificationInput, 'verification');

describe.concurrent('the case library', () => {
  it('answers the start (update-with-start) with the first state: stage and what it awaits', async () => {
    const s = env.scenario();
    const state = await env.client.workflow.executeUpdateWithStart(openedUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation(enterpriseVerification, {
        args: [verificationInput(s)],
        taskQueue: env.taskQueue,
        workflowId: s.id('verification'),
        workflowIdConflictPolicy: 'FAIL',
      }),
    });
    expect(state).toMatchObject({
      id: s.id('verification'),
      kind: 'enterprise-verification',
      enterpriseId: s.enterpriseId,
      status: 'running',
      stage: 'awaiting-review',
    });
    expect(state.awaiting.map((a) => [a.action, a.role])).toEqual([
      ['approve', 'support'],
      ['reject', 'support'],
    ]);
    await env.client.workflow.getHandle(s.id('verification')).terminate('test over');
  });

  it('refuses, with the failure type the API maps, actions not awaited, by the wrong role or tenant, with a malformed actor or a payload that is no object', async () => {
    const s = env.scenario();
    const h = await start(s);
    await stageOf(h, 'awaiting-review');

    const notAwaited = await refusalOf(
      act(h, 'enterprise-verification', 'resubmit', enterprise(s.enterpriseId), {
        contact: { name: 'x', phone: '13800138000', email: 'a@b.cn' },
      }),
    );
    expect(notAwaited.type).toBe(ActionFailureType.NotAwaited);
    expect(notAwaited.details?.[0]).toMatchObject({ awaiting: [{ action: 'approve' }, { action: 'reject' }] });

    const wrongRole = await refusalOf(act(h, 'enterprise-verification', 'approve', enterprise(s.enterpriseId), {}));
    expect(wrongRole.type).toBe(ActionFailureType.Forbidden);

    const malformedActor = await refusalOf(
      act(h, 'enterprise-verification', 'approve', { role: 'boss', name: 'x' } as never, {}),
    );
    expect(malformedActor.type).toBe(ActionFailureType.InvalidPayload);
    expect(malformedActor.details?.[0]).toMatchObject({ errors: [{ path: 'actor' }] });
    const unknownField = await refusalOf(
      act(h, 'enterprise-verification', 'approve', { ...support, extra: 1 } as never, {}),
    );
    expect(unknownField.type).toBe(ActionFailureType.InvalidPayload);

    const notObject = await refusalOf(act(h, 'enterprise-verification', 'approve', support, 'yes' as never));
    expect(notObject.type).toBe(ActionFailureType.InvalidPayload);
    expect(notObject.details?.[0]).toMatchObject({ errors: [{ path: 'payload' }] });
    const array = await refusalOf(act(h, 'enterprise-verification', 'approve', support, [] as never));
    expect(array.type).toBe(ActionFailureType.InvalidPayload);

    // Refusals leave the case where it was, and nothing of them in its steps.
    const after = await stateOf(h);
    expect(after.stage).toBe('awaiting-review');
    expect(stepNames(after)).toEqual(['pre-check round 1']);

    // The enterprise acts only on its own case.
    const rejected = await act(h, 'enterprise-verification', 'reject', support, rejection);
    expect(rejected.stage).toBe('awaiting-resubmission');
    const otherTenant = await refusalOf(
      act(h, 'enterprise-verification', 'resubmit', enterprise('ent-someone-else'), {
        contact: { name: 'x', phone: '13800138000', email: 'a@b.cn' },
      }),
    );
    expect(otherTenant.type).toBe(ActionFailureType.Forbidden);
    const noTenant = await refusalOf(
      act(
        h,
        'enterprise-verification',
        'resubmit',
        { role: 'enterprise', name: 'x' },
        { contact: { name: 'x', phone: '13800138000', email: 'a@b.cn' } },
      ),
    );
    expect(noTenant.type).toBe(ActionFailureType.Forbidden);
    await h.terminate('test over');
  });

  it('records a refused signal in the steps and ignores it; follows a valid one', async () => {
    const s = env.scenario();
    const h = await start(s);
    await stageOf(h, 'awaiting-review');

    await signal(h, 'enterprise-verification', 'approve', enterprise(s.enterpriseId), {});
    await signal(h, 'enterprise-verification', 'resubmit', enterprise(s.enterpriseId), {
      contact: { name: 'x', phone: '13800138000', email: 'a@b.cn' },
    });
    const refused = await until(async () => {
      const state = await stateOf(h);
      return state.steps.filter((x) => x.name.endsWith('refused')).length === 2 ? state : undefined;
    }, 'two refused signals');
    expect(refused.steps.find((x) => x.name === 'signal approve refused')).toMatchObject({
      status: 'failed',
      by: 'enterprise:applicant',
    });
    expect(refused.steps.find((x) => x.name === 'signal approve refused')?.detail).toContain(
      'approve is taken by support',
    );
    expect(refused.steps.find((x) => x.name === 'signal resubmit refused')?.detail).toContain('not awaited');
    expect(refused.stage).toBe('awaiting-review');
    expect(s.calls('ensureBillingCustomer')).toHaveLength(0);

    await signal(h, 'enterprise-verification', 'approve', admin, { note: 'via the CLI' });
    expect(await h.result()).toMatchObject({
      decision: 'approved',
      approvedBy: 'admin:root',
      note: 'via the CLI',
      rounds: 1,
      billingCustomerId: 'cust-1',
    });
    const done = await stateOf(h);
    expect(done.steps.find((x) => x.name === 'approve')).toMatchObject({ by: 'admin:root', detail: 'via the CLI' });
  });

  it('reminds every period while it waits, each reminder its own email', async () => {
    const s = env.scenario();
    const started = Date.now();
    const h = await start(s, { reviewSlaMs: 250 });
    const reminders = await until(() => {
      const r = s.emails('verification-review-reminder');
      return r.length >= 3 ? r : undefined;
    }, 'three review reminders');
    const elapsed = Date.now() - started;
    // Not more often than the period (the first comes one period after entering the stage).
    expect(reminders.length).toBeLessThanOrEqual(Math.floor(elapsed / 250));
    expect(reminders.slice(0, 3).map((r) => r.to)).toEqual(['support', 'support', 'support']);
    expect(reminders.slice(0, 3).map((r) => (r.data as { reminder: number }).reminder)).toEqual([1, 2, 3]);
    expect(new Set(reminders.map((r) => r.dedupKey)).size).toBe(reminders.length);
    const state = await stateOf(h);
    expect(stepNames(state)).toEqual(
      expect.arrayContaining(['review reminder 1', 'review reminder 2', 'review reminder 3']),
    );
    expect(state.stage).toBe('awaiting-review');
    // The one submission email, then only reminders.
    expect(s.emails('verification-submitted')).toHaveLength(1);
    await h.terminate('test over');
  });

  it('answers an update with the state after the case moved on (inbox/settle ordering)', async () => {
    const s = env.scenario();
    const h = await start(s);
    await stageOf(h, 'awaiting-review');

    const afterReject = await act(h, 'enterprise-verification', 'reject', support, rejection);
    expect(afterReject.stage).toBe('awaiting-resubmission');
    expect(afterReject.awaiting.map((a) => a.action)).toEqual(['resubmit']);
    expect(afterReject.steps.at(-1)).toMatchObject({
      name: 'reject',
      by: 'support:ops',
      detail: 'seal-missing: 营业执照缺少公章',
    });

    const afterResubmit = await act(h, 'enterprise-verification', 'resubmit', enterprise(s.enterpriseId), {
      documents: [{ kind: 'business-licence', documentId: 'doc-9' }],
    });
    // Taken, and the case has left the stage: it is pre-checking the corrected application.
    expect(afterResubmit.stage).toBe('prechecking');
    expect(afterResubmit.awaiting).toEqual([]);

    await stageOf(h, 'awaiting-review');
    const afterApprove = await act(h, 'enterprise-verification', 'approve', support, {});
    expect(afterApprove.stage).toBe('approving');
    expect(afterApprove.awaiting).toEqual([]);
    const result = await h.result();
    expect(result).toMatchObject({ decision: 'approved', rounds: 2 });

    // The resubmission was pre-checked by the activity, with the corrected document in place.
    const [precheck] = s.argsOf('precheckApplication');
    expect(precheck?.application.documents.filter((d) => d.kind === 'business-licence')).toEqual([
      { kind: 'business-licence', documentId: 'doc-9' },
    ]);
    expect(s.argsOf('ensureBillingCustomer')).toEqual([
      {
        enterpriseId: s.enterpriseId,
        name: '广州示例科技有限公司',
        contactEmail: 'ops@example.cn',
        idempotencyKey: expect.stringMatching(new RegExp(`^${s.id('verification')}/.+/billing-customer$`)),
      },
    ]);
    expect(s.templates()).toEqual([
      'verification-submitted',
      'verification-rejected',
      'verification-submitted',
      'verification-approved',
    ]);
  });

  it("records a case's events in the order emitted, each once, a burst of them in one local activity", async () => {
    const s = env.scenario();
    const h = await start(s);
    await stageOf(h, 'awaiting-review');
    await act(h, 'enterprise-verification', 'approve', support, {});
    await h.result();

    const batches = s.argsOf('recordEvents');
    const events = batches.flat();
    expect(s.calls('recordEvent')).toEqual([]);
    // Numbered in the order emitted: every one there, once, in order.
    const numbers = events.map((e) => Number(e.id.split('_').at(-1)));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['case.stage_changed', 'case.awaiting', 'case.action_taken', 'case.completed']),
    );
    expect(events.at(-1)?.type).toBe('case.completed');
    // Fewer local activities than events: the events of one workflow task go together.
    expect(batches.length).toBeLessThan(events.length);
    expect(batches.some((b) => b.length > 1)).toBe(true);
  });

  it('ends the wait at its deadline: no resubmission in the window fails the verification', async () => {
    const s = env.scenario();
    const h = await start(s, { resubmissionWindowMs: 400 });
    await stageOf(h, 'awaiting-review');
    await act(h, 'enterprise-verification', 'reject', support, rejection);

    const failure = await failureOf(h);
    expect(failure.type).toBe('ResubmissionWindowExpired');
    const state = await stateOf(h);
    expect(state).toMatchObject({
      status: 'failed',
      stage: 'failed',
      awaiting: [],
      error: { type: 'ResubmissionWindowExpired' },
    });
    expect(stepNames(state)).toEqual(['pre-check round 1', 'reject', 'failed']);
    expect(s.emails().map((e) => [e.template, e.to])).toEqual([
      ['verification-submitted', 'support'],
      ['verification-rejected', 'ops@example.cn'],
      ['verification-expired', 'ops@example.cn'],
    ]);
  });

  it('sends a resubmission that fails its pre-check back to the enterprise, and expires from there', async () => {
    const failures = [{ path: 'company.licenceValidTo', code: 'licence-expired', message: 'the licence has expired' }];
    const s = env.scenario({ precheckApplication: async () => ({ failures, facts: verificationInput(s).facts }) });
    const h = await start(s, { resubmissionWindowMs: 3_000 });
    await stageOf(h, 'awaiting-review');
    await act(h, 'enterprise-verification', 'reject', support, rejection);
    await act(h, 'enterprise-verification', 'resubmit', enterprise(s.enterpriseId), {
      company: { ...verificationInput(s).application.company, licenceValidTo: '2021-01-01' },
    });

    expect((await failureOf(h)).type).toBe('ResubmissionWindowExpired');
    const state = await stateOf(h);
    expect(state.steps.find((x) => x.name === 'pre-check round 2')).toMatchObject({
      status: 'failed',
      detail: 'company.licenceValidTo: licence-expired',
    });
    expect(s.argsOf('precheckApplication')[0]?.application.company.licenceValidTo).toBe('2021-01-01');
    expect(s.templates()).toEqual([
      'verification-submitted',
      'verification-rejected',
      'verification-precheck-failed',
      'verification-expired',
    ]);
    expect(s.emails('verification-precheck-failed')[0]?.data).toMatchObject({ failures });
  });

  it('fails the case as InternalError when its code breaks on a malformed answer, instead of retrying its task', async () => {
    const s = env.scenario({ ensureBillingCustomer: async () => null as never });
    const h = await start(s);
    await stageOf(h, 'awaiting-review');
    await act(h, 'enterprise-verification', 'approve', support, {});

    const failure = await failureOf(h);
    expect(failure.type).toBe('InternalError');
    expect(failure.message).toMatch(/TypeError/);
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'failed', error: { type: 'InternalError' } });
    expect(s.calls('ensureBillingCustomer')).toHaveLength(1);
  });
});
