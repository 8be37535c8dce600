/** The cluster's Temporal server for the topology part: built from the module the CLI embeds, on PostgreSQL. */
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { ensureNamespace, serverArgs, type ClusterLayout } from '../dev/cluster';
import { POSTGRES } from '../dev/prerequisites';
import { ensureSearchAttributes } from '../dev/supervisor';
import type { TemporalServer } from '../test/support/stack';
import { loopbackNet } from '../test/support/net';
import { sleep } from './util';

export const HOST = `${loopbackNet(89)}.1`;
export const FRONTEND_PORT = 7233;
export const POSTGRES_URL = `postgres://postgres@${POSTGRES.host}:${POSTGRES.port}`;

export class ClusterTemporal implements TemporalServer {
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
