/**
 * Usage billing's calendar (months in China time) and what a month's (re-)reading posts: the
 * part of `usage.ts` the usage-billing workflow runs, kept small since every cached case
 * evaluates what a workflow imports. Plain TypeScript.
 */
import type { StatementLineView } from './usage';

/** China has one time zone and no daylight saving: UTC+8 all year. */
const CHINA_OFFSET_MS = 8 * 3_600_000;
const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: string): boolean {
  return MONTH_PATTERN.test(value);
}

function parseMonth(month: string): { year: number; month: number } {
  const m = MONTH_PATTERN.exec(month);
  if (!m) throw new RangeError(`not a month (YYYY-MM): ${JSON.stringify(month)}`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

/** The month (YYYY-MM) an instant falls in, in China time. */
export function chinaMonthOf(epochMs: number): string {
  return new Date(epochMs + CHINA_OFFSET_MS).toISOString().slice(0, 7);
}

/** The instants a month starts and ends (exclusive) in China time, as epoch ms. */
export function monthBounds(month: string): { start: number; end: number } {
  const { year, month: m } = parseMonth(month);
  return {
    start: Date.UTC(year, m - 1, 1) - CHINA_OFFSET_MS,
    end: Date.UTC(year, m, 1) - CHINA_OFFSET_MS,
  };
}

export function nextMonth(month: string): string {
  const { year, month: m } = parseMonth(month);
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * What to post for a month already rated: nothing charged yet, the whole amount under the month's
 * key; charged before, only what late records added (never a refund: billing never bills twice
 * and a re-read that finds less changes nothing).
 */
export function chargeToPost(
  amountFen: number,
  chargedFen: number | undefined,
): { kind: 'month' | 'supplement'; amountFen: number } | null {
  if (chargedFen === undefined) return amountFen > 0 ? { kind: 'month', amountFen } : null;
  const more = amountFen - chargedFen;
  return more > 0 ? { kind: 'supplement', amountFen: more } : null;
}

/**
 * What a supplement adds, per number and direction: the minutes (and calls) a later reading found
 * beyond the one already charged, priced as now. Lines with nothing more are left out.
 */
export function supplementLines(
  now: readonly StatementLineView[],
  before: readonly StatementLineView[],
): StatementLineView[] {
  return now.flatMap((line) => {
    const prior = before.find((b) => b.number === line.number && b.direction === line.direction);
    const minutes = line.minutes - (prior?.minutes ?? 0);
    if (minutes <= 0) return [];
    return [
      {
        ...line,
        calls: Math.max(0, line.calls - (prior?.calls ?? 0)),
        seconds: Math.max(0, line.seconds - (prior?.seconds ?? 0)),
        minutes,
        amountFen: minutes * line.fenPerMinute,
      },
    ];
  });
}
