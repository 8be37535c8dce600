import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ContactCenterClient,
  createAdminPasswordActivities,
  createContactCenterActivities,
  generateAdminPassword,
  type AdminPasswordEmail,
  type ContactCenterActivities,
} from '../../activities/contact-center';
import { createContactCenterSandbox, type ContactCenterSandbox } from '../../sandboxes/contact-center/app';
import { FileEmailLedger } from '../../storage/email-ledger';

const API_KEY = 'test-contact-center-key';

let dir: string;
let dataFile: string;
let sandbox: ContactCenterSandbox;
let server: http.Server;
let baseUrl: string;
let client: ContactCenterClient;
let cc: ContactCenterActivities;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contact-center-activities-'));
  dataFile = path.join(dir, 'contact-center.json');
  sandbox = createContactCenterSandbox({ dataFile, apiKey: API_KEY, timeoutHoldMs: 5_000 });
  server = http.createServer(sandbox.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  client = new ContactCenterClient({ baseUrl, apiKey: API_KEY, requestTimeoutMs: 2_000 });
  cc = createContactCenterActivities(client);
});

afterEach(async () => {
  await sandbox.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const CENTER = {
  enterpriseId: 'ent-1',
  centerName: 'Guangzhou Service Center',
  admin: { name: 'Li Si', email: 'admin@example.cn' },
  agreement: { version: '2024-06', acceptedAt: '2025-01-02T03:00:00Z' },
};

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

/** Writes the sandbox logged for one method and path prefix. */
function writes(method: string, prefix: string) {
  return sandbox.store.data.requests.filter((r) => r.method === method && r.path.startsWith(prefix));
}

describe('contact-center activities: instances', () => {
  it('creates an instance once per idempotency key, reads, lists and suspends it', async () => {
    const created = await cc.createInstance({ ...CENTER, idempotencyKey: 'journey-ent-1/instance' });
    expect(created).toMatchObject({
      instanceId: expect.stringMatching(/^cc-/),
      status: 'active',
      defaults: { appId: 'app-default', ivrFlowId: 'ivr-default', skillGroupId: 'sg-default' },
    });
    const again = await cc.createInstance({ ...CENTER, idempotencyKey: 'journey-ent-1/instance' });
    expect(again.instanceId).toBe(created.instanceId);
    expect(await cc.listInstances('ent-1')).toHaveLength(1);
    expect(await cc.listInstances('ent-2')).toEqual([]);
    expect(await cc.getInstance(created.instanceId)).toMatchObject({ centerName: CENTER.centerName });
    expect(await cc.getInstance('cc-nope')).toBeNull();

    const taken = await failureOf(cc.createInstance({ ...CENTER, idempotencyKey: 'other-key' }));
    expect(taken).toMatchObject({ type: 'CenterNameTaken', nonRetryable: true });

    const suspended = await cc.suspendInstance({
      instanceId: created.instanceId,
      reason: 'test',
      idempotencyKey: 's1',
    });
    expect(suspended.status).toBe('suspended');
    expect((await cc.suspendInstance({ instanceId: created.instanceId, idempotencyKey: 's2' })).status).toBe(
      'suspended',
    );
  });

  it('resolves a binding: the enterprise own active instance, and what it lacks', async () => {
    const mine = await cc.createInstance({ ...CENTER, idempotencyKey: 'c1' });
    const theirs = await cc.createInstance({ ...CENTER, enterpriseId: 'ent-2', idempotencyKey: 'c2' });

    const ok = await cc.resolveBinding({
      enterpriseId: 'ent-1',
      instanceId: mine.instanceId,
      appId: 'app-default',
      ivrFlowId: 'ivr-default',
      skillGroupId: 'sg-default',
    });
    expect(ok).toMatchObject({ ok: true, instance: { instanceId: mine.instanceId } });

    expect(await cc.resolveBinding({ enterpriseId: 'ent-1', instanceId: theirs.instanceId })).toEqual({
      ok: false,
      problems: [
        { field: 'instanceId', id: theirs.instanceId, code: 'instance-not-found', message: expect.any(String) },
      ],
    });
    expect(await cc.resolveBinding({ enterpriseId: 'ent-1', instanceId: 'cc-nope' })).toMatchObject({
      ok: false,
      problems: [{ code: 'instance-not-found' }],
    });

    const missing = await cc.resolveBinding({
      enterpriseId: 'ent-1',
      instanceId: mine.instanceId,
      appId: 'app-x',
      ivrFlowId: 'ivr-x',
      skillGroupId: 'sg-x',
    });
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.problems.map((p) => [p.field, p.id, p.code])).toEqual([
      ['appId', 'app-x', 'app-not-found'],
      ['ivrFlowId', 'ivr-x', 'ivr-flow-not-found'],
      ['skillGroupId', 'sg-x', 'skill-group-not-found'],
    ]);

    await cc.suspendInstance({ instanceId: mine.instanceId, idempotencyKey: 's1' });
    expect(await cc.resolveBinding({ enterpriseId: 'ent-1', instanceId: mine.instanceId })).toMatchObject({
      ok: false,
      problems: [{ code: 'instance-suspended' }],
    });
  });
});

describe('contact-center activities: numbers', () => {
  it('assigns idempotently: already assigned with the binding is a no-op, another binding rebinds', async () => {
    const { instanceId } = await cc.createInstance({ ...CENTER, idempotencyKey: 'c1' });
    const binding = {
      appId: 'app-default',
      skillGroupId: 'sg-default',
      callingRules: { callingHours: [{ from: '08:00', to: '22:00' }], perCalleeDailyLimit: 5 },
    };
    const assign = () =>
      cc.assignNumbers({
        instanceId,
        numbers: ['020-66240001', '4008200001'],
        binding,
        reference: 'case-1',
        idempotencyKey: 'case-1/assign',
      });
    const first = await assign();
    expect(first).toEqual({ assigned: ['+862066240001', '+864008200001'], rebound: [], unchanged: [] });
    expect(await cc.lookUpNumber('02066240001')).toMatchObject({
      instanceId,
      binding: { appId: 'app-default', ivrFlowId: null, skillGroupId: 'sg-default' },
      reference: 'case-1',
    });

    // A retried activity: nothing is written.
    const retried = await assign();
    expect(retried).toEqual({ assigned: [], rebound: [], unchanged: ['+862066240001', '+864008200001'] });
    expect(writes('POST', `/v1/instances/${instanceId}/numbers`)).toHaveLength(1);

    const rebound = await cc.assignNumbers({
      instanceId,
      numbers: ['020-66240001', '020-66240002'],
      binding: { ivrFlowId: 'ivr-default' },
      idempotencyKey: 'case-2/assign',
    });
    expect(rebound).toEqual({ assigned: ['+862066240002'], rebound: ['+862066240001'], unchanged: [] });
    expect((await cc.lookUpNumber('+862066240001'))?.binding).toEqual({
      appId: null,
      ivrFlowId: 'ivr-default',
      skillGroupId: null,
      callingRules: null,
    });
    expect((await cc.listNumbers(instanceId)).map((n) => n.number)).toEqual([
      '+862066240001',
      '+862066240002',
      '+864008200001',
    ]);
  });

  it("refuses a number on another instance, final and typed, and never touches the other's assignment", async () => {
    const mine = await cc.createInstance({ ...CENTER, idempotencyKey: 'c1' });
    const theirs = await cc.createInstance({ ...CENTER, enterpriseId: 'ent-2', idempotencyKey: 'c2' });
    await cc.assignNumbers({ instanceId: theirs.instanceId, numbers: ['020-66240001'], idempotencyKey: 'a1' });

    const taken = await failureOf(
      cc.assignNumbers({ instanceId: mine.instanceId, numbers: ['020-66240001'], idempotencyKey: 'a2' }),
    );
    expect(taken).toMatchObject({ type: 'NumberAssignedElsewhere', nonRetryable: true });
    const unknown = await failureOf(
      cc.assignNumbers({
        instanceId: mine.instanceId,
        numbers: ['020-66240009'],
        binding: { appId: 'app-x' },
        idempotencyKey: 'a3',
      }),
    );
    expect(unknown).toMatchObject({ type: 'ContactCenterUnknownReference', nonRetryable: true });

    expect(
      await cc.unassignNumbers({ instanceId: mine.instanceId, numbers: ['020-66240001'], idempotencyKey: 'u1' }),
    ).toEqual({ removed: [], absent: ['+862066240001'] });
    expect(await cc.lookUpNumber('020-66240001')).toMatchObject({ instanceId: theirs.instanceId });
  });

  it('unassigns idempotently: what is not assigned is a no-op', async () => {
    const { instanceId } = await cc.createInstance({ ...CENTER, idempotencyKey: 'c1' });
    await cc.assignNumbers({ instanceId, numbers: ['020-66240001', '020-66240002'], idempotencyKey: 'a1' });
    expect(
      await cc.unassignNumbers({ instanceId, numbers: ['020-66240001', '020-66240003'], idempotencyKey: 'u1' }),
    ).toEqual({ removed: ['+862066240001'], absent: ['+862066240003'] });
    const again = await cc.unassignNumbers({
      instanceId,
      numbers: ['020-66240001', '020-66240003'],
      idempotencyKey: 'u1',
    });
    expect(again).toEqual({ removed: [], absent: ['+862066240001', '+862066240003'] });
    expect(writes('DELETE', `/v1/instances/${instanceId}/numbers`)).toHaveLength(1);
    expect(await cc.lookUpNumber('020-66240001')).toBeNull();
    expect(await cc.lookUpNumber('020-66240002')).toMatchObject({ instanceId });
  });
});

describe('contact-center activities: the administrator password', () => {
  let ledger: FileEmailLedger;
  let sent: AdminPasswordEmail[];

  beforeEach(() => {
    ledger = new FileEmailLedger(path.join(dir, 'email-ledger.jsonl'));
    sent = [];
  });

  /** Behaves as the email activity does: once per key, recorded in the ledger with its meta. */
  async function sendEmail(email: AdminPasswordEmail): Promise<void> {
    if (await ledger.find(email.dedupKey)) return;
    sent.push(email);
    await ledger.record({
      key: email.dedupKey,
      messageId: `<${sent.length}@test>`,
      to: email.to,
      template: 'contact-center-admin-password',
      at: new Date().toISOString(),
      meta: email.meta,
    });
  }

  const CONSOLE_URL = 'http://localhost:4020/console';
  const signsIn = async (instanceId: string, password: string) =>
    (
      await client.request<{ valid: boolean }>('POST', `/v1/instances/${instanceId}/admin/sign-in`, {
        body: { email: 'admin@example.cn', password },
      })
    ).valid;

  it('generates a strong password, sets it, emails it with the console address, and returns no secret', async () => {
    const { instanceId } = await cc.createInstance({ ...CENTER, idempotencyKey: 'c1' });
    const admin = createAdminPasswordActivities({ client, sendEmail, ledger, consoleUrl: CONSOLE_URL });
    const issued = await admin.issueAdminPassword({
      caseId: 'instance-ent-1',
      instanceId,
      adminEmail: 'admin@example.cn',
      reissue: 0,
      dedupKey: 'instance-ent-1/admin-password/0',
    });

    expect(sent).toHaveLength(1);
    const email = sent[0]!;
    const password = email.data.password;
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(password).toMatch(/[a-z]/);
    expect(password).toMatch(/[A-Z]/);
    expect(password).toMatch(/\d/);
    expect(email).toMatchObject({
      to: 'admin@example.cn',
      data: {
        consoleUrl: CONSOLE_URL,
        adminEmail: 'admin@example.cn',
        centerName: CENTER.centerName,
        adminName: 'Li Si',
        instanceId,
      },
    });
    expect(JSON.stringify(email.meta)).not.toContain(password);

    expect(issued).toEqual({
      instanceId,
      adminEmail: 'admin@example.cn',
      passwordVersion: 1,
      passwordSetAt: expect.any(String),
      state: 'issued',
    });
    expect(JSON.stringify(issued)).not.toContain(password);
    expect(await signsIn(instanceId, password)).toBe(true);

    await sandbox.store.flush();
    const file = fs.readFileSync(dataFile, 'utf8');
    expect(file).not.toContain(password);
    expect(file).toMatch(/"passwordHash": "scrypt\$/);
    expect(fs.readFileSync(path.join(dir, 'email-ledger.jsonl'), 'utf8')).not.toContain(password);
  });

  it('a retry after delivery keeps the delivered password; a re-issue replaces it', async () => {
    const { instanceId } = await cc.createInstance({ ...CENTER, idempotencyKey: 'c1' });
    const admin = createAdminPasswordActivities({ client, sendEmail, ledger, consoleUrl: CONSOLE_URL });
    const input = {
      caseId: 'instance-ent-1',
      instanceId,
      adminEmail: 'admin@example.cn',
      reissue: 0,
      dedupKey: 'instance-ent-1/admin-password/0',
    };
    await admin.issueAdminPassword(input);
    const delivered = sent[0]!.data.password;

    expect(await admin.issueAdminPassword(input)).toEqual({
      instanceId,
      adminEmail: 'admin@example.cn',
      state: 'delivered-earlier',
    });
    expect(sent).toHaveLength(1);
    expect(await signsIn(instanceId, delivered)).toBe(true);
    expect((await cc.getInstance(instanceId))?.admin.passwordVersion).toBe(1);

    const reissued = await admin.issueAdminPassword({
      ...input,
      reissue: 1,
      dedupKey: 'instance-ent-1/admin-password/1',
    });
    expect(reissued).toMatchObject({ passwordVersion: 2, state: 'issued' });
    const fresh = sent[1]!.data.password;
    expect(fresh).not.toBe(delivered);
    expect(await signsIn(instanceId, delivered)).toBe(false);
    expect(await signsIn(instanceId, fresh)).toBe(true);
  });

  it('a send that failed leaves the retry to set a fresh password, and the emailed one is the one that works', async () => {
    const { instanceId } = await cc.createInstance({ ...CENTER, idempotencyKey: 'c1' });
    let fail = true;
    const flaky = async (email: AdminPasswordEmail) => {
      if (fail) {
        fail = false;
        throw new Error('SMTP down');
      }
      await sendEmail(email);
    };
    const admin = createAdminPasswordActivities({ client, sendEmail: flaky, ledger, consoleUrl: 'http://x/console' });
    const input = {
      caseId: 'c',
      instanceId,
      adminEmail: 'admin@example.cn',
      reissue: 0,
      dedupKey: 'c/admin-password/0',
    };
    await expect(admin.issueAdminPassword(input)).rejects.toThrow(/SMTP down/);
    expect(await admin.issueAdminPassword(input)).toMatchObject({ state: 'issued', passwordVersion: 2 });
    expect(await signsIn(instanceId, sent[0]!.data.password)).toBe(true);
  });

  it('refuses, setting nothing, when the platform names another administrator', async () => {
    const { instanceId } = await cc.createInstance({ ...CENTER, idempotencyKey: 'c1' });
    const admin = createAdminPasswordActivities({ client, sendEmail, ledger, consoleUrl: 'http://x/console' });
    const refused = await failureOf(
      admin.issueAdminPassword({ caseId: 'c', instanceId, adminEmail: 'someone@else.cn', reissue: 0, dedupKey: 'c/0' }),
    );
    expect(refused.nonRetryable).toBe(true);
    expect(sent).toEqual([]);
    expect((await cc.getInstance(instanceId))?.admin.passwordSet).toBe(false);
  });

  it('draws passwords with every required character class', () => {
    const drawn = new Set(Array.from({ length: 200 }, () => generateAdminPassword()));
    expect(drawn.size).toBe(200);
    for (const p of drawn) expect(/[a-z]/.test(p) && /[A-Z]/.test(p) && /\d/.test(p) && p.length === 20).toBe(true);
  });
});

describe('contact-center activities: failures', () => {
  it('retries outages and timeouts; a missing resource is final', async () => {
    sandbox.setFaults({ failureRate: 1 });
    const down = await failureOf(cc.listInstances('ent-1'));
    expect(down).toMatchObject({ type: 'ContactCenterUnavailable', nonRetryable: false });

    sandbox.setFaults({ failureRate: 0, timeoutRate: 1 });
    const slow = new ContactCenterClient({ baseUrl, apiKey: API_KEY, requestTimeoutMs: 100 });
    const timedOut = await failureOf(createContactCenterActivities(slow).listInstances('ent-1'));
    expect(timedOut).toMatchObject({ type: 'ContactCenterUnavailable', nonRetryable: false });

    sandbox.setFaults({ timeoutRate: 0 });
    const missing = await failureOf(cc.suspendInstance({ instanceId: 'cc-nope', idempotencyKey: 's1' }));
    expect(missing).toMatchObject({ type: 'ContactCenterNotFound', nonRetryable: true });

    const wrongKey = new ContactCenterClient({ baseUrl, apiKey: 'wrong' });
    expect(await failureOf(createContactCenterActivities(wrongKey).listInstances('ent-1'))).toMatchObject({
      type: 'ContactCenterRejected',
      nonRetryable: true,
    });
  });
});
