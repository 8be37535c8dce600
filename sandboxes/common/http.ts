/**
 * The HTTP side every sandbox shares: the API key, JSON bodies, fault and latency switches, the
 * idempotency protocol for writes, the request log, problem answers, and the /_sandbox routes
 * that read and set the switches. A sandbox adds its own routes to `v1` and `control`, then calls
 * `finish()` to add the not-found and error answers.
 *
 * /v1 routes need `Authorization: Bearer <api key>`; every write under /v1 needs an
 * `Idempotency-Key`, and its first response is stored and replayed for retries (the same key with
 * another body is a 409). Faults strike before any state is touched, so retrying a failed or
 * timed-out write with its key is safe.
 */
import { createHash, scryptSync, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { IdempotencyRecord, JsonFileStore, ProtocolData, RequestLogEntry } from './json-store';
import { PROBLEM_CONTENT_TYPE, ProblemError, parseOrThrow } from './problem';

export interface Faults {
  /** Added to every /v1 request. */
  latencyMs: number;
  /** Share of /v1 requests answered 503 without doing anything. */
  failureRate: number;
  /** Share of /v1 requests held without an answer (until the client gives up). */
  timeoutRate: number;
}

/** What every sandbox is made with; a sandbox adds its own options. */
export interface SandboxOptions<S> {
  /** An opened store, or the file to open one from. */
  store?: S;
  dataFile?: string;
  apiKey: string;
  latencyMs?: number;
  failureRate?: number;
  timeoutRate?: number;
  /** Uniform in [0, 1); decides faults. */
  random?: () => number;
  now?: () => Date;
  /** How long a simulated timeout holds a request before answering 504. */
  timeoutHoldMs?: number;
  bodyLimit?: string;
  /** Mount the /_sandbox routes (default true); they rewrite faults, so production leaves them out. */
  controlRoutes?: boolean;
}

/** The switches every sandbox has; a sandbox may add its own (all rates, 0 to 1). */
export const faultSwitchesShape = {
  latencyMs: z.int().min(0).max(600_000).optional(),
  failureRate: z.number().min(0).max(1).optional(),
  timeoutRate: z.number().min(0).max(1).optional(),
};

/** A sandbox's switches, set only through a schema that lists every one of them. */
export class FaultSwitches<F extends Faults> {
  private current: F;

  constructor(
    private readonly schema: z.ZodType<Partial<F>>,
    initial: F,
  ) {
    this.current = { ...initial };
  }

  get(): F {
    return { ...this.current };
  }

  /** Changes some switches; invalid values throw a 400 ProblemError and change nothing. */
  set(patch: unknown): F {
    const parsed = parseOrThrow(this.schema, patch ?? {});
    // Absent and undefined both mean "leave as is".
    const changes = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
    this.current = { ...this.current, ...changes };
    return this.get();
  }
}

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

export interface RespondOptions {
  contentType?: string;
  headers?: Record<string, string>;
  replayed?: boolean;
  fault?: RequestLogEntry['fault'];
  /** False when the request is already in the log (a timeout answered late). */
  log?: boolean;
}

export interface SandboxHttpOptions<D extends ProtocolData, Tx extends WriteTx<D>> {
  /** Names the sandbox in its realm and error messages, e.g. `billing`. */
  name: string;
  apiKey: string;
  store: JsonFileStore<D, RequestLogEntry>;
  faults: FaultSwitches<Faults>;
  /** Applies one change to the store; a write's handler and its stored answer share it. */
  commit<T>(change: (tx: Tx) => T): Promise<T>;
  clock: () => Date;
  /** Uniform in [0, 1); decides faults. */
  random: () => number;
  /** How long a simulated timeout holds a request before answering 504. */
  timeoutHoldMs?: number;
  bodyLimit?: string;
  /** Mount the /_sandbox routes; they rewrite faults, so production leaves them out. */
  controlRoutes: boolean;
  /** POSTs under /v1 that change nothing, kept out of the request log. */
  readOnlyPost?: (path: string) => boolean;
  /** Salt for `secretFields`, kept with the sandbox's state. */
  secretSalt?: () => string;
}

export interface SandboxHttp<Tx> {
  app: express.Express;
  /** Under /v1: authenticated, JSON, with faults. */
  v1: express.Router;
  /** Under /_sandbox: JSON; already serves `faults` and `requests`. */
  control: express.Router;
  jsonBody: RequestHandler;
  respond(req: Request, res: Response, status: number, body: unknown, opts?: RespondOptions): void;
  respondProblem(req: Request, res: Response, problem: ProblemError, opts?: RespondOptions): void;
  /** Wraps a write in the idempotency protocol. */
  idempotentWrite<S extends z.ZodType>(
    schema: S,
    handler: WriteHandler<Tx, z.output<S>>,
    writeOptions?: WriteOptions,
  ): RequestHandler;
  /** Adds the not-found and error answers; call once every route is added. */
  finish(): void;
  /** Drops requests held by simulated timeouts. */
  releaseHeld(): void;
}

const JSON_CONTENT_TYPE = 'application/json';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const DEFAULT_TIMEOUT_HOLD_MS = 30_000;

const requestsQuerySchema = z.strictObject({
  path: z.string().optional(),
  method: z.string().optional(),
});

export function createSandboxHttp<D extends ProtocolData, Tx extends WriteTx<D>>(
  options: SandboxHttpOptions<D, Tx>,
): SandboxHttp<Tx> {
  const { name, store, faults, commit, clock, random } = options;
  const timeoutHoldMs = options.timeoutHoldMs ?? DEFAULT_TIMEOUT_HOLD_MS;
  if (!options.apiKey) throw new Error(`the ${name} sandbox needs an apiKey`);
  const apiKeyDigest = sha256(options.apiKey);
  /** Requests held by simulated timeouts, released on close. */
  const held = new Set<{ timer: NodeJS.Timeout; res: Response }>();

  function isLoggedWrite(req: Request): boolean {
    const path = pathOf(req);
    return WRITE_METHODS.has(req.method) && path.startsWith('/v1/') && !options.readOnlyPost?.(path);
  }

  function respond(req: Request, res: Response, status: number, body: unknown, opts: RespondOptions = {}): void {
    if (opts.log !== false && isLoggedWrite(req)) {
      store.logRequest({
        method: req.method,
        path: pathOf(req),
        idempotencyKey: req.get('idempotency-key') ?? null,
        status,
        replayed: opts.replayed ?? false,
        fault: opts.fault ?? null,
        at: clock().toISOString(),
      });
    }
    res.status(status).set(opts.headers ?? {});
    res.type(opts.contentType ?? JSON_CONTENT_TYPE).send(JSON.stringify(body));
  }

  function respondProblem(req: Request, res: Response, problem: ProblemError, opts: RespondOptions = {}): void {
    respond(req, res, problem.status, problem.toProblem(), {
      ...opts,
      contentType: PROBLEM_CONTENT_TYPE,
      headers: { ...problem.headers, ...opts.headers },
    });
  }

  const authenticate: RequestHandler = (req, _res, next) => {
    const match = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '');
    // Digests have equal length, so the comparison takes the same time whatever was sent.
    if (!match?.[1] || !timingSafeEqual(sha256(match[1]), apiKeyDigest)) {
      throw new ProblemError(
        401,
        'unauthorized',
        'Unauthorized',
        'send the API key as "Authorization: Bearer <api key>"',
        undefined,
        { 'WWW-Authenticate': `Bearer realm="${name}"` },
      );
    }
    next();
  };

  const requireJson: RequestHandler = (req, _res, next) => {
    // `is` is false only when there is a body and it is not JSON; no body at all is fine, and so
    // is an empty one (fetch sends `Content-Length: 0` for a POST without a body).
    if (req.get('content-length') !== '0' && req.is(['application/json', 'application/*+json']) === false) {
      throw new ProblemError(
        415,
        'unsupported-media-type',
        'Unsupported media type',
        'send request bodies as application/json',
      );
    }
    next();
  };

  const injectFaults: RequestHandler = async (req, res, next) => {
    const { latencyMs } = faults.get();
    if (latencyMs > 0) await sleep(latencyMs);
    // Decided after the delay: an outage that begins while a request is in flight fails it.
    const { failureRate, timeoutRate } = faults.get();
    // One draw decides both faults, so their rates add up rather than overlap.
    const roll = random();
    if (roll < failureRate) {
      respondProblem(
        req,
        res,
        new ProblemError(
          503,
          'service-unavailable',
          'Service unavailable',
          'simulated outage: nothing was changed; retry with the same Idempotency-Key',
        ),
        { fault: 'failure', headers: { 'Retry-After': '1' } },
      );
      return;
    }
    if (roll < failureRate + timeoutRate) {
      hold(req, res);
      return;
    }
    next();
  };

  function hold(req: Request, res: Response): void {
    if (isLoggedWrite(req)) {
      store.logRequest({
        method: req.method,
        path: pathOf(req),
        idempotencyKey: req.get('idempotency-key') ?? null,
        status: null,
        replayed: false,
        fault: 'timeout',
        at: clock().toISOString(),
      });
    }
    const entry = {
      res,
      timer: setTimeout(() => {
        held.delete(entry);
        const problem = new ProblemError(
          504,
          'gateway-timeout',
          'Gateway timeout',
          'simulated timeout: nothing was changed; retry with the same Idempotency-Key',
        );
        respondProblem(req, res, problem, { log: false });
      }, timeoutHoldMs),
    };
    held.add(entry);
    // The client gave up: nothing more to answer.
    res.on('close', () => {
      clearTimeout(entry.timer);
      held.delete(entry);
    });
  }

  /** The body as fingerprinted: secret fields replaced by a salted hash of them. */
  function fingerprintBody(body: unknown, secretFields: readonly string[]): unknown {
    if (!secretFields.length || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
    if (!options.secretSalt) throw new Error(`the ${name} sandbox has no salt for secret fields`);
    const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    for (const field of secretFields) {
      const value = copy[field];
      if (typeof value === 'string')
        copy[field] = `scrypt:${scryptSync(value, options.secretSalt(), 32).toString('base64')}`;
    }
    return copy;
  }

  /**
   * From the record lookup to storing the new record nothing awaits, so two requests with one key
   * cannot both execute.
   */
  function idempotentWrite<S extends z.ZodType>(
    schema: S,
    handler: WriteHandler<Tx, z.output<S>>,
    writeOptions: WriteOptions = {},
  ): RequestHandler {
    return async (req, res) => {
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
        respond(req, res, prior.status, prior.body, {
          contentType: prior.contentType,
          headers: { 'Idempotent-Replayed': 'true' },
          replayed: true,
        });
        return;
      }

      // Invalid requests are refused without a record: the client may fix the body and reuse the key.
      const input = parseOrThrow(schema, req.body ?? {});
      const outcome = await commit((tx): { record: IdempotencyRecord } | { unremembered: ProblemError } => {
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
        const stored: IdempotencyRecord = { key, method, path, fingerprint, ...answer, createdAt: tx.now };
        tx.data.idempotency[key] = stored;
        return { record: stored };
      });
      if ('unremembered' in outcome) {
        respondProblem(req, res, outcome.unremembered);
        return;
      }
      respond(req, res, outcome.record.status, outcome.record.body, { contentType: outcome.record.contentType });
    };
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const jsonBody = express.json({
    limit: options.bodyLimit ?? '100kb',
    type: ['application/json', 'application/*+json'],
  });

  const control = express.Router();
  control.use(requireJson, jsonBody);
  control.get('/faults', (req, res) => {
    respond(req, res, 200, faults.get());
  });
  control.put('/faults', (req, res) => {
    respond(req, res, 200, faults.set(req.body));
  });
  control.get('/requests', (req, res) => {
    const query = parseOrThrow(requestsQuerySchema, req.query, 'query');
    const method = query.method?.toUpperCase();
    const requests = store.data.requests.filter(
      (entry) =>
        (query.path === undefined || entry.path === query.path) && (method === undefined || entry.method === method),
    );
    respond(req, res, 200, { count: requests.length, requests });
  });
  if (options.controlRoutes) app.use('/_sandbox', control);

  const v1 = express.Router();
  v1.use(authenticate, requireJson, jsonBody, injectFaults);
  app.use('/v1', v1);

  function finish(): void {
    app.use((req, res) => {
      respondProblem(
        req,
        res,
        new ProblemError(404, 'not-found', 'Not found', `no route ${req.method} ${pathOf(req)}`),
      );
    });
    app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      const problem = asProblem(error, name);
      if (problem.status >= 500) console.error(`${name} sandbox: unexpected error:`, error);
      respondProblem(req, res, problem);
    });
  }

  function releaseHeld(): void {
    for (const entry of held) {
      clearTimeout(entry.timer);
      entry.res.destroy();
    }
    held.clear();
  }

  return { app, v1, control, jsonBody, respond, respondProblem, idempotentWrite, finish, releaseHeld };
}

/** A route's parameter, or '' when absent. */
export function param(params: Request['params'], name: string): string {
  const value = params[name];
  return typeof value === 'string' ? value : '';
}

export function pathOf(req: Request): string {
  return req.originalUrl.split('?', 1)[0] ?? '/';
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sha256(value: string): Buffer {
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

/** Body-parser errors carry a 4xx `status` and `type`; anything else is our fault. */
function asProblem(error: unknown, name: string): ProblemError {
  if (error instanceof ProblemError) return error;
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (type === 'entity.parse.failed')
      return new ProblemError(400, 'malformed-json', 'Malformed JSON', 'the request body is not valid JSON');
    if (type === 'entity.too.large')
      return new ProblemError(413, 'body-too-large', 'Body too large', 'the request body is larger than allowed');
    return new ProblemError(
      status,
      'bad-request',
      'Bad request',
      error instanceof Error ? error.message : 'the request could not be read',
    );
  }
  return new ProblemError(500, 'internal-error', 'Internal error', `the ${name} sandbox failed unexpectedly`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
