/**
 * SIPp for tests: customers' gateways and callees on their own 127.x addresses. One-shot runs
 * (`-m 1`) resolve with SIPp's exit code (0 all calls succeeded, 1 one failed, 97 timeout, 99 no
 * call, 255 fatal); servers run until stopped. Never `-bg`: the exit code would be lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SCENARIOS = path.resolve(__dirname, '..', '..', 'sip', 'scenarios');

export interface SippRun {
  code: number | null;
  output: string;
  /** The messages SIPp sent and received, when run with `-trace_msg`. */
  messages: string;
}

/** What `-trace_msg` wrote in SIPp's working directory. */
function tracedMessages(cwd: string): string {
  return readdirSync(cwd)
    .filter((f) => f.endsWith('_messages.log'))
    .map((f) => readFileSync(path.join(cwd, f), 'utf8'))
    .join('');
}

function sippArgs(scenario: string, ip: string, port: number, extra: string[]): string[] {
  return ['-sf', path.join(SCENARIOS, scenario), '-i', ip, '-p', String(port), '-nostdin', '-aa', ...extra];
}

/** One call (`-m 1`) from `ip:port` to `remote`; resolves when SIPp exits. */
export function runSipp(
  scenario: string,
  opts: { ip: string; port: number; remote?: string; args?: string[]; timeoutMs?: number },
): Promise<SippRun> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'sipp-'));
  const timeout = `${Math.ceil((opts.timeoutMs ?? 10_000) / 1000)}s`;
  const args = [
    ...(opts.remote ? [opts.remote] : []),
    ...sippArgs(scenario, opts.ip, opts.port, ['-m', '1', '-timeout', timeout, '-timeout_error', ...(opts.args ?? [])]),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    child.on('error', reject);
    child.on('close', (code) => {
      // `<log>` actions (with -trace_logs) write to a file in the run's directory.
      const logs = readdirSync(cwd)
        .filter((f) => f.endsWith('_logs.log'))
        .map((f) => readFileSync(path.join(cwd, f), 'utf8'))
        .join('');
      const messages = tracedMessages(cwd);
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, output: output + logs, messages });
    });
  });
}

export interface SippServer {
  /** Resolves with the exit code once SIPp exits (a `-m 1` server after its call). */
  done: Promise<SippRun>;
  stop(): Promise<void>;
}

/** A SIPp server (UAS) on `ip:port`; `calls` ends it after that many calls. */
export async function startSippServer(
  scenario: string,
  opts: { ip: string; port: number; calls?: number; args?: string[] },
): Promise<SippServer> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'sipp-'));
  const args = sippArgs(scenario, opts.ip, opts.port, [
    ...(opts.calls ? ['-m', String(opts.calls)] : []),
    ...(opts.args ?? []),
  ]);
  const child: ChildProcess = spawn('sipp', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  const done = new Promise<SippRun>((resolve) => {
    child.on('close', (code) => {
      const messages = tracedMessages(cwd);
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, output, messages });
    });
  });
  // SIPp binds at once; a failed bind ends it within moments.
  const early = await Promise.race([done, new Promise<undefined>((r) => setTimeout(() => r(undefined), 300))]);
  if (early)
    throw new Error(
      `sipp ${scenario} on ${opts.ip}:${opts.port} exited (${early.code}): ${early.output.slice(-2_000)}`,
    );
  return {
    done,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await done;
    },
  };
}
