import type { CheckFailure } from './index';
import { checkCharacterFailure } from './check-character';

// GB 32100-2015 unified social credit code (统一社会信用代码), 18 characters:
//   1     registration authority code
//   2     entity category code
//   3-8   administrative division code (digits)
//   9-17  organisation identifier
//   18    check character
// The alphabet omits I, O, Z, S, V so they cannot be confused with 1, 0, 2, 5, U.
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

function charValue(char: string): number {
  const value = USCC_CHARSET.indexOf(char);
  if (value < 0 || char.length !== 1) {
    throw new RangeError(`not a unified social credit code character: ${JSON.stringify(char)}`);
  }
  return value;
}

/** Check character (position 18) for the first 17 characters of a code. */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17) {
    throw new RangeError(`expected 17 characters, got ${first17.length}`);
  }
  let sum = 0;
  WEIGHTS.forEach((weight, i) => {
    sum += charValue(first17.charAt(i)) * weight;
  });
  return USCC_CHARSET.charAt((31 - (sum % 31)) % 31);
}

export function checkUnifiedSocialCreditCode(code: string): CheckFailure | null {
  if (code.length !== 18) {
    return {
      code: 'uscc-length',
      message: `unified social credit code must be 18 characters, got ${code.length}`,
    };
  }
  for (let i = 0; i < code.length; i++) {
    const char = code.charAt(i);
    if (!USCC_CHARSET.includes(char)) {
      return {
        code: 'uscc-charset',
        message: `invalid character ${JSON.stringify(char)} at position ${i + 1}; allowed are digits and upper-case letters except I, O, Z, S, V`,
      };
    }
  }
  // Positions 3-8 are the administrative division code, always numeric.
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    return {
      code: 'uscc-charset',
      message: 'positions 3-8 (administrative division code) must be digits',
    };
  }
  const expected = usccCheckCharacter(code.slice(0, 17));
  if (code.charAt(17) !== expected)
    return checkCharacterFailure('uscc-check-character', 'check character', expected, code.charAt(17));
  return null;
}
