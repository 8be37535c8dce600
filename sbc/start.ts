/**
 * Runs the product's SBC: Kamailio in the foreground with `sbc/kamailio.cfg`, on its own
 * database (schema set up first), listening for SIP on UDP and TCP and for JSON-RPC on a
 * loopback HTTP port. `startSbc` is what tests call; run as a script it is the `sbc` service of
 * `npm start`, configured from the environment (SBC_*, SIP_DOMAIN).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { sendOptions } from '../sip/options';
import { kamailioArgs, kamailioEnv, platformListenerOf, writeKamailioConfig, type SbcOptions } from './kamailio-config';
import { syncCarriers, syncPlatformAddresses } from './provisioning';
import { KAMAILIO_SCHEMA_DIR, postgresReachable, redact, setupSbcSchema } from './schema';

export {
  DEFAULT_SBC_LIMITS,
  KAMAILIO_CFG,
  kamailioArgs,
  kamailioConfigFiles,
  kamailioEnv,
  platformListenerOf,
  writeKamailioConfig,
  type SbcLimits,
  type SbcOptions,
  type SbcPairOptions,
} from './kamailio-config';
export { CARRIER_GROUP } from './provisioning';

export interface RunningSbc {
  rpcUrl: string;
  sip: { ip: string; port: number };
  /** The platform's listener (TCP). */
  platform: { ip: string; port: number };
  pid: number;
  /** Resolves when Kamailio has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export class SbcUnavailableError extends Error {
  override name = 'SbcUnavailableError';
}

/** The kamailio binary, looked up on PATH and in the sbin directories Debian installs it to. */
export function findKamailio(explicit = process.env.KAMAILIO_BIN): string | undefined {
  const candidates = explicit
    ? [explicit]
    : [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin', '/sbin'].map(
        (d) => path.join(d, 'kamailio'),
      );
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether the SBC can run here: Kamailio with its PostgreSQL module, and PostgreSQL answering. */
export async function sbcAvailability(
  databaseUrl: string,
): Promise<{ ok: true; kamailio: string } | { ok: false; reason: string }> {
  const kamailio = findKamailio();
  if (!kamailio)
    return { ok: false, reason: 'kamailio is not installed (apt-get install kamailio kamailio-postgres-modules)' };
  try {
    accessSync(path.join(KAMAILIO_SCHEMA_DIR, 'standard-create.sql'), constants.R_OK);
  } catch {
    return {
      ok: false,
      reason: 'kamailio-postgres-modules is not installed (apt-get install kamailio-postgres-modules)',
    };
  }
  const pgState = await postgresReachable(databaseUrl);
  if (!pgState.ok) return { ok: false, reason: pgState.reason };
  return { ok: true, kamailio };
}

export async function startSbc(options: SbcOptions): Promise<RunningSbc> {
  const rpcIp = options.rpcIp ?? '127.0.0.1';
  if (!/^127\./.test(rpcIp) && rpcIp !== '::1')
    throw new Error(`the SBC's JSON-RPC must stay on loopback, not ${rpcIp}`);
  const kamailio = options.kamailio ?? findKamailio();
  if (!kamailio)
    throw new SbcUnavailableError('kamailio is not installed (apt-get install kamailio kamailio-postgres-modules)');
  const reachable = await postgresReachable(options.databaseUrl);
  if (!reachable.ok) throw new SbcUnavailableError(reachable.reason);
  await setupSbcSchema(options.databaseUrl);
  await syncPlatformAddresses(options.databaseUrl, options.platformAddresses ?? []);
  await syncCarriers(options.databaseUrl, options.carriers ?? []);

  // mkdtemp makes the directory 0700; the files in it are 0600.
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'onboarding-sbc-'));
  let args: string[];
  try {
    args = kamailioArgs(options, runDir);
    writeKamailioConfig(options, runDir);
  } catch (err) {
    rmSync(runDir, { recursive: true, force: true });
    throw err;
  }
  const child: ChildProcess = spawn(kamailio, args, {
    env: kamailioEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup !== false,
  });
  const recent: string[] = [];
  const onLine = (line: string) => {
    recent.push(line);
    if (recent.length > 40) recent.shift();
    if (options.onLog) options.onLog(line);
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      lines.filter(Boolean).forEach(onLine);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (options.ownProcessGroup === false) child.kill(signal);
      else process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      signalGroup('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') signalGroup('SIGKILL');
      await exited;
      signalGroup('SIGKILL');
      rmSync(runDir, { recursive: true, force: true });
    })());

  const rpcUrl = `http://${rpcIp.includes(':') ? `[${rpcIp}]` : rpcIp}:${options.rpcPort}/RPC`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  let gone: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((how) => (gone = how));
  try {
    for (;;) {
      if (gone)
        throw new Error(
          `kamailio exited during start (${gone.signal ?? `code ${gone.code}`}):\n${recent.slice(-15).join('\n')}`,
        );
      if (await answers(rpcUrl, options.sipIp, options.sipPort)) break;
      if (Date.now() > deadline)
        throw new Error(
          `kamailio did not answer on ${rpcUrl} and sip:${options.sipIp}:${options.sipPort}:\n${recent.slice(-15).join('\n')}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    rpcUrl,
    sip: { ip: options.sipIp, port: options.sipPort },
    platform: platformListenerOf(options),
    pid: child.pid!,
    exited,
    stop,
  };
}

/** A source the SBC ignores for now, from its ban table. */
export interface BannedSource {
  ip: string;
  /** Why: `invite-flood`, `register-flood`, `auth-failures`, `forged-dialog-flood`. */
  reason: string;
}

/** The ban table over JSON-RPC (`htable.dump ipban`). */
export async function bannedSources(rpcUrl: string): Promise<BannedSource[]> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    body: JSON.stringify({ jsonrpc: '2.0', method: 'htable.dump', params: ['ipban'], id: 1 }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json()) as {
    result?: { slot?: { name: string; value: unknown }[] }[];
    error?: { message: string };
  };
  if (body.error) throw new Error(`htable.dump ipban: ${body.error.message}`);
  return (body.result ?? [])
    .flatMap((entry) => entry.slot ?? [])
    .map((item) => ({ ip: item.name, reason: String(item.value) }));
}

/** Ready: the RPC port answers a JSON-RPC call and the SIP port answers OPTIONS. */
async function answers(rpcUrl: string, sipIp: string, sipPort: number): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      body: JSON.stringify({ jsonrpc: '2.0', method: 'core.version', id: 1 }),
      signal: AbortSignal.timeout(1_000),
    });
    if (!res.ok) return false;
    await res.text();
  } catch {
    return false;
  }
  const options = await sendOptions({ host: sipIp, port: sipPort, transport: 'udp', timeoutMs: 1_000 });
  return options.outcome === 'answered' && options.code === 200;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, { process: 'sbc' });
  const sbc = config.sipGateway.sbc;
  const running = await startSbc({
    databaseUrl: sbc.databaseUrl,
    sipIp: sbc.sipHost,
    sipPort: sbc.sipPort,
    rpcIp: sbc.rpcHost,
    rpcPort: sbc.rpcPort,
    sipDomain: config.sipGateway.sipDomain,
    platformUri: sbc.platformUri,
    platformAddresses: sbc.platformAddresses,
    platformListener: { ip: sbc.platformListener.host, port: sbc.platformListener.port },
    carriers: sbc.carriers,
    keepAliveSeconds: sbc.keepAliveSeconds,
    pair: sbc.pair && {
      dmq: { ip: sbc.pair.dmq.host, port: sbc.pair.dmq.port },
      peer: {
        dmq: { ip: sbc.pair.peer.host, port: sbc.pair.peer.dmqPort },
        sip: { ip: sbc.pair.peer.host, port: sbc.pair.peer.sipPort },
        platform: { ip: sbc.pair.peer.host, port: sbc.pair.peer.platformPort },
      },
    },
    onLog: (line) => process.stdout.write(`${line}\n`),
    ownProcessGroup: false,
  });
  process.stdout.write(
    `SBC ready: SIP udp/tcp ${sbc.sipHost}:${sbc.sipPort}, JSON-RPC ${running.rpcUrl}, database ${redact(sbc.databaseUrl)}` +
      `${sbc.platformUri ? `, platform ${sbc.platformUri}` : ', no platform behind it (admitted calls get 480)'}` +
      `${sbc.pair ? `, paired over DMQ with ${sbc.pair.peer.host}:${sbc.pair.peer.dmqPort}` : ''}\n`,
  );
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopping = true;
      void running.stop().then(() => process.exit(0));
    });
  }
  const how = await running.exited;
  if (stopping) return;
  process.stderr.write(`kamailio exited (${how.signal ?? `code ${how.code}`})\n`);
  process.exit(1);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
