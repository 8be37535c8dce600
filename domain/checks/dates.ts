// Calendar-date helpers on ISO `YYYY-MM-DD` strings. Pure on purpose: they run
// inside workflow code, where "today" is always passed in, never read from a clock.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isValidDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** Parses `YYYY-MM-DD`; null when malformed or not a real calendar date (e.g. 2023-02-29). */
export function parseIsoDate(value: string): DateParts | null {
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return isValidDate(year, month, day) ? { year, month, day } : null;
}

export function isValidIsoDate(value: string): boolean {
  return parseIsoDate(value) !== null;
}

export function formatIsoDate({ year, month, day }: DateParts): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Same month and day `years` later; 29 Feb lands on 28 Feb in a non-leap year
 * (never rolls over into March).
 */
export function addYears(value: string, years: number): string {
  const parts = requireIsoDate(value);
  const year = parts.year + years;
  const day = Math.min(parts.day, daysInMonth(year, parts.month));
  return formatIsoDate({ year, month: parts.month, day });
}

/** -1, 0 or 1. Zero-padded ISO dates order correctly as strings. */
export function compareIsoDates(a: string, b: string): -1 | 0 | 1 {
  requireIsoDate(a);
  requireIsoDate(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function requireIsoDate(value: string): DateParts {
  const parts = parseIsoDate(value);
  if (!parts) throw new RangeError(`not a valid ISO date (YYYY-MM-DD): ${JSON.stringify(value)}`);
  return parts;
}
