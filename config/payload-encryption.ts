/**
 * Encryption of every Temporal payload the product writes (workflow inputs and results, activity
 * arguments and results, signals, updates, queries, memos, failures' details): AES-256-GCM with a
 * fresh 96-bit nonce per payload and the key's id in the payload's metadata, so the Temporal
 * database holds ciphertext only. Shared by the API's client, the worker and the codec endpoint
 * the Temporal UI decodes with (api/codec.ts).
 *
 * Keys come from configuration (PAYLOAD_KEYS or PAYLOAD_KEYS_FILE, one zod schema for both): the
 * first key encrypts, every listed key decrypts, so a rotation puts the new key first and keeps the
 * old ones until no history needs them. Payloads written before encryption (the recorded replay
 * histories, cases opened before it) carry no `binary/encrypted` encoding and pass decode
 * untouched.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import {
  defaultPayloadConverter,
  METADATA_ENCODING_KEY,
  type DataConverter,
  type Payload,
  type PayloadCodec,
} from '@temporalio/common';
import { ConfigError, payloadKeyListSchema, type Config, type PayloadKey } from './index';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

/** The codec: encode with the first key, decode with the key the payload names. */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  readonly encryptWith: string;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new RangeError('at least one payload key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    this.encryptWith = keys[0]!.id;
  }

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.byId.get(this.encryptWith)!;
    return payloads.map((payload) => {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      // The key id is bound to the ciphertext: a payload relabelled with another key fails.
      cipher.setAAD(utf8(this.encryptWith));
      const sealed = Buffer.concat([cipher.update(encodePayloadBytes(payload)), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: utf8(this.encryptWith),
        },
        data: Buffer.concat([nonce, sealed]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
      const key = keyId === undefined ? undefined : this.byId.get(keyId);
      if (!key) throw new PayloadDecryptionError(`no payload key "${keyId ?? '(none)'}" is configured`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < NONCE_BYTES + TAG_BYTES) throw new PayloadDecryptionError('encrypted payload too short');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
      decipher.setAAD(utf8(keyId!));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError(`payload does not decrypt with key "${keyId}"`);
      }
      return decodePayloadBytes(plain);
    });
  }
}

/**
 * A payload as bytes: the metadata and data of the protobuf message, framed by hand (4-byte
 * lengths), so the codec needs no protobuf classes and the format is stated here.
 */
function encodePayloadBytes(payload: Payload): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(payload.metadata ?? {});
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  parts.push(u32(entries.length));
  for (const [name, value] of entries) {
    const k = Buffer.from(name, 'utf8');
    const v = Buffer.from(value ?? new Uint8Array());
    parts.push(u32(k.length), k, u32(v.length), v);
  }
  const data = Buffer.from(payload.data ?? new Uint8Array());
  parts.push(u32(data.length), data);
  return Buffer.concat(parts);
}

function decodePayloadBytes(bytes: Buffer): Payload {
  let at = 0;
  const take = (n: number) => {
    if (at + n > bytes.length) throw new PayloadDecryptionError('decrypted payload is malformed');
    const b = bytes.subarray(at, at + n);
    at += n;
    return b;
  };
  const u32 = () => take(4).readUInt32BE();
  const metadata: Record<string, Uint8Array> = {};
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = take(u32()).toString('utf8');
    metadata[name] = new Uint8Array(take(u32()));
  }
  const data = new Uint8Array(take(u32()));
  return { metadata, data };
}

/** A new random 256-bit key, base64. */
export function generatePayloadKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * The keys the configuration names: PAYLOAD_KEYS itself, else the file's contents (read now, so
 * a missing or bad file stops the process at start). In development and tests a missing default
 * file is created with one new key (by whichever process comes first).
 */
export function loadPayloadKeys(config: Config): PayloadKey[] {
  const { keys, keysFile, generateIfMissing } = config.payloadEncryption;
  if (keys) return keys;
  // Checked here, in the processes that hold Temporal payloads (API, worker), not in the sandboxes.
  if (!keysFile)
    throw new ConfigError([
      {
        path: 'PAYLOAD_KEYS_FILE',
        message: 'required in production (or PAYLOAD_KEYS): the keys that encrypt workflow payloads',
      },
    ]);
  if (generateIfMissing) ensurePayloadKeysFile(keysFile);
  let raw: string;
  try {
    raw = readFileSync(keysFile, 'utf8');
  } catch (err) {
    throw new ConfigError([
      {
        path: 'PAYLOAD_KEYS_FILE',
        message: `cannot read ${keysFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      },
    ]);
  }
  const parsed = payloadKeyListSchema.safeParse(raw.trim());
  if (!parsed.success)
    // Never quote the file: it holds the keys.
    throw new ConfigError(parsed.error.issues.map((i) => ({ path: 'PAYLOAD_KEYS_FILE', message: i.message })));
  return parsed.data;
}

/** Writes `file` with one new development key unless it exists; atomic, so concurrent starts agree on one key. */
export function ensurePayloadKeysFile(file: string): boolean {
  mkdirSync(path.dirname(file), { recursive: true });
  const staging = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const fd = openSync(staging, 'wx', 0o600);
  try {
    writeSync(fd, `dev-${new Date().toISOString().slice(0, 10)}=${generatePayloadKey()}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(staging, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(staging, { force: true });
  }
}

/** The codec of this deployment's keys. */
export function payloadCodec(config: Config): EncryptionCodec {
  return new EncryptionCodec(loadPayloadKeys(config));
}

/** The data converter every client and worker of the product uses. */
export function productDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec] };
}

/**
 * A value from a payload read straight out of a history (`fetchHistory` gives payloads as stored):
 * decoded with the client's codecs, then converted.
 */
export async function fromHistoryPayload<T>(client: Client, payload: Payload): Promise<T> {
  let decoded = [payload];
  for (const codec of [...client.options.loadedDataConverter.payloadCodecs].reverse())
    decoded = await codec.decode(decoded);
  return defaultPayloadConverter.fromPayload<T>(decoded[0]!);
}
