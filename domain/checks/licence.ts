import type { CheckFailure } from './index';
import { addYears, compareIsoDates, isValidIsoDate } from './dates';

/** The end date a long-term (长期) licence is entered with on the form: its start plus these years. */
export const LONG_TERM_LICENCE_YEARS = 10;

/**
 * The end date recorded for a business licence. A long-term licence (no end date) is entered as
 * validFrom + 10 years, because the form needs a date; that date is a placeholder, not an expiry.
 */
export function licenceEffectiveEnd(validFrom: string, validTo: string | null): string {
  return validTo ?? addYears(validFrom, LONG_TERM_LICENCE_YEARS);
}

/**
 * Checks a business licence's validity period against `today` (ISO YYYY-MM-DD,
 * supplied by the caller). A dated licence is valid on both its first and last day; a long-term
 * one from its first day on.
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
  // A long-term licence never expires, even past the start + 10 years it was entered with.
  if (validTo !== null && compareIsoDates(validTo, today) < 0) {
    failures.push({ code: 'licence-expired', message: `licence expired on ${validTo}` });
  }
  return failures;
}
