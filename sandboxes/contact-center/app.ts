/**
 * The contact-center sandbox: the HTTP contract of the cloud contact-center platform (instances,
 * their administrator, apps, IVR flows, skill groups, numbers and their bindings), backed by a
 * JSON file, with switchable faults so clients can be tested against latency, outages and
 * timeouts.
 *
 * /v1 routes need `Authorization: Bearer <api key>`; every write under /v1 needs an
 * `Idempotency-Key`, and its first response is stored and replayed for retries (the same key
 * with another body is a 409). Faults strike before any state is touched, so retrying a failed
 * or timed-out write with its key is safe. /_sandbox routes control and inspect the sandbox
 * itself; /console is a bare sign-in page for administrators. Neither is part of the contract.
 *
 * Business rules live in `operations.ts`; this module is the HTTP side.
 */
import { createHash, scryptSync, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { verifyPassword } from '../../activities/sip-credentials';
import {
  assignNumbers,
  assignNumbersSchema,
  bindingSchema,
  childrenOf,
  createApp,
  createAppSchema,
  createInstance,
  createInstanceSchema,
  createIvrFlow,
  createIvrFlowSchema,
  createSkillGroup,
  createSkillGroupSchema,
  e164Schema,
  getInstance,
  instanceView,
  instancesQuerySchema,
  rebindNumber,
  setAdminPassword,
  setPasswordSchema,
  signInSchema,
  suspendInstance,
  suspendInstanceSchema,
  unassignNumber,
  type Result,
  type Tx,
} from './operations';
import { PROBLEM_CONTENT_TYPE, ProblemError, notFound, parseOrThrow } from '../common/problem';
import { ContactCenterStore, childKey, type IdempotencyRecord, type Instance, type RequestLogEntry } from './store';

export interface Faults {
  /** Added to every /v1 request. */
  latencyMs: number;
  /** Share of /v1 requests answered 503 without doing anything. */
  failureRate: number;
  /** Share of /v1 requests held without an answer (until the client gives up). */
  timeoutRate: number;
}

export interface ContactCenterSandboxOptions {
  /** An opened store, or the file to open one from. */
  store?: ContactCenterStore;
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

export interface ContactCenterSandbox {
  app: express.Express;
  store: ContactCenterStore;
  faults(): Faults;
  /** Changes some switches; invalid values throw a 400 ProblemError and change nothing. */
  setFaults(patch: Partial<Faults>): Faults;
  /** Drops requests held by simulated timeouts and waits for pending writes to reach the file. */
  close(): Promise<void>;
}

const JSON_CONTENT_TYPE = 'application/json';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const DEFAULT_TIMEOUT_HOLD_MS = 30_000;
const FAULT_NAMES = ['latencyMs', 'failureRate', 'timeoutRate'] as const;

const faultsPatchSchema = z.strictObject({
  latencyMs: z.int().min(0).max(600_000).optional(),
  failureRate: z.number().min(0).max(1).optional(),
  timeoutRate: z.number().min(0).max(1).optional(),
});

const requestsQuerySchema = z.strictObject({
  path: z.string().optional(),
  method: z.string().optional(),
});

interface WriteContext<I> extends Tx {
  input: I;
  params: Request['params'];
}

/**
 * Runs synchronously against the store: it must check everything before changing anything,
 * and throw a ProblemError (4xx) for a refusal, which is then stored like any other answer.
 */
type WriteHandler<I> = (context: WriteContext<I>) => Result<unknown>;

interface WriteOptions {
  /** Top-level body fields hashed (salted scrypt) before fingerprinting, so the file never holds them. */
  secretFields?: readonly string[];
}

interface RespondOptions {
  contentType?: string;
  headers?: Record<string, string>;
  replayed?: boolean;
  fault?: RequestLogEntry['fault'];
  /** False when the request is already in the log (a timeout answered late). */
  log?: boolean;
}

export function createContactCenterSandbox(options: ContactCenterSandboxOptions): ContactCenterSandbox {
  const store = openStore(options);
  if (!options.apiKey) throw new Error('createContactCenterSandbox needs an apiKey');
  const random = options.random ?? Math.random;
  const clock = options.now ?? (() => new Date());
  const timeoutHoldMs = options.timeoutHoldMs ?? DEFAULT_TIMEOUT_HOLD_MS;
  const apiKeyDigest = sha256(options.apiKey);

  let faults: Faults = { latencyMs: 0, failureRate: 0, timeoutRate: 0 };
  const setFaults = (patch: Partial<Faults>): Faults => {
    const parsed = parseOrThrow(faultsPatchSchema, patch);
    // Absent and undefined both mean "leave as is".
    for (const name of FAULT_NAMES) {
      const value = parsed[name];
      if (value !== undefined) faults = { ...faults, [name]: value };
    }
    return { ...faults };
  };
  setFaults({ latencyMs: options.latencyMs, failureRate: options.failureRate, timeoutRate: options.timeoutRate });

  /** Requests held by simulated timeouts, released on close. */
  const held = new Set<{ timer: NodeJS.Timeout; res: Response }>();

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
        {
          'WWW-Authenticate': 'Bearer realm="contact-center"',
        },
      );
    }
    next();
  };

  const requireJson: RequestHandler = (req, _res, next) => {
    // False only when there is a body and it is not JSON; an empty body is fine.
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
    const { latencyMs, failureRate, timeoutRate } = faults;
    if (latencyMs > 0) await sleep(latencyMs);
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
    const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    for (const field of secretFields) {
      const value = copy[field];
      if (typeof value === 'string')
        copy[field] = `scrypt:${scryptSync(value, store.data.fingerprintSalt, 32).toString('base64')}`;
    }
    return copy;
  }

  /**
   * Wraps a write in the idempotency protocol. From the record lookup to storing the new record
   * nothing awaits, so two requests with one key cannot both execute.
   */
  function idempotentWrite<S extends z.ZodType>(
    schema: S,
    handler: WriteHandler<z.output<S>>,
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
      const record = await store.update((data): IdempotencyRecord => {
        const now = clock().toISOString();
        let answer: Result<unknown> & { contentType: string };
        try {
          const result = handler({ data, now, input, params: req.params });
          // A copy: the stored answer must not follow later changes to the resource.
          answer = { status: result.status, body: structuredClone(result.body), contentType: JSON_CONTENT_TYPE };
        } catch (error) {
          if (!(error instanceof ProblemError) || error.status >= 500) throw error;
          answer = { status: error.status, body: error.toProblem(), contentType: PROBLEM_CONTENT_TYPE };
        }
        const stored: IdempotencyRecord = { key, method, path, fingerprint, ...answer, createdAt: now };
        data.idempotency[key] = stored;
        return stored;
      });
      respond(req, res, record.status, record.body, { contentType: record.contentType });
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

  const sandbox = express.Router();
  sandbox.use(requireJson, jsonBody);
  sandbox.get('/faults', (req, res) => {
    respond(req, res, 200, faults);
  });
  sandbox.put('/faults', (req, res) => {
    respond(req, res, 200, setFaults(parseOrThrow(faultsPatchSchema, req.body ?? {})));
  });
  sandbox.get('/requests', (req, res) => {
    const query = parseOrThrow(requestsQuerySchema, req.query, 'query');
    const method = query.method?.toUpperCase();
    const requests = store.data.requests.filter(
      (entry) =>
        (query.path === undefined || entry.path === query.path) && (method === undefined || entry.method === method),
    );
    respond(req, res, 200, { count: requests.length, requests });
  });
  if (options.controlRoutes ?? true) app.use('/_sandbox', sandbox);

  // What the administrator's email points at: sign in with the admin email and password.
  app.get('/console', (_req, res) => {
    res.type('html').send(consolePage());
  });
  app.post('/console/sign-in', express.urlencoded({ extended: false, limit: '10kb' }), (req, res) => {
    const { email, password } = (req.body ?? {}) as { email?: unknown; password?: unknown };
    const instance =
      typeof email === 'string' && typeof password === 'string'
        ? Object.values(store.data.instances).find(
            (i) => i.admin.email.toLowerCase() === email.trim().toLowerCase() && passwordMatches(i, password),
          )
        : undefined;
    res
      .status(instance ? 200 : 401)
      .type('html')
      .send(
        consolePage(
          instance ? `Signed in to ${instance.centerName} (${instance.instanceId}).` : 'Wrong email or password.',
        ),
      );
  });

  const v1 = express.Router();
  v1.use(authenticate, requireJson, jsonBody, injectFaults);

  v1.post(
    '/instances',
    idempotentWrite(createInstanceSchema, (tx) => createInstance(tx, tx.input)),
  );

  v1.get('/instances', (req, res) => {
    const query = parseOrThrow(instancesQuerySchema, req.query, 'query');
    const items = Object.values(store.data.instances)
      .filter(
        (i) =>
          (query.enterpriseId === undefined || i.enterpriseId === query.enterpriseId) &&
          (query.status === undefined || i.status === query.status),
      )
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map(instanceView);
    respond(req, res, 200, { items });
  });

  v1.get('/instances/:id', (req, res) => {
    respond(req, res, 200, instanceView(getInstance(store.data, param(req.params, 'id'))));
  });

  v1.post(
    '/instances/:id/suspend',
    idempotentWrite(suspendInstanceSchema, (tx) => suspendInstance(tx, param(tx.params, 'id'), tx.input)),
  );

  v1.get('/instances/:id/admin', (req, res) => {
    respond(req, res, 200, instanceView(getInstance(store.data, param(req.params, 'id'))).admin);
  });

  // Sets or resets the console password; the platform keeps only a hash of it.
  v1.put(
    '/instances/:id/admin/password',
    idempotentWrite(setPasswordSchema, (tx) => setAdminPassword(tx, param(tx.params, 'id'), tx.input), {
      secretFields: ['password'],
    }),
  );

  // Whether an email and password would sign in to the instance's console; changes nothing.
  v1.post('/instances/:id/admin/sign-in', (req, res) => {
    const instance = getInstance(store.data, param(req.params, 'id'));
    const input = parseOrThrow(signInSchema, req.body ?? {});
    const valid =
      instance.admin.email.toLowerCase() === input.email.toLowerCase() && passwordMatches(instance, input.password);
    respond(req, res, 200, { valid });
  });

  const children = [
    { path: 'apps', collection: () => store.data.apps, what: 'app', schema: createAppSchema, create: createApp },
    {
      path: 'ivr-flows',
      collection: () => store.data.ivrFlows,
      what: 'IVR flow',
      schema: createIvrFlowSchema,
      create: createIvrFlow,
    },
    {
      path: 'skill-groups',
      collection: () => store.data.skillGroups,
      what: 'skill group',
      schema: createSkillGroupSchema,
      create: createSkillGroup,
    },
  ] as const;
  for (const child of children) {
    v1.post(
      `/instances/:id/${child.path}`,
      // Each entry pairs its schema with its operation; the union of them is too wide for the compiler.
      idempotentWrite(child.schema as z.ZodType, (tx) =>
        (child.create as (tx: Tx, id: string, input: unknown) => Result<unknown>)(tx, param(tx.params, 'id'), tx.input),
      ),
    );
    v1.get(`/instances/:id/${child.path}`, (req, res) => {
      const id = param(req.params, 'id');
      getInstance(store.data, id);
      respond(req, res, 200, { items: childrenOf<{ instanceId: string; createdAt: string }>(child.collection(), id) });
    });
    v1.get(`/instances/:id/${child.path}/:childId`, (req, res) => {
      const id = param(req.params, 'id');
      const childId = param(req.params, 'childId');
      getInstance(store.data, id);
      const found = child.collection()[childKey(id, childId)];
      if (!found) throw notFound(`${child.what} in instance ${id}:`, childId);
      respond(req, res, 200, found);
    });
  }

  v1.post(
    '/instances/:id/numbers',
    idempotentWrite(assignNumbersSchema, (tx) => assignNumbers(tx, param(tx.params, 'id'), tx.input)),
  );

  v1.get('/instances/:id/numbers', (req, res) => {
    const id = param(req.params, 'id');
    getInstance(store.data, id);
    const items = Object.values(store.data.numbers)
      .filter((n) => n.instanceId === id)
      .sort((a, b) => a.number.localeCompare(b.number));
    respond(req, res, 200, { items });
  });

  v1.put(
    '/instances/:id/numbers/:number/binding',
    idempotentWrite(bindingSchema, (tx) => rebindNumber(tx, param(tx.params, 'id'), numberParam(tx.params), tx.input)),
  );

  v1.delete(
    '/instances/:id/numbers/:number',
    idempotentWrite(z.strictObject({}), (tx) => unassignNumber(tx, param(tx.params, 'id'), numberParam(tx.params))),
  );

  v1.get('/numbers/:number', (req, res) => {
    const number = numberParam(req.params);
    const assignment = store.data.numbers[number];
    if (!assignment) throw notFound('assigned number', number);
    respond(req, res, 200, assignment);
  });

  app.use('/v1', v1);

  app.use((req, res) => {
    respondProblem(req, res, new ProblemError(404, 'not-found', 'Not found', `no route ${req.method} ${pathOf(req)}`));
  });

  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const problem = asProblem(error);
    if (problem.status >= 500) console.error('contact-center sandbox: unexpected error:', error);
    respondProblem(req, res, problem);
  });

  return {
    app,
    store,
    faults: () => ({ ...faults }),
    setFaults,
    async close() {
      for (const entry of held) {
        clearTimeout(entry.timer);
        entry.res.destroy();
      }
      held.clear();
      await store.flush();
    },
  };
}

