/**
 * Recovering a released number (seed 003 Q9: 如果没有注销号码还可以找回，云呼会重新帮您生成订单，支付完成以后
 * ……重新导入配置IVR和技能组即可恢复正常): billing keeps a released number off sale while the operator
 * holds it; support orders it back for the enterprise, which is charged, and the number is
 * re-imported and bound again to the IVR flow and skill group it had. A number the operator has
 * cancelled is refused, with nothing charged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  instanceFor,
  platformCall,
  purchasedFixedLine,
  verifiedEnterprise,
  type TestInstance,
} from '../support/fixtures';
import { recordHistory } from '../support/histories';
import { bearer, billingCall, caseApi, caseWhen, useHarness } from '../support/harness';
import { toE164 } from '../../domain/numbers';

let customer: string;
let instance: TestInstance;
let ivrFlowId: string;
let skillGroupId: string;

const h = useHarness({ SUBSCRIPTION_PERIOD: '1h' });
beforeAll(async () => {
  customer = await verifiedEnterprise(h, h.enterprises.a, h.tokens.entA);
  instance = await instanceFor(h, h.enterprises.a);
  // Not the defaults, so the re-binding is visibly the one the number had.
  ivrFlowId = (await platformCall(h, 'POST', `/v1/instances/${instance.instanceId}/ivr-flows`, { name: '售后流程' }))
    .body.ivrFlowId;
  skillGroupId = (
    await platformCall(h, 'POST', `/v1/instances/${instance.instanceId}/skill-groups`, { name: '售后组' })
  ).body.skillGroupId;
  expect([ivrFlowId, skillGroupId]).toEqual([expect.stringMatching(/\S/), expect.stringMatching(/\S/)]);
  await billingCall(h, 'POST', `/v1/customers/${customer}/credits`, { amountFen: 1_000_000 });
});

const { start, attemptStart, act } = caseApi(() => h);
const balance = async () =>
  (await billingCall<{ balanceFen: number }>(h, 'GET', `/v1/customers/${customer}`)).body.balanceFen;
const statusOf = async (number: string) =>
  (await billingCall<{ status: string }>(h, 'GET', `/v1/numbers/${encodeURIComponent(toE164(number))}`)).body.status;

/** Releases a subscription by the enterprise's own action and waits for its end. */
async function release(subscriptionId: string): Promise<void> {
  await caseWhen(h, subscriptionId, (c) => c.stage === 'active', 'subscription active');
  await act(subscriptionId, 'release', h.tokens.entA, { reason: '业务调整' });
  await caseWhen(h, subscriptionId, (c) => c.status === 'completed', 'released');
}

describe('number recovery (003 Q9: 号码到期释放了如何找回)', () => {
  let number: string;

  it('keeps a released number off sale, then support recovers it: charged, re-imported, bound to its IVR flow and skill group again', async () => {
    const result = await purchasedFixedLine(h, h.enterprises.a, h.tokens.entA, {
      instanceId: instance.instanceId,
      ivrFlowId,
      skillGroupId,
    });
    number = result.numbers[0]!;

    await release(result.subscriptionId);
    // Released, not on sale: the operator still holds it for the enterprise.
    expect(await statusOf(number)).toBe('released');
    expect((await platformCall(h, 'GET', `/v1/numbers/${encodeURIComponent(toE164(number))}`)).status).toBe(404);

    const recovery = { kind: 'number-recovery', enterpriseId: h.enterprises.a, number };
    // Support starts it; the enterprise asks support (403), another enterprise's number is not its to recover.
    expect((await attemptStart(recovery, h.tokens.entA)).status).toBe(403);
    const other = await attemptStart({ ...recovery, enterpriseId: h.enterprises.b }, h.tokens.support);
    expect(other.status).toBe(409);

    const before = await balance();
    const id = await start(recovery, h.tokens.support);
    const done = await caseWhen(h, id, (c) => c.status === 'completed', 'recovered', 30_000);
    await recordHistory(h.client, id, 'number-recovery-recovered-rebound');
    const recovered = done.result as { orderId: string; amountFen: number; subscriptionId: string; binding: object };
    expect(recovered.binding).toEqual({ instanceId: instance.instanceId, ivrFlowId, skillGroupId });
    expect(await balance()).toBe(before - recovered.amountFen);
    expect(await statusOf(number)).toBe('sold');
    const bound = await platformCall(h, 'GET', `/v1/numbers/${encodeURIComponent(toE164(number))}`);
    expect(bound.body).toMatchObject({
      instanceId: instance.instanceId,
      binding: { ivrFlowId, skillGroupId },
    });
    // In service again under a subscription of its own.
    await caseWhen(h, recovered.subscriptionId, (c) => c.stage === 'active', 'new subscription');
    expect(h.mail.forCase(id).map((m) => m.event)).toContain('recovery-completed');
  });

  it('refuses a number the operator has cancelled, charging nothing', async () => {
    const list = await h.api
      .get(`/v1/onboardings?kind=number-subscription&enterpriseId=${h.enterprises.a}&status=running`)
      .set(...bearer(h.tokens.support));
    const live = (list.body.items as { id: string }[])[0]!.id;
    await release(live);
    const cancelled = await fetch(
      `${h.config.billing.url}/_sandbox/numbers/${encodeURIComponent(toE164(number))}/operator-cancel`,
      { method: 'POST' },
    );
    expect(cancelled.status).toBe(200);

    const before = await balance();
    const id = await start({ kind: 'number-recovery', enterpriseId: h.enterprises.a, number }, h.tokens.support);
    const failed = await caseWhen(h, id, (c) => c.status === 'failed', 'refused');
    await recordHistory(h.client, id, 'number-recovery-operator-cancelled-refused');
    // The kind's own outcome, not an outside system failing: the reader can tell.
    expect(failed.error).toMatchObject({
      type: 'NumberCancelledByOperator',
      cause: 'business',
      message: expect.stringContaining('cancelled by the operator'),
    });
    expect(await balance()).toBe(before);
    expect(await statusOf(number)).toBe('cancelled');
    expect(h.mail.forCase(id).map((m) => m.event)).toContain('recovery-failed');
  });
});
