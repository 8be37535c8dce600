/**
 * A new enterprise through the API in seed 002's order: 1 register, 2 real-name verification
 * (企业实名认证), 3 the contact-center instance, 4 the qualification review (资质审核), then numbers.
 * The instance needs real-name only, so the centre is set up while support still reviews the
 * papers; a number purchase waits for the review.
 */
import { describe, expect, it } from 'vitest';
import { LEGAL_REP_ID, legalRepApplication, upload, USCC } from '../support/fixtures';
import { recordHistory } from '../support/histories';
import { billingCall, caseApi, caseWhen, eventually, startHarness, useHarness } from '../support/harness';

const h = useHarness();

const { start, attemptStart, act, attempt } = caseApi(() => h);

/** Seed 002's company as step 2 names it, with its licence already uploaded. */
const realNameOf = (ent: string, businessLicence: string) => ({
  company: { name: '广州示例通信科技有限公司', unifiedSocialCreditCode: USCC, entityType: 'company' },
  legalRepresentative: { name: '张三', residentId: LEGAL_REP_ID },
  businessLicence,
  contact: { name: '李四', phone: '13800138000', email: `ops@${ent}.example.cn` },
});
/** Step 3's contact-center instance, its administrator at the enterprise's domain. */
const instanceOf = (ent: string, centerName: string, adminName: string) => ({
  centerName,
  admin: { name: adminName, email: `admin@${ent}.example.cn` },
  agreementAccepted: true,
});

