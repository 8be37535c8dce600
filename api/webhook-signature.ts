/**
 * Verifies billing webhook signatures as the README documents them ("Billing webhooks"):
 * header `X-Billing-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`,
 * accepted within 5 minutes of the timestamp, either way. Several `v1=` values may appear (the
 * sender signs with old and new secret while rotating); any one matching is enough.
 *
 * The API's own implementation of the scheme: billing's signer is another party's code.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const BILLING_SIGNATURE_HEADER = 'X-Billing-Signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureVerdict =
  { ok: true; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export function verifyBillingSignature(
  secret: string,
  header: string | undefined,
  rawBody: Buffer,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureVerdict {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const match = /^\s*(?<key>[A-Za-z0-9]+)=(?<value>.*?)\s*$/.exec(part)?.groups;
    const key = match?.key;
    const value = match?.value;
    if (key === undefined || value === undefined) return { ok: false, reason: 'malformed' };
    if (key === 't') {
      // Two timestamps would leave the signed one ambiguous.
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return { ok: false, reason: 'malformed' };
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return { ok: false, reason: 'malformed' };
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Other keys are other schemes: ignored, so the sender can add one without breaking us.
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: 'stale' };
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  // Every candidate is compared, so timing does not tell which one matched.
  let matched = false;
  for (const signature of signatures) matched = timingSafeEqual(signature, expected) || matched;
  return matched ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
