/**
 * Runs the product's SBC: Kamailio in the foreground with `sbc/kamailio.cfg`, on its own
 * database (schema set up first), listening for SIP on UDP and TCP and for JSON-RPC on a
 * loopback HTTP port. `startSbc` is what tests call; run as a script it is the `sbc` service of
 * `npm start`, configured from the environment (SBC_*, SIP_DOMAIN).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../config';
import type { Carrier } from '../domain/carriers';
import { sendOptions } from '../sip/options';
import { KAMAILIO_SCHEMA_DIR, postgresReachable, redact, setupSbcSchema } from './schema';

/** Beside this file, or in the source tree when running compiled from dist/. */
export const KAMAILIO_CFG =
  [path.join(__dirname, 'kamailio.cfg'), path.resolve(__dirname, '..', '..', 'sbc', 'kamailio.cfg')].find((f) =>
    existsSync(f),
  ) ?? path.join(__dirname, 'kamailio.cfg');
const PLATFORM_TAG = 'platform';
const PLATFORM_GROUP = 2;
/** Allowlist group of carrier interconnects (their rows are tagged `carrier:<name>`). */
export const CARRIER_GROUP = 3;

/** Flood control: per source, outside the platform's group 2 (which is never limited or banned). */
export interface SbcLimits {
  /** INVITEs (and refused in-dialog requests) one source may send per `floodWindowSeconds`. */
  inviteLimit: number;
  /** REGISTERs one source may send per `floodWindowSeconds`. */
  registerLimit: number;
  floodWindowSeconds: number;
  /** Digest failures (wrong password, unknown user) per `authFailWindowSeconds` that ban a source. */
  authFailLimit: number;
  authFailWindowSeconds: number;
  /** How long a banned source is ignored (no answer, no accounting). */
  banSeconds: number;
}

export const DEFAULT_SBC_LIMITS: SbcLimits = {
  inviteLimit: 100,
  registerLimit: 30,
  floodWindowSeconds: 10,
  authFailLimit: 5,
  authFailWindowSeconds: 60,
  banSeconds: 600,
};

export interface SbcOptions {
  /** postgres://… of the SBC's own database (created if missing). */
  databaseUrl: string;
  /** SIP listen address (UDP and TCP) and port. */
  sipIp: string;
  sipPort: number;
  /** JSON-RPC (HTTP) on loopback. */
  rpcIp?: string;
  rpcPort: number;
  /** Realms are `<instance>.<sipDomain>`. */
  sipDomain: string;
  /** Where admitted inbound calls go (`sip:host:port;transport=tcp`); without one the SBC answers them 480. */
  platformUri?: string;
  /**
   * The platform's own listener (TCP, never published): calls out are taken only here, and calls to
   * the platform leave from it. Default: the SIP address, port `sipPort + 2`.
   */
  platformListener?: { ip: string; port: number };
  /** Carrier interconnects, written to the database before Kamailio starts (exactly these). */
  carriers?: Carrier[];
  /** Seconds between in-dialog keep-alives to both parties of a call (default 60; Kamailio's least is 30). */
  keepAliveSeconds?: number;
  /** The platform's IPs (allowlist group 2), written to the database before Kamailio starts. */
  platformAddresses?: string[];
  /** Seconds between allowlist reloads Kamailio accepts (default 1). */
  reloadDelta?: number;
  /** Seconds added to the clock that calling hours are judged by (tests move the SBC's day; default 0). */
  clockOffsetSeconds?: number;
  /** Flood-control thresholds (DEFAULT_SBC_LIMITS for what is not given). */
  limits?: Partial<SbcLimits>;
  /** Kamailio's log lines; the last ones are also quoted when it fails to start. */
  onLog?: (line: string) => void;
  readyTimeoutMs?: number;
  kamailio?: string;
  /**
   * One of an SBC pair: DMQ on `dmq` (TCP, reachable by the other SBC only), replicating with the
   * other SBC's `peer.dmq`; it takes in-dialog requests routed to the other (`peer.sip.ip`), whose
   * dialogs it has.
   */
  pair?: SbcPairOptions;
  /**
   * Run Kamailio in a process group of its own (default), so `stop()` reaches its workers. A
   * supervisor that signals our group instead passes false, so Kamailio goes down with us.
   */
  ownProcessGroup?: boolean;
}

