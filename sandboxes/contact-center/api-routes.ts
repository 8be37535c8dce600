/**
 * The contact-center contract under /v1: instances and their administrator, the apps, IVR flows
 * and skill groups inside an instance, and numbers with their bindings. Writes go through the
 * idempotency protocol.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { param, type SandboxHttp } from '../common/http';
import { notFound, parseOrThrow } from '../common/problem';
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
  signsIn,
  signInSchema,
  suspendInstance,
  suspendInstanceSchema,
  unassignNumber,
  type Result,
  type Tx,
} from './operations';
import { childKey, type ContactCenterStore } from './store';

export function mountContactCenterApi(http: SandboxHttp<Tx>, store: ContactCenterStore): void {
  mountInstanceRoutes(http, store);
  mountChildRoutes(http, store);
  mountNumberRoutes(http, store);
}

function mountInstanceRoutes(http: SandboxHttp<Tx>, store: ContactCenterStore): void {
  const { v1, respond, idempotentWrite } = http;
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
    respond(req, res, 200, { valid: signsIn(instance, input.email, input.password) });
  });
}

/** The apps, IVR flows and skill groups inside an instance: created, listed and read alike. */
function mountChildRoutes(http: SandboxHttp<Tx>, store: ContactCenterStore): void {
  const { v1, respond, idempotentWrite } = http;
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
}

function mountNumberRoutes(http: SandboxHttp<Tx>, store: ContactCenterStore): void {
  const { v1, respond, idempotentWrite } = http;
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
}

/** Numbers in paths are E.164 (`+862066240001`, or `%2B862066240001`). */
function numberParam(params: Request['params']): string {
  return parseOrThrow(e164Schema, param(params, 'number'), 'path').trim();
}
