import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage, serialize, type SipRequest } from '../../sip/message';
import { checkDialogHops, testCall } from '../../sip/test-call';

describe('next hops of a test call (checkDialogHops)', () => {
  it('admits a direct call whose Contact is the gateway, and a call through the SBC that record-routes', () => {
    expect(checkDialogHops({ target: '203.0.113.5', routes: [], remoteTarget: 'sip:callee@203.0.113.5:5070' })).toEqual(
      { ok: true },
    );
    expect(
      checkDialogHops({
        target: '127.0.71.1',
        routes: ['<sip:127.0.71.1;lr;ftag=a;did=1.2>'],
        remoteTarget: 'sip:callee@127.0.71.4:5060',
      }),
    ).toEqual({ ok: true });
    expect(
      checkDialogHops({
        target: '203.0.113.1',
        routes: ['<sip:203.0.113.1;lr>', '<sip:203.0.113.1;transport=tcp;lr>'],
        remoteTarget: 'sip:gw@58.60.1.9',
      }),
    ).toEqual({ ok: true });
  });

  it('refuses a Contact elsewhere on a direct call, and a route past the SBC', () => {
    for (const contact of ['sip:x@127.0.0.1:5060', 'sip:x@169.254.169.254', 'sip:x@198.51.100.20']) {
      expect(checkDialogHops({ target: '203.0.113.5', routes: [], remoteTarget: contact })).toMatchObject({
        ok: false,
        reason: expect.stringContaining('not at 203.0.113.5'),
      });
    }
    expect(
      checkDialogHops({
        target: '203.0.113.5',
        routes: ['<sip:169.254.169.254;lr>'],
        remoteTarget: 'sip:x@203.0.113.5',
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('first Record-Route') });
    expect(
      checkDialogHops({
        target: '203.0.113.1',
        routes: ['<sip:203.0.113.1;lr>', '<sip:10.0.0.9;lr>'],
        remoteTarget: 'sip:x@58.60.1.9',
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('Record-Route 2') });
  });

  it('refuses, behind the SBC, a Contact in a range no gateway is at, in loopback when the SBC is not, or at a provider address', () => {
    const via = { target: '203.0.113.1', routes: ['<sip:203.0.113.1;lr>'] };
    expect(checkDialogHops({ ...via, remoteTarget: 'sip:x@169.254.169.254' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('linkLocal'),
    });
    expect(checkDialogHops({ ...via, remoteTarget: 'sip:x@127.0.0.1:5071' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('loopback'),
    });
    expect(
      checkDialogHops({ ...via, remoteTarget: 'sip:x@198.51.100.7', forbidden: ['198.51.100.7:5060'] }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining("provider's own") });
    expect(
      checkDialogHops({
        target: '203.0.113.5',
        routes: [],
        remoteTarget: 'sip:x@203.0.113.5',
        forbidden: ['203.0.113.5'],
      }),
    ).toMatchObject({ ok: false });
  });
});

describe('a test call answered with a hostile Contact', () => {
  const sockets: dgram.Socket[] = [];
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));

  async function bind(address: string): Promise<{ socket: dgram.Socket; port: number; received: string[] }> {
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    const received: string[] = [];
    socket.on('message', (m) => received.push(m.toString('utf8')));
    await new Promise<void>((resolve) => socket.bind(0, address, resolve));
    return { socket, port: socket.address().port, received };
  }

  it('sends nothing to the hop the 2xx names, and counts the call as failed with the reason', async () => {
    const gateway = await bind('127.0.0.1');
    const elsewhere = await bind('127.0.0.1');
    // A second port on the same host would be the gateway's own business; another address is not.
    const hostile = `127.0.0.2:${elsewhere.port}`;
    gateway.socket.on('message', (raw, rinfo) => {
      const m = parseMessage(raw.toString('utf8')) as SipRequest;
      if (m.kind !== 'request' || m.method !== 'INVITE') return;
      const echo = m.headers.filter(([n]) => /^(via|from|call-id|cseq)$/i.test(n));
      const to = m.headers.find(([n]) => /^to$/i.test(n))![1];
      const ok = serialize({
        kind: 'response',
        status: 200,
        reason: 'OK',
        headers: [...echo, ['To', `${to};tag=gw1`], ['Contact', `<sip:victim@${hostile}>`]],
        body: '',
      });
      gateway.socket.send(ok, rinfo.port, rinfo.address);
    });
    const result = await testCall({
      target: { host: '127.0.0.1', port: gateway.port, transport: 'udp' },
      callee: '02066001234',
      localAddress: '127.0.0.1',
      timeoutMs: 3_000,
    });
    expect(result).toMatchObject({ outcome: 'unsafe-route', finalCode: 200, teardown: { method: 'none' } });
    expect(result.error).toMatch(/ACK and BYE not sent: the Contact points at 127\.0\.0\.2/);
    await new Promise((r) => setTimeout(r, 300));
    // Only the INVITE (and its retransmissions) reached the gateway; nothing went to the other address.
    expect(gateway.received.every((m) => m.startsWith('INVITE '))).toBe(true);
    expect(elsewhere.received).toEqual([]);
  });
});
