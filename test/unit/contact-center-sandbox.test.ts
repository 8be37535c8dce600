import fs from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  createContactCenterSandbox,
  type ContactCenterSandbox,
  type ContactCenterSandboxOptions,
} from '../../sandboxes/contact-center/app';
import { errorPaths, requestLog, sandboxDataFiles, withApiKey } from './sandbox-harness';

const API_KEY = 'test-contact-center-key';
const PROBLEM_JSON = /^application\/problem\+json/;
const PASSWORD = 'Kx7mQ2vLp9Wd4Rt8';
const FIXED_NUMBER = '+862066240009';

const files = sandboxDataFiles('contact-center-sandbox', 'contact-center.json');
const { write, post, get } = withApiKey(API_KEY);

function open(options: Partial<ContactCenterSandboxOptions> = {}): ContactCenterSandbox {
  return files.track(createContactCenterSandbox({ dataFile: files.dataFile, apiKey: API_KEY, ...options }));
}

const CENTER = {
  enterpriseId: 'ent-1',
  centerName: '广州示例客服中心',
  admin: { name: '李四', email: 'admin@example.cn' },
  agreement: { version: '2024-06', acceptedAt: '2025-01-02T03:00:00+08:00' },
};

async function createInstance(sandbox: ContactCenterSandbox, body: object = CENTER, key = `create-${Math.random()}`) {
  const res = await post(sandbox, '/v1/instances', body, key);
  expect(res.status).toBe(201);
  return res.body as {
    instanceId: string;
    enterpriseId: string;
    status: string;
    defaults: { appId: string; ivrFlowId: string; skillGroupId: string };
  };
}

/** A fresh sandbox holding one instance (of CENTER, or `body`): the sandbox and the instance as created. */
async function openWithInstance(body: object = CENTER) {
  const sandbox = open();
  return { sandbox, ...(await createInstance(sandbox, body)) };
}

/** Sets an instance's administrator password under this idempotency key. */
const setPassword = (sandbox: ContactCenterSandbox, instanceId: string, password: string, key: string) =>
  write(sandbox, 'put', `/v1/instances/${instanceId}/admin/password`, { password }, key);

/** Assigns numbers (and their binding) to an instance under this idempotency key. */
const assignNumbers = (sandbox: ContactCenterSandbox, instanceId: string, body: object, key: string) =>
  post(sandbox, `/v1/instances/${instanceId}/numbers`, body, key);

const numberUrl = (instanceId: string, number: string) =>
  `/v1/instances/${instanceId}/numbers/${encodeURIComponent(number)}`;

/** Changes the binding of an instance's number under this idempotency key. */
const rebind = (sandbox: ContactCenterSandbox, instanceId: string, number: string, binding: object, key: string) =>
  write(sandbox, 'put', `${numberUrl(instanceId, number)}/binding`, binding, key);

/** Takes a number off an instance under this idempotency key. */
const unassign = (sandbox: ContactCenterSandbox, instanceId: string, number: string, key: string) =>
  write(sandbox, 'delete', numberUrl(instanceId, number), undefined, key);

