/**
 * Personal data in workflow histories is ciphertext: a verification's history as Temporal stores
 * it holds no resident ID number, name, phone or email; the codec endpoint shows them to a
 * signed-in support user (session cookie from the Temporal UI's origin, or a bearer token) and to
 * nobody else; a key rotation keeps the old history readable, replayable and the case running.
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import request from 'supertest';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { createApp } from '../../api/app';
import { sha256Hex, TokenRegistry } from '../../api/auth';
import { loadConfig, payloadKeyListSchema } from '../../config';
import {
  EncryptionCodec,
  generatePayloadKey,
  KEY_ID_METADATA,
  payloadCodec,
  productDataConverter,
} from '../../config/payload-encryption';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { createWorker } from '../../worker/worker';
import { LEGAL_REP_ID, legalRepApplication } from '../support/fixtures';
import { bearer, caseWhen, eventually, useHarness } from '../support/harness';
import { exportHistory } from '../support/histories';
import { TEST_PAYLOAD_KEYS } from '../support/stack';

let id: string;
let body: Awaited<ReturnType<typeof legalRepApplication>>;
const h = useHarness();
beforeAll(async () => {
  body = await legalRepApplication(h, h.enterprises.a, h.tokens.entA);
  const started = await h.api
    .post('/v1/onboardings')
    .set(...bearer(h.tokens.entA))
    .send(body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  id = started.body.id;
  await caseWhen(h, id, (c) => c.stage === 'awaiting-review', 'awaiting-review');
  const rejected = await h.api
    .post(`/v1/onboardings/${id}/actions/reject`)
    .set(...bearer(h.tokens.support))
    .send({ reasons: [{ documentKind: 'business-licence', code: 'seal-missing', message: '营业执照未加盖公章' }] });
  expect(rejected.status).toBe(200);
});

const ENCRYPTED = Buffer.from('binary/encrypted').toString('base64');
type JsonPayload = { metadata: Record<string, string>; data: string };

/** Every payload in a CLI history export that is stored encrypted. */
function encryptedPayloads(node: unknown, found: JsonPayload[] = []): JsonPayload[] {
  if (Array.isArray(node)) for (const n of node) encryptedPayloads(n, found);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ((o.metadata as Record<string, string> | undefined)?.encoding === ENCRYPTED) found.push(o as JsonPayload);
    else for (const v of Object.values(o)) encryptedPayloads(v, found);
  }
  return found;
}

/** Every search attribute set in a history export, by name. */
function indexedFields(node: unknown, found: Record<string, unknown[]> = {}): Record<string, unknown[]> {
  if (Array.isArray(node)) for (const n of node) indexedFields(n, found);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k === 'indexedFields' && v && typeof v === 'object')
        for (const [name, value] of Object.entries(v)) (found[name] ??= []).push(value);
      else indexedFields(v, found);
    }
  }
  return found;
}

/** The export's text and every base64 field decoded, so nothing hides in an encoding. */
function everything(exported: string): string {
  const decoded = [...exported.matchAll(/"([A-Za-z0-9+/]{8,}={0,2})"/g)].map((m) =>
    Buffer.from(m[1]!, 'base64').toString('utf8'),
  );
  return [exported, ...decoded].join('\n');
}

function personal(): string[] {
  return [LEGAL_REP_ID, body.legalRepresentative.name, body.contact.name, body.contact.phone, body.contact.email];
}

const decodedText = (payloads: JsonPayload[]) =>
  payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');

