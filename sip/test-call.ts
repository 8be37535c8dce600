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
  const started = performance.now();
  let endpoint: SipEndpoint;
  try {
    endpoint = await openEndpoint({
      transport: options.target.transport,
      remote: { address: options.target.host, port: options.target.port },
      localAddress: options.localAddress,
      localPort: options.localPort,
    });
  } catch (err) {
    if (err instanceof UnreachableError) {
      return {
        outcome: 'unreachable',
        responses: [],
        timings: { totalMs: Math.round(performance.now() - started) },
        teardown: { method: 'none' },
        error: err.message,
      };
    }
    throw err;
  }
  const call = new TestCall(options, endpoint, started);
  try {
    return await call.run();
  } finally {
    call.close();
  }
}

type Outcome = Omit<TestCallResult, 'responses' | 'timings' | 'callId' | 'sent' | 'from'>;

interface Dialog {
  remoteTarget: string;
  routes: string[];
  to: string;
  peer: Peer;
}

/** One call's state, and its steps: invite (with one digest retry), hang up, or cancel. */
class TestCall {
  private readonly ringMs: number;
  private readonly holdMs: number;
  private readonly timeoutMs: number;
  private readonly target: Peer;
  private readonly inbox = new Inbox();
  private readonly local: string;
  private readonly callId: string;
  private readonly requestUri: string;
  private readonly fromHeader: string;
  private readonly toHeader: string;
  private readonly contact: string;
  private readonly sdp: string;
  private readonly sent: string;
  private readonly responses: CallResponse[] = [];
  private readonly seen = new Set<string>();
  private readonly timings: TestCallResult['timings'] = { totalMs: 0 };
  private readonly retransmitters: Retransmitter[] = [];
  private cseq = 1;
  private branch = newBranch();
  private invite: SipRequest;
  private inviteTx: Retransmitter | undefined;

  constructor(
    private readonly options: TestCallOptions,
    private readonly endpoint: SipEndpoint,
    private readonly started: number,
  ) {
    this.ringMs = options.ringMs ?? 3_000;
    this.holdMs = options.holdMs ?? 0;
    this.timeoutMs = options.timeoutMs ?? 32_000;
    this.target = { address: options.target.host, port: options.target.port };
    endpoint.onMessage((message, from) => this.inbox.push({ message, from }));
    const transportParam = endpoint.transport === 'tcp' ? ';transport=tcp' : '';
    this.local = hostPort(endpoint.local.address, endpoint.local.port);
    const caller = options.caller ?? 'probe';
    const domain = options.domain ?? hostPort(options.target.host, options.target.port);
    this.callId = `${randomToken(12)}@${endpoint.local.address}`;
    this.requestUri = `sip:${options.callee}@${domain}${transportParam}`;
    this.fromHeader = `<sip:${caller}@${options.domain ?? this.local}>;tag=${randomToken(6)}`;
    this.toHeader = `<sip:${options.to ?? options.callee}@${domain}>`;
    this.contact = `<sip:${caller}@${this.local}${transportParam}>`;
    this.sdp = offer(endpoint.local.address);
    this.invite = this.inviteRequest([]);
    this.sent = firstLine(serialize(this.invite));
  }

