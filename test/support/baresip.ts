/**
 * baresip, a real SIP user agent, run headless for the tests: a config directory with one
 * account, audio through a null bridge device (no sound card), calls answered
 * automatically, and commands and events over its TCP control socket (netstring-framed JSON).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface BaresipAccount {
  username: string;
  password: string;
  realm: string;
  /** host:port of the registrar and outbound proxy. */
  registrar: string;
  transport: 'udp' | 'tcp';
}

export interface Baresip {
  /** Every event baresip reported, oldest first (`type`: REGISTER_OK, CALL_ESTABLISHED, ...). */
  events: { type: string; param?: string; peeruri?: string }[];
  /** Sends a command (`dial`, `hangup`, ...) and resolves with its response. */
  command(command: string, params?: string): Promise<unknown>;
  log(): string;
  stop(): Promise<void>;
}

export async function startBaresip(opts: {
  account: BaresipAccount;
  /** Address and port baresip's SIP stack listens on. */
  listen: string;
  /** host:port of the control socket (on the test file's own loopback /24). */
  control: { host: string; port: number };
}): Promise<Baresip> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baresip-'));
  const { account } = opts;
  writeFileSync(
    path.join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen ${opts.listen}`,
      'module_path /usr/lib/baresip/modules',
      'module_app menu.so',
      'module g711.so',
      'module aubridge.so',
      'module_app account.so',
      'module_app ctrl_tcp.so',
      'audio_player aubridge,nil',
      'audio_source aubridge,nil',
      'audio_alert aubridge,nil',
      `ctrl_tcp_listen ${opts.control.host}:${opts.control.port}`,
      'rtp_ports 40000-40100',
      '',
    ].join('\n'),
  );
  const proxy = `sip:${account.registrar};transport=${account.transport}`;
  writeFileSync(
    path.join(dir, 'accounts'),
    `<sip:${account.username}@${account.realm}>;auth_user=${account.username};auth_pass=${account.password};outbound="${proxy}";regint=120;answermode=auto;audio_codecs=PCMU,PCMA\n`,
  );
  const child: ChildProcess = spawn('baresip', ['-f', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));

  const events: Baresip['events'] = [];
  const pending = new Map<string, (v: unknown) => void>();
  let socket: net.Socket | undefined;
  for (let i = 0; i < 100 && !socket; i++) {
    socket = await new Promise<net.Socket | undefined>((resolve) => {
      const s = net.connect(opts.control.port, opts.control.host);
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(undefined));
    });
    if (!socket) await new Promise((r) => setTimeout(r, 100));
  }
  if (!socket) throw new Error(`baresip's control socket did not open:\n${output}`);
  let buffer = '';
  socket.on('data', (d: Buffer) => {
    buffer += d.toString('utf8');
    // Netstrings: <length>:<json>,
    for (;;) {
      const colon = buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(buffer.slice(0, colon));
      if (buffer.length < colon + 1 + length + 1) return;
      const message = JSON.parse(buffer.slice(colon + 1, colon + 1 + length)) as Record<string, unknown>;
      buffer = buffer.slice(colon + 1 + length + 1);
      if (message.event) events.push(message as Baresip['events'][number]);
      else if (message.response && typeof message.token === 'string') pending.get(message.token)?.(message);
    }
  });
  let tokens = 0;
  return {
    events,
    log: () => output,
    command(command, params) {
      const token = `t${++tokens}`;
      const json = JSON.stringify({ command, ...(params ? { params } : {}), token });
      return new Promise((resolve) => {
        pending.set(token, resolve);
        socket!.write(`${Buffer.byteLength(json)}:${json},`);
      });
    },
    async stop() {
      socket!.destroy();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
