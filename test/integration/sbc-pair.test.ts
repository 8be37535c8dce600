/**
 * The SBC pair on two real Kamailio instances sharing one database and replicating over DMQ: a
 * number's concurrent calls and a callee's daily count hold across both, a source banned on one is
 * ignored by the other, and with SBC 1 killed while calls are up, SBC 2 takes new calls (still
 * within the limits) and the BYEs of the calls SBC 1 set up.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannedSources } from '../../sbc/start';
import { sendOptions } from '../../sip/options';
import { newBranch, randomToken } from '../../sip/message';
import { testCall } from '../../sip/test-call';
import { KamailioRpc, KamailioSipGateway } from '../../activities/sip-gateway-kamailio';
import { runSipp } from '../support/sipp';
import { loopbackNet } from '../support/net';
import {
  type PlatformCall,
  platformCall,
  PLATFORM_PORT,
  SIP_PORT,
  startSbcPair,
  type TestSbcPair,
} from '../support/sbc-pair';

const NET = loopbackNet(91);
const INSTANCE = 'cc-pair';
const INVITE_LIMIT = 5;

let pair: TestSbcPair;
let sbc1: string;
let sbc2: string;
const calls: PlatformCall[] = [];

function call(caller: string, callee: string): PlatformCall {
  const c = platformCall(pair, INSTANCE, caller, callee);
  calls.push(c);
  return c;
}

async function assign(number: string, rules: { maxConcurrentCalls?: number; perCalleeDailyLimit?: number }) {
  await pair.assignSupplierNumber(INSTANCE, number, {
    enterpriseId: 'ent-pair',
    reference: `case-pair-${number}`,
    rules,
  });
}

/** The call rows the SBCs wrote (`sbc_call`), by Call-ID. */
async function callRow(callId: string) {
  const rows = await pair.pool.query<{ ended_by: string | null }>(
    `SELECT end_reason AS ended_by FROM sbc_call WHERE callid = $1`,
    [callId],
  );
  return rows.rows[0];
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  pair = await startSbcPair(NET, { limits: { inviteLimit: INVITE_LIMIT, floodWindowSeconds: 30 } });
  [sbc1, sbc2] = [pair.sbcs[0].ip, pair.sbcs[1].ip];
});

afterAll(async () => {
  for (const c of calls) c.close();
  await pair?.stop();
});

