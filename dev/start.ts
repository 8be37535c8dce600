/**
 * `npm start`: the development profile on one machine.
 *
 * Starts the Temporal dev server, a mail inbox, the billing and contact-center sandboxes, the SBC (Kamailio, when it is
 * installed and PostgreSQL answers; otherwise the worker and API use the `manual` SIP gateway),
 * the worker and the API, one after the other, each once the previous one is ready. Output is prefixed per service. If one
 * exits unexpectedly the rest are stopped; Ctrl-C stops everything in reverse order.
 *
 * The services are data (`developmentServices`): a new one is one more entry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { loadConfig, type Config } from '../config';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { sbcAvailability } from '../sbc/start';
import { ensurePrerequisites } from './prerequisites';
import { resolveTemporalCli } from './temporal-cli';

const ROOT = path.resolve(__dirname, '..');

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
function tsEntry(file: string): Pick<ServiceSpec, 'command' | 'args'> {
  return { command: process.execPath, args: ['--import', 'tsx', file] };
}

function portOf(address: string, fallback: number): number {
  const match = /:(\d+)$/.exec(address);
  return match ? Number(match[1]) : fallback;
}

/** Where to reach a server bound to `host` from this machine. */
function localHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === 'localhost' ? '127.0.0.1' : host;
}

/** Which SIP gateway the worker and API use, and whether the local SBC runs for it. */
export interface SipGatewayPlan {
  mode: Config['sipGateway']['mode'];
  runSbc: boolean;
}

/**
 * Kamailio mode when Kamailio is installed and PostgreSQL answers; otherwise `manual`, with the
 * reason. A mode set in SIP_GATEWAY_MODE is kept (kamailio then must be able to run).
 */
export async function planSipGateway(
  config: Config,
  explicit = process.env.SIP_GATEWAY_MODE,
): Promise<SipGatewayPlan & { reason?: string }> {
  if (explicit && explicit !== 'kamailio')
    return { mode: config.sipGateway.mode, runSbc: false, reason: `SIP_GATEWAY_MODE=${explicit}` };
  const available = await sbcAvailability(config.sipGateway.sbc.databaseUrl);
  if (available.ok) return { mode: 'kamailio', runSbc: true };
  if (explicit === 'kamailio')
    throw new Error(`SIP_GATEWAY_MODE=kamailio, but the SBC cannot run: ${available.reason}`);
  return { mode: 'manual', runSbc: false, reason: available.reason };
}

