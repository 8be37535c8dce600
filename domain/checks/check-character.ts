import type { CheckFailure } from './index';

/** The last character of an 18-character code disagrees with the one its first 17 compute to. */
export function checkCharacterFailure(code: string, what: string, expected: string, got: string): CheckFailure {
  return { code, message: `${what} should be ${expected}, got ${got}` };
}
