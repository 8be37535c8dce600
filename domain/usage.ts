/**
 * Usage billing: rating answered calls into a statement
 * (per number: calls, minutes rounded up per call, amount in fen). Plain TypeScript without
 * libraries. The months in China time and what a re-reading posts are in `usage-periods.ts`.
 */
export { chargeToPost, chinaMonthOf, isMonth, monthBounds, nextMonth, supplementLines } from './usage-periods';

import type { NumberOrigin } from './carriers';

export const USAGE_NUMBER_TYPES = ['fixed-line', '400', 'mobile'] as const;
/** How a number is priced: fixed line, 400, or mobile (supplier mobile and virtual lines among them). */
export type UsageNumberType = (typeof USAGE_NUMBER_TYPES)[number];
export const CALL_DIRECTIONS = ['inbound', 'outbound'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];
/** Billing's price list: per number type, and the platform's usage fee for supplier lines. */
export const PLATFORM_USAGE = 'platform-usage' as const;
export type UsagePriceKind = UsageNumberType | typeof PLATFORM_USAGE;

/** Billing's per-minute price for one number type (or the platform usage fee) and direction. */
export interface UsagePrice {
  numberType: UsagePriceKind;
  direction: CallDirection;
  fenPerMinute: number;
}

/**
 * How a number's calls are charged, by where it came from (seeds 000, 001, 003 Q8, 004 §2), with
 * the reason the statement gives.
 */
export const CHARGE_BY_ORIGIN: Record<NumberOrigin, { charge: 'price' | 'platform-usage' | 'none'; basis: string }> = {
  purchased: { charge: 'price', basis: "a purchased number: billing's per-minute price, billed monthly (003 Q8)" },
  supplier: {
    charge: 'platform-usage',
    basis: 'a supplier line: the platform usage fee per minute; rent and calls are paid to the supplier (004 §2)',
  },
  'own-trunk': {
    charge: 'none',
    basis: 'an own line over a SIP trunk: the enterprise settles calls with its carrier; no charge (000)',
  },
  'own-registration': {
    charge: 'none',
    basis: 'an own line over SIP registration: the enterprise settles calls with its carrier; no charge (001)',
  },
  'own-400': {
    charge: 'none',
    basis: 'the fixed line of an own 400 number: the enterprise settles with its 400 operator; no charge (000)',
  },
};

/** One answered call on one of the enterprise's numbers, as the SBC accounted it. */
export interface RatedCall {
  /** E.164: the enterprise's number the call was on (callee inbound, caller outbound). */
  number: string;
  numberType: UsageNumberType;
  direction: CallDirection;
  /** Answered duration. */
  seconds: number;
  /** Where the number came from when the call was made (a purchased number when not said). */
  origin?: NumberOrigin;
}

export interface StatementLine {
  number: string;
  numberType: UsageNumberType;
  direction: CallDirection;
  calls: number;
  seconds: number;
  /** Each call's minutes rounded up, summed. */
  minutes: number;
  fenPerMinute: number;
  amountFen: number;
  origin?: NumberOrigin;
  /** Why this rate (or none): the seed's rule for the number's origin. */
  basis?: string;
}

export interface UsageTotals {
  calls: number;
  minutes: number;
  amountFen: number;
  lines: StatementLine[];
}

/** Minutes billed for one call: every started minute counts; an unanswered call is none. */
export function billedMinutes(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0) return 0;
  return Math.ceil(seconds / 60);
}

/** How a number is priced, from its E.164 form: 400 numbers, mainland mobiles, else fixed line. */
export function usageNumberType(e164: string): UsageNumberType {
  const digits = e164.replace(/^\+/, '');
  if (/^(86)?400\d{7}$/.test(digits)) return '400';
  if (/^861[3-9]\d{9}$/.test(digits)) return 'mobile';
  return 'fixed-line';
}

/**
 * Rates a month's answered calls: one line per number and direction (numbers in order), each
 * call's minutes rounded up, times the price for the number's type and direction. A call with
 * no price is a programming or configuration error and throws: nothing is billed at zero.
 */
