/**
 * Calling rules as the SBC enforces them, per number and by the number's origin (the seeds say
 * which apply to which): concurrent calls out (and in), hours in China time, calls per callee per
 * day, blind areas of the callee, and the enterprise's blocked callees (past complainants), which
 * every origin obeys. Pure: the SBC gateway writes what `sbcCallingRules` returns, the API
 * validates blocked callees with these schemas.
 */
import { SUPPLIER_OUTBOUND_CONCURRENCY_GUIDE } from './catalog';
import type { NumberOrigin } from './carriers';
import { phoneSchema } from './common';
import type { CallingRules } from './eligibility';
import { toE164 } from './numbers';

/** 003 Q6: outbound concurrency per purchased number stays within about 20. */
export const DEFAULT_MAX_CONCURRENT_CALLS = SUPPLIER_OUTBOUND_CONCURRENCY_GUIDE;
/** 000: one fixed line carries about 30 concurrent calls (what an own line declares, and any line takes in). */
export const CALLS_PER_LINE = 30;

/** The names the SBC gives refusals (the Reason header's text and the accounting row). */
export const CALLING_RULE_NAMES = {
  concurrent: 'concurrent call limit',
  hours: 'calling hours',
  calleeDaily: 'callee daily limit',
  blocked: 'blocked callee',
  blindArea: 'blind area',
} as const;

/** One row of the SBC's `calling_rule` table. */
export interface SbcCallingRules {
  maxConcurrentCalls: number;
  /** Calls a day to one callee from the enterprise; null: no such limit. */
  perCalleeDailyLimit: number | null;
  /** `rung`: a call counts once it rings (or is answered); `answered`: only once answered. */
  countOn: 'rung' | 'answered';
  /** Minutes of the day in China time, [from, to); null: any hour. `from > to` spans midnight. */
  hours: { fromMinute: number; toMinute: number } | null;
  /** Provinces (as the region data names them: 新疆, 西藏, 北京) no call goes to. */
  blindRegions: string[];
  /** Concurrent calls in on the number. */
  maxInbound: number;
}

function minuteOf(clock: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(clock);
  if (!m) throw new Error(`not a time of day: ${clock}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * What the SBC enforces on a number of `origin` (seeds 000, 001, 003, 004):
 * - purchased and own-400 lines: at most 20 concurrent calls out (003 Q6), nothing else;
 * - supplier lines: their product's rules (`rules`): concurrency, hours, calls per callee, blind
 *   areas; where a product gives alternatives the SBC cannot choose between (hours by business
 *   scenario, "1-5 calls by line") the strictest: the windows' overlap, the range's minimum;
 * - own trunk and registration lines: only their declared capacity (30 a line, 000) and the
 *   enterprise's blocked callees: no per-callee limit or hours they never agreed to.
 */
export function sbcCallingRules(origin: NumberOrigin, rules?: CallingRules | null): SbcCallingRules {
  const none: SbcCallingRules = {
    maxConcurrentCalls: CALLS_PER_LINE,
    perCalleeDailyLimit: null,
    countOn: 'rung',
    hours: null,
    blindRegions: [],
    maxInbound: CALLS_PER_LINE,
  };
  if (origin === 'own-trunk' || origin === 'own-registration') return none;
  if (origin !== 'supplier') return { ...none, maxConcurrentCalls: DEFAULT_MAX_CONCURRENT_CALLS };
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
    perCalleeDailyLimit: limit === undefined ? null : Math.max(1, typeof limit === 'number' ? limit : limit.min),
    countOn: rules?.perCalleeCountedOn === 'answered' ? 'answered' : 'rung',
    hours,
    blindRegions: [...(rules?.blindRegions ?? [])],
    maxInbound: CALLS_PER_LINE,
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

/** One change to an enterprise's blocked callees, as kept for good. */
export interface BlockedCalleeChange {
  number: string;
  change: 'added' | 'removed';
  reason: string;
  /** `<role>: <name>`. */
  by: string;
  at: string;
}

/** Roles whose blocks (complaints handled by the provider) the enterprise cannot lift. */
export const SUPPORT_ROLES = ['support', 'admin'] as const;

/** The role part of `<role>: <name>`. */
export function roleOf(by: string): string {
  return by.split(':')[0]!.trim();
}

/** Whether `removedBy` may lift a block `addedBy` made. */
export function mayUnblock(addedBy: string, removedBy: string): boolean {
  const supportRoles: readonly string[] = SUPPORT_ROLES;
  return !supportRoles.includes(roleOf(addedBy)) || supportRoles.includes(roleOf(removedBy));
}