describe('the SBC pair', () => {
  it('holds a number to its concurrent calls across both SBCs', async () => {
    const number = '+862088882001';
    await assign(number, { maxConcurrentCalls: 3 });
    const placed: { via: string; code: number; call: PlatformCall }[] = [];
    // Alternating SBCs: 3 are answered, the 4th and 5th (whichever SBC) meet the limit.
    for (let i = 0; i < 5; i++) {
      const via = i % 2 === 0 ? sbc1 : sbc2;
      const c = call(number, `1390001${String(1000 + i)}`);
      placed.push({ via, code: await c.invite(via), call: c });
    }
    expect(placed.map((p) => p.code)).toEqual([200, 200, 200, 403, 403]);
    expect(placed.slice(3).map((p) => p.call.answer?.text)).toEqual([
      'Q.850;cause=21;text="concurrent call limit"',
      'Q.850;cause=21;text="concurrent call limit"',
    ]);
    // One hangs up through the other SBC than the one it came in by: both see the slot free.
    expect(await placed[0]!.call.bye(sbc2)).toBe(200);
    const again = call(number, '13900012000');
    expect(await again.invite(sbc1)).toBe(200);
    expect(await call(number, '13900012001').invite(sbc2)).toBe(403);
    for (const p of [placed[1]!, placed[2]!]) expect(await p.call.bye(p.via)).toBe(200);
    expect(await again.bye(sbc2)).toBe(200);
  });

  it('holds a callee to its daily count across both SBCs', async () => {
    const number = '+862088882002';
    await assign(number, { perCalleeDailyLimit: 2 });
    const to = '13900013000';
    const first = call(number, to);
    const second = call(number, to);
    const third = call(number, to);
    expect(await first.invite(sbc1)).toBe(200);
    expect(await second.invite(sbc2)).toBe(200);
    expect(await third.invite(sbc1)).toBe(403);
    expect(third.answer?.text).toBe('Q.850;cause=21;text="callee daily limit"');
    expect(await call(number, to).invite(sbc2)).toBe(403);
    expect(await first.bye(sbc1)).toBe(200);
    expect(await second.bye(sbc2)).toBe(200);
  });

  it('ignores on SBC 2 a source banned on SBC 1', async () => {
    const stranger = `${NET}.9`;
    const bystander = `${NET}.10`;
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, stranger, () => r()));
    const port = socket.address().port;
    // A flood of INVITEs to SBC 1 from an unlisted address: banned there.
    for (let i = 0; i <= INVITE_LIMIT + 1; i++) {
      const text = [
        `INVITE sip:+862088882003@${sbc1}:${SIP_PORT} SIP/2.0`,
        `Via: SIP/2.0/UDP ${stranger}:${port};branch=${newBranch()}`,
        `From: <sip:flood@${stranger}>;tag=${randomToken(4)}`,
        `To: <sip:+862088882003@${sbc1}>`,
        `Call-ID: ${randomToken(8)}@${stranger}`,
        'CSeq: 1 INVITE',
        `Contact: <sip:flood@${stranger}:${port}>`,
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      await new Promise<void>((r) => socket.send(text, SIP_PORT, sbc1, () => r()));
    }
    socket.close();
    const onSbc1 = await until(
      () => bannedSources(pair.sbcs[0].running!.rpcUrl),
      (b) => b.some((s) => s.ip === stranger),
    );
    expect(onSbc1).toContainEqual({ ip: stranger, reason: 'invite-flood' });
    // Replicated: SBC 2 lists it and does not answer it, while it answers others.
    const onSbc2 = await until(
      () => bannedSources(pair.sbcs[1].running!.rpcUrl),
      (b) => b.some((s) => s.ip === stranger),
    );
    expect(onSbc2).toContainEqual({ ip: stranger, reason: 'invite-flood' });
    const probe = (localAddress: string) =>
      sendOptions({ host: sbc2, port: SIP_PORT, transport: 'udp', localAddress, timeoutMs: 1_500 });
    expect((await probe(stranger)).outcome).toBe('timeout');
    expect(await probe(bystander)).toMatchObject({ outcome: 'answered', code: 200 });
  });

  it('allowlists a gateway told to SBC 1 on SBC 2 too, and shares registrations', async () => {
    const gw = { ip: `${NET}.11`, port: 5062 };
    const number = '+862088882005';
    await pair.gateway.assignNumbers({
      instanceId: INSTANCE,
      numbers: [number],
      enterpriseId: 'ent-pair',
      origin: 'own-trunk',
      reference: 'case-pair-trunk',
    });
    const callIn = () =>
      testCall({
        target: { host: sbc2, port: SIP_PORT, transport: 'udp' },
        localAddress: gw.ip,
        localPort: gw.port,
        callee: number,
        ringMs: 200,
        timeoutMs: 5_000,
      });
    // Not yet allowlisted: refused by SBC 2.
    expect(await callIn()).toMatchObject({ outcome: 'rejected', finalCode: 403 });
    await pair.gateway.allowGateway({ ...gw, reference: 'case-pair-trunk', instanceId: INSTANCE, numbers: [number] });
    // The product told SBC 1 only; SBC 2 loads the shared table when it changes.
    const rpc2 = new KamailioRpc(pair.sbcs[1].running!.rpcUrl);
    const dump = await until(
      () => rpc2.call<{ item: { ip: string } }[]>('permissions.addressDump'),
      (d) => d.some((e) => e.item.ip === gw.ip),
    );
    expect(dump.map((e) => e.item.ip)).toContain(gw.ip);
    // Admitted (no platform behind these SBCs: 480 from the SBC itself, after admission).
    expect(await callIn()).toMatchObject({ outcome: 'rejected', finalCode: 480 });

    // A gateway registered through SBC 1 is registered on SBC 2 too (the product reads it there).
    const account = await pair.gateway.createAccount({ instanceId: INSTANCE, reference: 'case-pair-reg' });
    const registered = await runSipp('register.xml', {
      ip: `${NET}.12`,
      port: 5062,
      remote: `${sbc1}:${SIP_PORT}`,
      args: [
        ...['-au', account.username, '-ap', account.password, '-s', account.username],
        ...['-key', 'realm', account.realm, '-key', 'expires', '60', '-key', 'ua', 'Acme-Gateway/1.0'],
      ],
      timeoutMs: 5_000,
    });
    expect(registered.code, registered.output.slice(-1_500)).toBe(0);
    const onSbc2 = new KamailioSipGateway({
      pool: pair.pool,
      rpcUrl: pair.sbcs[1].running!.rpcUrl,
      sipDomain: 'sip.test',
    });
    const seen = await until(
      () => onSbc2.registration(account),
      (r) => r !== null,
    );
    expect(seen).toMatchObject({ contact: expect.stringContaining(`${NET}.12`) });
  });

  it('with SBC 1 killed during calls, SBC 2 takes their BYEs and new calls, within the limit', async () => {
    const number = '+862088882004';
    await assign(number, { maxConcurrentCalls: 2 });
    const up = [call(number, '13900014000'), call(number, '13900014001')];
    for (const c of up) expect(await c.invite(sbc1)).toBe(200);
    // Topology hiding: the platform knows the call by SBC 1 alone, which SBC 2 restores from the
    // shared database once SBC 1 is gone.
    expect(up[0]!.seen).toEqual({
      remoteTarget: expect.stringMatching(
        new RegExp(`^sip:[^@]+@${sbc1.replace(/\./g, '\\.')}:${PLATFORM_PORT};transport=tcp$`),
      ),
      routes: [],
    });
    // Replicated to SBC 2 before the kill (SBC 2 already refuses a third).
    expect(await call(number, '13900014002').invite(sbc2)).toBe(403);

    await pair.sbcs[0].kill();

    // Still two calls up on this number: SBC 2 refuses a third.
    const refused = call(number, '13900014003');
    expect(await refused.invite(sbc2)).toBe(403);
    expect(refused.answer?.text).toBe('Q.850;cause=21;text="concurrent call limit"');
    // The platform fails over: the BYE of a call SBC 1 set up goes through SBC 2 to the carrier.
    expect(await up[0]!.bye(sbc2)).toBe(200);
    expect(
      await until(
        () => callRow(up[0]!.callId),
        (r) => r?.ended_by === 'bye',
      ),
    ).toMatchObject({ ended_by: 'bye' });
    // Its slot is free on SBC 2: a new call is answered, and the limit still holds.
    const next = call(number, '13900014004');
    expect(await next.invite(sbc2)).toBe(200);
    expect(await call(number, '13900014005').invite(sbc2)).toBe(403);
    expect(await up[1]!.bye(sbc2)).toBe(200);
    expect(await next.bye(sbc2)).toBe(200);

    // SBC 1 back: it learns the bans and the calls from SBC 2.
    await pair.sbcs[0].start();
    const bans = await until(
      () => bannedSources(pair.sbcs[0].running!.rpcUrl),
      (b) => b.some((s) => s.ip === `${NET}.9`),
    );
    expect(bans).toContainEqual({ ip: `${NET}.9`, reason: 'invite-flood' });
  });
});
