/**
 * SIP OPTIONS from the platform: is a gateway (or an SBC) there, and how far away? A one-request
 * user agent over dgram/net: random branch, tag and Call-ID, RFC 3261 retransmissions on UDP
 * (timer E from 500 ms, doubling, capped at 4 s), one send on TCP.
 */
import { performance } from 'node:perf_hooks';
import { openEndpoint, UnreachableError, type SipEndpoint } from './endpoint';
import { firstLine, hostPort, newBranch, randomToken, serialize, transactionKey, type Transport } from './message';

export interface OptionsProbe {
  host: string;
  port: number;
  transport: Transport;
  /** Source address to send from (the platform's signalling address); the route's by default. */
  localAddress?: string;
  localPort?: number;
  /** Give up after this long without a final response (RFC 3261 timer F is 32 s). */
  timeoutMs: number;
  /** UDP only: retransmit on timer E (default true). */
  retransmit?: boolean;
  /** Request-URI user part, for gateways that want one. */
  user?: string;
}

export type OptionsResult =
  | { outcome: 'answered'; code: number; reason: string; rttMs: number; sent: string; from: string; attempts: number }
  | { outcome: 'timeout'; attempts: number; sent: string; from: string }
  /** TCP could not connect (refused, no route): nothing was sent. */
  | { outcome: 'unreachable'; error: string; from?: string };

export const T1_MS = 500;
export const T2_MS = 4_000;

/** The moments (ms after the first send) of UDP retransmissions within `timeoutMs`. */
export function retransmitSchedule(timeoutMs: number): number[] {
  const at: number[] = [];
  let interval = T1_MS;
  for (let t = interval; t < timeoutMs; t += interval) {
    at.push(t);
    interval = Math.min(interval * 2, T2_MS);
  }
  return at;
}

export function buildOptions(input: {
  host: string;
  port: number;
  transport: Transport;
  local: { address: string; port: number };
  user?: string;
}) {
  const branch = newBranch();
  const callId = `${randomToken(12)}@${input.local.address}`;
  const target = hostPort(input.host, input.port);
  const uri = `sip:${input.user ? `${input.user}@` : ''}${target}${input.transport === 'tcp' ? ';transport=tcp' : ''}`;
  const local = hostPort(input.local.address, input.local.port);
  const text = serialize({
    kind: 'request',
    method: 'OPTIONS',
    uri,
    headers: [
      ['Via', `SIP/2.0/${input.transport.toUpperCase()} ${local};branch=${branch};rport`],
      ['Max-Forwards', '70'],
      ['From', `<sip:probe@${local}>;tag=${randomToken(6)}`],
      ['To', `<sip:${input.user ? `${input.user}@` : ''}${target}>`],
      ['Call-ID', callId],
      ['CSeq', '1 OPTIONS'],
      ['Contact', `<sip:probe@${local}${input.transport === 'tcp' ? ';transport=tcp' : ''}>`],
      ['Accept', 'application/sdp'],
      ['User-Agent', 'onboarding-probe'],
    ],
    body: '',
  });
  return { text, branch, callId, key: `${branch}/OPTIONS` };
}

export async function sendOptions(probe: OptionsProbe): Promise<OptionsResult> {
  let endpoint: SipEndpoint;
  try {
    endpoint = await openEndpoint({
      transport: probe.transport,
      remote: { address: probe.host, port: probe.port },
      localAddress: probe.localAddress,
      localPort: probe.localPort,
    });
  } catch (err) {
    if (err instanceof UnreachableError)
      return { outcome: 'unreachable', error: err.message, from: probe.localAddress };
    throw err;
  }
  const from = hostPort(endpoint.local.address, endpoint.local.port);
  const request = buildOptions({ ...probe, local: endpoint.local });
  const sent = firstLine(request.text);
  const to = { address: probe.host, port: probe.port };
  const timers: NodeJS.Timeout[] = [];
  let attempts = 0;
  let startedAt = 0;
  try {
    return await new Promise<OptionsResult>((resolve, reject) => {
      endpoint.onMessage((message) => {
        if (message.kind !== 'response' || transactionKey(message) !== request.key) return;
        // Provisional responses only say the request arrived; wait for the final one.
        if (message.status < 200) return;
        resolve({
          outcome: 'answered',
          code: message.status,
          reason: message.reason,
          rttMs: Math.round(performance.now() - startedAt),
          sent,
          from,
          attempts,
        });
      });
      endpoint.onError((err) => {
        if (probe.transport === 'tcp') resolve({ outcome: 'unreachable', error: err.message, from });
      });
      const transmit = () => {
        attempts++;
        endpoint.send(request.text, to).catch(reject);
      };
      startedAt = performance.now();
      transmit();
      if (probe.transport === 'udp' && probe.retransmit !== false) {
        for (const at of retransmitSchedule(probe.timeoutMs)) timers.push(setTimeout(transmit, at));
      }
      timers.push(setTimeout(() => resolve({ outcome: 'timeout', attempts, sent, from }), probe.timeoutMs));
    });
  } finally {
    timers.forEach(clearTimeout);
    endpoint.close();
  }
}
