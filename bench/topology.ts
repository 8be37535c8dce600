/**
 * The `topology` part of `npm run bench`: the same cases through three topologies in one run.
 *
 * - the dev server (the Temporal CLI, SQLite in memory) with one worker, documents and email
 *   ledger in files: what `npm start` runs; and with two workers on the PostgreSQL store, which
 *   tells what the server costs from what a second worker does;
 * - the Temporal server built from the module the CLI embeds (`npm run cluster`'s), on the local
 *   PostgreSQL with SQL visibility, with one worker, documents and ledger in PostgreSQL;
 * - the same server with two worker processes on the task queue.
 *
 * Each topology gets a stack of its own (API, sandboxes, SMTP sink in this process; workers in
 * child processes) and its own enterprises, all up for the whole run; after a warm-up each, the
 * cases are driven in turns, the topologies in rotating order, so load that comes and goes on a
 * shared machine falls on all of them alike. The cluster's databases are made afresh and dropped
 * after. Beside each throughput, where the machine's CPU went while it was measured
 * (from /proc): the Temporal server, the workers, PostgreSQL (every process of it, so anything
 * else using it counts too), this process (API, sandboxes, SMTP sink, the client driving cases),
 * and the whole machine, to say what limits it.
 *
 * The cluster's Temporal server binds its own loopback address with the cluster layout's ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Principal } from '../api/auth';
import { loadConfig } from '../config';
import {
  defaultLayout,
  ensureDatabase,
  ensureNamespace,
  serverArgs,
  serverConfig,
  setupTemporalSchemas,
  writeConfig,
  type ClusterLayout,
} from '../dev/cluster';
import { POSTGRES } from '../dev/prerequisites';
import { ensureSearchAttributes } from '../dev/supervisor';
import { resolveTemporalCli } from '../dev/temporal-cli';
import { resolveClusterTools, TEMPORAL_SERVER_VERSION } from '../dev/temporal-server';
import { startStack, WorkerProcess, type Stack, type TemporalServer } from '../test/support/stack';
import { AutoApprover } from './approver';
import { drive, driverFor, KIND_DRIVERS, type BenchContext, type BenchEnterprise, type KindDriver } from './kinds';
import { ApiClient, pool, round, sleep, timed } from './util';
import { loopbackNet } from '../test/support/net';

const HOST = `${loopbackNet(89)}.1`;
const FRONTEND_PORT = 7233;
const POSTGRES_URL = `postgres://postgres@${POSTGRES.host}:${POSTGRES.port}`;
/** Timed turns per topology and kind. */
const TURNS = 5;

export interface TopologyOptions {
  kinds: string[];
  n: number;
  concurrency: number;
  warmup: number;
  cache: number | undefined;
}

export interface CpuShare {
  /** CPU seconds per wall second while the cases ran (1.0 = one core busy throughout). */
  temporal: number;
  workers: number;
  postgres: number;
  benchProcess: number;
  /** Every process on the machine, from /proc/stat. */
  machine: number;
}

export interface TopologyRow {
  topology: string;
  server: string;
  workers: number;
  store: 'files' | 'postgres';
  kind: string;
  cases: number;
  concurrency: number;
  seconds: number;
  casesPerSecond: number;
  cpu: CpuShare;
  /** Over every measured case's history: workflow tasks timed out (e.g. on a sticky queue) or failed. */
  workflowTasks: { completed: number; timedOut: number; failed: number };
}

export interface TopologyData {
  rows: TopologyRow[];
  nproc: number;
  skippedKinds: string[];
  /** Timed turns per topology and kind, the topologies in rotating order. */
  turns: number;
}

// --- CPU accounting from /proc -----------------------------------------------------------------

const TICK = 100; // USER_HZ on Linux

/**
 * utime + stime of a process, in seconds (0 once it is gone), with its reaped children's
 * (cutime + cstime): PostgreSQL's backends come and go, and their time moves to the postmaster.
 */
function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICK;
  } catch {
    return 0;
  }
}

function pidsWhere(match: (comm: string, cmdline: string, ppid: number) => boolean): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (match(comm, cmdline, ppid)) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Busy CPU seconds of the whole machine (everything but idle and iowait). */
function machineCpu(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / TICK;
}

interface CpuGroups {
  temporal: () => number[];
  workers: () => number[];
}

