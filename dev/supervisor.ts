/**
 * The supervisor behind `npm start` and `npm run cluster`: starts services one after the other,
 * each once the previous one is ready, with their output prefixed per service. If one exits
 * unexpectedly the rest are stopped; Ctrl-C stops everything in reverse order. Services are data
 * (`ServiceSpec`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Config } from '../config';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';

export const ROOT = path.resolve(__dirname, '..');

export type ReadinessProbe =
  /** Something accepts TCP connections on the port. */
  | { kind: 'tcp'; host: string; port: number }
  /** GET answers 2xx. */
  | { kind: 'http'; url: string }
  /** A line of output matches, or the process has stayed up for `graceMs` (for services without a port). */
  | { kind: 'output'; pattern: RegExp; graceMs: number };

export interface ServiceSpec {
  /** Short name, shown as the output prefix. */
  name: string;
  command: string;
  args: string[];
  /** Added to the supervisor's environment. */
  env?: NodeJS.ProcessEnv;
  ready: ReadinessProbe;
  readyTimeoutMs: number;
  /** Ports that must be free before it starts (a second `npm start` would otherwise look ready). */
  ports: number[];
  /** Runs once the probe passes, before the next service starts. */
  afterReady?: (signal: AbortSignal) => Promise<void>;
  /** Shown in the summary box once everything is up. */
  links: [label: string, value: string][];
  /** Its links head the summary box (the service people open first). */
  linksFirst?: boolean;
  /** Drop its output once it is being stopped (shutdown chatter that says nothing). */
  quietWhenStopping?: boolean;
}

/** Runs a TypeScript entry point in one node process (no wrapper process between us and it). */
export function tsEntry(file: string): Pick<ServiceSpec, 'command' | 'args'> {
  return { command: process.execPath, args: ['--import', 'tsx', file] };
}

export function portOf(address: string, fallback: number): number {
  const match = /:(\d+)$/.exec(address);
  return match ? Number(match[1]) : fallback;
}

/** Where to reach a server bound to `host` from this machine. */
export function localHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === 'localhost' ? '127.0.0.1' : host;
}

// ---------------------------------------------------------------------------------------------
// Temporal search attributes