describe("seed 002's order (步骤2 企业实名认证, 步骤3 创建云呼叫中心实例, 步骤4 完成企业资质审核)", () => {
  it('real-name approved, instance created and its admin emailed while the qualification review is open, a purchase refused until the review is approved and accepted after', async () => {
    const ent = h.enterprises.a;
    const token = h.tokens.entA;
    const licence = await upload(h, token, 'business-licence');
    const realName = { kind: 'enterprise-real-name', enterpriseId: ent, ...realNameOf(ent, licence.documentId) };
    const instance = { kind: 'contact-center-instance', enterpriseId: ent, ...instanceOf(ent, '广州客服中心', '王五') };

    // The synchronous checks decide what they can, at once: a wrong check character, another tenant's licence.
    const foreign = await upload(h, h.tokens.entB, 'business-licence');
    const broken = await attemptStart(
      {
        ...realName,
        company: { ...realName.company, unifiedSocialCreditCode: USCC.slice(0, -1) + (USCC.endsWith('0') ? '1' : '0') },
        businessLicence: foreign.documentId,
      },
      token,
    );
    expect(broken.status).toBe(422);
    expect(broken.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'businessLicence',
      'company.unifiedSocialCreditCode',
    ]);

    // Step 2: real-name verification, decided by support. No instance before it.
    const started = await start(realName, token);
    expect(started).toBe(`real-name-${ent}`);
    await caseWhen(h, started, (c) => c.stage === 'awaiting-review', 'real-name review');
    const early = await attemptStart(instance, token);
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain(`real-name-${ent}`);
    expect((await attempt(started, 'approve', token)).status).toBe(403);
    await act(started, 'approve', h.tokens.support, { note: '执照核对无误' });
    const approved = await caseWhen(h, started, (c) => c.status === 'completed', 'real-name approved');
    expect(approved.result).toMatchObject({ decision: 'approved', company: { unifiedSocialCreditCode: USCC } });

    // Step 4 opens: the qualification review, still awaiting support.
    const vid = await start(await legalRepApplication(h, ent, token), token);
    await caseWhen(h, vid, (c) => c.stage === 'awaiting-review', 'qualification review');

    // Step 3: the instance, created and its administrator emailed while the review is open.
    const created = await start(instance, token);
    const active = await caseWhen(h, created, (c) => c.stage === 'active', 'instance active', 30_000);
    const instanceId = (active.result as { instanceId: string }).instanceId;
    const adminMail = await eventually(
      () => h.mail.forCase(created).find((m) => m.event === 'contact-center-admin-password'),
      15_000,
      'admin password email',
    );
    expect(adminMail.to).toBe(`admin@${ent}.example.cn`);
    expect((await caseWhen(h, vid, () => true)).stage).toBe('awaiting-review');

    // Numbers wait for the review.
    const purchase = {
      kind: 'number-purchase',
      enterpriseId: ent,
      numberType: 'fixed-line',
      areaCode: '020',
      quantity: 1,
      scenario: 'inbound',
      callScript: '您好，这里是示例科技客服中心。',
      binding: { instanceId },
    };
    const refused = await attemptStart(purchase, token);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(vid);

    await act(vid, 'approve', h.tokens.support);
    await caseWhen(h, vid, (c) => c.status === 'completed', 'qualification approved');
    await start(purchase, token);
    // One billing customer for the enterprise, from real-name on.
    const customer = await billingCall<{ enterpriseId: string; name: string }>(
      h,
      'GET',
      `/v1/customers?enterpriseId=${ent}`,
    );
    expect(customer.body.name).toBe('广州示例通信科技有限公司');
  });

  it('an enterprise whose qualification was approved before real-name existed counts as real-named; its real-name case is decided at once', async () => {
    const ent = h.enterprises.b;
    const token = h.tokens.entB;
    const verification = await start(await legalRepApplication(h, ent, token), token);
    await caseWhen(h, verification, (c) => c.stage === 'awaiting-review', 'review');
    await act(verification, 'approve', h.tokens.support);
    await caseWhen(h, verification, (c) => c.status === 'completed', 'approved');
    // No migration: the instance is allowed at once.
    await start(
      { kind: 'contact-center-instance', enterpriseId: ent, ...instanceOf(ent, '深圳客服中心', '赵六') },
      token,
    );
    // Applying for real-name all the same: the same company's approved qualification decides it.
    const licence = await upload(h, token, 'business-licence');
    const realName = await start(
      { kind: 'enterprise-real-name', enterpriseId: ent, ...realNameOf(ent, licence.documentId) },
      token,
    );
    const done = await caseWhen(h, realName, (c) => c.status === 'completed', 'decided at once');
    await recordHistory(h.client, realName, 'enterprise-real-name-decided-by-qualification');
    expect((done.result as { decidedBy: string }).decidedBy).toContain(verification);
    expect(done.steps.map((s) => s.name)).not.toContain('approve');
  });

  it('the journey follows the same order: real-name, instance, qualification review, then numbers', async () => {
    const h2 = await startHarness();
    const second = caseApi(() => h2);
    try {
      const ent = h2.enterprises.a;
      const token = h2.tokens.entA;
      const licence = await upload(h2, token, 'business-licence');
      const journeyId = await second.start(
        {
          kind: 'enterprise-onboarding',
          enterpriseId: ent,
          realName: realNameOf(ent, licence.documentId),
          instance: instanceOf(ent, '广州客服中心', '王五'),
        },
        token,
      );
      const first = await caseWhen(
        h2,
        journeyId,
        (c) => c.stage === 'verifying-real-name' && c.awaiting.length > 0,
        'real-name first',
      );
      expect(first.awaiting.map((a) => [a.action, a.role, a.caseId])).toEqual([
        ['approve', 'support', `real-name-${ent}`],
        ['reject', 'support', `real-name-${ent}`],
      ]);
      await second.act(`real-name-${ent}`, 'approve', h2.tokens.support);
      // The instance comes next, then the journey waits for the qualification materials.
      const review = await caseWhen(
        h2,
        journeyId,
        (c) => c.stage === 'verifying' && c.awaiting.some((a) => a.for === 'qualification'),
        'qualification next',
        30_000,
      );
      const milestones = (review.result as { milestones: { name: string; status: string }[] }).milestones;
      expect(milestones.map((m) => [m.name, m.status])).toEqual([
        ['registered', 'done'],
        ['real-named', 'done'],
        ['verified', 'not-started'],
        ['instance-created', 'done'],
        ['number-access', 'not-started'],
        ['ready', 'not-started'],
      ]);
      const qualification = await second.start(await legalRepApplication(h2, ent, token), token);
      await caseWhen(h2, qualification, (c) => c.stage === 'awaiting-review', 'review');
      await second.act(qualification, 'approve', h2.tokens.support);
      await caseWhen(h2, journeyId, (c) => c.stage === 'awaiting-number-access', 'numbers next', 30_000);
      await recordHistory(h2.client, `real-name-${ent}`, 'enterprise-real-name-approved');
      await recordHistory(h2.client, journeyId, 'enterprise-onboarding-real-name-first-awaiting-numbers');
    } finally {
      await h2.stop();
    }
  });
});
