/**
 * A small user agent that answers calls: what stands behind the SBC where no real SIP endpoint
 * does (the contact-center sandbox's SIP side, the public-network simulator's callees). Over UDP
 * or TCP it answers OPTIONS, rings and answers an INVITE it accepts (or refuses it with the code
 * it is given), echoes Record-Route so the SBC stays in the dialog, and answers BYE (the caller
 * hangs up) and in-dialog OPTIONS (the SBC's keep-alives). It places no calls of its own.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import {
  header,
  headerValues,
  parseMessage,
  randomToken,
  serialize,
  StreamFramer,
  type SipRequest,
  type SipResponse,
} from './message';

export type Decision = { answer: true } | { answer: false; code: number; reason: string };

export interface AnswererOptions {
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  /** Whether to answer this INVITE (the dialled number, the instance it names). */
  decide: (invite: SipRequest) => Promise<Decision> | Decision;
  /** How long it rings before answering (default 300 ms). */
  ringMs?: number;
  onEvent?: (event: { kind: 'answered' | 'refused' | 'ended'; callId: string; detail: string }) => void;
}

export interface Answerer {
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

type Reply = (text: string) => void;

/** A response to `req` with its Via, From, To (tagged), Call-ID, CSeq and Record-Route. */
function responseTo(
  req: SipRequest,
  status: number,
  reason: string,
  extra: [string, string][] = [],
  body = '',
): string {
  const copy = (name: string) => req.headers.filter(([n]) => n.toLowerCase() === name);
  const res: SipResponse = {
    kind: 'response',
    status,
    reason,
    headers: [
      ...copy('via').concat(copy('v')),
      ...(status > 100 && status < 300 ? copy('record-route') : []),
      ['From', header(req, 'from') ?? ''],
      ['To', header(req, 'to') ?? ''],
      ['Call-ID', header(req, 'call-id') ?? ''],
      ['CSeq', header(req, 'cseq') ?? ''],
      ...extra,
    ],
    body,
  };
  return serialize(res);
}

/** The answer's SDP: one PCMA audio stream at `host`. */
function sdp(host: string): string {
  return [
    'v=0',
    `o=answerer 1 1 IN IP4 ${host}`,
    's=-',
    `c=IN IP4 ${host}`,
    't=0 0',
    'm=audio 40000 RTP/AVP 8',
    'a=rtpmap:8 PCMA/8000',
    '',
  ].join('\r\n');
}

/** Answers each request of a call as the options decide: INVITE rings then answers (or refuses), BYE ends. */
function callHandler(o: AnswererOptions): (req: SipRequest, reply: Reply) => Promise<void> {
  const tags = new Map<string, string>();
  const pending = new Map<string, ReturnType<typeof setInterval>>();
  return async (req: SipRequest, reply: Reply): Promise<void> => {
    const callId = header(req, 'call-id') ?? '';
    const withTag = (r: SipRequest) => {
      const to = header(r, 'to') ?? '';
      if (/;tag=/.test(to)) return r;
      let tag = tags.get(callId);
      if (!tag) tags.set(callId, (tag = randomToken(6)));
      return {
        ...r,
        headers: r.headers.map(([n, v]): [string, string] => (/^(to|t)$/i.test(n) ? [n, `${v};tag=${tag}`] : [n, v])),
      };
    };
    switch (req.method) {
      case 'OPTIONS':
        reply(responseTo(req, 200, 'OK', [['Allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS']]));
        return;
      case 'ACK': {
        const retransmit = pending.get(callId);
        if (retransmit) clearInterval(retransmit);
        pending.delete(callId);
        return;
      }
      case 'BYE':
        reply(responseTo(req, 200, 'OK'));
        o.onEvent?.({ kind: 'ended', callId, detail: 'BYE' });
        tags.delete(callId);
        return;
      case 'CANCEL':
        reply(responseTo(req, 200, 'OK'));
        return;
      case 'INVITE': {
        if (/;tag=/.test(header(req, 'to') ?? '')) {
          // A re-INVITE within the call: accepted as it is.
          reply(responseTo(req, 200, 'OK', [['Content-Type', 'application/sdp']], sdp(o.host)));
          return;
        }
        reply(responseTo(req, 100, 'Trying'));
        const decision = await o.decide(req);
        const tagged = withTag(req);
        if (!decision.answer) {
          reply(responseTo(tagged, decision.code, decision.reason));
          o.onEvent?.({ kind: 'refused', callId, detail: `${decision.code} ${decision.reason}` });
          return;
        }
        const contact: [string, string] = [
          'Contact',
          `<sip:answerer@${o.host}:${o.port}${o.transport === 'tcp' ? ';transport=tcp' : ''}>`,
        ];
        reply(responseTo(tagged, 180, 'Ringing', [contact]));
        await new Promise((r) => setTimeout(r, o.ringMs ?? 300));
        const ok = responseTo(tagged, 200, 'OK', [contact, ['Content-Type', 'application/sdp']], sdp(o.host));
        reply(ok);
        // Until the ACK comes, the 200 is sent again (RFC 3261 13.3.1.4), a few times at most.
        let sent = 1;
        const retransmit = setInterval(() => {
          if (sent++ >= 6) {
            clearInterval(retransmit);
            pending.delete(callId);
            return;
          }
          reply(ok);
        }, 500);
        retransmit.unref();
        pending.set(callId, retransmit);
        o.onEvent?.({ kind: 'answered', callId, detail: headerValues(req, 'to')[0] ?? '' });
        return;
      }
      default:
        reply(responseTo(req, 405, 'Method Not Allowed'));
    }
  };
}

export async function startAnswerer(o: AnswererOptions): Promise<Answerer> {
  const handle = callHandler(o);
  const onText = (text: string, reply: Reply) => {
    let message;
    try {
      message = parseMessage(text);
    } catch {
      return;
    }
    if (message.kind !== 'request') return;
    handle(message, reply).catch(() => reply(responseTo(message, 500, 'Server Internal Error')));
  };
  return o.transport === 'udp' ? listenUdp(o, onText) : listenTcp(o, onText);
}

type OnText = (text: string, reply: Reply) => void;

async function listenUdp(o: AnswererOptions, onText: OnText): Promise<Answerer> {
  const socket = dgram.createSocket(net.isIPv6(o.host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(o.port, o.host, () => resolve());
  });
  socket.on('message', (data, rinfo) =>
    onText(data.toString('utf8'), (text) => socket.send(text, rinfo.port, rinfo.address)),
  );
  return {
    address: { host: o.host, port: o.port },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

async function listenTcp(o: AnswererOptions, onText: OnText): Promise<Answerer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const framer = new StreamFramer();
    socket.on('data', (chunk: Buffer) => {
      let texts: string[];
      try {
        texts = framer.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const text of texts) onText(text, (reply) => socket.write(reply));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    address: { host: o.host, port: o.port },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
