/**
 * A test call from the platform: one INVITE through a target (a customer's gateway or an SBC)
 * that lets the callee ring, then tears the call down properly — CANCEL while it rings, or ACK
 * and BYE once answered, ACK after a refusal — and reports every response with its timing.
 *
 * Signalling only: the SDP offer points at the discard port and no media flows. A small UAC of
 * our own rather than SIPp: it runs inside the worker with no system package, reports codes and
 * timings directly instead of through log files, answers digest challenges (registration-mode
 * accounts), and is exercised against SIPp and Kamailio in the integration tests.
 */
import { performance } from 'node:perf_hooks';
import ipaddr from 'ipaddr.js';
import { digestAuthorization, parseChallenge } from './digest';
import { openEndpoint, UnreachableError, type Peer, type SipEndpoint } from './endpoint';
import {
  firstLine,
  header,
  headerValues,
  hostPort,
  newBranch,
  parseCSeq,
  parseNameAddr,
  randomToken,
  serialize,
  transactionKey,
  uriTarget,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type Transport,
} from './message';
import { T1_MS, T2_MS } from './options';

export interface TestCallOptions {
  /** Where the INVITE is sent: the gateway, or the SBC in front of it. */
  target: { host: string; port: number; transport: Transport };
  /** The number to ring (Request-URI and To user). */
  callee: string;
  /**
   * To user where it differs from the Request-URI's: a gateway reached by its registered account
   * (Request-URI) is asked to ring the number in To.
   */
  to?: string;
  /** From user (the caller ID presented); `probe` by default. */
  caller?: string;
  /** Host of the Request-URI, To and From (a registration realm, say); the target by default. */
  domain?: string;
  localAddress?: string;
  /** Send from this port (act as a gateway whose address is allowlisted with its port). */
  localPort?: number;
  /** Answers one 401/407 challenge (calls from a registration-mode account). */
  auth?: { username: string; password: string };
  /** How long to let it ring before cancelling (default 3 s). */
  ringMs?: number;
  /** How long to stay connected once answered before hanging up (default 0). */
  holdMs?: number;
  /** No final response this long after the INVITE: cancel (if it got anywhere) and stop (default 32 s). */
  timeoutMs?: number;
  /** The provider's own addresses: no in-dialog request is routed to them (see `checkDialogHops`). */
  forbiddenHops?: string[];
  /** More INVITE headers, e.g. the instance the platform calls for (`X-Instance-Id`). */
  headers?: [string, string][];
}

export interface CallResponse {
  code: number;
  reason: string;
  /** Milliseconds after the first INVITE was sent. */
  atMs: number;
  method: string;
}

export type TestCallOutcome =
  /** 2xx: the callee answered; the call was ACKed and hung up with BYE. */
  | 'answered'
  /** It rang (or at least progressed) and was cancelled by us: 487 to the INVITE. */
  | 'cancelled'
  /** A final error response before we cancelled (403 from an SBC, 404, 486, ...). */
  | 'rejected'
  /** No final response at all within the time allowed. */
  | 'timeout'
  /** TCP could not connect: nothing was sent. */
  | 'unreachable'
  /** Answered, but the 2xx routed ACK and BYE somewhere the address rule refuses: nothing was sent there. */
  | 'unsafe-route';

export interface TestCallResult {
  outcome: TestCallOutcome;
  callId?: string;
  /** The final response to the (last) INVITE, if any. */
  finalCode?: number;
  finalReason?: string;
  /** Every distinct response received, INVITE and teardown, in order. */
  responses: CallResponse[];
  timings: {
    /** First 100 Trying. */
    tryingMs?: number;
    /** First 180/183: post-dial delay. */
    ringingMs?: number;
    answeredMs?: number;
    finalMs?: number;
    /** When the teardown (BYE or CANCEL) was answered. */
    teardownMs?: number;
    totalMs: number;
  };
  teardown: { method: 'CANCEL' | 'BYE' | 'ACK'; code?: number } | { method: 'none' };
  /** The first INVITE's request line. */
  sent?: string;
  from?: string;
  error?: string;
}

type Inbound = { message: SipMessage; from: Peer };

function canonical(host: string): string | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return undefined;
  let addr = ipaddr.parse(bare);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  return addr.toNormalizedString();
}

function sameHost(a: string, b: string): boolean {
  const ca = canonical(a);
  const cb = canonical(b);
  return ca !== undefined && cb !== undefined ? ca === cb : a.toLowerCase() === b.toLowerCase();
}

