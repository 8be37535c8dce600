/**
 * A whole product stack, importable outside vitest (the integration harness, `npm run bench`,
 * `npm run chaos`): a Temporal dev server (the built CLI through @temporalio/testing's
 * `existing-path`), the workflow bundle, and per stack a worker on its own task queue (in this
 * process or a child process), real SMTP into an in-process catcher, the billing sandbox
 * in-process, and the API app listening on a port (also driven with supertest). Tenants and
 * tokens get fresh ids per stack.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { freePort, untilHealthy } from './http';
import { createActivities, createSipGateway } from '../../activities';
import type { SipGateway } from '../../activities/sip-gateway';
import { apiMetricsFor, createApp } from '../../api/app';
import { createMetricsApp } from '../../api/metrics';
import { sha256Hex, TokenRegistry, type Principal } from '../../api/auth';
import { loadConfig, type Config } from '../../config';
import { payloadCodec, productDataConverter } from '../../config/payload-encryption';
import { resolveTemporalCli } from '../../dev/temporal-cli';
import type { OnboardingResource } from '../../domain/onboarding';
import { SEARCH_ATTRIBUTE_KEYS } from '../../domain/search-attributes';
import { createBillingSandbox, type BillingSandbox } from '../../sandboxes/billing/app';
import { createContactCenterSandbox, type ContactCenterSandbox } from '../../sandboxes/contact-center/app';
import type { RequestLogEntry } from '../../sandboxes/common/json-store';
import { createWorker } from '../../worker/worker';
import type { Resolver } from '../../activities/webhooks';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The suite's payload key: fixed, so histories recorded by `npm run record-histories` replay
 * (test/integration/replay.test.ts decodes with it). A test key, never a deployment's.
 */
export const TEST_PAYLOAD_KEYS = 'test-2026=hjW4yNPTBK2zbMXojACEj7rjKkGqDABMA/fJzLWVKqs=';
export const WORKER_PROCESS_SCRIPT = path.join(__dirname, 'worker-process.ts');

// ---------------------------------------------------------------------------------------------
// Temporal dev server and workflow bundle
// ---------------------------------------------------------------------------------------------

export interface TemporalServer {
  address: string;
  port: number;
  /** The CLI binary the server runs (for `temporal --version`, `workflow show`). */
  executable: string;
  dbFilename?: string;
  stop(): Promise<void>;
}

export interface TemporalServerOptions {
  /** SQLite file: the server's state survives a stop and a start on the same file. Default: in memory. */
  dbFilename?: string;
  /** Default: a free port. A restart passes the port it had. */
  port?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/** One Temporal dev server with the product's search attributes registered. */
export async function startTemporalServer(options: TemporalServerOptions = {}): Promise<TemporalServer> {
  const executable = await resolveTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: executable },
      ip: '127.0.0.1',
      ...(options.port ? { port: options.port } : {}),
      ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
      searchAttributes: SEARCH_ATTRIBUTE_KEYS,
      log: { format: 'pretty', level: options.logLevel ?? 'error' },
    },
  });
  const address = env.connection.options.address;
  return {
    address,
    port: Number(address.split(':').pop()),
    executable,
    dbFilename: options.dbFilename,
    stop: () => env.teardown(),
  };
}

const noop = () => undefined;
export const quietLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: console.warn,
  error: console.error,
  log: noop,
};

/** Bundles workflow code once into a file a worker loads with `workflowBundle: { codePath }`. */
export async function bundleWorkflows(
  workflowsPath = path.join(ROOT, 'workflows', 'index.ts'),
  name = 'workflows-bundle',
): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'onboarding-bundle-'));
  const bundlePath = path.join(dir, `${name}.js`);
  await writeFile(bundlePath, code);
  return bundlePath;
}

// ---------------------------------------------------------------------------------------------
// SMTP
// ---------------------------------------------------------------------------------------------

export interface ReceivedEmail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
  event: string;
  caseId: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

export interface MailCatcherOptions {
  /**
   * Read only the headers (case, event, Message-ID, To); subject, text and attachments stay
   * empty. For runs of thousands of emails, where parsing each whole message costs CPU the
   * measured system would otherwise have.
   */
  headersOnly?: boolean;
}

export class MailCatcher {
  readonly messages: ReceivedEmail[] = [];
  private server: SMTPServer | undefined;
  private readonly sockets = new Set<Socket>();
  /** Mailboxes this server says do not exist (a permanent 550 to RCPT TO). */
  readonly refused = new Set<string>();
  port = 0;

  constructor(private readonly options: MailCatcherOptions = {}) {}

