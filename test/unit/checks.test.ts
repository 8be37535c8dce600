import { describe, it, expect } from 'vitest';
import {
  addYears,
  type CheckFailure,
  checkLicence,
  checkResidentId,
  checkUnifiedSocialCreditCode,
  compareIsoDates,
  isValidIsoDate,
  licenceEffectiveEnd,
  residentIdCheckDigit,
  sniffContentType,
  usccCheckCharacter,
} from '../../domain/checks';

const TODAY = '2024-06-01';

function withUsccCheck(first17: string): string {
  return first17 + usccCheckCharacter(first17);
}

function withIdCheck(first17: string): string {
  return first17 + residentIdCheckDigit(first17);
}

/** A check of an 18-character identifier whose last character is computed from the 17 before it. */
interface IdentifierCheck {
  check: (value: string) => CheckFailure | null;
  checkCharacter: (first17: string) => string;
  accepts: [label: string, value: string][];
  /** The first 17 characters of published examples, with their check character. */
  published: [first17: string, character: string][];
  rejects: [label: string, value: string, code: string][];
  /** A value with a wrong check character, and the character it should end with. */
  wrongCheck: [value: string, expected: string];
}

describe.each<[string, IdentifierCheck]>([
  [
    'checkUnifiedSocialCreditCode',
    {
      check: checkUnifiedSocialCreditCode,
      checkCharacter: usccCheckCharacter,
      accepts: [
        ['a published example', '91350100M000100Y43'],
        ['a published example ending in a letter', '91110108551385082Q'],
        ['built with the check-character function', withUsccCheck('12100000400000624')],
      ],
      published: [
        ['91350100M000100Y4', '3'],
        ['91110108551385082', 'Q'],
      ],
      rejects: [
        ['too short', '91350100M000100Y4', 'uscc-length'],
        ['too long', '91350100M000100Y433', 'uscc-length'],
        ['empty', '', 'uscc-length'],
        ['letter I', '91350100M000100YI3', 'uscc-charset'],
        ['letter O', '9135010OM000100Y43', 'uscc-charset'],
        ['letters Z, S, V', '91350100Z0S0V00Y43', 'uscc-charset'],
        ['lower case', '91350100m000100y43', 'uscc-charset'],
        ['letters in the division code', withUsccCheck('91AB0100M000100Y4'), 'uscc-charset'],
        ['wrong check character', '91350100M000100Y44', 'uscc-check-character'],
        ['transposed digits', '91110108553185082Q', 'uscc-check-character'],
      ],
      wrongCheck: ['91350100M000100Y44', '3'],
    },
  ],
  [
    'checkResidentId',
    {
      check: (id) => checkResidentId(id, TODAY),
      checkCharacter: residentIdCheckDigit,
      accepts: [
        ['published example', '11010519491231002X'],
        ['lower-case x', '11010519491231002x'],
        ['built with the check-digit function', withIdCheck('44030419900307123')],
        ['born on a leap day', withIdCheck('31010120000229456')],
        ['born today', withIdCheck('11010520240601001')],
        ['born on 1900-01-01', withIdCheck('11010519000101001')],
      ],
      published: [['11010519491231002', 'X']],
      rejects: [
        ['too short', '1101051949123100', 'id-length'],
        ['15-digit legacy number', '110105491231002', 'id-length'],
        ['letter check character', '11010519491231002A', 'id-format'],
        ['letter in the body', '1101051949A231002X', 'id-format'],
        ['31 February', withIdCheck('11010520000231123'), 'id-birth-date'],
        ['29 February in a non-leap year', withIdCheck('11010519010229123'), 'id-birth-date'],
        ['month 13', withIdCheck('11010519901301123'), 'id-birth-date'],
        ['future birth date', withIdCheck('11010520240602123'), 'id-birth-date'],
        ['born before 1900', withIdCheck('11010518991231123'), 'id-birth-date'],
        ['wrong check digit', '110105194912310021', 'id-check-digit'],
      ],
      wrongCheck: ['110105194912310021', 'X'],
    },
  ],
])('%s', (_name, id) => {
  it.each(id.accepts)('accepts %s', (_label, value) => {
    expect(id.check(value)).toBeNull();
  });

  it.each(id.published)('computes the published check character of %s: %s', (first17, character) => {
    expect(id.checkCharacter(first17)).toBe(character);
  });

  it.each(id.rejects)('rejects %s', (_label, value, code) => {
    expect(id.check(value)?.code).toBe(code);
  });

  it('names the expected check character', () => {
    const [value, expected] = id.wrongCheck;
    expect(id.check(value)?.message).toContain(`should be ${expected}`);
  });
});

