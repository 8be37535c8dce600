/** What a test call is asked to do (`TestCallOptions`) and what it reports (`TestCallResult`). */
import type { Transport } from './message';

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