export interface SbcPairOptions {
  /** This SBC's DMQ listener. */
  dmq: { ip: string; port: number };
  /** The other SBC: its DMQ listener and the listeners its Record-Routes name. */
  peer: {
    dmq: { ip: string; port: number };
    sip: { ip: string; port: number };
    platform: { ip: string; port: number };
  };
}

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

/** `fn` in one transaction on its own connection: all of it or none. */
async function inTransaction(databaseUrl: string, fn: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

/** Group-2 rows tagged `platform` become exactly `addresses`. */
function syncPlatformAddresses(databaseUrl: string, addresses: string[]): Promise<void> {
  return inTransaction(databaseUrl, async (client) => {
    await client.query('DELETE FROM address WHERE grp = $1 AND tag = $2 AND NOT (ip_addr = ANY($3))', [
      PLATFORM_GROUP,
      PLATFORM_TAG,
      addresses,
    ]);
    for (const ip of addresses) {
      await client.query(
        `INSERT INTO address (grp, ip_addr, mask, port, sip_port, transport, tag) VALUES ($1, $2, $3, 0, 0, 'udp', $4)
         ON CONFLICT (grp, ip_addr, sip_port, transport, tag) DO NOTHING`,
        [PLATFORM_GROUP, ip, ip.includes(':') ? 128 : 32, PLATFORM_TAG],
      );
    }
  });
}

/** The carrier table and its group-3 allowlist rows become exactly `carriers`. */
function syncCarriers(databaseUrl: string, carriers: Carrier[]): Promise<void> {
  return inTransaction(databaseUrl, async (client) => {
    await client.query('DELETE FROM carrier WHERE NOT (name = ANY($1))', [carriers.map((c) => c.name)]);
    await client.query(`DELETE FROM address WHERE grp = $1`, [CARRIER_GROUP]);
    for (const c of carriers) {
      await client.query(
        `INSERT INTO carrier (name, ip_addr, port, transport, origins, prefixes) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) DO UPDATE SET ip_addr = EXCLUDED.ip_addr, port = EXCLUDED.port, transport = EXCLUDED.transport,
           origins = EXCLUDED.origins, prefixes = EXCLUDED.prefixes, updated_at = now()`,
        [c.name, c.ip, c.port, c.transport, c.origins, c.prefixes],
      );
      // A carrier is known by its address: it sends from whichever ports it likes (port 0 matches any).
      await client.query(
        `INSERT INTO address (grp, ip_addr, mask, port, sip_port, transport, tag) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (grp, ip_addr, sip_port, transport, tag) DO NOTHING`,
        [CARRIER_GROUP, c.ip, c.ip.includes(':') ? 128 : 32, 0, c.port, c.transport, `carrier:${c.name}`],
      );
    }
  });
}

/** The platform's listener for `options`. */
export function platformListenerOf(options: Pick<SbcOptions, 'sipIp' | 'sipPort' | 'platformListener'>): {
  ip: string;
  port: number;
} {
  return options.platformListener ?? { ip: options.sipIp, port: options.sipPort + 2 };
}

/** A define's value as a quoted config string: keep it a plain one. */
function cfgString(v: string): string {
  if (/["\\\n\r]/.test(v))
    throw new Error(`unsupported character in SBC setting: ${v.includes('://') ? redact(v) : v}`);
  return `"${v}"`;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`SBC limit ${name} must be a positive integer, not ${v}`);
  return v;
}

/** The config Kamailio is started with, in `runDir`: the secret defines, then `sbc/kamailio.cfg`. */
export function kamailioConfigFiles(
  options: SbcOptions,
  runDir: string,
): { main: string; secrets: string; files: Record<string, string> } {
  const main = path.join(runDir, 'kamailio.cfg');
  const secrets = path.join(runDir, 'secrets.cfg');
  for (const f of [secrets, KAMAILIO_CFG]) if (/["\n]/.test(f)) throw new Error(`unsupported character in path ${f}`);
  return {
    main,
    secrets,
    files: {
      [secrets]:
        `# Generated at each start; readable by the SBC's user only.\n#!define DBURL ${cfgString(options.databaseUrl)}\n` +
        `#!define SQLCON ${cfgString(`sbc=>${options.databaseUrl}`)}\n`,
      [main]: `#!KAMAILIO\nimport_file "${secrets}"\ninclude_file "${KAMAILIO_CFG}"\n`,
    },
  };
}

/** Writes the files of `kamailioConfigFiles` with mode 0600. */
export function writeKamailioConfig(options: SbcOptions, runDir: string): void {
  for (const [file, text] of Object.entries(kamailioConfigFiles(options, runDir).files))
    writeFileSync(file, text, { mode: 0o600 });
}

/**
 * Kamailio's command line for `options` (listeners as -l, settings as -A defines). The database
 * URL is not on it (the process list is world-readable): it is in the run dir's secrets file.
 */
export function kamailioArgs(options: SbcOptions, runDir: string): string[] {
  const rpcIp = options.rpcIp ?? '127.0.0.1';
  const str = cfgString;
  const limits = { ...DEFAULT_SBC_LIMITS, ...options.limits };
  for (const [name, v] of Object.entries(limits)) positiveInt(name, v);
  const platform = platformListenerOf(options);
  if (platform.port === options.sipPort && platform.ip === options.sipIp)
    throw new Error('the platform listener must not be the published SIP port');
  const pair = options.pair;
  const sipUri = ({ ip, port }: { ip: string; port: number }) =>
    `sip:${ip.includes(':') ? `[${ip}]` : ip}:${port};transport=tcp`;
  const pairArgs = pair
    ? [
        '-l',
        `tcp:${pair.dmq.ip}:${pair.dmq.port}`,
        '-A',
        'WITH_PAIR',
        '-A',
        `DMQ_PORT=${positiveInt('dmq port', pair.dmq.port)}`,
        '-A',
        `DMQ_ADDRESS=${str(sipUri(pair.dmq))}`,
        '-A',
        `DMQ_PEER=${str(sipUri(pair.peer.dmq))}`,
        '-A',
        `PEER_IP=${str(pair.peer.sip.ip)}`,
        '-A',
        `PEER_SIP_PORT=${positiveInt('peer SIP port', pair.peer.sip.port)}`,
        '-A',
        `PEER_PLATFORM_PORT=${positiveInt('peer platform port', pair.peer.platform.port)}`,
      ]
    : [];
  // Replicated bans: a ban on one SBC of a pair is a ban on both.
  const replicate = pair ? 'dmqreplicate=1;' : '';
  return [
    '-f',
    kamailioConfigFiles(options, runDir).main,
    '-DD',
    '-E',
    '-Y',
    runDir,
    '-m',
    '64',
    '-M',
    '8',
    '-l',
    `udp:${options.sipIp}:${options.sipPort}`,
    '-l',
    `tcp:${options.sipIp}:${options.sipPort}`,
    '-l',
    `tcp:${platform.ip}:${platform.port}`,
    '-l',
    `tcp:${rpcIp}:${options.rpcPort}`,
    '-A',
    `SIP_DOMAIN=${str(options.sipDomain.toLowerCase())}`,
    '-A',
    `RPC_PORT=${options.rpcPort}`,
    '-A',
    `RELOAD_DELTA=${options.reloadDelta ?? 1}`,
    '-A',
    `PLATFORM_PORT=${platform.port}`,
    '-A',
    `PLATFORM_SOCKET=${str(`tcp:${platform.ip}:${platform.port}`)}`,
    '-A',
    `KA_INTERVAL=${positiveInt('keepAliveSeconds', options.keepAliveSeconds ?? 60)}`,
    ...(options.platformUri ? ['-A', `PLATFORM_URI=${str(options.platformUri)}`] : []),
    '-A',
    `CLOCK_OFFSET=${Math.trunc(options.clockOffsetSeconds ?? 0)}`,
    '-A',
    `INVITE_LIMIT=${limits.inviteLimit}`,
    '-A',
    `REGISTER_LIMIT=${limits.registerLimit}`,
    '-A',
    `AUTH_FAIL_LIMIT=${limits.authFailLimit}`,
    '-A',
    `HT_RATE=${str(`rate=>size=10;autoexpire=${limits.floodWindowSeconds};updateexpire=0;`)}`,
    '-A',
    `HT_AUTHFAIL=${str(`authfail=>size=8;autoexpire=${limits.authFailWindowSeconds};updateexpire=0;`)}`,
    '-A',
    `HT_BAN=${str(`ipban=>size=8;autoexpire=${limits.banSeconds};updateexpire=0;${replicate}`)}`,
    ...pairArgs,
  ];
}

/**
 * Kamailio's environment: only what it uses. Its settings reach it in its configuration file and
 * `-A` defines (the database URL among them, in a 0600 file), so it gets none of this process's
 * variables: no other database's URL, no API key, no payload key.
 */
export function kamailioEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  // acc.time and location.expires are local time: make that UTC.
  return { TZ: 'UTC', ...(env.PATH ? { PATH: env.PATH } : {}) };
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
