/** Passwords for registration-mode accounts, and what is kept of them. */
import { randomInt, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { ha1, ha1b } from '../sip/digest';

// Letters and digits only: gateways' configuration screens and XML files take them as they are.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 24 characters from 57: about 140 bits, from the system's CSPRNG. */
export function generateSipPassword(length = 24): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** What an SBC with digest authentication stores (Kamailio's subscriber.ha1 / ha1b). */
export function sipDigests(username: string, realm: string, password: string): { ha1: string; ha1b: string } {
  return { ha1: ha1(username, realm, password), ha1b: ha1b(username, realm, realm, password) };
}

/** A salted scrypt hash, for records that only need to recognise the password later. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  return timingSafeEqual(scryptSync(password, Buffer.from(salt, 'base64'), expected.length), expected);
}
