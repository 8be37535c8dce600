import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, payloadKeyListSchema } from '../../config';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  ensurePayloadKeysFile,
  generatePayloadKey,
  loadPayloadKeys,
  PayloadDecryptionError,
} from '../../config/payload-encryption';

const keys = (text: string) => payloadKeyListSchema.parse(text);
const k1 = `k1=${generatePayloadKey()}`;
const k2 = `k2=${generatePayloadKey()}`;
const application = { legalRepresentative: { name: '张三', idNumber: '11010519491231002X' }, phone: '13800138000' };
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

describe('payload encryption', () => {
  it('encrypts with the first key, names it, and leaves no plaintext', async () => {
    const codec = new EncryptionCodec(keys(`${k1},${k2}`));
    const plain = defaultPayloadConverter.toPayload(application);
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata![KEY_ID_METADATA])).toBe('k1');
    const bytes = Buffer.from(sealed!.data!);
    for (const value of ['张三', '11010519491231002X', '13800138000', 'json/plain'])
      expect(bytes.includes(Buffer.from(value))).toBe(false);
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(application);
    expect(text(opened!.metadata!.encoding)).toBe('json/plain');
    // A fresh nonce each time: the same value never gives the same ciphertext.
    const [again] = await codec.encode([plain]);
    expect(Buffer.from(again!.data!).equals(bytes)).toBe(false);
  });

  it('rotates: the new key encrypts, the old one still decrypts, a dropped one does not', async () => {
    const before = new EncryptionCodec(keys(k1));
    const [old] = await before.encode([defaultPayloadConverter.toPayload(application)]);
    const rotated = new EncryptionCodec(keys(`${k2},${k1}`));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toEqual(application);
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload(application)]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('k2');
    await expect(new EncryptionCodec(keys(k2)).decode([old!])).rejects.toThrow(/no payload key "k1"/);
  });

  it('passes payloads written before encryption through untouched', async () => {
    const plain = defaultPayloadConverter.toPayload(application);
    const [same] = await new EncryptionCodec(keys(k1)).decode([plain]);
    expect(same).toBe(plain);
  });

  it('refuses a tampered payload or one relabelled with another key', async () => {
    const codec = new EncryptionCodec(keys(`${k1},${k2}`));
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(application)]);
    const flipped = Buffer.from(sealed!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data: flipped }])).rejects.toThrow(PayloadDecryptionError);
    const relabelled = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(PayloadDecryptionError);
  });
});

describe('payload keys in configuration', () => {
  it('lists every bad key without quoting it', () => {
    const secret = Buffer.alloc(16, 7).toString('base64');
    try {
      loadConfig({ PAYLOAD_KEYS: `short=${secret},${k1},${k1},=abc` });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const messages = (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      expect(messages).toEqual([
        'PAYLOAD_KEYS: key "short": not 32 bytes of base64',
        'PAYLOAD_KEYS: key "k1": listed twice',
        'PAYLOAD_KEYS: key 4: not id=base64key (an id of letters, digits, . _ -)',
      ]);
      expect(JSON.stringify((err as ConfigError).issues)).not.toContain(secret);
    }
  });

  it('reads a keys file, newline-separated, and names the file when it is unusable', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'payload-keys-'));
    const file = path.join(dir, 'keys');
    writeFileSync(file, `${k2}\n${k1}\n`);
    const loaded = loadPayloadKeys(loadConfig({ APP_PROFILE: 'production', PAYLOAD_KEYS_FILE: file, ...PROD }));
    expect(loaded.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(() =>
      loadPayloadKeys(loadConfig({ APP_PROFILE: 'production', PAYLOAD_KEYS_FILE: `${file}.gone`, ...PROD })),
    ).toThrow(/PAYLOAD_KEYS_FILE: cannot read .*ENOENT/);
  });

  it('production names its keys: none is made for it, and the API and worker refuse to start without', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'payload-keys-'));
    const config = loadConfig({ APP_PROFILE: 'production', DATA_DIR: dir, ...PROD });
    expect(config.payloadEncryption).toEqual({ generateIfMissing: false });
    expect(() => loadPayloadKeys(config)).toThrow(/PAYLOAD_KEYS_FILE: required in production/);
    expect(() => statSync(path.join(dir, 'payload-keys'))).toThrow(/ENOENT/);
  });

  it('makes one development key in the data directory, once, readable by its owner only', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'payload-keys-'));
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.payloadEncryption).toEqual({ keysFile: path.join(dir, 'payload-keys'), generateIfMissing: true });
    const first = loadPayloadKeys(config);
    expect(first).toHaveLength(1);
    expect(ensurePayloadKeysFile(config.payloadEncryption.keysFile!)).toBe(false);
    expect(loadPayloadKeys(config)[0]!.key.equals(first[0]!.key)).toBe(true);
    expect(statSync(config.payloadEncryption.keysFile!).mode & 0o077).toBe(0);
    expect(readFileSync(config.payloadEncryption.keysFile!, 'utf8')).toMatch(/^dev-\d{4}-\d{2}-\d{2}=\S{44}\n$/);
  });
});

/** The rest of a production environment (production-config.test.ts checks each). */
const PROD: Record<string, string> = {
  API_TOKENS_FILE: '/run/config/tokens.json',
  API_PUBLIC_URL: 'https://onboarding.cc-provider.net',
  BILLING_API_KEY: 'bk_9d1f0c6e2a7b4e83b5c1',
  BILLING_WEBHOOK_SECRET: 'wh_3b8e5a0f7c2d9e14a6b2',
  CONTACT_CENTER_API_KEY: 'cc_0e4b7d2a9f1c5e8b3a6d',
  SIP_GATEWAY_MODE: 'manual',
};
