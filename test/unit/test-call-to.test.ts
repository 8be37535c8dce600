/** A test call through a registered gateway: Request-URI the account, To the callee, From the caller. */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage, serialize, type SipRequest } from '../../sip/message';
import { testCall } from '../../sip/test-call';

const sockets: dgram.Socket[] = [];
afterEach(() => sockets.splice(0).forEach((s) => s.close()));

/** A gateway that refuses every INVITE with 486 and keeps what it was sent. */
async function busyGateway(): Promise<{ port: number; invites: SipRequest[] }> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  const invites: SipRequest[] = [];
  socket.on('message', (raw, rinfo) => {
    const m = parseMessage(raw.toString('utf8'));
    if (m.kind !== 'request' || m.method !== 'INVITE') return;
    invites.push(m);
    const echo = m.headers.filter(([n]) => /^(via|from|call-id|cseq)$/i.test(n));
    const to = m.headers.find(([n]) => /^to$/i.test(n))![1];
    socket.send(
      serialize({
        kind: 'response',
        status: 486,
        reason: 'Busy Here',
        headers: [...echo, ['To', `${to};tag=gw`]],
        body: '',
      }),
      rinfo.port,
      rinfo.address,
    );
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, invites };
}

const headerOf = (m: SipRequest, name: string) => m.headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? '';

describe('a test call with a To of its own', () => {
  it('names the account in the Request-URI, the callee in To and the main number in From', async () => {
    const gw = await busyGateway();
    const result = await testCall({
      target: { host: '127.0.0.1', port: gw.port, transport: 'udp' },
      callee: 'gateway01',
      to: '+8613900139000',
      caller: '+862066004441',
      domain: '1400001.sip.test',
      localAddress: '127.0.0.1',
      timeoutMs: 3_000,
    });
    expect(result.finalCode).toBe(486);
    const invite = gw.invites[0]!;
    expect(invite.uri).toBe('sip:gateway01@1400001.sip.test');
    expect(headerOf(invite, 'to')).toBe('<sip:+8613900139000@1400001.sip.test>');
    expect(headerOf(invite, 'from')).toMatch(/^<sip:\+862066004441@1400001\.sip\.test>;tag=/);
  });

  it('rings the Request-URI user in To when no other is given', async () => {
    const gw = await busyGateway();
    await testCall({
      target: { host: '127.0.0.1', port: gw.port, transport: 'udp' },
      callee: '13900139000',
      localAddress: '127.0.0.1',
      timeoutMs: 3_000,
    });
    expect(headerOf(gw.invites[0]!, 'to')).toBe(`<sip:13900139000@127.0.0.1:${gw.port}>`);
  });
});