export function developmentServices(
  config: Config,
  temporalCli: string,
  sip: SipGatewayPlan = { mode: config.sipGateway.mode, runSbc: false },
): ServiceSpec[] {
  const temporalPort = portOf(config.temporal.address, 7233);
  const { namespace } = config.temporal;
  const smtp = config.email.smtp;
  const sbc = config.sipGateway.sbc;
  // The worker and the API must use the gateway the supervisor chose.
  const sipEnv = { SIP_GATEWAY_MODE: sip.mode };
  const sbcService: ServiceSpec[] = sip.runSbc
    ? [
        {
          name: 'sbc',
          ...tsEntry('sbc/start.ts'),
          // It sets up its database first, then starts Kamailio; the JSON-RPC port opens last.
          ready: { kind: 'tcp', host: localHost(sbc.rpcHost), port: sbc.rpcPort },
          readyTimeoutMs: 60_000,
          ports: [sbc.sipPort, sbc.rpcPort],
          links: [
            ['SBC (Kamailio) SIP', `udp/tcp ${sbc.sipHost}:${sbc.sipPort}, realms *.${config.sipGateway.sipDomain}`],
            ['SBC JSON-RPC', sbc.rpcUrl],
          ],
        },
      ]
    : [];
  return [
    {
      name: 'temporal',
      command: temporalCli,
      args: [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(temporalPort),
        '--ui-port',
        String(config.temporal.uiPort),
        '--db-filename',
        config.temporal.dbFile,
        '--namespace',
        namespace,
        '--log-level',
        'warn',
        ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
      ],
      ready: { kind: 'tcp', host: '127.0.0.1', port: temporalPort },
      readyTimeoutMs: 90_000,
      ports: [temporalPort, config.temporal.uiPort],
      // start-dev skips attributes that already exist (even with another type), so check what is there.
      afterReady: (signal) =>
        ensureSearchAttributes(temporalCli, `127.0.0.1:${temporalPort}`, namespace, config, signal),
      // At warn level its shutdown logs every internal poller that loses its connection.
      quietWhenStopping: true,
      links: [
        ['Temporal UI', config.temporal.uiUrl],
        ['Temporal gRPC', `${config.temporal.address} (namespace ${namespace})`],
      ],
    },
    {
      name: 'mail',
      command: path.join(ROOT, 'node_modules', '.bin', 'maildev'),
      args: [
        '--ip',
        '127.0.0.1',
        '--web-ip',
        '127.0.0.1',
        '--smtp',
        String(smtp.port),
        '--web',
        String(config.email.webPort),
        '--mail-directory',
        path.join(config.dataDir, 'mail'),
      ],
      ready: { kind: 'http', url: `http://127.0.0.1:${config.email.webPort}/healthz` },
      readyTimeoutMs: 30_000,
      ports: [smtp.port, config.email.webPort],
      links: [
        ['Mail inbox', `http://localhost:${config.email.webPort}`],
        ['SMTP', `${smtp.host}:${smtp.port}`],
      ],
    },
    {
      name: 'billing',
      ...tsEntry('sandboxes/billing/main.ts'),
      ready: { kind: 'http', url: `http://${localHost(config.billing.host)}:${config.billing.port}/healthz` },
      readyTimeoutMs: 60_000,
      ports: [config.billing.port],
      links: [['Billing sandbox', config.billing.url]],
    },
    {
      name: 'contact-center',
      ...tsEntry('sandboxes/contact-center/main.ts'),
      ready: {
        kind: 'http',
        url: `http://${localHost(config.contactCenter.host)}:${config.contactCenter.port}/healthz`,
      },
      readyTimeoutMs: 60_000,
      ports: [config.contactCenter.port],
      links: [['Contact-center sandbox', config.contactCenter.url]],
    },
    ...sbcService,
    {
      name: 'worker',
      ...tsEntry('worker/main.ts'),
      env: sipEnv,
      // It says "worker polling …" (the SDK: "Worker state changed … RUNNING") once it polls.
      ready: { kind: 'output', pattern: /worker (is )?(polling|running|started|ready)|RUNNING/i, graceMs: 5_000 },
      readyTimeoutMs: 60_000,
      ports: [],
      links: [],
    },
    {
      name: 'api',
      ...tsEntry('api/main.ts'),
      env: sipEnv,
      ready: { kind: 'http', url: `http://${localHost(config.api.host)}:${config.api.port}/healthz` },
      readyTimeoutMs: 60_000,
      ports: [config.api.port],
      linksFirst: true,
      links: [
        ['API', config.api.publicUrl],
        ['OpenAPI', `${config.api.publicUrl}/v1/openapi.json`],
      ],
    },
  ];
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

async function ensureSearchAttributes(
  cli: string,
  address: string,
  namespace: string,
  config: Config,
  signal: AbortSignal,
): Promise<void> {
  const common = ['--address', address, '--namespace', namespace];
  // The port opens before the namespace is served; retry the first call for a while.
  let registered: Record<string, string> | undefined;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const listed = await capture(cli, ['operator', 'search-attribute', 'list', ...common, '--output', 'json'], signal);
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
        `search attribute ${name} is registered as ${typeName(have)} in namespace ${namespace}, but the product needs ${type}. ` +
          `Remove ${config.temporal.dbFile} to start with a fresh local Temporal (this deletes local workflow history).`,
      );
    }
    // One name per call: the CLI pairs names with types and one call with several names may add only the first.
    const created = await capture(
      cli,
      ['operator', 'search-attribute', 'create', ...common, '--name', name, '--type', type],
      signal,
    );
    if (created.code !== 0 && !/already exists/i.test(created.stderr + created.stdout)) {
      throw new Error(`could not register search attribute ${name}: ${created.stderr.trim()}`);
    }
    log(`registered search attribute ${name} (${type})`);
  }
}

function capture(
  command: string,
  args: string[],
  signal: AbortSignal,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
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

function paint(code: number, text: string): string {
  return useColour ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function prefix(name: string, colour: number): string {
  return paint(colour, `${name.padEnd(prefixWidth)} |`);
}

function log(message: string): void {
  process.stdout.write(`${prefix('start', 1)} ${message}\n`);
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

function tcpOpen(host: string, port: number): Promise<boolean> {
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

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

/**
 * Runs `services` until one fails (exit 1) or the process is asked to stop (exit 0). Exported so a
 * variant of the list (tests, a partial stack) runs under the same supervision.
 */
export async function supervise(services: ServiceSpec[], config: Config): Promise<void> {
  prefixWidth = Math.max(prefixWidth, ...services.map((s) => s.name.length));
  // Children resolve DATA_DIR themselves; make it absolute so it means the same from any cwd.
  const supervisor = new Supervisor({ ...process.env, DATA_DIR: config.dataDir });
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
  const title = `Telephony onboarding is running (${config.profile} profile)`;
  const ordered = [...services.filter((s) => s.linksFirst), ...services.filter((s) => !s.linksFirst)];
  process.stdout.write(
    `\n${box(
      title,
      ordered.flatMap((s) => s.links),
      'Ctrl-C stops everything.',
    )}\n\n`,
  );
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Kamailio and PostgreSQL installed or started first (or a stop naming the command); with
  // SKIP_SYSTEM_SETUP=1 nothing is checked and a missing SBC falls back to `manual` below.
  await ensurePrerequisites({ purpose: 'start', log });
  fs.mkdirSync(config.dataDir, { recursive: true });
  const cli = await resolveTemporalCli();
  const sip = await planSipGateway(config);
  log(
    sip.runSbc
      ? `SIP gateway: kamailio (the local SBC on ${config.sipGateway.sbc.sipHost}:${config.sipGateway.sbc.sipPort})`
      : `SIP gateway: ${sip.mode}, no local SBC (${sip.reason})${sip.mode === 'manual' ? '; SBC changes are recorded for a person to apply' : ''}`,
  );
  await supervise(developmentServices(config, cli, sip), config);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
