/**
 * A whole journey through the API on the real stack: the journey starts the verification (one
 * rejection, one resubmission), creates the contact center once support approves (the
 * administrator's password emailed, never in history or answers), links the number purchase and
 * the SIP trunk the enterprise starts on that instance, and is ready with their numbers working.
 * Tenants see only their own journey; the stalled ones are listed for support.
 */
import { describe, expect, it } from 'vitest';
import type { JourneyView } from '../../domain/journey';
import { legalRepApplication, upload } from '../support/fixtures';
import { bindingOf, expectErrors } from '../support/api';
import { exportHistory, recordHistory } from '../support/histories';
import { INSTANCE_CREATED_MILESTONES, milestoneStatuses } from '../support/journey';
import { bearer, billingCall, caseApi, caseWhen, eventually, useHarness } from '../support/harness';
import { startSippServer } from '../support/sipp';
import { loopbackNet } from '../support/net';

const GATEWAY = { ip: `${loopbackNet(77)}.2`, port: 5062 };

const h = useHarness({
  SIP_ALLOW_PRIVATE_GATEWAYS: 'true',
  SIP_OPTIONS_TIMEOUT: '1500ms',
  SIP_CONNECTIVITY_WINDOW: '5s',
  SIP_INBOUND_TEST_WINDOW: '1h',
  PURCHASE_PAYMENT_POLL: '30s',
  // A journey waiting on the enterprise for this long is stalled (and the enterprise reminded).
  JOURNEY_STALL_AFTER: '3s',
  JOURNEY_REMIND_EVERY: '1h',
});

const { start, attemptStart, act, cancel, stageWhen, mailWhen } = caseApi(() => h);

async function journeyOf(enterpriseId: string, token: string): Promise<JourneyView> {
  const res = await h.api.get(`/v1/enterprises/${enterpriseId}/journey`).set(...bearer(token));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as JourneyView;
}

async function journeyWhen(check: (j: JourneyView) => boolean, what: string, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const j = await journeyOf(h.enterprises.a, h.tokens.entA);
      return check(j) ? j : undefined;
    },
    timeoutMs,
    what,
  );
}

