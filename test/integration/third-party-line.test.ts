import { beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT_IDS } from '../../domain/catalog/model';
import { workingDaysBetween } from '../../domain/working-days';
import { instanceFor, platformCall, verifiedEnterprise, type TestInstance } from '../support/fixtures';
import { recordHistory } from '../support/histories';
import { bindingOf, expectErrors } from '../support/api';
import { bearer, billingCall, caseApi, caseWhen, useHarness } from '../support/harness';

// A calendar day lasts 100 ms here, so a 30-working-day lead time (about six weeks) takes ~4 s.
let instanceA: TestInstance;
const SCRIPT = '您好，这里是示例科技，邀请您参加下周的产品发布会，请问您是否方便参加？';

const h = useHarness({
  THIRD_PARTY_DAY: '100ms',
  THIRD_PARTY_ESCALATION_INTERVAL: '1s',
  THIRD_PARTY_REVIEW_SLA: '1h',
});
beforeAll(async () => {
  await verifiedEnterprise(h, h.enterprises.a, h.tokens.entA);
  instanceA = await instanceFor(h, h.enterprises.a);
});

const { start, attemptStart, act, attempt, cancel, stageWhen, mailWhen, mailsWhen, bodyOf } = caseApi(() => h);

const application = bodyOf('third-party-line', () => ({
  productId: 'a-invitation-fixed',
  industry: 'saas',
  scenario: 'both',
  callScript: SCRIPT,
  regions: [{ region: '广东', quantity: 2 }],
  binding: bindingOf(instanceA),
}));

