/**
 * The messages of one test call, from its options and the local endpoint: the INVITE and the
 * requests that follow it (ACK, BYE, CANCEL) with the call's Call-ID, From, To and Contact, and
 * plain answers to what the far end asks within the call.
 */
import type { SipEndpoint } from './endpoint';
import { header, hostPort, parseCSeq, randomToken, type SipRequest, type SipResponse } from './message';

/** Who calls whom, and through where (a test call's options). */
export interface CallParties {
  target: { host: string; port: number };
  callee: string;
  to?: string;
  caller?: string;
  domain?: string;
  headers?: [string, string][];
}

/** What a request adds to the call's own headers. */
export interface RequestExtra {
  branch: string;
  cseq: number;
  to?: string;
  routes?: string[];
  headers?: [string, string][];
  body?: string;
}

export class CallMessages {
  readonly local: string;
  readonly callId: string;
  readonly requestUri: string;
  readonly toHeader: string;
  private readonly fromHeader: string;
  private readonly contact: string;
  private readonly sdp: string;

  constructor(
    private readonly parties: CallParties,
    private readonly endpoint: Pick<SipEndpoint, 'transport' | 'local'>,
  ) {
    const transportParam = endpoint.transport === 'tcp' ? ';transport=tcp' : '';
    this.local = hostPort(endpoint.local.address, endpoint.local.port);
    const caller = parties.caller ?? 'probe';
    const domain = parties.domain ?? hostPort(parties.target.host, parties.target.port);
    this.callId = `${randomToken(12)}@${endpoint.local.address}`;
    this.requestUri = `sip:${parties.callee}@${domain}${transportParam}`;
    this.fromHeader = `<sip:${caller}@${parties.domain ?? this.local}>;tag=${randomToken(6)}`;
    this.toHeader = `<sip:${parties.to ?? parties.callee}@${domain}>`;
    this.contact = `<sip:${caller}@${this.local}${transportParam}>`;
    this.sdp = offer(endpoint.local.address);
  }

  invite(branch: string, cseq: number, auth: [string, string][]): SipRequest {
    return this.request('INVITE', this.requestUri, {
      branch,
      cseq,
      headers: [...auth, ...(this.parties.headers ?? []), ['Content-Type', 'application/sdp']],
      body: this.sdp,
    });
  }

  request(method: string, uri: string, extra: RequestExtra): SipRequest {
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

  /** The ACK of a non-2xx final answer to the INVITE sent with `branch` and `cseq`. */
  ackFor(response: SipResponse, branch: string, cseq: number): SipRequest {
    return this.request('ACK', this.requestUri, {
      branch,
      cseq,
      to: header(response, 'to') ?? this.toHeader,
    });
  }

  /** CANCEL matches the INVITE: same branch, Request-URI, Call-ID, From, To and CSeq number. */
  cancelOf(invite: SipRequest, cseq: number): SipRequest {
    return {
      kind: 'request',
      method: 'CANCEL',
      uri: this.requestUri,
      headers: invite.headers
        .filter(([n]) => /^(via|max-forwards|route|from|to|call-id)$/i.test(n))
        .concat([
          ['CSeq', `${cseq} CANCEL`],
          ['User-Agent', 'onboarding-test-call'],
        ]),
      body: '',
    };
  }
}

/** The answer to a request from the far end within the call (none to an ACK): 200 to BYE and OPTIONS, else 501. */
export function replyTo(m: SipRequest): SipResponse | undefined {
  if (m.method === 'ACK') return undefined;
  const ok = m.method === 'BYE' || m.method === 'OPTIONS';
  return {
    kind: 'response',
    status: ok ? 200 : 501,
    reason: ok ? 'OK' : 'Not Implemented',
    headers: m.headers.filter(([n]) => /^(via|v|from|f|to|t|call-id|i|cseq)$/i.test(n)),
    body: '',
  };
}

export function isInviteSuccess(response: SipResponse): boolean {
  return response.status >= 200 && response.status < 300 && parseCSeq(header(response, 'cseq'))?.method === 'INVITE';
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
