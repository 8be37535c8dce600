/**
 * Working days on ISO `YYYY-MM-DD` dates: Monday to Friday, minus the listed public holidays.
 * Supplier lead times are stated in working days (e.g. 7-30 after approval). Pure: "today" and the
 * holiday calendar are always passed in, since this runs inside workflow code.
 *
 * China moves working days around its holidays (调休): a Saturday or Sunday can be a working
 * day. Those dates go in the optional `workdays` list; without it only Monday-Friday count.
 */
import { formatIsoDate, parseIsoDate } from './checks/dates';

const DAY_MS = 86_400_000;
/** A guard against a runaway loop on a typo'd count; 100 years of days. */
const MAX_SPAN_DAYS = 36_525;

function toDayNumber(iso: string, what: string): number {
  const parts = parseIsoDate(iso);
  if (!parts) throw new RangeError(`${what}: not a valid ISO date (YYYY-MM-DD): ${JSON.stringify(iso)}`);
  return Date.UTC(parts.year, parts.month - 1, parts.day) / DAY_MS;
}

function fromDayNumber(day: number): string {
  const d = new Date(day * DAY_MS);
  return formatIsoDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** Holiday and workday lists as day numbers; a malformed date throws rather than being ignored. */
function calendar(holidays: readonly string[], workdays: readonly string[]) {
  const off = new Set(holidays.map((h) => toDayNumber(h, 'holiday')));
  const on = new Set(workdays.map((w) => toDayNumber(w, 'workday')));
  return (day: number): boolean => {
    if (on.has(day)) return true;
    if (off.has(day)) return false;
    // Day 0 (1970-01-01) was a Thursday.
    const weekday = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
    return weekday !== 0 && weekday !== 6;
  };
}

export function isWorkingDay(iso: string, holidays: readonly string[], workdays: readonly string[] = []): boolean {
  return calendar(holidays, workdays)(toDayNumber(iso, 'date'));
}

/**
 * The date `days` working days after `startIso`; the start day itself is not counted, so
 * Friday + 1 is Monday. `days = 0` returns the start date unchanged.
 */
export function addWorkingDays(
  startIso: string,
  days: number,
  holidays: readonly string[],
  workdays: readonly string[] = [],
): string {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a whole number >= 0, not ${days}`);
  const working = calendar(holidays, workdays);
  const start = toDayNumber(startIso, 'start');
  let day = start;
  for (let left = days; left > 0;) {
    day += 1;
    if (day - start > MAX_SPAN_DAYS)
      throw new RangeError(`no ${days} working days within ${MAX_SPAN_DAYS} days of ${startIso}`);
    if (working(day)) left -= 1;
  }
  return fromDayNumber(day);
}

/**
 * Working days after `fromIso` up to and including `toIso`, the inverse of addWorkingDays:
 * `workingDaysBetween(a, addWorkingDays(a, n)) === n`. Negative when `toIso` is earlier.
 */
export function workingDaysBetween(
  fromIso: string,
  toIso: string,
  holidays: readonly string[],
  workdays: readonly string[] = [],
): number {
  const working = calendar(holidays, workdays);
  const from = toDayNumber(fromIso, 'from');
  const to = toDayNumber(toIso, 'to');
  const [lo, hi, sign] = from <= to ? [from, to, 1] : [to, from, -1];
  if (hi - lo > MAX_SPAN_DAYS) throw new RangeError(`span over ${MAX_SPAN_DAYS} days`);
  let count = 0;
  for (let day = lo + 1; day <= hi; day++) if (working(day)) count += 1;
  return sign * count;
}
