/**
 * The product's SBC for real: Kamailio on its own 127.x address and fresh database, driven
 * through KamailioSipGateway, with SIPp as customers' gateways and as the contact center, and
 * the platform's own OPTIONS and test-call user agents.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { KamailioSipGateway, KamailioRpc } from '../../activities/sip-gateway-kamailio';
import { sendOptions } from '../../sip/options';
import { testCall } from '../../sip/test-call';
import { useTestSbc } from '../support/harness';
import { runSipp, startSippServer } from '../support/sipp';
import { expectAccountsNumberedPerInstance } from '../support/gateway-accounts';
import { loopbackNet } from '../support/net';
import { callFrom as callFromGateway, registerWithSipp, type SipAccount } from '../support/sip';

// Every party on its own loopback address: the SBC and the contact center behind it, gateways.
const NET = loopbackNet(71);
const t = useTestSbc(NET);
const GW_A = { ip: `${NET}.2`, port: 5062 };
const GW_B = { ip: `${NET}.3`, port: 5062 };
const REGISTERING = { ip: `${NET}.5`, port: 5065 };
const ROAMING = `${NET}.6`;
const GW_HIDDEN = { ip: `${NET}.11`, port: 5062 };

const started = new Date(Date.now() - 1_000).toISOString();

/** An INVITE from a customer's gateway (its signalling address) to the SBC (ringMs: 2 s). */
const callFrom = (
  from: { ip: string; port: number },
  callee: string,
  extra: Partial<Parameters<typeof testCall>[0]> = {},
) => callFromGateway(t.address, from, callee, { ringMs: 2_000, ...extra });

const register = (account: SipAccount, opts: { expires?: number } = {}) =>
  registerWithSipp(REGISTERING, `${t.address.ip}:${t.address.sipPort}`, account, {
    expires: opts.expires ?? 60,
    userAgent: 'Acme-Gateway/1.0',
  });

describe("the SBC's process", () => {
  it('runs Kamailio with only the environment it uses: no database URL, key or token of this process', () => {
    // This process has plenty to leak (the stack's configuration, the test run's variables).
    expect(Object.keys(process.env).length).toBeGreaterThan(5);
    const environ = readFileSync(`/proc/${t.sbc.pid}/environ`, 'utf8').split('\0').filter(Boolean);
    expect(environ.map((e) => e.slice(0, e.indexOf('='))).sort()).toEqual(['PATH', 'TZ']);
    expect(environ).toContain('TZ=UTC');
  });
});

