/**
 * Registration mode through the API on the real SBC: the credentials come from the email, a
 * SIPp gateway registers with them, test calls go both ways, the password never shows up in
 * workflow history or API answers, and rotation retires the old password.
 */
import { readFile } from 'node:fs/promises';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { exportHistory, recordHistory } from '../support/histories';
import { bearer, caseWhen } from '../support/harness';
import {
  approvedRegistration,
  callFrom,
  credentialsFrom,
  credentialsMail,
  registerWithSipp,
  useSipOnboarding,
  type SipAccount,
} from '../support/sip';
import { startSippServer } from '../support/sipp';
import { loopbackNet } from '../support/net';

const sip = useSipOnboarding(
  loopbackNet(76),
  { host: 6, port: 5066 },
  { SIP_REGISTRATION_REMINDER: '2s', SIP_REGISTRATION_DEADLINE: '2m', SIP_INBOUND_TEST_WINDOW: '30s' },
);
const { sbc, h, instance: instanceA, gateway: GATEWAY, act, stageWhen, cancel } = sip;

const register = (account: SipAccount) =>
  registerWithSipp(GATEWAY, `${sbc.address.ip}:${sbc.address.sipPort}`, account, {
    expires: 120,
    userAgent: 'FreeSWITCH-test/1.10',
  });

describe('SIP registration onboarding on the real SBC', () => {
  it('issues credentials by email only, registers, tests both ways, assigns, shows live status, rotates, and never leaks the password', async () => {
    const { id, mail, account } = await approvedRegistration(sip, ['020-66004441'], 'freeswitch');
    expect(account).toMatchObject({ username: 'gateway01', realm: `${instanceA.instanceId}.${sbc.sipDomain}` });
    expect(account.password.length).toBeGreaterThanOrEqual(20);

    // The emailed FreeSWITCH file is XML carrying the issued account and the proxy.
    const xml = mail.text.slice(mail.text.indexOf('<include>'), mail.text.indexOf('</include>') + '</include>'.length);
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      include: { gateway: { param: { name: string; value: string }[] } };
    };
    const params = Object.fromEntries(parsed.include.gateway.param.map((p) => [p.name, p.value]));
    expect(params).toMatchObject({
      username: account.username,
      realm: account.realm,
      proxy: account.realm,
      'register-proxy': `${sbc.address.ip}:${sbc.address.sipPort}`,
      'register-transport': 'udp',
      register: 'true',
      'expire-seconds': '120',
      'rtp-autofix-timing': 'false',
    });
    // Where the file goes, and the first test call to the main line, in the provider's shape.
    expect(mail.text).toContain(`conf/sip_profiles/external/cc-${instanceA.instanceId}.xml`);
    expect(mail.text).toContain(
      `originate {sip_invite_full_from=sip:13900139000@${account.realm},sip_invite_to_uri=sip:02066004441@${account.realm},sip_cid_type=none}sofia/gateway/cc-${instanceA.instanceId}/02066004441 &park`,
    );

    await stageWhen(id, 'awaiting-registration');
    expect((await register({ ...account, password: 'wrong-password' })).code).toBe(1);
    expect((await register(account)).code).toBe(0);
    // The gateway now waits for the platform's test call on its registered contact.
    const ringer = await startSippServer('uas-ring.xml', { ...GATEWAY, calls: 1 });
    await stageWhen(id, 'awaiting-inbound-test', 30_000);
    await ringer.stop();

    // The gateway calls a line: Request-URI and To the line, digest-authenticated.
    const inbound = await callFrom(sbc.address, GATEWAY, '02066004441', { domain: account.realm, auth: account });
    expect(inbound.outcome).toBe('answered');

    const registered = await stageWhen(id, 'registered', 30_000);
    expect(registered.status).toBe('running');
    const result = registered.result as { passed: boolean; checks: { name: string; passed: boolean }[] };
    expect(result.passed).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual([
      'registration',
      'outbound test call',
      'inbound test call',
      'numbers assigned',
    ]);
    // The SBC admitted the platform's outbound test call From the main number (routed to the account
    // that brings the number in, which rings the callee named in To).
    const outbound = await sbc.gateway.callRecords({
      since: new Date(Date.now() - 600_000).toISOString(),
      caller: '+862066004441',
    });
    expect(outbound.filter((r) => r.admitted && r.reason === 'from-platform')).toHaveLength(1);
    expect((await sbc.gateway.assignments({ instanceId: instanceA.instanceId })).map((a) => a.number)).toEqual([
      '+862066004441',
    ]);

    // Readable afterwards: registered now, from where, until when.
    const live = await h.api.get(`/v1/onboardings/${id}`).set(...bearer(h.tokens.entA));
    expect(live.body.registration).toMatchObject({
      observable: true,
      registered: true,
      contact: expect.stringContaining(GATEWAY.ip),
      expiresAt: expect.any(String),
      userAgent: 'FreeSWITCH-test/1.10',
    });

    // Rotation: a new password by email; the old one stops working.
    await act(id, 'rotate-credentials', h.tokens.entA, { note: '运维交接' });
    const rotatedMail = await credentialsMail(h, id, 1);
    const rotated = credentialsFrom(rotatedMail);
    expect(rotated.username).toBe(account.username);
    expect(rotated.password).not.toBe(account.password);
    await caseWhen(
      h,
      id,
      (c) => c.stage === 'registered' && (c.result as { rotations?: number }).rotations === 1,
      'rotated',
    );
    expect((await register(account)).code).toBe(1);
    expect((await register(rotated)).code).toBe(0);

    // Neither password appears in the history, the API's answers or the email ledger.
    const history = await exportHistory(h.client, id);
    const answers = JSON.stringify([
      live.body,
      (await h.api.get(`/v1/onboardings/${id}`).set(...bearer(h.tokens.support))).body,
    ]);
    const ledger = await readFile(h.config.email.ledgerFile, 'utf8');
    for (const secret of [account.password, rotated.password]) {
      expect(history).not.toContain(secret);
      expect(answers).not.toContain(secret);
      expect(ledger).not.toContain(secret);
    }
    await recordHistory(h.client, id, 'sip-registration-registered-rotated-with-own-numbers-held');

    // Cancel deletes the account: it can no longer register.
    await cancel(id, h.tokens.entA);
    expect((await register(rotated)).code).toBe(1);
  });
});
