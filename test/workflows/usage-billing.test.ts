/**
 * Usage billing with the SBC's records and billing mocked: a closed month with calls on two
 * numbers is charged once, a re-run with the same records changes nothing, late records are
 * charged once as a supplement, and each month continues as new keeping the last 24 statements.
 */
import { describe, expect, it } from 'vitest';
import type { UsageBillingInput } from '../../contract/inputs';
import {
  chinaMonthOf,
  monthBounds,
  rateCalls,
  type RatedCall,
  type RatedMonth,
  type UsagePrice,
  type UsageStatement,
} from '../../domain/usage';
import { usageBilling, type UsageBillingView } from '../../workflows/usage-billing';
import { AwaitingRoleKey } from '../../domain/search-attributes';
import { ActionFailureType } from '../../contract/actions';
import { support } from './actors';
import { act, refusalOf, stateOf, until } from './cases';
import { refuse, type Scenario, useWorkflowEnv } from './support';

const env = useWorkflowEnv();

const PRICES: UsagePrice[] = [
  { numberType: 'fixed-line', direction: 'inbound', fenPerMinute: 6 },
  { numberType: 'fixed-line', direction: 'outbound', fenPerMinute: 10 },
  { numberType: 'mobile', direction: 'outbound', fenPerMinute: 15 },
];

/** The month `n` months before the current one, China time. */
function monthsAgo(n: number): string {
  let m = chinaMonthOf(Date.now());
  for (let i = 0; i < n; i++) m = chinaMonthOf(monthBounds(m).start - 1);
  return m;
}

/** What the usage activity answers for a month with these calls (rated as the real one does). */
function rated(month: string, calls: RatedCall[]): RatedMonth {
  const r = rateCalls(calls, PRICES);
  return {
    month,
    observable: true,
    calls: r.calls,
    minutes: r.minutes,
    amountFen: r.amountFen,
    lines: r.lines.map((l) => ({ ...l, display: l.number })),
    unfinishedCalls: 0,
    ratedAt: new Date().toISOString(),
  };
}

const A = '+862066240001';
const B = '+8613800138000';
const TWO_NUMBERS: RatedCall[] = [
  { number: A, numberType: 'fixed-line', direction: 'inbound', seconds: 30 },
  { number: A, numberType: 'fixed-line', direction: 'inbound', seconds: 90 },
  { number: B, numberType: 'mobile', direction: 'outbound', seconds: 61 },
];

function input(s: Scenario, overrides: Partial<UsageBillingInput> = {}): UsageBillingInput {
  return {
    enterpriseId: s.enterpriseId,
    customerId: 'cust-1',
    companyName: '广州示例科技有限公司',
    contactEmail: 'ops@example.cn',
    nextMonth: monthsAgo(1),
    statements: [],
    carriedSteps: [],
    timings: { graceMs: 0 },
    ...overrides,
  };
}

async function start(s: Scenario, overrides: Partial<UsageBillingInput> = {}) {
  const id = s.id('usage-billing');
  await env.start(usageBilling, input(s, overrides), id);
  return env.client.workflow.getHandle(id);
}

async function view(s: Scenario): Promise<UsageBillingView> {
  return (await stateOf(env.client.workflow.getHandle(s.id('usage-billing')))).result as UsageBillingView;
}

/** Waits until the case shows the statement of `month` passing `check`. */
function statementOf(s: Scenario, month: string, check: (st: UsageStatement) => boolean = () => true) {
  return until(async () => {
    const st = (await view(s))?.statements?.find((x) => x.month === month);
    return st && check(st) ? st : undefined;
  }, `the statement of ${month}`);
}

