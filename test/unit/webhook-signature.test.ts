/**
 * The API's billing signature check against vectors computed outside this code base:
 *   printf '%s' "1764547200.$BODY" | openssl dgst -sha256 -hmac "$SECRET"
 * so the scheme is checked against the README, not against the billing sandbox's own signer.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { TokenRegistry } from '../../api/auth';
import { BILLING_SIGNATURE_HEADER, verifyBillingSignature } from '../../api/webhook-signature';
import { loadConfig } from '../../config';

const SECRET = 'whsec-fixed-vector-0123456789';
const ROTATED_SECRET = 'rotated-secret-abcdefghijklmn';
const T = 1764547200; // 2025-12-01T00:00:00Z
const BODY = '{"id":"evt_fixed_1","type":"order.paid","resource":{"id":"ord_7","reference":"purchase-ent-1-a"}}';
// openssl dgst -sha256 -hmac 'whsec-fixed-vector-0123456789' of "1764547200.<BODY>"
const V1 = '6b283cf317737836631d83f69d8a7a1c68fe802c825c5d20845c91d481124b20';
// the same with 'rotated-secret-abcdefghijklmn'
const V1_ROTATED = '57ca77a08081389125a50e1a4eddddcc247e9fd93c2d7560d8f74ff88411adf0';
// openssl dgst -sha256 -hmac 'whsec-fixed-vector-0123456789' of "1764547200." (empty body)
const V1_EMPTY = '4ce11db58e8b1f46dea7f3eaad0882d9b3e8183f09461079a83128a450455406';

const body = Buffer.from(BODY, 'utf8');
const verify = (header: string | undefined, options: { secret?: string; raw?: Buffer; now?: number } = {}) =>
  verifyBillingSignature(options.secret ?? SECRET, header, options.raw ?? body, options.now ?? T);

describe('billing webhook signature (README scheme, fixed vectors)', () => {
  it('accepts the hand-computed signature', () => {
    expect(verify(`t=${T},v1=${V1}`)).toEqual({ ok: true, timestamp: T });
    expect(verify(`t=${T},v1=${V1.toUpperCase()}`).ok).toBe(true);
    expect(verify(` t=${T} , v1=${V1} `).ok).toBe(true);
    expect(verify(`t=${T},v1=${V1_EMPTY}`, { raw: Buffer.alloc(0) }).ok).toBe(true);
  });

  it('refuses a tampered body, a wrong secret and a signature for another timestamp', () => {
    expect(verify(`t=${T},v1=${V1}`, { raw: Buffer.from(BODY.replace('ord_7', 'ord_8')) })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verify(`t=${T},v1=${V1}`, { raw: Buffer.from(`${BODY} `) }).ok).toBe(false);
    expect(verify(`t=${T},v1=${V1}`, { secret: ROTATED_SECRET })).toEqual({ ok: false, reason: 'mismatch' });
    // The timestamp is part of what is signed: moving it breaks the signature.
    expect(verify(`t=${T + 1},v1=${V1}`)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('accepts 5 minutes either way and no more', () => {
    expect(verify(`t=${T},v1=${V1}`, { now: T + 300 }).ok).toBe(true);
    expect(verify(`t=${T},v1=${V1}`, { now: T - 300 }).ok).toBe(true);
    expect(verify(`t=${T},v1=${V1}`, { now: T + 301 })).toEqual({ ok: false, reason: 'stale' });
    // A timestamp from the future is refused as well (a signer's clock, or a forged header).
    expect(verify(`t=${T},v1=${V1}`, { now: T - 301 })).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a missing or malformed header', () => {
    expect(verify(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(verify('')).toEqual({ ok: false, reason: 'missing' });
    for (const header of [
      `v1=${V1}`, // no timestamp
      `t=${T}`, // no signature
      `t=${T},t=${T},v1=${V1}`, // two timestamps
      `t=${T}.5,v1=${V1}`,
      `t=-${T},v1=${V1}`,
      `t=${T},v1=${V1.slice(0, 63)}`,
      `t=${T},v1=${V1}zz`,
      `t=${T};v1=${V1}`,
      `${V1}`,
    ]) {
      expect(verify(header), header).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('takes any one of several v1 values (secret rotation) and ignores other schemes', () => {
    const wrong = 'f'.repeat(64);
    expect(verify(`t=${T},v1=${wrong},v1=${V1}`).ok).toBe(true);
    expect(verify(`t=${T},v1=${V1_ROTATED},v1=${V1}`).ok).toBe(true);
    expect(verify(`t=${T},v1=${V1_ROTATED},v1=${V1}`, { secret: ROTATED_SECRET }).ok).toBe(true);
    expect(verify(`t=${T},v1=${wrong},v1=${'0'.repeat(64)}`)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify(`t=${T},v0=abc,v2=${wrong},v1=${V1}`).ok).toBe(true);
    // Another scheme alone is not a signature this receiver can check.
    expect(verify(`t=${T},v2=${V1}`)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('POST /v1/webhooks/billing verifies with the API module', () => {
  const config = loadConfig({
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'webhook-sig-')),
    BILLING_WEBHOOK_SECRET: SECRET,
  });
  // Nothing here reaches Temporal: refused requests stop at the signature, the accepted one at the schema.
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 200 });
  const app = createApp({
    config,
    client: new Client({ connection }),
    tokens: new TokenRegistry([]),
    now: () => T * 1000,
  });
  afterAll(() => connection.close());
  const post = (raw: string, header?: string) => {
    const req = request(app).post('/v1/webhooks/billing').set('content-type', 'application/json');
    return (header === undefined ? req : req.set(BILLING_SIGNATURE_HEADER, header)).send(raw);
  };

  it('lets a correctly signed body through to validation, and refuses the rest with 401', async () => {
    // BODY carries no `data`: past the signature, the schema answers 400, so the signature held.
    const accepted = await post(BODY, `t=${T},v1=${V1}`);
    expect(accepted.status).toBe(400);
    expect(accepted.body.errors.map((e: { path: string }) => e.path)).toContain('data');

    for (const [raw, header] of [
      [BODY.replace('ord_7', 'ord_8'), `t=${T},v1=${V1}`],
      [BODY, `t=${T},v1=${V1_ROTATED}`],
      [BODY, `t=${T - 600},v1=${V1}`],
      [BODY, undefined],
    ] as const) {
      const res = await post(raw, header);
      expect(res.status, String(header)).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });
});