describe('third-party supplier lines through the API', () => {
  it('serves the catalogue with a quote', async () => {
    const all = await h.api.get('/v1/catalog/third-party-products').set(...bearer(h.tokens.entA));
    expect(all.status).toBe(200);
    // Every product of the catalogue, each once.
    expect(all.body.items.map((p: { id: string }) => p.id)).toEqual([...PRODUCT_IDS]);
    const quoted = await h.api
      .get('/v1/catalog/third-party-products')
      .query({ productId: 'a-invitation-fixed', quantity: 2 })
      .set(...bearer(h.tokens.entA));
    expect(quoted.body.quote.lines.find((l: { item: string }) => l.item === 'annual-rent')).toMatchObject({
      unitFen: 42000,
      units: 2,
      amountFen: 84000,
    });
    const unknown = await h.api
      .get('/v1/catalog/third-party-products')
      .query({ productId: 'nope' })
      .set(...bearer(h.tokens.entA));
    expect(unknown.status).toBe(400);
  });

  it('answers a start at once with the review it awaits, one case per Idempotency-Key', async () => {
    const keyed = (body: object) =>
      h.api
        .post('/v1/onboardings')
        .set(...bearer(h.tokens.entA))
        .set('Idempotency-Key', `supplier-line-${h.enterprises.a}`)
        .send(body);
    // Both arrive before either case exists: the server starts one, the other is its replay.
    const [first, second] = await Promise.all([keyed(application()), keyed(application())]);
    expect([first.status, second.status], JSON.stringify(first.body)).toEqual([202, 202]);
    expect(second.body.id).toBe(first.body.id);
    expect([first.headers['idempotent-replayed'], second.headers['idempotent-replayed']].sort()).toEqual([
      'true',
      undefined,
    ]);
    const answer = first.headers['idempotent-replayed'] ? second.body : first.body;
    const since = answer.awaiting[0].since as string;
    const dueAt = new Date(Date.parse(since) + 3_600_000).toISOString();
    expect(answer).toMatchObject({
      kind: 'third-party-line',
      status: 'running',
      stage: 'awaiting-review',
      awaiting: [
        { action: 'approve', role: 'support', since, dueAt },
        { action: 'reject', role: 'support', since, dueAt },
      ],
      steps: [{ name: 'eligibility', status: 'done', detail: 'a-invitation-fixed: every rule passed' }],
    });
    const id = answer.id as string;
    expect((await caseWhen(h, id, () => true)).stage).toBe('awaiting-review');

    const other = await keyed(application({ regions: [{ region: '广东', quantity: 3 }] }));
    expect(other.status).toBe(409);
    await cancel(id, h.tokens.support);
  });

  it('returns every broken eligibility rule at once and starts nothing', async () => {
    const res = await attemptStart(
      application({
        enterpriseId: h.enterprises.b,
        industry: 'real-estate',
        callScript: '您好，详情请加微信咨询，优惠多多。',
        regions: [{ region: '西藏', quantity: 3 }],
      }),
      h.tokens.entB,
    );
    expect(res.status).toBe(422);
    const codes = (res.body.errors as { code: string }[]).map((e) => e.code);
    expect(codes).toEqual(
      expect.arrayContaining(['industry-banned', 'script-phrase-banned', 'region-blind', 'verification-required']),
    );
    const mobile = await attemptStart(
      application({ productId: 'a-mobile', regions: [{ region: '广东', quantity: 3 }] }),
    );
    expectErrors(mobile, 422, [{ path: 'regions.0.quantity', code: 'quantity-below-minimum' }]);
    const listed = await h.api
      .get('/v1/onboardings')
      .query({ kind: 'third-party-line' })
      .set(...bearer(h.tokens.entB));
    expect(listed.body.items).toEqual([]);
  });

  it('reviews, hands off to the supplier, escalates past the working-day lead time, imports and binds the numbers with their calling rules', async () => {
    const id = await start(application());
    await stageWhen(id, 'awaiting-review');
    await act(id, 'approve', h.tokens.support, { note: '资质齐全' });

    const waiting = await stageWhen(id, 'awaiting-supplier');
    const lead = waiting.steps.find((s) => s.name === 'supplier lead time')!.detail!;
    const [, workingDays, from, due, calendarDays] =
      /(\d+) working days from (\S+): due (\S+) \((\d+) calendar days\)/.exec(lead)!;
    // Thirty working days always span weekends: more calendar days than working days, due on a working day.
    expect(Number(workingDays)).toBe(30);
    expect(workingDaysBetween(from!, due!, [])).toBe(30);
    expect(Number(calendarDays)).toBeGreaterThanOrEqual(40);
    expect([0, 6]).not.toContain(new Date(`${due}T00:00:00Z`).getUTCDay());
    const supplierMail = await mailWhen(id, 'third-party-supplier-application');
    expect(supplierMail.to).toBe(h.config.supplierEmails.A);
    expect(supplierMail.text).toContain(due!);

    // Past the due time support is alerted, and again after each interval.
    const escalations = await mailsWhen(id, 'third-party-escalation', 2, 20_000);
    expect(escalations.every((m) => m.to === h.config.email.supportAddress)).toBe(true);

    await act(id, 'supplier-approved', h.tokens.support, { note: '供应商审核通过' });
    await stageWhen(id, 'awaiting-numbers');
    const bad = await attempt(id, 'numbers-opened', h.tokens.support, { numbers: ['02087650001', '13800138000'] });
    expectErrors(bad, 422, [{ path: 'payload.numbers.1', code: 'number-invalid' }]);
    const short = await attempt(id, 'numbers-opened', h.tokens.support, { numbers: ['02087650001'] });
    expect(short.status).toBe(422);
    await act(id, 'numbers-opened', h.tokens.support, { numbers: ['02087650001', '020-8765 0002'] });

    const done = await caseWhen(h, id, (c) => c.status !== 'running' || c.stage === 'binding-failed', 'closed');
    expect(done.error, JSON.stringify(done.error)).toBeNull();
    expect(done.result).toMatchObject({
      productId: 'a-invitation-fixed',
      supplier: 'A',
      numbers: ['020-87650001', '020-87650002'],
      callingRules: { callingHours: [{ from: '08:00', to: '22:00' }], perCalleeDailyLimit: 5, noBlindCalling: true },
    });
    const assigned = await h.sipGateway.assignments({ instanceId: instanceA.instanceId });
    expect(assigned).toHaveLength(2);
    expect(assigned[0]!.callingRules).toMatchObject({ perCalleeDailyLimit: 5, noBlindCalling: true });
    const inPlatform = (
      await platformCall<{ items: { number: string; binding: Record<string, unknown> }[] }>(
        h,
        'GET',
        `/v1/instances/${instanceA.instanceId}/numbers`,
      )
    ).body.items;
    expect(inPlatform.map((n) => n.number)).toEqual(['+862087650001', '+862087650002']);
    expect(inPlatform[0]!.binding).toMatchObject({
      ivrFlowId: instanceA.defaults.ivrFlowId,
      skillGroupId: instanceA.defaults.skillGroupId,
      callingRules: { perCalleeDailyLimit: 5, noBlindCalling: true },
    });
    const imported = await billingCall<{ number: string; status: string; supplier: string }[]>(
      h,
      'GET',
      `/v1/numbers?status=imported`,
    );
    expect(
      imported.body.filter((n) => ['+862087650001', '+862087650002'].includes(n.number)).map((n) => n.supplier),
    ).toEqual(['A', 'A']);
    await mailWhen(id, 'third-party-ready');
    await recordHistory(h.client, id, 'third-party-line-escalated-then-bound');
  });

  it('ends the case when the supplier rejects, telling the enterprise why', async () => {
    const id = await start(application({ regions: [{ region: '浙江', quantity: 1 }] }));
    await stageWhen(id, 'awaiting-review');
    await act(id, 'approve', h.tokens.support);
    await stageWhen(id, 'awaiting-supplier');
    await act(id, 'supplier-rejected', h.tokens.support, { note: '该地区暂无资源' });
    const failed = await caseWhen(h, id, (c) => c.status === 'failed', 'failed');
    expect(failed.error).toMatchObject({ type: 'RejectedBySupplier', message: '该地区暂无资源' });
    const mail = await mailWhen(id, 'third-party-rejected');
    expect(mail.text).toContain('该地区暂无资源');
  });
});
