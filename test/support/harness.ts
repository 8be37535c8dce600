/**
 * A whole product stack for one test file: a worker on its own task queue against the suite's
 * Temporal server, real SMTP (an in-process server the test reads), the billing sandbox
 * in-process, and the API app driven with supertest. Tenants get fresh ids per harness.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { inject } from 'vitest';
import http from 'node:http';
import { createActivities, createSipGateway } from '../../activities';
import type { SipGateway } from '../../activities/sip-gateway';
import { createApp } from '../../api/app';
import { sha256Hex, TokenRegistry, type Principal } from '../../api/auth';
import { loadConfig, type Config } from '../../config';
import type { OnboardingResource } from '../../domain/onboarding';
import { createBillingSandbox, type BillingSandbox } from '../../sandboxes/billing/app';
import { createWorker } from '../../worker/worker';

export interface ReceivedEmail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
  event: string;
  caseId: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

export class MailCatcher {
  readonly messages: ReceivedEmail[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
            this.messages.push({
              to: to?.value[0]?.address ?? '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              messageId: mail.messageId ?? '',
              event: String(mail.headers.get('x-onboarding-event') ?? ''),
              caseId: String(mail.headers.get('x-onboarding-case') ?? ''),
              attachments: mail.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: a.content })),
            });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  forCase(caseId: string): ReceivedEmail[] {
    return this.messages.filter((m) => m.caseId === caseId);
  }
}

export interface Harness {
  config: Config;
  client: Client;
  api: ReturnType<typeof request>;
  mail: MailCatcher;
  billing: BillingSandbox;
  sipGateway: SipGateway;
  apiUrl: string;
  worker: Worker;
  tokens: { support: string; admin: string; entA: string; entB: string };
  enterprises: { a: string; b: string };
  /** Restarts the in-process worker (a fresh one on the same task queue). */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** A SIP gateway double, e.g. one that fails, in place of the recording gateway. */
  sipGateway?: SipGateway;
}

export async function startHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const suffix = randomUUID().slice(0, 8);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'onboarding-test-'));
  const mail = new MailCatcher();
  await mail.start();

  // The API listens for real, so the billing sandbox can deliver signed webhooks to it.
  const apiServer = http.createServer();
  await new Promise<void>((resolve) => apiServer.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;
  const webhookSecret = `test-webhook-secret-${suffix}`;

  const billing = createBillingSandbox({
    dataFile: path.join(dataDir, 'billing.json'),
    apiKey: 'test-billing-key',
    webhookUrl: `${apiUrl}/v1/webhooks/billing`,
    webhookSecret,
    invoiceDelayMs: Number(env.BILLING_INVOICE_DELAY_MS ?? 1_000),
  });
  const billingServer = billing.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => billingServer.once('listening', resolve));
  const billingPort = (billingServer.address() as AddressInfo).port;

  const fullEnv: Record<string, string> = {
    APP_PROFILE: 'test',
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `onboarding-test-${suffix}`,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mail.port),
    BILLING_URL: `http://127.0.0.1:${billingPort}`,
    BILLING_API_KEY: 'test-billing-key',
    BILLING_WEBHOOK_SECRET: webhookSecret,
    API_PUBLIC_URL: apiUrl,
    VERIFICATION_REVIEW_SLA: '1h',
    VERIFICATION_RESUBMISSION_WINDOW: '1h',
    ...env,
  };
  const config = loadConfig(fullEnv);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });

  const enterprises = { a: `ent-a-${suffix}`, b: `ent-b-${suffix}` };
  const tokens = { support: `support-${suffix}`, admin: `admin-${suffix}`, entA: `enta-${suffix}`, entB: `entb-${suffix}` };
  const principals: [string, Principal][] = [
    [tokens.support, { name: 'test support', role: 'support' }],
    [tokens.admin, { name: 'test admin', role: 'admin' }],
    [tokens.entA, { name: 'enterprise A', role: 'enterprise', enterpriseId: enterprises.a }],
    [tokens.entB, { name: 'enterprise B', role: 'enterprise', enterpriseId: enterprises.b }],
  ];
  const registry = new TokenRegistry(principals.map(([token, principal]) => ({ principal, tokenSha256: sha256Hex(token) })));
  const app = createApp({ config, client, tokens: registry });
  apiServer.on('request', app);
  const sipGateway = options.sipGateway ?? createSipGateway(config);

  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  let worker!: Worker;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    worker = await createWorker({
      config,
      connection: nativeConnection,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities(config, { sipGateway }),
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    if (!running) return;
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    running = undefined;
  };
  await startWorker();

  const harness: Harness = {
    config,
    client,
    api: request(app),
    mail,
    billing,
    sipGateway,
    apiUrl,
    get worker() {
      return worker;
    },
    tokens,
    enterprises,
    startWorker,
    stopWorker,
    env: fullEnv,
    async stop() {
      await stopWorker();
      await nativeConnection.close();
      await connection.close();
      await billing.close();
      await new Promise((resolve) => billingServer.close(resolve));
      await new Promise((resolve) => apiServer.close(resolve));
      await mail.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

export function bearer(token: string): [string, string] {
  return ['Authorization', `Bearer ${token}`];
}

/** Polls until `check` returns a value (not undefined/false) or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, label = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Reads a case through the API until it satisfies `predicate`. */
export async function caseWhen(h: Harness, id: string, predicate: (c: OnboardingResource) => boolean, label = 'case state', timeoutMs = 30_000): Promise<OnboardingResource> {
  return eventually(
    async () => {
      const res = await h.api.get(`/v1/onboardings/${id}`).set(...bearer(h.tokens.support));
      return res.status === 200 && predicate(res.body as OnboardingResource) ? (res.body as OnboardingResource) : undefined;
    },
    timeoutMs,
    label,
  );
}

/** Calls the billing sandbox as the product does (API key, idempotency key). */
export async function billingCall<T = any>(h: Harness, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${h.config.billing.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${h.config.billing.apiKey}`,
      'content-type': 'application/json',
      ...(method === 'GET' ? {} : { 'idempotency-key': `test-${randomUUID()}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