function cpuSnapshot(groups: CpuGroups) {
  const sum = (pids: number[]) => pids.reduce((s, pid) => s + processCpu(pid), 0);
  const self = process.cpuUsage();
  return {
    temporal: sum(groups.temporal()),
    workers: sum(groups.workers()),
    postgres: sum(pidsWhere((comm) => comm === 'postgres')),
    benchProcess: (self.user + self.system) / 1e6,
    machine: machineCpu(),
  };
}

/** CPU seconds each group used between two snapshots. */
function cpuShare(a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>, seconds: number): CpuShare {
  const share = (k: keyof CpuShare) => Math.max(0, b[k] - a[k]) / seconds;
  return {
    temporal: share('temporal'),
    workers: share('workers'),
    postgres: share('postgres'),
    benchProcess: share('benchProcess'),
    machine: share('machine'),
  };
}

// --- the cluster's Temporal server -----------------------------------------------------------

class ClusterTemporal implements TemporalServer {
  readonly address = `${HOST}:${FRONTEND_PORT}`;
  readonly port = FRONTEND_PORT;
  private child: ChildProcess | undefined;
  private stderr: string[] = [];

  constructor(
    readonly executable: string,
    private readonly serverBinary: string,
    private readonly dir: string,
    private readonly layout: ClusterLayout,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const child = spawn(this.serverBinary, serverArgs(this.dir), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = [...this.stderr, chunk.toString()].slice(-20);
    });
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the Temporal server exited: ${this.stderr.join('')}`);
      const res = await fetch(`http://${HOST}:${this.layout.serverPorts.http}/api/v1/namespaces/default`, {
        signal: AbortSignal.timeout(2_000),
      }).catch(() => undefined);
      if (res && res.status < 500) break;
      if (Date.now() > deadline) throw new Error(`the Temporal server did not answer: ${this.stderr.join('')}`);
      await sleep(500);
    }
    const signal = AbortSignal.timeout(120_000);
    await ensureNamespace(this.executable, this.address, 'default', '24h', signal);
    await ensureSearchAttributes(
      this.executable,
      this.address,
      'default',
      'the bench made its databases afresh',
      signal,
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

async function admin(statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: `${POSTGRES_URL}/postgres` });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

// --- one topology ------------------------------------------------------------------------------

interface Topology {
  name: string;
  server: TemporalServer;
  serverLabel: string;
  serverPids: () => number[];
  workers: number;
  databaseUrl?: string;
}

/** One topology's stack, up for the whole run; measured in turns with the others. */
class Running {
  readonly rows = new Map<string, { ms: number; cases: number; cpu: CpuShare; tasks: TopologyRow['workflowTasks'] }>();
  private constructor(
    readonly t: Topology,
    readonly stack: Stack,
    readonly extra: WorkerProcess[],
    readonly ctx: BenchContext,
    readonly approver: AutoApprover,
    readonly list: BenchEnterprise[],
  ) {}