  /** Sends the INVITE and follows it to an answer, a refusal, or the ring time running out. */
  async run(): Promise<TestCallResult> {
    const deadline = this.started + this.timeoutMs;
    this.inviteTx = this.startTransaction(this.invite, this.target);
    let progressed = false;
    let ringDeadline = Number.POSITIVE_INFINITY;
    let triedAuth = false;
    for (;;) {
      const inbound = await this.inbox.next(Math.min(deadline, ringDeadline));
      if (!inbound) {
        // Out of time: a call that got anywhere is cancelled, one that did not is abandoned.
        if (progressed) return await this.cancel();
        this.inviteTx.stop();
        return this.finish({ outcome: 'timeout', teardown: { method: 'none' } });
      }
      const m = inbound.message;
      if (m.kind === 'request') {
        this.answerRequest(inbound);
        continue;
      }
      if (transactionKey(m) !== transactionKey(this.invite)) continue;
      const fresh = this.record(m);
      if (m.status < 200) {
        this.inviteTx.stop();
        progressed = true;
        if (m.status === 100) this.timings.tryingMs ??= this.since();
        if (m.status >= 180 && this.timings.ringingMs === undefined) {
          this.timings.ringingMs = this.since();
          ringDeadline = performance.now() + this.ringMs;
        }
        continue;
      }
      this.inviteTx.stop();
      if (!fresh) continue;
      this.timings.finalMs = this.since();
      if (m.status < 300) {
        this.timings.answeredMs = this.since();
        return await this.hangUp(m);
      }
      await this.send(this.ackFor(m), this.target);
      if (!triedAuth && this.reinviteWithCredentials(m)) {
        triedAuth = true;
        continue;
      }
      return this.finish({
        outcome: 'rejected',
        finalCode: m.status,
        finalReason: m.reason,
        teardown: { method: 'ACK' },
      });
    }
  }

  close(): void {
    this.retransmitters.forEach((r) => r.stop());
    this.endpoint.close();
  }

  /** A 401/407 with credentials to answer it: the INVITE again, authorized. False otherwise. */
  private reinviteWithCredentials(response: SipResponse): boolean {
    const challenge =
      response.status === 401
        ? header(response, 'www-authenticate')
        : response.status === 407
          ? header(response, 'proxy-authenticate')
          : undefined;
    const auth = this.options.auth;
    if (!challenge || !auth) return false;
    this.cseq++;
    this.branch = newBranch();
    const value = digestAuthorization({
      method: 'INVITE',
      uri: this.requestUri,
      username: auth.username,
      password: auth.password,
      challenge: parseChallenge(challenge),
    });
    this.invite = this.inviteRequest([[response.status === 401 ? 'Authorization' : 'Proxy-Authorization', value]]);
    this.inviteTx = this.startTransaction(this.invite, this.target);
    delete this.timings.finalMs;
    return true;
  }

  /** Answered: ACK within the dialog, stay connected for the hold time, then BYE. */
  private async hangUp(response: SipResponse): Promise<TestCallResult> {
    const dialog = this.safeDialog(response);
    if ('outcome' in dialog) return dialog;
    const ack = this.request('ACK', dialog.remoteTarget, {
      branch: newBranch(),
      cseq: this.cseq,
      to: dialog.to,
      routes: dialog.routes,
    });
    await this.send(ack, dialog.peer);
    if (await this.hold(dialog, ack)) return this.answered(response, { method: 'none' });
    return this.bye(response, dialog, ack);
  }

  /** The answer's dialog, or why ACK and BYE are not sent along it. */
  private safeDialog(response: SipResponse): Dialog | TestCallResult {
    const unsafe = (reason: string) =>
      this.finish({
        outcome: 'unsafe-route',
        finalCode: response.status,
        finalReason: response.reason,
        teardown: { method: 'none' },
        error: `ACK and BYE not sent: ${reason}`,
      });
    let dialog: Dialog;
    try {
      dialog = this.dialogOf(response);
    } catch (err) {
      return unsafe((err as Error).message);
    }
    const hops = checkDialogHops({
      target: this.options.target.host,
      routes: dialog.routes,
      remoteTarget: dialog.remoteTarget,
      forbidden: this.options.forbiddenHops,
    });
    // The call stays up at the far end until it gives up waiting for the ACK: that is its doing.
    return hops.ok ? dialog : unsafe(hops.reason);
  }

  /** Stays connected, answering what the far end sends; true when it hung up first. */
  private async hold(dialog: Dialog, ack: SipRequest): Promise<boolean> {
    const holdUntil = performance.now() + this.holdMs;
    for (;;) {
      const inbound = await this.inbox.next(holdUntil);
      if (!inbound) return false;
      if (inbound.message.kind === 'request') {
        this.answerRequest(inbound);
        if (inbound.message.method === 'BYE') return true;
      } else if (this.isInviteSuccess(inbound.message)) {
        // A 2xx retransmission gets the ACK again.
        await this.send(ack, dialog.peer);
      }
    }
  }