describe('dates', () => {
  it.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2024-04-31', false],
    ['2024-13-01', false],
    ['2024-6-1', false],
    ['20240601', false],
  ])('isValidIsoDate(%s) is %s', (value, expected) => {
    expect(isValidIsoDate(value)).toBe(expected);
  });

  it('adds years, moving 29 February to 28 February', () => {
    expect(addYears('2020-05-10', 10)).toBe('2030-05-10');
    expect(addYears('2016-02-29', 10)).toBe('2026-02-28');
    expect(addYears('2016-02-29', 4)).toBe('2020-02-29');
  });

  it('compares dates', () => {
    expect(compareIsoDates('2024-01-31', '2024-02-01')).toBe(-1);
    expect(compareIsoDates('2024-02-01', '2024-02-01')).toBe(0);
    expect(compareIsoDates('2025-01-01', '2024-12-31')).toBe(1);
  });
});

describe('licence', () => {
  it('records a long-term licence with the end date its form takes: start + 10 years', () => {
    expect(licenceEffectiveEnd('2020-05-10', null)).toBe('2030-05-10');
    expect(licenceEffectiveEnd('2016-02-29', null)).toBe('2026-02-28');
  });

  it('keeps an explicit end date', () => {
    expect(licenceEffectiveEnd('2020-05-10', '2040-05-09')).toBe('2040-05-09');
  });

  it.each([
    ['a dated licence', '2020-01-01', '2030-12-31'],
    ['a long-term licence', '2020-01-01', null],
    ['a licence starting today', TODAY, '2030-12-31'],
    ['a licence ending today', '2014-06-02', TODAY],
    ['a long-term licence entered as ending today', '2014-06-01', null],
    ['a long-term licence past the 10 years it was entered with', '2014-05-31', null],
    ['a long-term licence from decades ago', '1993-03-15', null],
  ])('accepts %s', (_label, from, to) => {
    expect(checkLicence(from, to, TODAY)).toEqual([]);
  });

  it.each([
    ['from after to', '2024-01-02', '2024-01-01', ['licence-dates']],
    ['invalid from', '2023-02-29', '2030-01-01', ['licence-dates']],
    ['invalid to', '2020-01-01', '2030-02-30', ['licence-dates']],
    ['not yet started', '2024-06-02', '2034-06-01', ['licence-not-started']],
    ['expired', '2010-01-01', '2024-05-31', ['licence-expired']],
  ])('rejects %s', (_label, from, to, expected) => {
    expect(checkLicence(from, to, TODAY).map((f) => f.code)).toEqual(expected);
  });

  it('reports the end date of an expired dated licence', () => {
    expect(checkLicence('2012-02-29', '2022-02-28', TODAY)[0]?.message).toContain('2022-02-28');
  });

  it('still refuses a long-term licence that has not started', () => {
    expect(checkLicence('2024-06-02', null, TODAY).map((f) => f.code)).toEqual(['licence-not-started']);
  });
});

describe('sniffContentType', () => {
  const bytes = (...values: number[]) => new Uint8Array(values);
  const text = (value: string) => new TextEncoder().encode(value);

  it.each([
    ['PDF', text('%PDF-1.7\n%\u00e2\u00e3'), 'application/pdf'],
    ['JPEG', bytes(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46), 'image/jpeg'],
    ['PNG', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00), 'image/png'],
    ['text file', text('营业执照 business licence\n'), null],
    ['PDF-like text without the dash', text('%PDF'), null],
    ['truncated PNG header', bytes(0x89, 0x50, 0x4e, 0x47), null],
    ['empty file', bytes(), null],
  ])('%s -> %s', (_label, head, expected) => {
    expect(sniffContentType(head)).toBe(expected);
  });
});
