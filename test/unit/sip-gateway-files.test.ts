/** The file-backed gateways: recording (no SBC) and manual (an SBC without an API). */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSipGateway } from '../../activities';
import { sbcOf, type SipGateway } from '../../activities/sip-gateway';
import { ManualSipGateway } from '../../activities/sip-gateway-manual';
import { KamailioSipGateway } from '../../activities/sip-gateway-kamailio';
import { loadConfig } from '../../config';
import { RecordingSipGateway } from '../../activities/sip-gateway-recording';
import { expectAccountsNumberedPerInstance } from '../support/gateway-accounts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sip-gw-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recording gateway', () => {
  it('records allowlist entries once per case and removes them once', async () => {
    const gw = new RecordingSipGateway(path.join(dir, 'gw.json'), { sipDomain: 'sip.test' });
    const input = { ip: '203.0.113.7', port: 5060, reference: 'case-1' };
    expect(await gw.allowGateway(input)).toMatchObject({ ...input, transport: 'udp', state: 'recorded' });
    await gw.allowGateway(input);
    expect(await gw.allowlist()).toHaveLength(1);
    expect(await gw.disallowGateway(input)).toEqual({ removed: 1, state: 'recorded' });
    expect(await gw.disallowGateway(input)).toEqual({ removed: 0, state: 'recorded' });
    await expect(gw.allowGateway({ ...input, ip: 'gw.example' })).rejects.toMatchObject({
      type: 'InvalidSipGatewayInput',
    });
  });

  it('keeps only a hash of account passwords and observes nothing', async () => {
    const file = path.join(dir, 'gw.json');
    const gw = new RecordingSipGateway(file, { sipDomain: 'sip.test' });
    const {
      first: a,
      second: b,
      replay,
    } = await expectAccountsNumberedPerInstance(gw, {
      instanceId: '1400001',
      otherInstance: '1400009',
      sipDomain: 'sip.test',
    });
    expect(a.state).toBe('recorded');
    const rotated = await gw.rotateAccount(a);
    const text = await readFile(file, 'utf8');
    for (const p of [a.password, b.password, replay.password, rotated.password]) expect(text).not.toContain(p);
    expect(gw.observes).toEqual({ calls: false, registrations: false });
    await expect(gw.registration(a)).rejects.toMatchObject({ type: 'NotObservable' });
    await expect(gw.callRecords({ since: new Date().toISOString() })).rejects.toMatchObject({ type: 'NotObservable' });
    expect(await gw.deleteAccount(a)).toEqual({ deleted: true, state: 'recorded' });
    await expect(gw.rotateAccount(a)).rejects.toMatchObject({ type: 'SipAccountNotFound' });
  });

  it('reads a file written before allowlists and accounts existed', async () => {
    const file = path.join(dir, 'old.json');
    await writeFile(
      file,
      JSON.stringify([
        { number: '+862088880000', instanceId: 'cc', reference: 'r', assignedAt: '2025-01-01T00:00:00.000Z' },
      ]),
    );
    const gw = new RecordingSipGateway(file);
    expect(await gw.assignments()).toHaveLength(1);
    await gw.allowGateway({ ip: '203.0.113.7', port: 5060, reference: 'r' });
    expect(await gw.assignments()).toHaveLength(1);
  });
});

describe('manual gateway', () => {
  it('never reports a change as live until a person marks it applied', async () => {
    const gw = new ManualSipGateway(path.join(dir, 'manual.json'), { sipDomain: 'sip.test' });
    expect(gw.observes).toEqual({ calls: false, registrations: false });
    const entry = await gw.allowGateway({ ip: '203.0.113.7', port: 5060, reference: 'case-1' });
    expect(entry.state).toBe('pending-manual');
    await gw.allowGateway({ ip: '203.0.113.7', port: 5060, reference: 'case-1' });
    const pending = await gw.changes({ status: 'pending' });
    expect(pending.map((c) => c.action)).toEqual(['allow-gateway']);

    await gw.markApplied(pending[0]!.id, 'ops@provider');
    expect((await gw.allowlist())[0]!.state).toBe('live');
    // Removing an applied entry is itself work for a person.
    expect(await gw.disallowGateway({ ip: '203.0.113.7', port: 5060, reference: 'case-1' })).toEqual({
      removed: 1,
      state: 'pending-manual',
    });
    expect((await gw.changes({ status: 'pending' })).map((c) => c.action)).toEqual(['disallow-gateway']);
  });

  it('withdraws a request nobody carried out yet', async () => {
    const gw = new ManualSipGateway(path.join(dir, 'manual.json'), { sipDomain: 'sip.test' });
    await gw.allowGateway({ ip: '203.0.113.8', port: 5060, reference: 'case-2' });
    await gw.disallowGateway({ ip: '203.0.113.8', port: 5060, reference: 'case-2' });
    expect(await gw.changes()).toEqual([]);
  });

  it('hands accounts to a person as digests, never as the password', async () => {
    const file = path.join(dir, 'manual.json');
    const gw = new ManualSipGateway(file, { sipDomain: 'sip.test' });
    const account = await gw.createAccount({ instanceId: '1400002', reference: 'case-3' });
    expect(account).toMatchObject({ username: 'gateway01', realm: '1400002.sip.test', state: 'pending-manual' });
    const [change] = await gw.changes();
    expect(change).toMatchObject({
      action: 'create-account',
      details: { username: 'gateway01', realm: '1400002.sip.test', ha1: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    expect(await readFile(file, 'utf8')).not.toContain(account.password);
    await expect(gw.registration(account)).rejects.toMatchObject({ type: 'NotObservable' });
    const assigned = await gw.assignNumbers({
      instanceId: 'cc',
      numbers: ['+862088880001'],
      origin: 'purchased',
      reference: 'case-3',
    });
    expect(assigned[0]!.state).toBe('pending-manual');
  });
});

describe('choosing the gateway', () => {
  it('builds the configured mode', async () => {
    const base = { DATA_DIR: dir, SIP_DOMAIN: 'sip.test' };
    expect(createSipGateway(loadConfig({ ...base })).mode).toBe('recording');
    expect(createSipGateway(loadConfig({ ...base, SIP_GATEWAY_MODE: 'manual' }))).toBeInstanceOf(ManualSipGateway);
    const kamailio = createSipGateway(loadConfig({ ...base, SIP_GATEWAY_MODE: 'kamailio' }));
    expect(kamailio).toBeInstanceOf(KamailioSipGateway);
    expect(kamailio.observes).toEqual({ calls: true, registrations: true });
    await (kamailio as KamailioSipGateway).close();
  });

  it('refuses SBC operations on a gateway that only assigns numbers', () => {
    const numbersOnly: SipGateway = {
      mode: 'double',
      assignNumbers: async () => [],
      unassignNumbers: async () => ({ removed: [] }),
      assignments: async () => [],
    };
    expect(() => sbcOf(numbersOnly)).toThrow(/does not support observes, allowGateway/);
  });
});
