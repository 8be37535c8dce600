/**
 * Third-party supplier lines with mocked billing and gateway: the happy path (a numbers-opened
 * with the wrong count refused by the case's rules first), rejections by support and by the
 * supplier, a cancel while the supplier decides, and a failed binding undoing the import.
 */
import { describe, expect, it } from 'vitest';
import { ActionFailureType } from '../../contract/actions';
import { cancelRequestedSignal } from '../../contract/case';
import { thirdPartyLine } from '../../workflows/third-party-line';
import { thirdPartyInput } from './inputs';
import { enterprise, expectRejectedInReview, support } from './actors';
import { act, cancelledOutcome, failureOf, refusalOf, stageOf, stateOf, stepNames, until } from './cases';
import { refuse, starter, useWorkflowEnv } from './support';

const env = useWorkflowEnv();

const start = starter(env, thirdPartyLine, thirdPartyInput, 'third-party-line');

const opened = ['+8613800000001', '+8613800000002'];

async function toSupplier(h: Awaited<ReturnType<typeof start>>) {
  await stageOf(h, 'awaiting-review');
  const approved = await act(h, 'third-party-line', 'approve', support, {});
  expect(approved.stage).toBe('awaiting-supplier');
}

describe.concurrent('third-party line', () => {
  it('imports and binds the numbers the supplier opened, refusing a list of the wrong size first', async () => {
    const s = env.scenario();
    const h = await start(s);
    const id = s.id('third-party-line');
    await toSupplier(h);
    await act(h, 'third-party-line', 'supplier-approved', support, { note: '供应商已受理' });
    await stageOf(h, 'awaiting-numbers');

    const tooFew = await refusalOf(act(h, 'third-party-line', 'numbers-opened', support, { numbers: [opened[0]!] }));
    expect(tooFew.type).toBe(ActionFailureType.RuleViolation);
    expect(tooFew.details?.[0]).toMatchObject({ errors: [{ path: 'payload.numbers', code: 'number-count' }] });
    const twice = await refusalOf(
      act(h, 'third-party-line', 'numbers-opened', support, { numbers: [opened[0]!, opened[0]!] }),
    );
    expect(twice.details?.[0]).toMatchObject({ errors: [{ path: 'payload.numbers', code: 'number-duplicate' }] });
    expect((await stateOf(h)).stage).toBe('awaiting-numbers');

    await act(h, 'third-party-line', 'numbers-opened', support, { numbers: opened });
    const result = await h.result();
    expect(result).toMatchObject({
      productId: 'A-95-1',
      supplier: 'A',
      numbers: opened.map((n) => `display:${n}`),
      instanceId: 'cc-1',
      callingRules: { perCalleeDailyLimit: 2 },
    });
    expect(result.supplierDue).toMatchObject({ workingDays: 5 });
    expect(s.argsOf('importNumbers')).toEqual([
      {
        customerId: 'cust-1',
        numbers: opened,
        type: 'mobile',
        supplier: 'A',
        reference: id,
        idempotencyKey: `${id}/import`,
      },
    ]);
    expect(s.argsOf('assignNumbers')).toEqual([
      {
        instanceId: 'cc-1',
        numbers: opened,
        skillGroupId: 'sg-1',
        callingRules: { perCalleeDailyLimit: 2 },
        origin: 'supplier',
        supplier: 'A',
        reference: id,
      },
    ]);
    expect(s.emails().map((e) => [e.template, e.to])).toEqual([
      ['third-party-review', 'support'],
      ['third-party-supplier-application', 'supplier-a@example.cn'],
      ['third-party-ready', 'ops@example.cn'],
    ]);
  });

  it('alerts support once the supplier runs past its lead time, in each phase', async () => {
    const s = env.scenario();
    // Five working days are about a week of calendar days: due in well under a second here.
    const h = await start(s, { dayMs: 100, escalationEveryMs: 500 });
    await toSupplier(h);
    const review = await until(() => {
      const sent = s.emails('third-party-escalation');
      return sent.length >= 2 ? sent : undefined;
    }, 'two escalations while the supplier reviews');
    expect(
      review
        .slice(0, 2)
        .map((e) => [
          e.to,
          (e.data as { phase: string; escalation: number }).phase,
          (e.data as { escalation: number }).escalation,
        ]),
    ).toEqual([
      ['support', 'review', 1],
      ['support', 'review', 2],
    ]);
    await act(h, 'third-party-line', 'supplier-approved', support, {});
    // Already overdue: opening the numbers is escalated at once.
    const opening = await until(
      () => s.emails('third-party-escalation').find((e) => (e.data as { phase: string }).phase === 'opening numbers'),
      'an escalation while numbers are opened',
    );
    expect(opening.data).toMatchObject({ escalation: 1, supplier: 'A' });
    expect(stepNames(await stateOf(h))).toEqual(expect.arrayContaining(['supplier overdue 1', 'supplier overdue 2']));
    await h.terminate('test over');
  });

  it('ends on a support rejection', async () => {
    const s = env.scenario();
    const h = await start(s);
    await expectRejectedInReview(
      s,
      h,
      'third-party-line',
      { reason: '行业不在产品允许范围内' },
      {
        type: 'RejectedBySupport',
        emails: ['third-party-review', 'third-party-rejected'],
      },
    );
    expect(s.emails('third-party-rejected')[0]?.data).toMatchObject({ by: 'support' });
    expect(stepNames(await stateOf(h)).filter((n) => n.startsWith('compensation'))).toEqual([]);
  });

  it('ends on the supplier’s rejection, telling the enterprise who refused', async () => {
    const s = env.scenario();
    const h = await start(s);
    await toSupplier(h);
    await act(h, 'third-party-line', 'supplier-rejected', support, { note: '该地区号码资源不足' });

    expect(await failureOf(h)).toMatchObject({ type: 'RejectedBySupplier', message: '该地区号码资源不足' });
    expect(s.calls('importNumbers')).toHaveLength(0);
    expect(s.templates()).toEqual(['third-party-review', 'third-party-supplier-application', 'third-party-rejected']);
    expect(s.emails('third-party-rejected')[0]?.data).toMatchObject({ by: 'supplier A', reason: '该地区号码资源不足' });
  });

  it('is cancelled while waiting on the supplier, with nothing to undo', async () => {
    const s = env.scenario();
    const h = await start(s);
    await toSupplier(h);
    await h.signal(cancelRequestedSignal, { actor: enterprise(s.enterpriseId), reason: '不再需要' });
    await h.cancel();

    expect(await cancelledOutcome(h)).toBe(true);
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'cancelled', stage: 'cancelled', awaiting: [] });
    expect(stepNames(state).filter((n) => n.startsWith('compensation'))).toEqual([]);
    expect(s.calls('releaseNumbers')).toHaveLength(0);
    expect(s.templates()).toEqual(['third-party-review', 'third-party-supplier-application', 'case-cancelled']);
    expect(s.emails('case-cancelled')[0]?.data).toMatchObject({ reason: '不再需要' });
  });

  it('undoes the binding and the import, newest first, when binding is refused', async () => {
    const s = env.scenario({ assignNumbers: async () => refuse('GatewayRejected', 'instance cc-1 is suspended') });
    const h = await start(s);
    const id = s.id('third-party-line');
    await toSupplier(h);
    await act(h, 'third-party-line', 'supplier-approved', support, {});
    await stageOf(h, 'awaiting-numbers');
    await act(h, 'third-party-line', 'numbers-opened', support, { numbers: opened });

    expect(await failureOf(h)).toMatchObject({ type: 'GatewayRejected', message: 'instance cc-1 is suspended' });
    expect(s.argsOf('unassignNumbers')).toEqual([{ numbers: opened, reference: id }]);
    expect(s.argsOf('releaseNumbers')).toEqual([{ numbers: opened, reference: id, idempotencyKey: `${id}/release` }]);
    const state = await stateOf(h);
    expect(state).toMatchObject({ status: 'failed', error: { type: 'GatewayRejected' } });
    expect(stepNames(state).filter((n) => n.startsWith('compensation'))).toEqual([
      'compensation: unbind the numbers',
      'compensation: return the imported numbers',
    ]);
  });
});