  private async bye(response: SipResponse, dialog: Dialog, ack: SipRequest): Promise<TestCallResult> {
    const bye = this.request('BYE', dialog.remoteTarget, {
      branch: newBranch(),
      cseq: this.cseq + 1,
      to: dialog.to,
      routes: dialog.routes,
    });
    const byeKey = transactionKey(bye);
    const byeTx = this.startTransaction(bye, dialog.peer);
    const byeDeadline = performance.now() + Math.min(this.timeoutMs, 32_000);
    for (;;) {
      const inbound = await this.inbox.next(byeDeadline);
      if (!inbound) {
        byeTx.stop();
        return this.answered(response, { method: 'BYE' }, 'BYE not answered');
      }
      const m = inbound.message;
      if (m.kind === 'request') {
        this.answerRequest(inbound);
        continue;
      }
      if (transactionKey(m) !== byeKey) {
        if (this.isInviteSuccess(m)) await this.send(ack, dialog.peer);
        continue;
      }
      this.record(m);
      if (m.status < 200) {
        byeTx.slow();
        continue;
      }
      byeTx.stop();
      this.timings.teardownMs = this.since();
      return this.answered(response, { method: 'BYE', code: m.status });
    }
  }

  /** Ringing too long: CANCEL, then wait for the INVITE's final answer (487, or a late 2xx). */
  private async cancel(): Promise<TestCallResult> {
    this.inviteTx?.stop();
    // CANCEL matches the INVITE: same branch, Request-URI, Call-ID, From, To and CSeq number.
    const cancelRequest: SipRequest = {
      kind: 'request',
      method: 'CANCEL',
      uri: this.requestUri,
      headers: this.invite.headers
        .filter(([n]) => /^(via|max-forwards|route|from|to|call-id)$/i.test(n))
        .concat([
          ['CSeq', `${this.cseq} CANCEL`],
          ['User-Agent', 'onboarding-test-call'],
        ]),
      body: '',
    };
    const cancelKey = transactionKey(cancelRequest);
    const cancelTx = this.startTransaction(cancelRequest, this.target);
    let cancelCode: number | undefined;
    const cancelDeadline = performance.now() + Math.min(32_000, this.timeoutMs);
    for (;;) {
      const inbound = await this.inbox.next(cancelDeadline);
      if (!inbound) {
        cancelTx.stop();
        return this.finish({
          outcome: 'timeout',
          teardown: { method: 'CANCEL', code: cancelCode },
          error: 'no final response after CANCEL',
        });
      }
      const m = inbound.message;
      if (m.kind === 'request') {
        this.answerRequest(inbound);
        continue;
      }
      const key = transactionKey(m);
      if (key === cancelKey) {
        this.record(m);
        if (m.status >= 200) {
          cancelCode = m.status;
          cancelTx.stop();
        }
        continue;
      }
      if (key !== transactionKey(this.invite) || m.status < 200) continue;
      this.record(m);
      this.timings.finalMs ??= this.since();
      cancelTx.stop();
      if (m.status < 300) {
        // Answered as we cancelled: the call exists and must be hung up.
        this.timings.answeredMs ??= this.since();
        return this.hangUp(m);
      }
      await this.send(this.ackFor(m), this.target);
      this.timings.teardownMs = this.since();
      return this.finish({
        outcome: m.status === 487 ? 'cancelled' : 'rejected',
        finalCode: m.status,
        finalReason: m.reason,
        teardown: { method: 'CANCEL', code: cancelCode },
      });
    }
  }

  private since(): number {
    return Math.round(performance.now() - this.started);
  }