/** `KeywordList` -> `INDEXED_VALUE_TYPE_KEYWORD_LIST`, as the CLI's JSON names types. */
function indexedValueType(type: string): string {
  return `INDEXED_VALUE_TYPE_${type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** `INDEXED_VALUE_TYPE_KEYWORD_LIST` -> `KeywordList`. */
function typeName(indexed: string): string {
  return indexed
    .replace(/^INDEXED_VALUE_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, _sep: string, c: string) => c.toUpperCase());
}

export async function ensureSearchAttributes(
  cli: string,
  address: string,
  namespace: string,
  /** What to do when an attribute exists with another type (how to start afresh). */
  freshStart: string,
  signal: AbortSignal,
): Promise<void> {
  const common = ['--address', address, '--namespace', namespace];
  // The port opens before the namespace is served; retry the first call for a while.
  let registered: Record<string, string> | undefined;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const listed = await capture(cli, ['operator', 'search-attribute', 'list', ...common, '--output', 'json'], {
      signal,
    });
    if (listed.code === 0) {
      registered = (JSON.parse(listed.stdout) as { customAttributes?: Record<string, string> }).customAttributes ?? {};
      break;
    }
    if (Date.now() > deadline) throw new Error(`could not list search attributes: ${listed.stderr.trim()}`);
    await sleep(500, signal);
  }
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
    const have = registered[name];
    if (have === indexedValueType(type)) continue;
    if (have) {
      throw new Error(
        `search attribute ${name} is registered as ${typeName(have)} in namespace ${namespace}, but the product needs ${type}. ${freshStart}`,
      );
    }
    // One name per call: the CLI pairs names with types and one call with several names may add only the first.
    const created = await capture(
      cli,
      ['operator', 'search-attribute', 'create', ...common, '--name', name, '--type', type],
      { signal },
    );
    if (created.code !== 0 && !/already exists/i.test(created.stderr + created.stdout)) {
      throw new Error(`could not register search attribute ${name}: ${created.stderr.trim()}`);
    }
    log(`registered search attribute ${name} (${type})`);
  }
}

export interface CaptureOptions {
  signal?: AbortSignal;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to its end and keeps what it printed. */
export function capture(
  command: string,
  args: string[],
  { signal, cwd, env }: CaptureOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal, cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

// ---------------------------------------------------------------------------------------------
// Output

const useColour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const COLOURS = [36, 35, 33, 32, 34, 91, 96, 95];
let prefixWidth = 8;
/** The supervisor's own prefix (`start`, `cluster`). */
let selfName = 'start';

function paint(code: number, text: string): string {
  return useColour ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function prefix(name: string, colour: number): string {
  return paint(colour, `${name.padEnd(prefixWidth)} |`);
}

/** Names the supervisor's own lines (before `supervise` is called too). */
export function setLogName(name: string): void {
  selfName = name;
  prefixWidth = Math.max(prefixWidth, name.length);
}

export function log(message: string): void {
  process.stdout.write(`${prefix(selfName, 1)} ${message}\n`);
}

function box(title: string, rows: [string, string][], footer: string): string {
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const lines = [title, '', ...rows.map(([label, value]) => `${label.padEnd(labelWidth)}  ${value}`), '', footer];
  const width = Math.max(...lines.map((l) => l.length));
  return [
    `┌${'─'.repeat(width + 2)}┐`,
    ...lines.map((l) => `│ ${l.padEnd(width)} │`),
    `└${'─'.repeat(width + 2)}┘`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Supervision

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  exited: Promise<string>;
  hasExited: boolean;
  stopping: boolean;
  lines: ((line: string) => void)[];
}

class Supervisor {
  private readonly running: Running[] = [];
  private stopping: Promise<never> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  async startAll(services: ServiceSpec[]): Promise<void> {
    // All at once first, so a second `npm start` fails before starting anything.
    for (const spec of services) await assertPortsFree(spec);
    for (const [index, spec] of services.entries()) {
      if (this.abort.signal.aborted) return;
      await assertPortsFree(spec);
      const started = Date.now();
      const running = this.spawn(spec, COLOURS[index % COLOURS.length] ?? 36);
      await this.waitReady(running);
      if (spec.afterReady) await spec.afterReady(this.abort.signal);
      if (this.abort.signal.aborted) return;
      log(`${spec.name} is ready (${((Date.now() - started) / 1000).toFixed(1)}s)`);
    }
  }

  private spawn(spec: ServiceSpec, colour: number): Running {
    // Own process group, so a stop reaches everything the service started and the terminal's
    // Ctrl-C reaches only us (we stop services in order).
    const child = spawn(spec.command, spec.args, {
      cwd: ROOT,
      env: { ...this.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const running: Running = { spec, child, exited: Promise.resolve(''), hasExited: false, stopping: false, lines: [] };
    running.exited = new Promise((resolve) => {
      child.on('error', (error) => {
        running.hasExited = true;
        resolve(`could not be started: ${error.message}`);
      });
      child.on('exit', (code, signal) => {
        running.hasExited = true;
        resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`);
      });
    });
    for (const [stream, out] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ] as const) {
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        if (running.stopping && spec.quietWhenStopping) return;
        out.write(`${prefix(spec.name, colour)} ${line}\n`);
        for (const watch of running.lines) watch(line);
      });
    }
    void running.exited.then((how) => {
      if (!this.stopping) void this.stop(1, `${spec.name} ${how.replace(/^exited/, 'exited unexpectedly')}`);
    });
    this.running.push(running);
    return running;
  }

  private async waitReady(running: Running): Promise<void> {
    const { spec } = running;
    const deadline = Date.now() + spec.readyTimeoutMs;
    let seen = false;
    running.lines.push((line) => {
      if (spec.ready.kind === 'output' && spec.ready.pattern.test(line)) seen = true;
    });
    const startedAt = Date.now();
    for (;;) {
      if (running.hasExited || this.abort.signal.aborted) {
        // The exit handler reports and stops; wait here until it does.
        await new Promise<never>(() => {});
      }
      const probe = spec.ready;
      if (probe.kind === 'tcp' && (await tcpOpen(probe.host, probe.port))) return;
      if (probe.kind === 'http' && (await httpOk(probe.url))) return;
      if (probe.kind === 'output' && (seen || Date.now() - startedAt >= probe.graceMs)) return;
      if (Date.now() > deadline) {
        const what = probe.kind === 'output' ? 'its start' : probe.kind === 'tcp' ? `port ${probe.port}` : probe.url;
        throw new Error(`${spec.name} was not ready within ${spec.readyTimeoutMs / 1000}s (waited for ${what})`);
      }
      await sleep(250);
    }
  }

  /** Stops services in reverse order, then exits the process with `code`. */
  stop(code: number, reason?: string): Promise<never> {
    if (this.stopping) return this.stopping;
    this.abort.abort();
    if (reason) log(paint(31, reason));
    this.stopping = (async () => {
      for (const running of [...this.running].reverse()) {
        if (!running.hasExited) {
          log(`stopping ${running.spec.name}…`);
          running.stopping = true;
          signalGroup(running.child, 'SIGTERM');
          const timeout = sleep(STOP_GRACE_MS).then(() => 'timeout' as const);
          if ((await Promise.race([running.exited, timeout])) === 'timeout') {
            log(`${running.spec.name} did not stop within ${STOP_GRACE_MS / 1000}s; killing it`);
            signalGroup(running.child, 'SIGKILL');
            await running.exited;
          }
        }
        // Anything the service left behind in its group.
        signalGroup(running.child, 'SIGKILL');
      }
      log(code === 0 ? 'stopped' : 'stopped after a failure');
      process.exit(code);
    })();
    return this.stopping;
  }

  /** Last resort when the supervisor itself is going away. */
  killAll(): void {
    for (const running of this.running) if (!running.hasExited) signalGroup(running.child, 'SIGKILL');
  }
}

