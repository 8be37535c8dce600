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
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import {
  defaultLayout,
  ensureDatabase,
  serverConfig,
  setupTemporalSchemas,
  writeConfig,
  type ClusterLayout,
} from '../dev/cluster';
import { resolveTemporalCli } from '../dev/temporal-cli';
import { resolveClusterTools, TEMPORAL_SERVER_VERSION } from '../dev/temporal-server';
import { WorkerProcess, type Stack, type TemporalServer } from '../test/support/stack';
import { AutoApprover } from './approver';
import { cpuShare, cpuSnapshot, devServerPids, type CpuGroups, type CpuShare } from './cpu';
import { drive, driverFor, KIND_DRIVERS, type BenchContext, type BenchEnterprise, type KindDriver } from './kinds';
import { benchContext, benchStack, enterprises } from './stack';
import { admin, ClusterTemporal, FRONTEND_PORT, HOST, POSTGRES_URL } from './topology-cluster';
import { pool, round, timed } from './util';

export type { CpuShare } from './cpu';

/** Timed turns per topology and kind. */
const TURNS = 5;

export interface TopologyOptions {
  kinds: string[];
  n: number;
  concurrency: number;
  warmup: number;
  cache: number | undefined;
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
    const { list, tokens } = enterprises(tag, 'topo', o.n + o.warmup);
    const stack = await benchStack(
      o,
      t.server,
      bundlePath,
      tokens,
      t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {},
    );
    const extra: WorkerProcess[] = [];
    for (let i = 1; i < t.workers; i++)
      extra.push(await WorkerProcess.spawn({ ...stack.env, WORKFLOW_BUNDLE_PATH: bundlePath }));
    const ctx = benchContext(stack);
    return new Running(t, stack, extra, ctx, new AutoApprover(ctx, Object.values(KIND_DRIVERS)), list);
  }

  private groups(): CpuGroups {
    return {
      temporal: this.t.serverPids,
      workers: () => [this.stack.workerProcess?.pid ?? 0, ...this.extra.map((w) => w.pid)].filter(Boolean),
      api: () => (this.stack.apiPid ? [this.stack.apiPid] : []),
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
        cpu: { temporal: 0, workers: 0, api: 0, postgres: 0, benchProcess: 0, machine: 0 },
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
        api: per(acc.cpu.api),
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
        serverPids: devServerPids(devServer.port),
        workers: 1,
      },
      {
        name: 'dev server, 2 workers',
        server: devServer,
        serverLabel: devLabel,
        serverPids: devServerPids(devServer.port),
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
