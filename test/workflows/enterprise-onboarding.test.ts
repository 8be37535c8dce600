/**
 * The journey with every activity mocked: it starts the verification, creates the instance once
 * support approves, waits for number access and is ready while a number works; reminds the
 * enterprise when a wait on it stalls and support when a case's SLA passes; ignores reports about
 * other enterprises; and continues as new with its picture kept.
 */
import { describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { caseReportSignal, journeyAttachedSignal, journeyIdOf, type CaseReport } from '../../contract/case';
import { contactCenterInstance } from '../../workflows/contact-center-instance';
import type { EnterpriseOnboardingInput } from '../../contract/inputs';
import { MILESTONES, type JourneySummary } from '../../domain/journey';
import { enterpriseOnboarding } from '../../workflows/enterprise-onboarding';
import { INSTANCE_CREATED_MILESTONES, milestoneStatuses } from '../support/journey';
import { support } from './actors';
import { act, stageOf, stateOf, until } from './cases';
import { type Scenario, useWorkflowEnv } from './support';
import { LONG, instanceInput, verificationInput } from './inputs';

const env = useWorkflowEnv();

function input(s: Scenario, overrides: Partial<EnterpriseOnboardingInput> = {}): EnterpriseOnboardingInput {
  return {
    enterpriseId: s.enterpriseId,
    contactEmail: 'ops@example.cn',
    companyName: '广州示例科技有限公司',
    verification: { start: verificationInput(s) },
    instance: {
      centerName: '广州客服中心',
      admin: { name: '王五', email: 'admin@example.cn' },
      agreement: { version: '2024-06', acceptedAt: '2026-01-02T03:04:05.000Z' },
    },
    known: [],
    instances: [],
    timings: { stallAfterMs: LONG, remindEveryMs: LONG, reportsPerRun: 500 },
    ...overrides,
  };
}

function start(s: Scenario, overrides: Partial<EnterpriseOnboardingInput> = {}) {
  return env.start(enterpriseOnboarding, input(s, overrides), journeyIdOf(s.enterpriseId));
}

let seq = 0;
/** A report as a number case sends it. */
function numberReport(s: Scenario, overrides: Partial<CaseReport> = {}): CaseReport {
  return {
    caseId: `number-purchase-${s.enterpriseId}-1`,
    enterpriseId: s.enterpriseId,
    kind: 'number-purchase',
    status: 'completed',
    stage: 'completed',
    awaiting: [],
    at: Date.now(),
    seq: ++seq,
    instanceId: 'cc-1',
    numbers: ['020-66240001'],
    inService: true,
    ...overrides,
  };
}

const summaryOf = async (h: WorkflowHandle) => (await stateOf(h)).result as JourneySummary;

describe.concurrent('enterprise onboarding journey', () => {
  it('verifies, creates the instance after approval, and is ready while a number works', async () => {
    const s = env.scenario();
    const h = await start(s);
    await stageOf(h, 'verifying');
    const verification = env.client.workflow.getHandle(`verification-${s.enterpriseId}`);
    // Support's review shows in the journey, with the verification it belongs to.
    await until(async () => {
      const st = await stateOf(h);
      return st.awaiting.some(
        (a) => a.caseId === verification.workflowId && a.action === 'approve' && a.role === 'support',
      );
    }, 'the verification awaits support in the journey');
    expect((await stateOf(h)).related.map((r) => r.kind)).toContain('enterprise-verification');

    await act(verification, 'enterprise-verification', 'approve', support, { note: 'ok' });
    const waiting = await stageOf(h, 'awaiting-number-access');
    // The instance was created with the verified facts and the request the journey was given.
    expect(s.argsOf('platformCreateInstance')).toEqual([
      expect.objectContaining({ enterpriseId: s.enterpriseId, centerName: '广州客服中心' }),
    ]);
    // The administrator's password is set and emailed inside one activity (it never enters the
    // workflow): issued once, to the administrator the journey was given, and recorded as emailed
    // on the instance's case.
    const [issued, ...more] = s.argsOf('issueAdminPassword');
    expect(more).toEqual([]);
    expect(issued).toMatchObject({ adminEmail: 'admin@example.cn', reissue: 0, instanceId: 'cc-1' });
    const instanceSteps = (await stateOf(env.client.workflow.getHandle(issued!.caseId))).steps;
    expect(instanceSteps).toContainEqual(
      expect.objectContaining({
        name: 'administrator password emailed',
        status: 'done',
        detail: 'to admin@example.cn',
      }),
    );
    expect(waiting.awaiting).toContainEqual(expect.objectContaining({ for: 'number-access', role: 'enterprise' }));
    const summary = waiting.result as JourneySummary;
    expect(summary.instances.map((i) => i.instanceId)).toEqual(['cc-1']);
    expect(milestoneStatuses(summary)).toEqual(INSTANCE_CREATED_MILESTONES);

    // Another enterprise's report is not this journey's business.
    await h.signal(caseReportSignal, numberReport(s, { enterpriseId: 'ent-someone-else' }));
    await h.signal(caseReportSignal, numberReport(s));
    const ready = await stageOf(h, 'ready');
    expect((ready.result as JourneySummary).numbers).toEqual([
      { number: '020-66240001', instanceId: 'cc-1', caseId: `number-purchase-${s.enterpriseId}-1` },
    ]);
    expect(ready.awaiting).toEqual([]);
    await until(() => s.emails('journey-ready').length === 1, 'the ready email');
    expect(s.emails('journey-ready')[0]!.data).toMatchObject({ numbers: ['020-66240001'], instances: ['cc-1'] });

    // The numbers are released: no working number, the enterprise is awaited again.
    await h.signal(
      caseReportSignal,
      numberReport(s, {
        caseId: `number-subscription-${s.enterpriseId}-1`,
        kind: 'number-subscription',
        inService: false,
      }),
    );
    const released = await stageOf(h, 'awaiting-number-access');
    expect((released.result as JourneySummary).numbers).toEqual([]);
    expect((released.result as JourneySummary).milestones.find((m) => m.name === 'ready')?.at).toBeDefined();
    await h.cancel();
  });

  it('reminds the enterprise when a wait on it stalls, and support once when a case misses its SLA', async () => {
    const s = env.scenario();
    const h = await start(s, {
      verification: { follow: `verification-${s.enterpriseId}` },
      instance: undefined,
      known: [
        {
          caseId: `verification-${s.enterpriseId}`,
          enterpriseId: s.enterpriseId,
          kind: 'enterprise-verification',
          status: 'completed',
          stage: 'completed',
          awaiting: [],
          at: Date.now() - 1000,
          seq: 1,
          verified: {
            enterpriseId: s.enterpriseId,
            customerId: 'cust-1',
            companyName: '广州示例科技有限公司',
            contactEmail: 'boss@example.cn',
          },
        },
      ],
      instances: [{ instanceId: 'cc-9', centerName: '已有中心' }],
      timings: { stallAfterMs: 800, remindEveryMs: 1_500, reportsPerRun: 500 },
    });
    // Verified and an instance already: the journey waits for number access, and stalls on it.
    await stageOf(h, 'awaiting-number-access');
    await until(() => s.emails('journey-stalled').length >= 2, 'two reminders', 10_000);
    const [first] = s.emails('journey-stalled');
    expect(first!.to).toBe('boss@example.cn');
    expect(String((first!.data as { waits: string[] }).waits)).toContain('number-access');
    expect((await summaryOf(h)).stalledOn).toBe('enterprise');

    // A case whose review by support fell due: support hears of it once, however often it reports.
    // One wait, reported twice (e.g. as the case's other facts change): the same `since`.
    const since = new Date().toISOString();
    const due = new Date(Date.now() + 300).toISOString();
    const awaitingSupport = (n: number) =>
      numberReport(s, {
        caseId: `sip-trunk-${s.enterpriseId}-1`,
        kind: 'sip-trunk',
        status: 'running',
        stage: 'awaiting-review',
        awaiting: [{ action: 'approve', role: 'support', since, dueAt: due }],
        inService: false,
        numbers: [],
        seq: 1000 + n,
      });
    await h.signal(caseReportSignal, awaitingSupport(1));
    await until(() => s.emails('journey-sla-missed').length === 1, 'support told of the missed SLA', 10_000);
    await h.signal(caseReportSignal, awaitingSupport(2));
    await until(async () => (await summaryOf(h)).stalledOn === 'support', 'stalled on support');
    expect(s.emails('journey-sla-missed')).toHaveLength(1);
    expect(s.emails('journey-sla-missed')[0]!.to).toBe('support');
    await h.cancel();
  });

  it('continues as new after so many reports, keeping milestones, cases and working numbers', async () => {
    const s = env.scenario();
    const h = await start(s, { timings: { stallAfterMs: LONG, remindEveryMs: LONG, reportsPerRun: 10 } });
    const verification = env.client.workflow.getHandle(`verification-${s.enterpriseId}`);
    await until(async () => (await stateOf(h)).awaiting.some((a) => a.action === 'approve'), 'review awaited');
    await act(verification, 'enterprise-verification', 'approve', support, { note: 'ok' });
    await stageOf(h, 'awaiting-number-access');
    const firstRun = (await h.describe()).runId;
    await h.signal(caseReportSignal, numberReport(s));
    for (let i = 0; i < 12; i++)
      await h.signal(
        caseReportSignal,
        numberReport(s, {
          caseId: `third-party-line-${s.enterpriseId}-${i}`,
          kind: 'third-party-line',
          status: 'running',
          stage: 'awaiting-review',
          inService: false,
          numbers: [],
        }),
      );
    await until(async () => (await h.describe()).runId !== firstRun, 'a new run', 10_000);
    const after = await stageOf(h, 'ready');
    const summary = after.result as JourneySummary;
    expect(summary.numbers.map((n) => n.number)).toEqual(['020-66240001']);
    expect(summary.instances.map((i) => i.instanceId)).toEqual(['cc-1']);
    // Every milestone is done.
    expect(summary.milestones.filter((m) => m.status === 'done').map((m) => m.name)).toEqual([...MILESTONES]);
    expect(summary.cases.length).toBeGreaterThanOrEqual(14);
    // No second instance and no second verification in the new run.
    expect(s.argsOf('platformCreateInstance')).toHaveLength(1);
    await h.cancel();
  });

  it('lets a case report only to its own enterprise’s journey, however the attach signal is addressed', async () => {
    const s = env.scenario();
    const h = await env.start(contactCenterInstance, instanceInput(s), s.id('contact-center-instance'));
    await stageOf(h, 'active');
    const signalsOut = async () =>
      ((await h.fetchHistory()).events ?? [])
        .filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)
        .map((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes!.workflowExecution!.workflowId);
    // Another tenant's journey: ignored, nothing is sent.
    await h.signal(journeyAttachedSignal, { journeyId: journeyIdOf('ent-someone-else') });
    await h.signal(journeyAttachedSignal, { journeyId: journeyIdOf(s.enterpriseId) });
    await until(async () => (await signalsOut()).length > 0, 'a report to the own journey');
    expect(new Set(await signalsOut())).toEqual(new Set([journeyIdOf(s.enterpriseId)]));
    await h.cancel();
  });
});
