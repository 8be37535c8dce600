import { describe, expect, it } from 'vitest';
import type { AnsweredCall, AssignmentPeriod, SipGateway } from '../../activities/sip-gateway';
import { createUsageActivities } from '../../activities/usage';
import { monthBounds } from '../../domain/usage';
import { DEFAULT_USAGE_PRICES } from '../../sandboxes/billing/usage';

// The billing sandbox's answer with the list a fresh store starts with.
const PRICES = { currency: 'CNY', unit: 'fen/minute', prices: DEFAULT_USAGE_PRICES };

function held(number: string, instanceId: string, over: Partial<AssignmentPeriod> = {}): AssignmentPeriod {
  return {
    number,
    instanceId,
    reference: 'case',
    origin: 'purchased',
    from: '2026-01-01T00:00:00.000Z',
    to: null,
    ...over,
  };
}

const DEFAULT_HELD = [
  held('+862066240001', 'cc-own'),
  // Its enterprise named on the row, whatever the instance.
  held('+8613700001000', 'cc-elsewhere', { enterpriseId: 'ent-1' }),
  held('+862066249999', 'cc-other', { enterpriseId: 'ent-2' }),
];

function answered(over: Partial<AnsweredCall>): AnsweredCall {
  return {
    callId: Math.random().toString(36),
    direction: 'outbound',
    caller: '+862066240001',
    callee: '+8613900139000',
    answeredAt: '2026-10-10T02:00:00Z',
    endedAt: '2026-10-10T02:01:00Z',
    seconds: 60,
    ...over,
  };
}

function gateway(
  calls: AnsweredCall[],
  observes = true,
  periods: AssignmentPeriod[] = DEFAULT_HELD,
): { gw: SipGateway; ranges: { from: string; to: string }[] } {
  const ranges: { from: string; to: string }[] = [];
  const gw = {
    mode: 'fake',
    observes: { calls: observes, registrations: observes },
    assignNumbers: async () => [],
    unassignNumbers: async () => ({ removed: [] }),
    assignments: async () => [],
    assignmentHistory: async () => periods,
    answeredCalls: async (range: { from: string; to: string }) => {
      ranges.push(range);
      return calls;
    },
  } satisfies SipGateway;
  return { gw, ranges };
}

const billing = { request: async <T>() => PRICES as T };

describe('usage activity', () => {
  it("rates the month's answered calls on the enterprise's numbers only, in China-time bounds", async () => {
    const { gw, ranges } = gateway([
      answered({ seconds: 30 }),
      // Written as dialled: the same number.
      answered({ caller: '02066240001', seconds: 61 }),
      answered({ direction: 'inbound', caller: '+8613900139001', callee: '020-6624-0001', seconds: 5 }),
      answered({ caller: '+8613700001000', seconds: 120 }),
      // Another enterprise's number, and a call not ended yet.
      answered({ caller: '+862066249999', seconds: 300 }),
      answered({ seconds: null, endedAt: null }),
    ]);
    const usage = createUsageActivities({ gateway: gw, billing, instancesOf: async () => ['cc-own'] });
    const rated = await usage.rateUsageMonth({ enterpriseId: 'ent-1', month: '2026-10' });
    const { start, end } = monthBounds('2026-10');
    expect(ranges).toEqual([{ from: new Date(start).toISOString(), to: new Date(end).toISOString() }]);
    expect(rated.lines.map((l) => [l.display, l.direction, l.calls, l.minutes, l.amountFen])).toEqual([
      ['137-00001000', 'outbound', 1, 2, 30],
      ['020-66240001', 'inbound', 1, 1, 6],
      ['020-66240001', 'outbound', 2, 3, 30],
    ]);
    expect(rated).toMatchObject({ observable: true, calls: 4, minutes: 6, amountFen: 66, unfinishedCalls: 1 });
  });

  it('rates each number by its origin when the call was made, a number released mid-month included', async () => {
    const { gw } = gateway(
      [
        answered({ caller: '+862066240001', seconds: 60 }),
        answered({ caller: '+862066240002', seconds: 120 }),
        answered({ caller: '+862066240003', seconds: 600 }),
        // Released on the 15th: its earlier call is billed, a later one (another owner's) is not.
        answered({ caller: '+862066240004', seconds: 60, answeredAt: '2026-10-10T02:00:00Z' }),
        answered({ caller: '+862066240004', seconds: 60, answeredAt: '2026-10-20T02:00:00Z' }),
        // Answered, never closed: reported for support, not billed.
        answered({ caller: '+862066240001', seconds: null, endedAt: null, callId: 'lost' }),
      ],
      true,
      [
        held('+862066240001', 'cc-own'),
        held('+862066240002', 'cc-own', { origin: 'supplier', supplier: 'A' }),
        held('+862066240003', 'cc-own', { origin: 'own-trunk' }),
        held('+862066240004', 'cc-own', { to: '2026-10-15T00:00:00.000Z' }),
      ],
    );
    const usage = createUsageActivities({ gateway: gw, billing, instancesOf: async () => ['cc-own'] });
    const rated = await usage.rateUsageMonth({ enterpriseId: 'ent-1', month: '2026-10' });
    expect(rated.lines.map((l) => [l.number, l.origin, l.calls, l.minutes, l.fenPerMinute, l.amountFen])).toEqual([
      ['+862066240001', 'purchased', 1, 1, 10, 10],
      ['+862066240002', 'supplier', 1, 2, 4, 8],
      ['+862066240003', 'own-trunk', 1, 10, 0, 0],
      ['+862066240004', 'purchased', 1, 1, 10, 10],
    ]);
    expect(rated.lines.find((l) => l.origin === 'own-trunk')?.basis).toMatch(/no charge \(000\)/);
    expect(rated.lines.find((l) => l.origin === 'supplier')?.basis).toMatch(/004/);
    expect(rated).toMatchObject({ amountFen: 28, unfinishedCalls: 1 });
    expect(rated.unreconciled).toEqual([
      { callId: 'lost', number: '+862066240001', answeredAt: '2026-10-10T02:00:00Z' },
    ]);
  });

  it('says when the SBC cannot be read, and bills nothing', async () => {
    const { gw, ranges } = gateway([answered({})], false);
    const usage = createUsageActivities({ gateway: gw, billing, instancesOf: async () => ['cc-own'] });
    expect(await usage.rateUsageMonth({ enterpriseId: 'ent-1', month: '2026-10' })).toMatchObject({
      observable: false,
      amountFen: 0,
      lines: [],
    });
    expect(ranges).toEqual([]);
  });
});
