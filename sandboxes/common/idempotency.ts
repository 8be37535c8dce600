/**
 * The idempotency protocol for writes: every write under /v1 needs an `Idempotency-Key`; its
 * first response is stored and replayed for retries, and the same key with another body is a 409.
 * Invalid bodies are refused without a record, so the client may fix the body and reuse the key.
 */
import { createHash, scryptSync } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import type { IdempotencyRecord, ProtocolData } from './json-store';
import { PROBLEM_CONTENT_TYPE, ProblemError, parseOrThrow } from './problem';
import { JSON_CONTENT_TYPE, pathOf, type Responder } from './respond';

export interface WriteTx<D extends ProtocolData> {
  data: D;
  now: string;
}

export interface Result<T> {
  status: number;
  body: T;
}

/**
 * Runs synchronously against the store: it must check everything before changing anything,
 * and throw a ProblemError (4xx) for a refusal, which is then stored like any other answer
 * (unless the problem says it is not to be remembered).
 */
export type WriteHandler<Tx, I> = (context: Tx & { input: I; params: Request['params'] }) => Result<unknown>;

export interface WriteOptions {
  /** Top-level body fields hashed (salted scrypt) before fingerprinting, so the file never holds them. */
  secretFields?: readonly string[];
}

export type IdempotentWrite<Tx> = <S extends z.ZodType>(
  schema: S,
  handler: WriteHandler<Tx, z.output<S>>,
  writeOptions?: WriteOptions,
) => RequestHandler;

const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

type Outcome = { record: IdempotencyRecord } | { unremembered: ProblemError };

export function idempotentWrites<D extends ProtocolData, Tx extends WriteTx<D>>(options: {
  name: string;
  store: { data: D };
  /** Applies one change to the store; a write's handler and its stored answer share it. */
  commit<T>(change: (tx: Tx) => T): Promise<T>;
  responder: Responder;
  /** Salt for `secretFields`, kept with the sandbox's state. */
  secretSalt?: () => string;
}): IdempotentWrite<Tx> {
  const { store, commit, responder } = options;

  /** The body as fingerprinted: secret fields replaced by a salted hash of them. */
  function fingerprintBody(body: unknown, secretFields: readonly string[]): unknown {
    if (!secretFields.length || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
    if (!options.secretSalt) throw new Error(`the ${options.name} sandbox has no salt for secret fields`);
    const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    for (const field of secretFields) {
      const value = copy[field];
      if (typeof value === 'string')
        copy[field] = `scrypt:${scryptSync(value, options.secretSalt(), 32).toString('base64')}`;
    }
    return copy;
  }

  /** Runs the handler and stores its answer, unless it is a refusal not to be remembered. */
  function execute<I>(
    tx: Tx,
    handler: WriteHandler<Tx, I>,
    input: I,
    req: Request,
    record: Omit<IdempotencyRecord, 'status' | 'body' | 'contentType' | 'createdAt'>,
  ): Outcome {
    let answer: Result<unknown> & { contentType: string };
    try {
      const result = handler({ ...tx, input, params: req.params });
      // A copy: the stored answer must not follow later changes to the resource.
      answer = { status: result.status, body: structuredClone(result.body), contentType: JSON_CONTENT_TYPE };
    } catch (error) {
      if (!(error instanceof ProblemError) || error.status >= 500) throw error;
      if (!error.remembered) return { unremembered: error };
      answer = { status: error.status, body: error.toProblem(), contentType: PROBLEM_CONTENT_TYPE };
    }
    const stored: IdempotencyRecord = { ...record, ...answer, createdAt: tx.now };
    tx.data.idempotency[record.key] = stored;
    return { record: stored };
  }

  /**
   * From the record lookup to storing the new record nothing awaits, so two requests with one key
   * cannot both execute.
   */
  return (schema, handler, writeOptions = {}) =>
    async (req, res) => {
      const key = idempotencyKeyOf(req);
      const method = req.method;
      const path = pathOf(req);
      const body = fingerprintBody(req.body, writeOptions.secretFields ?? []);
      const fingerprint = sha256(`${method} ${path}\n${canonicalJson(body)}`).toString('hex');

      const prior = store.data.idempotency[key];
      if (prior) {
        if (prior.fingerprint !== fingerprint) {
          throw new ProblemError(
            409,
            'idempotency-key-reused',
            'Idempotency-Key reused',
            `this Idempotency-Key was first used for ${prior.method} ${prior.path} with a different request; use a new key for a new operation`,
          );
        }
        responder.respond(req, res, prior.status, prior.body, {
          contentType: prior.contentType,
          headers: { 'Idempotent-Replayed': 'true' },
          replayed: true,
        });
        return;
      }

      // Invalid requests are refused without a record: the client may fix the body and reuse the key.
      const input = parseOrThrow(schema, req.body ?? {});
      const outcome = await commit((tx) => execute(tx, handler, input, req, { key, method, path, fingerprint }));
      if ('unremembered' in outcome) {
        responder.respondProblem(req, res, outcome.unremembered);
        return;
      }
      responder.respond(req, res, outcome.record.status, outcome.record.body, {
        contentType: outcome.record.contentType,
      });
    };
}

function idempotencyKeyOf(req: Request): string {
  const key = req.get('idempotency-key');
  if (key === undefined || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new ProblemError(
      400,
      'idempotency-key-required',
      'Idempotency-Key required',
      key === undefined
        ? 'every write needs an Idempotency-Key header, unique to the operation'
        : 'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces',
    );
  }
  return key;
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** JSON with object keys sorted, so key order does not make two equal bodies differ. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const fields = Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
