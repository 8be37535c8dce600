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
import express, { type Request } from 'express';
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
import {
  FaultSwitches,
  createSandboxHttp,
  escapeHtml,
  faultSwitchesShape,
  param,
  type Faults,
  type SandboxOptions,
} from '../common/http';
import { notFound, parseOrThrow } from '../common/problem';
import { ContactCenterStore, childKey, type Instance } from './store';

export type { Faults };

export type ContactCenterSandboxOptions = SandboxOptions<ContactCenterStore>;

export interface ContactCenterSandbox {
  app: express.Express;
  store: ContactCenterStore;
  faults(): Faults;
  /** Changes some switches; invalid values throw a 400 ProblemError and change nothing. */
  setFaults(patch: Partial<Faults>): Faults;
  /** Drops requests held by simulated timeouts and waits for pending writes to reach the file. */
  close(): Promise<void>;
}

const faultsPatchSchema = z.strictObject(faultSwitchesShape);

export function createContactCenterSandbox(options: ContactCenterSandboxOptions): ContactCenterSandbox {
  const store = openStore(options);
  const clock = options.now ?? (() => new Date());
  const faults = new FaultSwitches<Faults>(faultsPatchSchema, { latencyMs: 0, failureRate: 0, timeoutRate: 0 });
  faults.set({ latencyMs: options.latencyMs, failureRate: options.failureRate, timeoutRate: options.timeoutRate });
  const http = createSandboxHttp({
    name: 'contact-center',
    apiKey: options.apiKey,
    store,
    faults,
    commit: <T>(change: (tx: Tx) => T) => store.update((data) => change({ data, now: clock().toISOString() })),
    clock,
    random: options.random ?? Math.random,
    timeoutHoldMs: options.timeoutHoldMs,
    bodyLimit: options.bodyLimit,
    controlRoutes: options.controlRoutes ?? true,
    // A sign-in check is a POST but changes nothing.
    readOnlyPost: (path) => path.endsWith('/admin/sign-in'),
    secretSalt: () => store.data.fingerprintSalt,
  });
  const { app, v1, respond, idempotentWrite } = http;

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

  http.finish();

  return {
    app,
    store,
    faults: () => faults.get(),
    setFaults: (patch) => faults.set(patch),
    async close() {
      http.releaseHeld();
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

/** Numbers in paths are E.164 (`+862066240001`, or `%2B862066240001`). */
function numberParam(params: Request['params']): string {
  return parseOrThrow(e164Schema, param(params, 'number'), 'path').trim();
}

function consolePage(message?: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Contact center console</title>
<h1>Contact center console</h1>${message ? `<p>${escapeHtml(message)}</p>` : ''}
<form method="post" action="/console/sign-in">
<label>Administrator email <input name="email" type="email" required></label>
<label>Password <input name="password" type="password" required></label>
<button>Sign in</button></form>`;
}
