/**
 * The cluster topology (`npm run cluster`): the Temporal server built from the module the CLI
 * embeds, on PostgreSQL with SQL visibility (databases of its own, made afresh), two worker
 * processes and two API processes sharing one product database (documents, email ledger).
 *
 * - Onboardings spread over both APIs (each enterprise uploads through one and starts through the
 *   other) while one worker is killed with SIGKILL again and again and one API process is
 *   restarted: every case completes, one debit per purchase, exactly one email per transition
 *   across both workers, and no 5xx to a client that retries with its Idempotency-Key.
 * - The Temporal server killed with SIGKILL and started again on its databases mid-run: every case
 *   completes.
 *
 * Addresses: the server and the second API on this file's loopback /24.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { BenchContext } from '../../bench/kinds';
import { ApiClient, sleep } from '../../bench/util';
import { loadConfig } from '../../config';
import {
  defaultLayout,
  ensureDatabase,
  ensureNamespace,
  serverArgs,
  serverConfig,
  setupTemporalSchemas,
  writeConfig,
  type ClusterLayout,
} from '../../dev/cluster';
import { POSTGRES } from '../../dev/prerequisites';
import { ensureSearchAttributes } from '../../dev/supervisor';
import { resolveTemporalCli } from '../../dev/temporal-cli';
import { resolveClusterTools, type ClusterTools } from '../../dev/temporal-server';
import type { DocumentKind } from '../../domain/verification';
import { WorkerProcess, type Stack, type TemporalServer } from '../support/stack';
import {
  Answers,
  approver,
  atLeastOne,
  chaosEnterprises,
  chaosStack,
  checkOnboarded,
  completedAfterKill,
  context,
  killWorkerHolding,
  onboard,
  pool,
  runningCases,
  scenario,
  untilActivityRuns,
  type ChaosEnterprise,
  type HeldActivity,
  type Onboarded,
} from './support';
import { loopbackNet } from '../support/net';

const HOST = `${loopbackNet(83)}.1`;
const FRONTEND_PORT = 7233;
const API2_PORT = 3000;
const ENTERPRISES = atLeastOne('CHAOS_CLUSTER_ENTERPRISES', 100);
const KILLS = atLeastOne('CHAOS_CLUSTER_KILLS', 4);
const KILL_EVERY_MS = Number(process.env.CHAOS_CLUSTER_KILL_EVERY_MS ?? 15_000);
const RESTART_ENTERPRISES = atLeastOne('CHAOS_CLUSTER_RESTART_ENTERPRISES', 40);
const DOWN_MS = Number(process.env.CHAOS_CLUSTER_DOWN_MS ?? 10_000);

const run = Date.now().toString(36);
const PRODUCT_DB = `onboarding_chaos_${run}`;
const POSTGRES_URL = `postgres://postgres@${POSTGRES.host}:${POSTGRES.port}`;
const layout: ClusterLayout = {
  ...defaultLayout(FRONTEND_PORT, HOST),
  databases: { persistence: 'temporal_chaos', visibility: 'temporal_chaos_visibility' },
};

/** The Temporal server of the cluster, in a child process; `kill` and `start` again on the same databases. */
class ClusterServer implements TemporalServer {
  readonly address = `${HOST}:${FRONTEND_PORT}`;
  readonly port = FRONTEND_PORT;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stderr: string[] = [];

  constructor(
    readonly executable: string,
    private readonly tools: ClusterTools,
    private readonly dir: string,
  ) {}

  async start(): Promise<void> {
    const child = spawn(this.tools.server, serverArgs(this.dir), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk.toString());
      this.stderr = this.stderr.slice(-20);
    });
    const deadline = Date.now() + 90_000;
    const signal = AbortSignal.timeout(120_000);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the Temporal server exited: ${this.stderr.join('')}`);
      const described = await fetch(`http://${HOST}:${layout.serverPorts.http}/api/v1/namespaces/default`, {
        signal: AbortSignal.timeout(2_000),
      }).catch(() => undefined);
      if (described && described.status < 500) break;
      if (Date.now() > deadline) throw new Error(`the Temporal server did not answer: ${this.stderr.join('')}`);
      await sleep(500);
    }
    await ensureNamespace(this.executable, this.address, 'default', '24h', signal);
    await ensureSearchAttributes(
      this.executable,
      this.address,
      'default',
      'the test made its databases afresh',
      signal,
    );
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    this.child?.kill(signal);
    await this.exited;
  }

  stop(): Promise<void> {
    return this.kill('SIGTERM');
  }
}