  /** Keeps a response once (retransmissions are not new); false when it was seen before. */
  private record(response: SipResponse): boolean {
    const cseq = parseCSeq(header(response, 'cseq'));
    const toTag = parseNameAddr(header(response, 'to') ?? '<sip:x>').params.tag ?? '';
    const key = `${response.status}/${cseq?.seq}/${cseq?.method}/${toTag}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.responses.push({
      code: response.status,
      reason: response.reason,
      atMs: this.since(),
      method: cseq?.method ?? '',
    });
    return true;
  }

  private isInviteSuccess(response: SipResponse): boolean {
    return response.status >= 200 && response.status < 300 && parseCSeq(header(response, 'cseq'))?.method === 'INVITE';
  }

  private inviteRequest(auth: [string, string][]): SipRequest {
    return this.request('INVITE', this.requestUri, {
      branch: this.branch,
      cseq: this.cseq,
      headers: [...auth, ...(this.options.headers ?? []), ['Content-Type', 'application/sdp']],
      body: this.sdp,
    });
  }

  private request(
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
  ): SipRequest {
    return {
      kind: 'request',
      method,
      uri,
      headers: [
        ['Via', `SIP/2.0/${this.endpoint.transport.toUpperCase()} ${this.local};branch=${extra.branch};rport`],
        ['Max-Forwards', '70'],
        ...(extra.routes ?? []).map((r): [string, string] => ['Route', r]),
        ['From', this.fromHeader],
        ['To', extra.to ?? this.toHeader],
        ['Call-ID', this.callId],
        ['CSeq', `${extra.cseq} ${method}`],
        ...(method === 'INVITE' || method === 'ACK' || method === 'BYE'
          ? [['Contact', this.contact] as [string, string]]
          : []),
        ...(extra.headers ?? []),
        ['User-Agent', 'onboarding-test-call'],
      ],
      body: extra.body ?? '',
    };
  }

  private ackFor(response: SipResponse): SipRequest {
    return this.request('ACK', this.requestUri, {
      branch: this.branch,
      cseq: this.cseq,
      to: header(response, 'to') ?? this.toHeader,
    });
  }

  /** ACK and BYE within the dialog: to the Contact, through the Record-Route set reversed. */
  private dialogOf(response: SipResponse): Dialog {
    const remoteTarget = parseNameAddr(header(response, 'contact') ?? `<${this.requestUri}>`).uri;
    const routes = headerValues(response, 'record-route').reverse();
    const next = routes[0] ? uriTarget(parseNameAddr(routes[0]).uri) : uriTarget(remoteTarget);
    return {
      remoteTarget,
      routes,
      to: header(response, 'to') ?? this.toHeader,
      peer: { address: next.host, port: next.port },
    };
  }

  private send(message: SipRequest, to: Peer): Promise<void> {
    return this.endpoint.send(serialize(message), to).catch(() => undefined);
  }

  private startTransaction(message: SipRequest, to: Peer): Retransmitter {
    const r = new Retransmitter(this.endpoint, serialize(message), to, message.method === 'INVITE');
    this.retransmitters.push(r);
    r.start();
    return r;
  }

  /** Requests from the far end within the call: a BYE is answered; anything else too, plainly. */
  private answerRequest(inbound: Inbound): void {
    const m = inbound.message as SipRequest;
    if (m.method === 'ACK') return;
    const ok = m.method === 'BYE' || m.method === 'OPTIONS';
    const reply: SipResponse = {
      kind: 'response',
      status: ok ? 200 : 501,
      reason: ok ? 'OK' : 'Not Implemented',
      headers: m.headers.filter(([n]) => /^(via|v|from|f|to|t|call-id|i|cseq)$/i.test(n)),
      body: '',
    };
    void this.endpoint.send(serialize(reply), inbound.from).catch(() => undefined);
  }

  private answered(response: SipResponse, teardown: TestCallResult['teardown'], error?: string): TestCallResult {
    return this.finish({
      outcome: 'answered',
      finalCode: response.status,
      finalReason: response.reason,
      teardown,
      ...(error ? { error } : {}),
    });
  }

  private finish(result: Outcome): TestCallResult {
    this.timings.totalMs = this.since();
    return {
      ...result,
      callId: this.callId,
      responses: this.responses,
      timings: this.timings,
      sent: this.sent,
      from: this.local,
    };
  }
}

/** The SDP offer: it points at the discard port, so no media flows. */
function offer(address: string): string {
  return [
    'v=0',
    `o=probe ${Date.now()} 1 IN IP4 ${address}`,
    's=test call',
    `c=IN IP4 ${address}`,
    't=0 0',
    'm=audio 9 RTP/AVP 8 0 101',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');
}
