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
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { BenchContext } from '../../bench/kinds';
import { admin, ClusterTemporal, FRONTEND_PORT, POSTGRES_URL } from '../../bench/topology-cluster';
import { ApiClient, sleep } from '../../bench/util';
import { defaultLayout, ensureDatabase, type ClusterLayout } from '../../dev/cluster';
import { resolveClusterTools } from '../../dev/temporal-server';
import type { DocumentKind } from '../../domain/verification';
import { WorkerProcess, type Stack } from '../support/stack';
import {
  atLeastOne,
  chaosEnterprises,
  chaosStack,
  checkOnboarded,
  context,
  describeKills,
  expectKillsLanded,
  killWorkerRepeatedly,
  onboardAll,
  scenario,
  serverRestartRun,
  underFault,
  type Answers,
  type ChaosEnterprise,
  type Onboarded,
} from './support';
import { loopbackNet } from '../support/net';

const HOST = `${loopbackNet(83)}.1`;
const API2_PORT = 3000;
const ENTERPRISES = atLeastOne('CHAOS_CLUSTER_ENTERPRISES', 100);
const KILLS = atLeastOne('CHAOS_CLUSTER_KILLS', 4);
const KILL_EVERY_MS = Number(process.env.CHAOS_CLUSTER_KILL_EVERY_MS ?? 15_000);
const RESTART_ENTERPRISES = atLeastOne('CHAOS_CLUSTER_RESTART_ENTERPRISES', 40);
const DOWN_MS = Number(process.env.CHAOS_CLUSTER_DOWN_MS ?? 10_000);

const run = Date.now().toString(36);
const PRODUCT_DB = `onboarding_chaos_${run}`;
const layout: ClusterLayout = {
  ...defaultLayout(FRONTEND_PORT, HOST),
  databases: { persistence: 'temporal_chaos', visibility: 'temporal_chaos_visibility' },
};
const dropDatabases = (dbs: string[]) => admin(dbs.map((db) => `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));

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

let dir: string;
let server: ClusterTemporal;
let stack: Stack;
let worker2: WorkerProcess;
let api2: ApiProcess;
const { list, tokens } = chaosEnterprises(`c${run}`, ENTERPRISES + RESTART_ENTERPRISES);

beforeAll(async () => {
  // Built once per machine (minutes); afterwards only looked up.
  const tools = await resolveClusterTools();
  await dropDatabases(Object.values(layout.databases));
  await ensureDatabase(`${POSTGRES_URL}/${PRODUCT_DB}`);
  dir = await mkdtemp(path.join(os.tmpdir(), 'chaos-cluster-'));
  server = await ClusterTemporal.prepare(dir, layout, tools);
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
  await server?.kill();
  await dropDatabases([PRODUCT_DB, ...Object.values(layout.databases)]).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Enterprise i uploads through one API and starts and reads through the other, alternating. */
function crossing(i: number): BenchContext {
  const ctx = context(stack);
  const one = new ApiClient(stack.apiUrl);
  const two = new ApiClient(api2.url);
  return { ...ctx, api: i % 2 === 0 ? new CrossingApi(one.baseUrl, two) : new CrossingApi(two.baseUrl, one) };
}

/** The enterprises onboarded over both APIs, crossing (`crossing`), 25 at once. */
function onboardCrossing(enterprises: ChaosEnterprise[], offset: number, answers: Answers): Promise<Onboarded[]> {
  return onboardAll(crossing, enterprises, answers, { concurrency: 25, offset });
}

it(
  `completes ${ENTERPRISES * 2} onboardings over two APIs while a worker is killed and an API restarted`,
  async () => {
    await scenario(
      `cluster (Temporal 1.29.1 on PostgreSQL, 2 workers, 2 APIs): worker SIGKILL ×${KILLS} and an API restarted during ${ENTERPRISES * 2} onboardings`,
      async () => {
        const restarts: string[] = [];
        // Slower billing keeps activities in flight when the kills land.
        const {
          onboarded,
          fault: kills,
          answers,
          seconds,
        } = await underFault(stack, {
          billing: { latencyMs: 300 },
          onboardAll: (_ctx, answers) => onboardCrossing(list.slice(0, ENTERPRISES), 0, answers),
          alongside: async (clock) => {
            const [killed] = await Promise.all([
              // Only worker-1's attempts count: worker-2 goes on holding its own.
              killWorkerRepeatedly(stack, { kills: KILLS, everyMs: KILL_EVERY_MS, firstAfterMs: 5_000 }, clock),
              (async () => {
                await sleep(12_000);
                if (clock.done()) return;
                await api2.stop('SIGTERM');
                restarts.push(`api-2 stopped at ${clock.elapsed()} s`);
                await sleep(3_000);
                await api2.start();
                restarts.push(`api-2 back at ${clock.elapsed()} s`);
              })(),
            ]);
            return killed;
          },
        });
        await expectKillsLanded(stack, kills, KILLS);
        expect(restarts.some((e) => e.startsWith('api-2 back'))).toBe(true);
        const { figures } = await checkOnboarded(stack, onboarded);
        // A client that retries with its Idempotency-Key never sees a server error.
        expect(answers.serverErrors).toBe(0);
        return [
          `${onboarded.length * 2}/${ENTERPRISES * 2} completed in ${seconds} s`,
          `worker-1 killed at ${describeKills(kills)}`,
          ...restarts,
          ...figures,
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
      () =>
        serverRestartRun(stack, {
          cases: RESTART_ENTERPRISES * 2,
          downMs: DOWN_MS,
          down: () => server.kill(),
          up: () => server.start(),
          onboardAll: (_ctx, answers) => onboardCrossing(list.slice(ENTERPRISES), ENTERPRISES, answers),
        }),
    );
  },
  15 * 60_000,
);
