/**
 * How Kamailio is started for a set of options: its command line (listeners as -l, settings as
 * -A defines), its configuration files (the secret defines, then `sbc/kamailio.cfg`) and the
 * environment it gets.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Carrier } from '../domain/carriers';
import { redact } from './schema';

/** Beside this file, or in the source tree when running compiled from dist/. */
export const KAMAILIO_CFG =
  [path.join(__dirname, 'kamailio.cfg'), path.resolve(__dirname, '..', '..', 'sbc', 'kamailio.cfg')].find((f) =>
    existsSync(f),
  ) ?? path.join(__dirname, 'kamailio.cfg');

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