/** The second API process (`api/main.ts`), with the stack's configuration and tokens. */
class ApiProcess {
  private child: ChildProcess | undefined;
  readonly url = `http://${HOST}:${API2_PORT}`;

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      env: { ...process.env, ...this.env, API_HOST: HOST, API_PORT: String(API2_PORT) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.child = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the second API exited with ${child.exitCode}`);
      const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      if (res?.ok) return;
      if (Date.now() > deadline) throw new Error('the second API did not become healthy');
      await sleep(250);
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** Uploads through one API and everything else through the other. */
class CrossingApi extends ApiClient {
  constructor(
    baseUrl: string,
    private readonly uploads: ApiClient,
  ) {
    super(baseUrl);
  }

  override upload(token: string, kind: DocumentKind, bytes: Buffer, enterpriseId?: string) {
    return this.uploads.upload(token, kind, bytes, enterpriseId);
  }
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${POSTGRES_URL}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

let dir: string;
let server: ClusterServer;
let stack: Stack;
let worker2: WorkerProcess;
let api2: ApiProcess;
const { list, tokens } = chaosEnterprises(`c${run}`, ENTERPRISES + RESTART_ENTERPRISES);

beforeAll(async () => {
  // Built once per machine (minutes); afterwards only looked up.
  const tools = await resolveClusterTools();
  const cli = await resolveTemporalCli();
  await admin(async (c) => {
    for (const db of Object.values(layout.databases)) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  });
  await setupTemporalSchemas(tools.sqlTool, layout);
  await ensureDatabase(`${POSTGRES_URL}/${PRODUCT_DB}`);
  dir = await mkdtemp(path.join(os.tmpdir(), 'chaos-cluster-'));
  writeConfig(dir, 'cluster', serverConfig(loadConfig({ TEMPORAL_ADDRESS: `${HOST}:${FRONTEND_PORT}` }), layout));
  server = new ClusterServer(cli, tools, dir);
  await server.start();

  stack = await chaosStack(server, { DATABASE_URL: `${POSTGRES_URL}/${PRODUCT_DB}` }, tokens);
  worker2 = await WorkerProcess.spawn({ ...stack.env, WORKFLOW_BUNDLE_PATH: inject('chaosBundlePath') });
  const tokensFile = path.join(dir, 'tokens.json');
  const principals = [
    { name: 'chaos support', role: 'support', token: stack.tokens.support },
    ...list.map((e) => ({ name: `chaos ${e.id}`, role: 'enterprise', enterpriseId: e.id, token: e.token })),
  ];
  await writeFile(
    tokensFile,
    JSON.stringify(
      principals.map(({ token, ...p }) => ({ ...p, tokenSha256: createHash('sha256').update(token).digest('hex') })),
    ),
  );
  api2 = new ApiProcess({ ...stack.env, API_TOKENS_FILE: tokensFile });
  await api2.start();
}, 20 * 60_000);

afterAll(async () => {
  await api2?.stop('SIGKILL');
  await worker2?.kill('SIGKILL');
  await stack?.stop();
  await server?.kill('SIGKILL');
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${PRODUCT_DB} WITH (FORCE)`);
    for (const db of Object.values(layout.databases)) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Enterprise i uploads through one API and starts and reads through the other, alternating. */
function crossing(i: number): BenchContext {
  const ctx = context(stack);
  const one = new ApiClient(stack.apiUrl);
  const two = new ApiClient(api2.url);
  return { ...ctx, api: i % 2 === 0 ? new CrossingApi(one.baseUrl, two) : new CrossingApi(two.baseUrl, one) };
}

async function onboardAll(enterprises: ChaosEnterprise[], offset: number, answers: Answers): Promise<Onboarded[]> {
  return pool(enterprises.length, 25, (i) =>
    onboard(crossing(offset + i), enterprises[i]!, offset + i, answers, { purchase: true }),
  );
}

it(
  `completes ${ENTERPRISES * 2} onboardings over two APIs while a worker is killed and an API restarted`,
  async () => {
    await scenario(
      `cluster (Temporal 1.29.1 on PostgreSQL, 2 workers, 2 APIs): worker SIGKILL ×${KILLS} and an API restarted during ${ENTERPRISES * 2} onboardings`,
      async () => {
        const ctx = context(stack);
        const auto = approver(ctx);
        auto.start();
        stack.billing.setFaults({ latencyMs: 300 });
        const answers = new Answers();
        let finished = false;
        const began = Date.now();
        const at = () => `${Math.round((Date.now() - began) / 1000)} s`;
        const events: string[] = [];
        const held: HeldActivity[][] = [];
        const killer = (async () => {
          await sleep(5_000);
          for (let k = 0; k < KILLS && !finished; k++) {
            await untilActivityRuns(stack, ['chargeOrder'], 30_000);
            // Only worker-1's attempts count: worker-2 goes on holding its own.
            const interrupted = await killWorkerHolding(stack);
            held.push(interrupted);
            events.push(`worker-1 killed at ${at()} (${interrupted.length} activities interrupted)`);
            await sleep(1_500);
            await stack.startWorker();
            await sleep(KILL_EVERY_MS);
          }
        })();
        const restarter = (async () => {
          await sleep(12_000);
          if (finished) return;
          await api2.stop('SIGTERM');
          events.push(`api-2 stopped at ${at()}`);
          await sleep(3_000);
          await api2.start();
          events.push(`api-2 back at ${at()}`);
        })();
        const onboarded = await onboardAll(list.slice(0, ENTERPRISES), 0, answers);
        finished = true;
        await Promise.all([killer, restarter]);
        await auto.stop();
        const seconds = Math.round((Date.now() - began) / 1000);
        expect(events.filter((e) => e.startsWith('worker-1 killed')).length).toBe(KILLS);
        // Each kill landed on running work, and some interrupted attempt completed on a retry.
        expect(held.map((h) => h.length).filter((n) => n === 0)).toEqual([]);
        const retried = (await completedAfterKill(stack, held.flat())).filter((a) => a.completedAttempt >= 2);
        expect(retried.length).toBeGreaterThan(0);
        expect(events.some((e) => e.startsWith('api-2 back'))).toBe(true);
        const { charges, emails } = await checkOnboarded(stack, onboarded);
        // A client that retries with its Idempotency-Key never sees a server error.
        expect(answers.serverErrors).toBe(0);
        return [
          `${onboarded.length * 2}/${ENTERPRISES * 2} completed in ${seconds} s`,
          events.join(', '),
          `charges: ${charges.purchases} purchases, ${charges.debits} debits, ${charges.chargeAttempts} charge requests`,
          `emails: ${emails.distinct} distinct for ${emails.expected} transitions, ${emails.repeats} repeated deliveries`,
          `API 5xx: ${answers.serverErrors}`,
        ].join('; ');
      },
    );
  },
  20 * 60_000,
);

it(
  'completes every onboarding across a SIGKILL and restart of the Temporal server on PostgreSQL',
  async () => {
    await scenario(
      `cluster: Temporal server (PostgreSQL) killed with SIGKILL, restarted ${DOWN_MS / 1000} s later, during ${RESTART_ENTERPRISES * 2} onboardings`,
      async () => {
        const ctx = context(stack);
        const auto = approver(ctx);
        auto.start();
        stack.billing.setFaults({ latencyMs: 200 });
        const answers = new Answers();
        const began = Date.now();
        let restartedAt = 0;
        let runningAtKill = 0;
        const restart = (async () => {
          await sleep(8_000);
          runningAtKill = (await runningCases(stack)).length;
          await server.kill('SIGKILL');
          await sleep(DOWN_MS);
          await server.start();
          restartedAt = Date.now();
        })();
        const onboarded = await onboardAll(list.slice(ENTERPRISES), ENTERPRISES, answers);
        await restart;
        await auto.stop();
        const seconds = Math.round((Date.now() - began) / 1000);
        expect(restartedAt).toBeGreaterThan(0);
        // The server went down under open cases, not after the run.
        expect(runningAtKill).toBeGreaterThan(0);
        const { charges, emails } = await checkOnboarded(stack, onboarded);
        return [
          `${onboarded.length * 2}/${RESTART_ENTERPRISES * 2} completed in ${seconds} s (the last ${Math.round((Date.now() - restartedAt) / 1000)} s after the restart; ${runningAtKill} cases running when the server was killed)`,
          `charges: ${charges.debits} debits for ${charges.purchases} purchases`,
          `emails: ${emails.distinct} distinct for ${emails.expected} transitions, ${emails.repeats} repeated`,
          `5xx answers to starts: ${answers.serverErrors} (a client retries with the same Idempotency-Key)`,
        ].join('; ');
      },
    );
  },
  15 * 60_000,
);