const STOP_GRACE_MS = 8_000;
const FORCE_AFTER_MS = 1_500;

async function assertPortsFree(spec: ServiceSpec): Promise<void> {
  const busy = (await Promise.all(spec.ports.map(async (p) => ((await tcpOpen('127.0.0.1', p)) ? p : 0)))).filter(
    Boolean,
  );
  if (busy.length > 0) {
    throw new Error(
      `cannot start ${spec.name}: port ${busy.join(', ')} is already in use (is another \`npm start\` running?)`,
    );
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

export function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

export interface SuperviseOptions {
  /** Added to every service's environment (below each service's own `env`). */
  env?: NodeJS.ProcessEnv;
  /** The summary box's title (a function is asked once everything is up). */
  title?: string | (() => string);
  /** The supervisor's own output prefix. */
  name?: string;
}

/**
 * Runs `services` until one fails (exit 1) or the process is asked to stop (exit 0). Exported so a
 * variant of the list (tests, a partial stack) runs under the same supervision.
 */
export async function supervise(
  services: ServiceSpec[],
  config: Config,
  options: SuperviseOptions = {},
): Promise<void> {
  selfName = options.name ?? selfName;
  prefixWidth = Math.max(prefixWidth, selfName.length, ...services.map((s) => s.name.length));
  // Children resolve DATA_DIR themselves; make it absolute so it means the same from any cwd.
  const supervisor = new Supervisor({ ...process.env, ...options.env, DATA_DIR: config.dataDir });
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      log(`${signal}: stopping (again to kill everything at once)`);
      void supervisor.stop(0);
      return;
    }
    // One Ctrl-C can arrive more than once (npm and tsx forward it too); only a later one means "now".
    if (Date.now() - firstSignalAt < FORCE_AFTER_MS) return;
    log(`${signal} again: killing everything`);
    supervisor.killAll();
    process.exit(130);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  process.on('exit', () => supervisor.killAll());

  try {
    await supervisor.startAll(services);
  } catch (error) {
    await supervisor.stop(1, error instanceof Error ? error.message : String(error));
  }
  if (supervisor.isStopping) return;
  const title =
    (typeof options.title === 'function' ? options.title() : options.title) ??
    `Telephony onboarding is running (${config.profile} profile)`;
  const ordered = [...services.filter((s) => s.linksFirst), ...services.filter((s) => !s.linksFirst)];
  process.stdout.write(
    `\n${box(
      title,
      ordered.flatMap((s) => s.links),
      'Ctrl-C stops everything.',
    )}\n\n`,
  );
}
