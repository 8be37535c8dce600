import type { CheckFailure } from './index';
import { checkCharacterFailure } from './check-character';
import { compareIsoDates, formatIsoDate, isValidDate, isValidIsoDate } from './dates';

// GB 11643-1999 citizen identity number, 18 characters:
//   1-6    administrative division of household registration
//   7-14   birth date YYYYMMDD
//   15-17  sequence code
//   18     check digit (0-9 or X, X standing for 10)

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_DIGITS = '10X98765432';
const EARLIEST_BIRTH_DATE = '1900-01-01';

/** Check digit (position 18) for the first 17 digits of an ID number. */
export function residentIdCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new RangeError('expected exactly 17 digits');
  }
  let sum = 0;
  WEIGHTS.forEach((weight, i) => {
    sum += Number(first17.charAt(i)) * weight;
  });
  return CHECK_DIGITS.charAt(sum % 11);
}

/**
 * Validates an 18-digit resident ID number. A lower-case `x` check digit is
 * accepted as `X` since applicants often type it that way.
 * `today` is an ISO date (YYYY-MM-DD) supplied by the caller.
 */
export function checkResidentId(id: string, today: string): CheckFailure | null {
  if (!isValidIsoDate(today)) {
    throw new RangeError(`today must be an ISO date (YYYY-MM-DD), got ${JSON.stringify(today)}`);
  }
  if (id.length !== 18) {
    return { code: 'id-length', message: `resident ID number must be 18 characters, got ${id.length}` };
  }
  const normalised = id.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(normalised)) {
    return {
      code: 'id-format',
      message: 'resident ID number must be 17 digits followed by a digit or X',
    };
  }

  const year = Number(normalised.slice(6, 10));
  const month = Number(normalised.slice(10, 12));
  const day = Number(normalised.slice(12, 14));
  if (!isValidDate(year, month, day)) {
    return {
      code: 'id-birth-date',
      message: `birth date ${normalised.slice(6, 14)} (positions 7-14) is not a real calendar date`,
    };
  }
  const birthDate = formatIsoDate({ year, month, day });
  if (compareIsoDates(birthDate, today) > 0) {
    return { code: 'id-birth-date', message: `birth date ${birthDate} is in the future` };
  }
  if (compareIsoDates(birthDate, EARLIEST_BIRTH_DATE) < 0) {
    return { code: 'id-birth-date', message: `birth date ${birthDate} is before ${EARLIEST_BIRTH_DATE}` };
  }

  const expected = residentIdCheckDigit(normalised.slice(0, 17));
  if (normalised.charAt(17) !== expected)
    return checkCharacterFailure('id-check-digit', 'check digit', expected, id.charAt(17));
  return null;
}