export function rateCalls(calls: readonly RatedCall[], prices: readonly UsagePrice[]): UsageTotals {
  const priceOf = (t: UsagePriceKind, d: CallDirection): number => {
    const p = prices.find((x) => x.numberType === t && x.direction === d);
    if (!p) throw new RangeError(`no per-minute price for ${t} ${d} calls`);
    if (!Number.isSafeInteger(p.fenPerMinute) || p.fenPerMinute < 0)
      throw new RangeError(`bad per-minute price for ${t} ${d}: ${p.fenPerMinute}`);
    return p.fenPerMinute;
  };
  const lines = new Map<string, StatementLine>();
  for (const call of calls) {
    const minutes = billedMinutes(call.seconds);
    if (minutes === 0) continue;
    const origin = call.origin ?? 'purchased';
    const key = `${call.number}\u0000${call.direction}\u0000${origin}`;
    let line = lines.get(key);
    if (!line) {
      const { charge, basis } = CHARGE_BY_ORIGIN[origin];
      line = {
        number: call.number,
        numberType: call.numberType,
        direction: call.direction,
        calls: 0,
        seconds: 0,
        minutes: 0,
        fenPerMinute:
          charge === 'none' ? 0 : priceOf(charge === 'price' ? call.numberType : PLATFORM_USAGE, call.direction),
        amountFen: 0,
        ...(call.origin ? { origin, basis } : {}),
      };
      lines.set(key, line);
    }
    line.calls++;
    line.seconds += Math.round(call.seconds);
    line.minutes += minutes;
    line.amountFen = line.minutes * line.fenPerMinute;
  }
  const sorted = [...lines.values()].sort(
    (a, b) => a.number.localeCompare(b.number) || a.direction.localeCompare(b.direction),
  );
  return {
    calls: sorted.reduce((n, l) => n + l.calls, 0),
    minutes: sorted.reduce((n, l) => n + l.minutes, 0),
    amountFen: sorted.reduce((n, l) => n + l.amountFen, 0),
    lines: sorted,
  };
}

/** A statement line as the enterprise reads it: the number also as people write it. */
export interface StatementLineView extends StatementLine {
  display: string;
}

/** One posting to billing for a month: the month's charge, or a supplement after a re-run. */
export interface UsageChargeRecord {
  chargeId: string;
  idempotencyKey: string;
  /** 0 for the month's charge, 1, 2, ... for supplements. */
  supplement: number;
  amountFen: number;
  at: string;
}

/** What the SBC's records of a month rated to. */
export interface MonthRating {
  month: string;
  calls: number;
  minutes: number;
  amountFen: number;
  lines: StatementLineView[];
  /** Answered calls with no end accounted yet (still up, or records missing): not billed. */
  unfinishedCalls: number;
  /** Those calls, for support to reconcile (at most 100). */
  unreconciled?: UnreconciledCall[];
  ratedAt: string;
}

/**
 * A month's itemised statement as the usage-billing case keeps it: what the SBC's records rated to
 * at the latest reading, and what was posted to billing for it.
 */
export interface UsageStatement extends MonthRating {
  /**
   * `unobservable`: the SBC's calls cannot be read here (manual mode); `unrated`: reading or rating
   * was refused (e.g. no price published); nothing was billed in either, a re-run may bill it.
   */
  status: 'charged' | 'nothing-to-charge' | 'unobservable' | 'unrated';
  /** Charged to billing so far: the month's charge plus any supplements. */
  chargedFen: number;
  charges: UsageChargeRecord[];
  /** Readings after the first (support's `rerun-month`). */
  reruns: number;
}

/** What the activity reads and rates for one month (before anything is posted). */
export interface RatedMonth extends MonthRating {
  observable: boolean;
}

/** An answered call without a closed call record, reported on the statement and to support. */
export interface UnreconciledCall {
  callId: string;
  number: string;
  answeredAt: string;
}

/** A mainland national significant number: mobile, Beijing, other fixed lines, 400/800 (as `sbc_e164`). */
const MAINLAND_NSN = '(1[3-9]\\d{9}|10\\d{8}|[2-9]\\d{8,10})';

/**
 * A dialled or presented number in one comparable form, the way the SBC's `sbc_e164` reads it
 * (`sbc/ownership-sql.ts`): `020-6624 0001`, `02066240001`, `862066240001` and `+862066240001` are
 * one number. Anything the SBC would not take for a number is returned as it came.
 */
export function numberKey(raw: string): string {
  const d = raw.replace(/[-. ()]/g, '');
  const nsn = new RegExp(`^${MAINLAND_NSN}$`);
  if (d.startsWith('+86')) return nsn.test(d.slice(3)) ? d : raw;
  if (/^\+[1-9]\d{6,14}$/.test(d)) return d;
  if (d.startsWith('0086')) return nsn.test(d.slice(4)) ? `+${d.slice(2)}` : raw;
  if (/^00[1-9]\d{6,14}$/.test(d)) return `+${d.slice(2)}`;
  if (new RegExp(`^86${MAINLAND_NSN}$`).test(d)) return `+${d}`;
  if (/^0(10\d{8}|[2-9]\d{8,10})$/.test(d)) return `+86${d.slice(1)}`;
  if (/^(1[3-9]\d{9}|[48]00\d{7})$/.test(d)) return `+86${d}`;
  return raw;
}