describe('contact-center sandbox: auth and instances', () => {
  it('answers /healthz without auth and refuses /v1 without the bearer API key', async () => {
    const sandbox = open();
    expect((await request(sandbox.app).get('/healthz')).status).toBe(200);
    for (const [method, url] of [
      ['get', '/v1/instances'],
      ['post', '/v1/instances'],
      ['get', '/v1/numbers/+862066240001'],
    ] as const) {
      const missing = await request(sandbox.app)[method](url);
      expect(missing.status, `${method} ${url}`).toBe(401);
      expect(missing.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expect((await request(sandbox.app).get('/v1/instances').set('Authorization', 'Bearer wrong')).status).toBe(401);
  });

  it('creates an instance with a default app, IVR flow and skill group; reads and lists it', async () => {
    const sandbox = open({ now: () => new Date('2025-01-02T03:04:05.000Z') });
    const created = await post(sandbox, '/v1/instances', CENTER, 'create-1');
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      instanceId: expect.stringMatching(/^cc-[0-9a-f]{20}$/),
      enterpriseId: 'ent-1',
      centerName: '广州示例客服中心',
      status: 'active',
      admin: { name: '李四', email: 'admin@example.cn', passwordSet: false, passwordSetAt: null, passwordVersion: 0 },
      agreement: { version: '2024-06', acceptedAt: '2025-01-01T19:00:00.000Z' },
      defaults: { appId: 'app-default', ivrFlowId: 'ivr-default', skillGroupId: 'sg-default' },
      createdAt: '2025-01-02T03:04:05.000Z',
      updatedAt: '2025-01-02T03:04:05.000Z',
      suspendedAt: null,
      suspendReason: null,
    });
    const id = (created.body as { instanceId: string }).instanceId;
    expect((await get(sandbox, `/v1/instances/${id}`)).body).toEqual(created.body);
    expect((await get(sandbox, `/v1/instances/${id}/apps/app-default`)).body).toMatchObject({
      appId: 'app-default',
      instanceId: id,
    });
    expect((await get(sandbox, `/v1/instances/${id}/ivr-flows/ivr-default`)).body).toMatchObject({
      ivrFlowId: 'ivr-default',
      appId: 'app-default',
    });
    expect((await get(sandbox, `/v1/instances/${id}/skill-groups/sg-default`)).body).toMatchObject({
      skillGroupId: 'sg-default',
    });

    const other = await createInstance(sandbox, { ...CENTER, enterpriseId: 'ent-2' });
    expect((await get(sandbox, '/v1/instances?enterpriseId=ent-1')).body).toEqual({ items: [created.body] });
    expect(((await get(sandbox, '/v1/instances')).body as { items: unknown[] }).items).toHaveLength(2);
    expect(
      ((await get(sandbox, '/v1/instances?enterpriseId=ent-2')).body as { items: { instanceId: string }[] }).items.map(
        (i) => i.instanceId,
      ),
    ).toEqual([other.instanceId]);

    const missing = await get(sandbox, '/v1/instances/cc-nope');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(PROBLEM_JSON);
  });

  it('lists every failing field of a bad body and keeps the key usable', async () => {
    const sandbox = open();
    const bad = await post(
      sandbox,
      '/v1/instances',
      {
        enterpriseId: '',
        admin: { name: 'x', email: 'nope' },
        agreement: { version: '1', acceptedAt: 'yesterday' },
        colour: 'red',
      },
      'k-bad',
    );
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(errorPaths(bad).sort()).toEqual([
      'admin.email',
      'agreement.acceptedAt',
      'centerName',
      'colour',
      'enterpriseId',
    ]);
    expect((await post(sandbox, '/v1/instances', CENTER, 'k-bad')).status).toBe(201);
  });

  it('needs an Idempotency-Key on writes, replays the first answer and refuses the key with another body', async () => {
    const sandbox = open();
    expect((await post(sandbox, '/v1/instances', CENTER)).status).toBe(400);

    const first = await post(sandbox, '/v1/instances', CENTER, 'create-once');
    const again = await post(
      sandbox,
      '/v1/instances',
      { ...CENTER, admin: { email: 'admin@example.cn', name: '李四' } },
      'create-once',
    );
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(((await get(sandbox, '/v1/instances')).body as { items: unknown[] }).items).toHaveLength(1);

    const reused = await post(sandbox, '/v1/instances', { ...CENTER, centerName: 'Another' }, 'create-once');
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ type: expect.stringMatching(/idempotency-key-reused$/) });

    const log = await requestLog(sandbox, { path: '/v1/instances' });
    expect(log.requests.map((r) => [r.status, r.replayed])).toEqual([
      [400, false],
      [201, false],
      [201, true],
      [409, false],
    ]);
  });

  it('keeps center names unique per enterprise, ignoring case and spacing', async () => {
    const { sandbox, ...first } = await openWithInstance({ ...CENTER, centerName: 'Sales  Center' });
    const taken = await post(sandbox, '/v1/instances', { ...CENTER, centerName: ' sales center' }, 'k2');
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ instanceId: first.instanceId, errors: [{ path: 'centerName' }] });
    await createInstance(sandbox, { ...CENTER, enterpriseId: 'ent-2', centerName: 'Sales Center' });
  });

  it('suspends an instance (again is the same), after which it takes no new numbers or resources', async () => {
    const { sandbox, instanceId } = await openWithInstance();
    const suspended = await post(sandbox, `/v1/instances/${instanceId}/suspend`, { reason: 'contract ended' }, 's1');
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({
      status: 'suspended',
      suspendReason: 'contract ended',
      suspendedAt: expect.any(String),
    });
    const twice = await post(sandbox, `/v1/instances/${instanceId}/suspend`, {}, 's2');
    expect(twice.body).toMatchObject({ status: 'suspended', suspendReason: 'contract ended' });
    const refused = await post(sandbox, `/v1/instances/${instanceId}/apps`, { name: 'Sales' }, 'a1');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/instance-suspended$/) });
    expect((await assignNumbers(sandbox, instanceId, { numbers: ['+862066240001'] }, 'n1')).status).toBe(409);
    expect((await post(sandbox, '/v1/instances/cc-nope/suspend', {}, 's3')).status).toBe(404);
  });
});