  static async start(o: TopologyOptions, t: Topology, bundlePath: string, tag: string): Promise<Running> {
    const list: BenchEnterprise[] = Array.from({ length: o.n + o.warmup }, (_, i) => ({
      id: `ent-topo-${tag}-${i}`,
      token: `bench-topo-${tag}-${i}`,
    }));
    const stack = await startStack({
      temporalAddress: t.server.address,
      workflowBundlePath: bundlePath,
      worker: 'child',
      mail: { headersOnly: true },
      extraTokens: list.map(
        (e) => [e.token, { name: `bench ${e.id}`, role: 'enterprise', enterpriseId: e.id }] as [string, Principal],
      ),
      env: {
        LOG_LEVEL: 'warn',
        VERIFICATION_REVIEW_SLA: '1d',
        VERIFICATION_RESUBMISSION_WINDOW: '14d',
        PURCHASE_SCRIPT_REVIEW_SLA: '1d',
        PURCHASE_PAYMENT_POLL: '1h',
        SUBSCRIPTION_PERIOD: '30d',
        ...(o.cache ? { WORKER_MAX_CACHED_WORKFLOWS: String(o.cache) } : {}),
        ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}),
      },
    });
    const extra: WorkerProcess[] = [];
    for (let i = 1; i < t.workers; i++)
      extra.push(await WorkerProcess.spawn({ ...stack.env, WORKFLOW_BUNDLE_PATH: bundlePath }));
    const ctx: BenchContext = { stack, api: new ApiClient(stack.apiUrl), supportToken: stack.tokens.support };
    return new Running(t, stack, extra, ctx, new AutoApprover(ctx, Object.values(KIND_DRIVERS)), list);
  }

  private groups(): CpuGroups {
    return {
      temporal: this.t.serverPids,
      workers: () => [this.stack.workerProcess?.pid ?? 0, ...this.extra.map((w) => w.pid)].filter(Boolean),
    };
  }

  /** Support answers only while this stack is the one working, so an idle stack costs the others little. */
  private async working<T>(fn: () => Promise<T>): Promise<T> {
    this.approver.start();
    try {
      return await fn();
    } finally {
      await this.approver.stop();
    }
  }

  /** Untimed: what the kind needs first (e.g. verified enterprises), and the warm-up cases. */
  prepare(o: TopologyOptions, driver: KindDriver): Promise<void> {
    return this.working(async () => {
      await pool(
        this.list.length,
        o.concurrency,
        (i) => driver.prepare?.(this.ctx, this.list[i]!, i) ?? Promise.resolve(),
      );
      await pool(o.warmup, o.warmup, (i) => drive(driver, this.ctx, this.list[i]!, i));
    });
  }

  /** One timed turn: cases [from, to) of the measured ones. */
  turn(o: TopologyOptions, driver: KindDriver, from: number, to: number): Promise<void> {
    return this.working(async () => {
      const groups = this.groups();
      const before = cpuSnapshot(groups);
      const run = await timed(() =>
        pool(to - from, o.concurrency, (i) =>
          drive(driver, this.ctx, this.list[o.warmup + from + i]!, o.warmup + from + i),
        ),
      );
      const cpu = cpuShare(before, cpuSnapshot(groups), 1);
      const tasks = { completed: 0, timedOut: 0, failed: 0 };
      await pool(run.value.length, 8, async (i) => {
        const history = await this.stack.client.workflow.getHandle(run.value[i]!).fetchHistory();
        for (const e of history.events ?? []) {
          if (e.workflowTaskCompletedEventAttributes) tasks.completed++;
          if (e.workflowTaskTimedOutEventAttributes) tasks.timedOut++;
          if (e.workflowTaskFailedEventAttributes) tasks.failed++;
        }
      });
      const acc = this.rows.get(driver.kind) ?? {
        ms: 0,
        cases: 0,
        cpu: { temporal: 0, workers: 0, postgres: 0, benchProcess: 0, machine: 0 },
        tasks: { completed: 0, timedOut: 0, failed: 0 },
      };
      acc.ms += run.ms;
      acc.cases += to - from;
      for (const k of Object.keys(cpu) as (keyof CpuShare)[]) acc.cpu[k] += cpu[k];
      for (const k of Object.keys(tasks) as (keyof typeof tasks)[]) acc.tasks[k] += tasks[k];
      this.rows.set(driver.kind, acc);
    });
  }

  row(o: TopologyOptions, kind: string): TopologyRow {
    const acc = this.rows.get(kind)!;
    const seconds = acc.ms / 1000;
    const per = (x: number) => round(x / seconds);
    return {
      topology: this.t.name,
      server: this.t.serverLabel,
      workers: this.t.workers,
      store: this.t.databaseUrl ? 'postgres' : 'files',
      kind,
      cases: acc.cases,
      concurrency: o.concurrency,
      seconds: round(seconds),
      casesPerSecond: round(acc.cases / seconds),
      cpu: {
        temporal: per(acc.cpu.temporal),
        workers: per(acc.cpu.workers),
        postgres: per(acc.cpu.postgres),
        benchProcess: per(acc.cpu.benchProcess),
        machine: per(acc.cpu.machine),
      },
      workflowTasks: acc.tasks,
    };
  }

  async stop(): Promise<void> {
    await this.approver.stop();
    for (const w of this.extra) await w.kill('SIGTERM');
    await this.stack.stop();
  }
}

/** Finds the dev server's process: the CLI's `server start-dev` listening on the run's port. */
function devServerPids(server: TemporalServer): () => number[] {
  let found: number[] | undefined;
  return () =>
    (found ??= pidsWhere((_comm, cmdline) => cmdline.includes('start-dev') && cmdline.includes(String(server.port))));
}

