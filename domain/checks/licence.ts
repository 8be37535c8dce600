import type { CheckFailure } from './index';
import { addYears, compareIsoDates, isValidIsoDate } from './dates';

/** How long a long-term (长期) licence is treated as valid for, from its start date. */
export const LONG_TERM_LICENCE_YEARS = 10;

/**
 * End of a business licence's validity. A long-term licence (no end date) is
 * recorded as validFrom + 10 years so every licence has a date to re-review against.
 */
export function licenceEffectiveEnd(validFrom: string, validTo: string | null): string {
  return validTo ?? addYears(validFrom, LONG_TERM_LICENCE_YEARS);
}

/**
 * Checks a business licence's validity period against `today` (ISO YYYY-MM-DD,
 * supplied by the caller). The licence is valid on both its first and last day.
 */
export function checkLicence(validFrom: string, validTo: string | null, today: string): CheckFailure[] {
  if (!isValidIsoDate(today)) {
    throw new RangeError(`today must be an ISO date (YYYY-MM-DD), got ${JSON.stringify(today)}`);
  }
  if (!isValidIsoDate(validFrom)) {
    return [{ code: 'licence-dates', message: `valid-from ${JSON.stringify(validFrom)} is not a valid date` }];
  }
  if (validTo !== null && !isValidIsoDate(validTo)) {
    return [{ code: 'licence-dates', message: `valid-to ${JSON.stringify(validTo)} is not a valid date` }];
  }
  if (validTo !== null && compareIsoDates(validFrom, validTo) > 0) {
    return [{ code: 'licence-dates', message: `valid-from ${validFrom} is after valid-to ${validTo}` }];
  }

  const failures: CheckFailure[] = [];
  if (compareIsoDates(validFrom, today) > 0) {
    failures.push({ code: 'licence-not-started', message: `licence is not valid until ${validFrom}` });
  }
  const end = licenceEffectiveEnd(validFrom, validTo);
  if (compareIsoDates(end, today) < 0) {
    const longTerm = validTo === null ? ` (long-term licence, counted as ${LONG_TERM_LICENCE_YEARS} years)` : '';
    failures.push({ code: 'licence-expired', message: `licence expired on ${end}${longTerm}` });
  }
  return failures;
}