describe('contact-center sandbox: administrator', () => {
  it('sets and resets the password, keeps only a hash and tells whether a password signs in', async () => {
    const { sandbox, instanceId } = await openWithInstance();
    const signIn = async (email: string, password: string) =>
      (
        (await post(sandbox, `/v1/instances/${instanceId}/admin/sign-in`, { email, password })).body as {
          valid: boolean;
        }
      ).valid;
    expect(await signIn('admin@example.cn', PASSWORD)).toBe(false);

    const weak = await setPassword(sandbox, instanceId, 'short', 'p0');
    expect(weak.status).toBe(400);
    // Each rule it breaks: too short, and no upper case or digit.
    expect(weak.body).toMatchObject({
      errors: [
        { path: 'password', message: expect.stringMatching(/12/) },
        { path: 'password', message: expect.stringMatching(/upper case/) },
      ],
    });

    const set = await setPassword(sandbox, instanceId, PASSWORD, 'p1');
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      instanceId,
      email: 'admin@example.cn',
      passwordSetAt: expect.any(String),
      passwordVersion: 1,
    });
    expect(await signIn('admin@example.cn', PASSWORD)).toBe(true);
    expect(await signIn('ADMIN@example.cn', PASSWORD)).toBe(true);
    expect(await signIn('admin@example.cn', `${PASSWORD}x`)).toBe(false);
    expect(await signIn('other@example.cn', PASSWORD)).toBe(false);

    // The same key with another password is another operation.
    expect((await setPassword(sandbox, instanceId, 'Zz9Zz9Zz9Zz9Zz9', 'p1')).status).toBe(409);
    const replay = await setPassword(sandbox, instanceId, PASSWORD, 'p1');
    expect(replay.headers['idempotent-replayed']).toBe('true');

    const reset = await setPassword(sandbox, instanceId, 'Zz9Zz9Zz9Zz9Zz9', 'p2');
    expect(reset.body).toMatchObject({ passwordVersion: 2 });
    expect(await signIn('admin@example.cn', PASSWORD)).toBe(false);
    expect(await signIn('admin@example.cn', 'Zz9Zz9Zz9Zz9Zz9')).toBe(true);
    expect((await get(sandbox, `/v1/instances/${instanceId}/admin`)).body).toEqual({
      name: '李四',
      email: 'admin@example.cn',
      passwordSet: true,
      passwordSetAt: expect.any(String),
      passwordVersion: 2,
    });

    await sandbox.close();
    const file = fs.readFileSync(files.dataFile, 'utf8');
    expect(file).not.toContain(PASSWORD);
    expect(file).not.toContain('Zz9Zz9Zz9Zz9Zz9');
    expect(file).toMatch(/"passwordHash": "scrypt\$/);
    // Sign-in checks are not writes: the log holds the password writes only.
    expect(JSON.parse(file).requests.map((r: { method: string }) => r.method)).toEqual([
      'POST',
      'PUT',
      'PUT',
      'PUT',
      'PUT',
      'PUT',
    ]);
  }, 20_000); // scrypt on every password set and sign-in: seconds on a loaded machine

  it('signs the administrator in on the console page', async () => {
    const { sandbox, instanceId } = await openWithInstance();
    await setPassword(sandbox, instanceId, PASSWORD, 'p1');
    expect((await request(sandbox.app).get('/console')).text).toContain('<form');
    const ok = await request(sandbox.app)
      .post('/console/sign-in')
      .type('form')
      .send({ email: 'admin@example.cn', password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain(instanceId);
    const wrong = await request(sandbox.app)
      .post('/console/sign-in')
      .type('form')
      .send({ email: 'admin@example.cn', password: 'nope' });
    expect(wrong.status).toBe(401);
  });
});

describe('contact-center sandbox: apps, IVR flows, skill groups', () => {
  it('creates, lists and reads each, and refuses an IVR flow for an unknown app', async () => {
    const { sandbox, instanceId } = await openWithInstance();
    const appRes = await post(
      sandbox,
      `/v1/instances/${instanceId}/apps`,
      { name: 'Sales', description: 'inbound sales' },
      'a1',
    );
    expect(appRes.status).toBe(201);
    const app = appRes.body as { appId: string };
    expect(app.appId).toMatch(/^app-[0-9a-f]{20}$/);
    const flow = await post(
      sandbox,
      `/v1/instances/${instanceId}/ivr-flows`,
      { name: 'Sales menu', appId: app.appId },
      'f1',
    );
    expect(flow.status).toBe(201);
    expect(flow.body).toMatchObject({ appId: app.appId, ivrFlowId: expect.stringMatching(/^ivr-/) });
    const group = await post(sandbox, `/v1/instances/${instanceId}/skill-groups`, { name: 'Tier 1' }, 'g1');
    expect(group.status).toBe(201);

    expect(
      ((await get(sandbox, `/v1/instances/${instanceId}/apps`)).body as { items: { appId: string }[] }).items.map(
        (a) => a.appId,
      ),
    ).toEqual(['app-default', app.appId]);
    expect(
      ((await get(sandbox, `/v1/instances/${instanceId}/ivr-flows`)).body as { items: unknown[] }).items,
    ).toHaveLength(2);
    expect(
      ((await get(sandbox, `/v1/instances/${instanceId}/skill-groups`)).body as { items: unknown[] }).items,
    ).toHaveLength(2);
    expect((await get(sandbox, `/v1/instances/${instanceId}/apps/${app.appId}`)).body).toEqual(app);
    expect((await get(sandbox, `/v1/instances/${instanceId}/apps/app-nope`)).status).toBe(404);
    expect((await get(sandbox, '/v1/instances/cc-nope/apps')).status).toBe(404);

    const unknownApp = await post(
      sandbox,
      `/v1/instances/${instanceId}/ivr-flows`,
      { name: 'Menu', appId: 'app-nope' },
      'f2',
    );
    expect(unknownApp.status).toBe(422);
    expect(unknownApp.body).toMatchObject({
      errors: [{ path: 'appId', message: expect.stringContaining('app-nope') }],
    });

    // Ids belong to their instance: another instance's app is unknown here.
    const other = await createInstance(sandbox, { ...CENTER, centerName: 'Other' });
    expect((await get(sandbox, `/v1/instances/${other.instanceId}/apps/${app.appId}`)).status).toBe(404);
  });
});

describe('contact-center sandbox: numbers', () => {
  const FIXED = '+862066240001';
  const FIXED_2 = '+862066240002';
  const LINE_400 = '+864008200001';

  it('assigns numbers with a binding, rebinds, looks up, lists and unassigns', async () => {
    const { sandbox, instanceId } = await openWithInstance();
    const rules = { callingHours: [{ from: '08:00', to: '22:00' }], perCalleeDailyLimit: 5, noBlindCalling: true };
    const assigned = await assignNumbers(
      sandbox,
      instanceId,
      {
        numbers: [FIXED, LINE_400],
        binding: { appId: 'app-default', ivrFlowId: 'ivr-default', skillGroupId: 'sg-default', callingRules: rules },
        reference: 'number-purchase-ent-1-1',
      },
      'n1',
    );
    expect(assigned.status).toBe(200);
    expect((assigned.body as { items: unknown[] }).items).toHaveLength(2);

    const looked = await get(sandbox, `/v1/numbers/${encodeURIComponent(FIXED)}`);
    expect(looked.body).toEqual({
      number: FIXED,
      instanceId,
      enterpriseId: 'ent-1',
      binding: { appId: 'app-default', ivrFlowId: 'ivr-default', skillGroupId: 'sg-default', callingRules: rules },
      reference: 'number-purchase-ent-1-1',
      assignedAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // A literal plus in the path works as well as %2B.
    expect((await get(sandbox, `/v1/numbers/${LINE_400}`)).body).toMatchObject({ number: LINE_400, instanceId });
    expect((await get(sandbox, `/v1/numbers/${encodeURIComponent(FIXED_2)}`)).status).toBe(404);
    expect((await get(sandbox, '/v1/numbers/020-66240001')).status).toBe(400);

    const rebound = await rebind(sandbox, instanceId, FIXED, { skillGroupId: 'sg-default' }, 'b1');
    expect(rebound.status).toBe(200);
    expect(rebound.body).toMatchObject({
      binding: { appId: null, ivrFlowId: null, skillGroupId: 'sg-default', callingRules: null },
    });

    const listed = (await get(sandbox, `/v1/instances/${instanceId}/numbers`)).body as { items: { number: string }[] };
    expect(listed.items.map((n) => n.number)).toEqual([FIXED, LINE_400]);

    const removed = await unassign(sandbox, instanceId, FIXED, 'd1');
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ number: FIXED, instanceId });
    expect((await get(sandbox, `/v1/numbers/${encodeURIComponent(FIXED)}`)).status).toBe(404);
    // Replayed with its key; a new key meets a number no longer there.
    expect((await unassign(sandbox, instanceId, FIXED, 'd1')).status).toBe(200);
    expect((await unassign(sandbox, instanceId, FIXED, 'd2')).status).toBe(404);
  });

  it('refuses a number assigned to another instance, naming it, and assigns nothing of the request', async () => {
    const { sandbox, ...mine } = await openWithInstance();
    const theirs = await createInstance(sandbox, { ...CENTER, enterpriseId: 'ent-2' });
    expect((await assignNumbers(sandbox, theirs.instanceId, { numbers: [FIXED] }, 'n1')).status).toBe(200);

    const taken = await assignNumbers(sandbox, mine.instanceId, { numbers: [FIXED_2, FIXED] }, 'n2');
    expect(taken.status).toBe(409);
    expect(taken.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(taken.body).toMatchObject({
      type: expect.stringMatching(/number-assigned-elsewhere$/),
      errors: [{ path: 'numbers.1', message: expect.stringContaining(theirs.instanceId) }],
    });
    expect((await get(sandbox, `/v1/numbers/${encodeURIComponent(FIXED_2)}`)).status).toBe(404);
    // Nor may one instance unassign or rebind another's number.
    expect((await unassign(sandbox, mine.instanceId, FIXED, 'd1')).status).toBe(404);
    expect((await rebind(sandbox, mine.instanceId, FIXED, {}, 'b1')).status).toBe(404);
  });

  it('answers 422 naming every unknown app, IVR flow and skill group', async () => {
    const { sandbox, instanceId } = await openWithInstance();
    const unknown = await assignNumbers(
      sandbox,
      instanceId,
      {
        numbers: [FIXED],
        binding: { appId: 'app-nope', ivrFlowId: 'ivr-nope', skillGroupId: 'sg-nope' },
      },
      'n1',
    );
    expect(unknown.status).toBe(422);
    expect(unknown.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(unknown.body).toMatchObject({
      errors: [
        { path: 'binding.appId', message: expect.stringContaining('app-nope') },
        { path: 'binding.ivrFlowId', message: expect.stringContaining('ivr-nope') },
        { path: 'binding.skillGroupId', message: expect.stringContaining('sg-nope') },
      ],
    });
    expect((await get(sandbox, `/v1/numbers/${encodeURIComponent(FIXED)}`)).status).toBe(404);

    await assignNumbers(sandbox, instanceId, { numbers: [FIXED] }, 'n2');
    const rebound = await rebind(sandbox, instanceId, FIXED, { ivrFlowId: 'ivr-nope' }, 'b1');
    expect(rebound.status).toBe(422);
    expect(rebound.body).toMatchObject({ errors: [{ path: 'ivrFlowId' }] });
  });

  it('validates numbers and bindings field by field', async () => {
    const { sandbox, instanceId } = await openWithInstance();
    const bad = await assignNumbers(
      sandbox,
      instanceId,
      {
        numbers: ['020-66240001', FIXED, FIXED],
        binding: { appId: 'App Default', callingRules: { callingHours: [{ from: '8am', to: '22:00' }] } },
      },
      'n1',
    );
    expect(bad.status).toBe(400);
    expect(errorPaths(bad).sort()).toEqual([
      'binding.appId',
      'binding.callingRules.callingHours.0.from',
      'numbers.0',
      'numbers.2',
    ]);
  });
});

describe('contact-center sandbox: faults and persistence', () => {
  it('switches faults by option and by /_sandbox/faults; an outage answers 503 and changes nothing', async () => {
    const sandbox = open({ failureRate: 1 });
    expect((await request(sandbox.app).get('/_sandbox/faults')).body).toEqual({
      latencyMs: 0,
      failureRate: 1,
      timeoutRate: 0,
    });
    const down = await post(sandbox, '/v1/instances', CENTER, 'k1');
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('1');
    expect(down.headers['content-type']).toMatch(PROBLEM_JSON);

    const bad = await request(sandbox.app).put('/_sandbox/faults').send({ failureRate: 2, chaos: true });
    expect(bad.status).toBe(400);
    expect(sandbox.faults().failureRate).toBe(1);

    expect((await request(sandbox.app).put('/_sandbox/faults').send({ failureRate: 0 })).body).toEqual({
      latencyMs: 0,
      failureRate: 0,
      timeoutRate: 0,
    });
    // The key was never recorded: the retry does the work.
    const up = await post(sandbox, '/v1/instances', CENTER, 'k1');
    expect(up.status).toBe(201);
    expect(up.headers['idempotent-replayed']).toBeUndefined();
    const log = await requestLog(sandbox, { method: 'post' });
    expect(log.requests.map((r) => [r.status, r.fault])).toEqual([
      [503, 'failure'],
      [201, null],
    ]);
  });

  it('holds requests without an answer at the timeout rate, and adds latency', async () => {
    const sandbox = open({ timeoutRate: 1, timeoutHoldMs: 50 });
    const held = await post(sandbox, '/v1/instances', CENTER, 'k1');
    expect(held.status).toBe(504);
    sandbox.setFaults({ timeoutRate: 0, latencyMs: 60 });
    const started = Date.now();
    expect((await get(sandbox, '/v1/instances')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(((await get(sandbox, '/v1/instances')).body as { items: unknown[] }).items).toHaveLength(0);
  });

  it('keeps instances, passwords, numbers, idempotency records and the request log across a restart', async () => {
    const first = open();
    const { instanceId } = await createInstance(first, CENTER, 'create-1');
    await setPassword(first, instanceId, PASSWORD, 'p1');
    await assignNumbers(first, instanceId, { numbers: [FIXED_NUMBER], binding: { skillGroupId: 'sg-default' } }, 'n1');
    await first.close();

    const second = open();
    expect((await get(second, `/v1/instances/${instanceId}`)).body).toMatchObject({
      instanceId,
      status: 'active',
      admin: { passwordVersion: 1 },
    });
    expect((await get(second, `/v1/numbers/${encodeURIComponent(FIXED_NUMBER)}`)).body).toMatchObject({
      instanceId,
      binding: { skillGroupId: 'sg-default' },
    });
    expect(
      (
        (
          await post(second, `/v1/instances/${instanceId}/admin/sign-in`, {
            email: 'admin@example.cn',
            password: PASSWORD,
          })
        ).body as { valid: boolean }
      ).valid,
    ).toBe(true);
    const replay = await post(second, '/v1/instances', CENTER, 'create-1');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toMatchObject({ instanceId });
    // The password's key still recognises its body after the restart.
    expect((await setPassword(second, instanceId, PASSWORD, 'p1')).headers['idempotent-replayed']).toBe('true');
    expect(
      ((await request(second.app).get('/_sandbox/requests')).body as { count: number }).count,
    ).toBeGreaterThanOrEqual(4);
  });

  it('leaves the /_sandbox routes out when told to (the production profile)', async () => {
    const sandbox = open({ controlRoutes: false });
    expect((await request(sandbox.app).put('/_sandbox/faults').send({ failureRate: 1 })).status).toBe(404);
    expect((await request(sandbox.app).get('/_sandbox/requests')).status).toBe(404);
    expect(sandbox.faults().failureRate).toBe(0);
  });

  it('refuses to start on a corrupt data file rather than reset it', () => {
    fs.writeFileSync(files.dataFile, '{not json');
    expect(() => open()).toThrow(/not valid JSON/);
    expect(fs.readFileSync(files.dataFile, 'utf8')).toBe('{not json');
  });
});
