/**
 * An SBC pair for a test file: two real Kamailio instances on one database, replicating over DMQ,
 * on the file's loopback /24 (SBC 1 on .1, SBC 2 on .2), a carrier (SIPp, answering) on .3 and the
 * platform's address .4 in group 2. `PlatformCall` is the platform's side of a call out: it sets
 * a call up through either SBC and sends the call's BYE through either, as a platform that fails
 * over to the other SBC does.
 */
import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import pg from 'pg';
import { KamailioSipGateway } from '../../activities/sip-gateway-kamailio';
import { dropSbcDatabase } from '../../sbc/schema';
import { startSbc, type RunningSbc, type SbcLimits, type SbcOptions } from '../../sbc/start';
import { openEndpoint, type SipEndpoint } from '../../sip/endpoint';
import {
  header,
  headerValues,
  newBranch,
  parseMessage,
  randomToken,
  type SipRequest,
  type SipResponse,
} from '../../sip/message';

export const SIP_PORT = 5060;
export const PLATFORM_PORT = 5061;
export const DMQ_PORT = 5063;
export const RPC_PORT = 5071;

export interface PairSbc {
  ip: string;
  options: SbcOptions;
  running: RunningSbc | undefined;
  start(): Promise<RunningSbc>;
  /** SIGKILL to its process group: no goodbye to its peer, calls up. */
  kill(): Promise<void>;
}

export interface TestSbcPair {
  sbcs: [PairSbc, PairSbc];
  databaseUrl: string;
  pool: pg.Pool;
  /** The product's gateway, told through SBC 1's RPC (SBC 2 follows the shared tables). */
  gateway: KamailioSipGateway;
  carrier: { ip: string; port: number };
  platformIp: string;
  /** Assigns a number of supplier A on `instanceId` to the enterprise, callable at any hour, within `rules`. */
  assignSupplierNumber(
    instanceId: string,
    number: string,
    a: {
      enterpriseId: string;
      reference: string;
      rules: { maxConcurrentCalls?: number; perCalleeDailyLimit?: number };
    },
  ): ReturnType<KamailioSipGateway['assignNumbers']>;
  stop(): Promise<void>;
}