describe('enterprise-onboarding: the whole journey', () => {
  it('goes from verification to a contact center to working numbers, through the API alone', async () => {
    const {
      kind: _kind,
      enterpriseId: _e,
      ...application
    } = await legalRepApplication(h, h.enterprises.a, h.tokens.entA);
    const admin = { name: '王五', email: `admin@${h.enterprises.a}.example.cn` };
    const started = await h.api
      .post('/v1/onboardings')
      .set(...bearer(h.tokens.entA))
      .set('Idempotency-Key', 'journey-1')
      .send({
        kind: 'enterprise-onboarding',
        enterpriseId: h.enterprises.a,
        verification: application,
        instance: { centerName: '广州客服中心', admin, agreementAccepted: true },
      });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const journeyId = `journey-${h.enterprises.a}`;
    expect(started.body.id).toBe(journeyId);
    expect(started.headers.location).toBe(`/v1/onboardings/${journeyId}`);
    const verificationId = `verification-${h.enterprises.a}`;

    // Support's review shows in the journey as the next step, with the case it belongs to.
    let j = await journeyWhen(
      (x) => x.next.some((n) => n.caseId === verificationId && n.action === 'approve'),
      'the review awaited',
    );
    expect(j.stage).toBe('verifying');
    expect(j.next.find((n) => n.action === 'approve')).toMatchObject({ role: 'support', dueAt: expect.any(String) });

    // One rejection, one resubmission, then approval.
    await act(verificationId, 'reject', h.tokens.support, {
      reasons: [{ documentKind: 'business-licence', code: 'unreadable', message: '营业执照不清晰' }],
    });
    j = await journeyWhen(
      (x) => x.next.some((n) => n.caseId === verificationId && n.action === 'resubmit' && n.role === 'enterprise'),
      'the resubmission awaited from the enterprise',
    );
    const licence = await upload(h, h.tokens.entA, 'business-licence');
    await act(verificationId, 'resubmit', h.tokens.entA, { documents: [licence] });
    await stageWhen(verificationId, 'awaiting-review');
    await act(verificationId, 'approve', h.tokens.support, { note: '材料齐全' });

    // The contact center is created once, its administrator told the password by email only.
    j = await journeyWhen((x) => x.stage === 'awaiting-number-access', 'the instance created', 60_000);
    expect(j.instances).toEqual([expect.objectContaining({ centerName: '广州客服中心' })]);
    const instanceId = j.instances[0]!.instanceId;
    const instanceCase = j.instances[0]!.caseId!;
    expect(milestoneStatuses(j)).toEqual(INSTANCE_CREATED_MILESTONES);
    expect(j.next).toEqual([expect.objectContaining({ for: 'number-access', role: 'enterprise' })]);
    const passwordMail = await mailWhen(instanceCase, 'contact-center-admin-password');
    expect(passwordMail.to).toBe(admin.email);
    const password = /密码：(\S+)/.exec(passwordMail.text)![1]!;
    for (const id of [journeyId, instanceCase, verificationId])
      expect(await exportHistory(h.client, id)).not.toContain(password);
    expect(JSON.stringify(j)).not.toContain(password);
    const instances = await h.api.get(`/v1/enterprises/${h.enterprises.a}/instances`).set(...bearer(h.tokens.entA));
    expect(instances.body.items).toEqual([expect.objectContaining({ instanceId, centerName: '广州客服中心', admin })]);

    // Nothing chosen for a while: the journey is stalled on the enterprise, which is reminded.
    await mailWhen(journeyId, 'journey-stalled', 20_000);
    const stalled = await eventually(
      async () => {
        const res = await h.api
          .get('/v1/onboardings?kind=enterprise-onboarding&stalled=true')
          .set(...bearer(h.tokens.support));
        return res.body.items.some((i: { id: string }) => i.id === journeyId) ? res.body.items : undefined;
      },
      20_000,
      'listed as stalled',
    );
    expect(stalled.every((i: { kind: string }) => i.kind === 'enterprise-onboarding')).toBe(true);

    // Number access on the instance: a purchase of fixed lines, paid from the balance.
    const verification = (await h.api.get(`/v1/onboardings/${verificationId}`).set(...bearer(h.tokens.entA))).body;
    const customerId = verification.result.billingCustomerId as string;
    expect((await billingCall(h, 'POST', `/v1/customers/${customerId}/credits`, { amountFen: 100_000 })).status).toBe(
      201,
    );
    const defaults = (await h.api.get(`/v1/onboardings/${instanceCase}`).set(...bearer(h.tokens.entA))).body.result
      .defaults as { appId: string; ivrFlowId: string; skillGroupId: string };
    const purchaseId = await start({
      kind: 'number-purchase',
      enterpriseId: h.enterprises.a,
      numberType: 'fixed-line',
      areaCode: '020',
      quantity: 1,
      scenario: 'inbound',
      callScript: '您好，这里是示例科技客服中心，请问有什么可以帮您？',
      autoRenew: true,
      binding: bindingOf({ instanceId, defaults }),
    });
    // An inbound fixed line passes the script review too; the journey names it as support's step.
    j = await journeyWhen(
      (x) => x.next.some((n) => n.caseId === purchaseId && n.action === 'approve-script' && n.role === 'support'),
      'the script review awaited',
    );
    await act(purchaseId, 'approve-script', h.tokens.support, {});
    const bought = await caseWhen(h, purchaseId, (c) => c.status === 'completed', 'purchase completed', 60_000);
    const boughtNumbers = (bought.result as { numbers: string[] }).numbers;

    j = await journeyWhen((x) => x.stage === 'ready', 'ready', 30_000);
    expect(j.numbers.map((n) => n.number)).toEqual(boughtNumbers);
    // Named by the latest case to report it in service: the purchase, or the subscription it started.
    const holders = [purchaseId, ...bought.related.filter((r) => r.kind === 'number-subscription').map((r) => r.id)];
    expect(holders).toHaveLength(2);
    expect(j.numbers[0]).toMatchObject({ instanceId });
    expect(holders).toContain(j.numbers[0]!.caseId);
    expect(j.milestones.every((m) => m.status === 'done')).toBe(true);
    expect(j.stalledOn).toBeNull();
    await mailWhen(journeyId, 'journey-ready');

    // A SIP trunk on the same instance: linked as it starts, its numbers working once it passes.
    const customerGateway = await startSippServer('uas-gateway.xml', GATEWAY);
    try {
      const trunkId = await start({
        kind: 'sip-trunk',
        enterpriseId: h.enterprises.a,
        instanceId,
        gateway: { ...GATEWAY, transport: 'udp' },
        numbers: ['020-66001111'],
        boundAppId: defaults.appId,
        contact: { name: '王工', phone: '13800138000', email: 'noc@example.cn' },
        testCallee: '13900139000',
      });
      j = await journeyWhen(
        (x) => x.next.some((n) => n.caseId === trunkId && n.action === 'approve'),
        'the trunk review in the journey',
      );
      expect(j.cases.map((c) => c.id)).toContain(trunkId);
      await act(trunkId, 'approve', h.tokens.support);
      await stageWhen(trunkId, 'awaiting-customer-whitelist');
      await act(trunkId, 'confirm-whitelist', h.tokens.entA);
      await stageWhen(trunkId, 'awaiting-inbound-test', 60_000);
      await act(trunkId, 'confirm-inbound-test', h.tokens.support, { note: 'seen on the platform' });
      await caseWhen(h, trunkId, (c) => c.status === 'completed', 'trunk completed', 30_000);
      j = await journeyWhen((x) => x.numbers.length === 2, 'both numbers working');
    } finally {
      await customerGateway.stop();
    }
    expect(j.numbers.map((n) => n.number).sort()).toEqual([...boughtNumbers, '020-66001111'].sort());
    const state = (await h.api.get(`/v1/onboardings/${journeyId}`).set(...bearer(h.tokens.support))).body;
    expect(state.related.map((r: { kind: string }) => r.kind)).toEqual(
      expect.arrayContaining(['enterprise-verification', 'contact-center-instance', 'number-purchase', 'sip-trunk']),
    );

    await recordHistory(h.client, journeyId, 'enterprise-onboarding-verified-instance-ready');
    await recordHistory(h.client, purchaseId, 'number-purchase-reporting-to-journey');

    // Another tenant's journey is as good as absent; a second journey for the same enterprise conflicts.
    expect((await h.api.get(`/v1/enterprises/${h.enterprises.a}/journey`).set(...bearer(h.tokens.entB))).status).toBe(
      404,
    );
    const again = await attemptStart({ kind: 'enterprise-onboarding', enterpriseId: h.enterprises.a });
    expect(again.status).toBe(409);
  });

  it('refuses a journey with broken verification rules (every field at once) or nothing to follow, starting nothing', async () => {
    const noVerification = await attemptStart(
      { kind: 'enterprise-onboarding', enterpriseId: h.enterprises.b },
      h.tokens.entB,
    );
    expectErrors(noVerification, 422, [{ path: 'verification' }]);

    const {
      kind: _kind,
      enterpriseId: _e,
      ...application
    } = await legalRepApplication(h, h.enterprises.b, h.tokens.entB);
    const broken = await attemptStart(
      {
        kind: 'enterprise-onboarding',
        enterpriseId: h.enterprises.b,
        verification: {
          ...application,
          company: { ...application.company, licenceValidTo: '2001-01-01' },
          documents: application.documents.slice(1),
        },
      },
      h.tokens.entB,
    );
    expect(broken.status, JSON.stringify(broken.body)).toBe(422);
    const paths = (broken.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths.every((p) => p.startsWith('verification.'))).toBe(true);
    expect(paths.length).toBeGreaterThan(1);
    for (const id of [`journey-${h.enterprises.b}`, `verification-${h.enterprises.b}`])
      expect((await h.api.get(`/v1/onboardings/${id}`).set(...bearer(h.tokens.support))).status).toBe(404);

    // Another enterprise's journey cannot be started by this one.
    const other = await attemptStart({ kind: 'enterprise-onboarding', enterpriseId: h.enterprises.a }, h.tokens.entB);
    expect(other.status).toBe(403);
  });

  it('is cancelled by the enterprise while the verification it started is under review, and says so by email', async () => {
    const { enterprises, tokens } = h;
    const { kind: _kind, enterpriseId: _e, ...application } = await legalRepApplication(h, enterprises.b, tokens.entB);
    const journeyId = await start(
      { kind: 'enterprise-onboarding', enterpriseId: enterprises.b, verification: application },
      tokens.entB,
    );
    const verificationId = `verification-${enterprises.b}`;
    await stageWhen(verificationId, 'awaiting-review');
    await stageWhen(journeyId, 'verifying');
    const cancelled = await cancel(journeyId, tokens.entB, { reason: '暂不开通' });
    await recordHistory(h.client, journeyId, 'enterprise-onboarding-cancelled-verification-stands');
    expect(cancelled.steps.map((s) => s.name)).toContain('cancel requested');
    await mailWhen(journeyId, 'case-cancelled');
    // The verification stands on its own: still under review, support may still decide it.
    const verification = await h.api.get(`/v1/onboardings/${verificationId}`).set(...bearer(tokens.support));
    expect(verification.body).toMatchObject({ status: 'running', stage: 'awaiting-review' });
    await act(verificationId, 'approve', tokens.support, { note: 'ok' });
  });
});
