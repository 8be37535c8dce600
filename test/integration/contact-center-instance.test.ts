/**
 * Contact-center instances through the API on the real stack: only for a verified enterprise,
 * created on the platform, the administrator's password emailed once and never in history or
 * API answers (it signs in on the platform), re-issued on request, a platform outage waited out
 * with one instance created, and the enterprise's instances listed per tenant.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { platformCall, verifiedEnterprise } from '../support/fixtures';
import { exportHistory, recordHistory } from '../support/histories';
import { bearer, caseApi, caseWhen, eventually, useHarness, type ReceivedEmail } from '../support/harness';

const h = useHarness();
beforeAll(async () => {
  await verifiedEnterprise(h, h.enterprises.a, h.tokens.entA);
});

const { start, attemptStart, attempt, stageWhen } = caseApi(() => h);

function instanceBody(centerName: string, overrides: Record<string, unknown> = {}) {
  return {
    kind: 'contact-center-instance',
    enterpriseId: h.enterprises.a,
    centerName,
    admin: { name: '王五', email: `admin-${centerName.replace(/\W+/g, '-').toLowerCase()}@example.cn` },
    agreementAccepted: true,
    ...overrides,
  };
}

function passwordFrom(mail: ReceivedEmail): string {
  return /密码：(\S+)/.exec(mail.text)![1]!;
}

async function signsIn(instanceId: string, email: string, password: string): Promise<boolean> {
  const res = await platformCall<{ valid: boolean }>(h, 'POST', `/v1/instances/${instanceId}/admin/sign-in`, {
    email,
    password,
  });
  expect(res.status).toBe(200);
  return res.body.valid;
}

describe('contact-center-instance', () => {
  it('is refused for an enterprise without real-name verification (409 naming it: 002 步骤3 follows 步骤2) and without the agreement (400)', async () => {
    const unverified = await attemptStart(instanceBody('B center', { enterpriseId: h.enterprises.b }), h.tokens.entB);
    expect(unverified.status).toBe(409);
    expect(JSON.stringify(unverified.body)).toContain(`real-name-${h.enterprises.b}`);
    const noAgreement = await attemptStart(instanceBody('A center', { agreementAccepted: false }));
    expect(noAgreement.status).toBe(400);
    expect(noAgreement.body.errors.map((e: { path: string }) => e.path)).toContain('agreementAccepted');
    expect((await platformCall(h, 'GET', `/v1/instances?enterpriseId=${h.enterprises.b}`)).body.items).toEqual([]);
  });

  it('creates the instance, emails the password once (never in history or answers), re-issues it on request', async () => {
    const body = instanceBody('广州客服中心');
    const started = await attemptStart(body);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const id = started.body.id as string;
    const active = await stageWhen(id, 'active');
    const result = active.result as { instanceId: string; defaults: { appId: string } };
    expect(result).toMatchObject({
      instanceId: expect.stringMatching(/^cc-/),
      centerName: '广州客服中心',
      defaults: { appId: 'app-default' },
      passwordsIssued: 1,
    });
    expect(active.awaiting.map((a) => a.action)).toContain('reissue-admin-password');

    const mail = await eventually(
      () => h.mail.forCase(id).find((m) => m.event === 'contact-center-admin-password'),
      10_000,
      'password email',
    );
    expect(mail.to).toBe(body.admin.email);
    expect(mail.text).toContain(h.config.contactCenter.consoleUrl);
    expect(mail.text).toContain(body.admin.email);
    expect(mail.text).toMatch(/仅在本邮件中显示这一次/);
    expect(mail.text).toMatch(/shown this once/);
    const password = passwordFrom(mail);
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(await signsIn(result.instanceId, body.admin.email, password)).toBe(true);

    // Another tenant cannot see or act on it.
    expect((await h.api.get(`/v1/onboardings/${id}`).set(...bearer(h.tokens.entB))).status).toBe(404);
    expect((await attempt(id, 'reissue-admin-password', h.tokens.entB)).status).toBe(404);

    const reissued = await attempt(id, 'reissue-admin-password', h.tokens.entA, { reason: 'lost it' });
    expect(reissued.status, JSON.stringify(reissued.body)).toBe(200);
    const again = await caseWhen(
      h,
      id,
      (c) => c.stage === 'active' && (c.result as { passwordsIssued: number }).passwordsIssued === 2,
      'password re-issued',
    );
    const mails = await eventually(
      () => {
        const found = h.mail.forCase(id).filter((m) => m.event === 'contact-center-admin-password');
        return found.length === 2 ? found : undefined;
      },
      10_000,
      'second password email',
    );
    const second = passwordFrom(mails[1]!);
    expect(second).not.toBe(password);
    expect(await signsIn(result.instanceId, body.admin.email, second)).toBe(true);
    expect(await signsIn(result.instanceId, body.admin.email, password)).toBe(false);

    // The passwords are in the emails only.
    const answers = [
      started.body,
      active,
      reissued.body,
      again,
      (await h.api.get(`/v1/onboardings?kind=contact-center-instance`).set(...bearer(h.tokens.support))).body,
    ];
    const history = await exportHistory(h.client, id);
    expect(history).toContain('issueAdminPassword');
    await recordHistory(h.client, id, 'contact-center-instance-active-password-reissued');
    for (const secret of [password, second]) {
      expect(history).not.toContain(secret);
      for (const answer of answers) expect(JSON.stringify(answer)).not.toContain(secret);
    }

    // One instance per center name.
    const duplicate = await attemptStart(body);
    expect(duplicate.status).toBe(422);
    expect(duplicate.body.errors).toEqual([expect.objectContaining({ path: 'centerName', code: 'center-name-taken' })]);
  });

  it('waits out a platform outage during creation and creates one instance', async () => {
    h.contactCenter.setFaults({ failureRate: 1 });
    let id = '';
    try {
      const started = await attemptStart(instanceBody('Outage center'));
      // The pre-check reads the platform: while it is down, nothing starts.
      expect(started.status).toBe(503);
      // Down after the start: the case waits in `creating` while the activity retries. The
      // platform answers slowly and decides each answer after its delay, so the outage switched
      // on at the 202 lands on the creation already in flight, however fast the worker is.
      h.contactCenter.setFaults({ failureRate: 0, latencyMs: 2_000 });
      const retried = await attemptStart(instanceBody('Outage center'));
      h.contactCenter.setFaults({ failureRate: 1, latencyMs: 0 });
      expect(retried.status, JSON.stringify(retried.body)).toBe(202);
      id = retried.body.id as string;
      await eventually(
        () =>
          h.contactCenter.store.data.requests.filter(
            (r) => r.method === 'POST' && r.path === '/v1/instances' && r.fault === 'failure',
          ).length >= 2,
        20_000,
        'failed creation attempts',
      );
      const waiting = await caseWhen(h, id, () => true);
      expect(waiting).toMatchObject({ status: 'running', stage: 'creating' });
    } finally {
      h.contactCenter.setFaults({ failureRate: 0, latencyMs: 0 });
    }
    const active = await stageWhen(id, 'active', 60_000);
    const instances = (
      await platformCall<{ items: { centerName: string; instanceId: string }[] }>(
        h,
        'GET',
        `/v1/instances?enterpriseId=${h.enterprises.a}`,
      )
    ).body.items;
    expect(instances.filter((i) => i.centerName === 'Outage center')).toEqual([
      expect.objectContaining({ instanceId: (active.result as { instanceId: string }).instanceId }),
    ]);
    await eventually(
      () => h.mail.forCase(id).find((m) => m.event === 'contact-center-admin-password'),
      10_000,
      'password email',
    );
  });

  it('lists the enterprise’s instances to its owner and support, not to another tenant', async () => {
    const own = await h.api.get(`/v1/enterprises/${h.enterprises.a}/instances`).set(...bearer(h.tokens.entA));
    expect(own.status).toBe(200);
    expect(own.body.items.map((i: { centerName: string }) => i.centerName).sort()).toEqual(
      ['Outage center', '广州客服中心'].sort(),
    );
    expect(own.body.items[0]).toEqual({
      instanceId: expect.stringMatching(/^cc-/),
      centerName: expect.any(String),
      status: 'active',
      admin: { name: '王五', email: expect.stringContaining('@example.cn') },
      defaults: { appId: 'app-default', ivrFlowId: 'ivr-default', skillGroupId: 'sg-default' },
      createdAt: expect.any(String),
    });
    const support = await h.api.get(`/v1/enterprises/${h.enterprises.a}/instances`).set(...bearer(h.tokens.support));
    expect(support.body).toEqual(own.body);
    expect((await h.api.get(`/v1/enterprises/${h.enterprises.a}/instances`).set(...bearer(h.tokens.entB))).status).toBe(
      404,
    );
    expect(
      (await h.api.get(`/v1/enterprises/${h.enterprises.b}/instances`).set(...bearer(h.tokens.entB))).body,
    ).toEqual({ items: [] });
  });

  it('fails when the administrator’s mailbox does not exist, and withdraws the instance it created', async () => {
    const body = instanceBody('Nobody center');
    h.mail.refused.add(body.admin.email);
    const id = await start(body);
    const failed = await caseWhen(h, id, (c) => c.status === 'failed', 'instance case failed');
    await recordHistory(h.client, id, 'contact-center-instance-admin-mailbox-refused-withdrawn');
    expect(failed.steps.map((s) => s.name)).toContain('compensation: withdraw the instance');
    expect(JSON.stringify(failed)).toMatch(/refused the email permanently/);
    const instance = (
      await platformCall<{ items: { centerName: string; status: string }[] }>(
        h,
        'GET',
        `/v1/instances?enterpriseId=${h.enterprises.a}`,
      )
    ).body.items.find((i) => i.centerName === 'Nobody center');
    expect(instance).toBeDefined();
    expect(instance!.status).toBe('suspended');
    expect(h.mail.forCase(id).filter((m) => m.event === 'contact-center-admin-password')).toEqual([]);
  });
});