describe('allowlisted gateways (SIP trunk)', () => {
  it('refuses an INVITE from an address not allowlisted, admits it once allowed, refuses it again once removed', async () => {
    const refused = await callFrom(GW_A, '02088880001');
    expect(refused).toMatchObject({ outcome: 'rejected', finalCode: 403 });

    // The trunk brings its numbers: the gateway may dial those.
    const entry = await t.gateway.allowGateway({
      ip: GW_A.ip,
      port: GW_A.port,
      reference: 'case-trunk-1',
      instanceId: 'cc-trunk-1',
      numbers: ['+862088880002', '+862088880003', '+862088880004'],
    });
    expect(entry).toMatchObject({
      ip: GW_A.ip,
      port: GW_A.port,
      transport: 'udp',
      reference: 'case-trunk-1',
      state: 'live',
    });

    const admitted = await callFrom(GW_A, '02088880002');
    expect(admitted.outcome).toBe('answered');
    expect(admitted.responses.map((r) => `${r.method} ${r.code}`)).toEqual([
      'INVITE 100',
      'INVITE 180',
      'INVITE 200',
      'BYE 200',
    ]);

    // The same address from another port is another t.gateway.
    expect(await callFrom({ ip: GW_A.ip, port: GW_A.port + 1 }, '02088880003')).toMatchObject({
      outcome: 'rejected',
      finalCode: 403,
    });

    const records = await t.gateway.callRecords({ sourceIp: GW_A.ip, since: started });
    expect(records.map((r) => ({ callId: r.callId, code: r.sipCode, admitted: r.admitted, callee: r.callee }))).toEqual(
      [
        { callId: refused.callId, code: 403, admitted: false, callee: '02088880001' },
        { callId: admitted.callId, code: 200, admitted: true, callee: '02088880002' },
        { callId: expect.any(String), code: 403, admitted: false, callee: '02088880003' },
      ],
    );
    expect(records[1]).toMatchObject({ method: 'INVITE', sipReason: 'OK', sourceIp: GW_A.ip, caller: '13800138000' });
    // acc's time converted right: within this test's run, not hours off.
    const at = Date.parse(records[1]!.at);
    expect(Math.abs(at - Date.now())).toBeLessThan(30_000);
    expect(await t.gateway.callRecords({ callee: '02088880002', since: started })).toHaveLength(1);
    expect(
      await t.gateway.callRecords({ sourceIp: GW_A.ip, since: new Date(Date.now() + 60_000).toISOString() }),
    ).toEqual([]);

    expect(await t.gateway.disallowGateway({ ip: GW_A.ip, port: GW_A.port, reference: 'case-trunk-1' })).toEqual({
      removed: 1,
      state: 'live',
    });
    expect(await callFrom(GW_A, '02088880004')).toMatchObject({ outcome: 'rejected', finalCode: 403 });
  });

  it('keeps one row when allowed twice and none when removed twice', async () => {
    const ref = 'case-trunk-2';
    await t.gateway.allowGateway({ ip: GW_B.ip, port: GW_B.port, reference: ref });
    await t.gateway.allowGateway({ ip: GW_B.ip, port: GW_B.port, reference: ref });
    expect(await t.gateway.allowlist({ reference: ref })).toEqual([
      expect.objectContaining({ ip: GW_B.ip, port: GW_B.port, transport: 'udp', reference: ref, state: 'live' }),
    ]);
    const rows = await t.pool.query('SELECT grp, port, tag FROM address WHERE ip_addr = $1', [GW_B.ip]);
    expect(rows.rows).toEqual([{ grp: 1, port: GW_B.port, tag: ref }]);

    expect((await t.gateway.disallowGateway({ ip: GW_B.ip, port: GW_B.port, reference: ref })).removed).toBe(1);
    expect((await t.gateway.disallowGateway({ ip: GW_B.ip, port: GW_B.port, reference: ref })).removed).toBe(0);
    expect(await t.gateway.allowlist({ reference: ref })).toEqual([]);
    expect((await t.pool.query('SELECT 1 FROM address WHERE ip_addr = $1', [GW_B.ip])).rowCount).toBe(0);
  });

  it('retries an allowlist reload that meets "ongoing reload" instead of failing', async () => {
    const rpc = new KamailioRpc(t.sbc.rpcUrl);
    const retriesBefore = t.gateway.reloadRetries;
    // Another process has just reloaded: ours falls inside reload_delta.
    await rpc.call('permissions.addressReload').catch(() => undefined);
    const other = new KamailioSipGateway({ pool: t.pool, rpcUrl: t.sbc.rpcUrl, sipDomain: t.sipDomain });
    const [a, b] = await Promise.all([
      t.gateway.allowGateway({ ip: '192.0.2.10', port: 5060, reference: 'case-trunk-3' }),
      other.allowGateway({ ip: '192.0.2.11', port: 5060, reference: 'case-trunk-3' }),
    ]);
    expect([a.state, b.state]).toEqual(['live', 'live']);
    expect(t.gateway.reloadRetries + other.reloadRetries).toBeGreaterThan(retriesBefore);
    // Both are in the SBC's memory now.
    const live = await t.gateway.allowlist({ reference: 'case-trunk-3' });
    expect(live.map((e) => [e.ip, e.state]).sort()).toEqual([
      ['192.0.2.10', 'live'],
      ['192.0.2.11', 'live'],
    ]);
  });

  it('takes the platform’s calls out only on its listener, for its instance’s numbers, to the gateway that brings them', async () => {
    await t.gateway.allowGateway({
      ...GW_B,
      reference: 'case-trunk-4',
      instanceId: 'cc-trunk-4',
      numbers: ['+862088880040'],
    });
    const callee = await startSippServer('uas-ring.xml', { ...GW_B, calls: 1 });
    const out = (o: Partial<Parameters<typeof testCall>[0]>) =>
      testCall({
        target: { host: t.platform.ip, port: t.platform.port, transport: 'tcp' },
        localAddress: t.contactCenter.ip,
        caller: '02088880040',
        callee: '13900139000',
        headers: [['X-Instance-Id', 'cc-trunk-4']],
        ringMs: 200,
        timeoutMs: 5_000,
        ...o,
      });
    // Wherever the Request-URI points, the call goes to the gateway that brings the caller's number.
    const toGateway = await out({ domain: '192.0.2.99:5060' });
    expect(toGateway).toMatchObject({ outcome: 'cancelled', finalCode: 487 });
    expect((await callee.done).code).toBe(0);
    // Another instance's name, a number that is not the instance's: refused.
    expect(await out({ headers: [['X-Instance-Id', 'cc-other']] })).toMatchObject({
      outcome: 'rejected',
      finalCode: 403,
    });
    expect(await out({ caller: '02088880041' })).toMatchObject({ outcome: 'rejected', finalCode: 403 });
    // The platform's address on the published port is a stranger.
    expect(await out({ target: { host: t.address.ip, port: t.address.sipPort, transport: 'udp' } })).toMatchObject({
      outcome: 'rejected',
      finalCode: 403,
    });
    await t.gateway.disallowGateway({ ip: GW_B.ip, port: GW_B.port, reference: 'case-trunk-4' });
  });
});