function openStore(options: ContactCenterSandboxOptions): ContactCenterStore {
  if (options.store) return options.store;
  if (options.dataFile) return ContactCenterStore.load(options.dataFile);
  throw new Error('createContactCenterSandbox needs a store or a dataFile');
}

function passwordMatches(instance: Instance, password: string): boolean {
  return instance.admin.passwordHash !== null && verifyPassword(password, instance.admin.passwordHash);
}

function param(params: Request['params'], name: string): string {
  const value = params[name];
  return typeof value === 'string' ? value : '';
}

/** Numbers in paths are E.164 (`+862066240001`, or `%2B862066240001`). */
function numberParam(params: Request['params']): string {
  return parseOrThrow(e164Schema, param(params, 'number'), 'path').trim();
}

function isLoggedWrite(req: Request): boolean {
  const path = pathOf(req);
  // A sign-in check is a POST but changes nothing.
  return WRITE_METHODS.has(req.method) && path.startsWith('/v1/') && !path.endsWith('/admin/sign-in');
}

function pathOf(req: Request): string {
  return req.originalUrl.split('?', 1)[0] ?? '/';
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
function asProblem(error: unknown): ProblemError {
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
  return new ProblemError(500, 'internal-error', 'Internal error', 'the contact-center sandbox failed unexpectedly');
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function consolePage(message?: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Contact center console</title>
<h1>Contact center console</h1>${message ? `<p>${escapeHtml(message)}</p>` : ''}
<form method="post" action="/console/sign-in">
<label>Administrator email <input name="email" type="email" required></label>
<label>Password <input name="password" type="password" required></label>
<button>Sign in</button></form>`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