  /** Listens on `port` (0: a free one). Starting again after `stop()` on the same port is an outage ending. */
  async start(port = this.port): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 1_000,
      onRcptTo: (address, _session, callback) => {
        if (!this.refused.has(address.address.toLowerCase())) return callback();
        callback(Object.assign(new Error(`mailbox ${address.address} unavailable`), { responseCode: 550 }));
      },
      onData: (stream, _session, callback) => {
        const parsed = this.options.headersOnly ? parseHeadersOnly(stream) : parseWhole(stream);
        parsed
          .then((mail) => {
            this.messages.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    // A worker killed mid-conversation (a chaos test's SIGKILL) resets its pooled connection: the
    // server reports it as an error, which is the client's end, not the sink's.
    this.server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') console.error('test SMTP server:', err);
    });
    this.server.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.server.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops open connections (an outage, as a client sees it). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  forCase(caseId: string): ReceivedEmail[] {
    return this.messages.filter((m) => m.caseId === caseId);
  }
}

async function parseWhole(stream: NodeJS.ReadableStream): Promise<ReceivedEmail> {
  const mail = await simpleParser(stream as never);
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return {
    to: to?.value[0]?.address ?? '',
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    messageId: mail.messageId ?? '',
    event: String(mail.headers.get('x-onboarding-event') ?? ''),
    caseId: String(mail.headers.get('x-onboarding-case') ?? ''),
    attachments: mail.attachments.map((a) => ({
      filename: a.filename ?? '',
      contentType: a.contentType,
      content: a.content,
    })),
  };
}

async function parseHeadersOnly(stream: NodeJS.ReadableStream): Promise<ReceivedEmail> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  const raw = Buffer.concat(chunks).toString('latin1');
  const end = raw.search(/\r?\n\r?\n/);
  // Unfold continuation lines, then read `Name: value` pairs.
  const headers = (end >= 0 ? raw.slice(0, end) : raw).replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
  const get = (name: string) => {
    const line = headers.find((h) => h.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    return line ? line.slice(name.length + 1).trim() : '';
  };
  const to = get('to');
  return {
    to: /<([^>]+)>/.exec(to)?.[1] ?? to,
    subject: '',
    text: '',
    messageId: get('message-id'),
    event: get('x-onboarding-event'),
    caseId: get('x-onboarding-case'),
    attachments: [],
  };
}

// ---------------------------------------------------------------------------------------------
// A worker in its own process
// ---------------------------------------------------------------------------------------------

/** A worker in a child process (test/support/worker-process.ts or another script of that protocol). */
/** A child process that never outlives this one (an interrupted bench, a crashed test): its exit code once it exits. */
function reapedOnExit(child: ChildProcess): Promise<number | null> {
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      process.off('exit', reap);
      resolve(code);
    }),
  );
}

/** The API in a process of its own (`api/main.ts`), ready once its health check answers. */
class ApiProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly exited: Promise<number | null>,
  ) {}

  static async spawn(env: Record<string, string>, tokensFile: string, url: string): Promise<ApiProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'api', 'main.ts')], {
      env: { ...process.env, ...env, API_TOKENS_FILE: tokensFile },
      stdio: ['ignore', 'ignore', 'inherit'],
      cwd: ROOT,
    });
    const exited = reapedOnExit(child);
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    await untilHealthy(`${url}/healthz`, {
      timeoutMs: 60_000,
      gone: () => (exitCode !== undefined ? `the API process exited (${exitCode}) before it answered` : undefined),
      late: () => 'the API process did not answer /healthz within 60 s',
    });
    return new ApiProcess(child, exited);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

