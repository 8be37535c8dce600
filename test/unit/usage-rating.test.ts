import { describe, expect, it } from 'vitest';
import {
  billedMinutes,
  chargeToPost,
  chinaMonthOf,
  monthBounds,
  nextMonth,
  rateCalls,
  usageNumberType,
  type UsagePrice,
} from '../../domain/usage';
import { DEFAULT_USAGE_PRICES } from '../../sandboxes/billing/usage';

// The list the billing sandbox starts with; the first two prices are the fixed-line ones.
const PRICES: readonly UsagePrice[] = DEFAULT_USAGE_PRICES;

describe('months in China time', () => {
  it('start at midnight in Beijing, 16:00 UTC the day before', () => {
    const { start, end } = monthBounds('2026-03');
    expect(new Date(start).toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(new Date(end).toISOString()).toBe('2026-03-31T16:00:00.000Z');
  });

  it('put an instant in the month its China date falls in', () => {
    // 23:30 UTC on 31 January is 07:30 on 1 February in Beijing.
    expect(chinaMonthOf(Date.parse('2026-01-31T23:30:00Z'))).toBe('2026-02');
    expect(chinaMonthOf(Date.parse('2026-01-31T15:59:59.999Z'))).toBe('2026-01');
    expect(chinaMonthOf(Date.parse('2026-01-31T16:00:00Z'))).toBe('2026-02');
    const { start, end } = monthBounds('2026-02');
    expect(chinaMonthOf(start)).toBe('2026-02');
    expect(chinaMonthOf(end - 1)).toBe('2026-02');
    expect(chinaMonthOf(end)).toBe('2026-03');
  });

  it('roll over the year and handle leap Februaries', () => {
    expect(nextMonth('2026-12')).toBe('2027-01');
    expect(nextMonth('2026-09')).toBe('2026-10');
    const leap = monthBounds('2028-02');
    expect((leap.end - leap.start) / 86_400_000).toBe(29);
    const { start } = monthBounds('2027-01');
    expect(start).toBe(monthBounds('2026-12').end);
  });

  it('refuse what is not a month', () => {
    expect(() => monthBounds('2026-13')).toThrow(RangeError);
    expect(() => monthBounds('2026-1')).toThrow(RangeError);
    expect(() => nextMonth('next')).toThrow(RangeError);
  });
});

describe('rating', () => {
  it('rounds each call up to whole minutes', () => {
    expect(billedMinutes(0)).toBe(0);
    expect(billedMinutes(0.2)).toBe(1);
    expect(billedMinutes(60)).toBe(1);
    expect(billedMinutes(60.01)).toBe(2);
    expect(billedMinutes(-5)).toBe(0);
  });

  it('classifies numbers by type', () => {
    expect(usageNumberType('+862066240001')).toBe('fixed-line');
    expect(usageNumberType('4008200001')).toBe('400');
    expect(usageNumberType('+864008200001')).toBe('400');
    expect(usageNumberType('+8613800138000')).toBe('mobile');
  });

  it('sums per number and direction, minutes rounded per call, in fen', () => {
    const rated = rateCalls(
      [
        { number: '+862066240001', numberType: 'fixed-line', direction: 'inbound', seconds: 30 },
        { number: '+862066240001', numberType: 'fixed-line', direction: 'inbound', seconds: 61 },
        { number: '+862066240001', numberType: 'fixed-line', direction: 'outbound', seconds: 119 },
        { number: '+8613800138000', numberType: 'mobile', direction: 'outbound', seconds: 1 },
        { number: '+8613800138000', numberType: 'mobile', direction: 'outbound', seconds: 0 },
      ],
      PRICES,
    );
    expect(rated.lines).toEqual([
      {
        number: '+8613800138000',
        numberType: 'mobile',
        direction: 'outbound',
        calls: 1,
        seconds: 1,
        minutes: 1,
        fenPerMinute: 15,
        amountFen: 15,
      },
      {
        number: '+862066240001',
        numberType: 'fixed-line',
        direction: 'inbound',
        calls: 2,
        seconds: 91,
        minutes: 3,
        fenPerMinute: 6,
        amountFen: 18,
      },
      {
        number: '+862066240001',
        numberType: 'fixed-line',
        direction: 'outbound',
        calls: 1,
        seconds: 119,
        minutes: 2,
        fenPerMinute: 10,
        amountFen: 20,
      },
    ]);
    expect(rated).toMatchObject({ calls: 4, minutes: 6, amountFen: 53 });
  });

  it('bills nothing for a quiet month, and refuses a call without a price', () => {
    expect(rateCalls([], PRICES)).toEqual({ calls: 0, minutes: 0, amountFen: 0, lines: [] });
    expect(() =>
      rateCalls([{ number: '4008200001', numberType: '400', direction: 'inbound', seconds: 5 }], PRICES.slice(0, 2)),
    ).toThrow(/no per-minute price for 400 inbound/);
  });
});

describe('what a re-run posts', () => {
  it('posts the month once, then only what late records add, never a refund', () => {
    expect(chargeToPost(500, undefined)).toEqual({ kind: 'month', amountFen: 500 });
    expect(chargeToPost(0, undefined)).toBeNull();
    expect(chargeToPost(500, 500)).toBeNull();
    expect(chargeToPost(650, 500)).toEqual({ kind: 'supplement', amountFen: 150 });
    expect(chargeToPost(400, 500)).toBeNull();
  });
});