export async function topology(
  o: TopologyOptions,
  devServer: TemporalServer,
  bundlePath: string,
  tag: string,
  log: (line: string) => void,
): Promise<TopologyData> {
  // Kinds that need services of their own (the SBC) stay with the throughput part.
  const skippedKinds = o.kinds.filter((k) => driverFor(k).services);
  const kinds = o.kinds.filter((k) => !driverFor(k).services);
  if (kinds.length === 0) throw new Error('topology: no kind without services of its own; pass --kinds');
  const opts = { ...o, kinds };

  const tools = await resolveClusterTools({ log });
  const cli = await resolveTemporalCli();
  const layout: ClusterLayout = {
    ...defaultLayout(FRONTEND_PORT, HOST),
    databases: { persistence: `temporal_bench_${tag}`, visibility: `temporal_bench_${tag}_visibility` },
  };
  const productDb = `onboarding_bench_${tag}`;
  const dbs = [layout.databases.persistence, layout.databases.visibility, productDb];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-cluster-'));
  let cluster: ClusterTemporal | undefined;
  const rows: TopologyRow[] = [];
  const running: Running[] = [];
  try {
    await ensureDatabase(`${POSTGRES_URL}/${productDb}`);
    log(`topology: Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL (schemas afresh)`);
    await setupTemporalSchemas(tools.sqlTool, layout);
    writeConfig(dir, 'cluster', serverConfig(loadConfig({ TEMPORAL_ADDRESS: `${HOST}:${FRONTEND_PORT}` }), layout));
    cluster = new ClusterTemporal(cli, tools.server, dir, layout);
    await cluster.start();
    const c = cluster;
    const devLabel = 'Temporal CLI dev server (SQLite in memory)';
    const clusterLabel = `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL (SQL visibility)`;
    const shared = `${POSTGRES_URL}/${productDb}`;
    // Two workers need the shared store; the dev server with two tells the server's share from the workers'.
    const topologies: Topology[] = [
      {
        name: 'dev server, 1 worker',
        server: devServer,
        serverLabel: devLabel,
        serverPids: devServerPids(devServer),
        workers: 1,
      },
      {
        name: 'dev server, 2 workers',
        server: devServer,
        serverLabel: devLabel,
        serverPids: devServerPids(devServer),
        workers: 2,
        databaseUrl: shared,
      },
      {
        name: 'cluster, 1 worker',
        server: c,
        serverLabel: clusterLabel,
        serverPids: () => (c.pid ? [c.pid] : []),
        workers: 1,
        databaseUrl: shared,
      },
      {
        name: 'cluster, 2 workers',
        server: c,
        serverLabel: clusterLabel,
        serverPids: () => (c.pid ? [c.pid] : []),
        workers: 2,
        databaseUrl: shared,
      },
    ];
    for (const [i, t] of topologies.entries()) {
      log(`topology: starting ${t.name}`);
      running.push(await Running.start(opts, t, bundlePath, `${tag}t${i}`));
    }
    // Turns in rotating order, so load that comes and goes on the machine falls on every topology alike.
    const turns = Math.min(TURNS, opts.n);
    for (const kind of opts.kinds) {
      const driver = driverFor(kind);
      for (const r of running) await r.prepare(opts, driver);
      for (let turn = 0; turn < turns; turn++) {
        const from = Math.floor((turn * opts.n) / turns);
        const to = Math.floor(((turn + 1) * opts.n) / turns);
        for (let k = 0; k < running.length; k++)
          await running[(turn + k) % running.length]!.turn(opts, driver, from, to);
      }
      for (const r of running) {
        const row = r.row(opts, kind);
        log(
          `topology ${row.topology} ${kind}: ${row.casesPerSecond} cases/s, CPU ${JSON.stringify(row.cpu)}, workflow tasks ${JSON.stringify(row.workflowTasks)}`,
        );
        rows.push(row);
      }
    }
  } finally {
    for (const r of running)
      await r.stop().catch((err: unknown) => log(`topology: stopping ${r.t.name}: ${String(err)}`));
    await cluster?.stop();
    await admin(dbs.map((db) => `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)).catch((err: unknown) =>
      log(`topology: could not drop ${dbs.join(', ')}: ${String(err)}`),
    );
    await rm(dir, { recursive: true, force: true });
  }
  return { rows, nproc: os.availableParallelism(), skippedKinds, turns: Math.min(TURNS, opts.n) };
}