describe('payload encryption in histories', () => {
  it('stores no resident ID number, name, phone or email in the history', async () => {
    const stored = await exportHistory(h.client, id, 'stored');
    const payloads = encryptedPayloads(JSON.parse(stored));
    // The input, the updates (reject), activities' arguments, the memo: all encrypted.
    expect(payloads.length).toBeGreaterThan(5);
    const all = everything(stored);
    for (const value of personal()) expect(all, value).not.toContain(value);
    expect(all).not.toContain('营业执照未加盖公章');
    // Search attributes stay readable, and carry nothing personal.
    const attributes = indexedFields(JSON.parse(stored));
    expect(Object.keys(attributes)).toContain('EnterpriseId');
    for (const name of Object.keys(attributes))
      expect(name in SEARCH_ATTRIBUTES || name.startsWith('Temporal') || name === 'BuildIds', name).toBe(true);
    for (const value of personal()) expect(everything(JSON.stringify(attributes))).not.toContain(value);

    // The same history decoded with the deployment's keys has them all.
    const decoded = await exportHistory(h.client, id, 'decoded');
    for (const value of personal()) expect(decoded, value).toContain(value);
    // The console still reads the rejection out of the (encrypted) history.
    const application = await h.api.get(`/console/api/cases/${id}/application`).set(...bearer(h.tokens.support));
    expect(application.status).toBe(200);
    expect(application.body.rejection.reasons).toEqual([expect.objectContaining({ code: 'seal-missing' })]);
  });

  it('the codec endpoint decodes for signed-in support only', async () => {
    const payloads = encryptedPayloads(JSON.parse(await exportHistory(h.client, id, 'stored')));
    const uiOrigin = new URL(h.config.temporal.uiUrl).origin;

    const anonymous = await h.api.post('/codec/decode').set('Origin', uiOrigin).send({ payloads });
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(anonymous.body)).not.toContain(LEGAL_REP_ID);
    const enterprise = await h.api
      .post('/codec/decode')
      .set(...bearer(h.tokens.entA))
      .send({ payloads });
    expect(enterprise.status).toBe(403);

    // The Temporal UI's way: a preflight, then the console's session cookie, from the UI's origin.
    const preflight = await h.api
      .options('/codec/decode')
      .set('Origin', uiOrigin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-namespace');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(uiOrigin);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/X-Namespace/i);

    const signIn = await h.api.post('/console/api/session').send({ token: h.tokens.support });
    expect(signIn.status).toBe(201);
    const cookie = ([] as string[]).concat(signIn.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    const viaUi = await h.api
      .post('/codec/decode')
      .set('Origin', uiOrigin)
      .set('Cookie', cookie)
      .set('X-Namespace', h.config.temporal.namespace)
      .send({ payloads });
    expect(viaUi.status, JSON.stringify(viaUi.body)).toBe(200);
    expect(viaUi.headers['access-control-allow-origin']).toBe(uiOrigin);
    expect(viaUi.headers['cache-control']).toBe('no-store');
    expect(viaUi.body.payloads).toHaveLength(payloads.length);
    const readable = decodedText(viaUi.body.payloads);
    for (const value of personal()) expect(readable, value).toContain(value);

    // Another site's page cannot use the session; another namespace has no codec here.
    const foreign = await h.api
      .post('/codec/decode')
      .set('Origin', 'https://attacker.example')
      .set('Cookie', cookie)
      .send({ payloads });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const otherNamespace = await h.api
      .post('/codec/decode')
      .set(...bearer(h.tokens.support))
      .set('X-Namespace', 'someone-else')
      .send({ payloads });
    expect(otherNamespace.status).toBe(404);

    // Signed out, the cookie decodes nothing.
    await h.api.delete('/console/api/session').set('Cookie', cookie).set('x-csrf-token', signIn.body.csrfToken);
    const after = await h.api.post('/codec/decode').set('Origin', uiOrigin).set('Cookie', cookie).send({ payloads });
    expect(after.status).toBe(401);

    // Bad input: every failing field named.
    const bad = await h.api
      .post('/codec/decode')
      .set(...bearer(h.tokens.support))
      .send({ payloads: [{ data: 'not base64!' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'payloads.0.data' })]);
  });

  it('a key rotation keeps the old history readable and replayable, and the case running', async () => {
    const rotatedKeys = `rotated=${generatePayloadKey()},${TEST_PAYLOAD_KEYS}`;
    const rotatedConfig = loadConfig({ ...h.env, PAYLOAD_KEYS: rotatedKeys });
    const codec = payloadCodec(rotatedConfig);
    expect(codec.encryptWith).toBe('rotated');
    const oldHistory = await h.client.workflow.getHandle(id).fetchHistory();

    // Replays with the rotated keys; without the old key it cannot even read its input.
    const bundle = { codePath: inject('workflowBundlePath') };
    await Worker.runReplayHistory(
      { workflowBundle: bundle, dataConverter: productDataConverter(codec) },
      oldHistory,
      id,
    );
    const newKeyOnly = new EncryptionCodec(payloadKeyListSchema.parse(rotatedKeys).slice(0, 1));
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: bundle, dataConverter: productDataConverter(newKeyOnly) },
        oldHistory,
        id,
      ),
    ).rejects.toThrow();

    // Every process moves to the rotated keys: the worker, and an API on them.
    await h.stopWorker();
    const connection = await NativeConnection.connect({ address: h.config.temporal.address });
    const worker = await createWorker({
      config: rotatedConfig,
      connection,
      workflowBundle: bundle,
      activities: createActivities(rotatedConfig, { sipGateway: h.sipGateway }),
    });
    const running = worker.run();
    try {
      const client = new Client({
        connection: h.client.connection,
        namespace: h.config.temporal.namespace,
        dataConverter: productDataConverter(codec),
      });
      const tokens = new TokenRegistry([
        { principal: { name: 'support', role: 'support' }, tokenSha256: sha256Hex(h.tokens.support) },
        {
          principal: { name: 'A', role: 'enterprise', enterpriseId: h.enterprises.a },
          tokenSha256: sha256Hex(h.tokens.entA),
        },
      ]);
      const api = request(createApp({ config: rotatedConfig, client, tokens, sipGateway: h.sipGateway }));
      const resubmitted = await api
        .post(`/v1/onboardings/${id}/actions/resubmit`)
        .set(...bearer(h.tokens.entA))
        .send({ contact: body.contact });
      expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
      const stageOf = async () =>
        (await api.get(`/v1/onboardings/${id}`).set(...bearer(h.tokens.support))).body as {
          stage: string;
          status: string;
        };
      await eventually(async () => (await stageOf()).stage === 'awaiting-review', 30_000, 'review round 2');
      const approved = await api
        .post(`/v1/onboardings/${id}/actions/approve`)
        .set(...bearer(h.tokens.support))
        .send({ note: 'ok' });
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      await eventually(async () => (await stageOf()).status === 'completed', 30_000, 'approved under the rotated keys');

      // The history now holds payloads under both keys; the rotated API's codec endpoint reads all.
      const payloads = encryptedPayloads(JSON.parse(await exportHistory(client, id, 'stored')));
      const keyIds = new Set(payloads.map((p) => Buffer.from(p.metadata[KEY_ID_METADATA]!, 'base64').toString()));
      expect([...keyIds].sort()).toEqual(['rotated', 'test-2026']);
      const decoded = await api
        .post('/codec/decode')
        .set(...bearer(h.tokens.support))
        .send({ payloads });
      expect(decoded.status).toBe(200);
      expect(decodedText(decoded.body.payloads)).toContain(LEGAL_REP_ID);
      const encoded = await api
        .post('/codec/encode')
        .set(...bearer(h.tokens.support))
        .send({ payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: 'e30=' }] });
      expect(encoded.status).toBe(200);
      expect(Buffer.from(encoded.body.payloads[0].metadata[KEY_ID_METADATA], 'base64').toString()).toBe('rotated');

      // And the whole history, old and new payloads together, replays with the rotated keys.
      const full = await client.workflow.getHandle(id).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: productDataConverter(codec) }, full, id);
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  });
});
