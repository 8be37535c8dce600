/**
 * Webhook signatures: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 *
 * The timestamp is signed with the body so a captured delivery cannot be replayed later; the
 * receiver rejects signatures outside a tolerance window. Several `v1=` entries may appear (a
 * sender rotating secrets signs with both); any match is accepted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SIGNATURE_HEADER = 'X-Billing-Signature';

function digest(secret: string, rawBody: string | Buffer, timestampSeconds: number): Buffer {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest();
}

export function signWebhook(secret: string, rawBody: string | Buffer, timestampSeconds: number): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError(`timestamp must be whole seconds, got ${timestampSeconds}`);
  }
  return `t=${timestampSeconds},v1=${digest(secret, rawBody, timestampSeconds).toString('hex')}`;
}

export function verifyWebhookSignature(
  secret: string,
  header: string | undefined | null,
  rawBody: string | Buffer,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const candidates: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return false;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      // A second timestamp makes the header ambiguous: refuse rather than pick one.
      if (timestamp !== undefined || !/^\d{1,15}$/.test(value)) return false;
      timestamp = Number(value);
    } else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) {
      candidates.push(Buffer.from(value, 'hex'));
    }
    // Other schemes are ignored so the format can grow without breaking receivers.
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = digest(secret, rawBody, timestamp);
  // Compare every candidate so the time taken does not reveal which one matched.
  let ok = false;
  for (const candidate of candidates) {
    if (timingSafeEqual(candidate, expected)) ok = true;
  }
  return ok;
}