export async function startSbcPair(
  net: string,
  options: { limits?: Partial<SbcLimits>; log?: boolean } = {},
): Promise<TestSbcPair> {
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/onboarding_sbc_pair_${randomUUID().slice(0, 8)}`;
  const carrier = { ip: `${net}.3`, port: 5062 };
  const platformIp = `${net}.4`;
  const carrierSipp = await startAnsweringCarrier(carrier);
  const ips = [`${net}.1`, `${net}.2`] as const;
  const optionsOf = (i: 0 | 1): SbcOptions => {
    const ip = ips[i];
    const other = ips[1 - i]!;
    return {
      onLog: options.log || process.env.SBC_LOG ? (line) => process.stderr.write(`[sbc${i + 1}] ${line}\n`) : undefined,
      databaseUrl,
      sipIp: ip,
      sipPort: SIP_PORT,
      rpcIp: ip,
      rpcPort: RPC_PORT,
      sipDomain: 'sip.test',
      platformAddresses: [platformIp],
      platformListener: { ip, port: PLATFORM_PORT },
      carriers: [
        {
          name: 'answering',
          ip: carrier.ip,
          port: carrier.port,
          transport: 'udp',
          origins: ['purchased', 'supplier:A'],
          prefixes: ['+86'],
        },
      ],
      keepAliveSeconds: 30,
      limits: options.limits,
      pair: {
        dmq: { ip, port: DMQ_PORT },
        peer: {
          dmq: { ip: other, port: DMQ_PORT },
          sip: { ip: other, port: SIP_PORT },
          platform: { ip: other, port: PLATFORM_PORT },
        },
      },
    };
  };
  const sbc = (i: 0 | 1): PairSbc => {
    const self: PairSbc = {
      ip: ips[i],
      options: optionsOf(i),
      running: undefined,
      async start() {
        self.running = await startSbc(self.options);
        return self.running;
      },
      async kill() {
        const running = self.running;
        if (!running) return;
        try {
          process.kill(-running.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await running.exited;
        await running.stop();
        self.running = undefined;
      },
    };
    return self;
  };
  const sbcs: [PairSbc, PairSbc] = [sbc(0), sbc(1)];
  try {
    // One at a time: the schema is set up once, and the second finds the first to sync from.
    await sbcs[0].start();
    await sbcs[1].start();
  } catch (err) {
    for (const s of sbcs) await s.running?.stop();
    await carrierSipp.stop();
    throw err;
  }
  await bothActive(sbcs.map((s) => s.running!.rpcUrl));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const gateway = new KamailioSipGateway({ pool, rpcUrl: sbcs[0].running!.rpcUrl, sipDomain: 'sip.test' });
  return {
    sbcs,
    databaseUrl,
    pool,
    gateway,
    carrier,
    platformIp,
    assignSupplierNumber: (instanceId, number, a) =>
      gateway.assignNumbers({
        instanceId,
        numbers: [number],
        enterpriseId: a.enterpriseId,
        origin: 'supplier',
        supplier: 'A',
        callingRules: { ...a.rules, callingHours: [{ from: '00:00', to: '23:59' }] },
        reference: a.reference,
      }),
    async stop() {
      for (const s of sbcs) await s.running?.stop();
      await carrierSipp.stop();
      await pool.end();
      await dropSbcDatabase(databaseUrl);
    },
  };
}

/**
 * Waits until each SBC lists the other as an active DMQ node, and still does a moment later. The
 * first SBC's announcement to the second, sent before the second listened, fails only when its
 * transaction times out (fr_timer, 5 s): that marks the second pending, and replication to it
 * pauses until the next DMQ ping (10 s) finds it again.
 */
async function bothActive(rpcUrls: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const activeEverywhere = async () => {
    for (const url of rpcUrls) {
      const res = await fetch(url, {
        method: 'POST',
        body: JSON.stringify({ jsonrpc: '2.0', method: 'dmq.list_nodes', id: 1 }),
      });
      const nodes = ((await res.json()) as { result?: { status: string; local: number }[] }).result ?? [];
      if (nodes.length < 2 || nodes.some((n) => n.status !== 'active')) return false;
    }
    return true;
  };
  // Past the first SBC's failed announcement (fr_timer), then active on both.
  await new Promise((r) => setTimeout(r, 6_000));
  while (!(await activeEverywhere())) {
    if (Date.now() > deadline) throw new Error('the SBC pair did not see each other as active DMQ nodes');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The platform's side of one call out (TCP to an SBC's platform listener), set up and ended by hand. */
export class PlatformCall {
  readonly callId = `${randomToken(12)}@platform`;
  private readonly fromTag = randomToken(6);
  private toTag: string | undefined;
  private routes: string[] = [];
  private remoteTarget: string | undefined;
  private cseq = 1;
  private endpoints: SipEndpoint[] = [];
  /** The final answer to the INVITE. */
  answer: { code: number; reason: string; text?: string } | undefined;
  /** The answer's Contact and Record-Routes, as the platform sees them (the SBC's alone: topology hiding). */
  get seen(): { remoteTarget: string | undefined; routes: string[] } {
    return { remoteTarget: this.remoteTarget, routes: [...this.routes] };
  }

  constructor(
    private readonly input: {
      platformIp: string;
      instanceId: string;
      caller: string;
      callee: string;
      /** The carrier the call is for (To host; the SBC routes by its own table). */
      dest: string;
    },
  ) {}

  private async endpointTo(sbcIp: string): Promise<SipEndpoint> {
    const ep = await openEndpoint({
      transport: 'tcp',
      remote: { address: sbcIp, port: PLATFORM_PORT },
      localAddress: this.input.platformIp,
    });
    this.endpoints.push(ep);
    return ep;
  }

  /** Sends `text` to the SBC at `sbcIp`; the final response of the transaction `branch`. */
  private async transact(sbcIp: string, build: (local: string) => { text: string; branch: string }, timeoutMs = 8_000) {
    const ep = await this.endpointTo(sbcIp);
    const local = `${ep.local.address}:${ep.local.port}`;
    const { text, branch } = build(local);
    const final = new Promise<SipResponse | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      ep.onMessage((m) => {
        if (m.kind !== 'response' || m.status < 200 || !header(m, 'via')?.includes(branch)) return;
        clearTimeout(timer);
        resolve(m);
      });
      ep.onError(() => undefined);
    });
    await ep.send(text, { address: sbcIp, port: PLATFORM_PORT });
    return { response: await final, ep, local };
  }

  /** INVITE through the SBC at `sbcIp`; ACKs a 2xx. The final code (0: no answer). */
  async invite(sbcIp: string): Promise<number> {
    const { caller, callee, dest, instanceId, platformIp } = this.input;
    const sdp = `v=0\r\no=platform 1 1 IN IP4 ${platformIp}\r\ns=-\r\nc=IN IP4 ${platformIp}\r\nt=0 0\r\nm=audio 9 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`;
    const { response, ep, local } = await this.transact(sbcIp, (local) => {
      const branch = newBranch();
      return {
        branch,
        text: [
          `INVITE sip:${callee}@${dest} SIP/2.0`,
          `Via: SIP/2.0/TCP ${local};branch=${branch};rport`,
          `From: <sip:${caller}@${platformIp}>;tag=${this.fromTag}`,
          `To: <sip:${callee}@${dest}>`,
          `Call-ID: ${this.callId}`,
          `CSeq: ${this.cseq} INVITE`,
          `X-Instance-Id: ${instanceId}`,
          `Contact: <sip:${caller}@${local};transport=tcp>`,
          'Max-Forwards: 70',
          'Content-Type: application/sdp',
          `Content-Length: ${Buffer.byteLength(sdp)}`,
          '',
          sdp,
        ].join('\r\n'),
      };
    });
    if (!response) {
      this.answer = { code: 0, reason: 'no answer' };
      return 0;
    }
    this.answer = { code: response.status, reason: response.reason, text: header(response, 'reason') };
    if (response.status >= 300) return response.status;
    this.toTag = /;tag=([^;>\s]+)/.exec(header(response, 'to') ?? '')?.[1];
    this.routes = headerValues(response, 'record-route').reverse();
    this.remoteTarget = /<([^>]+)>/.exec(header(response, 'contact') ?? '')?.[1];
    await ep.send(this.inDialog('ACK', local, newBranch()), { address: sbcIp, port: PLATFORM_PORT });
    return response.status;
  }

  /** BYE along the call's route set, handed to the SBC at `sbcIp` (either of the pair). The final code (0: none). */
  async bye(sbcIp: string): Promise<number> {
    if (!this.remoteTarget || !this.toTag) throw new Error('the call was not answered');
    this.cseq += 1;
    const { response } = await this.transact(sbcIp, (local) => {
      const branch = newBranch();
      return { branch, text: this.inDialog('BYE', local, branch) };
    });
    return response?.status ?? 0;
  }

  /** A request within the call (ACK, BYE) along its route set, from `local`. */
  private inDialog(method: 'ACK' | 'BYE', local: string, branch: string): string {
    const { caller, callee, dest, platformIp } = this.input;
    return [
      `${method} ${this.remoteTarget} SIP/2.0`,
      `Via: SIP/2.0/TCP ${local};branch=${branch};rport`,
      ...this.routes.map((r) => `Route: ${r}`),
      `From: <sip:${caller}@${platformIp}>;tag=${this.fromTag}`,
      `To: <sip:${callee}@${dest}>;tag=${this.toTag}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${this.cseq} ${method}`,
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  close(): void {
    for (const ep of this.endpoints) ep.close();
    this.endpoints = [];
  }
}

/**
 * A carrier that answers every call and every BYE over UDP, replying where each request came from
 * (RFC 3261 18.2.2, rport): the BYE of a call set up through SBC 1 may come from SBC 2. (SIPp
 * answers a call's requests at the address its INVITE came from.)
 */
export async function startAnsweringCarrier(at: { ip: string; port: number }): Promise<{ stop(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(at.port, at.ip, () => resolve()));
  const tags = new Map<string, string>();
  socket.on('message', (data, rinfo) => {
    let m;
    try {
      m = parseMessage(data.toString('utf8'));
    } catch {
      return;
    }
    if (m.kind !== 'request' || m.method === 'ACK') return;
    const reply = (req: SipRequest, status: number, reason: string, extra: string[] = [], withTag = false) => {
      const callId = header(req, 'call-id') ?? '';
      if (withTag && !tags.has(callId)) tags.set(callId, randomToken(4));
      const to = header(req, 'to') ?? '';
      const text = [
        `SIP/2.0 ${status} ${reason}`,
        ...headerValues(req, 'via').map((v) => `Via: ${v}`),
        `From: ${header(req, 'from')}`,
        `To: ${withTag && !/;tag=/.test(to) ? `${to};tag=${tags.get(callId)}` : to}`,
        `Call-ID: ${callId}`,
        `CSeq: ${header(req, 'cseq')}`,
        ...extra,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(text, rinfo.port, rinfo.address);
    };
    if (m.method === 'INVITE') {
      reply(m, 100, 'Trying');
      const rr = headerValues(m, 'record-route').map((r) => `Record-Route: ${r}`);
      const contact = `Contact: <sip:callee@${at.ip}:${at.port};transport=udp>`;
      reply(m, 180, 'Ringing', [...rr, contact], true);
      reply(m, 200, 'OK', [...rr, contact], true);
    } else reply(m, 200, 'OK');
  });
  return {
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A call out from the pair's platform, for `instanceId`, to the pair's carrier. */
export function platformCall(pair: TestSbcPair, instanceId: string, caller: string, callee: string): PlatformCall {
  return new PlatformCall({
    platformIp: pair.platformIp,
    instanceId,
    caller,
    callee,
    dest: `${pair.carrier.ip}:${pair.carrier.port}`,
  });
}
