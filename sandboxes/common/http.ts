/**
 * The HTTP side every sandbox shares: the API key, JSON bodies, fault and latency switches
 * (`faults.ts`), the idempotency protocol for writes (`idempotency.ts`), the request log and
 * problem answers (`respond.ts`), and the /_sandbox routes that read and set the switches. A
 * sandbox adds its own routes to `v1` and `control`, then calls `finish()` to add the not-found
 * and error answers.
 *
 * /v1 routes need `Authorization: Bearer <api key>`; every write under /v1 needs an
 * `Idempotency-Key`, and its first response is stored and replayed for retries (the same key with
 * another body is a 409). Faults strike before any state is touched, so retrying a failed or
 * timed-out write with its key is safe.
 */
import { timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { type FaultSwitches, type Faults, injectFaults } from './faults';
import { type IdempotentWrite, type WriteTx, idempotentWrites, sha256 } from './idempotency';
import type { JsonFileStore, ProtocolData, RequestLogEntry } from './json-store';
import { ProblemError, parseOrThrow } from './problem';
import { type Responder, createResponder, notFoundAndErrorHandlers } from './respond';

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

export interface SandboxHttp<Tx> extends Responder {
  app: express.Express;
  /** Under /v1: authenticated, JSON, with faults. */
  v1: express.Router;
  /** Under /_sandbox: JSON; already serves `faults` and `requests`. */
  control: express.Router;
  jsonBody: RequestHandler;
  /** Wraps a write in the idempotency protocol. */
  idempotentWrite: IdempotentWrite<Tx>;
  /** Adds the not-found and error answers; call once every route is added. */
  finish(): void;
  /** Drops requests held by simulated timeouts. */
  releaseHeld(): void;
}

const requestsQuerySchema = z.strictObject({
  path: z.string().optional(),
  method: z.string().optional(),
});

export function createSandboxHttp<D extends ProtocolData, Tx extends WriteTx<D>>(
  options: SandboxHttpOptions<D, Tx>,
): SandboxHttp<Tx> {
  const { name, store, faults } = options;
  if (!options.apiKey) throw new Error(`the ${name} sandbox needs an apiKey`);
  const responder = createResponder(options);
  const faultInjection = injectFaults({ ...options, responder });
  const idempotentWrite = idempotentWrites<D, Tx>({ ...options, responder });

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
    responder.respond(req, res, 200, faults.get());
  });
  control.put('/faults', (req, res) => {
    responder.respond(req, res, 200, faults.set(req.body));
  });
  control.get('/requests', (req, res) => {
    const query = parseOrThrow(requestsQuerySchema, req.query, 'query');
    const method = query.method?.toUpperCase();
    const requests = store.data.requests.filter(
      (entry) =>
        (query.path === undefined || entry.path === query.path) && (method === undefined || entry.method === method),
    );
    responder.respond(req, res, 200, { count: requests.length, requests });
  });
  if (options.controlRoutes) app.use('/_sandbox', control);

  const v1 = express.Router();
  v1.use(authenticate(name, options.apiKey), requireJson, jsonBody, faultInjection.middleware);
  app.use('/v1', v1);

  return {
    app,
    v1,
    control,
    jsonBody,
    ...responder,
    idempotentWrite,
    finish: () => app.use(...notFoundAndErrorHandlers(name, responder)),
    releaseHeld: faultInjection.releaseHeld,
  };
}

function authenticate(name: string, apiKey: string): RequestHandler {
  const apiKeyDigest = sha256(apiKey);
  return (req, _res, next) => {
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
}

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

/** The store a sandbox's options name: an opened one, or one loaded from the data file. */
export function openStore<S>(creator: string, options: SandboxOptions<S>, load: (file: string) => S): S {
  if (options.store) return options.store;
  if (options.dataFile) return load(options.dataFile);
  throw new Error(`${creator} needs a store or a dataFile`);
}

/** A route's parameter, or '' when absent. */
export function param(params: Request['params'], name: string): string {
  const value = params[name];
  return typeof value === 'string' ? value : '';
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
