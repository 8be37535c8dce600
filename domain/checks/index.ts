/** A failed document check: a stable machine code plus a message a reviewer or applicant can read. */
export interface CheckFailure {
  code: string;
  message: string;
}

export { isValidIsoDate, addYears, compareIsoDates } from './dates';
export { USCC_CHARSET, checkUnifiedSocialCreditCode, usccCheckCharacter } from './unified-social-credit-code';
export { checkResidentId, residentIdCheckDigit } from './resident-id';
export { LONG_TERM_LICENCE_YEARS, checkLicence, licenceEffectiveEnd } from './licence';
export { SNIFF_BYTES, sniffContentType, type SniffedContentType } from './content-type';
