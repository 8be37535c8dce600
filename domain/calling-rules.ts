/**
 * Calling rules as the SBC enforces them on calls that leave through it, per calling number:
 * concurrent outbound calls, hours in China time, calls per callee per day, and the enterprise's
 * blocked callees (past complainants). Pure: the SBC gateway writes what `sbcCallingRules`
 * returns, the API validates blocked callees with these schemas.
 */
import { SUPPLIER_OUTBOUND_CONCURRENCY_GUIDE } from './catalog';
import { phoneSchema } from './common';
import type { CallingRules } from './eligibility';
import { toE164 } from './numbers';

/** 003 Q6: outbound concurrency per number stays within about 20 unless the product says less. */
export const DEFAULT_MAX_CONCURRENT_CALLS = SUPPLIER_OUTBOUND_CONCURRENCY_GUIDE;
/** 004: each callee at most five calls a day (ringing or answered counts as one). */
export const DEFAULT_PER_CALLEE_DAILY_LIMIT = 5;

/** The names the SBC gives refusals (the Reason header's text and the accounting row). */
export const CALLING_RULE_NAMES = {
  concurrent: 'concurrent call limit',
  hours: 'calling hours',
  calleeDaily: 'callee daily limit',
  blocked: 'blocked callee',
} as const;

/** One row of the SBC's `calling_rule` table. */
export interface SbcCallingRules {
  maxConcurrentCalls: number;
  perCalleeDailyLimit: number;
  /** `rung`: a call counts once it rings (or is answered); `answered`: only once answered. */
  countOn: 'rung' | 'answered';
  /** Minutes of the day in China time, [from, to); null: any hour. `from > to` spans midnight. */
  hours: { fromMinute: number; toMinute: number } | null;
}

function minuteOf(clock: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(clock);
  if (!m) throw new Error(`not a time of day: ${clock}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * What the SBC enforces for a number carrying `rules` (none: the defaults). Where a product
 * gives alternatives (hours by business scenario, a per-callee range "1-5 by line"), the SBC
 * cannot tell which applies and keeps to the strictest: the windows' overlap, the range's minimum.
 */
export function sbcCallingRules(rules: CallingRules | undefined | null): SbcCallingRules {
  const limit = rules?.perCalleeDailyLimit;
  const windows = rules?.callingHours ?? [];
  let hours: SbcCallingRules['hours'] = null;
  if (windows.length === 1) {
    hours = { fromMinute: minuteOf(windows[0]!.from), toMinute: minuteOf(windows[0]!.to) };
  } else if (windows.length > 1) {
    // The overlap of same-day windows; none at all: no hour is allowed.
    const fromMinute = Math.max(...windows.map((w) => minuteOf(w.from)));
    const toMinute = Math.min(...windows.map((w) => minuteOf(w.to)));
    hours = { fromMinute, toMinute: Math.max(toMinute, fromMinute) };
  }
  return {
    maxConcurrentCalls: Math.max(1, rules?.maxConcurrentCalls ?? DEFAULT_MAX_CONCURRENT_CALLS),
    perCalleeDailyLimit: Math.max(
      1,
      limit === undefined ? DEFAULT_PER_CALLEE_DAILY_LIMIT : typeof limit === 'number' ? limit : limit.min,
    ),
    countOn: rules?.perCalleeCountedOn === 'answered' ? 'answered' : 'rung',
    hours,
  };
}

/** A callee's number, any valid mainland (or +-prefixed foreign) number, stored in E.164. */
export const calleeNumberSchema = phoneSchema.transform((v) => toE164(v));

export interface BlockedCallee {
  /** E.164. */
  number: string;
  reason: string;
  /** `<role>: <name>` of who added it. */
  addedBy: string;
  addedAt: string;
}