describe.concurrent('usage billing', () => {
  it('charges a closed month with calls on two numbers once, and a re-run with the same records changes nothing', async () => {
    const s = env.scenario();
    const month = monthsAgo(1);
    s.answer({ rateUsageMonth: async (r) => rated(r.month, r.month === month ? TWO_NUMBERS : []) });
    const h = await start(s);
    const statement = await statementOf(s, month);
    // 30 s and 90 s on A inbound: 1 + 2 minutes at 6 fen; 61 s on B outbound: 2 minutes at 15 fen.
    expect(statement).toMatchObject({
      status: 'charged',
      calls: 3,
      minutes: 5,
      amountFen: 48,
      chargedFen: 48,
      reruns: 0,
    });
    expect(statement.lines.map((l) => [l.number, l.direction, l.calls, l.minutes, l.amountFen])).toEqual([
      [B, 'outbound', 1, 2, 30],
      [A, 'inbound', 2, 3, 18],
    ]);
    expect(s.argsOf('postUsageCharge')).toEqual([
      expect.objectContaining({
        customerId: 'cust-1',
        month,
        amountFen: 48,
        idempotencyKey: `${s.enterpriseId}/${month}`,
        reference: s.id('usage-billing'),
        lines: expect.arrayContaining([
          expect.objectContaining({ number: A, minutes: 3, amountFen: 18 }),
          expect.objectContaining({ number: B, minutes: 2, amountFen: 30 }),
        ]),
      }),
    ]);
    expect(s.argsOf('postUsageCharge')[0]).not.toHaveProperty('supplement');
    const mails = await until(() => {
      const sent = s.emails('usage-statement');
      return sent.length > 0 ? sent : undefined;
    }, 'the statement email');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: 'ops@example.cn', data: { month, chargedFen: 48, supplement: 0 } });
    // The case goes on to the current month, and is not work in support's queue.
    const waiting = await until(async () => {
      const v = await view(s);
      return v?.nextMonth === monthsAgo(0) ? v : undefined;
    }, 'the next month');
    expect(waiting.statements.map((x) => x.month)).toEqual([month]);
    const description = await h.describe();
    expect(description.typedSearchAttributes.get(AwaitingRoleKey)).toBeUndefined();

    await act(env.client.workflow.getHandle(s.id('usage-billing')), 'usage-billing', 'rerun-month', support, { month });
    const again = await statementOf(s, month, (st) => st.reruns === 1);
    expect(again).toMatchObject({
      amountFen: 48,
      chargedFen: 48,
      charges: [expect.objectContaining({ supplement: 0 })],
    });
    expect(s.argsOf('postUsageCharge')).toHaveLength(1);
    expect(s.emails('usage-statement')).toHaveLength(1);
    expect(s.argsOf('rateUsageMonth').filter((r) => r.month === month)).toHaveLength(2);
  });

  it('charges records that arrived late once, as a supplement with its own key; never twice, never back', async () => {
    const s = env.scenario();
    const month = monthsAgo(1);
    let calls = TWO_NUMBERS.slice(0, 1);
    s.answer({ rateUsageMonth: async (r) => rated(r.month, r.month === month ? calls : []) });
    await start(s);
    expect(await statementOf(s, month)).toMatchObject({ amountFen: 6, chargedFen: 6 });
    const handle = () => env.client.workflow.getHandle(s.id('usage-billing'));
    await until(async () => (await view(s))?.nextMonth === monthsAgo(0), 'the next month');

    // The SBC was down: the rest of the month's records arrive later.
    calls = TWO_NUMBERS;
    await act(handle(), 'usage-billing', 'rerun-month', support, { month, note: 'SBC records restored' });
    const supplemented = await statementOf(s, month, (st) => st.reruns === 1);
    expect(supplemented).toMatchObject({ amountFen: 48, chargedFen: 48 });
    expect(supplemented.charges.map((x) => [x.supplement, x.amountFen, x.idempotencyKey])).toEqual([
      [0, 6, `${s.enterpriseId}/${month}`],
      [1, 42, `${s.enterpriseId}/${month}/rerun-1`],
    ]);
    expect(s.argsOf('postUsageCharge').map((p) => [p.amountFen, p.supplement])).toEqual([
      [6, undefined],
      [42, 1],
    ]);
    const supplementLines = s.argsOf('postUsageCharge')[1]!.lines;
    expect(supplementLines.map((l) => [l.number, l.calls, l.minutes, l.amountFen])).toEqual([
      [B, 1, 2, 30],
      [A, 1, 2, 12],
    ]);
    const mails = await until(() => {
      const sent = s.emails('usage-statement');
      return sent.length >= 2 ? sent : undefined;
    }, 'the supplement statement email');
    expect(mails.map((m) => (m.data as { supplement: number }).supplement)).toEqual([0, 1]);

    // Fewer records on a later reading refund nothing; the same records charge nothing more.
    calls = TWO_NUMBERS.slice(0, 2);
    await act(handle(), 'usage-billing', 'rerun-month', support, { month });
    await statementOf(s, month, (st) => st.reruns === 2);
    calls = TWO_NUMBERS;
    await act(handle(), 'usage-billing', 'rerun-month', support, { month });
    expect(await statementOf(s, month, (st) => st.reruns === 3)).toMatchObject({ chargedFen: 48 });
    expect(s.argsOf('postUsageCharge')).toHaveLength(2);
  });

  it('records a month it could not rate and goes on; a re-run then charges the whole month under its key', async () => {
    const s = env.scenario();
    const month = monthsAgo(1);
    let refused = true;
    s.answer({
      rateUsageMonth: async (r) =>
        refused ? refuse('BillingRejected', 'billing published no per-minute prices') : rated(r.month, TWO_NUMBERS),
    });
    await start(s);
    expect(await statementOf(s, month)).toMatchObject({ status: 'unrated', chargedFen: 0 });
    await until(async () => (await view(s))?.nextMonth === monthsAgo(0), 'the next month');
    expect(s.calls('postUsageCharge')).toHaveLength(0);
    refused = false;
    await act(env.client.workflow.getHandle(s.id('usage-billing')), 'usage-billing', 'rerun-month', support, { month });
    expect(await statementOf(s, month, (st) => st.reruns === 1)).toMatchObject({ status: 'charged', chargedFen: 48 });
    expect(s.argsOf('postUsageCharge').map((p) => [p.idempotencyKey, p.amountFen, p.supplement])).toEqual([
      [`${s.enterpriseId}/${month}`, 48, undefined],
    ]);
  });

  it('refuses a re-run of a month it has not billed', async () => {
    const s = env.scenario();
    await start(s, { nextMonth: monthsAgo(0) });
    await until(async () => (await view(s))?.nextMonth, 'the case');
    const refused = await refusalOf(
      act(env.client.workflow.getHandle(s.id('usage-billing')), 'usage-billing', 'rerun-month', support, {
        month: monthsAgo(0),
      }),
    );
    expect(refused.type).toBe(ActionFailureType.RuleViolation);
    expect(refused.details?.[0]).toMatchObject({ errors: [{ path: 'payload.month', code: 'month-not-billed' }] });
    expect(s.calls('rateUsageMonth')).toHaveLength(0);
  });

  it('continues as new each month, keeping the last 24 statements', async () => {
    const s = env.scenario();
    const old: UsageStatement[] = [];
    // 24 statements already carried, the oldest first.
    for (let n = 25; n >= 2; n--)
      old.push({
        month: monthsAgo(n),
        status: 'nothing-to-charge',
        calls: 0,
        minutes: 0,
        amountFen: 0,
        lines: [],
        unfinishedCalls: 0,
        chargedFen: 0,
        charges: [],
        ratedAt: new Date().toISOString(),
        reruns: 0,
      });
    s.answer({ rateUsageMonth: async (r) => rated(r.month, TWO_NUMBERS) });
    const first = await start(s, { statements: old });
    const firstRun = (await first.describe()).runId;
    const next = await until(async () => {
      const v = await view(s);
      return v?.nextMonth === monthsAgo(0) ? v : undefined;
    }, 'the next run');
    expect(next.statements).toHaveLength(24);
    expect(next.statements[0]!.month).toBe(monthsAgo(24));
    expect(next.statements.at(-1)).toMatchObject({ month: monthsAgo(1), chargedFen: 48 });
    const latest = await env.client.workflow.getHandle(s.id('usage-billing')).describe();
    expect(latest.runId).not.toBe(firstRun);
    expect(latest.status.name).toBe('RUNNING');
    // The steps carry over: the new run shows the charge the last one made.
    const state = await stateOf(env.client.workflow.getHandle(s.id('usage-billing')));
    expect(state.steps.map((x) => x.name)).toContain(`usage ${monthsAgo(1)} charged`);
    expect(state.stage).toBe('metering');
  });
});