/**
 * Where a 2xx may send the dialog's ACK and BYE. The hop they are sent to (the first Route, or
 * the Contact without a route set) must be the target the INVITE went to: the gateway itself, or
 * the SBC in front of it. Further Routes must be that target too (an SBC may record-route
 * twice), or the SBC would forward there. The Contact behind an SBC is where the SBC takes the
 * requests within a dialog it created; it must still be an address a gateway can have: unicast
 * (loopback or private only when the target is in that range too, as in a lab) and none of the
 * provider's own. Anything else (another 127.x, 169.254.169.254, a provider address) is refused.
 */
export function checkDialogHops(input: {
  target: string;
  routes: string[];
  remoteTarget: string;
  forbidden?: string[];
}): { ok: true } | { ok: false; reason: string } {
  let hosts: { route: string[]; remote: string };
  try {
    hosts = {
      route: input.routes.map((r) => uriTarget(parseNameAddr(r).uri).host),
      remote: uriTarget(input.remoteTarget).host,
    };
  } catch (err) {
    return { ok: false, reason: `unparsable route: ${(err as Error).message}` };
  }
  const name = (i: number) => (i === 0 ? 'the first Record-Route' : `Record-Route ${i + 1}`);
  for (const [i, host] of hosts.route.entries()) {
    if (!sameHost(host, input.target))
      return { ok: false, reason: `${name(i)} points at ${host}, not at ${input.target} where the call was sent` };
  }
  const remote = hosts.remote;
  const forbidden = (input.forbidden ?? []).some(
    (f) => sameHost(f.replace(/:\d+$/, ''), remote) || sameHost(f, remote),
  );
  if (forbidden) return { ok: false, reason: `the Contact ${remote} is one of the provider's own addresses` };
  if (hosts.route.length === 0) {
    return sameHost(remote, input.target)
      ? { ok: true }
      : { ok: false, reason: `the Contact points at ${remote}, not at ${input.target} where the call was sent` };
  }
  if (sameHost(remote, input.target)) return { ok: true };
  const ip = canonical(remote);
  // A name behind the SBC is the SBC's to resolve (it does not): nothing of ours goes there.
  if (ip === undefined) return { ok: true };
  const range = ipaddr.parse(ip).range();
  if (range === 'unicast') return { ok: true };
  const targetIp = canonical(input.target);
  const targetRange = targetIp ? ipaddr.parse(targetIp).range() : undefined;
  if (['private', 'loopback', 'uniqueLocal'].includes(range) && range === targetRange) return { ok: true };
  return { ok: false, reason: `the Contact ${remote} is in the ${range} range` };
}

/** A queue of inbound messages that the call's steps wait on with deadlines. */
class Inbox {
  private readonly queue: Inbound[] = [];
  private wake: (() => void) | undefined;

  push(item: Inbound): void {
    this.queue.push(item);
    this.wake?.();
  }

