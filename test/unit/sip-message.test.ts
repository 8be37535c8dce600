import { describe, expect, it } from 'vitest';
import {
  header,
  headerValues,
  newBranch,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  serialize,
  StreamFramer,
  transactionKey,
  uriTarget,
} from '../../sip/message';
import { buildOptions, retransmitSchedule } from '../../sip/options';

const RESPONSE = [
  'SIP/2.0 180 Ringing',
  'Via: SIP/2.0/UDP 10.0.0.1:5080;branch=z9hG4bKabc;rport=5080;received=10.0.0.1',
  'v: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKdef',
  'Record-Route: <sip:10.0.0.9;lr;ftag=1>, <sip:10.0.0.8;lr>',
  'f: "Caller" <sip:13800138000@example.com>;tag=aa',
  'To: <sip:02088880000@example.com>;tag=bb',
  'i: call-1@10.0.0.1',
  'CSeq: 7 INVITE',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

describe('SIP messages', () => {
  it('parses a response with compact and folded headers', () => {
    const m = parseMessage(RESPONSE);
    expect(m).toMatchObject({ kind: 'response', status: 180, reason: 'Ringing' });
    expect(headerValues(m, 'via')).toHaveLength(2);
    expect(headerValues(m, 'record-route')).toEqual(['<sip:10.0.0.9;lr;ftag=1>', '<sip:10.0.0.8;lr>']);
    expect(header(m, 'call-id')).toBe('call-1@10.0.0.1');
    expect(parseNameAddr(header(m, 'from')!)).toEqual({
      display: 'Caller',
      uri: 'sip:13800138000@example.com',
      params: { tag: 'aa' },
    });
    expect(transactionKey(m)).toBe('z9hG4bKabc/INVITE');
    const folded = parseMessage('OPTIONS sip:a@b SIP/2.0\r\nSubject: one\r\n two\r\n\r\n');
    expect(folded).toMatchObject({ kind: 'request', method: 'OPTIONS', uri: 'sip:a@b' });
    expect(header(folded, 's')).toBe('one two');
  });

  it('serializes with a Content-Length that counts bytes', () => {
    const text = serialize({
      kind: 'request',
      method: 'MESSAGE',
      uri: 'sip:x@y',
      headers: [['Content-Length', '99']],
      body: '你好',
    });
    expect(text).toBe('MESSAGE sip:x@y SIP/2.0\r\nContent-Length: 6\r\n\r\n你好');
  });

  it('reads URIs, Vias and where a URI points', () => {
    expect(parseUri('sip:gateway01@1400.tccc.example:35090;transport=tcp')).toEqual({
      scheme: 'sip',
      user: 'gateway01',
      host: '1400.tccc.example',
      port: 35090,
      params: { transport: 'tcp' },
    });
    expect(parseUri('sip:[2001:db8::1]:5060').host).toBe('2001:db8::1');
    expect(uriTarget('sip:10.0.0.9;lr')).toEqual({ host: '10.0.0.9', port: 5060, transport: undefined });
    expect(parseVia('SIP/2.0/TCP 10.0.0.1:5080;branch=z9hG4bKx;rport')).toEqual({
      transport: 'TCP',
      host: '10.0.0.1',
      port: 5080,
      params: { branch: 'z9hG4bKx', rport: '' },
    });
  });

  it('frames a TCP stream by Content-Length, across chunks and keep-alives', () => {
    const framer = new StreamFramer();
    const one = 'SIP/2.0 200 OK\r\nContent-Length: 5\r\n\r\nhello';
    const two = 'SIP/2.0 100 Trying\r\nl: 0\r\n\r\n';
    const bytes = Buffer.from(`\r\n\r\n${one}${two}`);
    expect(framer.push(bytes.subarray(0, 20))).toEqual([]);
    expect(framer.push(bytes.subarray(20))).toEqual([one, two]);
  });

  it('makes random, RFC 3261 branches', () => {
    const a = newBranch();
    expect(a).toMatch(/^z9hG4bK[0-9a-f]{20}$/);
    expect(newBranch()).not.toBe(a);
  });
});

describe('OPTIONS', () => {
  it('builds a request that names the target and our address', () => {
    const r = buildOptions({
      host: '203.0.113.5',
      port: 5089,
      transport: 'udp',
      local: { address: '198.51.100.7', port: 40000 },
    });
    const m = parseMessage(r.text);
    expect(m).toMatchObject({ kind: 'request', method: 'OPTIONS', uri: 'sip:203.0.113.5:5089' });
    expect(parseVia(header(m, 'via')!)).toMatchObject({
      transport: 'UDP',
      host: '198.51.100.7',
      port: 40000,
      params: { branch: r.branch },
    });
    expect(header(m, 'cseq')).toBe('1 OPTIONS');
    expect(header(m, 'call-id')).toBe(r.callId);
    expect(parseNameAddr(header(m, 'from')!).params.tag).toMatch(/^[0-9a-f]{12}$/);
    const tcp = parseMessage(
      buildOptions({ host: 'gw.example', port: 5060, transport: 'tcp', local: { address: '::1', port: 5 } }).text,
    );
    expect(tcp).toMatchObject({ uri: 'sip:gw.example:5060;transport=tcp' });
    expect(header(tcp, 'via')).toMatch(/^SIP\/2\.0\/TCP \[::1\]:5;branch=/);
  });

  it('retransmits on timer E: 500 ms doubling, capped at 4 s', () => {
    expect(retransmitSchedule(1_600)).toEqual([500, 1_500]);
    expect(retransmitSchedule(32_000)).toEqual([
      500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500,
    ]);
  });
});