export class WorkerProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly exited: Promise<number | null>,
  ) {}

  static async spawn(env: Record<string, string | undefined>, script = WORKER_PROCESS_SCRIPT): Promise<WorkerProcess> {
    // --expose-gc: the bench collects the main thread's garbage before it reads memory.
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      cwd: ROOT,
    });
    const exited = reapedOnExit(child);
    await new Promise<void>((resolve, reject) => {
      const early = (code: number | null) => reject(new Error(`worker process exited early with ${code}`));
      void exited.then(early);
      child.stdout!.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        if (text.includes('worker-ready')) resolve();
        // Anything else the worker prints goes on to this process's output.
        const rest = text.replace(/worker-ready\n?/g, '');
        if (rest) process.stdout.write(rest);
      });
    });
    return new WorkerProcess(child, exited);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /**
   * process.memoryUsage() of the worker process, as it reports it; with `collect`, after a full
   * garbage collection of its main thread (the workflow threads collect on their own).
   */
  memory(options: { collect?: boolean } = {}): Promise<NodeJS.MemoryUsage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('worker process did not report its memory')), 5_000);
      const onMessage = (message: unknown) => {
        const m = message as { type?: string } & NodeJS.MemoryUsage;
        if (m?.type !== 'rss' || typeof m.rss !== 'number') return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(m);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'rss', ...(options.collect ? { collect: true } : {}) });
    });
  }

  /** process.memoryUsage().rss of the worker process. */
  async rss(): Promise<number> {
    return (await this.memory()).rss;
  }

  /** Sends `signal` and waits for the exit; a process still there after 15 s is killed. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// The stack
// ---------------------------------------------------------------------------------------------

export interface Stack {
  config: Config;
  client: Client;
  /** The API app through supertest (no network); `apiUrl` is the same app listening for real. */
  api: ReturnType<typeof request>;
  /** The API's metrics listener (its own port in production), through supertest. */
  metrics: ReturnType<typeof request>;
  mail: MailCatcher;
  billing: BillingSandbox;
  /** The contact-center platform's sandbox, in this process (its fault switches: `setFaults`). */
  contactCenter: ContactCenterSandbox;
  sipGateway: SipGateway;
  apiUrl: string;
  /** The in-process worker, when the worker runs in this process. */
  worker: Worker | undefined;
  /** The worker's process, when it runs in a child process. */
  workerProcess: WorkerProcess | undefined;
  /** The API's process id, when the API runs in a child process. */
  apiPid: number | undefined;
  tokens: { support: string; admin: string; entA: string; entB: string };
  enterprises: { a: string; b: string };
  suffix: string;
  /** Starts the worker (again): a fresh one on the same task queue, in the stack's worker mode. */
  startWorker(): Promise<void>;
  /** Stops the worker: gracefully in this process, by SIGTERM (or the signal given) in a child. */
  stopWorker(signal?: NodeJS.Signals): Promise<void>;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StackOptions {
  temporalAddress: string;
  workflowBundlePath: string;
  /** Configuration on top of the test profile's (see `config/index.ts`). */
  env?: Record<string, string>;
  /** A SIP gateway double, e.g. one that fails, in place of the recording gateway (in-process worker only). */
  sipGateway?: SipGateway;
  /** Where the worker runs. Default: in this process. */
  worker?: 'in-process' | 'child' | 'none';
  /**
   * Where the API serves `apiUrl`: in this process (default), or in its own process as `npm start`
   * and compose run it (`api/main.ts`, the stack's principals in a tokens file), so a load
   * generator in this process does not share the API's event loop.
   */
  api?: 'in-process' | 'child';
  /** The API's port. Default: a free one. */
  apiPort?: number;
  mail?: MailCatcherOptions;
  /** Tokens beyond the four of every stack (support, admin, enterprises A and B). */
  extraTokens?: [string, Principal][];
  /** Billing sandbox: how long a simulated timeout holds a request (default 30 s). */
  billingTimeoutHoldMs?: number;
  /** Name resolution for webhook URLs, in the API and the in-process worker (default: the system's). */
  resolve?: Resolver;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const env = options.env ?? {};
  const suffix = randomUUID().slice(0, 8);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'onboarding-test-'));
  const mail = new MailCatcher(options.mail);
  await mail.start(0);

  // The API listens for real, so the billing sandbox can deliver signed webhooks to it.
  const apiServer = http.createServer();
  apiServer.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => apiServer.listen(options.apiPort ?? 0, '127.0.0.1', resolve));
  const apiPort = (apiServer.address() as AddressInfo).port;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  // An API process takes the port over.
  if (options.api === 'child') await new Promise((resolve) => apiServer.close(resolve));
  const webhookSecret = `test-webhook-secret-${suffix}`;

  const billing = createBillingSandbox({
    dataFile: path.join(dataDir, 'billing.json'),
    apiKey: 'test-billing-key',
    webhookUrl: `${apiUrl}/v1/webhooks/billing`,
    webhookSecret,
    invoiceDelayMs: Number(env.BILLING_INVOICE_DELAY_MS ?? 1_000),
    ...(options.billingTimeoutHoldMs !== undefined ? { timeoutHoldMs: options.billingTimeoutHoldMs } : {}),
  });
  const billingServer = billing.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => billingServer.once('listening', resolve));
  const billingPort = (billingServer.address() as AddressInfo).port;

  const contactCenterApiKey = `test-contact-center-key-${suffix}`;
  const contactCenter = createContactCenterSandbox({
    dataFile: path.join(dataDir, 'contact-center.json'),
    apiKey: contactCenterApiKey,
    timeoutHoldMs: 5_000,
  });
  const contactCenterServer = contactCenter.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => contactCenterServer.once('listening', resolve));
  const contactCenterUrl = `http://127.0.0.1:${(contactCenterServer.address() as AddressInfo).port}`;

  const fullEnv: Record<string, string> = {
    APP_PROFILE: 'test',
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: `onboarding-test-${suffix}`,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mail.port),
    BILLING_URL: `http://127.0.0.1:${billingPort}`,
    BILLING_API_KEY: 'test-billing-key',
    BILLING_WEBHOOK_SECRET: webhookSecret,
    CONTACT_CENTER_URL: contactCenterUrl,
    CONTACT_CENTER_API_KEY: contactCenterApiKey,
    API_PUBLIC_URL: apiUrl,
    VERIFICATION_REVIEW_SLA: '1h',
    VERIFICATION_RESUBMISSION_WINDOW: '1h',
    PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    ...env,
  };
  const config = loadConfig(fullEnv);
  const connection = await Connection.connect({ address: config.temporal.address });
  // Payloads encrypted as in every profile; the worker reads the same keys from its configuration.
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: productDataConverter(payloadCodec(config)),
  });

  const enterprises = { a: `ent-a-${suffix}`, b: `ent-b-${suffix}` };
  const tokens = {
    support: `support-${suffix}`,
    admin: `admin-${suffix}`,
    entA: `enta-${suffix}`,
    entB: `entb-${suffix}`,
  };
  const principals: [string, Principal][] = [
    [tokens.support, { name: 'test support', role: 'support' }],
    [tokens.admin, { name: 'test admin', role: 'admin' }],
    [tokens.entA, { name: 'enterprise A', role: 'enterprise', enterpriseId: enterprises.a }],
    [tokens.entB, { name: 'enterprise B', role: 'enterprise', enterpriseId: enterprises.b }],
    ...(options.extraTokens ?? []),
  ];
  const registry = new TokenRegistry(
    principals.map(([token, principal]) => ({ principal, tokenSha256: sha256Hex(token) })),
  );
  // One gateway for the API's checks and the worker's activities.
  const sipGateway = options.sipGateway ?? createSipGateway(config);
  const metrics = apiMetricsFor(config, client);
  const app = createApp({
    config,
    client,
    tokens: registry,
    sipGateway,
    metrics,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  let apiProcess: ApiProcess | undefined;
  if (options.api === 'child') {
    const tokensFile = path.join(dataDir, 'api-tokens.json');
    await writeFile(
      tokensFile,
      JSON.stringify(principals.map(([token, p]) => ({ ...p, tokenSha256: sha256Hex(token) }))),
    );
    apiProcess = await ApiProcess.spawn(
      { ...fullEnv, API_HOST: '127.0.0.1', API_PORT: String(apiPort), METRICS_PORT: String(await freePort()) },
      tokensFile,
      apiUrl,
    );
  } else {
    apiServer.on('request', app);
  }

  const mode = options.worker ?? 'in-process';
  let nativeConnection: NativeConnection | undefined;
  let worker: Worker | undefined;
  let workerProcess: WorkerProcess | undefined;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    if (mode === 'none') return;
    if (mode === 'child') {
      workerProcess = await WorkerProcess.spawn({ ...fullEnv, WORKFLOW_BUNDLE_PATH: options.workflowBundlePath });
      return;
    }
    nativeConnection ??= await NativeConnection.connect({ address: config.temporal.address });
    worker = await createWorker({
      config,
      connection: nativeConnection,
      workflowBundle: { codePath: options.workflowBundlePath },
      activities: createActivities(config, { sipGateway, ...(options.resolve ? { resolve: options.resolve } : {}) }),
    });
    running = worker.run();
  };
  const stopWorker = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (workerProcess) {
      await workerProcess.kill(signal);
      workerProcess = undefined;
      return;
    }
    if (!running) return;
    if (worker!.getState() === 'RUNNING') worker!.shutdown();
    await running;
    running = undefined;
  };
  await startWorker();

  const stack: Stack = {
    config,
    client,
    api: request(app),
    metrics: request(createMetricsApp(metrics)),
    mail,
    billing,
    contactCenter,
    sipGateway,
    apiUrl,
    get worker() {
      return worker;
    },
    get workerProcess() {
      return workerProcess;
    },
    apiPid: apiProcess?.child.pid,
    tokens,
    enterprises,
    suffix,
    startWorker,
    stopWorker,
    env: fullEnv,
    async stop() {
      await stopWorker('SIGKILL');
      await nativeConnection?.close();
      await connection.close();
      await billing.close();
      billingServer.closeAllConnections();
      await new Promise((resolve) => billingServer.close(resolve));
      await contactCenter.close();
      contactCenterServer.closeAllConnections();
      await new Promise((resolve) => contactCenterServer.close(resolve));
      await apiProcess?.kill();
      if (apiServer.listening) {
        apiServer.closeAllConnections();
        await new Promise((resolve) => apiServer.close(resolve));
      }
      await mail.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

export function bearer(token: string): [string, string] {
  return ['Authorization', `Bearer ${token}`];
}

/** Polls until `check` returns a value (not undefined/false) or the time runs out. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  label = 'condition',
  intervalMs = 150,
): Promise<T> {
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
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Reads a case through the API until it satisfies `predicate`. */
export async function caseWhen(
  h: Stack,
  id: string,
  predicate: (c: OnboardingResource) => boolean,
  label = 'case state',
  timeoutMs = 30_000,
): Promise<OnboardingResource> {
  return eventually(
    async () => {
      const res = await h.api.get(`/v1/onboardings/${id}`).set(...bearer(h.tokens.support));
      return res.status === 200 && predicate(res.body as OnboardingResource)
        ? (res.body as OnboardingResource)
        : undefined;
    },
    timeoutMs,
    label,
  );
}

/** Calls a sandbox (billing, the contact-center platform) as the product does: API key, idempotency key on writes. */
export async function sandboxCall<T = any>(
  service: { url: string; apiKey: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${service.apiKey}`,
      'content-type': 'application/json',
      ...(method === 'GET' ? {} : { 'idempotency-key': `test-${randomUUID()}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Calls one of the stack's sandboxes, as configured for it, the way the product does. */
export function sandboxCaller(service: 'billing' | 'contactCenter') {
  return <T = any>(h: Pick<Stack, 'config'>, method: string, path: string, body?: unknown) =>
    sandboxCall<T>(h.config[service], method, path, body);
}

/** Calls the billing sandbox as the product does. */
export const billingCall = sandboxCaller('billing');

/** The billing sandbox's log of writes (`GET /_sandbox/requests`). */
export type SandboxRequest = RequestLogEntry;

export async function sandboxRequests(
  h: Pick<Stack, 'config'>,
  query: { method?: string; path?: string } = {},
): Promise<SandboxRequest[]> {
  const qs = new URLSearchParams(query as Record<string, string>).toString();
  const res = await fetch(`${h.config.billing.url}/_sandbox/requests${qs ? `?${qs}` : ''}`);
  return ((await res.json()) as { requests: SandboxRequest[] }).requests;
}

// ---------------------------------------------------------------------------------------------
// Proof that a kill landed mid-activity
// ---------------------------------------------------------------------------------------------

/** The activities a worker holds for this case now (started, not finished), with the worker that holds each. */
export async function runningActivities(
  client: Client,
  workflowId: string,
): Promise<{ activityType: string; attempt: number; workerIdentity: string }[]> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  return (
    (raw.pendingActivities ?? [])
      // PENDING_ACTIVITY_STATE_STARTED: a worker holds the attempt.
      .filter((a) => Number(a.state) === 2)
      .map((a) => ({
        activityType: a.activityType?.name ?? '',
        attempt: a.attempt ?? 1,
        workerIdentity: a.lastWorkerIdentity ?? '',
      }))
  );
}

/** Waits until the case has an activity of this type running on a worker (started, not finished). */
export async function activityRunning(
  client: Client,
  workflowId: string,
  activityType: string,
  timeoutMs = 20_000,
): Promise<{ attempt: number }> {
  return eventually(
    async () => (await runningActivities(client, workflowId)).find((a) => a.activityType === activityType),
    timeoutMs,
    `${activityType} running`,
    50,
  );
}

/** The attempt that completed an activity of this type, from the case's history (1: no retry was needed). */
export async function completedAttempt(client: Client, workflowId: string, activityType: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const startedAttempt = new Map<string, number>();
  let attempt = 0;
  for (const e of history.events ?? []) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes)
      scheduled.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    if (e.activityTaskStartedEventAttributes)
      startedAttempt.set(
        String(e.activityTaskStartedEventAttributes.scheduledEventId),
        e.activityTaskStartedEventAttributes.attempt ?? 1,
      );
    if (e.activityTaskCompletedEventAttributes) {
      const s = String(e.activityTaskCompletedEventAttributes.scheduledEventId);
      if (scheduled.get(s) === activityType) attempt = Math.max(attempt, startedAttempt.get(s) ?? 1);
    }
  }
  if (attempt === 0) throw new Error(`no completed ${activityType} in ${workflowId}`);
  return attempt;
}