  async next(deadline: number): Promise<Inbound | undefined> {
    for (;;) {
      const item = this.queue.shift();
      if (item) return item;
      const wait = deadline - performance.now();
      if (wait <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}

/** Sends a request and repeats it on UDP until stopped (timer A for INVITE, timer E otherwise). */
class Retransmitter {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly text: string,
    private readonly to: Peer,
    private readonly invite: boolean,
  ) {}

  start(): void {
    this.send();
    if (this.endpoint.transport !== 'udp') return;
    let interval = T1_MS;
    const tick = () => {
      if (this.stopped) return;
      this.send();
      interval = this.invite ? interval * 2 : Math.min(interval * 2, T2_MS);
      this.timer = setTimeout(tick, interval);
    };
    this.timer = setTimeout(tick, interval);
  }

  /** Non-INVITE requests keep going at T2 once a provisional response arrived. */
  slow(): void {
    if (this.invite || this.stopped || this.endpoint.transport !== 'udp') return;
    clearTimeout(this.timer);
    const tick = () => {
      if (this.stopped) return;
      this.send();
      this.timer = setTimeout(tick, T2_MS);
    };
    this.timer = setTimeout(tick, T2_MS);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private send(): void {
    this.endpoint.send(this.text, this.to).catch(() => undefined);
  }
}

export async function testCall(options: TestCallOptions): Promise<TestCallResult> {
  const ringMs = options.ringMs ?? 3_000;
  const holdMs = options.holdMs ?? 0;
  const timeoutMs = options.timeoutMs ?? 32_000;
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);

  const target: Peer = { address: options.target.host, port: options.target.port };
  let endpoint: SipEndpoint;
  try {
    endpoint = await openEndpoint({
      transport: options.target.transport,
      remote: target,
      localAddress: options.localAddress,
      localPort: options.localPort,
    });
  } catch (err) {
    if (err instanceof UnreachableError) {
      return {
        outcome: 'unreachable',
        responses: [],
        timings: { totalMs: since() },
        teardown: { method: 'none' },
        error: err.message,
      };
    }
    throw err;
  }

  const inbox = new Inbox();
  endpoint.onMessage((message, from) => inbox.push({ message, from }));
  const transportParam = endpoint.transport === 'tcp' ? ';transport=tcp' : '';
  const local = hostPort(endpoint.local.address, endpoint.local.port);
  const caller = options.caller ?? 'probe';
  const domain = options.domain ?? hostPort(options.target.host, options.target.port);
  const callId = `${randomToken(12)}@${endpoint.local.address}`;
  const fromTag = randomToken(6);
  const requestUri = `sip:${options.callee}@${domain}${transportParam}`;
  const fromHeader = `<sip:${caller}@${options.domain ?? local}>;tag=${fromTag}`;
  const toHeader = `<sip:${options.to ?? options.callee}@${domain}>`;
  const contact = `<sip:${caller}@${local}${transportParam}>`;

  const responses: CallResponse[] = [];
  const seen = new Set<string>();
  const timings: TestCallResult['timings'] = { totalMs: 0 };
  const retransmitters: Retransmitter[] = [];
  const record = (response: SipResponse) => {
    const cseq = parseCSeq(header(response, 'cseq'));
    const toTag = parseNameAddr(header(response, 'to') ?? '<sip:x>').params.tag ?? '';
    const key = `${response.status}/${cseq?.seq}/${cseq?.method}/${toTag}`;
    if (seen.has(key)) return false;
    seen.add(key);
    responses.push({ code: response.status, reason: response.reason, atMs: since(), method: cseq?.method ?? '' });
    return true;
  };

  const request = (
    method: string,
    uri: string,
    extra: {
      branch: string;
      cseq: number;
      to?: string;
      routes?: string[];
      headers?: [string, string][];
      body?: string;
    },
  ): SipRequest => ({
    kind: 'request',
    method,
    uri,
    headers: [
      ['Via', `SIP/2.0/${endpoint.transport.toUpperCase()} ${local};branch=${extra.branch};rport`],
      ['Max-Forwards', '70'],
      ...(extra.routes ?? []).map((r): [string, string] => ['Route', r]),
      ['From', fromHeader],
      ['To', extra.to ?? toHeader],
      ['Call-ID', callId],
      ['CSeq', `${extra.cseq} ${method}`],
      ...(method === 'INVITE' || method === 'ACK' || method === 'BYE'
        ? [['Contact', contact] as [string, string]]
        : []),
      ...(extra.headers ?? []),
      ['User-Agent', 'onboarding-test-call'],
    ],
    body: extra.body ?? '',
  });

  const sdp = [
    'v=0',
    `o=probe ${Date.now()} 1 IN IP4 ${endpoint.local.address}`,
    's=test call',
    `c=IN IP4 ${endpoint.local.address}`,
    't=0 0',
    'm=audio 9 RTP/AVP 8 0 101',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');

  const send = (message: SipRequest, to: Peer) => endpoint.send(serialize(message), to).catch(() => undefined);
  const startTransaction = (message: SipRequest, to: Peer) => {
    const r = new Retransmitter(endpoint, serialize(message), to, message.method === 'INVITE');
    retransmitters.push(r);
    r.start();
    return r;
  };
  /** Requests from the far end within the call: a BYE is answered; anything else too, plainly. */
  const answerRequest = (inbound: Inbound) => {
    const m = inbound.message as SipRequest;
    if (m.method === 'ACK') return;
    const reply: SipResponse = {
      kind: 'response',
      status: m.method === 'BYE' || m.method === 'OPTIONS' ? 200 : 501,
      reason: m.method === 'BYE' || m.method === 'OPTIONS' ? 'OK' : 'Not Implemented',
      headers: m.headers.filter(([n]) => /^(via|v|from|f|to|t|call-id|i|cseq)$/i.test(n)),
      body: '',
    };
    void endpoint.send(serialize(reply), inbound.from).catch(() => undefined);
  };

  let cseq = 1;
  let branch = newBranch();
  let invite = request('INVITE', requestUri, {
    branch,
    cseq,
    headers: [...(options.headers ?? []), ['Content-Type', 'application/sdp']],
    body: sdp,
  });
  const sent = firstLine(serialize(invite));
  const from = local;
  const deadline = started + timeoutMs;
  let inviteTx = startTransaction(invite, target);
  let progressed = false;
  let ringDeadline = Number.POSITIVE_INFINITY;
  let triedAuth = false;

  const ackFor = (response: SipResponse) =>
    request('ACK', requestUri, { branch, cseq, to: header(response, 'to') ?? toHeader });

  /** ACK and BYE within the dialog: to the Contact, through the Record-Route set reversed. */
  const dialogOf = (response: SipResponse) => {
    const remoteTarget = parseNameAddr(header(response, 'contact') ?? `<${requestUri}>`).uri;
    const routes = headerValues(response, 'record-route').reverse();
    const next = routes[0] ? uriTarget(parseNameAddr(routes[0]).uri) : uriTarget(remoteTarget);
    return {
      remoteTarget,
      routes,
      to: header(response, 'to') ?? toHeader,
      peer: { address: next.host, port: next.port },
    };
  };

  const finish = (
    result: Omit<TestCallResult, 'responses' | 'timings' | 'callId' | 'sent' | 'from'>,
  ): TestCallResult => {
    timings.totalMs = since();
    return { ...result, callId, responses, timings, sent, from };
  };

  const hangUp = async (response: SipResponse): Promise<TestCallResult> => {
    let dialog: ReturnType<typeof dialogOf>;
    try {
      dialog = dialogOf(response);
    } catch (err) {
      return finish({
        outcome: 'unsafe-route',
        finalCode: response.status,
        finalReason: response.reason,
        teardown: { method: 'none' },
        error: `ACK and BYE not sent: ${(err as Error).message}`,
      });
    }
    const hops = checkDialogHops({
      target: options.target.host,
      routes: dialog.routes,
      remoteTarget: dialog.remoteTarget,
      forbidden: options.forbiddenHops,
    });
    if (!hops.ok) {
      // The call stays up at the far end until it gives up waiting for the ACK: that is its doing.
      return finish({
        outcome: 'unsafe-route',
        finalCode: response.status,
        finalReason: response.reason,
        teardown: { method: 'none' },
        error: `ACK and BYE not sent: ${hops.reason}`,
      });
    }
    const ack = request('ACK', dialog.remoteTarget, {
      branch: newBranch(),
      cseq,
      to: dialog.to,
      routes: dialog.routes,
    });
    await send(ack, dialog.peer);
    const holdUntil = performance.now() + holdMs;
    // Hold: answer what the far end sends (2xx retransmissions get the ACK again).
    for (;;) {
      const inbound = await inbox.next(holdUntil);
      if (!inbound) break;
      if (inbound.message.kind === 'request') {
        answerRequest(inbound);
        if (inbound.message.method === 'BYE')
          return finish({
            outcome: 'answered',
            finalCode: response.status,
            finalReason: response.reason,
            teardown: { method: 'none' },
          });
      } else if (
        inbound.message.status >= 200 &&
        inbound.message.status < 300 &&
        parseCSeq(header(inbound.message, 'cseq'))?.method === 'INVITE'
      ) {
        await send(ack, dialog.peer);
      }
    }
    const bye = request('BYE', dialog.remoteTarget, {
      branch: newBranch(),
      cseq: cseq + 1,
      to: dialog.to,
      routes: dialog.routes,
    });
    const byeKey = transactionKey(bye);
    const byeTx = startTransaction(bye, dialog.peer);
    const byeDeadline = performance.now() + Math.min(timeoutMs, 32_000);
    for (;;) {
      const inbound = await inbox.next(byeDeadline);
      if (!inbound) {
        byeTx.stop();
        return finish({
          outcome: 'answered',
          finalCode: response.status,
          finalReason: response.reason,
          teardown: { method: 'BYE' },
          error: 'BYE not answered',
        });
      }
      const m = inbound.message;
      if (m.kind === 'request') {
        answerRequest(inbound);
        continue;
      }
      if (transactionKey(m) !== byeKey) {
        if (m.status >= 200 && m.status < 300 && parseCSeq(header(m, 'cseq'))?.method === 'INVITE')
          await send(ack, dialog.peer);
        continue;
      }
      record(m);
      if (m.status < 200) {
        byeTx.slow();
        continue;
      }
      byeTx.stop();
      timings.teardownMs = since();
      return finish({
        outcome: 'answered',
        finalCode: response.status,
        finalReason: response.reason,
        teardown: { method: 'BYE', code: m.status },
      });
    }
  };

  const cancel = async (): Promise<TestCallResult> => {
    inviteTx.stop();
    // CANCEL matches the INVITE: same branch, Request-URI, Call-ID, From, To and CSeq number.
    const cancelRequest: SipRequest = {
      kind: 'request',
      method: 'CANCEL',
      uri: requestUri,
      headers: invite.headers
        .filter(([n]) => /^(via|max-forwards|route|from|to|call-id)$/i.test(n))
        .concat([
          ['CSeq', `${cseq} CANCEL`],
          ['User-Agent', 'onboarding-test-call'],
        ]),
      body: '',
    };
    const cancelKey = transactionKey(cancelRequest);
    const cancelTx = startTransaction(cancelRequest, target);
    let cancelCode: number | undefined;
    const cancelDeadline = performance.now() + Math.min(32_000, timeoutMs);
    for (;;) {
      const inbound = await inbox.next(cancelDeadline);
      if (!inbound) {
        cancelTx.stop();
        return finish({
          outcome: 'timeout',
          teardown: { method: 'CANCEL', code: cancelCode },
          error: 'no final response after CANCEL',
        });
      }
      const m = inbound.message;
      if (m.kind === 'request') {
        answerRequest(inbound);
        continue;
      }
      const key = transactionKey(m);
      if (key === cancelKey) {
        record(m);
        if (m.status >= 200) {
          cancelCode = m.status;
          cancelTx.stop();
        }
        continue;
      }
      if (key !== transactionKey(invite) || m.status < 200) continue;
      record(m);
      timings.finalMs ??= since();
      cancelTx.stop();
      if (m.status < 300) {
        // Answered as we cancelled: the call exists and must be hung up.
        timings.answeredMs ??= since();
        return hangUp(m);
      }
      await send(ackFor(m), target);
      timings.teardownMs = since();
      return finish({
        outcome: m.status === 487 ? 'cancelled' : 'rejected',
        finalCode: m.status,
        finalReason: m.reason,
        teardown: { method: 'CANCEL', code: cancelCode },
      });
    }
  };

  try {
    for (;;) {
      const inbound = await inbox.next(Math.min(deadline, ringDeadline));
      if (!inbound) {
        // Out of time: a call that got anywhere is cancelled, one that did not is abandoned.
        if (progressed) return await cancel();
        inviteTx.stop();
        return finish({ outcome: 'timeout', teardown: { method: 'none' } });
      }
      const m = inbound.message;
      if (m.kind === 'request') {
        answerRequest(inbound);
        continue;
      }
      if (transactionKey(m) !== transactionKey(invite)) continue;
      const fresh = record(m);
      if (m.status < 200) {
        inviteTx.stop();
        progressed = true;
        if (m.status === 100) timings.tryingMs ??= since();
        if (m.status >= 180 && timings.ringingMs === undefined) {
          timings.ringingMs = since();
          ringDeadline = performance.now() + ringMs;
        }
        continue;
      }
      inviteTx.stop();
      if (!fresh) continue;
      timings.finalMs = since();
      if (m.status < 300) {
        timings.answeredMs = since();
        return await hangUp(m);
      }
      await send(ackFor(m), target);
      const challenge =
        m.status === 401
          ? header(m, 'www-authenticate')
          : m.status === 407
            ? header(m, 'proxy-authenticate')
            : undefined;
      if (challenge && options.auth && !triedAuth) {
        triedAuth = true;
        cseq++;
        branch = newBranch();
        const value = digestAuthorization({
          method: 'INVITE',
          uri: requestUri,
          username: options.auth.username,
          password: options.auth.password,
          challenge: parseChallenge(challenge),
        });
        const authHeader: [string, string] = [m.status === 401 ? 'Authorization' : 'Proxy-Authorization', value];
        invite = request('INVITE', requestUri, {
          branch,
          cseq,
          headers: [authHeader, ...(options.headers ?? []), ['Content-Type', 'application/sdp']],
          body: sdp,
        });
        inviteTx = startTransaction(invite, target);
        delete timings.finalMs;
        continue;
      }
      return finish({ outcome: 'rejected', finalCode: m.status, finalReason: m.reason, teardown: { method: 'ACK' } });
    }
  } finally {
    retransmitters.forEach((r) => r.stop());
    endpoint.close();
  }
}