/** The message of a SIPp `-trace_msg` log that `direction` and whose first line starts with `start`. */
function traced(messages: string, direction: 'received' | 'sent', start: string): string {
  const found = messages
    .split(/^-{10,}.*$/m)
    .filter((block) => new RegExp(`message ${direction}`).test(block))
    .map((block) => block.replace(/^[\s\S]*?bytes :\s*\n\s*/, ''))
    .find((text) => text.startsWith(start));
  if (!found) throw new Error(`no ${direction} "${start}" in SIPp's trace:\n${messages.slice(-3_000)}`);
  return found;
}

/** The header lines that name SIP hops and targets: Via, Record-Route, Route, Contact. */
function routingHeaders(message: string): string[] {
  return message.split(/\r?\n/).filter((line) => /^(via|v|record-route|route|contact|m)\s*:/i.test(line));
}

describe('topology hiding on the customer side', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sbc-hidden-'));
  /** SIPp's injection file naming one callee (uac-outbound.xml dials [field0]). */
  function callees(callee: string): string {
    const file = path.join(tmp, `${callee}.csv`);
    writeFileSync(file, `SEQUENTIAL\n${callee};\n`);
    return file;
  }

  beforeAll(async () => {
    await t.gateway.allowGateway({
      ...GW_HIDDEN,
      reference: 'case-hidden',
      instanceId: 'cc-hidden',
      numbers: ['+862088880060', '+862088880061'],
    });
  });
  afterAll(async () => {
    await t.gateway.disallowGateway({ ...GW_HIDDEN, reference: 'case-hidden' });
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Neither the platform's address nor the SBC's platform listener, in any hop or target. */
  function expectHidden(message: string, o: { contact: boolean } = { contact: true }) {
    const hops = routingHeaders(message);
    expect(hops.length, message).toBeGreaterThan(0);
    for (const hop of hops) {
      expect(hop).not.toContain(t.contactCenter.ip);
      expect(hop).not.toContain(`:${t.platform.port}`);
      expect(hop).not.toMatch(/transport=tcp/i);
    }
    if (!o.contact) return;
    // The SBC's published address is all a customer sees.
    const contacts = hops.filter((h) => /^(contact|m)\s*:/i.test(h));
    expect(contacts).toEqual([
      expect.stringMatching(
        new RegExp(
          `^(contact|m)\\s*:\\s*<sip:[^@>]+@${t.address.ip.replace(/\./g, '\\.')}(:${t.address.sipPort})?>$`,
          'i',
        ),
      ),
    ]);
  }

  it("a gateway's call in: the platform's 200 OK reaches it through the SBC alone, and its BYE ends the call", async () => {
    const call = await runSipp('uac-outbound.xml', {
      ...GW_HIDDEN,
      remote: `${t.address.ip}:${t.address.sipPort}`,
      args: [
        ...['-inf', callees('02088880060'), '-key', 'caller', '13800138000', '-key', 'instance', 'cc-hidden'],
        ...['-key', 'dest', `${t.address.ip}:${t.address.sipPort}`, '-d', '200', '-trace_msg'],
      ],
      timeoutMs: 8_000,
    });
    // Answered, ACKed and hung up (BYE answered 200) along what the SBC told it.
    expect(call.code, call.output.slice(-2_000)).toBe(0);
    const ok = traced(call.messages, 'received', 'SIP/2.0 200 OK');
    expect(ok).toMatch(/^CSeq:\s*1 INVITE/im);
    expectHidden(ok);
    // The gateway's own Via comes back to it: that is all of Via it sees.
    expect(routingHeaders(ok).filter((h) => /^(via|v)\s*:/i.test(h))).toEqual([
      expect.stringContaining(`${GW_HIDDEN.ip}:${GW_HIDDEN.port}`),
    ]);
    expect(await t.gateway.callRecords({ sourceIp: GW_HIDDEN.ip, since: started })).toEqual([
      expect.objectContaining({ callee: '02088880060', sipCode: 200, admitted: true }),
    ]);
  });

  it("the platform's call out: the gateway's INVITE names the SBC alone, and the platform's BYE still reaches it", async () => {
    const callee = await startSippServer('uas-answer.xml', { ...GW_HIDDEN, calls: 1, args: ['-trace_msg'] });
    onTestFinished(() => callee.stop());
    const call = await runSipp('uac-outbound.xml', {
      ip: t.contactCenter.ip,
      port: 5090,
      remote: `${t.platform.ip}:${t.platform.port}`,
      args: [
        ...[
          '-t',
          't1',
          '-inf',
          callees('13900139060'),
          '-key',
          'caller',
          '02088880061',
          '-key',
          'instance',
          'cc-hidden',
        ],
        ...['-key', 'dest', '192.0.2.99:5060', '-d', '200'],
      ],
      timeoutMs: 8_000,
    });
    expect(call.code, call.output.slice(-2_000)).toBe(0);
    const answered = await callee.done;
    // The gateway answered, and got the ACK and the BYE (its scenario waits for both).
    expect(answered.code, answered.output.slice(-2_000)).toBe(0);
    const invite = traced(answered.messages, 'received', 'INVITE ');
    expectHidden(invite);
    // One Via, the SBC's (5060 is the default port, left out).
    expect(routingHeaders(invite).filter((h) => /^(via|v)\s*:/i.test(h))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^(via|v)\\s*:\\s*SIP/2\\.0/UDP ${t.address.ip.replace(/\./g, '\\.')}(:${t.address.sipPort})?;`,
          'i',
        ),
      ),
    ]);
    expect(invite).not.toMatch(/^record-route\s*:/im);
    const bye = traced(answered.messages, 'received', 'BYE ');
    expectHidden(bye, { contact: false });
  });
});

describe('registration-mode accounts', () => {
  it('numbers accounts per instance and issues a new password on a replay', async () => {
    const { first } = await expectAccountsNumberedPerInstance(t.gateway, {
      instanceId: '1400000002',
      otherInstance: '1400000003',
      sipDomain: t.sipDomain,
    });
    // Only digests are stored.
    const stored = await t.pool.query('SELECT password, ha1, ha1b FROM subscriber WHERE domain = $1', [first.realm]);
    for (const row of stored.rows as { password: string; ha1: string; ha1b: string }[]) {
      expect(row.password).toBe('');
      expect(row.ha1).toMatch(/^[0-9a-f]{32}$/);
      expect(JSON.stringify(row)).not.toContain(first.password);
    }
  });

  it('refuses a REGISTER with a wrong password; sees the registration made with the right one; rotation retires the old password', async () => {
    const account = await t.gateway.createAccount({
      instanceId: '1400000001',
      reference: 'case-reg-1',
      numbers: ['+862088880010', '+862088880011'],
    });
    expect(account).toMatchObject({ username: 'gateway01', realm: `1400000001.${t.sipDomain}`, state: 'live' });

    expect((await register({ ...account, password: 'not-the-password' })).code).toBe(1);
    expect(await t.gateway.registration(account)).toBeNull();

    const ok = await register(account);
    expect(ok.code, ok.output.slice(-1_500)).toBe(0);
    const seen = await t.gateway.registration(account);
    expect(seen).toMatchObject({
      contact: expect.stringContaining(`${REGISTERING.ip}:${REGISTERING.port}`),
      received: `sip:${REGISTERING.ip}:${REGISTERING.port};transport=udp`,
      transport: 'udp',
      userAgent: 'Acme-Gateway/1.0',
    });
    const left = Date.parse(seen!.expiresAt) - Date.now();
    expect(left).toBeGreaterThan(50_000);
    expect(left).toBeLessThanOrEqual(61_000);

    // Calls in from the registered gateway prove themselves with digest (Proxy-Authorization).
    const inbound = await callFrom({ ip: ROAMING, port: 5070 }, '02088880010', {
      domain: account.realm,
      auth: { username: account.username, password: account.password },
    });
    expect(inbound.responses.map((r) => r.code)).toEqual([407, 100, 180, 200, 200]);
    const wrong = await callFrom({ ip: ROAMING, port: 5070 }, '02088880011', {
      domain: account.realm,
      auth: { username: account.username, password: 'wrong' },
    });
    expect(wrong).toMatchObject({ outcome: 'rejected', finalCode: 403 });
    const records = await t.gateway.callRecords({ sourceIp: ROAMING, since: started });
    expect(records.map((r) => [r.callee, r.sipCode, r.admitted])).toEqual([
      ['02088880010', 200, true],
      ['02088880011', 403, false],
    ]);

    const rotated = await t.gateway.rotateAccount(account);
    expect(rotated.password).not.toBe(account.password);
    expect((await register(account)).code).toBe(1);
    expect((await register(rotated)).code).toBe(0);

    // The platform reaches the registered gateway at its contact, calling from the account's number.
    const phone = await startSippServer('uas-ring.xml', { ...REGISTERING, calls: 1 });
    const out = await testCall({
      target: { host: t.platform.ip, port: t.platform.port, transport: 'tcp' },
      localAddress: t.contactCenter.ip,
      caller: '02088880010',
      callee: account.username,
      to: '13900139000',
      domain: account.realm,
      headers: [['X-Instance-Id', '1400000001']],
      ringMs: 200,
      timeoutMs: 5_000,
    });
    expect(out).toMatchObject({ outcome: 'cancelled', finalCode: 487 });
    expect((await phone.done).code).toBe(0);

    expect(await t.gateway.deleteAccount(account)).toEqual({ deleted: true, state: 'live' });
    expect(await t.gateway.registration(account)).toBeNull();
    expect(await t.gateway.deleteAccount(account)).toEqual({ deleted: false, state: 'live' });
    expect((await register(rotated)).code).toBe(1);
  });
});

describe('number assignments in the SBC database', () => {
  it('assigns, replays, refuses another case and unassigns', async () => {
    const a = {
      instanceId: 'cc-1',
      numbers: ['+862088880001', '+862088880002'],
      ivrFlowId: 'ivr-1',
      callerIdPrefix: '0',
      origin: 'own-trunk' as const,
      reference: 'case-num-1',
    };
    const assigned = await t.gateway.assignNumbers(a);
    expect(assigned).toHaveLength(2);
    expect(await t.gateway.assignNumbers(a)).toEqual(assigned);
    await expect(
      t.gateway.assignNumbers({ ...a, instanceId: 'cc-2', origin: 'purchased', reference: 'case-num-2' }),
    ).rejects.toMatchObject({
      type: 'NumberAlreadyAssigned',
    });
    expect(await t.gateway.assignments({ instanceId: 'cc-1' })).toEqual(assigned);
    expect(await t.gateway.unassignNumbers({ numbers: a.numbers, reference: 'case-num-2' })).toEqual({ removed: [] });
    expect(await t.gateway.unassignNumbers({ numbers: a.numbers, reference: 'case-num-1' })).toEqual({
      removed: a.numbers,
    });
    expect(await t.gateway.assignments({ instanceId: 'cc-1' })).toEqual([]);
  });
});

describe('probes from the platform', () => {
  it('OPTIONS: 200 with a round-trip time from a gateway, a timeout from a silent address, 200 from the SBC over TCP', async () => {
    const gw = await startSippServer('uas-options.xml', { ip: `${NET}.7`, port: 5060, calls: 1 });
    const answered = await sendOptions({
      host: `${NET}.7`,
      port: 5060,
      transport: 'udp',
      localAddress: t.contactCenter.ip,
      timeoutMs: 2_000,
    });
    expect(answered).toMatchObject({
      outcome: 'answered',
      code: 200,
      reason: 'OK',
      sent: `OPTIONS sip:${NET}.7:5060 SIP/2.0`,
    });
    if (answered.outcome !== 'answered') throw new Error('unreachable');
    expect(answered.rttMs).toBeGreaterThanOrEqual(0);
    expect(answered.rttMs).toBeLessThan(1_000);
    expect(answered.from).toMatch(new RegExp(`^${t.contactCenter.ip.replace(/\./g, '\\.')}:\\d+$`));
    expect((await gw.done).code).toBe(0);

    const silent = await sendOptions({ host: `${NET}.9`, port: 5060, transport: 'udp', timeoutMs: 1_600 });
    // Sent at 0, 500 and 1500 ms (timer E doubling).
    expect(silent).toMatchObject({ outcome: 'timeout', attempts: 3 });

    expect(
      await sendOptions({ host: t.address.ip, port: t.address.sipPort, transport: 'tcp', timeoutMs: 2_000 }),
    ).toMatchObject({
      outcome: 'answered',
      code: 200,
    });
    expect(await sendOptions({ host: `${NET}.9`, port: 5060, transport: 'tcp', timeoutMs: 1_000 })).toMatchObject({
      outcome: 'unreachable',
    });
  });

  it('a test INVITE rings a SIPp callee and cancels it, or hangs up once answered', async () => {
    /** A test INVITE from the platform to a SIPp callee playing `scenario` for this one call. */
    const probeCall = async (scenario: string, callee: string, o: Partial<Parameters<typeof testCall>[0]>) => {
      const at = { ip: `${NET}.8`, port: 5060 };
      const sipp = await startSippServer(scenario, { ...at, calls: 1 });
      const call = await testCall({
        target: { host: at.ip, port: at.port, transport: 'udp' },
        callee,
        localAddress: t.contactCenter.ip,
        timeoutMs: 5_000,
        ...o,
      });
      return { sipp, call };
    };
    const { sipp: ringing, call: cancelled } = await probeCall('uas-ring.xml', '02088880020', { ringMs: 300 });
    expect(cancelled).toMatchObject({
      outcome: 'cancelled',
      finalCode: 487,
      teardown: { method: 'CANCEL', code: 200 },
    });
    expect(cancelled.responses.map((r) => `${r.method} ${r.code}`)).toEqual([
      'INVITE 100',
      'INVITE 180',
      'CANCEL 200',
      'INVITE 487',
    ]);
    expect(cancelled.timings.ringingMs).toBeLessThan(200);
    expect(cancelled.timings.teardownMs! - cancelled.timings.ringingMs!).toBeGreaterThanOrEqual(290);
    // SIPp saw the whole exchange it expects, ACK to the 487 included.
    expect((await ringing.done).code).toBe(0);

    const { sipp: answering, call: answered } = await probeCall('uas-answer.xml', '02088880021', { holdMs: 100 });
    expect(answered).toMatchObject({ outcome: 'answered', finalCode: 200, teardown: { method: 'BYE', code: 200 } });
    expect(answered.timings.answeredMs).toBeGreaterThanOrEqual(answered.timings.ringingMs!);
    expect((await answering.done).code).toBe(0);
  });
});
