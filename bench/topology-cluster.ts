/** The cluster's Temporal server for the topology part: built from the module the CLI embeds, on PostgreSQL. */
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { loadConfig } from '../config';
import {
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
import type { ClusterTools } from '../dev/temporal-server';
import type { TemporalServer } from '../test/support/stack';
import { loopbackNet } from '../test/support/net';
import { sleep } from './util';

export const HOST = `${loopbackNet(89)}.1`;
export const FRONTEND_PORT = 7233;
export const POSTGRES_URL = `postgres://postgres@${POSTGRES.host}:${POSTGRES.port}`;

/** The server on `layout.host`, in a child process; `kill` and `start` again run it on the same databases. */
export class ClusterTemporal implements TemporalServer {
  readonly address: string;
  readonly port = FRONTEND_PORT;
  private child: ChildProcess | undefined;
  private stderr: string[] = [];

  constructor(
    readonly executable: string,
    private readonly serverBinary: string,
    private readonly dir: string,
    private readonly layout: ClusterLayout,
  ) {
    this.address = `${layout.host}:${FRONTEND_PORT}`;
  }

  /**
   * The server for `layout`, not started yet: Temporal's schemas brought to this server version in
   * the layout's databases, and its configuration written into `dir`.
   */
  static async prepare(
    dir: string,
    layout: ClusterLayout,
    tools: Pick<ClusterTools, 'server' | 'sqlTool'>,
  ): Promise<ClusterTemporal> {
    await setupTemporalSchemas(tools.sqlTool, layout);
    const config = loadConfig({ TEMPORAL_ADDRESS: `${layout.host}:${FRONTEND_PORT}` });
    writeConfig(dir, 'cluster', serverConfig(config, layout));
    return new ClusterTemporal(await resolveTemporalCli(), tools.server, dir, layout);
  }

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
      const res = await fetch(`http://${this.layout.host}:${this.layout.serverPorts.http}/api/v1/namespaces/default`, {
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
      `the databases ${this.layout.databases.persistence} and ${this.layout.databases.visibility} are made afresh on each run`,
      signal,
    );
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  /** Ends the server at once, as a crash would. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Runs statements on the local PostgreSQL as its administrator. */
export async function admin(statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: `${POSTGRES_URL}/postgres` });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}
