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
import { dialogOf, checkDialogHops, type Dialog } from './dialog';
import { digestAuthorization, parseChallenge } from './digest';
import { openEndpoint, UnreachableError, type Peer, type SipEndpoint } from './endpoint';
import {
  firstLine,
  header,
  newBranch,
  parseCSeq,
  parseNameAddr,
  serialize,
  transactionKey,
  type SipRequest,
  type SipResponse,
} from './message';
import { CallMessages, isInviteSuccess, replyTo } from './test-call-messages';
import type { CallResponse, TestCallOptions, TestCallResult } from './test-call-types';
import { Inbox, Retransmitter, type Inbound } from './transaction';

export { checkDialogHops } from './dialog';
export type { CallResponse, TestCallOptions, TestCallOutcome, TestCallResult } from './test-call-types';

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

/** One call's state, and its steps: invite (with one digest retry), hang up, or cancel. */
class TestCall {
  private readonly ringMs: number;
  private readonly holdMs: number;
  private readonly timeoutMs: number;
  private readonly target: Peer;
  private readonly inbox = new Inbox();
  private readonly messages: CallMessages;
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
    this.messages = new CallMessages(options, endpoint);
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
      await this.send(this.messages.ackFor(m, this.branch, this.cseq), this.target);
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
      uri: this.messages.requestUri,
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
    const ack = this.messages.request('ACK', dialog.remoteTarget, {
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
      dialog = dialogOf(response, this.messages);
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
      } else if (isInviteSuccess(inbound.message)) {
        // A 2xx retransmission gets the ACK again.
        await this.send(ack, dialog.peer);
      }
    }
  }

  private async bye(response: SipResponse, dialog: Dialog, ack: SipRequest): Promise<TestCallResult> {
    const bye = this.messages.request('BYE', dialog.remoteTarget, {
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
        if (isInviteSuccess(m)) await this.send(ack, dialog.peer);
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
    const cancelRequest = this.messages.cancelOf(this.invite, this.cseq);
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
      await this.send(this.messages.ackFor(m, this.branch, this.cseq), this.target);
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

  private inviteRequest(auth: [string, string][]): SipRequest {
    return this.messages.invite(this.branch, this.cseq, auth);
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
    const reply = replyTo(inbound.message as SipRequest);
    if (!reply) return;
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
      callId: this.messages.callId,
      responses: this.responses,
      timings: this.timings,
      sent: this.sent,
      from: this.messages.local,
    };
  }
}
